# Signals as Linux delivers them: SIGPIPE and EPIPE for writers (by default, ignored, blocked,
# caught), traps, default actions and exit statuses, and a process ended in every state in which
# it can wait in the kernel.
yes | head -n 1; echo "status $?"
sh -c 'yes; echo "yes ended: $?" >&2' | head -n 1
sh -c 'trap "" PIPE; yes; echo "yes ended: $?" >&2' | head -n 1
sh -c 'trap "" PIPE; seq 1 100000; echo "seq ended: $?" >&2' | head -n 2
sh -c 'trap "echo caught PIPE >&2" PIPE; yes; echo "yes ended: $?" >&2' | head -n 1
sh -c 'yes' | true; echo "pipeline: $?"
trap 'echo got USR1' USR1
kill -USR1 $$; echo "after USR1"
trap - USR1
sh -c 'kill -TERM $$; echo not reached'; echo "TERM: $?"
sh -c 'kill -KILL $$; echo not reached'; echo "KILL: $?"
sh -c 'kill -INT $$; echo not reached'; echo "INT: $?"
sh -c 'kill -USR2 $$; echo not reached'; echo "USR2: $?"
sh -c 'kill -CHLD $$; kill -WINCH $$; kill -URG $$; echo "ignored by default"'
sh -c 'trap "echo trapped TERM; exit 7" TERM; kill -TERM $$; echo not reached'; echo "trap: $?"
sh -c 'trap "" INT; kill -INT $$; echo "INT ignored"'
# (whether the shell says "Terminated" at `wait` depends on whether its target has died by
# then, which Linux's scheduler decides: wait's messages are left out)
sleep 10 & kill $!; wait $! 2>/dev/null; echo "sleep TERM: $?"
sleep 10 & kill -9 $!; wait $! 2>/dev/null; echo "sleep KILL: $?"
sleep 10 & kill -HUP $!; wait $! 2>/dev/null; echo "sleep HUP: $?"
(yes | sleep 1) ; echo "yes writing a full pipe: $?"
sh -c 'sleep 10; echo not reached' & sleep 1; kill $!; wait $! 2>/dev/null; echo "sh in wait4: $?"
kill -0 $$ && echo "kill -0 finds us"
kill -0 99999 2>/dev/null || echo "kill -0 99999: no such process"
kill -l 15; kill -l 9
/bin/sigpipe
/bin/blocked
sh -c 'trap "" TERM; exec sh -c "kill -TERM \$\$; echo TERM still ignored after exec"'
sh -c 'trap "echo caught" USR1; exec sh -c "kill -USR1 \$\$; echo not reached"'; echo "handler gone after exec: $?"
(trap "" INT; sh -c 'kill -INT $$; echo "INT ignored in a child"')
sh -c 'trap "echo EXIT trap ran" EXIT; kill -TERM $$'; echo "status $?"
sh -c 'trap "echo HUP \$n; n=\$((n + 1))" HUP; n=1; kill -HUP $$; kill -HUP $$; echo done'
