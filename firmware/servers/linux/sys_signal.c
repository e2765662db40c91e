/* Signals: sending them, their actions and masks, waiting for one, returning from a handler. */
#include "syscalls.h"

/* Whether kill's `pid` names the process `t` when `p` sends: that process (pid > 0), p's group
 * (0), the group -pid (pid < -1), or every process but init and p's (-1). */
static int kill_names(const struct proc *p, const struct proc *t, int pid)
{
    if (pid > 0)
        return t->pid == pid;
    if (pid == 0)
        return t->pgid == p->leader->pgid;
    if (pid == -1)
        return t->pid != 1 && t != p->leader;
    return t->pgid == -pid;
}

int sys_kill(struct proc *p, uint32_t *r)
{
    int pid = (int32_t)r[0], sig = (int32_t)r[1], hit = 0;
    struct sig_origin from = signal_user(p);

    if (sig < 0 || sig > 32 || pid == INT32_MIN)
        RET(-EINVAL);
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *t = &procs[i];
        if (t->state == P_FREE || t->state == P_ZOMBIE || t->leader != t || !kill_names(p, t, pid))
            continue;
        hit++;
        if (sig && t == p->leader && !(p->sig_blocked & 1u << (sig - 1)))
            signal_pend(p, sig, &from);         /* ourselves: taken on the way out */
        else if (sig)
            signal_send_from(t, sig, &from);
    }
    RET(hit ? 0 : -ESRCH);
}

/* A signal for one thread: `tgid` its process (0: any).  Its siginfo is kill's (SI_USER), as
 * Linux 6.1 gives it. */
static int thread_kill(struct proc *p, int tgid, int ltid, int sig)
{
    struct proc *t = ltid > 0 ? thread_by_ltid(ltid) : NULL;
    struct sig_origin from = signal_user(p);

    if (ltid <= 0 || tgid < 0 || sig < 0 || sig > 32)
        return -EINVAL;
    if (!t || (tgid && t->pid != tgid))
        return -ESRCH;
    if (sig && t == p)
        signal_pend(p, sig, &from);             /* taken on the way out */
    else if (sig)
        signal_send_thread(t, sig, &from);
    return 0;
}

int sys_tkill(struct proc *p, uint32_t *r)
{
    RET(thread_kill(p, 0, (int32_t)r[0], (int32_t)r[1]));
}

int sys_tgkill(struct proc *p, uint32_t *r)
{
    RET((int32_t)r[0] <= 0 ? -EINVAL : thread_kill(p, (int32_t)r[0], (int32_t)r[1], (int32_t)r[2]));
}

int sys_rt_sigaction(struct proc *p, uint32_t *r)
{
    int sig = (int32_t)r[0];
    uint32_t act[5];

    if (sig < 1 || sig > 32 || sig == SIGKILL || sig == SIGSTOP)
        RET(-EINVAL);
    if (r[2]) {
        struct sigaction_k *a = &p->leader->sig[sig];
        uint32_t old[5] = { a->handler, a->flags, a->restorer, a->mask, 0 };
        if (mm_copy_out(p->mm, p->tid, r[2], old, 20))
            RET(-EFAULT);
    }
    if (r[1]) {
        if (mm_copy_in(p->mm, p->tid, act, r[1], 20))
            RET(-EFAULT);
        p->leader->sig[sig].handler = act[0];
        p->leader->sig[sig].flags = act[1];
        p->leader->sig[sig].restorer = act[2];
        p->leader->sig[sig].mask = act[3];
    }
    RET(0);
}

int sys_rt_sigprocmask(struct proc *p, uint32_t *r)
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
        p->sig_blocked &= ~(1u << (SIGKILL - 1) | 1u << (SIGSTOP - 1));  /* KILL and STOP stay open */
    }
    RET(0);
}

/* rt_sigsuspend(mask): wait for a signal with `mask` in force; the handler then returns to the
 * mask from before, and the call ends with -EINTR. */
int sys_rt_sigsuspend(struct proc *p, uint32_t *r)
{
    uint32_t set[2];

    if (mm_copy_in(p->mm, p->tid, set, r[0], 8))
        RET(-EFAULT);
    p->sig_saved_mask = p->sig_blocked;
    p->sig_suspended = 1;
    p->sig_blocked = set[0] & ~(1u << (SIGKILL - 1));
    signal_drop_ignored(p);
    if (p->sig_pending & ~p->sig_blocked)
        RET(-EINTR);                            /* one is waiting already */
    proc_sleep(p, ~0ull);
    return 1;
}

/* rt_sigtimedwait's end: the first signal of the set pending for `p` (there is one: signal_next)
 * taken, its siginfo where the call asked; the signal's number, or -EFAULT (the signal is lost,
 * as on Linux). */
static int sigwait_take(struct proc *p, uint32_t set, uint32_t info_addr)
{
    int sig = signal_next(p->sig_pending & set);
    uint32_t info[32];

    signal_info(p, sig, info);
    p->sig_pending &= ~(1u << (sig - 1));
    if (info_addr && mm_copy_out(p->mm, p->tid, info_addr, info, sizeof info))
        return -EFAULT;
    return sig;
}

void signal_wait_end(struct proc *p)
{
    uint32_t set = p->sig_wait_set, info = p->sig_wait_info;

    proc_unblock(p);                            /* (its mask back) */
    proc_resume(p, (uint32_t)sigwait_take(p, set, info));
}

/* rt_sigtimedwait(set, info, timeout, sigsetsize) with a 32-bit or 64-bit (`wide`) timespec:
 * a signal of the set (SIGKILL and SIGSTOP aside) taken, pending already or when it comes,
 * blocked or not; the set is unblocked while it waits, and any other signal that ends the wait
 * makes it -EINTR.  No timeout waits for ever; a zero one only looks (-EAGAIN). */
static int sigtimedwait(struct proc *p, uint32_t *r, int wide)
{
    uint32_t set[2];
    uint64_t wake;

    if (r[3] != 8)
        RET(-EINVAL);
    if (mm_copy_in(p->mm, p->tid, set, r[0], sizeof set))
        RET(-EFAULT);
    int err = poll_deadline(p, r[2], wide, &wake);
    if (err)
        RET(err);
    set[0] &= ~(1u << (SIGKILL - 1) | 1u << (SIGSTOP - 1));
    if (p->sig_pending & set[0])
        RET(sigwait_take(p, set[0], r[1]));
    if (wake == 0)
        RET(-EAGAIN);
    p->sig_wait_set = set[0];
    p->sig_wait_info = r[1];
    p->sig_saved_mask = p->sig_blocked;
    p->sig_blocked &= ~set[0];
    proc_sleep(p, wake);
    p->blocked = B_SIGWAIT;
    return 1;
}

int sys_rt_sigtimedwait(struct proc *p, uint32_t *r)
{
    return sigtimedwait(p, r, 0);
}

int sys_rt_sigtimedwait_time64(struct proc *p, uint32_t *r)
{
    return sigtimedwait(p, r, 1);
}

/* The signals that wait, blocked, for the caller. */
int sys_rt_sigpending(struct proc *p, uint32_t *r)
{
    uint32_t set[2] = { p->sig_pending & p->sig_blocked, 0 };

    if (r[1] < 4 || r[1] > 8)
        RET(-EINVAL);
    RET(mm_copy_out(p->mm, p->tid, r[0], set, r[1]) ? -EFAULT : 0);
}

int sys_rt_sigreturn(struct proc *p, uint32_t *r)
{
    (void)r;
    return signal_return(p);                    /* the restored registers are the reply */
}

/* sigaltstack(ss, old_ss): signal_altstack, for the calling thread at its stack pointer. */
int sys_sigaltstack(struct proc *p, uint32_t *r)
{
    uint32_t ss[3], old[3];

    if (r[0] && mm_copy_in(p->mm, p->tid, ss, r[0], sizeof ss))
        RET(-EFAULT);
    int err = signal_altstack(p, r[0] ? ss : NULL, old, p->regs[13]);
    if (!err && r[1] && mm_copy_out(p->mm, p->tid, r[1], old, sizeof old))
        err = -EFAULT;
    RET(err);
}

int sys_pause(struct proc *p, uint32_t *r)
{
    (void)r;
    proc_sleep(p, ~0ull);                       /* until a signal ends it with -EINTR */
    return 1;
}
