/*
 * The IPC fast paths: a call, or a reply-and-wait, with a short untyped message, to a thread
 * already waiting for us (in a receive, or for the answer to an exception); and a foreign-ABI
 * thread's system call to its handler.  Each guard is one test that falls to the slow
 * path when it fails; what is left is a register copy and a switch.  Entered from the assembly
 * fast paths (arch/arm/fastpath.S), which take the commonest of these cases themselves and hand
 * the rest on before changing anything, with the caller's registers saved in its TCB and r0-r3
 * as the system call had them.
 */
#include "arch/copy.h"
#include "arch/mode.h"
#include "exception.h"
#include "fastpath_layout.h"
#include "ipc.h"
#include "profile.h"
#include "sched.h"
#include "trace.h"

void fastpath_ipc(l4_tid_t to, l4_tid_t from, uint32_t send_timeout, uint32_t tag)
    __attribute__((noreturn));
void syscall_slowpath(uint32_t number) __attribute__((noreturn));
void foreign_syscall(struct thread *cur) __attribute__((noreturn));

_Static_assert(ENTRY_SYS_IPC == L4_SYS_IPC, "entry.S sends this number to the fast path");

/* What fastpath.S takes from fastpath_layout.h. */
#define FP_AT(type, field, value) _Static_assert(offsetof(type, field) == (value), #field)
FP_AT(struct kernel_state, current, FP_K_CURRENT);
FP_AT(struct kernel_state, threads, FP_K_THREADS);
FP_AT(struct kernel_state, ready_words, FP_K_READY_WORDS);
FP_AT(struct kernel_state, active_space, FP_K_ACTIVE_SPACE);
FP_AT(struct kernel_state, trace.recording, FP_K_TRACE_RECORDING);
FP_AT(struct kernel_state, trace.head, FP_K_TRACE_HEAD);
FP_AT(struct kernel_state, stats.ipc_fast, FP_K_IPC_FAST);
FP_AT(struct kernel_state, stats.exceptions, FP_K_EXCEPTIONS);
FP_AT(struct thread, id, FP_T_ID);
FP_AT(struct thread, state, FP_T_STATE);
FP_AT(struct thread, prio, FP_T_PRIO);
FP_AT(struct thread, flags, FP_T_FLAGS);
FP_AT(struct thread, ipc_kind, FP_T_IPC_KIND);
FP_AT(struct thread, space, FP_T_SPACE);
FP_AT(struct thread, utcb, FP_T_UTCB);
FP_AT(struct thread, tls, FP_T_TLS);
FP_AT(struct thread, exc_handler, FP_T_EXC_HANDLER);
FP_AT(struct thread, rq_next, FP_T_RQ_NEXT);
FP_AT(struct thread, served, FP_T_SERVED);
FP_AT(struct thread, partner, FP_T_PARTNER);
FP_AT(struct thread, irqs_pending, FP_T_IRQS_PENDING);
FP_AT(struct thread, sendq_head, FP_T_SENDQ_HEAD);
FP_AT(struct thread, on_timeout_list, FP_T_ON_TIMEOUT_LIST);
FP_AT(struct thread, exc_kind, FP_T_EXC_KIND);
FP_AT(struct thread, fault_addr, FP_T_FAULT_ADDR);
FP_AT(struct thread, fault_status, FP_T_FAULT_STATUS);
FP_AT(struct space, l1_phys, FP_S_L1_PHYS);
FP_AT(struct space, asid, FP_S_ASID);
FP_AT(struct space, reach, FP_S_REACH);
FP_AT(struct space, dombit, FP_S_DOMBIT);
FP_AT(struct kernel_state, vfp.owner, FP_K_VFP_OWNER);
FP_AT(struct kernel_state, vfp.on, FP_K_VFP_ON);
FP_AT(struct l4_utcb, mr[L4_MR_IN_REGISTERS], FP_UTCB_MR_EXC_R7);
_Static_assert(sizeof(struct thread) == 1u << FP_T_SIZE_SHIFT && sizeof(l4_tid_t) == 4 &&
               sizeof(((struct thread *)0)->irqs_pending) == 2 && sizeof(((struct thread *)0)->prio) == 1 &&
               sizeof(((struct thread *)0)->on_timeout_list) == 1, "the TCB's size, fields' sizes");
_Static_assert(L4_TID_NUMBER(1u << FP_THREAD_SLOT_SHIFT) == 1 && MAX_THREADS == 1u << FP_THREAD_SLOT_BITS &&
               L4_FIRST_THREAD == FP_THREAD_SLOT_FIRST && 2 * L4_FIRST_THREAD == MAX_THREADS,
               "thread_slot: the number's low bits, the top one flipped");
_Static_assert(TS_READY == FP_TS_READY && TS_RECV == FP_TS_RECV && IPC_NORMAL == FP_IPC_NORMAL &&
               IPC_EXCEPTION == FP_IPC_EXCEPTION && L4_EXC_SVC == FP_EXC_SVC &&
               L4_TAG_PROPAGATE == FP_TAG_PROPAGATE &&
               L4_TAG(L4_LABEL_SYSCALL, L4_EXC_WORDS, 0) == FP_TAG_SYSCALL_EXC &&
               TR_IPC == FP_TR_IPC && TR_IPC_SWITCH == FP_TR_IPC_SWITCH && TRACE_SIZE == 1u << FP_TRACE_BITS &&
               sizeof(struct trace_event) == 1u << FP_TRACE_EVENT_SHIFT && VFP_FPEXC_EN == 1u << 30 &&
               L4_NEVER == 0xffffffffu && L4_ANYTHREAD == 0xffffffffu && L4_NILTHREAD == 0 && L4_OK == 0,
               "fastpath.S's values");
_Static_assert(L4_MR_IN_REGISTERS == 8 && L4_EXC_CPSR == 17 && L4_EXC_KIND == 18 && L4_EXC_FSR == 19 &&
               L4_EXC_FAR == 20, "fastpath.S's exception message: MR8..MR20 in one run of the UTCB");

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

    /* (svc_entry sends a foreign-ABI thread's SVC to foreign_fastpath, whatever its number) */
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
