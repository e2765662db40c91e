/* eventfd as Linux answers it: the 8-byte counter read whole or, with EFD_SEMAPHORE, one at a
 * time; EAGAIN, EINVAL; the counter's ceiling; poll and select; a read and a write that wait
 * for another process, and a signal ending or restarting a wait; the flags. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(long rc)
{
    return rc < 0 ? strerror(errno) : "ok";
}

static short polled(int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0 };
    return poll(&p, 1, 0) < 0 ? -1 : p.revents;
}

static void rd(const char *what, int fd)
{
    uint64_t v = 0;
    ssize_t n = read(fd, &v, 8);
    printf("%-36s read %zd %s value %llu\n", what, n, err(n), (unsigned long long)v);
}

static void wr(const char *what, int fd, uint64_t v)
{
    ssize_t n = write(fd, &v, 8);
    printf("%-36s write %zd %s\n", what, n, err(n));
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

int main(void)
{
    char buf[64];

    setvbuf(stdout, NULL, _IONBF, 0);
    int e = eventfd(3, 0);
    printf("eventfd(3): %s, O_NONBLOCK %d, close-on-exec %d\n", err(e), !!(fcntl(e, F_GETFL) & O_NONBLOCK),
           fcntl(e, F_GETFD));
    ssize_t n = readlink("/proc/self/fd/3", buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("/proc/self/fd/3 -> %s, poll %#x\n", buf, polled(e));
    rd("initial 3", e);
    printf("poll at 0: %#x\n", polled(e));
    wr("5", e, 5);
    wr("7", e, 7);
    rd("the sum", e);
    printf("read of 4 bytes: %s, write of 4 bytes: %s\n", err(read(e, buf, 4)), err(write(e, buf, 4)));
    wr("2^64 - 1", e, ~0ull);
    printf("eventfd2 flag 0x10: %s\n", err(syscall(SYS_eventfd2, 0, 0x10)));

    int s = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    printf("semaphore: O_NONBLOCK %d, close-on-exec %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK), fcntl(s, F_GETFD));
    rd("semaphore 2", s);
    rd("semaphore 1", s);
    rd("semaphore 0, non-blocking", s);
    wr("2^64 - 2", s, ~0ull - 1);
    printf("poll at the ceiling: %#x\n", polled(s));
    wr("1 more, non-blocking", s, 1);
    rd("semaphore at the ceiling", s);
    printf("poll below it: %#x\n", polled(s));

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(e, &r);
    FD_SET(e, &w);
    struct timeval tv = { 0, 0 };
    printf("select at 0: %d readable %d writable %d\n", select(e + 1, &r, &w, NULL, &tv), FD_ISSET(e, &r),
           FD_ISSET(e, &w));

    /* a read that waits for another process's write; fork shares the counter */
    pid_t child = fork();
    if (child == 0) {
        usleep(200000);
        uint64_t v = 42;
        write(e, &v, 8);
        _exit(0);
    }
    rd("waits for the child's 42", e);
    waitpid(child, NULL, 0);

    /* a write that waits for a read */
    int c = eventfd(0, 0);
    uint64_t big = ~0ull - 1;
    write(c, &big, 8);
    child = fork();
    if (child == 0) {
        usleep(200000);
        uint64_t v;
        read(c, &v, 8);
        _exit(v == ~0ull - 1 ? 0 : 1);
    }
    wr("waits for the child's read", c, 9);
    int status;
    waitpid(child, &status, 0);
    printf("the child read the ceiling: %d\n", WEXITSTATUS(status) == 0);
    rd("then the 9", c);

    /* a signal ends a waiting read (EINTR), or restarts it with SA_RESTART */
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    rd("SIGALRM without SA_RESTART", c);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    child = fork();
    if (child == 0) {
        usleep(1500000);
        uint64_t v = 6;
        write(c, &v, 8);
        _exit(0);
    }
    alarm(1);
    rd("SIGALRM with SA_RESTART, then 6", c);
    waitpid(child, NULL, 0);
    printf("alarms %d\n", alarms);
    return 0;
}
