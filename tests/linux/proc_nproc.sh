# RLIMIT_NPROC at fork: per user, zombies counted, root exempt (proc_nproc.c).
/bin/proc_nproc
