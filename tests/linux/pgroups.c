/*
 * Process groups and sessions: setpgid, getpgid, getpgrp, setsid and getsid, kill to a group,
 * and waitpid for a group.  Prints relations, not numbers: process IDs differ from kernel to
 * kernel.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *yes(int b)
{
    return b ? "yes" : "no";
}

static const char *err(int v)
{
    return v == 0 ? "ok" : strerror(errno);
}

static pid_t child(void (*body)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        body();
        _exit(0);
    }
    return pid;
}

static void wait_for_signal(void)
{
    setpgid(0, 0);
    for (;;)
        pause();
}

static void sleeper(void)
{
    for (;;)
        pause();
}

static void session_leader(void)
{
    pid_t me = getpid();
    printf("setsid gives our pid: %s\n", yes(setsid() == me));
    printf("now our own group and session: %s\n", yes(getpgrp() == me && getsid(0) == me));
    printf("setpgid as a session leader: %s\n", err(setpgid(0, 0)));
    printf("setsid again: %s\n", err(setsid() < 0 ? -1 : 0));
    fflush(stdout);
}

static void exit_three(void)
{
    _exit(3);
}

int main(void)
{
    pid_t me = getpid(), a, b, c, d, w;
    int status, n = 0;

    printf("getpgrp is getpgid(0): %s\n", yes(getpgrp() == getpgid(0)));
    printf("getpgid(our pid) is getpgrp: %s\n", yes(getpgid(me) == getpgrp()));
    printf("getsid(0) is getsid(our pid): %s\n", yes(getsid(0) == getsid(me)));
    printf("getpgid of nobody: %s\n", err(getpgid(999999) < 0 ? -1 : 0));
    printf("setpgid of a process not ours: %s\n", err(setpgid(1, 1)));
    printf("kill(0, 0) to our own group: %s\n", err(kill(0, 0)));

    /* a new group of two: A leads it, B joins */
    a = child(wait_for_signal);
    printf("setpgid(A, A): %s\n", err(setpgid(a, a)));
    printf("A leads its group: %s\n", yes(getpgid(a) == a));
    b = child(sleeper);
    printf("setpgid(B, A): %s\n", err(setpgid(b, a)));
    printf("B in A's group: %s\n", yes(getpgid(b) == a));
    printf("A's group is not ours: %s\n", yes(getpgid(a) != getpgrp()));
    printf("kill(-A, SIGTERM): %s\n", err(kill(-a, SIGTERM)));
    while ((w = waitpid(-a, &status, 0)) > 0)
        if ((w == a || w == b) && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)
            n++;
    printf("waitpid(-A) reaped both, killed by SIGTERM: %s\n", yes(n == 2));
    printf("then: %s\n", strerror(errno));
    printf("kill to the empty group: %s\n", err(kill(-a, SIGTERM)));

    /* a new session */
    c = child(session_leader);
    waitpid(c, &status, 0);
    printf("the session leader exited 0: %s\n", yes(WIFEXITED(status) && WEXITSTATUS(status) == 0));

    /* waitpid(0): a child of our own group */
    d = child(exit_three);
    w = waitpid(0, &status, 0);
    printf("waitpid(0) got it, status 3: %s\n", yes(w == d && WIFEXITED(status) && WEXITSTATUS(status) == 3));
    return 0;
}
