/*
 * User program start: the image is mapped with .bss zeroed (the packer or the starter zero it),
 * so set the stack and call main(); when main returns, the thread halts itself.
 *
 * Also the raw system call: void l4_syscall_regs(uint32_t regs[13]) loads r0-r12 from
 * regs (regs[7] is the call number), enters the kernel, and stores r0-r12 back.
 */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    ldr     sp, =__stack_top
    bl      main
    bl      l4_exit
1:  b       1b

    .text
    .global l4_syscall_regs
l4_syscall_regs:
    push    {r0, r4-r11, lr}        /* r0: regs, kept on the stack across the call */
    ldm     r0, {r0-r12}
    svc     #0
    ldr     lr, [sp]
    stm     lr, {r0-r12}
    add     sp, sp, #4
    pop     {r4-r11, pc}
