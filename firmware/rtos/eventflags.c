/*
 * Event flags: 31 flags shared by any number of tasks, each waiting for any or all of a mask in
 * priority order.  A set wakes, in that order, every waiter it satisfies; a waiter that clears
 * the flags it took (osFlagsNoClear not given) clears them for the waiters behind it.
 */
#include "internal.h"

#define MAX_EVENT_FLAGS 16u

struct rtos_ef {
    struct rtos_waitq q;
    volatile uint32_t flags;            /* (read by anyone) */
    uint8_t used;
    const char *name;
};

static struct rtos_ef efs[MAX_EVENT_FLAGS];

static struct rtos_ef *ef_from(uint32_t id)
{
    struct rtos_ef *e = (struct rtos_ef *)id;
    uint32_t off = id - (uint32_t)efs;

    return off < sizeof efs && off % sizeof *e == 0 && e->used ? e : NULL;
}

/* ---- the server's side ------------------------------------------------------------------------- */

int rtos_op_ef_new(struct rtos_thread *caller, struct l4_msg *m)
{
    (void)caller;
    for (unsigned i = 0; i < MAX_EVENT_FLAGS; i++) {
        struct rtos_ef *e = &efs[i];
        if (e->used)
            continue;
        memset(e, 0, sizeof *e);
        e->used = 1;
        e->name = (const char *)m->mr[1];
        m->mr[1] = (uint32_t)e;
        return RTOS_ANSWER;
    }
    m->mr[1] = 0;
    return RTOS_ANSWER;
}

int rtos_op_ef_set(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_ef *e = ef_from(m->mr[1]);
    uint32_t flags = m->mr[2], got;
    struct rtos_thread *w, *next;

    (void)caller;
    if (!e || (flags & osFlagsError)) {
        m->mr[1] = osFlagsErrorParameter;
        return RTOS_ANSWER;
    }
    e->flags |= flags;
    for (w = e->q.head; w; w = next) {
        next = w->wq_next;
        if ((got = rtos_flags_take(&e->flags, w->w_a, w->w_b)))
            rtos_wake(w, got, 0);
    }
    m->mr[1] = e->flags;
    return RTOS_ANSWER;
}

int rtos_op_ef_clear(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_ef *e = ef_from(m->mr[1]);
    uint32_t flags = m->mr[2];

    (void)caller;
    if (!e || (flags & osFlagsError)) {
        m->mr[1] = osFlagsErrorParameter;
        return RTOS_ANSWER;
    }
    m->mr[1] = e->flags;
    e->flags &= ~flags;
    return RTOS_ANSWER;
}

int rtos_op_ef_wait(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_ef *e = ef_from(m->mr[1]);
    uint32_t mask = m->mr[2], options = m->mr[3], timeout = m->mr[4];

    if (!e || !mask || (mask & osFlagsError)) {
        m->mr[1] = osFlagsErrorParameter;
        return RTOS_ANSWER;
    }
    return rtos_flags_wait(caller, m, &e->flags, mask, options, timeout, RTOS_WAIT_OBJECT, &e->q);
}

int rtos_op_ef_delete(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_ef *e = ef_from(m->mr[1]);

    (void)caller;
    if (!e) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    while (e->q.head)
        rtos_wake(e->q.head, osFlagsErrorResource, 0);
    e->used = 0;
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the callers' side ------------------------------------------------------------------------- */

osEventFlagsId_t osEventFlagsNew(const osEventFlagsAttr_t *attr)
{
    return (osEventFlagsId_t)rtos_call(RTOS_OP_EF_NEW, (uint32_t)(attr ? attr->name : NULL), 0, 0, 0, NULL);
}

uint32_t osEventFlagsSet(osEventFlagsId_t id, uint32_t flags)
{
    return rtos_call(RTOS_OP_EF_SET, (uint32_t)id, flags, 0, 0, NULL);
}

uint32_t osEventFlagsClear(osEventFlagsId_t id, uint32_t flags)
{
    return rtos_call(RTOS_OP_EF_CLEAR, (uint32_t)id, flags, 0, 0, NULL);
}

uint32_t osEventFlagsGet(osEventFlagsId_t id)
{
    struct rtos_ef *e = ef_from((uint32_t)id);

    return e ? e->flags : 0;
}

uint32_t osEventFlagsWait(osEventFlagsId_t id, uint32_t flags, uint32_t options, uint32_t timeout)
{
    return rtos_call(RTOS_OP_EF_WAIT, (uint32_t)id, flags, options, timeout, NULL);
}

osStatus_t osEventFlagsDelete(osEventFlagsId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_EF_DELETE, (uint32_t)id, 0, 0, 0, NULL);
}
