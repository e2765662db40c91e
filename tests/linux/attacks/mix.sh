# what: every attack at once, one process or loop of each
( while :; do :; done ) &
echo $! >> /tmp/atk
( n=0; while [ ! -e /tmp/stop ]; do echo x > /dev/null; n=$((n+1)); done; echo "null-writes $n" >> /tmp/atk.count ) &
( n=0; while [ ! -e /tmp/stop ]; do ( : ); n=$((n+1)); done; echo "forks $n" >> /tmp/atk.count ) &
( n=0; while [ ! -e /tmp/stop ]; do dd if=/dev/zero of=/dev/null bs=256k count=2 2>/dev/null; n=$((n+1)); done; echo "dd-runs $n" >> /tmp/atk.count ) &
( n=0; while [ ! -e /tmp/stop ]; do echo console spam console spam console spam console spam; n=$((n+1)); done; echo "console-lines $n" >> /tmp/atk.count ) &
( n=0; while [ ! -e /tmp/stop ]; do dd if=/bin/busybox bs=4k 2>/dev/null | cat > /dev/null; n=$((n+1)); done; echo "pipe-kib $((n*1254))" >> /tmp/atk.count ) &
( n=0; mib=0; while [ ! -e /tmp/stop ]; do out=$(hog); n=$((n+1)); case "$out" in *"refused after "*) m=${out##*after }; mib=$((mib+${m% MiB}));; esac; done; echo "hog-runs $n" >> /tmp/atk.count; echo "hog-mib $mib" >> /tmp/atk.count ) &
( crashes=0; while [ ! -e /tmp/stop ]; do signals > /dev/null && crashes=$((crashes+2)); sh -c "kill -SEGV \$\$"; [ $? -gt 128 ] && crashes=$((crashes+1)); done; echo "crashes $crashes" >> /tmp/atk.count ) &
