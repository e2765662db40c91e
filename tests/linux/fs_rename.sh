# mv and rm from the shell, then rename's rules through the system calls.
cd /tmp && mkdir fsr && cd fsr
mkdir -p a/b/c
echo 1 > a/b/c/one
echo 2 > a/two
mv a z
ls -R z
mv z/two z/b/c/
ls z z/b/c
echo 3 > three
mv three z/b/c/one
cat z/b/c/one
mv z/b z/b/c 2>&1
mv z/b .
ls
ls b/c
mkdir e
mv b e
ls e/b/c
mv e/b/c/one e/b/c/two .
ls
rmdir e 2>&1
rm -r e
ls
rm one two
rmdir /tmp/fsr/z 2>&1
echo x > f
rmdir f 2>&1
rm z 2>&1
rm -d z 2>&1
mkdir -p w/in
cd w/in
mv /tmp/fsr/w /tmp/fsr/w2
pwd -P
busybox pwd -P
echo here > file
cat /tmp/fsr/w2/in/file
cd /tmp && rm -r fsr
ls fsr 2>&1
fs_rename
rm -r /tmp/rn
