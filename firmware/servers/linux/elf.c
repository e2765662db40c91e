/*
 * Loading a static ARM EABI executable (ET_EXEC, or ET_DYN as static-pie at a fixed base) from
 * any file of the file system into a process's regions (each file-backed region holds the
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
#define PT_PHDR     6
#define ET_EXEC     2
#define ET_DYN      3
#define EM_ARM      40

int elf_load(struct mm *mm, struct inode *file, struct exec_info *info)
{
    static struct elf_phdr ph[MAX_PHDRS];
    struct elf_header hdr, *h = &hdr;
    uint32_t bias = 0, end = 0, lowest = ~0u, size = file->size;

    if (vfs_read(file, 0, h, sizeof *h) != sizeof *h || memcmp(h->ident, "\177ELF\1\1\1", 7) != 0 ||
        h->machine != EM_ARM || (h->type != ET_EXEC && h->type != ET_DYN) ||
        h->phentsize != sizeof(struct elf_phdr) || h->phnum > MAX_PHDRS || h->phoff > size ||
        h->phnum > (size - h->phoff) / sizeof(struct elf_phdr))
        return -ENOEXEC;
    vfs_read(file, h->phoff, ph, h->phnum * sizeof ph[0]);
    if (h->type == ET_DYN)
        bias = PIE_BASE;
    info->phdr = 0;
    for (unsigned i = 0; i < h->phnum; i++) {
        const struct elf_phdr *p = &ph[i];
        if (p->type != PT_LOAD || !p->memsz)
            continue;
        uint32_t start = (p->vaddr + bias) & PAGE_MASK;
        uint32_t stop = (p->vaddr + bias + p->memsz + PAGE - 1) & PAGE_MASK;
        if (p->offset > size || p->filesz > size - p->offset || p->filesz > p->memsz)
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
        if (p->offset <= h->phoff && h->phoff - p->offset < p->filesz)
            info->phdr = p->vaddr + bias + (h->phoff - p->offset);
        if (start < lowest)
            lowest = start;
        if (stop > end)
            end = stop;
    }
    if (!end)
        return -ENOEXEC;
    for (unsigned i = 0; i < h->phnum; i++)
        if (ph[i].type == PT_PHDR)
            info->phdr = ph[i].vaddr + bias;
    info->entry = h->entry + bias;
    info->phent = h->phentsize;
    info->phnum = h->phnum;
    info->brk = end;
    mm->brk_start = mm->brk = end;
    return 0;
}
