/*
 * Address spaces.  Each space has its own translation table for the lower 2 GiB (TTBR0, 2048
 * section entries) and an ASID, so switching spaces needs no TLB flush; the kernel half comes
 * from TTBR1 and is the same in every space.  Pages are 4 KiB, mapped through second-level
 * tables allocated on demand.  Beside each hardware second-level table lives its shadow: the
 * mapping-database node of every page (mapdb.h), which is what Unmap follows.
 *
 * Every space has the KIP mapped read-only at L4_KIP_ADDRESS, and the UTCB of each of its
 * threads at thread_utcb_user().  Those two are kernel pages, not in the mapping database, and
 * no IPC can map over them.
 */
#pragma once

#include <stdint.h>

#include "arch/cpu.h"

#define MAX_SPACES      255             /* ASIDs 1..255; 0 is the kernel's */

struct mapnode;
struct domain;

struct space {
    uint32_t *l1;                       /* 2048 entries, kernel address */
    uint32_t l1_phys;
    uint8_t asid;
    uint8_t in_use;
    uint8_t idempotent;                 /* sigma0: faults in RAM and devices map 1:1 */
    uint8_t dying;                      /* no threads left: being torn down (space_teardown) */
    uint16_t threads;                   /* threads living in this space */
    uint16_t sweep;                     /* teardown: the first megabyte that may hold pages, */
    uint16_t sweep_page;                /*   and its first page that may */
    uint32_t pages;                     /* statistics: pages mapped */
    struct domain *domain;              /* its rights and its kernel memory (domain.h) */
    uint32_t reach, dombit;             /* the domain's reach, and 1 << its index (fast path) */
    uint64_t l1_used;                   /* bit k: l1[32k, 32k + 32) may hold a second-level
                                         * table (teardown looks only there) */
};

/* A page's translation: physical frame, rights (L4_READ|WRITE|EXEC), and its mapping node. */
struct page_info {
    uint32_t phys;
    uint32_t rights;
    struct mapnode *node;
};

void space_init(void);
/* A new space in domain `d`, charged to its pool and its count of spaces; NULL when either is
 * exhausted. */
struct space *space_create(struct domain *d);
/* Unmap everything a space with no threads left holds (and everything derived from it) and free
 * it, a page at a time: 0 when done, -1 when an interrupt is pending with work left (the space
 * stays `dying`; call again). */
int space_teardown(struct space *s);
/* Make `s` the current user address space.  Inline: it is on the IPC path.  Only on the way out
 * to user mode: the exception return that follows is what makes the new ASID take effect (it
 * synchronizes context as an ISB would), and the kernel touches no user address in between. */
static inline void space_activate(const struct space *s)
{
    /* ASID 0 while TTBR0 changes, so no walk mixes the old ASID with the new table. */
    contextidr_write(0);
    isb();
    ttbr0_write(s->l1_phys | 0x48);
    isb();
    contextidr_write(s->asid);
}

/* 0 when `va` is mapped in `s`, filling `info`; -1 otherwise. */
int space_lookup(struct space *s, uint32_t va, struct page_info *info);
/* Install a page: replaces nothing (the caller unmaps first).  0, or -1 out of memory. */
int space_set_page(struct space *s, uint32_t va, uint32_t phys, uint32_t rights, struct mapnode *node);
/* The first address at or after `va` (page aligned) that may be mapped in `s`, skipping the
 * megabytes with no second-level table; `end` if none before it. */
uint64_t space_next_candidate(struct space *s, uint64_t va, uint64_t end);
/* Remove a page's translation (not its node) and flush it from the TLB. */
void space_clear_page(struct space *s, uint32_t va);
/* Change a mapped page's rights and flush it from the TLB. */
void space_set_rights(struct space *s, uint32_t va, uint32_t rights);
/* Map a kernel page (UTCB, KIP) for user access; not in the mapping database. */
int space_map_kernel_page(struct space *s, uint32_t va, const void *page, int writable);
void space_unmap_kernel_page(struct space *s, uint32_t va);

/* An idempotent space (sigma0) touched `va`: map it 1:1 if it is RAM sigma0 owns or a device
 * it may hand out.  0 when mapped. */
int space_fault_idempotent(struct space *s, uint32_t va);

/* Whether user code may map, or be given, a page at `va` (below the UTCB area). */
static inline int space_user_address(uint32_t va)
{
    return va < 0x7e000000u;
}

extern struct space spaces[MAX_SPACES];
