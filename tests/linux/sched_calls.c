/* The scheduler's calls as glibc and CPython use them, on a machine with one CPU: the affinity
 * mask (the raw call returns its size in bytes), the policy and priority (SCHED_OTHER at 0;
 * the real-time policies for root, read back as set; EPERM for a user without RLIMIT_RTPRIO),
 * the priority range of each policy, the round-robin interval, SCHED_RESET_ON_FORK, and the
 * errors: EINVAL, ESRCH, EPERM and EFAULT. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)0xc0000000)        /* the kernel's half */
#define NO_PID 99999

static const char *policy_name(int policy)
{
    static char other[32];

    switch (policy & ~SCHED_RESET_ON_FORK) {
    case SCHED_OTHER: return policy & SCHED_RESET_ON_FORK ? "SCHED_OTHER|RESET_ON_FORK" : "SCHED_OTHER";
    case SCHED_FIFO: return policy & SCHED_RESET_ON_FORK ? "SCHED_FIFO|RESET_ON_FORK" : "SCHED_FIFO";
    case SCHED_RR: return "SCHED_RR";
    case SCHED_BATCH: return "SCHED_BATCH";
    case SCHED_IDLE: return "SCHED_IDLE";
    }
    snprintf(other, sizeof other, "policy %d", policy);
    return other;
}

static void result(const char *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, strerror(errno));
    else
        printf("%s: %ld\n", what, r);
}

static void show(const char *what, pid_t pid)
{
    struct sched_param sp = { .sched_priority = -1 };
    int policy = sched_getscheduler(pid);

    if (policy < 0 || sched_getparam(pid, &sp)) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: %s, priority %d\n", what, policy_name(policy), sp.sched_priority);
}

static void set(const char *what, pid_t pid, int policy, int prio)
{
    struct sched_param sp = { .sched_priority = prio };

    result(what, sched_setscheduler(pid, policy, &sp));
}

static long getaff(pid_t pid, size_t len, void *mask)
{
    return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long setaff(pid_t pid, size_t len, const void *mask)
{
    return syscall(SYS_sched_setaffinity, pid, len, mask);
}

int main(void)
{
    unsigned char mask[128];
    cpu_set_t cpus;
    struct sched_param sp;
    struct timespec ts;

    setvbuf(stdout, NULL, _IONBF, 0);
    /* affinity */
    memset(mask, 0xff, sizeof mask);
    long n = getaff(0, sizeof mask, mask);
    printf("getaffinity(128): %ld, mask %02x %02x %02x %02x, byte %ld: %02x\n", n, mask[0], mask[1],
           mask[2], mask[3], n, n > 0 && n < (long)sizeof mask ? mask[n] : 0);
    result("getaffinity(4)", getaff(0, 4, mask));
    result("getaffinity(0)", getaff(0, 0, mask));
    result("getaffinity(2)", getaff(0, 2, mask));
    result("getaffinity(6)", getaff(0, 6, mask));
    result("getaffinity(bad)", getaff(0, sizeof mask, BAD));
    result("getaffinity(no pid)", getaff(NO_PID, sizeof mask, mask));
    result("getaffinity(init)", getaff(1, sizeof mask, mask));
    CPU_ZERO(&cpus);
    printf("glibc: %d, CPU 0 %d, count %d\n", sched_getaffinity(0, sizeof cpus, &cpus),
           CPU_ISSET(0, &cpus), CPU_COUNT(&cpus));
    memset(mask, 0, sizeof mask);
    mask[0] = 1;
    result("setaffinity(1)", setaff(0, 4, mask));
    mask[0] = 0xff;
    result("setaffinity(ff)", setaff(0, 4, mask));
    result("setaffinity(ff, 1 byte)", setaff(0, 1, mask));
    n = getaff(0, sizeof mask, mask);
    printf("after it: %ld, mask %02x\n", n, mask[0]);
    mask[0] = 2;
    result("setaffinity(2)", setaff(0, 4, mask));
    mask[0] = 0;
    result("setaffinity(0)", setaff(0, 4, mask));
    result("setaffinity(0 bytes)", setaff(0, 0, mask));
    result("setaffinity(bad)", setaff(0, 4, BAD));
    mask[0] = 1;
    result("setaffinity(no pid)", setaff(NO_PID, 4, mask));

    /* policies and priorities */
    show("self", 0);
    show("init", 1);
    show("by pid", getpid());
    for (int policy = -1; policy <= 7; policy++)
        printf("priority range of %d: %d..%d\n", policy, sched_get_priority_min(policy),
               sched_get_priority_max(policy));
    set("OTHER 0", 0, SCHED_OTHER, 0);
    set("OTHER 1", 0, SCHED_OTHER, 1);
    set("FIFO 0", 0, SCHED_FIFO, 0);
    set("FIFO 100", 0, SCHED_FIFO, 100);
    set("policy 4", 0, 4, 0);
    set("policy 6", 0, 6, 0);
    set("policy -1", 0, -1, 0);
    set("no pid", NO_PID, SCHED_OTHER, 0);
    set("pid -1", -1, SCHED_OTHER, 0);
    result("NULL param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
    result("bad param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD));
    result("getscheduler(-1)", sched_getscheduler(-1));
    result("getscheduler(no pid)", sched_getscheduler(NO_PID));
    result("getparam(NULL)", syscall(SYS_sched_getparam, 0, NULL));
    result("getparam(bad)", syscall(SYS_sched_getparam, 0, BAD));
    result("getparam(-1)", syscall(SYS_sched_getparam, -1, &sp));
    set("BATCH", 0, SCHED_BATCH, 0);
    show("now", 0);
    set("IDLE", 0, SCHED_IDLE, 0);
    show("now", 0);
    set("FIFO 10", 0, SCHED_FIFO, 10);
    show("now", 0);
    sp.sched_priority = 20;
    result("setparam 20", sched_setparam(0, &sp));
    show("now", 0);
    sp.sched_priority = 0;
    result("setparam 0", sched_setparam(0, &sp));
    sp.sched_priority = 99;
    result("setparam 99", sched_setparam(0, &sp));
    result("setparam(bad)", syscall(SYS_sched_setparam, 0, BAD));
    result("setparam(NULL)", syscall(SYS_sched_setparam, 0, NULL));
    result("rr_get_interval(FIFO)", sched_rr_get_interval(0, &ts));
    printf("FIFO interval: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
    set("RR 5", 0, SCHED_RR, 5);
    show("now", 0);
    result("rr_get_interval(RR)", sched_rr_get_interval(0, &ts));
    printf("RR interval: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
    result("rr_get_interval(bad)", syscall(SYS_sched_rr_get_interval, 0, BAD));
    result("rr_get_interval(-1)", syscall(SYS_sched_rr_get_interval, -1, &ts));
    result("rr_get_interval(no pid)", syscall(SYS_sched_rr_get_interval, NO_PID, &ts));

    /* a child inherits the policy, unless SCHED_RESET_ON_FORK */
    pid_t c = fork();
    if (c == 0) {
        show("child", 0);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    set("FIFO 3 | RESET_ON_FORK", 0, SCHED_FIFO | SCHED_RESET_ON_FORK, 3);
    show("now", 0);
    c = fork();
    if (c == 0) {
        show("child", 0);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    set("OTHER", 0, SCHED_OTHER, 0);
    show("now", 0);
    ts.tv_sec = 5;
    result("rr_get_interval(OTHER)", sched_rr_get_interval(0, &ts));
    printf("OTHER interval under a second: %d\n", ts.tv_sec == 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);

    /* a user who is not root */
    c = fork();
    if (c == 0) {
        if (setuid(1000))
            printf("setuid: %s\n", strerror(errno));
        set("user: FIFO 1", 0, SCHED_FIFO, 1);
        set("user: BATCH", 0, SCHED_BATCH, 0);
        set("user: OTHER", 0, SCHED_OTHER, 0);
        set("user: init OTHER", 1, SCHED_OTHER, 0);
        show("user: init", 1);
        mask[0] = 1;
        result("user: setaffinity(init)", setaff(1, 4, mask));
        result("user: setaffinity(self)", setaff(0, 4, mask));
        set("user: IDLE", 0, SCHED_IDLE, 0);
        set("user: back to OTHER", 0, SCHED_OTHER, 0);
        show("user", 0);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    return 0;
}
