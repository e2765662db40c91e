/* SIGPIPE and EPIPE as Linux gives them: a write to a pipe nobody reads kills the writer with
 * SIGPIPE; ignored, the write fails with EPIPE; blocked, it fails with EPIPE and the signal
 * stays pending; caught, the handler runs and the write fails with EPIPE.  The same for a writer
 * blocked on a full pipe when the reader goes. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int caught;

static void on_pipe(int sig)
{
    caught = sig;
}

/* In a child: `how` SIGPIPE, then write to a pipe whose reader is gone (or goes while we wait on
 * a full pipe, `full`); report the write's result. */
static void run(const char *how, int full)
{
    int fd[2], status;
    pid_t pid;

    pipe(fd);
    pid = fork();
    if (pid == 0) {
        char buf[4096];
        sigset_t set;
        memset(buf, 'x', sizeof buf);
        close(fd[0]);
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        if (!strcmp(how, "ignored"))
            signal(SIGPIPE, SIG_IGN);
        else if (!strcmp(how, "blocked"))
            sigprocmask(SIG_BLOCK, &set, NULL);
        else if (!strcmp(how, "caught"))
            signal(SIGPIPE, on_pipe);
        ssize_t n = 0, total = 0;
        if (!full)
            usleep(100000);                     /* the reader is gone by then */
        while ((n = write(fd[1], buf, sizeof buf)) > 0)
            total += n;
        int err = errno;
        sigset_t pending;
        sigpending(&pending);
        printf("%s%s: write %s after %s, caught %d, pending %d\n", how, full ? " on a full pipe" : "",
               n < 0 ? strerror(err) : "0", total ? "some data" : "none", caught,
               sigismember(&pending, SIGPIPE));
        fflush(stdout);
        _exit(0);
    }
    close(fd[1]);
    if (full)
        usleep(200000);                         /* let it fill the pipe and wait */
    close(fd[0]);
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("%s%s: killed by signal %d\n", how, full ? " on a full pipe" : "", WTERMSIG(status));
}

int main(void)
{
    const char *hows[] = { "default", "ignored", "blocked", "caught" };

    setvbuf(stdout, NULL, _IONBF, 0);
    for (int full = 0; full < 2; full++)
        for (unsigned i = 0; i < 4; i++)
            run(hows[i], full);
    return 0;
}
