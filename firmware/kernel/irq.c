/* Interrupts as IPC (see irq.h). */
#include "board.h"
#include "domain.h"
#include "ipc.h"
#include "irq.h"
#include "machine/intc.h"
#include "machine/timer.h"
#include "sched.h"
#include "space.h"
#include "trace.h"

struct irq_line {
    l4_tid_t handler;
    uint8_t domain;             /* whose threads may attach it (L4_IRQ_ASSIGN) */
    uint8_t pending;            /* fired, not yet received by the handler */
    uint8_t masked;             /* fired, not yet replied to */
};

static struct irq_line lines[IRQ_LINES];
uint32_t irq_counts[IRQ_LINES];

void irq_init(void)
{
}

void kernel_poll_irq(void)
{
    unsigned irq = intc_ack();
    struct irq_line *l;
    struct thread *h;

    if (irq == INTC_SPURIOUS)
        return;
    if (irq < IRQ_LINES)
        irq_counts[irq]++;
    if (irq == BOARD_IRQ_TIMER) {
        timer_irq();
        intc_eoi(irq);
        sched_tick();
        return;
    }
    TRACE_IRQ(irq);
    if (irq == BOARD_IRQ_VTIMER)
        timer_user_disarm();                /* one expiry per arm: the level drops here */
    intc_disable(irq);                      /* masked until the handler replies */
    intc_eoi(irq);
    if (irq >= IRQ_LINES)
        return;
    l = &lines[irq];
    l->masked = 1;
    h = thread_lookup(l->handler);
    if (!h || l->pending)
        return;                             /* nobody attached: the line stays masked */
    if (!ipc_deliver_irq(h, irq)) {
        l->pending = 1;
        h->irqs_pending++;
    }
}

int irq_take_pending(struct thread *t, l4_tid_t from)
{
    for (unsigned i = 0; i < IRQ_LINES; i++) {
        struct irq_line *l = &lines[i];
        if (!l->pending || l->handler != t->id)
            continue;
        if (from != L4_ANYTHREAD && from != L4_IRQ_TID(i))
            continue;
        l->pending = 0;
        t->irqs_pending--;
        TRACE_IPC_IRQ(i, t);
        return (int)i;
    }
    return -1;
}

int irq_reply(struct thread *t, l4_tid_t tid)
{
    unsigned irq = L4_TID_NUMBER(tid);
    struct irq_line *l = &lines[irq];

    if (l->handler != t->id)
        return -1;
    if (l->masked) {
        l->masked = 0;
        intc_enable(irq);
    }
    return 0;
}

void irq_detach_thread(struct thread *t)
{
    for (unsigned i = 0; i < IRQ_LINES; i++) {
        if (lines[i].handler != t->id)
            continue;
        if (i == BOARD_IRQ_VTIMER)
            timer_user_disarm();
        intc_disable(i);
        lines[i].handler = L4_NILTHREAD;
        lines[i].pending = 0;
    }
    t->irqs_pending = 0;
}

void irq_syscall(struct thread *cur)
{
    uint32_t irq = cur->ctx.r[0], op = cur->ctx.r[1];
    struct irq_line *l;

    if (!(cur->flags & TF_PRIVILEGED)) {
        cur->ctx.r[1] = L4_ERR_NO_PRIVILEGE;
        return;
    }
    if (irq >= IRQ_LINES || irq == BOARD_IRQ_TIMER) {
        cur->ctx.r[1] = L4_ERR_INVALID_ARGUMENT;
        return;
    }
    l = &lines[irq];
    switch (op) {
    case L4_IRQ_ASSIGN:
        if (!domain_may(cur->space->domain, L4_DR_CONFIG)) {
            cur->ctx.r[1] = L4_ERR_NO_PRIVILEGE;
            return;
        }
        if (cur->ctx.r[2] >= L4_MAX_DOMAINS) {
            cur->ctx.r[1] = L4_ERR_INVALID_ARGUMENT;
            return;
        }
        l->domain = (uint8_t)cur->ctx.r[2];
        break;
    case L4_IRQ_ATTACH:
        if (domain_index(cur->space->domain) != l->domain) {
            cur->ctx.r[1] = L4_ERR_NO_PRIVILEGE;    /* the line is another domain's */
            return;
        }
        if (thread_lookup(l->handler) && l->handler != cur->id) {
            cur->ctx.r[1] = L4_ERR_BUSY;
            return;
        }
        l->handler = cur->id;
        l->pending = 0;
        l->masked = 0;
        intc_enable(irq);
        break;
    case L4_IRQ_DETACH:
        if (l->handler != cur->id) {
            cur->ctx.r[1] = L4_ERR_INVALID_ARGUMENT;
            return;
        }
        if (irq == BOARD_IRQ_VTIMER)
            timer_user_disarm();
        intc_disable(irq);
        if (l->pending)
            cur->irqs_pending--;
        l->handler = L4_NILTHREAD;
        l->pending = 0;
        break;
    case L4_IRQ_TIMER_ARM:
    case L4_IRQ_TIMER_CANCEL:
        if (irq != BOARD_IRQ_VTIMER || l->handler != cur->id) {
            cur->ctx.r[1] = L4_ERR_INVALID_ARGUMENT;
            return;
        }
        if (op == L4_IRQ_TIMER_ARM)
            timer_user_arm((uint64_t)cur->ctx.r[3] << 32 | cur->ctx.r[2]);
        else
            timer_user_disarm();
        break;
    default:
        cur->ctx.r[1] = L4_ERR_INVALID_ARGUMENT;
        return;
    }
    cur->ctx.r[0] = irq;
    cur->ctx.r[1] = L4_OK;
}
