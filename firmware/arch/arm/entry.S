/*
 * Exception vectors and the user/kernel boundary.
 *
 * The kernel runs on one stack with interrupts masked; it is entered only from user mode.
 * A thread's user registers live in its TCB (struct arch_context: r0-r12, sp, lr, pc, cpsr,
 * 68 bytes).  While a thread runs in user mode, sp_svc points just past its context, so every
 * entry saves the user state straight into the TCB:
 *
 *     srsdb sp!, #SVC     pc and cpsr into ctx[15], ctx[16]      (sp_svc = &ctx[15])
 *     stmdb sp, {r0-r14}^ r0-r12, sp_usr, lr_usr into ctx[0..14]
 *     ldr   sp, =kstack   the kernel stack
 *
 * and leaving for user mode is the reverse (return_to_user).  No entry path touches user
 * memory, and none leaves anything on the kernel stack that outlives the entry.
 */
#include "arch/mode.h"

    .syntax unified
    .arm

    .section .text.vectors, "ax"
    .align  5
    .global vectors
vectors:
    b       .                       /* reset: never taken through VBAR */
    b       undef_entry
    b       svc_entry
    b       pabt_entry
    b       dabt_entry
    b       .                       /* unused */
    b       irq_entry
    b       fiq_entry

/* Save the interrupted user state into the current TCB and switch to the kernel stack.
 * `adjust`: what to subtract from lr to get the address to return to. */
.macro save_user adjust, kind
    .if \adjust
    sub     lr, lr, #\adjust
    .endif
    /* Taken in the kernel?  That is a kernel bug: report it on this mode's own stack. */
    push    {r0}
    mrs     r0, spsr
    and     r0, r0, #MODE_MASK
    cmp     r0, #MODE_USR
    pop     {r0}
    bne     kernel_fault_\kind
    srsdb   sp!, #MODE_SVC
    cps     #MODE_SVC
    stmdb   sp, {r0-r14}^
    ldr     sp, =__kstack_top
.endm

/*
 * SVC: r7 holds the system call number, r0-r6 and r8-r12 its arguments, all saved in the
 * thread's context; r0-r3 and r12 are still live for IPC (r4 becomes the thread, r5 and r6
 * scratch).  A foreign-ABI thread's SVC is an exception for its handler: foreign_fastpath.
 * IPC from any other thread goes to its fast path with r0 = to, r1 = from, r2 = send timeout,
 * r3 = MR0 (the tag), r12 = the receive timeout; one test finds it (IPC's number is 0, the
 * foreign-ABI flag bit 0).  The fast paths (fastpath.S, then kernel/fastpath.c) fall back to the
 * slow path themselves.
 */
.if ENTRY_SYS_IPC != 0 || ENTRY_TF_FOREIGN_ABI != 1
.error "svc_entry's one test needs IPC's number 0 and the foreign-ABI flag in bit 0"
.endif
svc_entry:
    srsdb   sp!, #MODE_SVC
    stmdb   sp, {r0-r14}^
    sub     r4, sp, #(ENTRY_TCB_CONTEXT_SIZE - 8)   /* the thread: its context comes first */
    ldr     sp, =__kstack_top
    ldrb    r5, [r4, #ENTRY_TCB_FLAGS]
    orrs    r6, r7, r5, lsl #31                     /* the foreign-ABI flag (bit 0) to bit 31 */
    beq     ipc_fastpath                            /* IPC's number, from a native thread */
    tst     r5, #ENTRY_TF_FOREIGN_ABI
    bne     foreign_fastpath                        /* an exception, whatever its number */
    mov     r0, r7
    b       syscall_slowpath

irq_entry:
    save_user 4, irq
    b       kernel_irq

undef_entry:
    save_user 4, undef
    mov     r0, #ENTRY_EXC_UNDEFINED
    b       kernel_exception

pabt_entry:
    save_user 4, pabt
    mov     r0, #ENTRY_EXC_PREFETCH_ABORT
    b       kernel_exception

dabt_entry:
    save_user 8, dabt
    mov     r0, #ENTRY_EXC_DATA_ABORT
    b       kernel_exception

fiq_entry:
    save_user 4, fiq
    mov     r0, #0
    b       kernel_exception

/*
 * An exception taken in kernel mode: r0-r12 and the faulting pc on the mode's own stack, then
 * trap_fatal(kind, frame, spsr), which reports and stops.
 */
.macro kernel_fault kind, trap
kernel_fault_\kind:
    push    {r0-r12, lr}
    mov     r0, #\trap
    mov     r1, sp
    mrs     r2, spsr
    bl      trap_fatal
    b       .
.endm
    kernel_fault undef, TRAP_UNDEF
    kernel_fault pabt, TRAP_PABT
    kernel_fault dabt, TRAP_DABT
    kernel_fault irq, TRAP_IRQ
    kernel_fault fiq, TRAP_FIQ

/*
 * void return_to_user(struct arch_context *ctx): load the user state and leave.  sp_svc ends
 * just past ctx, ready for the next entry.  clrex: a half-done ldrex of the previous thread
 * must not let this thread's strex succeed.
 */
    .text
    .global return_to_user
return_to_user:
#ifdef CONFIG_MASKED_PROFILE
    push    {r0, r1}
    bl      profile_leave
    pop     {r0, r1}
#endif
    clrex
    mov     sp, r0
    ldmia   sp, {r0-r14}^
    add     sp, sp, #60
    rfeia   sp!
