/*
 * The console UART, as generic code sees it.  The board's driver supplies it.
 * None of these block for long: the only wait is for room in the transmit FIFO.
 */
#pragma once

#include <stdint.h>

void uart_init(void);
void uart_putc(uint8_t c);
void uart_write(const uint8_t *buf, unsigned len);
/* A received byte (0..255), or -1 when the receive FIFO is empty. */
int uart_getc(void);
/* Raise the receive interrupt while data waits (the kernel); the bootloader polls. */
void uart_rx_irq_enable(void);
