# The wall clock and the timers: the date comes from the board's clock (after 2020), root sets
# it, alarm and ITIMER_REAL deliver SIGALRM when due, sleep is interrupted and resumed as Linux
# does it.
test "$(date +%Y)" -ge 2021 && echo "the year is after 2020"
date -u -d @0
date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S'
date -s '2030-01-02 03:04:05' > /dev/null; date '+%Y-%m-%d %H:%M'
date -s '@1900000000' > /dev/null; date -u '+%Y-%m-%d'
sleep 0.2; echo "slept 0.2 s"
sh -c 'sleep 5 & p=$!; sleep 0.3; kill $p; wait $p 2>/dev/null; echo "sleep killed: $?"'
sh -c 'trap "echo ALRM caught" ALRM; (sleep 0.3; kill -ALRM $$) & sleep 1; echo after sleep'
/bin/itimer
