# Resource limits as Linux keeps them: per process, handed down to children, checked when set;
# and processes by the hundred, children and orphans, all reaped (init takes the orphans).
ulimit -a | grep -v -i -e process -e pending
ulimit -n
(ulimit -n 64; ulimit -n; sh -c 'ulimit -n'); ulimit -n
(ulimit -S -n 100; echo "soft $(ulimit -S -n) hard $(ulimit -H -n)")
(ulimit -s 4096; sh -c 'ulimit -s')
(ulimit -c 1000; ulimit -c; ulimit -H -c)
(ulimit -H -n 512; echo "hard $(ulimit -H -n) soft $(ulimit -S -n)"; ulimit -n 600 2>&1; ulimit -n)
ulimit -n 2000000 2>&1; ulimit -n
(ulimit -t 100; sh -c 'ulimit -t')
for i in $(seq 100); do sleep 0.2 & done; wait; echo "100 children waited for"
for i in $(seq 150); do (sleep 0.3 &); done; echo "150 orphans started"
sleep 2
echo "zombies: $(cat /proc/[0-9]*/status 2>/dev/null | grep -c 'State:.*Z')"
sh -c 'echo "forks work"'
