# what: 4 loops forking a subshell that exits at once
for i in 1 2 3 4; do
  ( n=0; while [ ! -e /tmp/stop ]; do ( : ); n=$((n+1)); done; echo "forks $n" >> /tmp/atk.count ) &
done
