/*
 * Copying between files in the server, without the process's memory: sendfile64,
 * copy_file_range and splice.  Each moves data from one end to another (a regular file at a
 * position, a pipe, /dev/null, the console) a page at a time through the server's buffer
 * (transfer), taking from the source only what the destination took, so a short write loses
 * nothing.  A splice that must wait for a pipe's data or room sleeps in B_READY on that pipe's
 * file and is made again from the start when it is ready (poll_wait_file), as an eventfd's read.
 */
#include "syscalls.h"

#define MAX_RW_COUNT    0x7ffff000u     /* the most one call moves, as Linux's MAX_RW_COUNT */
#define SPLICE_F_ALL    (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

/* One end of a transfer: a pipe (`pp`), or `f` (a regular file at `pos`, /dev/null or the
 * console). */
struct end {
    struct file *f;
    struct pipe *pp;
    uint32_t pos;
};

static struct pipe *pipe_of(struct file *f)
{
    return f->type == F_PIPE_READ || f->type == F_PIPE_WRITE ? f->pipe : NULL;
}

/* Whether `f` was opened for reading, or for writing, as read and write check it. */
static int readable(const struct file *f)
{
    return (f->flags & O_ACCMODE) != O_WRONLY &&
           (f->type != F_PIPE_WRITE || (f->flags & O_ACCMODE) == O_RDWR);
}

static int writable(const struct file *f)
{
    return (f->flags & O_ACCMODE) || f->type == F_CONSOLE || f->type == F_PIPE_WRITE;
}

/* Up to `n` bytes from `e` into `buf`, left there until end_took says how many went. */
static uint32_t end_peek(struct end *e, void *buf, uint32_t n)
{
    return e->pp ? pipe_peek(e->pp, buf, n) : vfs_read(e->f->inode, e->pos, buf, n);
}

static void end_took(struct end *e, uint32_t n)
{
    if (e->pp)
        e->pp->tail += n;
    else
        e->pos += n;
}

/* Up to `n` bytes of `buf` into `e`: how many, or -errno. */
static int end_put(struct end *e, const void *buf, uint32_t n)
{
    int w;

    if (e->pp)
        return pipe_put(e->pp, buf, n);
    if (e->f->type == F_CONSOLE)
        console_write(buf, n);
    if (e->f->type != F_REG)
        return (int)n;
    w = vfs_write(e->f->inode, e->pos, buf, n);
    if (w > 0)
        e->pos += (uint32_t)w;
    return w;
}

/* Up to `len` bytes from `in` to `out`, until `in` has no more or `out` takes no more: how
 * many, or the first piece's error. */
static int transfer(struct end *in, struct end *out, uint32_t len)
{
    static uint8_t buf[PAGE];
    uint32_t done = 0;

    while (done < len) {
        uint32_t n = end_peek(in, buf, len - done < PAGE ? len - done : PAGE);
        int w = n ? end_put(out, buf, n) : 0;
        if (w <= 0) {
            if (!done && w < 0)
                return w;
            break;
        }
        end_took(in, (uint32_t)w);
        done += (uint32_t)w;
        if ((uint32_t)w < n)
            break;
    }
    if (done && !in->pp)
        vfs_accessed(in->f->inode);
    return (int)done;
}

/* A 64-bit offset argument at `addr` into `off` (the file's position when `addr` is 0): 0, or
 * -EFAULT.  The caller judges a negative one. */
static int get_offset(struct proc *p, uint32_t addr, const struct file *f, int64_t *off)
{
    if (!addr) {
        *off = f->pos;
        return 0;
    }
    if (mm_copy_in(p->mm, p->tid, off, addr, 8))
        return -EFAULT;
    return 0;
}

/* Where a call moved the end: the offset argument, or the file's position. */
static int put_offset(struct proc *p, uint32_t addr, struct file *f, uint32_t pos)
{
    int64_t off = pos;

    if (addr)
        return mm_copy_out(p->mm, p->tid, addr, &off, 8) ? -EFAULT : 0;
    f->pos = pos;
    return 0;
}

/* sendfile64(out, in, offset pointer, count): from a regular file to a regular file, the
 * console or /dev/null; anything else is EINVAL, after which programs (cp, cat) fall back to
 * read and write, as they do on Linux for such pairs. */
int sys_sendfile64(struct proc *p, uint32_t *r)
{
    struct file *out = fd_get(p, r[0]), *in = fd_get(p, r[1]);
    int64_t off;
    int n;

    if (!out || !in || !readable(in) || !writable(out))
        RET(-EBADF);
    if (in->type != F_REG || (out->type != F_REG && out->type != F_NULL && out->type != F_CONSOLE))
        RET(-EINVAL);
    if (get_offset(p, r[2], in, &off))
        RET(-EFAULT);
    if (off < 0 || off > MAX_FILE_SIZE)
        RET(off < 0 ? -EINVAL : 0);
    struct end src = { in, NULL, (uint32_t)off }, dst = { out, NULL, out->pos };
    if (out->type == F_REG && out->flags & O_APPEND)
        dst.pos = out->inode->size;
    n = transfer(&src, &dst, r[3] < MAX_RW_COUNT ? r[3] : MAX_RW_COUNT);
    if (n < 0)
        RET(n);
    if (out->type == F_REG)
        out->pos = dst.pos;
    RET(put_offset(p, r[2], in, src.pos) ? -EFAULT : n);
}

/* A memfd lives in a file system of its own (Linux's internal shm mount): copy_file_range
 * between one and a file of the tree is EXDEV, as between two of Linux's mounts. */
static int is_memfd(const struct file *f)
{
    return f->name && !memcmp(f->name, "/memfd:", 7);
}

/* copy_file_range(fd_in, off_in, fd_out, off_out, len, flags): between regular files, at the
 * offsets given (which move) or the files' positions (which move), never overlapping within
 * one file; flags must be 0.  Linux's checks, in Linux's order. */
int sys_copy_file_range(struct proc *p, uint32_t *r)
{
    struct file *in = fd_get(p, r[0]), *out = fd_get(p, r[2]);
    uint32_t len = r[4] < MAX_RW_COUNT ? r[4] : MAX_RW_COUNT;
    int64_t off_in, off_out;
    int n;

    if (!in || !out)
        RET(-EBADF);
    if (get_offset(p, r[1], in, &off_in) || get_offset(p, r[3], out, &off_out))
        RET(-EFAULT);
    if (r[5])
        RET(-EINVAL);
    if (in->type == F_DIR || out->type == F_DIR)
        RET(-EISDIR);
    if (in->type != F_REG || out->type != F_REG)
        RET(-EINVAL);
    if (!readable(in) || !writable(out) || out->flags & O_APPEND)
        RET(-EBADF);
    if (is_memfd(in) != is_memfd(out))
        RET(-EXDEV);
    if (off_in >= 0 && off_in < in->inode->size && len > in->inode->size - off_in)
        len = in->inode->size - (uint32_t)off_in;          /* shortened to the end of the input */
    else if (off_in >= in->inode->size)
        len = 0;
    if (in->inode == out->inode && off_out + len > off_in && off_out < off_in + len)
        RET(-EINVAL);                                       /* overlapping within one file */
    if (off_in < 0 || off_out < 0)
        RET(-EOVERFLOW);                                    /* as Linux 6.1 answers it */
    if (!len)
        RET(0);
    if (off_out >= MAX_FILE_SIZE)
        RET(-EFBIG);
    struct end src = { in, NULL, (uint32_t)off_in }, dst = { out, NULL, (uint32_t)off_out };
    n = transfer(&src, &dst, len);
    if (n > 0 && (put_offset(p, r[1], in, src.pos) || put_offset(p, r[3], out, dst.pos)))
        RET(-EFAULT);
    RET(n);
}

/* splice(fd_in, off_in, fd_out, off_out, len, flags): one end a pipe, the other a pipe or a
 * regular file (or, written to, /dev/null or the console).  A pipe's end has no offset
 * (ESPIPE); a file's moves its offset argument, or its position.  It moves what the source
 * pipe holds (at least one byte: it waits for one while the pipe has writers) or what the
 * destination pipe has room for (it waits for room while the pipe has readers: EPIPE and
 * SIGPIPE without them).  SPLICE_F_NONBLOCK, or O_NONBLOCK on a pipe, make those waits EAGAIN. */
int sys_splice(struct proc *p, uint32_t *r)
{
    struct file *in, *out;
    struct pipe *ip, *op;
    uint32_t len = r[4] < MAX_RW_COUNT ? r[4] : MAX_RW_COUNT;
    int64_t off;
    int nonblock = r[5] & SPLICE_F_NONBLOCK, n;

    if (!len)
        RET(0);
    if (r[5] & ~SPLICE_F_ALL)
        RET(-EINVAL);
    in = fd_get(p, r[0]);
    out = fd_get(p, r[2]);
    if (!in || !out || !readable(in) || !writable(out))
        RET(-EBADF);
    ip = pipe_of(in);
    op = pipe_of(out);
    if (!ip && !op)
        RET(-EINVAL);
    if ((ip && r[1]) || (op && r[3]))
        RET(-ESPIPE);
    if (ip == op)
        RET(-EINVAL);                           /* a pipe into itself */
    if (!ip && in->type != F_REG)
        RET(-EINVAL);
    if (!op && out->type != F_REG && out->type != F_NULL && out->type != F_CONSOLE)
        RET(-EINVAL);
    if (!ip && get_offset(p, r[1], in, &off))
        RET(-EFAULT);
    if (!op && get_offset(p, r[3], out, &off))
        RET(-EFAULT);
    if (!op && out->flags & O_APPEND)
        RET(-EINVAL);
    if (!op && off < 0)
        RET(-EINVAL);
    if (!ip && off < 0)
        RET(-EINVAL);
    if (ip) {                                   /* data, or a wait for it */
        nonblock |= in->flags & O_NONBLOCK;
        if (ip->head == ip->tail && ip->writers) {
            if (nonblock)
                RET(-EAGAIN);
            return poll_wait_file(p, in, POLLIN);
        }
        if (ip->head == ip->tail)
            RET(0);
    }
    if (op) {                                   /* a reader and room, or a wait for room */
        nonblock |= out->flags & O_NONBLOCK;
        if (!op->readers) {
            signal_raise(p, SIGPIPE);
            RET(-EPIPE);
        }
        if (op->head - op->tail >= PIPE_SIZE) {
            if (nonblock)
                RET(-EAGAIN);
            return poll_wait_file(p, out, POLLOUT);
        }
    }
    if (!ip && (off > MAX_FILE_SIZE || off >= in->inode->size))
        RET(0);
    if (!op && off >= MAX_FILE_SIZE)
        RET(-EFBIG);
    struct end src = { in, ip, ip ? 0 : (uint32_t)off }, dst = { out, op, op ? 0 : (uint32_t)off };
    if (!op && out->type != F_REG)
        dst.pos = 0;
    n = transfer(&src, &dst, len);
    if (n > 0 && !ip && put_offset(p, r[1], in, src.pos))
        n = -EFAULT;
    if (n > 0 && !op && out->type == F_REG && put_offset(p, r[3], out, dst.pos))
        n = -EFAULT;
    if (ip)
        pipe_wake(ip);                          /* room for its writers */
    if (op)
        pipe_wake(op);                          /* data for its readers */
    RET(n);
}
