/*
 * The server thread: the one owner of the task layer's state (internal.h).  It receives the
 * tasks' requests, the user timer's expiries and the notifying interrupt lines, one message at a
 * time, and never blocks anywhere but in that receive.  A request is answered at once, or later
 * (rtos_wake) when what it waits for happens or its deadline passes.
 *
 * Time: every deadline is a value of the virtual counter.  The timeout list is sorted by
 * deadline; after each message the user timer is armed for the earliest deadline of the list
 * and the software timers, so the server wakes exactly when something is due and never polls.
 */
#include "board.h"
#include "internal.h"

struct rtos_thread rtos_threads[L4_MODULE_THREADS];

static struct rtos_thread *timeouts;    /* blocked threads with a deadline, earliest first */
static uint64_t armed;                  /* the user timer's deadline; 0: not armed */
volatile uint32_t rtos_timer_arrived;

#define OP(name) [RTOS_OP_##name - RTOS_OP_THREAD_NEW]
static const rtos_handler_t handlers[RTOS_OP_COUNT] = {
    OP(THREAD_NEW) = rtos_op_thread_new,
    OP(THREAD_TERMINATE) = rtos_op_thread_terminate,
    OP(THREAD_EXIT) = rtos_op_thread_exit,
    OP(THREAD_SET_PRIO) = rtos_op_thread_set_prio,
    OP(DEMOTE) = rtos_op_demote,
    OP(SLEEP) = rtos_op_sleep,
    OP(THREAD_FLAGS_SET) = rtos_op_thread_flags_set,
    OP(THREAD_FLAGS_CLEAR) = rtos_op_thread_flags_clear,
    OP(THREAD_FLAGS_WAIT) = rtos_op_thread_flags_wait,
    OP(IRQ_ATTACH) = rtos_op_irq_attach,
    OP(IRQ_DETACH) = rtos_op_irq_detach,
    OP(SEM_NEW) = rtos_op_sem_new,
    OP(SEM_ACQUIRE) = rtos_op_sem_acquire,
    OP(SEM_RELEASE) = rtos_op_sem_release,
    OP(SEM_DELETE) = rtos_op_sem_delete,
    OP(MUTEX_NEW) = rtos_op_mutex_new,
    OP(MUTEX_ACQUIRE) = rtos_op_mutex_acquire,
    OP(MUTEX_RELEASE) = rtos_op_mutex_release,
    OP(MUTEX_DELETE) = rtos_op_mutex_delete,
    OP(MQ_NEW) = rtos_op_mq_new,
    OP(MQ_PUT) = rtos_op_mq_put,
    OP(MQ_GET) = rtos_op_mq_get,
    OP(MQ_DELETE) = rtos_op_mq_delete,
    OP(EF_NEW) = rtos_op_ef_new,
    OP(EF_SET) = rtos_op_ef_set,
    OP(EF_CLEAR) = rtos_op_ef_clear,
    OP(EF_WAIT) = rtos_op_ef_wait,
    OP(EF_DELETE) = rtos_op_ef_delete,
    OP(TIMER_NEW) = rtos_op_timer_new,
    OP(TIMER_START) = rtos_op_timer_start,
    OP(TIMER_STOP) = rtos_op_timer_stop,
    OP(TIMER_DELETE) = rtos_op_timer_delete,
    OP(TIMER_NEXT) = rtos_op_timer_next,
};

/* ---- wait queues and the timeout list -------------------------------------------------------- */

void rtos_waitq_insert(struct rtos_waitq *q, struct rtos_thread *t)
{
    struct rtos_thread **p = &q->head;

    while (*p && (*p)->prio >= t->prio)     /* behind its equals */
        p = &(*p)->wq_next;
    t->wq_next = *p;
    *p = t;
    t->wq = q;
}

void rtos_waitq_remove(struct rtos_thread *t)
{
    if (!t->wq)
        return;
    for (struct rtos_thread **p = &t->wq->head; *p; p = &(*p)->wq_next) {
        if (*p == t) {
            *p = t->wq_next;
            break;
        }
    }
    t->wq = NULL;
    t->wq_next = NULL;
}

static void timeout_insert(struct rtos_thread *t)
{
    struct rtos_thread **p = &timeouts;

    while (*p && (*p)->deadline <= t->deadline)
        p = &(*p)->tq_next;
    t->tq_next = *p;
    *p = t;
    t->on_timeouts = 1;
}

static void timeout_remove(struct rtos_thread *t)
{
    for (struct rtos_thread **p = &timeouts; *p; p = &(*p)->tq_next) {
        if (*p == t) {
            *p = t->tq_next;
            break;
        }
    }
    t->tq_next = NULL;
    t->on_timeouts = 0;
}

void rtos_block(struct rtos_thread *t, enum rtos_wait wait, struct rtos_waitq *q, uint64_t deadline,
                int32_t timeout_answer)
{
    t->state = osThreadBlocked;
    t->wait = (uint8_t)wait;
    if (q)
        rtos_waitq_insert(q, t);
    if (deadline) {
        t->deadline = deadline;
        t->timeout_answer = timeout_answer;
        timeout_insert(t);
    }
}

struct rtos_waitq *rtos_unblock(struct rtos_thread *t)
{
    struct rtos_waitq *q = t->wq;

    rtos_waitq_remove(t);
    if (t->on_timeouts)
        timeout_remove(t);
    t->wait = RTOS_WAIT_NONE;
    t->state = osThreadReady;
    return q;
}

void rtos_wake(struct rtos_thread *t, uint32_t answer, uint32_t second)
{
    struct l4_msg m = { { L4_TAG(0, 2, 0), answer, second } };

    rtos_unblock(t);
    /* it waits in its call for our answer: the send cannot block */
    l4_send(t->tid, &m, L4_ZERO);
}

/* Answer every thread whose deadline has come by `now`. */
static void expire(uint64_t now)
{
    while (timeouts && timeouts->deadline <= now) {
        struct rtos_thread *t = timeouts;
        struct rtos_waitq *q = t->wq;

        rtos_wake(t, (uint32_t)t->timeout_answer, 0);
        if (q && q->kind == WQ_MUTEX)
            rtos_mutex_waiter_left(q);
    }
}

/* The user timer follows the earliest deadline.  An expiry disarms it (its message is on the
 * way, or taken: `armed` is cleared then); a deadline already past fires at once. */
static void timer_follow(void)
{
    uint64_t next = timeouts ? timeouts->deadline : 0, t = rtos_timers_next();

    if (t && (!next || t < next))
        next = t;
    if (next == armed)
        return;
    if (next)
        l4_timer_arm(BOARD_IRQ_VTIMER, next);
    else
        l4_timer_cancel(BOARD_IRQ_VTIMER);
    armed = next;
}

/* ---- the loop -------------------------------------------------------------------------------- */

/* The record of the module's thread `from`; a thread that is no task gets one on its first
 * request (a stale task ID gets none). */
static struct rtos_thread *caller_record(l4_tid_t from)
{
    uint32_t slot = L4_TID_NUMBER(from) - rtos_first_number;
    struct rtos_thread *t;
    uint32_t r[13] = { from, L4_TC_KEEP, L4_TC_KEEP };

    if (slot >= L4_MODULE_THREADS)
        return NULL;
    t = &rtos_threads[slot];
    if (t->tid == from)
        return t;
    if (rtos_is_task(t) || slot == RTOS_SLOT_SERVER)
        return NULL;
    r[7] = L4_SYS_SCHEDULE;                 /* its priority, unchanged (r0 gives it) */
    l4_syscall_regs(r);
    memset(t, 0, sizeof *t);
    t->tid = from;
    t->state = osThreadRunning;
    t->base_prio = t->prio = (uint8_t)r[0];
    t->cmsis_prio = osPriorityNone;
    t->name = slot == RTOS_SLOT_MAIN ? "main" : "thread";
    return t;
}

static void server_main(void)
{
    struct l4_msg m = { { 0 } };
    l4_tid_t reply_to = L4_NILTHREAD, from;
    uint32_t err;

    l4_interrupt_control(BOARD_IRQ_VTIMER, L4_IRQ_ATTACH);
    for (;;) {
        /* the answer to the last request (or the acknowledgement of the user timer's
         * interrupt), and the next message, in one system call */
        from = l4_ipc(reply_to, L4_ANYTHREAD, L4_ZERO, L4_NEVER, &m, &err);
        reply_to = L4_NILTHREAD;
        if (err)
            continue;                       /* the answer found nobody (the caller is gone) */
        if (L4_TID_NUMBER(from) < L4_FIRST_THREAD) {
            uint32_t irq = L4_TID_NUMBER(from);
            if (irq == BOARD_IRQ_VTIMER) {
                rtos_timer_arrived = l4_cycles();
                armed = 0;
                expire(rtos_systimer());
                rtos_timers_expire(rtos_systimer());
                m.mr[0] = L4_TAG(0, 0, 0);
                reply_to = from;            /* unmasks the line */
            } else {
                rtos_irq_message(irq);
            }
        } else {
            struct rtos_thread *caller = caller_record(from);
            uint32_t op = L4_TAG_LABEL(m.mr[0]) - RTOS_OP_THREAD_NEW;

            if (!caller || op >= RTOS_OP_COUNT || !handlers[op]) {
                m.mr[1] = (uint32_t)osErrorParameter;
                m.mr[0] = L4_TAG(0, 2, 0);
                reply_to = from;
            } else if (handlers[op](caller, &m) == RTOS_ANSWER) {
                m.mr[0] = L4_TAG(0, 2, 0);
                reply_to = from;
            }
        }
        timer_follow();
    }
}

/* ---- starting ----------------------------------------------------------------------------------- */

#define SERVER_STACK_SIZE 8192u
static uint64_t server_stack[SERVER_STACK_SIZE / 8];

/* Start the server in thread slot RTOS_SLOT_SERVER of the caller's module, with the caller's
 * pager and exception handler.  0, or the L4 error. */
uint32_t rtos_server_start(void)
{
    l4_tid_t me = l4_myself(), tid = L4_TID(rtos_first_number + RTOS_SLOT_SERVER, 1);
    struct l4_utcb *u = l4_utcb();
    struct rtos_thread *t = &rtos_threads[RTOS_SLOT_SERVER];
    uint32_t e;

    memset(server_stack, 0, sizeof server_stack);      /* fault it in now */
    rtos_server_tid = tid;
    t->tid = tid;
    t->state = osThreadRunning;
    t->base_prio = t->prio = RTOS_SERVER_PRIO;
    t->name = "rtos-server";
    e = l4_thread_control(tid, me, me, u->pager, u->exception_handler, L4_TC_PRIVILEGED);
    if (!e)
        e = l4_schedule(tid, RTOS_SERVER_PRIO, L4_TC_KEEP);
    if (e) {
        rtos_server_tid = L4_NILTHREAD;
        t->tid = L4_NILTHREAD;
        return e;
    }
    l4_set_name(tid, "rtos-server");
    /* it runs at once (it is above us), attaches the user timer and waits for requests */
    return l4_start(tid, (uint32_t)(server_stack + SERVER_STACK_SIZE / 8), (uint32_t)server_main);
}
