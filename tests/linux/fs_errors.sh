# Linux's errors from file system calls, as the shell and busybox print them.
cd /tmp && mkdir fse && cd fse
echo f > file
mkdir dir
cat nothing
cat file/x
cat dir
echo x > dir
mkdir file
mkdir dir
mkdir no/such
rmdir file
rmdir nothing
rm dir
rm nothing
echo y > nothere/f
cd file
cd nothing
ls nothing
echo > /proc/newfile
cat < dir
busybox ln -s file file
busybox ln file dir/file
busybox ln dir dir2
mv dir dir/sub
busybox truncate -s 10 dir
echo x > /dev/full
cat /dev/null
head -c 4 /dev/zero | busybox od -A n -t x1
mkdir dir/sub
touch dir/sub/x
rmdir dir/sub
busybox mkfifo dir/sub 2>&1
busybox mknod dir/n c 1 3 && echo mknod made a device
echo through > dir/n && echo wrote to it
busybox stat -c '%F' dir/n
busybox ln -s a a2
busybox ln -s a2 a
cat a
busybox readlink -f a
busybox readlink file
echo "status $?"
cd /tmp && rm -r fse
fs_badptr
