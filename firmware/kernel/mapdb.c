/* The mapping database (see mapdb.h). */
#include "kmem.h"
#include "l4/abi.h"
#include "domain.h"
#include "mapdb.h"
#include "preempt.h"
#include "space.h"

uint32_t mapdb_nodes;

static struct mapnode *node_new(struct space *s, uint32_t va, struct mapnode *parent)
{
    struct mapnode *n = kmem_alloc(s->domain->mem, sizeof *n);

    if (!n)
        return NULL;
    n->pool = s->domain->mem;
    n->space = s;
    n->va = va;
    n->parent = parent;
    if (parent) {
        n->next = parent->child;
        if (n->next)
            n->next->link = &n->next;
        parent->child = n;
        n->link = &parent->child;
    }
    mapdb_nodes++;
    return n;
}

/* Unlink a node with no children from its parent and free it, with its translation. */
static void node_remove_leaf(struct mapnode *n)
{
    if (n->parent) {
        *n->link = n->next;
        if (n->next)
            n->next->link = n->link;
    }
    space_clear_page(n->space, n->va);
    kmem_free(n->pool, n, sizeof *n);
    mapdb_nodes--;
}

/* Leaves removed between two looks for a pending interrupt. */
#define REVOKE_STEP 16

/* Remove every mapping derived from `n` (not `n` itself): deepest first, one leaf at a time.
 * -1 when stopped for an interrupt (`preemptible`) with some left. */
static int revoke_children(struct mapnode *n, int preemptible)
{
    for (unsigned done = 1; n->child; done++) {
        struct mapnode *leaf = n->child;
        while (leaf->child)
            leaf = leaf->child;
        node_remove_leaf(leaf);
        if (preemptible && done % REVOKE_STEP == 0 && n->child && kernel_preempt_pending())
            return -1;
    }
    return 0;
}

/* Take `rights` from every mapping derived from `n`, in pre-order. */
static void reduce_children(struct mapnode *n, uint32_t rights)
{
    struct mapnode *c = n->child;
    struct page_info info;

    while (c) {
        if (space_lookup(c->space, c->va, &info) == 0)
            space_set_rights(c->space, c->va, (info.rights & ~rights) | L4_READ);
        if (c->child) {
            c = c->child;
            continue;
        }
        while (c != n && !c->next)
            c = c->parent;
        if (c == n)
            break;
        c = c->next;
    }
}

int mapdb_unmap(struct space *s, uint32_t va, uint32_t rights, int self)
{
    struct page_info info;

    if (space_lookup(s, va, &info) || !info.node)
        return 0;
    if ((rights & L4_RWX) == L4_RWX || (rights & L4_READ)) {
        if (revoke_children(info.node, 1))
            return -1;
        if (self)
            node_remove_leaf(info.node);
        return 0;
    }
    reduce_children(info.node, rights);
    if (self)
        space_set_rights(s, va, (info.rights & ~rights) | L4_READ);
    return 0;
}

int mapdb_map_root(struct space *s, uint32_t va, uint32_t phys, uint32_t rights)
{
    struct mapnode *n = node_new(s, va, NULL);

    if (!n)
        return -1;
    if (space_set_page(s, va, phys, rights, n)) {
        kmem_free(n->pool, n, sizeof *n);
        mapdb_nodes--;
        return -1;
    }
    return 0;
}

int mapdb_map(struct space *src, uint32_t src_va, struct space *dst, uint32_t dst_va,
              uint32_t rights, int grant)
{
    struct page_info from, old;
    struct mapnode *n;

    if (space_lookup(src, src_va, &from) || !from.node)
        return -1;
    rights &= from.rights;
    if (!(rights & L4_RWX))
        return 0;
    if (src == dst && src_va == dst_va) {
        if (!grant)
            return 0;                       /* mapping a page onto itself: nothing to do */
    }
    if (space_lookup(dst, dst_va, &old) == 0) {
        if (old.node == from.node)
            return 0;
        if (old.node) {
            /* Replacing an ancestor of the source would cut the branch we map from; replacing
             * a mapping others derive from would revoke a subtree of any size here. */
            if (old.node->child)
                return -1;
            node_remove_leaf(old.node);
        }
    }

    if (grant) {
        n = from.node;
        space_clear_page(src, src_va);
        n->space = dst;
        n->va = dst_va;
        if (space_set_page(dst, dst_va, from.phys, rights, n)) {
            /* out of memory for dst's table: the mapping goes back (its table is still there) */
            n->space = src;
            n->va = src_va;
            space_set_page(src, src_va, from.phys, from.rights, n);
            return -1;
        }
        return 0;
    }

    n = node_new(dst, dst_va, from.node);
    if (!n)
        return -1;
    if (space_set_page(dst, dst_va, from.phys, rights, n)) {
        node_remove_leaf(n);
        return -1;
    }
    return 0;
}
