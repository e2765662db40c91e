# Modes at creation under the umask, chmod and chown, and what cannot run.
cd /tmp && mkdir fsm && cd fsm
umask
touch f1
mkdir d1
busybox stat -c '%n %a' f1 d1
umask 077
umask
touch f2
mkdir d2
echo x > f3
busybox stat -c '%n %a' f2 d2 f3
umask 0
touch f4
mkdir d4
busybox mkfifo p4
busybox stat -c '%n %a %F' f4 d4 p4
umask 022
mkdir -m 700 d5
busybox stat -c '%n %a' d5
busybox chmod 4755 f1
busybox stat -c '%a %A' f1
busybox chmod u-s,g+w,o= f1
busybox stat -c '%a %A' f1
busybox chmod -R 750 d1
busybox stat -c '%a' d1
busybox chown 1000:100 f1
busybox stat -c '%u %g' f1
busybox chown 7 f1
busybox stat -c '%u %g' f1
busybox chgrp 9 f1
busybox stat -c '%u %g' f1
busybox chmod 6755 f1
busybox chown 7 f1
busybox stat -c '%a' f1
busybox chmod 6745 f1
busybox chown 7 f1
busybox stat -c '%a' f1
busybox chmod 770 f1
busybox ln -s f1 l1
busybox chown -h 3:4 l1
busybox stat -c '%u %g' l1
busybox stat -L -c '%u %g' l1
cp /bin/hello h
busybox stat -c '%a' h
./h
busybox chmod a-x h
./h
echo "status $?"
busybox chmod u+x h
./h
/tmp
echo "status $?"
./nothere
echo "status $?"
printf 'plain text\n' > t
busybox chmod +x t
./t 2>&1 | head -1
sh -c 'umask'
grep Umask /proc/self/status
(umask 027; grep Umask /proc/self/status)
(umask 0077; sh -c umask)
cp -p f1 f1copy
busybox stat -c '%a %u %g' f1copy
busybox stat -c '%a' /tmp /dev/null
busybox chmod 755 /proc/self 2>&1 | sed 's/:.*//' | head -1
cd /tmp && rm -r fsm
