# Process groups and sessions: setpgid, getpgid, setsid, kill and waitpid for a group.
/bin/pgroups
