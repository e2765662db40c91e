/*
 * Stage-0 entry.  The CPU starts here with the MMU and caches off: at flash address 0 in SVC
 * mode on a board with a boot ROM (qemu-virt); in RAM, where a firmware loaded the image, on a
 * board without one (raspi2b: the Pi's GPU firmware loads kernel7.img to 0x8000 and starts it
 * in HYP or SVC mode, maybe on every core; QEMU's -kernel loads it to 0x10000 and starts core 0
 * in SVC).  So, before any C runs: a core other than core 0 parks for good, HYP is left for
 * SVC, and an image running away from BOOT_ROM_BASE, where it is linked, moves itself there.
 * Vectors other than reset only stop the CPU: the bootloader runs with interrupts masked and
 * checks every address it is asked to touch, so an exception here is a bug.
 */
#include "arch/mode.h"

#define MODE_HYP        0x1a

    .syntax unified
    .arm
    .arch_extension virt
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
    /* Only core 0 runs the bootloader (and, after it, the kernel): any other core that was
     * started here parks for good. */
    mrc     p15, 0, r0, c0, c0, 5           /* MPIDR */
    tst     r0, #0xff                       /* Aff0: the core's number in its cluster */
    bne     park

    /* Entered in HYP (a Pi's firmware does that): give PL1 the physical counter and timer,
     * zero the virtual offset, and return to SVC with everything masked.  From SVC the
     * "cpsid" below cannot leave HYP, and the kernel runs at PL1. */
    mrs     r0, cpsr
    and     r1, r0, #MODE_MASK
    cmp     r1, #MODE_HYP
    bne     1f
    mrc     p15, 4, r1, c14, c1, 0          /* CNTHCTL */
    orr     r1, r1, #3                      /* PL1PCTEN, PL1PCEN */
    mcr     p15, 4, r1, c14, c1, 0
    mov     r1, #0
    mov     r2, #0
    mcrr    p15, 4, r1, r2, c14             /* CNTVOFF = 0 */
    mcr     p15, 4, r1, c1, c1, 0           /* HCR = 0: nothing trapped to HYP */
    bic     r0, r0, #MODE_MASK
    orr     r0, r0, #MODE_SVC
    orr     r0, r0, #(PSR_A | PSR_I | PSR_F)
    msr     spsr_cxsf, r0               /* SPSR_hyp: in HYP it is the current SPSR */
    adr     r1, 1f
    msr     elr_hyp, r1
    eret
1:  cpsid   aif, #MODE_SVC                  /* SVC mode, everything masked */

    /* Running somewhere else than BOOT_ROM_BASE (code so far is position-independent): copy
     * the image, .data's initial values included, to where it is linked, and continue there.
     * The copy runs the way that never reads a byte it has overwritten. */
    adr     r0, reset
    ldr     r1, =reset
    sub     r0, r0, r1
    ldr     r1, =_start                     /* r1: where the image is linked */
    add     r0, r0, r1                      /* r0: where it is */
    cmp     r0, r1
    beq     4f
    ldr     r2, =__rom_end
    sub     r2, r2, r1                      /* r2: its length, a multiple of 4 */
    bhi     2f
    /* moving up (r0 < r1): from the end down */
3:  subs    r2, r2, #4
    ldr     r3, [r0, r2]
    str     r3, [r1, r2]
    bne     3b
    b       5f
    /* moving down: from the start up */
2:  ldr     r3, [r0], #4
    str     r3, [r1], #4
    subs    r2, r2, #4
    bne     2b
5:  mov     r0, #0
    mcr     p15, 0, r0, c7, c5, 0           /* ICIALLU: the moved code is new code */
    dsb
    isb
    ldr     pc, =4f
4:
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

/* void boot_park(void): where other cores wait forever, interrupts masked, none routed to
 * them.  WFI rather than WFE: QEMU takes WFE for a mere yield and would spin on it. */
    .global boot_park
boot_park:
park:
    cpsid   aif
6:  wfi
    b       6b

/* void boot_jump(uint32_t entry, uint32_t slot): enter an image with r0 = slot it came from. */
    .global boot_jump
boot_jump:
    mov     r2, r0
    mov     r0, r1
    mov     r1, #0
    dsb
    isb
    bx      r2
