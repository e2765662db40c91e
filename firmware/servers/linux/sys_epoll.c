/*
 * epoll: a file holding a set of items, each a (file, descriptor) pair with the events asked
 * for and the caller's 64-bit data.  As on Linux, the items belong to the open file description
 * (dup and fork share them) and an item goes when the last reference of the file it watches
 * goes (file_release), not when one descriptor of it closes.
 *
 * No callbacks: an item's readiness is its file's (file_poll) at the time it is looked at, so
 * epoll_wait sleeps as poll does (sys_poll.c: p->poller, woken by poll_notify).  Level-triggered
 * items report while ready and then go to the end of the list, as Linux puts them back at the
 * end of its ready list; edge-triggered ones report once, then again only when the file's count
 * for that direction moves (struct ready: what Linux would have woken them for); one-shot ones
 * report once and are disabled until EPOLL_CTL_MOD.
 *
 * Invariant: every item's file has `watched` counting the items that watch it.  Callers hold
 * server_lock.
 */
#include "syscalls.h"

#define EP_MAX_NESTS    4                   /* Linux's: epolls within epolls */
#define EP_MAX_EVENTS   (0x7fffffff / 16)
#define EP_FLAGS        (EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET)
#define EP_EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_IN           (EPOLLIN | EPOLLRDNORM | EPOLLRDBAND | EPOLLRDHUP | EPOLLPRI)
#define EP_OUT          (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)

struct epitem {
    struct epitem *next;
    struct file *file;
    uint32_t fd;
    uint32_t events;                    /* asked for, with EPOLLERR and EPOLLHUP, and the flags:
                                         * only the flags once a one-shot item has reported */
    uint64_t data;
    uint32_t in_seq, out_seq;           /* the file's counts when it last reported (EPOLLET) */
    uint8_t fresh;                      /* added or modified since: it reports what it has */
    uint8_t listed;                     /* on what would be Linux's ready list */
};

struct epoll {
    struct epoll *next;                 /* every epoll: a watched file's end looks in each */
    struct epitem *items;               /* in the order they report */
};

static struct epoll *epolls;

/* What `it` reports now (0: nothing), its file's state in `r`. */
static uint32_t item_ready(struct proc *p, const struct epitem *it, struct ready *r, int depth)
{
    uint32_t mask;

    if (!(it->events & ~EP_FLAGS))
        return 0;                       /* a one-shot item that has reported */
    file_poll(p, it->file, r, depth);
    mask = r->mask & it->events & 0xffffu;     /* (not the flags, nor the server's own bits) */
    if (!mask || !(it->events & EPOLLET) || it->fresh)
        return mask;
    if ((it->events & EP_IN && r->in_seq != it->in_seq) || (it->events & EP_OUT && r->out_seq != it->out_seq))
        return mask;
    return 0;
}

/* Move `it` (at *q) to the end of the list. */
static void item_last(struct epitem **q, struct epitem *it)
{
    *q = it->next;
    it->next = NULL;
    while (*q)
        q = &(*q)->next;
    *q = it;
}

/* The items ready now that were not listed go to the end, in the order found: Linux's ready
 * list in the order the events came, as nearly as a look now tells it.  With `write_back`, the
 * listed ones that are no longer ready leave the list, as Linux's ep_send_events drops them. */
static void items_arrived(struct proc *p, struct epoll *ep, int write_back)
{
    struct epitem **q = &ep->items, *it, *arrived = NULL, **tail = &arrived;
    struct ready r;

    while ((it = *q)) {
        uint32_t mask = item_ready(p, it, &r, 1);
        if (mask && !it->listed) {
            *q = it->next;
            it->next = NULL;
            it->listed = 1;
            *tail = it;
            tail = &it->next;
            continue;
        }
        if (!mask && write_back)
            it->listed = 0;
        q = &it->next;
    }
    *q = arrived;
}

int epoll_scan(struct proc *p, struct file *epf, uint32_t addr, uint32_t max, int write_back)
{
    struct epoll *ep = epf->obj;
    struct epitem **q = &ep->items, *it, *again = NULL, **again_tail = &again;
    struct ready r;
    uint32_t n = 0;
    int err = 0;

    items_arrived(p, ep, write_back);
    while ((it = *q) && n < max) {
        uint32_t mask = it->listed ? item_ready(p, it, &r, 1) : 0;
        if (!mask) {
            q = &it->next;
            continue;
        }
        if (write_back) {
            uint32_t ev[4] = { mask, 0, (uint32_t)it->data, (uint32_t)(it->data >> 32) };
            if (mm_copy_out(p->mm, p->tid, addr + n * 16, ev, 16)) {
                err = -EFAULT;
                break;
            }
            it->fresh = 0;
            it->in_seq = r.in_seq;
            it->out_seq = r.out_seq;
            it->listed = !(it->events & (EPOLLONESHOT | EPOLLET));
            if (it->events & EPOLLONESHOT) {
                it->events &= EP_FLAGS;
            } else if (!(it->events & EPOLLET)) {
                *q = it->next;          /* level-triggered: to the end, behind the others */
                it->next = NULL;
                *again_tail = it;
                again_tail = &it->next;
                n++;
                continue;
            }
        }
        n++;
        q = &it->next;
    }
    while (*q)
        q = &(*q)->next;
    *q = again;
    return n ? (int)n : err;
}

void epoll_poll(struct proc *p, struct file *epf, struct ready *r, int depth)
{
    struct epoll *ep = epf->obj;
    struct ready ir;

    *r = (struct ready){ 0, 0, 0 };
    if (depth > EP_MAX_NESTS)
        return;
    for (struct epitem *it = ep->items; it; it = it->next) {
        if (item_ready(p, it, &ir, depth + 1))
            r->mask = POLLIN | POLLRDNORM;
        r->in_seq += ir.in_seq + ir.out_seq;
    }
}

static int epoll_new(struct proc *p, uint32_t flags)
{
    struct epoll *ep = kmem_alloc(sizeof *ep);
    struct file *f = ep ? file_new(F_EPOLL) : NULL;
    int fd;

    if (!f) {
        if (ep)
            kmem_free(ep, sizeof *ep);
        return -ENOMEM;
    }
    f->obj = ep;
    f->flags = O_RDWR;
    ep->next = epolls;
    epolls = ep;
    fd = fd_install(p, f, 0, flags & EPOLL_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

int sys_epoll_create(struct proc *p, uint32_t *r)
{
    RET((int32_t)r[0] <= 0 ? -EINVAL : epoll_new(p, 0));
}

int sys_epoll_create1(struct proc *p, uint32_t *r)
{
    RET(r[0] & ~EPOLL_CLOEXEC ? -EINVAL : epoll_new(p, r[0]));
}

/* Whether an item for `f` may be made: Linux's file_can_poll.  Files and directories of the
 * tree, /proc's and the memory devices have no poll (the random device's is /dev/random's). */
static int pollable(const struct file *f)
{
    switch (f->type) {
    case F_REG: case F_DIR: case F_PROC: case F_NULL: case F_ZERO: case F_FULL:
        return 0;
    case F_RANDOM:
        return f->inode && (f->inode->rdev & 0xff) == 8;
    default:
        return 1;
    }
}

/* Whether `from`, or an epoll it watches `depth` levels down, watches `to` or goes too deep. */
static int reaches(const struct epoll *from, const struct epoll *to, int depth)
{
    for (const struct epitem *it = from->items; it; it = it->next) {
        if (it->file->type != F_EPOLL)
            continue;
        if (it->file->obj == to || depth >= EP_MAX_NESTS || reaches(it->file->obj, to, depth + 1))
            return 1;
    }
    return 0;
}

static void item_free(struct epitem *it)
{
    it->file->watched--;
    kmem_free(it, sizeof *it);
}

/* epoll_ctl(epfd, op, fd, event): Linux's checks in Linux's order. */
int sys_epoll_ctl(struct proc *p, uint32_t *r)
{
    struct file *epf, *tf;
    struct epoll *ep;
    struct epitem **q, *it;
    struct ready now;
    uint32_t ev[4] = { 0 }, op = r[1];

    if (op != EPOLL_CTL_DEL && mm_copy_in(p->mm, p->tid, ev, r[3], 16))
        RET(-EFAULT);
    epf = fd_get(p, r[0]);
    tf = fd_get(p, r[2]);
    if (!epf || !tf)
        RET(-EBADF);
    if (!pollable(tf))
        RET(-EPERM);
    if (epf == tf || epf->type != F_EPOLL)
        RET(-EINVAL);
    if (op != EPOLL_CTL_DEL && ev[0] & EPOLLEXCLUSIVE &&
        (op == EPOLL_CTL_MOD || (op == EPOLL_CTL_ADD && (tf->type == F_EPOLL || ev[0] & ~EP_EXCLUSIVE_OK))))
        RET(-EINVAL);
    ep = epf->obj;
    if (op == EPOLL_CTL_ADD && tf->type == F_EPOLL && (tf->obj == ep || reaches(tf->obj, ep, 1)))
        RET(-ELOOP);
    for (q = &ep->items; *q && ((*q)->file != tf || (*q)->fd != r[2]); q = &(*q)->next)
        ;
    it = *q;
    switch (op) {
    case EPOLL_CTL_ADD:
        if (it)
            RET(-EEXIST);
        it = kmem_alloc(sizeof *it);
        if (!it)
            RET(-ENOMEM);
        *q = it;                        /* the last */
        it->file = tf;
        it->fd = r[2];
        tf->watched++;
        break;
    case EPOLL_CTL_DEL:
        if (!it)
            RET(-ENOENT);
        *q = it->next;
        item_free(it);
        RET(0);
    case EPOLL_CTL_MOD:
        if (!it)
            RET(-ENOENT);
        if (it->events & EPOLLEXCLUSIVE)
            RET(0);                     /* Linux leaves such an item as it is */
        break;
    default:
        RET(-EINVAL);
    }
    it->events = ev[0] | EPOLLERR | EPOLLHUP;
    it->data = ev[2] | (uint64_t)ev[3] << 32;
    it->fresh = 1;
    file_poll(p, tf, &now, 1);
    it->in_seq = now.in_seq;
    it->out_seq = now.out_seq;
    if (!it->listed && item_ready(p, it, &now, 1)) {
        item_last(q, it);           /* ready now: it joins the ready list's end */
        it->listed = 1;
    }
    poll_notify();                      /* a thread in epoll_wait may have something now */
    RET(0);
}

/* epoll_wait and its kin: `wake` as poll's, the signal mask at `mask_addr` while it waits. */
static int epoll_wait(struct proc *p, uint32_t *r, uint64_t wake, uint32_t mask_addr)
{
    struct file *f;

    if ((int32_t)r[2] <= 0 || r[2] > EP_MAX_EVENTS)
        RET(-EINVAL);
    f = fd_get(p, r[0]);
    if (!f)
        RET(-EBADF);
    if (f->type != F_EPOLL)
        RET(-EINVAL);
    p->poller = (struct poller){ .file = f, .addr = r[1], .n = r[2] };
    return poll_wait_or_answer(p, r, wake, mask_addr);
}

static uint64_t wake_ms(int32_t ms)
{
    return ms < 0 ? ~0ull : ms == 0 ? 0 : now_us() + (uint64_t)ms * 1000;
}

/* epoll_wait(epfd, events, maxevents, timeout in ms) */
int sys_epoll_wait(struct proc *p, uint32_t *r)
{
    return epoll_wait(p, r, wake_ms((int32_t)r[3]), 0);
}

/* epoll_pwait(..., timeout, sigmask, sigsetsize) */
int sys_epoll_pwait(struct proc *p, uint32_t *r)
{
    if (r[4] && r[5] != 8)
        RET(-EINVAL);
    return epoll_wait(p, r, wake_ms((int32_t)r[3]), r[4]);
}

/* epoll_pwait2(..., struct __kernel_timespec *timeout, sigmask, sigsetsize) */
int sys_epoll_pwait2(struct proc *p, uint32_t *r)
{
    uint64_t wake;
    int err = poll_deadline(p, r[3], 1, &wake);

    if (err)
        RET(err);
    if (r[4] && r[5] != 8)
        RET(-EINVAL);
    return epoll_wait(p, r, wake, r[4]);
}

/* ---- the end of a file with an object, or watched --------------------------------------- */

static void epoll_free(struct file *f)
{
    struct epoll *ep = f->obj, **q;

    for (q = &epolls; *q != ep; q = &(*q)->next)
        ;
    *q = ep->next;
    while (ep->items) {
        struct epitem *it = ep->items;
        ep->items = it->next;
        item_free(it);
    }
    kmem_free(ep, sizeof *ep);
}

void file_release(struct file *f)
{
    for (struct epoll *ep = epolls; ep && f->watched; ep = ep->next) {
        for (struct epitem **q = &ep->items, *it; (it = *q); ) {
            if (it->file != f) {
                q = &it->next;
                continue;
            }
            *q = it->next;
            item_free(it);
        }
    }
    if (f->type == F_EPOLL)
        epoll_free(f);
    else if (f->type == F_EVENTFD)
        eventfd_free(f);
    else if (f->type == F_SOCK && f->obj)
        sock_release(f);
}
