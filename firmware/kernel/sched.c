/* The scheduler (see sched.h). */
#include "arch/cpu.h"
#include "arch/vfp.h"
#include "machine/timer.h"
#include "profile.h"
#include "sched.h"
#include "space.h"
#include "trace.h"

void kernel_poll_irq(void);
extern uint64_t idle_cycles;

volatile uint64_t sched_ticks;

static struct thread *ready[256];       /* circular lists: ready[p] is the head */
uint32_t sched_ready_bitmap[8];
static struct thread *timeouts;         /* threads blocked with a finite timeout */
static uint32_t tick_stamp;             /* cycle counter at the last tick (CPU accounting) */

void sched_init(void)
{
}

static inline void bitmap_set(unsigned p)
{
    sched_ready_bitmap[p >> 5] |= 1u << (p & 31);
    kernel.ready_words |= 1u << (p >> 5);
}

static inline void bitmap_clear(unsigned p)
{
    if (!(sched_ready_bitmap[p >> 5] &= ~(1u << (p & 31))))
        kernel.ready_words &= ~(1u << (p >> 5));
}

/* Into its priority's queue: at the tail, or (as_head) at the head. */
static inline void insert(struct thread *t, int as_head)
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
    if (as_head)
        ready[t->prio] = t;
}

void sched_enqueue(struct thread *t)
{
    insert(t, 0);
}

void sched_enqueue_head(struct thread *t)
{
    insert(t, 1);
}

void sched_dequeue(struct thread *t)
{
    if (!t->rq_next)
        return;                         /* not queued: running, or blocked already */
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

void sched_set_prio(struct thread *t, unsigned prio)
{
    if (t->rq_next) {
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

void sched_timeout_remove(struct thread *t)
{
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
     * per switch, so that switching costs nothing for it.  A thread running with a message
     * whose sender waits for its answer (a server, a pager) works for that sender, which is
     * billed the tick as time spent on its behalf (a process's system time). */
    if (kernel.current) {
        struct thread *c = kernel.current, *client = thread_lookup(c->served);
        c->cpu_cycles += now - tick_stamp;
        c->cpu_ticks++;
        if (client && client->state == TS_RECV && client->partner == c->id)
            client->served_ticks++;
    } else {
        idle_cycles += now - tick_stamp;
    }
    tick_stamp = now;
    sched_ticks++;
    for (; t; t = next) {
        next = t->tq_next;
        if (t->wakeup_tick <= sched_ticks)
            thread_wake(t, L4_IPC_ERROR(L4_ERR_TIMEOUT, t->state == TS_RECV));
    }
    if (kernel.current && kernel.current->state == TS_READY && --kernel.current->remaining_ticks == 0) {
        struct thread *c = kernel.current;

        c->remaining_ticks = c->timeslice_ticks;
        /* round robin: behind its equals; sched_leave chooses */
        if (c->rq_next && ready[c->prio] == c)
            ready[c->prio] = c->rq_next;
        else if (!c->rq_next && ready[c->prio])
            sched_enqueue(c);
    }
}

void sched_space_gone(const struct space *s)
{
    if (kernel.active_space == s)
        kernel.active_space = NULL;
}

void sched_remove(struct thread *t)
{
    sched_dequeue(t);
    if (kernel.woken == t)
        kernel.woken = NULL;
}

void sched_wake_another(struct thread *t)
{
    if (kernel.woken->prio >= t->prio) {
        sched_enqueue(t);
        return;
    }
    sched_enqueue(kernel.woken);
    kernel.woken = t;
}

static void __attribute__((noreturn)) run(struct thread *t)
{
    if (t == kernel.current)
        return_to_user(&t->ctx);
    TRACE_SWITCH(kernel.current, t);
    sched_switch_to(t);
}

void sched_leave(void)
{
    struct thread *cur = kernel.current, *t = kernel.woken;
    int top;

    /* an IPC or an interrupt woke `t`: it runs now if nothing ready is more important */
    if (t) {
        int runs = cur && cur->state == TS_READY;

        kernel.woken = NULL;
        if ((int)t->prio >= sched_highest_prio() && !(runs && cur->prio >= t->prio)) {
            if (runs && !cur->rq_next)
                sched_enqueue_head(cur);        /* preempted: it resumes first among its equals */
            run(t);
        }
        sched_enqueue(t);
    }
    for (;;) {
        top = sched_highest_prio();
        /* the running thread goes on unless a more important one is ready (or, queued, it is
         * no longer first among its equals: it yielded, or its timeslice ended) */
        if (cur && cur->state == TS_READY && !cur->rq_next) {
            if (top <= (int)cur->prio)
                return_to_user(&cur->ctx);
            sched_enqueue_head(cur);            /* preempted: it resumes first among its equals */
        }
        if (top >= 0)
            run(ready[top]);                    /* it stays queued while it runs */
        /* Idle: sleep until an interrupt is pending (WFI wakes even with IRQs masked), then
         * handle it here; it may make a thread ready. */
        kernel.current = cur = NULL;
        wfi();
        profile_enter(PROFILE_IDLE, 0);
        kernel_poll_irq();
        if ((t = kernel.woken)) {
            kernel.woken = NULL;
            sched_enqueue(t);
        }
    }
}
