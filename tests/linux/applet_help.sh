# Every installed busybox applet, run through its link with --help (busybox prints the applet's
# usage and exits 1; test, [ and [[ take it as an operand): its exit status and a digest of what
# it printed.  Where Debian's own program has the applet's place (GNU ls in /bin/ls), it is the
# one run.  A crash shows as a different status, a server that stops as a missing line.
for p in $(busybox --list-full | sort); do
    [ "$p" = bin/busybox ] && continue
    out=$(/$p --help < /dev/null 2>&1)
    echo "$p $? $(echo "$out" | md5sum | cut -c1-8)"
done
