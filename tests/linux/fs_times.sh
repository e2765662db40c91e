# Times as Linux keeps them: touch -d, -r, -m, -a, -h, and what moves mtime, atime and ctime.
# Only what is the same on every run is printed: fixed dates, and comparisons with "now" made
# against a date in the first seconds of 1970.
cd /tmp && mkdir fst && cd fst
touch -d @1234567890 fixed
busybox stat -c '%X %Y' fixed
touch -d @1 old
touch new
[ new -nt old ] && echo "new is newer"
[ old -ot new ] && echo "old is older"
touch -r fixed copy
busybox stat -c '%X %Y' copy
touch -m -d @1000000000 copy
busybox stat -c '%X %Y' copy
touch -a -d @1100000000 copy
busybox stat -c '%X %Y' copy
touch -d @1 w
echo more >> w
busybox stat -c '%X' w
[ w -nt old ] && echo "written: mtime moved"
touch -d @1 f
busybox chmod 600 f
busybox stat -c '%Y' f
[ "$(busybox stat -c %Z f)" -gt 1 ] && echo "chmod moved ctime only"
mkdir dir
touch -d @1 dir
touch dir/inside
[ "$(busybox stat -c %Y dir)" -gt 1 ] && echo "a new entry moves the directory's mtime"
touch -d @1 dir
rm dir/inside
[ "$(busybox stat -c %Y dir)" -gt 1 ] && echo "and so does removing one"
busybox ln -s fixed link
touch -h -d @1500000000 link
busybox stat -c '%Y' link fixed
touch -d @1600000000 link
busybox stat -c '%Y' link fixed
touch -c missing
ls missing 2>&1
touch -d '2020-01-02 03:04:05' dated
TZ=UTC busybox stat -c '%y' dated | cut -c1-19
printf abc > t
touch -d @1 t
cat t > /dev/null
[ "$(busybox stat -c %X t)" -gt 1 ] && echo "a read after a change moves atime (relatime)"
busybox stat -c '%Y' t
busybox truncate -s 0 t
[ "$(busybox stat -c %Y t)" -gt 1 ] && echo "truncate moves mtime"
touch -d @1 t
mv t t2
busybox stat -c '%Y' t2
[ "$(busybox stat -c %Z t2)" -gt 1 ] && echo "rename moves ctime"
touch -d @1 h
busybox ln h h2
[ "$(busybox stat -c %Z h)" -gt 1 ] && echo "a new link moves ctime"
cd /tmp && rm -r fst
