/*
 * Kernel entry from the bootloader: SVC mode, MMU and caches off, interrupts masked,
 * r0 = the flash slot the image was booted from.
 */
#include "arch/mode.h"

    .syntax unified
    .arm
    .section .text.head, "ax"
    .global _kernel_entry
_kernel_entry:
    cpsid   aif, #MODE_SVC
    mov     r4, r0                      /* r4: boot slot, kept across the set-up below */

    /* One stack per exception mode; the kernel itself runs on the SVC stack. */
    cps     #MODE_IRQ
    ldr     sp, =__irq_stack_top
    cps     #MODE_ABT
    ldr     sp, =__abt_stack_top
    cps     #MODE_UND
    ldr     sp, =__und_stack_top
    cps     #MODE_SVC
    ldr     sp, =__svc_stack_top

    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b

    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0      /* VBAR */
    isb

    mov     r0, r4
    bl      kernel_main
2:  wfi
    b       2b
