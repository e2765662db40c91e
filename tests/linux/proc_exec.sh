#!/bin/sh
# execve as Linux does it: "#!" scripts (an interpreter with one optional argument, the script's
# path as the caller gave it, interpreters that are scripts too), a file without a "#!" line run
# by the shell itself (ENOEXEC), "Permission denied" (126) against "not found" (127), and
# argument lists up to ARG_MAX.  This file is executable: cp gives its mode to the scripts below.
cd /tmp
cp /tests/proc_exec.sh script
printf '#!/bin/sh\necho "script: $0 [$1] [$2] $#"\n' > script
./script one "two words"; echo "exit $?"
/tmp/script; echo "exit $?"
printf '#!/bin/sh -e\necho before; false; echo not reached\n' > script
./script; echo "exit $?"
printf '#!/bin/echo  an argument with  spaces  \n' > script
./script x y
printf '#! /bin/echo\nignored\n' > script
./script z
cp script nested
printf '#!/tmp/script\n' > nested
./nested q
cp script deeper
printf '#!/tmp/nested first\n' > deeper
./deeper w
printf '#!/nonexistent/interpreter\n' > script
./script; echo "exit $?"
echo 'echo "no header: $0 [$1]"; exit 3' > script
./script arg; echo "exit $?"
echo 'echo not executable' > plain
./plain; echo "exit $?"
/tmp; echo "exit $?"
./nowhere; echo "exit $?"
no_such_command; echo "exit $?"
sh -c './plain'; echo "exit $?"
sh -c 'exec ./nowhere'; echo "exit $?"
seq 1 20000 | xargs echo | wc -c
seq 1 20000 | xargs -n 5000 echo | wc -l
x=$(seq 1 30000)
/bin/echo $x | wc -c
/bin/echo $x $x $x | md5sum
env -i A=1 "B=two words" /usr/bin/env
A=$(seq 1 10000) /bin/sh -c 'echo "$A" | tail -1'
/bin/argmax
rm -f script nested deeper plain
