/*
 * Loading a static ARM EABI executable (ET_EXEC, or ET_DYN as static-pie at a fixed base) from
 * any file of the file system into a process's regions (each file-backed region holds the
 * file's inode; its pages are read on first touch), and building its initial stack the way the
 * Linux kernel does: argc, argv, envp, the auxiliary vector, and the strings and random bytes
 * above.
 */
#include "linux.h"
#include "vfs.h"

#define MAX_PHDRS       32

#define PIE_BASE        0x00400000u
#define STACK_TOP       0x7d000000u
#define STACK_SIZE      (8u << 20)

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

/* Auxiliary vector types */
#define AT_NULL     0
#define AT_PHDR     3
#define AT_PHENT    4
#define AT_PHNUM    5
#define AT_PAGESZ   6
#define AT_BASE     7
#define AT_FLAGS    8
#define AT_ENTRY    9
#define AT_UID      11
#define AT_EUID     12
#define AT_GID      13
#define AT_EGID     14
#define AT_PLATFORM 15
#define AT_HWCAP    16
#define AT_CLKTCK   17
#define AT_SECURE   23
#define AT_RANDOM   25
#define AT_HWCAP2   26
#define AT_EXECFN   31

/* What this CPU offers user code, as Linux reports it: swp, half, thumb, fast mult, vfp, edsp,
 * neon, vfpv3, tls, vfpv4, idiva, idivt, lpae. */
#define HWCAP_ARM   0x0007b8d7u

uint32_t stack_setup(struct mm *mm, l4_tid_t t, const struct exec_info *info, const char *path,
                     char *const argv[], char *const envp[])
{
    uint32_t sp = STACK_TOP, argc = 0, envc = 0;
    uint32_t argv_at[32], envp_at[32], random_at, platform_at, execfn_at;
    uint32_t words[128], n = 0;

    if (mm_add(mm, STACK_TOP - STACK_SIZE, STACK_TOP, VM_READ | VM_WRITE))
        return 0;
    /* the strings, at the top */
#define PUSH_STRING(s, at)                                                          \
    do {                                                                            \
        uint32_t len = strnlen(s, 4095) + 1;                                        \
        sp -= len;                                                                  \
        if (mm_copy_out(mm, t, sp, s, len))                                         \
            return 0;                                                               \
        at = sp;                                                                    \
    } while (0)
    PUSH_STRING(path, execfn_at);
    PUSH_STRING("v7l", platform_at);
    for (; envp && envp[envc] && envc < 32; envc++)
        PUSH_STRING(envp[envc], envp_at[envc]);
    for (; argv && argv[argc] && argc < 32; argc++)
        PUSH_STRING(argv[argc], argv_at[argc]);
    /* 16 bytes of randomness for the C library's stack protector and pointer guard */
    uint32_t rnd[4] = { l4_cycles() * 2654435761u, (uint32_t)now_us() ^ 0x9e3779b9u,
                        l4_cycles() ^ 0x85ebca6bu, 0xc2b2ae35u + argc };
    sp = (sp - 16) & ~15u;
    if (mm_copy_out(mm, t, sp, rnd, 16))
        return 0;
    random_at = sp;

    /* argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL */
    words[n++] = argc;
    for (uint32_t i = 0; i < argc; i++)
        words[n++] = argv_at[i];
    words[n++] = 0;
    for (uint32_t i = 0; i < envc; i++)
        words[n++] = envp_at[i];
    words[n++] = 0;
#define AUX(type, value) do { words[n++] = (type); words[n++] = (value); } while (0)
    AUX(AT_PHDR, info->phdr);
    AUX(AT_PHENT, info->phent);
    AUX(AT_PHNUM, info->phnum);
    AUX(AT_PAGESZ, PAGE);
    AUX(AT_BASE, 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, info->entry);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_HWCAP, HWCAP_ARM);
    AUX(AT_HWCAP2, 0);
    AUX(AT_CLKTCK, 100);
    AUX(AT_SECURE, 0);
    AUX(AT_RANDOM, random_at);
    AUX(AT_PLATFORM, platform_at);
    AUX(AT_EXECFN, execfn_at);
    AUX(AT_NULL, 0);
    sp = (sp - n * 4) & ~7u;
    if (mm_copy_out(mm, t, sp, words, n * 4))
        return 0;
    return sp;
}
