/*
 * The Raspberry Pi 2's interrupt controllers, as one (machine/intc.h): the BCM2836 per-core
 * ("local") controller, which takes each core's generic-timer lines, its four mailboxes and one
 * line from the GPU, and the BCM2835 ARM controller behind that GPU line, which gathers the
 * peripherals' 64 lines.  Core 0 alone takes interrupts.  IDs:
 *
 *     0..31     the local controller's sources, by their bit in core 0's IRQ source register
 *               (0 CNTPSIRQ, 1 CNTPNSIRQ, 2 CNTHPIRQ, 3 CNTVIRQ: the timers; the others are
 *               not lines of their own here);
 *     32..95    the GPU's lines 0..63 (UART0 is 57: ID 89);
 *     96..127   software lines: the bits of core 0's mailbox 0.
 *
 * Neither controller can mark a line pending by hand, and the GIC's interface wants that
 * (intc_set_pending: the host's and the tests' injected interrupts), so software lines are
 * mailbox bits: setting one raises the mailbox's interrupt, which this driver keeps enabled
 * exactly while an enabled bit is set.  Lines are levels; there is nothing to end, so
 * intc_eoi does nothing, and a line stays quiet while disabled, as on the GIC.
 */
#include <stdint.h>

#include "board.h"
#include "machine/intc.h"
#include "machine/io.h"

/* The local controller (BOARD_LOCAL_BASE), core 0's registers */
#define LOCAL_GPU_ROUTE     0x0c        /* the GPU's IRQ and FIQ go to core 0 (0: reset value) */
#define LOCAL_TIMER_CTL     0x40        /* bits 0..3: the timer lines' IRQ enables */
#define LOCAL_MBOX_CTL      0x50        /* bits 0..3: the mailboxes' IRQ enables */
#define LOCAL_IRQ_SOURCE    0x60        /* what interrupts core 0 now */
#define LOCAL_MBOX0_SET     0x80        /* write: set these bits of mailbox 0 */
#define LOCAL_MBOX0_CLEAR   0xc0        /* read: mailbox 0; write: clear these bits */

#define SOURCE_TIMERS       0x0fu       /* the four timer lines */
#define SOURCE_MBOX0        (1u << 4)
#define SOURCE_GPU          (1u << 8)

#define LOCAL_MBOX3_SET(core) (0x8c + 0x10 * (core))    /* core n's mailbox 3: where its firmware waits */
#define CORES               4

/* The BCM2835 ARM controller (BOARD_INTC_BASE) */
#define GPU_PENDING1        0x04        /* GPU lines 0..31, enabled and raised */
#define GPU_PENDING2        0x08        /* ... 32..63 */
#define GPU_ENABLE1         0x10        /* write 1s: enable those lines */
#define GPU_DISABLE1        0x1c        /* write 1s: disable them */
#define GPU_DISABLE_BASIC   0x24        /* the ARM's own lines (its timer, doorbells) */

#define IRQ_GPU_FIRST       32u
#define IRQ_SOFT_FIRST      96u
#define IRQ_LINES           128u

static uint32_t gpu_enabled[2];         /* mirrors the GPU controller's enables */
static uint32_t soft_enabled;           /* software lines enabled: mailbox 0 bits */

static inline volatile uint32_t *local(unsigned off)
{
    return (volatile uint32_t *)(IO_ADDR(BOARD_LOCAL_BASE) + off);
}

static inline volatile uint32_t *gpu(unsigned off)
{
    return (volatile uint32_t *)(IO_ADDR(BOARD_INTC_BASE) + off);
}

static unsigned lowest_bit(uint32_t v)
{
    return (unsigned)__builtin_ctz(v);
}

/* Mailbox 0's interrupt is enabled exactly while an enabled software line is set, so that a
 * bit set on a disabled line waits without raising anything.  IRQs masked. */
static void soft_update(void)
{
    uint32_t ctl = *local(LOCAL_MBOX_CTL) & ~1u;

    if (*local(LOCAL_MBOX0_CLEAR) & soft_enabled)
        ctl |= 1u;
    *local(LOCAL_MBOX_CTL) = ctl;
}

void intc_init(void)
{
    *local(LOCAL_GPU_ROUTE) = 0;
    *local(LOCAL_TIMER_CTL) = 0;
    *local(LOCAL_MBOX_CTL) = 0;
    *local(LOCAL_MBOX0_CLEAR) = 0xffffffffu;
    *gpu(GPU_DISABLE1) = 0xffffffffu;
    *gpu(GPU_DISABLE1 + 4) = 0xffffffffu;
    *gpu(GPU_DISABLE_BASIC) = 0xffffffffu;
    gpu_enabled[0] = gpu_enabled[1] = 0;
    soft_enabled = 0;
}

void intc_enable(unsigned irq)
{
    if (irq < IRQ_GPU_FIRST) {
        if ((1u << irq) & SOURCE_TIMERS)
            *local(LOCAL_TIMER_CTL) |= 1u << irq;
    } else if (irq < IRQ_SOFT_FIRST) {
        unsigned n = irq - IRQ_GPU_FIRST;
        gpu_enabled[n / 32] |= 1u << (n % 32);
        *gpu(GPU_ENABLE1 + n / 32 * 4) = 1u << (n % 32);
    } else if (irq < IRQ_LINES) {
        soft_enabled |= 1u << (irq - IRQ_SOFT_FIRST);
        soft_update();
    }
}

void intc_disable(unsigned irq)
{
    if (irq < IRQ_GPU_FIRST) {
        if ((1u << irq) & SOURCE_TIMERS)
            *local(LOCAL_TIMER_CTL) &= ~(1u << irq);
    } else if (irq < IRQ_SOFT_FIRST) {
        unsigned n = irq - IRQ_GPU_FIRST;
        gpu_enabled[n / 32] &= ~(1u << (n % 32));
        *gpu(GPU_DISABLE1 + n / 32 * 4) = 1u << (n % 32);
    } else if (irq < IRQ_LINES) {
        soft_enabled &= ~(1u << (irq - IRQ_SOFT_FIRST));
        soft_update();
    }
}

/* The lowest raised line, timers first (the kernel's tick among them), then software lines,
 * then the GPU's.  Taking a software line clears its bit: it fires once per intc_set_pending,
 * as an edge does on the GIC. */
unsigned intc_ack(void)
{
    uint32_t source = *local(LOCAL_IRQ_SOURCE), pending;

    if (source & SOURCE_TIMERS)
        return lowest_bit(source & SOURCE_TIMERS);
    if (source & SOURCE_MBOX0) {
        pending = *local(LOCAL_MBOX0_CLEAR) & soft_enabled;
        if (pending) {
            unsigned bit = lowest_bit(pending);
            *local(LOCAL_MBOX0_CLEAR) = 1u << bit;
            soft_update();
            return IRQ_SOFT_FIRST + bit;
        }
    }
    if (source & SOURCE_GPU) {
        if ((pending = *gpu(GPU_PENDING1) & gpu_enabled[0]) != 0)
            return IRQ_GPU_FIRST + lowest_bit(pending);
        if ((pending = *gpu(GPU_PENDING2) & gpu_enabled[1]) != 0)
            return IRQ_GPU_FIRST + 32 + lowest_bit(pending);
    }
    return INTC_SPURIOUS;
}

void intc_eoi(unsigned irq)
{
    (void)irq;
}

/* Only software lines can be raised by hand; for the others this does nothing. */
void intc_set_pending(unsigned irq)
{
    if (irq < IRQ_SOFT_FIRST || irq >= IRQ_LINES)
        return;
    *local(LOCAL_MBOX0_SET) = 1u << (irq - IRQ_SOFT_FIRST);
    soft_update();
}

/* The Pi's firmware (and QEMU) holds cores 1..3 in a loop that polls their mailbox 3 and
 * jumps to what is written there; that loop never sleeps, which under QEMU costs a host CPU
 * each. */
void intc_park_others(void (*park)(void))
{
    for (unsigned core = 1; core < CORES; core++)
        *local(LOCAL_MBOX3_SET(core)) = (uint32_t)park;
}

int intc_owns(uint32_t page)
{
    return page == (BOARD_INTC_BASE & ~0xfffu) || page - BOARD_LOCAL_BASE < 0x1000;
}

void intc_shutdown(void)
{
    intc_init();
}
