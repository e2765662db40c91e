/* AF_UNIX sockets with names, as Linux answers them: a stream server on a path (bind, listen,
 * the backlog, connect, accept and accept4, the names each end reports), the socket inode in the
 * file system, the abstract namespace and autobind, datagram sockets (sendto and recvfrom by
 * path, connect, message boundaries, MSG_PEEK and MSG_TRUNC), datagram pairs, sendmsg and
 * recvmsg, waiting in accept and recv for another process, a signal ending accept, and every
 * error on the way. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(long rc)
{
    return rc < 0 ? strerror(errno) : "ok";
}

/* A path's address and its length as programs usually give it (with the NUL). */
static socklen_t addr(struct sockaddr_un *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static int sock(int type)
{
    return socket(AF_UNIX, type, 0);
}

static int bind_to(int fd, const char *path)
{
    struct sockaddr_un a;
    return bind(fd, (struct sockaddr *)&a, addr(&a, path));
}

static int connect_to(int fd, const char *path)
{
    struct sockaddr_un a;
    return connect(fd, (struct sockaddr *)&a, addr(&a, path));
}

/* A name as getsockname, getpeername, accept or recvfrom gave it. */
static void name(const char *what, const struct sockaddr_un *a, socklen_t len)
{
    int room = (int)len - (int)offsetof(struct sockaddr_un, sun_path);

    printf("%s: length %u", what, (unsigned)len);
    if (room > 0 && a->sun_path[0])
        printf(" \"%.*s\"", (int)strnlen(a->sun_path, room), a->sun_path);
    else if (room > 0)
        printf(" abstract \"%.*s\"", room - 1, a->sun_path + 1);
    printf("\n");
}

static void names(const char *what, int fd)
{
    struct sockaddr_un a;
    socklen_t len = sizeof a;
    char line[80];

    snprintf(line, sizeof line, "%s getsockname", what);
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        printf("%s: %s\n", line, strerror(errno));
    else
        name(line, &a, len);
    len = sizeof a;
    snprintf(line, sizeof line, "%s getpeername", what);
    if (getpeername(fd, (struct sockaddr *)&a, &len) < 0)
        printf("%s: %s\n", line, strerror(errno));
    else
        name(line, &a, len);
}

static short polled(int fd, short events)
{
    struct pollfd p = { fd, events, 0 };
    return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
    struct sockaddr_un a;
    socklen_t len;
    char buf[256];
    struct stat st;

    setvbuf(stdout, NULL, _IONBF, 0);
    umask(022);
    unlink("/tmp/us.sock");
    printf("type 99: %s; protocol 5: %s; flag 0x10 on the type: %s\n", err(socket(AF_UNIX, 99, 0)),
           err(socket(AF_UNIX, SOCK_STREAM, 5)), err(socket(AF_UNIX, SOCK_STREAM | 0x10, 0)));

    /* a stream server on a path */
    int srv = sock(SOCK_STREAM);
    names("fresh socket", srv);
    printf("poll, not connected: %#x; read: %s; write: %s; listen unbound: %s; accept: %s\n",
           polled(srv, POLLIN | POLLOUT), err(read(srv, buf, 1)), err(write(srv, "x", 1)),
           err(listen(srv, 1)), err(accept(srv, NULL, NULL)));
    printf("bind: %s\n", err(bind_to(srv, "/tmp/us.sock")));
    stat("/tmp/us.sock", &st);
    printf("the path: socket %d mode %o size %lld; open it: %s\n", S_ISSOCK(st.st_mode), st.st_mode & 07777,
           (long long)st.st_size, err(open("/tmp/us.sock", O_RDWR)));
    fstat(srv, &st);
    printf("fstat of the socket: socket %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 07777);
    int other = sock(SOCK_STREAM);
    printf("bind another there: %s; bind it again elsewhere: %s\n", err(bind_to(other, "/tmp/us.sock")),
           err(bind_to(srv, "/tmp/us2.sock")));
    printf("bind in no directory: %s; bad family: %s; length 200: %s\n",
           err(bind_to(other, "/tmp/nodir/x")),
           err(bind(other, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_INET, .sun_path = "/tmp/q" }, 10)),
           err(bind(other, (struct sockaddr *)&a, 200)));
    names("bound", srv);
    int early = sock(SOCK_STREAM);
    printf("connect before listen: %s\n", err(connect_to(early, "/tmp/us.sock")));
    printf("listen: %s; ", err(listen(srv, 4)));
    printf("poll, nobody waiting: %#x\n", polled(srv, POLLIN | POLLOUT));

    int cli = sock(SOCK_STREAM);
    printf("connect to no path: %s; to a file: %s; to a directory: %s\n", err(connect_to(cli, "/tmp/none.sock")),
           err(connect_to(cli, "/tests/epoll_wait.sh")), err(connect_to(cli, "/tmp")));
    int dg = sock(SOCK_DGRAM);
    unlink("/tmp/us.dg");
    bind_to(dg, "/tmp/us.dg");
    printf("stream connect to a datagram socket: %s\n", err(connect_to(cli, "/tmp/us.dg")));
    printf("connect: %s; ", err(connect_to(cli, "/tmp/us.sock")));
    printf("again: %s\n", err(connect_to(cli, "/tmp/us.sock")));
    names("client", cli);
    printf("poll the listener: %#x; the client: %#x\n", polled(srv, POLLIN | POLLOUT), polled(cli, POLLIN | POLLOUT));
    printf("the client writes before accept: %zd\n", write(cli, "early", 5));
    len = sizeof a;
    int acc = accept(srv, (struct sockaddr *)&a, &len);
    printf("accept: %s\n", err(acc));
    name("accept's address", &a, len);
    names("accepted", acc);
    ssize_t n = read(acc, buf, sizeof buf);
    printf("accepted reads %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), buf);
    ssize_t sent = send(acc, "hello", 5, 0);
    printf("send back %zd, the client reads %zd\n", sent, recv(cli, buf, sizeof buf, 0));
    len = sizeof a;
    n = recvfrom(cli, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&a, &len);
    printf("recvfrom on nothing: %s\n", err(n));
    send(acc, "x", 1, 0);
    len = sizeof a;
    n = recvfrom(cli, buf, sizeof buf, 0, (struct sockaddr *)&a, &len);
    printf("recvfrom %zd, ", n);
    name("the sender's address", &a, len);
    printf("sendto with a name on a connection: %s\n", err(sendto(cli, "x", 1, 0, (struct sockaddr *)&a, len)));
    fcntl(srv, F_SETFL, O_NONBLOCK);
    printf("accept4 with a bad flag: %s; ", err(accept4(srv, NULL, NULL, 0x10)));
    printf("a non-blocking listener, nobody there: %s\n", err(accept4(srv, NULL, NULL, SOCK_NONBLOCK)));
    fcntl(srv, F_SETFL, 0);

    /* the backlog: listen(0) holds one connection waiting */
    listen(srv, 0);
    int c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    printf("backlog 0: a first connect %s, ", err(connect_to(c1, "/tmp/us.sock")));
    printf("a second %s\n", err(connect_to(c2, "/tmp/us.sock")));
    int a1 = accept4(srv, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    printf("accept4: O_NONBLOCK %d, close-on-exec %d; the second again: %s\n", !!(fcntl(a1, F_GETFL) & O_NONBLOCK),
           fcntl(a1, F_GETFD), err(connect_to(c2, "/tmp/us.sock")));
    int a2 = accept(srv, NULL, NULL);
    printf("the second taken: %s\n", err(a2));

    /* a connect waits for room in the backlog: another process's accept makes it */
    int c4 = sock(SOCK_STREAM), c5 = sock(SOCK_STREAM);
    connect_to(c4, "/tmp/us.sock");
    pid_t child = fork();
    if (child == 0) {
        usleep(200000);
        close(accept(srv, NULL, NULL));
        _exit(0);
    }
    printf("a connect to a full backlog waits for an accept: %s\n", err(connect_to(c5, "/tmp/us.sock")));
    waitpid(child, NULL, 0);
    int a5 = accept4(srv, NULL, NULL, SOCK_NONBLOCK);
    printf("its connection: %s\n", err(a5));
    listen(srv, 8);

    /* accept waits for a connection from another process */
    child = fork();
    if (child == 0) {
        usleep(200000);
        int c = sock(SOCK_STREAM);
        connect_to(c, "/tmp/us.sock");
        write(c, "from the child", 14);
        _exit(0);
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 };
    epoll_ctl(ep, EPOLL_CTL_ADD, srv, &ev);
    printf("epoll on the listener: %d", epoll_wait(ep, &ev, 1, 5000));
    printf(" (data %u events %#x)\n", ev.data.u32, ev.events);
    int ac = accept(srv, NULL, NULL);
    n = read(ac, buf, sizeof buf);
    printf("accepted the child's: \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
    waitpid(child, NULL, 0);
    printf("the child is gone: read %zd, poll %#x\n", read(ac, buf, sizeof buf), polled(ac, POLLIN | POLLOUT));
    close(ac);
    close(ep);

    /* a signal ends a waiting accept */
    struct sigaction sa = { .sa_handler = on_alarm };       /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    printf("accept with nobody coming, SIGALRM: %s\n", err(accept(srv, NULL, NULL)));

    /* the listener closes with connections it never took: their clients are reset */
    int c3 = sock(SOCK_STREAM);
    connect_to(c3, "/tmp/us.sock");
    close(srv);
    printf("listener closed: the waiting client reads %s\n", err(read(c3, buf, sizeof buf)));
    printf("the path stays: connect %s; bind there %s\n", err(connect_to(sock(SOCK_STREAM), "/tmp/us.sock")),
           err(bind_to(sock(SOCK_STREAM), "/tmp/us.sock")));
    sent = write(cli, "ok", 2);
    printf("the old connection still works: %zd %zd\n", sent, read(acc, buf, sizeof buf));
    unlink("/tmp/us.sock");
    printf("unlinked: connect %s\n", err(connect_to(sock(SOCK_STREAM), "/tmp/us.sock")));

    /* the abstract namespace and autobind */
    int ab = sock(SOCK_STREAM);
    struct sockaddr_un an = { .sun_family = AF_UNIX };
    memcpy(an.sun_path, "\0unix-sockets-test", 18);
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 18;
    printf("abstract bind: %s; ", err(bind(ab, (struct sockaddr *)&an, alen)));
    printf("again: %s; ", err(bind(sock(SOCK_STREAM), (struct sockaddr *)&an, alen)));
    printf("listen %s\n", err(listen(ab, 1)));
    names("abstract", ab);
    int abc = sock(SOCK_STREAM);
    printf("abstract connect: %s; ", err(connect(abc, (struct sockaddr *)&an, alen)));
    printf("a shorter name: %s\n", err(connect(sock(SOCK_STREAM), (struct sockaddr *)&an, alen - 1)));
    names("abstract client", abc);
    int auto_ = sock(SOCK_DGRAM);
    printf("autobind: %s; ", err(bind(auto_, (struct sockaddr *)&(sa_family_t){ AF_UNIX }, sizeof(sa_family_t))));
    len = sizeof a;
    getsockname(auto_, (struct sockaddr *)&a, &len);
    printf("length %u, abstract %d, five hex digits %d\n", (unsigned)len, a.sun_path[0] == 0,
           (int)strspn(a.sun_path + 1, "0123456789abcdef") == 5);

    /* datagrams by path */
    int d2 = sock(SOCK_DGRAM);
    unlink("/tmp/us.dg2");
    bind_to(d2, "/tmp/us.dg2");
    struct sockaddr_un to;
    socklen_t tolen = addr(&to, "/tmp/us.dg");
    printf("sendto %zd, ", sendto(d2, "hello", 5, 0, (struct sockaddr *)&to, tolen));
    printf("%zd, ", sendto(d2, "world!!", 7, 0, (struct sockaddr *)&to, tolen));
    printf("%zd\n", sendto(d2, "", 0, 0, (struct sockaddr *)&to, tolen));
    printf("poll the receiver: %#x\n", polled(dg, POLLIN | POLLOUT));
    len = sizeof a;
    n = recvfrom(dg, buf, sizeof buf, 0, (struct sockaddr *)&a, &len);
    printf("recvfrom %zd \"%.*s\", ", n, (int)n, buf);
    name("from", &a, len);
    printf("MSG_PEEK %zd, ", recv(dg, buf, sizeof buf, MSG_PEEK));
    printf("recv 3 of 7: %zd \"%.3s\", ", recv(dg, buf, 3, 0), buf);
    printf("the empty one %zd, ", recv(dg, buf, sizeof buf, 0));
    printf("then nothing: %s\n", err(recv(dg, buf, sizeof buf, MSG_DONTWAIT)));
    sendto(d2, "truncated", 9, 0, (struct sockaddr *)&to, tolen);
    printf("MSG_TRUNC with 4 bytes of room: %zd\n", recv(dg, buf, 4, MSG_TRUNC));
    int anon = sock(SOCK_DGRAM);
    sendto(anon, "anon", 4, 0, (struct sockaddr *)&to, tolen);
    len = sizeof a;
    n = recvfrom(dg, buf, sizeof buf, 0, (struct sockaddr *)&a, &len);
    printf("from an unbound socket: %zd, address length %u\n", n, (unsigned)len);
    printf("send unconnected: %s; to no path: %s; to a stream socket: %s\n", err(send(anon, "x", 1, 0)),
           err(sendto(anon, "x", 1, 0, (struct sockaddr *)&a, addr(&a, "/tmp/none"))),
           err(sendto(anon, "x", 1, 0, (struct sockaddr *)&an, alen)));
    printf("getpeername unconnected: %s\n", err(getpeername(anon, (struct sockaddr *)&a, &len)));
    printf("connect: %s; ", err(connect_to(anon, "/tmp/us.dg")));
    printf("send %zd\n", send(anon, "via peer", 8, 0));
    names("connected datagram", anon);
    n = recv(dg, buf, sizeof buf, 0);
    printf("received \"%.*s\"\n", (int)n, buf);
    printf("the receiver connects elsewhere: %s; ", err(connect_to(dg, "/tmp/us.dg2")));
    printf("a stranger's send: %s\n", err(send(anon, "x", 1, 0)));
    printf("listen on a datagram socket: %s; accept: %s\n", err(listen(dg, 1)), err(accept(dg, NULL, NULL)));
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    printf("AF_UNSPEC disconnects: %s, ", err(connect(anon, &unspec, sizeof unspec)));
    printf("send: %s\n", err(send(anon, "x", 1, 0)));

    /* a recv that waits for another process's datagram */
    connect(dg, &unspec, sizeof unspec);
    child = fork();
    if (child == 0) {
        usleep(200000);
        int c = sock(SOCK_DGRAM);
        sendto(c, "late", 4, 0, (struct sockaddr *)&to, tolen);
        _exit(0);
    }
    n = recv(dg, buf, sizeof buf, 0);
    printf("waited for \"%.*s\"\n", (int)(n > 0 ? n : 0), buf);
    waitpid(child, NULL, 0);

    /* datagram pairs: boundaries kept, big messages whole, the peer's end */
    int dp[2];
    printf("datagram pair: %s\n", err(socketpair(AF_UNIX, SOCK_DGRAM, 0, dp)));
    names("pair", dp[0]);
    send(dp[0], "a", 1, 0);
    send(dp[0], "bc", 2, 0);
    write(dp[0], "def", 3);
    ssize_t m1 = recv(dp[1], buf, sizeof buf, 0), m2 = read(dp[1], buf, sizeof buf);
    printf("three messages: %zd %zd %zd\n", m1, m2, recv(dp[1], buf, sizeof buf, 0));
    static char big[100000];
    memset(big, 'q', sizeof big);
    big[sizeof big - 1] = '!';
    static char back[100001];
    printf("100000 bytes: sent %zd, ", send(dp[1], big, sizeof big, 0));
    n = recv(dp[0], back, sizeof back, 0);
    printf("received %zd, same %d\n", n, n == sizeof big && memcmp(big, back, sizeof big) == 0);
    printf("more than the buffer: %s\n", err(send(dp[0], back, 300000, 0)));

    /* sendmsg and recvmsg: iovecs gathered and scattered, names, MSG_TRUNC in msg_flags */
    struct iovec out[2] = { { "gather", 6 }, { "ed", 2 } };
    struct msghdr m = { .msg_iov = out, .msg_iovlen = 2 };
    printf("sendmsg: %zd\n", sendmsg(dp[0], &m, 0));
    char p1[3], p2[10];
    struct iovec in[2] = { { p1, 3 }, { p2, 10 } };
    struct msghdr mr = { .msg_name = &a, .msg_namelen = sizeof a, .msg_iov = in, .msg_iovlen = 2 };
    n = recvmsg(dp[1], &mr, 0);
    printf("recvmsg: %zd \"%.3s\" \"%.*s\", namelen %u, flags %#x\n", n, p1, (int)(n > 3 ? n - 3 : 0), p2,
           (unsigned)mr.msg_namelen, mr.msg_flags);
    sendto(dp[0], "0123456789abcdef", 16, 0, NULL, 0);
    mr.msg_iovlen = 1;
    mr.msg_namelen = sizeof a;
    n = recvmsg(dp[1], &mr, 0);
    printf("recvmsg of 16 into 3: %zd, flags MSG_TRUNC %d\n", n, !!(mr.msg_flags & MSG_TRUNC));
    m.msg_iov = out;
    m.msg_name = &to;
    m.msg_namelen = tolen;
    printf("sendmsg to a path: %zd; ", sendmsg(d2, &m, 0));
    mr.msg_iovlen = 2;
    mr.msg_namelen = sizeof a;
    n = recvmsg(dg, &mr, 0);
    printf("recvmsg %zd, ", n);
    name("name", &a, mr.msg_namelen);
    m.msg_name = NULL;
    m.msg_namelen = 0;
    printf("stream sendmsg: %zd; ", sendmsg(cli, &m, 0));
    mr.msg_iovlen = 1;
    mr.msg_iov[0].iov_len = 3;
    mr.msg_namelen = sizeof a;
    n = recvmsg(acc, &mr, 0);
    printf("recvmsg %zd \"%.3s\", namelen %u; ", n, p1, (unsigned)mr.msg_namelen);
    send(acc, "back", 4, 0);
    mr.msg_namelen = sizeof a;
    n = recvmsg(cli, &mr, 0);
    printf("the other way %zd, ", n);
    name("name", &a, mr.msg_namelen);

    close(dp[0]);
    printf("peer closed: poll %#x; send %s, then %s\n", polled(dp[1], POLLIN | POLLOUT),
           err(send(dp[1], "x", 1, MSG_DONTWAIT)), err(send(dp[1], "x", 1, MSG_DONTWAIT)));
    printf("shutdown(SHUT_RD) of a datagram socket: %s, ", err(shutdown(d2, SHUT_RD)));
    printf("recv %zd, poll %#x\n", recv(d2, buf, 1, 0), polled(d2, POLLIN | POLLRDHUP));
    unlink("/tmp/us.dg");
    unlink("/tmp/us.dg2");
    return 0;
}
