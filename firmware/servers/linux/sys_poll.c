/*
 * Waiting on many descriptors: poll, ppoll, select and pselect6 (and epoll_wait, whose scan is
 * sys_epoll.c's).  A call scans its descriptors;
 * when none is ready and it may wait, the process sleeps (proc_sleep: its timeout, or none) with
 * what it waits on noted in `p->poller`.  Whatever may make a descriptor ready — data or a close
 * on a pipe, console input — calls poll_notify, which scans the sleeping pollers again and
 * answers those with something ready; the timeout answers 0; a signal ends the call with EINTR.
 * A call that waits for one file (accept, an eventfd's read) sleeps the same way in B_READY, and
 * is made again once the file is ready (poll_wait_file).
 */
#include "syscalls.h"

#define CHUNK       64                  /* pollfd entries scanned at a time */

/* Pollers asleep: most pipe operations find none and poll_notify returns at once. */
static uint32_t sleeping;

static void poller_sleeps(struct proc *p)
{
    p->poller.active = 1;
    sleeping++;
}

void poll_forget(struct proc *p)
{
    struct file *f = p->poller.file;

    if (p->poller.active) {
        p->poller.active = 0;
        p->poller.file = NULL;
        sleeping--;
        file_put(f);                    /* (may free it: nothing of it is touched after) */
    }
}

int poll_wait_file(struct proc *p, struct file *f, uint32_t events)
{
    p->poller = (struct poller){ .file = f, .sets = { events } };
    f->refs++;
    poller_sleeps(p);
    p->state = P_BLOCKED;
    p->blocked = B_READY;
    return 1;
}
#define MAX_NFDS    1024                /* select's FD_SETSIZE, RLIMIT_NOFILE's soft limit */

/* A pipe's counts: bytes in or out, and the ends that went (a close wakes both ways). */
static void pipe_ready(const struct pipe *pp, struct ready *r)
{
    uint32_t ends = (uint32_t)(pp->readers + pp->writers) * 0x9e3779b9u;

    r->in_seq += pp->head + ends;
    r->out_seq += pp->tail + ends;
}

void file_poll(struct proc *p, struct file *f, struct ready *r, int depth)
{
    *r = (struct ready){ 0, 0, 0 };
    switch (f->type) {
    case F_PIPE_READ:
        r->mask = (f->pipe->head != f->pipe->tail ? POLLIN | POLLRDNORM : 0) | (f->pipe->writers ? 0 : POLLHUP);
        pipe_ready(f->pipe, r);
        r->out_seq = 0;                 /* a read end is woken for input only */
        break;
    case F_PIPE_WRITE:
        r->mask = (f->pipe->head - f->pipe->tail < PIPE_SIZE ? POLLOUT | POLLWRNORM : 0) |
                  (f->pipe->readers ? 0 : POLLERR);
        pipe_ready(f->pipe, r);
        r->in_seq = 0;
        break;
    case F_SOCK: {                      /* as Linux's unix_poll: the peer gone is both ends */
        struct pipe *rx = f->pipe, *tx = f->tx;
        if (f->obj && sock_poll(f, r))
            break;                      /* not a connected stream (sys_socket.c) */
        int rd_end = !rx || !rx->writers, wr_end = !tx || !tx->readers;
        r->mask = (rd_end || rx->head != rx->tail ? POLLIN | POLLRDNORM : 0) | (rd_end ? POLLRDHUP : 0) |
                  (tx && tx->head - tx->tail < PIPE_SIZE ? POLLOUT | POLLWRNORM | POLLWRBAND : 0) |
                  (rd_end && wr_end ? POLLHUP : 0) | (sock_reset(f, 0) ? POLLERR : 0);
        if (rx)
            pipe_ready(rx, r);
        if (tx)
            pipe_ready(tx, r);
        break;
    }
    case F_CONSOLE:                     /* hung up: everything, as a hung-up tty says */
        r->mask = console_hung_up(p) ? POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLERR | POLLHUP :
                  POLLOUT | POLLWRNORM | (console_readable() ? POLLIN | POLLRDNORM : 0);
        r->in_seq = console_input_seq;
        break;
    case F_EVENTFD:
        eventfd_poll(f, r);
        break;
    case F_EPOLL:
        epoll_poll(p, f, r, depth);
        break;
    default:                            /* files and devices never make a reader wait */
        r->mask = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
        break;
    }
}

/* What descriptor `fd` of `p` has of `events` (and of POLLERR, POLLHUP, POLLNVAL, always). */
static uint16_t revents(struct proc *p, int32_t fd, uint16_t events)
{
    struct file *f;
    struct ready r;

    if (fd < 0)
        return 0;
    f = fd_get(p, (uint32_t)fd);
    if (!f)
        return POLLNVAL;
    file_poll(p, f, &r, 0);
    return (uint16_t)(r.mask & (events | POLLERR | POLLHUP | POLLNVAL));
}

/* poll: fill the revents of the `n` pollfds at `addr`; how many have any, or -EFAULT. */
static int scan_poll(struct proc *p, uint32_t addr, uint32_t n, int write_back)
{
    uint32_t entries[CHUNK * 2];
    int ready = 0;

    for (uint32_t at = 0; at < n; at += CHUNK) {
        uint32_t k = n - at < CHUNK ? n - at : CHUNK;
        if (mm_copy_in(p->mm, p->tid, entries, addr + at * 8, k * 8))
            return -EFAULT;
        for (uint32_t i = 0; i < k; i++) {
            uint16_t got = revents(p, (int32_t)entries[i * 2], (uint16_t)entries[i * 2 + 1]);
            entries[i * 2 + 1] = (entries[i * 2 + 1] & 0xffffu) | (uint32_t)got << 16;
            ready += got != 0;
        }
        if (write_back && mm_copy_out(p->mm, p->tid, addr + at * 8, entries, k * 8))
            return -EFAULT;
    }
    return ready;
}

/* select: the three sets (addresses, 0 for none) of descriptors below `nfds`; with `write_back`
 * each set keeps only its ready descriptors.  The count of bits set, -EBADF, or -EFAULT. */
static int scan_select(struct proc *p, uint32_t nfds, const uint32_t sets[3], int write_back)
{
    static const uint16_t wants[3] = { POLLIN | POLLHUP | POLLERR, POLLOUT | POLLERR, POLLPRI };
    uint32_t in[3][MAX_NFDS / 32], bytes = (nfds + 31) / 32 * 4;
    int ready = 0;

    for (unsigned s = 0; s < 3; s++)
        if (sets[s] && mm_copy_in(p->mm, p->tid, in[s], sets[s], bytes))
            return -EFAULT;
    for (uint32_t fd = 0; fd < nfds; fd++) {
        for (unsigned s = 0; s < 3; s++) {
            uint32_t bit = 1u << fd % 32;
            if (!sets[s] || !(in[s][fd / 32] & bit))
                continue;
            uint16_t got = revents(p, (int32_t)fd, wants[s]);
            if (got & POLLNVAL)
                return -EBADF;
            if (got & wants[s])
                ready++;
            else
                in[s][fd / 32] &= ~bit;
        }
    }
    for (unsigned s = 0; s < 3 && write_back; s++)
        if (sets[s] && mm_copy_out(p->mm, p->tid, sets[s], in[s], bytes))
            return -EFAULT;
    return ready;
}

static int scan(struct proc *p, int write_back)
{
    struct poller *w = &p->poller;
    struct ready r;

    if (w->file && w->file->type == F_EPOLL)
        return epoll_scan(p, w->file, w->addr, w->n, write_back);
    if (w->file) {                      /* B_READY */
        file_poll(p, w->file, &r, 0);
        return (r.mask & w->sets[0]) != 0;
    }
    return w->select ? scan_select(p, w->n, w->sets, write_back) : scan_poll(p, w->addr, w->n, write_back);
}

/* The call ends with `result`: the signal mask a ppoll or pselect6 set goes back. */
static void finish(struct proc *p, int result)
{
    if (p->poller.masked) {
        p->sig_blocked = p->sig_saved_mask;
        p->sig_suspended = 0;
    }
    poll_forget(p);
    proc_resume(p, (uint32_t)result);
}

/* Scan now; answer at once, or sleep until `wake_us` (0: never wait; ~0: no timeout). */
int poll_wait_or_answer(struct proc *p, uint32_t *r, uint64_t wake_us, uint32_t mask_addr)
{
    int ready = scan(p, 0);
    uint32_t mask[2];

    if (ready != 0 || wake_us == 0) {
        if (ready >= 0)
            ready = scan(p, 1);
        RET(ready);
    }
    if (mask_addr) {                    /* the mask in force while it waits, as sigsuspend */
        if (mm_copy_in(p->mm, p->tid, mask, mask_addr, 8))
            RET(-EFAULT);
        p->sig_saved_mask = p->sig_blocked;
        p->sig_suspended = 1;
        p->sig_blocked = mask[0] & ~(1u << (SIGKILL - 1) | 1u << (SIGSTOP - 1));
        signal_drop_ignored(p);
        p->poller.masked = 1;
        if (p->sig_pending & ~p->sig_blocked) {
            if (p->poller.file)
                p->poller.file->refs++;     /* (finish lets it go) */
            poller_sleeps(p);
            finish(p, -EINTR);          /* one is waiting already: taken on the way out */
            return 1;
        }
    }
    if (p->poller.file)
        p->poller.file->refs++;         /* epoll_wait's epoll stays while it waits */
    poller_sleeps(p);
    proc_sleep(p, wake_us);
    return 1;
}

/* A timeout in ms (poll), a timespec (32- or 64-bit seconds) or a timeval, as the time to wake:
 * ~0 for none (a negative ms or a NULL pointer), 0 for "do not wait". */
int poll_deadline(struct proc *p, uint32_t addr, int wide, uint64_t *wake)
{
    uint32_t t[4];

    if (!addr) {
        *wake = ~0ull;
        return 0;
    }
    if (mm_copy_in(p->mm, p->tid, t, addr, wide ? 16 : 8))
        return -EFAULT;
    uint64_t sec = wide ? t[0] | (uint64_t)t[1] << 32 : (uint64_t)(int64_t)(int32_t)t[0];
    uint32_t nsec = wide ? t[2] : t[1];
    if ((int64_t)sec < 0 || nsec >= 1000000000u)
        return -EINVAL;
    *wake = sec == 0 && nsec == 0 ? 0 : now_us() + sec * 1000000 + (nsec + 999) / 1000;
    return 0;
}

static int do_poll(struct proc *p, uint32_t *r, uint64_t wake, uint32_t mask_addr)
{
    if (r[1] > MAX_NFDS)
        RET(-EINVAL);
    p->poller = (struct poller){ .addr = r[0], .n = r[1] };
    return poll_wait_or_answer(p, r, wake, mask_addr);
}

int sys_poll(struct proc *p, uint32_t *r)
{
    int32_t ms = (int32_t)r[2];

    return do_poll(p, r, ms < 0 ? ~0ull : ms == 0 ? 0 : now_us() + (uint64_t)ms * 1000, 0);
}

/* ppoll(fds, n, timespec, sigmask, sigsetsize), and its 64-bit-time twin */
static int ppoll(struct proc *p, uint32_t *r, int wide)
{
    uint64_t wake;
    int err = poll_deadline(p, r[2], wide, &wake);

    if (err)
        RET(err);
    if (r[3] && r[4] != 8)
        RET(-EINVAL);
    return do_poll(p, r, wake, r[3]);
}

int sys_ppoll(struct proc *p, uint32_t *r)        { return ppoll(p, r, 0); }
int sys_ppoll_time64(struct proc *p, uint32_t *r) { return ppoll(p, r, 1); }

static int do_select(struct proc *p, uint32_t *r, uint64_t wake, uint32_t mask_addr)
{
    if ((int32_t)r[0] < 0 || r[0] > MAX_NFDS)
        RET(-EINVAL);
    p->poller = (struct poller){ .select = 1, .n = r[0], .sets = { r[1], r[2], r[3] } };
    return poll_wait_or_answer(p, r, wake, mask_addr);
}

/* select(n, in, out, except, timeval) */
int sys__newselect(struct proc *p, uint32_t *r)
{
    uint32_t tv[2];
    uint64_t wake = ~0ull;

    if (r[4]) {
        if (mm_copy_in(p->mm, p->tid, tv, r[4], 8))
            RET(-EFAULT);
        if ((int32_t)tv[0] < 0 || tv[1] >= 1000000u)
            RET(-EINVAL);
        wake = tv[0] == 0 && tv[1] == 0 ? 0 : now_us() + (uint64_t)tv[0] * 1000000 + tv[1];
    }
    return do_select(p, r, wake, 0);
}

/* pselect6(n, in, out, except, timespec, {sigmask, size}) */
static int pselect6(struct proc *p, uint32_t *r, int wide)
{
    uint32_t sig[2] = { 0, 0 };
    uint64_t wake;
    int err = poll_deadline(p, r[4], wide, &wake);

    if (!err && r[5] && mm_copy_in(p->mm, p->tid, sig, r[5], 8))
        err = -EFAULT;
    if (!err && sig[0] && sig[1] != 8)
        err = -EINVAL;
    if (err)
        RET(err);
    return do_select(p, r, wake, sig[0]);
}

int sys_pselect6(struct proc *p, uint32_t *r)        { return pselect6(p, r, 0); }
int sys_pselect6_time64(struct proc *p, uint32_t *r) { return pselect6(p, r, 1); }

void poll_notify(void)
{
    for (unsigned i = 0; i < MAX_PROCS && sleeping; i++) {
        struct proc *p = &procs[i];
        if (p->state != P_BLOCKED || (p->blocked != B_SLEEP && p->blocked != B_READY) ||
            !p->poller.active)
            continue;
        int ready = scan(p, 0);
        if (ready != 0 && p->blocked == B_READY) {
            proc_unblock(p);            /* the call again, as a signal's SA_RESTART makes it */
            call_again(p);
            if (p->stopped) {           /* once it is continued (its registers wait) */
                p->blocked = B_STOPPED;
                continue;
            }
            p->state = P_RUNNING;
            if (!signal_deliver(p))
                proc_reply(p);
        } else if (ready != 0) {
            finish(p, ready > 0 ? scan(p, 1) : ready);
        }
    }
}

void poll_timeout(struct proc *p)
{
    int ready = scan(p, 1);

    finish(p, ready);
}
