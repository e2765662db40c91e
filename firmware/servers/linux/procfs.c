/*
 * /proc, as much of it as programs ask for: /proc/self (a link to the caller's /proc/PID),
 * /proc/PID/{cmdline,comm,exe,stat,status}, /proc/meminfo and /proc/uptime.  Files are made
 * when opened, from the process table, in the formats Linux uses (proc(5)).
 */
#include "linux.h"
#include "vfs.h"


static const char *after(const char *s, const char *prefix)
{
    size_t n = strnlen(prefix, MAX_PATH);

    return memcmp(s, prefix, n) == 0 ? s + n : NULL;
}

static int same(const char *a, const char *b)
{
    size_t n = strnlen(b, MAX_PATH);

    return memcmp(a, b, n) == 0 && a[n] == 0;
}

/* The process a /proc path names, and the rest of the path after /proc/PID (or /proc/self). */
static struct proc *which(struct proc *self, const char *abs, const char **rest)
{
    const char *s = after(abs, "/proc/");
    int pid = 0;

    if (!s)
        return NULL;
    if (after(s, "self") && (s[4] == 0 || s[4] == '/')) {
        *rest = s + 4;
        return self;
    }
    if (*s < '0' || *s > '9')
        return NULL;
    while (*s >= '0' && *s <= '9')
        pid = pid * 10 + (*s++ - '0');
    if (*s && *s != '/')
        return NULL;
    *rest = s;
    return proc_by_pid(pid);
}

static uint32_t resident(const struct proc *p)
{
    return p->state == P_ZOMBIE || !p->mm ? 0 : p->mm->pages;
}

static char state_letter(const struct proc *p)
{
    return p->state == P_ZOMBIE ? 'Z' : p->stopped ? 'T' : p->state == P_BLOCKED ? 'S' : 'R';
}

static const char *const pid_files[] = { "cmdline", "comm", "exe", "stat", "status" };
#define NPID_FILES (sizeof pid_files / sizeof pid_files[0])

void procfs_canonical(struct proc *self, char *abs)
{
    char rest[MAX_PATH];

    if (!self || memcmp(abs, "/proc/self", 10) || (abs[10] && abs[10] != '/'))
        return;
    memcpy(rest, abs + 10, strnlen(abs + 10, MAX_PATH - 11) + 1);
    fmt(abs, MAX_PATH, "/proc/%d%s", self->pid, rest);
}

int procfs_stat(struct proc *self, const char *abs, uint32_t *mode)
{
    const char *rest;
    struct proc *p = which(self, abs, &rest);

    if (same(abs, "/proc/meminfo") || same(abs, "/proc/uptime")) {
        *mode = S_IFREG | 0444;
        return 0;
    }
    if (!p)
        return -ENOENT;
    if (!*rest) {
        *mode = S_IFDIR | 0555;
        return 0;
    }
    for (unsigned i = 0; i < NPID_FILES; i++) {
        if (rest[0] == '/' && same(rest + 1, pid_files[i])) {
            *mode = i == 2 ? S_IFREG | 0755 : S_IFREG | 0444;     /* exe: the program, followed */
            return 0;
        }
    }
    return -ENOENT;
}

int procfs_readlink(struct proc *self, const char *abs, char *buf, uint32_t cap)
{
    const char *rest;
    struct proc *p = which(self, abs, &rest);
    char text[64];
    size_t n;

    if (!p)
        return -ENOENT;
    if (same(abs, "/proc/self"))
        n = fmt(text, sizeof text, "%d", p->pid);
    else if (same(rest, "/exe"))
        n = fmt(text, sizeof text, "%s", p->exe);
    else
        return procfs_stat(self, abs, (uint32_t[1]){ 0 }) ? -ENOENT : -EINVAL;
    if (n > cap)
        n = cap;
    memcpy(buf, text, n);
    return (int)n;
}

int procfs_text(struct proc *self, const char *abs, char *buf, uint32_t cap)
{
    const char *rest;
    struct proc *p = which(self, abs, &rest);
    uint32_t total = frames_total() * 4, free = frames_free() * 4;
    uint64_t ms = now_us() / 1000;

    if (same(abs, "/proc/meminfo"))
        return (int)fmt(buf, cap, "MemTotal:       %8u kB\nMemFree:        %8u kB\nMemAvailable:   %8u kB\n"
                        "Buffers:               0 kB\nCached:                0 kB\n", total, free, free);
    if (same(abs, "/proc/uptime"))
        return (int)fmt(buf, cap, "%u.%02u 0.00\n", (uint32_t)(ms / 1000), (uint32_t)(ms % 1000 / 10));
    if (!p || rest[0] != '/')
        return -ENOENT;
    rest++;
    if (same(rest, "cmdline")) {
        uint32_t n = p->cmdline_len < cap ? p->cmdline_len : cap;
        memcpy(buf, p->cmdline, n);
        return (int)n;
    }
    if (same(rest, "comm"))
        return (int)fmt(buf, cap, "%s\n", p->comm);
    if (same(rest, "stat")) {
        /* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
         * stime cutime cstime priority nice threads itrealvalue starttime vsize rss ... */
        return (int)fmt(buf, cap, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 %u %u "
                        "0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                        p->pid, p->comm, state_letter(p), p->ppid, p->pgid, p->sid,
                        resident(p) * PAGE, resident(p));
    }
    if (same(rest, "status")) {
        static const char *const names[] = { ['R'] = "running", ['S'] = "sleeping", ['T'] = "stopped",
                                             ['Z'] = "zombie" };
        char s = state_letter(p);
        return (int)fmt(buf, cap, "Name:\t%s\nState:\t%c (%s)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
                        "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmRSS:\t%8u kB\nThreads:\t1\n",
                        p->comm, s, names[(unsigned char)s], p->pid, p->pid, p->ppid, resident(p) * 4);
    }
    return -ENOENT;
}

int procfs_children(struct proc *self, const char *abs, char (*names)[64], unsigned max)
{
    const char *rest;
    unsigned n = 0;

    if (same(abs, "/proc")) {
        static const char *const fixed[] = { "self", "meminfo", "uptime" };
        for (unsigned i = 0; i < 3 && n < max; i++)
            memcpy(names[n++], fixed[i], strnlen(fixed[i], 63) + 1);
        for (unsigned i = 0; i < MAX_PROCS && n < max; i++)
            if (procs[i].state != P_FREE)
                fmt(names[n++], 64, "%d", procs[i].pid);
        return (int)n;
    }
    if (which(self, abs, &rest) && !*rest)
        for (unsigned i = 0; i < NPID_FILES && n < max; i++)
            memcpy(names[n++], pid_files[i], strnlen(pid_files[i], 63) + 1);
    return (int)n;
}

void proc_identity(struct proc *p, const char *path, char *const argv[])
{
    const char *base = path;
    uint32_t size, mode, n = 0;

    for (const char *c = path; *c; c++)
        if (*c == '/')
            base = c + 1;
    memset(p->comm, 0, sizeof p->comm);
    memcpy(p->comm, base, strnlen(base, sizeof p->comm - 1));
    char final[MAX_PATH];
    if (!initrd_resolve(path, &size, &mode, final))
        memcpy(final, path, strnlen(path, MAX_PATH - 1) + 1);
    memset(p->exe, 0, sizeof p->exe);
    memcpy(p->exe, final, strnlen(final, sizeof p->exe - 1));
    for (unsigned i = 0; argv && argv[i]; i++) {
        size_t len = strnlen(argv[i], sizeof p->cmdline) + 1;
        if (n + len > sizeof p->cmdline)
            break;
        memcpy(p->cmdline + n, argv[i], len);
        n += (uint32_t)len;
    }
    p->cmdline_len = n;
}
