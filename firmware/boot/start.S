/*
 * Stage-0 entry.  The CPU starts here, at flash address 0, in SVC mode with the MMU and caches
 * off.  Vectors other than reset only stop the CPU: the bootloader runs with interrupts masked
 * and checks every address it is asked to touch, so an exception here is a bug.
 */
    .syntax unified
    .arm
    .section .vectors, "ax"
    .global _start
_start:
    b       reset
    b       hang            /* undefined instruction */
    b       hang            /* SVC */
    b       hang            /* prefetch abort */
    b       hang            /* data abort */
    b       hang            /* unused */
    b       hang            /* IRQ */
    b       hang            /* FIQ */

    .text
reset:
    cpsid   aif, #0x13                  /* SVC mode, everything masked */
    ldr     sp, =__stack_top
    /* .data: copy its initial values from flash to RAM */
    ldr     r0, =__data_start
    ldr     r1, =__data_load
    ldr     r2, =__data_end
1:  cmp     r0, r2
    ldrlo   r3, [r1], #4
    strlo   r3, [r0], #4
    blo     1b
    /* .bss: zero it */
    ldr     r0, =__bss_start
    ldr     r2, =__bss_end
    mov     r3, #0
2:  cmp     r0, r2
    strlo   r3, [r0], #4
    blo     2b
    bl      boot_main
hang:
    wfe
    b       hang

/* void boot_jump(uint32_t entry, uint32_t slot): enter an image with r0 = slot it came from. */
    .global boot_jump
boot_jump:
    mov     r2, r0
    mov     r0, r1
    mov     r1, #0
    dsb
    isb
    bx      r2
