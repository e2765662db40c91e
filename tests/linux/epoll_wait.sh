# epoll on pipes, eventfds, socket pairs and epolls (tests/linux/epoll_wait.c).
epoll_wait
echo "exit $?"
