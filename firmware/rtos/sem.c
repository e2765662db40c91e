/*
 * Semaphores: a count up to a maximum (1: binary), and the tasks waiting for a token in
 * priority order.  A release with waiters hands its token to the first of them directly, so the
 * count stays 0 and no one else can take it in between.
 */
#include "internal.h"

#define MAX_SEMAPHORES 32u

struct rtos_sem {
    struct rtos_waitq q;
    volatile uint32_t count;    /* (read by anyone) */
    uint32_t max;
    uint8_t used;
    const char *name;
};

static struct rtos_sem sems[MAX_SEMAPHORES];

static struct rtos_sem *sem_from(uint32_t id)
{
    struct rtos_sem *s = (struct rtos_sem *)id;
    uint32_t off = id - (uint32_t)sems;

    return off < sizeof sems && off % sizeof *s == 0 && s->used ? s : NULL;
}

/* ---- the server's side ------------------------------------------------------------------------- */

int rtos_op_sem_new(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t max = m->mr[1], initial = m->mr[2];

    (void)caller;
    m->mr[1] = 0;
    if (max == 0 || initial > max)
        return RTOS_ANSWER;
    for (unsigned i = 0; i < MAX_SEMAPHORES; i++) {
        struct rtos_sem *s = &sems[i];
        if (s->used)
            continue;
        memset(s, 0, sizeof *s);
        s->used = 1;
        s->max = max;
        s->count = initial;
        s->name = (const char *)m->mr[3];
        m->mr[1] = (uint32_t)s;
        break;
    }
    return RTOS_ANSWER;
}

int rtos_op_sem_acquire(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_sem *s = sem_from(m->mr[1]);
    uint32_t timeout = m->mr[2];

    if (!s) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    if (s->count) {
        s->count--;
        m->mr[1] = osOK;
        return RTOS_ANSWER;
    }
    if (timeout == 0) {
        m->mr[1] = (uint32_t)osErrorResource;
        return RTOS_ANSWER;
    }
    rtos_block(caller, RTOS_WAIT_OBJECT, &s->q, rtos_deadline(timeout), osErrorTimeout);
    return RTOS_BLOCKED;
}

int rtos_op_sem_release(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_sem *s = sem_from(m->mr[1]);

    (void)caller;
    m->mr[1] = osOK;
    if (!s)
        m->mr[1] = (uint32_t)osErrorParameter;
    else if (s->q.head)
        rtos_wake(s->q.head, osOK, 0);      /* the token goes to it */
    else if (s->count < s->max)
        s->count++;
    else
        m->mr[1] = (uint32_t)osErrorResource;
    return RTOS_ANSWER;
}

int rtos_op_sem_delete(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_sem *s = sem_from(m->mr[1]);

    (void)caller;
    if (!s) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    while (s->q.head)
        rtos_wake(s->q.head, (uint32_t)osErrorResource, 0);
    s->used = 0;
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the callers' side ------------------------------------------------------------------------- */

osSemaphoreId_t osSemaphoreNew(uint32_t max_count, uint32_t initial_count, const osSemaphoreAttr_t *attr)
{
    return (osSemaphoreId_t)rtos_call(RTOS_OP_SEM_NEW, max_count, initial_count,
                                      (uint32_t)(attr ? attr->name : NULL), 0, NULL);
}

osStatus_t osSemaphoreAcquire(osSemaphoreId_t id, uint32_t timeout)
{
    return (osStatus_t)rtos_call(RTOS_OP_SEM_ACQUIRE, (uint32_t)id, timeout, 0, 0, NULL);
}

osStatus_t osSemaphoreRelease(osSemaphoreId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_SEM_RELEASE, (uint32_t)id, 0, 0, 0, NULL);
}

uint32_t osSemaphoreGetCount(osSemaphoreId_t id)
{
    struct rtos_sem *s = sem_from((uint32_t)id);

    return s ? s->count : 0;
}

osStatus_t osSemaphoreDelete(osSemaphoreId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_SEM_DELETE, (uint32_t)id, 0, 0, 0, NULL);
}
