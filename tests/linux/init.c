/* The first process: runs the lines of /etc/autorun one after another, reports how each ended,
 * then stays, reaping orphans.  The host starts its own shells beside it (SHELL). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run one line of /etc/autorun: a program's path, or, when there is a shell, any shell line. */
static void run(char *line)
{
    pid_t pid = fork();
    int status;
    char *path = line;

    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGCHLD, SIG_DFL);
        if (access("/bin/sh", X_OK) == 0) {
            char *argv[] = { "sh", "-c", line, NULL };
            execv("/bin/sh", argv);
        } else {
            char *argv[] = { path, NULL };
            execv(path, argv);
        }
        printf("init: cannot run %s\n", path);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        printf("init: fork or wait failed for %s\n", path);
        return;
    }
    if (WIFEXITED(status))
        printf("init: %s exited with %d\n", path, WEXITSTATUS(status));
    else
        printf("init: %s killed by signal %d\n", path, WTERMSIG(status));
}

static void on_child(int sig)
{
    (void)sig;
}

int main(void)
{
    char buf[512];
    sigset_t chld, none;

    /* SIGCHLD is blocked except inside sigsuspend: an orphan that dies between a look for
     * zombies and the wait for the next one still wakes us */
    signal(SIGCHLD, on_child);
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigemptyset(&none);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    int fd = open("/etc/autorun", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (n > 0) {
        buf[n] = 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            run(line);
    }
    /* stay, as init does: reap every orphan given to us, woken by SIGCHLD */
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        sigsuspend(&none);
    }
}
