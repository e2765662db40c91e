/* Processes: exit, fork, exec and wait; process groups and sessions; identity. */
#include "syscalls.h"

/* exit ends the calling thread; the process ends with its last (exit_group: sys_thread.c). */
int sys_exit(struct proc *p, uint32_t *r)
{
    thread_exit(p, (r[0] & 0xff) << 8);
    return 1;
}

/* A signal that will be taken on the way out of this call makes fork undo itself in Linux and
 * run again after the handler (ERESTARTNOINTR): a child made now would miss a signal sent to
 * its parent's group before it existed, and outlive a parent the signal ends.  We look before
 * making the child (the server's lock keeps signals out while it is made), which is the same.
 * Returns 1 when the call is put back: the pc goes back to the SVC, the arguments unchanged. */
static int fork_waits_for_signal(struct proc *p)
{
    if (!signal_ready(p))
        return 0;
    call_again(p);
    return 1;
}

int sys_fork(struct proc *p, uint32_t *r)
{
    if (fork_waits_for_signal(p))
        return 0;
    RET(proc_fork(p, 0, 0));
}

/* vfork: the child runs in the caller's memory, the caller waits until it execs or ends. */
int sys_vfork(struct proc *p, uint32_t *r)
{
    if (fork_waits_for_signal(p))
        return 0;
    int v = vfork_wait(p, proc_fork(p, CLONE_VM | CLONE_VFORK, 0));
    if (v == 1 << 30)
        return 1;
    RET(v);
}

/* The first bytes of the file execve names, for its "#!" line: how many, or -ENOENT, or
 * -EACCES for a directory or a file nobody may execute (the shell's "Permission denied").  Where
 * a program's bytes are found is the file system's business (exec_find). */
static int exec_head(struct proc *p, const char *path, uint8_t *buf, uint32_t cap)
{
    static char resolved[MAX_PATH];
    struct inode *file;
    int err = exec_find(p, path, &file, resolved);

    return err ? err : (int)vfs_read(file, 0, buf, cap);
}

int sys_execve(struct proc *p, uint32_t *r)
{
    static struct exec_args args;
    char path[MAX_PATH], given[MAX_PATH];
    uint8_t head[256];
    int err = get_path(p, AT_FDCWD, r[0], path), n;

    if (err)
        RET(err);
    if (mm_copy_string(p->mm, p->tid, given, r[0], sizeof given))
        RET(-EFAULT);                           /* the name as given: a script's argument */
    err = exec_args_init(&args, p, r[1], r[2]);
    if (err)
        RET(err);
    memcpy(args.name, given, sizeof args.name);
    /* a script names its interpreter, which may be a script too */
    do {
        /* /proc's links (busybox's shell runs a file without a "#!" line through
         * /proc/self/exe): the file they name */
        char target[MAX_PATH];
        for (int links = 0; !memcmp(path, "/proc/", 6) && links < 8; links++) {
            int len = procfs_readlink(p, path, target, sizeof target - 1);
            if (len < 0)
                break;
            target[len] = 0;
            memcpy(path, target, (uint32_t)len + 1);
        }
        n = exec_head(p, path, head, sizeof head);
        if (n < 0)
            RET(n);
        err = exec_interpreter(&args, path, p->leader->cwd, given, head, (uint32_t)n);
        if (err < 0)
            RET(err);
    } while (err);
    if (n < 4 || memcmp(head, "\177ELF", 4))
        RET(-ENOEXEC);                          /* the shell runs it as a script itself */
    err = proc_exec(p, path, &args);
    if (err < 0)
        RET(err);
    return err;                                 /* the reply (if any) starts the new program */
}

/* The options both waits take beside their own: which kinds of children (all are one kind
 * here) and whose (a thread's own or its process's: the process's, always). */
#define WAIT_ANY_CHILD  (__WNOTHREAD | __WALL | __WCLONE)

/* wait4(pid, status, options, rusage): pid > 0 that child, -1 any, 0 one of the caller's group,
 * < -1 one of the group -pid; always WEXITED. */
int sys_wait4(struct proc *p, uint32_t *r)
{
    int pid = (int32_t)r[0];
    struct wait_request q = { .idtype = pid > 0 ? P_PID : pid == -1 ? P_ALL : P_PGID,
                              .id = pid < -1 ? -pid : pid > 0 ? pid : 0,
                              .options = r[2] | WEXITED, .status = r[1], .rusage = r[3] };

    if (r[2] & ~(WNOHANG | WUNTRACED | WCONTINUED | WAIT_ANY_CHILD))
        RET(-EINVAL);
    if (pid == INT32_MIN)
        RET(-ESRCH);
    int v = proc_wait(p, &q);
    if (v == 1 << 30)
        return 1;
    RET(v);
}

/* waitid(idtype, id, infop, options, rusage): the changes `options` names (at least one of
 * WEXITED, WSTOPPED, WCONTINUED) of the children P_ALL, P_PID id or P_PGID id (0: the caller's
 * group) name.  Whatever the outcome, infop (if given) gets si_signo, si_errno, si_code, si_pid,
 * si_uid and si_status: SIGCHLD and the child's, or zeros (WNOHANG with nothing to report, an
 * error), as Linux writes them. */
int sys_waitid(struct proc *p, uint32_t *r)
{
    struct wait_request q = { .idtype = r[0], .id = (int32_t)r[1], .options = r[3], .waitid = 1,
                              .info = r[2], .rusage = r[4] };

    if (r[3] & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WAIT_ANY_CHILD) ||
        !(r[3] & (WEXITED | WSTOPPED | WCONTINUED)) || r[0] > P_PGID ||
        (r[0] == P_PID && q.id <= 0) || (r[0] == P_PGID && q.id < 0))
        RET(proc_wait_none(p, &q, -EINVAL));
    int v = proc_wait(p, &q);
    if (v == 1 << 30)
        return 1;
    RET(v);
}

/* `p` stops waiting in whatever call it waits in (a signal, or its end). */
void proc_unblock(struct proc *p)
{
    extern void proc_sleep_interrupted(struct proc *p);

    if (p->blocked == B_SLEEP)
        proc_sleep_interrupted(p);              /* nanosleep's time left */
    if (p->blocked == B_SIGWAIT)
        p->sig_blocked = p->sig_saved_mask;     /* rt_sigtimedwait's mask as it was */
    futex_forget(p);
    console_forget(p);
    pipe_forget(p);
    lock_forget(p);
    p->blocked = B_NONE;
    poll_forget(p);
}

int pgrp_orphaned(int pgid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &procs[i], *parent;
        if (q->state == P_FREE || q->state == P_ZOMBIE || q->leader->pgid != pgid)
            continue;
        parent = q->leader->ppid > 1 ? proc_by_pid(q->leader->ppid) : NULL;
        if (parent && parent->state != P_FREE && parent->state != P_ZOMBIE && parent->leader->pgid != pgid &&
            parent->leader->sid == q->leader->sid)
            return 0;
    }
    return 1;
}

int group_in_session(int pgid, int sid)
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
    struct proc *t = pid == 0 ? p->leader : proc_by_pid(pid);

    return t && t->state != P_FREE && t->state != P_ZOMBIE ? t : NULL;
}

int sys_setpgid(struct proc *p, uint32_t *r)
{
    int pid = (int32_t)r[0], pgid = (int32_t)r[1];
    struct proc *t = named(p, pid);

    if (pgid < 0)
        RET(-EINVAL);
    if (!t || (t != p->leader && t->ppid != p->pid))
        RET(-ESRCH);                            /* only ourselves or a child of ours */
    if (t->leader->sid != p->leader->sid || t->pid == t->leader->sid)
        RET(-EPERM);                            /* another session's, or a session leader */
    if (pgid == 0)
        pgid = t->pid;
    if (pgid != t->pid && !group_in_session(pgid, p->leader->sid))
        RET(-EPERM);
    t->leader->pgid = pgid;
    RET(0);
}

int sys_getpgid(struct proc *p, uint32_t *r)
{
    struct proc *t = named(p, (int32_t)r[0]);

    RET(t ? t->leader->pgid : -ESRCH);
}

int sys_getpgrp(struct proc *p, uint32_t *r)
{
    RET(p->leader->pgid);
}

int sys_setsid(struct proc *p, uint32_t *r)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].pgid == p->pid)
            RET(-EPERM);                        /* a group leader (or its group lives on) */
    p->leader->pgid = p->leader->sid = p->pid;
    RET(p->pid);
}

int sys_getsid(struct proc *p, uint32_t *r)
{
    struct proc *t = named(p, (int32_t)r[0]);

    RET(t ? t->leader->sid : -ESRCH);
}

int sys_getpid(struct proc *p, uint32_t *r)
{
    RET(p->pid);
}

int sys_getppid(struct proc *p, uint32_t *r)
{
    RET(p->leader->ppid);
}

/* prctl: PR_SET_NAME and PR_GET_NAME (the name /proc/PID/comm shows); the rest succeed. */
int sys_prctl(struct proc *p, uint32_t *r)
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

int sys_set_tls(struct proc *p, uint32_t *r)
{
    p->tls = r[0];
    l4_exchange_registers(p->tid, L4_XR_TLS, 0, 0, r[0]);
    RET(0);
}

int sys_set_tid_address(struct proc *p, uint32_t *r)
{
    p->clear_child_tid = r[0];
    RET(p->ltid);
}
