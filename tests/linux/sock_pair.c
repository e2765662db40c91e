/* AF_UNIX stream socket pairs: both ways, what a socket says it is, send and recv with their
 * flags, shutdown, the peer's close (EOF, EPIPE and SIGPIPE), poll, a parent and child
 * talking, a transfer far bigger than the buffers, and the errors of what is not a socket. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
    (void)sig;
    pipes++;
}

static const char *err(int rc)
{
    return rc < 0 ? strerror(errno) : "ok";
}

static short polled(int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

int main(void)
{
    int sv[2], rc;
    char buf[256];
    struct stat st;

    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, on_pipe);
    rc = socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    printf("socketpair: %s, two descriptors: %d\n", err(rc), sv[0] >= 0 && sv[1] > sv[0]);
    printf("write a->b %zd, read %zd\n", write(sv[0], "hello", 5), read(sv[1], buf, sizeof buf));
    printf("write b->a %zd, read %zd\n", write(sv[1], "world!", 6), read(sv[0], buf, sizeof buf));
    fstat(sv[0], &st);
    int type = 0;
    socklen_t len = sizeof type;
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
    struct sockaddr_un name;
    socklen_t nlen = sizeof name;
    getsockname(sv[0], (struct sockaddr *)&name, &nlen);
    printf("S_ISSOCK %d, SO_TYPE stream %d (len %u), name: family %d length %u\n", S_ISSOCK(st.st_mode),
           type == SOCK_STREAM, (unsigned)len, name.sun_family, (unsigned)nlen);
    ssize_t n = readlink("/proc/self/fd/3", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("/proc/self/fd/3 is a socket: %d\n", strncmp(buf, "socket:[", 8) == 0);

    printf("poll, nothing sent: %#x\n", polled(sv[1], POLLIN | POLLOUT));
    send(sv[0], "x", 1, 0);
    printf("poll, one byte waiting: %#x\n", polled(sv[1], POLLIN | POLLOUT));
    printf("recv %zd, recv MSG_DONTWAIT on nothing: %s\n", recv(sv[1], buf, 10, 0),
           err(recv(sv[1], buf, 10, MSG_DONTWAIT)));
    fd_set r;
    FD_ZERO(&r);
    FD_SET(sv[1], &r);
    struct timeval tv = { 0, 0 };
    send(sv[0], "yz", 2, 0);
    printf("select sees it: %d\n", select(sv[1] + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(sv[1], &r));
    printf("recvfrom %zd, sendto with a destination: %s\n", recvfrom(sv[1], buf, 10, 0, NULL, NULL),
           err(sendto(sv[0], "q", 1, 0, (struct sockaddr *)&name, sizeof(sa_family_t))));

    shutdown(sv[0], SHUT_WR);
    printf("after shutdown(SHUT_WR): the peer reads %zd, poll %#x; the other way still works: %zd\n",
           read(sv[1], buf, 10), polled(sv[1], POLLIN), write(sv[1], "back", 4));
    printf("write after SHUT_WR: %s, SIGPIPE %d\n", err(write(sv[0], "no", 2)), pipes);
    close(sv[0]);
    pipes = 0;
    printf("peer closed: poll %#x, send MSG_NOSIGNAL: %s (SIGPIPE %d), write: %s (SIGPIPE %d)\n",
           polled(sv[1], POLLIN | POLLOUT), err(send(sv[1], "a", 1, MSG_NOSIGNAL)), pipes,
           err(write(sv[1], "b", 1)), pipes);
    close(sv[1]);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "data", 4);
    write(sv[1], "unread", 6);
    close(sv[1]);                               /* with "data" unread: a reset for sv[0] */
    int soerr = 0;
    len = sizeof soerr;
    printf("closed with data unread: poll %#x, read %zd, read again: %s, then %zd\n", polled(sv[0], POLLIN),
           read(sv[0], buf, sizeof buf), err(read(sv[0], buf, sizeof buf)), read(sv[0], buf, sizeof buf));
    getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &soerr, &len);
    printf("SO_ERROR afterwards: %d\n", soerr);
    close(sv[0]);

    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
    printf("SOCK_NONBLOCK: %d, SOCK_CLOEXEC: %d, read on nothing: %s\n", !!(fcntl(sv[0], F_GETFL) & O_NONBLOCK),
           !!(fcntl(sv[1], F_GETFD) & FD_CLOEXEC), err(read(sv[0], buf, 1)));
    close(sv[0]);
    close(sv[1]);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid_t pid = fork();
    if (pid == 0) {                             /* the child answers each number with its double */
        close(sv[0]);
        int v;
        while (read(sv[1], &v, sizeof v) == sizeof v) {
            v *= 2;
            write(sv[1], &v, sizeof v);
        }
        _exit(0);
    }
    close(sv[1]);
    long sum = 0;
    for (int i = 1; i <= 1000; i++) {
        int v = i;
        write(sv[0], &v, sizeof v);
        read(sv[0], &v, sizeof v);
        sum += v;
    }
    printf("1000 round trips with a child: sum of doubles %ld\n", sum);
    shutdown(sv[0], SHUT_WR);
    int status;
    waitpid(pid, &status, 0);
    close(sv[0]);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pid = fork();
    if (pid == 0) {
        close(sv[1]);
        static char big[65536];
        long total = 0;
        for (ssize_t k; (k = read(sv[0], big, sizeof big)) > 0; )
            total += k;
        _exit(total == 4L << 20 ? 0 : 1);
    }
    close(sv[0]);
    static char block[65536];
    memset(block, 'z', sizeof block);
    long sent = 0;
    for (int i = 0; i < 64; i++)
        sent += write(sv[1], block, sizeof block);
    close(sv[1]);
    waitpid(pid, &status, 0);
    printf("4 MiB through a pair to a child: sent %ld, the child read it all: %d\n", sent,
           WIFEXITED(status) && WEXITSTATUS(status) == 0);

    int fd = open("/dev/null", O_RDONLY);
    printf("recv on a file: %s; socketpair in a family that does not exist: %s\n",
           err(recv(fd, buf, 1, 0)), err(socketpair(12345, SOCK_STREAM, 0, sv)));
    printf("shutdown on a file: %s, getsockopt on a file: %s\n", err(shutdown(fd, SHUT_RD)),
           err(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len)));
    return 0;
}
