# what: 2 loops of processes that crash: wild pointers (signals) and SIGSEGV, SIGILL, SIGFPE, SIGBUS
# signals forks a child that stores through a wild pointer (a real data abort, killed by
# SIGSEGV) and one whose SIGSEGV handler catches its fault; each shell here kills itself with
# the signal a crash would bring.  Crashes: processes that ended by a signal.
( n=0; crashes=0
  while [ ! -e /tmp/stop ]; do
    signals > /dev/null && crashes=$((crashes+2)); n=$((n+1))
  done
  echo "faulting-runs $n" >> /tmp/atk.count; echo "crashes $crashes" >> /tmp/atk.count ) &
( crashes=0
  while [ ! -e /tmp/stop ]; do
    for sig in SEGV ILL FPE BUS; do
      sh -c "kill -$sig \$\$"; [ $? -gt 128 ] && crashes=$((crashes+1))
    done
  done
  echo "crashes $crashes" >> /tmp/atk.count ) &
