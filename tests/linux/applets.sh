# The applets: sort seq tr expr md5sum sed grep awk wc head tail cut uniq.
seq 10 | sort -rn | head -3
seq 5 | tail -2
echo "a b c" | cut -d' ' -f2
printf 'x\ny\nx\n' | sort | uniq -c
expr 3 + 4
echo hello | md5sum
echo 'foo bar' | sed 's/foo/baz/'
printf 'a\nb\nc\n' | grep -n b
echo '1 2 3' | awk '{print $1 + $2 + $3}'
seq 3 | tr '\n' ' '
echo
echo "words: $(echo one two three | wc -w)"
