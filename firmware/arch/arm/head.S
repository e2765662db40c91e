/*
 * Kernel entry from the bootloader: SVC mode, MMU and caches off, interrupts masked, running
 * at the physical load address, r0 = the flash slot the image was booted from.
 *
 * Before any C runs, this builds the boot translation table: RAM mapped both 1:1 (so the
 * instructions right after the MMU comes on still fetch) and at KERNEL_VIRT_BASE, where the
 * kernel is linked, plus the device window at KERNEL_DEVICE_VIRT.  TTBCR.N = 1 splits the
 * address space: TTBR1 (this table) translates the upper 2 GiB in every address space, TTBR0
 * the lower 2 GiB of the current user space.  The 1:1 half is dropped once user spaces exist.
 */
#include "arch/mode.h"
#include "board.h"

#define PV_OFFSET       (KERNEL_VIRT_BASE - BOARD_RAM_BASE)
#define SECT_RAM        0x140e      /* section, C B, TEX=001 (normal WBWA), AP=01 (PL1 rw) */
#define SECT_DEVICE     0x0416      /* section, B (shareable device), XN, AP=01 */
#define TTBR_FLAGS      0x48        /* inner and outer write-back write-allocate walks */

    .syntax unified
    .arm
    .section .text.head, "ax"
    .global _kernel_entry
_kernel_entry:
    cpsid   aif, #MODE_SVC
    mov     r4, r0                          /* r4: boot slot, kept for kernel_main */

    ldr     r5, =kernel_l1
    sub     r5, r5, #PV_OFFSET              /* r5: physical address of the table */

    mov     r0, r5                          /* clear all 4096 entries */
    add     r1, r5, #16384
    mov     r2, #0
1:  str     r2, [r0], #4
    cmp     r0, r1
    blo     1b

    /* RAM 1:1 and at KERNEL_VIRT_BASE, one section per MiB */
    ldr     r0, =BOARD_RAM_BASE
    ldr     r1, =BOARD_RAM_SIZE
    ldr     r2, =SECT_RAM
    add     r1, r0, r1                      /* r1: end of RAM */
2:  orr     r3, r0, r2
    str     r3, [r5, r0, lsr #18]           /* 1:1 entry: index = pa >> 20, 4 bytes each */
    add     r6, r0, #PV_OFFSET
    str     r3, [r5, r6, lsr #18]           /* high entry */
    add     r0, r0, #0x100000
    cmp     r0, r1
    blo     2b

    /* the device window */
    ldr     r0, =BOARD_DEVICE_BASE
    ldr     r1, =BOARD_DEVICE_SIZE
    ldr     r2, =SECT_DEVICE
    ldr     r6, =KERNEL_DEVICE_VIRT
    add     r1, r0, r1
3:  orr     r3, r0, r2
    str     r3, [r5, r6, lsr #18]
    add     r0, r0, #0x100000
    add     r6, r6, #0x100000
    cmp     r0, r1
    blo     3b

    mov     r0, #1
    mcr     p15, 0, r0, c2, c0, 2           /* TTBCR.N = 1: TTBR0 below 2 GiB */
    orr     r0, r5, #TTBR_FLAGS
    mcr     p15, 0, r0, c2, c0, 0           /* TTBR0: the boot table (its 1:1 half) */
    mcr     p15, 0, r0, c2, c0, 1           /* TTBR1: the kernel half */
    mov     r0, #0
    mcr     p15, 0, r0, c13, c0, 1          /* CONTEXTIDR: ASID 0, the kernel's */
    mov     r0, #0x55555555 & 0xff
    orr     r0, r0, r0, lsl #8
    orr     r0, r0, r0, lsl #16             /* DACR: every domain client */
    mcr     p15, 0, r0, c3, c0, 0
    mov     r0, #0
    mcr     p15, 0, r0, c8, c7, 0           /* TLBIALL */
    mcr     p15, 0, r0, c7, c5, 0           /* ICIALLU */
    dsb
    isb
    mrc     p15, 0, r0, c1, c0, 0
    ldr     r1, =0x1805                     /* M, C, Z, I */
    orr     r0, r0, r1
    bic     r0, r0, #0x2000                 /* V off: vectors at VBAR */
    bic     r0, r0, #0x2                    /* A off: unaligned access allowed */
    bic     r0, r0, #(3 << 28)              /* TRE, AFE off: TEX/C/B and AP as written */
    mcr     p15, 0, r0, c1, c0, 0
    isb
    ldr     pc, =high                       /* continue at the linked (virtual) address */

    .text
high:
    cps     #MODE_IRQ
    ldr     sp, =__irq_stack_top
    cps     #MODE_ABT
    ldr     sp, =__abt_stack_top
    cps     #MODE_UND
    ldr     sp, =__und_stack_top
    cps     #MODE_SVC
    ldr     sp, =__kstack_top

    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
4:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     4b

    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0          /* VBAR */
    isb

    mov     r0, r4
    bl      kernel_main
5:  wfi
    b       5b

/*
 * void arch_reset(void): hand the CPU back to the bootloader as a reset would.  Interrupts
 * masked and devices quiet already.  The boot table still maps RAM 1:1 in its lower half, so
 * switch TTBR0 back to it, continue at the physical alias of this code, and turn the MMU off.
 */
    .global arch_reset
arch_reset:
    ldr     r0, =kernel_l1
    sub     r0, r0, #PV_OFFSET
    orr     r0, r0, #TTBR_FLAGS
    mcr     p15, 0, r0, c2, c0, 0           /* TTBR0: the boot table */
    mov     r0, #0
    mcr     p15, 0, r0, c13, c0, 1          /* ASID 0 */
    mcr     p15, 0, r0, c8, c7, 0           /* TLBIALL */
    dsb
    isb
    ldr     r1, =6f
    sub     r1, r1, #PV_OFFSET
    bx      r1
6:  mrc     p15, 0, r0, c1, c0, 0
    ldr     r1, =0x1805
    bic     r0, r0, r1                      /* MMU, caches, branch prediction off */
    mcr     p15, 0, r0, c1, c0, 0
    isb
    mov     r0, #0
    mcr     p15, 0, r0, c8, c7, 0
    mcr     p15, 0, r0, c7, c5, 0
    dsb
    isb
    ldr     r0, =BOOT_ROM_BASE
    bx      r0
