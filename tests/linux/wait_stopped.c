/* Job control as Linux does it for a parent: a child stopped by SIGSTOP or SIGTSTP does not run
 * until SIGCONT; wait4 reports the stop with WUNTRACED and the continue with WCONTINUED (not
 * without them), SIGCHLD comes for both unless SA_NOCLDSTOP; a stopped child waiting in a call
 * finishes it after SIGCONT; signals wait while it is stopped, SIGKILL ends it.  Each child leads a group of its own:
 * Linux discards SIGTSTP for a group with no parent in another group of the session (an orphaned
 * group), which the test's own may be. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int chld;

static void on_chld(int sig)
{
    (void)sig;
    chld++;
}

static void on_usr1(int sig)
{
    (void)sig;
    _exit(7);
}

static void show(const char *what, pid_t pid, pid_t got, int status)
{
    printf("%s: ", what);
    if (got != pid)
        printf("wait4 gave %d (%s)\n", got, got < 0 ? strerror(errno) : "not the child");
    else if (WIFSTOPPED(status))
        printf("stopped by %d\n", WSTOPSIG(status));
    else if (WIFCONTINUED(status))
        printf("continued\n");
    else if (WIFSIGNALED(status))
        printf("killed by %d\n", WTERMSIG(status));
    else
        printf("exited %d\n", WEXITSTATUS(status));
}

int main(void)
{
    int fd[2], status;
    char c;

    setvbuf(stdout, NULL, _IONBF, 0);
    alarm(30);                                  /* a wait that never ends fails the test */
    signal(SIGCHLD, on_chld);
    pipe(fd);
    /* a child that writes a byte a tenth of a second for ever */
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        close(fd[0]);
        for (;;) {
            write(fd[1], "x", 1);
            usleep(100000);
        }
    }
    setpgid(pid, pid);
    close(fd[1]);
    read(fd[0], &c, 1);
    kill(pid, SIGSTOP);
    show("SIGSTOP, WUNTRACED", pid, waitpid(pid, &status, WUNTRACED), status);
    printf("SIGCHLD for the stop: %s\n", chld ? "yes" : "no");
    /* stopped: it writes nothing */
    struct timespec t = { 0, 400000000 };
    nanosleep(&t, NULL);
    int n = 0;
    {

        fcntl(fd[0], F_SETFL, O_NONBLOCK);
        while (read(fd[0], &c, 1) == 1)
            n++;
    }
    printf("bytes while stopped (after the one in the pipe before): %s\n", n <= 1 ? "none" : "some");
    printf("WNOHANG without WUNTRACED: %d\n", waitpid(pid, &status, WNOHANG));
    chld = 0;
    kill(pid, SIGCONT);
    show("SIGCONT, WCONTINUED", pid, waitpid(pid, &status, WCONTINUED), status);
    printf("SIGCHLD for the continue: %s\n", chld ? "yes" : "no");
    nanosleep(&t, NULL);
    n = 0;
    while (read(fd[0], &c, 1) == 1)
        n++;
    printf("bytes after SIGCONT: %s\n", n >= 2 ? "some" : "none");
    kill(pid, SIGTSTP);
    show("SIGTSTP, WUNTRACED", pid, waitpid(pid, &status, WUNTRACED), status);
    kill(pid, SIGKILL);
    show("SIGKILL while stopped", pid, waitpid(pid, &status, 0), status);

    /* a child stopped in nanosleep finishes its sleep after SIGCONT */
    pid = fork();
    if (pid == 0) {
        struct timespec s = { 0, 300000000 };
        int r = nanosleep(&s, NULL);
        printf("child: nanosleep returned %d\n", r);
        _exit(5);
    }
    nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    kill(pid, SIGSTOP);
    show("stopped in nanosleep", pid, waitpid(pid, &status, WUNTRACED), status);
    nanosleep(&(struct timespec){ 0, 500000000 }, NULL);
    kill(pid, SIGCONT);
    show("then continued", pid, waitpid(pid, &status, 0), status);

    /* SA_NOCLDSTOP: no SIGCHLD for stops */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, NULL);
    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    chld = 0;
    kill(pid, SIGSTOP);
    show("SA_NOCLDSTOP, stopped", pid, waitpid(pid, &status, WUNTRACED), status);
    printf("SIGCHLD for it: %s\n", chld ? "yes" : "no");
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);

    /* a caught signal waits while the child is stopped, and so does one that ends it */
    signal(SIGCHLD, SIG_DFL);
    pid = fork();
    if (pid == 0) {
        signal(SIGUSR1, on_usr1);
        for (;;)
            pause();
    }
    setpgid(pid, pid);
    nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    kill(pid, SIGSTOP);
    waitpid(pid, &status, WUNTRACED);
    kill(pid, SIGUSR1);
    nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
    printf("SIGUSR1 while stopped, its handler has not run: %d\n", waitpid(pid, &status, WNOHANG));
    kill(pid, SIGCONT);
    show("then SIGCONT", pid, waitpid(pid, &status, 0), status);
    pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
    kill(pid, SIGSTOP);
    waitpid(pid, &status, WUNTRACED);
    kill(pid, SIGTERM);
    nanosleep(&(struct timespec){ 0, 200000000 }, NULL);
    printf("SIGTERM while stopped waits: %d\n", waitpid(pid, &status, WNOHANG));
    kill(pid, SIGCONT);
    show("then SIGCONT", pid, waitpid(pid, &status, 0), status);
    return 0;
}
