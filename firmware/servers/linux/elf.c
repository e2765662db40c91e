/*
 * Loading an ARM EABI executable (ET_EXEC, or ET_DYN at a fixed base) and its dynamic linker
 * from any file of the file system into a process's regions (each file-backed region holds the
 * file's inode; its pages are read on first touch).  Its initial stack is exec.c's.
 */
#include "linux.h"
#include "vfs.h"

#define MAX_PHDRS       32

#define PIE_BASE        0x00400000u

struct elf_header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD     1
#define PT_INTERP   3
#define PT_PHDR     6
#define ET_EXEC     2
#define ET_DYN      3
#define EM_ARM      40

/* The header and program headers of `file`, checked; -ENOEXEC for anything we cannot load. */
static int read_headers(struct inode *file, struct elf_header *h, struct elf_phdr *ph)
{
    uint32_t size = file->size;

    if (vfs_read(file, 0, h, sizeof *h) != sizeof *h || memcmp(h->ident, "\177ELF\1\1\1", 7) != 0 ||
        h->machine != EM_ARM || (h->type != ET_EXEC && h->type != ET_DYN) ||
        h->phentsize != sizeof(struct elf_phdr) || h->phnum > MAX_PHDRS || h->phoff > size ||
        h->phnum > (size - h->phoff) / sizeof(struct elf_phdr))
        return -ENOEXEC;
    if (vfs_read(file, h->phoff, ph, h->phnum * sizeof ph[0]) != h->phnum * sizeof ph[0])
        return -ENOEXEC;
    return 0;
}

/* The lowest page and the end of what the PT_LOAD headers ask for, unbiased; 0 if none. */
static uint32_t span(const struct elf_header *h, const struct elf_phdr *ph, uint32_t *lowest)
{
    uint32_t end = 0;

    *lowest = ~0u;
    for (unsigned i = 0; i < h->phnum; i++) {
        if (ph[i].type != PT_LOAD || !ph[i].memsz)
            continue;
        if (ph[i].vaddr > ~0u - ph[i].memsz - PAGE)
            return 0;
        if ((ph[i].vaddr & PAGE_MASK) < *lowest)
            *lowest = ph[i].vaddr & PAGE_MASK;
        if (((ph[i].vaddr + ph[i].memsz + PAGE - 1) & PAGE_MASK) > end)
            end = (ph[i].vaddr + ph[i].memsz + PAGE - 1) & PAGE_MASK;
    }
    return end > *lowest ? end : 0;
}

/* Each PT_LOAD segment of `file` as a region at its address plus `bias`, its pages read on first
 * touch; the end of the highest, or -errno. */
static int map_segments(struct mm *mm, struct inode *file, const struct elf_header *h,
                        const struct elf_phdr *ph, uint32_t bias, uint32_t *phdr)
{
    uint32_t end = 0, size = file->size;

    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf_phdr *p = &ph[i];
        if (p->type != PT_LOAD || !p->memsz)
            continue;
        uint32_t start = (p->vaddr + bias) & PAGE_MASK;
        uint32_t stop = (p->vaddr + bias + p->memsz + PAGE - 1) & PAGE_MASK;
        if (p->offset > size || p->filesz > size - p->offset || p->filesz > p->memsz ||
            (p->offset & ~PAGE_MASK) != (p->vaddr & ~PAGE_MASK))
            return -ENOEXEC;
        if (mm_add(mm, start, stop, p->flags & 7 ? ((p->flags & 4 ? VM_READ : 0) |
                   (p->flags & 2 ? VM_WRITE : 0) | (p->flags & 1 ? VM_EXEC : 0)) : VM_READ))
            return -ENOMEM;
        struct vma *v = &mm->vma[mm->nvma - 1];
        v->file = file;                         /* the region holds the inode */
        inode_get(file);
        v->file_offset = p->offset;
        v->file_vaddr = p->vaddr + bias;
        v->file_size = p->filesz;
        if (phdr && p->offset <= h->phoff && h->phoff - p->offset < p->filesz)
            *phdr = p->vaddr + bias + (h->phoff - p->offset);
        if (stop > end)
            end = stop;
    }
    if (phdr)
        for (unsigned i = 0; i < h->phnum; i++)
            if (ph[i].type == PT_PHDR)
                *phdr = ph[i].vaddr + bias;
    return (int)end;
}

/*
 * A program that names an interpreter (PT_INTERP: the dynamic linker) gets it too, as Linux's
 * binfmt_elf does it: the interpreter, a shared object, goes where mmap would put it, and the
 * process starts there; the program's own entry, headers and the interpreter's base reach it
 * in the auxiliary vector (exec_stack).
 */
int elf_load(struct mm *mm, struct proc *p, struct inode *file, struct exec_info *info)
{
    static struct elf_phdr ph[MAX_PHDRS];
    static char interp[MAX_PATH], resolved[MAX_PATH];
    struct elf_header hdr, *h = &hdr;
    uint32_t bias = 0, lowest;
    int end, err;

    err = read_headers(file, h, ph);
    if (err)
        return err;
    interp[0] = 0;
    for (unsigned i = 0; i < h->phnum; i++) {
        if (ph[i].type != PT_INTERP)
            continue;
        if (ph[i].filesz < 2 || ph[i].filesz > MAX_PATH || ph[i].offset > file->size ||
            vfs_read(file, ph[i].offset, interp, ph[i].filesz) != ph[i].filesz ||
            interp[ph[i].filesz - 1] != 0)
            return -ENOEXEC;
    }
    if (h->type == ET_DYN)
        bias = PIE_BASE;
    if (!span(h, ph, &lowest))
        return -ENOEXEC;
    info->phdr = 0;
    end = map_segments(mm, file, h, ph, bias, &info->phdr);
    if (end <= 0)
        return end < 0 ? end : -ENOEXEC;
    info->entry = info->start = h->entry + bias;
    info->phent = h->phentsize;
    info->phnum = h->phnum;
    info->brk = (uint32_t)end;
    info->base = 0;
    mm->brk_start = mm->brk = (uint32_t)end;
    if (!interp[0])
        return 0;

    struct inode *ld;
    err = exec_find(p, interp, &ld, resolved);
    if (err)
        return err == -EACCES ? -EACCES : -ENOENT;
    err = read_headers(ld, h, ph);
    if (err)
        return err;
    for (unsigned i = 0; i < h->phnum; i++)
        if (ph[i].type == PT_INTERP)
            return -ELIBBAD;                    /* an interpreter that needs one */
    uint32_t size = span(h, ph, &lowest);
    if (!size)
        return -ELIBBAD;
    size -= lowest;
    bias = 0;
    if (h->type == ET_DYN) {                    /* where mmap puts it, as Linux does */
        bias = ((mm->mmap_next - size) & PAGE_MASK) - lowest;
        mm->mmap_next = bias + lowest;
    }
    end = map_segments(mm, ld, h, ph, bias, NULL);
    if (end <= 0)
        return end < 0 ? end : -ELIBBAD;
    info->base = bias;
    info->start = h->entry + bias;
    return 0;
}
