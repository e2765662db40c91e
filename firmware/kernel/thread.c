/* Threads (see thread.h). */
#include "arch/mode.h"
#include "arch/vfp.h"
#include "domain.h"
#include "ipc.h"
#include "kmem.h"
#include "lib/string.h"
#include "sched.h"
#include "space.h"
#include "thread.h"
#include "trace.h"


int thread_init(void)
{
    kernel.threads = kmem_alloc_boot(MAX_THREADS * sizeof *kernel.threads);
    if (!kernel.threads)
        return -1;
    for (unsigned i = 0; i < MAX_THREADS; i++)
        kernel.threads[i].id = L4_TID(i + L4_FIRST_THREAD, 1);
    return 0;
}

struct thread *thread_create(l4_tid_t tid, struct space *space)
{
    uint32_t n = L4_TID_NUMBER(tid) - L4_FIRST_THREAD;
    struct thread *t;
    struct l4_utcb *utcb;

    if (n >= MAX_THREADS || L4_TID_VERSION(tid) == 0)
        return NULL;
    t = &kernel.threads[n];
    if (t->state != TS_FREE)
        return NULL;
    utcb = kmem_alloc(space->domain->mem, L4_PAGE_SIZE);
    if (!utcb)
        return NULL;
    if (space_map_kernel_page(space, thread_utcb_user(t), utcb, 1)) {
        kmem_free(space->domain->mem, utcb, L4_PAGE_SIZE);
        return NULL;
    }
    memset(t, 0, sizeof *t);
    t->id = tid;
    t->state = TS_INACTIVE;
    t->space = space;
    t->utcb = utcb;
    t->tls = thread_utcb_user(t);
    t->prio = SCHED_DEFAULT_PRIO;
    t->timeslice_ticks = t->remaining_ticks = SCHED_DEFAULT_SLICE;
    t->ctx.cpsr = MODE_USR;
    utcb->my_id = tid;
    space->threads++;
    return t;
}

uint32_t thread_user_cpsr(uint32_t cpsr)
{
    /* keep the flags (NZCVQ, GE), the IT state (a Thumb thread can fault inside an IT block),
     * the endianness and the Thumb bit; force user mode with interrupts enabled */
    return (cpsr & 0xfe0ffe20u) | MODE_USR;
}

void thread_wake(struct thread *t, uint32_t error)
{
    if (t->state == TS_SEND)
        ipc_sendq_remove(t);
    sched_timeout_cancel(t);
    if (t->ipc_kind == IPC_NORMAL)
        t->ctx.r[1] = error;            /* a faulting thread keeps its registers and retries */
    t->state = TS_READY;
    t->ipc_kind = IPC_NORMAL;
    sched_enqueue(t);
}

void thread_halt(struct thread *t, uint32_t reason)
{
    if (t->state == TS_SEND)
        ipc_sendq_remove(t);
    if (t->state == TS_READY)
        sched_remove(t);
    sched_timeout_cancel(t);
    t->state = TS_INACTIVE;
    t->stop_reason = reason;
}

void thread_delete(struct thread *t)
{
    l4_tid_t id = t->id;

    thread_halt(t, 0);
    vfp_forget(t);
    ipc_cancel_partner(t);          /* whoever sends to or waits for it learns it is gone */
    space_unmap_kernel_page(t->space, thread_utcb_user(t));
    kmem_free(t->space->domain->mem, t->utcb, L4_PAGE_SIZE);
    t->space->threads--;
    t->utcb = NULL;
    t->space = NULL;
    t->state = TS_FREE;
    /* the next thread in this slot gets a new version; 0 is never used */
    uint32_t version = (L4_TID_VERSION(id) + 1) & 0x3fff;
    t->id = L4_TID(L4_TID_NUMBER(id), version ? version : 1);
    if (kernel.current == t)
        kernel.current = NULL;
}
