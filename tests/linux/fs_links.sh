# Hard and symbolic links from the shell: ln, ln -s, readlink (-f), link counts, following
# through directories, dangling links and loops; then the same through the system calls.
cd /tmp && mkdir fsl && cd fsl
echo data > a
busybox ln a b
busybox stat -c '%n %h %s' a b
echo more >> b
cat a
rm a
cat b
busybox stat -c '%n %h' b
busybox ln -s b s
cat s
busybox readlink s
busybox stat -c '%F %s %b' s
busybox stat -L -c '%F %s' s
busybox ln -s nowhere dangling
cat dangling
ls dangling
[ -e dangling ] || echo "dangling does not exist"
[ -L dangling ] && echo "but is a link"
busybox ln -s loop2 loop1
busybox ln -s loop1 loop2
cat loop1
mkdir -p d/e/f
echo deep > d/e/f/file
busybox ln -s d/e dl
cat dl/f/file
busybox ln -s ../../s d/e/up
cat d/e/up
cat dl/up
busybox readlink -f dl/up
busybox readlink -f dl/f/../f/file
busybox realpath dl/f
busybox ln -s /tmp/fsl/d abs
ls abs/e/f
cd dl/f && busybox pwd -P && cd /tmp/fsl
busybox ln b d/e/f/hard
busybox stat -c '%h' b
rm -r d
busybox stat -c '%h' b
ls dl 2>&1
busybox ln -sf b dl
busybox readlink dl
busybox ln -s b s 2>&1
busybox ln a2 c 2>&1
busybox ln . dirlink 2>&1
busybox stat -c '%h' /tmp/fsl
mkdir x y z
busybox stat -c '%h' /tmp/fsl
busybox readlink /proc/self/exe
ls -l /proc/self/exe | cut -c1
/proc/self/exe echo "ran through /proc/self/exe" 2>&1
cd /tmp && rm -r fsl
ls fsl 2>&1
fs_links
rm -r /tmp/lk
