/*
 * The interrupt controller, as generic code sees it.  The board's driver supplies it.
 * Interrupt IDs are the controller's own numbers (board.h names the ones the board uses).
 * All functions expect IRQs masked at the CPU, except where noted.
 */
#pragma once

#include <stdint.h>

#define INTC_SPURIOUS   1023u

void intc_init(void);
void intc_enable(unsigned irq);
void intc_disable(unsigned irq);
/* Acknowledge the highest-priority pending interrupt; returns its ID or INTC_SPURIOUS. */
unsigned intc_ack(void);
void intc_eoi(unsigned irq);
/* Mark `irq` pending, as if its line had fired (for tests and the host's injection). */
void intc_set_pending(unsigned irq);
/* Quiesce the controller before handing the CPU to another program. */
void intc_shutdown(void);
/* Send the other cores, which the board's firmware holds in a loop of its own, to `park`, where
 * they stay for good (the bootloader does this once, before anything else; the kernel runs on
 * this core alone).  Nothing to do where the other cores are off. */
void intc_park_others(void (*park)(void));
/* Whether physical page `page` holds the controller's registers: the kernel's alone, never
 * mapped to a user thread. */
int intc_owns(uint32_t page);
