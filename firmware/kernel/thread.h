/*
 * Threads.  A thread is a TCB in a static table indexed by thread number; its global ID carries
 * a version that changes whenever the slot is reused, so a stale ID is refused by lookup and
 * never reaches the thread now in the slot.
 *
 * Invariants:
 *  - ctx is the first member: the entry code saves user registers there (arch/arm/entry.S).
 *  - A queued thread is READY; a READY thread is in at most one ready queue (sched.c): the
 *    running one, and one just woken, may be in none.
 *  - A thread blocked sending to T is on T's send queue; a thread blocked with a finite timeout
 *    is on the timeout list.  Leaving a blocked state removes it from both (thread_unblock).
 *  - A FREE slot's version is the one its next occupant will get.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/mode.h"
#include "kstate.h"
#include "l4/abi.h"

#define MAX_THREADS     L4_THREAD_SLOTS

struct space;
struct vfp_state;

/* User registers, as saved by the entry code. */
struct arch_context {
    uint32_t r[13];
    uint32_t sp, lr, pc, cpsr;
};

enum thread_state {
    TS_FREE = 0,        /* slot unused */
    TS_INACTIVE = L4_STATE_INACTIVE,    /* exists, not running: new, halted, or stopped */
    TS_READY = L4_STATE_READY,          /* running or runnable */
    TS_SEND = L4_STATE_SEND,            /* blocked in the send phase, on partner's send queue */
    TS_RECV = L4_STATE_RECV,            /* blocked in the receive phase, waiting for `partner` */
};

/* What a thread sends when its send phase runs: its own message, or one the kernel composes
 * from its state.  The same value says what reply the receive phase expects. */
enum ipc_kind {
    IPC_NORMAL = 0,
    IPC_PAGEFAULT,      /* reply maps pages (whole space is the window) and resumes */
    IPC_EXCEPTION,      /* reply sets registers and resumes, or stops the thread */
};

/* The pager's answer to a thread's last page fault, when the fault stands: the next one is
 * raised as an exception instead of going to the pager again. */
enum {
    REFUSED_NONE = 0,
    REFUSED_STOP,       /* it answered STOP */
    REFUSED_NO_MAP,     /* it sent a mapping the kernel could not make */
};

#define TF_FOREIGN_ABI  L4_TC_FOREIGN_ABI
#define TF_PRIVILEGED   L4_TC_PRIVILEGED
#define TF_IDEMPOTENT   (1u << 7)       /* sigma0: its faults are mapped 1:1 by the kernel */

struct thread {
    struct arch_context ctx;
    l4_tid_t id;
    uint8_t state;
    uint8_t ipc_kind;           /* what this thread's current IPC sends/expects (beside the
                                 * state: the fast paths test and set both in one halfword) */
    uint8_t prio;
    uint8_t flags;
    struct space *space;
    struct l4_utcb *utcb;       /* kernel address of the UTCB page */
    uint32_t tls;               /* TPIDRURO while the thread runs */
    l4_tid_t pager, exc_handler, scheduler;
    uint32_t user_handle;

    /* scheduling */
    struct thread *rq_next, *rq_prev;
    uint32_t timeslice_ticks, remaining_ticks;
    uint64_t cpu_cycles;        /* statistics: cycles spent running */
    uint32_t cpu_ticks;         /* CPU time: ticks that found it running */
    uint32_t served_ticks;      /*   and ticks that found a thread running on its behalf */
    l4_tid_t served;            /* whose message it received last: the tick bills that one
                                 * while it waits for this thread's answer */
    uint32_t syscalls;          /* statistics: system calls through the slow path */
    uint32_t restarts;          /* statistics: system calls restarted at a preemption point */
    struct space *reaping;      /* a space this thread's restarted call is tearing down */
    uint32_t resume_va;         /* Unmap restarted: the page to go on from, */
    uint32_t resume_fpage;      /*   in this fpage */

    /* IPC */
    l4_tid_t partner;           /* SEND: destination; RECV: sender wanted, or L4_ANYTHREAD */
    l4_tid_t recv_from;         /* SEND: the receive phase to enter once the send is done */
    uint32_t recv_timeout;      /*       and its timeout */
    uint16_t irqs_pending;      /* interrupts attached to this thread waiting for a receive */
    struct thread *sendq_head, *sendq_tail;   /* threads blocked sending to this one */
    struct thread *sq_next, *sq_prev;         /* links in the partner's send queue */
    uint64_t wakeup_tick;       /* when blocked with a finite timeout */
    struct thread *tq_next, *tq_prev;         /* links in the timeout list */
    uint8_t on_timeout_list;

    /* the fault or exception being reported (ipc_kind != IPC_NORMAL) */
    uint8_t exc_kind;
    uint32_t fault_addr, fault_status, fault_rwx;
    uint32_t stop_reason;       /* why an INACTIVE thread stopped (exc kind, 0 = halted) */
    uint8_t pager_refused;      /* the pager's answer to the last fault: REFUSED_* */
    char name[12];              /* for the host's thread list; set through KDebug */
    struct vfp_state *vfp;      /* floating-point registers, once the thread used the unit */
    uint32_t unused[2];         /* to a power of two: a slot is a shift away from its number */
};

_Static_assert(sizeof(struct arch_context) == ENTRY_TCB_CONTEXT_SIZE && offsetof(struct thread, ctx) == 0 &&
               offsetof(struct thread, flags) == ENTRY_TCB_FLAGS && TF_FOREIGN_ABI == ENTRY_TF_FOREIGN_ABI,
               "entry.S finds a thread's flags from its saved context");

/* kernel.current: the running thread; kernel.threads: the table (kstate.h). */

/* The slot a thread ID's number selects, masked into the table: the caller compares the slot's
 * ID with `tid` (slot i only ever holds thread number L4_FIRST_THREAD + i, so an ID that is no
 * thread's, a nil or interrupt ID included, never matches), and the fast paths need no bounds
 * check. */
static inline struct thread *thread_slot(l4_tid_t tid)
{
    _Static_assert((MAX_THREADS & (MAX_THREADS - 1)) == 0, "a mask");
    return &kernel.threads[(L4_TID_NUMBER(tid) - L4_FIRST_THREAD) & (MAX_THREADS - 1)];
}

/* The thread `tid` names, or NULL when no live thread has that ID (stale version included). */
static inline struct thread *thread_lookup(l4_tid_t tid)
{
    uint32_t n = L4_TID_NUMBER(tid) - L4_FIRST_THREAD;
    struct thread *t;

    if (n >= MAX_THREADS)
        return NULL;
    t = &kernel.threads[n];
    return t->id == tid && t->state != TS_FREE ? t : NULL;
}

static inline uint32_t thread_number(const struct thread *t)
{
    return (uint32_t)(t - kernel.threads) + L4_FIRST_THREAD;
}

/* User address of `t`'s UTCB. */
static inline uint32_t thread_utcb_user(const struct thread *t)
{
    return L4_UTCB_AREA + (uint32_t)(t - kernel.threads) * L4_PAGE_SIZE;
}

/* Allocate the thread table; -1 when kernel memory is too small. */
int thread_init(void);
/* Create thread number `number` (its version bumped) in `space`, INACTIVE; NULL when the slot is
 * taken or memory is short. */
struct thread *thread_create(l4_tid_t tid, struct space *space);
void thread_delete(struct thread *t);
/* Take a blocked thread out of every queue it waits in, and make it READY with IPC error
 * `error` in r1 (0: success). */
void thread_wake(struct thread *t, uint32_t error);
/* Halt `t` (INACTIVE), cancelling any IPC it is blocked in. */
void thread_halt(struct thread *t, uint32_t reason);
/* Sanitise a CPSR value coming from user space: user mode, interrupts on, ARM or Thumb. */
uint32_t thread_user_cpsr(uint32_t cpsr);
