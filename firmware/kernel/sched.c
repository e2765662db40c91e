/* The scheduler (see sched.h). */
#include "arch/cpu.h"
#include "arch/vfp.h"
#include "machine/timer.h"
#include "sched.h"
#include "space.h"
#include "trace.h"

void return_to_user(struct arch_context *ctx) __attribute__((noreturn));
void kernel_poll_irq(void);
extern uint64_t idle_cycles;

volatile uint64_t sched_ticks;

static struct thread *ready[256];       /* circular lists: ready[p] is the head */
static uint32_t ready_bitmap[8];        /* bit p set when ready[p] is not empty */
static uint32_t ready_words;            /* bit w set when ready_bitmap[w] is not zero */
static struct thread *timeouts;         /* threads blocked with a finite timeout */
static const struct space *active_space;
static uint32_t tick_stamp;             /* cycle counter at the last tick (CPU accounting) */

void sched_init(void)
{
}

static inline void bitmap_set(unsigned p)
{
    ready_bitmap[p >> 5] |= 1u << (p & 31);
    ready_words |= 1u << (p >> 5);
}

static inline void bitmap_clear(unsigned p)
{
    if (!(ready_bitmap[p >> 5] &= ~(1u << (p & 31))))
        ready_words &= ~(1u << (p >> 5));
}

void sched_enqueue(struct thread *t)
{
    struct thread *head = ready[t->prio];

    if (!head) {
        t->rq_next = t->rq_prev = t;
        ready[t->prio] = t;
        bitmap_set(t->prio);
        return;
    }
    t->rq_next = head;
    t->rq_prev = head->rq_prev;
    head->rq_prev->rq_next = t;
    head->rq_prev = t;
}

void sched_replace(struct thread *old, struct thread *t)
{
    if (old->rq_next == old) {                  /* alone in its queue, the common case */
        t->rq_next = t->rq_prev = t;
    } else {
        t->rq_next = old->rq_next;
        t->rq_prev = old->rq_prev;
        old->rq_prev->rq_next = t;
        old->rq_next->rq_prev = t;
    }
    ready[t->prio] = t;
    old->rq_next = old->rq_prev = NULL;
}

void sched_hand_over(struct thread *old, struct thread *t)
{
    if (old->rq_next != old || ready[t->prio]) {
        sched_dequeue(old);
        sched_enqueue_head(t);
        return;
    }
    /* both alone: one queue empties, the other gets its only thread */
    ready[old->prio] = NULL;
    bitmap_clear(old->prio);
    old->rq_next = old->rq_prev = NULL;
    t->rq_next = t->rq_prev = t;
    ready[t->prio] = t;
    bitmap_set(t->prio);
}

void sched_enqueue_head(struct thread *t)
{
    sched_enqueue(t);
    ready[t->prio] = t;
}

void sched_dequeue(struct thread *t)
{
    if (t->rq_next == t) {
        ready[t->prio] = NULL;
        bitmap_clear(t->prio);
    } else {
        t->rq_prev->rq_next = t->rq_next;
        t->rq_next->rq_prev = t->rq_prev;
        if (ready[t->prio] == t)
            ready[t->prio] = t->rq_next;
    }
    t->rq_next = t->rq_prev = NULL;
}

int sched_highest_prio(void)
{
    int w;

    if (!ready_words)
        return -1;
    w = 31 - __builtin_clz(ready_words);
    return w * 32 + 31 - __builtin_clz(ready_bitmap[w]);
}

struct thread *sched_pick(void)
{
    int p = sched_highest_prio();

    return p < 0 ? NULL : ready[p];
}

void sched_set_prio(struct thread *t, unsigned prio)
{
    if (t->state == TS_READY) {
        sched_dequeue(t);
        t->prio = (uint8_t)prio;
        sched_enqueue(t);
    } else {
        t->prio = (uint8_t)prio;
    }
}

void sched_timeout_arm(struct thread *t, uint32_t us)
{
    if (us == L4_NEVER)
        return;
    t->wakeup_tick = sched_ticks + (us + SCHED_TICK_US - 1) / SCHED_TICK_US + 1;
    t->tq_prev = NULL;
    t->tq_next = timeouts;
    if (timeouts)
        timeouts->tq_prev = t;
    timeouts = t;
    t->on_timeout_list = 1;
}

void sched_timeout_cancel(struct thread *t)
{
    if (!t->on_timeout_list)
        return;
    if (t->tq_prev)
        t->tq_prev->tq_next = t->tq_next;
    else
        timeouts = t->tq_next;
    if (t->tq_next)
        t->tq_next->tq_prev = t->tq_prev;
    t->on_timeout_list = 0;
}

void sched_tick(void)
{
    struct thread *t = timeouts, *next;
    uint32_t now = cycles_now();

    /* CPU time is charged by the tick to whoever was running (or to idle): sampled, not exact
     * per switch, so that switching costs nothing for it. */
    if (current)
        current->cpu_cycles += now - tick_stamp;
    else
        idle_cycles += now - tick_stamp;
    tick_stamp = now;
    sched_ticks++;
    for (; t; t = next) {
        next = t->tq_next;
        if (t->wakeup_tick <= sched_ticks)
            thread_wake(t, L4_IPC_ERROR(L4_ERR_TIMEOUT, t->state == TS_RECV));
    }
    if (current && current->state == TS_READY && --current->remaining_ticks == 0) {
        current->remaining_ticks = current->timeslice_ticks;
        if (ready[current->prio] == current)
            ready[current->prio] = current->rq_next;    /* round robin */
    }
}

void sched_space_gone(const struct space *s)
{
    if (active_space == s)
        active_space = NULL;
}

void sched_switch_to(struct thread *t)
{
    if (t != current) {
        TRACE_SWITCH(current, t);
        current = t;
        vfp_switch(t);
        if (t->space != active_space) {
            space_activate(t->space);
            active_space = t->space;
        }
    }
    tpidruro_write(t->tls);
    return_to_user(&t->ctx);
}

void sched_leave(void)
{
    struct thread *t;

    while (!(t = sched_pick())) {
        /* Idle: sleep until an interrupt is pending (WFI wakes even with IRQs masked), then
         * handle it here; it may make a thread ready. */
        current = NULL;
        wfi();
        kernel_poll_irq();
    }
    sched_switch_to(t);
}
