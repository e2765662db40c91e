/* Small allocations for the server's tables (kmem.c): inodes, directory entries, open files,
 * pipes.  Every byte comes from the frame pool. */
#pragma once

#include "linux.h"

/* A zeroed block of `size` bytes (at most a page), or NULL when the pool is down to half its
 * reserve (LOW_MEMORY / 2) or empty.  kmem_free takes the same size back. */
void *kmem_alloc(uint32_t size);
void kmem_free(void *ptr, uint32_t size);
/* Frames the allocator holds (for the counters). */
extern uint32_t kmem_frames;
