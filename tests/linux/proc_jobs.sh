# Job control from a script (no terminal here, so no `fg` or `bg`): a stopped process does not
# run and goes on where it was when continued, its parent sees both, signals wait for it but
# SIGKILL, and a process can stop itself.  (Linux discards SIGTSTP to the script's group,
# which has no parent in another group of the session: the TSTP line ends the same either way.
# Whether the shell says "Terminated" at `wait` depends on Linux's scheduler: left out.)
sleep 0.5 & p=$!
kill -STOP $p; sleep 1
kill -0 $p && echo "a stopped sleep is still there after its time"
kill -CONT $p; wait $p 2>/dev/null; echo "continued, it ends: $?"
(i=0; while [ $i -lt 5 ]; do echo "tick $i"; i=$((i + 1)); sleep 0.4; done) & p=$!
sleep 0.6; kill -STOP $p; echo "stopped"
sleep 1.5; echo "continuing"; kill -CONT $p; wait $p 2>/dev/null; echo "the ticks end: $?"
sleep 10 & p=$!; sleep 0.2; kill -TSTP $p; kill -CONT $p; kill $p; wait $p 2>/dev/null; echo "TSTP, CONT, TERM: $?"
sleep 10 & p=$!; sleep 0.2; kill -STOP $p; kill -KILL $p; wait $p 2>/dev/null; echo "killed while stopped: $?"
sleep 10 & p=$!; sleep 0.2; kill -STOP $p; sleep 0.2; kill -TERM $p; sleep 0.2
kill -0 $p && echo "TERM waits while stopped"; kill -CONT $p; wait $p 2>/dev/null; echo "then ends it: $?"
sh -c 'kill -STOP $$; echo "it continued itself"' & p=$!
sleep 0.5; kill -CONT $p; wait $p 2>/dev/null; echo "status $?"
sh -c 'trap "echo TSTP caught" TSTP; kill -TSTP $$; echo "not stopped"'
/bin/wait_stopped
sleep 5 & p=$!; sleep 0.2; kill -STOP $p; sleep 0.2; grep State /proc/$p/status
kill -CONT $p; sleep 0.2; grep State /proc/$p/status; kill $p; wait $p 2>/dev/null; echo "status $?"
sh -c 'sleep 0.3; echo "child of a stopped shell ran"' & p=$!; sleep 0.1; kill -STOP $p; sleep 0.5
echo "still stopped"; kill -CONT $p; wait $p 2>/dev/null; echo "status $?"
