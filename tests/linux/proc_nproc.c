/* RLIMIT_NPROC: a user's processes (its zombies too) against the limit at fork, EAGAIN beyond
 * it; root is not held to it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Fork children that wait for a byte until fork fails: how many, and the error. */
static void forks(const char *who)
{
    int gate[2], made = 0;
    pid_t kids[20];

    pipe(gate);
    for (; made < 20; made++) {
        kids[made] = fork();
        if (kids[made] < 0)
            break;
        if (kids[made] == 0) {
            char c;
            close(gate[1]);
            read(gate[0], &c, 1);
            _exit(0);
        }
    }
    printf("%s: %d forks, then %s\n", who, made, made < 20 ? strerror(errno) : "none refused");
    close(gate[1]);
    for (int i = 0; i < made; i++)
        waitpid(kids[i], NULL, 0);
    close(gate[0]);
}

int main(void)
{
    struct rlimit rl = { 5, 5 };

    setrlimit(RLIMIT_NPROC, &rl);
    forks("root with a limit of 5");
    if (fork() == 0) {
        setuid(4321);                           /* a user with no other process */
        forks("user 4321 with a limit of 5");
        /* a zombie counts until it is reaped */
        pid_t z = fork();
        if (z == 0)
            _exit(0);
        usleep(200000);
        forks("with one zombie");
        waitpid(z, NULL, 0);
        forks("once it is reaped");
        rl.rlim_cur = 2;
        setrlimit(RLIMIT_NPROC, &rl);
        forks("with the limit lowered to 2");
        _exit(0);
    }
    wait(NULL);
    return 0;
}
