# what: 3 loops of open, write and close on /dev/null, and 2 readers taking a pipe a byte at a time
# Each loop counts its iterations and adds them to /tmp/atk.count when it stops.
for i in 1 2 3; do
  ( n=0; while [ ! -e /tmp/stop ]; do echo x > /dev/null; n=$((n+1)); done; echo "null-writes $n" >> /tmp/atk.count ) &
done
# The shell's `read` takes a pipe one byte per read(2); `yes` ends on the broken pipe.
for i in 1 2; do
  ( yes | ( n=0; while [ ! -e /tmp/stop ] && read l; do n=$((n+1)); done; echo "pipe-lines $n" >> /tmp/atk.count ) ) &
done
