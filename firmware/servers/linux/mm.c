/*
 * A process's memory: its regions (struct vma), its page table (struct pt), and the frames
 * behind them, kept in step with the kernel's mapping of the process.
 *
 * Pages come in on demand: a fault (or the server touching the page for a system call) finds the
 * region, takes a frame, zeroes it or copies the file's bytes, and records it.  A page shared
 * copy-on-write is copied on the first write unless nobody else holds it.  Whenever a frame stops
 * backing a page, every kernel mapping derived from the server's own mapping of that frame is
 * revoked (Unmap), so no process can keep using a frame the server has moved on from.
 */
#include "linux.h"
#include "vfs.h"

static uint16_t pool_refs[16384];            /* per frame of the pool: page tables holding it */
static uint32_t *cache_slot[16384];          /* per frame: the file slot that keeps it as a copy
                                              * of the archive while it is mapped (vfs.c) */
static uint32_t pool_used[16384 / 32];       /* a bit per frame: held (its refs are not 0), or
                                              * past the pool's end */
static uint32_t pool_base, pool_frames, pool_hint, pool_free;

void frames_init(uint32_t base, uint32_t size)
{
    pool_base = base;
    pool_frames = size / PAGE;
    pool_free = pool_frames;
    for (uint32_t i = pool_frames; i % 32; i++)
        pool_used[i / 32] |= 1u << i % 32;
}

uint32_t frames_total(void)
{
    return pool_frames;
}

/* The next free frame from where the last one was found, 32 frames per look at the bitmap
 * (one test per frame, and a division for each, made a run of held frames costly). */
uint32_t frame_alloc(void)
{
    uint32_t words = (pool_frames + 31) / 32, w = pool_hint / 32;

    for (uint32_t k = 0; k < words; k++, w = w + 1 < words ? w + 1 : 0) {
        uint32_t free = ~pool_used[w];
        if (!free)
            continue;
        uint32_t i = w * 32 + (uint32_t)__builtin_ctz(free);
        pool_used[w] |= 1u << i % 32;
        pool_refs[i] = 1;
        pool_hint = i + 1 < pool_frames ? i + 1 : 0;
        pool_free--;
        memset((void *)(pool_base + i * PAGE), 0, PAGE);
        return pool_base + i * PAGE;
    }
    return 0;
}

static uint16_t *refs_of(uint32_t frame)
{
    return &pool_refs[(frame - pool_base) / PAGE];
}

void frame_get(uint32_t frame)
{
    ++*refs_of(frame);
}

void frame_put(uint32_t frame)
{
    uint16_t *refs = refs_of(frame);
    uint32_t **slot = &cache_slot[(frame - pool_base) / PAGE];

    if (--*refs == 1 && *slot) {
        /* a copy of the archive that nobody maps any more: the file lets it go */
        **slot = 0;
        *slot = NULL;
        *refs = 0;
    }
    if (*refs == 0) {
        uint32_t i = (frame - pool_base) / PAGE;
        pool_used[i / 32] &= ~(1u << i % 32);
        pool_free++;
    }
}

void frame_cache(uint32_t frame, uint32_t *slot)
{
    cache_slot[(frame - pool_base) / PAGE] = slot;
}

uint32_t frame_refs(uint32_t frame)
{
    return *refs_of(frame);
}

uint32_t frames_free(void)
{
    return pool_free;
}

/* The frame stops backing a page of some process: take it out of every process's kernel
 * mapping (they fault again and find what backs the page now). */
static void revoke(uint32_t frame)
{
    l4_unmap(L4_FPAGE(frame, 12, L4_RWX), 0);
}

/* ---- regions ---------------------------------------------------------------------------- */

struct mm *mm_new(void)
{
    _Static_assert(sizeof(struct mm) <= PAGE, "struct mm fits a frame");
    struct mm *mm = (struct mm *)frame_alloc();

    if (!mm)
        return NULL;
    mm->vma = (struct vma *)frame_alloc();
    if (!mm->vma) {
        frame_put((uint32_t)mm);
        return NULL;
    }
    mm->mmap_next = MMAP_TOP;
    return mm;
}

struct vma *mm_find(struct mm *mm, uint32_t addr)
{
    for (unsigned i = 0; i < mm->nvma; i++)
        if (addr >= mm->vma[i].start && addr < mm->vma[i].end)
            return &mm->vma[i];
    return NULL;
}

int mm_add(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot)
{
    struct vma *v;

    if (mm->nvma == MAX_VMAS || start >= end || end > L4_UTCB_AREA)
        return -1;
    v = &mm->vma[mm->nvma++];
    memset(v, 0, sizeof *v);
    v->start = start;
    v->end = end;
    v->prot = prot;
    return 0;
}

void mm_merge(struct mm *mm, struct vma *v)
{
    if (v->file || v->prot & VM_SHARED)
        return;
    for (int joined = 1; joined; ) {            /* until a whole pass joins none */
        joined = 0;
        for (unsigned i = 0; i < mm->nvma; i++) {
            struct vma *w = &mm->vma[i];
            if (w == v || w->file || w->prot != v->prot || (w->end != v->start && w->start != v->end))
                continue;
            if (w->end == v->start)
                v->start = w->start;
            else
                v->end = w->end;
            struct vma *last = &mm->vma[--mm->nvma];   /* w's place goes to the last region */
            *w = *last;
            if (v == last)
                v = w;
            joined = 1;
            break;
        }
    }
}

/* The entry of `addr`; `create`: making the table if there is none, for an entry about to hold
 * a page (so its chunk is marked used). */
static inline __attribute__((always_inline)) uint32_t *pte_of(struct mm *mm, uint32_t addr, int create)
{
    uint32_t d = addr / PT_SPAN, e = (addr % PT_SPAN) / PAGE;
    uint32_t **dir = &mm->pt.dir[d];

    if (!create)
        return *dir ? &(*dir)[e] : NULL;
    if (!*dir && !(*dir = (uint32_t *)frame_alloc()))
        return NULL;
    mm->pt.used[d] |= (uint16_t)(1u << e / PT_CHUNK);
    return &(*dir)[e];
}

/* The entries of table `d` that may hold a page: for each chunk marked used, [*first, *end). */
#define FOR_EACH_USED_CHUNK(mm, d, first, end)                                                  \
    for (uint32_t bits_ = (mm)->pt.used[d], first, end;                                        \
         bits_ && (first = (uint32_t)__builtin_ctz(bits_) * PT_CHUNK, end = first + PT_CHUNK, 1); \
         bits_ &= bits_ - 1)

_Static_assert(PAGE / 4 == 16 * PT_CHUNK, "a bit of pt.used per chunk of a table");

/* Drop the page `*pte` holds, if any; while the process's space maps it (`mapped`), that
 * mapping too. */
static void drop_pte(struct mm *mm, uint32_t *pte, int mapped)
{
    if (!(*pte & PTE_PRESENT))
        return;
    uint32_t frame = *pte & PAGE_MASK;
    if (mapped)
        revoke(frame);
    frame_put(frame);
    *pte = 0;
    mm->pages--;
}

/* Drop the pages of [start, end), and while the process's space holds mappings of them
 * (`mapped`), those mappings too. */
static void drop_pages(struct mm *mm, uint32_t start, uint32_t end, int mapped)
{
    for (uint32_t a = start; a < end; a += PAGE) {
        uint32_t *pte = pte_of(mm, a, 0);
        if (pte)
            drop_pte(mm, pte, mapped);
    }
}

/* Give back the second-level tables of [start, end) that hold no page any more: a fork copies
 * and scans every table the parent has, so tables left empty by munmap would cost each fork
 * after (a process that maps and unmaps as it goes leaves one behind every 4 MiB). */
static void release_empty_tables(struct mm *mm, uint32_t start, uint32_t end)
{
    for (uint32_t d = start / PT_SPAN; d < 512 && d * PT_SPAN < end; d++) {
        uint32_t *table = mm->pt.dir[d];
        if (!table)
            continue;
        unsigned e = 0;
        while (e < PAGE / 4 && !table[e])
            e++;
        if (e == PAGE / 4) {
            frame_put((uint32_t)table);
            mm->pt.dir[d] = NULL;
            mm->pt.used[d] = 0;
        }
    }
}

void mm_remove(struct mm *mm, l4_tid_t t, uint32_t start, uint32_t end)
{
    (void)t;
    for (unsigned i = 0; i < mm->nvma; ) {
        struct vma *v = &mm->vma[i];
        if (v->end <= start || v->start >= end) {
            i++;
            continue;
        }
        uint32_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
        drop_pages(mm, lo, hi, 1);
        if (lo == v->start && hi == v->end) {           /* all of it */
            inode_put(v->file);
            mm->vma[i] = mm->vma[--mm->nvma];
            continue;
        }
        if (lo == v->start) {                           /* its head */
            v->start = hi;
        } else if (hi == v->end) {                      /* its tail */
            v->end = lo;
        } else if (mm->nvma < MAX_VMAS) {               /* a hole in the middle */
            struct vma *tail = &mm->vma[mm->nvma++];
            *tail = *v;
            tail->start = hi;
            if (tail->file)
                inode_get(tail->file);
            v->end = lo;
        }
        i++;
    }
    release_empty_tables(mm, start, end);
    /* what was given back above mmap's next address is where the next mapping looks first, as
     * Linux's top-down search finds the highest gap */
    if (end > mm->mmap_next && end <= MMAP_TOP)
        mm->mmap_next = end;
}

/* Split the region holding `addr` there, so that a region starts at `addr`.  -1: no room. */
static int split_at(struct mm *mm, uint32_t addr)
{
    struct vma *v = mm_find(mm, addr);

    if (!v || v->start == addr)
        return 0;
    if (mm->nvma == MAX_VMAS)
        return -1;
    struct vma *tail = &mm->vma[mm->nvma++];
    *tail = *v;
    tail->start = addr;
    if (tail->file)
        inode_get(tail->file);
    v->end = addr;
    return 0;
}

/* Whether any region overlaps [start, end). */
static int overlaps(struct mm *mm, uint32_t start, uint32_t end)
{
    for (unsigned i = 0; i < mm->nvma; i++)
        if (mm->vma[i].start < end && mm->vma[i].end > start)
            return 1;
    return 0;
}

uint32_t mm_unmapped_area(struct mm *mm, uint32_t len)
{
    uint32_t floor = mm->brk_start + MAX_HEAP, addr = mm->mmap_next - len;

    if (floor < MMAP_FLOOR)
        floor = MMAP_FLOOR;
    if (len > MMAP_TOP - floor)
        return 0;
    if (mm->mmap_next - floor < len || overlaps(mm, addr, addr + len))
        addr = MMAP_TOP - len;                          /* look again, from the top down */
    for (unsigned i = 0; i < mm->nvma && addr >= floor; i++) {
        struct vma *v = &mm->vma[i];
        if (v->start < addr + len && v->end > addr) {   /* in the way: below it, and again */
            if (v->start - floor < len)
                return 0;
            addr = v->start - len;
            i = (unsigned)-1;
        }
    }
    if (addr < floor)
        return 0;
    if (addr < mm->mmap_next)
        mm->mmap_next = addr;
    return addr;
}

int mm_remap(struct mm *mm, uint32_t old, uint32_t old_len, uint32_t new_len, int may_move,
             uint32_t fixed)
{
    struct vma *v = mm_find(mm, old);
    uint32_t to;

    if (!v || old_len > v->end - old)
        return -EFAULT;
    if (!fixed && new_len <= old_len) {                 /* shrink (or the same) in place */
        if (new_len < old_len)
            mm_remove(mm, L4_NILTHREAD, old + new_len, old + old_len);
        return (int)old;
    }
    if (!fixed && old + old_len == v->end && old + new_len <= L4_UTCB_AREA &&
        old + new_len > old && !overlaps(mm, v->end, old + new_len)) {
        v->end = old + new_len;                         /* grow in place */
        return (int)old;
    }
    if (!may_move)
        return -ENOMEM;
    to = fixed ? fixed : mm_unmapped_area(mm, new_len);
    if (!to)
        return -ENOMEM;
    if (to + new_len > L4_UTCB_AREA || to + new_len < to || (to < old + old_len && old < to + new_len))
        return -EINVAL;
    if (fixed)
        mm_remove(mm, L4_NILTHREAD, to, to + new_len);
    if (overlaps(mm, to, to + new_len))
        return -ENOMEM;
    /* the tables the pages go to first, so that nothing moves unless everything can */
    for (uint32_t a = to & ~(PT_SPAN - 1); a < to + new_len; a += PT_SPAN)
        if (!pte_of(mm, a < to ? to : a, 1))
            return -ENOMEM;
    if (split_at(mm, old) || split_at(mm, old + old_len))
        return -ENOMEM;
    v = mm_find(mm, old);
    for (uint32_t a = old; a < old + old_len; a += PAGE) {
        uint32_t *from = pte_of(mm, a, 0);
        if (!from || !(*from & PTE_PRESENT))
            continue;
        *pte_of(mm, to + (a - old), 1) = *from;
        revoke(*from & PAGE_MASK);                      /* (its old address in the space) */
        *from = 0;
    }
    v->file_vaddr += to - old;
    v->start = to;
    v->end = to + old_len;
    if (new_len < old_len)
        mm_remove(mm, L4_NILTHREAD, to + new_len, to + old_len);
    else
        v->end = to + new_len;
    release_empty_tables(mm, old, old + old_len);
    return (int)to;
}

int mm_protect(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot)
{
    for (uint32_t a = start; a < end; ) {            /* all of it mapped, as Linux wants */
        struct vma *v = mm_find(mm, a);
        if (!v)
            return -1;
        a = v->end;
    }
    if (split_at(mm, start) || split_at(mm, end))
        return -1;
    for (unsigned i = 0; i < mm->nvma; i++) {
        struct vma *v = &mm->vma[i];
        if (v->start < start || v->end > end)
            continue;
        uint32_t lost = v->prot & ~prot & VM_RWX;
        v->prot = prot | (v->prot & VM_SHARED);
        if (!lost)
            continue;                                   /* more rights: the next fault grants them */
        for (uint32_t a = v->start; a < v->end; a += PAGE) {
            uint32_t *pte = pte_of(mm, a, 0);
            if (!pte || !(*pte & PTE_PRESENT))
                continue;
            /* no access at all: out of the kernel's tables (the page stays ours, and comes back
             * when the rights do); else the rights lost, from every mapping of the frame */
            l4_unmap(L4_FPAGE(*pte & PAGE_MASK, 12, prot & VM_READ ? lost : L4_RWX), 0);
        }
    }
    /* the range is now regions of one right; with their neighbours of the same, one region
     * (an allocator that grows its heap by mprotect would split off one each time) */
    struct vma *v = mm_find(mm, start);
    if (v)
        mm_merge(mm, v);
    return 0;
}

int mm_populate(struct mm *mm, uint32_t start, uint32_t end)
{
    for (uint32_t a = start; a < end; a += PAGE) {
        uint32_t *pte = pte_of(mm, a, 1), frame;
        if (!pte)
            return -1;
        if (*pte & PTE_PRESENT)
            continue;
        frame = frame_alloc();
        if (!frame)
            return -1;
        *pte = frame | PTE_PRESENT | PTE_WRITE;
        mm->pages++;
    }
    return 0;
}

void mm_free(struct mm *mm, int mapped)
{
    for (unsigned i = 0; i < mm->nvma; i++)
        inode_put(mm->vma[i].file);
    for (unsigned d = 0; d < 512; d++) {
        uint32_t *table = mm->pt.dir[d];
        if (!table)
            continue;
        FOR_EACH_USED_CHUNK(mm, d, first, end)
            for (uint32_t e = first; e < end; e++)
                drop_pte(mm, &table[e], mapped);
        frame_put((uint32_t)table);
    }
    frame_put((uint32_t)mm->vma);
    frame_put((uint32_t)mm);
}

/* Fill a fresh frame for `page` of region `v`: the file's bytes where it has some (read from the
 * inode now: from the initramfs in place, or the file's own pages), else zeros. */
static void fill(const struct vma *v, uint32_t page, uint32_t frame)
{
    if (!v->file)
        return;
    uint32_t lo = page > v->file_vaddr ? page : v->file_vaddr;
    uint32_t end = v->file_vaddr + v->file_size, hi = page + PAGE < end ? page + PAGE : end;
    if (lo < hi)
        vfs_read(v->file, v->file_offset + (lo - v->file_vaddr), (uint8_t *)frame + (lo - page), hi - lo);
}

/* The file's own frame for `page` of private region `v`, when the page is all file bytes and
 * starts at a page of the file: every process that maps the file (every process running a
 * program) then shares one frame, as Linux's page cache does, until it writes (a write copies:
 * the file holds a reference, so the frame is never a process's alone).  0 otherwise. */
static uint32_t file_page(const struct vma *v, uint32_t page)
{
    if (!v->file || v->prot & VM_SHARED || page < v->file_vaddr ||
        page - v->file_vaddr > v->file_size || v->file_size - (page - v->file_vaddr) < PAGE)
        return 0;
    return vfs_mappable_page(v->file, v->file_offset + (page - v->file_vaddr));
}

uint32_t mm_touch(struct mm *mm, l4_tid_t t, uint32_t addr, uint32_t rwx)
{
    struct vma *v = mm_find(mm, addr);
    uint32_t page = addr & PAGE_MASK, *pte, frame;

    (void)t;
    if (!v || !(v->prot & VM_READ) || (rwx & VM_WRITE && !(v->prot & VM_WRITE)) ||
        (rwx & VM_EXEC && !(v->prot & VM_EXEC)))
        return 0;
    pte = pte_of(mm, page, 1);
    if (!pte)
        return 0;
    if (!(*pte & PTE_PRESENT) && v->file && v->prot & VM_SHARED) {
        /* a shared file mapping: the file's own page, so that the mapping, read and write and
         * every other mapping of the file see one memory; none past the page holding EOF */
        uint32_t at = v->file_offset + (page - v->file_vaddr);
        if (page < v->file_vaddr || at >= ((v->file->size + PAGE - 1) & PAGE_MASK) ||
            !(frame = vfs_page(v->file, at, 1)))
            return 0;
        frame_get(frame);
        *pte = frame | PTE_PRESENT | (v->prot & VM_WRITE ? PTE_WRITE : 0);
        mm->pages++;
        if (rwx & VM_WRITE)
            vfs_touch(v->file, T_MTIME | T_CTIME);
        return frame;
    }
    if (!(*pte & PTE_PRESENT)) {
        frame = rwx & VM_WRITE ? 0 : file_page(v, page);
        if (frame) {
            frame_get(frame);
            *pte = frame | PTE_PRESENT;
            mm->pages++;
            return frame;
        }
        frame = frame_alloc();
        if (!frame)
            return 0;
        fill(v, page, frame);
        *pte = frame | PTE_PRESENT | (v->prot & VM_WRITE ? PTE_WRITE : 0);
        mm->pages++;
        return frame;
    }
    frame = *pte & PAGE_MASK;
    if (rwx & VM_WRITE && !(v->prot & VM_SHARED) && (*pte & PTE_COW || frame_refs(frame) > 1)) {
        /* private: copy-on-write after a fork, or a frame held elsewhere too (a file's page;
         * a page that was read-only at the fork and has been made writable since) */
        if (frame_refs(frame) > 1) {                    /* still shared: copy it */
            uint32_t copy = frame_alloc();
            if (!copy)
                return 0;
            memcpy((void *)copy, (const void *)frame, PAGE);
            revoke(frame);
            frame_put(frame);
            frame = copy;
        }
        *pte = frame | PTE_PRESENT | PTE_WRITE;
    } else if (v->prot & VM_WRITE && frame_refs(frame) == 1) {
        /* private and in a writable region (mprotect may have made it so since): the pager
         * maps it writable, so a fork must know to share it copy-on-write */
        *pte = frame | PTE_PRESENT | PTE_WRITE;
    }
    return frame;
}

int mm_fault_around(struct mm *mm, uint32_t addr, uint32_t *pages, uint32_t *frames, unsigned max)
{
    struct vma *v = mm_find(mm, addr);
    uint32_t first = addr & ~(FAULT_AROUND - 1), *pte;
    unsigned n = 0;

    /* read-only data only (a file mapped to be read): a program's code and data segments are
     * mostly touched once, in a few places, and every page mapped is one more for fork to
     * share and for exit to take down */
    if (!v || !v->file || v->prot & (VM_SHARED | VM_EXEC | VM_WRITE))
        return 0;
    for (uint32_t page = first; page < first + FAULT_AROUND && n < max; page += PAGE) {
        uint32_t frame;
        if (page == (addr & PAGE_MASK) || page < v->start || page >= v->end ||
            !(pte = pte_of(mm, page, 0)) || *pte & PTE_PRESENT || !(frame = file_page(v, page)))
            continue;
        pte = pte_of(mm, page, 1);              /* (the same entry, its chunk marked used) */
        frame_get(frame);
        *pte = frame | PTE_PRESENT;
        mm->pages++;
        pages[n] = page;
        frames[n++] = frame;
    }
    return (int)n;
}

/* Copy between the server and the process's memory, a page at a time: touching each page as a
 * fault would (so a write to a shared page copies it first). */
static int copy_user(struct mm *mm, l4_tid_t t, uint32_t addr, uint8_t *buf, uint32_t len, int write)
{
    while (len) {
        uint32_t frame = mm_touch(mm, t, addr, write ? VM_WRITE : VM_READ);
        uint32_t n = PAGE - (addr & ~PAGE_MASK);
        if (!frame)
            return -1;
        if (n > len)
            n = len;
        uint8_t *user = (uint8_t *)frame + (addr & ~PAGE_MASK);
        memcpy(write ? user : buf, write ? buf : user, n);
        buf += n;
        addr += n;
        len -= n;
    }
    return 0;
}

int mm_copy_in(struct mm *mm, l4_tid_t t, void *dst, uint32_t src, uint32_t len)
{
    return copy_user(mm, t, src, dst, len, 0);
}

int mm_copy_out(struct mm *mm, l4_tid_t t, uint32_t dst, const void *src, uint32_t len)
{
    return copy_user(mm, t, dst, (uint8_t *)src, len, 1);
}

int mm_copy_string(struct mm *mm, l4_tid_t t, char *dst, uint32_t src, uint32_t max)
{
    for (uint32_t i = 0; i < max; i++) {
        if (mm_copy_in(mm, t, &dst[i], src + i, 1))
            return -1;
        if (!dst[i])
            return 0;
    }
    return -1;
}

struct mm *mm_fork(struct mm *mm)
{
    struct mm *c = mm_new();

    if (!c)
        return NULL;
    memcpy(c->vma, mm->vma, mm->nvma * sizeof *c->vma);
    c->nvma = mm->nvma;
    for (unsigned i = 0; i < c->nvma; i++)
        if (c->vma[i].file)
            inode_get(c->vma[i].file);
    c->brk_start = mm->brk_start;
    c->brk = mm->brk;
    c->mmap_next = mm->mmap_next;
    const struct vma *last = NULL;              /* the region of the page before (most
                                                 * pages are in their neighbour's) */
    for (unsigned d = 0; d < 512; d++) {
        uint32_t *from = mm->pt.dir[d], *to;
        if (!from)
            continue;
        to = (uint32_t *)frame_alloc();
        if (!to) {
            mm_free(c, 0);
            return NULL;
        }
        c->pt.dir[d] = to;
        c->pt.used[d] = mm->pt.used[d];
        FOR_EACH_USED_CHUNK(mm, d, first, end)
            for (uint32_t e = first; e < end; e++) {
                uint32_t pte = from[e], frame = pte & PAGE_MASK;
                if (!(pte & PTE_PRESENT))
                    continue;
                frame_get(frame);
                /* A page already copy-on-write stays so in both, and nothing maps it writable:
                 * write was taken from every mapping of the frame when it became copy-on-write,
                 * and a process that writes it since has its own PTE_WRITE page (a copy, or the
                 * frame once nobody else holds it). */
                if (pte & PTE_WRITE) {
                    uint32_t addr = d * PT_SPAN + e * PAGE;
                    if (!last || addr < last->start || addr >= last->end)
                        last = mm_find(mm, addr);
                    if (!last || !(last->prot & VM_SHARED)) {
                        /* shared until written: neither may write it now, so take write away
                         * from every mapping of it (the parent's); a VM_SHARED page stays one
                         * memory for both */
                        pte = frame | PTE_PRESENT | PTE_COW;
                        from[e] = pte;
                        l4_unmap(L4_FPAGE(frame, 12, L4_WRITE), 0);
                    }
                }
                to[e] = pte;
                c->pages++;
            }
    }
    return c;
}
