/*
 * Preemption points.  The kernel runs with interrupts masked, so the longest kernel path is
 * the worst interrupt latency.  An operation whose length depends on what a user asked for
 * (deleting a space with many mappings, unmapping a large region, deleting many threads) does
 * a bounded step, then asks whether an interrupt is pending; if one is, it stops with what it
 * did kept in the objects themselves and the system call is restarted: the caller's pc is
 * wound back to its SVC, so when it next runs it makes the same call and goes on.  Meanwhile
 * the interrupt is taken as soon as the kernel leaves.
 */
#pragma once

#include "arch/cpu.h"
#include "profile.h"
#include "thread.h"

#define ISR_IRQ     (1u << 7)

#define kernel_preempt_pending()    kernel_preempt_pending_at(__LINE__)

static inline int kernel_preempt_pending_at(unsigned line)
{
    int pending = (isr_read() & ISR_IRQ) != 0;

#ifdef CONFIG_MASKED_PROFILE
    /* an interrupt that comes after this look is seen by the next one: a stretch ends here */
    profile_point(line);
    masked_profile.preemptions += (uint32_t)pending;
#else
    (void)line;
#endif
    return pending;
}

/* Make `t` issue its system call again when it next runs (ARM SVC: 4 bytes, Thumb: 2). */
static inline void syscall_restart(struct thread *t)
{
    t->ctx.pc -= (t->ctx.cpsr & (1u << 5)) ? 2 : 4;
    t->restarts++;
}
