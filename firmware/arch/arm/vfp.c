/* Lazy VFP/NEON context switching (see include/arch/vfp.h). */
#include "arch/cpu.h"
#include "arch/vfp.h"
#include "domain.h"
#include "kmem.h"
#include "space.h"
#include "thread.h"

void vfp_init(void)
{
    uint32_t cpacr;

    __asm__ volatile("mrc p15, 0, %0, c1, c0, 2" : "=r"(cpacr));
    cpacr |= 0xfu << 20;                    /* cp10 and cp11: full access */
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 2" :: "r"(cpacr));
    isb();
    vfp_fpexc_write(0);
}

int vfp_trap(struct thread *t)
{
    if (vfp_fpexc_read() & VFP_FPEXC_EN)
        return 0;                           /* the unit was on: a real undefined instruction */
    if (!t->vfp) {
        t->vfp = kmem_alloc(t->space->domain->mem, sizeof *t->vfp);
        if (!t->vfp)
            return 0;
    }
    vfp_fpexc_write(VFP_FPEXC_EN);
    kernel.vfp.on = 1;
    if (kernel.vfp.owner && kernel.vfp.owner != t)
        vfp_save(kernel.vfp.owner->vfp);
    if (kernel.vfp.owner != t)
        vfp_load(t->vfp);
    kernel.vfp.owner = t;
    return 1;
}

void vfp_forget(struct thread *t)
{
    if (kernel.vfp.owner == t)
        kernel.vfp.owner = NULL;
    kmem_free(t->space->domain->mem, t->vfp, sizeof *t->vfp);
    t->vfp = NULL;
}
