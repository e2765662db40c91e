/*
 * The console's receive side in the kernel: the UART interrupt drains the FIFO into a ring,
 * the main loop takes bytes out.  One producer (the IRQ), one consumer (the main loop).
 */
#pragma once

#include <stdint.h>

void console_init(void);
/* Next received byte, or -1 when none waits. */
int console_getc(void);
/* Bytes lost because the ring was full. */
extern volatile uint32_t console_dropped;
