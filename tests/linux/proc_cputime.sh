# CPU time: user and system, a process's and its children's (proc_cputime.c).
/bin/proc_cputime
