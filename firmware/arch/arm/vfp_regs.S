/* Moving VFP/NEON registers in and out (see include/arch/vfp.h). The kernel itself is built
 * soft-float; only these few instructions touch the unit. */
    .syntax unified
    .arm
    .fpu neon-vfpv4
    .text

/* void vfp_save(struct vfp_state *s): d0-d31, then FPSCR */
    .global vfp_save
vfp_save:
    vstmia  r0!, {d0-d15}
    vstmia  r0!, {d16-d31}
    vmrs    r1, fpscr
    str     r1, [r0]
    bx      lr

/* void vfp_load(const struct vfp_state *s) */
    .global vfp_load
vfp_load:
    vldmia  r0!, {d0-d15}
    vldmia  r0!, {d16-d31}
    ldr     r1, [r0]
    vmsr    fpscr, r1
    bx      lr

    .global vfp_fpexc_read
vfp_fpexc_read:
    vmrs    r0, fpexc
    bx      lr
