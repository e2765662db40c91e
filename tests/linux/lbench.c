/*
 * lmbench-style microbenchmarks of the Linux system call interface, the same static binary on
 * our Linux server and on real Linux (host/rig.py bench linux --vs-native runs both).
 *
 *     lbench [-n SAMPLES] [NAME ...]      (default: every benchmark, 31 samples each)
 *
 * Each sample times a batch of operations with clock_gettime(CLOCK_MONOTONIC) and keeps the
 * batch's time divided by its size: nanoseconds per operation (one instruction each when QEMU
 * runs with -icount shift=0).  One batch is run first and thrown away (warm-up).  Nothing is
 * printed until every benchmark has run, so the console stays quiet while the clock runs; then
 * one line per benchmark:
 *
 *     bench linux.getpid ns S1 S2 ...
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES 101
#define PAGE        4096
#define FAULT_PAGES 64

static const char *const self = "/bin/lbench";
static int devnull, ping[2], pong[2];
static pid_t partner;

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

/* ---- the operations: each runs `n` of them ------------------------------------------------ */

static void do_getpid(int n)
{
    while (n--)
        syscall(SYS_getpid);                /* glibc does not cache it, but say so anyway */
}

static void do_write_devnull(int n)
{
    char c = 0;

    while (n--)
        if (write(devnull, &c, 1) != 1)
            die("write /dev/null");
}

/* Touch fresh anonymous pages: every first write is a page fault that gets a zeroed frame. */
static char *fault_area;

static void pagefault_setup(void)
{
    fault_area = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fault_area == MAP_FAILED)
        die("mmap");
}

static void pagefault_teardown(void)
{
    munmap(fault_area, FAULT_PAGES * PAGE);
}

static void do_pagefault(int n)
{
    for (int i = 0; i < n; i++)
        fault_area[i * PAGE] = 1;
}

/* A partner process that answers every byte on `ping` with one on `pong`. */
static void pipe_setup(void)
{
    if (pipe(ping) || pipe(pong))
        die("pipe");
    partner = fork();
    if (partner < 0)
        die("fork");
    if (partner == 0) {
        char c;
        close(ping[1]);
        close(pong[0]);
        while (read(ping[0], &c, 1) == 1)
            if (write(pong[1], &c, 1) != 1)
                break;
        _exit(0);
    }
    close(ping[0]);
    close(pong[1]);
}

static void pipe_teardown(void)
{
    close(ping[1]);                         /* the partner reads end of file and exits */
    waitpid(partner, NULL, 0);
    close(pong[0]);
}

static void do_pipe_roundtrip(int n)
{
    char c = 'x';

    while (n--)
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
            die("pipe round trip");
}

/*
 * Switch to switch: two processes take turns on a counter in memory they share (anonymous
 * MAP_SHARED, one memory across fork).  Each waits for its turn with sched_yield and then
 * increments, so every increment is one switch from one process to the other; a yield that
 * does not switch (the scheduler kept the caller) only makes that switch cost more.  We take
 * the counter from even to odd, the partner from odd to even: a round trip is two switches.
 */
static volatile unsigned *turns;

static void yield_setup(void)
{
    turns = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (turns == MAP_FAILED)
        die("mmap");
    *turns = 0;
    partner = fork();
    if (partner < 0)
        die("fork");
    if (partner == 0)
        for (;;) {
            while (*turns % 2 == 0)
                sched_yield();
            ++*turns;
        }
}

static void yield_teardown(void)
{
    kill(partner, SIGKILL);
    waitpid(partner, NULL, 0);
    munmap((void *)turns, PAGE);
}

static void do_yield(int n)
{
    while (n--) {
        ++*turns;
        while (*turns % 2 == 1)
            sched_yield();
    }
}

static void fork_wait(int exec)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (exec) {
            char *const argv[] = { "lbench", "--exit", NULL };
            char *const envp[] = { NULL };
            execve(self, argv, envp);
            _exit(127);
        }
        _exit(0);
    }
    if (waitpid(pid, &status, 0) != pid || status != 0)
        die("child");
}

static void do_fork_exit_wait(int n)
{
    while (n--)
        fork_wait(0);
}

static void do_fork_exec_wait(int n)
{
    while (n--)
        fork_wait(1);
}

/* fork, then execve of a dynamically linked program (the dynamic linker maps libc), and wait. */
static void do_exec_dynamic(int n)
{
    while (n--) {
        pid_t pid = fork();
        int status;
        if (pid < 0)
            die("fork");
        if (pid == 0) {
            char *const argv[] = { "dyn_true", NULL };
            char *const envp[] = { NULL };
            execve("/bin/dyn_true", argv, envp);
            _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid || status != 0)
            die("dyn_true");
    }
}

/* A thread made and joined: clone, the new thread's first run and exit, the join's futex. */
static void *nothing(void *arg)
{
    return arg;
}

static void do_thread_create_join(int n)
{
    pthread_t t;

    while (n--)
        if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
            die("pthread");
}

/* Two threads of one process hand a word back and forth with FUTEX_WAIT and FUTEX_WAKE: a round
 * is two wakes and two switches, the shape of a mutex or condition variable under contention. */
static volatile int baton;
static pthread_t other;

static long futex(volatile int *word, int op, int val)
{
    return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void *catcher(void *arg)
{
    for (;;) {
        while (baton == 0)
            futex(&baton, FUTEX_WAIT, 0);
        if (baton < 0)
            return arg;
        baton = 0;
        futex(&baton, FUTEX_WAKE, 1);
    }
}

static void futex_setup(void)
{
    baton = 0;
    if (pthread_create(&other, NULL, catcher, NULL))
        die("pthread_create");
}

static void futex_teardown(void)
{
    baton = -1;
    futex(&baton, FUTEX_WAKE, 1);
    pthread_join(other, NULL);
}

static void do_futex_pingpong(int n)
{
    while (n--) {
        baton = 1;
        futex(&baton, FUTEX_WAKE, 1);
        while (baton == 1)
            futex(&baton, FUTEX_WAIT, 1);
    }
}

/* Read the pages of a file mapped MAP_PRIVATE: every first read is a page fault that the file's
 * page answers (the page cache's on Linux, the file system's frame here). */
static const char *const mapped_name = "/tmp/lbench.map";
static char *file_area;

static void file_create(void)
{
    static char page[PAGE];
    int fd = open(mapped_name, O_RDWR | O_CREAT | O_TRUNC, 0600);

    if (fd < 0)
        die(mapped_name);
    for (int i = 0; i < FAULT_PAGES; i++) {
        memset(page, i + 1, sizeof page);
        if (write(fd, page, sizeof page) != sizeof page)
            die("write");
    }
    close(fd);
}

static void file_map(void)
{
    int fd = open(mapped_name, O_RDONLY);

    if (fd < 0)
        die(mapped_name);
    file_area = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    if (file_area == MAP_FAILED)
        die("mmap");
    close(fd);
}

static void file_unmap(void)
{
    munmap(file_area, FAULT_PAGES * PAGE);
}

static void do_mmap_file_fault(int n)
{
    unsigned sum = 0;

    for (int i = 0; i < n; i++)
        sum += ((volatile char *)file_area)[i * PAGE];
    if (sum != (unsigned)(n * (n + 1) / 2))
        die("the mapped file's bytes");
}

/* ---- the table ---------------------------------------------------------------------------- */

struct bench {
    const char *name;
    int batch;                              /* operations per sample */
    void (*run)(int n);
    void (*setup)(void), (*teardown)(void); /* around every batch (pagefault) or all (others) */
    int per_batch;
    int ops_per_call;                       /* yield: a round is two switches */
    int samples[MAX_SAMPLES];
};

static struct bench benches[] = {
    { "linux.getpid", 1000, do_getpid, NULL, NULL, 0, 1, { 0 } },
    { "linux.write_devnull", 1000, do_write_devnull, NULL, NULL, 0, 1, { 0 } },
    { "linux.pagefault", FAULT_PAGES, do_pagefault, pagefault_setup, pagefault_teardown, 1, 1, { 0 } },
    { "linux.pipe_roundtrip", 100, do_pipe_roundtrip, pipe_setup, pipe_teardown, 0, 1, { 0 } },
    { "linux.yield", 200, do_yield, yield_setup, yield_teardown, 0, 2, { 0 } },
    { "linux.fork_exit_wait", 10, do_fork_exit_wait, NULL, NULL, 0, 1, { 0 } },
    { "linux.fork_exec_wait", 5, do_fork_exec_wait, NULL, NULL, 0, 1, { 0 } },
    { "linux.exec_dynamic", 5, do_exec_dynamic, NULL, NULL, 0, 1, { 0 } },
    { "linux.thread_create_join", 10, do_thread_create_join, NULL, NULL, 0, 1, { 0 } },
    { "linux.futex_pingpong", 100, do_futex_pingpong, futex_setup, futex_teardown, 0, 1, { 0 } },
    { "linux.mmap_file_fault", FAULT_PAGES, do_mmap_file_fault, file_map, file_unmap, 1, 1, { 0 } },
};
#define NBENCH ((int)(sizeof benches / sizeof benches[0]))

static void measure(struct bench *b, int samples)
{
    if (b->setup && !b->per_batch)
        b->setup();
    for (int i = -1; i < samples; i++) {    /* sample -1 is the warm-up */
        if (b->setup && b->per_batch)
            b->setup();
        long long start = now_ns();
        b->run(b->batch);
        long long took = now_ns() - start;
        if (b->teardown && b->per_batch)
            b->teardown();
        if (i >= 0)
            b->samples[i] = (int)(took / (b->batch * b->ops_per_call));
    }
    if (b->teardown && !b->per_batch)
        b->teardown();
}

int main(int argc, char **argv)
{
    int samples = 31, chosen[NBENCH] = { 0 }, any = 0;

    if (argc > 1 && strcmp(argv[1], "--exit") == 0)
        return 0;                           /* fork_exec_wait's child */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
            samples = atoi(argv[++i]);
            if (samples < 1 || samples > MAX_SAMPLES) {
                fprintf(stderr, "lbench: -n takes 1..%d\n", MAX_SAMPLES);
                return 2;
            }
            continue;
        }
        int found = 0;
        for (int k = 0; k < NBENCH; k++)
            if (strcmp(argv[i], benches[k].name) == 0)
                chosen[k] = found = any = 1;
        if (!found) {
            fprintf(stderr, "lbench: no benchmark %s\n", argv[i]);
            return 2;
        }
    }
    devnull = open("/dev/null", O_WRONLY);
    if (devnull < 0)
        die("/dev/null");
    file_create();
    for (int k = 0; k < NBENCH; k++)
        if (!any || chosen[k])
            measure(&benches[k], samples);
    unlink(mapped_name);
    for (int k = 0; k < NBENCH; k++) {
        if (any && !chosen[k])
            continue;
        printf("bench %s ns", benches[k].name);
        for (int i = 0; i < samples; i++)
            printf(" %d", benches[k].samples[i]);
        printf("\n");
    }
    return 0;
}
