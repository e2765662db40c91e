/*
 * The scheduler: 256 fixed priorities (255 highest), round robin with timeslices within a
 * priority.  The kernel is tick-based: a 1 kHz tick charges the running thread's timeslice and
 * expires IPC timeouts.  The running thread stays at the head of its ready queue.
 *
 * All functions run in the kernel with interrupts masked.
 */
#pragma once

#include <stdint.h>

#include "thread.h"

#define SCHED_TICK_US           1000u
#define SCHED_DEFAULT_SLICE     10u     /* ticks */
#define SCHED_DEFAULT_PRIO      100u

extern volatile uint64_t sched_ticks;

void sched_init(void);
void sched_enqueue(struct thread *t);           /* at the tail of its queue */
void sched_enqueue_head(struct thread *t);
void sched_dequeue(struct thread *t);
/* `old` (at the head of its queue) blocks and `t` (same priority, not queued) runs in its place:
 * the fast path's queue update. */
void sched_replace(struct thread *old, struct thread *t);
/* `old` (at the head of its queue) blocks and `t` (not queued, more important than anything
 * ready) runs: the fast path's queue update across priorities. */
void sched_hand_over(struct thread *old, struct thread *t);
struct thread *sched_pick(void);                /* highest-priority ready thread, or NULL */
int sched_highest_prio(void);                   /* -1 when none is ready */
void sched_tick(void);                          /* from the timer interrupt */
void sched_set_prio(struct thread *t, unsigned prio);

/* Timeouts: wake `t` with L4_ERR_TIMEOUT after `us` microseconds (L4_NEVER: never). */
void sched_timeout_arm(struct thread *t, uint32_t us);
void sched_timeout_cancel(struct thread *t);

/* `s` is being deleted: if it is the active space, forget it, so the next switch loads the
 * translation table of whatever reuses its slot. */
void sched_space_gone(const struct space *s);

/* Leave the kernel: run the highest-priority ready thread (idling until there is one). */
void sched_leave(void) __attribute__((noreturn));
/* Switch the address space and leave the kernel into `t` (which must be READY). */
void sched_switch_to(struct thread *t) __attribute__((noreturn));
