/*
 * Linux system calls, by ARM EABI number (r7), arguments in r0-r6 (p->regs[0..6]), result in
 * r0: a value, or -errno.  A handler returns 1 when the process must wait for its reply (or is
 * gone), 0 when the reply goes now.  A call we do not implement answers -ENOSYS and is counted
 * per number (the host can list the counts).
 */
#include "linux.h"
#include "vfs.h"

#define EPERM       1
#define ENOENT      2
#define ESRCH       3
#define EINTR       4
#define EBADF       9
#define EAGAIN      11
#define ENOMEM      12
#define EACCES      13
#define EFAULT      14
#define EEXIST      17
#define ENOTDIR     20
#define EISDIR      21
#define EINVAL      22
#define EMFILE      24
#define ENOTTY      25
#define ESPIPE      29
#define EPIPE       32
#define ERANGE      34
#define ENOSYS      38
#define ENOTEMPTY   39

#define O_ACCMODE   3
#define O_WRONLY    1
#define O_RDWR      2
#define O_CREAT     0100
#define O_EXCL      0200
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_DIRECTORY 040000
#define O_CLOEXEC   02000000
#define AT_FDCWD    (-100)

uint32_t unknown_syscalls[512];


#define RET(v) do { r[0] = (uint32_t)(v); return 0; } while (0)

/* ---- helpers ---------------------------------------------------------------------------- */

static struct file *fd_get(struct proc *p, uint32_t fd)
{
    return fd < MAX_FDS ? p->fd[fd] : NULL;
}

static int fd_install(struct proc *p, struct file *f, uint32_t from, int cloexec)
{
    for (uint32_t i = from; i < MAX_FDS; i++) {
        if (p->fd[i])
            continue;
        p->fd[i] = f;
        p->cloexec = cloexec ? p->cloexec | 1u << i : p->cloexec & ~(1u << i);
        return (int)i;
    }
    return -EMFILE;
}

/* A path argument made absolute (against the cwd, or a directory descriptor). */
static int get_path(struct proc *p, int dirfd, uint32_t addr, char *abs)
{
    char raw[MAX_PATH];
    const char *base = p->cwd;
    struct file *d;

    if (mm_copy_string(p->mm, p->tid, raw, addr, sizeof raw))
        return -EFAULT;
    if (raw[0] != '/' && dirfd != AT_FDCWD) {
        d = fd_get(p, (uint32_t)dirfd);
        if (!d)
            return -EBADF;
        if (d->type != F_DIR)
            return -ENOTDIR;
        base = d->path;
    }
    return path_resolve(base, raw, abs, MAX_PATH);
}

static int exists(const char *abs)
{
    uint32_t size, mode;

    return is_dir(abs) || tnode_find(abs) || initrd_find(abs, &size, &mode) ||
           !memcmp(abs, "/dev/", 5) || (!memcmp(abs, "/proc/", 6) && !procfs_stat(NULL, abs, &mode));
}

/* ---- process ---------------------------------------------------------------------------- */

void proc_unblock(struct proc *p);

static int sys_exit(struct proc *p, uint32_t *r)
{
    proc_exit(p, (r[0] & 0xff) << 8);
    return 1;
}

static int sys_fork(struct proc *p, uint32_t *r)
{
    RET(proc_fork(p));
}

static int sys_clone(struct proc *p, uint32_t *r)
{
    /* processes only (fork semantics): CLONE_VM and CLONE_THREAD need threads we do not have */
    if (r[0] & 0x00010100u)
        RET(-ENOSYS);
    int pid = proc_fork(p);
    if (pid > 0 && r[0] & 0x01000000u && r[4]) {    /* CLONE_CHILD_SETTID */
        struct proc *c = proc_by_pid(pid);
        mm_copy_out(c->mm, c->tid, r[4], &pid, 4);
    }
    if (pid > 0 && r[0] & 0x00100000u && r[2])     /* CLONE_PARENT_SETTID */
        mm_copy_out(p->mm, p->tid, r[2], &pid, 4);
    RET(pid);
}

static int copy_strings(struct proc *p, uint32_t addr, char *buf, uint32_t cap, char **vec,
                        unsigned max)
{
    uint32_t used = 0, ptr;
    unsigned n = 0;

    for (; addr; addr += 4, n++) {
        if (n == max - 1 || mm_copy_in(p->mm, p->tid, &ptr, addr, 4))
            return -7;                          /* E2BIG */
        if (!ptr)
            break;
        if (mm_copy_string(p->mm, p->tid, buf + used, ptr, cap - used))
            return -EFAULT;
        vec[n] = buf + used;
        used += strnlen(buf + used, cap - used) + 1;
    }
    vec[n] = NULL;
    return 0;
}

static int sys_execve(struct proc *p, uint32_t *r)
{
    static char strings[8192];
    static char *argv[64], *envp[64];
    char path[MAX_PATH];
    int err = get_path(p, AT_FDCWD, r[0], path);

    if (err)
        RET(err);
    err = copy_strings(p, r[1], strings, 4096, argv, 64);
    if (!err)
        err = copy_strings(p, r[2], strings + 4096, 4096, envp, 64);
    if (err)
        RET(-EFAULT);
    err = proc_exec(p, path, argv, envp);
    if (err)
        RET(err);
    return 0;                                   /* the reply starts the new program */
}

static int sys_wait4(struct proc *p, uint32_t *r)
{
    int v = proc_wait(p, (int32_t)r[0], r[1], r[2]);
    if (v == 1 << 30)
        return 1;
    RET(v);
}

/* `p` stops waiting in whatever call it waits in (a signal, or its end). */
void proc_unblock(struct proc *p)
{
    console_forget(p);
    for (unsigned i = 0; i < MAX_FILES; i++) {
        struct pipe *pp = files[i].pipe;
        if (pp && pp->blocked_reader == p)
            pp->blocked_reader = NULL;
        if (pp && pp->blocked_writer == p)
            pp->blocked_writer = NULL;
    }
    p->blocked = B_NONE;
}

/* Whether kill's `pid` names `t` when `p` sends: that process (pid > 0), p's group (0), the
 * group -pid (pid < -1), or every process but init and p (-1). */
static int kill_names(const struct proc *p, const struct proc *t, int pid)
{
    if (pid > 0)
        return t->pid == pid;
    if (pid == 0)
        return t->pgid == p->pgid;
    if (pid == -1)
        return t->pid != 1 && t != p;
    return t->pgid == -pid;
}

static int sys_kill(struct proc *p, uint32_t *r)
{
    int pid = (int32_t)r[0], sig = (int32_t)r[1], hit = 0;

    if (sig < 0 || sig > 32 || pid == INT32_MIN)
        RET(-EINVAL);
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *t = &procs[i];
        if (t->state == P_FREE || t->state == P_ZOMBIE || !kill_names(p, t, pid))
            continue;
        hit++;
        if (sig && t != p)
            signal_send(t, sig);
        else if (sig)
            p->sig_pending |= 1u << (sig - 1);  /* ourselves: taken on the way out */
    }
    RET(hit ? 0 : -ESRCH);
}

/* tkill and tgkill: one thread per process, whose thread ID is the pid. */
static int sys_tkill(struct proc *p, uint32_t *r)
{
    if ((int32_t)r[0] <= 0)
        RET(-EINVAL);
    return sys_kill(p, r);
}

static int sys_tgkill(struct proc *p, uint32_t *r)
{
    uint32_t k[2] = { r[1], r[2] };
    int v;

    if ((int32_t)r[0] <= 0 || (int32_t)r[1] <= 0)
        RET(-EINVAL);
    if (r[0] != r[1])
        RET(-ESRCH);                            /* that thread is not in that thread group */
    v = sys_kill(p, k);
    r[0] = k[0];
    return v;
}

/* ---- process groups and sessions ---------------------------------------------------------- */

static int group_in_session(int pgid, int sid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == pgid &&
            procs[i].sid == sid)
            return 1;
    return 0;
}

/* The process `pid` names for the group calls: 0 is the caller. */
static struct proc *named(struct proc *p, int pid)
{
    struct proc *t = pid == 0 ? p : proc_by_pid(pid);

    return t && t->state != P_FREE && t->state != P_ZOMBIE ? t : NULL;
}

static int sys_setpgid(struct proc *p, uint32_t *r)
{
    int pid = (int32_t)r[0], pgid = (int32_t)r[1];
    struct proc *t = named(p, pid);

    if (pgid < 0)
        RET(-EINVAL);
    if (!t || (t != p && t->ppid != p->pid))
        RET(-ESRCH);                            /* only ourselves or a child of ours */
    if (t->sid != p->sid || t->pid == t->sid)
        RET(-EPERM);                            /* another session's, or a session leader */
    if (pgid == 0)
        pgid = t->pid;
    if (pgid != t->pid && !group_in_session(pgid, p->sid))
        RET(-EPERM);
    t->pgid = pgid;
    RET(0);
}

static int sys_getpgid(struct proc *p, uint32_t *r)
{
    struct proc *t = named(p, (int32_t)r[0]);

    RET(t ? t->pgid : -ESRCH);
}

static int sys_getpgrp(struct proc *p, uint32_t *r)
{
    RET(p->pgid);
}

static int sys_setsid(struct proc *p, uint32_t *r)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].pgid == p->pid)
            RET(-EPERM);                        /* a group leader (or its group lives on) */
    p->pgid = p->sid = p->pid;
    RET(p->pid);
}

static int sys_getsid(struct proc *p, uint32_t *r)
{
    struct proc *t = named(p, (int32_t)r[0]);

    RET(t ? t->sid : -ESRCH);
}

static int sys_rt_sigaction(struct proc *p, uint32_t *r)
{
    int sig = (int32_t)r[0];
    uint32_t act[5];

    if (sig < 1 || sig > 32 || sig == SIGKILL || sig == 19)
        RET(-EINVAL);
    if (r[2]) {
        struct sigaction_k *a = &p->sig[sig];
        uint32_t old[5] = { a->handler, a->flags, a->restorer, a->mask, 0 };
        if (mm_copy_out(p->mm, p->tid, r[2], old, 20))
            RET(-EFAULT);
    }
    if (r[1]) {
        if (mm_copy_in(p->mm, p->tid, act, r[1], 20))
            RET(-EFAULT);
        p->sig[sig].handler = act[0];
        p->sig[sig].flags = act[1];
        p->sig[sig].restorer = act[2];
        p->sig[sig].mask = act[3];
    }
    RET(0);
}

static int sys_rt_sigprocmask(struct proc *p, uint32_t *r)
{
    uint32_t set[2], old[2] = { p->sig_blocked, 0 };

    if (r[2] && mm_copy_out(p->mm, p->tid, r[2], old, 8))
        RET(-EFAULT);
    if (r[1]) {
        if (mm_copy_in(p->mm, p->tid, set, r[1], 8))
            RET(-EFAULT);
        if (r[0] == 0)
            p->sig_blocked |= set[0];
        else if (r[0] == 1)
            p->sig_blocked &= ~set[0];
        else if (r[0] == 2)
            p->sig_blocked = set[0];
        else
            RET(-EINVAL);
        p->sig_blocked &= ~(1u << (SIGKILL - 1) | 1u << 18);   /* KILL and STOP stay open */
    }
    RET(0);
}

/* rt_sigsuspend(mask): wait for a signal with `mask` in force; the handler then returns to the
 * mask from before, and the call ends with -EINTR. */
static int sys_rt_sigsuspend(struct proc *p, uint32_t *r)
{
    uint32_t set[2];

    if (mm_copy_in(p->mm, p->tid, set, r[0], 8))
        RET(-EFAULT);
    p->sig_saved_mask = p->sig_blocked;
    p->sig_suspended = 1;
    p->sig_blocked = set[0] & ~(1u << (SIGKILL - 1));
    if (p->sig_pending & ~p->sig_blocked)
        RET(-EINTR);                            /* one is waiting already */
    proc_sleep(p, ~0ull);
    return 1;
}

static int sys_rt_sigreturn(struct proc *p, uint32_t *r)
{
    (void)r;
    return signal_return(p);                    /* the restored registers are the reply */
}

static int sys_getpid(struct proc *p, uint32_t *r)
{
    RET(p->pid);
}

static int sys_getppid(struct proc *p, uint32_t *r)
{
    RET(p->ppid);
}

static int sys_zero(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(0);
}

/* prctl: PR_SET_NAME and PR_GET_NAME (the name /proc/PID/comm shows); the rest succeed. */
static int sys_prctl(struct proc *p, uint32_t *r)
{
    char name[16];

    switch (r[0]) {
    case 15:                                    /* PR_SET_NAME */
        memset(name, 0, sizeof name);
        for (uint32_t i = 0; i < sizeof name - 1; i++) {
            if (mm_copy_in(p->mm, p->tid, &name[i], r[1] + i, 1))
                RET(-EFAULT);
            if (!name[i])
                break;
        }
        memcpy(p->comm, name, sizeof p->comm);
        l4_set_name(p->tid, p->comm);
        RET(0);
    case 16:                                    /* PR_GET_NAME */
        RET(mm_copy_out(p->mm, p->tid, r[1], p->comm, sizeof p->comm) ? -EFAULT : 0);
    default:
        RET(0);
    }
}

static int sys_set_tls(struct proc *p, uint32_t *r)
{
    p->tls = r[0];
    l4_exchange_registers(p->tid, L4_XR_TLS, 0, 0, r[0]);
    RET(0);
}

static int sys_set_tid_address(struct proc *p, uint32_t *r)
{
    p->clear_child_tid = r[0];
    RET(p->pid);
}

static int sys_nanosleep(struct proc *p, uint32_t *r)
{
    uint32_t ts[2];

    if (mm_copy_in(p->mm, p->tid, ts, r[0], 8))
        RET(-EFAULT);
    proc_sleep(p, now_us() + (uint64_t)ts[0] * 1000000 + ts[1] / 1000);
    return 1;
}

static int sys_clock_nanosleep(struct proc *p, uint32_t *r)
{
    if (r[1] & 1)                               /* TIMER_ABSTIME: not supported */
        RET(-EINVAL);
    r[0] = r[2];
    return sys_nanosleep(p, r);
}

static int sys_pause(struct proc *p, uint32_t *r)
{
    (void)r;
    proc_sleep(p, ~0ull);                       /* until a signal ends it with -EINTR */
    return 1;
}

/* Linux puts the caller behind the other ready processes of its priority.  Answered at once by
 * a send of its own (not with the server's next receive, which would hand the processor straight
 * back), the caller becomes ready while the more important server still runs, so the kernel
 * queues it behind its equals: they run first. */
static int sys_sched_yield(struct proc *p, uint32_t *r)
{
    (void)r;
    proc_resume(p, 0);
    return 1;
}

/* ---- memory ----------------------------------------------------------------------------- */

static int sys_brk(struct proc *p, uint32_t *r)
{
    struct mm *mm = p->mm;
    uint32_t want = r[0], old_end = (mm->brk + PAGE - 1) & PAGE_MASK;
    uint32_t new_end = (want + PAGE - 1) & PAGE_MASK;

    if (want < mm->brk_start || want > mm->brk_start + (256u << 20))
        RET(mm->brk);
    if (new_end > old_end && frames_free() < (new_end - old_end) / PAGE + LOW_MEMORY)
        RET(mm->brk);                           /* refused: malloc sees ENOMEM */
    if (new_end > old_end) {
        struct vma *v = old_end > mm->brk_start ? mm_find(mm, old_end - 1) : NULL;
        if (v && v->end == old_end && !v->file)
            v->end = new_end;                   /* grow the heap region */
        else if (mm_add(mm, old_end, new_end, VM_READ | VM_WRITE))
            RET(mm->brk);
    } else if (new_end < old_end) {
        mm_remove(mm, p->tid, new_end, old_end);
    }
    mm->brk = want;
    RET(want);
}

/* PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4 as VM_* rights: write or execute imply read, as they do
 * in Linux's ARM page tables; PROT_NONE is no access at all. */
static uint32_t vm_prot(uint32_t prot)
{
    return (prot & 7 ? VM_READ : 0) | (prot & 2 ? VM_WRITE : 0) | (prot & 4 ? VM_EXEC : 0);
}

static int sys_mmap2(struct proc *p, uint32_t *r)
{
    uint32_t len = (r[1] + PAGE - 1) & PAGE_MASK, prot = r[2] & 7, flags = r[3];
    uint32_t addr;

    /* anonymous memory only: MAP_ANONYMOUS = 0x20 */
    if (!(flags & 0x20))
        RET(-ENOSYS);
    if (!len || len > (512u << 20))
        RET(-EINVAL);
    if (frames_free() < len / PAGE + LOW_MEMORY)
        RET(-ENOMEM);                           /* keep room for everyone else */
    if (flags & 0x10) {                         /* MAP_FIXED */
        addr = r[0] & PAGE_MASK;
        mm_remove(p->mm, p->tid, addr, addr + len);
    } else {
        addr = p->mm->mmap_next - len;
        p->mm->mmap_next = addr;
    }
    if (mm_add(p->mm, addr, addr + len, vm_prot(prot)))
        RET(-ENOMEM);
    RET(addr);
}

/* mprotect(addr, len, prot). */
static int sys_mprotect(struct proc *p, uint32_t *r)
{
    uint32_t prot = vm_prot(r[2]);

    if (r[0] & ~PAGE_MASK || r[2] & ~7u)
        RET(-EINVAL);
    if (!r[1])
        RET(0);
    RET(mm_protect(p->mm, r[0], r[0] + ((r[1] + PAGE - 1) & PAGE_MASK), prot) ? -ENOMEM : 0);
}

static int sys_munmap(struct proc *p, uint32_t *r)
{
    if (r[0] & ~PAGE_MASK)
        RET(-EINVAL);
    mm_remove(p->mm, p->tid, r[0], r[0] + ((r[1] + PAGE - 1) & PAGE_MASK));
    RET(0);
}

/* ---- files ------------------------------------------------------------------------------ */

/* A /proc file is made when it is opened (procfs.c), into a frame of its own. */
static int open_proc(struct proc *p, const char *abs, uint32_t flags)
{
    uint32_t mode;
    struct file *f;
    int n;

    if (procfs_stat(p, abs, &mode))
        return -ENOENT;
    if ((flags & O_ACCMODE) != 0)
        return -EACCES;
    if ((mode & S_IFMT) == S_IFDIR) {
        f = file_new(F_DIR);
        if (!f)
            return -EMFILE;
        memcpy(f->path, abs, strnlen(abs, MAX_PATH - 1) + 1);
        procfs_canonical(p, f->path);           /* /proc/self: its directory is /proc/PID */
    } else {
        if (flags & O_DIRECTORY)
            return -ENOTDIR;
        uint32_t frame = frame_alloc();
        if (!frame)
            return -ENOMEM;
        n = procfs_text(p, abs, (char *)frame, PAGE);
        f = n < 0 ? NULL : file_new(F_PROC);
        if (!f) {
            frame_put(frame);
            return n < 0 ? n : -EMFILE;
        }
        f->data = (const uint8_t *)frame;
        f->size = (uint32_t)n;
    }
    f->flags = flags;
    int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static int do_open(struct proc *p, int dirfd, uint32_t path_addr, uint32_t flags, uint32_t mode)
{
    char abs[MAX_PATH];
    struct file *f = NULL;
    uint32_t size, fmode;
    const uint8_t *data;
    int err = get_path(p, dirfd, path_addr, abs);

    if (err)
        return err;
    if (!memcmp(abs, "/dev/null", 10))
        f = file_new(F_NULL);
    else if (!memcmp(abs, "/dev/zero", 10))
        f = file_new(F_ZERO);
    else if (!memcmp(abs, "/dev/console", 13) || !memcmp(abs, "/dev/tty", 9))
        f = file_new(F_CONSOLE);
    else if (!memcmp(abs, "/proc/", 6)) {
        return open_proc(p, abs, flags);
    } else if (is_dir(abs)) {
        if ((flags & O_ACCMODE) != 0)
            return -EISDIR;
        f = file_new(F_DIR);
        if (f)
            memcpy(f->path, abs, sizeof f->path);
    } else if (flags & O_DIRECTORY) {
        return exists(abs) ? -ENOTDIR : -ENOENT;
    } else {
        struct tnode *t = tnode_find(abs);
        data = t ? NULL : initrd_find(abs, &size, &fmode);
        if (!t && data && (flags & O_ACCMODE) == 0) {
            f = file_new(F_INITRD);
            if (f) {
                f->data = data;
                f->size = size;
            }
        } else {
            if (t && (flags & O_CREAT) && (flags & O_EXCL))
                return -EEXIST;
            if (!t && data) {                   /* written: a tmpfs copy takes its place */
                t = tnode_new(abs, S_IFREG | (fmode & 0777));
                if (!t)
                    return -ENOMEM;
                for (uint32_t off = 0; off < size; off += PAGE) {
                    t->page[off / PAGE] = frame_alloc();
                    if (!t->page[off / PAGE])
                        return -ENOMEM;
                    memcpy((void *)t->page[off / PAGE], data + off, size - off < PAGE ? size - off : PAGE);
                }
                t->size = size;
            }
            if (!t) {
                char parent[MAX_PATH];
                if (!(flags & O_CREAT))
                    return -ENOENT;
                path_resolve(abs, "..", parent, sizeof parent);
                if (!is_dir(parent))
                    return -ENOENT;
                t = tnode_new(abs, S_IFREG | (mode & 0777));
                if (!t)
                    return -ENOMEM;
            }
            if (flags & O_TRUNC && (flags & O_ACCMODE))
                tnode_truncate(t, 0);
            f = file_new(F_TMP);
            if (f)
                f->node = t;
        }
    }
    if (!f)
        return -EMFILE;
    f->flags = flags;
    err = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (err < 0)
        file_put(f);
    return err;
}

static int sys_open(struct proc *p, uint32_t *r)
{
    RET(do_open(p, AT_FDCWD, r[0], r[1], r[2]));
}

static int sys_openat(struct proc *p, uint32_t *r)
{
    RET(do_open(p, (int32_t)r[0], r[1], r[2], r[3]));
}

static int sys_close(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    p->fd[r[0]] = NULL;
    file_put(f);
    RET(0);
}

/* Copy between a tmpfs file and a process; `write` selects the direction. */
static int tmp_io(struct proc *p, struct tnode *t, uint32_t pos, uint32_t addr, uint32_t len, int write)
{
    uint32_t done = 0;

    if (!write) {
        if (pos >= t->size)
            return 0;
        if (len > t->size - pos)
            len = t->size - pos;
    }
    while (done < len) {
        uint32_t at = pos + done, page = at / PAGE, off = at % PAGE;
        uint32_t n = PAGE - off < len - done ? PAGE - off : len - done;
        if (page >= TNODE_PAGES)
            return done ? (int)done : -27;      /* EFBIG */
        if (!t->page[page]) {
            if (!write) {
                static const uint8_t zeros[PAGE];
                if (mm_copy_out(p->mm, p->tid, addr + done, zeros + off, n))
                    return -EFAULT;
                done += n;
                continue;
            }
            t->page[page] = frame_alloc();
            if (!t->page[page])
                return done ? (int)done : -28;  /* ENOSPC */
        }
        uint8_t *buf = (uint8_t *)t->page[page] + off;
        if (write ? mm_copy_in(p->mm, p->tid, buf, addr + done, n)
                  : mm_copy_out(p->mm, p->tid, addr + done, buf, n))
            return done ? (int)done : -EFAULT;
        done += n;
    }
    if (write && pos + done > t->size)
        t->size = pos + done;
    return (int)done;
}

/* Move what can move now between a pipe and a process; -EAGAIN when it must wait. */
static int pipe_io(struct proc *p, struct pipe *pp, uint32_t addr, uint32_t len, int write)
{
    uint32_t done = 0;

    if (write) {
        if (!pp->readers)
            return -EPIPE;
        while (done < len && pp->head - pp->tail < PIPE_SIZE) {
            uint8_t c;
            if (mm_copy_in(p->mm, p->tid, &c, addr + done, 1))
                return done ? (int)done : -EFAULT;
            pp->buf[pp->head++ % PIPE_SIZE] = c;
            done++;
        }
    } else {
        while (done < len && pp->tail != pp->head) {
            uint8_t c = pp->buf[pp->tail % PIPE_SIZE];
            if (mm_copy_out(p->mm, p->tid, addr + done, &c, 1))
                return done ? (int)done : -EFAULT;
            pp->tail++;
            done++;
        }
        if (!done && pp->writers)
            return -EAGAIN;
    }
    if (!done && len && write)
        return -EAGAIN;
    return (int)done;
}

void pipe_wake(struct pipe *pp)
{
    struct proc *w;

    if ((w = pp->blocked_reader) && (pp->tail != pp->head || !pp->writers)) {
        int n = pipe_io(w, pp, pp->want_addr, pp->want_len, 0);
        if (n != -EAGAIN) {
            pp->blocked_reader = NULL;
            proc_resume(w, (uint32_t)n);
        }
    }
    if ((w = pp->blocked_writer) && (pp->head - pp->tail < PIPE_SIZE || !pp->readers)) {
        int n = pipe_io(w, pp, pp->want_addr, pp->want_len, 1);
        if (n != -EAGAIN) {
            pp->blocked_writer = NULL;
            if (n == -EPIPE)
                w->sig_pending |= 1u << (SIGPIPE - 1);
            proc_resume(w, (uint32_t)n);
        }
    }
}

static int do_rw(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t addr = r[1], len = r[2];
    int n;

    if (!f || (write && (f->flags & O_ACCMODE) == 0 && f->type != F_CONSOLE && f->type != F_PIPE_WRITE) ||
        (!write && (f->flags & O_ACCMODE) == O_WRONLY))
        RET(-EBADF);
    switch (f->type) {
    case F_CONSOLE:
        if (!write)
            return console_read(p, addr, len);
        for (uint32_t done = 0; done < len; ) {
            uint8_t buf[256];
            uint32_t k = len - done < sizeof buf ? len - done : sizeof buf;
            if (mm_copy_in(p->mm, p->tid, buf, addr + done, k))
                RET(done ? (int)done : -EFAULT);
            console_write(buf, k);
            done += k;
        }
        RET(len);
    case F_NULL:
        RET(write ? (int)len : 0);
    case F_ZERO:
        if (write)
            RET(len);
        for (uint32_t done = 0; done < len; done++) {
            uint8_t z = 0;
            if (mm_copy_out(p->mm, p->tid, addr + done, &z, 1))
                RET(done ? (int)done : -EFAULT);
        }
        RET(len);
    case F_INITRD:
    case F_PROC:
        if (write)
            RET(-EBADF);
        if (f->pos >= f->size)
            RET(0);
        if (len > f->size - f->pos)
            len = f->size - f->pos;
        if (mm_copy_out(p->mm, p->tid, addr, f->data + f->pos, len))
            RET(-EFAULT);
        f->pos += len;
        RET(len);
    case F_TMP:
        if (write && f->flags & O_APPEND)
            f->pos = f->node->size;
        n = tmp_io(p, f->node, f->pos, addr, len, write);
        if (n > 0)
            f->pos += (uint32_t)n;
        RET(n);
    case F_DIR:
        RET(-EISDIR);
    case F_PIPE_READ:
    case F_PIPE_WRITE:
        if ((f->type == F_PIPE_WRITE) != write)
            RET(-EBADF);
        n = pipe_io(p, f->pipe, addr, len, write);
        if (n == -EPIPE)
            p->sig_pending |= 1u << (SIGPIPE - 1);     /* taken on the way out */
        if (n == -EAGAIN && !(f->flags & O_NONBLOCK)) {
            if (write)
                f->pipe->blocked_writer = p;
            else
                f->pipe->blocked_reader = p;
            f->pipe->want_addr = addr;
            f->pipe->want_len = len;
            p->state = P_BLOCKED;
            p->blocked = B_PIPE;
            return 1;
        }
        if (n > 0)
            pipe_wake(f->pipe);
        RET(n);
    }
    RET(-EBADF);
}

static int sys_read(struct proc *p, uint32_t *r)
{
    return do_rw(p, r, 0);
}

static int sys_write(struct proc *p, uint32_t *r)
{
    return do_rw(p, r, 1);
}

static int sys_writev(struct proc *p, uint32_t *r)
{
    uint32_t iov[2], total = 0, args[3];

    for (uint32_t i = 0; i < r[2] && i < 1024; i++) {
        if (mm_copy_in(p->mm, p->tid, iov, r[1] + i * 8, 8))
            RET(total ? (int)total : -EFAULT);
        args[0] = r[0];
        args[1] = iov[0];
        args[2] = iov[1];
        if (do_rw(p, args, 1))
            return 1;                           /* blocked or gone: pipes and writev rarely mix */
        if ((int32_t)args[0] < 0)
            RET(total ? (int)total : (int32_t)args[0]);
        total += args[0];
        if (args[0] < iov[1])
            break;
    }
    RET(total);
}

static int sys_readv(struct proc *p, uint32_t *r)
{
    uint32_t iov[2], args[3];

    if (r[2] == 0)
        RET(0);
    if (mm_copy_in(p->mm, p->tid, iov, r[1], 8))
        RET(-EFAULT);
    args[0] = r[0];
    args[1] = iov[0];
    args[2] = iov[1];
    if (do_rw(p, args, 0))
        return 1;
    RET(args[0]);
}

static int sys_lseek(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int32_t off = (int32_t)r[1];
    uint32_t size;

    if (!f)
        RET(-EBADF);
    if (f->type == F_PIPE_READ || f->type == F_PIPE_WRITE || f->type == F_CONSOLE)
        RET(-ESPIPE);
    size = f->type == F_TMP ? f->node->size : f->size;
    int64_t pos = r[2] == 0 ? off : r[2] == 1 ? (int64_t)f->pos + off : (int64_t)size + off;
    if (pos < 0 || r[2] > 2)
        RET(-EINVAL);
    f->pos = (uint32_t)pos;
    RET(f->pos);
}

static int sys_llseek(struct proc *p, uint32_t *r)
{
    uint32_t args[3] = { r[0], r[2], r[4] };
    uint32_t result[2];

    if (r[1] != 0 && r[1] != 0xffffffffu)
        RET(-EINVAL);
    sys_lseek(p, args);
    if ((int32_t)args[0] < 0)
        RET(args[0]);
    result[0] = args[0];
    result[1] = 0;
    RET(mm_copy_out(p->mm, p->tid, r[3], result, 8) ? -EFAULT : 0);
}

static int sys_pipe2(struct proc *p, uint32_t *r)
{
    struct pipe *pp = pipe_new();
    struct file *rd, *wr;
    int fds[2];

    if (!pp)
        RET(-EMFILE);
    rd = file_new(F_PIPE_READ);
    wr = rd ? file_new(F_PIPE_WRITE) : NULL;
    if (!wr) {
        file_put(rd);
        frame_put((uint32_t)pp->buf);
        pp->buf = NULL;
        RET(-EMFILE);
    }
    rd->pipe = wr->pipe = pp;
    rd->flags = r[1] & O_NONBLOCK;
    wr->flags = O_WRONLY | (r[1] & O_NONBLOCK);
    pp->readers = pp->writers = 1;
    fds[0] = fd_install(p, rd, 0, r[1] & O_CLOEXEC);
    fds[1] = fds[0] < 0 ? -EMFILE : fd_install(p, wr, 0, r[1] & O_CLOEXEC);
    if (fds[1] < 0) {
        if (fds[0] >= 0)
            p->fd[fds[0]] = NULL;
        file_put(rd);
        file_put(wr);
        RET(-EMFILE);
    }
    if (mm_copy_out(p->mm, p->tid, r[0], fds, 8))
        RET(-EFAULT);
    RET(0);
}

static int sys_pipe(struct proc *p, uint32_t *r)
{
    r[1] = 0;
    return sys_pipe2(p, r);
}

static int dup_to(struct proc *p, uint32_t old, uint32_t new, int cloexec)
{
    struct file *f = fd_get(p, old);

    if (!f || new >= MAX_FDS)
        return -EBADF;
    if (old == new)
        return (int)new;
    file_put(p->fd[new]);
    p->fd[new] = f;
    f->refs++;
    p->cloexec = cloexec ? p->cloexec | 1u << new : p->cloexec & ~(1u << new);
    return (int)new;
}

static int sys_dup(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int fd;

    if (!f)
        RET(-EBADF);
    fd = fd_install(p, f, 0, 0);
    if (fd >= 0)
        f->refs++;
    RET(fd);
}

static int sys_dup2(struct proc *p, uint32_t *r)
{
    RET(dup_to(p, r[0], r[1], 0));
}

static int sys_dup3(struct proc *p, uint32_t *r)
{
    if (r[0] == r[1])
        RET(-EINVAL);
    RET(dup_to(p, r[0], r[1], r[2] & O_CLOEXEC));
}

static int sys_fcntl64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int fd;

    if (!f)
        RET(-EBADF);
    switch (r[1]) {
    case 0:                                     /* F_DUPFD */
    case 1030:                                  /* F_DUPFD_CLOEXEC */
        fd = fd_install(p, f, r[2], r[1] == 1030);
        if (fd >= 0)
            f->refs++;
        RET(fd);
    case 1:                                     /* F_GETFD */
        RET(p->cloexec >> r[0] & 1);
    case 2:                                     /* F_SETFD */
        p->cloexec = r[2] & 1 ? p->cloexec | 1u << r[0] : p->cloexec & ~(1u << r[0]);
        RET(0);
    case 3:                                     /* F_GETFL */
        RET(f->flags);
    case 4:                                     /* F_SETFL */
        f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (r[2] & (O_APPEND | O_NONBLOCK));
        RET(0);
    default:
        RET(-EINVAL);
    }
}

static int sys_ioctl(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    if (f->type != F_CONSOLE)
        RET(-ENOTTY);
    switch (r[1]) {
    case 0x5401: {                              /* TCGETS */
        uint32_t t[15] = { 0x500, 0x5, 0xbf, 0x8a30 | console_lflag, 0 };
        uint8_t cc[19] = { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0 };
        memcpy((uint8_t *)t + 17, cc, sizeof cc);
        RET(mm_copy_out(p->mm, p->tid, r[2], t, 36) ? -EFAULT : 0);
    }
    case 0x5402: case 0x5403: case 0x5404: {   /* TCSETS*: the line discipline's modes */
        uint32_t t[4];
        if (mm_copy_in(p->mm, p->tid, t, r[2], 16))
            RET(-EFAULT);
        console_lflag = t[3] & 0xb;             /* ISIG, ICANON, ECHO */
        RET(0);
    }
    case 0x5413: {                              /* TIOCGWINSZ: 24 x 80 */
        uint16_t ws[4] = { 24, 80, 0, 0 };
        RET(mm_copy_out(p->mm, p->tid, r[2], ws, 8) ? -EFAULT : 0);
    }
    case 0x540f: {                              /* TIOCGPGRP: the foreground group */
        int pgrp = console_pgrp ? console_pgrp : p->pgid;
        RET(mm_copy_out(p->mm, p->tid, r[2], &pgrp, 4) ? -EFAULT : 0);
    }
    case 0x5410: {                              /* TIOCSPGRP: a group of the caller's session */
        int pgrp;
        if (mm_copy_in(p->mm, p->tid, &pgrp, r[2], 4))
            RET(-EFAULT);
        if (pgrp <= 0)
            RET(-EINVAL);
        if (!group_in_session(pgrp, p->sid))
            RET(-EPERM);
        console_pgrp = pgrp;
        RET(0);
    }
    default:
        RET(-ENOTTY);
    }
}

/* struct stat64 (ARM EABI: 104 bytes) for a path or an open file. */
static int fill_stat(uint32_t *st, uint32_t mode, uint32_t size, uint32_t ino)
{
    memset(st, 0, 104);
    st[0] = 1;                                  /* st_dev */
    st[3] = ino;                                /* __st_ino */
    st[4] = mode;
    st[5] = 1;                                  /* st_nlink */
    st[11] = size;                              /* st_size (low word) */
    st[13] = 4096;                              /* st_blksize */
    st[14] = (size + 511) / 512;                /* st_blocks */
    st[24] = ino;                               /* st_ino (64-bit, low word) */
    return 0;
}

static int stat_path(struct proc *self, const char *abs, uint32_t *st)
{
    struct tnode *t = tnode_find(abs);
    uint32_t size, mode;

    if (!memcmp(abs, "/proc/", 6))
        return procfs_stat(self, abs, &mode) ? -ENOENT : fill_stat(st, mode, 0, 5);

    if (t)
        return fill_stat(st, t->mode, t->size, (uint32_t)(t - tnodes) + 1000);
    if (initrd_find(abs, &size, &mode))
        return fill_stat(st, mode, size, size ^ mode);
    if (is_dir(abs))
        return fill_stat(st, S_IFDIR | 0755, 0, 2);
    if (!memcmp(abs, "/dev/null", 10) || !memcmp(abs, "/dev/zero", 10) ||
        !memcmp(abs, "/dev/console", 13) || !memcmp(abs, "/dev/tty", 9))
        return fill_stat(st, S_IFCHR | 0666, 0, 3);
    return -ENOENT;
}

static int stat_file(struct file *f, uint32_t *st)
{
    switch (f->type) {
    case F_TMP:
        return fill_stat(st, f->node->mode, f->node->size, 1000);
    case F_INITRD:
        return fill_stat(st, S_IFREG | 0755, f->size, f->size);
    case F_PROC:
        return fill_stat(st, S_IFREG | 0444, 0, 5);
    case F_DIR:
        return stat_path(NULL, f->path, st);
    case F_PIPE_READ:
    case F_PIPE_WRITE:
        return fill_stat(st, S_IFIFO | 0600, 0, 4);
    default:
        return fill_stat(st, S_IFCHR | 0620, 0, 3);
    }
}


static int sys_fstat64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t st[26];

    if (!f)
        RET(-EBADF);
    stat_file(f, st);
    RET(mm_copy_out(p->mm, p->tid, r[1], st, 104) ? -EFAULT : 0);
}

static int sys_fstatat64(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH], raw[2];
    uint32_t st[26];
    int err;

    if (r[3] & 0x1000 && !mm_copy_in(p->mm, p->tid, raw, r[1], 1) && raw[0] == 0) {
        uint32_t args[2] = { r[0], r[2] };      /* AT_EMPTY_PATH: the descriptor itself */
        return sys_fstat64(p, args) || (r[0] = args[0], 0);
    }
    err = get_path(p, (int32_t)r[0], r[1], abs);
    if (!err)
        err = stat_path(p, abs, st);
    if (!err && mm_copy_out(p->mm, p->tid, r[2], st, 104))
        err = -EFAULT;
    RET(err);
}

/* stat64 and lstat64 (no links to follow): fstatat64 from the working directory. */
static int sys_stat64(struct proc *p, uint32_t *r)
{
    uint32_t args[4] = { (uint32_t)AT_FDCWD, r[0], r[1], 0 };
    int v = sys_fstatat64(p, args);

    r[0] = args[0];
    return v;
}

/* statx(dirfd, path, flags, mask, buf): the fields from the same source as stat64. */
static int sys_statx(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH], raw[2];
    uint32_t st[26], sx[64];
    int err = 0;

    if (r[2] & 0x1000 && !mm_copy_in(p->mm, p->tid, raw, r[1], 1) && raw[0] == 0) {
        struct file *f = fd_get(p, r[0]);
        if (!f)
            RET(-EBADF);
        stat_file(f, st);
    } else {
        err = get_path(p, (int32_t)r[0], r[1], abs);
        if (!err)
            err = stat_path(p, abs, st);
    }
    if (err)
        RET(err);
    memset(sx, 0, sizeof sx);
    sx[0] = 0x7ff;                              /* stx_mask: the basic fields */
    sx[1] = 4096;                               /* stx_blksize */
    sx[4] = st[5];                              /* stx_nlink */
    ((uint16_t *)sx)[14] = (uint16_t)st[4];     /* stx_mode */
    sx[8] = st[24];                             /* stx_ino */
    sx[10] = st[11];                            /* stx_size */
    sx[12] = st[14];                            /* stx_blocks */
    RET(mm_copy_out(p->mm, p->tid, r[4], sx, 256) ? -EFAULT : 0);
}

/* getdents64: the directory's entries (initramfs and tmpfs), '.' and '..' first. */
static int sys_getdents64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint8_t buf[4096];
    uint32_t used = 0, index = 0, want = r[2] < sizeof buf ? r[2] : sizeof buf;
    static char seen[64][64];
    unsigned nseen = 0;

    if (!f || f->type != F_DIR)
        RET(f ? -ENOTDIR : -EBADF);
    size_t dlen = strnlen(f->path, MAX_PATH);
    size_t plen = dlen == 1 ? 1 : dlen + 1;    /* the prefix children start with */

    /* collect names: ".", "..", then each distinct first component under the directory */
    const char *names[70];
    uint8_t types[70];
    unsigned n = 0;
    names[n] = ".", types[n++] = 4;
    names[n] = "..", types[n++] = 4;
    for (unsigned i = 0; i < MAX_TNODES && nseen < 64; i++) {
        const char *tp = tnodes[i].path;
        if (!tnodes[i].used || strnlen(tp, MAX_PATH) <= plen || memcmp(tp, f->path, dlen) ||
            (dlen > 1 && tp[dlen] != '/'))
            continue;
        const char *rest = tp + plen;
        size_t k = 0;
        while (rest[k] && rest[k] != '/')
            k++;
        if (k >= 64)
            continue;
        memcpy(seen[nseen], rest, k);
        seen[nseen][k] = 0;
        names[n] = seen[nseen++];
        types[n++] = rest[k] == '/' || (tnodes[i].mode & S_IFMT) == S_IFDIR ? 4 : 8;
    }
    nseen += (unsigned)initrd_children(f->path, seen + nseen, 64 - nseen);
    if (!memcmp(f->path, "/proc", 6) || !memcmp(f->path, "/proc/", 6))
        nseen += (unsigned)procfs_children(p, f->path, seen + nseen, 64 - nseen);
    for (unsigned i = n - 2; i < nseen && n < 70; i++) {
        names[n] = seen[i];
        char child[MAX_PATH];
        uint32_t mode;
        path_resolve(f->path, seen[i], child, sizeof child);
        types[n++] = is_dir(child) || (!procfs_stat(p, child, &mode) && (mode & S_IFMT) == S_IFDIR) ? 4 : 8;
    }
    /* drop duplicates (a tmpfs copy of an initramfs file) */
    for (unsigned i = f->pos; i < n; i++) {
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strnlen(names[i], 64) == strnlen(names[j], 64) &&
                  !memcmp(names[i], names[j], strnlen(names[i], 64));
        if (dup) {
            index++;
            continue;
        }
        uint32_t len = strnlen(names[i], 63), reclen = (19 + len + 1 + 7) & ~7u;
        if (used + reclen > want)
            break;
        uint8_t *d = buf + used;
        memset(d, 0, reclen);
        *(uint32_t *)d = i + 1;                 /* d_ino */
        *(uint32_t *)(d + 8) = i + 1;           /* d_off */
        *(uint16_t *)(d + 16) = (uint16_t)reclen;
        d[18] = types[i];
        memcpy(d + 19, names[i], len);
        used += reclen;
        index++;
    }
    f->pos += index;
    if (used && mm_copy_out(p->mm, p->tid, r[1], buf, used))
        RET(-EFAULT);
    RET(used);
}

static int sys_getcwd(struct proc *p, uint32_t *r)
{
    uint32_t len = strnlen(p->cwd, sizeof p->cwd) + 1;

    if (r[1] < len)
        RET(-ERANGE);
    RET(mm_copy_out(p->mm, p->tid, r[0], p->cwd, len) ? -EFAULT : (int)len);
}

static int sys_chdir(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH];
    int err = get_path(p, AT_FDCWD, r[0], abs);

    if (err)
        RET(err);
    uint32_t mode;
    procfs_canonical(p, abs);
    if (!is_dir(abs) && (procfs_stat(p, abs, &mode) || (mode & S_IFMT) != S_IFDIR))
        RET(exists(abs) ? -ENOTDIR : -ENOENT);
    memcpy(p->cwd, abs, sizeof p->cwd);
    RET(0);
}

static int do_mkdir(struct proc *p, int dirfd, uint32_t path, uint32_t mode)
{
    char abs[MAX_PATH], parent[MAX_PATH];
    int err = get_path(p, dirfd, path, abs);

    if (err)
        return err;
    if (exists(abs))
        return -EEXIST;
    path_resolve(abs, "..", parent, sizeof parent);
    if (!is_dir(parent))
        return -ENOENT;
    return tnode_new(abs, S_IFDIR | (mode & 0777)) ? 0 : -ENOMEM;
}

static int sys_mkdir(struct proc *p, uint32_t *r)
{
    RET(do_mkdir(p, AT_FDCWD, r[0], r[1]));
}

static int sys_mkdirat(struct proc *p, uint32_t *r)
{
    RET(do_mkdir(p, (int32_t)r[0], r[1], r[2]));
}

static int do_unlink(struct proc *p, int dirfd, uint32_t path, int rmdir)
{
    char abs[MAX_PATH];
    struct tnode *t;
    int err = get_path(p, dirfd, path, abs);

    if (err)
        return err;
    t = tnode_find(abs);
    if (!t)
        return exists(abs) ? -EACCES : -ENOENT;     /* the initramfs is read-only */
    if (rmdir != ((t->mode & S_IFMT) == S_IFDIR))
        return rmdir ? -ENOTDIR : -EISDIR;
    if (rmdir) {
        size_t len = strnlen(abs, MAX_PATH);
        for (unsigned i = 0; i < MAX_TNODES; i++)
            if (tnodes[i].used && &tnodes[i] != t && !memcmp(tnodes[i].path, abs, len) &&
                tnodes[i].path[len] == '/')
                return -ENOTEMPTY;
    }
    tnode_truncate(t, 0);
    t->used = 0;
    return 0;
}

static int sys_unlink(struct proc *p, uint32_t *r)
{
    RET(do_unlink(p, AT_FDCWD, r[0], 0));
}

static int sys_rmdir(struct proc *p, uint32_t *r)
{
    RET(do_unlink(p, AT_FDCWD, r[0], 1));
}

static int sys_unlinkat(struct proc *p, uint32_t *r)
{
    RET(do_unlink(p, (int32_t)r[0], r[1], r[2] & 0x200 ? 1 : 0));
}

static int do_rename(struct proc *p, int olddir, uint32_t oldp, int newdir, uint32_t newp)
{
    char from[MAX_PATH], to[MAX_PATH];
    struct tnode *t, *old;
    int err = get_path(p, olddir, oldp, from);

    if (!err)
        err = get_path(p, newdir, newp, to);
    if (err)
        return err;
    t = tnode_find(from);
    if (!t)
        return exists(from) ? -EACCES : -ENOENT;
    old = tnode_find(to);
    if (old && old != t) {
        tnode_truncate(old, 0);
        old->used = 0;
    }
    memset(t->path, 0, sizeof t->path);
    memcpy(t->path, to, strnlen(to, MAX_PATH - 1));
    return 0;
}

static int sys_rename(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, AT_FDCWD, r[0], AT_FDCWD, r[1]));
}

static int sys_renameat(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, (int32_t)r[0], r[1], (int32_t)r[2], r[3]));
}

static int sys_access(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH];
    int err = get_path(p, AT_FDCWD, r[0], abs);

    RET(err ? err : exists(abs) ? 0 : -ENOENT);
}

static int sys_faccessat(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH];
    int err = get_path(p, (int32_t)r[0], r[1], abs);

    RET(err ? err : exists(abs) ? 0 : -ENOENT);
}

/* readlinkat(dirfd, path, buf, size): /proc's links and the initramfs's symbolic links. */
static int sys_readlinkat(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH], target[MAX_PATH];
    int n = get_path(p, (int32_t)r[0], r[1], abs);

    if (n)
        RET(n);
    if (!memcmp(abs, "/proc/", 6))
        n = procfs_readlink(p, abs, target, sizeof target);
    else if ((n = initrd_link(abs, target, sizeof target)) < 0)
        n = exists(abs) ? -EINVAL : -ENOENT;
    if (n < 0)
        RET(n);
    if ((uint32_t)n > r[3])
        n = (int)r[3];
    RET(mm_copy_out(p->mm, p->tid, r[2], target, (uint32_t)n) ? -EFAULT : n);
}

static int sys_readlink(struct proc *p, uint32_t *r)
{
    uint32_t args[4] = { (uint32_t)AT_FDCWD, r[0], r[1], r[2] };
    int blocked = sys_readlinkat(p, args);

    r[0] = args[0];
    return blocked;
}

/* ---- information ------------------------------------------------------------------------ */

/* sysinfo: uptime, memory from the pool, the number of processes (struct sysinfo, 64 bytes). */
static int sys_sysinfo(struct proc *p, uint32_t *r)
{
    uint32_t si[16];
    uint16_t n = 0;

    memset(si, 0, sizeof si);
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state != P_FREE;
    si[0] = (uint32_t)(now_us() / 1000000);     /* uptime, s */
    si[4] = frames_total();                     /* totalram, in mem_unit */
    si[5] = frames_free();                      /* freeram */
    ((uint16_t *)si)[20] = n;                   /* procs */
    si[13] = PAGE;                              /* mem_unit */
    RET(mm_copy_out(p->mm, p->tid, r[0], si, sizeof si) ? -EFAULT : 0);
}

static int sys_uname(struct proc *p, uint32_t *r)
{
    char u[6 * 65];

    memset(u, 0, sizeof u);
    memcpy(u + 0 * 65, "Linux", 5);
    memcpy(u + 1 * 65, "l4", 2);
    memcpy(u + 2 * 65, "6.1.0-l4", 8);
    memcpy(u + 3 * 65, "#1 SMP L4 server", 16);
    memcpy(u + 4 * 65, "armv7l", 6);
    memcpy(u + 5 * 65, "(none)", 6);
    RET(mm_copy_out(p->mm, p->tid, r[0], u, sizeof u) ? -EFAULT : 0);
}

static int sys_ugetrlimit(struct proc *p, uint32_t *r)
{
    uint32_t lim[2] = { 0xffffffffu, 0xffffffffu };

    if (r[0] == 3)                              /* RLIMIT_STACK: 8 MiB */
        lim[0] = lim[1] = 8u << 20;
    if (r[0] == 7)                              /* RLIMIT_NOFILE */
        lim[0] = lim[1] = MAX_FDS;
    RET(mm_copy_out(p->mm, p->tid, r[1], lim, 8) ? -EFAULT : 0);
}

static int sys_prlimit64(struct proc *p, uint32_t *r)
{
    uint32_t lim[4] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };

    if (r[0] && r[0] != (uint32_t)p->pid)
        RET(-ESRCH);
    if (r[1] == 3) {
        lim[0] = lim[2] = 8u << 20;
        lim[1] = lim[3] = 0;
    } else if (r[1] == 7) {
        lim[0] = lim[2] = MAX_FDS;
        lim[1] = lim[3] = 0;
    }
    if (r[3] && mm_copy_out(p->mm, p->tid, r[3], lim, 16))
        RET(-EFAULT);
    RET(0);
}

static int sys_getrandom(struct proc *p, uint32_t *r)
{
    static uint32_t x = 0x12345678u;
    uint8_t buf[256];
    uint32_t len = r[1] < sizeof buf ? r[1] : sizeof buf;

    x ^= l4_cycles();
    for (uint32_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    RET(mm_copy_out(p->mm, p->tid, r[0], buf, len) ? -EFAULT : (int)len);
}

static int sys_clock_gettime(struct proc *p, uint32_t *r)
{
    uint64_t ns = now_ns();
    uint32_t ts[2] = { (uint32_t)(ns / 1000000000), (uint32_t)(ns % 1000000000) };

    RET(mm_copy_out(p->mm, p->tid, r[1], ts, 8) ? -EFAULT : 0);
}

static int sys_clock_gettime64(struct proc *p, uint32_t *r)
{
    uint64_t ns = now_ns();
    uint32_t ts[4] = { (uint32_t)(ns / 1000000000), 0, (uint32_t)(ns % 1000000000), 0 };

    RET(mm_copy_out(p->mm, p->tid, r[1], ts, 16) ? -EFAULT : 0);
}

static int sys_times(struct proc *p, uint32_t *r)
{
    uint32_t t[4] = { 0, 0, 0, 0 };
    uint32_t ticks = (uint32_t)(now_us() / 10000);

    if (r[0] && mm_copy_out(p->mm, p->tid, r[0], t, 16))
        RET(-EFAULT);
    RET(ticks);
}

/* poll and ppoll: every descriptor asked about counts as ready; a read that follows waits for its
 * data as it would without the poll (the console, a pipe). */
static int sys_poll(struct proc *p, uint32_t *r)
{
    uint32_t n = r[1] < 64 ? r[1] : 64, ready = 0;
    uint16_t fds[64 * 4];

    if (n && mm_copy_in(p->mm, p->tid, fds, r[0], n * 8))
        RET(-EFAULT);
    for (uint32_t i = 0; i < n; i++) {
        int32_t fd = (int32_t)(fds[i * 4] | (uint32_t)fds[i * 4 + 1] << 16);
        uint16_t events = fds[i * 4 + 2];
        fds[i * 4 + 3] = fd < 0 ? 0 : !fd_get(p, (uint32_t)fd) ? 0x20 /* POLLNVAL */ : events & 0x5;
        ready += fds[i * 4 + 3] != 0;
    }
    if (n && mm_copy_out(p->mm, p->tid, r[0], fds, n * 8))
        RET(-EFAULT);
    RET(ready);
}

static int sys_enosys(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(-ENOSYS);
}

const syscall_fn syscall_table[LINUX_SYSCALLS] = {
    [1] = sys_exit, [2] = sys_fork, [3] = sys_read, [4] = sys_write, [5] = sys_open,
    [6] = sys_close, [10] = sys_unlink, [11] = sys_execve, [12] = sys_chdir, [19] = sys_lseek,
    [20] = sys_getpid, [29] = sys_pause, [33] = sys_access, [37] = sys_kill, [38] = sys_rename, [39] = sys_mkdir,
    [40] = sys_rmdir, [41] = sys_dup, [42] = sys_pipe, [43] = sys_times, [45] = sys_brk,
    [54] = sys_ioctl, [57] = sys_setpgid,
    [60] = sys_zero,                            /* umask */
    [63] = sys_dup2, [64] = sys_getppid, [65] = sys_getpgrp, [66] = sys_setsid,
    [85] = sys_readlink, [91] = sys_munmap, [114] = sys_wait4, [116] = sys_sysinfo, [120] = sys_clone,
    [122] = sys_uname, [125] = sys_mprotect,
    [132] = sys_getpgid, [147] = sys_getsid,
    [140] = sys_llseek, [145] = sys_readv, [146] = sys_writev, [158] = sys_sched_yield,
    [119] = sys_rt_sigreturn,                   /* sigreturn */
    [162] = sys_nanosleep, [168] = sys_poll, [172] = sys_prctl,
    [173] = sys_rt_sigreturn, [174] = sys_rt_sigaction, [175] = sys_rt_sigprocmask,
    [179] = sys_rt_sigsuspend,
    [183] = sys_getcwd, [190] = sys_fork,       /* vfork, as fork */
    [191] = sys_ugetrlimit, [192] = sys_mmap2, [195] = sys_stat64, [196] = sys_stat64,
    [197] = sys_fstat64,
    [199] = sys_zero, [200] = sys_zero, [201] = sys_zero, [202] = sys_zero,  /* uid/gid: root */
    [217] = sys_getdents64, [220] = sys_zero,   /* madvise */
    [221] = sys_fcntl64, [224] = sys_getpid,    /* gettid: one thread per process */
    [238] = sys_tkill,
    [240] = sys_zero,                           /* futex: one thread, nothing to wait for */
    [248] = sys_exit,                           /* exit_group */
    [256] = sys_set_tid_address, [263] = sys_clock_gettime, [265] = sys_clock_nanosleep,
    [268] = sys_tgkill,
    [322] = sys_openat, [323] = sys_mkdirat, [327] = sys_fstatat64, [328] = sys_unlinkat,
    [329] = sys_renameat, [332] = sys_readlinkat, [334] = sys_faccessat, [336] = sys_poll,
    [338] = sys_zero,                           /* set_robust_list */
    [358] = sys_dup3, [359] = sys_pipe2, [369] = sys_prlimit64, [384] = sys_getrandom,
    [397] = sys_statx,
    [398] = sys_enosys,                         /* rseq: ENOSYS is the right answer */
    [403] = sys_clock_gettime64, [407] = sys_clock_nanosleep, [414] = sys_poll,
    [439] = sys_faccessat,
};

#define ARM_SET_TLS 0xf0005u

int syscall_other(struct proc *p)
{
    uint32_t nr = p->regs[7];

    if (nr == ARM_SET_TLS)
        return sys_set_tls(p, p->regs);
    unknown_syscalls[nr < 512 ? nr : 511]++;
    p->regs[0] = (uint32_t)-ENOSYS;
    return 0;
}
