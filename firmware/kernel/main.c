/*
 * Kernel start-up.  Entered from arch head.S at the kernel's virtual address, on the kernel
 * stack, with interrupts masked; `boot_slot` is the flash slot the bootloader loaded us from.
 * From here on the kernel only runs in answer to exceptions from user threads (entry.S).
 */
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/vfp.h"
#include "board.h"
#include "init.h"
#include "irq.h"
#include "lib/link.h"
#include "lib/string.h"
#include "machine/intc.h"
#include "machine/timer.h"
#include "profile.h"
#include "sched.h"
#include "syscall.h"

void kernel_main(uint32_t boot_slot);
void kernel_irq(void) __attribute__((noreturn));

uint32_t kernel_boot_slot;
__attribute__((used, section(".rodata.banner"))) const char kernel_banner[] = "L4 kernel for ARMv7-A on " BOARD_NAME ", " FW_VERSION;
uint64_t idle_cycles;
struct kernel_state kernel;

void kernel_irq(void)
{
    profile_enter(PROFILE_IRQ, kernel.current ? kernel.current->id : 0);
    kernel_poll_irq();
    sched_leave();
}

void kernel_main(uint32_t boot_slot)
{
    const char *why;

    kernel_boot_slot = boot_slot;
    cycles_init();
    cycles_user_enable();
    vfp_init();
    intc_init();
    timer_init();
    syscall_init();
    why = kernel_init();
    if (why) {
        char text[128];
        fmt(text, sizeof text, "kernel: %s", why);
        link_log(PROTO_LOG_ERROR, text);
        for (;;)
            wfi();
    }
    sched_leave();
}
