/*
 * System call dispatch (the slow path) and the calls that manage threads, spaces and time.
 * Every call reads its arguments from the caller's saved registers and writes its results
 * there: r1 is the error (L4_OK on success), r0 and the others the results.  Arguments are
 * checked before anything changes; a bad one gives an error, never a fault in the kernel.
 */
#include "arch/cpu.h"
#include "domain.h"
#include "exception.h"
#include "ipc.h"
#include "irq.h"
#include "kdebug.h"
#include "machine/timer.h"
#include "mapdb.h"
#include "preempt.h"
#include "profile.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"

uint32_t syscall_counts[L4_SYS_COUNT + 1];

static void sys_ipc(struct thread *cur)
{
    ipc_syscall(cur);
}

static inline struct domain *domain_of(const struct thread *t)
{
    return t->space->domain;
}

/* Whether `cur` may create, change or delete threads of domain `d`: a privileged thread, in
 * its own domain, or anywhere from the root domain. */
static int may_control(const struct thread *cur, const struct domain *d)
{
    return (cur->flags & TF_PRIVILEGED) && (domain_of(cur) == d || domain_may(domain_of(cur), L4_DR_CONFIG));
}

/* The valid thread a "keep or set" argument names: KEEP keeps `old`, nil clears it. */
static l4_tid_t tid_arg(uint32_t arg, l4_tid_t old)
{
    return arg == L4_TC_KEEP ? old : arg;
}

/* A pager, exception handler or scheduler for a thread of `d`: nil, or a thread `d` may send
 * to (the kernel sends to it on the thread's behalf). */
static int partner_allowed(const struct domain *d, l4_tid_t partner)
{
    return partner == L4_NILTHREAD || partner == L4_TC_KEEP ||
           (!irq_is_id(partner) && domain_reaches(d, L4_TID_NUMBER(partner)));
}

/* Delete `t`; when its space empties, tear the space down, restartably: -1 when stopped at a
 * preemption point (`cur` goes on with it when it makes its call again). */
static int delete_thread(struct thread *cur, struct thread *t)
{
    struct space *s = t->space;

    irq_detach_thread(t);
    thread_delete(t);
    if (s->threads)
        return 0;
    if (space_teardown(s) == 0)
        return 0;
    cur->reaping = s;
    return -1;
}

/* A ThreadControl or SpaceControl restarted at a preemption point of a space's teardown goes
 * on with it; its result, once done, is success (r0 as the caller passed it).  0 when the
 * call is a new one. */
static int go_on_reaping(struct thread *cur)
{
    struct space *s = cur->reaping;

    if (!s)
        return 0;
    if (s->in_use && s->dying && space_teardown(s)) {
        syscall_restart(cur);
        return 1;
    }
    cur->reaping = NULL;
    cur->ctx.r[1] = L4_OK;
    return 1;
}

/* r0 dest, r1 space (a thread of it; = dest: a new space; nil: delete), r2 scheduler, r3 pager,
 * r4 exception handler, r5 flags (L4_TC_KEEP: unchanged). */
static void sys_thread_control(struct thread *cur)
{
    uint32_t *r = cur->ctx.r;
    l4_tid_t dest_id = r[0], space_id = r[1];
    struct thread *dest = thread_lookup(dest_id);
    struct domain *d = dest ? domain_of(dest) : domain_of_number(L4_TID_NUMBER(dest_id));

    if (go_on_reaping(cur))
        return;
    if (!may_control(cur, d)) {
        r[1] = cur->flags & TF_PRIVILEGED ? L4_ERR_INVALID_THREAD : L4_ERR_NO_PRIVILEGE;
        return;
    }
    if (space_id == L4_NILTHREAD) {                     /* delete */
        if (!dest || dest == cur) {
            r[1] = L4_ERR_INVALID_THREAD;
            return;
        }
        if (delete_thread(cur, dest)) {
            syscall_restart(cur);
            return;
        }
        r[0] = dest_id;
        r[1] = L4_OK;
        return;
    }
    if (!partner_allowed(d, r[2]) || !partner_allowed(d, r[3]) || !partner_allowed(d, r[4])) {
        r[1] = L4_ERR_INVALID_THREAD;                   /* would let it reach another domain */
        return;
    }
    if (!dest) {                                        /* create */
        struct space *s;
        struct thread *in = thread_lookup(space_id);
        if (space_id == dest_id) {
            s = space_create(d);
            if (!s) {
                r[1] = L4_ERR_NO_MEMORY;
                return;
            }
        } else if (in && domain_of(in) == d) {
            s = in->space;
        } else {
            r[1] = L4_ERR_INVALID_SPACE;
            return;
        }
        dest = thread_create(dest_id, s);
        if (!dest) {
            if (s->threads == 0)
                space_teardown(s);                      /* (empty: nothing to preempt) */
            r[1] = irq_is_id(dest_id) || L4_TID_NUMBER(dest_id) < L4_FIRST_THREAD ||
                   L4_TID_NUMBER(dest_id) - L4_FIRST_THREAD >= MAX_THREADS ||
                   L4_TID_VERSION(dest_id) == 0 || kernel.threads[L4_TID_NUMBER(dest_id) -
                   L4_FIRST_THREAD].state != TS_FREE ? L4_ERR_INVALID_THREAD : L4_ERR_NO_MEMORY;
            return;
        }
        dest->scheduler = cur->id;
        dest->prio = cur->prio < d->max_prio ? cur->prio : d->max_prio;
    } else if (space_id != dest_id && (!thread_lookup(space_id) ||
               thread_lookup(space_id)->space != dest->space)) {
        r[1] = L4_ERR_INVALID_SPACE;                    /* threads never change space */
        return;
    }
    dest->scheduler = tid_arg(r[2], dest->scheduler);
    dest->pager = tid_arg(r[3], dest->pager);
    dest->exc_handler = tid_arg(r[4], dest->exc_handler);
    dest->utcb->pager = dest->pager;
    dest->utcb->exception_handler = dest->exc_handler;
    if (r[5] != L4_TC_KEEP)
        dest->flags = (uint8_t)((dest->flags & TF_IDEMPOTENT) |
                                (r[5] & (L4_TC_FOREIGN_ABI | L4_TC_PRIVILEGED)));
    r[0] = dest_id;
    r[1] = L4_OK;
}

/* Delete every thread of `s` but `keep` (restart point: between threads), then `keep`, whose
 * deletion tears the space down.  -1 when stopped at a preemption point. */
static int delete_space(struct thread *cur, struct space *s, struct thread *keep)
{
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        struct thread *t = &kernel.threads[i];
        if (t->state == TS_FREE || t->space != s || t == keep)
            continue;
        if (delete_thread(cur, t))
            return -1;
        if (kernel_preempt_pending())
            return -1;
    }
    return keep ? delete_thread(cur, keep) : 0;
}

/* r0 op, r1 a thread of the space, or a domain. */
static void sys_space_control(struct thread *cur)
{
    uint32_t *r = cur->ctx.r;
    struct thread *t;

    if (go_on_reaping(cur))
        return;
    if (!(cur->flags & TF_PRIVILEGED)) {
        r[1] = L4_ERR_NO_PRIVILEGE;
        return;
    }
    switch (r[0]) {
    case L4_SC_DELETE:
        t = thread_lookup(r[1]);
        if (!t || t->space == cur->space || !may_control(cur, domain_of(t))) {
            r[1] = L4_ERR_INVALID_SPACE;
            return;
        }
        if (delete_space(cur, t->space, t)) {
            syscall_restart(cur);
            return;
        }
        break;
    case L4_SC_DOMAIN:
    case L4_SC_DELETE_DOMAIN:
        if (!domain_may(domain_of(cur), L4_DR_CONFIG)) {
            r[1] = L4_ERR_NO_PRIVILEGE;
            return;
        }
        if (r[0] == L4_SC_DOMAIN) {
            domain_configure(cur);
            return;
        }
        if (r[1] == L4_ROOT_DOMAIN || r[1] >= L4_MAX_DOMAINS) {
            r[1] = L4_ERR_INVALID_ARGUMENT;
            return;
        }
        for (unsigned i = 0; i < MAX_SPACES; i++) {
            struct space *s = &spaces[i];
            if (!s->in_use || s->domain != &domains[r[1]])
                continue;
            /* the restarted call finds what is left by the domain: dying spaces, threads */
            if ((s->dying ? space_teardown(s) : delete_space(cur, s, NULL)) || kernel_preempt_pending()) {
                cur->reaping = NULL;
                syscall_restart(cur);
                return;
            }
        }
        break;
    case L4_SC_QUERY:
        t = thread_lookup(r[1]);
        if (!t) {
            r[1] = L4_ERR_INVALID_THREAD;
            return;
        }
        r[0] = domain_index(domain_of(t));
        r[2] = domain_of(t)->mem ? domain_of(t)->mem->free_bytes : 0;
        r[3] = domain_of(t)->spaces;
        break;
    default:
        r[1] = L4_ERR_INVALID_ARGUMENT;
        return;
    }
    r[1] = L4_OK;
}

/* r0 dest, r1 control, r2 sp, r3 pc, r4 cpsr flags, r5 user handle, r6 pager, r8 tls. */
static void sys_exchange_registers(struct thread *cur)
{
    uint32_t *r = cur->ctx.r;
    struct thread *t = thread_lookup(r[0]);
    uint32_t control = r[1];
    struct arch_context old;
    l4_tid_t old_pager;
    uint32_t old_user, old_tls, old_state;

    if (!t || !(t->space == cur->space || may_control(cur, domain_of(t)) || t->exc_handler == cur->id ||
                t->pager == cur->id) || ((control & L4_XR_PAGER) && !partner_allowed(domain_of(t), r[6]))) {
        r[0] = L4_NILTHREAD;
        r[1] = L4_ERR_INVALID_THREAD;
        return;
    }
    old = t->ctx;
    old_pager = t->pager;
    old_user = t->user_handle;
    old_tls = t->tls;
    old_state = t->state;

    if ((control & L4_XR_ABORT) && (t->state == TS_SEND || t->state == TS_RECV))
        thread_wake(t, L4_IPC_ERROR(L4_ERR_CANCELED, t->state == TS_RECV));
    if (control & L4_XR_HALT)
        thread_halt(t, 0);
    if (control & L4_XR_SP)
        t->ctx.sp = r[2];
    if (control & L4_XR_PC)
        t->ctx.pc = r[3];
    if (control & L4_XR_FLAGS)
        t->ctx.cpsr = thread_user_cpsr(r[4]);
    if (control & L4_XR_USER)
        t->user_handle = t->utcb->user_handle = r[5];
    if (control & L4_XR_PAGER)
        t->pager = t->utcb->pager = r[6];
    if (control & L4_XR_TLS) {
        t->tls = r[8];
        if (t == cur)
            tpidruro_write(t->tls);
    }
    if ((control & L4_XR_RESUME) && t->state == TS_INACTIVE) {
        t->state = TS_READY;
        t->stop_reason = 0;
        sched_enqueue(t);
    }
    if (t == cur)
        return;                         /* our own registers are the results: leave them */
    r[0] = t->id;
    r[1] = L4_OK;
    r[2] = old.sp;
    r[3] = old.pc;
    r[4] = old.cpsr;
    r[5] = old_user;
    r[6] = old_pager;
    r[8] = old_tls;
    r[9] = old_state;
}

/* r0 dest (nil: yield the rest of the timeslice). */
static void sys_thread_switch(struct thread *cur)
{
    struct thread *t = thread_lookup(cur->ctx.r[0]);

    cur->ctx.r[1] = L4_OK;
    if (t && t->state == TS_READY && t != cur) {
        sched_dequeue(t);
        sched_enqueue_head(t);          /* it runs next if its priority allows */
        if (t->prio >= cur->prio) {
            sched_dequeue(cur);
            sched_enqueue(cur);
        }
        return;
    }
    sched_dequeue(cur);                 /* yield: to the back of our queue */
    sched_enqueue(cur);
}

/* r0 dest, r1 priority, r2 timeslice in microseconds (L4_TC_KEEP: unchanged).  Returns the
 * old ones, and in r3 and r4 the thread's CPU time and the time others spent on its behalf,
 * in milliseconds, as the tick sampled them. */
static void sys_schedule(struct thread *cur)
{
    uint32_t *r = cur->ctx.r;
    struct thread *t = thread_lookup(r[0]);
    uint32_t old_prio, old_slice;

    if (!t || !(t->scheduler == cur->id || may_control(cur, domain_of(t)))) {
        r[1] = L4_ERR_INVALID_THREAD;
        return;
    }
    /* no thread is raised above its domain's ceiling, by anyone */
    if ((r[1] != L4_TC_KEEP && r[1] > domain_of(t)->max_prio) ||
        (r[2] != L4_TC_KEEP && r[2] < SCHED_TICK_US)) {
        r[1] = L4_ERR_INVALID_ARGUMENT;
        return;
    }
    old_prio = t->prio;
    old_slice = t->timeslice_ticks * SCHED_TICK_US;
    if (r[1] != L4_TC_KEEP)
        sched_set_prio(t, r[1]);
    if (r[2] != L4_TC_KEEP)
        t->timeslice_ticks = t->remaining_ticks = r[2] / SCHED_TICK_US;
    _Static_assert(SCHED_TICK_US % 1000 == 0, "ticks are whole milliseconds");
    r[0] = old_prio;
    r[2] = old_slice;
    r[3] = t->cpu_ticks * (SCHED_TICK_US / 1000);
    r[4] = t->served_ticks * (SCHED_TICK_US / 1000);
    r[1] = L4_OK;
}

/* Megabytes Unmap looks through for a second-level table between two preemption points. */
#define UNMAP_SCAN  (64u << 20)

/* r0 fpage, r1 flags: take the fpage's rights away from mappings derived from ours. */
static void sys_unmap(struct thread *cur)
{
    uint32_t *r = cur->ctx.r;
    uint32_t fp = r[0], log2 = L4_FPAGE_LOG2(fp);
    uint64_t base = L4_FPAGE_BASE(fp), size;

    if (log2 < 12 || log2 > 32) {
        r[1] = L4_ERR_INVALID_ARGUMENT;
        return;
    }
    size = 1ull << log2;
    base &= ~(size - 1);
    uint64_t end = base + size < L4_UTCB_AREA ? base + size : L4_UTCB_AREA;
    uint64_t va = base;
    if (cur->resume_fpage == fp && cur->resume_va > base && cur->resume_va < end)
        va = cur->resume_va;                /* restarted: the pages before are done */
    while (va < end) {
        /* the megabytes with no table are skipped UNMAP_SCAN at a time, the pages one by one */
        uint64_t stop = (va | ((1u << 20) - 1)) + 1 + UNMAP_SCAN - (1u << 20), next;
        int partial = 0;
        if (stop > end)
            stop = end;
        next = space_next_candidate(cur->space, va, stop);
        if (next < stop) {
            partial = mapdb_unmap(cur->space, (uint32_t)next, L4_FPAGE_RIGHTS(fp), r[1] & L4_UNMAP_SELF);
            va = partial ? next : next + L4_PAGE_SIZE;
        } else {
            va = stop;
        }
        if (partial || (va < end && kernel_preempt_pending())) {
            cur->resume_fpage = fp;         /* a page half done is done again */
            cur->resume_va = (uint32_t)va;
            syscall_restart(cur);
            return;
        }
    }
    cur->resume_fpage = 0;
    r[1] = L4_OK;
}

/* Counter ticks to microseconds without a division: us = counter * us_per_tick, with the
 * factor as a 32.32 fixed-point number computed once. */
static uint32_t us_per_tick_frac;       /* 2^32 * 1e6 / frequency; frequencies above 1 MHz */

void syscall_init(void)
{
    us_per_tick_frac = (uint32_t)((1000000ull << 32) / timer_counter_hz());
}

/* r0, r2: microseconds since boot (low, high word).  It wakes nobody and changes no
 * priority, so the caller, which was the thread to run, still is: straight back to it. */
static void sys_system_clock(struct thread *cur)
{
    uint64_t cnt = timer_counter();
    uint64_t us = ((uint64_t)(uint32_t)cnt * us_per_tick_frac >> 32) +
                  (cnt >> 32) * us_per_tick_frac;

    cur->ctx.r[0] = (uint32_t)us;
    cur->ctx.r[2] = (uint32_t)(us >> 32);
    cur->ctx.r[1] = L4_OK;
    return_to_user(&cur->ctx);
}

typedef void (*syscall_fn)(struct thread *cur);

static const syscall_fn syscalls[L4_SYS_COUNT] = {
    [L4_SYS_IPC] = sys_ipc,
    [L4_SYS_THREAD_CONTROL] = sys_thread_control,
    [L4_SYS_SPACE_CONTROL] = sys_space_control,
    [L4_SYS_EXCHANGE_REGISTERS] = sys_exchange_registers,
    [L4_SYS_THREAD_SWITCH] = sys_thread_switch,
    [L4_SYS_SCHEDULE] = sys_schedule,
    [L4_SYS_UNMAP] = sys_unmap,
    [L4_SYS_SYSTEM_CLOCK] = sys_system_clock,
    [L4_SYS_INTERRUPT_CONTROL] = irq_syscall,
    [L4_SYS_KDEBUG] = kdebug_syscall,
};


void syscall_slowpath(uint32_t number)
{
    struct thread *cur = kernel.current;

    if (number != L4_SYS_IPC)               /* (IPC came through the fast path, stamped there) */
        profile_enter(PROFILE_SYSCALL + (number < L4_SYS_COUNT ? number : 0), cur->id);
    cur->syscalls++;
    if (number >= L4_SYS_COUNT) {
        syscall_counts[L4_SYS_COUNT]++;
        cur->ctx.r[1] = L4_ERR_BAD_SYSCALL;
        sched_leave();
    }
    syscall_counts[number]++;
    syscalls[number](cur);
    sched_leave();
}
