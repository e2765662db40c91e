# what: 8 processes spinning in the shell, no system call at all
# The spinners never look at /tmp/stop: the harness kills them by the pids in /tmp/atk.
for i in 1 2 3 4 5 6 7 8; do
  ( while :; do :; done ) &
  echo $! >> /tmp/atk
done
