# Advisory locks: fcntl's record locks, OFD locks and flock(2) (fs_locks.c; Debian's busybox has no flock applet).
/bin/fs_locks
