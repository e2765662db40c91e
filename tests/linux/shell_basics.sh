# The shell itself: pipelines, command substitution, loops, exit statuses, $?, arithmetic.
echo "pipeline: $(echo hello world | tr a-z A-Z)"
x=0
for i in 1 2 3 4 5; do x=$((x + i)); done
echo "sum $x"
i=0
while [ $i -lt 3 ]; do echo "while $i"; i=$((i + 1)); done
false; echo "false gives $?"
true; echo "true gives $?"
sh -c 'exit 7'; echo "exit status $?"
echo "arith $(( (7 * 6) % 5 + 100 / 7 - 3 ))"
if [ "$(echo abc | wc -c)" -eq 4 ]; then echo "if works"; fi
case foo in f*) echo "case works";; *) echo "case broken";; esac
f() { echo "function got $1 and $#"; return 3; }
f one two; echo "function returned $?"
echo "nested $(echo "$(echo inner)")"
