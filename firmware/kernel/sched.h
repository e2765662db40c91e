/*
 * The scheduler: 256 fixed priorities (255 highest), round robin with timeslices within a
 * priority.  The kernel is tick-based: a 1 kHz tick charges the running thread's timeslice and
 * expires IPC timeouts.  The ready queues hold ready threads only, but not every ready thread is
 * queued: a thread the IPC fast path or an interrupt switched to runs in no queue, and enters
 * its queue only when something preempts it.  A thread the scheduler chose stays queued while
 * it runs.  So an IPC that blocks one thread and runs another touches no queue unless a queued
 * thread is more important, and an interrupt that preempts a queued thread touches none either.
 *
 * All functions run in the kernel with interrupts masked.
 */
#pragma once

#include <stdint.h>

#include "arch/cpu.h"
#include "arch/vfp.h"
#include "space.h"
#include "thread.h"

#define SCHED_TICK_US           1000u
#define SCHED_DEFAULT_SLICE     10u     /* ticks */
#define SCHED_DEFAULT_PRIO      100u

extern volatile uint64_t sched_ticks;

void sched_init(void);
void sched_enqueue(struct thread *t);           /* at the tail of its queue */
void sched_enqueue_head(struct thread *t);
void sched_dequeue(struct thread *t);           /* if queued */
void sched_remove(struct thread *t);            /* `t` stops: from its queue, or as the woken one */
/* `t` (READY, in no queue) was woken by this kernel entry (an IPC or an interrupt for it): when
 * the kernel leaves, it runs at once if it is the most important thread, without passing through
 * a queue; else it queues. */
void sched_wake_another(struct thread *t);

static inline void sched_wake(struct thread *t)
{
    if (!kernel.woken)
        kernel.woken = t;
    else
        sched_wake_another(t);
}
/* The priority of the most important queued thread, -1 when none is: inline, as the IPC fast
 * path asks it. */
extern uint32_t sched_ready_bitmap[8];          /* bit p set when priority p's queue is not empty */

static inline __attribute__((always_inline)) int sched_highest_prio(void)
{
    int w;

    if (!kernel.ready_words)
        return -1;
    w = 31 - __builtin_clz(kernel.ready_words);
    return w * 32 + 31 - __builtin_clz(sched_ready_bitmap[w]);
}
void sched_tick(void);                          /* from the timer interrupt */
void sched_set_prio(struct thread *t, unsigned prio);

/* Timeouts: wake `t` with L4_ERR_TIMEOUT after `us` microseconds (L4_NEVER: never). */
void sched_timeout_arm(struct thread *t, uint32_t us);
void sched_timeout_remove(struct thread *t);

static inline void sched_timeout_cancel(struct thread *t)
{
    if (t->on_timeout_list)
        sched_timeout_remove(t);
}

/* `s` is being deleted: if it is the active space, forget it, so the next switch loads the
 * translation table of whatever reuses its slot. */
void sched_space_gone(const struct space *s);

/* Leave the kernel: run the highest-priority ready thread (idling until there is one); the
 * current thread, if still ready, keeps running unless a more important one is queued. */
void sched_leave(void) __attribute__((noreturn));
/* Switch the address space and leave the kernel into `t` (READY).  Inline: the IPC fast paths
 * end in it. */
void return_to_user(struct arch_context *ctx) __attribute__((noreturn));

static inline __attribute__((always_inline, noreturn)) void sched_switch_to(struct thread *t)
{
    kernel.current = t;
    vfp_switch(t);
    if (t->space != kernel.active_space) {
        space_activate(t->space);
        kernel.active_space = t->space;
    }
    tpidruro_write(t->tls);
    return_to_user(&t->ctx);
}
