/*
 * ARM PL011 UART.  QEMU's model needs no baud-rate set-up; a real board's firmware side would
 * program IBRD/FBRD here from its clock.
 */
#include <stdint.h>

#include "board.h"
#include "machine/io.h"
#include "machine/uart.h"

#define UART_DR     0x000
#define UART_FR     0x018
#define UART_LCR_H  0x02c
#define UART_CR     0x030
#define UART_IFLS   0x034
#define UART_IMSC   0x038
#define UART_ICR    0x044

#define FR_RXFE     (1u << 4)
#define FR_TXFF     (1u << 5)
#define LCR_FEN     (1u << 4)
#define LCR_WLEN8   (3u << 5)
#define CR_UARTEN   (1u << 0)
#define CR_TXE      (1u << 8)
#define CR_RXE      (1u << 9)
#define IMSC_RX     (1u << 4)
#define IMSC_RT     (1u << 6)

static inline volatile uint32_t *reg(unsigned off)
{
    return (volatile uint32_t *)(IO_ADDR(BOARD_UART_BASE) + off);
}

void uart_init(void)
{
    *reg(UART_CR) = 0;
    *reg(UART_IMSC) = 0;
    *reg(UART_ICR) = 0x7ff;
    *reg(UART_LCR_H) = LCR_FEN | LCR_WLEN8;
    *reg(UART_CR) = CR_UARTEN | CR_TXE | CR_RXE;
}

void uart_putc(uint8_t c)
{
    while (*reg(UART_FR) & FR_TXFF)
        ;
    *reg(UART_DR) = c;
}

void uart_write(const uint8_t *buf, unsigned len)
{
    while (len--)
        uart_putc(*buf++);
}

int uart_getc(void)
{
    if (*reg(UART_FR) & FR_RXFE)
        return -1;
    return (int)(*reg(UART_DR) & 0xff);
}

void uart_rx_irq_enable(void)
{
    *reg(UART_IMSC) = IMSC_RX | IMSC_RT;
}
