/* Memory: the heap, mappings and their rights. */
#include "syscalls.h"

int sys_brk(struct proc *p, uint32_t *r)
{
    struct mm *mm = p->mm;
    uint32_t want = r[0], old_end = (mm->brk + PAGE - 1) & PAGE_MASK;
    uint32_t new_end = (want + PAGE - 1) & PAGE_MASK;

    if (want < mm->brk_start || want > mm->brk_start + MAX_HEAP)
        RET(mm->brk);
    if (new_end > old_end && frames_free() < (new_end - old_end) / PAGE + LOW_MEMORY)
        RET(mm->brk);                           /* refused: malloc sees ENOMEM */
    if (new_end > old_end) {
        struct vma *v = old_end > mm->brk_start ? mm_find(mm, old_end - 1) : NULL;
        if (v && v->end == old_end && !v->file)
            v->end = new_end;                   /* grow the heap region */
        else if (mm_add(mm, old_end, new_end, VM_READ | VM_WRITE))
            RET(mm->brk);
    } else if (new_end < old_end) {
        mm_remove(mm, p->tid, new_end, old_end);
    }
    mm->brk = want;
    RET(want);
}

/* PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4 as VM_* rights: write or execute imply read, as they do
 * in Linux's ARM page tables; PROT_NONE is no access at all. */
static uint32_t vm_prot(uint32_t prot)
{
    return (prot & 7 ? VM_READ : 0) | (prot & 2 ? VM_WRITE : 0) | (prot & 4 ? VM_EXEC : 0);
}

int sys_mmap2(struct proc *p, uint32_t *r)
{
    uint32_t len = (r[1] + PAGE - 1) & PAGE_MASK, prot = r[2] & 7, flags = r[3];
    uint32_t addr;

    struct inode *file = NULL;

    if (!len || len > (512u << 20))
        RET(-EINVAL);
    if (!(flags & MAP_ANONYMOUS)) {
        /* a file's pages, on first touch: a private copy (copied on write), or, shared, the
         * file's own pages (writable when the file is open for reading and writing) */
        struct file *f = fd_get(p, r[4]);
        if (!f)
            RET(-EBADF);
        if (f->type != F_REG)
            RET(-ENODEV);
        if ((f->flags & O_ACCMODE) == O_WRONLY ||
            ((flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_SHARED && prot & PROT_WRITE &&
             (f->flags & O_ACCMODE) != O_RDWR))
            RET(-EACCES);
        if (r[5] > MAX_FILE_SIZE / PAGE)
            RET(-EINVAL);
        file = f->inode;
    }
    if (frames_free() < len / PAGE + LOW_MEMORY)
        RET(-ENOMEM);                           /* keep room for everyone else */
    if (flags & 0x10) {                         /* MAP_FIXED */
        addr = r[0] & PAGE_MASK;
        mm_remove(p->mm, p->tid, addr, addr + len);
    } else {
        addr = mm_unmapped_area(p->mm, len);
        if (!addr)
            RET(-ENOMEM);
    }
    if (mm_add(p->mm, addr, addr + len, vm_prot(prot)))
        RET(-ENOMEM);
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_SHARED && file)
        p->mm->vma[p->mm->nvma - 1].prot |= VM_SHARED;
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) == MAP_SHARED && !file) {
        /* one memory for whoever inherits it: every frame now, so none is made twice */
        p->mm->vma[p->mm->nvma - 1].prot |= VM_SHARED;
        if (mm_populate(p->mm, addr, addr + len)) {
            mm_remove(p->mm, p->tid, addr, addr + len);
            RET(-ENOMEM);
        }
    }
    if (file) {
        struct vma *v = &p->mm->vma[p->mm->nvma - 1];
        uint32_t offset = r[5] * PAGE;
        v->file = file;
        inode_get(file);
        v->file_offset = offset;
        v->file_vaddr = addr;
        v->file_size = file->size > offset ? file->size - offset : 0;
        if (v->file_size > len)
            v->file_size = len;
    } else if (!(p->mm->vma[p->mm->nvma - 1].prot & VM_SHARED)) {
        mm_merge(p->mm, &p->mm->vma[p->mm->nvma - 1]);
    }
    RET(addr);
}

/* mprotect(addr, len, prot). */
int sys_mprotect(struct proc *p, uint32_t *r)
{
    uint32_t prot = vm_prot(r[2]);

    if (r[0] & ~PAGE_MASK || r[2] & ~7u)
        RET(-EINVAL);
    if (!r[1])
        RET(0);
    RET(mm_protect(p->mm, r[0], r[0] + ((r[1] + PAGE - 1) & PAGE_MASK), prot) ? -ENOMEM : 0);
}

int sys_munmap(struct proc *p, uint32_t *r)
{
    if (r[0] & ~PAGE_MASK)
        RET(-EINVAL);
    mm_remove(p->mm, p->tid, r[0], r[0] + ((r[1] + PAGE - 1) & PAGE_MASK));
    RET(0);
}

/* msync(addr, len, flags): a shared mapping's pages are the file's own, so they are written
 * already; MS_SYNC also makes them durable as fsync does (the persistent disk, disk.c). */
int sys_msync(struct proc *p, uint32_t *r)
{
    uint32_t start = r[0], end = r[0] + ((r[1] + PAGE - 1) & PAGE_MASK), flags = r[2];

    if (start & ~PAGE_MASK || flags & ~7u || (flags & 5) == 5 || end < start)
        RET(-EINVAL);
    for (uint32_t a = start; a < end; a += PAGE)
        if (!mm_find(p->mm, a))
            RET(-ENOMEM);
    if (flags & 4)
        disk_sync();
    RET(0);
}

/* mremap(old, old_size, new_size, flags, new_address): MREMAP_MAYMOVE 1, MREMAP_FIXED 2. */
int sys_mremap(struct proc *p, uint32_t *r)
{
    uint32_t old_len = (r[1] + PAGE - 1) & PAGE_MASK, new_len = (r[2] + PAGE - 1) & PAGE_MASK;
    uint32_t flags = r[3], fixed = flags & 2 ? r[4] : 0;

    if (r[0] & ~PAGE_MASK || flags & ~3u || (flags & 2 && !(flags & 1)) || !new_len || !old_len ||
        (flags & 2 && (r[4] & ~PAGE_MASK || !r[4])) || new_len > (512u << 20))
        RET(-EINVAL);
    if (new_len > old_len && frames_free() < (new_len - old_len) / PAGE + LOW_MEMORY)
        RET(-ENOMEM);
    RET(mm_remap(p->mm, r[0], old_len, new_len, flags & 1, fixed));
}
