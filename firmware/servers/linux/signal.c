/*
 * Signals, as a Linux process sees them: a handler runs on the process's stack (or, with
 * SA_ONSTACK, on the thread's alternate stack) with a frame the server builds (siginfo, then a ucontext holding the interrupted registers), returns through
 * its restorer into rt_sigreturn, and the registers come back from the frame.  With no handler,
 * the default action: terminate (the wait status is the signal number), or ignore SIGCHLD,
 * SIGURG and SIGWINCH.  Signals are taken when the process next enters the server (a system
 * call, a fault) or, if it waits in one, at once with -EINTR; rt_sigtimedwait takes those of its
 * set itself.  Each pending signal keeps its sender (sig_from) for the siginfo of either.
 */
#include "linux.h"


/* The frame: siginfo (128 bytes), then the ucontext: flags, link, stack (3 words), the
 * sigcontext (trap_no, error_code, oldmask, r0-r10, fp, ip, sp, lr, pc, cpsr, fault_address),
 * the signal mask (128 bytes). */
struct frame {
    uint32_t info[32];
    uint32_t uc_flags, uc_link, uc_stack[3];
    uint32_t trap_no, error_code, oldmask;
    uint32_t regs[17];                  /* r0-r12, sp, lr, pc, cpsr: the order of p->regs */
    uint32_t fault_address;
    uint32_t mask[32];
};

static int ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

#define STOP_SIGNALS    (1u << (SIGSTOP - 1) | 1u << (SIGTSTP - 1) | 1u << (SIGTTIN - 1) | \
                         1u << (SIGTTOU - 1))

static int stops_by_default(int sig)
{
    return (STOP_SIGNALS >> (sig - 1)) & 1;
}

/* SIGTSTP, SIGTTIN and SIGTTOU do not stop a process of an orphaned group (nobody would
 * continue it): Linux discards them when their action is the default. */
static int stop_discarded(const struct proc *p, int sig)
{
    return sig != SIGSTOP && pgrp_orphaned(p->leader->pgid);
}

/* Job control: `p` stops.  In a call it stays there (its answer, when it comes, waits); coming
 * out of one, its reply waits (B_STOPPED).  The parent learns it. */
static void stop(struct proc *p, int sig)
{
    p->stopped = 1;
    if (p->state == P_RUNNING) {
        p->state = P_BLOCKED;
        p->blocked = B_STOPPED;
    }
    proc_report(p, (uint32_t)sig << 8 | 0x7f);
}

static void interrupt_call(struct proc *p, int sig);

/* SIGCONT: `p` runs again; a held reply goes now, a call it still waits in goes on (or ends,
 * when a signal came for it while it was stopped). */
static void cont(struct proc *p)
{
    p->stopped = 0;
    proc_report(p, 0xffff);
    if (p->state == P_BLOCKED && p->blocked == B_STOPPED) {
        p->state = P_RUNNING;
        p->blocked = B_NONE;
        if (!signal_deliver(p))
            proc_reply(p);
    } else if (p->state == P_BLOCKED && p->sig_pending & ~p->sig_blocked) {
        interrupt_call(p, __builtin_ctz(p->sig_pending & ~p->sig_blocked) + 1);
    }
}

/* Whether `sig`'s action is to ignore it: by its handler, or by default. */
static int ignored(const struct proc *p, int sig)
{
    return p->leader->sig[sig].handler == SIG_IGN || (p->leader->sig[sig].handler == SIG_DFL && ignored_by_default(sig));
}

/* Whether `sig` would be discarded on arrival: ignored and not blocked, as Linux's sig_ignored
 * (a blocked one stays pending: it may be waited for, or its action change before it is
 * unblocked); in rt_sigtimedwait the mask from before the call counts too. */
static int discarded(const struct proc *p, int sig)
{
    uint32_t blocked = p->sig_blocked;

    if (p->state == P_BLOCKED && p->blocked == B_SIGWAIT)
        blocked |= p->sig_saved_mask;
    return !(blocked & 1u << (sig - 1)) && ignored(p, sig);
}

void signal_pend(struct proc *p, int sig, const struct sig_origin *from)
{
    static const struct sig_origin kernel = { .code = SI_KERNEL };
    uint32_t bit = 1u << (sig - 1);

    if (p->sig_pending & bit)
        return;
    p->sig_pending |= bit;
    p->sig_from[sig - 1] = from ? *from : kernel;
}

struct sig_origin signal_user(const struct proc *p)
{
    return (struct sig_origin){ .code = SI_USER, .pid = p->pid, .uid = p->leader->cred.uid };
}

void signal_info(const struct proc *p, int sig, uint32_t info[32])
{
    const struct sig_origin *o = &p->sig_from[sig - 1];

    memset(info, 0, 32 * sizeof *info);
    info[0] = (uint32_t)sig;                    /* si_signo, si_errno 0, si_code */
    info[2] = (uint32_t)o->code;
    info[3] = (uint32_t)o->pid;                 /* si_pid, si_uid */
    info[4] = o->uid;
    if (sig == SIGCHLD)
        info[5] = (uint32_t)o->status;          /* si_status (si_utime, si_stime: 0) */
}

void signal_drop_ignored(struct proc *p)
{
    uint32_t ready = p->sig_pending & ~p->sig_blocked;

    while (ready) {
        int sig = __builtin_ctz(ready) + 1;
        ready &= ready - 1;
        if (sig != SIGKILL && ignored(p, sig))
            p->sig_pending &= ~(1u << (sig - 1));
    }
}

void signal_raise(struct proc *p, int sig)
{
    struct sig_origin self = signal_user(p);

    if (sig > 0 && sig <= 32 && !discarded(p, sig))
        signal_pend(p, sig, &self);             /* Linux's SEND_SIG_NOINFO: from the caller */
}

/* End the call `p` waits in because of `sig`: -EINTR, or, with SA_RESTART, the call again after
 * the handler (the pc goes back to the SVC; r0 still holds its first argument: no result was
 * written yet).  Sleeps and waits for a signal are not restarted. */
static void interrupt_call(struct proc *p, int sig)
{
    extern void proc_unblock(struct proc *p);
    int restart = p->leader->sig[sig].flags & SA_RESTART && p->leader->sig[sig].handler > SIG_IGN &&
                  p->blocked != B_SLEEP && p->blocked != B_SIGWAIT;

    proc_unblock(p);
    if (restart) {
        call_again(p);
        p->state = P_RUNNING;
        if (!signal_deliver(p))
            proc_reply(p);
        return;
    }
    proc_resume_later(p, (uint32_t)-EINTR);
}

/* A signal for the process `g`: the thread that takes it, as Linux picks one: the leader if it
 * would take it now, else a thread that does not block it, else the leader (or, once the leader
 * has ended, any thread), where it waits, pending, until it is unblocked. */
static struct proc *taker(struct proc *g, uint32_t bit)
{
    struct proc *any = NULL;

    int ended = g->state == P_BLOCKED && g->blocked == B_EXITED;

    if (g->nthreads == 1 && !ended)
        return g;                               /* (the common case: one thread) */
    if (!ended) {
        if (!(g->sig_blocked & bit))
            return g;
        any = g;
    }
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *t = &procs[i];
        if (t->state == P_FREE || t->leader != g || t == g)
            continue;
        if (!(t->sig_blocked & bit))
            return t;
        if (!any)
            any = t;
    }
    return any ? any : g;
}

void signal_send(struct proc *p, int sig)
{
    signal_send_from(p, sig, NULL);
}

void signal_send_from(struct proc *p, int sig, const struct sig_origin *from)
{
    if (sig <= 0 || sig > 32 || p->state == P_ZOMBIE || p->state == P_FREE)
        return;
    signal_send_thread(taker(p->leader, 1u << (sig - 1)), sig, from);
}

void signal_send_thread(struct proc *p, int sig, const struct sig_origin *from)
{
    uint32_t bit;

    if (sig <= 0 || sig > 32 || p->state == P_ZOMBIE || p->state == P_FREE ||
        (p->state == P_BLOCKED && p->blocked == B_EXITED))
        return;
    bit = 1u << (sig - 1);
    /* SIGCONT continues a stopped process whatever its action, and cancels pending stops; a
     * stop cancels a pending SIGCONT */
    if (sig == SIGCONT) {
        p->sig_pending &= ~STOP_SIGNALS;
        if (p->stopped)
            cont(p);
        if (p->state == P_ZOMBIE || p->state == P_FREE)
            return;
    } else if (stops_by_default(sig)) {
        p->sig_pending &= ~(1u << (SIGCONT - 1));
    }
    if (discarded(p, sig))
        return;
    if (p->state == P_BLOCKED && p->blocked == B_VFORK && sig != SIGKILL) {
        p->sig_pending |= bit;                  /* taken once its vfork child execs or ends */
        return;
    }
    if (stops_by_default(sig) && p->leader->sig[sig].handler == SIG_DFL && !(p->sig_blocked & bit) &&
        stop_discarded(p, sig))
        return;
    if (p->state == P_BLOCKED && p->blocked == B_SIGWAIT && p->sig_wait_set & bit && !p->stopped) {
        signal_pend(p, sig, from);              /* one it waits for: the call takes it */
        signal_wait_end(p);
        return;
    }
    if (p->stopped) {
        /* taken once it is continued (even one that ends it, as Linux leaves a stopped process
         * alone until then); SIGKILL wakes it to die now */
        signal_pend(p, sig, from);
        if (sig != SIGKILL)
            return;
        p->stopped = 0;
        if (p->state == P_BLOCKED && p->blocked == B_STOPPED)
            proc_resume_later(p, p->regs[0]);
        else if (p->state == P_BLOCKED)
            interrupt_call(p, sig);
        return;
    }
    if (stops_by_default(sig) && p->leader->sig[sig].handler == SIG_DFL && !(p->sig_blocked & bit) &&
        p->state == P_BLOCKED) {
        stop(p, sig);                           /* in its call, which goes on after SIGCONT */
        return;
    }
    signal_pend(p, sig, from);
    if (p->state == P_BLOCKED && (sig == SIGKILL || !(p->sig_blocked & bit)))
        interrupt_call(p, sig);                 /* the signal is taken on the way out */
    else if (p->state == P_RUNNING && (sig == SIGKILL || !(p->sig_blocked & bit)))
        proc_interrupt(p);                      /* running its own code: make it trap now */
}

/* Whether `sp` is on p's alternate stack (one armed with SS_AUTODISARM counts as not, as the
 * handler's own sigaltstack calls must work there). */
static int on_altstack(const struct proc *p, uint32_t sp)
{
    if (p->ss_flags & SS_AUTODISARM)
        return 0;
    return sp > p->ss_sp && sp - p->ss_sp <= p->ss_size;
}

/* Linux's sas_ss_flags: SS_DISABLE (none), SS_ONSTACK (`sp` is on it) or 0. */
static uint32_t altstack_state(const struct proc *p, uint32_t sp)
{
    if (!p->ss_size)
        return SS_DISABLE;
    return on_altstack(p, sp) ? SS_ONSTACK : 0;
}

int signal_altstack(struct proc *p, const uint32_t ss[3], uint32_t old[3], uint32_t sp)
{
    if (old) {
        old[0] = p->ss_sp;
        old[1] = altstack_state(p, sp) | (p->ss_flags & SS_AUTODISARM);
        old[2] = p->ss_size;
    }
    if (!ss)
        return 0;
    if (on_altstack(p, sp))
        return -EPERM;
    uint32_t mode = ss[1] & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
        return -EINVAL;
    if (mode != SS_DISABLE && ss[2] < MINSIGSTKSZ)
        return -ENOMEM;
    p->ss_sp = mode == SS_DISABLE ? 0 : ss[0];
    p->ss_size = mode == SS_DISABLE ? 0 : ss[2];
    p->ss_flags = ss[1];
    return 0;
}

int signal_take(struct proc *p, uint32_t ready)
{
    struct frame f;
    int sig;

    sig = signal_next(ready);
    p->sig_pending &= ~(1u << (sig - 1));
    struct sigaction_k *a = &p->leader->sig[sig];
    if (sig == SIGKILL || a->handler == SIG_DFL) {
        if (ignored_by_default(sig))
            return signal_deliver(p);
        if (sig != SIGKILL && stops_by_default(sig)) {
            if (stop_discarded(p, sig))
                return signal_deliver(p);
            stop(p, sig);                       /* its reply waits for SIGCONT */
            return 1;
        }
        proc_exit(p, sig);
        return 1;
    }
    if (a->handler == SIG_IGN)
        return signal_deliver(p);

    if (p->io_cont) {
        /* a transfer in pieces: it ends with what is done, after the SVC, as Linux ends an
         * interrupted read or write */
        p->io_cont = 0;
        p->regs[0] = p->io_done;
        p->regs[15] += p->regs[16] & 0x20 ? 2 : 4;
    }
    memset(&f, 0, sizeof f);
    signal_info(p, sig, f.info);
    memcpy(f.regs, p->regs, sizeof f.regs);
    f.oldmask = p->sig_blocked;
    f.mask[0] = p->sig_blocked;
    if (p->sig_suspended) {                     /* rt_sigsuspend: the handler returns to the
                                                 * mask from before the call */
        f.oldmask = f.mask[0] = p->sig_saved_mask;
        p->sig_suspended = 0;
    }
    uint32_t sp = p->regs[13];
    if (a->flags & SA_ONSTACK && altstack_state(p, sp) == 0)
        sp = p->ss_sp + p->ss_size;             /* the alternate stack, not on it yet */
    f.uc_stack[0] = p->ss_sp;
    f.uc_stack[1] = p->ss_flags | (p->ss_size ? 0 : SS_DISABLE);      /* as set, or none */
    f.uc_stack[2] = p->ss_size;
    sp = (sp - sizeof f) & ~7u;
    if (mm_copy_out(p->mm, p->tid, sp, &f, sizeof f)) {
        proc_exit(p, SIGSEGV);                  /* no room for the frame: as Linux does */
        return 1;
    }
    if (p->ss_flags & SS_AUTODISARM)
        p->ss_sp = p->ss_size = 0, p->ss_flags = SS_DISABLE;    /* until the handler returns */
    p->sig_blocked |= a->mask;
    if (!(a->flags & SA_NODEFER))
        p->sig_blocked |= 1u << (sig - 1);
    uint32_t handler = a->handler, restorer = a->restorer;
    if (a->flags & SA_RESETHAND)
        a->handler = SIG_DFL;
    p->regs[0] = (uint32_t)sig;
    p->regs[1] = sp;                            /* &info */
    p->regs[2] = sp + 32 * 4;                   /* &ucontext */
    p->regs[13] = sp;
    p->regs[14] = restorer;
    p->regs[15] = handler & ~1u;
    p->regs[16] = (p->regs[16] & ~0x0600fc20u) | (handler & 1 ? 0x20 : 0);   /* Thumb, no IT */
    p->regs_changed = 1;
    return 0;
}

int signal_return(struct proc *p)
{
    struct frame f;

    if (mm_copy_in(p->mm, p->tid, &f, p->regs[13], sizeof f)) {
        proc_exit(p, SIGSEGV);
        return 1;
    }
    memcpy(p->regs, f.regs, sizeof f.regs);
    p->regs[16] = (f.regs[16] & 0xfe0ffe20u) | 0x10;   /* user mode, whatever the frame says */
    p->sig_blocked = f.mask[0] & ~(1u << (SIGKILL - 1));
    /* the alternate stack as it was; Linux ignores a stack_t it refuses (EPERM, EINVAL...) */
    (void)signal_altstack(p, f.uc_stack, NULL, p->regs[13]);
    p->regs_changed = 1;
    return 0;
}
