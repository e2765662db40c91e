/*
 * Lazy VFP/NEON context switching.  User threads may use the floating-point unit (hard-float
 * Linux binaries do); the kernel never does.  The unit stays disabled (FPEXC.EN = 0) for every
 * thread but the one whose registers it holds, so the first VFP instruction of another thread
 * traps as undefined; vfp_trap() then moves the registers over and the instruction is retried.
 */
#pragma once

#include <stdint.h>

#include "kstate.h"                     /* kernel.vfp: the unit's owner, and whether it is on */

struct thread;

/* The registers of one thread: d0-d31 and FPSCR. */
struct vfp_state {
    uint64_t d[32];
    uint32_t fpscr;
};

void vfp_init(void);
/* An undefined-instruction trap of `t` while the unit is disabled for it: give it the unit and
 * return 1 (retry the instruction), or 0 when the unit was already enabled (a real undefined
 * instruction) or no memory is left for the state. */
int vfp_trap(struct thread *t);
/* `t` is about to run: enable the unit if it holds `t`'s registers, else disable it.  Inline:
 * it sits on the IPC path, where it writes FPEXC only when the answer changes. */
#define VFP_FPEXC_EN    (1u << 30)

/* FPEXC is written as MCR to cp10 (VMSR FPEXC): the kernel is built without a floating-point
 * unit and assembles no VFP instruction of its own. */
static inline void vfp_fpexc_write(uint32_t v)
{
    __asm__ volatile("mcr p10, 7, %0, c8, c0, 0" :: "r"(v) : "memory");
}

static inline __attribute__((always_inline)) void vfp_switch(const struct thread *t)
{
    uint32_t on = t == kernel.vfp.owner;

    if (on != kernel.vfp.on) {
        vfp_fpexc_write(on ? VFP_FPEXC_EN : 0);
        kernel.vfp.on = on;
    }
}
/* `t` is going away. */
void vfp_forget(struct thread *t);

/* vfp_regs.S */
void vfp_save(struct vfp_state *s);
void vfp_load(const struct vfp_state *s);
uint32_t vfp_fpexc_read(void);
