# Everyday tools on files: text tools, comparisons, dumps, find/xargs, archivers and compressors.
# Only deterministic output: no times, no sizes of memory, names sorted.
mkdir -p /tmp/t && cd /tmp/t
printf 'pear 3\napple 10\nfig 7\napple 2\nbanana 5\n' > fruit
sort fruit
sort -k2 -n fruit
sort -k2 -rn fruit | head -2
sort -u -k1,1 fruit
cut -d' ' -f1 fruit | sort | uniq -c
cut -d' ' -f1 fruit | sort | uniq -d
awk '{ s += $2 } END { print "total", s }' fruit
awk '$2 > 4 { print NR ": " $1 }' fruit
awk -F' ' '{ n[$1] += $2 } END { for (k in n) print k, n[k] }' fruit | sort
sed -n '2,3p' fruit
sed 's/\([a-z]*\) \([0-9]*\)/\2=\1/' fruit
sed '/fig/d' fruit | wc -l
sed -e 's/a/A/g' -e '1!G;h;$!d' fruit
grep -c apple fruit
grep -v apple fruit
grep -E '^(fig|pear)' fruit
grep -o '[0-9]*' fruit | paste -sd+ | bc 2>/dev/null || grep -o '[0-9]*' fruit | awk '{ s += $1 } END { print s }'
tr 'a-z' 'A-Z' < fruit | head -1
tr -d '0-9 ' < fruit
tr -s 'p' < fruit | head -1
rev fruit | head -1
tac fruit | head -1
nl fruit | tail -1
head -c 10 fruit; echo
tail -n +4 fruit
wc fruit
printf 'one\ttwo\n' | expand -t 4
echo 'a long line of words to fold' | fold -w 10
paste fruit fruit | head -1
printf 'a\nb\nc\n' > c1; printf 'b\nc\nd\n' > c2
cmp c1 c2; echo "cmp status $?"
cmp c1 c1; echo "cmp same $?"
diff c1 c2 | tail -n +3
diff c1 c1; echo "diff same $?"
printf 'hello\001\377' > bin
od -c bin
od -An -tx1 bin
hexdump -C bin
xxd bin 2>/dev/null | head -1 || true
md5sum fruit
sha1sum fruit
sha256sum fruit | cut -c1-16
mkdir -p tree/a/b tree/c
echo 1 > tree/a/one; echo 2 > tree/a/b/two; echo 3 > tree/c/three; touch tree/empty
find tree | sort
find tree -type f | sort
find tree -type d | sort
find tree -name 't*' | sort
find tree -type f -size -1 | sort
find tree -type f | sort | xargs cat
find tree -type f -print0 | sort -z | xargs -0 wc -c | sort
find tree -type f | xargs -n1 basename | sort
echo a b c d | xargs -n 2 echo
seq 5 | xargs echo sum: | awk '{ print $1, $2 + $3 + $4 + $5 + $6 }'
du -s tree > /dev/null && echo "du ran"
tar cf tree.tar tree && tar tf tree.tar | sort
tar czf tree.tgz tree && tar tzf tree.tgz | sort
mkdir out && tar xzf tree.tgz -C out && find out -type f | sort && cat out/tree/a/b/two
diff -r tree out/tree && echo "trees equal"
gzip -c fruit > fruit.gz && gunzip -c fruit.gz | md5sum
gzip -9 -c fruit | zcat | cmp - fruit && echo "gzip round trip"
bzip2 -c fruit 2>/dev/null | bunzip2 -c | cmp - fruit && echo "bzip2 round trip"
xz -c fruit 2>/dev/null | unxz -c 2>/dev/null | cmp - fruit 2>/dev/null && echo "xz round trip" || echo "xz not here"
cpio -o -H newc < /dev/null 2>/dev/null | wc -c
seq 1000 > numbers; head -300 numbers > part1; tail -n +301 numbers > part2; cat part1 part2 | cmp - numbers && echo "parts joined"
seq 1 100000 > big; wc -l big; tail -1 big; md5sum big
sort -rn big | head -3
dd if=/dev/zero of=zeros bs=1k count=64 2>/dev/null; wc -c zeros
dd if=big of=piece bs=10 skip=2 count=3 2>/dev/null; cat piece; echo
basename /a/b/c.txt .txt; dirname /a/b/c.txt
expr length hello; expr 7 \* 6; expr substr abcdef 2 3
printf '%05d|%-6s|%x|%o|%.2f\n' 42 ab 255 8 3.14159
seq -s, 1 5; seq 10 -3 1 | tr '\n' ' '; echo
echo "3 + 4 * 2" | awk '{ print $1 + $3 * $5 }'
test -d tree && test -f fruit && test ! -e nothing && echo "test ok"
[ fruit -ef fruit ] && echo "same file"
cd / && rm -r /tmp/t && echo cleaned
