/*
 * Kernel start-up and the idle loop.  Entered from arch head.S on the SVC stack with
 * interrupts masked; `boot_slot` is the flash slot the bootloader loaded us from.
 */
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/mmu.h"
#include "arch/trap.h"
#include "console.h"
#include "debug.h"
#include "lib/link.h"
#include "machine/intc.h"
#include "machine/timer.h"
#include "machine/uart.h"

void kernel_main(uint32_t boot_slot);

void kernel_main(uint32_t boot_slot)
{
    uart_init();
    mmu_init();
    cycles_init();
    intc_init();
    timer_init();
    console_init();
    debug_announce(boot_slot);

    for (;;) {
        int c;

        /* Sleep only when nothing waits; WFI wakes on a pending IRQ even while masked. */
        irq_disable();
        c = console_getc();
        if (c < 0)
            wfi();
        irq_enable();
        for (; c >= 0; c = console_getc())
            link_rx_byte((uint8_t)c);
    }
}
