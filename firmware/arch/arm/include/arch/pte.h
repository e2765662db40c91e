/*
 * ARMv7 short-descriptor translation table entries for user spaces: first-level entries
 * pointing to 1 KiB second-level tables, and 4 KiB small-page entries.  TEX remap and the
 * access flag are off (SCTLR.TRE = AFE = 0), so AP and TEX/C/B mean what they say.
 */
#pragma once

#include <stdint.h>

#include "l4/abi.h"

#define L1_ENTRIES_USER     2048u               /* TTBCR.N = 1 */
#define L1_SHIFT            20
#define L2_ENTRIES          256u
#define L2_SHIFT            12

#define L1_COARSE           0x1u                /* points to a second-level table, domain 0 */
#define PTE_SMALL           0x2u
#define PTE_XN              0x1u
#define PTE_B               (1u << 2)
#define PTE_C               (1u << 3)
#define PTE_AP_USER_RW      (3u << 4)           /* AP[1:0] = 11, AP2 = 0 */
#define PTE_AP_USER_RO      (3u << 4 | 1u << 9) /* AP[1:0] = 11, AP2 = 1 */
#define PTE_AP_KERNEL_ONLY  (1u << 4)
#define PTE_TEX1            (1u << 6)
#define PTE_NG              (1u << 11)          /* not global: tagged with the ASID */

static inline uint32_t pte_make(uint32_t phys, uint32_t rights, int device)
{
    uint32_t pte = (phys & ~0xfffu) | PTE_SMALL | PTE_NG;

    pte |= rights & L4_WRITE ? PTE_AP_USER_RW : PTE_AP_USER_RO;
    pte |= device ? PTE_B : PTE_TEX1 | PTE_C | PTE_B;
    if (device || !(rights & L4_EXEC))
        pte |= PTE_XN;
    return pte;
}

static inline uint32_t pte_rights(uint32_t pte)
{
    uint32_t r = L4_READ;

    if ((pte & (3u << 4 | 1u << 9)) == PTE_AP_USER_RW)
        r |= L4_WRITE;
    if (!(pte & PTE_XN))
        r |= L4_EXEC;
    return r;
}

static inline int pte_device(uint32_t pte)
{
    return !(pte & PTE_TEX1);
}
