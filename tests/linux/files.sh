# Files in /tmp: redirections, cp, mv, rm, mkdir, ls, cat, wc.
mkdir -p /tmp/d/e
echo one > /tmp/d/a
echo two >> /tmp/d/a
cat /tmp/d/a
cp /tmp/d/a /tmp/d/e/b
mv /tmp/d/e/b /tmp/d/c
ls /tmp/d
wc -l < /tmp/d/c
rm /tmp/d/c
ls /tmp/d
rm -r /tmp/d
ls /tmp/d 2>/dev/null || echo "gone"
echo data > /tmp/x; cat < /tmp/x > /tmp/y; cat /tmp/y; rm /tmp/x /tmp/y
