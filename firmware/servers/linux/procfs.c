/*
 * /proc, as much of it as programs ask for: /proc/self (a link to the caller's /proc/PID),
 * /proc/PID/{cmdline,comm,cwd,exe,fd/,mounts,stat,status}, and /proc/{cpuinfo,filesystems,
 * loadavg,meminfo,mounts,stat,uptime,version} and /proc/sys/kernel/{hostname,ostype,osrelease,
 * pid_max}.  Files are made when opened, from the process table, in the formats Linux uses
 * (proc(5)); /proc/PID/fd holds a link per open descriptor to what it is ("/dev/null",
 * "pipe:[N]", a path).
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

/* A process's entries, as ls shows them: the links (cwd, exe is shown followed) and fd/. */
static const struct pid_entry {
    const char *name;
    uint32_t mode;
} pid_files[] = {
    { "cmdline", S_IFREG | 0444 }, { "comm", S_IFREG | 0644 }, { "cwd", S_IFLNK | 0777 },
    { "exe", S_IFREG | 0755 }, { "fd", S_IFDIR | 0500 }, { "mounts", S_IFREG | 0444 },
    { "stat", S_IFREG | 0444 }, { "status", S_IFREG | 0444 },
};
#define NPID_FILES (sizeof pid_files / sizeof pid_files[0])

/* fmt's answer is the length it wanted; what fits in `cap` is what the file holds */
static int fitted(size_t n, uint32_t cap)
{
    return (int)(n < cap ? n : cap - 1);
}

/* The descriptor a /proc/PID/fd/N path names (the rest of the path after /proc/PID), or -1. */
static int fd_number(const struct proc *p, const char *rest)
{
    const char *s = after(rest, "/fd/");
    int fd = 0;

    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || fd > MAX_FDS)
            return -1;
        fd = fd * 10 + (*s - '0');
    }
    return fd < MAX_FDS && p->leader->fd[fd] ? fd : -1;
}

/* What a descriptor is, as /proc/PID/fd/N's link says it. */
static size_t fd_target(const struct file *f, char *buf, uint32_t cap)
{
    switch (f->type) {
    case F_PIPE_READ:
    case F_PIPE_WRITE:              /* both ends name the same pipe: its buffer's frame */
        return fmt(buf, cap, "pipe:[%u]", (uint32_t)(uintptr_t)f->pipe->page[0] / PAGE);
    case F_SOCK:
        return fmt(buf, cap, "socket:[%u]", sock_ino(f));
    case F_EPOLL:
        return fmt(buf, cap, "anon_inode:[eventpoll]");
    case F_EVENTFD:
        return fmt(buf, cap, "anon_inode:[eventfd]");
    case F_NULL:
        return fmt(buf, cap, "/dev/null");
    case F_ZERO:
        return fmt(buf, cap, "/dev/zero");
    case F_CONSOLE:
        return fmt(buf, cap, "%s", f->name ? f->name : "/dev/console");
    default:                        /* the path it was opened by */
        return fmt(buf, cap, "%s", f->name ? f->name : "/");
    }
}

/* The link's mode says how the descriptor was opened (ls -l shows it).  A console the server
 * gave a process it started was opened for reading and writing, as init opens it on Linux. */
static uint32_t fd_mode(const struct file *f)
{
    uint32_t acc = f->type == F_PIPE_WRITE ? O_WRONLY : f->type == F_PIPE_READ ? O_RDONLY :
                   f->type == F_CONSOLE && !f->name ? O_RDWR : f->flags & O_ACCMODE;

    return S_IFLNK | (acc == O_WRONLY ? 0300 : acc == O_RDWR ? 0700 : 0500);
}

/* ---- the files of /proc itself ---------------------------------------------------------- */

static size_t text_cpuinfo(char *buf, uint32_t cap)
{
    /* BogoMIPS as Linux derives it from the generic timer: loops_per_jiffy = CNTFRQ / HZ; the
     * ID registers are QEMU's cortex-a15 (MIDR 0x414fc0f0): user mode cannot read MIDR. */
    uint32_t lpj = l4_counter_hz() / 100;

    return fmt(buf, cap, "processor\t: 0\nmodel name\t: ARMv7 Processor rev 0 (v7l)\n"
               "BogoMIPS\t: %u.%02u\n"
               "Features\t: half thumb fastmult vfp edsp thumbee neon vfpv3 tls vfpv4 idiva idivt "
               "vfpd32 lpae evtstrm \n"
               "CPU implementer\t: 0x41\nCPU architecture: 7\nCPU variant\t: 0x4\nCPU part\t: 0xc0f\n"
               "CPU revision\t: 0\n\nHardware\t: Generic DT based system\nRevision\t: 0000\n"
               "Serial\t\t: 0000000000000000\n", lpj / 5000, lpj / 50 % 100);
}

/* The file systems the server provides, in Linux's order of registration. */
static size_t text_filesystems(char *buf, uint32_t cap)
{
    return fmt(buf, cap, "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tpipefs\nnodev\tramfs\n");
}

/* The mounts a Linux booted from an initramfs shows once /proc, /tmp and /dev are mounted: the
 * same tree the server serves (the initramfs with the tmpfs over it, /proc, the devices). */
static size_t text_mounts(char *buf, uint32_t cap)
{
    return fmt(buf, cap, "rootfs / rootfs rw 0 0\nproc /proc proc rw,relatime 0 0\n"
               "tmpfs /tmp tmpfs rw,relatime 0 0\ndev /dev devtmpfs rw,relatime,mode=755 0 0\n");
}

/* No load is kept: the averages are 0; then running/existing processes and the newest pid. */
/* How many threads `p`'s process has (a zombie: one, as Linux shows it). */
static uint32_t threads(const struct proc *p)
{
    return p->leader->nthreads ? p->leader->nthreads : 1;
}

static size_t text_loadavg(char *buf, uint32_t cap)
{
    int running = 0, all = 0, newest = 0;

    for (unsigned i = 0; i < MAX_PROCS; i++) {
        if (procs[i].state == P_FREE)
            continue;
        all++;
        running += procs[i].state == P_RUNNING;
        newest = procs[i].pid > newest ? procs[i].pid : newest;
    }
    return fmt(buf, cap, "0.00 0.00 0.00 %d/%d %d\n", running, all, newest);
}

static size_t text_meminfo(char *buf, uint32_t cap)
{
    uint32_t total = frames_total() * 4, free = frames_free() * 4;

    return fmt(buf, cap, "MemTotal:       %8u kB\nMemFree:        %8u kB\nMemAvailable:   %8u kB\n"
               "Buffers:               0 kB\nCached:                0 kB\n", total, free, free);
}

/* No time is accounted per process: every tick since boot counts as idle (USER_HZ, 100 a
 * second); top then shows an idle machine.  The process counts come from the table. */
static size_t text_stat(char *buf, uint32_t cap)
{
    uint32_t idle = (uint32_t)(now_us() / 10000);
    int running = 0, blocked = 0, newest = 0;

    for (unsigned i = 0; i < MAX_PROCS; i++) {
        running += procs[i].state == P_RUNNING;
        blocked += procs[i].state == P_BLOCKED;
        newest = procs[i].state != P_FREE && procs[i].pid > newest ? procs[i].pid : newest;
    }
    return fmt(buf, cap, "cpu  0 0 0 %u 0 0 0 0 0 0\ncpu0 0 0 0 %u 0 0 0 0 0 0\nintr 0\nctxt 0\nbtime 0\n"
               "processes %d\nprocs_running %d\nprocs_blocked %d\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
               idle, idle, newest, running, blocked);
}

static size_t text_uptime(char *buf, uint32_t cap)
{
    uint64_t ms = now_us() / 1000;

    return fmt(buf, cap, "%u.%02u 0.00\n", (uint32_t)(ms / 1000), (uint32_t)(ms % 1000 / 10));
}

static size_t text_version(char *buf, uint32_t cap)
{
    return fmt(buf, cap, "%s version %s (root@%s) (gcc " __VERSION__ ") %s\n", UTS_SYSNAME, UTS_RELEASE,
               UTS_NODENAME, UTS_VERSION);
}

static size_t text_hostname(char *buf, uint32_t cap) { return fmt(buf, cap, "%s\n", UTS_NODENAME); }
static size_t text_ostype(char *buf, uint32_t cap) { return fmt(buf, cap, "%s\n", UTS_SYSNAME); }
static size_t text_osrelease(char *buf, uint32_t cap) { return fmt(buf, cap, "%s\n", UTS_RELEASE); }
static size_t text_pid_max(char *buf, uint32_t cap) { return fmt(buf, cap, "32768\n"); }

/* Sorted by path within each directory, as getdents lists them. */
static const struct fixed_entry {
    const char *path;
    uint32_t mode;
    size_t (*text)(char *buf, uint32_t cap);        /* NULL: a directory */
} fixed[] = {
    { "/proc/cpuinfo", S_IFREG | 0444, text_cpuinfo },
    { "/proc/filesystems", S_IFREG | 0444, text_filesystems },
    { "/proc/loadavg", S_IFREG | 0444, text_loadavg },
    { "/proc/meminfo", S_IFREG | 0444, text_meminfo },
    { "/proc/mounts", S_IFREG | 0444, text_mounts },
    { "/proc/stat", S_IFREG | 0444, text_stat },
    { "/proc/sys", S_IFDIR | 0555, NULL },
    { "/proc/sys/kernel", S_IFDIR | 0555, NULL },
    { "/proc/sys/kernel/hostname", S_IFREG | 0644, text_hostname },
    { "/proc/sys/kernel/osrelease", S_IFREG | 0444, text_osrelease },
    { "/proc/sys/kernel/ostype", S_IFREG | 0444, text_ostype },
    { "/proc/sys/kernel/pid_max", S_IFREG | 0644, text_pid_max },
    { "/proc/uptime", S_IFREG | 0444, text_uptime },
    { "/proc/version", S_IFREG | 0444, text_version },
};
#define NFIXED (sizeof fixed / sizeof fixed[0])

static const struct fixed_entry *fixed_entry(const char *abs)
{
    for (unsigned i = 0; i < NFIXED; i++)
        if (same(abs, fixed[i].path))
            return &fixed[i];
    return NULL;
}

/* ---- what the file system asks ---------------------------------------------------------- */

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
    const struct fixed_entry *e = fixed_entry(abs);
    struct proc *p = which(self, abs, &rest);
    int fd;

    if (e) {
        *mode = e->mode;
        return 0;
    }
    if (!p)
        return -ENOENT;
    if (!*rest) {
        *mode = S_IFDIR | 0555;
        return 0;
    }
    for (unsigned i = 0; i < NPID_FILES; i++) {
        if (rest[0] == '/' && same(rest + 1, pid_files[i].name)) {
            *mode = pid_files[i].mode;
            return 0;
        }
    }
    if ((fd = fd_number(p, rest)) >= 0) {
        *mode = fd_mode(p->leader->fd[fd]);
        return 0;
    }
    return -ENOENT;
}

struct pipe *procfs_fd_pipe(struct proc *self, const char *abs)
{
    const char *rest;
    struct proc *p = which(self, abs, &rest);
    int fd = p ? fd_number(p, rest) : -1;

    if (fd < 0 || (p->leader->fd[fd]->type != F_PIPE_READ && p->leader->fd[fd]->type != F_PIPE_WRITE))
        return NULL;
    return p->leader->fd[fd]->pipe;
}

int procfs_readlink(struct proc *self, const char *abs, char *buf, uint32_t cap)
{
    const char *rest;
    struct proc *p = which(self, abs, &rest);
    char text[MAX_PATH];
    size_t n;
    int fd;

    if (!p)
        return -ENOENT;
    if (same(abs, "/proc/self"))
        n = fmt(text, sizeof text, "%d", p->pid);
    else if (same(rest, "/exe"))
        n = fmt(text, sizeof text, "%s", p->leader->exe);
    else if (same(rest, "/cwd"))
        n = fmt(text, sizeof text, "%s", p->leader->cwd);
    else if ((fd = fd_number(p, rest)) >= 0)
        n = fd_target(p->leader->fd[fd], text, sizeof text);
    else
        return procfs_stat(self, abs, (uint32_t[1]){ 0 }) ? -ENOENT : -EINVAL;
    n = (size_t)fitted(n, sizeof text);
    if (n > cap)
        n = cap;
    memcpy(buf, text, n);
    return (int)n;
}

int procfs_text(struct proc *self, const char *abs, char *buf, uint32_t cap)
{
    const char *rest;
    const struct fixed_entry *e = fixed_entry(abs);
    struct proc *p = which(self, abs, &rest);

    if (e)
        return e->text ? fitted(e->text(buf, cap), cap) : -EISDIR;
    if (!p || rest[0] != '/')
        return -ENOENT;
    rest++;
    if (same(rest, "cmdline")) {
        uint32_t n = p->leader->cmdline_len < cap ? p->leader->cmdline_len : cap;
        memcpy(buf, p->leader->cmdline, n);
        return (int)n;
    }
    if (same(rest, "comm"))
        return fitted(fmt(buf, cap, "%s\n", p->comm), cap);
    if (same(rest, "mounts"))
        return fitted(text_mounts(buf, cap), cap);
    if (same(rest, "stat")) {
        /* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
         * stime cutime cstime priority nice threads itrealvalue starttime vsize rss, then
         * rsslim ... cnswap (13), exit_signal, processor, rt_priority, policy and 11 more: 52 */
        uint32_t user, sys;
        int rt = p->sched.policy == SCHED_FIFO || p->sched.policy == SCHED_RR;
        proc_cpu_time(p, &user, &sys);
        return fitted(fmt(buf, cap, "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %u %u %u %u %d %d %u 0 0 %u %u "
                          "0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 %u %u 0 0 0 0 0 0 0 0 0 0 0\n",
                          p->pid, p->comm, state_letter(p), p->leader->ppid, p->leader->pgid, p->leader->sid, user / 10,
                          sys / 10, p->leader->cutime_ms / 10, p->leader->cstime_ms / 10,
                          rt ? -1 - (int)p->sched.priority : 20 + p->leader->nice,
                          p->leader->nice, threads(p), resident(p) * PAGE,
                          resident(p), p->sched.priority, p->sched.policy), cap);
    }
    if (same(rest, "status")) {
        static const char *const names[] = { ['R'] = "running", ['S'] = "sleeping", ['T'] = "stopped",
                                             ['Z'] = "zombie" };
        char s = state_letter(p);
        uint32_t ignored = 0, caught = 0;
        for (unsigned sig = 1; sig <= 32; sig++) {
            uint32_t handler = p->leader->sig[sig].handler;
            ignored |= (uint32_t)(handler == SIG_IGN) << (sig - 1);
            caught |= (uint32_t)(handler > SIG_IGN) << (sig - 1);
        }
        return fitted(fmt(buf, cap, "Name:\t%s\nUmask:\t0%c%c%c\nState:\t%c (%s)\nTgid:\t%d\nPid:\t%d\n"
                          "PPid:\t%d\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nVmRSS:\t%8u kB\n"
                          "Threads:\t%u\nSigPnd:\t00000000%08x\nShdPnd:\t0000000000000000\n"
                          "SigBlk:\t00000000%08x\nSigIgn:\t00000000%08x\nSigCgt:\t00000000%08x\n",
                          p->comm, '0' + (p->leader->umask >> 6 & 7), '0' + (p->leader->umask >> 3 & 7),
                          '0' + (p->leader->umask & 7), s, names[(unsigned char)s], p->pid, p->pid, p->leader->ppid,
                          p->leader->cred.uid, p->leader->cred.euid, p->leader->cred.suid, p->leader->cred.fsuid,
                          p->leader->cred.gid, p->leader->cred.egid, p->leader->cred.sgid, p->leader->cred.fsgid, resident(p) * 4,
                          threads(p), p->sig_pending, p->sig_blocked, ignored, caught), cap);
    }
    return -ENOENT;
}

static void name(char (*names)[64], unsigned *n, const char *text)
{
    memcpy(names[*n], text, strnlen(text, 63));
    names[*n][strnlen(text, 63)] = 0;
    (*n)++;
}

int procfs_children(struct proc *self, const char *abs, char (*names)[64], unsigned max)
{
    const char *rest;
    struct proc *p;
    unsigned n = 0;

    /* the fixed entries directly inside `abs` */
    for (unsigned i = 0; i < NFIXED && n < max; i++) {
        const char *child = after(fixed[i].path, abs);
        if (child && child[0] == '/' && child[1]) {
            const char *c = child + 1;
            size_t k = 0;
            while (c[k] && c[k] != '/')
                k++;
            if (!c[k])
                name(names, &n, c);
        }
    }
    if (same(abs, "/proc")) {
        if (n < max)
            name(names, &n, "self");
        for (unsigned i = 0; i < MAX_PROCS && n < max; i++)
            if (procs[i].state != P_FREE && procs[i].leader == &procs[i])
                fmt(names[n++], 64, "%d", procs[i].pid);
        return (int)n;
    }
    p = which(self, abs, &rest);
    if (p && !*rest)
        for (unsigned i = 0; i < NPID_FILES && n < max; i++)
            name(names, &n, pid_files[i].name);
    if (p && same(rest, "/fd"))
        for (unsigned fd = 0; fd < p->leader->fd_top && n < max; fd++)
            if (p->leader->fd[fd])
                fmt(names[n++], 64, "%u", fd);
    return (int)n;
}

void proc_identity(struct proc *p, const char *path, char *const argv[])
{
    const char *base = path;
    uint32_t n = 0;

    for (const char *c = path; *c; c++)
        if (*c == '/')
            base = c + 1;
    memset(p->comm, 0, sizeof p->comm);
    memcpy(p->comm, base, strnlen(base, sizeof p->comm - 1));
    memset(p->leader->exe, 0, sizeof p->leader->exe);          /* the caller gives the path, links resolved */
    memcpy(p->leader->exe, path, strnlen(path, sizeof p->leader->exe - 1));
    for (unsigned i = 0; argv && argv[i]; i++) {
        size_t len = strnlen(argv[i], sizeof p->leader->cmdline) + 1;
        if (n + len > sizeof p->leader->cmdline)
            break;
        memcpy(p->leader->cmdline + n, argv[i], len);
        n += (uint32_t)len;
    }
    p->leader->cmdline_len = n;
}
