/*
 * Kernel memory: a fixed pool of physical RAM, reserved at boot, from which the kernel takes
 * page tables, UTCBs and mapping nodes.  Objects come in power-of-two size classes from 16 bytes
 * to 16 KiB, each aligned to its size, so a translation table gets the alignment the MMU needs.
 * Freed objects return to their class; classes are never merged.  Exhaustion is an error the
 * caller reports (L4_ERR_NO_MEMORY), never a panic.
 *
 * Addresses returned are kernel virtual; kmem_phys() gives the physical address.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

void kmem_init(uint32_t phys_base, uint32_t size);
/* At boot only: `size` bytes (rounded up to whole chunks), zeroed, for tables too big for a
 * size class (the thread table, the trace ring).  NULL when the pool is too small. */
void *kmem_alloc_boot(size_t size);
/* A zeroed object of at least `size` bytes (rounded up to a power of two), or NULL. */
void *kmem_alloc(size_t size);
void kmem_free(void *p, size_t size);

uint32_t kmem_phys(const void *p);
void *kmem_virt(uint32_t phys);

/* Bytes still available (for statistics). */
uint32_t kmem_free_bytes(void);
