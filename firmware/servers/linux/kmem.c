/*
 * Small allocations carved from frames of the pool, by size class (32 bytes to 1 KiB; a block
 * larger than that is a frame of its own).  A frame given to a class starts with a header: the
 * class, how many of its blocks are in use and a list of the free ones; frames with a free block
 * are chained per class.  A frame whose last block comes back goes back to the pool, so nothing
 * stays held once the tables shrink again.
 *
 * Callers hold server_lock.  The pool's reserve (LOW_MEMORY) is for page faults and
 * copy-on-write, which cannot be refused politely; file data stays out of it (vfs.c).  These
 * blocks are small (a frame holds 4 to 128 of them) and what a process under memory pressure
 * needs to go on at all (an open file for `echo x >> log`), so a new frame for them may come
 * from the upper half of the reserve, as the old fixed tables' memory was always there.
 */
#include "kmem.h"

struct slab {
    struct slab *next, *prev;           /* frames of this class with a free block */
    void *free;                         /* its free blocks, linked through their first word */
    uint32_t used, size;
};

#define CLASSES 6                       /* 32, 64, 128, 256, 512, 1024 */
static struct slab *partial[CLASSES];
uint32_t kmem_frames;

#define KMEM_RESERVE    (LOW_MEMORY / 2)    /* free frames below which no new frame is taken */

static unsigned class_of(uint32_t size)
{
    unsigned c = 0;

    while ((32u << c) < size)
        c++;
    return c;
}

static void unlink_slab(struct slab *s, unsigned c)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        partial[c] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

static void push_slab(struct slab *s, unsigned c)
{
    s->prev = NULL;
    s->next = partial[c];
    if (partial[c])
        partial[c]->prev = s;
    partial[c] = s;
}

void *kmem_alloc(uint32_t size)
{
    if (!size || size > PAGE)
        return NULL;
    if (size > (32u << (CLASSES - 1))) {
        if (frames_free() <= KMEM_RESERVE)
            return NULL;
        void *f = (void *)frame_alloc();
        kmem_frames += f != NULL;
        return f;
    }
    unsigned c = class_of(size);
    uint32_t bsize = 32u << c;
    struct slab *s = partial[c];
    if (!s) {
        if (frames_free() <= KMEM_RESERVE || !(s = (struct slab *)frame_alloc()))
            return NULL;
        kmem_frames++;
        s->size = bsize;
        /* blocks start past the header, at a multiple of their size */
        uint32_t first = (sizeof *s + bsize - 1) / bsize * bsize;
        for (uint32_t off = PAGE - bsize; off >= first; off -= bsize) {
            *(void **)((uint8_t *)s + off) = s->free;
            s->free = (uint8_t *)s + off;
        }
        push_slab(s, c);
    }
    void *b = s->free;
    s->free = *(void **)b;
    s->used++;
    if (!s->free)
        unlink_slab(s, c);
    memset(b, 0, bsize);
    return b;
}

void kmem_free(void *ptr, uint32_t size)
{
    if (!ptr)
        return;
    if (size > (32u << (CLASSES - 1))) {
        frame_put((uint32_t)ptr);
        kmem_frames--;
        return;
    }
    unsigned c = class_of(size);
    struct slab *s = (struct slab *)((uint32_t)ptr & PAGE_MASK);
    int was_full = !s->free;
    *(void **)ptr = s->free;
    s->free = ptr;
    s->used--;
    if (was_full)
        push_slab(s, c);
    if (!s->used) {
        unlink_slab(s, c);
        frame_put((uint32_t)s);
        kmem_frames--;
    }
}
