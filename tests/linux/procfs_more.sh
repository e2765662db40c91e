# More of /proc: descriptors, mounts, the CPU and the kernel's names; only what does not depend
# on pids, times, the kernel's build or the machine's memory.
ls /proc/self/fd | cat
readlink /proc/self/fd/0 < /dev/null
echo x | readlink /proc/self/fd/0 | cut -c1-6
readlink /proc/self/fd/2
cd /tmp && echo hi > fdfile && readlink /proc/self/fd/5 5< fdfile; rm -f /tmp/fdfile
readlink /proc/self/fd/7 7>/dev/null
readlink /proc/self/fd/9 || echo "no fd 9"
readlink /proc/self/cwd
ls -l /proc/self/fd/0 < /dev/null | cut -c1-10
ls -l /proc/self/fd/1 | cut -c1-10
ls -l /proc/self/fd/4 4<>/dev/null | cut -c1-10
ls -ld /proc/self/fd /proc/sys /proc/sys/kernel /proc/cpuinfo /proc/sys/kernel/hostname | cut -c1-10
cut -d' ' -f1-3 /proc/mounts
cmp -s /proc/mounts /proc/self/mounts && echo "self/mounts is /proc/mounts"
grep -E '^nodev\s(tmpfs|proc|devtmpfs|pipefs|ramfs)$' /proc/filesystems
grep -c ^processor /proc/cpuinfo
grep -E '^(model name|BogoMIPS|Features|CPU|Hardware)' /proc/cpuinfo
wc -w < /proc/loadavg
cut -d' ' -f4 /proc/loadavg | grep -c /
head -c 14 /proc/version; echo
[ "$(cut -d' ' -f3 /proc/version)" = "$(uname -r)" ] && echo "the version names uname's release"
cat /proc/sys/kernel/ostype /proc/sys/kernel/pid_max
[ "$(cat /proc/sys/kernel/osrelease)" = "$(uname -r)" ] && echo "osrelease is uname -r"
[ "$(cat /proc/sys/kernel/hostname)" = "$(hostname)" ] && echo "hostname is hostname"
ls /proc | grep -E '^(cpuinfo|filesystems|loadavg|meminfo|mounts|self|stat|sys|uptime|version)$'
ls /proc/sys/kernel | grep -E '^(hostname|osrelease|ostype|pid_max)$'
grep -c '^cpu' /proc/stat
cut -d' ' -f1 /proc/stat | grep -E '^(cpu|cpu0|intr|ctxt|btime|processes|procs_running|procs_blocked|softirq)$'
top -bn1 | grep -c '^Mem:'
