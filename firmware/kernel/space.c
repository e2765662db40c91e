/* Address spaces (see space.h). */
#include "arch/cpu.h"
#include "arch/pte.h"
#include "board.h"
#include "domain.h"
#include "init.h"
#include "kmem.h"
#include "lib/string.h"
#include "mapdb.h"
#include "sched.h"
#include "preempt.h"
#include "space.h"

struct space spaces[MAX_SPACES];

#define L2_BYTES    (L2_ENTRIES * 4)    /* hardware table; the shadow node array follows it */

/* The device window, and the image slots' flash (written with flash commands, which must
 * reach the chip in order, uncached) on a board that has it. */
static inline int is_device(uint32_t phys)
{
#ifdef BOARD_FLASH1_BASE
    if (phys - BOARD_FLASH1_BASE < BOARD_FLASH_SIZE)
        return 1;
#endif
    return phys - BOARD_DEVICE_BASE < BOARD_DEVICE_SIZE;
}

static void space_free_tables(struct space *s);

void space_init(void)
{
    for (unsigned i = 0; i < MAX_SPACES; i++)
        spaces[i].asid = (uint8_t)(i + 1);
}

struct space *space_create(struct domain *d)
{
    if (!d->mem || d->spaces >= d->max_spaces)
        return NULL;
    for (unsigned i = 0; i < MAX_SPACES; i++) {
        struct space *s = &spaces[i];
        if (s->in_use)
            continue;
        s->domain = d;
        s->l1 = kmem_alloc(d->mem, L1_ENTRIES_USER * 4);
        if (!s->l1)
            return NULL;
        s->l1_phys = kmem_phys(s->l1);
        s->l1_used = 0;
        if (kip && space_map_kernel_page(s, L4_KIP_ADDRESS, kip, 0)) {
            space_free_tables(s);
            return NULL;
        }
        s->in_use = 1;
        s->idempotent = 0;
        s->dying = 0;
        s->threads = 0;
        s->sweep = 0;
        s->sweep_page = 0;
        s->pages = 0;
        s->reach = d->reach;
        s->dombit = 1u << domain_index(d);
        d->spaces++;
        return s;
    }
    return NULL;
}

/* The second-level table covering `va` (kernel address), creating it when `create`. */
static uint32_t *l2_table(struct space *s, uint32_t va, int create)
{
    uint32_t *l1e = &s->l1[va >> L1_SHIFT];
    uint32_t *l2;

    if (*l1e & L1_COARSE)
        return kmem_virt(*l1e & ~0x3ffu);
    if (!create)
        return NULL;
    l2 = kmem_alloc(s->domain->mem, 2 * L2_BYTES);
    if (!l2)
        return NULL;
    *l1e = kmem_phys(l2) | L1_COARSE;
    s->l1_used |= 1ull << ((va >> L1_SHIFT) / 32);
    dsb();
    return l2;
}

static inline struct mapnode **shadow(uint32_t *l2, uint32_t va)
{
    return (struct mapnode **)(l2 + L2_ENTRIES) + ((va >> L2_SHIFT) & (L2_ENTRIES - 1));
}

static inline void tlb_flush_page(const struct space *s, uint32_t va)
{
    dsb();
    tlbimva_write((va & ~0xfffu) | s->asid);
    dsb();
    isb();
}

uint64_t space_next_candidate(struct space *s, uint64_t va, uint64_t end)
{
    while (va < end && va < L4_USER_TOP) {
        if (s->l1[va >> L1_SHIFT] & L1_COARSE)
            return va;
        va = (va | ((1u << L1_SHIFT) - 1)) + 1;      /* the next megabyte */
    }
    return end;
}

int space_lookup(struct space *s, uint32_t va, struct page_info *info)
{
    uint32_t *l2 = l2_table(s, va, 0);
    uint32_t pte;

    if (!l2)
        return -1;
    pte = l2[(va >> L2_SHIFT) & (L2_ENTRIES - 1)];
    if (!(pte & PTE_SMALL))
        return -1;
    info->phys = pte & ~0xfffu;
    info->rights = pte_rights(pte);
    info->node = *shadow(l2, va);
    return 0;
}

int space_set_page(struct space *s, uint32_t va, uint32_t phys, uint32_t rights,
                   struct mapnode *node)
{
    uint32_t *l2 = l2_table(s, va, 1);

    if (!l2)
        return -1;
    l2[(va >> L2_SHIFT) & (L2_ENTRIES - 1)] = pte_make(phys, rights, is_device(phys));
    *shadow(l2, va) = node;
    s->pages++;
    dsb();
    return 0;
}

void space_clear_page(struct space *s, uint32_t va)
{
    uint32_t *l2 = l2_table(s, va, 0);

    if (!l2)
        return;
    l2[(va >> L2_SHIFT) & (L2_ENTRIES - 1)] = 0;
    *shadow(l2, va) = NULL;
    s->pages--;
    tlb_flush_page(s, va);
}

void space_set_rights(struct space *s, uint32_t va, uint32_t rights)
{
    uint32_t *l2 = l2_table(s, va, 0);
    uint32_t *pte;

    if (!l2)
        return;
    pte = &l2[(va >> L2_SHIFT) & (L2_ENTRIES - 1)];
    if (*pte & PTE_SMALL) {
        *pte = pte_make(*pte, rights, pte_device(*pte));
        tlb_flush_page(s, va);
    }
}

int space_map_kernel_page(struct space *s, uint32_t va, const void *page, int writable)
{
    uint32_t *l2 = l2_table(s, va, 1);

    if (!l2)
        return -1;
    l2[(va >> L2_SHIFT) & (L2_ENTRIES - 1)] =
        pte_make(kmem_phys(page), writable ? L4_READ | L4_WRITE : L4_READ, 0);
    *shadow(l2, va) = NULL;
    dsb();
    return 0;
}

void space_unmap_kernel_page(struct space *s, uint32_t va)
{
    uint32_t *l2 = l2_table(s, va, 0);

    if (!l2)
        return;
    l2[(va >> L2_SHIFT) & (L2_ENTRIES - 1)] = 0;
    tlb_flush_page(s, va);
}

/* Free the KIP's second-level table (every other one is gone: space_teardown freed them, or a
 * space that failed to start had none) and the first-level table. */
static void space_free_tables(struct space *s)
{
    uint32_t *l1e = &s->l1[L4_KIP_ADDRESS >> L1_SHIFT];

    if (*l1e & L1_COARSE) {
        kmem_free(s->domain->mem, kmem_virt(*l1e & ~0x3ffu), 2 * L2_BYTES);
        *l1e = 0;
    }
    dsb();
    tlbiasid_write(s->asid);
    dsb();
    isb();
    kmem_free(s->domain->mem, s->l1, L1_ENTRIES_USER * 4);
    s->l1 = NULL;
}

int space_teardown(struct space *s)
{
    _Static_assert(L1_ENTRIES_USER == 64 * 32, "l1_used: a bit per 32 first-level entries");
    s->dying = 1;
    for (uint32_t i = s->sweep; i < L1_ENTRIES_USER; i++) {
        if (!(s->l1_used >> (i / 32) & 1)) {
            i |= 31;                        /* 32 megabytes that never had a table */
            continue;
        }
        if (!(s->l1[i] & L1_COARSE)) {
            if ((i & 15) == 15 && kernel_preempt_pending()) {
                s->sweep = (uint16_t)(i + 1);
                return -1;
            }
            continue;
        }
        s->sweep = (uint16_t)i;
        uint32_t *l2 = kmem_virt(s->l1[i] & ~0x3ffu);
        for (uint32_t j = s->sweep_page; j < L2_ENTRIES; ) {
            for (uint32_t stop = (j | 63) + 1; j < stop; j++) {     /* 64 entries at a time */
                if (!(j & 7) && !((l2[j] | l2[j + 1] | l2[j + 2] | l2[j + 3] | l2[j + 4] |
                                   l2[j + 5] | l2[j + 6] | l2[j + 7]) & PTE_SMALL)) {
                    j += 7;                 /* eight pages, none mapped */
                    continue;
                }
                uint32_t va = i << L1_SHIFT | j << L2_SHIFT;
                if (!(l2[j] & PTE_SMALL) || !*shadow(l2, va))
                    continue;
                int partial = mapdb_unmap(s, va, L4_RWX, 1) < 0;
                if (partial || kernel_preempt_pending()) {
                    s->sweep_page = (uint16_t)(partial ? j : j + 1);
                    return -1;          /* what is done stays done: the next call goes on */
                }
            }
            if (j < L2_ENTRIES && kernel_preempt_pending()) {
                s->sweep_page = (uint16_t)j;
                return -1;
            }
        }
        s->sweep_page = 0;
        /* this megabyte is empty but for kernel pages (the KIP, UTCBs: gone with their
         * threads, or nothing to unmap): its table goes now, so a restart skips it */
        if ((i << L1_SHIFT) != (L4_KIP_ADDRESS & ~((1u << L1_SHIFT) - 1))) {
            /* (no flush: nothing runs in a dying space, and its ASID is flushed before reuse) */
            s->l1[i] = 0;
            kmem_free(s->domain->mem, l2, 2 * L2_BYTES);
        }
        if (i + 1 < L1_ENTRIES_USER && kernel_preempt_pending()) {
            s->sweep = (uint16_t)(i + 1);
            return -1;
        }
    }
    sched_space_gone(s);
    space_free_tables(s);
    s->domain->spaces--;
    s->dying = 0;
    s->in_use = 0;
    return 0;
}
