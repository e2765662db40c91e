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

static volatile uint32_t periodic_start, periodic_last, periodic_late, periodic_early, periodic_worst;

static void periodic(void *arg)
{
    uint32_t hz = osKernelGetSysTimerFreq(), next = osKernelGetTickCount() + 1;

    (void)arg;
    osDelayUntil(next);                             /* start on a tick's edge */
    periodic_start = next;
    periodic_late = periodic_early = periodic_worst = 0;
    for (unsigned i = 0; i < PERIODS; i++) {
        next += PERIOD_TICKS;
        if (osDelayUntil(next) != osOK)
            periodic_late++;                        /* that tick had begun: a release missed */
        /* the release: the counter past tick `next`'s first value, by how much */
        uint64_t edge = ((uint64_t)next * hz + 999) / 1000, now = rtos_systimer();
        if (now < edge)
            periodic_early++;
        else if (now - edge > periodic_worst)
            periodic_worst = (uint32_t)(now - edge);
    }
    periodic_last = osKernelGetTickCount();
    osThreadFlagsSet(main_id, DONE);
}

/* osDelayUntil releases a periodic task on its ticks: 50 periods, none early, each within its
 * tick, the last one exactly start + 50 periods (no drift). */
KTEST(test_rtos_delay_until, "rtos.delay_until_periodic")
{
    uint32_t hz = osKernelGetSysTimerFreq();
    unsigned attempt = 0;
    int clean;

    begin();
    do {
        CHECK(r, start(periodic, NULL, osPriorityRealtime, "periodic"), "osThreadNew failed");
        CHECK(r, wait_done() == 0, "the periodic task did not finish");
        CHECK(r, periodic_early == 0, "%u releases before their tick", periodic_early);
        clean = periodic_late == 0 && periodic_worst < hz / 1000 &&
                periodic_last == periodic_start + PERIODS * PERIOD_TICKS;
    } while (!clean && ++attempt < ATTEMPTS);
    CHECK(r, periodic_late == 0, "%u releases missed", periodic_late);
    CHECK(r, periodic_last == periodic_start + PERIODS * PERIOD_TICKS, "last release at tick %u, not %u",
          periodic_last, periodic_start + PERIODS * PERIOD_TICKS);
    r->value = counts_to_ns(periodic_worst);
    CHECK(r, r->value < 1000000, "a release %u ns after its tick", r->value);
    CHECK(r, osDelayUntil(osKernelGetTickCount()) == osErrorParameter, "a tick begun is not past");
    test_note(r, "%u periods of %u ticks, worst release %u ns after its tick", PERIODS, PERIOD_TICKS,
              r->value);
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
        else if (s != osOK && systimer_status == osOK)
            systimer_status = s;                    /* late: the edge had passed */
        lat[i] = (uint32_t)(now - edge);
    }
    if (osDelayUntilSysTimer(edge) != osErrorParameter)
        systimer_status = -101;
    osThreadFlagsSet(main_id, DONE);
}

/* osDelayUntilSysTimer wakes its task at the counter value asked, never before, promptly: the
 * latency from the edge to the task running again. */
KTEST(test_rtos_delay_until_systimer, "rtos.delay_until_systimer")
{
    uint32_t sorted[SYSTIMER_RUNS];
    unsigned attempt = 0;

    begin();
    do {
        CHECK(r, start(frame_timer, NULL, osPriorityRealtime7, "frame"), "osThreadNew failed");
        CHECK(r, wait_done() == 0, "the task did not finish");
        CHECK(r, systimer_status != -100, "woke before its edge");
        CHECK(r, systimer_status != -101, "an edge passed did not return osErrorParameter");
        for (unsigned i = 0; i < SYSTIMER_RUNS; i++) {
            unsigned j = i;
            for (; j > 0 && sorted[j - 1] > lat[i]; j--)
                sorted[j] = sorted[j - 1];
            sorted[j] = lat[i];
        }
        r->value = counts_to_ns(sorted[SYSTIMER_RUNS - 1]);
    } while ((systimer_status != osOK || r->value >= 1000000) && ++attempt < ATTEMPTS);
    test_note(r, "wake-up latency (ns): min %u median %u max %u", counts_to_ns(sorted[0]),
              counts_to_ns(sorted[SYSTIMER_RUNS / 2]), r->value);
    CHECK(r, systimer_status == osOK, "status %d", systimer_status);
    CHECK(r, r->value < 1000000, "woke up to %u ns after its edge", r->value);
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
