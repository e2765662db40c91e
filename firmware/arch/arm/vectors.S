/*
 * Exception vectors.  IRQs are handled on the SVC stack so that a handler may run kernel code
 * as usual; every other exception is, at this stage, a kernel bug and goes to trap_fatal()
 * with the registers saved on the exception mode's own stack.
 */
#include "arch/mode.h"

    .syntax unified
    .arm
    .section .text.vectors, "ax"
    .align  5
    .global vectors
vectors:
    b       .                   /* reset: never taken through VBAR */
    b       undef_entry
    b       svc_entry
    b       pabt_entry
    b       dabt_entry
    b       .                   /* unused */
    b       irq_entry
    b       fiq_entry

/*
 * IRQ: save the return state (lr_irq - 4, spsr_irq) on the SVC stack with SRS, switch to SVC,
 * save the caller-saved registers and lr_svc, align the stack to 8 bytes for the C call.
 */
irq_entry:
    sub     lr, lr, #4
    srsdb   sp!, #MODE_SVC
    cps     #MODE_SVC
    push    {r0-r3, r12, lr}
    and     r1, sp, #4          /* r1: 4 if the stack is misaligned, else 0 */
    sub     sp, sp, r1
    push    {r1, r2}            /* keep the adjustment; r2 pads to 8 bytes */
    bl      trap_irq
    pop     {r1, r2}
    add     sp, sp, r1
    pop     {r0-r3, r12, lr}
    rfeia   sp!

/*
 * Fatal exceptions: frame on the mode's stack is r0-r12 then the faulting PC; r0 = kind,
 * r1 = frame, r2 = SPSR (the mode that faulted).
 */
.macro fatal name, kind, adjust
\name\()_entry:
    sub     lr, lr, #\adjust
    push    {r0-r12, lr}
    mov     r0, #\kind
    mov     r1, sp
    mrs     r2, spsr
    bl      trap_fatal
    b       .
.endm

    fatal   undef, TRAP_UNDEF, 4
    fatal   svc, TRAP_SVC, 4
    fatal   pabt, TRAP_PABT, 4
    fatal   dabt, TRAP_DABT, 8
    fatal   fiq, TRAP_FIQ, 4
