/*
 * The file system's names: lookup of path arguments, stat, directories and their entries,
 * links, modes, owners and times, the working directory, statfs and umask.  vfs.c keeps the
 * tree; these calls check their arguments the way Linux does and apply them.
 */
#include "syscalls.h"

#define TMPFS_MAGIC         0x01021994u
#define PROC_SUPER_MAGIC    0x9fa0u

/* Two lookups at once at most (rename, link); the server handles one call at a time. */
static struct lookup lk_a, lk_b;
static char path_a[MAX_PATH];

/* A path argument looked up: 0 (lk->ino may be NULL: only the last component is missing), or
 * -errno. */
static int lookup_arg(struct proc *p, int dirfd, uint32_t addr, int flags, struct lookup *lk)
{
    int err = get_path(p, dirfd, addr, path_a);

    return err ? err : vfs_lookup(p, path_a, flags, lk);
}

/* What a path argument names, which must exist: the inode, or in /proc (*ino NULL, lk->proc). */
static int existing(struct proc *p, int dirfd, uint32_t addr, int flags, struct lookup *lk)
{
    int err = lookup_arg(p, dirfd, addr, flags, lk);

    if (!err && !lk->in_proc && !lk->ino)
        err = -ENOENT;
    return err;
}

/* ---- stat ------------------------------------------------------------------------------- */

/* struct stat64 (ARM EABI: 104 bytes, as the cross compiler lays it out). */
static void stat_raw(uint32_t *st, uint32_t ino, uint32_t mode, uint32_t nlink, uint32_t size)
{
    memset(st, 0, 104);
    st[0] = 1;                                  /* st_dev */
    st[3] = ino;                                /* __st_ino */
    st[4] = mode;
    st[5] = nlink;
    st[12] = size;                              /* st_size */
    st[14] = PAGE;                              /* st_blksize */
    st[16] = (size + 511) / 512;                /* st_blocks */
    st[24] = ino;                               /* st_ino */
}

static void stat_inode(uint32_t *st, const struct inode *ino)
{
    stat_raw(st, ino->ino, ino->mode, ino->nlink, ino->size);
    st[6] = ino->uid;
    st[7] = ino->gid;
    st[8] = ino->rdev;
    st[16] = (ino->mode & S_IFMT) == S_IFREG ? vfs_blocks(ino) : 0;   /* links kept inline */
    st[18] = ino->atime.sec;
    st[19] = ino->atime.nsec;
    st[20] = ino->mtime.sec;
    st[21] = ino->mtime.nsec;
    st[22] = ino->ctime.sec;
    st[23] = ino->ctime.nsec;
}

/* A pipe: its inode number is the one /proc/PID/fd/N's "pipe:[N]" shows, each pipe's own. */
static void stat_pipe(uint32_t *st, const struct pipe *pp)
{
    stat_raw(st, (uint32_t)(uintptr_t)pp->page[0] / PAGE, S_IFIFO | 0600, 1, 0);
}

static int stat_lookup(struct proc *p, struct lookup *lk, uint32_t *st)
{
    uint32_t mode;

    if (lk->in_proc && lk->pipe) {              /* a descriptor's link, followed to its pipe */
        stat_pipe(st, lk->pipe);
        return 0;
    }
    if (lk->in_proc) {
        static char target[MAX_PATH];
        int n = procfs_readlink(p, lk->proc, target, sizeof target);
        if (n >= 0) {                           /* a link lstat did not follow: its mode is
                                                 * procfs's (a descriptor's says how it is open) */
            if (procfs_stat(p, lk->proc, &mode) || (mode & S_IFMT) != S_IFLNK)
                mode = S_IFLNK | 0777;
            stat_raw(st, 6, mode, 1, (uint32_t)n);
            return 0;
        }
        if (procfs_stat(p, lk->proc, &mode))
            return -ENOENT;
        stat_raw(st, 5, mode, (mode & S_IFMT) == S_IFDIR ? 2 : 1, 0);
        return 0;
    }
    stat_inode(st, lk->ino);
    return 0;
}

static void stat_file(struct proc *p, struct file *f, uint32_t *st)
{
    uint32_t mode;

    if (f->inode) {
        stat_inode(st, f->inode);
        return;
    }
    switch (f->type) {
    case F_PROC:
        stat_raw(st, 5, S_IFREG | 0444, 1, 0);
        break;
    case F_DIR:                                 /* a /proc directory */
        stat_raw(st, 5, procfs_stat(p, f->path, &mode) ? S_IFDIR | 0555 : mode, 2, 0);
        break;
    case F_PIPE_READ:
    case F_PIPE_WRITE:
        stat_pipe(st, f->pipe);
        break;
    case F_SOCK:
        stat_raw(st, sock_ino(f), S_IFSOCK | 0777, 1, 0);
        break;
    case F_EPOLL:                               /* Linux's anonymous inode: no type */
    case F_EVENTFD:
        stat_raw(st, sock_ino(f), 0600, 1, 0);
        break;
    default:                                    /* the console a process was started with */
        stat_raw(st, 3, S_IFCHR | 0620, 1, 0);
        st[8] = 5 << 8 | 1;
    }
}

int sys_fstat64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t st[26];

    if (!f)
        RET(-EBADF);
    stat_file(p, f, st);
    RET(mm_copy_out(p->mm, p->tid, r[1], st, 104) ? -EFAULT : 0);
}

/* AT_EMPTY_PATH with "": the descriptor itself. */
static int empty_path(struct proc *p, uint32_t flags, uint32_t addr)
{
    char c;

    return flags & AT_EMPTY_PATH && !mm_copy_in(p->mm, p->tid, &c, addr, 1) && c == 0;
}

static int stat_at(struct proc *p, int dirfd, uint32_t addr, uint32_t flags, uint32_t *st)
{
    if (empty_path(p, flags, addr)) {
        struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(p, (uint32_t)dirfd);
        if (dirfd == AT_FDCWD) {                /* the working directory */
            int err = vfs_lookup(p, p->leader->cwd, LK_FOLLOW, &lk_a);
            return err ? err : !lk_a.in_proc && !lk_a.ino ? -ENOENT : stat_lookup(p, &lk_a, st);
        }
        if (!f)
            return -EBADF;
        stat_file(p, f, st);
        return 0;
    }
    int err = existing(p, dirfd, addr, flags & AT_SYMLINK_NOFOLLOW ? 0 : LK_FOLLOW, &lk_a);
    return err ? err : stat_lookup(p, &lk_a, st);
}

int sys_fstatat64(struct proc *p, uint32_t *r)
{
    uint32_t st[26];
    int err = stat_at(p, (int32_t)r[0], r[1], r[3], st);

    if (!err && mm_copy_out(p->mm, p->tid, r[2], st, 104))
        err = -EFAULT;
    RET(err);
}

int sys_stat64(struct proc *p, uint32_t *r)
{
    uint32_t st[26];
    int err = stat_at(p, AT_FDCWD, r[0], 0, st);

    RET(err ? err : mm_copy_out(p->mm, p->tid, r[1], st, 104) ? -EFAULT : 0);
}

int sys_lstat64(struct proc *p, uint32_t *r)
{
    uint32_t st[26];
    int err = stat_at(p, AT_FDCWD, r[0], AT_SYMLINK_NOFOLLOW, st);

    RET(err ? err : mm_copy_out(p->mm, p->tid, r[1], st, 104) ? -EFAULT : 0);
}

/* statx(dirfd, path, flags, mask, buf): the fields from the same source as stat64. */
int sys_statx(struct proc *p, uint32_t *r)
{
    uint32_t st[26], sx[64];
    int err = stat_at(p, (int32_t)r[0], r[1], r[2], st);

    if (err)
        RET(err);
    memset(sx, 0, sizeof sx);
    sx[0] = 0x7ff;                              /* stx_mask: the basic fields */
    sx[1] = st[14];                             /* stx_blksize */
    sx[4] = st[5];                              /* stx_nlink */
    sx[5] = st[6];                              /* stx_uid */
    sx[6] = st[7];                              /* stx_gid */
    ((uint16_t *)sx)[14] = (uint16_t)st[4];     /* stx_mode */
    sx[8] = st[24];                             /* stx_ino */
    sx[10] = st[12];                            /* stx_size */
    sx[12] = st[16];                            /* stx_blocks */
    sx[16] = st[18];                            /* stx_atime */
    sx[18] = st[19];
    sx[24] = st[22];                            /* stx_ctime */
    sx[26] = st[23];
    sx[28] = st[20];                            /* stx_mtime */
    sx[30] = st[21];
    sx[32] = st[8] >> 8;                        /* stx_rdev_major, minor */
    sx[33] = st[8] & 0xff;
    sx[34] = 0;                                 /* stx_dev */
    sx[35] = 1;
    RET(mm_copy_out(p->mm, p->tid, r[4], sx, 256) ? -EFAULT : 0);
}

/* ---- directories ------------------------------------------------------------------------ */

/* One linux_dirent64 into the caller's buffer at `at`: its length, or 0 when it does not fit. */
static uint32_t put_dirent(struct proc *p, uint32_t at, uint32_t room, uint32_t ino, uint32_t next,
                           uint8_t type, const char *name, uint32_t len, int *fault)
{
    uint8_t d[19 + NAME_MAX + 1 + 8];
    uint32_t reclen = (19 + len + 1 + 7) & ~7u;

    if (reclen > room)
        return 0;
    memset(d, 0, reclen);
    *(uint32_t *)d = ino;                       /* d_ino */
    *(uint32_t *)(d + 8) = next;                /* d_off: where the next entry is */
    *(uint16_t *)(d + 16) = (uint16_t)reclen;
    d[18] = type;
    memcpy(d + 19, name, len);
    if (mm_copy_out(p->mm, p->tid, at, d, reclen))
        *fault = 1;
    return reclen;
}

/* A directory's position: 0 and 1 are "." and "..", then an entry's cookie counted down from
 * the top, so that positions grow along the list (newest first) and stay put as it changes. */
#define DIR_POS(cookie) (0x7fffffffu - (cookie))

/* getdents64: "." and "..", then the entries from the file's position on; /proc's from procfs. */
int sys_getdents64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t used = 0, room = r[2], n;
    int fault = 0;

    if (!f)
        RET(-EBADF);
    if (f->type != F_DIR)
        RET(-ENOTDIR);
    uint32_t start = f->pos;
    struct inode *dir = f->inode;
    if (dir && dir->d.is_proc) {
        dir = NULL;
        memcpy(f->path, "/proc", 6);
    }
    if (f->pos == 0) {
        if (!(n = put_dirent(p, r[1], room, dir ? dir->ino : 1, 1, 4, ".", 1, &fault)))
            RET(-EINVAL);
        used += n;
        f->pos = 1;
    }
    if (f->pos == 1) {
        struct inode *up = dir && dir->nlink ? dir->d.parent : NULL;     /* (removed: gone) */
        if (!(n = put_dirent(p, r[1] + used, room - used, up ? up->ino : 1, 2, 4, "..", 2, &fault)))
            RET(used ? (int)used : -EINVAL);
        used += n;
        f->pos = 2;
    }
    if (dir) {
        if (!dir->nlink)
            RET(used);                          /* removed: nothing in it */
        for (struct dirent *d = dir->d.entries; d; d = d->next) {
            if (DIR_POS(d->cookie) < f->pos)
                continue;
            n = put_dirent(p, r[1] + used, room - used, d->inode->ino, DIR_POS(d->cookie) + 1,
                           (uint8_t)((d->inode->mode >> 12) & 15), d->name, d->len, &fault);
            if (!n)
                break;
            used += n;
            f->pos = DIR_POS(d->cookie) + 1;
        }
    } else {
        static char names[MAX_PROCS + 16][64];  /* every process, and /proc's own files */
        int count = procfs_children(p, f->path, names, MAX_PROCS + 16);
        for (int i = (int)f->pos - 2; i >= 0 && i < count; i++) {
            static char child[MAX_PATH];
            uint32_t mode = S_IFREG, len = strnlen(names[i], 63);
            fmt(child, sizeof child, "%s/%s", f->path, names[i]);
            if (procfs_readlink(p, child, (char[1]){ 0 }, 1) >= 0)
                mode = S_IFLNK;
            else
                procfs_stat(p, child, &mode);
            n = put_dirent(p, r[1] + used, room - used, (uint32_t)i + 100, f->pos + 1,
                           (uint8_t)((mode >> 12) & 15), names[i], len, &fault);
            if (!n)
                break;
            used += n;
            f->pos++;
        }
    }
    if (fault) {
        f->pos = start;                         /* nothing was read */
        RET(-EFAULT);
    }
    RET(used);
}

int sys_getcwd(struct proc *p, uint32_t *r)
{
    uint32_t len = strnlen(p->leader->cwd, sizeof p->leader->cwd) + 1;

    if (r[1] < len)
        RET(-ERANGE);
    RET(mm_copy_out(p->mm, p->tid, r[0], p->leader->cwd, len) ? -EFAULT : (int)len);
}

/* The working directory becomes what `lk` found: its path with links resolved, as Linux's
 * getcwd reports it. */
static int change_dir(struct proc *p, struct lookup *lk)
{
    static char path[MAX_PATH];
    uint32_t mode;

    if (lk->in_proc) {
        if (procfs_stat(p, lk->proc, &mode))
            return -ENOENT;
        if ((mode & S_IFMT) != S_IFDIR)
            return -ENOTDIR;
        memcpy(path, lk->proc, strnlen(lk->proc, MAX_PATH - 1) + 1);
    } else {
        if ((lk->ino->mode & S_IFMT) != S_IFDIR)
            return -ENOTDIR;
        int err = vfs_permission(p, lk->ino, MAY_EXEC);
        if (!err)
            err = vfs_path(lk->ino, NULL, path);
        if (err)
            return err;
    }
    if (strnlen(path, MAX_PATH) >= sizeof p->leader->cwd)
        return -ENAMETOOLONG;
    memcpy(p->leader->cwd, path, strnlen(path, MAX_PATH) + 1);
    return 0;
}

int sys_chdir(struct proc *p, uint32_t *r)
{
    int err = existing(p, AT_FDCWD, r[0], LK_FOLLOW, &lk_a);

    RET(err ? err : change_dir(p, &lk_a));
}

int sys_fchdir(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    if (f->type != F_DIR)
        RET(-ENOTDIR);
    memset(&lk_a, 0, sizeof lk_a);
    if (f->inode && !f->inode->d.is_proc) {
        lk_a.ino = f->inode;
    } else {
        lk_a.in_proc = 1;
        memcpy(lk_a.proc, f->inode ? "/proc" : f->path, f->inode ? 6 : strnlen(f->path, sizeof f->path - 1) + 1);
    }
    RET(change_dir(p, &lk_a));
}

/* The parent directory where a new name goes: EEXIST when the name is taken. */
static int new_name(struct proc *p, int dirfd, uint32_t addr, struct lookup *lk)
{
    int err = lookup_arg(p, dirfd, addr, 0, lk);

    if (err)
        return err;
    if (lk->in_proc || lk->ino)
        return -EEXIST;
    return 0;
}

static int do_mknod(struct proc *p, int dirfd, uint32_t path, uint32_t mode, uint32_t dev)
{
    struct inode *ino;
    uint32_t type = mode & S_IFMT;
    int err = new_name(p, dirfd, path, &lk_a);

    if (type == 0)
        type = S_IFREG;
    if (type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFBLK &&
        type != S_IFSOCK && type != S_IFDIR)
        return -EINVAL;
    if (err)
        return err;
    if (lk_a.trailing_slash && type != S_IFDIR)
        return -ENOENT;
    if ((type == S_IFCHR || type == S_IFBLK) && p->leader->cred.euid)
        return -EPERM;                          /* devices: root's */
    if ((err = vfs_permission(p, lk_a.dir, MAY_WRITE | MAY_EXEC)))
        return err;
    err = vfs_create(lk_a.dir, lk_a.name, type | (mode & 07777 & ~p->leader->umask), &ino);
    if (!err && (type == S_IFCHR || type == S_IFBLK))
        ino->rdev = dev;
    if (!err)
        vfs_new_owner(p, lk_a.dir, ino);
    return err;
}

int sys_mkdir(struct proc *p, uint32_t *r)
{
    RET(do_mknod(p, AT_FDCWD, r[0], S_IFDIR | (r[1] & 07777), 0));
}

int sys_mkdirat(struct proc *p, uint32_t *r)
{
    RET(do_mknod(p, (int32_t)r[0], r[1], S_IFDIR | (r[2] & 07777), 0));
}

int sys_mknod(struct proc *p, uint32_t *r)
{
    RET((r[1] & S_IFMT) == S_IFDIR ? -EINVAL : do_mknod(p, AT_FDCWD, r[0], r[1], r[2]));
}

int sys_mknodat(struct proc *p, uint32_t *r)
{
    RET((r[2] & S_IFMT) == S_IFDIR ? -EINVAL : do_mknod(p, (int32_t)r[0], r[1], r[2], r[3]));
}

static int do_unlink(struct proc *p, int dirfd, uint32_t path, int rmdir)
{
    int err = lookup_arg(p, dirfd, path, 0, &lk_a);

    if (err)
        return err;
    if (lk_a.in_proc)
        return lk_a.proc_exists ? -EACCES : -ENOENT;
    if (!lk_a.ino)
        return -ENOENT;
    if (lk_a.ino == vfs_root)
        return rmdir ? -EBUSY : -EISDIR;
    if (lk_a.name[0] == '.' && (!lk_a.name[1] || (lk_a.name[1] == '.' && !lk_a.name[2])))
        return !rmdir ? -EISDIR : lk_a.name[1] ? -ENOTEMPTY : -EINVAL;
    if (!rmdir && lk_a.trailing_slash)
        return (lk_a.ino->mode & S_IFMT) == S_IFDIR ? -EISDIR : -ENOTDIR;
    if ((err = vfs_may_delete(p, lk_a.dir, lk_a.ino)))
        return err;
    return vfs_unlink(lk_a.dir, lk_a.name, rmdir);
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
    if (r[2] & ~(uint32_t)AT_REMOVEDIR)
        RET(-EINVAL);
    RET(do_unlink(p, (int32_t)r[0], r[1], r[2] & AT_REMOVEDIR ? 1 : 0));
}

static int is_dot_or_dotdot(const char *name)
{
    return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

static char old_path[MAX_PATH], new_path[MAX_PATH];

/* A working directory is kept as its path: the processes in the directory that moved (or below
 * it) go on in it at its new path, as they would holding it on Linux. */
static void follow_cwds(struct inode *moved)
{
    size_t olen = strnlen(old_path, MAX_PATH);

    if (vfs_path(moved, NULL, new_path))
        return;
    size_t nlen = strnlen(new_path, MAX_PATH);
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        char *cwd = procs[i].cwd;
        size_t clen = strnlen(cwd, sizeof procs[i].cwd);
        if (procs[i].state == P_FREE || clen < olen || memcmp(cwd, old_path, olen) ||
            (cwd[olen] && cwd[olen] != '/') || nlen + clen - olen >= sizeof procs[i].cwd)
            continue;
        memmove(cwd + nlen, cwd + olen, clen - olen + 1);
        memcpy(cwd, new_path, nlen);
    }
}

static int do_rename(struct proc *p, int olddir, uint32_t oldp, int newdir, uint32_t newp, uint32_t flags)
{
    int err;

    if (flags & ~(uint32_t)(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
        (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE))
        return -EINVAL;
    if ((err = lookup_arg(p, olddir, oldp, 0, &lk_a)))
        return err;
    if ((err = lookup_arg(p, newdir, newp, 0, &lk_b)))
        return err;
    if (lk_a.in_proc || lk_b.in_proc)
        return lk_a.in_proc && !lk_a.proc_exists ? -ENOENT : -EXDEV;
    if (!lk_a.ino)
        return -ENOENT;
    if (lk_a.ino == vfs_root || lk_b.ino == vfs_root || is_dot_or_dotdot(lk_a.name) ||
        is_dot_or_dotdot(lk_b.name))
        return -EBUSY;
    int dir = (lk_a.ino->mode & S_IFMT) == S_IFDIR;
    if (!dir && (lk_a.trailing_slash || lk_b.trailing_slash))
        return lk_b.ino && (lk_b.ino->mode & S_IFMT) == S_IFDIR ? -EISDIR : -ENOTDIR;
    struct inode *moved = lk_a.ino;
    if ((err = vfs_may_delete(p, lk_a.dir, lk_a.ino)) ||
        (err = lk_b.ino ? vfs_may_delete(p, lk_b.dir, lk_b.ino) :
                          vfs_permission(p, lk_b.dir, MAY_WRITE | MAY_EXEC)) ||
        (dir && lk_a.dir != lk_b.dir && (err = vfs_permission(p, lk_a.ino, MAY_WRITE))))
        return err;                             /* a directory moved elsewhere: its ".." too */
    if (dir && vfs_path(lk_a.dir, lk_a.name, old_path))
        old_path[0] = 0;
    err = vfs_rename(lk_a.dir, lk_a.name, lk_b.dir, lk_b.name, flags);
    if (!err && dir && old_path[0])
        follow_cwds(moved);
    return err;
}

int sys_rename(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, AT_FDCWD, r[0], AT_FDCWD, r[1], 0));
}

int sys_renameat(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, (int32_t)r[0], r[1], (int32_t)r[2], r[3], 0));
}

int sys_renameat2(struct proc *p, uint32_t *r)
{
    RET(do_rename(p, (int32_t)r[0], r[1], (int32_t)r[2], r[3], r[4]));
}

/* ---- links ------------------------------------------------------------------------------ */

static int do_link(struct proc *p, int olddir, uint32_t oldp, int newdir, uint32_t newp, uint32_t flags)
{
    int err;

    if (flags & ~(uint32_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if ((err = existing(p, olddir, oldp, flags & AT_SYMLINK_FOLLOW ? LK_FOLLOW : 0, &lk_a)))
        return err;
    if ((err = lookup_arg(p, newdir, newp, 0, &lk_b)))
        return err;
    if (lk_a.in_proc || lk_b.in_proc)
        return lk_b.in_proc || lk_b.ino ? -EEXIST : -EXDEV;
    if (lk_b.ino)
        return -EEXIST;
    if ((lk_a.ino->mode & S_IFMT) == S_IFDIR)
        return -EPERM;
    if (lk_b.trailing_slash)
        return -ENOENT;
    if ((err = vfs_permission(p, lk_b.dir, MAY_WRITE | MAY_EXEC)))
        return err;
    return vfs_link(lk_b.dir, lk_b.name, lk_a.ino);
}

int sys_link(struct proc *p, uint32_t *r)
{
    RET(do_link(p, AT_FDCWD, r[0], AT_FDCWD, r[1], 0));
}

int sys_linkat(struct proc *p, uint32_t *r)
{
    RET(do_link(p, (int32_t)r[0], r[1], (int32_t)r[2], r[3], r[4]));
}

static int do_symlink(struct proc *p, uint32_t target_addr, int newdir, uint32_t newp)
{
    static char target[MAX_PATH];
    struct inode *ino;
    int err;

    if (mm_copy_string(p->mm, p->tid, target, target_addr, sizeof target))
        return mm_copy_in(p->mm, p->tid, target, target_addr, 1) ? -EFAULT : -ENAMETOOLONG;
    if (!target[0])
        return -ENOENT;
    if ((err = new_name(p, newdir, newp, &lk_b)))
        return err;
    if (lk_b.trailing_slash)
        return -ENOENT;
    if ((err = vfs_permission(p, lk_b.dir, MAY_WRITE | MAY_EXEC)))
        return err;
    uint32_t len = strnlen(target, MAX_PATH);
    char *copy = kmem_alloc(len + 1);
    if (!copy)
        return -ENOSPC;
    err = vfs_create(lk_b.dir, lk_b.name, S_IFLNK | 0777, &ino);
    if (err) {
        kmem_free(copy, len + 1);
        return err;
    }
    memcpy(copy, target, len);
    ino->target = copy;
    ino->size = len;
    vfs_new_owner(p, lk_b.dir, ino);
    return 0;
}

int sys_symlink(struct proc *p, uint32_t *r)
{
    RET(do_symlink(p, r[0], AT_FDCWD, r[1]));
}

int sys_symlinkat(struct proc *p, uint32_t *r)
{
    RET(do_symlink(p, r[0], (int32_t)r[1], r[2]));
}

/* readlinkat(dirfd, path, buf, size): a symbolic link's target, and /proc's links. */
int sys_readlinkat(struct proc *p, uint32_t *r)
{
    static char target[MAX_PATH];
    int n = existing(p, (int32_t)r[0], r[1], 0, &lk_a);

    if (n)
        RET(n);
    if ((int32_t)r[3] <= 0)
        RET(-EINVAL);
    if (lk_a.in_proc) {
        n = procfs_readlink(p, lk_a.proc, target, sizeof target);
        if (n < 0)
            RET(n);
    } else {
        if ((lk_a.ino->mode & S_IFMT) != S_IFLNK)
            RET(-EINVAL);
        n = (int)lk_a.ino->size;
        memcpy(target, lk_a.ino->target, (uint32_t)n);
        vfs_touch(lk_a.ino, T_ATIME);
    }
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

/* ---- access, modes, owners, times, sizes ------------------------------------------------ */

/* As the real user and group unless AT_EACCESS (set-user-ID programs ask what their user may
 * do): the lookup's searches and the file's bits. */
static int do_access(struct proc *p, int dirfd, uint32_t path, uint32_t mode, uint32_t flags)
{
    uint32_t fsuid = p->leader->cred.fsuid, fsgid = p->leader->cred.fsgid;
    int err;

    if (mode & ~7u || flags & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH))
        return -EINVAL;
    if (!(flags & AT_EACCESS)) {
        p->leader->cred.fsuid = p->leader->cred.uid;
        p->leader->cred.fsgid = p->leader->cred.gid;
    }
    err = existing(p, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : LK_FOLLOW, &lk_a);
    if (!err && !lk_a.in_proc)
        err = vfs_permission(p, lk_a.ino, (int)mode);   /* R_OK, W_OK, X_OK are MAY_* */
    p->leader->cred.fsuid = fsuid;
    p->leader->cred.fsgid = fsgid;
    return err;
}

int sys_access(struct proc *p, uint32_t *r)
{
    RET(do_access(p, AT_FDCWD, r[0], r[1], 0));
}

int sys_faccessat(struct proc *p, uint32_t *r)
{
    RET(do_access(p, (int32_t)r[0], r[1], r[2], r[7] == __NR_faccessat2 ? r[3] : 0));
}

/* The inode a path (or, for the f- calls, a descriptor) names; /proc's are not changeable. */
static int inode_at(struct proc *p, int dirfd, uint32_t path, int follow, struct inode **ino)
{
    int err = existing(p, dirfd, path, follow ? LK_FOLLOW : 0, &lk_a);

    if (err)
        return err;
    if (lk_a.in_proc)
        return -EPERM;
    *ino = lk_a.ino;
    return 0;
}

static int inode_of_fd(struct proc *p, uint32_t fd, struct inode **ino)
{
    struct file *f = fd_get(p, fd);

    if (!f)
        return -EBADF;
    if (!f->inode)
        return -EPERM;
    *ino = f->inode;
    return 0;
}

static int set_mode(struct proc *p, struct inode *ino, uint32_t mode)
{
    if (!vfs_owner(p, ino))
        return -EPERM;
    if (p->leader->cred.fsuid && !in_group(p, ino->gid) && (ino->mode & S_IFMT) != S_IFDIR)
        mode &= ~(uint32_t)S_ISGID;             /* not a member of its group: not set-group-ID */
    ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
    vfs_touch(ino, T_CTIME);
    return 0;
}

int sys_chmod(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_at(p, AT_FDCWD, r[0], 1, &ino);

    RET(err ? err : set_mode(p, ino, r[1]));
}

int sys_fchmod(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_of_fd(p, r[0], &ino);

    RET(err ? err : set_mode(p, ino, r[1]));
}

int sys_fchmodat(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_at(p, (int32_t)r[0], r[1], 1, &ino);

    RET(err ? err : set_mode(p, ino, r[2]));
}

/* Extended attributes: the file system keeps none.  After the file's own errors (the path's,
 * EBADF), a list is empty, a name is not there (ENODATA) and none can be set (EOPNOTSUPP), as
 * on a file system without them (shutil's copy2 lists them, and goes on when there are none).
 * `how`: 0 the path, followed; 1 the path, a last link not followed; 2 a descriptor. */
static int xattr_answer(struct proc *p, uint32_t *r, int how, int none)
{
    if (how == 2)
        return fd_get(p, r[0]) ? none : -EBADF;
    int err = existing(p, AT_FDCWD, r[0], how ? 0 : LK_FOLLOW, &lk_a);
    return err ? err : none;
}

int sys_listxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 0, 0)); }
int sys_llistxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 1, 0)); }
int sys_flistxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 2, 0)); }
int sys_getxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 0, -ENODATA)); }
int sys_lgetxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 1, -ENODATA)); }
int sys_fgetxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 2, -ENODATA)); }
int sys_removexattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 0, -ENODATA)); }
int sys_lremovexattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 1, -ENODATA)); }
int sys_fremovexattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 2, -ENODATA)); }
int sys_setxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 0, -EOPNOTSUPP)); }
int sys_lsetxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 1, -EOPNOTSUPP)); }
int sys_fsetxattr(struct proc *p, uint32_t *r) { RET(xattr_answer(p, r, 2, -EOPNOTSUPP)); }

/* -1 leaves an id as it is.  As on Linux, any chown of what is not a directory clears
 * set-user-ID, and set-group-ID when the group may execute (without that bit it means
 * mandatory locking, which stays). */
static int set_owner(struct proc *p, struct inode *ino, uint32_t uid, uint32_t gid)
{
    /* root changes anything; the owner only the group, to one of its own */
    if (p->leader->cred.fsuid) {
        int owner = ino->uid == p->leader->cred.fsuid;
        if (uid != 0xffffffffu && !(owner && uid == ino->uid))
            return -EPERM;
        if (gid != 0xffffffffu && !(owner && (gid == ino->gid || in_group(p, gid))))
            return -EPERM;
    }
    if (uid != 0xffffffffu)
        ino->uid = uid;
    if (gid != 0xffffffffu)
        ino->gid = gid;
    if ((ino->mode & S_IFMT) != S_IFDIR) {
        ino->mode &= ~(uint32_t)S_ISUID;
        if (ino->mode & 0010)
            ino->mode &= ~(uint32_t)S_ISGID;
    }
    vfs_touch(ino, T_CTIME);
    return 0;
}

int sys_chown32(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_at(p, AT_FDCWD, r[0], 1, &ino);

    RET(err ? err : set_owner(p, ino, r[1], r[2]));
}

int sys_lchown32(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_at(p, AT_FDCWD, r[0], 0, &ino);

    RET(err ? err : set_owner(p, ino, r[1], r[2]));
}

int sys_fchown32(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_of_fd(p, r[0], &ino);

    RET(err ? err : set_owner(p, ino, r[1], r[2]));
}

int sys_fchownat(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err;

    if (r[4] & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        RET(-EINVAL);
    if (empty_path(p, r[4], r[1]))
        err = inode_of_fd(p, r[0], &ino);
    else
        err = inode_at(p, (int32_t)r[0], r[1], !(r[4] & AT_SYMLINK_NOFOLLOW), &ino);
    RET(err ? err : set_owner(p, ino, r[2], r[3]));
}

/* Set the times from `ts` (access, modification; NULL: both now), honouring UTIME_NOW and
 * UTIME_OMIT. */
static int set_times(struct proc *p, struct inode *ino, const struct timespec32 *ts)
{
    struct timespec32 now = vfs_now();

    if (ts && ts[0].nsec == UTIME_OMIT && ts[1].nsec == UTIME_OMIT)
        return 0;
    /* times of one's choosing: the owner's (or root's); "now": also whoever may write it */
    int chosen = ts && ((ts[0].nsec != UTIME_NOW && ts[0].nsec != UTIME_OMIT) ||
                        (ts[1].nsec != UTIME_NOW && ts[1].nsec != UTIME_OMIT));
    if (!vfs_owner(p, ino) && (chosen || vfs_permission(p, ino, MAY_WRITE)))
        return chosen ? -EPERM : -EACCES;
    for (int i = 0; i < 2; i++) {
        struct timespec32 *t = i ? &ino->mtime : &ino->atime;
        if (!ts || ts[i].nsec == UTIME_NOW)
            *t = now;
        else if (ts[i].nsec != UTIME_OMIT)
            *t = ts[i];
    }
    ino->ctime = now;
    return 0;
}

/* utimensat(dirfd, path, times, flags); a NULL path is the descriptor (futimens).  `wide`:
 * the time64 call's struct timespec (64-bit seconds). */
static int do_utimensat(struct proc *p, uint32_t *r, int wide)
{
    struct timespec32 ts[2];
    struct inode *ino;
    int err;

    if (r[2]) {
        uint32_t raw[8];
        if (mm_copy_in(p->mm, p->tid, raw, r[2], wide ? 32 : 16))
            return -EFAULT;
        ts[0] = wide ? (struct timespec32){ raw[0], raw[2] } : (struct timespec32){ raw[0], raw[1] };
        ts[1] = wide ? (struct timespec32){ raw[4], raw[6] } : (struct timespec32){ raw[2], raw[3] };
        for (int i = 0; i < 2; i++)
            if (ts[i].nsec >= 1000000000u && ts[i].nsec != UTIME_NOW && ts[i].nsec != UTIME_OMIT)
                return -EINVAL;
    }
    if (r[3] & ~(uint32_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (!r[1] || empty_path(p, r[3], r[1]))
        err = (int32_t)r[0] == AT_FDCWD && !r[1] ? -EFAULT : inode_of_fd(p, r[0], &ino);
    else
        err = inode_at(p, (int32_t)r[0], r[1], !(r[3] & AT_SYMLINK_NOFOLLOW), &ino);
    return err ? err : set_times(p, ino, r[2] ? ts : NULL);
}

int sys_utimensat(struct proc *p, uint32_t *r)
{
    RET(do_utimensat(p, r, 0));
}

int sys_utimensat_time64(struct proc *p, uint32_t *r)
{
    RET(do_utimensat(p, r, 1));
}

/* utimes(path, timeval[2]): microseconds. */
int sys_utimes(struct proc *p, uint32_t *r)
{
    struct timespec32 ts[2];
    struct inode *ino;
    uint32_t tv[4];
    int err = inode_at(p, AT_FDCWD, r[0], 1, &ino);

    if (err)
        RET(err);
    if (!r[1])
        RET(set_times(p, ino, NULL));
    if (mm_copy_in(p->mm, p->tid, tv, r[1], 16))
        RET(-EFAULT);
    if (tv[1] >= 1000000u || tv[3] >= 1000000u)
        RET(-EINVAL);
    ts[0] = (struct timespec32){ tv[0], tv[1] * 1000 };
    ts[1] = (struct timespec32){ tv[2], tv[3] * 1000 };
    RET(set_times(p, ino, ts));
}

/* truncate64(path, pad, length low, length high) */
int sys_truncate64(struct proc *p, uint32_t *r)
{
    struct inode *ino;
    int err = inode_at(p, AT_FDCWD, r[0], 1, &ino);

    if (err)
        RET(err == -EPERM ? -EACCES : err);
    if ((ino->mode & S_IFMT) == S_IFDIR)
        RET(-EISDIR);
    if ((ino->mode & S_IFMT) != S_IFREG)
        RET(-EINVAL);
    if ((int32_t)r[3] < 0)
        RET(-EINVAL);
    if ((err = vfs_permission(p, ino, MAY_WRITE)))
        RET(err);
    if (r[3] || r[2] > MAX_FILE_SIZE)
        RET(-EFBIG);
    err = vfs_truncate(ino, r[2]);
    if (!err)
        vfs_touch(ino, T_MTIME | T_CTIME);
    RET(err);
}

/* truncate(path, length): a signed 32-bit length. */
int sys_truncate(struct proc *p, uint32_t *r)
{
    uint32_t args[4] = { r[0], 0, r[1], (int32_t)r[1] < 0 ? 0xffffffffu : 0 };
    int blocked = sys_truncate64(p, args);

    r[0] = args[0];
    return blocked;
}

/* ---- the file system as a whole --------------------------------------------------------- */

/* struct statfs64 (ARM: 84 bytes): the pool's pages are the file system's blocks, less the
 * reserve that only page faults may take. */
static int put_statfs(struct proc *p, uint32_t size, uint32_t addr, int proc)
{
    uint32_t sf[22], free = frames_free() > LOW_MEMORY ? frames_free() - LOW_MEMORY : 0;

    if (size != 84 && size != 88)
        return -EINVAL;
    memset(sf, 0, sizeof sf);
    sf[0] = proc ? PROC_SUPER_MAGIC : TMPFS_MAGIC;  /* f_type */
    sf[1] = PAGE;                               /* f_bsize */
    if (!proc) {
        sf[2] = frames_total();                 /* f_blocks */
        sf[4] = free;                           /* f_bfree */
        sf[6] = free;                           /* f_bavail */
        sf[8] = vfs_inodes + free * (PAGE / sizeof(struct inode));     /* f_files */
        sf[10] = free * (PAGE / sizeof(struct inode));                 /* f_ffree */
    }
    sf[14] = NAME_MAX;                          /* f_namelen */
    sf[15] = PAGE;                              /* f_frsize */
    sf[16] = 0x20;                              /* f_flags: ST_VALID */
    return mm_copy_out(p->mm, p->tid, addr, sf, size) ? -EFAULT : 0;
}

int sys_statfs64(struct proc *p, uint32_t *r)
{
    int err = existing(p, AT_FDCWD, r[0], LK_FOLLOW, &lk_a);

    RET(err ? err : put_statfs(p, r[1], r[2], lk_a.in_proc ||
                                ((lk_a.ino->mode & S_IFMT) == S_IFDIR && lk_a.ino->d.is_proc)));
}

int sys_fstatfs64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    RET(put_statfs(p, r[1], r[2], f->type == F_PROC || (f->type == F_DIR && !f->inode)));
}

int sys_umask(struct proc *p, uint32_t *r)
{
    uint32_t old = p->leader->umask;

    p->leader->umask = r[0] & 0777;
    RET(old);
}
