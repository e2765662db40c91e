# Signals to processes that compute without ever making a system call: each spin says it is
# ready, then spins; the shell's own job notices stay out of the output (they depend on timing)
for sig in TERM KILL; do
    rm -f /tmp/ready
    spin handler > /tmp/ready & pid=$!
    until [ -s /tmp/ready ]; do :; done
    kill -$sig $pid; wait $pid 2>/dev/null; echo "spin got SIG$sig: status $?"
done
rm -f /tmp/ready
spin handler > /tmp/ready & pid=$!
until [ -s /tmp/ready ]; do :; done
kill -USR1 $pid; wait $pid 2>/dev/null; echo "spin's SIGUSR1 handler: status $?"
cat /tmp/ready
