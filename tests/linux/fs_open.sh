# Opening files from the shell (>>, noclobber's O_EXCL, <>, descriptors), then the open flags,
# modes, truncation, times, FIFOs, devices and statfs through the system calls.
cd /tmp && mkdir fso && cd fso
echo one > f
echo two >> f
cat f
set -C
echo three > f
set +C
echo four >| f 2>&1
cat f
exec 3<> f
echo FIVE >&3
exec 3>&-
cat f
exec 4< f
read line <&4
echo "read $line"
exec 4<&-
: > f
busybox stat -c '%s' f
busybox mkfifo p
(echo "into the fifo" > p) &
cat p
wait
(echo first > p; echo "the writer's open returned" > w) &
sleep 1
[ -e w ] || echo "the writer waits for a reader"
cat p
wait
cat w
(sleep 1; echo second > p) &
cat p
wait
exec 5<> p
echo "both ends in one" >&5
read word rest <&5
echo "$word $rest"
exec 5>&-
echo to null > /dev/null && echo "null takes it"
head -c 8 /dev/urandom | wc -c
cd /tmp && rm -r fso
fs_fcntl
rm -r /tmp/fc
