/* A process waiting in the kernel can be ended in every state, and a caught signal ends the
 * wait with EINTR (nanosleep: with the time that was left).  Each child waits in one call; the
 * parent sends it SIGTERM (caught, or not) and reports how the wait and the child ended. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void on_term(int sig)
{
    (void)sig;
}

static const char *const states[] = { "pipe read", "pipe write", "wait4", "nanosleep", "pause",
                                      "sigsuspend" };

static int wait_in(int state)
{
    int fd[2];
    char buf[4096];
    struct timespec t = { 100, 0 }, rem = { 0, 0 };
    sigset_t none;

    pipe(fd);
    switch (state) {
    case 0:
        return (int)read(fd[0], buf, sizeof buf);
    case 1:
        memset(buf, 'x', sizeof buf);
        for (;;)
            if (write(fd[1], buf, sizeof buf) < 0)
                return -1;
    case 2:
        if (fork() == 0) {
            sleep(100);
            _exit(0);
        }
        return wait(NULL);
    case 3: {
        int r = nanosleep(&t, &rem);
        if (r < 0 && errno == EINTR)
            printf("  nanosleep: %s, time left %s\n", strerror(errno),
                   rem.tv_sec > 90 && rem.tv_sec < 100 ? "between 90 and 100 s" : "wrong");
        return r;
    }
    case 4:
        return pause();
    default:
        sigemptyset(&none);
        return sigsuspend(&none);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int caught = 0; caught < 2; caught++) {
        for (int s = 0; s < 6; s++) {
            int status;
            pid_t pid = fork();
            if (pid == 0) {
                setpgid(0, 0);                  /* its group: the wait4 state's child goes too */
                if (caught) {
                    struct sigaction sa;        /* no SA_RESTART: the call ends */
                    memset(&sa, 0, sizeof sa);
                    sa.sa_handler = on_term;
                    sigaction(SIGTERM, &sa, NULL);
                }
                int r = wait_in(s);
                printf("  %s ended: %d, %s\n", states[s], r, r < 0 ? strerror(errno) : "");
                _exit(3);
            }
            usleep(100000);
            kill(pid, SIGTERM);
            waitpid(pid, &status, 0);
            if (WIFSIGNALED(status))
                printf("%s: killed by signal %d\n", states[s], WTERMSIG(status));
            else
                printf("%s: exited %d\n", states[s], WEXITSTATUS(status));
            kill(-pid, SIGKILL);                /* what it left behind */
        }
    }
    /* SIGKILL through a blocked and caught SIGTERM */
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        pause();
        _exit(3);
    }
    int status;
    usleep(100000);
    kill(pid, SIGTERM);
    usleep(100000);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    printf("pause with SIGTERM blocked: killed by signal %d\n", WTERMSIG(status));
    return 0;
}
