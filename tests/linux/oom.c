/*
 * oom: run the server's memory pool dry and see who pays.  The parent maps 8 MiB without
 * touching it and forks a child that takes memory until it is refused, tells the parent, and
 * waits.  The parent then touches its 8 MiB: there is no memory left for it, so the largest
 * process (the child) must be killed, not the parent that faulted, and the parent goes on.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PARENT_BYTES (8u << 20)

int main(void)
{
    int ready[2], status;
    char *mine = mmap(NULL, PARENT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (mine == MAP_FAILED || pipe(ready)) {
        perror("oom");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    pid_t child = fork();
    if (child == 0) {
        close(ready[0]);
        for (;;) {
            char *p = malloc(1 << 20);
            if (!p)
                break;
            memset(p, 1, 1 << 20);
        }
        write(ready[1], "x", 1);
        for (;;)
            pause();
    }
    close(ready[1]);
    char c;
    read(ready[0], &c, 1);                      /* refused (or already killed: end of file) */
    memset(mine, 2, PARENT_BYTES);
    printf("parent touched %u MiB\n", PARENT_BYTES >> 20);
    if (waitpid(child, &status, WNOHANG) == 0) {
        kill(child, SIGTERM);                   /* still there: nobody was killed for us */
        waitpid(child, &status, 0);
    }
    if (WIFSIGNALED(status))
        printf("child ended by signal %d\n", WTERMSIG(status));
    else
        printf("child exited with %d\n", WEXITSTATUS(status));
    return 0;
}
