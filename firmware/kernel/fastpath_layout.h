/*
 * What the assembly fast paths (arch/arm/fastpath.S) know of the kernel's structures: field
 * offsets and values, as numbers an assembler can use.  fastpath.c checks every one against the
 * C definitions, so a structure that changes breaks the build, not the fast path.
 */
#pragma once

/* struct kernel_state (kstate.h) */
#define FP_K_CURRENT            0
#define FP_K_THREADS            4
#define FP_K_READY_WORDS        12
#define FP_K_ACTIVE_SPACE       16
#define FP_K_TRACE_RECORDING    20      /* then the head: one ldrd */
#define FP_K_TRACE_HEAD         24
#define FP_K_IPC_FAST           36      /* stats.ipc_fast, then stats.exceptions */
#define FP_K_EXCEPTIONS         40
#define FP_K_VFP_OWNER          52      /* vfp.owner, then vfp.on */
#define FP_K_VFP_ON             56

/* struct thread (thread.h); its context comes first (ENTRY_TCB_CONTEXT_SIZE) */
#define FP_T_SIZE_SHIFT         8       /* sizeof(struct thread) == 1 << this */
#define FP_T_ID                 68
#define FP_T_STATE              72      /* then ipc_kind: one halfword, state | kind << 8 */
#define FP_T_IPC_KIND           73
#define FP_T_PRIO               74
#define FP_T_FLAGS              75
#define FP_T_SPACE              76
#define FP_T_UTCB               80
#define FP_T_TLS                84
#define FP_T_EXC_HANDLER        92
#define FP_T_RQ_NEXT            104
#define FP_T_SERVED             136
#define FP_T_PARTNER            160
#define FP_T_IRQS_PENDING       172
#define FP_T_SENDQ_HEAD         176
#define FP_T_ON_TIMEOUT_LIST    208
#define FP_T_EXC_KIND           209
#define FP_T_FAULT_ADDR         212     /* then fault_status */
#define FP_T_FAULT_STATUS       216
#define FP_THREAD_SLOT_SHIFT    14      /* thread_slot: the number's bits of an ID, */
#define FP_THREAD_SLOT_BITS     9       /*   masked to the table, */
#define FP_THREAD_SLOT_FIRST    256     /*   less the first thread's number */

/* struct space (space.h) */
#define FP_S_L1_PHYS            4
#define FP_S_ASID               8
#define FP_S_REACH              28
#define FP_S_DOMBIT             32

/* values */
#define FP_TS_READY             2
#define FP_TS_RECV              4
#define FP_IPC_NORMAL           0
#define FP_IPC_EXCEPTION        2
#define FP_SK_RECV_NORMAL       (FP_TS_RECV | FP_IPC_NORMAL << 8)       /* state and kind, */
#define FP_SK_RECV_EXCEPTION    (FP_TS_RECV | FP_IPC_EXCEPTION << 8)    /*   as a halfword */
#define FP_SK_READY             (FP_TS_READY | FP_IPC_NORMAL << 8)
#define FP_EXC_SVC              2       /* L4_EXC_SVC */
#define FP_TAG_PROPAGATE        0x1000  /* L4_TAG_PROPAGATE */
#define FP_TAG_SYSCALL_EXC      0xffc00014      /* L4_TAG(L4_LABEL_SYSCALL, L4_EXC_WORDS, 0) */
#define FP_UTCB_MR_EXC_R7       32      /* &utcb->mr[L4_MR_IN_REGISTERS]: MR8 = r7 */
#define FP_TR_IPC               1
#define FP_TR_IPC_SWITCH        6
#define FP_TRACE_BITS           10      /* TRACE_SIZE == 1 << FP_TRACE_BITS */
#define FP_TRACE_EVENT_SHIFT    5       /* sizeof(struct trace_event) == 1 << this */
