# what: 2 loops writing lines to the console as fast as it takes them
for i in 1 2; do
  ( n=0; while [ ! -e /tmp/stop ]; do echo console spam console spam console spam console spam; n=$((n+1)); done; echo "console-lines $n" >> /tmp/atk.count ) &
done
