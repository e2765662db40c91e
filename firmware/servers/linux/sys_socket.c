/*
 * Sockets: AF_UNIX stream sockets made in pairs (socketpair), each end a file that reads one
 * pipe and writes the other, so reading, writing, waiting, poll and the end of a peer are the
 * pipes' (sys_file.c).  No socket has a name yet: socket() refuses every other family with
 * EAFNOSUPPORT, as a Linux built without it would, and AF_UNIX sockets with a path (bind,
 * connect) are still counted among the calls not answered.
 */
#include "syscalls.h"

#define AF_UNIX         1
#define SOCK_STREAM     1
#define SOCK_TYPE_MASK  0xf
#define MSG_DONTWAIT    0x40
#define MSG_NOSIGNAL    0x4000
#define SOL_SOCKET      1
#define SO_TYPE         3
#define SO_ERROR        4
#define SO_DOMAIN       39

int sys_socket(struct proc *p, uint32_t *r)
{
    (void)p;
    if (r[0] == AF_UNIX)
        unknown_syscalls[__NR_socket]++;        /* a named socket: not yet */
    RET(r[0] == AF_UNIX ? -ENOSYS : -EAFNOSUPPORT);
}

/* socketpair(domain, type, protocol, sv) */
int sys_socketpair(struct proc *p, uint32_t *r)
{
    uint32_t type = r[1] & SOCK_TYPE_MASK, extra = r[1] & ~SOCK_TYPE_MASK;
    struct pipe *ab, *ba;
    struct file *a, *b;

    if (r[0] != AF_UNIX)
        RET(-EAFNOSUPPORT);
    if (extra & ~(O_NONBLOCK | O_CLOEXEC))
        RET(-EINVAL);
    if (type != SOCK_STREAM || (r[2] && r[2] != AF_UNIX))
        RET(-EPROTONOSUPPORT);                  /* datagram and seqpacket pairs: not yet */
    ab = pipe_new();
    ba = ab ? pipe_new() : NULL;
    a = ba ? file_new(F_SOCK) : NULL;
    b = a ? file_new(F_SOCK) : NULL;
    if (!b) {
        if (a)
            file_put(a);                        /* not yet the pipes': nothing else to undo */
        if (ba)
            pipe_free(ba);
        if (ab)
            pipe_free(ab);
        RET(-ENFILE);
    }
    a->tx = b->pipe = ab;                       /* a writes what b reads... */
    b->tx = a->pipe = ba;                       /* ...and the other way */
    ab->readers = ab->writers = ba->readers = ba->writers = 1;
    a->flags = b->flags = O_RDWR | (extra & O_NONBLOCK);
    RET(fd_install_pair(p, a, b, extra & O_CLOEXEC, r[3]));
}

/* The socket descriptor `fd` names: the file, or NULL with the error in *err. */
static struct file *sock_get(struct proc *p, uint32_t fd, int *err)
{
    struct file *f = fd_get(p, fd);

    *err = !f ? -EBADF : f->type != F_SOCK ? -ENOTSOCK : 0;
    return *err ? NULL : f;
}

/* The address of a socket without a name, to `addr` and its length to `len_at` (which holds the
 * room there): AF_UNIX alone, two bytes, cut to the room as Linux cuts it; 0 or -errno. */
static int no_name(struct proc *p, uint32_t addr, uint32_t len_at)
{
    uint32_t len, family = AF_UNIX, two = 2;

    if (mm_copy_in(p->mm, p->tid, &len, len_at, 4))
        return -EFAULT;
    if ((int32_t)len < 0)
        return -EINVAL;
    if ((len && mm_copy_out(p->mm, p->tid, addr, &family, len < 2 ? len : 2)) ||
        mm_copy_out(p->mm, p->tid, len_at, &two, 4))
        return -EFAULT;
    return 0;
}

/* send(fd, buf, len, flags), sendto(..., dest, destlen), recv and recvfrom(..., src, srclen):
 * a write or read of the stream, MSG_DONTWAIT and MSG_NOSIGNAL for this call only.  A paired
 * socket is connected: a destination is EISCONN; the source it reads from has no name. */
static int send_recv(struct proc *p, uint32_t *r, int write, int addressed)
{
    int err;

    if (!sock_get(p, r[0], &err))
        RET(err);
    if (r[3] & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
        RET(-EOPNOTSUPP);
    if (addressed && write && r[4])
        RET(-EISCONN);
    if (addressed && !write && r[4] && r[5] && (err = no_name(p, r[4], r[5])))
        RET(err);
    p->io_nosignal = !!(r[3] & MSG_NOSIGNAL);
    p->io_nonblock = !!(r[3] & MSG_DONTWAIT);
    return file_rw(p, r, write);
}

int sys_send(struct proc *p, uint32_t *r)
{
    return send_recv(p, r, 1, 0);
}

int sys_sendto(struct proc *p, uint32_t *r)
{
    return send_recv(p, r, 1, 1);
}

int sys_recv(struct proc *p, uint32_t *r)
{
    return send_recv(p, r, 0, 0);
}

int sys_recvfrom(struct proc *p, uint32_t *r)
{
    return send_recv(p, r, 0, 1);
}

/* shutdown(fd, how): SHUT_RD ends the reading side, SHUT_WR the writing one (the peer reads
 * to its end), SHUT_RDWR both. */
int sys_shutdown(struct proc *p, uint32_t *r)
{
    int err;
    struct file *f = sock_get(p, r[0], &err);

    if (!f)
        RET(err);
    if (r[1] > 2)
        RET(-EINVAL);
    if (r[1] != 1 && f->pipe) {
        struct pipe *rx = f->pipe;
        f->pipe = NULL;
        pipe_drop(rx, 1, 0);
    }
    if (r[1] != 0 && f->tx) {
        struct pipe *tx = f->tx;
        f->tx = NULL;
        pipe_drop(tx, 0, 1);
    }
    RET(0);
}

/* getsockname and getpeername(fd, addr, addrlen): a pair's ends have no names (AF_UNIX and no
 * path: two bytes). */
int sys_getsockname(struct proc *p, uint32_t *r)
{
    int err;

    if (!sock_get(p, r[0], &err))
        RET(err);
    RET(no_name(p, r[1], r[2]));
}

/* getsockopt(fd, level, name, value, len): what a socket is (SO_TYPE, SO_DOMAIN), its pending
 * error (SO_ERROR: the peer's reset). */
int sys_getsockopt(struct proc *p, uint32_t *r)
{
    int err;
    uint32_t len, value;
    struct file *f = sock_get(p, r[0], &err);

    if (!f)
        RET(err);
    if (r[1] != SOL_SOCKET)
        RET(-ENOPROTOOPT);
    if (r[2] == SO_TYPE)
        value = SOCK_STREAM;
    else if (r[2] == SO_DOMAIN)
        value = AF_UNIX;
    else if (r[2] == SO_ERROR) {                /* a reset, reported once */
        value = sock_reset(f, 1) ? ECONNRESET : 0;
    }
    else
        RET(-ENOPROTOOPT);
    if (mm_copy_in(p->mm, p->tid, &len, r[4], 4))
        RET(-EFAULT);
    if ((int32_t)len < 0)
        RET(-EINVAL);
    len = len < 4 ? len : 4;
    if (mm_copy_out(p->mm, p->tid, r[3], &value, len) || mm_copy_out(p->mm, p->tid, r[4], &len, 4))
        RET(-EFAULT);
    RET(0);
}

/* A socket call the server has no socket kind for (accept on a pair, options it does not
 * keep): what Linux says of a socket that cannot do it; on a file that is no socket, ENOTSOCK. */
int sys_socket_other(struct proc *p, uint32_t *r)
{
    int err;

    RET(sock_get(p, r[0], &err) ? -EOPNOTSUPP : err);
}
