/*
 * The ARM generic timer, non-secure physical instance (CNTP_*), as the kernel tick.  CNTFRQ is
 * set by the platform before we run (QEMU resets it to its model's frequency).
 */
#include "arch/cpu.h"
#include "board.h"
#include "machine/intc.h"
#include "machine/timer.h"

#define CNT_CTL_ENABLE  1u

volatile uint32_t timer_ticks;
static uint32_t reload;

uint32_t timer_counter_hz(void)
{
    return cntfrq_read();
}

uint64_t timer_counter(void)
{
    return cntpct_read();
}

void timer_init(void)
{
    reload = cntfrq_read() / TIMER_HZ;
    cntp_tval_write(reload);
    cntp_ctl_write(CNT_CTL_ENABLE);
    intc_enable(BOARD_IRQ_TIMER);
}

void timer_stop(void)
{
    cntp_ctl_write(0);
    intc_disable(BOARD_IRQ_TIMER);
}

void timer_irq(void)
{
    cntp_tval_write(reload);
    timer_ticks++;
}
