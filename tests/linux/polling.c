/* poll, ppoll, select and pselect6 on pipes, as Linux answers them: waiting until data, a close
 * or the timeout, POLLHUP, POLLERR, POLLNVAL, EBADF, and a signal let in by pselect's mask. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void poll_one(const char *what, int fd, short events, int timeout)
{
    struct pollfd p = { .fd = fd, .events = events };
    struct timespec t0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = poll(&p, 1, timeout);
    long ms = ms_since(&t0);
    printf("%-34s poll %d revents 0x%x%s\n", what, n, p.revents,
           timeout > 0 && n == 0 ? (ms >= timeout - 10 ? " (waited)" : " (too soon)") : "");
}

static volatile int usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }

int main(void)
{
    int fds[2], out[2];
    char c;

    setvbuf(stdout, NULL, _IONBF, 0);
    pipe(fds);
    poll_one("empty pipe, 100 ms", fds[0], POLLIN, 100);
    poll_one("empty pipe, no wait", fds[0], POLLIN, 0);
    poll_one("write end", fds[1], POLLOUT, 0);
    write(fds[1], "x", 1);
    poll_one("one byte", fds[0], POLLIN, 1000);
    read(fds[0], &c, 1);
    pid_t child = fork();
    if (child == 0) {
        usleep(200000);
        write(fds[1], "late", 4);
        _exit(0);
    }
    poll_one("a child writes in 200 ms", fds[0], POLLIN, -1);
    waitpid(child, NULL, 0);
    char buf[8];
    printf("read %zd\n", read(fds[0], buf, sizeof buf));
    close(fds[1]);
    poll_one("writer gone", fds[0], POLLIN, -1);
    close(fds[0]);
    poll_one("closed descriptor", fds[0], POLLIN, 0);
    poll_one("negative descriptor", -1, POLLIN, 0);

    pipe(fds);
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    poll_one("reader gone", fds[1], POLLOUT, 0);
    close(fds[1]);

    pipe(fds);
    fd_set r;
    struct timeval tv = { 0, 50000 };
    FD_ZERO(&r);
    FD_SET(fds[0], &r);
    printf("select empty: %d\n", select(fds[0] + 1, &r, NULL, NULL, &tv));
    write(fds[1], "y", 1);
    FD_ZERO(&r);
    FD_SET(fds[0], &r);
    fd_set w;
    FD_ZERO(&w);
    FD_SET(fds[1], &w);
    tv.tv_sec = 1;
    int n = select(fds[1] + 1, &r, &w, NULL, &tv);
    printf("select data: %d read %d write %d\n", n, FD_ISSET(fds[0], &r) != 0, FD_ISSET(fds[1], &w) != 0);
    int bad = dup(0);                   /* a descriptor surely not open */
    close(bad);
    FD_ZERO(&r);
    FD_SET(bad, &r);
    tv.tv_sec = 0;
    errno = 0;
    printf("select bad: %d %s\n", select(bad + 1, &r, NULL, NULL, &tv), strerror(errno));
    read(fds[0], &c, 1);

    /* pselect6: SIGUSR1 blocked, let in only while waiting */
    sigset_t block, open;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &open);
    signal(SIGUSR1, on_usr1);
    child = fork();
    if (child == 0) {
        usleep(100000);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    FD_ZERO(&r);
    FD_SET(fds[0], &r);
    errno = 0;
    n = pselect(fds[0] + 1, &r, NULL, NULL, NULL, &open);
    printf("pselect: %d %s, handler ran %d\n", n, strerror(errno), usr1);
    waitpid(child, NULL, 0);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("mask back: %d\n", sigismember(&now, SIGUSR1));

    struct pollfd pp = { .fd = fds[0], .events = POLLIN };
    struct timespec zero = { 0, 0 };
    printf("ppoll zero timeout: %d\n", ppoll(&pp, 1, &zero, NULL));
    write(fds[1], "z", 1);
    printf("ppoll data: %d revents 0x%x\n", ppoll(&pp, 1, NULL, NULL), pp.revents);
    (void)out;
    return 0;
}
