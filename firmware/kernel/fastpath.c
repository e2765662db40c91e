/*
 * The IPC fast paths: a call, or a reply-and-wait, with a short untyped message, to a thread
 * already waiting for us (in a receive, or for the answer to an exception); and a foreign-ABI
 * thread's system call to its handler.  Each guard is one test that falls to the slow
 * path when it fails; what is left is a register copy and a switch.  Entered from svc_entry
 * with the caller's registers saved in its TCB and still live in r0-r3.
 */
#include "arch/copy.h"
#include "arch/mode.h"
#include "exception.h"
#include "ipc.h"
#include "profile.h"
#include "sched.h"
#include "trace.h"

void fastpath_ipc(l4_tid_t to, l4_tid_t from, uint32_t send_timeout, uint32_t tag)
    __attribute__((noreturn));
void syscall_slowpath(uint32_t number) __attribute__((noreturn));
void foreign_syscall(struct thread *cur) __attribute__((noreturn));

_Static_assert(ENTRY_SYS_IPC == L4_SYS_IPC, "entry.S sends this number to the fast path");

/* `cur` (blocked now) has sent `tag` to `dest`, whose receive that ends: `dest` runs at once,
 * in no queue, unless a queued thread is more important, and then it queues and the scheduler
 * chooses.  Between threads the fast path switched to, no queue is touched. */
static inline __attribute__((always_inline, noreturn)) void hand_over(struct thread *cur, struct thread *dest,
                                                                      uint32_t tag)
{
    if (cur->rq_next)
        sched_dequeue(cur);
    dest->state = TS_READY;
    kernel.stats.ipc_fast++;
    if ((int)dest->prio >= sched_highest_prio()) {
        TRACE_IPC_SWITCH(cur, dest, tag);
        sched_switch_to(dest);
    }
    TRACE_IPC(cur, dest, tag);
    sched_enqueue(dest);
    sched_leave();
}

void fastpath_ipc(l4_tid_t to, l4_tid_t from, uint32_t send_timeout, uint32_t tag)
{
    struct thread *cur = kernel.current, *dest;

    profile_enter(PROFILE_SYSCALL + L4_SYS_IPC, cur->id);
    (void)send_timeout;                 /* the partner waits: the send cannot time out */

    /* a foreign-ABI thread's SVC is an exception, whatever its number */
    if (cur->flags & TF_FOREIGN_ABI)
        foreign_syscall(cur);
    /* a send, then a receive from the same partner (call) or from anyone (reply and wait) */
    if (to == L4_NILTHREAD || (from != to && from != L4_ANYTHREAD))
        goto slow;
    /* untyped words only, all in registers (MR1..MR7) */
    if ((tag & 0xfc0u) || L4_TAG_UNTYPED(tag) >= L4_MR_IN_REGISTERS)
        goto slow;
    /* the destination exists (right version) */
    dest = thread_slot(to);
    if (dest->id != to)
        goto slow;
    /* and waits for us or for anyone: in an ordinary receive, or for the answer to an exception
     * (a plain one, label 0: it names registers to set) */
    if (dest->state != TS_RECV)
        goto slow;
    if (dest->ipc_kind != IPC_NORMAL && (dest->ipc_kind != IPC_EXCEPTION || L4_TAG_LABEL(tag)))
        goto slow;
    /* waits for us (a reply needs no right), or for anyone and our domain reaches its */
    if (dest->partner != cur->id &&
        (dest->partner != L4_ANYTHREAD || !(cur->space->reach & dest->space->dombit)))
        goto slow;
    /* our receive phase will block: nobody queued for us, no interrupt, no finite timeout */
    if (from == L4_ANYTHREAD && (cur->sendq_head || cur->irqs_pending))
        goto slow;
    if (cur->ctx.r[12] != L4_NEVER)
        goto slow;
    /* a running thread has no timeout pending; the slow path sorts out one that has */
    if (cur->on_timeout_list)
        goto slow;

    if (dest->on_timeout_list)
        sched_timeout_cancel(dest);
#ifdef PLANTED_SLOWDOWN
    /* test builds only (tests/target/test_bench_gate.py): a slower IPC the gate must catch */
    __asm__ volatile(".rept %c0\n nop\n .endr" :: "i"(PLANTED_SLOWDOWN));
#endif
    cur->state = TS_RECV;
    cur->partner = from;
    dest->served = cur->id;

    if (dest->ipc_kind == IPC_NORMAL) {
        dest->ctx.r[0] = cur->id;
        dest->ctx.r[1] = L4_OK;
        dest->ctx.r[3] = tag;
        copy_words(&dest->ctx.r[4], &cur->ctx.r[4], 3);     /* MR1..MR7: r4-r6, r8-r11 */
        copy_words(&dest->ctx.r[8], &cur->ctx.r[8], 4);
    } else if (L4_TAG_UNTYPED(tag) == 1) {
        dest->ctx.r[0] = cur->ctx.r[4];     /* the common answer: a system call's result, in r0 */
        dest->ipc_kind = IPC_NORMAL;
    } else {
        /* MR1..MRn are r0.. in order */
        for (unsigned i = 0; i < L4_TAG_UNTYPED(tag); i++)
            dest->ctx.r[i] = cur->ctx.r[ipc_mr_reg[i + 1]];
        dest->ipc_kind = IPC_NORMAL;
    }
    hand_over(cur, dest, tag);

slow:
    syscall_slowpath(L4_SYS_IPC);
}

/*
 * A foreign-ABI thread's SVC (a Linux system call): the exception message, registers and all,
 * to its handler, which already waits for it.  Returns when it does not; foreign_syscall then
 * does the same the long way.
 */
static inline __attribute__((always_inline)) void fastpath_exception(struct thread *cur)
{
    struct thread *h = thread_slot(cur->exc_handler);

    if (h->id != cur->exc_handler || h->state != TS_RECV || h->ipc_kind != IPC_NORMAL)
        return;
    if (h->partner != cur->id && h->partner != L4_ANYTHREAD)
        return;
    if (cur->on_timeout_list)
        return;

    if (h->on_timeout_list)
        sched_timeout_cancel(h);
    kernel.stats.exceptions++;
    cur->exc_kind = L4_EXC_SVC;
    cur->fault_status = 0;
    cur->fault_addr = 0;
    cur->ipc_kind = IPC_EXCEPTION;
    cur->state = TS_RECV;
    cur->partner = h->id;

    /* MR1..MR7 in the handler's registers, the rest in its UTCB (the layout of ipc.c) */
    uint32_t tag = L4_TAG(L4_LABEL_SYSCALL, L4_EXC_WORDS, 0);
    h->ctx.r[0] = cur->id;
    h->ctx.r[1] = L4_OK;
    h->ctx.r[3] = tag;
    h->served = cur->id;
    _Static_assert(L4_MR_IN_REGISTERS == 8, "MR1..MR3 in r4-r6, MR4..MR7 in r8-r11");
    copy_words(&h->ctx.r[4], &cur->ctx.r[0], 3);
    copy_words(&h->ctx.r[8], &cur->ctx.r[3], 4);
    uint32_t *mr = h->utcb->mr;
    const uint32_t *regs = (const uint32_t *)&cur->ctx;     /* r0..r12, sp, lr, pc, cpsr */
    copy_words(&mr[L4_MR_IN_REGISTERS], &regs[L4_MR_IN_REGISTERS - L4_EXC_R0],
               L4_EXC_CPSR + 1 - L4_MR_IN_REGISTERS);
    mr[L4_EXC_KIND] = L4_EXC_SVC;           /* what ipc_exception_words would read back */
    mr[L4_EXC_FSR] = 0;
    mr[L4_EXC_FAR] = 0;
    hand_over(cur, h, tag);
}

/* From svc_entry, for a foreign-ABI thread: its handler (the personality) emulates the call. */
void foreign_syscall(struct thread *cur)
{
    profile_enter(PROFILE_FOREIGN, cur->id);
    fastpath_exception(cur);
    cur->syscalls++;
    exception_raise(cur, L4_EXC_SVC, 0, 0);
    sched_leave();
}
