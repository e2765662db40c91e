/*
 * Mutexes: an owner, a recursion count, the waiters in priority order, and optionally priority
 * inheritance.
 *
 * Inheritance (osMutexPrioInherit, while rtos_set_priority_inheritance is on when the mutex is
 * made): the owner runs at least at the priority of the mutex's first waiter, and an owner that
 * itself waits for another mutex passes that on to its owner, along the whole chain
 * (rtos_prio_update).  When the owner releases the mutex, or a waiter leaves (timeout, ended),
 * the owner falls back to the greatest of its own priority and what its remaining mutexes
 * still lend it.  A release hands the mutex straight to the first waiter.
 */
#include "internal.h"

#define MAX_MUTEXES 32u

static struct rtos_mutex mutexes[MAX_MUTEXES];
static volatile bool inheritance = true;

static struct rtos_mutex *mutex_from(uint32_t id)
{
    struct rtos_mutex *mx = (struct rtos_mutex *)id;
    uint32_t off = id - (uint32_t)mutexes;

    return off < sizeof mutexes && off % sizeof *mx == 0 && mx->used ? mx : NULL;
}

/* ---- the server's side ------------------------------------------------------------------------- */

static void own(struct rtos_mutex *mx, struct rtos_thread *t)
{
    mx->owner = t;
    mx->count = 1;
    mx->next_owned = t->owned;
    t->owned = mx;
}

static void disown(struct rtos_mutex *mx)
{
    for (struct rtos_mutex **p = &mx->owner->owned; *p; p = &(*p)->next_owned) {
        if (*p == mx) {
            *p = mx->next_owned;
            break;
        }
    }
    mx->owner = NULL;
    mx->next_owned = NULL;
    mx->count = 0;
}

/* `mx` is free: to its first waiter, which may inherit from the waiters behind it. */
static void hand_on(struct rtos_mutex *mx)
{
    struct rtos_thread *w = mx->q.head;

    if (!w)
        return;
    rtos_wake(w, osOK, 0);
    own(mx, w);
    rtos_prio_update(w);
}

void rtos_mutex_waiter_left(struct rtos_waitq *q)
{
    struct rtos_mutex *mx = (struct rtos_mutex *)q;

    if (mx->owner)
        rtos_prio_update(mx->owner);
}

void rtos_mutex_release_all(struct rtos_thread *t)
{
    while (t->owned) {
        struct rtos_mutex *mx = t->owned;
        disown(mx);
        hand_on(mx);
    }
}

int rtos_op_mutex_new(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t bits = m->mr[1];

    (void)caller;
    m->mr[1] = 0;
    for (unsigned i = 0; i < MAX_MUTEXES; i++) {
        struct rtos_mutex *mx = &mutexes[i];
        if (mx->used)
            continue;
        memset(mx, 0, sizeof *mx);
        mx->q.kind = WQ_MUTEX;
        mx->used = 1;
        mx->recursive = !!(bits & osMutexRecursive);
        mx->inherit = (bits & osMutexPrioInherit) && inheritance;
        mx->name = (const char *)m->mr[2];
        m->mr[1] = (uint32_t)mx;
        break;
    }
    return RTOS_ANSWER;
}

int rtos_op_mutex_acquire(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_mutex *mx = mutex_from(m->mr[1]);
    uint32_t timeout = m->mr[2];

    m->mr[1] = osOK;
    if (!mx) {
        m->mr[1] = (uint32_t)osErrorParameter;
    } else if (!mx->owner) {
        own(mx, caller);
    } else if (mx->owner == caller) {
        if (mx->recursive)
            mx->count++;
        else
            m->mr[1] = (uint32_t)osErrorResource;
    } else if (timeout == 0) {
        m->mr[1] = (uint32_t)osErrorResource;
    } else {
        rtos_block(caller, RTOS_WAIT_OBJECT, &mx->q, rtos_deadline(timeout), osErrorTimeout);
        if (mx->inherit)
            rtos_prio_update(mx->owner);
        return RTOS_BLOCKED;
    }
    return RTOS_ANSWER;
}

int rtos_op_mutex_release(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_mutex *mx = mutex_from(m->mr[1]);

    m->mr[1] = osOK;
    if (!mx) {
        m->mr[1] = (uint32_t)osErrorParameter;
    } else if (mx->owner != caller) {
        m->mr[1] = (uint32_t)osErrorResource;
    } else if (--mx->count == 0) {
        disown(mx);
        rtos_prio_update(caller);           /* what this mutex lent it, it loses */
        hand_on(mx);
    }
    return RTOS_ANSWER;
}

int rtos_op_mutex_delete(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_mutex *mx = mutex_from(m->mr[1]);
    struct rtos_thread *owner;

    (void)caller;
    if (!mx) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    while (mx->q.head)
        rtos_wake(mx->q.head, (uint32_t)osErrorResource, 0);
    if ((owner = mx->owner)) {
        disown(mx);
        rtos_prio_update(owner);
    }
    mx->used = 0;
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the callers' side ------------------------------------------------------------------------- */

bool rtos_set_priority_inheritance(bool on)
{
    bool was = inheritance;

    inheritance = on;
    return was;
}

osMutexId_t osMutexNew(const osMutexAttr_t *attr)
{
    return (osMutexId_t)rtos_call(RTOS_OP_MUTEX_NEW, attr ? attr->attr_bits : 0,
                                  (uint32_t)(attr ? attr->name : NULL), 0, 0, NULL);
}

osStatus_t osMutexAcquire(osMutexId_t id, uint32_t timeout)
{
    return (osStatus_t)rtos_call(RTOS_OP_MUTEX_ACQUIRE, (uint32_t)id, timeout, 0, 0, NULL);
}

osStatus_t osMutexRelease(osMutexId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_MUTEX_RELEASE, (uint32_t)id, 0, 0, 0, NULL);
}

osThreadId_t osMutexGetOwner(osMutexId_t id)
{
    struct rtos_mutex *mx = mutex_from((uint32_t)id);

    return mx ? mx->owner : NULL;
}

osStatus_t osMutexDelete(osMutexId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_MUTEX_DELETE, (uint32_t)id, 0, 0, 0, NULL);
}
