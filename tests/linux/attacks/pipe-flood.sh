# what: 4 loops of dd pushing busybox's 1.2 MiB through a pipe into cat, 4 KiB a write
# (the file, not /dev/zero: the server fills a read of /dev/zero a byte at a time, so the
# processes would mostly wait on that, not on the pipe)
size=$(wc -c < /bin/busybox)
for i in 1 2 3 4; do
  ( n=0; while [ ! -e /tmp/stop ]; do dd if=/bin/busybox bs=4k 2>/dev/null | cat > /dev/null; n=$((n+1)); done; echo "pipe-kib $((n*size/1024))" >> /tmp/atk.count ) &
done
