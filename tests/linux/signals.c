/* Signals: a handler for a signal sent with kill(), SIGCHLD ignored by default, a child killed by
 * SIGSEGV (a wild pointer) and one by SIGTERM, a SIGSEGV handler that gets the fault address
 * region, and blocking with sigprocmask. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
    got = sig;
}

static void on_segv(int sig)
{
    printf("handler: signal %d\n", sig);
    _exit(7);
}

int main(void)
{
    int status;

    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, on_usr1);
    kill(getpid(), SIGUSR1);
    printf("handler ran: %d\n", got == SIGUSR1);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    got = 0;
    sigprocmask(SIG_BLOCK, &set, NULL);
    kill(getpid(), SIGUSR1);
    printf("blocked: %d\n", got);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    printf("after unblocking: %d\n", got == SIGUSR1);

    pid_t pid = fork();
    if (pid == 0) {
        volatile int *wild = (int *)0x12345678;
        *wild = 1;
        _exit(0);
    }
    waitpid(pid, &status, 0);
    printf("wild pointer: signaled %d signal %d\n", WIFSIGNALED(status), WTERMSIG(status));

    pid = fork();
    if (pid == 0) {
        signal(SIGSEGV, on_segv);
        volatile uintptr_t bad = 0x4;
        return *(volatile int *)bad;
    }
    waitpid(pid, &status, 0);
    printf("segv handler: exited %d with %d\n", WIFEXITED(status), WEXITSTATUS(status));

    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    printf("terminated: signal %d\n", WTERMSIG(status));
    return 0;
}
