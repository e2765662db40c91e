/*
 * Tasks: L4 threads of the modem's space, in the thread numbers after the server's, created and
 * deleted by the server (their scheduler, so it alone sets their priorities), each with a stack
 * that is faulted in before it runs.  A task that returns from its function exits.
 *
 * Priority inheritance lives here too (rtos_prio_update): a thread's L4 priority is the greatest
 * of its own and its inheriting mutexes' first waiters', along chains of owners that wait.
 */
#include "internal.h"

/* The negative control's switch (rtos_set_below_linux), and the one task it leaves alone. */
static bool demoted;
static l4_tid_t demote_spared;

/* The stack pool: one block for each task slot. */
static uint64_t stack_pool[RTOS_MAX_TASKS][RTOS_STACK_SIZE / 8];

uint32_t rtos_l4_priority(osPriority_t p)
{
    if (p == osPriorityIdle)
        return RTOS_TASK_PRIO_MIN;
    if (p >= osPriorityLow && p < osPriorityNormal)
        return RTOS_TASK_PRIO_MIN + 1 + (uint32_t)(p - osPriorityLow) / 4;     /* 162..165 */
    if (p >= osPriorityNormal && p <= osPriorityRealtime7)
        return RTOS_TASK_PRIO_MIN + 5 + (uint32_t)(p - osPriorityNormal);      /* 166..197 */
    return 0;
}
_Static_assert(RTOS_TASK_PRIO_MIN + 5 + (osPriorityRealtime7 - osPriorityNormal) == RTOS_TASK_PRIO_MAX &&
               RTOS_TASK_PRIO_MAX < RTOS_SERVER_PRIO, "the map fills 161..197, below the server");

struct rtos_thread *rtos_self(void)
{
    uint32_t slot = L4_TID_NUMBER(l4_myself()) - rtos_first_number;

    return slot < L4_MODULE_THREADS ? &rtos_threads[slot] : NULL;
}

struct rtos_thread *rtos_thread_from(osThreadId_t id)
{
    struct rtos_thread *t = id;
    uint32_t off = (uint32_t)((uint8_t *)t - (uint8_t *)rtos_threads);

    if (off >= sizeof rtos_threads || off % sizeof *t || t->tid == L4_NILTHREAD)
        return NULL;
    return t;
}

static void task_entry(void)
{
    struct rtos_thread *t = rtos_self();

    t->func(t->argument);
    osThreadExit();
}

/* ---- the server's side ----------------------------------------------------------------------- */

void rtos_prio_update(struct rtos_thread *t)
{
    for (unsigned depth = 0; t && depth < L4_MODULE_THREADS; depth++) {
        struct rtos_waitq *q;
        uint8_t p = t->base_prio;

        for (struct rtos_mutex *mx = t->owned; mx; mx = mx->next_owned)
            if (mx->inherit && mx->q.head && mx->q.head->prio > p)
                p = mx->q.head->prio;
        if (p == t->prio)
            return;
        t->prio = p;
        l4_schedule(t->tid, rtos_effective_prio(t, p), L4_TC_KEEP);
        if (!(q = t->wq))
            return;
        rtos_waitq_remove(t);               /* its place in the queue follows its priority */
        rtos_waitq_insert(q, t);
        if (q->kind != WQ_MUTEX)
            return;
        t = ((struct rtos_mutex *)q)->owner;    /* which may inherit from it in turn */
    }
}

/* The task ends: out of whatever it waits in, its mutexes handed on, its lines detached, its
 * L4 thread deleted and its slot free. */
static void task_end(struct rtos_thread *t)
{
    struct rtos_waitq *q = rtos_unblock(t);

    if (q && q->kind == WQ_MUTEX)
        rtos_mutex_waiter_left(q);
    rtos_mutex_release_all(t);
    rtos_irq_forget(t);
    l4_thread_control(t->tid, L4_NILTHREAD, 0, 0, 0, 0);
    t->tid = L4_NILTHREAD;
    t->state = osThreadTerminated;
}

int rtos_op_thread_new(struct rtos_thread *caller, struct l4_msg *m)
{
    osThreadFunc_t func = (osThreadFunc_t)m->mr[1];
    const osThreadAttr_t *attr = (const osThreadAttr_t *)m->mr[3];
    osPriority_t p = attr && attr->priority != osPriorityNone ? attr->priority : osPriorityNormal;
    uint32_t prio = rtos_l4_priority(p), size, slot;
    struct l4_utcb *u = l4_utcb();
    struct rtos_thread *t = NULL;
    uint8_t *stack;
    l4_tid_t tid;

    (void)caller;
    m->mr[1] = 0;
    if (!prio || !func)
        return RTOS_ANSWER;
    for (slot = RTOS_SLOT_FIRST_TASK; slot < RTOS_SLOTS && !t; slot++)
        if (rtos_threads[slot].tid == L4_NILTHREAD)
            t = &rtos_threads[slot];
    if (!t)
        return RTOS_ANSWER;
    slot = (uint32_t)(t - rtos_threads);
    if (attr && attr->stack_mem) {
        stack = attr->stack_mem;
        size = attr->stack_size;
        if (size < 256 || (uint32_t)stack % 8)
            return RTOS_ANSWER;
    } else {
        stack = (uint8_t *)stack_pool[slot - RTOS_SLOT_FIRST_TASK];
        size = attr && attr->stack_size ? attr->stack_size : RTOS_STACK_SIZE;
        if (size > RTOS_STACK_SIZE)
            return RTOS_ANSWER;
        stack += RTOS_STACK_SIZE - size;
    }
    /* fault the stack in here, so the task never faults on it */
    for (uint32_t off = 0; off < size; off += L4_PAGE_SIZE)
        ((volatile uint8_t *)stack)[off] = 0;
    ((volatile uint8_t *)stack)[size - 1] = 0;

    t->version = (uint16_t)(t->version % 0x3fffu + 1);     /* a new ID each time: 1..0x3fff */
    tid = L4_TID(rtos_first_number + slot, t->version);
    if (l4_thread_control(tid, rtos_server_tid, rtos_server_tid, u->pager, u->exception_handler,
                          L4_TC_PRIVILEGED))
        return RTOS_ANSWER;
    if (l4_schedule(tid, demoted && tid != demote_spared ? prio - RTOS_DEMOTION : prio, L4_TC_KEEP)) {
        l4_thread_control(tid, L4_NILTHREAD, 0, 0, 0, 0);
        return RTOS_ANSWER;
    }
    t->tid = tid;
    t->state = osThreadReady;
    t->base_prio = t->prio = (uint8_t)prio;
    t->cmsis_prio = p;
    t->name = attr && attr->name ? attr->name : "task";
    t->func = func;
    t->argument = (void *)m->mr[2];
    t->stack = stack;
    t->flags = 0;
    t->owned = NULL;
    t->irq_lines = 0;
    t->wait = RTOS_WAIT_NONE;
    t->wq = NULL;
    t->on_timeouts = 0;
    l4_set_name(tid, t->name);
    /* it runs when we wait again, if it is the most important */
    l4_start(tid, (uint32_t)(stack + size) & ~7u, (uint32_t)task_entry);
    m->mr[1] = (uint32_t)t;
    return RTOS_ANSWER;
}

int rtos_op_thread_terminate(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_thread *t = rtos_thread_from((osThreadId_t)m->mr[1]);

    if (!t || !rtos_is_task(t)) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    task_end(t);
    if (t == caller)
        return RTOS_BLOCKED;                /* gone: nobody to answer */
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

int rtos_op_thread_exit(struct rtos_thread *caller, struct l4_msg *m)
{
    (void)m;
    if (rtos_is_task(caller))
        task_end(caller);
    else
        rtos_block(caller, RTOS_WAIT_SLEEP, NULL, 0, osOK);     /* not a task: it stops */
    return RTOS_BLOCKED;
}

/* ---- the negative control's switch (rtos.h: rtos_set_below_linux) ---------------------------- */


uint32_t rtos_effective_prio(const struct rtos_thread *t, uint32_t prio)
{
    return demoted && t->tid != demote_spared ? prio - RTOS_DEMOTION : prio;
}

int rtos_op_demote(struct rtos_thread *caller, struct l4_msg *m)
{
    bool was = demoted;

    (void)caller;
    struct rtos_thread *spared = rtos_thread_from((osThreadId_t)m->mr[2]);

    demoted = m->mr[1] != 0;
    demote_spared = spared ? spared->tid : L4_NILTHREAD;
    for (unsigned slot = 0; slot < L4_MODULE_THREADS; slot++) {
        struct rtos_thread *t = &rtos_threads[slot];
        if (t->tid != L4_NILTHREAD && rtos_is_task(t))
            l4_schedule(t->tid, rtos_effective_prio(t, t->prio), L4_TC_KEEP);
    }
    m->mr[1] = was;
    return RTOS_ANSWER;
}

bool rtos_set_below_linux(bool on, osThreadId_t spared)
{
    return rtos_call(RTOS_OP_DEMOTE, on, (uint32_t)spared, 0, 0, NULL) != 0;
}

int rtos_op_thread_set_prio(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_thread *t = rtos_thread_from((osThreadId_t)m->mr[1]);
    osPriority_t p = (osPriority_t)m->mr[2];
    uint32_t prio = rtos_l4_priority(p);

    (void)caller;
    m->mr[1] = (uint32_t)osErrorParameter;
    if (!t || !rtos_is_task(t) || !prio)
        return RTOS_ANSWER;
    t->cmsis_prio = p;
    t->base_prio = (uint8_t)prio;
    rtos_prio_update(t);
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the callers' side ------------------------------------------------------------------------- */

osThreadId_t osThreadNew(osThreadFunc_t func, void *argument, const osThreadAttr_t *attr)
{
    return (osThreadId_t)rtos_call(RTOS_OP_THREAD_NEW, (uint32_t)func, (uint32_t)argument,
                                   (uint32_t)attr, 0, NULL);
}

const char *osThreadGetName(osThreadId_t thread_id)
{
    struct rtos_thread *t = rtos_thread_from(thread_id);

    return t ? t->name : NULL;
}

osThreadId_t osThreadGetId(void)
{
    struct rtos_thread *t = rtos_self();

    if (t && t->tid != l4_myself())
        rtos_call(RTOS_OP_THREAD_FLAGS_CLEAR, 0, 0, 0, 0, NULL);  /* any request records us */
    return t && t->tid == l4_myself() ? t : NULL;
}

osThreadState_t osThreadGetState(osThreadId_t thread_id)
{
    struct rtos_thread *t = rtos_thread_from(thread_id);

    if (!t)
        return osThreadError;
    return t->tid == l4_myself() ? osThreadRunning : (osThreadState_t)t->state;
}

osStatus_t osThreadSetPriority(osThreadId_t thread_id, osPriority_t priority)
{
    return (osStatus_t)rtos_call(RTOS_OP_THREAD_SET_PRIO, (uint32_t)thread_id, (uint32_t)priority,
                                 0, 0, NULL);
}

osPriority_t osThreadGetPriority(osThreadId_t thread_id)
{
    struct rtos_thread *t = rtos_thread_from(thread_id);

    return t && rtos_is_task(t) ? t->cmsis_prio : osPriorityError;
}

uint32_t rtos_thread_l4_priority(osThreadId_t thread_id)
{
    struct rtos_thread *t = rtos_thread_from(thread_id);

    return t ? t->prio : 0;
}

uint32_t rtos_thread_tid(osThreadId_t thread_id)
{
    struct rtos_thread *t = rtos_thread_from(thread_id);

    return t ? t->tid : L4_NILTHREAD;
}

osStatus_t osThreadYield(void)
{
    l4_thread_switch(L4_NILTHREAD);         /* behind the tasks of our priority */
    return osOK;
}

osStatus_t osThreadTerminate(osThreadId_t thread_id)
{
    return (osStatus_t)rtos_call(RTOS_OP_THREAD_TERMINATE, (uint32_t)thread_id, 0, 0, 0, NULL);
}

void osThreadExit(void)
{
    rtos_call(RTOS_OP_THREAD_EXIT, 0, 0, 0, 0, NULL);
    for (;;)
        l4_exit();                          /* not reached: the server deleted us */
}

uint32_t osThreadGetCount(void)
{
    uint32_t n = 0;

    for (uint32_t slot = RTOS_SLOT_FIRST_TASK; slot < RTOS_SLOTS; slot++)
        n += rtos_threads[slot].tid != L4_NILTHREAD;
    return n;
}
