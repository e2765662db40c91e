/*
 * fuzz [-n] [SEED] [CALLS]: hostile system calls.  CALLS (default 100,000) system calls with random
 * numbers (0..450 and ARM's private 0xf0000..0xf0010) and random arguments: small and negative
 * numbers, NULL, pointers into the kernel's half, into read-only code, to the edge of a mapped
 * buffer, into the buffer, huge lengths, paths.  Seeded: the same SEED makes the same calls.
 *
 * The calls run in children, up to BATCH each, so that a call that legitimately ends the process
 * (a bad mprotect, munmap of its own stack, a signal it sent itself, sigreturn into garbage)
 * ends one child only: the next child goes on after the last call the dead one started.  Not
 * made at all: exit, exit_group, execve and execveat, fork, vfork, clone and clone3, pause,
 * sigsuspend and rt_sigsuspend, reboot, and the module and kexec calls; kill, tkill and tgkill
 * only ever name the child itself or a pid that does not exist (never the parent, 0 or -1).  A
 * child that makes no progress for STALL_MS (a read of its own empty pipe, a long sleep) is
 * killed.  Each child's descriptors 0-2 are /dev/null; it never changes its working directory
 * (no chdir, fchdir, chroot), and the names it makes are there (a buffer byte is never '/' or
 * '.'), so the test can clean up with rm -r.  With -n it makes no names at all (no mkdir,
 * mknod, link, symlink, rename, unlink, rmdir, creat, bind, and open without O_CREAT): then
 * nothing of it stays in the file system and the server's memory must come back whole.
 *
 * Prints only a summary; exits 0 when every call was made.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#define BATCH       1000
#define STALL_MS    200
#define PROGRESS_FD 25                  /* the child's end of the progress pipe */
#define BUF_SIZE    16384

static uint32_t rng;

static uint32_t next(void)             /* xorshift32 */
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint8_t buf[BUF_SIZE] __attribute__((aligned(4096)));

/* The raw call: no C library in the way (a random set_tls would break its errno). */
static long raw(long nr, const long a[7])
{
    register long r0 __asm__("r0") = a[0];
    register long r1 __asm__("r1") = a[1];
    register long r2 __asm__("r2") = a[2];
    register long r3 __asm__("r3") = a[3];
    register long r4 __asm__("r4") = a[4];
    register long r5 __asm__("r5") = a[5];
    register long r6 __asm__("r6") = a[6];
    register long r7 __asm__("r7") = nr;

    __asm__ volatile("svc 0" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
                     : "memory");
    return r0;
}

static int no_names;                    /* -n */

static int skipped(long nr)
{
    switch (nr) {
    case __NR_chdir: case __NR_fchdir: case __NR_chroot:   /* the names stay where they are */
        return 1;
    case __NR_mkdir: case __NR_mkdirat: case __NR_mknod: case __NR_mknodat: case __NR_link:
    case __NR_linkat: case __NR_symlink: case __NR_symlinkat: case __NR_rename: case __NR_renameat:
    case __NR_renameat2: case __NR_unlink: case __NR_unlinkat: case __NR_rmdir: case __NR_creat:
    case __NR_bind:                                        /* (a socket's path) */
        return no_names;
    case __NR_exit: case __NR_exit_group:                  /* end the process */
    case __NR_execve: case __NR_execveat:                  /* replace it */
    case __NR_fork: case __NR_vfork: case __NR_clone: case __NR_clone3:
    case __NR_pause: case __NR_sigsuspend: case __NR_rt_sigsuspend:    /* wait for ever */
    case __NR_reboot: case __NR_kexec_load: case __NR_init_module: case __NR_finit_module:
    case __NR_delete_module:
        return 1;
    }
    return 0;
}

static const char *const paths[] = {
    "", "f", "d", "d/f", "f/x", "nonexistent/f", "/", "/proc", "/proc/self", "/proc/self/fd",
    "/proc/self/status", "/proc/1/cmdline", "/proc/self/fd/0", "/proc/nonexistent",
};

static long argument(long self)
{
    uint32_t r = next();

    switch (next() % 14) {
    case 0: return r % 40;                                  /* small: fds, flags, signals */
    case 1: return -(long)(r % 40) - 1;                     /* negative: bad fds, -errno */
    case 2: return (long)r;
    case 3: return (long)(buf + r % BUF_SIZE);              /* into the buffer */
    case 4: return (long)(buf + BUF_SIZE - r % 16);         /* across its end */
    case 5: return 0;
    case 6: return (long)(0xc0000000u | (r & 0x3fffffffu)); /* the kernel's half */
    case 7: return (long)0xffff0fe0u;                       /* the vectors page */
    case 8: return (long)(uintptr_t)raw;                    /* read-only code */
    case 9: {                                               /* huge lengths */
        static const uint32_t huge[] = { 0x7fffffff, 0xffffffff, 0x80000000, 1u << 20, 1u << 30, 4096 };
        return (long)huge[r % (sizeof huge / sizeof huge[0])];
    }
    case 10: return (long)paths[r % (sizeof paths / sizeof paths[0])];
    case 11: return self;
    case 12: return (long)(buf + (r % 64) * 256);           /* a random name in the buffer */
    default: return (long)(r & 0xffff);
    }
}

/* The call number and arguments of call `i`, the same for a seed whatever ran before. */
static long draw(uint32_t seed, uint32_t i, long self, long a[7])
{
    long nr;

    rng = seed * 2654435761u ^ (i + 1) * 40503u;
    if (!rng)
        rng = 1;
    for (int k = 0; k < 4; k++)
        next();
    do {
        nr = next() % 10 ? (long)(next() % 451) : (long)(0xf0000 + next() % 0x11);
    } while (skipped(nr));
    for (int k = 0; k < 7; k++)
        a[k] = argument(self);
    if (nr == __NR_kill || nr == __NR_tkill)
        a[0] = next() % 2 ? self : 40000 + (long)(next() % 10000);
    if (nr == __NR_tgkill)
        a[0] = a[1] = next() % 2 ? self : 40000 + (long)(next() % 10000);
    if (no_names && nr == __NR_open)
        a[1] &= ~(long)(O_CREAT | O_TMPFILE);
    if (no_names && nr == __NR_openat)
        a[2] &= ~(long)(O_CREAT | O_TMPFILE);
    /* fresh bytes for the buffer's names: never a '/' or '.', a NUL now and then */
    for (uint32_t k = 0, at = next() % (BUF_SIZE - 64); k < 64; k++) {
        uint8_t c = (uint8_t)next();
        buf[at + k] = c == '/' || c == '.' ? 'x' : c % 16 == 0 ? 0 : c;
    }
    return nr;
}

static void child(uint32_t seed, uint32_t first, uint32_t last)
{
    long self = raw(__NR_getpid, (long[7]){ 0 }), a[7];
    int null = open("/dev/null", O_RDWR);

    for (int fd = 0; fd < 3; fd++)
        dup2(null, fd);
    for (uint32_t i = first; i < last; i++) {
        long nr = draw(seed, i, self, a);
        long w[7] = { PROGRESS_FD, (long)&i, sizeof i };
        raw(__NR_write, w);                                 /* about to make call i */
        raw(nr, a);
    }
    raw(__NR_exit, (long[7]){ 0 });
}

static void sleep_ms(long ms)
{
    struct timespec t = { 0, ms * 1000000 };
    nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "-n")) {
        no_names = 1;
        argv++, argc--;
    }
    uint32_t seed = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 1;
    uint32_t calls = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 100000;
    uint32_t done = 0, children = 0, signalled = 0, stalled = 0;

    memset(buf, 'a', sizeof buf);
    while (done < calls) {
        uint32_t first = done, last = first + BATCH < calls ? first + BATCH : calls, seen = first;
        int p[2], status = 0, quiet = 0;
        if (pipe2(p, O_NONBLOCK) || dup2(p[1], PROGRESS_FD) < 0) {
            perror("fuzz: pipe");
            return 1;
        }
        close(p[1]);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fuzz: fork");
            return 1;
        }
        if (pid == 0) {
            close(p[0]);
            child(seed, first, last);
        }
        close(PROGRESS_FD);
        children++;
        for (;;) {
            uint32_t at[64];
            ssize_t n;
            while ((n = read(p[0], at, sizeof at)) > 0) {
                for (ssize_t k = 0; k < n / 4; k++)
                    if (at[k] >= seen && at[k] < last)      /* a stray write is no progress */
                        seen = at[k];
                quiet = 0;
            }
            if (waitpid(pid, &status, WNOHANG) == pid)
                break;
            if (++quiet * 20 > STALL_MS) {                  /* stuck in a call: end it */
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                stalled++;
                break;
            }
            sleep_ms(20);
        }
        close(p[0]);
        if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
            signalled++;
        done = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? last : seen + 1;
    }
    printf("fuzz%s: seed %u: %u calls in %u children (%u ended by a signal, %u stalled and killed)\n",
           no_names ? " -n" : "", seed, calls, children, signalled, stalled);
    return 0;
}
