# Orphaned process groups: SIGHUP and SIGCONT for a stopped one, stop signals discarded (proc_orphaned.c).
/bin/proc_orphaned
