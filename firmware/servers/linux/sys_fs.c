/* The file system's names: stat, directories, links, the working directory. */
#include "syscalls.h"

/* struct stat64 (ARM EABI: 104 bytes) for a path or an open file. */
static int fill_stat(uint32_t *st, uint32_t mode, uint32_t size, uint32_t ino)
{
    memset(st, 0, 104);
    st[0] = 1;                                  /* st_dev */
    st[3] = ino;                                /* __st_ino */
    st[4] = mode;
    st[5] = 1;                                  /* st_nlink */
    st[11] = size;                              /* st_size (low word) */
    st[13] = 4096;                              /* st_blksize */
    st[14] = (size + 511) / 512;                /* st_blocks */
    st[24] = ino;                               /* st_ino (64-bit, low word) */
    return 0;
}

static int stat_path(struct proc *self, const char *abs, uint32_t *st)
{
    struct tnode *t = tnode_find(abs);
    uint32_t size, mode;

    if (!memcmp(abs, "/proc/", 6))
        return procfs_stat(self, abs, &mode) ? -ENOENT : fill_stat(st, mode, 0, 5);

    if (t)
        return fill_stat(st, t->mode, t->size, (uint32_t)(t - tnodes) + 1000);
    if (initrd_find(abs, &size, &mode))
        return fill_stat(st, mode, size, size ^ mode);
    if (is_dir(abs))
        return fill_stat(st, S_IFDIR | 0755, 0, 2);
    if (!memcmp(abs, "/dev/null", 10) || !memcmp(abs, "/dev/zero", 10) ||
        !memcmp(abs, "/dev/console", 13) || !memcmp(abs, "/dev/tty", 9))
        return fill_stat(st, S_IFCHR | 0666, 0, 3);
    return -ENOENT;
}

static int stat_file(struct file *f, uint32_t *st)
{
    switch (f->type) {
    case F_TMP:
        return fill_stat(st, f->node->mode, f->node->size, 1000);
    case F_INITRD:
        return fill_stat(st, S_IFREG | 0755, f->size, f->size);
    case F_PROC:
        return fill_stat(st, S_IFREG | 0444, 0, 5);
    case F_DIR:
        return stat_path(NULL, f->path, st);
    case F_PIPE_READ:
    case F_PIPE_WRITE:
        return fill_stat(st, S_IFIFO | 0600, 0, 4);
    default:
        return fill_stat(st, S_IFCHR | 0620, 0, 3);
    }
}

int sys_fstat64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t st[26];

    if (!f)
        RET(-EBADF);
    stat_file(f, st);
    RET(mm_copy_out(p->mm, p->tid, r[1], st, 104) ? -EFAULT : 0);
}

int sys_fstatat64(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH], raw[2];
    uint32_t st[26];
    int err;

    if (r[3] & 0x1000 && !mm_copy_in(p->mm, p->tid, raw, r[1], 1) && raw[0] == 0) {
        uint32_t args[2] = { r[0], r[2] };      /* AT_EMPTY_PATH: the descriptor itself */
        return sys_fstat64(p, args) || (r[0] = args[0], 0);
    }
    err = get_path(p, (int32_t)r[0], r[1], abs);
    if (!err)
        err = stat_path(p, abs, st);
    if (!err && mm_copy_out(p->mm, p->tid, r[2], st, 104))
        err = -EFAULT;
    RET(err);
}

/* stat64 and lstat64 (no links to follow): fstatat64 from the working directory. */
int sys_stat64(struct proc *p, uint32_t *r)
{
    uint32_t args[4] = { (uint32_t)AT_FDCWD, r[0], r[1], 0 };
    int v = sys_fstatat64(p, args);

    r[0] = args[0];
    return v;
}

/* statx(dirfd, path, flags, mask, buf): the fields from the same source as stat64. */
int sys_statx(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH], raw[2];
    uint32_t st[26], sx[64];
    int err = 0;

    if (r[2] & 0x1000 && !mm_copy_in(p->mm, p->tid, raw, r[1], 1) && raw[0] == 0) {
        struct file *f = fd_get(p, r[0]);
        if (!f)
            RET(-EBADF);
        stat_file(f, st);
    } else {
        err = get_path(p, (int32_t)r[0], r[1], abs);
        if (!err)
            err = stat_path(p, abs, st);
    }
    if (err)
        RET(err);
    memset(sx, 0, sizeof sx);
    sx[0] = 0x7ff;                              /* stx_mask: the basic fields */
    sx[1] = 4096;                               /* stx_blksize */
    sx[4] = st[5];                              /* stx_nlink */
    ((uint16_t *)sx)[14] = (uint16_t)st[4];     /* stx_mode */
    sx[8] = st[24];                             /* stx_ino */
    sx[10] = st[11];                            /* stx_size */
    sx[12] = st[14];                            /* stx_blocks */
    RET(mm_copy_out(p->mm, p->tid, r[4], sx, 256) ? -EFAULT : 0);
}

/* getdents64: the directory's entries (initramfs and tmpfs), '.' and '..' first. */
int sys_getdents64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint8_t buf[4096];
    uint32_t used = 0, index = 0, want = r[2] < sizeof buf ? r[2] : sizeof buf;
    static char seen[64][64];
    unsigned nseen = 0;

    if (!f || f->type != F_DIR)
        RET(f ? -ENOTDIR : -EBADF);
    size_t dlen = strnlen(f->path, MAX_PATH);
    size_t plen = dlen == 1 ? 1 : dlen + 1;    /* the prefix children start with */

    /* collect names: ".", "..", then each distinct first component under the directory */
    const char *names[70];
    uint8_t types[70];
    unsigned n = 0;
    names[n] = ".", types[n++] = 4;
    names[n] = "..", types[n++] = 4;
    for (unsigned i = 0; i < MAX_TNODES && nseen < 64; i++) {
        const char *tp = tnodes[i].path;
        if (!tnodes[i].used || strnlen(tp, MAX_PATH) <= plen || memcmp(tp, f->path, dlen) ||
            (dlen > 1 && tp[dlen] != '/'))
            continue;
        const char *rest = tp + plen;
        size_t k = 0;
        while (rest[k] && rest[k] != '/')
            k++;
        if (k >= 64)
            continue;
        memcpy(seen[nseen], rest, k);
        seen[nseen][k] = 0;
        names[n] = seen[nseen++];
        types[n++] = rest[k] == '/' || (tnodes[i].mode & S_IFMT) == S_IFDIR ? 4 : 8;
    }
    nseen += (unsigned)initrd_children(f->path, seen + nseen, 64 - nseen);
    if (!memcmp(f->path, "/proc", 6) || !memcmp(f->path, "/proc/", 6))
        nseen += (unsigned)procfs_children(p, f->path, seen + nseen, 64 - nseen);
    for (unsigned i = n - 2; i < nseen && n < 70; i++) {
        names[n] = seen[i];
        char child[MAX_PATH];
        uint32_t mode;
        path_resolve(f->path, seen[i], child, sizeof child);
        types[n++] = is_dir(child) || (!procfs_stat(p, child, &mode) && (mode & S_IFMT) == S_IFDIR) ? 4 : 8;
    }
    /* drop duplicates (a tmpfs copy of an initramfs file) */
    for (unsigned i = f->pos; i < n; i++) {
        int dup = 0;
        for (unsigned j = 0; j < i && !dup; j++)
            dup = strnlen(names[i], 64) == strnlen(names[j], 64) &&
                  !memcmp(names[i], names[j], strnlen(names[i], 64));
        if (dup) {
            index++;
            continue;
        }
        uint32_t len = strnlen(names[i], 63), reclen = (19 + len + 1 + 7) & ~7u;
        if (used + reclen > want)
            break;
        uint8_t *d = buf + used;
        memset(d, 0, reclen);
        *(uint32_t *)d = i + 1;                 /* d_ino */
        *(uint32_t *)(d + 8) = i + 1;           /* d_off */
        *(uint16_t *)(d + 16) = (uint16_t)reclen;
        d[18] = types[i];
        memcpy(d + 19, names[i], len);
        used += reclen;
        index++;
    }
    f->pos += index;
    if (used && mm_copy_out(p->mm, p->tid, r[1], buf, used))
        RET(-EFAULT);
    RET(used);
}

int sys_getcwd(struct proc *p, uint32_t *r)
{
    uint32_t len = strnlen(p->cwd, sizeof p->cwd) + 1;

    if (r[1] < len)
        RET(-ERANGE);
    RET(mm_copy_out(p->mm, p->tid, r[0], p->cwd, len) ? -EFAULT : (int)len);
}

int sys_chdir(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH];
    int err = get_path(p, AT_FDCWD, r[0], abs);

    if (err)
        RET(err);
    uint32_t mode;
    procfs_canonical(p, abs);
    if (!is_dir(abs) && (procfs_stat(p, abs, &mode) || (mode & S_IFMT) != S_IFDIR))
        RET(exists(abs) ? -ENOTDIR : -ENOENT);
    memcpy(p->cwd, abs, sizeof p->cwd);
    RET(0);
}

static int do_mkdir(struct proc *p, int dirfd, uint32_t path, uint32_t mode)
{
    char abs[MAX_PATH], parent[MAX_PATH];
    int err = get_path(p, dirfd, path, abs);

    if (err)
        return err;
    if (exists(abs))
        return -EEXIST;
    path_resolve(abs, "..", parent, sizeof parent);
    if (!is_dir(parent))
        return -ENOENT;
    return tnode_new(abs, S_IFDIR | (mode & 0777)) ? 0 : -ENOMEM;
}

int sys_mkdir(struct proc *p, uint32_t *r)
{
    RET(do_mkdir(p, AT_FDCWD, r[0], r[1]));
}

int sys_mkdirat(struct proc *p, uint32_t *r)
{
    RET(do_mkdir(p, (int32_t)r[0], r[1], r[2]));
}

static int do_unlink(struct proc *p, int dirfd, uint32_t path, int rmdir)
{
    char abs[MAX_PATH];
    struct tnode *t;
    int err = get_path(p, dirfd, path, abs);

    if (err)
        return err;
    t = tnode_find(abs);
    if (!t)
        return exists(abs) ? -EACCES : -ENOENT;     /* the initramfs is read-only */
    if (rmdir != ((t->mode & S_IFMT) == S_IFDIR))
        return rmdir ? -ENOTDIR : -EISDIR;
    if (rmdir) {
        size_t len = strnlen(abs, MAX_PATH);
        for (unsigned i = 0; i < MAX_TNODES; i++)
            if (tnodes[i].used && &tnodes[i] != t && !memcmp(tnodes[i].path, abs, len) &&
                tnodes[i].path[len] == '/')
                return -ENOTEMPTY;
    }
    tnode_truncate(t, 0);
    t->used = 0;
    return 0;
}

int sys_unlink(struct proc *p, uint32_t *r)
{
    RET(do_unlink(p, AT_FDCWD, r[0], 0));
}

int sys_rmdir(struct proc *p, uint32_t *r)
{
    RET(do_unlink(p, AT_FDCWD, r[0], 1));
}

int sys_unlinkat(struct proc *p, uint32_t *r)
{
    RET(do_unlink(p, (int32_t)r[0], r[1], r[2] & 0x200 ? 1 : 0));
}

static int do_rename(struct proc *p, int olddir, uint32_t oldp, int newdir, uint32_t newp)
{
    char from[MAX_PATH], to[MAX_PATH];
    struct tnode *t, *old;
    int err = get_path(p, olddir, oldp, from);

    if (!err)
        err = get_path(p, newdir, newp, to);
    if (err)
        return err;
    t = tnode_find(from);
    if (!t)
        return exists(from) ? -EACCES : -ENOENT;
    old = tnode_find(to);
    if (old && old != t) {
        tnode_truncate(old, 0);
        old->used = 0;
    }
    memset(t->path, 0, sizeof t->path);
    memcpy(t->path, to, strnlen(to, MAX_PATH - 1));
    return 0;
}

int sys_rename(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, AT_FDCWD, r[0], AT_FDCWD, r[1]));
}

int sys_renameat(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, (int32_t)r[0], r[1], (int32_t)r[2], r[3]));
}

int sys_access(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH];
    int err = get_path(p, AT_FDCWD, r[0], abs);

    RET(err ? err : exists(abs) ? 0 : -ENOENT);
}

int sys_faccessat(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH];
    int err = get_path(p, (int32_t)r[0], r[1], abs);

    RET(err ? err : exists(abs) ? 0 : -ENOENT);
}

/* readlinkat(dirfd, path, buf, size): /proc's links and the initramfs's symbolic links. */
int sys_readlinkat(struct proc *p, uint32_t *r)
{
    char abs[MAX_PATH], target[MAX_PATH];
    int n = get_path(p, (int32_t)r[0], r[1], abs);

    if (n)
        RET(n);
    if (!memcmp(abs, "/proc/", 6))
        n = procfs_readlink(p, abs, target, sizeof target);
    else if ((n = initrd_link(abs, target, sizeof target)) < 0)
        n = exists(abs) ? -EINVAL : -ENOENT;
    if (n < 0)
        RET(n);
    if ((uint32_t)n > r[3])
        n = (int)r[3];
    RET(mm_copy_out(p->mm, p->tid, r[2], target, (uint32_t)n) ? -EFAULT : n);
}

int sys_readlink(struct proc *p, uint32_t *r)
{
    uint32_t args[4] = { (uint32_t)AT_FDCWD, r[0], r[1], r[2] };
    int blocked = sys_readlinkat(p, args);

    r[0] = args[0];
    return blocked;
}
