/* Kernel memory (see kmem.h). */
#include "board.h"
#include "kmem.h"
#include "lib/string.h"

#define PV_OFFSET   (KERNEL_VIRT_BASE - BOARD_RAM_BASE)

struct kmem_free_obj {
    struct kmem_free_obj *next;
};

struct kmem_pool kmem_boot;

void kmem_init(uint32_t phys_base, uint32_t size)
{
    kmem_boot.next = phys_base + PV_OFFSET;
    kmem_boot.end = kmem_boot.next + size;
    kmem_boot.size = kmem_boot.free_bytes = size;
}

void *kmem_alloc_boot(size_t size)
{
    uint32_t p = kmem_boot.next, bytes = (size + KMEM_CHUNK - 1) & ~(KMEM_CHUNK - 1);

    if (kmem_boot.end - kmem_boot.next < bytes)
        return NULL;
    kmem_boot.next += bytes;
    kmem_boot.free_bytes -= bytes;
    memset((void *)p, 0, bytes);
    return (void *)p;
}

int kmem_pool_carve(struct kmem_pool *to, uint32_t bytes)
{
    bytes = (bytes + KMEM_CHUNK - 1) & ~(KMEM_CHUNK - 1);
    if (kmem_boot.end - kmem_boot.next < bytes)
        return -1;
    to->next = kmem_boot.next;
    to->end = to->next + bytes;
    to->size = to->free_bytes = bytes;
    kmem_boot.next += bytes;
    kmem_boot.size -= bytes;
    kmem_boot.free_bytes -= bytes;
    return 0;
}

static unsigned size_class(size_t size)
{
    unsigned shift = KMEM_MIN_SHIFT;

    while ((1u << shift) < size)
        shift++;
    return shift;
}

void *kmem_alloc(struct kmem_pool *pool, size_t size)
{
    unsigned shift = size_class(size);
    struct kmem_free_obj *obj;

    if (shift > KMEM_MAX_SHIFT)
        return NULL;
    if (!pool->free_lists[shift]) {
        /* carve a fresh chunk into objects of this class */
        if (pool->end - pool->next < KMEM_CHUNK)
            return NULL;
        uint32_t chunk = pool->next;
        pool->next += KMEM_CHUNK;
        for (uint32_t p = chunk + KMEM_CHUNK; p > chunk; ) {
            p -= 1u << shift;
            obj = (struct kmem_free_obj *)p;
            obj->next = pool->free_lists[shift];
            pool->free_lists[shift] = obj;
        }
    }
    obj = pool->free_lists[shift];
    pool->free_lists[shift] = obj->next;
    pool->free_bytes -= 1u << shift;
    memset(obj, 0, 1u << shift);
    return obj;
}

void kmem_free(struct kmem_pool *pool, void *p, size_t size)
{
    unsigned shift = size_class(size);
    struct kmem_free_obj *obj = p;

    if (!p)
        return;
    obj->next = pool->free_lists[shift];
    pool->free_lists[shift] = obj;
    pool->free_bytes += 1u << shift;
}

uint32_t kmem_phys(const void *p)
{
    return (uint32_t)p - PV_OFFSET;
}

void *kmem_virt(uint32_t phys)
{
    return (void *)(phys + PV_OFFSET);
}
