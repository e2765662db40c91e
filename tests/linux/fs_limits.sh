# No small limits: thousands of files in one directory, deep trees, long names, find, and the
# 1024 descriptors a process may have, several processes at once.
cd /tmp && mkdir fsx && cd fsx
i=0
while [ $i -lt 3000 ]; do : > file$i; i=$((i + 1)); done
ls | wc -l
busybox stat -c '%s %b' . file0
ls | sort | md5sum
busybox find . -type f | wc -l
ls | grep '^file1' | busybox xargs -n 50 rm
ls | wc -l
busybox stat -c '%s' .
cd /tmp && rm -r fsx && mkdir fsx && cd fsx
ls | wc -l
d=/tmp/fsx
i=0
while [ $i -lt 40 ]; do d=$d/level$i; i=$((i + 1)); done
mkdir -p $d
echo bottom > $d/file
busybox find /tmp/fsx -name file
busybox find /tmp/fsx -type d | wc -l
cat $d/file
n=aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggghhhhhhhhhhiiiiiiiiiijjjjjjjjjj
long=$n$n
echo ok > ${long}xxxxx
ls | grep -c aaaa
echo ok > ${long}${n} 2>/dev/null || echo "a name over 255 bytes is too long"
mkdir -p t/a/b t/c
touch t/a/b/1 t/c/2 t/3
busybox find t | sort
busybox find t -type f | sort
cd /tmp && rm -r fsx && mkdir fsx && cd fsx
ls | wc -l
ulimit -n
fs_fdlimit
fs_fdlimit 3
echo "the shell still runs"
cd /tmp && rm -r fsx
