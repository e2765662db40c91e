# Debian's bash (dynamically linked: ld.so, libc, libtinfo) running a script that uses the
# language: arrays and associative arrays, functions with locals and recursion, arithmetic,
# expansions, [[ ]] with regular expressions, here-documents and here-strings, mapfile, getopts,
# traps, pipelines' statuses, `wait -n`, and process substitution (/dev/fd/N: the pipe itself).
bash -s one 'two words' three <<'SCRIPT'
set -u
echo "bash ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}, $# arguments: $*"
a=(zero one two three); a+=(four); unset 'a[2]'
echo "indexed: ${#a[@]} elements, indices ${!a[*]}, last ${a[-1]}, slice ${a[*]:1:2}"
declare -A colour=([apple]=red [banana]=yellow [cherry]=dark-red)
for k in $(printf '%s\n' "${!colour[@]}" | sort); do printf '%-7s %s\n' "$k" "${colour[$k]}"; done
fact() { local n=$1; if (( n <= 1 )); then echo 1; else echo $(( n * $(fact $((n - 1))) )); fi; }
echo "10! = $(fact 10), 2**31 = $((2**31)), 7/2 = $((7/2)), -7%3 = $((-7%3)), 0x1f = $((0x1f))"
s="The quick brown fox"
echo "${s^^} | ${s,,} | ${s//o/0} | ${s:4:5} | ${#s} | ${s#* } | ${s%% *} | ${s/#The/A}"
path=/usr/lib/arm-linux-gnueabihf/libc.so.6; echo "${path##*/} in ${path%/*}"
if [[ "release-5.2.15" =~ ^release-([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
    echo "matched: ${BASH_REMATCH[0]} major ${BASH_REMATCH[1]} patch ${BASH_REMATCH[3]}"
fi
[[ abc == a* && ! -e /no/such/file ]] && echo "pattern and test operators"
shopt -s extglob; f=report.tar.gz; echo "extglob: ${f%%.+(tar|gz)*}"
mapfile -t lines <<'EOT'
alpha
beta gamma
delta
EOT
echo "mapfile: ${#lines[@]} lines, second '${lines[1]}'"
read -r x y <<< "left right"; echo "here-string: $y $x"
printf -v padded '%05d|%-6s|%x|%o|%.3f' 42 ab 255 8 3.14159; echo "printf -v: $padded"
echo brace: {a,b}{1..3} {10..0..5}
for ((i = 0, j = 10; i < 3; i++, j -= 3)); do printf '%d:%d ' $i $j; done; echo
set -- -a -b value -c rest; OPTIND=1
while getopts "ab:c" opt; do echo "option $opt${OPTARG:+=$OPTARG}"; done; shift $((OPTIND - 1)); echo "left: $*"
true | false | true; echo "PIPESTATUS ${PIPESTATUS[*]}"
( set -o pipefail; false | true ) ; echo "pipefail: $?"
( trap 'echo "trap: EXIT in a subshell"' EXIT; exit 4 ); echo "subshell status $?"
declare -i n=5; n+=10; echo "declare -i: $n"; declare -r k=1; (k=2) 2>/dev/null || echo "readonly holds"
(exit 3) & (sleep 0.5; exit 5) & wait -n; echo "wait -n: the first to end: $?"; wait; echo "all ended"
cat <(echo "process substitution: read")
diff <(printf 'a\nb\n') <(printf 'a\nc\n') | tail -n +3; echo "diff of two substitutions: ${PIPESTATUS[0]}"
exec 3> >(tr a-z A-Z); echo "written through a substitution" >&3; exec 3>&-; wait $!
n=0; while read -r w; do n=$((n + 1)); done < <(printf '%s\n' a b c); echo "read from a substitution: $n lines"
[[ /dev/fd/0 -ef /proc/self/fd/0 && -p <(true) ]] && echo "/dev/fd is /proc/self/fd, a substitution a pipe"
type -t fact; command -v bash; echo "done: ${FUNCNAME[*]:-main}"
SCRIPT
echo "bash exit $?"
