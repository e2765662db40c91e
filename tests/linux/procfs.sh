# /proc: what programs ask of it, with output that does not depend on pids or timing
cat /proc/self/comm
readlink /proc/self/exe
cut -d' ' -f2,3 /proc/self/stat
cat /proc/self/cmdline | tr '\0' ' '; echo
grep -c MemTotal /proc/meminfo
ls /proc/self | grep -E '^(cmdline|comm|exe|stat|status)$'
test -d /proc/$$ && echo "/proc/\$\$ is a directory"
test "$(readlink /proc/self)" -gt 0 && echo "/proc/self names a pid"
readlink /bin/sh
cat /proc/uptime | wc -w
grep -E '^(Name|State|Uid):' /proc/self/status
cat /proc/nonexistent 2>/dev/null || echo "no such file: $?"
