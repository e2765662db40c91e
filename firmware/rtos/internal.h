/*
 * The task layer's inside: the server's requests, the thread records and the wait queues that
 * every object shares.
 *
 * Invariants (all of this state is the server thread's: only it writes it, so nothing here is
 * locked; other threads read the fields marked "read by anyone", which the server writes before
 * the reader can see the object):
 *  - A thread record is slot (thread number - the module's first) of `rtos_threads`: slot 0 is
 *    the modem's main thread, slot 1 the server, the tasks RTOS_SLOT_FIRST_TASK on.
 *  - A BLOCKED thread is in at most one wait queue (`wq`), in order of its L4 priority (`prio`)
 *    and FIFO among equals; it is on the timeout list iff its wait has a deadline.  It sits in
 *    an IPC call to the server, which answers it exactly once, when it leaves the BLOCKED state.
 *  - `prio` is the greatest of `base_prio` and the `prio` of the first waiter of every
 *    inheriting mutex it owns, and the kernel runs the thread at `prio`.
 */
#pragma once

#include <stdint.h>

#include "l4.h"
#include "lib/string.h"
#include "rtos.h"

#define RTOS_SLOT_MAIN          0u
#define RTOS_SLOT_SERVER        1u
#define RTOS_SLOT_FIRST_TASK    2u
#define RTOS_SLOTS              (RTOS_SLOT_FIRST_TASK + RTOS_MAX_TASKS)
/* Slots RTOS_SLOTS .. L4_MODULE_THREADS - 1 stay free for the modem's own L4 threads. */
_Static_assert(RTOS_SLOTS <= L4_MODULE_THREADS, "a module has L4_MODULE_THREADS thread numbers");

/* ---- requests to the server: the label; MR1..MR4 arguments; the answer MR1 (a status or a
 * value) and MR2 ------------------------------------------------------------------------------ */
enum rtos_op {
    RTOS_OP_THREAD_NEW = 0x5200,    /* func, argument, attr -> record */
    RTOS_OP_THREAD_TERMINATE,       /* record -> status */
    RTOS_OP_THREAD_EXIT,            /* no answer */
    RTOS_OP_THREAD_SET_PRIO,        /* record, osPriority -> status */
    RTOS_OP_SLEEP,                  /* deadline low, high -> status */
    RTOS_OP_THREAD_FLAGS_SET,       /* record, flags -> flags */
    RTOS_OP_THREAD_FLAGS_CLEAR,     /* flags -> flags before */
    RTOS_OP_THREAD_FLAGS_WAIT,      /* flags, options, timeout -> flags */
    RTOS_OP_IRQ_ATTACH,             /* irq, record, flags -> status */
    RTOS_OP_IRQ_DETACH,             /* irq -> status */
    RTOS_OP_SEM_NEW,                /* max, initial, name -> object */
    RTOS_OP_SEM_ACQUIRE,            /* object, timeout -> status */
    RTOS_OP_SEM_RELEASE,            /* object -> status */
    RTOS_OP_SEM_DELETE,
    RTOS_OP_MUTEX_NEW,              /* attr bits, name -> object */
    RTOS_OP_MUTEX_ACQUIRE,          /* object, timeout -> status */
    RTOS_OP_MUTEX_RELEASE,
    RTOS_OP_MUTEX_DELETE,
    RTOS_OP_MQ_NEW,                 /* count, size, attr -> object */
    RTOS_OP_MQ_PUT,                 /* object, message, priority, timeout -> status */
    RTOS_OP_MQ_GET,                 /* object, buffer, priority pointer, timeout -> status */
    RTOS_OP_MQ_DELETE,
    RTOS_OP_EF_NEW,                 /* name -> object */
    RTOS_OP_EF_SET,                 /* object, flags -> flags */
    RTOS_OP_EF_CLEAR,               /* object, flags -> flags before */
    RTOS_OP_EF_WAIT,                /* object, flags, options, timeout -> flags */
    RTOS_OP_EF_DELETE,
    RTOS_OP_TIMER_NEW,              /* func, type, argument, name -> object */
    RTOS_OP_TIMER_START,            /* object, ticks -> status */
    RTOS_OP_TIMER_STOP,
    RTOS_OP_TIMER_DELETE,
    RTOS_OP_TIMER_NEXT,             /* the timer task: -> callback, argument */
    RTOS_OP_DEMOTE,                 /* on -> previous setting (rtos_set_below_linux) */
    RTOS_OP_END
};
#define RTOS_OP_COUNT   (RTOS_OP_END - RTOS_OP_THREAD_NEW)

/* A request's answer, or RTOS_BLOCKED: the caller waits (the server answers it later). */
#define RTOS_ANSWER     0
#define RTOS_BLOCKED    1

/* ---- wait queues ----------------------------------------------------------------------------- */
enum rtos_wq_kind { WQ_OTHER = 0, WQ_MUTEX };

struct rtos_thread;
struct rtos_waitq {
    struct rtos_thread *head;
    uint8_t kind;               /* WQ_MUTEX: inside a struct rtos_mutex (priority inheritance) */
};

/* A mutex (mutex.c).  Its queue comes first: a WQ_MUTEX queue is its mutex. */
struct rtos_mutex {
    struct rtos_waitq q;
    struct rtos_thread *owner;  /* NULL: free (read by anyone) */
    uint32_t count;             /* recursive acquisitions */
    uint8_t used, recursive, inherit;
    const char *name;
    struct rtos_mutex *next_owned;  /* in the owner's list */
};

/* What a blocked thread waits for. */
enum rtos_wait { RTOS_WAIT_NONE = 0, RTOS_WAIT_SLEEP, RTOS_WAIT_THREAD_FLAGS, RTOS_WAIT_OBJECT };

struct rtos_thread {
    l4_tid_t tid;               /* nil: slot free (read by anyone) */
    uint16_t version;           /* of the slot's next L4 thread */
    int8_t state;               /* osThreadState_t (read by anyone) */
    uint8_t base_prio, prio;    /* L4 priorities: its own, and what it runs at (inherited) */
    osPriority_t cmsis_prio;    /* (read by anyone) */
    const char *name;           /* (read by anyone) */
    osThreadFunc_t func;
    void *argument;
    uint8_t *stack;
    int pool_block;             /* the stack pool's block, -1: the creator's memory */
    volatile uint32_t flags;    /* thread flags (read by anyone) */
    struct rtos_mutex *owned;   /* mutexes it holds, through next_owned */

    uint8_t irq_lines;          /* interrupt lines that notify it */

    /* BLOCKED */
    uint8_t wait;               /* enum rtos_wait */
    struct rtos_waitq *wq;      /* the queue it waits in; NULL: a sleep, or no queue */
    struct rtos_thread *wq_next;
    uint64_t deadline;          /* counter value, when on the timeout list */
    struct rtos_thread *tq_next;
    uint8_t on_timeouts;
    int32_t timeout_answer;     /* the answer when the deadline passes */
    uint32_t w_a, w_b;          /* what the wait is for (per object) */
    void *w_ptr, *w_ptr2;
};

/* Records for every thread number of the module: the tasks', and those of the module's other
 * threads, which the server fills in when they first call it. */
extern struct rtos_thread rtos_threads[L4_MODULE_THREADS];
extern uint32_t rtos_first_number;      /* the module's first thread number (main's) */
extern l4_tid_t rtos_server_tid;
extern uint32_t rtos_counter_hz;

static inline int rtos_is_task(const struct rtos_thread *t)
{
    return t >= &rtos_threads[RTOS_SLOT_FIRST_TASK] && t < &rtos_threads[RTOS_SLOTS];
}

/* Take `mask` from `*have` as a wait with `options` asks (osFlagsWaitAll, osFlagsNoClear):
 * the flags before, or 0 when the wait is not satisfied.  `mask` is not 0. */
static inline uint32_t rtos_flags_take(volatile uint32_t *have, uint32_t mask, uint32_t options)
{
    uint32_t v = *have;

    if (options & osFlagsWaitAll ? (v & mask) != mask : !(v & mask))
        return 0;
    if (!(options & osFlagsNoClear))
        *have = v & ~mask;
    return v;
}

uint32_t rtos_server_start(void);
void rtos_timer_task_start(void);

/* ---- the client side ------------------------------------------------------------------------- */
/* One request to the server: the answer's MR1 (MR2 in *second if not NULL). */
uint32_t rtos_call(uint32_t op, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t *second);
/* The calling thread's record (NULL outside the modem's threads). */
struct rtos_thread *rtos_self(void);
/* A thread handle the caller passed, if it names a live thread (NULL otherwise). */
struct rtos_thread *rtos_thread_from(osThreadId_t id);

/* ---- time -------------------------------------------------------------------------------------- */
uint64_t rtos_ticks_to_counts(uint64_t ticks);
uint64_t rtos_counts_to_ticks(uint64_t counts);
/* The deadline `timeout` ticks from now (0 for osWaitForever: none). */
uint64_t rtos_deadline(uint32_t timeout);

/* ---- the server's helpers, for the objects' request handlers ----------------------------------- */
/* A request handler: `caller` sent `m`; fill m->mr[1] (and mr[2]) and return RTOS_ANSWER, or
 * block the caller and return RTOS_BLOCKED. */
typedef int (*rtos_handler_t)(struct rtos_thread *caller, struct l4_msg *m);

void rtos_waitq_insert(struct rtos_waitq *q, struct rtos_thread *t);
void rtos_waitq_remove(struct rtos_thread *t);
/* Block `t` for `wait` in `q` (NULL: none) until it is woken or `deadline` (0: none) passes,
 * when it is answered `timeout_answer`. */
void rtos_block(struct rtos_thread *t, enum rtos_wait wait, struct rtos_waitq *q, uint64_t deadline,
                int32_t timeout_answer);

/* The end of a flags wait (thread flags or an event-flags object): take `mask` from `*have` as
 * `options` say and answer, or answer osFlagsErrorResource when `timeout` is 0, or block the
 * caller (`wait`, on `q`) until they are set or the timeout passes.  RTOS_ANSWER or RTOS_BLOCKED. */
int rtos_flags_wait(struct rtos_thread *caller, struct l4_msg *m, volatile uint32_t *have, uint32_t mask,
                    uint32_t options, uint32_t timeout, enum rtos_wait wait, struct rtos_waitq *q);
/* Answer blocked `t` (leaving its queue and the timeout list): MR1 `answer`, MR2 `second`. */
void rtos_wake(struct rtos_thread *t, uint32_t answer, uint32_t second);
/* Take blocked `t` out of its queue and the timeout list without answering it (it ends); the
 * queue it was in, or NULL. */
struct rtos_waitq *rtos_unblock(struct rtos_thread *t);
/* A waiter left mutex queue `q` (it timed out, or ended): its owner may inherit less. */
void rtos_mutex_waiter_left(struct rtos_waitq *q);

/* Priority inheritance: `t`'s priority follows its base and the mutexes it owns again (and
 * whatever `t` waits for learns of the change, along the chain of owners). */
void rtos_prio_update(struct rtos_thread *t);
/* The mutexes `t` owns go to their next waiters (a task that ends). */
void rtos_mutex_release_all(struct rtos_thread *t);
/* Thread flags arrived for `t` (from a task or an interrupt): wake it if its wait is satisfied.
 * Returns the flags after. */
uint32_t rtos_thread_flags_set(struct rtos_thread *t, uint32_t flags);
/* A thread ends: detach the interrupt lines it was notified of. */
void rtos_irq_forget(struct rtos_thread *t);
/* `t` waits for thread flags `mask`: re-enable the lines whose notifications it has taken. */
void rtos_irq_rearm(struct rtos_thread *t, uint32_t mask);
/* An interrupt message from line `irq` (not the user timer's). */
void rtos_irq_message(uint32_t irq);

/* Software timers: the earliest deadline (0: none); expire those due at `now`. */
uint64_t rtos_timers_next(void);
void rtos_timers_expire(uint64_t now);

/* The handlers, by object. */
int rtos_op_thread_new(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_thread_terminate(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_thread_exit(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_thread_set_prio(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_demote(struct rtos_thread *caller, struct l4_msg *m);
/* The L4 priority task `t` of RTOS priority `prio` is given: `prio`, or below Linux when demoted. */
uint32_t rtos_effective_prio(const struct rtos_thread *t, uint32_t prio);
int rtos_op_sleep(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_thread_flags_set(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_thread_flags_clear(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_thread_flags_wait(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_irq_attach(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_irq_detach(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_sem_new(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_sem_acquire(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_sem_release(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_sem_delete(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mutex_new(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mutex_acquire(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mutex_release(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mutex_delete(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mq_new(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mq_put(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mq_get(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_mq_delete(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_ef_new(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_ef_set(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_ef_clear(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_ef_wait(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_ef_delete(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_timer_new(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_timer_start(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_timer_stop(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_timer_delete(struct rtos_thread *caller, struct l4_msg *m);
int rtos_op_timer_next(struct rtos_thread *caller, struct l4_msg *m);
