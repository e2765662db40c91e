/*
 * The mapping database.  Every user page mapping has a node; a mapping made by IPC from
 * another mapping is that mapping's child.  Roots are sigma0's mappings of physical memory.
 * Unmap walks a node's subtree: removing every derived mapping, or taking rights away from
 * each of them.  Walks are iterative, so a deep tree cannot overflow the kernel stack.
 */
#pragma once

#include <stdint.h>

struct space;
struct kmem_pool;

struct mapnode {
    struct mapnode *parent, *child, *next;     /* next: the following sibling */
    struct mapnode **link;                      /* what points at this node: O(1) unlinking */
    struct space *space;
    uint32_t va;
    struct kmem_pool *pool;                     /* where it came from (a grant moves it) */
};

/* Map the page at `src_va` in `src` to `dst_va` in `dst` with at most `rights`.  `grant` moves
 * the mapping instead.  A mapping already at `dst_va` is removed first, unless others derive
 * from it (removing them would be a walk of any length inside an IPC): then nothing happens.
 * The node comes from `dst`'s domain's pool.  Returns 0, or -1 when `src_va` is not mapped in
 * `src` (nothing happens), the mapping there is replaced-proof, or memory ran out. */
int mapdb_map(struct space *src, uint32_t src_va, struct space *dst, uint32_t dst_va,
              uint32_t rights, int grant);
/* Create sigma0's root mapping of `phys` at `va` (idempotent spaces). */
int mapdb_map_root(struct space *s, uint32_t va, uint32_t phys, uint32_t rights);
/* Take `rights` away from every mapping derived from the one at `va` in `s` (all rights:
 * remove them); `self` also applies it to that mapping.  Removal stops at a preemption point
 * when an interrupt is pending (-1: what was removed stays removed; call again); 0 when done. */
int mapdb_unmap(struct space *s, uint32_t va, uint32_t rights, int self);

extern uint32_t mapdb_nodes;
