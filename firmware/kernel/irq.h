/*
 * Interrupts as IPC.  Each interrupt line has an ID (L4_IRQ_TID(line)) that acts as a sender.
 * A privileged thread attaches to a line; when it fires the kernel masks it at the controller
 * and sends an IPC from the line's ID to the handler; the handler's reply (an IPC to the
 * line's ID) unmasks it.  The kernel's own timer line cannot be attached.
 */
#pragma once

#include <stdint.h>

#include "thread.h"

#define IRQ_LINES   128

void irq_init(void);
/* InterruptControl system call. */
void irq_syscall(struct thread *cur);
/* Take the interrupt pending for `t` that a receive from `from` accepts; -1 if none. */
int irq_take_pending(struct thread *t, l4_tid_t from);
/* `t` sent to interrupt ID `tid`: unmask the line if `t` handles it.  0, or -1. */
int irq_reply(struct thread *t, l4_tid_t tid);
/* Whether `tid` names an interrupt line. */
static inline int irq_is_id(l4_tid_t tid)
{
    return L4_TID_NUMBER(tid) < IRQ_LINES && L4_TID_VERSION(tid) == 1;
}
/* A thread is going away: detach it from its lines. */
void irq_detach_thread(struct thread *t);
/* Acknowledge and handle one pending interrupt at the controller (timer or line). */
void kernel_poll_irq(void);

extern uint32_t irq_counts[IRQ_LINES];
