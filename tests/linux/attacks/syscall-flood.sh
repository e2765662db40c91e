# what: 3 loops of open, write and close on /dev/null, and 2 pipes of echo into read, a byte a read
# Each loop counts its iterations and adds them to /tmp/atk.count when it stops.
for i in 1 2 3; do
  ( n=0; while [ ! -e /tmp/stop ]; do echo x > /dev/null; n=$((n+1)); done; echo "null-writes $n" >> /tmp/atk.count ) &
done
# The writer stops first and the reader reads to the end: a reader that left a writer blocked
# on a full pipe would bring the Linux server down (docs/modem.md, "Under attack").  The
# shell's `read` takes a pipe one byte per read(2).
for i in 1 2; do
  ( ( while [ ! -e /tmp/stop ]; do echo pipe line; done ) | ( n=0; while read l; do n=$((n+1)); done; echo "pipe-lines $n" >> /tmp/atk.count ) ) &
done
