/* Orphaned process groups: a stopped group that its last link to the session leaves (the
 * parent in another group exits) gets SIGHUP and SIGCONT; in an orphaned group SIGTSTP, SIGTTIN
 * and SIGTTOU no longer stop anyone, SIGSTOP still does.  What each process saw goes through a
 * pipe to the top, which prints it in order. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int out;

static void note(const char *text)
{
    write(out, text, strlen(text));
}

static void on_hup(int sig)
{
    (void)sig;
    note("grandchild: SIGHUP\n");
}

static void on_cont(int sig)
{
    (void)sig;
    note("grandchild: SIGCONT\n");
}

int main(void)
{
    int fds[2];
    char buf[512];
    ssize_t n;

    pipe(fds);
    out = fds[1];
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        pid_t g = fork();
        if (g == 0) {
            struct sigaction sa = { .sa_handler = on_hup };
            sigaction(SIGHUP, &sa, NULL);
            sa.sa_handler = on_cont;
            sigaction(SIGCONT, &sa, NULL);
            setpgid(0, 0);                      /* a group of its own, linked by its parent */
            raise(SIGTSTP);                     /* not orphaned yet: it stops */
            note("grandchild: running again\n");
            raise(SIGTSTP);                     /* orphaned now: discarded */
            raise(SIGTTIN);
            raise(SIGTTOU);
            note("grandchild: SIGTSTP, SIGTTIN, SIGTTOU did not stop it\n");
            _exit(0);
        }
        int status;
        waitpid(g, &status, WUNTRACED);
        note(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP ? "child: grandchild stopped by SIGTSTP\n"
                                                                 : "child: grandchild not stopped\n");
        _exit(0);                               /* its group loses its link: orphaned */
    }
    close(fds[1]);
    waitpid(child, NULL, 0);
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)n, stdout);

    /* SIGHUP's default action ends a stopped process of a group orphaned this way */
    pipe(fds);
    child = fork();
    if (child == 0) {
        close(fds[0]);
        pid_t g = fork();
        if (g == 0) {
            setpgid(0, 0);
            raise(SIGSTOP);
            _exit(0);
        }
        waitpid(g, NULL, WUNTRACED);
        dprintf(fds[1], "%d\n", g);
        _exit(0);
    }
    close(fds[1]);
    waitpid(child, NULL, 0);
    n = read(fds[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    pid_t g = atoi(buf);
    for (int i = 0; i < 100 && kill(g, 0) == 0; i++)
        usleep(20000);                          /* init reaps it once SIGHUP has ended it */
    printf("a stopped grandchild with SIGHUP's default action is gone: %s\n", kill(g, 0) ? "yes" : "no");
    return 0;
}
