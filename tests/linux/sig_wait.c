/* Waiting for a signal (rt_sigtimedwait and rt_sigtimedwait_time64, through glibc's sigwait,
 * sigwaitinfo and sigtimedwait): the signal taken with its siginfo (kill's and tgkill's SI_USER
 * with the sender's pid and uid, the interval timer's SI_KERNEL, SIGCHLD's CLD_EXITED and
 * CLD_KILLED with the child's status), a fault's signal and then the lowest pending first, one
 * sent while it waits, a blocked signal that is ignored (by its action or by default) still
 * waited for, a poll and a timeout (EAGAIN), a signal outside the set with a handler (EINTR
 * after the handler), and the errors: a bad set size or timeout (EINVAL), bad pointers (EFAULT;
 * a bad siginfo loses the signal, as Linux's does).  A handler with SA_SIGINFO gets the same
 * siginfo. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD ((void *)0xc0000000)        /* the kernel's half */

static const char *code_name(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_KERNEL: return "SI_KERNEL";
    case SI_QUEUE: return "SI_QUEUE";
    default: return "other";
    }
}

static const char *cld_name(int code)
{
    switch (code) {
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    default: return "other";
    }
}

static void show(const char *what, int sig, const siginfo_t *si, pid_t from)
{
    if (sig < 0) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: %s, si_signo %d, %s, %s, uid %s\n", what, strsignal(sig), si->si_signo,
           code_name(si->si_code), si->si_pid == from ? "from the sender" : "pid other",
           si->si_uid == getuid() ? "ours" : "other");
}

static int handled;

static void handler(int sig)
{
    handled = sig;
}

static siginfo_t caught;

static void info_handler(int sig, siginfo_t *si, void *context)
{
    (void)sig;
    (void)context;
    caught = *si;
}

static pid_t child_ending(int status)
{
    pid_t c = fork();

    if (c == 0)
        _exit(status);
    return c;
}

static long wait_raw(const sigset_t *set, siginfo_t *si, const struct timespec *ts, long size)
{
    return syscall(SYS_rt_sigtimedwait, set, si, ts, size);
}

int main(void)
{
    sigset_t usr, pending;
    siginfo_t si;
    struct timespec zero = { 0, 0 }, short_wait = { 0, 50000000 }, bad_ns = { 0, 1000000000 },
                    neg = { -1, 0 };
    int sig;

    setvbuf(stdout, NULL, _IONBF, 0);
    sigemptyset(&usr);
    sigaddset(&usr, SIGUSR1);
    sigaddset(&usr, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr, NULL);

    /* kill: SI_USER from ourselves */
    kill(getpid(), SIGUSR1);
    memset(&si, 0xff, sizeof si);
    sig = sigwaitinfo(&usr, &si);
    show("kill", sig, &si, getpid());
    /* tgkill: SI_TKILL */
    syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2);
    memset(&si, 0xff, sizeof si);
    sig = sigtimedwait(&usr, &si, &zero);
    show("tgkill", sig, &si, getpid());
    /* two pending: the lower number first */
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    sig = sigwaitinfo(&usr, &si);
    printf("two pending: %s first", strsignal(sig));
    sig = sigwaitinfo(&usr, &si);
    printf(", then %s\n", strsignal(sig));
    /* a synchronous signal (a fault's) first, whatever its number */
    sigset_t two;
    sigemptyset(&two);
    sigaddset(&two, SIGINT);
    sigaddset(&two, SIGTRAP);
    sigprocmask(SIG_BLOCK, &two, NULL);
    kill(getpid(), SIGINT);
    kill(getpid(), SIGTRAP);
    sig = sigwaitinfo(&two, &si);
    printf("INT and TRAP pending: %s first", strsignal(sig));
    sig = sigwaitinfo(&two, &si);
    printf(", then %s\n", strsignal(sig));
    /* sigwait: the number */
    raise(SIGUSR1);
    printf("sigwait: %d, sig %s\n", sigwait(&usr, &sig), strsignal(sig));
    /* nothing pending: a poll, a timeout */
    printf("poll: %d (%s)\n", sigtimedwait(&usr, &si, &zero), strerror(errno));
    printf("timeout: %d (%s)\n", sigtimedwait(&usr, &si, &short_wait), strerror(errno));
    /* the older call with its 32-bit timespec */
    printf("rt_sigtimedwait poll: %ld (%s)\n", wait_raw(&usr, &si, &zero, 8), strerror(errno));
    kill(getpid(), SIGUSR2);
    printf("rt_sigtimedwait: %ld\n", wait_raw(&usr, NULL, NULL, 8));

    /* errors */
    printf("set size 4: %ld (%s)\n", wait_raw(&usr, &si, &zero, 4), strerror(errno));
    printf("set size 16: %ld (%s)\n", wait_raw(&usr, &si, &zero, 16), strerror(errno));
    printf("bad set: %ld (%s)\n", wait_raw(BAD, &si, &zero, 8), strerror(errno));
    printf("bad timeout: %ld (%s)\n", wait_raw(&usr, &si, BAD, 8), strerror(errno));
    printf("tv_nsec 1e9: %d (%s)\n", sigtimedwait(&usr, &si, &bad_ns), strerror(errno));
    printf("tv_sec -1: %d (%s)\n", sigtimedwait(&usr, &si, &neg), strerror(errno));
    kill(getpid(), SIGUSR1);
    printf("tv_nsec 1e9, one pending: %d (%s)\n", sigtimedwait(&usr, &si, &bad_ns), strerror(errno));
    printf("bad siginfo: %ld (%s)\n", wait_raw(&usr, BAD, &zero, 8), strerror(errno));
    sigpending(&pending);
    printf("after it, USR1 pending: %d\n", sigismember(&pending, SIGUSR1));

    /* a blocked signal that is ignored is still waited for */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigaddset(&chld, SIGWINCH);
    sigaddset(&chld, SIGTERM);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    signal(SIGTERM, SIG_IGN);
    kill(getpid(), SIGWINCH);
    kill(getpid(), SIGTERM);
    sig = sigwaitinfo(&chld, &si);
    printf("blocked, ignored: %s", strsignal(sig));
    sig = sigwaitinfo(&chld, &si);
    printf(", %s\n", strsignal(sig));
    signal(SIGTERM, SIG_DFL);

    /* SIGCHLD: the child's status */
    pid_t child = child_ending(3);
    memset(&si, 0xff, sizeof si);
    sig = sigwaitinfo(&chld, &si);
    printf("child exited: %s, %s, status %d, %s\n", strsignal(sig), cld_name(si.si_code),
           si.si_status, si.si_pid == child ? "its pid" : "pid other");
    waitpid(child, NULL, 0);
    child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    kill(child, SIGKILL);
    sig = sigwaitinfo(&chld, &si);
    printf("child killed: %s, %s, status %d, %s\n", strsignal(sig), cld_name(si.si_code),
           si.si_status, si.si_pid == child ? "its pid" : "pid other");
    waitpid(child, NULL, 0);

    /* the interval timer's SIGALRM: SI_KERNEL */
    sigset_t alrm;
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    sigprocmask(SIG_BLOCK, &alrm, NULL);
    struct itimerval it = { { 0, 0 }, { 0, 20000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    sig = sigwaitinfo(&alrm, &si);
    printf("timer: %s, %s\n", strsignal(sig), code_name(si.si_code));

    /* one sent by another process while we wait */
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        usleep(100000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct timespec long_wait = { 10, 0 };
    memset(&si, 0xff, sizeof si);
    sig = sigtimedwait(&usr, &si, &long_wait);
    show("sent while waiting", sig, &si, child);
    waitpid(child, NULL, 0);
    sigwaitinfo(&chld, &si);

    /* a signal outside the set, with a handler, ends the wait: EINTR after the handler */
    signal(SIGHUP, handler);
    child = fork();
    if (child == 0) {
        usleep(100000);
        kill(parent, SIGHUP);
        _exit(0);
    }
    errno = 0;
    sig = sigtimedwait(&usr, &si, &long_wait);
    printf("other signal: %d (%s), handler ran for %s\n", sig, strerror(errno),
           handled ? strsignal(handled) : "none");
    waitpid(child, NULL, 0);
    /* a blocked one outside the set does not end it */
    sigset_t hup;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    sigprocmask(SIG_BLOCK, &hup, NULL);
    kill(getpid(), SIGHUP);
    printf("blocked outside the set: %d (%s)\n", sigtimedwait(&usr, &si, &short_wait), strerror(errno));
    printf("it waits still: %d\n", sigtimedwait(&hup, &si, &zero));

    /* a handler with SA_SIGINFO: the same siginfo */
    while (sigtimedwait(&chld, &si, &zero) > 0)
        ;                                       /* (the children's SIGCHLD so far) */
    struct sigaction sa = { .sa_sigaction = info_handler, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sigprocmask(SIG_UNBLOCK, &usr, NULL);
    kill(getpid(), SIGUSR1);
    show("handler, kill", caught.si_signo, &caught, getpid());
    memset(&caught, 0, sizeof caught);
    child = child_ending(6);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    while (!caught.si_signo)
        pause();
    printf("handler, child: %s, %s, status %d, %s\n", strsignal(caught.si_signo),
           cld_name(caught.si_code), caught.si_status, caught.si_pid == child ? "its pid" : "pid other");
    waitpid(child, NULL, 0);
    return 0;
}
