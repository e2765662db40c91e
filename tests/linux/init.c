/* The first process: runs the lines of /etc/autorun one after another, reports how each ended,
 * then stays, reaping orphans.  The host starts its own shells beside it (SHELL). */
#include <fcntl.h>
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

int main(void)
{
    char buf[512];
    int fd = open("/etc/autorun", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (n > 0) {
        buf[n] = 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
            run(line);
    }
    /* stay, as init does: reap whatever is left to us */
    for (;;)
        if (wait(NULL) < 0)
            pause();
}
