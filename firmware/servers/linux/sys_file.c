/* Open files: open and close, reading and writing (files, pipes, devices, the console), descriptors, ioctl and poll. */
#include "syscalls.h"

/* A /proc file is made when it is opened (procfs.c), into a frame of its own. */
static int open_proc(struct proc *p, const char *abs, uint32_t flags)
{
    uint32_t mode;
    struct file *f;
    int n;

    if (procfs_stat(p, abs, &mode))
        return -ENOENT;
    if ((flags & O_ACCMODE) != 0)
        return -EACCES;
    if ((mode & S_IFMT) == S_IFDIR) {
        if (strnlen(abs, sizeof f->path) >= sizeof f->path)
            return -ENAMETOOLONG;
        f = file_new(F_DIR);
        if (!f)
            return -ENFILE;
        memcpy(f->path, abs, strnlen(abs, sizeof f->path - 1) + 1);
    } else {
        if (flags & O_DIRECTORY)
            return -ENOTDIR;
        uint32_t frame = frames_free() > LOW_MEMORY ? frame_alloc() : 0;
        if (!frame)
            return -ENOMEM;
        n = procfs_text(p, abs, (char *)frame, PAGE);
        f = n < 0 ? NULL : file_new(F_PROC);
        if (!f) {
            frame_put(frame);
            return n < 0 ? n : -ENFILE;
        }
        f->data = (const uint8_t *)frame;
        f->size = (uint32_t)n;
        memcpy(f->path, abs, strnlen(abs, MAX_PATH - 1) + 1);  /* what /proc/PID/fd/N names */
    }
    f->flags = flags;
    int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

/* The open file of a character device (/dev/null and the rest), by its number. */
static enum ftype device_type(uint32_t rdev)
{
    switch (rdev) {
    case 1 << 8 | 3: return F_NULL;
    case 1 << 8 | 5: return F_ZERO;
    case 1 << 8 | 7: return F_FULL;
    case 1 << 8 | 8: case 1 << 8 | 9: return F_RANDOM;
    case 5 << 8 | 0: case 5 << 8 | 1: return F_CONSOLE;
    default: return 0;
    }
}

/* A FIFO's end: its pipe is made by the first open and shared until the last close.  Set by
 * open_fifo when the opener must wait for the other end (do_open's caller then waits). */
static struct pipe *open_waits_for;

static struct file *open_fifo(struct inode *ino, uint32_t flags, int *err)
{
    int write = (flags & O_ACCMODE) == O_WRONLY, both = (flags & O_ACCMODE) == O_RDWR;
    struct pipe *pp = ino->pipe;
    struct file *f;

    if (write && flags & O_NONBLOCK && (!pp || !pp->readers)) {
        *err = -ENXIO;                          /* no reader, and it may not wait for one */
        return NULL;
    }
    if (!pp) {
        pp = pipe_new();
        if (!pp) {
            *err = -ENOMEM;
            return NULL;
        }
        pp->fifo = ino;
    }
    f = file_new(write ? F_PIPE_WRITE : F_PIPE_READ);
    if (!f) {
        if (!ino->pipe)
            pipe_free(pp);
        *err = -ENFILE;
        return NULL;
    }
    ino->pipe = pp;
    f->pipe = pp;
    if (write || both)                          /* O_RDWR: a reader and a writer in one */
        pp->writers++;
    if (!write)
        pp->readers++;
    /* as Linux, a reader waits in open for a writer and a writer for a reader (O_RDWR never,
     * O_NONBLOCK readers neither); those waiting for this one go on */
    if (!both && !(flags & O_NONBLOCK) && !(write ? pp->readers : pp->writers))
        open_waits_for = pp;
    if (write || both)
        fifo_arrived(pp, 0);
    if (!write)
        fifo_arrived(pp, 1);
    return f;
}

static int open_blocked;                 /* do_open's FIFO end waits for the other */

/* /proc/PID/fd/N of a pipe, opened (bash's process substitution, through /dev/fd): another end
 * of that pipe, for reading, writing or both as asked, as Linux opens it. */
static int reopen_pipe(struct proc *p, struct pipe *pp, uint32_t flags)
{
    uint32_t acc = flags & O_ACCMODE;
    struct file *f = file_new(acc == O_WRONLY ? F_PIPE_WRITE : F_PIPE_READ);

    if (!f)
        return -ENFILE;
    f->pipe = pp;
    if (acc != O_RDONLY)
        pp->writers++;
    if (acc != O_WRONLY)
        pp->readers++;
    f->flags = flags & (O_ACCMODE | O_NONBLOCK);
    int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static int do_open(struct proc *p, int dirfd, uint32_t path_addr, uint32_t flags, uint32_t mode)
{
    static char abs[MAX_PATH];
    static struct lookup lk;
    struct file *f = NULL;
    struct inode *ino;
    int creat_excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
    int err = get_path(p, dirfd, path_addr, abs);

    if (err)
        return err;
    err = vfs_lookup(p, abs, flags & O_NOFOLLOW || creat_excl ? 0 : LK_FOLLOW, &lk);
    if (err)
        return err;
    if (lk.in_proc && lk.pipe)
        return creat_excl ? -EEXIST : reopen_pipe(p, lk.pipe, flags);
    if (lk.in_proc)
        return flags & O_CREAT && creat_excl ? -EEXIST : open_proc(p, lk.proc, flags);
    ino = lk.ino;
    if (!ino) {
        if (!(flags & O_CREAT))
            return -ENOENT;
        if (lk.trailing_slash)
            return -EISDIR;
        if ((err = vfs_permission(p, lk.dir, MAY_WRITE | MAY_EXEC)))
            return err;
        err = vfs_create(lk.dir, lk.name, S_IFREG | (mode & 07777 & ~p->leader->umask), &ino);
        if (err)
            return err;
        vfs_new_owner(p, lk.dir, ino);
    } else {
        if (creat_excl)
            return -EEXIST;
        if ((ino->mode & S_IFMT) == S_IFLNK)
            return -ELOOP;                      /* O_NOFOLLOW */
        if ((ino->mode & S_IFMT) == S_IFDIR && ((flags & O_ACCMODE) || flags & O_CREAT))
            return -EISDIR;
        if ((ino->mode & S_IFMT) != S_IFDIR && flags & O_DIRECTORY)
            return -ENOTDIR;
        /* what the open asks for, of a file that was there (one just made may be opened) */
        uint32_t acc = flags & O_ACCMODE;
        int want = (acc == O_RDONLY || acc == O_RDWR ? MAY_READ : 0) |
                   (acc == O_WRONLY || acc == O_RDWR || flags & O_TRUNC ? MAY_WRITE : 0);
        if ((err = vfs_permission(p, ino, want)))
            return err;
    }
    switch (ino->mode & S_IFMT) {
    case S_IFDIR:
        f = file_new(F_DIR);
        break;
    case S_IFREG:
        if (flags & O_TRUNC && (flags & O_ACCMODE)) {
            err = vfs_truncate(ino, 0);
            if (err)
                return err;
            vfs_touch(ino, T_MTIME | T_CTIME);
        }
        f = file_new(F_REG);
        break;
    case S_IFCHR:
        if (!device_type(ino->rdev))
            return -ENXIO;
        f = file_new(device_type(ino->rdev));
        break;
    case S_IFIFO:
        f = open_fifo(ino, flags, &err);
        if (!f)
            return err;
        break;
    default:
        return -ENXIO;
    }
    if (!f)
        return -ENFILE;
    f->inode = ino;
    f->name = file_name(abs);                   /* what /proc/PID/fd/N names */
    inode_get(ino);
    f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY | O_CLOEXEC);
    struct pipe *waits = open_waits_for;
    open_waits_for = NULL;
    err = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (err < 0)
        file_put(f);
    else if (waits && !fifo_wait(p, waits, (uint32_t)err, f->type == F_PIPE_READ))
        open_blocked = 1;
    return err;
}

/* open's reply: now, or when the FIFO's other end comes (fifo_arrived). */
static int open_reply(struct proc *p, uint32_t *r, int fd)
{
    if (open_blocked) {
        open_blocked = 0;
        p->state = P_BLOCKED;
        p->blocked = B_PIPE;
        return 1;
    }
    RET(fd);
}

int sys_open(struct proc *p, uint32_t *r)
{
    return open_reply(p, r, do_open(p, AT_FDCWD, r[0], r[1], r[2]));
}

int sys_openat(struct proc *p, uint32_t *r)
{
    return open_reply(p, r, do_open(p, (int32_t)r[0], r[1], r[2], r[3]));
}

int sys_creat(struct proc *p, uint32_t *r)
{
    return open_reply(p, r, do_open(p, AT_FDCWD, r[0], O_CREAT | O_WRONLY | O_TRUNC, r[1]));
}

/* memfd_create(name, flags): a regular file of no directory, open for reading and writing,
 * whose /proc/PID/fd/N reads "/memfd:NAME (deleted)", as Linux's shmem file.  MFD_CLOEXEC sets
 * close-on-exec; MFD_ALLOW_SEALING is taken, but seals are not kept: F_ADD_SEALS and
 * F_GET_SEALS are EINVAL, as on a file system without them.  Other flags are EINVAL; a name
 * longer than MFD_NAME_MAX_LEN is EINVAL, a bad one EFAULT. */
#define MFD_NAME_MAX_LEN    (NAME_MAX - 6)  /* without "memfd:" */

int sys_memfd_create(struct proc *p, uint32_t *r)
{
    char name[7 + MFD_NAME_MAX_LEN + 11] = "/memfd:";
    struct inode *ino;
    struct file *f;
    uint32_t i;
    int fd;

    if (r[1] & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
        RET(-EINVAL);
    for (i = 0; i <= MFD_NAME_MAX_LEN; i++) {
        if (mm_copy_in(p->mm, p->tid, &name[7 + i], r[0] + i, 1))
            RET(-EFAULT);
        if (!name[7 + i])
            break;
    }
    if (i > MFD_NAME_MAX_LEN)
        RET(-EINVAL);
    memcpy(&name[7 + i], " (deleted)", 11);
    ino = vfs_anon_file(p, 0777);
    f = ino ? file_new(F_REG) : NULL;
    if (f && !(f->name = file_name(name))) {
        file_put(f);
        f = NULL;
    }
    if (!f) {
        inode_put(ino);
        RET(-ENOMEM);
    }
    f->inode = ino;
    f->flags = O_RDWR | O_LARGEFILE;
    fd = fd_install(p, f, 0, r[1] & MFD_CLOEXEC);
    if (fd < 0)
        file_put(f);
    RET(fd);
}

int sys_close(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    fd_drop(p, r[0]);
    RET(0);
}

/* ---- descriptors across fork, exec and exit ---------------------------------------------- */

/* `p` lets go of descriptor `fd`: its record locks of the file go with it (POSIX's rule, for
 * any descriptor of the file), then the open file loses a reference. */
void fd_drop(struct proc *p, uint32_t fd)
{
    struct file *f = p->leader->fd[fd];

    if (!f)
        return;
    p->leader->fd[fd] = NULL;
    locks_close(p, f->inode);
    file_put(f);
}

void fd_close_all(struct proc *p)
{
    for (unsigned i = 0; i < p->leader->fd_top; i++)
        fd_drop(p, i);
    p->leader->fd_top = 0;
    memset(p->leader->cloexec, 0, sizeof p->leader->cloexec);
}

void fd_inherit(struct proc *child, struct proc *parent)
{
    for (unsigned i = 0; i < parent->leader->fd_top; i++) {
        child->leader->fd[i] = parent->leader->fd[i];
        if (child->leader->fd[i])
            child->leader->fd[i]->refs++;
    }
    child->leader->fd_top = parent->leader->fd_top;
    memcpy(child->leader->cloexec, parent->leader->cloexec, sizeof child->leader->cloexec);
}

void fd_exec(struct proc *p)
{
    for (unsigned i = 0; i < p->leader->fd_top; i++) {
        if (fd_cloexec(p, i))
            fd_drop(p, i);
    }
    memset(p->leader->cloexec, 0, sizeof p->leader->cloexec);
}

/* execve's program: a regular file with an execute bit, anywhere in the tree (/proc/PID/exe
 * leads to one). */
int exec_find(struct proc *p, const char *path, struct inode **file, char *resolved)
{
    static struct lookup lk;
    int err = vfs_lookup(p, path, LK_FOLLOW, &lk);

    if (err)
        return err;
    if (lk.in_proc)
        return -EACCES;
    if (!lk.ino)
        return -ENOENT;
    if ((lk.ino->mode & S_IFMT) != S_IFREG || vfs_permission(p, lk.ino, MAY_EXEC))
        return -EACCES;
    err = vfs_path(lk.dir, lk.name, resolved);
    if (err)
        return err;
    *file = lk.ino;
    return 0;
}

void proc_set_exe(struct proc *p, const char *resolved)
{
    memset(p->leader->exe, 0, sizeof p->leader->exe);
    memcpy(p->leader->exe, resolved, strnlen(resolved, sizeof p->leader->exe - 1));
}

/* ---- reading and writing ----------------------------------------------------------------- */

struct user_dst {
    struct proc *p;
    uint32_t addr;
};

static int copy_to_user(void *ctx, uint32_t at, const void *src, uint32_t n)
{
    struct user_dst *d = ctx;

    return mm_copy_out(d->p->mm, d->p->tid, d->addr + at, src, n);
}

/* Copy between a regular file and a process; `write` selects the direction. */
static int reg_io(struct proc *p, struct inode *ino, uint32_t pos, uint32_t addr, uint32_t len, int write)
{
    uint32_t done = 0;

    if (!write) {
        struct user_dst d = { p, addr };
        int n = vfs_read_to(ino, pos, len, copy_to_user, &d);
        if (n > 0)
            vfs_accessed(ino);
        return n;
    }
    if (pos > MAX_FILE_SIZE || len > MAX_FILE_SIZE - pos) {
        if (pos >= MAX_FILE_SIZE)
            return -EFBIG;
        len = MAX_FILE_SIZE - pos;
    }
    while (done < len) {
        uint32_t at = pos + done, off = at % PAGE;
        uint32_t n = PAGE - off < len - done ? PAGE - off : len - done;
        uint32_t frame = vfs_page(ino, at, 1);
        if (!frame) {
            if (!done)
                return -ENOSPC;
            break;
        }
        if (mm_copy_in(p->mm, p->tid, (uint8_t *)frame + off, addr + done, n)) {
            if (!done)
                return -EFAULT;
            break;
        }
        done += n;
        if (pos + done > ino->size)
            ino->size = pos + done;
    }
    if (done)
        vfs_touch(ino, T_MTIME | T_CTIME);
    return (int)done;
}

/* Move what can move now between a pipe and a process; -EAGAIN when it must wait. */
/* How much of a copy between the ring at `at` and the process at `addr` stays within one frame
 * of each: a piece either copies whole or faults whole, so a transfer that reaches a bad page
 * moves exactly the bytes before it, as Linux's does. */
static uint32_t pipe_piece(uint32_t at, uint32_t addr, uint32_t left)
{
    uint32_t n = PAGE - at % PAGE;

    if (n > PAGE - addr % PAGE)
        n = PAGE - addr % PAGE;
    return n < left ? n : left;
}

static int pipe_io(struct proc *p, struct pipe *pp, uint32_t addr, uint32_t len, int write)
{
    uint32_t done = 0;

    if (write) {
        if (!pp->readers)
            return -EPIPE;
        if (len <= PIPE_BUF && PIPE_SIZE - (pp->head - pp->tail) < len)
            return -EAGAIN;                     /* up to PIPE_BUF bytes go in at once, or wait */
        while (done < len && pp->head - pp->tail < PIPE_SIZE) {
            uint32_t at = pp->head % PIPE_SIZE, n = pipe_piece(at, addr + done, len - done);
            uint8_t **page = &pp->page[at / PAGE];
            if (n > PIPE_SIZE - (pp->head - pp->tail))
                n = PIPE_SIZE - (pp->head - pp->tail);
            if (!*page && !(*page = pipe_page()))
                return done ? (int)done : -ENOMEM;  /* as Linux's pipe_write without a page */
            if (mm_copy_in(p->mm, p->tid, *page + at % PAGE, addr + done, n))
                return done ? (int)done : -EFAULT;
            pp->head += n;
            done += n;
        }
    } else {
        while (done < len && pp->tail != pp->head) {
            uint32_t at = pp->tail % PIPE_SIZE, n = pipe_piece(at, addr + done, len - done);
            if (n > pp->head - pp->tail)
                n = pp->head - pp->tail;
            if (mm_copy_out(p->mm, p->tid, addr + done, pp->page[at / PAGE] + at % PAGE, n))
                return done ? (int)done : -EFAULT;
            pp->tail += n;
            done += n;
        }
        if (!done && len && pp->writers)
            return -EAGAIN;                     /* (a read of nothing is 0 at once, as Linux's) */
    }
    if (!done && len && write)
        return -EAGAIN;
    return (int)done;
}

/* `p` waits on `pp` to read or write `len` bytes at `addr` (`done` of its request moved
 * already), behind those waiting already.  A reader goes on with what it finds; a writer once
 * all of it is in the pipe, as Linux's blocking writes do. */
static void pipe_wait(struct proc *p, struct pipe *pp, uint32_t addr, uint32_t len, int write,
                      uint32_t done)
{
    struct proc **q = &pp->waiters;

    while (*q)
        q = &(*q)->pipe_next;
    *q = p;
    p->pipe_next = NULL;
    p->pipe_on = pp;
    p->pipe_addr = addr;
    p->pipe_len = len;
    p->pipe_write = (uint32_t)write;
    p->pipe_done = done;
    p->state = P_BLOCKED;
    p->blocked = B_PIPE;
}

/* Every waiter that can go now moves its data, in the order they came, until none can (a read
 * may make room for a writer ahead of it); only then do they run, with their results (in
 * pipe_len): a woken writer may die of SIGPIPE at once and close its end in here, freeing the
 * pipe, so nothing of it is touched after.  A writer with more to write waits on. */
void pipe_wake(struct pipe *pp)
{
    struct proc *go = NULL, **tail = &go, **q, *w = pp->waiters;
    int moved;

    /* the common cases first: nobody waits, or one reader and there is data for it */
    if (!w || (!w->pipe_next && !w->pipe_write && pp->tail != pp->head)) {
        if (w) {
            int n = pipe_io(w, pp, w->pipe_addr, w->pipe_len, 0);
            pp->waiters = NULL;
            w->pipe_on = NULL;
            proc_resume(w, w->pipe_base + (uint32_t)n);
        }
        poll_notify();
        return;
    }
    do {
        moved = 0;
        for (q = &pp->waiters; (w = *q); ) {
            int ready = w->pipe_write ? pp->head - pp->tail < PIPE_SIZE || !pp->readers
                                      : pp->tail != pp->head || !pp->writers;
            int n = ready ? pipe_io(w, pp, w->pipe_addr, w->pipe_len, (int)w->pipe_write) : -EAGAIN;
            if (n > 0 && w->pipe_write && (uint32_t)n < w->pipe_len) {
                w->pipe_addr += (uint32_t)n;
                w->pipe_len -= (uint32_t)n;
                w->pipe_done += (uint32_t)n;
                moved = 1;
                n = -EAGAIN;
            }
            if (n == -EAGAIN) {
                q = &w->pipe_next;
                continue;
            }
            *q = w->pipe_next;
            w->pipe_on = NULL;
            w->pipe_next = NULL;
            if (n == -EPIPE && !w->io_nosignal)
                signal_raise(w, SIGPIPE);       /* (a part written or not) */
            w->pipe_done += n < 0 ? 0 : (uint32_t)n;
            w->pipe_len = w->pipe_done + w->pipe_base ? w->pipe_done + w->pipe_base : (uint32_t)n;
            *tail = w;
            tail = &w->pipe_next;
            moved = 1;
        }
    } while (moved);
    while ((w = go)) {
        go = w->pipe_next;
        w->pipe_next = NULL;
        proc_resume(w, w->pipe_len);
    }
    poll_notify();                      /* data, room or a close: pollers of any pipe may go */
}

static int do_rw(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t addr = r[1], len = r[2];
    int n;

    if (!f || (write && (f->flags & O_ACCMODE) == 0 && f->type != F_CONSOLE && f->type != F_PIPE_WRITE) ||
        (!write && (f->flags & O_ACCMODE) == O_WRONLY))
        RET(-EBADF);
    if (f->type == F_SOCK && (n = sock_rw(p, f, r, write)) >= 0)
        return n;                       /* datagrams, and streams not connected */
    switch (f->type) {
    case F_EVENTFD:
        return eventfd_rw(p, f, r, write);
    case F_EPOLL:
        RET(-EINVAL);
    case F_CONSOLE:
        if (console_hung_up(p))             /* the host hung the session up (console.c) */
            RET(write ? -EIO : 0);
        if (!write)
            return console_read(p, addr, len);
        for (uint32_t done = 0; done < len; ) {
            uint8_t buf[256];
            uint32_t k = len - done < sizeof buf ? len - done : sizeof buf;
            if (mm_copy_in(p->mm, p->tid, buf, addr + done, k))
                RET(done ? (int)done : -EFAULT);
            console_write(buf, k);
            done += k;
        }
        RET(len);
    case F_NULL:
        RET(write ? (int)len : 0);
    case F_ZERO:
    case F_FULL:
    case F_RANDOM:
        if (write)
            RET(f->type == F_FULL ? -ENOSPC : (int)len);
        for (uint32_t done = 0; done < len; ) {
            static const uint8_t zeros[PAGE];
            static uint32_t x = 0x2545f491u;
            uint32_t buf[64], k = len - done < PAGE ? len - done : PAGE;
            const void *src = zeros;
            if (f->type == F_RANDOM) {
                k = k < sizeof buf ? k : sizeof buf;
                for (unsigned i = 0; i < 64; i++) {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x += l4_cycles();
                    buf[i] = x;
                }
                src = buf;
            }
            if (mm_copy_out(p->mm, p->tid, addr + done, src, k))
                RET(done ? (int)done : -EFAULT);
            done += k;
        }
        RET(len);
    case F_PROC:
        if (write)
            RET(-EBADF);
        if (f->pos >= f->size)
            RET(0);
        if (len > f->size - f->pos)
            len = f->size - f->pos;
        if (mm_copy_out(p->mm, p->tid, addr, f->data + f->pos, len))
            RET(-EFAULT);
        f->pos += len;
        RET(len);
    case F_REG:
        if (write && f->flags & O_APPEND)
            f->pos = f->inode->size;
        n = reg_io(p, f->inode, f->pos, addr, len, write);
        if (n > 0)
            f->pos += (uint32_t)n;
        RET(n);
    case F_DIR:
        RET(-EISDIR);
    case F_PIPE_READ:
    case F_PIPE_WRITE:
    case F_SOCK: {
        /* a socket reads one pipe and writes the other; one shut down is at its end */
        struct pipe *pp = f->type == F_SOCK && write ? f->tx : f->pipe;
        if (f->type != F_SOCK && (f->type == F_PIPE_WRITE) != write && (f->flags & O_ACCMODE) != O_RDWR)
            RET(-EBADF);
        if (f->type == F_SOCK && !write && (!pp || pp->head == pp->tail) && sock_reset(f, 1))
            RET(-ECONNRESET);                           /* reported once, past the data */
        n = pp ? pipe_io(p, pp, addr, len, write) : write ? -EPIPE : 0;
        if (n == -EPIPE && !p->io_nosignal)
            signal_raise(p, SIGPIPE);                   /* taken on the way out */
        if (pp && !(f->flags & O_NONBLOCK) && !p->io_nonblock &&
            (n == -EAGAIN || (write && n >= 0 && (uint32_t)n < len))) {
            uint32_t moved = n < 0 ? 0 : (uint32_t)n;
            pipe_wait(p, pp, addr + moved, len - moved, write, moved);
            if (moved)
                pipe_wake(pp);                          /* readers of what went in */
            return 1;
        }
        if (n > 0)
            pipe_wake(pp);
        RET(n);
    }
    }
    RET(-EBADF);
}

/*
 * Large reads and writes in pieces, so that one process moving megabytes does not hold the
 * server (and so every other process) for the whole transfer: after a piece the call goes back
 * to the process's SVC, which the process enters again behind the other ready processes of its
 * priority (the reply is a send of its own, as for sched_yield); p->io_done carries what is done.
 * A signal handler taken in between ends the call with that count (signal.c), as Linux ends an
 * interrupted transfer.  Pipes and the console's reads never fill a piece: they stop at what is
 * there.  The console's writes go to the host over the debug link, slowly: smaller pieces.
 */
#define RW_PIECE            (64u << 10)
#define RW_PIECE_CONSOLE    1024u

static int rw_pieces(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t done = p->io_cont ? p->io_done : 0;
    uint32_t piece = f && f->type == F_CONSOLE && write ? RW_PIECE_CONSOLE :
                     f && f->type == F_SOCK && sock_datagram(f) ? ~0u : RW_PIECE;  /* a message */
    uint32_t args[3] = { r[0], r[1] + done, r[2] - done };

    if (f && f->type == F_CONSOLE && write) {
        int bg = console_write_check(p);        /* keeps io_cont: the rest, once continued */
        if (bg > 0)
            return 1;
        if (bg < 0)
            RET(done ? (int)done : bg);
    }
    p->io_cont = 0;
    p->pipe_base = done;                        /* a pipe's waiter returns it with its own */
    if (args[2] > piece)
        args[2] = piece;
    if (do_rw(p, args, write))
        return 1;                               /* waits (a pipe, the console), or gone */
    int n = (int32_t)args[0];
    if (n < 0)
        RET(done ? (int)done : n);
    done += (uint32_t)n;
    if ((uint32_t)n < piece || done >= r[2])
        RET(done);
    p->io_done = done;
    p->io_cont = 1;
    call_again(p);
    if (!signal_deliver(p))
        proc_reply(p);
    return 1;
}

int sys_read(struct proc *p, uint32_t *r)
{
    p->io_nosignal = p->io_nonblock = 0;
    return rw_pieces(p, r, 0);
}

int sys_write(struct proc *p, uint32_t *r)
{
    p->io_nosignal = p->io_nonblock = 0;
    return rw_pieces(p, r, 1);
}

int file_rw(struct proc *p, uint32_t *r, int write)
{
    return rw_pieces(p, r, write);
}

/* Whether `f` has no position (ESPIPE to lseek and the calls at an offset). */
static int unseekable(const struct file *f)
{
    return f->type == F_PIPE_READ || f->type == F_PIPE_WRITE || f->type == F_CONSOLE || f->type == F_SOCK;
}

/* pread64 and pwrite64(fd, buf, count, pad, offset low, offset high): at an offset, leaving
 * the file's position alone. */
static int do_prw(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t args[3] = { r[0], r[1], r[2] };

    if (!f)
        RET(-EBADF);
    if (unseekable(f))
        RET(-ESPIPE);
    if ((int32_t)r[5] < 0)
        RET(-EINVAL);
    if (r[5] || r[4] > MAX_FILE_SIZE)
        RET(write ? -EFBIG : 0);
    uint32_t pos = f->pos;
    f->pos = r[4];
    do_rw(p, args, write);                      /* O_APPEND still appends, as on Linux */
    f->pos = pos;
    RET(args[0]);
}

int sys_pread64(struct proc *p, uint32_t *r)
{
    return do_prw(p, r, 0);
}

int sys_pwrite64(struct proc *p, uint32_t *r)
{
    return do_prw(p, r, 1);
}

/* readv and writev(fd, iov, iovcnt): each iovec in turn, until one moves less than it asks.
 * Only the first may wait (a pipe, the console): after it, a read takes what is there now,
 * as Linux's does in one go.  More than UIO_MAXIOV iovecs is EINVAL. */
static int rw_vec(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t iov[2], total = 0, args[3];
    int n = 0;

    p->io_nosignal = p->io_nonblock = 0;
    if (r[2] > UIO_MAXIOV)
        RET(-EINVAL);
    for (uint32_t i = 0; i < r[2]; i++) {
        if (mm_copy_in(p->mm, p->tid, iov, r[1] + i * 8, 8)) {
            n = -EFAULT;
            break;
        }
        if (!write && total && f && f->type == F_CONSOLE)
            break;                              /* a line at a time */
        args[0] = r[0];
        args[1] = iov[0];
        args[2] = iov[1];
        p->pipe_base = total;
        p->io_nonblock = !write && total;
        if (do_rw(p, args, write))
            return 1;                           /* waits (its result counts `total`), or gone */
        n = (int32_t)args[0];
        if (n < 0)
            break;
        total += (uint32_t)n;
        if ((uint32_t)n < iov[1])
            break;
    }
    p->io_nonblock = 0;
    RET(total || n >= 0 ? (int)total : n);
}

int sys_writev(struct proc *p, uint32_t *r)
{
    return rw_vec(p, r, 1);
}

int sys_readv(struct proc *p, uint32_t *r)
{
    return rw_vec(p, r, 0);
}

/* preadv and pwritev(fd, iov, iovcnt, offset low, offset high): rw_vec at an offset, leaving
 * the file's position alone, as pread64 does. */
static int rw_vec_at(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    if (unseekable(f))
        RET(-ESPIPE);
    if ((int32_t)r[4] < 0)
        RET(-EINVAL);
    if (r[4] || r[3] > MAX_FILE_SIZE)
        RET(write ? -EFBIG : 0);
    uint32_t pos = f->pos;
    f->pos = r[3];
    int waits = rw_vec(p, r, write);            /* (a file never waits) */
    f->pos = pos;
    return waits;
}

int sys_preadv(struct proc *p, uint32_t *r)
{
    return rw_vec_at(p, r, 0);
}

int sys_pwritev(struct proc *p, uint32_t *r)
{
    return rw_vec_at(p, r, 1);
}

/* preadv2 and pwritev2(fd, iov, iovcnt, offset low, offset high, flags): preadv and pwritev, or
 * readv and writev at the file's position for offset -1.  Of the flags, RWF_HIPRI, RWF_DSYNC and
 * RWF_SYNC change nothing here (every file is in memory), RWF_APPEND makes the write an
 * appending one, and RWF_NOWAIT is EOPNOTSUPP, as Linux answers for files without
 * FMODE_NOWAIT (tmpfs's); others are EOPNOTSUPP too. */
#define RWF_SUPPORTED   (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)

static int rw_vec2(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    int at_pos = r[3] == 0xffffffffu && r[4] == 0xffffffffu, waits, append;

    if (!f)
        RET(-EBADF);
    if (!at_pos && unseekable(f))
        RET(-ESPIPE);
    if (r[5] && ((write && f->type == F_PIPE_READ) || (!write && f->type == F_PIPE_WRITE) ||
                 (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY)))
        RET(-EBADF);                            /* (without flags, as readv and writev say) */
    if (r[5] & ~RWF_SUPPORTED || r[5] & RWF_NOWAIT)
        RET(-EOPNOTSUPP);
    append = write && r[5] & RWF_APPEND && f->type == F_REG && !(f->flags & O_APPEND);
    if (append)
        f->flags |= O_APPEND;                   /* for this call */
    waits = at_pos ? rw_vec(p, r, write) : rw_vec_at(p, r, write);
    if (append)
        f->flags &= ~O_APPEND;                  /* (a regular file never waits: `f` is open) */
    return waits;
}

int sys_preadv2(struct proc *p, uint32_t *r)
{
    return rw_vec2(p, r, 0);
}

int sys_pwritev2(struct proc *p, uint32_t *r)
{
    return rw_vec2(p, r, 1);
}

/* The new position, or -errno.  A directory's position is its reader's cookie: only a rewind
 * (or a position getdents gave) makes sense.  SEEK_DATA and SEEK_HOLE are a regular file's
 * (vfs_seek_data); ENXIO at or past its end. */
static int64_t do_lseek(struct proc *p, uint32_t fd, int64_t off, uint32_t whence)
{
    struct file *f = fd_get(p, fd);
    int64_t size, pos;

    if (!f)
        return -EBADF;
    if (whence > SEEK_HOLE)
        return -EINVAL;                         /* before the file's own answer, as Linux */
    if (unseekable(f))
        return -ESPIPE;
    size = f->type == F_REG ? f->inode->size : f->size;
    if (whence == SEEK_SET)
        pos = off;
    else if (whence == SEEK_CUR)
        pos = (int64_t)f->pos + off;
    else if (whence == SEEK_END)
        pos = size + off;
    else if ((whence == SEEK_DATA || whence == SEEK_HOLE) && f->type == F_REG)
        pos = off < 0 || off > MAX_FILE_SIZE ? -ENXIO :
              vfs_seek_data(f->inode, (uint32_t)off, whence == SEEK_HOLE);
    else
        return -EINVAL;
    if (pos == -ENXIO && whence >= SEEK_DATA)
        return pos;
    if (pos < 0 || pos > MAX_FILE_SIZE)
        return -EINVAL;
    f->pos = (uint32_t)pos;
    return pos;
}

int sys_lseek(struct proc *p, uint32_t *r)
{
    int64_t pos = do_lseek(p, r[0], (int32_t)r[1], r[2]);

    if (pos > 0x7fffffff)
        RET(-EOVERFLOW);
    RET((int32_t)pos);
}

/* _llseek(fd, offset_high, offset_low, result, whence) */
int sys_llseek(struct proc *p, uint32_t *r)
{
    int64_t pos = do_lseek(p, r[0], (int64_t)((uint64_t)r[1] << 32 | r[2]), r[4]);
    uint32_t result[2] = { (uint32_t)pos, (uint32_t)((uint64_t)pos >> 32) };

    if (pos < 0)
        RET((int32_t)pos);
    RET(mm_copy_out(p->mm, p->tid, r[3], result, 8) ? -EFAULT : 0);
}

int sys_pipe2(struct proc *p, uint32_t *r)
{
    struct pipe *pp = pipe_new();
    struct file *rd, *wr;

    if (!pp)
        RET(-ENFILE);
    rd = file_new(F_PIPE_READ);
    wr = rd ? file_new(F_PIPE_WRITE) : NULL;
    if (!wr) {
        file_put(rd);                           /* not yet the pipe's: nothing else to undo */
        pipe_free(pp);
        RET(-ENFILE);
    }
    rd->pipe = wr->pipe = pp;
    rd->flags = r[1] & O_NONBLOCK;
    wr->flags = O_WRONLY | (r[1] & O_NONBLOCK);
    pp->readers = pp->writers = 1;
    RET(fd_install_pair(p, rd, wr, r[1] & O_CLOEXEC, r[0]));
}

int fd_install_pair(struct proc *p, struct file *a, struct file *b, int cloexec, uint32_t addr)
{
    int fds[2];

    fds[0] = fd_install(p, a, 0, cloexec);
    fds[1] = fds[0] < 0 ? -EMFILE : fd_install(p, b, 0, cloexec);
    if (fds[1] >= 0 && !mm_copy_out(p->mm, p->tid, addr, fds, 8))
        return 0;
    if (fds[0] >= 0)
        p->leader->fd[fds[0]] = NULL;
    if (fds[1] >= 0)
        p->leader->fd[fds[1]] = NULL;
    file_put(a);
    file_put(b);
    return fds[1] < 0 ? -EMFILE : -EFAULT;
}

int sys_pipe(struct proc *p, uint32_t *r)
{
    r[1] = 0;
    return sys_pipe2(p, r);
}

static int dup_to(struct proc *p, uint32_t old, uint32_t new, int cloexec)
{
    struct file *f = fd_get(p, old);

    if (!f || new >= MAX_FDS)
        return -EBADF;
    if (old == new)
        return (int)new;
    f->refs++;
    fd_drop(p, new);
    p->leader->fd[new] = f;
    if (new >= p->leader->fd_top)
        p->leader->fd_top = new + 1;
    fd_set_cloexec(p, new, cloexec);
    return (int)new;
}

int sys_dup(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int fd;

    if (!f)
        RET(-EBADF);
    fd = fd_install(p, f, 0, 0);
    if (fd >= 0)
        f->refs++;
    RET(fd);
}

int sys_dup2(struct proc *p, uint32_t *r)
{
    RET(dup_to(p, r[0], r[1], 0));
}

int sys_dup3(struct proc *p, uint32_t *r)
{
    if (r[0] == r[1])
        RET(-EINVAL);
    RET(dup_to(p, r[0], r[1], r[2] & O_CLOEXEC));
}

int sys_fcntl64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int fd;

    if (!f)
        RET(-EBADF);
    switch (r[1]) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (r[2] >= MAX_FDS)
            RET(-EINVAL);
        fd = fd_install(p, f, r[2], r[1] == F_DUPFD_CLOEXEC);
        if (fd >= 0)
            f->refs++;
        RET(fd);
    case F_GETFD:
        RET(fd_cloexec(p, r[0]));
    case F_SETFD:
        fd_set_cloexec(p, r[0], r[2] & FD_CLOEXEC);
        RET(0);
    case F_GETFL:
        RET(f->flags);
    case F_SETFL:
        f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (r[2] & (O_APPEND | O_NONBLOCK));
        RET(0);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_GETLK64:
    case F_SETLK64:
    case F_SETLKW64:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
        int v = fcntl_lock(p, f, r[1], r[2]);
        if (v == 1)
            return 1;
        RET(v);
    }
    default:
        RET(-EINVAL);
    }
}

#define FIONBIO     0x5421

int sys_ioctl(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    if (r[1] == FIONBIO) {                      /* any descriptor: O_NONBLOCK from an int */
        uint32_t on;
        if (mm_copy_in(p->mm, p->tid, &on, r[2], 4))
            RET(-EFAULT);
        f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
        RET(0);
    }
    if (f->type != F_CONSOLE)
        RET(-ENOTTY);
    int v = console_ioctl(p, r[1], r[2]);
    if (v == CONSOLE_STOPPED)
        return 1;
    RET(v);
}

/* ftruncate64(fd, pad, length low, length high) */
int sys_ftruncate64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int err;

    if (!f)
        RET(-EBADF);
    if (f->type != F_REG || !(f->flags & O_ACCMODE))
        RET(f->type == F_DIR ? -EISDIR : -EINVAL);
    if (r[3] || r[2] > MAX_FILE_SIZE)
        RET((int32_t)r[3] < 0 ? -EINVAL : -EFBIG);
    err = vfs_truncate(f->inode, r[2]);
    if (!err)
        vfs_touch(f->inode, T_MTIME | T_CTIME);
    RET(err);
}

/* ftruncate(fd, length): a signed 32-bit length. */
int sys_ftruncate(struct proc *p, uint32_t *r)
{
    uint32_t args[4] = { r[0], 0, r[1], (int32_t)r[1] < 0 ? 0xffffffffu : 0 };
    int blocked = sys_ftruncate64(p, args);

    r[0] = args[0];
    return blocked;
}

/* arm_fadvise64_64(fd, advice, offset low/high, len low/high): advice is taken and has no
 * effect (every file is in memory already), after the checks Linux makes. */
int sys_arm_fadvise64_64(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    if (f->type == F_PIPE_READ || f->type == F_PIPE_WRITE)
        RET(-ESPIPE);
    RET((int32_t)r[5] < 0 || r[1] > POSIX_FADV_NOREUSE ? -EINVAL : 0);
}

/* fallocate(fd, mode, offset low/high, len low/high): mode 0 makes a regular file at least
 * offset + len long (the new bytes read as zeros); FALLOC_FL_KEEP_SIZE alone changes nothing.
 * No space is set aside: a file's pages come when they are written, as always here.  The other
 * modes (holes, collapsing, zeroing) are EOPNOTSUPP, after which glibc's posix_fallocate
 * writes the range itself. */
int sys_fallocate(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int64_t offset = (int64_t)((uint64_t)r[3] << 32 | r[2]), len = (int64_t)((uint64_t)r[5] << 32 | r[4]);

    if (offset < 0 || len <= 0)
        RET(-EINVAL);
    if (r[1] & ~FALLOC_FL_KEEP_SIZE)
        RET(-EOPNOTSUPP);
    if (!f || !(f->flags & O_ACCMODE))
        RET(-EBADF);
    if (f->type == F_PIPE_READ || f->type == F_PIPE_WRITE || f->type == F_SOCK)
        RET(-ESPIPE);
    if (f->type != F_REG)
        RET(f->type == F_DIR ? -EISDIR : -ENODEV);
    if (offset + len > MAX_FILE_SIZE)
        RET(-EFBIG);
    if (r[1] & FALLOC_FL_KEEP_SIZE || (uint32_t)(offset + len) <= f->inode->size)
        RET(0);
    int err = vfs_truncate(f->inode, (uint32_t)(offset + len));
    if (!err)
        vfs_touch(f->inode, T_MTIME | T_CTIME);
    RET(err);
}

/* fsync, fdatasync and syncfs: the persistent disk's snapshot is written (disk.c; the rest of
 * the file system is memory).  Its failure is the caller's only for a file in /data. */
int sys_fsync(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int err;

    if (!f)
        RET(-EBADF);
    err = disk_sync();
    RET(err && f->name && !memcmp(f->name, "/data/", 6) ? err : 0);
}

int sys_sync(struct proc *p, uint32_t *r)
{
    (void)p;
    disk_sync();
    RET(0);
}

