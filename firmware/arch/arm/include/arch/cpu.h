/*
 * ARMv7-A CPU access: coprocessor registers, barriers and interrupt masking, as inline
 * functions so the compiler can schedule around them.  Generic code includes this only
 * through machine/ headers; the ARM-specific parts of the kernel include it directly.
 */
#pragma once

#include <stdint.h>

#define CP15_READ(name, op1, crn, crm, op2)                                         \
    static inline uint32_t name##_read(void)                                        \
    {                                                                               \
        uint32_t v;                                                                 \
        __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v)); \
        return v;                                                                   \
    }
#define CP15_WRITE(name, op1, crn, crm, op2)                                        \
    static inline void name##_write(uint32_t v)                                     \
    {                                                                               \
        __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 :: "r"(v) : "memory"); \
    }
#define CP15_RW(name, op1, crn, crm, op2) CP15_READ(name, op1, crn, crm, op2) CP15_WRITE(name, op1, crn, crm, op2)

CP15_RW(sctlr, 0, c1, c0, 0)        /* system control */
CP15_RW(ttbr0, 0, c2, c0, 0)
CP15_RW(ttbr1, 0, c2, c0, 1)
CP15_RW(ttbcr, 0, c2, c0, 2)
CP15_RW(dacr, 0, c3, c0, 0)
CP15_READ(dfsr, 0, c5, c0, 0)
CP15_READ(ifsr, 0, c5, c0, 1)
CP15_READ(dfar, 0, c6, c0, 0)
CP15_READ(ifar, 0, c6, c0, 2)
CP15_RW(vbar, 0, c12, c0, 0)
CP15_READ(isr, 0, c12, c1, 0)       /* interrupt status: pending IRQ/FIQ, masked or not */
CP15_RW(contextidr, 0, c13, c0, 1)
CP15_RW(pmcr, 0, c9, c12, 0)
CP15_WRITE(pmcntenset, 0, c9, c12, 1)
CP15_READ(pmccntr, 0, c9, c13, 0)
CP15_READ(cntfrq, 0, c14, c0, 0)
CP15_RW(cntp_ctl, 0, c14, c2, 1)
CP15_RW(cntp_tval, 0, c14, c2, 0)
CP15_RW(cntkctl, 0, c14, c1, 0)
CP15_RW(cntv_ctl, 0, c14, c3, 1)
CP15_WRITE(tlbiall, 0, c8, c7, 0)
CP15_WRITE(iciallu, 0, c7, c5, 0)
CP15_WRITE(bpiall, 0, c7, c5, 6)

#define SCTLR_M     (1u << 0)       /* MMU */
#define SCTLR_A     (1u << 1)       /* alignment checks */
#define SCTLR_C     (1u << 2)       /* data cache */
#define SCTLR_Z     (1u << 11)      /* branch prediction */
#define SCTLR_I     (1u << 12)      /* instruction cache */
#define SCTLR_V     (1u << 13)      /* high vectors */

static inline uint64_t cntpct_read(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb; mrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* The virtual timer's compare value: it fires when CNTVCT reaches it. */
static inline void cntv_cval_write(uint64_t v)
{
    __asm__ volatile("mcrr p15, 3, %0, %1, c14" :: "r"((uint32_t)v), "r"((uint32_t)(v >> 32)) : "memory");
}

static inline void dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }

/* Start the cycle counter (PMCCNTR) from zero, counting every cycle. */
static inline void cycles_init(void)
{
    pmcr_write(pmcr_read() | 1u | 4u);      /* E: enable, C: reset the cycle counter */
    pmcntenset_write(1u << 31);
}

/* Let user code read the cycle counter (PMUSERENR.EN), for its own measurements. */
static inline void cycles_user_enable(void)
{
    __asm__ volatile("mcr p15, 0, %0, c9, c14, 0" :: "r"(1u));
}

static inline uint32_t cycles_now(void)
{
    return pmccntr_read();
}

CP15_WRITE(tlbiasid, 0, c8, c7, 2)   /* invalidate unified TLB by ASID */
CP15_WRITE(tlbimva, 0, c8, c7, 1)    /* by MVA and ASID */
CP15_RW(tpidruro, 0, c13, c0, 3)     /* user read-only thread register */
CP15_RW(tpidrurw, 0, c13, c0, 2)     /* user read-write thread register */
CP15_WRITE(dccmvac, 0, c7, c10, 1)   /* clean data cache line by MVA to PoC */
CP15_READ(ttbr0_cur, 0, c2, c0, 0)
