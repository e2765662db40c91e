/*
 * The masked-path profile (a test build only: KERNEL_EXTRA=-DCONFIG_MASKED_PROFILE).  The kernel
 * runs with interrupts masked from entry to return_to_user, so the longest such stretch is the
 * worst interrupt latency the kernel adds.  This build stamps the cycle counter at every entry
 * and keeps, per kind of entry, the longest stretch seen and the thread that caused it;
 * tests/target/test_masked_paths.py reads `masked_profile` after driving the long paths.  The
 * shipped kernel has none of it.
 */
#pragma once

#include <stdint.h>

#include "l4/abi.h"

enum profile_kind {
    PROFILE_SYSCALL = 0,                /* + the system call number */
    PROFILE_FOREIGN = L4_SYS_COUNT,     /* a foreign-ABI thread's system call */
    PROFILE_IRQ,                        /* an interrupt taken from user mode */
    PROFILE_IDLE,                       /* an interrupt that woke the idle loop */
    PROFILE_EXCEPTION,                  /* + the exception kind (L4_EXC_*) */
    PROFILE_KINDS = PROFILE_EXCEPTION + 8,
};

struct masked_profile {
    uint32_t entry, kind, tid, from;            /* the stretch now running, from where */
    uint32_t longest[PROFILE_KINDS];            /* cycles */
    uint32_t longest_tid[PROFILE_KINDS];        /* whose entry it was */
    uint32_t longest_from[PROFILE_KINDS];       /* where it began (0: the entry), */
    uint32_t longest_to[PROFILE_KINDS];         /*   and ended: line << 20 | the return
                                                 *   address's low 20 bits */
    uint32_t entries;
    uint32_t preemptions;                       /* preemption points that found an interrupt */
};

#ifdef CONFIG_MASKED_PROFILE
#include "arch/cpu.h"

extern struct masked_profile masked_profile;

static inline void profile_enter(uint32_t kind, uint32_t tid)
{
    masked_profile.entry = cycles_now();
    masked_profile.kind = kind;
    masked_profile.tid = tid;
    masked_profile.from = 0;
}
/* The stretch so far ends (an interrupt pending now would be seen), and a new one begins.
 * `line`: the preemption point's source line (0: the return to user mode). */
void profile_point(unsigned line) __attribute__((noinline));
#else
static inline void profile_enter(uint32_t kind, uint32_t tid)
{
    (void)kind;
    (void)tid;
}
#endif
