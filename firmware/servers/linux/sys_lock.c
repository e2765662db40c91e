/*
 * Advisory file locks, as Linux keeps them: fcntl's record locks (F_SETLK, F_SETLKW, F_GETLK and
 * their 64-bit forms), owned by a process and released by its first close of any descriptor of
 * the file; open-file-description locks (F_OFD_*), owned by an open file; and flock(2)'s whole-
 * file locks, also owned by an open file, which live apart from the other two.  Each lock is a
 * byte range [start, end] of one inode; a process that must wait for one is blocked (B_LOCK)
 * with its request in p->lock and tried again whenever a lock of that inode goes away.
 */
#include "syscalls.h"

#define OFFSET_MAX  0x7fffffffffffffffull

enum lock_kind { LK_POSIX, LK_OFD, LK_FLOCK };

struct file_lock {
    struct file_lock *next;
    const void *owner;                  /* the process (POSIX) or the open file (OFD, flock) */
    int pid;                            /* reported by F_GETLK: the owner's, -1 for OFD */
    uint8_t type, kind;                 /* F_RDLCK / F_WRLCK, enum lock_kind */
    uint64_t start, end;                /* inclusive; end OFFSET_MAX: to the end of the file */
};

/* POSIX and OFD locks share a name space; flock's is its own. */
static int same_space(int a, int b)
{
    return (a == LK_FLOCK) == (b == LK_FLOCK);
}

static const struct file_lock *conflict(const struct inode *ino, const struct lock_request *rq)
{
    for (const struct file_lock *l = ino->locks; l; l = l->next)
        if (same_space(l->kind, rq->kind) && l->owner != rq->owner && l->start <= rq->end &&
            rq->start <= l->end && (l->type == F_WRLCK || rq->type == F_WRLCK))
            return l;
    return NULL;
}

/* Into the inode's list by start, so that an owner's locks are in the order F_GETLK finds them
 * on Linux. */
static void insert_sorted(struct inode *ino, struct file_lock *l)
{
    struct file_lock **pp = &ino->locks;

    while (*pp && (*pp)->start <= l->start)
        pp = &(*pp)->next;
    l->next = *pp;
    *pp = l;
}

static struct file_lock *lock_new(const struct lock_request *rq, uint64_t start, uint64_t end,
                                  uint8_t type)
{
    struct file_lock *l = kmem_alloc(sizeof *l);

    if (l) {
        l->owner = rq->owner;
        l->pid = rq->pid;
        l->kind = rq->kind;
        l->type = type;
        l->start = start;
        l->end = end;
    }
    return l;
}

/* The owner's locks of the request's kind over [start, end] become `rq->type` (F_UNLCK: none),
 * splitting what overlaps and merging with neighbours of the same type as Linux does.  A split
 * needs at most two new locks, which are taken first: nothing changes when memory is short. */
static int apply(struct inode *ino, const struct lock_request *rq)
{
    struct file_lock *spare[2] = { lock_new(rq, 0, 0, 0), lock_new(rq, 0, 0, 0) };
    uint64_t start = rq->start, end = rq->end;
    struct file_lock **pp = &ino->locks, *l;

    if (!spare[0] || !spare[1]) {
        kmem_free(spare[0], sizeof *spare[0]);
        kmem_free(spare[1], sizeof *spare[1]);
        return -ENOLCK;
    }
    /* a neighbour or an overlap of the same type is absorbed into the new range */
    if (rq->type != F_UNLCK) {
        for (l = ino->locks; l; l = l->next)
            if (l->owner == rq->owner && l->kind == rq->kind && l->type == rq->type &&
                l->start <= (end == OFFSET_MAX ? end : end + 1) && (start ? start - 1 : 0) <= l->end) {
                start = l->start < start ? l->start : start;
                end = l->end > end ? l->end : end;
            }
    }
    while ((l = *pp)) {
        if (l->owner != rq->owner || l->kind != rq->kind || l->end < start || l->start > end) {
            pp = &l->next;
            continue;
        }
        if (l->start < start && l->end > end) {         /* the range splits it in two */
            struct file_lock *tail = spare[1];
            spare[1] = NULL;
            *tail = *l;
            tail->start = end + 1;
            l->end = start - 1;
            insert_sorted(ino, tail);
            pp = &l->next;
        } else if (l->start < start) {
            l->end = start - 1;
            pp = &l->next;
        } else if (l->end > end) {
            l->start = end + 1;
            pp = &l->next;
        } else {
            *pp = l->next;
            kmem_free(l, sizeof *l);
        }
    }
    if (rq->type != F_UNLCK) {
        l = spare[0];
        spare[0] = NULL;
        l->type = rq->type;
        l->start = start;
        l->end = end;
        insert_sorted(ino, l);
    }
    kmem_free(spare[0], sizeof *spare[0]);
    kmem_free(spare[1], sizeof *spare[1]);
    return 0;
}

static void wake_waiters(struct inode *ino);

/* Set or clear a lock now, or say why not: -EAGAIN when another owner holds one in the way. */
static int try_lock(struct inode *ino, const struct lock_request *rq)
{
    int err;

    if (rq->type != F_UNLCK && conflict(ino, rq))
        return -EAGAIN;
    err = apply(ino, rq);
    if (!err && ino->lock_waiters)
        wake_waiters(ino);              /* an unlock, a downgrade or a merge may free a waiter */
    return err;
}

/* Linux's deadlock check for a process about to wait for a POSIX lock: whether the owner in
 * the way waits, through a chain of at most ten, for a lock `p` holds. */
static int would_deadlock(const struct proc *p, const struct file_lock *in_way)
{
    for (int depth = 0; depth < 10 && in_way && in_way->kind == LK_POSIX; depth++) {
        const struct proc *q = in_way->owner;      /* (a process's leader) */
        if (q == p->leader)
            return 1;
        if (q->state != P_BLOCKED || q->blocked != B_LOCK || q->lock.kind != LK_POSIX)
            return 0;
        in_way = conflict(q->lock.ino, &q->lock);
    }
    return 0;
}

/* A request that may wait: the answer now (0 or -errno), or 1 when `p` now waits. */
static int lock_or_wait(struct proc *p, struct inode *ino, const struct lock_request *rq, int wait)
{
    const struct file_lock *in_way;
    int err = try_lock(ino, rq);

    if (err != -EAGAIN || !wait)
        return err;
    in_way = conflict(ino, rq);
    if (rq->kind == LK_POSIX && would_deadlock(p, in_way))
        return -EDEADLK;
    p->lock = *rq;
    p->lock.ino = ino;
    inode_get(ino);
    ino->lock_waiters++;
    p->state = P_BLOCKED;
    p->blocked = B_LOCK;
    return 1;
}

static void wake_waiters(struct inode *ino)
{
    for (unsigned i = 0; i < MAX_PROCS && ino->lock_waiters; i++) {
        struct proc *q = &procs[i];
        if (q->state != P_BLOCKED || q->blocked != B_LOCK || q->lock.ino != ino ||
            conflict(ino, &q->lock))
            continue;
        int err = apply(ino, &q->lock);
        lock_forget(q);
        proc_resume(q, (uint32_t)err);
        i = (unsigned)-1;               /* what it took may change who else can go: again */
    }
}

void lock_forget(struct proc *p)
{
    if (p->blocked != B_LOCK)
        return;
    p->lock.ino->lock_waiters--;
    inode_put(p->lock.ino);
    p->lock.ino = NULL;
    p->blocked = B_NONE;
}

/* Every lock of `owner` in `ino` (of the POSIX and OFD kinds, or of flock's) goes. */
static void release_all(struct inode *ino, const void *owner, int kind)
{
    struct file_lock **pp = &ino->locks, *l;
    int freed = 0;

    while ((l = *pp)) {
        if (l->owner == owner && l->kind == kind) {
            *pp = l->next;
            kmem_free(l, sizeof *l);
            freed = 1;
        } else {
            pp = &l->next;
        }
    }
    if (freed && ino->lock_waiters)
        wake_waiters(ino);
}

void locks_close(struct proc *p, struct inode *ino)
{
    if (ino && ino->locks)
        release_all(ino, p, LK_POSIX);
}

void locks_file_gone(struct file *f)
{
    if (f->inode && f->inode->locks) {
        release_all(f->inode, f, LK_OFD);
        if (f->inode->locks)
            release_all(f->inode, f, LK_FLOCK);
    }
}

/* ---- fcntl ------------------------------------------------------------------------------ */

/* struct flock (32-bit offsets) and struct flock64 as ARM EABI lays them out. */
struct flock32 {
    int16_t type, whence;
    int32_t start, len;
    int32_t pid;
};

struct flock64 {
    int16_t type, whence;
    uint32_t pad;
    int64_t start, len;
    int32_t pid;
    uint32_t pad2;
};

static int is64(uint32_t cmd)
{
    return (cmd >= F_GETLK64 && cmd <= F_SETLKW64) || cmd >= F_OFD_GETLK;
}

/* fcntl's lock commands: F_GETLK, F_SETLK, F_SETLKW, their 64-bit forms and the OFD ones. */
int fcntl_lock(struct proc *p, struct file *f, uint32_t cmd, uint32_t addr)
{
    struct flock64 fl;
    struct lock_request rq;
    int64_t base;

    if (is64(cmd)) {
        if (mm_copy_in(p->mm, p->tid, &fl, addr, sizeof fl))
            return -EFAULT;
    } else {
        struct flock32 s;
        if (mm_copy_in(p->mm, p->tid, &s, addr, sizeof s))
            return -EFAULT;
        fl = (struct flock64){ .type = s.type, .whence = s.whence, .start = s.start,
                               .len = s.len, .pid = s.pid };
    }
    int ofd = cmd >= F_OFD_GETLK;
    if (ofd && fl.pid)
        return -EINVAL;
    if (!f->inode)
        return -EINVAL;
    switch (fl.whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->pos; break;
    case SEEK_END: base = f->inode->size; break;
    default: return -EINVAL;
    }
    /* l_len > 0: [start, start + len - 1]; < 0: [start + len, start - 1]; 0: to the end */
    int64_t start = base + fl.start, end;
    if (fl.len > 0) {
        end = (int64_t)((uint64_t)start + (uint64_t)fl.len - 1);
        if (end < start)
            return -EOVERFLOW;
    } else if (fl.len < 0) {
        end = start - 1;
        start += fl.len;
    } else {
        end = (int64_t)OFFSET_MAX;
    }
    if (start < 0)
        return -EINVAL;
    if (fl.type != F_RDLCK && fl.type != F_WRLCK && fl.type != F_UNLCK)
        return -EINVAL;
    rq = (struct lock_request){ .owner = ofd ? (const void *)f : p->leader, .pid = ofd ? -1 : p->pid,
                                .kind = ofd ? LK_OFD : LK_POSIX, .type = (uint8_t)fl.type,
                                .start = (uint64_t)start, .end = (uint64_t)end };

    if (cmd == F_GETLK || cmd == F_GETLK64 || cmd == F_OFD_GETLK) {
        if (fl.type == F_UNLCK)
            return -EINVAL;
        const struct file_lock *l = conflict(f->inode, &rq);
        if (!l) {
            fl.type = F_UNLCK;
        } else {
            fl.type = l->type;
            fl.whence = SEEK_SET;
            fl.start = (int64_t)l->start;
            fl.len = l->end == OFFSET_MAX ? 0 : (int64_t)(l->end - l->start + 1);
            fl.pid = l->pid;
        }
        if (is64(cmd))
            return mm_copy_out(p->mm, p->tid, addr, &fl, sizeof fl) ? -EFAULT : 0;
        /* struct flock's offsets are 32 bits: a lock beyond them cannot be told */
        if (l && (l->start > 0x7fffffff || (l->end != OFFSET_MAX && l->end > 0x7fffffff)))
            return -EOVERFLOW;
        struct flock32 s = { fl.type, fl.whence, (int32_t)fl.start, (int32_t)fl.len, fl.pid };
        return mm_copy_out(p->mm, p->tid, addr, &s, sizeof s) ? -EFAULT : 0;
    }
    /* a read lock needs the file open for reading, a write lock for writing */
    uint32_t acc = f->flags & O_ACCMODE;
    if ((fl.type == F_RDLCK && acc == O_WRONLY) || (fl.type == F_WRLCK && acc == O_RDONLY))
        return -EBADF;
    return lock_or_wait(p, f->inode, &rq, cmd == F_SETLKW || cmd == F_SETLKW64 || cmd == F_OFD_SETLKW);
}

/* flock(fd, operation): a whole-file lock of the open file, shared or exclusive.  Changing one's
 * kind is not atomic (the old lock goes first), as on Linux. */
int sys_flock(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t op = r[1] & ~LOCK_NB;
    struct lock_request rq = { .owner = f, .pid = p->pid, .kind = LK_FLOCK, .start = 0,
                               .end = OFFSET_MAX };

    if (!f)
        RET(-EBADF);
    if (!f->inode)
        RET(-EINVAL);
    if (op == LOCK_UN) {
        rq.type = F_UNLCK;
        RET(try_lock(f->inode, &rq));
    }
    if (op != LOCK_SH && op != LOCK_EX)
        RET(-EINVAL);
    rq.type = op == LOCK_SH ? F_RDLCK : F_WRLCK;
    for (const struct file_lock *l = f->inode->locks; l; l = l->next)
        if (l->owner == f && l->kind == LK_FLOCK && l->type == rq.type)
            RET(0);                             /* held already: nothing to do */
    rq.type = F_UNLCK;
    try_lock(f->inode, &rq);
    rq.type = op == LOCK_SH ? F_RDLCK : F_WRLCK;
    int v = lock_or_wait(p, f->inode, &rq, !(r[1] & LOCK_NB));
    if (v == 1)
        return 1;
    RET(v);
}
