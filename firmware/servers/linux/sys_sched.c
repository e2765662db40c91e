/*
 * The scheduler's calls.  Linux processes all run at one L4 priority under the kernel's
 * round robin, on the board's one CPU, and that does not change: the policy and real-time
 * priority a thread sets (sched_setscheduler, sched_setparam) are kept, checked as Linux checks
 * them (root may set any; another user no real-time policy without RLIMIT_RTPRIO, only its own
 * processes) and reported back, and inherited by fork and clone, but not acted on: a SCHED_FIFO
 * process does not run before the others.  The affinity mask is CPU 0's.
 */
#include "syscalls.h"

#define RR_INTERVAL_NS  100000000u      /* SCHED_RR's time slice: Linux's RR_TIMESLICE */
#define MAX_RT_PRIO     99
#define CPU_MASK_SIZE   4               /* bytes: Linux's cpumask_size() on this kernel */

/* Linux puts the caller behind the other ready processes of its priority.  Answered at once by
 * a send of its own (not with the server's next receive, which would hand the processor straight
 * back), the caller becomes ready while the more important server still runs, so the kernel
 * queues it behind its equals: they run first. */
int sys_sched_yield(struct proc *p, uint32_t *r)
{
    (void)r;
    proc_resume(p, 0);
    return 1;
}

/* The thread a scheduler call's pid names: 0 is the caller. */
static struct proc *sched_target(struct proc *p, int pid)
{
    return pid == 0 ? p : thread_by_ltid(pid);
}

static int rt_policy(uint32_t policy)
{
    return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* SCHED_OTHER, FIFO, RR, BATCH, IDLE or DEADLINE (4 is none). */
static int valid_policy(uint32_t policy)
{
    return policy <= SCHED_DEADLINE && policy != 4;
}

/* sched_getaffinity(pid, len, mask): CPU 0, as many bytes as Linux's mask (len must hold one
 * CPU, a whole number of words); the size written. */
int sys_sched_getaffinity(struct proc *p, uint32_t *r)
{
    uint32_t mask = 1;

    if (r[1] == 0 || r[1] % 4)
        RET(-EINVAL);
    if (!sched_target(p, (int32_t)r[0]))
        RET(-ESRCH);
    RET(mm_copy_out(p->mm, p->tid, r[2], &mask, CPU_MASK_SIZE) ? -EFAULT : CPU_MASK_SIZE);
}

/* sched_setaffinity(pid, len, mask): taken when it holds CPU 0 (the CPUs the board lacks are
 * left out, as Linux leaves out those it does not have), else EINVAL. */
int sys_sched_setaffinity(struct proc *p, uint32_t *r)
{
    uint32_t mask = 0;
    struct proc *t;

    if (mm_copy_in(p->mm, p->tid, &mask, r[2], r[1] < CPU_MASK_SIZE ? r[1] : CPU_MASK_SIZE))
        RET(-EFAULT);
    if (!(t = sched_target(p, (int32_t)r[0])))
        RET(-ESRCH);
    if (!cred_may_schedule(p, t))
        RET(-EPERM);
    RET(mask & 1 ? 0 : -EINVAL);
}

/* Whether `p` may give thread `t` the policy `policy` and priority `prio`, as Linux's
 * __sched_setscheduler decides for a caller without CAP_SYS_NICE: 0 or -EPERM. */
static int sched_permitted(const struct proc *p, const struct proc *t, uint32_t policy,
                           uint32_t prio, int reset_on_fork)
{
    uint32_t rtprio = t->leader->rlim[RLIMIT_RTPRIO].cur;

    if (!p->leader->cred.euid)
        return 0;
    if (rt_policy(policy) && ((policy != t->sched.policy && !rtprio) ||
                              (prio > t->sched.priority && prio > rtprio)))
        return -EPERM;
    if (policy == SCHED_DEADLINE)
        return -EPERM;
    /* leaving SCHED_IDLE needs the right to the nice value it has (RLIMIT_NICE) */
    if (t->sched.policy == SCHED_IDLE && policy != SCHED_IDLE &&
        t->leader->rlim[RLIMIT_NICE].cur < (uint32_t)(20 - t->leader->nice))
        return -EPERM;
    if (!cred_may_schedule(p, t))
        return -EPERM;
    return t->sched.reset_on_fork && !reset_on_fork ? -EPERM : 0;
}

/* sched_setscheduler and sched_setparam (`policy` -1: the thread's own): the policy, the
 * priority of the sched_param at `param`, and SCHED_RESET_ON_FORK, as Linux checks them. */
static int set_scheduler(struct proc *p, int pid, int policy, uint32_t param)
{
    uint32_t prio;
    int reset_on_fork;
    struct proc *t;

    if (!param || pid < 0)
        return -EINVAL;
    if (mm_copy_in(p->mm, p->tid, &prio, param, 4))
        return -EFAULT;
    if (!(t = sched_target(p, pid)))
        return -ESRCH;
    if (policy < 0) {
        policy = t->sched.policy;
        reset_on_fork = t->sched.reset_on_fork;
    } else {
        reset_on_fork = (policy & SCHED_RESET_ON_FORK) != 0;
        policy &= ~SCHED_RESET_ON_FORK;
        if (!valid_policy((uint32_t)policy))
            return -EINVAL;
    }
    if (prio > MAX_RT_PRIO || rt_policy((uint32_t)policy) != (prio != 0) || policy == SCHED_DEADLINE)
        return -EINVAL;                         /* (a deadline needs sched_setattr's runtime) */
    int err = sched_permitted(p, t, (uint32_t)policy, prio, reset_on_fork);
    if (err)
        return err;
    t->sched = (struct sched_k){ (uint8_t)policy, (uint8_t)prio, (uint8_t)reset_on_fork };
    return 0;
}

int sys_sched_setscheduler(struct proc *p, uint32_t *r)
{
    RET((int32_t)r[1] < 0 ? -EINVAL : set_scheduler(p, (int32_t)r[0], (int32_t)r[1], r[2]));
}

int sys_sched_setparam(struct proc *p, uint32_t *r)
{
    RET(set_scheduler(p, (int32_t)r[0], -1, r[1]));
}

int sys_sched_getscheduler(struct proc *p, uint32_t *r)
{
    struct proc *t;

    if ((int32_t)r[0] < 0)
        RET(-EINVAL);
    if (!(t = sched_target(p, (int32_t)r[0])))
        RET(-ESRCH);
    RET((int)t->sched.policy | (t->sched.reset_on_fork ? SCHED_RESET_ON_FORK : 0));
}

int sys_sched_getparam(struct proc *p, uint32_t *r)
{
    struct proc *t;
    uint32_t prio;

    if (!r[1] || (int32_t)r[0] < 0)
        RET(-EINVAL);
    if (!(t = sched_target(p, (int32_t)r[0])))
        RET(-ESRCH);
    prio = t->sched.priority;
    RET(mm_copy_out(p->mm, p->tid, r[1], &prio, 4) ? -EFAULT : 0);
}

/* The priorities a policy takes: 1..99 for the real-time ones, 0 for the others. */
int sys_sched_get_priority_max(struct proc *p, uint32_t *r)
{
    (void)p;
    if (!valid_policy(r[0]))
        RET(-EINVAL);
    RET(rt_policy(r[0]) ? MAX_RT_PRIO : 0);
}

int sys_sched_get_priority_min(struct proc *p, uint32_t *r)
{
    (void)p;
    if (!valid_policy(r[0]))
        RET(-EINVAL);
    RET(rt_policy(r[0]) ? 1 : 0);
}

/* sched_rr_get_interval(pid, tp) with a 32-bit or 64-bit (`wide`) timespec: SCHED_RR's slice;
 * 0 for SCHED_FIFO, which has none, and for the others (no fixed slice is promised). */
static int rr_get_interval(struct proc *p, uint32_t *r, int wide)
{
    struct proc *t;

    if ((int32_t)r[0] < 0)
        RET(-EINVAL);
    if (!(t = sched_target(p, (int32_t)r[0])))
        RET(-ESRCH);
    uint32_t ns = t->sched.policy == SCHED_RR ? RR_INTERVAL_NS : 0;
    uint32_t ts32[2] = { 0, ns }, ts64[4] = { 0, 0, ns, 0 };      /* seconds, nanoseconds */
    RET(mm_copy_out(p->mm, p->tid, r[1], wide ? ts64 : ts32, wide ? sizeof ts64 : sizeof ts32) ?
        -EFAULT : 0);
}

int sys_sched_rr_get_interval(struct proc *p, uint32_t *r)
{
    return rr_get_interval(p, r, 0);
}

int sys_sched_rr_get_interval_time64(struct proc *p, uint32_t *r)
{
    return rr_get_interval(p, r, 1);
}

void sched_fork(struct proc *c, const struct proc *p)
{
    c->sched = p->sched;
    if (!p->sched.reset_on_fork)
        return;
    if (rt_policy(c->sched.policy))
        c->sched = (struct sched_k){ SCHED_OTHER, 0, 0 };
    c->sched.reset_on_fork = 0;
    if (c->leader == c && c->nice < 0)
        c->nice = 0;
}
