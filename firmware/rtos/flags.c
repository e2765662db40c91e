/*
 * Thread flags, and the interrupt lines that set them.
 *
 * A line attached through rtos_irq_attach is the server's (the kernel sends its interrupts to
 * the server); each interrupt sets the line's flags on its task.  The kernel masks the line
 * when it fires; the server unmasks it (its IPC to the line's ID) only when the task waits for
 * the line's flags again with none of them pending: the task has taken the last notification
 * and serviced the device.  So a line never interrupts faster than its task handles it.
 */
#include "board.h"
#include "internal.h"

#define IRQ_LINES 128u                  /* the kernel's interrupt IDs */

static struct irq_line {
    struct rtos_thread *task;           /* NULL: not attached */
    uint32_t flags;
    uint8_t masked;                     /* fired; unmasked when the task waits again */
} lines[IRQ_LINES];

/* ---- the server's side ------------------------------------------------------------------------- */

uint32_t rtos_thread_flags_set(struct rtos_thread *t, uint32_t flags)
{
    uint32_t got;

    t->flags |= flags;
    if (t->wait == RTOS_WAIT_THREAD_FLAGS && (got = rtos_flags_take(&t->flags, t->w_a, t->w_b)))
        rtos_wake(t, got, 0);
    return t->flags;
}

int rtos_op_thread_flags_set(struct rtos_thread *caller, struct l4_msg *m)
{
    struct rtos_thread *t = rtos_thread_from((osThreadId_t)m->mr[1]);
    uint32_t flags = m->mr[2];

    (void)caller;
    if (!t || (flags & osFlagsError))
        m->mr[1] = osFlagsErrorParameter;
    else
        m->mr[1] = rtos_thread_flags_set(t, flags);
    return RTOS_ANSWER;
}

int rtos_op_thread_flags_clear(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t flags = m->mr[1];

    if (flags & osFlagsError) {
        m->mr[1] = osFlagsErrorParameter;
        return RTOS_ANSWER;
    }
    m->mr[1] = caller->flags;
    caller->flags &= ~flags;
    return RTOS_ANSWER;
}

int rtos_op_thread_flags_wait(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t mask = m->mr[1], options = m->mr[2], timeout = m->mr[3];

    if (!mask || (mask & osFlagsError)) {
        m->mr[1] = osFlagsErrorParameter;
        return RTOS_ANSWER;
    }
    if (caller->irq_lines)
        rtos_irq_rearm(caller, mask);
    return rtos_flags_wait(caller, m, &caller->flags, mask, options, timeout, RTOS_WAIT_THREAD_FLAGS, NULL);
}

int rtos_flags_wait(struct rtos_thread *caller, struct l4_msg *m, volatile uint32_t *have, uint32_t mask,
                    uint32_t options, uint32_t timeout, enum rtos_wait wait, struct rtos_waitq *q)
{
    uint32_t got;

    if ((got = rtos_flags_take(have, mask, options))) {
        m->mr[1] = got;
        return RTOS_ANSWER;
    }
    if (timeout == 0) {
        m->mr[1] = osFlagsErrorResource;
        return RTOS_ANSWER;
    }
    caller->w_a = mask;
    caller->w_b = options;
    rtos_block(caller, wait, q, rtos_deadline(timeout), osErrorTimeout);
    return RTOS_BLOCKED;
}

void rtos_irq_message(uint32_t irq)
{
    struct irq_line *l = &lines[irq];

    if (!l->task)
        return;                             /* detached meanwhile: the line stays masked */
    l->masked = 1;
    rtos_thread_flags_set(l->task, l->flags);
}

static void unmask(uint32_t irq)
{
    struct l4_msg m = { { L4_TAG(0, 0, 0) } };

    lines[irq].masked = 0;
    l4_send(L4_IRQ_TID(irq), &m, L4_ZERO);
}

void rtos_irq_rearm(struct rtos_thread *t, uint32_t mask)
{
    for (uint32_t i = 0; i < IRQ_LINES; i++) {
        struct irq_line *l = &lines[i];
        if (l->task == t && l->masked && (l->flags & mask) && !(t->flags & l->flags))
            unmask(i);
    }
}

static void detach(uint32_t irq)
{
    struct irq_line *l = &lines[irq];

    l4_interrupt_control(irq, L4_IRQ_DETACH);
    l->task->irq_lines--;
    l->task = NULL;
    l->masked = 0;
}

void rtos_irq_forget(struct rtos_thread *t)
{
    for (uint32_t i = 0; i < IRQ_LINES && t->irq_lines; i++)
        if (lines[i].task == t)
            detach(i);
}

int rtos_op_irq_attach(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t irq = m->mr[1], flags = m->mr[3], e;
    struct rtos_thread *t = rtos_thread_from((osThreadId_t)m->mr[2]);

    (void)caller;
    m->mr[1] = (uint32_t)osErrorParameter;
    if (irq >= IRQ_LINES || irq == BOARD_IRQ_VTIMER || !t || !flags || (flags & osFlagsError))
        return RTOS_ANSWER;
    if (lines[irq].task)
        detach(irq);                        /* ours already: to its new task */
    e = l4_interrupt_control(irq, L4_IRQ_ATTACH);
    if (e) {
        m->mr[1] = (uint32_t)(e == L4_ERR_BUSY ? osErrorResource : osErrorParameter);
        return RTOS_ANSWER;
    }
    lines[irq].task = t;
    lines[irq].flags = flags;
    lines[irq].masked = 0;
    t->irq_lines++;
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

int rtos_op_irq_detach(struct rtos_thread *caller, struct l4_msg *m)
{
    uint32_t irq = m->mr[1];

    (void)caller;
    if (irq >= IRQ_LINES || !lines[irq].task) {
        m->mr[1] = (uint32_t)osErrorParameter;
        return RTOS_ANSWER;
    }
    detach(irq);
    m->mr[1] = osOK;
    return RTOS_ANSWER;
}

/* ---- the callers' side ------------------------------------------------------------------------- */

uint32_t osThreadFlagsSet(osThreadId_t thread_id, uint32_t flags)
{
    return rtos_call(RTOS_OP_THREAD_FLAGS_SET, (uint32_t)thread_id, flags, 0, 0, NULL);
}

uint32_t osThreadFlagsClear(uint32_t flags)
{
    return rtos_call(RTOS_OP_THREAD_FLAGS_CLEAR, flags, 0, 0, 0, NULL);
}

uint32_t osThreadFlagsGet(void)
{
    struct rtos_thread *t = rtos_self();

    return t && t->tid == l4_myself() ? t->flags : 0;
}

uint32_t osThreadFlagsWait(uint32_t flags, uint32_t options, uint32_t timeout)
{
    return rtos_call(RTOS_OP_THREAD_FLAGS_WAIT, flags, options, timeout, 0, NULL);
}

osStatus_t rtos_irq_attach(uint32_t irq, osThreadId_t task, uint32_t flags)
{
    return (osStatus_t)rtos_call(RTOS_OP_IRQ_ATTACH, irq, (uint32_t)task, flags, 0, NULL);
}

osStatus_t rtos_irq_detach(uint32_t irq)
{
    return (osStatus_t)rtos_call(RTOS_OP_IRQ_DETACH, irq, 0, 0, 0, NULL);
}
