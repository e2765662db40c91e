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

/* The user timer: a second compare channel (on ARM the generic timer's virtual one) that
 * the kernel never uses itself and lends, through InterruptControl, to the thread attached to
 * its line (BOARD_IRQ_VTIMER).  It fires once when the counter reaches `deadline`, a deadline
 * already past fires at once; the kernel disarms it when it fires. */
void timer_user_arm(uint64_t deadline);
void timer_user_disarm(void);

/* Ticks since timer_init; read by the host through READ_MEM. */
extern volatile uint32_t timer_ticks;
