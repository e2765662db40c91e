/*
 * IPC: synchronous message transfer between threads, the kernel composing the message for
 * page faults and exceptions, and interrupts arriving from interrupt IDs.
 *
 * State machine of one IPC (send phase, then an optional receive phase):
 *
 *   send to D:    D waits for us  -> transfer, D READY        -> receive phase or done
 *                 else, timeout 0 -> error TIMEOUT (send)
 *                 else            -> SEND on D's send queue   -> (D receives: transfer) ...
 *   receive from: a sender queued -> transfer, sender done    -> done
 *                 interrupt pending (from any / that ID)      -> done
 *                 else, timeout 0 -> error TIMEOUT (receive)
 *                 else            -> RECV                     -> (a send arrives) -> done
 *
 * A partner that does not exist, or is deleted while we wait, ends the IPC with NO_PARTNER;
 * an expired timeout with TIMEOUT; ExchangeRegisters' abort with CANCELED.  All functions run
 * in the kernel with interrupts masked.
 */
#pragma once

#include <stdint.h>

#include "arch/copy.h"
#include "kstate.h"
#include "thread.h"

/* The IPC system call, from the saved registers of `cur` (r0 to, r1 from, r2 send timeout,
 * r12 receive timeout, MRs in r3-r6, r8-r11 and the UTCB). */
void ipc_syscall(struct thread *cur);

/* `t` sends the message its ipc_kind describes (a page fault or an exception) to `dest` and
 * waits for the reply; `t` is current and blocks. */
void ipc_kernel_send(struct thread *t, struct thread *dest);

/* An interrupt line fired (and is masked): deliver it to `handler` if it waits for it.
 * Returns 1 when delivered, 0 when the caller must leave it pending. */
int ipc_deliver_irq(struct thread *handler, unsigned irq);

/* MR0..MR7 live in these registers of a saved context; the rest in the UTCB. */
extern const uint8_t ipc_mr_reg[L4_MR_IN_REGISTERS];

/* An exception message's words from MR`first` on (r`first-1`..r12, sp, lr, pc, cpsr, kind,
 * fault status and address), into `mr`: the slow path composes all of it, the fast path what
 * does not travel in registers. */
static inline void ipc_exception_words(const struct thread *s, uint32_t *mr, unsigned first)
{
    /* r0..r12, sp, lr, pc, cpsr are the context's words in order: one block copy */
    const uint32_t *regs = (const uint32_t *)&s->ctx;

    _Static_assert(sizeof s->ctx == (L4_EXC_CPSR - L4_EXC_R0 + 1) * sizeof(uint32_t), "one block");
    copy_words(&mr[first], &regs[first - L4_EXC_R0], L4_EXC_CPSR + 1 - first);
    mr[L4_EXC_KIND] = s->exc_kind;
    mr[L4_EXC_FSR] = s->fault_status;
    mr[L4_EXC_FAR] = s->fault_addr;
}

void ipc_sendq_remove(struct thread *t);
/* `t` is going away: end the IPCs of every thread sending to it or waiting for it. */
void ipc_cancel_partner(struct thread *t);

/* Statistics */
