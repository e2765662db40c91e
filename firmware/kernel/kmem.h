/*
 * Kernel memory: a fixed pool of physical RAM, reserved at boot, from which the kernel takes
 * page tables, UTCBs and mapping nodes.  Objects come in power-of-two size classes from 16 bytes
 * to 16 KiB, each aligned to its size, so a translation table gets the alignment the MMU needs.
 * Freed objects return to their class; classes are never merged.  Exhaustion is an error the
 * caller reports (L4_ERR_NO_MEMORY), never a panic.
 *
 * The boot pool (kmem_boot) is split further: each domain but the root one gets a pool of its
 * own, carved out of the boot pool's uncarved memory when the root task configures it
 * (domain.h).  A domain's objects come from its pool and go back to it, so a domain that
 * exhausts (or fragments) its pool touches no other's.
 *
 * Addresses returned are kernel virtual; kmem_phys() gives the physical address.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KMEM_MIN_SHIFT  4
#define KMEM_MAX_SHIFT  14
#define KMEM_CHUNK      (1u << KMEM_MAX_SHIFT)

struct kmem_free_obj;

struct kmem_pool {
    struct kmem_free_obj *free_lists[KMEM_MAX_SHIFT + 1];
    uint32_t next, end;             /* virtual; the part not yet carved into objects */
    uint32_t size, free_bytes;
};

extern struct kmem_pool kmem_boot;

void kmem_init(uint32_t phys_base, uint32_t size);
/* At boot only: `size` bytes (rounded up to whole chunks), zeroed, for tables too big for a
 * size class (the thread table, the trace ring).  NULL when the pool is too small. */
void *kmem_alloc_boot(size_t size);
/* A zeroed object of at least `size` bytes (rounded up to a power of two) from `pool`, or NULL. */
void *kmem_alloc(struct kmem_pool *pool, size_t size);
void kmem_free(struct kmem_pool *pool, void *p, size_t size);
/* Give `to` (empty) `bytes` (whole chunks) of the boot pool's uncarved memory; -1 if short. */
int kmem_pool_carve(struct kmem_pool *to, uint32_t bytes);

uint32_t kmem_phys(const void *p);
void *kmem_virt(uint32_t phys);
