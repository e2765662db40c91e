/*
 * sched_yield hands the processor to the other ready processes of the caller's priority: a child
 * that writes one byte into a pipe per turn gets a turn for (about) every yield of its parent.
 * Prints how many turns the child had while the parent yielded 100 times.
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fd[2], turns = 0;
    char buf[64];
    ssize_t n;
    pid_t child;

    if (pipe(fd) < 0)
        return 1;
    child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        close(fd[0]);
        for (;;) {
            if (write(fd[1], "x", 1) != 1)
                _exit(1);
            sched_yield();
        }
    }
    close(fd[1]);
    for (int i = 0; i < 100; i++)
        sched_yield();
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    while ((n = read(fd[0], buf, sizeof buf)) > 0)
        turns += (int)n;
    printf("child turns during 100 yields: %d\n", turns);
    return 0;
}
