/* POSIX threads through glibc: what its pthreads ask of clone, futex, set_robust_list,
 * tgkill and exit, run the same on real Linux (the .exp) and on the Linux server.  Nothing
 * printed depends on timing or on ID values, only on what must hold. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static __thread int mine = 7;

static void *add(void *arg)
{
    long n = (long)arg;

    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    mine += (int)n;                     /* thread-local: the main thread's stays 7 */
    return (void *)(n * 2);
}

/* a bounded queue with two condition variables */
#define SLOTS 4
static int queue[SLOTS], head, tail, count;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;

static void put(int v)
{
    pthread_mutex_lock(&lock);
    while (count == SLOTS)
        pthread_cond_wait(&not_full, &lock);
    queue[tail++ % SLOTS] = v;
    count++;
    pthread_cond_signal(&not_empty);
    pthread_mutex_unlock(&lock);
}

static int get(void)
{
    pthread_mutex_lock(&lock);
    while (count == 0)
        pthread_cond_wait(&not_empty, &lock);
    int v = queue[head++ % SLOTS];
    count--;
    pthread_cond_signal(&not_full);
    pthread_mutex_unlock(&lock);
    return v;
}

static void *producer(void *arg)
{
    for (int i = 1; i <= 1000; i++)
        put(i);
    put(-1);
    return arg;
}

static void *consumer(void *arg)
{
    long sum = 0;
    int v;

    while ((v = get()) >= 0)
        sum += v;
    return (void *)sum;
}

static void *ids(void *arg)
{
    pid_t *out = arg;

    out[0] = getpid();
    out[1] = (pid_t)syscall(SYS_gettid);
    return NULL;
}

static volatile sig_atomic_t handled_by;
static void on_usr(int sig)
{
    handled_by = (sig_atomic_t)syscall(SYS_gettid);
}

static sem_t ready, go;
static pid_t waiter_tid;
static void *wait_for_signal(void *arg)
{
    waiter_tid = (pid_t)syscall(SYS_gettid);
    sem_post(&ready);
    while (sem_wait(&go) && errno == EINTR)
        ;                               /* a signal's handler ran meanwhile */
    return arg;
}

static pthread_barrier_t barrier;
static int arrived[3];
static void *meet(void *arg)
{
    long i = (long)arg;

    arrived[i] = 1;
    pthread_barrier_wait(&barrier);
    return (void *)(long)(arrived[0] + arrived[1] + arrived[2]);
}

static void *exec_from_thread(void *arg)
{
    char *argv[] = { "sh", "-c", arg, NULL };

    execv("/bin/sh", argv);
    _exit(99);
}

static void *exit_from_thread(void *arg)
{
    exit(3);                            /* every thread of the process ends */
}

static void *outlive_main(void *arg)
{
    usleep(20000);
    printf("the last thread runs after main's pthread_exit\n");
    fflush(stdout);
    return NULL;
}

static int child_status(pid_t pid)
{
    int status;

    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
    pthread_t t[4];
    void *ret;
    long total = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* four threads, one lock */
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, add, (void *)(10000 * (i + 1)));
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], &ret);
        total += (long)ret;
    }
    printf("counter %ld, joined results %ld, main's thread-local %d\n", counter, total, mine);

    /* producer and consumer through condition variables */
    pthread_create(&t[0], NULL, producer, NULL);
    pthread_create(&t[1], NULL, consumer, NULL);
    pthread_join(t[0], NULL);
    pthread_join(t[1], &ret);
    printf("consumed sum %ld\n", (long)ret);

    /* IDs: one process, a thread ID of its own */
    pid_t got[2];
    pthread_create(&t[0], NULL, ids, got);
    pthread_join(t[0], NULL);
    printf("thread's getpid is the process's: %d; its gettid differs from the main thread's: %d; "
           "main's gettid is the pid: %d\n", got[0] == getpid(), got[1] != syscall(SYS_gettid),
           syscall(SYS_gettid) == getpid());

    /* a timed wait that times out */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 30 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    int err = pthread_cond_timedwait(&not_empty, &lock, &until);
    pthread_mutex_unlock(&lock);
    printf("timed wait: %s\n", strerror(err));

    /* signals: to one thread (pthread_kill), and to the process while main blocks it */
    struct sigaction sa = { .sa_handler = on_usr };
    sigaction(SIGUSR1, &sa, NULL);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    pthread_create(&t[0], NULL, wait_for_signal, NULL);
    sem_wait(&ready);
    pthread_kill(t[0], SIGUSR1);
    while (!handled_by)
        sched_yield();
    printf("pthread_kill: handled in that thread: %d\n", handled_by == waiter_tid);
    handled_by = 0;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    while (!handled_by)
        sched_yield();
    printf("kill with main blocking it: handled by the other thread: %d\n", handled_by == waiter_tid);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    sem_post(&go);
    pthread_join(t[0], NULL);

    /* a barrier of three */
    pthread_barrier_init(&barrier, NULL, 3);
    for (long i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, meet, (void *)i);
    total = 0;
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], &ret);
        total += (long)ret;
    }
    printf("barrier: every thread saw all three arrive: %d\n", total == 9);

    /* /proc sees the threads */
    pthread_create(&t[0], NULL, wait_for_signal, NULL);
    sem_wait(&ready);
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "Threads:", 8))
            printf("/proc/self/status %s", line);
    if (f)
        fclose(f);
    sem_post(&go);
    pthread_join(t[0], NULL);

    /* fork in a threaded process: the child has the calling thread alone */
    pthread_create(&t[0], NULL, wait_for_signal, NULL);
    sem_wait(&ready);
    pid_t pid = fork();
    if (pid == 0) {
        f = fopen("/proc/self/status", "r");
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "Threads:", 8))
                printf("forked child's %s", line);
        _exit(5);
    }
    printf("forked child exited %d\n", child_status(pid));
    sem_post(&go);
    pthread_join(t[0], NULL);

    /* exit from a thread ends the process; execve from a thread replaces it, pid kept */
    pid = fork();
    if (pid == 0) {
        pthread_create(&t[0], NULL, exit_from_thread, NULL);
        pause();
        _exit(1);
    }
    printf("exit(3) in a thread while main waits: the process exited %d\n", child_status(pid));
    pid = fork();
    if (pid == 0) {
        char cmd[96];
        snprintf(cmd, sizeof cmd, "test $$ = %d && echo execve from a thread keeps the pid; exit 4",
                 getpid());
        pthread_create(&t[0], NULL, wait_for_signal, NULL);
        sem_wait(&ready);
        pthread_create(&t[1], NULL, exec_from_thread, cmd);
        pause();
        _exit(1);
    }
    printf("the program it ran exited %d\n", child_status(pid));
    pid = fork();
    if (pid == 0) {
        pthread_create(&t[0], NULL, outlive_main, NULL);
        pthread_exit(NULL);
    }
    printf("main's pthread_exit, then the last thread's end: %d\n", child_status(pid));

    /* many threads, one after another, and detached ones */
    for (int round = 0; round < 50; round++) {
        for (long i = 0; i < 4; i++)
            pthread_create(&t[i], NULL, add, (void *)10);
        for (int i = 0; i < 4; i++)
            pthread_join(t[i], NULL);
    }
    printf("after 200 more threads: counter %ld\n", counter);
    return 0;
}
