/*
 * On-target tests of the task layer (rtos.*), run by the modem's main thread (L4 priority 160,
 * below every task) when debugd asks.  Each test starts its tasks, waits for them with thread
 * flags on the main thread, and ends every task it started, whatever happened: the tests run
 * in any order, any number of times.
 */
#include "rtos.h"
#include "testsrv.h"

#define DONE            0x1u            /* a task to the main thread: finished */
#define WAIT_MS         500u            /* the most a test waits for its tasks */

/* ---- helpers ------------------------------------------------------------------------------- */

/* The tasks a test started, with their L4 IDs: a handle whose slot holds another task by the
 * time the test ends is left alone. */
static struct {
    osThreadId_t id;
    uint32_t tid;
} started[16];
static unsigned n_started;
static osThreadId_t main_id;

static osThreadId_t start(osThreadFunc_t fn, void *arg, osPriority_t prio, const char *name)
{
    osThreadAttr_t attr = { .name = name, .priority = prio };
    osThreadId_t t = osThreadNew(fn, arg, &attr);

    if (t && n_started < sizeof started / sizeof started[0]) {
        started[n_started].id = t;
        started[n_started++].tid = rtos_thread_tid(t);
    }
    return t;
}

static void end_all(void)
{
    for (unsigned i = 0; i < n_started; i++)
        if (rtos_thread_tid(started[i].id) == started[i].tid)
            osThreadTerminate(started[i].id);
    n_started = 0;
}

static void begin(void)
{
    main_id = osThreadGetId();
    osThreadFlagsClear(0x7fffffffu);
    n_started = 0;
}

/* Wait for a task's DONE (flags do not count: one task signals each wait). */
static int wait_done(void)
{
    return osThreadFlagsWait(DONE, osFlagsWaitAny, WAIT_MS) & osFlagsError ? -1 : 0;
}

static volatile char order[32];
static volatile unsigned order_n;

static void mark(char c)
{
    if (order_n < sizeof order - 1)
        order[order_n++] = c;
    order[order_n] = 0;
}

static void order_reset(void)
{
    order_n = 0;
    order[0] = 0;
}

static int order_is(const char *want)
{
    unsigned n = (unsigned)strnlen(want, sizeof order);

    return n == order_n && memcmp((const char *)order, want, n) == 0;
}

static uint32_t counts_to_ns(uint64_t counts)
{
    return (uint32_t)(counts * 1000000000ull / osKernelGetSysTimerFreq());
}

/* ---- kernel and time ------------------------------------------------------------------------- */

KTEST(test_rtos_kernel, "rtos.kernel")
{
    uint32_t hz = osKernelGetSysTimerFreq(), tick;
    uint64_t c;
    int prev = 0;

    CHECK(r, osKernelGetState() == osKernelRunning, "state %d", osKernelGetState());
    CHECK(r, osKernelInitialize() == osOK, "a second initialisation fails");
    CHECK(r, osKernelGetTickFreq() == 1000, "tick %u Hz", osKernelGetTickFreq());
    CHECK(r, hz == l4_counter_hz(), "system timer at %u Hz, the counter at %u", hz, l4_counter_hz());
    c = rtos_systimer();
    tick = osKernelGetTickCount();
    CHECK(r, tick - (uint32_t)(c * 1000 / hz) <= 1, "tick %u at counter %u", tick, (uint32_t)c);
    CHECK(r, (uint32_t)c - osKernelGetSysTimerCount() > 0x80000000u, "the system timer went back");
    /* the priority map: monotonic, 161..197, distinct from osPriorityNormal up */
    for (int p = osPriorityIdle; p <= osPriorityRealtime7; p++) {
        int l4 = (int)rtos_l4_priority((osPriority_t)p);
        if (p > osPriorityIdle && p < osPriorityLow)
            continue;
        CHECK(r, l4 >= 161 && l4 <= 197 && l4 >= prev, "osPriority %d -> %d", p, l4);
        CHECK(r, p <= osPriorityNormal || l4 > prev, "osPriority %d shares %d", p, l4);
        prev = l4;
    }
    CHECK(r, rtos_l4_priority(osPriorityIdle) == 161 && rtos_l4_priority(osPriorityNormal) == 166 &&
             rtos_l4_priority(osPriorityRealtime7) == 197, "the map's ends moved");
    CHECK(r, rtos_l4_priority(osPriorityISR) == 0 && rtos_l4_priority(osPriorityNone) == 0,
          "a task priority for ISR or None");
    r->value = hz;
out:
    return;
}

/* ---- threads --------------------------------------------------------------------------------- */

static void mark_and_exit(void *arg)
{
    mark((char)(uint32_t)arg);
}

static void wait_forever(void *arg)
{
    (void)arg;
    osThreadFlagsWait(0x40u, osFlagsWaitAny, osWaitForever);
    mark('!');
}

static void preempt_main(void *arg)
{
    (void)arg;
    mark('A');
    start(mark_and_exit, (void *)'B', osPriorityHigh, "high");      /* runs before we go on */
    mark('a');
    start(mark_and_exit, (void *)'C', osPriorityLow, "low");        /* runs once we are done */
    mark('c');
    osThreadFlagsSet(main_id, DONE);
}

/* A more important task runs the moment it is created, a less important one only when the
 * creator blocks or ends; the main thread (below every task) comes last. */
KTEST(test_rtos_preemption, "rtos.thread_preemption")
{
    begin();
    order_reset();
    CHECK(r, start(preempt_main, NULL, osPriorityNormal, "creator"), "osThreadNew failed");
    CHECK(r, wait_done() == 0, "the creator did not finish");
    CHECK(r, order_is("ABacC"), "order %s, not ABacC", order);
out:
    end_all();
}

static void yielder(void *arg)
{
    mark((char)(uint32_t)arg);
    osThreadYield();
    mark((char)((uint32_t)arg + 'a' - 'A'));
    if ((uint32_t)arg == 'Y')
        osThreadFlagsSet(main_id, DONE);            /* the last one */
}

static void yield_creator(void *arg)
{
    (void)arg;
    start(yielder, (void *)'X', osPriorityNormal, "x");
    start(yielder, (void *)'Y', osPriorityNormal, "y");
}

/* Equal priorities take turns at osThreadYield. */
KTEST(test_rtos_yield, "rtos.thread_yield")
{
    begin();
    order_reset();
    CHECK(r, start(yield_creator, NULL, osPriorityHigh, "creator"), "osThreadNew failed");
    CHECK(r, wait_done() == 0, "the yielders did not finish");
    CHECK(r, order_is("XYxy"), "order %s, not XYxy", order);
out:
    end_all();
}

static void prio_creator(void *arg)
{
    osThreadId_t t;

    (void)arg;
    t = start(mark_and_exit, (void *)'X', osPriorityNormal, "x");
    mark('h');
    osThreadSetPriority(t, osPriorityRealtime);                     /* above us: it runs now */
    mark('H');
    osThreadFlagsSet(main_id, DONE);
}

/* Raising a ready task above the running one preempts at once; the priority reads back. */
KTEST(test_rtos_set_priority, "rtos.thread_set_priority")
{
    osThreadId_t t;

    begin();
    order_reset();
    CHECK(r, start(prio_creator, NULL, osPriorityHigh, "creator"), "osThreadNew failed");
    CHECK(r, wait_done() == 0, "the creator did not finish");
    CHECK(r, order_is("hXH"), "order %s, not hXH", order);
    t = start(wait_forever, NULL, osPriorityIdle, "idle");
    CHECK(r, osThreadGetPriority(t) == osPriorityIdle, "priority %d", osThreadGetPriority(t));
    CHECK(r, rtos_thread_l4_priority(t) == 161, "L4 priority %u", rtos_thread_l4_priority(t));
    CHECK(r, osThreadSetPriority(t, osPriorityISR) == osErrorParameter, "osPriorityISR accepted");
    CHECK(r, osThreadSetPriority(main_id, osPriorityHigh) == osErrorParameter, "main is no task");
out:
    end_all();
}

static uint64_t user_stack[512] __attribute__((aligned(8)));

/* Slots and stacks come back: many more tasks than slots, one after the other; a blocked task
 * terminated; a task on the creator's stack memory. */
KTEST(test_rtos_lifecycle, "rtos.thread_lifecycle")
{
    uint32_t base = osThreadGetCount();
    osThreadAttr_t attr = { .name = "own-stack", .stack_mem = user_stack,
                            .stack_size = sizeof user_stack, .priority = osPriorityNormal };
    osThreadId_t t;

    begin();
    order_reset();
    for (unsigned i = 0; i < 3 * RTOS_MAX_TASKS; i++) {
        t = osThreadNew(mark_and_exit, (void *)'.', NULL);
        CHECK(r, t, "task %u not created", i);
        CHECK(r, osThreadGetState(t) == osThreadError, "task %u still there", i);
    }
    CHECK(r, order_n == sizeof order - 1, "%u tasks ran", order_n);
    CHECK(r, osThreadGetCount() == base, "%u tasks, %u before", osThreadGetCount(), base);
    t = start(wait_forever, NULL, osPriorityNormal, "blocked");
    CHECK(r, osThreadGetState(t) == osThreadBlocked, "state %d", osThreadGetState(t));
    CHECK(r, strnlen(osThreadGetName(t), 16) > 0, "no name");
    CHECK(r, osThreadTerminate(t) == osOK, "terminate failed");
    CHECK(r, osThreadGetState(t) == osThreadError, "terminated task state %d", osThreadGetState(t));
    CHECK(r, osThreadTerminate(t) == osErrorParameter, "terminated twice");
    order_reset();
    t = osThreadNew(mark_and_exit, (void *)'s', &attr);
    CHECK(r, t && order_is("s"), "task on its own stack: %s", order);
    CHECK(r, osThreadGetCount() == base, "%u tasks, %u before", osThreadGetCount(), base);
    CHECK(r, osThreadNew(NULL, NULL, NULL) == NULL, "a task without a function");
    r->value = base;
out:
    end_all();
}

/* ---- delays ------------------------------------------------------------------------------------ */

/* Timing tests tell lateness from being early: early is always a failure; late beyond a bound
 * may be the host (QEMU translating on a shared machine stalls now and then), so a late run is
 * tried again, up to ATTEMPTS times, and fails only if every run is late. */
#define ATTEMPTS        3u

static volatile uint64_t slept;
static volatile int32_t status;

static void delayer(void *arg)
{
    uint64_t t0 = rtos_systimer();

    status = osDelay((uint32_t)arg);
    slept = rtos_systimer() - t0;
    osThreadFlagsSet(main_id, DONE);
}

KTEST(test_rtos_delay, "rtos.delay")
{
    uint64_t want = 3ull * osKernelGetSysTimerFreq() / 1000;
    unsigned attempt = 0;

    begin();
    do {
        CHECK(r, start(delayer, (void *)3, osPriorityRealtime, "delayer"), "osThreadNew failed");
        CHECK(r, wait_done() == 0, "no wake-up");
        CHECK(r, status == osOK, "osDelay: %d", status);
        CHECK(r, slept >= want, "slept %u ns of 3 ms", counts_to_ns(slept));
    } while (slept - want >= want / 6 && ++attempt < ATTEMPTS);
    CHECK(r, slept - want < want / 6, "slept %u ns for 3 ms", counts_to_ns(slept));
    CHECK(r, osDelay(0) == osOK, "osDelay(0)");
    r->value = counts_to_ns(slept - want);
    test_note(r, "osDelay(3) slept 3 ms + %u ns", r->value);
out:
    end_all();
}

#define PERIODS         50u
#define PERIOD_TICKS    2u

static volatile uint32_t periodic_start, periodic_last, periodic_missed, periodic_early, periodic_slow,
    periodic_worst;

static void periodic(void *arg)
{
    uint32_t hz = osKernelGetSysTimerFreq(), next = osKernelGetTickCount() + 1;

    (void)arg;
    osDelayUntil(next);                             /* start on a tick's edge */
    periodic_start = next;
    periodic_missed = periodic_early = periodic_slow = periodic_worst = 0;
    for (unsigned i = 0; i < PERIODS; i++) {
        next += PERIOD_TICKS;
        if (osDelayUntil(next) != osOK)
            periodic_missed++;                      /* that tick had begun: a release missed */
        /* the release: the counter past tick `next`'s first value, by how much */
        uint64_t edge = ((uint64_t)next * hz + 999) / 1000, now = rtos_systimer();
        if (now < edge)
            periodic_early++;
        else if (now - edge > periodic_worst)
            periodic_worst = (uint32_t)(now - edge);
        if (now >= edge + hz / 2000)
            periodic_slow++;                        /* half a tick late */
    }
    periodic_last = osKernelGetTickCount();
    osThreadFlagsSet(main_id, DONE);
}

/* osDelayUntil releases a periodic task on its ticks: 50 periods, none early, the last one
 * exactly at start + 50 periods (no drift), and (the jitter bound) no more than 2 releases half
 * a tick or more after their edge, missed ones included: the host's stalls, which a run on real
 * hardware or in QEMU's deterministic mode does not have. */
KTEST(test_rtos_delay_until, "rtos.delay_until_periodic")
{
    unsigned attempt = 0;
    int clean;

    begin();
    do {
        CHECK(r, start(periodic, NULL, osPriorityRealtime, "periodic"), "osThreadNew failed");
        CHECK(r, wait_done() == 0, "the periodic task did not finish");
        CHECK(r, periodic_early == 0, "%u releases before their tick", periodic_early);
        clean = periodic_slow <= 2 && periodic_last == periodic_start + PERIODS * PERIOD_TICKS;
    } while (!clean && ++attempt < ATTEMPTS);
    CHECK(r, periodic_last == periodic_start + PERIODS * PERIOD_TICKS, "last release at tick %u, not %u",
          periodic_last, periodic_start + PERIODS * PERIOD_TICKS);
    CHECK(r, periodic_slow <= 2, "%u releases half a tick late", periodic_slow);
    r->value = counts_to_ns(periodic_worst);
    CHECK(r, osDelayUntil(osKernelGetTickCount()) == osErrorParameter, "a tick begun is not past");
    test_note(r, "%u periods of %u ticks, worst release %u ns after its tick, %u missed", PERIODS,
              PERIOD_TICKS, r->value, periodic_missed);
    if (attempt)
        test_note(r, " (%u runs late: the host)", attempt);
out:
    end_all();
}

#define SYSTIMER_RUNS   20u

static volatile uint32_t lat[SYSTIMER_RUNS];
static volatile int32_t systimer_status;

static void frame_timer(void *arg)
{
    uint64_t step = osKernelGetSysTimerFreq() / 1000, edge = rtos_systimer();   /* 1 ms */

    (void)arg;
    systimer_status = osOK;
    for (unsigned i = 0; i < SYSTIMER_RUNS; i++) {
        edge += step;                               /* absolute edges, as the frame clock does */
        osStatus_t s = osDelayUntilSysTimer(edge);
        uint64_t now = rtos_systimer();
        if (now < edge)
            systimer_status = -100;                 /* early */
        lat[i] = s == osOK ? (uint32_t)(now - edge) : ~0u;     /* ~0: the edge had passed */
    }
    if (osDelayUntilSysTimer(edge) != osErrorParameter)
        systimer_status = -101;
    osThreadFlagsSet(main_id, DONE);
}

/* osDelayUntilSysTimer wakes its task at the counter value asked, never before, promptly: the
 * latency from the edge to the task running again, its median under 200 us, and no more than
 * 2 of 20 wake-ups a millisecond late (the host's stalls; an edge missed counts as one). */
KTEST(test_rtos_delay_until_systimer, "rtos.delay_until_systimer")
{
    uint32_t sorted[SYSTIMER_RUNS], slow, median;
    unsigned attempt = 0;

    begin();
    do {
        CHECK(r, start(frame_timer, NULL, osPriorityRealtime7, "frame"), "osThreadNew failed");
        CHECK(r, wait_done() == 0, "the task did not finish");
        CHECK(r, systimer_status != -100, "woke before its edge");
        CHECK(r, systimer_status != -101, "an edge passed did not return osErrorParameter");
        slow = 0;
        for (unsigned i = 0; i < SYSTIMER_RUNS; i++) {
            unsigned j = i;
            for (; j > 0 && sorted[j - 1] > lat[i]; j--)
                sorted[j] = sorted[j - 1];
            sorted[j] = lat[i];
            slow += lat[i] == ~0u || counts_to_ns(lat[i]) >= 1000000;
        }
        median = counts_to_ns(sorted[SYSTIMER_RUNS / 2]);
    } while ((slow > 2 || median >= 200000) && ++attempt < ATTEMPTS);
    r->value = median;
    test_note(r, "wake-up latency (ns): min %u median %u, %u of %u over 1 ms", counts_to_ns(sorted[0]), median,
              slow, SYSTIMER_RUNS);
    CHECK(r, median < 200000, "median wake-up %u ns after its edge", median);
    CHECK(r, slow <= 2, "%u wake-ups over 1 ms late", slow);
out:
    end_all();
}

/* ---- thread flags ------------------------------------------------------------------------------ */

static volatile uint32_t got[4];
static volatile uint64_t flag_wait;

static void flag_waiter(void *arg)
{
    uint64_t t0;

    (void)arg;
    got[0] = osThreadFlagsWait(0x3u, osFlagsWaitAll, WAIT_MS);
    got[1] = osThreadFlagsWait(0xcu, osFlagsWaitAny | osFlagsNoClear, WAIT_MS);
    got[2] = osThreadFlagsGet();
    t0 = rtos_systimer();
    got[3] = osThreadFlagsWait(0x10u, osFlagsWaitAny, 5);
    flag_wait = rtos_systimer() - t0;
    osThreadFlagsSet(main_id, DONE);
}

/* Wait for all, for any without clearing, with a timeout. */
KTEST(test_rtos_thread_flags, "rtos.thread_flags")
{
    osThreadId_t t;

    begin();
    got[0] = got[1] = got[2] = got[3] = 0;
    t = start(flag_waiter, NULL, osPriorityHigh, "waiter");
    CHECK(r, t, "osThreadNew failed");
    CHECK(r, osThreadFlagsSet(t, 0x1u) == 0x1u, "flags after setting 0x1");
    CHECK(r, got[0] == 0, "woke with one of all");
    osThreadFlagsSet(t, 0x2u);                      /* wakes it: both are there */
    CHECK(r, got[0] == 0x3u, "all: %x", got[0]);
    osThreadFlagsSet(t, 0x8u);
    CHECK(r, got[1] == 0x8u && got[2] == 0x8u, "any, no clear: %x, then %x", got[1], got[2]);
    CHECK(r, wait_done() == 0, "the waiter did not finish");
    CHECK(r, got[3] == osFlagsErrorTimeout, "timeout: %x", got[3]);
    CHECK(r, flag_wait >= 5ull * osKernelGetSysTimerFreq() / 1000, "timed out after %u ns",
          counts_to_ns(flag_wait));
    CHECK(r, osThreadFlagsWait(0, osFlagsWaitAny, 0) == osFlagsErrorParameter, "no flags accepted");
    CHECK(r, osThreadFlagsWait(0x20u, osFlagsWaitAny, 0) == osFlagsErrorResource, "try: not resource");
    CHECK(r, osThreadFlagsSet(t, 0x80000000u) == osFlagsErrorParameter, "bit 31 accepted");
out:
    end_all();
}

/* ---- interrupts -------------------------------------------------------------------------------- */

#define TEST_IRQ        123u            /* an SPI no device uses (ktest's are 121 and 122) */
#define IRQ_FLAG        0x100u
#define IRQ_RUNS        10u

static volatile uint32_t irq_seen, irq_cycles[IRQ_RUNS];

static void irq_task(void *arg)
{
    (void)arg;
    while (irq_seen < IRQ_RUNS) {
        if (osThreadFlagsWait(IRQ_FLAG, osFlagsWaitAny, WAIT_MS) & osFlagsError)
            break;
        irq_cycles[irq_seen++] = l4_cycles();
        osThreadFlagsSet(main_id, DONE);
    }
}

/* A hardware interrupt (injected at the interrupt controller) sets thread flags on its task,
 * every time: the line is unmasked each time the task waits again. */
KTEST(test_rtos_irq, "rtos.irq_thread_flags")
{
    uint32_t worst = 0, total = 0, injected;
    osThreadId_t t;
    int attached = 0;

    begin();
    irq_seen = 0;
    t = start(irq_task, NULL, osPriorityRealtime, "irq-task");
    CHECK(r, t, "osThreadNew failed");
    CHECK(r, rtos_irq_attach(27, t, IRQ_FLAG) == osErrorParameter, "the user timer's line attached");
    CHECK(r, rtos_irq_attach(TEST_IRQ, t, IRQ_FLAG) == osOK, "attach failed");
    attached = 1;
    for (unsigned i = 0; i < IRQ_RUNS; i++) {
        CHECK(r, l4_kdebug(L4_KD_INJECT_IRQ, TEST_IRQ, 0, NULL) == L4_OK, "inject failed");
        injected = l4_utcb()->mr[0];
        CHECK(r, wait_done() == 0, "interrupt %u not seen", i);
        CHECK(r, irq_seen == i + 1, "%u notifications for %u interrupts", irq_seen, i + 1);
        total += irq_cycles[i] - injected;
        if (irq_cycles[i] - injected > worst)
            worst = irq_cycles[i] - injected;
    }
    r->value = total / IRQ_RUNS;
    test_note(r, "interrupt to task: mean %u cycles, worst %u", r->value, worst);
    /* the task has ended: its line went with it */
    CHECK(r, rtos_irq_detach(TEST_IRQ) == osErrorParameter, "the line is still attached");
    attached = 0;
out:
    if (attached)
        rtos_irq_detach(TEST_IRQ);
    end_all();
}

/* ---- semaphores -------------------------------------------------------------------------------- */

static osSemaphoreId_t sem;
static volatile int32_t sem_status[2];

static void sem_taker(void *arg)
{
    mark((char)(uint32_t)arg);
    sem_status[(uint32_t)arg == 'H'] = osSemaphoreAcquire(sem, WAIT_MS);
    mark((char)((uint32_t)arg + 'a' - 'A'));
}

/* A counting semaphore: tokens up to its maximum, taken without blocking, and given to the
 * most important waiter first. */
KTEST(test_rtos_semaphore, "rtos.semaphore_counting")
{
    begin();
    order_reset();
    sem = osSemaphoreNew(3, 2, NULL);
    CHECK(r, sem, "osSemaphoreNew failed");
    CHECK(r, osSemaphoreGetCount(sem) == 2, "count %u", osSemaphoreGetCount(sem));
    CHECK(r, osSemaphoreAcquire(sem, 0) == osOK && osSemaphoreAcquire(sem, 0) == osOK, "two tokens");
    CHECK(r, osSemaphoreAcquire(sem, 0) == osErrorResource, "a third token");
    /* two waiters, the less important first: the first token goes to the other */
    CHECK(r, start(sem_taker, (void *)'L', osPriorityNormal, "low"), "osThreadNew failed");
    CHECK(r, start(sem_taker, (void *)'H', osPriorityHigh, "high"), "osThreadNew failed");
    CHECK(r, order_is("LH"), "order %s", order);
    CHECK(r, osSemaphoreRelease(sem) == osOK, "release");
    CHECK(r, order_is("LHh") && osSemaphoreGetCount(sem) == 0, "first token: %s", order);
    CHECK(r, osSemaphoreRelease(sem) == osOK, "release");
    CHECK(r, order_is("LHhl"), "second token: %s", order);
    CHECK(r, sem_status[0] == osOK && sem_status[1] == osOK, "acquired: %d %d", sem_status[0], sem_status[1]);
    for (unsigned i = 0; i < 3; i++)
        CHECK(r, osSemaphoreRelease(sem) == osOK, "release %u", i);
    CHECK(r, osSemaphoreRelease(sem) == osErrorResource, "released past the maximum");
    CHECK(r, osSemaphoreGetCount(sem) == 3, "count %u", osSemaphoreGetCount(sem));
    CHECK(r, osSemaphoreNew(2, 3, NULL) == NULL, "initial above maximum");
out:
    end_all();
    osSemaphoreDelete(sem);
}

/* A binary semaphore: a timeout, a token given to a waiter, a waiter told of its deletion. */
KTEST(test_rtos_semaphore_binary, "rtos.semaphore_binary_timeout")
{
    uint64_t t0, waited;

    begin();
    order_reset();
    sem = osSemaphoreNew(1, 0, NULL);
    CHECK(r, sem, "osSemaphoreNew failed");
    t0 = rtos_systimer();
    CHECK(r, osSemaphoreAcquire(sem, 5) == osErrorTimeout, "no timeout");
    waited = rtos_systimer() - t0;
    CHECK(r, waited >= 5ull * osKernelGetSysTimerFreq() / 1000, "timed out after %u ns", counts_to_ns(waited));
    CHECK(r, start(sem_taker, (void *)'L', osPriorityNormal, "taker"), "osThreadNew failed");
    CHECK(r, osSemaphoreRelease(sem) == osOK && order_is("Ll"), "the waiter: %s", order);
    CHECK(r, sem_status[0] == osOK && osSemaphoreGetCount(sem) == 0, "status %d", sem_status[0]);
    CHECK(r, osSemaphoreRelease(sem) == osOK && osSemaphoreRelease(sem) == osErrorResource, "binary");
    CHECK(r, osSemaphoreAcquire(sem, 0) == osOK, "the token");
    CHECK(r, start(sem_taker, (void *)'L', osPriorityNormal, "taker"), "osThreadNew failed");
    CHECK(r, osSemaphoreDelete(sem) == osOK && order_is("LlLl"), "deleted: %s", order);
    CHECK(r, sem_status[0] == osErrorResource, "the waiter of a deleted semaphore: %d", sem_status[0]);
    CHECK(r, osSemaphoreAcquire(sem, 0) == osErrorParameter, "a deleted semaphore");
    r->value = counts_to_ns(waited);
out:
    end_all();
    osSemaphoreDelete(sem);
}

/* ---- mutexes ----------------------------------------------------------------------------------- */

static osMutexId_t mtx, mtx2;
static volatile int32_t mtx_status;

static void mutex_taker(void *arg)
{
    mtx_status = osMutexAcquire(mtx, (uint32_t)arg);
    mark(mtx_status == osOK ? 'T' : 't');
    if (mtx_status == osOK && (uint32_t)arg == osWaitForever)
        osThreadFlagsWait(0x40u, osFlagsWaitAny, osWaitForever);    /* holds it until ended */
    else if (mtx_status == osOK)
        osMutexRelease(mtx);
}

/* Recursive and not, owner-only release, timeout, hand-over to a waiter, and the mutexes of
 * an ended task released. */
KTEST(test_rtos_mutex, "rtos.mutex")
{
    osMutexAttr_t recursive = { .name = "rec", .attr_bits = osMutexRecursive | osMutexPrioInherit };
    osThreadId_t t;

    begin();
    order_reset();
    mtx = osMutexNew(&recursive);
    mtx2 = osMutexNew(NULL);
    CHECK(r, mtx && mtx2, "osMutexNew failed");
    for (unsigned i = 0; i < 3; i++)
        CHECK(r, osMutexAcquire(mtx, 0) == osOK, "recursive acquisition %u", i);
    CHECK(r, osMutexGetOwner(mtx) == main_id, "owner");
    CHECK(r, osMutexAcquire(mtx2, 0) == osOK && osMutexAcquire(mtx2, 0) == osErrorResource, "not recursive");
    CHECK(r, osMutexRelease(mtx2) == osOK && osMutexRelease(mtx2) == osErrorResource, "released twice");
    /* a task times out on it, then waits and gets it at the last release */
    CHECK(r, start(mutex_taker, (void *)5, osPriorityNormal, "taker"), "osThreadNew failed");
    CHECK(r, osDelay(10) == osOK && order_is("t") && mtx_status == osErrorTimeout, "timeout: %s %d", order,
          mtx_status);
    CHECK(r, start(mutex_taker, (void *)WAIT_MS, osPriorityNormal, "taker"), "osThreadNew failed");
    CHECK(r, osMutexRelease(mtx) == osOK && osMutexRelease(mtx) == osOK && order_is("t"), "released early");
    CHECK(r, osMutexRelease(mtx) == osOK && order_is("tT"), "not handed on: %s", order);
    CHECK(r, osMutexGetOwner(mtx) == NULL && osMutexRelease(mtx) == osErrorResource, "a free mutex released");
    /* an owner that ends: its mutex is free again */
    t = start(mutex_taker, (void *)osWaitForever, osPriorityNormal, "holder");
    CHECK(r, t && osMutexGetOwner(mtx) == t, "the holder");
    CHECK(r, osMutexRelease(mtx) == osErrorResource, "released by another thread");
    CHECK(r, osThreadTerminate(t) == osOK && osMutexGetOwner(mtx) == NULL, "an ended owner keeps it");
    CHECK(r, osMutexAcquire(mtx, 0) == osOK && osMutexRelease(mtx) == osOK, "not free after its owner");
out:
    end_all();
    osMutexDelete(mtx);
    osMutexDelete(mtx2);
}

/*
 * Priority inversion.  A low task takes the mutex and starts a high task, which blocks on it,
 * and a medium task that only computes.  With inheritance the low task runs at the high one's
 * priority until it releases the mutex, so the high task has it before the medium task runs;
 * without, the medium task preempts the low one and finishes first: the high task waits for a
 * less important task it shares nothing with.
 */
static volatile uint32_t seq, high_got, medium_done, low_boosted;

static void compute(void)
{
    for (volatile uint32_t i = 0; i < 100000; i++)
        ;
}

static void inv_high(void *arg)
{
    (void)arg;
    if (osMutexAcquire(mtx, WAIT_MS) == osOK) {
        high_got = ++seq;
        osMutexRelease(mtx);
    }
}

static void inv_medium(void *arg)
{
    (void)arg;
    compute();
    medium_done = ++seq;
}

static void inv_low(void *arg)
{
    (void)arg;
    osMutexAcquire(mtx, osWaitForever);
    start(inv_high, NULL, osPriorityHigh, "high");          /* blocks on the mutex */
    low_boosted = rtos_thread_l4_priority(osThreadGetId());
    start(inv_medium, NULL, osPriorityAboveNormal, "medium");
    compute();                                              /* the critical section's work */
    osMutexRelease(mtx);
    osThreadFlagsSet(main_id, DONE);
}

static int inversion(bool inherit)
{
    osMutexAttr_t attr = { .name = "inversion", .attr_bits = osMutexPrioInherit };
    bool was = rtos_set_priority_inheritance(inherit);

    seq = high_got = medium_done = low_boosted = 0;
    mtx = osMutexNew(&attr);
    rtos_set_priority_inheritance(was);
    if (!mtx || !start(inv_low, NULL, osPriorityBelowNormal, "low"))
        return -1;
    return wait_done();
}

KTEST(test_rtos_inheritance, "rtos.mutex_inheritance")
{
    begin();
    CHECK(r, inversion(true) == 0, "the scenario did not finish");
    CHECK(r, low_boosted == rtos_l4_priority(osPriorityHigh), "the owner ran at %u", low_boosted);
    CHECK(r, high_got && high_got < medium_done, "the high task got the mutex at %u, the medium task finished at %u",
          high_got, medium_done);
    test_note(r, "high task has the mutex (step %u) before the medium task finishes (step %u)", high_got,
              medium_done);
out:
    end_all();
    osMutexDelete(mtx);
}

/* The same scenario with inheritance switched off: this test passes when it OBSERVES the
 * inversion (the medium task finishes before the high task gets the mutex), which shows that
 * the scenario does catch the failure inheritance prevents. */
KTEST(test_rtos_inversion, "rtos.mutex_inversion_without_inheritance")
{
    begin();
    CHECK(r, inversion(false) == 0, "the scenario did not finish");
    CHECK(r, low_boosted == rtos_l4_priority(osPriorityBelowNormal), "the owner ran at %u", low_boosted);
    CHECK(r, medium_done && medium_done < high_got, "no inversion: high task at %u, medium task at %u",
          high_got, medium_done);
    test_note(r, "inversion observed: the medium task finished (step %u) before the high task got the mutex (step %u)",
              medium_done, high_got);
out:
    end_all();
    osMutexDelete(mtx);
}

/* Chains: L holds A; M holds B and waits for A; H waits for B.  L runs at H's priority.  And a
 * waiter that times out takes back what it lent. */
static volatile uint32_t chain_prio[3];

static void chain_high(void *arg)
{
    (void)arg;
    if (osMutexAcquire(mtx2, WAIT_MS) == osOK)
        osMutexRelease(mtx2);
}

static void chain_mid(void *arg)
{
    (void)arg;
    osMutexAcquire(mtx2, osWaitForever);
    if (osMutexAcquire(mtx, WAIT_MS) == osOK)
        osMutexRelease(mtx);
    osMutexRelease(mtx2);
}

static void chain_timeout(void *arg)
{
    (void)arg;
    osMutexAcquire(mtx, 3);
}

static void chain_low(void *arg)
{
    osThreadId_t me = osThreadGetId();

    (void)arg;
    osMutexAcquire(mtx, osWaitForever);
    start(chain_mid, NULL, osPriorityNormal, "mid");        /* takes B, waits for A */
    start(chain_high, NULL, osPriorityHigh, "high");        /* waits for B */
    chain_prio[0] = rtos_thread_l4_priority(me);
    osMutexRelease(mtx);                                    /* M, then H, run now */
    chain_prio[1] = rtos_thread_l4_priority(me);
    osMutexAcquire(mtx, osWaitForever);
    start(chain_timeout, NULL, osPriorityRealtime, "timeout");
    osDelay(6);                                             /* it gives up meanwhile */
    chain_prio[2] = rtos_thread_l4_priority(me);
    osMutexRelease(mtx);
    osThreadFlagsSet(main_id, DONE);
}

KTEST(test_rtos_inheritance_chain, "rtos.mutex_inheritance_chain")
{
    osMutexAttr_t attr = { .name = "chain", .attr_bits = osMutexPrioInherit };

    begin();
    mtx = osMutexNew(&attr);
    mtx2 = osMutexNew(&attr);
    CHECK(r, mtx && mtx2, "osMutexNew failed");
    CHECK(r, start(chain_low, NULL, osPriorityBelowNormal, "low"), "osThreadNew failed");
    CHECK(r, wait_done() == 0, "the chain did not finish");
    CHECK(r, chain_prio[0] == rtos_l4_priority(osPriorityHigh), "through the chain: %u", chain_prio[0]);
    CHECK(r, chain_prio[1] == rtos_l4_priority(osPriorityBelowNormal), "after the release: %u", chain_prio[1]);
    CHECK(r, chain_prio[2] == rtos_l4_priority(osPriorityBelowNormal), "after a timeout: %u", chain_prio[2]);
out:
    end_all();
    osMutexDelete(mtx);
    osMutexDelete(mtx2);
}

/* ---- message queues ---------------------------------------------------------------------------- */

static osMessageQueueId_t mq;
static volatile int32_t mq_status;
static volatile uint32_t mq_got;

static void mq_putter(void *arg)
{
    uint32_t v = (uint32_t)arg;

    mark('P');
    mq_status = osMessageQueuePut(mq, &v, 0, WAIT_MS);
    mark('p');
}

static void mq_getter(void *arg)
{
    uint32_t v = 0;

    (void)arg;
    mark('G');
    mq_status = osMessageQueueGet(mq, &v, NULL, WAIT_MS);
    mq_got = v;
    mark('g');
}

/* Messages leave by priority, FIFO among equals; a put to a full queue waits for a get; a get
 * from an empty one waits for a put, or times out. */
KTEST(test_rtos_queue, "rtos.message_queue")
{
    uint32_t v, n = 0;
    uint8_t prio;
    uint64_t t0, waited;
    static const uint32_t sent[4][2] = { { 1, 0 }, { 2, 5 }, { 3, 0 }, { 4, 5 } };   /* value, priority */
    static const uint32_t want[4] = { 2, 4, 1, 3 };

    begin();
    order_reset();
    mq = osMessageQueueNew(4, sizeof v, NULL);
    CHECK(r, mq, "osMessageQueueNew failed");
    CHECK(r, osMessageQueueGetCapacity(mq) == 4 && osMessageQueueGetMsgSize(mq) == 4, "geometry");
    for (unsigned i = 0; i < 4; i++)
        CHECK(r, osMessageQueuePut(mq, &sent[i][0], (uint8_t)sent[i][1], 0) == osOK, "put %u", i);
    CHECK(r, osMessageQueueGetCount(mq) == 4 && osMessageQueueGetSpace(mq) == 0, "count");
    v = 9;
    CHECK(r, osMessageQueuePut(mq, &v, 0, 0) == osErrorResource, "put to a full queue");
    /* a putter waits for room; it gets it with the first get */
    CHECK(r, start(mq_putter, (void *)7, osPriorityNormal, "putter") && order_is("P"), "putter: %s", order);
    for (unsigned i = 0; i < 4; i++) {
        CHECK(r, osMessageQueueGet(mq, &v, &prio, 0) == osOK, "get %u", i);
        CHECK(r, v == want[i], "message %u is %u, not %u", i, v, want[i]);
        n += v;
    }
    CHECK(r, order_is("Pp") && mq_status == osOK, "the putter: %s %d", order, mq_status);
    CHECK(r, osMessageQueueGet(mq, &v, NULL, 0) == osOK && v == 7, "the waiting put: %u", v);
    /* a getter waits for a message: the put goes straight to it */
    CHECK(r, start(mq_getter, NULL, osPriorityNormal, "getter") && order_is("PpG"), "getter: %s", order);
    v = 42;
    CHECK(r, osMessageQueuePut(mq, &v, 0, 0) == osOK && order_is("PpGg") && mq_got == 42,
          "the waiting get: %s %u", order, mq_got);
    CHECK(r, osMessageQueueGetCount(mq) == 0, "count %u", osMessageQueueGetCount(mq));
    t0 = rtos_systimer();
    CHECK(r, osMessageQueueGet(mq, &v, NULL, 4) == osErrorTimeout, "no timeout");
    waited = rtos_systimer() - t0;
    CHECK(r, waited >= 4ull * osKernelGetSysTimerFreq() / 1000, "timed out after %u ns", counts_to_ns(waited));
    r->value = n;
out:
    end_all();
    osMessageQueueDelete(mq);
}

/* ---- event flags ------------------------------------------------------------------------------- */

static osEventFlagsId_t ef;
static volatile uint32_t ef_got[3];

static void ef_waiter(void *arg)
{
    uint32_t i = (uint32_t)arg;
    static const uint32_t mask[3] = { 0x3u, 0x3u, 0x4u }, options[3] = { osFlagsWaitAll, osFlagsWaitAny | osFlagsNoClear,
                                                                           osFlagsWaitAny };

    ef_got[i] = osEventFlagsWait(ef, mask[i], options[i], i == 2 ? 5 : WAIT_MS);
    mark((char)('0' + i));
}

/* Any, all, no-clear and a timeout, with several waiters on one object. */
KTEST(test_rtos_event_flags, "rtos.event_flags")
{
    begin();
    order_reset();
    ef = osEventFlagsNew(NULL);
    CHECK(r, ef, "osEventFlagsNew failed");
    CHECK(r, start(ef_waiter, (void *)0, osPriorityHigh, "all"), "osThreadNew failed");
    CHECK(r, start(ef_waiter, (void *)1, osPriorityNormal, "any"), "osThreadNew failed");
    CHECK(r, osEventFlagsSet(ef, 0x1u) == 0x1u, "set 0x1");
    CHECK(r, order_is("1") && ef_got[1] == 0x1u, "any: %s %x", order, ef_got[1]);
    CHECK(r, osEventFlagsSet(ef, 0x2u) == 0 && order_is("10"), "all: %s", order);
    CHECK(r, ef_got[0] == 0x3u && osEventFlagsGet(ef) == 0, "all took %x, left %x", ef_got[0], osEventFlagsGet(ef));
    CHECK(r, start(ef_waiter, (void *)2, osPriorityNormal, "timeout"), "osThreadNew failed");
    CHECK(r, osDelay(8) == osOK && order_is("102") && ef_got[2] == osFlagsErrorTimeout, "timeout: %s %x",
          order, ef_got[2]);
    CHECK(r, osEventFlagsSet(ef, 0x30u) == 0x30u && osEventFlagsClear(ef, 0x10u) == 0x30u, "clear");
    CHECK(r, osEventFlagsWait(ef, 0x30u, osFlagsWaitAll, 0) == osFlagsErrorResource, "all of 0x30");
    CHECK(r, osEventFlagsWait(ef, 0x30u, osFlagsWaitAny, 0) == 0x20u && osEventFlagsGet(ef) == 0, "any of 0x30");
    CHECK(r, osEventFlagsSet(ef, 0x80000000u) == osFlagsErrorParameter, "bit 31 set");
out:
    end_all();
    osEventFlagsDelete(ef);
}

/* ---- software timers --------------------------------------------------------------------------- */

static volatile uint32_t fires[2];
static volatile uint64_t fire_at[12];

static void on_timer(void *arg)
{
    uint32_t i = (uint32_t)arg;

    if (i == 1 && fires[1] < 12)
        fire_at[fires[1]] = rtos_systimer();
    fires[i]++;
}

/* A one-shot timer fires once; a periodic one fires every period (10 periods of 2 ticks, each
 * firing on its schedule from the start: no drift); a stopped one no more. */
KTEST(test_rtos_timers, "rtos.timers")
{
    osTimerId_t once, periodic;
    uint64_t t0, period = 2ull * osKernelGetSysTimerFreq() / 1000;
    uint32_t late = 0;

    begin();
    fires[0] = fires[1] = 0;
    once = osTimerNew(on_timer, osTimerOnce, (void *)0, NULL);
    periodic = osTimerNew(on_timer, osTimerPeriodic, (void *)1, NULL);
    CHECK(r, once && periodic, "osTimerNew failed");
    CHECK(r, osTimerStop(once) == osErrorResource, "a timer not running stopped");
    t0 = rtos_systimer();
    CHECK(r, osTimerStart(once, 3) == osOK && osTimerStart(periodic, 2) == osOK, "start failed");
    CHECK(r, osTimerIsRunning(periodic), "not running");
    CHECK(r, osDelay(21) == osOK, "delay");
    CHECK(r, osTimerStop(periodic) == osOK, "stop");
    CHECK(r, fires[0] == 1 && !osTimerIsRunning(once), "the one-shot fired %u times", fires[0]);
    CHECK(r, fires[1] == 10, "the periodic timer fired %u times in 10 periods", fires[1]);
    for (unsigned i = 0; i < 10; i++) {
        CHECK(r, fire_at[i] >= t0 + (i + 1) * period, "firing %u early", i);
        if (fire_at[i] - (t0 + (i + 1) * period) > late)
            late = (uint32_t)(fire_at[i] - (t0 + (i + 1) * period));
    }
    CHECK(r, osDelay(5) == osOK && fires[1] == 10, "fired after being stopped");
    CHECK(r, osTimerStart(periodic, 0) == osErrorParameter, "a period of 0");
    r->value = counts_to_ns(late);
    test_note(r, "10 periods: worst callback %u ns after its deadline", r->value);
out:
    osTimerDelete(once);
    osTimerDelete(periodic);
    end_all();
}

/* ---- benchmarks ---------------------------------------------------------------------------------- */

/* An uncontended give and take: two requests to the server, no other task runs. */
KBENCH(bench_sem_give_take, "rtos.sem_give_take")
{
    osSemaphoreId_t s = osSemaphoreNew(1, 0, NULL);

    if (!s)
        return PROTO_TEST_ERROR;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c0 = l4_cycles();
        osSemaphoreRelease(s);
        osSemaphoreAcquire(s, 0);
        samples[i] = l4_cycles() - c0;
    }
    osSemaphoreDelete(s);
    return PROTO_TEST_PASS;
}

static osSemaphoreId_t ping, pong;

static void ponger(void *arg)
{
    (void)arg;
    for (;;) {
        if (osSemaphoreAcquire(ping, osWaitForever) != osOK)
            return;
        osSemaphoreRelease(pong);
    }
}

/* A round trip through two semaphores: the main thread gives `ping`, which wakes a task that
 * gives `pong` back and waits again; the main thread takes `pong`.  Two switches between
 * threads, four requests to the server. */
KBENCH(bench_sem_roundtrip, "rtos.sem_roundtrip")
{
    uint32_t result = PROTO_TEST_PASS;

    begin();
    ping = osSemaphoreNew(1, 0, NULL);
    pong = osSemaphoreNew(1, 0, NULL);
    if (!ping || !pong || !start(ponger, NULL, osPriorityHigh, "ponger")) {
        result = PROTO_TEST_ERROR;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c0 = l4_cycles();
        osSemaphoreRelease(ping);
        osSemaphoreAcquire(pong, osWaitForever);
        samples[i] = l4_cycles() - c0;
    }
out:
    end_all();
    osSemaphoreDelete(ping);
    osSemaphoreDelete(pong);
    return result;
}

static uint32_t *switch_samples, switch_n;
static volatile uint32_t switch_stamp, switch_i;

static void switcher(void *arg)
{
    while (switch_i < switch_n) {
        switch_stamp = l4_cycles();
        osThreadYield();                            /* to the other one */
        if (switch_i < switch_n)
            switch_samples[switch_i++] = l4_cycles() - switch_stamp;
    }
    if ((uint32_t)arg)
        osThreadFlagsSet(main_id, DONE);
}

static void switch_creator(void *arg)
{
    (void)arg;
    start(switcher, (void *)0, osPriorityNormal, "switch-a");
    start(switcher, (void *)1, osPriorityNormal, "switch-b");
}

/* A context switch between two tasks of one priority (osThreadYield: the kernel alone). */
KBENCH(bench_context_switch, "rtos.context_switch")
{
    uint32_t result = PROTO_TEST_PASS;

    begin();
    switch_samples = samples;
    switch_n = n;
    switch_i = 0;
    if (!start(switch_creator, NULL, osPriorityHigh, "creator") || wait_done() != 0)
        result = PROTO_TEST_FAIL;
    end_all();
    return result;
}

/* osDelayUntilSysTimer: from the edge to the task running, in cycles (from counter values). */
static uint32_t *wake_samples, wake_n;

static void waker(void *arg)
{
    uint64_t step = osKernelGetSysTimerFreq() / 5000, edge;     /* 200 us ahead */

    (void)arg;
    for (uint32_t i = 0; i < wake_n; i++) {
        edge = rtos_systimer() + step;
        osDelayUntilSysTimer(edge);
        wake_samples[i] = (uint32_t)((rtos_systimer() - edge) * l4_kip()->cycle_hz / osKernelGetSysTimerFreq());
    }
    osThreadFlagsSet(main_id, DONE);
}

KBENCH(bench_systimer_wakeup, "rtos.systimer_wakeup")
{
    uint32_t result = PROTO_TEST_PASS;

    begin();
    wake_samples = samples;
    wake_n = n;
    if (!start(waker, NULL, osPriorityRealtime7, "waker") || osThreadFlagsWait(DONE, osFlagsWaitAny, 30000) & osFlagsError)
        result = PROTO_TEST_FAIL;
    end_all();
    return result;
}
