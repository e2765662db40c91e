/*
 * The file system: a tree of inodes in the server's memory, with tmpfs semantics (vfs.h says
 * what it keeps).  Directories list their entries newest first, each with a cookie that only
 * grows, so a reader's position stays valid while entries come and go (rm -r unlinks as it
 * reads).  A regular file's pages are frames found through eight direct slots, an index frame
 * and a two-level index; a page never written reads as the initramfs's bytes (in place) or as
 * zeros.  Lookup walks a path component by component, following symbolic links (40 at most, as
 * Linux) and handing what lies below /proc to procfs.c, whose links (/proc/self,
 * /proc/PID/exe) it follows too.
 */
#include "vfs.h"

struct inode *vfs_root;
static struct inode *proc_dir;
uint32_t vfs_inodes, vfs_files, vfs_pipes, vfs_data_pages;
static uint32_t next_ino = 2;
static const uint8_t zero_page[PAGE];

/* A directory's size grows by this much per entry, as tmpfs's does (BOGO_DIRENT_SIZE). */
#define DIRENT_SIZE 20

#define S_ISDIR_(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISREG_(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISLNK_(m) (((m) & S_IFMT) == S_IFLNK)

/* Files' times are wall-clock times, as on Linux (the board's real-time clock, sys_info.c). */
struct timespec32 vfs_now(void)
{
    uint64_t ns = (uint64_t)((int64_t)now_ns() + realtime_offset_ns);

    return (struct timespec32){ (uint32_t)(ns / 1000000000u), (uint32_t)(ns % 1000000000u) };
}

void vfs_touch(struct inode *ino, int what)
{
    struct timespec32 now = vfs_now();

    if (what & T_ATIME)
        ino->atime = now;
    if (what & T_MTIME)
        ino->mtime = now;
    if (what & T_CTIME)
        ino->ctime = now;
}

/* relatime: a read moves the access time when it is not newer than the last change, or a day
 * old. */
void vfs_accessed(struct inode *ino)
{
    struct timespec32 now = vfs_now();

    if (ino->atime.sec < ino->mtime.sec ||
        (ino->atime.sec == ino->mtime.sec && ino->atime.nsec <= ino->mtime.nsec) ||
        ino->atime.sec < ino->ctime.sec ||
        (ino->atime.sec == ino->ctime.sec && ino->atime.nsec <= ino->ctime.nsec) ||
        (int32_t)(now.sec - ino->atime.sec) >= 24 * 3600)
        ino->atime = now;
}

/* ---- inodes ----------------------------------------------------------------------------- */

static struct inode *inode_new(uint32_t mode)
{
    struct inode *ino = kmem_alloc(sizeof *ino);

    if (!ino)
        return NULL;
    ino->ino = next_ino++;
    ino->mode = mode;
    vfs_touch(ino, T_ATIME | T_MTIME | T_CTIME);
    vfs_inodes++;
    return ino;
}

static void data_free(uint32_t frame)
{
    frame_put(frame);
    vfs_data_pages--;
}

static uint32_t data_alloc(void)
{
    uint32_t f = frames_free() > LOW_MEMORY ? frame_alloc() : 0;

    vfs_data_pages += f != 0;
    return f;
}

static void inode_free(struct inode *ino)
{
    if (S_ISREG_(ino->mode))
        vfs_truncate(ino, 0);
    else if (S_ISLNK_(ino->mode))
        kmem_free(ino->target, ino->size + 1);
    kmem_free(ino, sizeof *ino);
    vfs_inodes--;
}

void inode_get(struct inode *ino)
{
    ino->refs++;
}

static void maybe_free(struct inode *ino)
{
    if (!ino->refs && !ino->nlink)
        inode_free(ino);
}

void inode_put(struct inode *ino)
{
    if (!ino)
        return;
    ino->refs--;
    maybe_free(ino);
}

/* ---- file pages ------------------------------------------------------------------------- */

/* The slot of page `page`, the index frames on the way made when `create`; NULL if absent. */
static uint32_t *slot_of(struct inode *ino, uint32_t page, int create)
{
    if (page < INODE_DIRECT)
        return &ino->f.direct[page];
    page -= INODE_DIRECT;
    if (page < 1024) {
        if (!ino->f.ind && (!create || !(ino->f.ind = (uint32_t *)data_alloc())))
            return NULL;
        return &ino->f.ind[page];
    }
    page -= 1024;
    if (page >= 1024 * 1024)
        return NULL;
    if (!ino->f.dind && (!create || !(ino->f.dind = (uint32_t **)data_alloc())))
        return NULL;
    uint32_t **l1 = &ino->f.dind[page / 1024];
    if (!*l1 && (!create || !(*l1 = (uint32_t *)data_alloc())))
        return NULL;
    return &(*l1)[page % 1024];
}

/* A slot holding a copy of the archive's page kept only while some process maps it (frame_put
 * lets it go when the last mapping does); the file's bytes are still the archive's. */
#define SLOT_CACHED 1u

uint32_t vfs_page(struct inode *ino, uint32_t pos, int create)
{
    uint32_t *slot = slot_of(ino, pos / PAGE, create), start = pos & PAGE_MASK;

    if (slot && *slot & SLOT_CACHED && create) {
        *slot &= PAGE_MASK;                     /* written: the file's own page from now on */
        frame_cache(*slot, NULL);
        vfs_data_pages++;
    }
    if (!slot || *slot || !create)
        return slot ? *slot & PAGE_MASK : 0;
    uint32_t f = data_alloc();
    if (!f)
        return 0;
    if (start < ino->f.rom_size) {              /* first write: the archive's bytes, copied */
        uint32_t n = ino->f.rom_size - start;
        memcpy((void *)f, ino->f.rom + start, n < PAGE ? n : PAGE);
    }
    *slot = f;
    return f;
}

uint32_t vfs_mappable_page(struct inode *ino, uint32_t pos)
{
    uint32_t frame, *slot;

    if (!S_ISREG_(ino->mode) || pos % PAGE || pos > ino->size || ino->size - pos < PAGE)
        return 0;
    frame = vfs_page(ino, pos, 0);
    if (frame || ino->f.rom_size < PAGE || pos > ino->f.rom_size - PAGE)
        return frame;
    /* the archive's bytes: one copy for every process that maps them, for as long as one does */
    if (frames_free() <= LOW_MEMORY || !(slot = slot_of(ino, pos / PAGE, 1)) || !(frame = frame_alloc()))
        return 0;
    memcpy((void *)frame, ino->f.rom + pos, PAGE);
    *slot = frame | SLOT_CACHED;
    frame_cache(frame, slot);
    return frame;
}

/* Where the bytes at `pos` are (a frame, the archive, or zeros): a pointer good for *n bytes,
 * within the page and the file. */
static const uint8_t *peek(struct inode *ino, uint32_t pos, uint32_t *n)
{
    uint32_t off = pos % PAGE, left = ino->size - pos, frame = vfs_page(ino, pos, 0);

    *n = PAGE - off < left ? PAGE - off : left;
    if (frame)
        return (const uint8_t *)frame + off;
    if (pos < ino->f.rom_size) {
        if (*n > ino->f.rom_size - pos)
            *n = ino->f.rom_size - pos;
        return ino->f.rom + pos;
    }
    return zero_page + off;
}

/* A process reads a file: `copy` moves each piece out (0, or -1 when its address is bad). */
int vfs_read_to(struct inode *ino, uint32_t pos, uint32_t len,
                int (*copy)(void *ctx, uint32_t at, const void *src, uint32_t n), void *ctx)
{
    uint32_t done = 0, n;

    if (pos >= ino->size)
        return 0;
    if (len > ino->size - pos)
        len = ino->size - pos;
    while (done < len) {
        const uint8_t *src = peek(ino, pos + done, &n);
        if (n > len - done)
            n = len - done;
        if (copy(ctx, done, src, n))
            return done ? (int)done : -EFAULT;
        done += n;
    }
    return (int)done;
}

/* The server reads a file into its own buffer: a copy that cannot fail. */
static int copy_to_server(void *buf, uint32_t at, const void *src, uint32_t n)
{
    memcpy((uint8_t *)buf + at, src, n);
    return 0;
}

uint32_t vfs_read(struct inode *ino, uint32_t pos, void *buf, uint32_t len)
{
    return (uint32_t)vfs_read_to(ino, pos, len, copy_to_server, buf);
}

int vfs_write(struct inode *ino, uint32_t pos, const void *buf, uint32_t len)
{
    uint32_t done = 0;

    if (pos >= MAX_FILE_SIZE)
        return -EFBIG;
    if (len > MAX_FILE_SIZE - pos)
        len = MAX_FILE_SIZE - pos;
    while (done < len) {
        uint32_t at = pos + done, off = at % PAGE, n = PAGE - off < len - done ? PAGE - off : len - done;
        uint32_t frame = vfs_page(ino, at, 1);
        if (!frame)
            break;
        memcpy((uint8_t *)frame + off, (const uint8_t *)buf + done, n);
        done += n;
        if (at + n > ino->size)
            ino->size = at + n;
    }
    if (done)
        vfs_touch(ino, T_MTIME | T_CTIME);
    return done ? (int)done : -ENOSPC;
}

uint32_t vfs_blocks(const struct inode *ino)
{
    uint32_t pages = 0, npages = (ino->size + PAGE - 1) / PAGE;

    for (uint32_t pg = 0; pg < npages; pg++) {
        uint32_t *slot = slot_of((struct inode *)ino, pg, 0);
        pages += (slot && *slot) || pg * PAGE < ino->f.rom_size;
    }
    return pages * (PAGE / 512);
}

static void free_slot(uint32_t *slot)
{
    if (*slot & SLOT_CACHED) {
        uint32_t frame = *slot & PAGE_MASK;     /* the mappings keep it, the file lets it go */
        *slot = 0;
        frame_cache(frame, NULL);
        frame_put(frame);
    } else if (*slot) {
        data_free(*slot);
        *slot = 0;
    }
}

int vfs_truncate(struct inode *ino, uint32_t size)
{
    uint32_t keep = (size + PAGE - 1) / PAGE, old = (ino->size + PAGE - 1) / PAGE;

    if (size > MAX_FILE_SIZE)
        return -EFBIG;
    if (size < ino->size) {
        for (uint32_t pg = keep; pg < old; pg++) {
            /* skip absent index frames a whole table at a time (sparse files) */
            uint32_t *slot = slot_of(ino, pg, 0);
            if (slot)
                free_slot(slot);
        }
        if (size % PAGE) {
            uint32_t frame = vfs_page(ino, size, 0);
            if (frame)
                memset((uint8_t *)frame + size % PAGE, 0, PAGE - size % PAGE);
        }
        if (ino->f.rom_size > size)
            ino->f.rom_size = size;
        if (ino->f.dind) {
            for (uint32_t i = 0; i < 1024; i++) {
                uint32_t first = INODE_DIRECT + 1024 + i * 1024;
                if (ino->f.dind[i] && first >= keep) {
                    data_free((uint32_t)ino->f.dind[i]);
                    ino->f.dind[i] = NULL;
                }
            }
            if (keep <= INODE_DIRECT + 1024) {
                data_free((uint32_t)ino->f.dind);
                ino->f.dind = NULL;
            }
        }
        if (ino->f.ind && keep <= INODE_DIRECT) {
            data_free((uint32_t)ino->f.ind);
            ino->f.ind = NULL;
        }
    }
    ino->size = size;
    return 0;
}

/* ---- directories ------------------------------------------------------------------------ */

static int name_is(const struct dirent *d, const char *name, size_t len)
{
    return d->len == len && !memcmp(d->name, name, len);
}

struct dirent *vfs_find(struct inode *dir, const char *name)
{
    size_t len = strnlen(name, NAME_MAX + 1);

    for (struct dirent *d = dir->d.entries; d; d = d->next)
        if (name_is(d, name, len))
            return d;
    return NULL;
}

static int dirent_add(struct inode *dir, const char *name, struct inode *ino)
{
    size_t len = strnlen(name, NAME_MAX + 1);
    uint32_t size = sizeof(struct dirent) + len + 1;
    struct dirent *d;

    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    d = kmem_alloc(size);
    if (!d)
        return -ENOSPC;
    d->alloc = (uint16_t)size;
    d->len = (uint8_t)len;
    memcpy(d->name, name, len);
    d->inode = ino;
    d->cookie = ++dir->d.next_cookie;
    d->next = dir->d.entries;
    dir->d.entries = d;
    dir->d.count++;
    dir->size += DIRENT_SIZE;
    return 0;
}

static void dirent_remove(struct inode *dir, struct dirent *gone)
{
    for (struct dirent **pp = &dir->d.entries; *pp; pp = &(*pp)->next) {
        if (*pp == gone) {
            *pp = gone->next;
            dir->d.count--;
            dir->size -= DIRENT_SIZE;
            kmem_free(gone, gone->alloc);
            return;
        }
    }
}

static int bad_name(const char *name)
{
    size_t len = strnlen(name, NAME_MAX + 1);

    if (len > NAME_MAX)
        return -ENAMETOOLONG;
    if (!len || (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.'))))
        return -EEXIST;
    return 0;
}

int vfs_create(struct inode *dir, const char *name, uint32_t mode, struct inode **out)
{
    struct inode *ino;
    int err = bad_name(name);

    if (err)
        return err;
    if (!dir->nlink)
        return -ENOENT;                         /* a directory already removed */
    if (vfs_find(dir, name))
        return -EEXIST;
    ino = inode_new(mode);
    if (!ino)
        return -ENOSPC;
    err = dirent_add(dir, name, ino);
    if (err) {
        inode_free(ino);
        return err;
    }
    ino->nlink = 1;
    if (S_ISDIR_(mode)) {
        ino->size = 2 * DIRENT_SIZE;            /* "." and ".." */
        ino->nlink = 2;                         /* its entry and its "." */
        ino->d.parent = dir;
        dir->nlink++;                           /* its ".." */
    }
    vfs_touch(dir, T_MTIME | T_CTIME);
    *out = ino;
    return 0;
}

int vfs_link(struct inode *dir, const char *name, struct inode *ino)
{
    int err = bad_name(name);

    if (err)
        return err;
    if (S_ISDIR_(ino->mode))
        return -EPERM;
    if (!dir->nlink)
        return -ENOENT;
    if (vfs_find(dir, name))
        return -EEXIST;
    err = dirent_add(dir, name, ino);
    if (err)
        return err;
    ino->nlink++;
    vfs_touch(ino, T_CTIME);
    vfs_touch(dir, T_MTIME | T_CTIME);
    return 0;
}

/* Take entry `d` out of `dir`, dropping the link it held. */
static void drop_entry(struct inode *dir, struct dirent *d)
{
    struct inode *ino = d->inode;

    dirent_remove(dir, d);
    if (S_ISDIR_(ino->mode)) {
        ino->nlink = 0;                         /* its entry and its "." */
        dir->nlink--;                           /* its ".." */
    } else {
        ino->nlink--;
    }
    vfs_touch(ino, T_CTIME);
    vfs_touch(dir, T_MTIME | T_CTIME);
    maybe_free(ino);
}

int vfs_unlink(struct inode *dir, const char *name, int rmdir)
{
    struct dirent *d = vfs_find(dir, name);

    if (!d)
        return -ENOENT;
    struct inode *ino = d->inode;
    if (rmdir) {
        if (!S_ISDIR_(ino->mode))
            return -ENOTDIR;
        if (ino == proc_dir)
            return -EBUSY;
        if (ino->d.entries)
            return -ENOTEMPTY;
    } else if (S_ISDIR_(ino->mode)) {
        return -EISDIR;
    }
    drop_entry(dir, d);
    return 0;
}

/* Whether `a` is `d` or one of its ancestors. */
static int is_ancestor(struct inode *a, struct inode *d)
{
    for (; d; d = d == vfs_root ? NULL : d->d.parent)
        if (d == a)
            return 1;
    return 0;
}

int vfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
               uint32_t flags)
{
    struct dirent *od = vfs_find(odir, oname), *nd;
    int err;

    if (!od)
        return -ENOENT;
    if ((err = bad_name(nname)) == -ENAMETOOLONG)
        return err;
    if (err)
        return -EBUSY;
    struct inode *ino = od->inode;
    int dir = S_ISDIR_(ino->mode);
    if (ino == proc_dir)
        return -EBUSY;
    if (!ndir->nlink)
        return -ENOENT;
    nd = vfs_find(ndir, nname);
    if (nd && (flags & RENAME_NOREPLACE))
        return -EEXIST;
    if (!nd && (flags & RENAME_EXCHANGE))
        return -ENOENT;
    if (dir && is_ancestor(ino, ndir))
        return -EINVAL;                         /* into itself */
    if (nd && (flags & RENAME_EXCHANGE)) {
        struct inode *other = nd->inode;
        if (S_ISDIR_(other->mode) && is_ancestor(other, odir))
            return -EINVAL;
        od->inode = other;
        nd->inode = ino;
        if (odir != ndir && dir != S_ISDIR_(other->mode)) {
            if (dir) {
                odir->nlink--;
                ndir->nlink++;
            } else {
                odir->nlink++;
                ndir->nlink--;
            }
        }
        if (dir)
            ino->d.parent = ndir;
        if (S_ISDIR_(other->mode))
            other->d.parent = odir;
        vfs_touch(ino, T_CTIME);
        vfs_touch(other, T_CTIME);
        vfs_touch(odir, T_MTIME | T_CTIME);
        vfs_touch(ndir, T_MTIME | T_CTIME);
        return 0;
    }
    if (nd) {
        struct inode *old = nd->inode;
        if (old == ino)
            return 0;                           /* two links of one file: nothing to do */
        if (old == proc_dir)
            return -EBUSY;
        if (dir && !S_ISDIR_(old->mode))
            return -ENOTDIR;
        if (!dir && S_ISDIR_(old->mode))
            return -EISDIR;
        if (dir && old->d.entries)
            return -ENOTEMPTY;
    }
    /* the new entry first (it may fail), then the old one goes */
    if (nd) {
        struct inode *old = nd->inode;
        nd->inode = ino;
        if (S_ISDIR_(old->mode)) {
            old->nlink = 0;
            ndir->nlink--;
        } else {
            old->nlink--;
        }
        vfs_touch(old, T_CTIME);
        maybe_free(old);
    } else if ((err = dirent_add(ndir, nname, ino))) {
        return err;
    }
    od = vfs_find(odir, oname);
    dirent_remove(odir, od);
    if (dir && odir != ndir) {
        odir->nlink--;
        ndir->nlink++;
        ino->d.parent = ndir;
    }
    vfs_touch(ino, T_CTIME);
    vfs_touch(odir, T_MTIME | T_CTIME);
    vfs_touch(ndir, T_MTIME | T_CTIME);
    return 0;
}

/* The path of `d` written backwards from the end of `out`; the start of it, or NULL. */
int vfs_path(struct inode *d, const char *name, char *out)
{
    char *end = out + MAX_PATH - 1, *s = end;

    *s = 0;
    if (name) {
        size_t n = strnlen(name, NAME_MAX);
        s -= n;
        memcpy(s, name, n);
        *--s = '/';
    }
    while (d && d != vfs_root) {
        if (!d->nlink)
            return -ENOENT;                     /* removed: its parent may be gone too */
        struct inode *parent = d->d.parent;
        struct dirent *e = parent ? parent->d.entries : NULL;
        while (e && e->inode != d)
            e = e->next;
        if (!e)
            return -ENOENT;                     /* removed */
        if (s - out < e->len + 2)
            return -ENAMETOOLONG;
        s -= e->len;
        memcpy(s, e->name, e->len);
        *--s = '/';
        d = parent;
    }
    if (s == end)
        *--s = '/';
    memmove(out, s, (size_t)(end - s) + 1);
    return 0;
}

/* ---- lookup ----------------------------------------------------------------------------- */

/* The path left after a link: its target, then the rest of the path being walked (with the
 * slash between them when the link's name had one after it: "link/" must be a directory). */
static int splice(char *next, const char *target, uint32_t tlen, const char *rest, int slash)
{
    size_t rlen = strnlen(rest, MAX_PATH);

    if (tlen + 1 + rlen + 1 > MAX_PATH)
        return -ENAMETOOLONG;
    memmove(next + tlen + slash, rest, rlen + 1);   /* `rest` may lie in `next` */
    memcpy(next, target, tlen);
    if (slash)
        next[tlen] = '/';
    return 0;
}

static void strip_last(char *path)
{
    size_t n = strnlen(path, MAX_PATH);

    while (n > 1 && path[n - 1] != '/')
        n--;
    path[n > 1 ? n - 1 : 1] = 0;
}

static int is_dots(const char *s, size_t len, int n)
{
    return (int)len == n && s[0] == '.' && (n == 1 || s[1] == '.');
}

int in_group(const struct proc *p, uint32_t gid)
{
    if (p->leader->cred.fsgid == gid)
        return 1;
    for (uint32_t i = 0; i < p->leader->cred.ngroups; i++)
        if (p->leader->cred.groups[i] == gid)
            return 1;
    return 0;
}

int vfs_permission(const struct proc *p, const struct inode *ino, int mask)
{
    uint32_t mode = ino->mode, bits;

    if (!p)
        return 0;
    if (p->leader->cred.fsuid == 0)
        return mask & MAY_EXEC && !S_ISDIR_(mode) && !(mode & 0111) ? -EACCES : 0;
    bits = ino->uid == p->leader->cred.fsuid ? mode >> 6 : in_group(p, ino->gid) ? mode >> 3 : mode;
    return (bits & (uint32_t)mask) == (uint32_t)mask ? 0 : -EACCES;
}

int vfs_may_delete(const struct proc *p, const struct inode *dir, const struct inode *victim)
{
    int err = vfs_permission(p, dir, MAY_WRITE | MAY_EXEC);

    if (err)
        return err;
    if (p && dir->mode & S_ISVTX && p->leader->cred.fsuid && p->leader->cred.fsuid != dir->uid &&
        p->leader->cred.fsuid != victim->uid)
        return -EPERM;
    return 0;
}

void vfs_new_owner(const struct proc *p, struct inode *dir, struct inode *ino)
{
    ino->uid = p ? p->leader->cred.fsuid : 0;
    ino->gid = dir->mode & S_ISGID ? dir->gid : p ? p->leader->cred.fsgid : 0;
    if (dir->mode & S_ISGID && S_ISDIR_(ino->mode))
        ino->mode |= S_ISGID;
}

int vfs_owner(const struct proc *p, const struct inode *ino)
{
    return !p || p->leader->cred.fsuid == 0 || p->leader->cred.fsuid == ino->uid;
}

int vfs_lookup(struct proc *self, const char *path, int flags, struct lookup *lk)
{
    static char work[MAX_PATH];
    static char target[MAX_PATH];
    struct inode *cur = vfs_root;
    const char *s;
    int links = 0, in_proc = 0;

    lk->dir = lk->ino = NULL;
    lk->in_proc = lk->proc_exists = lk->trailing_slash = 0;
    lk->pipe = NULL;
    lk->name[0] = 0;
    size_t plen = strnlen(path, MAX_PATH);
    if (plen >= MAX_PATH)
        return -ENAMETOOLONG;
    if (!plen)
        return -ENOENT;
    memcpy(work, path, plen + 1);
    s = work;
    for (;;) {
        while (*s == '/')
            s++;
        if (!*s) {                              /* "/" or a path ending in a directory's slash */
            if (in_proc) {
                lk->in_proc = lk->proc_exists = 1;
            } else {
                lk->ino = cur;
                lk->dir = cur;
            }
            memcpy(lk->name, ".", 2);
            return 0;
        }
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t len = (size_t)(e - s);
        const char *rest = e;
        while (*rest == '/')
            rest++;
        int last = !*rest, slash = *e == '/';
        if (len > NAME_MAX)
            return -ENAMETOOLONG;
        memcpy(lk->name, s, len);
        lk->name[len] = 0;
        lk->trailing_slash = last && slash;

        if (in_proc) {
            uint32_t mode;
            if (is_dots(s, len, 1)) {
                s = rest;
                if (last)
                    return lk->in_proc = lk->proc_exists = 1, 0;
                continue;
            }
            if (is_dots(s, len, 2)) {
                if (lk->proc[5] == 0) {         /* out of /proc again */
                    in_proc = 0;
                    cur = proc_dir;
                    continue;                   /* the same ".." from the directory */
                }
                strip_last(lk->proc);
                s = rest;
                if (last)
                    return lk->in_proc = lk->proc_exists = 1, 0;
                continue;
            }
            size_t at = strnlen(lk->proc, MAX_PATH);
            if (at + 1 + len + 1 > MAX_PATH)
                return -ENAMETOOLONG;
            lk->proc[at] = '/';
            memcpy(lk->proc + at + 1, s, len);
            lk->proc[at + 1 + len] = 0;
            int n = procfs_readlink(self, lk->proc, target, sizeof target - 1);
            /* a descriptor's link to a pipe leads to the pipe itself, as Linux's do */
            if (n >= 0 && last && (slash || flags & LK_FOLLOW) && (lk->pipe = procfs_fd_pipe(self, lk->proc)))
                return lk->in_proc = lk->proc_exists = 1, 0;
            if (n >= 0 && (!last || slash || flags & LK_FOLLOW)) {
                if (++links > SYMLOOP_MAX)
                    return -ELOOP;
                int err = splice(work, target, (uint32_t)n, rest, slash);
                if (err)
                    return err;
                s = work;
                if (target[0] == '/') {
                    in_proc = 0;
                    cur = vfs_root;
                } else {
                    strip_last(lk->proc);
                }
                continue;
            }
            if (procfs_stat(self, lk->proc, &mode))
                return -ENOENT;
            if (last) {
                if (slash && n < 0 && (mode & S_IFMT) != S_IFDIR)
                    return -ENOTDIR;
                return lk->in_proc = lk->proc_exists = 1, 0;
            }
            if ((mode & S_IFMT) != S_IFDIR)
                return -ENOTDIR;
            s = rest;
            continue;
        }

        if (!S_ISDIR_(cur->mode))
            return -ENOTDIR;
        int denied = vfs_permission(self, cur, MAY_EXEC);   /* search */
        if (denied)
            return denied;
        struct inode *next;
        if (is_dots(s, len, 1)) {
            next = cur;
        } else if (is_dots(s, len, 2)) {
            next = cur == vfs_root ? cur : cur->d.parent;
        } else {
            struct dirent *d;
            for (d = cur->d.entries; d && !name_is(d, s, len); d = d->next)
                ;
            if (!d) {
                if (!last)
                    return -ENOENT;
                lk->dir = cur;
                return 0;
            }
            next = d->inode;
            if (S_ISLNK_(next->mode) && (!last || slash || flags & LK_FOLLOW)) {
                if (++links > SYMLOOP_MAX)
                    return -ELOOP;
                int err = splice(work, next->target, next->size, rest, slash);
                if (err)
                    return err;
                s = work;
                if (next->size && next->target[0] == '/')
                    cur = vfs_root;
                continue;
            }
        }
        if (last) {
            if (slash && !S_ISDIR_(next->mode))
                return -ENOTDIR;
            lk->dir = cur;
            lk->ino = next;
            return 0;
        }
        cur = next;
        s = rest;
        if (cur == proc_dir) {
            in_proc = 1;
            memcpy(lk->proc, "/proc", 6);
        }
    }
}

/* ---- open files and pipes --------------------------------------------------------------- */

struct file *file_new(enum ftype type)
{
    struct file *f = kmem_alloc(sizeof *f);

    if (!f)
        return NULL;
    f->refs = 1;
    f->type = type;
    vfs_files++;
    return f;
}

char *file_name(const char *path)
{
    uint32_t n = strnlen(path, MAX_PATH - 1) + 1;
    char *name = kmem_alloc(n);

    if (name) {
        memcpy(name, path, n - 1);
        name[n - 1] = 0;
    }
    return name;
}

void file_put(struct file *f)
{
    if (!f || --f->refs)
        return;
    if (f->type == F_PROC)
        frame_put((uint32_t)f->data);
    if (f->obj || f->watched)
        file_release(f);                        /* epolls, eventfds, sockets with a name */
    locks_file_gone(f);
    struct inode *ino = f->inode;
    struct pipe *p = f->pipe, *tx = f->tx;
    enum ftype type = f->type;
    uint32_t access = f->flags & O_ACCMODE;
    if (f->name)
        kmem_free(f->name, strnlen(f->name, MAX_PATH - 1) + 1);
    kmem_free(f, sizeof *f);
    vfs_files--;
    if (type == F_SOCK) {                       /* the peer's pipe keeps its other end */
        if (p && p->head != p->tail) {          /* closed with data unread: as Linux, a reset */
            p->reset = 1;
            if (tx)
                tx->reset = 1;
        }
        pipe_drop(p, 1, 0);
        pipe_drop(tx, 0, 1);
    } else if (p) {                             /* (a FIFO open for both is both) */
        pipe_drop(p, type == F_PIPE_READ, type == F_PIPE_WRITE || access == O_RDWR);
    }
    inode_put(ino);
}

void pipe_drop(struct pipe *p, int reader, int writer)
{
    if (!p)
        return;
    p->readers -= reader;
    p->writers -= writer;
    if (!p->readers && !p->writers) {
        if (p->fifo)
            p->fifo->pipe = NULL;
        pipe_free(p);
    } else {
        /* last: a woken writer may die of SIGPIPE at once and close its end in here, freeing
         * the pipe; nothing of it may be touched after */
        pipe_wake(p);
    }
}

uint8_t *pipe_page(void)
{
    return frames_free() > LOW_MEMORY ? (uint8_t *)frame_alloc() : NULL;
}

uint32_t pipe_peek(const struct pipe *pp, void *buf, uint32_t len)
{
    uint32_t done = 0;

    while (done < len && pp->tail + done != pp->head) {
        uint32_t at = (pp->tail + done) % PIPE_SIZE, n = PAGE - at % PAGE;
        n = n < len - done ? n : len - done;
        n = n < pp->head - pp->tail - done ? n : pp->head - pp->tail - done;
        memcpy((uint8_t *)buf + done, pp->page[at / PAGE] + at % PAGE, n);
        done += n;
    }
    return done;
}

int pipe_put(struct pipe *pp, const void *buf, uint32_t len)
{
    uint32_t done = 0;

    while (done < len && pp->head - pp->tail < PIPE_SIZE) {
        uint32_t at = pp->head % PIPE_SIZE, n = PAGE - at % PAGE;
        uint8_t **page = &pp->page[at / PAGE];
        n = n < len - done ? n : len - done;
        n = n < PIPE_SIZE - (pp->head - pp->tail) ? n : PIPE_SIZE - (pp->head - pp->tail);
        if (!*page && !(*page = pipe_page()))
            return done ? (int)done : -ENOMEM;
        memcpy(*page + at % PAGE, (const uint8_t *)buf + done, n);
        pp->head += n;
        done += n;
    }
    return (int)done;
}

struct pipe *pipe_new(void)
{
    struct pipe *pp = kmem_alloc(sizeof *pp);

    if (!pp)
        return NULL;
    pp->page[0] = pipe_page();
    if (!pp->page[0]) {
        kmem_free(pp, sizeof *pp);
        return NULL;
    }
    vfs_pipes++;
    return pp;
}

void pipe_free(struct pipe *pp)
{
    for (unsigned i = 0; i < PIPE_PAGES; i++)
        if (pp->page[i])
            frame_put((uint32_t)pp->page[i]);
    kmem_free(pp, sizeof *pp);
    vfs_pipes--;
}

/* Processes waiting in a FIFO's open for its other end (a process waits in one at most). */
struct fifo_waiter {
    struct fifo_waiter *next;
    struct proc *p;
    struct pipe *pipe;
    uint32_t fd;
    int reader;
};
static struct fifo_waiter *fifo_waiters;

int fifo_wait(struct proc *p, struct pipe *pp, uint32_t fd, int reader)
{
    struct fifo_waiter *w = kmem_alloc(sizeof *w);

    if (!w)
        return -ENOMEM;
    *w = (struct fifo_waiter){ fifo_waiters, p, pp, fd, reader };
    fifo_waiters = w;
    return 0;
}

void fifo_arrived(struct pipe *pp, int reader)
{
    for (struct fifo_waiter **q = &fifo_waiters; *q; ) {
        struct fifo_waiter *w = *q;
        if (w->pipe != pp || w->reader == reader) {
            q = &w->next;
            continue;
        }
        *q = w->next;
        struct proc *p = w->p;
        uint32_t fd = w->fd;
        kmem_free(w, sizeof *w);
        proc_resume(p, fd);
    }
}

void pipe_forget(struct proc *p)
{
    if (p->pipe_on) {
        struct proc **q = &p->pipe_on->waiters;
        while (*q && *q != p)
            q = &(*q)->pipe_next;
        if (*q)
            *q = p->pipe_next;
        p->pipe_on = NULL;
        p->pipe_next = NULL;
    }
    for (struct fifo_waiter **q = &fifo_waiters; *q; q = &(*q)->next) {
        struct fifo_waiter *w = *q;
        if (w->p != p)
            continue;
        /* the open ends (EINTR, or the process does): its descriptor goes with it */
        uint32_t fd = w->fd;
        *q = w->next;
        kmem_free(w, sizeof *w);
        struct file *f = p->leader->fd[fd];
        p->leader->fd[fd] = NULL;
        file_put(f);
        return;
    }
}

struct inode *vfs_rom_file(const void *data, uint32_t size)
{
    struct inode *ino = inode_new(S_IFREG | 0555);

    if (ino) {
        ino->f.rom = data;
        ino->f.rom_size = ino->size = size;
        ino->refs = 1;
    }
    return ino;
}

struct inode *vfs_anon_file(const struct proc *p, uint32_t mode)
{
    struct inode *ino = inode_new(S_IFREG | mode);

    if (ino) {
        ino->uid = p->leader->cred.fsuid;
        ino->gid = p->leader->cred.fsgid;
        ino->refs = 1;
    }
    return ino;
}

int64_t vfs_seek_data(struct inode *ino, uint32_t pos, int hole)
{
    if (pos >= ino->size)
        return -ENXIO;
    for (uint32_t at = pos; at < ino->size; at = (at & PAGE_MASK) + PAGE) {
        int data = at < ino->f.rom_size || vfs_page(ino, at, 0) != 0;
        if (data != hole)
            return at;
    }
    return hole ? (int64_t)ino->size : -ENXIO;
}

/* ---- the tree at boot ------------------------------------------------------------------- */

/* A directory `name` under `dir`, made if missing. */
static struct inode *ensure_dir(struct inode *dir, const char *name, uint32_t mode)
{
    struct dirent *d = vfs_find(dir, name);
    struct inode *ino;

    if (d)
        return d->inode;
    return vfs_create(dir, name, S_IFDIR | mode, &ino) ? NULL : ino;
}

static void device(struct inode *dev, const char *name, uint32_t mode, uint32_t major, uint32_t minor)
{
    struct inode *ino;

    if (!vfs_find(dev, name) && !vfs_create(dev, name, S_IFCHR | mode, &ino))
        ino->rdev = major << 8 | minor;
}

static void dev_link(struct inode *dev, const char *name, const char *target)
{
    uint32_t len = strnlen(target, MAX_PATH);
    char *copy = kmem_alloc(len + 1);
    struct inode *ino;

    if (!copy || vfs_find(dev, name) || vfs_create(dev, name, S_IFLNK | 0777, &ino)) {
        if (copy)
            kmem_free(copy, len + 1);
        return;
    }
    memcpy(copy, target, len + 1);
    ino->target = copy;
    ino->size = len;
}

void vfs_init(void)
{
    vfs_root = inode_new(S_IFDIR | 0755);
    vfs_root->nlink = 2;
    vfs_root->size = 2 * DIRENT_SIZE;
    vfs_root->d.parent = vfs_root;
    initrd_unpack();
    ensure_dir(vfs_root, "tmp", 01777);
    proc_dir = ensure_dir(vfs_root, "proc", 0555);
    if (proc_dir)
        proc_dir->d.is_proc = 1;
    struct inode *dev = ensure_dir(vfs_root, "dev", 0755);
    if (dev) {
        device(dev, "null", 0666, 1, 3);
        device(dev, "zero", 0666, 1, 5);
        device(dev, "full", 0666, 1, 7);
        device(dev, "random", 0666, 1, 8);
        device(dev, "urandom", 0666, 1, 9);
        device(dev, "tty", 0666, 5, 0);
        device(dev, "console", 0600, 5, 1);
        /* as udev makes them on Debian: bash's process substitution opens /dev/fd/N */
        dev_link(dev, "fd", "/proc/self/fd");
        dev_link(dev, "stdin", "/proc/self/fd/0");
        dev_link(dev, "stdout", "/proc/self/fd/1");
        dev_link(dev, "stderr", "/proc/self/fd/2");
    }
}
