/*
 * An exception taken in kernel mode is a kernel bug: report it with polled output on the debug
 * link and stop the CPU.  The host sees the report as ERROR log frames and can power-cycle.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/mode.h"
#include "lib/link.h"
#include "lib/string.h"

void trap_fatal(uint32_t kind, const uint32_t *frame, uint32_t spsr) __attribute__((noreturn));

void trap_fatal(uint32_t kind, const uint32_t *frame, uint32_t spsr)
{
    static const char *const names[] = {
        [TRAP_UNDEF] = "undefined instruction", [TRAP_SVC] = "SVC in the kernel",
        [TRAP_PABT] = "prefetch abort", [TRAP_DABT] = "data abort", [TRAP_FIQ] = "FIQ",
        [TRAP_IRQ] = "IRQ in the kernel",
    };
    char text[160];
    uint32_t fsr = kind == TRAP_DABT ? dfsr_read() : kind == TRAP_PABT ? ifsr_read() : 0;
    uint32_t far = kind == TRAP_DABT ? dfar_read() : kind == TRAP_PABT ? ifar_read() : 0;

    irq_disable();
    fmt(text, sizeof text, "kernel panic: %s at pc %08x (fsr %08x far %08x cpsr %08x)",
        names[kind < sizeof names / sizeof names[0] ? kind : TRAP_FIQ], frame[13], fsr, far, spsr);
    link_log(PROTO_LOG_ERROR, text);
    for (unsigned i = 0; i < 13; i += 4) {
        size_t n = fmt(text, sizeof text, "r%u-r%u:", i, i + 3 < 12 ? i + 3 : 12);
        for (unsigned r = i; r < i + 4 && r < 13; r++)
            n += fmt(text + n, sizeof text - n, " %08x", frame[r]);
        link_log(PROTO_LOG_ERROR, text);
    }
    for (;;)
        wfi();
}
