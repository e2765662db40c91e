/*
 * Software timers: one-shot and periodic, their deadlines counter values on the server's list
 * beside the threads' (the user timer follows the earliest of both), their callbacks run one at
 * a time by the timer task at RTOS_TIMER_PRIORITY.  A periodic timer's next deadline is its last
 * one plus the period, never "now plus the period": it does not drift however late its callback
 * runs.  Expiries whose callback has not run yet are counted, so none is lost.
 */
#include "internal.h"

#define MAX_TIMERS 16u

struct rtos_timer {
    osTimerFunc_t func;
    void *argument;
    uint8_t used, periodic;
    volatile uint8_t running;           /* (read by anyone) */
    uint8_t queued;                     /* on the fired list */
    uint32_t pending;                   /* expiries whose callback is still to run */
    uint64_t deadline, period;          /* counter values */
    struct rtos_timer *next;            /* the active list, by deadline */
    struct rtos_timer *fired_next;
    const char *name;
};

static struct rtos_timer timers[MAX_TIMERS];
static struct rtos_timer *active;
static struct rtos_timer *fired, **fired_tail = &fired;
static struct rtos_waitq timer_task_q;  /* the timer task, when it waits for a callback */

static struct rtos_timer *timer_from(uint32_t id)
{
    struct rtos_timer *t = (struct rtos_timer *)id;
    uint32_t off = id - (uint32_t)timers;

    return off < sizeof timers && off % sizeof *t == 0 && t->used ? t : NULL;
}

/* ---- the server's side ------------------------------------------------------------------------- */

static void activate(struct rtos_timer *t)
{
    struct rtos_timer **p = &active;

    while (*p && (*p)->deadline <= t->deadline)
        p = &(*p)->next;
    t->next = *p;
    *p = t;
    t->running = 1;
}

static void deactivate(struct rtos_timer *t)
{
    for (struct rtos_timer **p = &active; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->running = 0;
}

static void unqueue(struct rtos_timer *t)
{
    if (!t->queued)
        return;
    for (struct rtos_timer **p = &fired; *p; p = &(*p)->fired_next) {
        if (*p == t) {
            *p = t->fired_next;
            break;
        }
    }
    fired_tail = &fired;
    while (*fired_tail)
        fired_tail = &(*fired_tail)->fired_next;
    t->queued = 0;
    t->pending = 0;
}

/* The next callback, taken from the fired list: its timer, or NULL. */
static struct rtos_timer *next_callback(void)
{
    struct rtos_timer *t = fired;

    if (!t)
        return NULL;
    if (--t->pending == 0) {
        fired = t->fired_next;
        if (!fired)
            fired_tail = &fired;
        t->queued = 0;
    }
    return t;
}

uint64_t rtos_timers_next(void)
{
    return active ? active->deadline : 0;
}

void rtos_timers_expire(uint64_t now)
{
    struct rtos_timer *t;

    while (active && active->deadline <= now) {
        t = active;
        active = t->next;
        t->running = 0;
        if (t->periodic) {
            t->deadline += t->period;
            activate(t);
        }
        t->pending++;
        if (!t->queued) {
            t->queued = 1;
            t->fired_next = NULL;
            *fired_tail = t;
            fired_tail = &t->fired_next;
        }
    }
    if (timer_task_q.head && (t = next_callback()))
        rtos_wake(timer_task_q.head, (uint32_t)t->func, (uint32_t)t->argument);
}

int rtos_op_timer_next(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_timer *t = next_callback();

    if (t) {
        m->mr[1] = (uint32_t)t->func;
        m->mr[2] = (uint32_t)t->argument;
        return RTOS_ANSWER;
    }
    rtos_block(caller, RTOS_WAIT_OBJECT, &timer_task_q, 0, osOK);
    return RTOS_BLOCKED;
}

int rtos_op_timer_new(struct rtos_thread *caller, struct l4_msg *m)
{
    (void)caller;
    if (!m->mr[1] || m->mr[2] > osTimerPeriodic) {
        m->mr[1] = 0;
        return RTOS_ANSWER;
    }
    for (unsigned i = 0; i < MAX_TIMERS; i++) {
        struct rtos_timer *t = &timers[i];
        if (t->used)
            continue;
        memset(t, 0, sizeof *t);
        t->used = 1;
        t->func = (osTimerFunc_t)m->mr[1];
        t->periodic = m->mr[2] == osTimerPeriodic;
        t->argument = (void *)m->mr[3];
        t->name = (const char *)m->mr[4];
        m->mr[1] = (uint32_t)t;
        return RTOS_ANSWER;
    }
    m->mr[1] = 0;
    return RTOS_ANSWER;
}

int rtos_op_timer_start(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_timer *t = timer_from(m->mr[1]);
    uint32_t ticks = m->mr[2];

    (void)caller;
    if (!t || !ticks) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    if (t->running)
        deactivate(t);
    t->period = rtos_ticks_to_counts(ticks);
    t->deadline = rtos_systimer() + t->period;
    activate(t);
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

int rtos_op_timer_stop(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_timer *t = timer_from(m->mr[1]);

    (void)caller;
    m->mr[1] = osOK;
    if (!t)
        m->mr[1] = (uint32_t)osErrorParameter;
    else if (!t->running)
        m->mr[1] = (uint32_t)osErrorResource;
    else
        deactivate(t);
    if (t)
        unqueue(t);                     /* callbacks not run yet are dropped */
    return RTOS_ANSWER;
}

int rtos_op_timer_delete(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_timer *t = timer_from(m->mr[1]);

    (void)caller;
    if (!t) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    if (t->running)
        deactivate(t);
    unqueue(t);
    t->used = 0;
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the timer task ------------------------------------------------------------------------------ */

static void timer_task(void *argument)
{
    (void)argument;
    for (;;) {
        uint32_t arg;
        uint32_t func = rtos_call(RTOS_OP_TIMER_NEXT, 0, 0, 0, 0, &arg);
        if (func && func < (uint32_t)osErrorISR)  /* a function, not an error */
            ((osTimerFunc_t)func)((void *)arg);
    }
}

void rtos_timer_task_start(void)
{
    static const osThreadAttr_t attr = { .name = "rtos-timer", .priority = RTOS_TIMER_PRIORITY };

    osThreadNew(timer_task, NULL, &attr);
}

/* ---- the callers' side ------------------------------------------------------------------------- */

osTimerId_t osTimerNew(osTimerFunc_t func, osTimerType_t type, void *argument, const osTimerAttr_t *attr)
{
    return (osTimerId_t)rtos_call(RTOS_OP_TIMER_NEW, (uint32_t)func, (uint32_t)type, (uint32_t)argument,
                                  (uint32_t)(attr ? attr->name : NULL), NULL);
}

const char *osTimerGetName(osTimerId_t id)
{
    struct rtos_timer *t = timer_from((uint32_t)id);

    return t ? t->name : NULL;
}

osStatus_t osTimerStart(osTimerId_t id, uint32_t ticks)
{
    return (osStatus_t)rtos_call(RTOS_OP_TIMER_START, (uint32_t)id, ticks, 0, 0, NULL);
}

osStatus_t osTimerStop(osTimerId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_TIMER_STOP, (uint32_t)id, 0, 0, 0, NULL);
}

uint32_t osTimerIsRunning(osTimerId_t id)
{
    struct rtos_timer *t = timer_from((uint32_t)id);

    return t ? t->running : 0;
}

osStatus_t osTimerDelete(osTimerId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_TIMER_DELETE, (uint32_t)id, 0, 0, 0, NULL);
}
