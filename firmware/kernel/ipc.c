/* IPC (see ipc.h). */
#include "ipc.h"
#include "irq.h"
#include "mapdb.h"
#include "sched.h"
#include "space.h"
#include "trace.h"

const uint8_t ipc_mr_reg[L4_MR_IN_REGISTERS] = { 3, 4, 5, 6, 8, 9, 10, 11 };

/* ---- send queues ---------------------------------------------------------------------- */

static void sendq_append(struct thread *dest, struct thread *t)
{
    t->sq_next = NULL;
    t->sq_prev = dest->sendq_tail;
    if (dest->sendq_tail)
        dest->sendq_tail->sq_next = t;
    else
        dest->sendq_head = t;
    dest->sendq_tail = t;
}

void ipc_sendq_remove(struct thread *t)
{
    struct thread *dest = thread_lookup(t->partner);

    if (!dest)
        return;
    if (t->sq_prev)
        t->sq_prev->sq_next = t->sq_next;
    else
        dest->sendq_head = t->sq_next;
    if (t->sq_next)
        t->sq_next->sq_prev = t->sq_prev;
    else
        dest->sendq_tail = t->sq_prev;
    t->sq_next = t->sq_prev = NULL;
}

/* ---- message transfer ----------------------------------------------------------------- */

/* Collect the message `s` sends into mr[0..]; returns the number of words. */
static unsigned collect(struct thread *s, uint32_t *mr)
{
    unsigned n;

    switch (s->ipc_kind) {
    case IPC_PAGEFAULT:
        mr[0] = L4_TAG(L4_LABEL_PAGEFAULT | s->fault_rwx, 2, 0);
        mr[1] = s->fault_addr;
        mr[2] = s->ctx.pc;
        return 3;
    case IPC_EXCEPTION:
        mr[0] = L4_TAG(s->exc_kind == L4_EXC_SVC ? L4_LABEL_SYSCALL : L4_LABEL_EXCEPTION,
                       L4_EXC_WORDS, 0);
        ipc_exception_words(s, mr, L4_EXC_R0);
        return L4_EXC_WORDS + 1;
    default:
        mr[0] = s->ctx.r[3];
        n = 1 + L4_TAG_UNTYPED(mr[0]) + L4_TAG_TYPED(mr[0]);
        if (n > L4_MR_COUNT)
            n = L4_MR_COUNT;
        for (unsigned i = 1; i < n; i++)
            mr[i] = i < L4_MR_IN_REGISTERS ? s->ctx.r[ipc_mr_reg[i]] : s->utcb->mr[i];
        return n;
    }
}

/* The most pages one message maps or grants: a bounded step, with interrupts masked.  Items
 * past it are cut (sigma0 hands out at most this much at a time). */
#define IPC_MAP_PAGES   16u

/* Map or grant the pages of one typed item from `src` into `dst` through window `window`, at
 * most *budget of them (what is used is taken off). */
static void transfer_item(struct space *src, struct space *dst, uint32_t w0, uint32_t fpage,
                          uint32_t window, unsigned *budget)
{
    unsigned s = L4_FPAGE_LOG2(fpage), w = L4_FPAGE_LOG2(window);
    uint64_t src_base = L4_FPAGE_BASE(fpage), dst_base = L4_FPAGE_BASE(window), size;
    uint32_t hot = w0 & ~0xfffu;

    if (s < 12 || s > 32 || w < 12 || w > 32 || window == L4_NILPAGE)
        return;
    if (w >= s) {
        size = 1ull << s;
        dst_base += hot & (uint32_t)((1ull << w) - 1) & ~(uint32_t)(size - 1);
    } else {
        size = 1ull << w;
        src_base += hot & (uint32_t)((1ull << s) - 1) & ~(uint32_t)(size - 1);
    }
    for (uint64_t off = 0; off < size; off += L4_PAGE_SIZE) {
        /* skip the megabytes the sender has nothing in (sigma0's are filled on demand) */
        if (!src->idempotent) {
            uint64_t next = space_next_candidate(src, src_base + off, src_base + size);
            off = next - src_base;
            if (off >= size)
                break;
        }
        uint32_t sv = (uint32_t)(src_base + off), dv = (uint32_t)(dst_base + off);
        if (src_base + off >= L4_USER_TOP || !space_user_address(sv) || !space_user_address(dv))
            break;
        struct page_info info;
        if (src->idempotent && space_lookup(src, sv, &info))
            space_fault_idempotent(src, sv);
        if (*budget == 0)
            break;
        --*budget;
        mapdb_map(src, sv, dst, dv, L4_FPAGE_RIGHTS(fpage), L4_ITEM_TYPE(w0) == L4_ITEM_GRANT);
    }
}

/* The page `t` faulted on is mapped now, with the access it wanted. */
static int fault_resolved(struct thread *t)
{
    struct page_info info;

    return space_lookup(t->space, t->fault_addr & ~0xfffu, &info) == 0 &&
           (info.rights & t->fault_rwx) == t->fault_rwx;
}

/*
 * Transfer the message of `s` (in its send phase) to `r` (waiting in its receive phase) and
 * finish `r`'s IPC: READY with the message, or, for the reply to an exception that asks for
 * it, stopped.
 */
static void transfer(struct thread *s, struct thread *r)
{
    uint32_t mr[L4_MR_COUNT];
    unsigned n = collect(s, mr), untyped = L4_TAG_UNTYPED(mr[0]);

    kernel.stats.ipc_slow++;
    TRACE_IPC(s, r, mr[0]);
    sched_timeout_cancel(r);
    r->served = s->id;

    /* typed items: pairs after the untyped words */
    if (L4_TAG_TYPED(mr[0]) && s->ipc_kind == IPC_NORMAL) {
        uint32_t window = r->ipc_kind == IPC_PAGEFAULT ? L4_COMPLETE : r->utcb->br[0];
        unsigned budget = IPC_MAP_PAGES;
        for (unsigned i = 1 + untyped; i + 1 < n; i += 2)
            if ((mr[i] & 0x8u) == 0x8u)
                transfer_item(s->space, r->space, mr[i], mr[i + 1], window, &budget);
    }

    switch (r->ipc_kind) {
    case IPC_PAGEFAULT:
        /* retry the faulting instruction.  A pager that refuses turns it into an exception;
         * so does one that sent mappings of which none is the page with the access wanted
         * (the domain's kernel memory ran out for its table, or the pager holds no such page):
         * the thread would fault again for ever */
        r->pager_refused = L4_TAG_LABEL(mr[0]) == L4_LABEL_STOP ? REFUSED_STOP
                         : L4_TAG_TYPED(mr[0]) && !fault_resolved(r) ? REFUSED_NO_MAP : REFUSED_NONE;
        break;
    case IPC_EXCEPTION:
        if (L4_TAG_LABEL(mr[0]) == L4_LABEL_STOP) {
            r->ipc_kind = IPC_NORMAL;
            r->state = TS_INACTIVE;
            r->stop_reason = r->exc_kind;
            return;
        }
        /* the registers the reply carries, in message order: r0 alone answers a system call */
        for (unsigned i = 0; i < 13 && i < untyped; i++)
            r->ctx.r[i] = mr[L4_EXC_R0 + i];
        if (untyped >= L4_EXC_SP)
            r->ctx.sp = mr[L4_EXC_SP];
        if (untyped >= L4_EXC_LR)
            r->ctx.lr = mr[L4_EXC_LR];
        if (untyped >= L4_EXC_PC)
            r->ctx.pc = mr[L4_EXC_PC];
        if (untyped >= L4_EXC_CPSR)
            r->ctx.cpsr = thread_user_cpsr(mr[L4_EXC_CPSR]);
        break;
    default:
        r->ctx.r[0] = r->partner != L4_ANYTHREAD && r->partner != s->id ? r->partner : s->id;
        for (unsigned i = 0; i < n; i++) {
            if (i < L4_MR_IN_REGISTERS)
                r->ctx.r[ipc_mr_reg[i]] = mr[i];
            else
                r->utcb->mr[i] = mr[i];
        }
        r->ctx.r[1] = L4_OK;
        break;
    }
    r->ipc_kind = IPC_NORMAL;
    r->state = TS_READY;
    if (r != kernel.current)                       /* (the current thread keeps the CPU, in no queue) */
        sched_wake(r);
}

/* ---- the phases ----------------------------------------------------------------------- */

/* The IPC result for `t`: its r1, unless the kernel sends on its behalf (a fault or an
 * exception), whose registers must come back untouched. */
static inline void set_result(struct thread *t, uint32_t error)
{
    if (t->ipc_kind == IPC_NORMAL)
        t->ctx.r[1] = error;
}

static inline int waits_for(const struct thread *r, const struct thread *s)
{
    return r->state == TS_RECV && (r->partner == L4_ANYTHREAD || r->partner == s->id);
}

/* `s` sends with the propagate flag and `r` waits for another thread of the sender's space. */
static int propagated(const struct thread *r, const struct thread *s)
{
    const struct thread *v;

    if (s->ipc_kind != IPC_NORMAL || !(s->ctx.r[3] & L4_TAG_PROPAGATE) || r->state != TS_RECV)
        return 0;
    v = thread_lookup(r->partner);
    return v && v->space == s->space;
}

/* Whether `s` may send to `r`: its domain reaches r's, or r waits for s itself (a reply; a
 * propagated one included), or the kernel sends for s (a fault or an exception, to the pager or
 * handler a checked ThreadControl named). */
static inline int may_send(const struct thread *s, const struct thread *r)
{
    return (s->space->reach & r->space->dombit) || s->ipc_kind != IPC_NORMAL ||
           (r->state == TS_RECV && r->partner == s->id) || propagated(r, s);
}

/* Enter the receive phase: from `from` with `timeout`.  Returns 1 when `t` blocked. */
static int receive(struct thread *t, l4_tid_t from, uint32_t timeout)
{
    struct thread *s = NULL;
    int irq;

    if (t->irqs_pending && (irq = irq_take_pending(t, from)) >= 0) {
        t->ctx.r[0] = L4_IRQ_TID(irq);
        t->ctx.r[1] = L4_OK;
        t->ctx.r[3] = L4_TAG(L4_LABEL_INTERRUPT, 0, 0);
        t->ipc_kind = IPC_NORMAL;
        return 0;
    }
    if (from == L4_ANYTHREAD) {
        s = t->sendq_head;
    } else {
        for (s = t->sendq_head; s && s->id != from; s = s->sq_next)
            ;
        if (!s && !thread_lookup(from) && !irq_is_id(from)) {
            set_result(t, L4_IPC_ERROR(L4_ERR_NO_PARTNER, 1));
            t->ipc_kind = IPC_NORMAL;
            return 0;
        }
    }
    if (s) {
        ipc_sendq_remove(s);
        sched_timeout_cancel(s);
        t->state = TS_RECV;                 /* transfer() finishes our receive */
        t->partner = from;
        sched_dequeue(t);
        transfer(s, t);
        /* the sender's send is done: on to its receive phase, or back to running */
        if (s->recv_from != L4_NILTHREAD) {
            s->state = TS_RECV;
            s->partner = s->recv_from;
            sched_timeout_arm(s, s->recv_timeout);
        } else {
            set_result(s, L4_OK);
            s->state = TS_READY;
            sched_enqueue(s);
        }
        return 0;
    }
    if (timeout == L4_ZERO) {
        set_result(t, L4_IPC_ERROR(L4_ERR_TIMEOUT, 1));
        t->ipc_kind = IPC_NORMAL;
        return 0;
    }
    sched_dequeue(t);
    t->state = TS_RECV;
    t->partner = from;
    sched_timeout_arm(t, timeout);
    return 1;
}

/* The send phase to `dest_id`, then the receive phase in t->recv_from (if any). */
static void send_then_receive(struct thread *t, l4_tid_t dest_id, uint32_t timeout)
{
    struct thread *dest;

    if (dest_id != L4_NILTHREAD) {
        if (irq_is_id(dest_id)) {
            if (irq_reply(t, dest_id)) {
                set_result(t, L4_IPC_ERROR(L4_ERR_NO_PARTNER, 0));
                return;
            }
        } else if (!(dest = thread_lookup(dest_id)) || dest->state == TS_INACTIVE) {
            set_result(t, L4_IPC_ERROR(L4_ERR_NO_PARTNER, 0));
            t->ipc_kind = IPC_NORMAL;
            return;
        } else if (!may_send(t, dest)) {
            set_result(t, L4_IPC_ERROR(L4_ERR_NO_PRIVILEGE, 0));
            t->ipc_kind = IPC_NORMAL;
            return;
        } else if (waits_for(dest, t) || propagated(dest, t)) {
            transfer(t, dest);
        } else if (timeout == L4_ZERO) {
            set_result(t, L4_IPC_ERROR(L4_ERR_TIMEOUT, 0));
            t->ipc_kind = IPC_NORMAL;
            return;
        } else {
            sched_dequeue(t);
            t->state = TS_SEND;
            t->partner = dest_id;
            sendq_append(dest, t);
            sched_timeout_arm(t, timeout);
            return;
        }
    }
    set_result(t, L4_OK);
    if (t->recv_from != L4_NILTHREAD)
        receive(t, t->recv_from, t->recv_timeout);
}

void ipc_syscall(struct thread *cur)
{
    l4_tid_t to = cur->ctx.r[0], from = cur->ctx.r[1];

    cur->ipc_kind = IPC_NORMAL;
    if (1 + L4_TAG_UNTYPED(cur->ctx.r[3]) + L4_TAG_TYPED(cur->ctx.r[3]) > L4_MR_COUNT) {
        cur->ctx.r[1] = L4_IPC_ERROR(L4_ERR_OVERFLOW, 0);
        return;
    }
    cur->recv_from = from;
    cur->recv_timeout = cur->ctx.r[12];
    send_then_receive(cur, to, cur->ctx.r[2]);
}

void ipc_kernel_send(struct thread *t, struct thread *dest)
{
    t->recv_from = dest->id;
    t->recv_timeout = L4_NEVER;
    send_then_receive(t, dest->id, L4_NEVER);
}

int ipc_deliver_irq(struct thread *h, unsigned irq)
{
    l4_tid_t id = L4_IRQ_TID(irq);

    if (h->state == TS_RECV && h->ipc_kind == IPC_NORMAL &&
        (h->partner == L4_ANYTHREAD || h->partner == id)) {
        sched_timeout_cancel(h);
        h->ctx.r[0] = id;
        h->ctx.r[1] = L4_OK;
        h->ctx.r[3] = L4_TAG(L4_LABEL_INTERRUPT, 0, 0);
        h->state = TS_READY;
        sched_wake(h);
        TRACE_IPC_IRQ(irq, h);
        return 1;
    }
    return 0;
}

void ipc_cancel_partner(struct thread *t)
{
    while (t->sendq_head)
        thread_wake(t->sendq_head, L4_IPC_ERROR(L4_ERR_NO_PARTNER, 0));
    for (unsigned i = 0; i < MAX_THREADS; i++) {
        struct thread *w = &kernel.threads[i];
        if (w->state == TS_RECV && w->partner == t->id)
            thread_wake(w, L4_IPC_ERROR(L4_ERR_NO_PARTNER, 1));
    }
}
