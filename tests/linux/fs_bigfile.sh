# Large files: megabytes through dd, a long seq, sparse files and truncation.
cd /tmp && mkdir fsb && cd fsb
busybox dd if=/dev/zero of=big bs=1024 count=5120 2>/dev/null
busybox stat -c '%s' big
md5sum big
seq 1 100000 > f
wc -l f
md5sum f
tail -n 2 f
busybox stat -c '%s' f
cp f g
cmp f g && echo "copies match"
cat f f f f f > five
wc -c five
md5sum five
busybox dd if=f of=part bs=4096 skip=10 count=3 2>/dev/null
md5sum part
busybox dd if=/dev/zero of=sparse bs=1 count=1 seek=20000000 2>/dev/null
busybox stat -c '%s' sparse
[ "$(busybox stat -c %b sparse)" -lt 100 ] && echo "sparse: few blocks"
busybox dd if=sparse bs=4096 skip=1000 count=1 2>/dev/null | busybox od -A d -t x1 | head -3
busybox truncate -s 12345 f
busybox stat -c '%s' f
tail -c 10 f | busybox od -c | head -1
busybox truncate -s 20000 f
busybox stat -c '%s' f
tail -c 4 f | busybox od -A n -t x1
busybox truncate -s 0 five
busybox stat -c '%s' five
printf 'x' | busybox dd of=big bs=1 seek=3000000 conv=notrunc 2>/dev/null
busybox stat -c '%s' big
md5sum big
yes abcdefghijklmnopqrstuvwxyz | head -c 3000000 > y
md5sum y
rm big y g five sparse part f
cd /tmp && rmdir fsb && echo "all gone"
