/*
 * Loading a static ARM EABI executable (ET_EXEC, or ET_DYN as static-pie at a fixed base) from
 * the initramfs into a process's regions.  Its initial stack is exec.c's.
 */
#include "linux.h"

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

int elf_load(struct mm *mm, const uint8_t *image, uint32_t size, struct exec_info *info)
{
    const struct elf_header *h = (const void *)image;
    uint32_t bias = 0, end = 0, lowest = ~0u;

    if (size < sizeof *h || memcmp(h->ident, "\177ELF\1\1\1", 7) != 0 || h->machine != EM_ARM ||
        (h->type != ET_EXEC && h->type != ET_DYN) || h->phentsize != sizeof(struct elf_phdr) ||
        h->phoff > size || h->phnum > (size - h->phoff) / sizeof(struct elf_phdr))
        return -ENOEXEC;
    if (h->type == ET_DYN)
        bias = PIE_BASE;
    const struct elf_phdr *ph = (const void *)(image + h->phoff);
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
        v->file = image + p->offset;
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
