# AF_UNIX stream socket pairs (tests/linux/sock_pair.c), and a shell pipeline beside them.
sock_pair
echo "exit $?"
