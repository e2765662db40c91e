/*
 * The IPC fast paths in assembly, for the two crossings of a Linux system call and for a short
 * call or reply-and-wait: a foreign-ABI thread's SVC to its exception handler, waiting in a
 * receive; and an IPC of untyped words in registers to a thread waiting for it, in an ordinary
 * receive or for the one-word answer to an exception (a system call's result).  They do what
 * the C fast paths (kernel/fastpath.c) do in these cases, in fewer instructions.  Each guard is
 * one commented test that branches to the C path before anything has changed; the C path, seeing
 * the same state, takes the case on (its own fast path, or the slow path).
 *
 * Entered from svc_entry, interrupts masked, sp the kernel stack's top, the user's registers
 * saved in the thread's context (so none of them needs to stay live here).  Registers:
 *     r4  cur: the calling thread (kernel.current)
 *     r5  dest: the thread it hands over to
 *     r6  &kernel (kstate.h: the fast paths' state)
 *     the rest: scratch, named where used.
 * The field offsets are kernel/fastpath_layout.h's, which fastpath.c checks against the C.
 */
#include "arch/mode.h"
#include "fastpath_layout.h"

    .syntax unified
    .arm
    .text

/* The trace record of TRACE_IPC_SWITCH(cur, dest, tag), or TRACE_IPC's, when the recorder is on
 * (trace.h): the five words (cycles, \type, cur's ID, dest's ID, the tag) in one store-multiple,
 * so the tag is in a register above r3: \tag.  Uses r0-r3, r7. */
.macro trace_ipc type, tag
#ifdef CONFIG_TRACE
    ldrd    r0, r1, [r6, #FP_K_TRACE_RECORDING] /* r0: the ring (NULL: off); r1: head, the next
                                                 * event's index */
    cmp     r0, #0
    beq     90f
    add     r2, r1, #1
    str     r2, [r6, #FP_K_TRACE_HEAD]
    ubfx    r1, r1, #0, #FP_TRACE_BITS
    add     r7, r0, r1, lsl #FP_TRACE_EVENT_SHIFT   /* r7: the event's slot */
    mrc     p15, 0, r0, c9, c13, 0              /* r0: cycles (PMCCNTR) */
    mov     r1, #\type                          /* r1: type */
    ldr     r2, [r4, #FP_T_ID]                  /* r2: a, the sender */
    ldr     r3, [r5, #FP_T_ID]                  /* r3: b, the receiver */
    stmia   r7, {r0, r1, r2, r3, \tag}         /* \tag: c */
90:
#endif
.endm

/* Leave for dest (READY, its registers in its context): sched_switch_to (sched.h).  It becomes
 * the current thread; the VFP unit is enabled only if it holds dest's registers (vfp_switch);
 * its address space (space_activate: the exception return synchronizes the last write) and its
 * thread register are loaded; and return_to_user's exit (entry.S), which leaves sp_svc just
 * past dest's context for its next entry. */
.macro switch_to_dest
    str     r5, [r6, #FP_K_CURRENT]
    ldrd    r0, r1, [r6, #FP_K_VFP_OWNER]       /* r0: the unit's owner; r1: FPEXC.EN as last written */
    subs    r0, r0, r5
    movne   r0, #1                              /* r0: 0 when dest owns the unit's registers, else 1 */
    cmp     r0, r1
    bne     91f                                 /* on for the owner, off for the rest: as it is */
    eor     r1, r1, #1
    str     r1, [r6, #FP_K_VFP_ON]
    lsl     r1, r1, #30                         /* FPEXC.EN */
    mcr     p10, 7, r1, c8, c0, 0               /* FPEXC (vmsr) */
91: ldr     r0, [r5, #FP_T_SPACE]               /* r0: dest's space */
    ldr     r1, [r6, #FP_K_ACTIVE_SPACE]
    cmp     r0, r1
    beq     92f
    mov     r1, #0
    mcr     p15, 0, r1, c13, c0, 1              /* CONTEXTIDR: ASID 0 while TTBR0 changes */
    isb
    ldr     r1, [r0, #FP_S_L1_PHYS]
    orr     r1, r1, #0x48                       /* the table walk's attributes, as space_activate */
    mcr     p15, 0, r1, c2, c0, 0               /* TTBR0 */
    isb
    ldrb    r1, [r0, #FP_S_ASID]
    mcr     p15, 0, r1, c13, c0, 1              /* CONTEXTIDR: dest's ASID */
    str     r0, [r6, #FP_K_ACTIVE_SPACE]
92: ldr     r0, [r5, #FP_T_TLS]
    mcr     p15, 0, r0, c13, c0, 3              /* TPIDRURO */
    clrex                                       /* return_to_user, inline */
    mov     sp, r5
    ldmia   sp, {r0-r14}^
    add     sp, sp, #60
    rfeia   sp!
.endm

/* The slot a thread ID names (thread_slot): (number - L4_FIRST_THREAD) mod the table's size,
 * which is the number's low bits with the top one flipped, as the first thread's number is half
 * the table's size.  \out = \table + that * the TCB's size (a power of two); \tid: the ID;
 * \t1: scratch. */
.macro thread_slot out, tid, table, t1
    ubfx    \t1, \tid, #FP_THREAD_SLOT_SHIFT, #FP_THREAD_SLOT_BITS
    eor     \t1, \t1, #FP_THREAD_SLOT_FIRST
    add     \out, \table, \t1, lsl #FP_T_SIZE_SHIFT
.endm

/* cur was chosen by the scheduler, so is still in its ready queue: out of it (hand_over), as it
 * blocks now.  sched_dequeue keeps r4-r11; r0-r3 come back from cur's context (the arguments). */
.macro dequeue_cur
    ldr     r0, [r4, #FP_T_RQ_NEXT]
    cmp     r0, #0
    beq     93f
    mov     r0, r4
    bl      sched_dequeue
    ldm     r4, {r0, r1, r2, r3}
93:
.endm

/* hand_over, the end of both paths: dest (READY now) runs at once unless a queued thread is more
 * important (sched_highest_prio); then it queues, and the scheduler chooses.  \tag: the tag's
 * register, above r3 (for the trace record). */
.macro hand_over tag
    ldr     r0, [r6, #FP_K_READY_WORDS]
    cmp     r0, #0
    beq     94f                                 /* nothing is queued */
    clz     r0, r0
    rsb     r0, r0, #31                         /* r0: the highest word of the bitmap in use */
    ldr     r1, =sched_ready_bitmap
    ldr     r1, [r1, r0, lsl #2]
    clz     r1, r1
    rsb     r1, r1, #31
    add     r0, r1, r0, lsl #5                  /* r0: the highest queued priority */
    ldrb    r1, [r5, #FP_T_PRIO]
    cmp     r1, r0
    bge     94f
    trace_ipc FP_TR_IPC, \tag
    mov     r0, r5
    bl      sched_enqueue
    b       sched_leave
94: trace_ipc FP_TR_IPC_SWITCH, \tag
    switch_to_dest
.endm


/*
 * A foreign-ABI thread's SVC (r4 = cur): the exception message, registers and all, to its
 * handler, which waits for it in an ordinary receive (fastpath_exception, in C).  The message
 * as ipc.c lays it out: r0 = our ID, r1 = L4_OK, r3 = the tag (label L4_LABEL_SYSCALL, 20
 * words), MR1..MR7 (our r0-r6) in the handler's r4-r6 and r8-r11, MR8..MR17 (our r7-r12, sp,
 * lr, pc, cpsr) and the kind, FSR and FAR in its UTCB.
 */
    .global foreign_fastpath
foreign_fastpath:
#ifdef CONFIG_MASKED_PROFILE
    b       foreign_c                           /* the profile stamps its entries in C */
#endif
    ldr     r6, =kernel
    ldr     r7, [r4, #FP_T_EXC_HANDLER]         /* r7: the handler's ID */
    ldr     r5, [r6, #FP_K_THREADS]
    thread_slot r5, r7, r5, r0                  /* r5: dest, the handler's slot */
    ldr     r0, [r5, #FP_T_ID]
    cmp     r0, r7
    bne     foreign_c                           /* the handler exists (right version) */
    ldrh    r0, [r5, #FP_T_STATE]
    cmp     r0, #FP_SK_RECV_NORMAL
    bne     foreign_c                           /* and waits in an ordinary receive */
    ldr     r0, [r5, #FP_T_PARTNER]
    ldr     r8, [r4, #FP_T_ID]                  /* r8: cur's ID */
    cmp     r0, r8
    cmnne   r0, #1
    bne     foreign_c                           /* for us or for anyone (L4_ANYTHREAD) */
    ldrb    r0, [r4, #FP_T_ON_TIMEOUT_LIST]
    ldrb    r1, [r5, #FP_T_ON_TIMEOUT_LIST]
    orrs    r0, r0, r1
    bne     foreign_c                           /* neither has a timeout to take off the list */
    dequeue_cur

    /* cur: blocked in its exception IPC, waiting for the handler's answer */
    str     r7, [r4, #FP_T_PARTNER]
    mov     r0, #FP_SK_RECV_EXCEPTION
    strh    r0, [r4, #FP_T_STATE]
    mov     r0, #FP_EXC_SVC
    strb    r0, [r4, #FP_T_EXC_KIND]
    ldrd    r0, r1, [r6, #FP_K_IPC_FAST]
    add     r0, r0, #1
    add     r1, r1, #1
    strd    r0, r1, [r6, #FP_K_IPC_FAST]        /* stats.ipc_fast++, stats.exceptions++ */

    /* dest: the message */
    ldm     r4, {r0, r1, r2, r3, r9, r10, r11}  /* our r0-r6: MR1..MR7 */
    add     r7, r5, #16
    stm     r7, {r0, r1, r2}                    /* its r4-r6 */
    add     r7, r5, #32
    stm     r7, {r3, r9, r10, r11}              /* its r8-r11 */
    ldr     r7, [r5, #FP_T_UTCB]
    add     r7, r7, #FP_UTCB_MR_EXC_R7          /* r7: its UTCB's MR8 */
    add     r12, r4, #28                        /* r12: our r7 */
    ldm     r12!, {r0, r1, r2, r3, r9, r10, r11}
    stmia   r7!, {r0, r1, r2, r3, r9, r10, r11} /* MR8..MR14: our r7-r12, sp */
    ldm     r12, {r0, r1, r2}
    mov     r3, #FP_EXC_SVC
    mov     r10, #0
    mov     r11, #0
    stm     r7, {r0, r1, r2, r3, r10, r11}      /* MR15..MR20: our lr, pc, cpsr; kind, FSR, FAR */
    strd    r10, r11, [r4, #FP_T_FAULT_ADDR]    /* our fault_addr, fault_status: none */
    mov     r9, #0
    strd    r8, r9, [r5]                        /* its r0: our ID; r1: L4_OK */
    ldr     lr, =FP_TAG_SYSCALL_EXC             /* lr: the tag */
    str     lr, [r5, #12]                       /* its r3 */
    str     r8, [r5, #FP_T_SERVED]
    mov     r0, #FP_TS_READY
    strb    r0, [r5, #FP_T_STATE]
    hand_over lr

foreign_c:
    mov     r0, r4
    b       foreign_syscall

/*
 * The IPC system call (r4 = cur; r0 = to, r1 = from, r2 = the send timeout, r3 = the tag,
 * r12 = the receive timeout, as they came; MR1..MR7 in cur's saved r4-r6 and r8-r11): a call, or
 * a reply and wait, of untyped words in registers, to a thread waiting for us in an ordinary
 * receive (the whole message), or for the answer to an exception that is one word, a system
 * call's result (its r0).  Falls to fastpath_ipc (C) with r0-r3 as they came.
 */
    .global ipc_fastpath
ipc_fastpath:
#ifdef CONFIG_MASKED_PROFILE
    b       ipc_c
#endif
    tst     r3, #0xfc0
    tsteq   r3, #0x38
    bne     ipc_c                               /* untyped words only, all in registers (MR1..MR7) */
    cmn     r12, #1
    bne     ipc_c                               /* our receive phase waits for good (L4_NEVER) */
    cmp     r1, r0
    cmnne   r1, #1
    bne     ipc_c                               /* then a receive from the same partner (a call)
                                                 * or from anyone (a reply and wait) */
    ldr     r6, =kernel
    ldr     r5, [r6, #FP_K_THREADS]
    thread_slot r5, r0, r5, r7                  /* r5: dest, the slot `to` names (nil names
                                                 * none: see thread_slot in thread.h) */
    ldr     r7, [r5, #FP_T_ID]
    cmp     r7, r0
    bne     ipc_c                               /* the destination exists (right version; so
                                                 * this is a send: to is not L4_NILTHREAD) */
    ldrh    r7, [r5, #FP_T_STATE]               /* r7: its state and kind, from here on */
    cmp     r7, #FP_SK_RECV_NORMAL
    beq     1f                                  /* and waits in an ordinary receive, */
    cmp     r7, #FP_SK_RECV_EXCEPTION
    biceq   r8, r3, #FP_TAG_PROPAGATE
    cmpeq   r8, #1
    bne     ipc_c                               /* or for the answer to an exception, and this
                                                 * is one: label 0, one word, propagated or not */
1:  ldr     r9, [r5, #FP_T_PARTNER]
    ldr     r8, [r4, #FP_T_ID]                  /* r8: cur's ID */
    cmp     r9, r8
    beq     2f                                  /* it waits for us (a reply needs no right), */
    cmn     r9, #1
    bne     ipc_c
    ldr     r9, [r4, #FP_T_SPACE]
    ldr     r10, [r5, #FP_T_SPACE]
    ldr     r9, [r9, #FP_S_REACH]
    ldr     r10, [r10, #FP_S_DOMBIT]
    tst     r9, r10
    beq     ipc_c                               /* or for anyone, and our domain reaches its */
2:  cmn     r1, #1
    bne     3f
    ldr     r9, [r4, #FP_T_SENDQ_HEAD]
    ldrh    r10, [r4, #FP_T_IRQS_PENDING]
    orrs    r9, r9, r10
    bne     ipc_c                               /* a receive from anyone will block: nobody is
                                                 * queued to send to us, no interrupt pending */
3:  ldrb    r9, [r4, #FP_T_ON_TIMEOUT_LIST]
    ldrb    r10, [r5, #FP_T_ON_TIMEOUT_LIST]
    orrs    r9, r9, r10
    bne     ipc_c                               /* neither has a timeout to take off the list */
#ifdef PLANTED_SLOWDOWN
    /* test builds only (tests/target/test_bench_gate.py): a slower IPC the gate must catch */
    .rept   PLANTED_SLOWDOWN
    nop
    .endr
#endif

    dequeue_cur

    /* cur: in its receive phase */
    mov     r0, #FP_TS_RECV
    strb    r0, [r4, #FP_T_STATE]
    str     r1, [r4, #FP_T_PARTNER]
    str     r8, [r5, #FP_T_SERVED]
    cmp     r7, #FP_SK_RECV_NORMAL
    bne     4f
    /* dest, in an ordinary receive: r0 = our ID, r1 = L4_OK, r3 = the tag, MR1..MR7 in r4-r6
     * and r8-r11; and r7, which is the IPC's number on both sides (0: svc_entry sent nothing
     * else here, and a thread receives only in an IPC), so it moves with the rest */
    mov     r9, #0
    strd    r8, r9, [r5]
    str     r3, [r5, #12]
    add     r0, r4, #16
    ldm     r0, {r0, r1, r2, r7, r8, r9, r10, r11}  /* our r4-r11 */
    add     r12, r5, #16
    stm     r12, {r0, r1, r2, r7, r8, r9, r10, r11} /* its r4-r11 */
    b       5f
4:  /* dest, waiting for the answer to its exception: MR1 (our r4) is its r0 */
    ldr     r0, [r4, #16]
    str     r0, [r5]
5:  mov     r0, #FP_SK_READY
    strh    r0, [r5, #FP_T_STATE]               /* dest: ready, its next IPC an ordinary one */
    ldr     r0, [r6, #FP_K_IPC_FAST]
    add     r0, r0, #1
    str     r0, [r6, #FP_K_IPC_FAST]            /* stats.ipc_fast++ */
    mov     lr, r3                              /* lr: the tag */
    hand_over lr

ipc_c:
    ldm     r4, {r0, r1, r2, r3}                /* the arguments, as they came */
    b       fastpath_ipc

    .ltorg
