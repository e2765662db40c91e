/* CPU time: user time while a process computes, system time while the kernel (here, the
 * server) works on its calls, none while it sleeps; its children's once they are waited for;
 * the same through times, getrusage, the CPU-time clock and /proc/self/stat.  Only facts that
 * hold on any machine are printed (thresholds, never the amounts). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long ms(struct timeval tv)
{
    return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

static long user_ms(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return ms(ru.ru_utime);
}

static long sys_ms(int who)
{
    struct rusage ru;

    getrusage(who, &ru);
    return ms(ru.ru_stime);
}

static long wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Compute (no system calls between checks) until the user time reaches `goal` ms, for at most
 * 30 s of wall time: whether it did. */
static int spin(long goal)
{
    long start = wall_ms();
    volatile unsigned x = 0;

    while (user_ms(RUSAGE_SELF) < goal) {
        for (unsigned i = 0; i < 2000000; i++)
            x += i;
        if (wall_ms() - start > 30000)
            return 0;
    }
    return 1;
}

static const char *yes(int c)
{
    return c ? "yes" : "no";
}

int main(void)
{
    struct tms t;
    char buf[65536];

    printf("children's time before any child: %ld %ld\n", user_ms(RUSAGE_CHILDREN), sys_ms(RUSAGE_CHILDREN));
    printf("user time reaches 300 ms while computing: %s\n", yes(spin(300)));

    long before = user_ms(RUSAGE_SELF) + sys_ms(RUSAGE_SELF);
    usleep(300000);
    long slept = user_ms(RUSAGE_SELF) + sys_ms(RUSAGE_SELF) - before;
    printf("300 ms asleep cost under 50 ms of CPU time: %s\n", yes(slept < 50));

    int fd = open("/dev/zero", O_RDONLY);
    long start = wall_ms();
    while (sys_ms(RUSAGE_SELF) < 100 && wall_ms() - start < 30000)
        for (int i = 0; i < 20; i++)
            read(fd, buf, sizeof buf);
    printf("system time reaches 100 ms reading /dev/zero: %s\n", yes(sys_ms(RUSAGE_SELF) >= 100));
    close(fd);

    struct timespec cpu;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    long clock_ms = cpu.tv_sec * 1000L + cpu.tv_nsec / 1000000;
    long total = user_ms(RUSAGE_SELF) + sys_ms(RUSAGE_SELF);
    printf("CLOCK_PROCESS_CPUTIME_ID is user + system: %s\n", yes(clock_ms >= total - 20 && clock_ms <= total + 20));
    times(&t);
    printf("times agrees with getrusage: %s\n",
           yes(labs(t.tms_utime * 10L - user_ms(RUSAGE_SELF)) <= 20 && labs(t.tms_stime * 10L - sys_ms(RUSAGE_SELF)) <= 20));

    FILE *f = fopen("/proc/self/stat", "r");
    unsigned long ut = 0, st = 0;
    if (f && fscanf(f, "%*d %*s %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
        printf("/proc/self/stat's utime and stime agree: %s\n",
               yes(labs((long)ut * 10 - user_ms(RUSAGE_SELF)) <= 30 && labs((long)st * 10 - sys_ms(RUSAGE_SELF)) <= 30));
    if (f)
        fclose(f);
    fflush(stdout);

    pid_t child = fork();
    if (child == 0) {
        spin(user_ms(RUSAGE_SELF) + 200);
        _exit(0);
    }
    /* the child's time is not the parent's until it is waited for */
    usleep(100000);
    printf("a running child's time is not counted yet: %s\n", yes(user_ms(RUSAGE_CHILDREN) == 0));
    waitpid(child, NULL, 0);
    printf("after waiting, the children's user time is at least 150 ms: %s\n", yes(user_ms(RUSAGE_CHILDREN) >= 150));
    times(&t);
    printf("and times' tms_cutime agrees: %s\n", yes(labs(t.tms_cutime * 10L - user_ms(RUSAGE_CHILDREN)) <= 20));
    printf("the parent's own user time stayed under 600 ms: %s\n", yes(user_ms(RUSAGE_SELF) < 600));

    /* a grandchild's time reaches its grandparent through the child that waited for it */
    child = fork();
    if (child == 0) {
        pid_t g = fork();
        if (g == 0) {
            spin(user_ms(RUSAGE_SELF) + 200);
            _exit(0);
        }
        waitpid(g, NULL, 0);
        _exit(0);
    }
    long had = user_ms(RUSAGE_CHILDREN);
    waitpid(child, NULL, 0);
    printf("a grandchild's time, through its parent's wait: %s\n", yes(user_ms(RUSAGE_CHILDREN) - had >= 150));
    return 0;
}
