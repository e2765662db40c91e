/*
 * The kernel's tick timer, as generic code sees it.  The architecture supplies it (the ARM
 * generic timer); the kernel calls timer_irq() when its interrupt fires.
 */
#pragma once

#include <stdint.h>

#define TIMER_HZ    1000u       /* scheduler ticks per second */

void timer_init(void);
void timer_stop(void);
/* The timer's interrupt fired: reload it and count the tick.  IRQs masked. */
void timer_irq(void);
/* The free-running counter the timer compares against, and its frequency. */
uint64_t timer_counter(void);
uint32_t timer_counter_hz(void);

/* Ticks since timer_init; read by the host through READ_MEM. */
extern volatile uint32_t timer_ticks;
