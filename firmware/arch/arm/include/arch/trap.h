/* Exception entry points called from vectors.S. */
#pragma once

#include <stdint.h>

typedef void (*irq_handler_t)(void);

/* Route interrupt `irq` to `handler` (called with IRQs masked, before the EOI). */
void irq_register(unsigned irq, irq_handler_t handler);

/* From vectors.S. */
void trap_irq(void);
void trap_fatal(uint32_t kind, const uint32_t *frame, uint32_t spsr) __attribute__((noreturn));

/* Interrupts taken and spurious acknowledges since boot. */
extern volatile uint32_t irq_count;
