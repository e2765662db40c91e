/* The console's receive ring (see console.h). */
#include "arch/trap.h"
#include "board.h"
#include "console.h"
#include "machine/intc.h"
#include "machine/uart.h"

#define RING_SIZE   8192u                   /* power of two */

static uint8_t ring[RING_SIZE];
static volatile uint32_t head;              /* written by the IRQ only */
static volatile uint32_t tail;              /* written by the main loop only */
volatile uint32_t console_dropped;

static void console_irq(void)
{
    int c;

    while ((c = uart_getc()) >= 0) {
        if (head - tail == RING_SIZE) {
            console_dropped++;
            continue;
        }
        ring[head % RING_SIZE] = (uint8_t)c;
        head = head + 1;
    }
}

void console_init(void)
{
    irq_register(BOARD_IRQ_UART, console_irq);
    uart_rx_irq_enable();
    intc_enable(BOARD_IRQ_UART);
    /* Bytes that arrived before the interrupt was enabled raised no edge: take them now, or the
     * receive interrupt (raised only when the FIFO becomes non-empty) never comes. */
    console_irq();
}

int console_getc(void)
{
    int c;

    if (tail == head)
        return -1;
    c = ring[tail % RING_SIZE];
    tail = tail + 1;
    return c;
}
