/*
 * Message queues: fixed-size messages copied in and out of a queue's slots, leaving in order of
 * message priority (FIFO among equals), with the tasks waiting to get and to put in order of
 * their priority.  A put finding a getter waiting copies straight into its buffer; a get that
 * frees a slot takes the first waiting putter's message at once.  All copies are the server's:
 * the callers' buffers are in the same space, and a caller is blocked while its buffer is used.
 */
#include "internal.h"

#define MAX_QUEUES      16u
#define POOL_SIZE       16384u          /* for queues made without mq_mem */
#define POOL_BLOCK      64u

struct msg {
    struct msg *next;
    uint32_t prio;
    uint8_t data[];
};

struct rtos_mq {
    struct rtos_waitq getq, putq;
    uint32_t size, stride, capacity;
    volatile uint32_t count;            /* (read by anyone) */
    struct msg *head, *free;
    int first_block, blocks;            /* in the pool; blocks 0: the creator's memory */
    uint8_t used;
    const char *name;
};

static struct rtos_mq queues[MAX_QUEUES];
static uint64_t pool[POOL_SIZE / 8];
static uint8_t pool_used[POOL_SIZE / POOL_BLOCK];

static struct rtos_mq *mq_from(uint32_t id)
{
    struct rtos_mq *q = (struct rtos_mq *)id;
    uint32_t off = id - (uint32_t)queues;

    return off < sizeof queues && off % sizeof *q == 0 && q->used ? q : NULL;
}

/* `n` contiguous blocks of the pool: the first, or -1. */
static int pool_take(int n)
{
    for (int i = 0, run = 0; i < (int)sizeof pool_used; i++) {
        run = pool_used[i] ? 0 : run + 1;
        if (run == n) {
            memset(&pool_used[i - n + 1], 1, (size_t)n);
            return i - n + 1;
        }
    }
    return -1;
}

/* ---- the server's side ------------------------------------------------------------------------- */

static void insert(struct rtos_mq *q, const void *data, uint32_t prio)
{
    struct msg *m = q->free, **p = &q->head;

    q->free = m->next;
    memcpy(m->data, data, q->size);
    m->prio = prio;
    while (*p && (*p)->prio >= prio)    /* behind its equals */
        p = &(*p)->next;
    m->next = *p;
    *p = m;
    q->count++;
}

int rtos_op_mq_new(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t count = m->mr[1], size = m->mr[2];
    const osMessageQueueAttr_t *attr = (const osMessageQueueAttr_t *)m->mr[3];
    struct rtos_mq *q = NULL;
    uint32_t stride = sizeof(struct msg) + ((size + 3) & ~3u), bytes = count * stride;
    uint8_t *mem;

    (void)caller;
    m->mr[1] = 0;
    if (!count || !size || size > 0x10000u || count > 0x10000u)
        return RTOS_ANSWER;
    for (unsigned i = 0; i < MAX_QUEUES && !q; i++)
        if (!queues[i].used)
            q = &queues[i];
    if (!q)
        return RTOS_ANSWER;
    memset(q, 0, sizeof *q);
    if (attr && attr->mq_mem) {
        if (attr->mq_size < bytes || (uint32_t)attr->mq_mem % 4)
            return RTOS_ANSWER;
        mem = attr->mq_mem;
    } else {
        q->blocks = (int)((bytes + POOL_BLOCK - 1) / POOL_BLOCK);
        if ((q->first_block = pool_take(q->blocks)) < 0)
            return RTOS_ANSWER;
        mem = (uint8_t *)pool + q->first_block * POOL_BLOCK;
    }
    q->used = 1;
    q->size = size;
    q->stride = stride;
    q->capacity = count;
    q->name = attr ? attr->name : NULL;
    for (uint32_t i = count; i-- > 0;) {
        struct msg *s = (struct msg *)(mem + i * stride);
        s->next = q->free;
        q->free = s;
    }
    m->mr[1] = (uint32_t)q;
    return RTOS_ANSWER;
}

int rtos_op_mq_put(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_mq *q = mq_from(m->mr[1]);
    const void *data = (const void *)m->mr[2];
    uint32_t prio = m->mr[3] & 0xff, timeout = m->mr[4];
    struct rtos_thread *w;

    m->mr[1] = osOK;
    if (!q || !data) {
        m->mr[1] = (uint32_t)osErrorParameter;
    } else if ((w = q->getq.head)) {            /* the queue is empty: straight to the getter */
        memcpy(w->w_ptr, data, q->size);
        if (w->w_ptr2)
            *(uint8_t *)w->w_ptr2 = (uint8_t)prio;
        rtos_wake(w, osOK, 0);
    } else if (q->free) {
        insert(q, data, prio);
    } else if (timeout == 0) {
        m->mr[1] = (uint32_t)osErrorResource;
    } else {
        caller->w_ptr = (void *)data;
        caller->w_a = prio;
        rtos_block(caller, RTOS_WAIT_OBJECT, &q->putq, rtos_deadline(timeout), osErrorTimeout);
        return RTOS_BLOCKED;
    }
    return RTOS_ANSWER;
}

int rtos_op_mq_get(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_mq *q = mq_from(m->mr[1]);
    void *buf = (void *)m->mr[2];
    uint8_t *prio = (uint8_t *)m->mr[3];
    uint32_t timeout = m->mr[4];
    struct msg *msg;
    struct rtos_thread *w;

    m->mr[1] = osOK;
    if (!q || !buf) {
        m->mr[1] = (uint32_t)osErrorParameter;
    } else if ((msg = q->head)) {
        memcpy(buf, msg->data, q->size);
        if (prio)
            *prio = (uint8_t)msg->prio;
        q->head = msg->next;
        msg->next = q->free;
        q->free = msg;
        q->count--;
        if ((w = q->putq.head)) {               /* a slot came free: the first putter's */
            insert(q, w->w_ptr, w->w_a);
            rtos_wake(w, osOK, 0);
        }
    } else if (timeout == 0) {
        m->mr[1] = (uint32_t)osErrorResource;
    } else {
        caller->w_ptr = buf;
        caller->w_ptr2 = prio;
        rtos_block(caller, RTOS_WAIT_OBJECT, &q->getq, rtos_deadline(timeout), osErrorTimeout);
        return RTOS_BLOCKED;
    }
    return RTOS_ANSWER;
}

int rtos_op_mq_delete(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_mq *q = mq_from(m->mr[1]);

    (void)caller;
    if (!q) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    while (q->getq.head)
        rtos_wake(q->getq.head, (uint32_t)osErrorResource, 0);
    while (q->putq.head)
        rtos_wake(q->putq.head, (uint32_t)osErrorResource, 0);
    if (q->blocks)
        memset(&pool_used[q->first_block], 0, (size_t)q->blocks);
    q->used = 0;
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the callers' side ------------------------------------------------------------------------- */

osMessageQueueId_t osMessageQueueNew(uint32_t msg_count, uint32_t msg_size, const osMessageQueueAttr_t *attr)
{
    return (osMessageQueueId_t)rtos_call(RTOS_OP_MQ_NEW, msg_count, msg_size, (uint32_t)attr, 0, NULL);
}

osStatus_t osMessageQueuePut(osMessageQueueId_t id, const void *msg_ptr, uint8_t msg_prio, uint32_t timeout)
{
    return (osStatus_t)rtos_call(RTOS_OP_MQ_PUT, (uint32_t)id, (uint32_t)msg_ptr, msg_prio, timeout, NULL);
}

osStatus_t osMessageQueueGet(osMessageQueueId_t id, void *msg_ptr, uint8_t *msg_prio, uint32_t timeout)
{
    return (osStatus_t)rtos_call(RTOS_OP_MQ_GET, (uint32_t)id, (uint32_t)msg_ptr, (uint32_t)msg_prio,
                                 timeout, NULL);
}

uint32_t osMessageQueueGetCapacity(osMessageQueueId_t id)
{
    struct rtos_mq *q = mq_from((uint32_t)id);

    return q ? q->capacity : 0;
}

uint32_t osMessageQueueGetMsgSize(osMessageQueueId_t id)
{
    struct rtos_mq *q = mq_from((uint32_t)id);

    return q ? q->size : 0;
}

uint32_t osMessageQueueGetCount(osMessageQueueId_t id)
{
    struct rtos_mq *q = mq_from((uint32_t)id);

    return q ? q->count : 0;
}

uint32_t osMessageQueueGetSpace(osMessageQueueId_t id)
{
    struct rtos_mq *q = mq_from((uint32_t)id);

    return q ? q->capacity - q->count : 0;
}

osStatus_t osMessageQueueDelete(osMessageQueueId_t id)
{
    return (osStatus_t)rtos_call(RTOS_OP_MQ_DELETE, (uint32_t)id, 0, 0, 0, NULL);
}
