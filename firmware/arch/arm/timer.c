/*
 * The ARM generic timer, non-secure physical instance (CNTP_*), as the kernel tick.  CNTFRQ is
 * set by the platform before we run (QEMU resets it to its model's frequency).
 */
#include "arch/cpu.h"
#include "board.h"
#include "machine/intc.h"
#include "machine/timer.h"

#define CNT_CTL_ENABLE  1u
#define CNTKCTL_PL0PCTEN 1u                 /* user mode may read CNTPCT */
#define CNTKCTL_PL0VCTEN 2u                 /* ... and CNTVCT (and CNTFRQ with either) */

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
    /* User threads read the counter themselves, as Linux programs do through the vDSO: a
     * clock with the counter's resolution, without a system call.  The timers stay ours. */
    cntkctl_write(CNTKCTL_PL0PCTEN | CNTKCTL_PL0VCTEN);
    cntp_tval_write(reload);
    cntp_ctl_write(CNT_CTL_ENABLE);
    intc_enable(BOARD_IRQ_TIMER);
}

void timer_user_arm(uint64_t deadline)
{
    cntv_cval_write(deadline);
    cntv_ctl_write(CNT_CTL_ENABLE);
    isb();
}

void timer_user_disarm(void)
{
    cntv_ctl_write(0);
    isb();
}

void timer_stop(void)
{
    cntv_ctl_write(0);
    cntp_ctl_write(0);
    intc_disable(BOARD_IRQ_TIMER);
}

void timer_irq(void)
{
    cntp_tval_write(reload);
    timer_ticks++;
}
