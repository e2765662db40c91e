/* waitid: a child that exited or was killed (CLD_EXITED, CLD_KILLED: si_status, si_pid,
 * si_uid), stopped and continued (WSTOPPED, WCONTINUED: CLD_STOPPED, CLD_CONTINUED), by P_PID,
 * P_PGID (0: the caller's group) and P_ALL, WNOHANG with nothing to report (a zeroed siginfo),
 * WNOWAIT leaving the child to be waited for again, a wait that blocks until the child ends,
 * the rusage of the fifth argument, and the errors: options (EINVAL), idtype and id (EINVAL),
 * no such child (ECHILD), bad pointers (EFAULT). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD ((void *)0xc0000000)        /* the kernel's half */

static const char *code_name(int code)
{
    switch (code) {
    case 0: return "0";
    case CLD_EXITED: return "CLD_EXITED";
    case CLD_KILLED: return "CLD_KILLED";
    case CLD_DUMPED: return "CLD_DUMPED";
    case CLD_STOPPED: return "CLD_STOPPED";
    case CLD_CONTINUED: return "CLD_CONTINUED";
    default: return "other";
    }
}

/* The raw call, with its rusage argument (glibc's waitid passes NULL). */
static long waitid5(idtype_t type, id_t id, siginfo_t *si, int options, struct rusage *ru)
{
    return syscall(SYS_waitid, type, id, si, options, ru);
}

static void show(const char *what, long r, const siginfo_t *si, pid_t child)
{
    if (r < 0) {
        printf("%s: %s\n", what, strerror(errno));
        return;
    }
    printf("%s: %ld, signo %d, %s, status %d, %s, uid %s\n", what, r, si->si_signo,
           code_name(si->si_code), si->si_status,
           si->si_pid == child ? "pid ok" : si->si_pid == 0 ? "pid 0" : "pid other",
           si->si_uid == getuid() ? "ours" : "other");
}

static pid_t child_exiting(int status)
{
    pid_t c = fork();

    if (c == 0)
        _exit(status);
    return c;
}

static pid_t child_waiting(void)
{
    pid_t c = fork();

    if (c == 0) {
        for (;;)
            pause();
    }
    return c;
}

int main(void)
{
    siginfo_t si;
    struct rusage ru;
    pid_t c, d;

    setvbuf(stdout, NULL, _IONBF, 0);
    c = child_exiting(7);
    memset(&si, 0xff, sizeof si);
    show("P_PID exited", waitid(P_PID, c, &si, WEXITED), &si, c);

    /* WNOWAIT: reported, and again */
    c = child_exiting(5);
    memset(&si, 0xff, sizeof si);
    show("WNOWAIT", waitid(P_PID, c, &si, WEXITED | WNOWAIT), &si, c);
    show("again", waitid(P_ALL, 0, &si, WEXITED), &si, c);
    printf("then: %ld (%s)\n", (long)waitid(P_PID, c, &si, WEXITED), strerror(errno));

    /* WNOHANG, nothing yet: 0 and a zeroed siginfo */
    c = child_waiting();
    memset(&si, 0xff, sizeof si);
    show("WNOHANG", waitid(P_PID, c, &si, WEXITED | WNOHANG), &si, c);
    printf("WNOHANG, bad siginfo: %ld (%s)\n", waitid5(P_PID, c, BAD, WEXITED | WNOHANG, NULL),
           strerror(errno));
    printf("WNOHANG, no siginfo: %ld\n", waitid5(P_PID, c, NULL, WEXITED | WNOHANG, NULL));

    /* stopped and continued */
    kill(c, SIGSTOP);
    memset(&si, 0xff, sizeof si);
    show("WSTOPPED, WNOWAIT", waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), &si, c);
    show("WSTOPPED", waitid(P_PID, c, &si, WSTOPPED), &si, c);
    show("WSTOPPED again", waitid(P_PID, c, &si, WSTOPPED | WNOHANG), &si, c);
    kill(c, SIGCONT);
    show("WCONTINUED", waitid(P_PID, c, &si, WCONTINUED), &si, c);
    show("WCONTINUED again", waitid(P_PID, c, &si, WCONTINUED | WNOHANG), &si, c);
    /* killed, with the rusage */
    kill(c, SIGKILL);
    memset(&si, 0xff, sizeof si);
    memset(&ru, 0xff, sizeof ru);
    show("killed", waitid5(P_PID, c, &si, WEXITED, &ru), &si, c);
    printf("rusage filled: %d\n", ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
                                  ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000 &&
                                  ru.ru_nswap == 0);

    /* a wait that blocks until the child ends */
    c = fork();
    if (c == 0) {
        usleep(100000);
        _exit(42);
    }
    show("blocking", waitid(P_ALL, 0, &si, WEXITED), &si, c);

    /* a stop while the parent waits for stops only; then its end, with WSTOPPED too */
    c = fork();
    if (c == 0) {
        usleep(100000);
        raise(SIGSTOP);
        _exit(1);
    }
    show("waits for a stop", waitid(P_PID, c, &si, WSTOPPED), &si, c);
    kill(c, SIGCONT);
    show("then the end", waitid(P_PID, c, &si, WEXITED | WSTOPPED), &si, c);

    /* process groups: P_PGID of another group, and 0 for ours */
    c = fork();
    if (c == 0) {
        setpgid(0, 0);
        usleep(100000);
        _exit(11);
    }
    setpgid(c, c);
    d = child_exiting(12);
    show("P_PGID 0", waitid(P_PGID, 0, &si, WEXITED), &si, d);
    show("P_PGID child's", waitid(P_PGID, c, &si, WEXITED), &si, c);
    printf("P_PGID none: %ld (%s)\n", (long)waitid(P_PGID, c, &si, WEXITED), strerror(errno));

    /* errors */
    c = child_exiting(0);
    printf("no WEXITED etc: %ld (%s)\n", (long)waitid(P_PID, c, &si, WNOHANG), strerror(errno));
    printf("unknown option: %ld (%s)\n", (long)waitid(P_PID, c, &si, WEXITED | 0x100), strerror(errno));
    printf("idtype 7: %ld (%s)\n", waitid5(7, c, &si, WEXITED, NULL), strerror(errno));
    printf("P_PID 0: %ld (%s)\n", (long)waitid(P_PID, 0, &si, WEXITED), strerror(errno));
    printf("P_PID -1: %ld (%s)\n", waitid5(P_PID, -1, &si, WEXITED, NULL), strerror(errno));
    printf("P_PGID -1: %ld (%s)\n", waitid5(P_PGID, -1, &si, WEXITED, NULL), strerror(errno));
    printf("not a child: %ld (%s)\n", (long)waitid(P_PID, 1, &si, WEXITED), strerror(errno));
    printf("bad rusage: %ld (%s)\n", waitid5(P_PID, c, &si, WEXITED | WNOWAIT, BAD), strerror(errno));
    printf("bad siginfo: %ld (%s)\n", waitid5(P_PID, c, BAD, WEXITED, NULL), strerror(errno));
    printf("reaped by it: %ld (%s)\n", (long)waitid(P_PID, c, &si, WEXITED | WNOHANG), strerror(errno));
    memset(&si, 0xff, sizeof si);
    show("none at all", waitid(P_ALL, 0, &si, WEXITED), &si, 0);
    printf("siginfo after ECHILD: signo %d, code %d, pid %d\n", si.si_signo, si.si_code, si.si_pid);
    return 0;
}
