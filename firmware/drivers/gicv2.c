/*
 * ARM GICv2: distributor and CPU interface, one CPU.  Every interrupt is level-or-edge as the
 * reset state says, group 0, priority 0xa0, routed to CPU 0.
 */
#include <stdint.h>

#include "board.h"
#include "machine/intc.h"
#include "machine/io.h"

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800

#define GICC_CTLR       0x000
#define GICC_PMR        0x004
#define GICC_BPR        0x008
#define GICC_IAR        0x00c
#define GICC_EOIR       0x010

#define IRQ_PRIORITY    0xa0u

static inline volatile uint32_t *gicd(unsigned off)
{
    return (volatile uint32_t *)(IO_ADDR(BOARD_GICD_BASE) + off);
}

static inline volatile uint32_t *gicc(unsigned off)
{
    return (volatile uint32_t *)(IO_ADDR(BOARD_GICC_BASE) + off);
}

void intc_init(void)
{
    unsigned lines = ((*gicd(GICD_TYPER) & 0x1f) + 1) * 32;

    *gicd(GICD_CTLR) = 0;
    for (unsigned i = 0; i < lines; i += 32) {
        *gicd(GICD_ICENABLER + i / 8) = 0xffffffffu;
        *gicd(GICD_ICPENDR + i / 8) = 0xffffffffu;
    }
    for (unsigned i = 0; i < lines; i += 4) {
        *gicd(GICD_IPRIORITYR + i) = IRQ_PRIORITY * 0x01010101u;
        if (i >= 32)
            *gicd(GICD_ITARGETSR + i) = 0x01010101u;
    }
    *gicd(GICD_CTLR) = 1;
    *gicc(GICC_PMR) = 0xf0;
    *gicc(GICC_BPR) = 0;
    *gicc(GICC_CTLR) = 1;
}

void intc_enable(unsigned irq)
{
    *gicd(GICD_ISENABLER + irq / 32 * 4) = 1u << (irq % 32);
}

void intc_disable(unsigned irq)
{
    *gicd(GICD_ICENABLER + irq / 32 * 4) = 1u << (irq % 32);
}

unsigned intc_ack(void)
{
    return *gicc(GICC_IAR) & 0x3ff;
}

void intc_eoi(unsigned irq)
{
    *gicc(GICC_EOIR) = irq;
}

void intc_set_pending(unsigned irq)
{
    *gicd(GICD_ISPENDR + irq / 32 * 4) = 1u << (irq % 32);
}

void intc_park_others(void (*park)(void))
{
    (void)park;                 /* one CPU (QEMU's virt starts the others powered off) */
}

int intc_owns(uint32_t page)
{
    return page - BOARD_GICD_BASE < 0x20000;      /* the distributor and the CPU interface */
}

void intc_shutdown(void)
{
    *gicc(GICC_CTLR) = 0;
    *gicd(GICD_CTLR) = 0;
}
