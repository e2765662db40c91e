/* Kernel memory (see kmem.h). */
#include "board.h"
#include "kmem.h"
#include "lib/string.h"

#define MIN_SHIFT   4
#define MAX_SHIFT   14
#define CHUNK       (1u << MAX_SHIFT)
#define PV_OFFSET   (KERNEL_VIRT_BASE - BOARD_RAM_BASE)

struct free_obj {
    struct free_obj *next;
};

static struct free_obj *free_lists[MAX_SHIFT + 1];
static uint32_t pool_next, pool_end;    /* virtual; the part not yet carved into objects */
static uint32_t free_bytes;

void kmem_init(uint32_t phys_base, uint32_t size)
{
    pool_next = phys_base + PV_OFFSET;
    pool_end = pool_next + size;
    free_bytes = size;
}

void *kmem_alloc_boot(size_t size)
{
    uint32_t p = pool_next, bytes = (size + CHUNK - 1) & ~(CHUNK - 1);

    if (pool_end - pool_next < bytes)
        return NULL;
    pool_next += bytes;
    free_bytes -= bytes;
    memset((void *)p, 0, bytes);
    return (void *)p;
}

static unsigned size_class(size_t size)
{
    unsigned shift = MIN_SHIFT;

    while ((1u << shift) < size)
        shift++;
    return shift;
}

void *kmem_alloc(size_t size)
{
    unsigned shift = size_class(size);
    struct free_obj *obj;

    if (shift > MAX_SHIFT)
        return NULL;
    if (!free_lists[shift]) {
        /* carve a fresh chunk into objects of this class */
        if (pool_end - pool_next < CHUNK)
            return NULL;
        uint32_t chunk = pool_next;
        pool_next += CHUNK;
        for (uint32_t p = chunk + CHUNK; p > chunk; ) {
            p -= 1u << shift;
            obj = (struct free_obj *)p;
            obj->next = free_lists[shift];
            free_lists[shift] = obj;
        }
    }
    obj = free_lists[shift];
    free_lists[shift] = obj->next;
    free_bytes -= 1u << shift;
    memset(obj, 0, 1u << shift);
    return obj;
}

void kmem_free(void *p, size_t size)
{
    unsigned shift = size_class(size);
    struct free_obj *obj = p;

    if (!p)
        return;
    obj->next = free_lists[shift];
    free_lists[shift] = obj;
    free_bytes += 1u << shift;
}

uint32_t kmem_phys(const void *p)
{
    return (uint32_t)p - PV_OFFSET;
}

void *kmem_virt(uint32_t phys)
{
    return (void *)(phys + PV_OFFSET);
}

uint32_t kmem_free_bytes(void)
{
    return free_bytes;
}
