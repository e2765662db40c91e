# Debian's GNU coreutils, grep and sed (not busybox's applets, which busybox's own sh runs for
# these names whatever PATH says): the script runs in bash with Debian's PATH, which finds them
# before busybox's links.  Only what does not depend on times, inode numbers or the machine.
exec bash <<'SCRIPT'
set -u
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
mkdir -p /tmp/cu && cd /tmp/cu
ls --version | head -1
printf 'pear 3\napple 10\nfig 7\napple 2\nbanana 5\n' > fruit
head -c 5000 /dev/zero > zeros
seq 1 2000 > numbers
mkdir -p tree/a/b && echo deep > tree/a/b/leaf && printf '%s\n' one two > tree/a/two
ln -s fruit link; ln fruit hard
chmod 640 zeros; chmod 755 tree/a

echo "== ls"
ls -l --time-style=+ | sed 's/  */ /g'
ls -la --time-style=+ tree/a | sed 's/  */ /g'
ls -1 -R tree
ls -lLi link fruit | awk '{ print ($1 == prev) ? "same inode" : "first"; prev = $1 }'
ls -S -1; ls -r -1 -t --time-style=+ tree/a/b
ls -d tree/*/ ; ls -F; ls -ld --time-style=+ nothere 2>&1; echo "status $?"

echo "== sort"
sort -S 1M fruit
sort -S 64K -k2,2n -t' ' fruit
sort -S 1M -r -n numbers | head -3
shuf -n 5 --random-source=numbers numbers | sort -n
seq 3000 -1 1 | sort -S 16K -n | sha256sum
sort -c fruit 2>&1; echo "status $?"
sort -m <(printf '1\n3\n') <(printf '2\n4\n')
printf 'b 2\na 1\nb 1\n' | sort -s -k1,1

echo "== stat"
stat -c '%n %s %a %A %F %h' fruit zeros tree tree/a link hard
stat -L -c '%n %s %F' link
stat -c '%s %b %B' numbers
stat -f -c '%l' . 2>&1
stat nothere 2>&1; echo "status $?"
stat -c '%N' link

echo "== du"
du -a -b tree | sort -k2
du -s -b tree
du -c -b fruit zeros | tail -1
du --apparent-size -k numbers
du -s -k zeros

echo "== dd"
dd if=numbers of=part bs=100 skip=2 count=3 status=none; wc -c part; head -1 part
dd if=/dev/zero bs=1024 count=64 status=noxfer 2>&1 | wc -c
dd if=fruit conv=ucase status=none
dd if=numbers bs=7 count=2 iflag=skip_bytes skip=5 status=none; echo
dd if=numbers of=copy bs=4096 status=none && cmp numbers copy && echo same
printf 'abcdef' | dd bs=1 skip=2 count=3 status=none; echo
dd if=fruit of=fruit2 conv=notrunc,fsync status=none; cmp fruit fruit2 && echo fsync ok
dd if=nothere 2>&1; echo "status $?"

echo "== sha256sum"
sha256sum fruit zeros numbers
sha256sum < /dev/null
sha256sum fruit numbers > sums; sha256sum -c sums
echo tampered >> numbers; sha256sum -c sums 2>&1; echo "status $?"
md5sum fruit; sha1sum fruit; sha512sum fruit | cut -c1-32; b2sum fruit | cut -c1-32
cksum fruit; base64 fruit | head -2; base32 fruit | head -1

echo "== more coreutils"
wc fruit numbers; cut -d' ' -f2 fruit | paste -sd+; tr a-z A-Z < fruit | head -2
seq -w 8 11; seq -s, 1 0.5 3; printf '%05.1f|%-4s|%x\n' 3.14159 ab 255
expr 6 \* 7; factor 360 1001; numfmt --to=iec 1048576 5000000
basename /a/b/c.txt .txt; dirname /a/b/c.txt; realpath -m /tmp/cu/../cu/./tree
readlink link; readlink -f link; mktemp -u -p /tmp XXXX | wc -c
split -l 700 numbers part_; wc -l part_*; cat part_* | cmp - numbers && echo joined
truncate -s 10 fruit2; wc -c fruit2; truncate -s +5 fruit2; od -c fruit2 | tail -2
join <(printf 'a 1\nb 2\n') <(printf 'a x\nb y\n'); comm -12 <(printf 'a\nb\nc\n') <(printf 'b\nc\nd\n')
tee t1 t2 < fruit > /dev/null; cat t1 t2 | uniq -c | head -2
install -m 600 fruit inst && stat -c '%a %s' inst
cp -a tree tree2 && diff -r tree tree2 && echo copied; mv tree2 tree3; rm -r tree3; ls
env -i A=1 env; printenv HOME >/dev/null || echo "no HOME"
id -u; nproc --all >/dev/null && echo nproc; test -d tree && echo dir
timeout 5 sleep 0.01; echo "timeout $?"
bash -c 'timeout -s KILL 0.1 sleep 5; exit $?' 2>/dev/null; echo "timeout $?"
yes | head -3; echo abc | rev 2>/dev/null || true
nice -n 5 nice; nice -n 30 nice; nice -n 5 nice -n -30 nice; nice -n 7 cut -d" " -f18,19 /proc/self/stat
nohup true 2>/dev/null; echo "nohup $?"

echo "== grep"
grep -n apple fruit; grep -c -v apple fruit; grep -E -o '[0-9]+' fruit | paste -sd' '
grep -P '^\w+ (?=1)' fruit; grep -r -l deep tree; grep -w -i APPLE fruit | wc -l
grep -F -x 'fig 7' fruit; grep -q nothere fruit; echo "status $?"; grep x nothere 2>&1; echo "status $?"
seq 1 30 | grep -A1 -B1 '^15$'; grep -m2 -H a fruit; grep --count '' numbers

echo "== sed"
sed -n '/apple/{=;p}' fruit; sed -E 's/([a-z]+) ([0-9]+)/\2:\1/' fruit
sed '1~2d' fruit; sed '$!N;s/\n/ + /' fruit; sed -s -n '$p' fruit tree/a/two
cp fruit edit; sed -i.bak 's/fig/FIG/' edit; cat edit; cmp -s edit.bak fruit && echo "backup kept"
sed -z 's/\n/,/g' fruit; echo; seq 5 | sed -n '2,4!p'; echo hello | sed 'y/elo/ELO/'
printf 'a\nb\n' | sed 'a\
after' ; sed --posix -n 1p fruit; sed -e 'w written' -n fruit; wc -l written
cd / && rm -r /tmp/cu && echo cleaned
SCRIPT
