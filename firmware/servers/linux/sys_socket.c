/*
 * Sockets: AF_UNIX alone, stream and datagram, as Linux's af_unix behaves.  Every other family
 * is EAFNOSUPPORT, as on a Linux built without it.
 *
 * A socket is a file (F_SOCK) with a `struct sock`.  A connected stream socket reads one pipe
 * and writes another (f->pipe, f->tx), so reading, writing, waiting, poll and the end of a peer
 * are the pipes' (sys_file.c); socketpair makes two of them crossed, and connect makes the pair
 * at once: the client's end is connected, the other waits in the listener's queue until accept
 * takes it (as on Linux, the client may write before that).  A datagram socket keeps a queue of
 * messages, each a kmem header and frames for its bytes, with the sender's name.
 *
 * Names: a path (bind makes a socket inode there, S_IFSOCK; connect finds the socket through
 * it), an abstract name (a leading NUL, no inode), or none.  `bound` lists the sockets with a
 * name; a socket leaves it when its file goes, and its path stays, as on Linux (a new bind
 * there is EADDRINUSE, a connect ECONNREFUSED).
 *
 * A call that must wait (accept, a datagram's recv or send, connect to a full backlog) sleeps
 * in B_READY and is made again when the file it waits on is ready (poll_wait_file).
 */
#include "syscalls.h"

#define SOCK_TYPE_MASK  0xf
#define SOCK_MAX        11
#define SOCK_RAW        3
#define SUN_LEN_MAX     110             /* sizeof(struct sockaddr_un) */
#define SOCK_BUF        212992          /* Linux's default send buffer */
#define MAX_DGRAM_QLEN  10              /* net.unix.max_dgram_qlen */
#define SO_REUSEADDR    2
#define SO_KEEPALIVE    9
#define SO_PASSCRED     16
#define POLL_ROOM       (1u << 16)      /* a waiting connect may look again: the listener has
                                         * room, or is gone (never shown to a process) */
#define MAX_IOV         64              /* a datagram's iovecs (sendmsg, recvmsg) */

/* A socket's name: `len` is the address's length as Linux keeps it (2 + the path with its NUL,
 * or 2 + the abstract name's bytes), 0 for none. */
struct sname {
    uint32_t len;
    char path[SUN_LEN_MAX - 2 + 1];
};

struct dgram {
    struct dgram *next;
    uint32_t len;
    struct sname from;
    uint8_t *page[];                    /* (len + PAGE - 1) / PAGE frames */
};

struct sock {
    struct file *file;                  /* NULL once its file went (a datagram peer's may stay) */
    uint32_t refs;                      /* the file's, and the datagram sockets sending to it */
    uint8_t type, listening, connected;
    uint8_t shut;                       /* datagram: RCV_SHUT, SEND_SHUT */
    uint32_t backlog;
    struct sname name, peer_name;
    struct inode *inode;                /* bound to a path: its inode (a reference) */
    struct sock *next_bound;
    struct sock *queue, *next_conn;     /* listening: connections accept takes, oldest first */
    uint32_t queued, arrivals;
    struct dgram *rx;                   /* datagram: messages, oldest first */
    uint32_t rx_count, rx_bytes, rx_seq, rx_reads;
    struct sock *peer;                  /* datagram: where send goes (a reference) */
    struct sock *connecting;            /* a connect waiting for room in this listener's
                                         * backlog (a reference: it may close meanwhile) */
};

#define RCV_SHUT    1
#define SEND_SHUT   2

struct iov {
    uint32_t base, len;
};

static struct sock *bound;

static void sock_put(struct sock *s)
{
    if (--s->refs == 0)
        kmem_free(s, sizeof *s);
}

/* A socket of `type` in a new file: the file, or NULL. */
static struct file *sock_new(uint32_t type)
{
    struct sock *s = kmem_alloc(sizeof *s);
    struct file *f = s ? file_new(F_SOCK) : NULL;

    if (!f) {
        if (s)
            kmem_free(s, sizeof *s);
        return NULL;
    }
    s->file = f;
    s->refs = 1;
    s->type = (uint8_t)type;
    f->obj = s;
    f->flags = O_RDWR;
    return f;
}

/* The socket descriptor `fd` names: the file (its sock in *s), or NULL with the error in *err. */
static struct file *sock_get(struct proc *p, uint32_t fd, struct sock **s, int *err)
{
    struct file *f = fd_get(p, fd);

    *err = !f ? -EBADF : f->type != F_SOCK ? -ENOTSOCK : 0;
    *s = *err ? NULL : f->obj;
    return *err ? NULL : f;
}

/* Two pipes crossed between `a` and `b`: a writes what b reads and the other way. */
static int sock_join(struct file *a, struct file *b)
{
    struct pipe *ab = pipe_new(), *ba = ab ? pipe_new() : NULL;

    if (!ba) {
        if (ab)
            pipe_free(ab);
        return -ENOMEM;
    }
    a->tx = b->pipe = ab;
    b->tx = a->pipe = ba;
    ab->readers = ab->writers = ba->readers = ba->writers = 1;
    return 0;
}

/* socket(domain, type, protocol) */
int sys_socket(struct proc *p, uint32_t *r)
{
    uint32_t type = r[1] & SOCK_TYPE_MASK, extra = r[1] & ~SOCK_TYPE_MASK;
    struct file *f;
    int fd;

    if (extra & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        RET(-EINVAL);
    if (r[0] != AF_UNIX)
        RET(-EAFNOSUPPORT);
    if (type >= SOCK_MAX)
        RET(-EINVAL);
    if (r[2] && r[2] != AF_UNIX)
        RET(-EPROTONOSUPPORT);
    if (type == SOCK_RAW)
        type = SOCK_DGRAM;                      /* as Linux's unix_create */
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        RET(-ESOCKTNOSUPPORT);                  /* (SOCK_SEQPACKET: not here) */
    f = sock_new(type);
    if (!f)
        RET(-ENFILE);
    f->flags |= extra & SOCK_NONBLOCK;
    fd = fd_install(p, f, 0, extra & SOCK_CLOEXEC);
    if (fd < 0)
        file_put(f);
    RET(fd);
}

/* socketpair(domain, type, protocol, sv): streams are crossed pipes, datagram sockets each
 * other's peer. */
int sys_socketpair(struct proc *p, uint32_t *r)
{
    uint32_t type = r[1] & SOCK_TYPE_MASK, extra = r[1] & ~SOCK_TYPE_MASK;
    struct file *a, *b;
    struct sock *sa, *sb;

    if (r[0] != AF_UNIX)
        RET(-EAFNOSUPPORT);
    if (extra & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        RET(-EINVAL);
    if ((type != SOCK_STREAM && type != SOCK_DGRAM) || (r[2] && r[2] != AF_UNIX))
        RET(-EPROTONOSUPPORT);                  /* seqpacket pairs: not here */
    a = sock_new(type);
    b = a ? sock_new(type) : NULL;
    if (!b || (type == SOCK_STREAM && sock_join(a, b))) {
        file_put(a);
        file_put(b);
        RET(-ENFILE);
    }
    sa = a->obj;
    sb = b->obj;
    sa->connected = sb->connected = 1;
    if (type == SOCK_DGRAM) {
        sa->peer = sb;
        sb->peer = sa;
        sa->refs++;
        sb->refs++;
    }
    a->flags |= extra & SOCK_NONBLOCK;
    b->flags |= extra & SOCK_NONBLOCK;
    RET(fd_install_pair(p, a, b, extra & SOCK_CLOEXEC, r[3]));
}

/* ---- names ------------------------------------------------------------------------------ */

/* A sockaddr_un of `len` bytes at `addr` into `n`, as Linux's unix_validate_addr and
 * unix_mkname_bsd read it (a path ends at its first NUL or the length): 0 or -errno. */
static int get_name(struct proc *p, uint32_t addr, uint32_t len, struct sname *n)
{
    uint8_t buf[SUN_LEN_MAX];

    if (len > 128)
        return -EINVAL;                         /* sizeof(struct sockaddr_storage) */
    if (len && mm_copy_in(p->mm, p->tid, buf, addr, len < sizeof buf ? len : sizeof buf))
        return -EFAULT;
    if (len <= 2 || len > SUN_LEN_MAX || (buf[0] | buf[1] << 8) != AF_UNIX)
        return -EINVAL;
    memset(n, 0, sizeof *n);
    memcpy(n->path, buf + 2, len - 2);
    n->len = n->path[0] ? 2 + strnlen(n->path, len - 2) + 1 : len;
    return 0;
}

/* A name to a process: `addr`, and its length to `len_at`, which holds the room there (cut to
 * it, as Linux's move_addr_to_user cuts it; `n->len` 0 is AF_UNIX alone, `none` nothing). */
static int put_name(struct proc *p, const struct sname *n, uint32_t addr, uint32_t len_at, int none)
{
    uint8_t buf[SUN_LEN_MAX + 1] = { AF_UNIX, 0 };
    uint32_t len, full = n->len ? n->len : none ? 0 : 2;

    if (mm_copy_in(p->mm, p->tid, &len, len_at, 4))
        return -EFAULT;
    if ((int32_t)len < 0)
        return -EINVAL;
    memcpy(buf + 2, n->path, full > 2 ? full - 2 : 0);
    if ((len && full && mm_copy_out(p->mm, p->tid, addr, buf, len < full ? len : full)) ||
        mm_copy_out(p->mm, p->tid, len_at, &full, 4))
        return -EFAULT;
    return 0;
}

/* A path name made absolute against `p`'s directory, into `abs` (MAX_PATH). */
static void name_path(struct proc *p, const struct sname *n, char *abs)
{
    const char *cwd = p->leader->cwd;
    uint32_t at = 0;

    if (n->path[0] != '/') {
        at = strnlen(cwd, MAX_PATH - 2);
        memcpy(abs, cwd, at);
        if (!at || abs[at - 1] != '/')
            abs[at++] = '/';
    }
    memcpy(abs + at, n->path, strnlen(n->path, sizeof n->path) + 1);
}

/* The socket of `type` bound to the abstract name `n`, or NULL: as Linux's, each type has a
 * namespace of its own. */
static struct sock *abstract_find(const struct sname *n, uint32_t type)
{
    struct sock *s = bound;

    while (s && (s->inode || s->type != type || s->name.len != n->len ||
                 memcmp(s->name.path, n->path, n->len - 2)))
        s = s->next_bound;
    return s;
}

/* The socket of `type` a name leads to (with a reference of the caller's, to sock_put): Linux's
 * unix_find_other and its errors. */
static struct sock *sock_find(struct proc *p, const struct sname *n, uint32_t type, int *err)
{
    static char abs[MAX_PATH];
    static struct lookup lk;
    struct sock *s;

    if (!n->path[0]) {
        s = abstract_find(n, type);
        *err = -ECONNREFUSED;
    } else {
        name_path(p, n, abs);
        if ((*err = vfs_lookup(p, abs, LK_FOLLOW, &lk)))
            return NULL;
        if (!lk.ino || lk.in_proc) {
            *err = lk.in_proc ? -ECONNREFUSED : -ENOENT;
            return NULL;
        }
        if ((*err = vfs_permission(p, lk.ino, MAY_WRITE)))
            return NULL;
        for (s = bound; s && s->inode != lk.ino; s = s->next_bound)
            ;
        *err = -ECONNREFUSED;
    }
    if (!s)
        return NULL;
    if (s->type != type) {
        *err = -EPROTOTYPE;
        return NULL;
    }
    *err = 0;
    s->refs++;
    return s;
}

/* bind(fd, addr, len): a path (a new socket inode there, under the umask), an abstract name, or
 * with the family alone, an abstract name of five hex digits (Linux's autobind). */
int sys_bind(struct proc *p, uint32_t *r)
{
    static char abs[MAX_PATH];
    static struct lookup lk;
    static uint32_t autobind;
    struct sname n;
    struct sock *s;
    int err;

    if (!sock_get(p, r[0], &s, &err))
        RET(err);
    if (r[2] == 2) {
        uint16_t family = 0;
        if (mm_copy_in(p->mm, p->tid, &family, r[1], 2))
            RET(-EFAULT);
        if (family != AF_UNIX)
            RET(-EINVAL);
        if (s->name.len)
            RET(-EINVAL);
        memset(&n, 0, sizeof n);
        n.len = 2 + 6;
        do                                      /* the next name nobody has */
            fmt(n.path + 1, 6, "%x", 0x10000 + autobind++ % 0xf0000);
        while (abstract_find(&n, s->type));
    } else if ((err = get_name(p, r[1], r[2], &n))) {
        RET(err);
    }
    if (n.path[0]) {
        name_path(p, &n, abs);
        if ((err = vfs_lookup(p, abs, 0, &lk)))
            RET(err);
        if (lk.ino || lk.in_proc)
            RET(-EADDRINUSE);
        if ((err = vfs_permission(p, lk.dir, MAY_WRITE | MAY_EXEC)))
            RET(err);
        if (s->name.len)
            RET(-EINVAL);
        if ((err = vfs_create(lk.dir, lk.name, S_IFSOCK | (0777 & ~p->leader->umask), &s->inode)))
            RET(err);
        vfs_new_owner(p, lk.dir, s->inode);
        inode_get(s->inode);
    } else {
        if (s->name.len)
            RET(-EINVAL);
        if (abstract_find(&n, s->type))
            RET(-EADDRINUSE);
    }
    s->name = n;
    s->next_bound = bound;
    bound = s;
    RET(0);
}

/* listen(fd, backlog): a bound stream socket takes connections, up to backlog + 1 waiting. */
int sys_listen(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;

    if (!sock_get(p, r[0], &s, &err))
        RET(err);
    if (s->type != SOCK_STREAM)
        RET(-EOPNOTSUPP);
    if (!s->name.len || s->connected)
        RET(-EINVAL);
    s->listening = 1;
    s->backlog = r[1] > SOMAXCONN ? SOMAXCONN : r[1];  /* (a negative one too, as Linux) */
    poll_notify();                              /* (connects waiting for room) */
    RET(0);
}

/* A datagram socket's peer: `to` (a reference given), or none. */
static void set_peer(struct sock *s, struct sock *to)
{
    if (s->peer)
        sock_put(s->peer);
    s->peer = to;
    s->connected = to != NULL;
    if (to)
        s->peer_name = to->name;
}

/* connect(fd, addr, len) */
int sys_connect(struct proc *p, uint32_t *r)
{
    struct sname n;
    struct sock *s, *o, *ns;
    uint16_t family;
    int err;
    struct file *f = sock_get(p, r[0], &s, &err), *nf;

    if (!f)
        RET(err);
    if (s->connecting) {                        /* made again after waiting: looks again */
        sock_put(s->connecting);
        s->connecting = NULL;
    }
    if (s->type == SOCK_DGRAM && r[2] >= 2 && !mm_copy_in(p->mm, p->tid, &family, r[1], 2) &&
        family == AF_UNSPEC) {
        set_peer(s, NULL);                      /* AF_UNSPEC: no peer any more */
        RET(0);
    }
    if ((err = get_name(p, r[1], r[2], &n)))
        RET(err);
    o = sock_find(p, &n, s->type, &err);
    if (!o)
        RET(err);
    if (s->type == SOCK_DGRAM) {
        if (o->peer && o->peer != s) {
            sock_put(o);
            RET(-EPERM);                        /* it takes from its own peer alone */
        }
        set_peer(s, o);
        RET(0);
    }
    sock_put(o);                                /* (a listener stays bound while here) */
    if (!o->listening)
        RET(-ECONNREFUSED);
    if (s->connected || s->listening)
        RET(s->connected ? -EISCONN : -EINVAL);
    if (o->queued > o->backlog) {               /* full: as Linux, wait for an accept */
        if (f->flags & O_NONBLOCK)
            RET(-EAGAIN);
        s->connecting = o;                      /* (sock_poll: room, or the listener gone) */
        o->refs++;
        return poll_wait_file(p, f, POLL_ROOM);
    }
    nf = sock_new(SOCK_STREAM);
    if (!nf || sock_join(f, nf)) {
        file_put(nf);
        RET(-ENOMEM);
    }
    ns = nf->obj;
    ns->connected = s->connected = 1;
    ns->name = o->name;
    ns->peer_name = s->name;
    s->peer_name = o->name;
    struct sock **q = &o->queue;
    while (*q)
        q = &(*q)->next_conn;
    *q = ns;
    o->queued++;
    o->arrivals++;
    poll_notify();
    RET(0);
}

/* accept4(fd, addr, addrlen, flags): the oldest connection, as a new descriptor. */
int sys_accept4(struct proc *p, uint32_t *r)
{
    struct sock *s, *ns;
    struct file *f;
    int err, fd;

    if (r[3] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        RET(-EINVAL);
    f = sock_get(p, r[0], &s, &err);
    if (!f)
        RET(err);
    if (s->type != SOCK_STREAM)
        RET(-EOPNOTSUPP);
    if (!s->listening)
        RET(-EINVAL);
    if (!s->queue) {
        if (f->flags & O_NONBLOCK)
            RET(-EAGAIN);
        return poll_wait_file(p, f, POLLIN);
    }
    ns = s->queue;
    fd = fd_install(p, ns->file, 0, r[3] & SOCK_CLOEXEC);
    if (fd < 0)
        RET(fd);
    s->queue = ns->next_conn;
    s->queued--;
    ns->next_conn = NULL;
    ns->file->flags |= r[3] & SOCK_NONBLOCK;
    poll_notify();                              /* room in the backlog */
    if (r[1] && (err = put_name(p, &ns->peer_name, r[1], r[2], 0))) {
        fd_drop(p, (uint32_t)fd);               /* as Linux: the connection is lost */
        RET(err);
    }
    RET(fd);
}

int sys_accept(struct proc *p, uint32_t *r)
{
    r[3] = 0;
    return sys_accept4(p, r);
}

/* getsockname and getpeername(fd, addr, addrlen) */
int sys_getsockname(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;

    if (!sock_get(p, r[0], &s, &err))
        RET(err);
    RET(put_name(p, &s->name, r[1], r[2], 0));
}

int sys_getpeername(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;

    if (!sock_get(p, r[0], &s, &err))
        RET(err);
    if (!s->connected)
        RET(-ENOTCONN);
    RET(put_name(p, &s->peer_name, r[1], r[2], 0));
}

/* ---- datagrams -------------------------------------------------------------------------- */

static void dgram_free(struct dgram *m)
{
    uint32_t pages = (m->len + PAGE - 1) / PAGE;

    for (uint32_t i = 0; i < pages; i++)
        if (m->page[i])
            frame_put((uint32_t)m->page[i]);
    kmem_free(m, sizeof *m + pages * 4);
}

/* Whether `to` has no room for `len` bytes from `from`: a socket that is not its peer finds at
 * most MAX_DGRAM_QLEN + 1 messages (Linux's unix_recvq_full), and the bytes are SOCK_BUF. */
static int dgram_full(const struct sock *to, const struct sock *from, uint32_t len)
{
    return (to->peer != from && to->rx_count > MAX_DGRAM_QLEN) || to->rx_bytes + len > SOCK_BUF;
}

/* Copy `len` bytes between a message and the iovecs: 0 or -EFAULT. */
static int dgram_copy(struct proc *p, struct dgram *m, const struct iov *iov, uint32_t n, uint32_t len,
                      int in)
{
    uint32_t at = 0;

    for (uint32_t i = 0; i < n && at < len; i++) {
        uint32_t want = iov[i].len < len - at ? iov[i].len : len - at;
        for (uint32_t done = 0; done < want; ) {
            uint32_t off = (at + done) % PAGE, k = PAGE - off < want - done ? PAGE - off : want - done;
            uint8_t *page = m->page[(at + done) / PAGE] + off;
            if (in ? mm_copy_in(p->mm, p->tid, page, iov[i].base + done, k) :
                     mm_copy_out(p->mm, p->tid, iov[i].base + done, page, k))
                return -EFAULT;
            done += k;
        }
        at += want;
    }
    return 0;
}

static uint32_t iov_total(const struct iov *iov, uint32_t n)
{
    uint32_t len = 0;

    for (uint32_t i = 0; i < n; i++)
        len += iov[i].len;
    return len;
}

/* Send the iovecs as one message, to the name at `dest` (`dest_len` bytes) or to the peer: as
 * a handler (1: it waits). */
static int dgram_send(struct proc *p, struct file *f, uint32_t *r, const struct iov *iov, uint32_t n,
                      uint32_t flags, uint32_t dest, uint32_t dest_len)
{
    struct sock *s = f->obj, *o;
    struct sname to;
    struct dgram *m;
    uint32_t len = iov_total(iov, n), pages = (len + PAGE - 1) / PAGE;
    int err;

    if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
        RET(-EOPNOTSUPP);
    if (dest && dest_len && (err = get_name(p, dest, dest_len, &to)))
        RET(err);
    if (len > SOCK_BUF - 32)
        RET(-EMSGSIZE);
    if (dest && dest_len) {
        o = sock_find(p, &to, SOCK_DGRAM, &err);
        if (!o)
            RET(err);
    } else if (!(o = s->peer)) {
        RET(-ENOTCONN);
    } else {
        o->refs++;
    }
    if (!o->file) {                             /* gone: as Linux, the peer is forgotten */
        if (o == s->peer)
            set_peer(s, NULL);
        sock_put(o);
        RET(-ECONNREFUSED);
    }
    sock_put(o);                                /* (alive: its file holds it) */
    if (o->peer && o->peer != s)
        RET(-EPERM);
    if (s->shut & SEND_SHUT || o->shut & RCV_SHUT)
        RET(-EPIPE);
    if (dgram_full(o, s, len)) {
        if (f->flags & O_NONBLOCK || flags & MSG_DONTWAIT || o != s->peer)
            RET(-EAGAIN);                       /* (a full stranger: never waited for) */
        return poll_wait_file(p, f, POLLOUT);
    }
    m = kmem_alloc(sizeof *m + pages * 4);
    if (!m)
        RET(-ENOBUFS);
    m->len = len;
    for (uint32_t i = 0; i < pages; i++) {
        m->page[i] = frames_free() > LOW_MEMORY ? (uint8_t *)frame_alloc() : NULL;
        if (!m->page[i]) {
            dgram_free(m);
            RET(-ENOBUFS);
        }
    }
    if (dgram_copy(p, m, iov, n, len, 1)) {
        dgram_free(m);
        RET(-EFAULT);
    }
    m->from = s->name;
    struct dgram **q = &o->rx;
    while (*q)
        q = &(*q)->next;
    *q = m;
    o->rx_count++;
    o->rx_bytes += len;
    o->rx_seq++;
    poll_notify();
    RET(len);
}

/* Receive the oldest message into the iovecs, its sender's name to `from` and its whole length
 * to `full`: as a handler (1: it waits). */
static int dgram_recv(struct proc *p, struct file *f, uint32_t *r, const struct iov *iov, uint32_t n,
                      uint32_t flags, struct sname *from, uint32_t *full)
{
    struct sock *s = f->obj;
    struct dgram *m = s->rx;
    uint32_t len = iov_total(iov, n);
    int err;

    if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_NOSIGNAL | MSG_CMSG_CLOEXEC | MSG_WAITALL))
        RET(-EOPNOTSUPP);
    if (!m) {
        if (s->shut & RCV_SHUT)
            RET(0);
        if (f->flags & O_NONBLOCK || flags & MSG_DONTWAIT)
            RET(-EAGAIN);
        return poll_wait_file(p, f, POLLIN);
    }
    if (len > m->len)
        len = m->len;
    err = dgram_copy(p, m, iov, n, len, 0);
    *from = m->from;
    *full = m->len;
    if (!(flags & MSG_PEEK)) {
        s->rx = m->next;
        s->rx_count--;
        s->rx_bytes -= m->len;
        s->rx_reads++;
        dgram_free(m);
        poll_notify();                          /* room for a sender */
    }
    RET(err ? err : flags & MSG_TRUNC ? (int)*full : (int)len);
}

/* ---- reading and writing ---------------------------------------------------------------- */

int sock_rw(struct proc *p, struct file *f, uint32_t *r, int write)
{
    struct sock *s = f->obj;
    struct iov iov = { r[1], r[2] };
    struct sname from;
    uint32_t full;

    if (s->type == SOCK_STREAM && s->connected)
        return -1;
    if (s->type == SOCK_STREAM)
        RET(write ? -ENOTCONN : -EINVAL);
    return write ? dgram_send(p, f, r, &iov, 1, 0, 0, 0) : dgram_recv(p, f, r, &iov, 1, 0, &from, &full);
}

int sock_datagram(const struct file *f)
{
    return ((const struct sock *)f->obj)->type == SOCK_DGRAM;
}

int sock_poll(struct file *f, struct ready *r)
{
    struct sock *s = f->obj;

    if (s->type == SOCK_STREAM && s->connected)
        return 0;
    if (s->type == SOCK_STREAM) {               /* as unix_poll: not connected is a hangup */
        const struct sock *o = s->connecting;
        r->mask = (s->queue ? POLLIN | POLLRDNORM : 0) |
                  (s->listening ? 0 : POLLHUP | POLLOUT | POLLWRNORM | POLLWRBAND) |
                  (o && (!o->file || !o->listening || o->queued <= o->backlog) ? POLL_ROOM : 0);
        r->in_seq = s->arrivals;
        return 1;
    }
    r->mask = (s->rx || s->shut & RCV_SHUT ? POLLIN | POLLRDNORM : 0) | (s->shut & RCV_SHUT ? POLLRDHUP : 0) |
              (s->shut == (RCV_SHUT | SEND_SHUT) ? POLLHUP : 0) |
              (!s->peer || !s->peer->file || !dgram_full(s->peer, s, 1) ? POLLOUT | POLLWRNORM | POLLWRBAND : 0);
    r->in_seq = s->rx_seq;
    r->out_seq = s->peer ? s->peer->rx_reads : 0;
    return 1;
}

/* send(fd, buf, len, flags), sendto(..., dest, destlen), recv and recvfrom(..., src, srclen).
 * On a stream, a write or read of the pipes with MSG_DONTWAIT and MSG_NOSIGNAL for this call
 * only; the name of what it reads from is the peer's. */
static int send_recv(struct proc *p, uint32_t *r, int write, int addressed)
{
    struct sock *s;
    struct iov iov = { r[1], r[2] };
    struct sname from;
    uint32_t full;
    int err;
    struct file *f = sock_get(p, r[0], &s, &err);

    if (!f)
        RET(err);
    if (s->type == SOCK_DGRAM && write)
        return dgram_send(p, f, r, &iov, 1, r[3], addressed ? r[4] : 0, addressed ? r[5] : 0);
    if (s->type == SOCK_DGRAM) {
        if (dgram_recv(p, f, r, &iov, 1, r[3], &from, &full))
            return 1;
        if ((int32_t)r[0] >= 0 && addressed && r[4] && r[5] && (err = put_name(p, &from, r[4], r[5], 1)))
            RET(err);
        return 0;
    }
    if (r[3] & ~(MSG_DONTWAIT | MSG_NOSIGNAL))
        RET(-EOPNOTSUPP);
    if (addressed && write && r[4] && r[5])
        RET(s->connected ? -EISCONN : -EOPNOTSUPP);
    if (!s->connected)
        RET(write ? -ENOTCONN : -EINVAL);
    if (addressed && !write && r[4] && r[5] && (err = put_name(p, &s->peer_name, r[4], r[5], 1)))
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

/* struct msghdr, as 32-bit ARM lays it out */
struct msghdr32 {
    uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};

/* sendmsg(fd, msg, flags) and recvmsg: a stream's iovecs as writev and readv move them, a
 * datagram's as one message.  No ancillary data: a sendmsg with a control message is
 * EOPNOTSUPP (descriptors are not passed), and recvmsg receives none. */
static int msg_io(struct proc *p, uint32_t *r, int write)
{
    static struct iov iov[MAX_IOV];
    struct msghdr32 m;
    struct sock *s;
    struct sname from;
    uint32_t full, zero = 0, args[3];
    int err = 0;
    struct file *f = sock_get(p, r[0], &s, &err);

    if (!f)
        RET(err);
    if (mm_copy_in(p->mm, p->tid, &m, r[1], sizeof m))
        RET(-EFAULT);
    if (m.iovlen > 1024)
        RET(-EMSGSIZE);
    if (write && m.controllen >= 12)            /* a cmsghdr: never dropped in silence */
        RET(-EOPNOTSUPP);
    if (s->type == SOCK_STREAM) {
        if (r[2] & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_CMSG_CLOEXEC))
            RET(-EOPNOTSUPP);
        if (write && m.name && m.namelen)
            RET(s->connected ? -EISCONN : -EOPNOTSUPP);
        if (!s->connected)
            RET(write ? -ENOTCONN : -EINVAL);
        if (!write && ((m.name ? put_name(p, &s->peer_name, m.name, r[1] + 4, 1) :
                                 mm_copy_out(p->mm, p->tid, r[1] + 4, &zero, 4)) ||
                       mm_copy_out(p->mm, p->tid, r[1] + 20, &zero, 4) ||
                       mm_copy_out(p->mm, p->tid, r[1] + 24, &zero, 4)))
            RET(-EFAULT);                       /* (the name: the peer's, read before the data) */
        p->io_nosignal = !!(r[2] & MSG_NOSIGNAL);
        p->io_nonblock = !!(r[2] & MSG_DONTWAIT);
        args[0] = r[0];
        args[1] = m.iov;
        args[2] = m.iovlen;
        err = write ? sys_writev(p, args) : sys_readv(p, args);
        r[0] = args[0];
        return err;
    }
    if (m.iovlen > MAX_IOV)
        RET(-EMSGSIZE);
    if (m.iovlen && mm_copy_in(p->mm, p->tid, iov, m.iov, m.iovlen * 8))
        RET(-EFAULT);
    if (write)
        return dgram_send(p, f, r, iov, m.iovlen, r[2], m.name, m.namelen);
    if (dgram_recv(p, f, r, iov, m.iovlen, r[2], &from, &full))
        return 1;
    if ((int32_t)r[0] < 0)
        return 0;
    uint32_t flags = full > iov_total(iov, m.iovlen) ? MSG_TRUNC : 0;
    if ((m.name && (err = put_name(p, &from, m.name, r[1] + 4, 1))) ||
        mm_copy_out(p->mm, p->tid, r[1] + 20, &zero, 4) || mm_copy_out(p->mm, p->tid, r[1] + 24, &flags, 4))
        RET(err ? err : -EFAULT);
    return 0;
}

int sys_sendmsg(struct proc *p, uint32_t *r)
{
    return msg_io(p, r, 1);
}

int sys_recvmsg(struct proc *p, uint32_t *r)
{
    return msg_io(p, r, 0);
}

/* shutdown(fd, how): SHUT_RD ends the reading side, SHUT_WR the writing one (a stream's peer
 * reads to its end), SHUT_RDWR both. */
int sys_shutdown(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;
    struct file *f = sock_get(p, r[0], &s, &err);

    if (!f)
        RET(err);
    if (r[1] > SHUT_RDWR)
        RET(-EINVAL);
    if (s->type == SOCK_DGRAM) {
        s->shut |= (uint8_t)((r[1] + 1) & (RCV_SHUT | SEND_SHUT));
        poll_notify();
        RET(0);
    }
    if (r[1] != SHUT_WR && f->pipe) {
        struct pipe *rx = f->pipe;
        f->pipe = NULL;
        pipe_drop(rx, 1, 0);
    }
    if (r[1] != SHUT_RD && f->tx) {
        struct pipe *tx = f->tx;
        f->tx = NULL;
        pipe_drop(tx, 0, 1);
    }
    RET(0);
}

/* getsockopt(fd, level, name, value, len): what a socket is (SO_TYPE, SO_DOMAIN,
 * SO_ACCEPTCONN), its buffers, its pending error (SO_ERROR: the peer's reset). */
int sys_getsockopt(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;
    uint32_t len, value;
    struct file *f = sock_get(p, r[0], &s, &err);

    if (!f)
        RET(err);
    if (r[1] != SOL_SOCKET)
        RET(-EOPNOTSUPP);                       /* as Linux's unix sockets: no other level */
    switch (r[2]) {
    case SO_TYPE:
        value = s->type;
        break;
    case SO_DOMAIN:
        value = AF_UNIX;
        break;
    case SO_ACCEPTCONN:
        value = s->listening;
        break;
    case SO_SNDBUF:
    case SO_RCVBUF:
        value = SOCK_BUF;
        break;
    case SO_ERROR:                              /* a reset, reported once */
        value = sock_reset(f, 1) ? ECONNRESET : 0;
        break;
    default:
        RET(-ENOPROTOOPT);
    }
    if (mm_copy_in(p->mm, p->tid, &len, r[4], 4))
        RET(-EFAULT);
    if ((int32_t)len < 0)
        RET(-EINVAL);
    len = len < 4 ? len : 4;
    if (mm_copy_out(p->mm, p->tid, r[3], &value, len) || mm_copy_out(p->mm, p->tid, r[4], &len, 4))
        RET(-EFAULT);
    RET(0);
}

/* setsockopt(fd, level, name, value, len): the options a program sets on a local socket and
 * that change nothing here (addresses are never reused late, buffers are fixed). */
int sys_setsockopt(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;

    if (!sock_get(p, r[0], &s, &err))
        RET(err);
    if (r[1] != SOL_SOCKET)
        RET(-EOPNOTSUPP);
    if (r[2] != SO_REUSEADDR && r[2] != SO_SNDBUF && r[2] != SO_RCVBUF && r[2] != SO_KEEPALIVE &&
        r[2] != SO_PASSCRED)
        RET(-ENOPROTOOPT);
    RET((int32_t)r[4] < 4 ? -EINVAL : 0);
}

/* A socket call the server has no socket kind for (recvmmsg, sendmmsg); on a file that is no
 * socket, ENOTSOCK. */
int sys_socket_other(struct proc *p, uint32_t *r)
{
    struct sock *s;
    int err;

    RET(sock_get(p, r[0], &s, &err) ? -EOPNOTSUPP : err);
}

/* The socket's file went: its name is free again (its path stays), connections not accepted
 * are reset (their clients read ECONNRESET, as Linux's), messages go. */
void sock_release(struct file *f)
{
    struct sock *s = f->obj, **q;

    for (q = &bound; *q && *q != s; q = &(*q)->next_bound)
        ;
    if (*q)
        *q = s->next_bound;
    while (s->queue) {
        struct sock *ns = s->queue;
        s->queue = ns->next_conn;
        ns->file->pipe->reset = ns->file->tx->reset = 1;
        file_put(ns->file);
    }
    while (s->rx) {
        struct dgram *m = s->rx;
        s->rx = m->next;
        dgram_free(m);
    }
    if (s->inode)
        inode_put(s->inode);
    s->inode = NULL;
    s->file = NULL;
    if (s->connecting)
        sock_put(s->connecting);
    s->connecting = NULL;
    set_peer(s, NULL);
    sock_put(s);
    poll_notify();                              /* a datagram peer's send may go (and fail) */
}
