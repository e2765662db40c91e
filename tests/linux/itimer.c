/* Time as Linux keeps it for a process: alarm and ITIMER_REAL deliver SIGALRM when due (and
 * again after the interval), are not inherited by fork, and end the process by default;
 * nanosleep interrupted by a signal gives the time that was left; clock_nanosleep with
 * TIMER_ABSTIME; the wall clock after 2020, settable by root. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static const char *within(double v, double lo, double hi)
{
    return v >= lo && v <= hi ? "as asked" : "wrong";
}

int main(void)
{
    struct sigaction sa;
    struct itimerval it, old;
    double t0;

    setvbuf(stdout, NULL, _IONBF, 0);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;                   /* no SA_RESTART: calls end with EINTR */
    sigaction(SIGALRM, &sa, NULL);

    t0 = mono();
    alarm(1);
    pause();
    printf("alarm(1): %d SIGALRM after a time %s\n", alarms, within(mono() - t0, 0.9, 1.6));

    printf("alarm(5) then alarm(0): %u left\n", (alarm(5), alarm(0)));

    memset(&it, 0, sizeof it);
    it.it_value.tv_usec = 100000;
    it.it_interval.tv_usec = 100000;
    alarms = 0;
    t0 = mono();
    setitimer(ITIMER_REAL, &it, NULL);
    while (alarms < 5)
        pause();
    printf("ITIMER_REAL every 0.1 s: 5 signals after a time %s\n", within(mono() - t0, 0.45, 1.2));
    getitimer(ITIMER_REAL, &old);
    printf("getitimer: interval %ld.%06ld, value %s\n", (long)old.it_interval.tv_sec,
           (long)old.it_interval.tv_usec, old.it_value.tv_usec <= 100000 ? "at most the interval" : "wrong");
    memset(&it, 0, sizeof it);
    setitimer(ITIMER_REAL, &it, &old);
    getitimer(ITIMER_REAL, &old);
    printf("stopped: value %ld.%06ld\n", (long)old.it_value.tv_sec, (long)old.it_value.tv_usec);

    /* not inherited; the default action ends the process */
    alarm(10);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: alarm left %u\n", alarm(0));
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        pause();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("child with alarm(1): %s %d\n", WIFSIGNALED(status) ? "killed by signal" : "exited",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    alarm(0);

    /* nanosleep interrupted: EINTR with the rest */
    struct timespec req = { 3, 0 }, rem = { 0, 0 };
    it.it_value.tv_sec = 0;
    it.it_value.tv_usec = 500000;
    setitimer(ITIMER_REAL, &it, NULL);
    int r = nanosleep(&req, &rem);
    printf("nanosleep(3 s) with SIGALRM at 0.5 s: %d %s, left %s\n", r, r ? strerror(errno) : "",
           within(rem.tv_sec + rem.tv_nsec / 1e9, 2.2, 2.6));

    /* TIMER_ABSTIME on the monotonic clock */
    struct timespec at, gone;
    clock_gettime(CLOCK_MONOTONIC, &at);
    gone = at;                          /* in the past by the time it is used, never negative */
    t0 = at.tv_sec + at.tv_nsec / 1e9;
    at.tv_nsec += 300000000;
    if (at.tv_nsec >= 1000000000) {
        at.tv_sec++;
        at.tv_nsec -= 1000000000;
    }
    r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
    printf("clock_nanosleep to now + 0.3 s: %d, woke after a time %s\n", r, within(mono() - t0, 0.29, 0.6));
    printf("clock_nanosleep to a time gone: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &gone, NULL));
    req.tv_sec = 0;
    req.tv_nsec = 1000000000;
    printf("nanosleep with 1e9 ns: %d %s\n", nanosleep(&req, NULL), strerror(errno));

    /* the wall clock */
    struct timespec now, res;
    clock_gettime(CLOCK_REALTIME, &now);
    printf("CLOCK_REALTIME after 2020: %s\n", now.tv_sec > 1577836800 ? "yes" : "no");
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("CLOCK_MONOTONIC resolution at most 1 ms: %s\n", res.tv_sec == 0 && res.tv_nsec <= 1000000 ? "yes" : "no");
    printf("clock 99: %d %s\n", clock_gettime(99, &now), strerror(errno));
    struct timespec set = { 1700000000, 0 };
    if (clock_settime(CLOCK_REALTIME, &set))
        perror("clock_settime");
    clock_gettime(CLOCK_REALTIME, &now);
    printf("set to 1700000000: reads %s\n", now.tv_sec >= 1700000000 && now.tv_sec <= 1700000002 ? "that" : "wrong");
    struct timeval tv;
    gettimeofday(&tv, NULL);
    printf("gettimeofday agrees: %s\n", tv.tv_sec >= 1700000000 && tv.tv_sec <= 1700000002 ? "yes" : "no");
    tv.tv_sec = 1800000000;
    tv.tv_usec = 0;
    settimeofday(&tv, NULL);
    clock_gettime(CLOCK_REALTIME, &now);
    printf("settimeofday 1800000000: reads %s\n", now.tv_sec >= 1800000000 && now.tv_sec <= 1800000002 ? "that" : "wrong");
    return 0;
}
