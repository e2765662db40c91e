/*
 * Threads: clone's threads (the rest is in main.c: thread_clone, thread_exit), their IDs, and
 * futexes, the one primitive a thread library builds its locks, condition variables and joins
 * on.  A futex is a word of user memory; a thread waits on it only while it still holds the value
 * the caller saw, so the check and the wait are one step under the server's lock, as the kernel's
 * futex hash bucket lock makes them on Linux.
 *
 * A waiter is a thread blocked in B_FUTEX with the futex's key: a private mapping's futex is its
 * memory map and address (threads of one process share the map), a shared mapping's is the
 * frame behind it, so processes that share the page meet on it.  The waiters are found by a
 * look through the thread table, in the order they came (futex_seq).
 */
#include "syscalls.h"

#define FUTEX_WAIT              0
#define FUTEX_WAKE              1
#define FUTEX_REQUEUE           3
#define FUTEX_CMP_REQUEUE       4
#define FUTEX_WAKE_OP           5
#define FUTEX_WAIT_BITSET       9
#define FUTEX_WAKE_BITSET       10
#define FUTEX_PRIVATE_FLAG      128
#define FUTEX_CLOCK_REALTIME    256

static uint32_t futex_turn;             /* the queue's order */
static uint32_t futex_waiters;          /* how many wait now: a wake with none looks no further */

/* The key of the futex at `addr` in `p`'s memory: 0, -EINVAL (not aligned) or -EFAULT. */
static int futex_key(struct proc *p, uint32_t addr, const void **mm, uint32_t *where)
{
    struct vma *v = mm_find(p->mm, addr);

    if (addr & 3)
        return -EINVAL;
    if (!v)
        return -EFAULT;
    if (!(v->prot & VM_SHARED)) {
        *mm = p->mm;
        *where = addr;
        return 0;
    }
    uint32_t frame = mm_touch(p->mm, p->tid, addr, VM_READ);
    if (!frame)
        return -EFAULT;
    *mm = NULL;
    *where = frame | (addr & ~PAGE_MASK);
    return 0;
}

/* The longest waiting thread on the key whose bitset meets `bits`, or NULL. */
static struct proc *first_waiter(const void *mm, uint32_t where, uint32_t bits)
{
    struct proc *first = NULL;

    for (unsigned i = 0, seen = 0; i < MAX_PROCS && seen < futex_waiters; i++) {
        struct proc *t = &procs[i];
        if (t->state != P_BLOCKED || t->blocked != B_FUTEX)
            continue;
        seen++;
        if (t->futex_mm == mm && t->futex_addr == where && t->futex_bits & bits &&
            (!first || (int32_t)(t->futex_seq - first->futex_seq) < 0))
            first = t;
    }
    return first;
}

/* Wake up to `n` waiters of the key: how many woke. */
static int wake_key(const void *mm, uint32_t where, uint32_t n, uint32_t bits)
{
    int woken = 0;
    struct proc *t;

    while ((uint32_t)woken < n && futex_waiters && (t = first_waiter(mm, where, bits))) {
        futex_waiters--;
        proc_resume(t, 0);
        woken++;
    }
    return woken;
}

int futex_wake(struct proc *p, uint32_t addr, uint32_t n, uint32_t bits)
{
    const void *mm;
    uint32_t where;
    int err = futex_key(p, addr, &mm, &where);

    return err ? err : wake_key(mm, where, n, bits);
}

void futex_forget(struct proc *p)
{
    if (p->blocked == B_FUTEX && futex_waiters)
        futex_waiters--;
}

/* A timeout argument: a struct timespec of 32-bit (futex) or 64-bit (futex_time64) fields. */
static int get_timeout(struct proc *p, uint32_t addr, int wide, int64_t *ns)
{
    int64_t sec, nsec;

    if (wide) {
        int64_t ts[2];
        if (mm_copy_in(p->mm, p->tid, ts, addr, sizeof ts))
            return -EFAULT;
        sec = ts[0];
        nsec = ts[1];
    } else {
        int32_t ts[2];
        if (mm_copy_in(p->mm, p->tid, ts, addr, sizeof ts))
            return -EFAULT;
        sec = ts[0];
        nsec = ts[1];
    }
    if (sec < 0 || nsec < 0 || nsec >= 1000000000)
        return -EINVAL;
    *ns = sec > 1000000000ll ? 1000000000ll * 1000000000ll : sec * 1000000000ll + nsec;
    return 0;
}

/* FUTEX_WAIT and FUTEX_WAIT_BITSET: wait while *addr == val, until woken, a signal or the
 * timeout (relative for WAIT, absolute on the monotonic or the real-time clock for BITSET). */
static int futex_wait(struct proc *p, uint32_t *r, int wide, uint32_t bits, int absolute)
{
    const void *mm;
    uint32_t where, now_value;
    uint64_t wake = ~0ull;
    int err;

    if (!bits)
        return -EINVAL;
    err = futex_key(p, r[0], &mm, &where);
    if (err)
        return err;
    if (r[3]) {
        int64_t ns;
        err = get_timeout(p, r[3], wide, &ns);
        if (err)
            return err;
        if (absolute && r[1] & FUTEX_CLOCK_REALTIME)
            ns -= realtime_offset_ns;
        else if (!absolute)
            ns += (int64_t)now_ns();
        wake = ns <= 0 ? 0 : (uint64_t)ns / 1000;
    }
    if (mm_copy_in(p->mm, p->tid, &now_value, r[0], 4))
        return -EFAULT;
    if (now_value != r[2])
        return -EAGAIN;                 /* it changed before we looked: no wait */
    if (wake != ~0ull && wake <= now_us())
        return -ETIMEDOUT;
    p->state = P_BLOCKED;
    p->blocked = B_FUTEX;
    p->futex_mm = mm;
    p->futex_addr = where;
    p->futex_bits = bits;
    p->futex_seq = futex_turn++;
    p->wake_us = wake;
    futex_waiters++;
    if (wake != ~0ull)
        proc_timer(wake);
    return 1 << 30;
}

/* FUTEX_WAKE_OP's operation on *addr2 and its comparison of the old value. */
static int wake_op(struct proc *p, uint32_t addr2, uint32_t encoded, int *cmp_true)
{
    uint32_t op = encoded >> 28 & 7, cmp = encoded >> 24 & 15;
    int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;
    int32_t old, new;

    if (encoded >> 31)                  /* FUTEX_OP_OPARG_SHIFT */
        oparg = (int32_t)(1u << (oparg & 31));
    if (mm_copy_in(p->mm, p->tid, &old, addr2, 4))
        return -EFAULT;
    switch (op) {
    case 0: new = oparg; break;                         /* SET */
    case 1: new = old + oparg; break;                   /* ADD */
    case 2: new = old | oparg; break;                   /* OR */
    case 3: new = old & ~oparg; break;                  /* ANDN */
    case 4: new = old ^ oparg; break;                   /* XOR */
    default: return -ENOSYS;
    }
    switch (cmp) {
    case 0: *cmp_true = old == cmparg; break;
    case 1: *cmp_true = old != cmparg; break;
    case 2: *cmp_true = old < cmparg; break;
    case 3: *cmp_true = old <= cmparg; break;
    case 4: *cmp_true = old > cmparg; break;
    case 5: *cmp_true = old >= cmparg; break;
    default: return -ENOSYS;
    }
    return mm_copy_out(p->mm, p->tid, addr2, &new, 4) ? -EFAULT : 0;
}

/* FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wake `n`, move up to `move` more to the futex at addr2. */
static int requeue(struct proc *p, uint32_t *r, int compare)
{
    const void *mm, *mm2;
    uint32_t where, where2, value;
    int err = futex_key(p, r[0], &mm, &where), moved = 0;
    struct proc *t;

    if (!err)
        err = futex_key(p, r[4], &mm2, &where2);
    if (err)
        return err;
    if (compare) {
        if (mm_copy_in(p->mm, p->tid, &value, r[0], 4))
            return -EFAULT;
        if (value != r[5])
            return -EAGAIN;
    }
    int woken = wake_key(mm, where, r[2], ~0u);
    if (mm == mm2 && where == where2)
        return woken;
    while ((uint32_t)moved < r[3] && (t = first_waiter(mm, where, ~0u))) {
        t->futex_mm = mm2;
        t->futex_addr = where2;
        moved++;
    }
    return woken + moved;
}

static int futex(struct proc *p, uint32_t *r, int wide)
{
    uint32_t cmd = r[1] & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    int v, cmp_true = 0;

    if (r[1] & FUTEX_CLOCK_REALTIME && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
        RET(-ENOSYS);
    switch (cmd) {
    case FUTEX_WAIT:
        v = futex_wait(p, r, wide, ~0u, 0);
        break;
    case FUTEX_WAIT_BITSET:
        v = futex_wait(p, r, wide, r[5], 1);
        break;
    case FUTEX_WAKE:
        v = futex_wake(p, r[0], r[2], ~0u);
        break;
    case FUTEX_WAKE_BITSET:
        v = r[5] ? futex_wake(p, r[0], r[2], r[5]) : -EINVAL;
        break;
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE:
        v = requeue(p, r, cmd == FUTEX_CMP_REQUEUE);
        break;
    case FUTEX_WAKE_OP:
        v = wake_op(p, r[4], r[5], &cmp_true);
        if (v == 0)
            v = futex_wake(p, r[0], r[2], ~0u);
        if (v >= 0 && cmp_true) {
            int more = futex_wake(p, r[4], r[3], ~0u);
            v = more < 0 ? more : v + more;
        }
        break;
    default:
        v = -ENOSYS;                    /* the priority-inheritance operations among them */
    }
    if (v == 1 << 30)
        return 1;                       /* waits */
    RET(v);
}

int sys_futex(struct proc *p, uint32_t *r)
{
    return futex(p, r, 0);
}

int sys_futex_time64(struct proc *p, uint32_t *r)
{
    return futex(p, r, 1);
}

int sys_gettid(struct proc *p, uint32_t *r)
{
    RET(p->ltid);
}

/* The robust list is where glibc keeps the robust mutexes a thread holds, for the kernel to
 * release when it dies; we remember it (get_robust_list tells it) and do not walk it. */
int sys_set_robust_list(struct proc *p, uint32_t *r)
{
    if (r[1] != 12)                     /* sizeof (struct robust_list_head) */
        RET(-EINVAL);
    p->robust_list = r[0];
    RET(0);
}

int sys_exit_group(struct proc *p, uint32_t *r)
{
    proc_exit(p, (r[0] & 0xff) << 8);
    return 1;
}

/* clone: a thread (CLONE_VM | CLONE_THREAD, with CLONE_SIGHAND as Linux requires), or a process:
 * a copy of the caller's memory, or with CLONE_VM the caller's memory itself until it execs or
 * ends (posix_spawn's CLONE_VM | CLONE_VFORK; CLONE_VFORK: the caller waits until then).
 * Signal handlers shared between processes (CLONE_SIGHAND alone) are not supported. */
int sys_clone(struct proc *p, uint32_t *r)
{
    uint32_t flags = r[0];

    if (flags & CLONE_THREAD) {
        if ((flags & (CLONE_VM | CLONE_SIGHAND)) != (CLONE_VM | CLONE_SIGHAND))
            RET(-EINVAL);
        if (signal_ready(p)) {          /* a signal first, then the call again (fork's rule) */
            call_again(p);
            return 0;
        }
        RET(thread_clone(p, flags, r[1], r[2], r[3], r[4]));
    }
    if (flags & CLONE_SIGHAND)
        RET(flags & CLONE_VM ? -ENOSYS : -EINVAL);
    if (signal_ready(p)) {
        call_again(p);
        return 0;
    }
    int pid = proc_fork(p, flags, r[1]);
    if (pid > 0 && flags & CLONE_CHILD_SETTID && r[4]) {
        struct proc *c = proc_by_pid(pid);
        mm_copy_out(c->mm, c->tid, r[4], &pid, 4);
    }
    if (pid > 0 && flags & CLONE_PARENT_SETTID && r[2])
        mm_copy_out(p->mm, p->tid, r[2], &pid, 4);
    if (flags & CLONE_VFORK && vfork_wait(p, pid) == 1 << 30)
        return 1;
    RET(pid);
}
