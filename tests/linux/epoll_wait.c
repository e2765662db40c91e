/* epoll as Linux answers it: level-triggered, edge-triggered and one-shot items on pipes,
 * eventfds, socket pairs and other epolls; the 64-bit data kept; items belonging to the open
 * file (dup, fork) and going with its last descriptor; waiting with a timeout, woken by another
 * process, or by a signal that epoll_pwait's mask lets in; and every error epoll_ctl and
 * epoll_wait give. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *err(int rc)
{
    return rc < 0 ? strerror(errno) : "ok";
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int by_data(const void *a, const void *b)
{
    uint64_t x = ((const struct epoll_event *)a)->data.u64, y = ((const struct epoll_event *)b)->data.u64;
    return x < y ? -1 : x > y;
}

/* epoll_wait(ep, max, timeout): the count and each event (sorted by data: the order of items
 * ready together is the kernel's), and whether a timeout was waited out. */
static int show_max(const char *what, int ep, int max, int timeout)
{
    struct epoll_event ev[16];
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = epoll_wait(ep, ev, max, timeout);
    long ms = ms_since(&t0);
    printf("%-44s %d", what, n);
    if (n < 0)
        printf(" %s", strerror(errno));
    if (n > 0)
        qsort(ev, n, sizeof ev[0], by_data);
    for (int i = 0; i < n; i++)
        printf(" [%#llx %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
    if (timeout > 0 && n == 0)
        printf(ms >= timeout - 10 ? " (waited)" : " (too soon)");
    printf("\n");
    return n;
}

static int show(const char *what, int ep, int timeout)
{
    return show_max(what, ep, 16, timeout);
}

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, op, fd, &ev);
}

static volatile sig_atomic_t usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }

int main(void)
{
    int p[2], q[2], s[2], t[2], ep, ep2, efd;
    char buf[64];

    setvbuf(stdout, NULL, _IONBF, 0);
    ep = epoll_create1(0);
    printf("epoll_create1: %s, close-on-exec %d\n", err(ep), fcntl(ep, F_GETFD));
    int epc = epoll_create1(EPOLL_CLOEXEC);
    printf("EPOLL_CLOEXEC: close-on-exec %d\n", fcntl(epc, F_GETFD));
    close(epc);
    ssize_t n = readlink("/proc/self/fd/3", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("/proc/self/fd/3 -> %s; read: %s\n", buf, err(read(ep, buf, 8)));

    /* level-triggered */
    pipe(p);
    printf("ADD read end: %s, write end: %s\n", err(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x100)),
           err(ctl(ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 0x101)));
    show("empty pipe (write end ready)", ep, 0);
    write(p[1], "ab", 2);
    show("two bytes", ep, 0);
    show("again: level-triggered", ep, 0);
    show_max("maxevents 1", ep, 1, 0);
    read(p[0], buf, 2);
    printf("MOD write end to EPOLLIN: %s\n", err(ctl(ep, EPOLL_CTL_MOD, p[1], EPOLLIN, 0x102)));
    show("nothing to read", ep, 0);
    show("100 ms", ep, 100);

    /* the errors */
    printf("ADD again: %s\n", err(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0)));
    pipe(q);
    printf("DEL not a member: %s\n", err(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL)));
    printf("MOD not a member: %s\n", err(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN, 0)));
    int file = open("/tmp/epoll.file", O_CREAT | O_RDWR, 0600);
    printf("ADD a regular file: %s\n", err(ctl(ep, EPOLL_CTL_ADD, file, EPOLLIN, 0)));
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    printf("ADD a directory: %s\n", err(ctl(ep, EPOLL_CTL_ADD, dir, EPOLLIN, 0)));
    int null = open("/dev/null", O_RDWR);
    printf("ADD /dev/null: %s\n", err(ctl(ep, EPOLL_CTL_ADD, null, EPOLLIN, 0)));
    printf("epfd not an epoll: %s\n", err(ctl(q[0], EPOLL_CTL_ADD, q[1], EPOLLIN, 0)));
    printf("epoll in itself: %s\n", err(ctl(ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0)));
    printf("bad fd: %s, bad epfd: %s\n", err(ctl(ep, EPOLL_CTL_ADD, 99, EPOLLIN, 0)),
           err(ctl(99, EPOLL_CTL_ADD, q[0], EPOLLIN, 0)));
    printf("op 7: %s, NULL event: %s\n", err(ctl(ep, 7, q[0], EPOLLIN, 0)),
           err(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], NULL)));
    printf("EPOLLEXCLUSIVE with MOD: %s, with EPOLLONESHOT: %s\n",
           err(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0)),
           err(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0)));
    struct epoll_event evs[2];
    printf("maxevents 0: %s, epoll_wait on a pipe: %s, bad epfd: %s\n", err(epoll_wait(ep, evs, 0, 0)),
           err(epoll_wait(q[0], evs, 1, 0)), err(epoll_wait(99, evs, 1, 0)));
    printf("epoll_create(0): %s, epoll_create1(1): %s\n", err(epoll_create(0)), err(epoll_create1(1)));
    close(file);
    close(dir);
    close(null);

    /* edge-triggered */
    printf("ADD EPOLLET: %s\n", err(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLET, 0x200)));
    epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    write(q[1], "a", 1);
    show("ET: data came", ep, 0);
    show("ET: nothing new", ep, 0);
    write(q[1], "b", 1);
    show("ET: more came (two unread)", ep, 0);
    show("ET: nothing new", ep, 0);
    read(q[0], buf, sizeof buf);
    printf("MOD ET item: %s\n", err(ctl(ep, EPOLL_CTL_MOD, q[0], EPOLLIN | EPOLLET, 0x201)));
    show("ET: read all, modified", ep, 0);

    /* one-shot */
    printf("ADD EPOLLONESHOT: %s\n", err(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLONESHOT, 0x300)));
    write(p[1], "x", 1);
    show("one-shot: data", ep, 0);
    write(p[1], "y", 1);
    show("one-shot: disabled", ep, 0);
    printf("ADD it again: %s; MOD: %s\n", err(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0)),
           err(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLONESHOT, 0x301)));
    show("one-shot: rearmed", ep, 0);
    read(p[0], buf, sizeof buf);
    epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL);

    /* a hangup, and 64 bits of data */
    printf("MOD with 64-bit data: %s\n", err(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0x123456789abcdef0ull)));
    close(p[1]);
    show("writer gone: EPOLLHUP", ep, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
    close(p[0]);

    /* an item belongs to the open file: a dup keeps it, the last close ends it */
    pipe(t);
    ctl(ep, EPOLL_CTL_ADD, t[0], EPOLLIN, 0x400);
    int d = dup(t[0]);
    close(t[0]);
    write(t[1], "z", 1);
    show("descriptor closed, a dup open", ep, 0);
    printf("DEL by the closed number: %s\n", err(epoll_ctl(ep, EPOLL_CTL_DEL, t[0], NULL)));
    close(d);
    show("last descriptor closed", ep, 0);
    pipe(p);
    printf("ADD the same number again: %s (fd %d)\n", err(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x401)),
           p[0] == t[0]);
    close(t[1]);

    /* fork shares the epoll: the child's item is the parent's */
    pid_t child = fork();
    if (child == 0) {
        ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 0x500);
        write(q[1], "c", 1);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    show("the child added an item", ep, 0);
    read(q[0], buf, sizeof buf);

    /* waiting: woken by another process's write, before the timeout */
    child = fork();
    if (child == 0) {
        usleep(200000);
        write(p[1], "w", 1);
        _exit(0);
    }
    show("a child writes in 200 ms", ep, 5000);
    waitpid(child, NULL, 0);
    read(p[0], buf, sizeof buf);

    /* a signal: epoll_pwait's mask lets it in */
    sigset_t block, open;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGUSR1, on_usr1);
    child = fork();
    if (child == 0) {
        usleep(100000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    sigemptyset(&open);
    int rc = epoll_pwait(ep, evs, 2, 5000, &open);
    printf("epoll_pwait: %d %s, handler ran %d\n", rc, err(rc), usr1);
    waitpid(child, NULL, 0);
    printf("epoll_pwait sigsetsize 4: %s\n", err(syscall(SYS_epoll_pwait, ep, evs, 2, 0, &open, 4)));
    struct { long long sec, nsec; } zero = { 0, 0 }, bad = { 0, 1000000000 };
    printf("epoll_pwait2 zero timeout: %ld, bad timeout: %s\n",
           syscall(__NR_epoll_pwait2, ep, evs, 2, &zero, NULL, 8),
           err(syscall(__NR_epoll_pwait2, ep, evs, 2, &bad, NULL, 8)));

    /* eventfds, socket pairs, epolls in epolls */
    ep2 = epoll_create1(0);
    efd = eventfd(0, EFD_NONBLOCK);
    ctl(ep2, EPOLL_CTL_ADD, efd, EPOLLIN | EPOLLOUT, 0x600);
    show("eventfd at 0", ep2, 0);
    uint64_t one = 1;
    write(efd, &one, 8);
    show("eventfd at 1", ep2, 0);
    ctl(ep2, EPOLL_CTL_MOD, efd, EPOLLIN, 0x600);
    printf("ADD an epoll: %s\n", err(ctl(ep, EPOLL_CTL_ADD, ep2, EPOLLIN, 0x601)));
    show("the inner epoll is ready", ep, 0);
    struct pollfd pf = { ep2, POLLIN | POLLOUT, 0 };
    printf("poll on the inner epoll: %d %#x\n", poll(&pf, 1, 0), pf.revents);
    printf("ADD the outer into the inner: %s\n", err(ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, 0)));
    read(efd, &one, 8);
    show("eventfd read: nothing", ep, 0);
    ctl(ep2, EPOLL_CTL_MOD, efd, EPOLLIN | EPOLLET, 0x602);
    one = 5;
    write(efd, &one, 8);
    show("inner ET: once", ep2, 0);
    show("inner ET: nothing new", ep2, 0);
    write(efd, &one, 8);
    show("inner ET: a write, again", ep2, 0);
    epoll_ctl(ep, EPOLL_CTL_DEL, ep2, NULL);

    socketpair(AF_UNIX, SOCK_STREAM, 0, s);
    int eps = epoll_create(1);
    ctl(eps, EPOLL_CTL_ADD, s[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP, 0x700);
    show("socket: writable", eps, 0);
    send(s[1], "hi", 2, 0);
    show("socket: data", eps, 0);
    shutdown(s[1], SHUT_WR);
    show("socket: peer shut its writing", eps, 0);
    close(s[1]);
    show("socket: peer closed", eps, 0);

    close(eps);
    close(ep2);
    printf("closed epoll: %s\n", err(epoll_wait(eps, evs, 1, 0)));
    return 0;
}
