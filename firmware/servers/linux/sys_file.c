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
        f = file_new(F_DIR);
        if (!f)
            return -EMFILE;
        memcpy(f->path, abs, strnlen(abs, MAX_PATH - 1) + 1);
        procfs_canonical(p, f->path);           /* /proc/self: its directory is /proc/PID */
    } else {
        if (flags & O_DIRECTORY)
            return -ENOTDIR;
        uint32_t frame = frame_alloc();
        if (!frame)
            return -ENOMEM;
        n = procfs_text(p, abs, (char *)frame, PAGE);
        f = n < 0 ? NULL : file_new(F_PROC);
        if (!f) {
            frame_put(frame);
            return n < 0 ? n : -EMFILE;
        }
        f->data = (const uint8_t *)frame;
        f->size = (uint32_t)n;
    }
    f->flags = flags;
    int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

static int do_open(struct proc *p, int dirfd, uint32_t path_addr, uint32_t flags, uint32_t mode)
{
    char abs[MAX_PATH];
    struct file *f = NULL;
    uint32_t size, fmode;
    const uint8_t *data;
    int err = get_path(p, dirfd, path_addr, abs);

    if (err)
        return err;
    if (!memcmp(abs, "/dev/null", 10))
        f = file_new(F_NULL);
    else if (!memcmp(abs, "/dev/zero", 10))
        f = file_new(F_ZERO);
    else if (!memcmp(abs, "/dev/console", 13) || !memcmp(abs, "/dev/tty", 9))
        f = file_new(F_CONSOLE);
    else if (!memcmp(abs, "/proc/", 6)) {
        return open_proc(p, abs, flags);
    } else if (is_dir(abs)) {
        if ((flags & O_ACCMODE) != 0)
            return -EISDIR;
        f = file_new(F_DIR);
        if (f)
            memcpy(f->path, abs, sizeof f->path);
    } else if (flags & O_DIRECTORY) {
        return exists(abs) ? -ENOTDIR : -ENOENT;
    } else {
        struct tnode *t = tnode_find(abs);
        data = t ? NULL : initrd_find(abs, &size, &fmode);
        if (!t && data && (flags & O_ACCMODE) == 0) {
            f = file_new(F_INITRD);
            if (f) {
                f->data = data;
                f->size = size;
            }
        } else {
            if (t && (flags & O_CREAT) && (flags & O_EXCL))
                return -EEXIST;
            if (!t && data) {                   /* written: a tmpfs copy takes its place */
                t = tnode_new(abs, S_IFREG | (fmode & 0777));
                if (!t)
                    return -ENOMEM;
                for (uint32_t off = 0; off < size; off += PAGE) {
                    t->page[off / PAGE] = frame_alloc();
                    if (!t->page[off / PAGE])
                        return -ENOMEM;
                    memcpy((void *)t->page[off / PAGE], data + off, size - off < PAGE ? size - off : PAGE);
                }
                t->size = size;
            }
            if (!t) {
                char parent[MAX_PATH];
                if (!(flags & O_CREAT))
                    return -ENOENT;
                path_resolve(abs, "..", parent, sizeof parent);
                if (!is_dir(parent))
                    return -ENOENT;
                t = tnode_new(abs, S_IFREG | (mode & 0777));
                if (!t)
                    return -ENOMEM;
            }
            if (flags & O_TRUNC && (flags & O_ACCMODE))
                tnode_truncate(t, 0);
            f = file_new(F_TMP);
            if (f)
                f->node = t;
        }
    }
    if (!f)
        return -EMFILE;
    f->flags = flags;
    err = fd_install(p, f, 0, flags & O_CLOEXEC);
    if (err < 0)
        file_put(f);
    return err;
}

int sys_open(struct proc *p, uint32_t *r)
{
    RET(do_open(p, AT_FDCWD, r[0], r[1], r[2]));
}

int sys_openat(struct proc *p, uint32_t *r)
{
    RET(do_open(p, (int32_t)r[0], r[1], r[2], r[3]));
}

int sys_close(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    p->fd[r[0]] = NULL;
    file_put(f);
    RET(0);
}

/* Copy between a tmpfs file and a process; `write` selects the direction. */
static int tmp_io(struct proc *p, struct tnode *t, uint32_t pos, uint32_t addr, uint32_t len, int write)
{
    uint32_t done = 0;

    if (!write) {
        if (pos >= t->size)
            return 0;
        if (len > t->size - pos)
            len = t->size - pos;
    }
    while (done < len) {
        uint32_t at = pos + done, page = at / PAGE, off = at % PAGE;
        uint32_t n = PAGE - off < len - done ? PAGE - off : len - done;
        if (page >= TNODE_PAGES)
            return done ? (int)done : -EFBIG;
        if (!t->page[page]) {
            if (!write) {
                static const uint8_t zeros[PAGE];
                if (mm_copy_out(p->mm, p->tid, addr + done, zeros + off, n))
                    return -EFAULT;
                done += n;
                continue;
            }
            t->page[page] = frame_alloc();
            if (!t->page[page])
                return done ? (int)done : -ENOSPC;
        }
        uint8_t *buf = (uint8_t *)t->page[page] + off;
        if (write ? mm_copy_in(p->mm, p->tid, buf, addr + done, n)
                  : mm_copy_out(p->mm, p->tid, addr + done, buf, n))
            return done ? (int)done : -EFAULT;
        done += n;
    }
    if (write && pos + done > t->size)
        t->size = pos + done;
    return (int)done;
}

/* Move what can move now between a pipe and a process; -EAGAIN when it must wait. */
static int pipe_io(struct proc *p, struct pipe *pp, uint32_t addr, uint32_t len, int write)
{
    uint32_t done = 0;

    if (write) {
        if (!pp->readers)
            return -EPIPE;
        while (done < len && pp->head - pp->tail < PIPE_SIZE) {
            uint8_t c;
            if (mm_copy_in(p->mm, p->tid, &c, addr + done, 1))
                return done ? (int)done : -EFAULT;
            pp->buf[pp->head++ % PIPE_SIZE] = c;
            done++;
        }
    } else {
        while (done < len && pp->tail != pp->head) {
            uint8_t c = pp->buf[pp->tail % PIPE_SIZE];
            if (mm_copy_out(p->mm, p->tid, addr + done, &c, 1))
                return done ? (int)done : -EFAULT;
            pp->tail++;
            done++;
        }
        if (!done && pp->writers)
            return -EAGAIN;
    }
    if (!done && len && write)
        return -EAGAIN;
    return (int)done;
}

void pipe_wake(struct pipe *pp)
{
    struct proc *w;

    if ((w = pp->blocked_reader) && (pp->tail != pp->head || !pp->writers)) {
        int n = pipe_io(w, pp, pp->want_addr, pp->want_len, 0);
        if (n != -EAGAIN) {
            pp->blocked_reader = NULL;
            proc_resume(w, (uint32_t)n);
        }
    }
    if ((w = pp->blocked_writer) && (pp->head - pp->tail < PIPE_SIZE || !pp->readers)) {
        int n = pipe_io(w, pp, pp->want_addr, pp->want_len, 1);
        if (n != -EAGAIN) {
            pp->blocked_writer = NULL;
            if (n == -EPIPE)
                signal_raise(w, SIGPIPE);
            proc_resume(w, (uint32_t)n);
        }
    }
}

static int do_rw(struct proc *p, uint32_t *r, int write)
{
    struct file *f = fd_get(p, r[0]);
    uint32_t addr = r[1], len = r[2];
    int n;

    if (!f || (write && (f->flags & O_ACCMODE) == 0 && f->type != F_CONSOLE && f->type != F_PIPE_WRITE) ||
        (!write && (f->flags & O_ACCMODE) == O_WRONLY))
        RET(-EBADF);
    switch (f->type) {
    case F_CONSOLE:
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
        if (write)
            RET(len);
        for (uint32_t done = 0; done < len; ) {
            static const uint8_t zeros[PAGE];
            uint32_t k = len - done < PAGE ? len - done : PAGE;
            if (mm_copy_out(p->mm, p->tid, addr + done, zeros, k))
                RET(done ? (int)done : -EFAULT);
            done += k;
        }
        RET(len);
    case F_INITRD:
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
    case F_TMP:
        if (write && f->flags & O_APPEND)
            f->pos = f->node->size;
        n = tmp_io(p, f->node, f->pos, addr, len, write);
        if (n > 0)
            f->pos += (uint32_t)n;
        RET(n);
    case F_DIR:
        RET(-EISDIR);
    case F_PIPE_READ:
    case F_PIPE_WRITE:
        if ((f->type == F_PIPE_WRITE) != write)
            RET(-EBADF);
        n = pipe_io(p, f->pipe, addr, len, write);
        if (n == -EPIPE)
            signal_raise(p, SIGPIPE);                   /* taken on the way out */
        if (n == -EAGAIN && !(f->flags & O_NONBLOCK)) {
            if (write)
                f->pipe->blocked_writer = p;
            else
                f->pipe->blocked_reader = p;
            f->pipe->want_addr = addr;
            f->pipe->want_len = len;
            p->state = P_BLOCKED;
            p->blocked = B_PIPE;
            return 1;
        }
        if (n > 0)
            pipe_wake(f->pipe);
        RET(n);
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
    uint32_t piece = f && f->type == F_CONSOLE && write ? RW_PIECE_CONSOLE : RW_PIECE;
    uint32_t args[3] = { r[0], r[1] + done, r[2] - done };

    p->io_cont = 0;
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
    p->regs[15] -= p->regs[16] & 0x20 ? 2 : 4;  /* the SVC again (Thumb: 2 bytes) */
    p->regs_changed = 1;
    if (!signal_deliver(p))
        proc_reply(p);
    return 1;
}

int sys_read(struct proc *p, uint32_t *r)
{
    return rw_pieces(p, r, 0);
}

int sys_write(struct proc *p, uint32_t *r)
{
    return rw_pieces(p, r, 1);
}

int sys_writev(struct proc *p, uint32_t *r)
{
    uint32_t iov[2], total = 0, args[3];

    for (uint32_t i = 0; i < r[2] && i < 1024; i++) {
        if (mm_copy_in(p->mm, p->tid, iov, r[1] + i * 8, 8))
            RET(total ? (int)total : -EFAULT);
        args[0] = r[0];
        args[1] = iov[0];
        args[2] = iov[1];
        if (do_rw(p, args, 1))
            return 1;                           /* blocked or gone: pipes and writev rarely mix */
        if ((int32_t)args[0] < 0)
            RET(total ? (int)total : (int32_t)args[0]);
        total += args[0];
        if (args[0] < iov[1])
            break;
    }
    RET(total);
}

int sys_readv(struct proc *p, uint32_t *r)
{
    uint32_t iov[2], args[3];

    if (r[2] == 0)
        RET(0);
    if (mm_copy_in(p->mm, p->tid, iov, r[1], 8))
        RET(-EFAULT);
    args[0] = r[0];
    args[1] = iov[0];
    args[2] = iov[1];
    if (do_rw(p, args, 0))
        return 1;
    RET(args[0]);
}

int sys_lseek(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);
    int32_t off = (int32_t)r[1];
    uint32_t size;

    if (!f)
        RET(-EBADF);
    if (f->type == F_PIPE_READ || f->type == F_PIPE_WRITE || f->type == F_CONSOLE)
        RET(-ESPIPE);
    size = f->type == F_TMP ? f->node->size : f->size;
    int64_t pos = r[2] == 0 ? off : r[2] == 1 ? (int64_t)f->pos + off : (int64_t)size + off;
    if (pos < 0 || r[2] > 2)
        RET(-EINVAL);
    f->pos = (uint32_t)pos;
    RET(f->pos);
}

int sys_llseek(struct proc *p, uint32_t *r)
{
    uint32_t args[3] = { r[0], r[2], r[4] };
    uint32_t result[2];

    if (r[1] != 0 && r[1] != 0xffffffffu)
        RET(-EINVAL);
    sys_lseek(p, args);
    if ((int32_t)args[0] < 0)
        RET(args[0]);
    result[0] = args[0];
    result[1] = 0;
    RET(mm_copy_out(p->mm, p->tid, r[3], result, 8) ? -EFAULT : 0);
}

int sys_pipe2(struct proc *p, uint32_t *r)
{
    struct pipe *pp = pipe_new();
    struct file *rd, *wr;
    int fds[2];

    if (!pp)
        RET(-EMFILE);
    rd = file_new(F_PIPE_READ);
    wr = rd ? file_new(F_PIPE_WRITE) : NULL;
    if (!wr) {
        file_put(rd);
        frame_put((uint32_t)pp->buf);
        pp->buf = NULL;
        RET(-EMFILE);
    }
    rd->pipe = wr->pipe = pp;
    rd->flags = r[1] & O_NONBLOCK;
    wr->flags = O_WRONLY | (r[1] & O_NONBLOCK);
    pp->readers = pp->writers = 1;
    fds[0] = fd_install(p, rd, 0, r[1] & O_CLOEXEC);
    fds[1] = fds[0] < 0 ? -EMFILE : fd_install(p, wr, 0, r[1] & O_CLOEXEC);
    if (fds[1] < 0) {
        if (fds[0] >= 0)
            p->fd[fds[0]] = NULL;
        file_put(rd);
        file_put(wr);
        RET(-EMFILE);
    }
    if (mm_copy_out(p->mm, p->tid, r[0], fds, 8))
        RET(-EFAULT);
    RET(0);
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
    file_put(p->fd[new]);
    p->fd[new] = f;
    f->refs++;
    p->cloexec = cloexec ? p->cloexec | 1u << new : p->cloexec & ~(1u << new);
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
        fd = fd_install(p, f, r[2], r[1] == F_DUPFD_CLOEXEC);
        if (fd >= 0)
            f->refs++;
        RET(fd);
    case F_GETFD:
        RET(p->cloexec >> r[0] & 1);
    case F_SETFD:
        p->cloexec = r[2] & 1 ? p->cloexec | 1u << r[0] : p->cloexec & ~(1u << r[0]);
        RET(0);
    case F_GETFL:
        RET(f->flags);
    case F_SETFL:
        f->flags = (f->flags & ~(O_APPEND | O_NONBLOCK)) | (r[2] & (O_APPEND | O_NONBLOCK));
        RET(0);
    default:
        RET(-EINVAL);
    }
}

int sys_ioctl(struct proc *p, uint32_t *r)
{
    struct file *f = fd_get(p, r[0]);

    if (!f)
        RET(-EBADF);
    if (f->type != F_CONSOLE)
        RET(-ENOTTY);
    RET(console_ioctl(p, r[1], r[2]));
}

/* poll and ppoll: every descriptor asked about counts as ready; a read that follows waits for its
 * data as it would without the poll (the console, a pipe). */
int sys_poll(struct proc *p, uint32_t *r)
{
    uint32_t n = r[1] < 64 ? r[1] : 64, ready = 0;
    uint16_t fds[64 * 4];

    if (n && mm_copy_in(p->mm, p->tid, fds, r[0], n * 8))
        RET(-EFAULT);
    for (uint32_t i = 0; i < n; i++) {
        int32_t fd = (int32_t)(fds[i * 4] | (uint32_t)fds[i * 4 + 1] << 16);
        uint16_t events = fds[i * 4 + 2];
        fds[i * 4 + 3] = fd < 0 ? 0 : !fd_get(p, (uint32_t)fd) ? POLLNVAL : events & (POLLIN | POLLOUT);
        ready += fds[i * 4 + 3] != 0;
    }
    if (n && mm_copy_out(p->mm, p->tid, r[0], fds, n * 8))
        RET(-EFAULT);
    RET(ready);
}
