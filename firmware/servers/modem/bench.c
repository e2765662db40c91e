/*
 * The modem's benchmarks (`rig bench modem`): the frame timer's wake-up latency through the
 * same path the frame clock takes, and the cost of layer 1's work per burst and per block.
 * Samples in cycles, as every benchmark's; under QEMU with -icount shift=0 a cycle is an
 * instruction.
 *
 * The equaliser's input is a synthetic burst (MSK phase steps of the burst's bits, the cell's
 * training sequence in the middle): its cost, not its decoding, is measured here; the decoding
 * is tested on the host against the simulator (tests/host/test_modem_phy.py) and end to end by
 * the scenarios.
 */
#include "board.h"
#include "l1/bursts.h"
#include "l1/coding.h"
#include "l1/equalizer.h"
#include "l4.h"
#include "lib/string.h"
#include "rtos.h"
#include "testsrv.h"

static uint32_t lcg = 12345;

static unsigned random_bit(void)
{
    lcg = lcg * 1103515245u + 12345u;
    return lcg >> 31;
}

/* A normal burst with training sequence `tsc` in the window, on time, as MSK phase steps. */
static void synthetic_burst(int16_t iq[2 * EQ_WINDOW], unsigned tsc)
{
    static const int16_t cos4[4] = { EQ_SAMPLE_SCALE, 0, -EQ_SAMPLE_SCALE, 0 };
    unsigned prev = 0, phase = 0;

    memset(iq, 0, 2 * EQ_WINDOW * sizeof *iq);
    for (unsigned n = 0; n < GSM_BURST_SYMBOLS; n++) {
        unsigned bit;
        if (n < GSM_TAIL_BITS || n >= GSM_BURST_SYMBOLS - GSM_TAIL_BITS)
            bit = 0;
        else if (n >= GSM_NB_TRAINING_START && n < GSM_NB_TRAINING_START + GSM_TSC_BITS)
            bit = gsm_tsc[tsc][n - GSM_NB_TRAINING_START];
        else
            bit = random_bit();
        phase = (phase + ((bit ^ prev) ? 3u : 1u)) & 3u;   /* d = 0: +90 degrees, d = 1: -90 */
        prev = bit;
        iq[2 * (EQ_BURST_START + n)] = cos4[phase];
        iq[2 * (EQ_BURST_START + n) + 1] = cos4[(phase + 3) & 3];
    }
}

KBENCH(bench_equalizer, "modem.equalizer")
{
    static int16_t iq[2 * EQ_WINDOW];
    int8_t soft[EQ_NB_SOFT];
    struct eq_report rep;

    synthetic_burst(iq, 3);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c0 = l4_cycles();
        eq_normal_burst(iq, 3, soft, &rep);
        samples[i] = l4_cycles() - c0;
    }
    return PROTO_TEST_PASS;
}

KBENCH(bench_viterbi_xcch, "modem.viterbi_xcch")
{
    static uint8_t bits[4][GSM_BURST_BITS];
    static int8_t soft[4][GSM_BURST_BITS];
    uint8_t l2[GSM_L2_OCTETS], out[GSM_L2_OCTETS];
    unsigned errors;
    uint32_t status = PROTO_TEST_PASS;

    for (unsigned i = 0; i < sizeof l2; i++)
        l2[i] = (uint8_t)(i * 37 + 11);
    gsm_xcch_encode(l2, bits);
    for (unsigned b = 0; b < 4; b++) {
        for (unsigned i = 0; i < GSM_BURST_BITS; i++)
            soft[b][i] = bits[b][i] ? 60 : -60;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c0 = l4_cycles();
        int ok = gsm_xcch_decode(soft, out, &errors);
        samples[i] = l4_cycles() - c0;
        if (ok != GSM_CODING_OK || memcmp(out, l2, sizeof l2))
            status = PROTO_TEST_FAIL;
    }
    return status;
}

/* ---- the frame timer's wake-up latency ------------------------------------------------ */

static uint32_t *latency_samples;
static uint32_t latency_n;
static volatile uint32_t latency_done;

static void latency_task(void *arg)
{
    uint64_t hz = l4_counter_hz(), period = hz / 2000;     /* 500 us between wake-ups */
    uint64_t deadline = rtos_systimer() + period;

    (void)arg;
    for (uint32_t i = 0; i < latency_n; i++, deadline += period) {
        osDelayUntilSysTimer(deadline);
        uint64_t late = rtos_systimer() - deadline;
        latency_samples[i] = (uint32_t)(late * BOARD_CYCLE_HZ / hz);
    }
    latency_done = 1;
    osThreadExit();
}

/* From the virtual timer's compare value to the frame clock's priority running: the user
 * timer's interrupt, its IPC to the task layer's server, the server's wake-up of the task. */
KBENCH(bench_frame_irq, "modem.frame_irq_latency")
{
    static uint64_t stack[512];
    const osThreadAttr_t attr = {
        .name = "latency", .stack_mem = stack, .stack_size = sizeof stack,
        .priority = osPriorityRealtime7,
    };

    latency_samples = samples;
    latency_n = n;
    latency_done = 0;
    if (!osThreadNew(latency_task, NULL, &attr))
        return PROTO_TEST_ERROR;
    while (!latency_done)
        osDelay(1);
    return PROTO_TEST_PASS;
}

/* ---- a timer's interrupt to its user-level handler, interrupting a spinning thread ---- */

/*
 * sel4bench's irquser shape: a low-priority thread spins, storing the cycle counter; a timer
 * fires; the sample runs from the spinner's last store to the handler's first counter read.
 * The timer is the user timer, the modem's frame clock line, and its handler the task layer's
 * server (it stamps `rtos_timer_arrived` first thing), in the spinner's address space.  A
 * real-time task asks for each expiry, 200 us apart, and takes the difference after it wakes.
 */
#define IRQUSER_DONE 1u

static volatile uint32_t spin_stamp, spin_stop;
static uint32_t *irquser_samples, irquser_n;
static osThreadId_t irquser_main;

static void spinner(void *arg)
{
    (void)arg;
    while (!spin_stop)
        spin_stamp = l4_cycles();
    osThreadExit();
}

static void irquser_task(void *arg)
{
    uint64_t period = osKernelGetSysTimerFreq() / 5000, deadline = rtos_systimer() + period;

    (void)arg;
    for (uint32_t i = 0; i < irquser_n; i++, deadline += period) {
        osDelayUntilSysTimer(deadline);
        irquser_samples[i] = rtos_timer_arrived - spin_stamp;
    }
    spin_stop = 1;
    osThreadFlagsSet(irquser_main, IRQUSER_DONE);
    osThreadExit();
}

KBENCH(bench_irquser, "rtos.irquser")
{
    static uint64_t spin_stack[256], task_stack[512];
    const osThreadAttr_t spin_attr = {
        .name = "spinner", .stack_mem = spin_stack, .stack_size = sizeof spin_stack,
        .priority = osPriorityLow,
    }, task_attr = {
        .name = "irquser", .stack_mem = task_stack, .stack_size = sizeof task_stack,
        .priority = osPriorityRealtime7,
    };

    irquser_samples = samples;
    irquser_n = n;
    irquser_main = osThreadGetId();
    spin_stop = 0;
    osThreadFlagsClear(IRQUSER_DONE);
    /* the task first: it sleeps until its first deadline; the spinner then runs above this
     * thread (and above debugd) until the task stops it */
    if (!osThreadNew(irquser_task, NULL, &task_attr))
        return PROTO_TEST_ERROR;
    if (!osThreadNew(spinner, NULL, &spin_attr)) {
        irquser_n = 0;
        return PROTO_TEST_ERROR;
    }
    if (osThreadFlagsWait(IRQUSER_DONE, osFlagsWaitAny, 30000) & osFlagsError) {
        spin_stop = 1;
        return PROTO_TEST_FAIL;
    }
    return PROTO_TEST_PASS;
}
