/*
 * eventfd: a file holding a 64-bit counter.  A write of 8 bytes adds to it (waiting while the sum
 * would pass 2^64 - 2), a read of 8 bytes takes it whole, or one at a time with EFD_SEMAPHORE
 * (waiting while it is 0).  Readable while it is not 0, writable while 1 more fits, as Linux's
 * eventfd_poll says (POLLIN and POLLOUT alone, without RDNORM and WRNORM).  A waiting read or
 * write sleeps in B_READY and is made again when the counter moves (poll_wait_file).
 */
#include "syscalls.h"

#define COUNT_MAX   (~0ull)

struct eventfd {
    uint64_t count;
    uint32_t writes, reads;             /* the counts an edge-triggered epoll item follows */
    uint8_t semaphore;
};

/* eventfd2(initval, flags) */
int sys_eventfd2(struct proc *p, uint32_t *r)
{
    struct eventfd *e;
    struct file *f;
    int fd;

    if (r[1] & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
        RET(-EINVAL);
    e = kmem_alloc(sizeof *e);
    f = e ? file_new(F_EVENTFD) : NULL;
    if (!f) {
        if (e)
            kmem_free(e, sizeof *e);
        RET(-ENOMEM);
    }
    e->count = r[0];
    e->semaphore = r[1] & EFD_SEMAPHORE;
    f->obj = e;
    f->flags = O_RDWR | (r[1] & EFD_NONBLOCK);
    fd = fd_install(p, f, 0, r[1] & EFD_CLOEXEC);
    if (fd < 0)
        file_put(f);
    RET(fd);
}

int sys_eventfd(struct proc *p, uint32_t *r)
{
    r[1] = 0;
    return sys_eventfd2(p, r);
}

void eventfd_poll(struct file *f, struct ready *r)
{
    const struct eventfd *e = f->obj;

    r->mask = (e->count ? POLLIN : 0) | (e->count == COUNT_MAX ? POLLERR : 0) |
              (e->count < COUNT_MAX - 1 ? POLLOUT : 0);
    r->in_seq = e->writes;
    r->out_seq = e->reads;
}

/* A read or write that cannot go now: EAGAIN, or it waits for `events`. */
static int eventfd_wait(struct proc *p, struct file *f, uint32_t *r, uint32_t events)
{
    if (f->flags & O_NONBLOCK)
        RET(-EAGAIN);
    return poll_wait_file(p, f, events);
}

/* read or write (fd, buf, len) of an eventfd: 8 bytes, or waits. */
int eventfd_rw(struct proc *p, struct file *f, uint32_t *r, int write)
{
    struct eventfd *e = f->obj;
    uint64_t v;

    if (r[2] < 8)
        RET(-EINVAL);
    if (write) {
        if (mm_copy_in(p->mm, p->tid, &v, r[1], 8))
            RET(-EFAULT);
        if (v == COUNT_MAX)
            RET(-EINVAL);
        if (COUNT_MAX - e->count <= v)          /* it would not fit: wait for a read */
            return eventfd_wait(p, f, r, POLLOUT);
        e->count += v;
        e->writes++;
    } else {
        if (!e->count)
            return eventfd_wait(p, f, r, POLLIN);
        v = e->semaphore ? 1 : e->count;
        if (mm_copy_out(p->mm, p->tid, r[1], &v, 8))
            RET(-EFAULT);
        e->count -= v;
        e->reads++;
    }
    poll_notify();
    RET(8);
}

void eventfd_free(struct file *f)
{
    kmem_free(f->obj, sizeof(struct eventfd));
}
