/*
 * The IPC fast path: a call, or a reply-and-wait, with a short untyped message, to a thread
 * already waiting for us, that may run now.  Each guard is one test that falls to the slow
 * path when it fails; what is left is a register copy and a switch.  Entered from svc_entry
 * with the caller's registers saved in its TCB and still live in r0-r3.
 */
#include "arch/mode.h"
#include "ipc.h"
#include "sched.h"
#include "trace.h"

void fastpath_ipc(l4_tid_t to, l4_tid_t from, uint32_t send_timeout, uint32_t tag)
    __attribute__((noreturn));
void syscall_slowpath(uint32_t number) __attribute__((noreturn));

_Static_assert(ENTRY_SYS_IPC == L4_SYS_IPC, "entry.S sends this number to the fast path");

void fastpath_ipc(l4_tid_t to, l4_tid_t from, uint32_t send_timeout, uint32_t tag)
{
    struct thread *cur = current, *dest;
    uint32_t n = L4_TID_NUMBER(to) - L4_FIRST_THREAD;

    (void)send_timeout;                 /* the partner waits: the send cannot time out */

    /* a send, then a receive from the same partner (call) or from anyone (reply and wait) */
    if (to == L4_NILTHREAD || (from != to && from != L4_ANYTHREAD))
        goto slow;
    /* untyped words only, all in registers (MR1..MR7) */
    if ((tag & 0xfc0u) || L4_TAG_UNTYPED(tag) >= L4_MR_IN_REGISTERS)
        goto slow;
    /* a native thread: a foreign-ABI thread's SVC is an exception */
    if (cur->flags & TF_FOREIGN_ABI)
        goto slow;
    /* the destination exists (right version) */
    if (n >= MAX_THREADS)
        goto slow;
    dest = &threads[n];
    if (dest->id != to)
        goto slow;
    /* and waits, in an ordinary receive, for us or for anyone */
    if (dest->state != TS_RECV || dest->ipc_kind != IPC_NORMAL)
        goto slow;
    if (dest->partner != cur->id && dest->partner != L4_ANYTHREAD)
        goto slow;
    /* our receive phase will block: nobody queued for us, no interrupt, no finite timeout */
    if (from == L4_ANYTHREAD && (cur->sendq_head || cur->irqs_pending))
        goto slow;
    if (cur->ctx.r[12] != L4_NEVER)
        goto slow;
    /* running the destination now respects priorities (same priority: it takes our place) */
    if (dest->prio != cur->prio)
        goto slow;
    /* we are at the head of our queue (we run), so the destination may take our place */
    if (cur->on_timeout_list)
        goto slow;

    if (dest->on_timeout_list)
        sched_timeout_cancel(dest);
    sched_replace(cur, dest);
    cur->state = TS_RECV;
    cur->partner = from;

    dest->ctx.r[0] = cur->id;
    dest->ctx.r[1] = L4_OK;
    dest->ctx.r[3] = tag;
    dest->ctx.r[4] = cur->ctx.r[4];
    dest->ctx.r[5] = cur->ctx.r[5];
    dest->ctx.r[6] = cur->ctx.r[6];
    dest->ctx.r[8] = cur->ctx.r[8];
    dest->ctx.r[9] = cur->ctx.r[9];
    dest->ctx.r[10] = cur->ctx.r[10];
    dest->ctx.r[11] = cur->ctx.r[11];
    dest->state = TS_READY;
    ipc_count++;
    ipc_fast_count++;
    TRACE_IPC(cur, dest, tag);
    sched_switch_to(dest);

slow:
    syscall_slowpath(L4_SYS_IPC);
}
