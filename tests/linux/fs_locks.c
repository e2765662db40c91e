/* Advisory locks: fcntl's record locks between a parent and a child (conflicts, F_GETLK's
 * answer, splitting and merging ranges, l_len 0 and negative, SEEK_CUR and SEEK_END, access
 * modes, POSIX's release on any close, F_SETLKW waiting, a signal ending it, deadlock
 * detection), the 64-bit structure beyond 4 GiB, OFD locks and flock(2). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *type_name(int t)
{
    return t == F_RDLCK ? "F_RDLCK" : t == F_WRLCK ? "F_WRLCK" : t == F_UNLCK ? "F_UNLCK" : "?";
}

static int lock(int fd, int cmd, int type, int whence, long start, long len)
{
    struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };

    return fcntl(fd, cmd, &fl);
}

static void set(const char *what, int fd, int cmd, int type, long start, long len)
{
    int r = lock(fd, cmd, type, SEEK_SET, start, len);

    printf("%-40s %s\n", what, r < 0 ? strerror(errno) : "ok");
}

/* What F_GETLK says of a lock of `type` over [start, start + len). */
static void query(const char *what, int fd, int type, long start, long len, pid_t holder)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

    if (fcntl(fd, F_GETLK, &fl) < 0)
        printf("%-40s %s\n", what, strerror(errno));
    else if (fl.l_type == F_UNLCK)
        printf("%-40s F_UNLCK\n", what);
    else
        printf("%-40s %s start %ld len %ld by %s\n", what, type_name(fl.l_type), (long)fl.l_start,
               (long)fl.l_len, fl.l_pid == holder ? "the holder" : fl.l_pid == -1 ? "-1" : "another");
}

static int to_child[2], to_parent[2];

static void say(int fd)
{
    char c = '.';
    write(fd, &c, 1);
}

static char hear(int fd)
{
    char c = 0;
    read(fd, &c, 1);
    return c;
}

static void on_alarm(int sig)
{
    (void)sig;
}

static void records(void)
{
    int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
    pid_t parent = getpid(), child;

    ftruncate(fd, 100);
    set("parent: F_WRLCK [10,19]", fd, F_SETLK, F_WRLCK, 10, 10);
    set("parent: F_RDLCK [30,39]", fd, F_SETLK, F_RDLCK, 30, 10);
    set("parent: its own lock again, as F_RDLCK", fd, F_SETLK, F_RDLCK, 12, 2);
    set("parent: and back to F_WRLCK", fd, F_SETLK, F_WRLCK, 12, 2);
    fflush(stdout);
    pipe(to_child);
    pipe(to_parent);
    child = fork();
    if (child == 0) {
        query("child: F_WRLCK [0,4]", fd, F_WRLCK, 0, 5, parent);
        query("child: F_WRLCK [15]", fd, F_WRLCK, 15, 1, parent);
        query("child: F_RDLCK [35]", fd, F_RDLCK, 35, 1, parent);
        query("child: F_WRLCK [35]", fd, F_WRLCK, 35, 1, parent);
        query("child: F_WRLCK from 0 to the end", fd, F_WRLCK, 0, 0, parent);
        set("child: F_SETLK F_WRLCK [12]", fd, F_SETLK, F_WRLCK, 12, 1);
        set("child: F_SETLK F_RDLCK [30,34]", fd, F_SETLK, F_RDLCK, 30, 5);
        set("child: F_SETLK F_WRLCK [40,49]", fd, F_SETLK, F_WRLCK, 40, 10);
        fflush(stdout);
        say(to_parent[1]);
        hear(to_child[0]);                      /* the parent split and merged its locks */
        query("child: F_WRLCK [10,19] after the split", fd, F_WRLCK, 10, 10, parent);
        query("child: F_WRLCK [14,15]", fd, F_WRLCK, 14, 2, parent);
        query("child: F_WRLCK [16]", fd, F_WRLCK, 16, 1, parent);
        query("child: F_WRLCK [25] after the merge", fd, F_WRLCK, 25, 1, parent);
        query("child: F_WRLCK [1000] (l_len 0 lock)", fd, F_WRLCK, 1000, 1, parent);
        query("child: F_WRLCK [3] (negative l_len)", fd, F_WRLCK, 3, 1, parent);
        query("child: F_WRLCK [90] (SEEK_END lock)", fd, F_WRLCK, 90, 1, parent);
        fflush(stdout);
        say(to_parent[1]);
        /* the parent holds [10,13]: wait for it */
        printf("%-40s %s\n", "child: F_SETLKW F_WRLCK [12]",
               lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 12, 1) < 0 ? strerror(errno) : "ok (after the parent let go)");
        fflush(stdout);
        say(to_parent[1]);
        hear(to_child[0]);
        query("child: F_WRLCK [0] after the parent's close", fd, F_WRLCK, 0, 0, parent);
        _exit(0);
    }
    hear(to_parent[0]);
    set("parent: F_UNLCK [14,15] (splits [10,19])", fd, F_SETLK, F_UNLCK, 14, 2);
    set("parent: F_WRLCK [20,28] (merges with it)", fd, F_SETLK, F_WRLCK, 20, 9);
    set("parent: F_WRLCK from 500, l_len 0", fd, F_SETLK, F_WRLCK, 500, 0);
    set("parent: F_WRLCK start 5, l_len -3", fd, F_SETLK, F_WRLCK, 5, -3);
    printf("%-40s %s\n", "parent: F_WRLCK SEEK_END -10, l_len 5",
           lock(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 5) < 0 ? strerror(errno) : "ok");
    lseek(fd, 60, SEEK_SET);
    printf("%-40s %s\n", "parent: F_RDLCK SEEK_CUR 0, l_len 2",
           lock(fd, F_SETLK, F_RDLCK, SEEK_CUR, 0, 2) < 0 ? strerror(errno) : "ok");
    query("parent: its own locks never conflict", fd, F_WRLCK, 10, 19, parent);
    fflush(stdout);
    say(to_child[1]);
    hear(to_parent[0]);
    usleep(200000);                             /* the child is waiting in F_SETLKW by now */
    set("parent: F_UNLCK [10,13]", fd, F_SETLK, F_UNLCK, 10, 4);
    fflush(stdout);
    hear(to_parent[0]);
    /* closing any descriptor of the file drops all of the process's locks on it */
    close(open("data", O_RDONLY));
    printf("parent: closed another descriptor of the file\n");
    fflush(stdout);
    say(to_child[1]);
    waitpid(child, NULL, 0);

    set("errors: F_WRLCK on O_RDONLY", open("data", O_RDONLY), F_SETLK, F_WRLCK, 0, 1);
    set("errors: F_RDLCK on O_WRONLY", open("data", O_WRONLY), F_SETLK, F_RDLCK, 0, 1);
    set("errors: l_type 7", fd, F_SETLK, 7, 0, 1);
    printf("%-40s %s\n", "errors: l_whence 9", lock(fd, F_SETLK, F_WRLCK, 9, 0, 1) < 0 ? strerror(errno) : "ok");
    set("errors: start -5", fd, F_SETLK, F_WRLCK, -5, 1);
    set("errors: start 2, l_len -5", fd, F_SETLK, F_WRLCK, 2, -5);
    set("errors: F_GETLK of F_UNLCK", fd, F_GETLK, F_UNLCK, 0, 1);
    set("errors: bad descriptor", 999, F_SETLK, F_WRLCK, 0, 1);
    printf("%-40s %s\n", "errors: bad address", fcntl(fd, F_SETLK, (void *)16) < 0 ? strerror(errno) : "ok");
    close(fd);
}

/* A wait ended by a signal, and two processes each waiting for the other's lock. */
static void waits(void)
{
    int fd = open("data", O_RDWR);
    pid_t child;
    char c;

    pipe(to_child);
    pipe(to_parent);
    lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
    child = fork();
    if (child == 0) {
        struct sigaction sa = { .sa_handler = on_alarm };
        struct itimerval it = { .it_value = { 0, 100000 } };
        sigaction(SIGALRM, &sa, NULL);
        setitimer(ITIMER_REAL, &it, NULL);
        printf("%-40s %s\n", "child: F_SETLKW, a signal comes",
               lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) < 0 ? strerror(errno) : "ok");
        /* deadlock: we hold [1], wait for [0]; the parent holds [0], waits for [1] */
        lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
        fflush(stdout);
        say(to_parent[1]);
        if (lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) < 0 && errno == EDEADLK) {
            c = 'D';
            lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 1, 1);
        } else {
            c = 'G';
        }
        write(to_parent[1], &c, 1);
        _exit(0);
    }
    hear(to_parent[0]);
    usleep(200000);
    int mine = lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1) < 0 && errno == EDEADLK;
    if (mine)
        lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
    c = hear(to_parent[0]);
    printf("%-40s %s\n", "deadlock: exactly one side told EDEADLK", mine != (c == 'D') ? "yes" : "no");
    waitpid(child, NULL, 0);
    close(fd);
}

/* struct flock64 reaches past 4 GiB; struct flock cannot tell such a lock. */
static void large(void)
{
    int fd = open("data", O_RDWR);
    struct flock64 fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5000000000LL, .l_len = 10 };
    pid_t child;

    printf("%-40s %s\n", "F_SETLK64 at 5,000,000,000", fcntl(fd, F_SETLK64, &fl) < 0 ? strerror(errno) : "ok");
    fflush(stdout);
    child = fork();
    if (child == 0) {
        struct flock64 q = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
        fcntl(fd, F_GETLK64, &q);
        printf("%-40s %s start %lld len %lld\n", "child: F_GETLK64", type_name(q.l_type),
               (long long)q.l_start, (long long)q.l_len);
        query("child: F_GETLK (32-bit)", fd, F_RDLCK, 0, 0, getppid());
        _exit(0);
    }
    waitpid(child, NULL, 0);
    close(fd);
}

/* Open-file-description locks: owned by the open file, so two opens in one process conflict. */
static void ofd(void)
{
    int a = open("data", O_RDWR), b = open("data", O_RDWR);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };

    printf("%-40s %s\n", "OFD: F_WRLCK [0,9] on one open", fcntl(a, F_OFD_SETLK, &fl) < 0 ? strerror(errno) : "ok");
    fl.l_start = 5;
    fl.l_len = 1;
    printf("%-40s %s\n", "OFD: the same on another open", fcntl(b, F_OFD_SETLK, &fl) < 0 ? strerror(errno) : "ok");
    fcntl(b, F_OFD_GETLK, &fl);
    printf("%-40s %s start %ld len %ld pid %d\n", "OFD: F_OFD_GETLK", type_name(fl.l_type),
           (long)fl.l_start, (long)fl.l_len, (int)fl.l_pid);
    set("OFD: a record lock beside it", b, F_SETLK, F_WRLCK, 5, 1);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 50, .l_len = 1, .l_pid = 7 };
    printf("%-40s %s\n", "OFD: l_pid not 0", fcntl(a, F_OFD_SETLK, &fl) < 0 ? strerror(errno) : "ok");
    close(b);
    b = open("data", O_RDWR);
    fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1 };
    printf("%-40s %s\n", "OFD: still held after another close", fcntl(b, F_OFD_SETLK, &fl) < 0 ? strerror(errno) : "ok");
    close(a);
    printf("%-40s %s\n", "OFD: free once its open is closed", fcntl(b, F_OFD_SETLK, &fl) < 0 ? strerror(errno) : "ok");
    close(b);
}

static void try_flock(const char *what, int fd, int op)
{
    printf("%-40s %s\n", what, flock(fd, op) < 0 ? strerror(errno) : "ok");
}

static void flocks(void)
{
    int a = open("data", O_RDONLY), b = open("data", O_RDONLY), c = open("data", O_RDONLY);
    pid_t child;

    try_flock("flock: LOCK_EX", a, LOCK_EX);
    try_flock("flock: LOCK_EX|LOCK_NB, another open", b, LOCK_EX | LOCK_NB);
    try_flock("flock: LOCK_SH|LOCK_NB, another open", b, LOCK_SH | LOCK_NB);
    set("flock: a record lock is apart", b, F_SETLK, F_RDLCK, 0, 0);
    try_flock("flock: LOCK_UN", a, LOCK_UN);
    try_flock("flock: LOCK_SH", b, LOCK_SH);
    try_flock("flock: LOCK_SH, a third open", c, LOCK_SH);
    try_flock("flock: LOCK_EX|LOCK_NB, the first", a, LOCK_EX | LOCK_NB);
    try_flock("flock: a dup's LOCK_UN", dup(b), LOCK_UN);
    try_flock("flock: then LOCK_EX|LOCK_NB on the third", c, LOCK_EX | LOCK_NB);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        try_flock("child: inherited, LOCK_EX|LOCK_NB on it", c, LOCK_EX | LOCK_NB);
        try_flock("child: LOCK_EX|LOCK_NB on the first", a, LOCK_EX | LOCK_NB);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    try_flock("flock: a bad operation", a, 3);
    try_flock("flock: a bad descriptor", 999, LOCK_SH);
    close(a);
    close(b);
    close(c);
}

int main(void)
{
    mkdir("/tmp/lk", 0755);
    chdir("/tmp/lk");
    setvbuf(stdout, NULL, _IOLBF, 0);
    records();
    waits();
    large();
    ofd();
    flocks();
    return 0;
}
