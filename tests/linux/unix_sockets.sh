# AF_UNIX sockets on paths, abstract names, datagrams (tests/linux/unix_sockets.c).
unix_sockets
echo "exit $?"
ls -l /tmp/us.sock 2>&1
