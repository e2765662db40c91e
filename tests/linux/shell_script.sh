# A shell script as people write them: functions, locals, traps, here-documents, getopts,
# parameter expansion, read loops, subshells, background jobs and wait, set -e.
greet() { local who=${1:-world}; echo "hello, $who"; return ${2:-0}; }
greet; greet you 3; echo "status $?"
count() { local n=0; for x in "$@"; do n=$((n + 1)); done; echo $n; }
count a "b c" '' d
fact() { [ $1 -le 1 ] && echo 1 && return; echo $(( $1 * $(fact $(($1 - 1))) )); }
fact 10
s="/usr/local/lib/libfoo.so.1.2"
echo "${s##*/} ${s%/*} ${s#/usr} ${s%.*} ${#s}"
echo "${unset:-default} ${unset:+alt} ${s:+set}"
v=abc; echo "${v}def ${v}x" | tr a-z A-Z
IFS=: read -r a b c <<EOF2
one:two:three four
EOF2
echo "[$a] [$b] [$c]"
cat <<'EOF2'
literal $HOME `date`
EOF2
n=0; while read -r line; do n=$((n + ${#line})); done <<EOF2
alpha
beta
gamma
EOF2
echo "chars $n"
printf '%s\n' 3 1 2 | { sum=0; while read x; do sum=$((sum + x)); done; echo "sum $sum"; }
opts() { OPTIND=1; while getopts "ab:c" o "$@"; do case $o in a) echo "flag a";; b) echo "b=$OPTARG";; c) echo "flag c";; *) echo "bad";; esac; done; shift $((OPTIND - 1)); echo "rest: $*"; }
opts -a -b val -c file1 file2
opts -x 2>/dev/null
set -- one two three; echo "$# $2"; shift; echo "$*"
for f in $(echo "x y z"); do printf "%s." $f; done; echo
( cd /tmp && echo "in $(pwd)" ); echo "back in $(pwd)"
x=outer; ( x=inner; echo $x ); echo $x
trap 'echo "trap EXIT in subshell"' EXIT; ( trap 'echo "sub exit"' EXIT; echo "sub body" ); trap - EXIT
sh -c 'trap "echo got USR1" USR1; kill -USR1 $$; echo after'
sh -c 'trap "echo cleanup; exit 3" TERM; kill -TERM $$; echo never'; echo "term status $?"
sh -c 'trap "" INT; kill -INT $$; echo "ignored INT"'
sh -c 'set -e; false; echo never'; echo "set -e status $?"
sh -c 'set -e; false || echo "or saves"; echo survived'
sh -c 'set -u; echo $nothere' 2>/dev/null; echo "set -u status $?"
sleep 1 & pid=$!; wait $pid; echo "waited $?"
sh -c 'exit 5' & wait $!; echo "bg status $?"
sleep 5 & kill %1 2>/dev/null || kill $!; wait $! 2>/dev/null; echo "killed status $?"
( sleep 0.2; echo first ) & ( echo second ) ; wait
eval 'y=$((6 * 7))'; echo "eval $y"
cmd="echo built"; $cmd command
[ "$(printf 'a\tb' | cut -f2)" = b ] && echo "tab cut"
case "file.tar.gz" in *.tar.gz) echo tarball;; *.gz) echo gz;; esac
i=0; until [ $i -ge 3 ]; do i=$((i + 1)); done; echo "until $i"
for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo "loop $i"; done
echo $(( 0x10 + 010 + 2#101 )) $(( -7 / 2 )) $(( -7 % 2 )) $(( 1 << 10 )) $(( 5 > 3 && 2 > 1 ))
test -n "" || echo "empty string"; test "abc" \< "abd" && echo "less"
exec 3> /tmp/fd3; echo "to fd 3" >&3; exec 3>&-; cat /tmp/fd3; rm /tmp/fd3
{ echo out; echo err >&2; } 2>&1 | sort
echo "pid is a number: $( [ $$ -gt 0 ] && echo yes )"
type echo cd | sed 's/ is .*/ is known/'
command -v ls >/dev/null && echo "ls found"
alias ll='echo aliased'; eval ll
false; echo "not: $(! false && echo ok)"
