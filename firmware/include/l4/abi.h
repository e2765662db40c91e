/*
 * The kernel's user-visible ABI: system call numbers and registers, thread IDs, message tags,
 * flexpages, timeouts, the UTCB and the KIP.  User programs and the kernel both include this;
 * the host reads the enums from the kernel's DWARF, so this file is their one definition.
 *
 * Entering the kernel: `svc #0` with the system call number in r7.  IPC passes its message
 * registers MR0..MR7 in r3-r6 and r8-r11 (MR0 is the message tag), the rest in the UTCB.
 */
#pragma once

#include <stdint.h>

#include "generated/bootinfo.h"

/* ---- system calls (number in r7) -------------------------------------------------------- */
enum l4_syscall {
    L4_SYS_IPC = 0,             /* r0 to, r1 from-spec, r2 send timeout, r12 receive timeout */
    L4_SYS_THREAD_CONTROL = 1,
    L4_SYS_SPACE_CONTROL = 2,
    L4_SYS_EXCHANGE_REGISTERS = 3,
    L4_SYS_THREAD_SWITCH = 4,
    L4_SYS_SCHEDULE = 5,
    L4_SYS_UNMAP = 6,
    L4_SYS_SYSTEM_CLOCK = 7,
    L4_SYS_INTERRUPT_CONTROL = 8,
    L4_SYS_KDEBUG = 9,          /* privileged: statistics, trace, IRQ injection, kernel memory */
    L4_SYS_COUNT
};

/* ---- errors, returned in r1 (0: success) ------------------------------------------------ */
enum l4_error {
    L4_OK = 0,
    L4_ERR_TIMEOUT = 1,         /* IPC: the timeout expired */
    L4_ERR_NO_PARTNER = 2,      /* IPC: partner does not exist (or was deleted meanwhile) */
    L4_ERR_CANCELED = 3,        /* IPC: canceled by ExchangeRegisters or deletion */
    L4_ERR_OVERFLOW = 4,        /* IPC: message does not fit */
    L4_ERR_NO_PRIVILEGE = 5,    /* caller may not do this */
    L4_ERR_INVALID_THREAD = 6,
    L4_ERR_INVALID_SPACE = 7,
    L4_ERR_INVALID_ARGUMENT = 8,
    L4_ERR_NO_MEMORY = 9,       /* kernel memory exhausted */
    L4_ERR_BAD_SYSCALL = 10,    /* no such system call */
    L4_ERR_BUSY = 11,           /* already attached, already exists */
};
/* IPC errors in r1 also say which phase failed: bit 0 set for the receive phase. */
#define L4_IPC_ERROR(code, recv)  ((uint32_t)(code) << 1 | (recv))
#define L4_IPC_ERROR_CODE(r1)     ((r1) >> 1)

/* ---- thread IDs ------------------------------------------------------------------------- */
typedef uint32_t l4_tid_t;
/* A global ID is a thread number (18 bits) and a version (14 bits).  Numbers below
 * L4_FIRST_THREAD name interrupt lines (version 1). */
#define L4_TID(number, version)  ((l4_tid_t)(number) << 14 | ((version) & 0x3fff))
#define L4_TID_NUMBER(tid)       ((tid) >> 14)
#define L4_TID_VERSION(tid)      ((tid) & 0x3fff)
#define L4_NILTHREAD             ((l4_tid_t)0)
#define L4_ANYTHREAD             ((l4_tid_t)0xffffffffu)
#define L4_FIRST_THREAD          256u
#define L4_IRQ_TID(irq)          L4_TID(irq, 1)
/* Boot module i runs as thread number L4_FIRST_THREAD + 32 i and may create threads with the
 * 31 numbers after it. */
#define L4_MODULE_THREADS        32u
#define L4_THREAD_SLOTS          512u        /* thread numbers L4_FIRST_THREAD and the 511 after it */
#define L4_MODULE_TID(i)         L4_TID(L4_FIRST_THREAD + L4_MODULE_THREADS * (i), 1)

/* ---- message tag (MR0) ------------------------------------------------------------------ */
#define L4_TAG(label, untyped, typed)  ((uint32_t)(label) << 16 | (uint32_t)(typed) << 6 | (untyped))
#define L4_TAG_LABEL(tag)        ((tag) >> 16)
#define L4_TAG_UNTYPED(tag)      ((tag) & 0x3f)
#define L4_TAG_TYPED(tag)        (((tag) >> 6) & 0x3f)
/* Propagation: a thread sends on behalf of another thread of its own space, and a receiver
 * waiting for that one takes it (it sees that thread as the sender). */
#define L4_TAG_PROPAGATE         (1u << 12)
#define L4_MR_COUNT              64
#define L4_MR_IN_REGISTERS       8

/* Labels of the messages the kernel sends on a thread's behalf. */
#define L4_LABEL_INTERRUPT       0xfff0u     /* from an interrupt ID; no words */
#define L4_LABEL_PAGEFAULT       0xffe0u     /* | rwx; MR1 address, MR2 pc */
#define L4_LABEL_EXCEPTION       0xffd0u     /* MR1.. the registers (struct l4_exc_regs) */
#define L4_LABEL_SYSCALL         0xffc0u     /* SVC of a foreign-ABI thread; same layout */
/* The reply to an exception: label 0 resumes with the registers in MR1.., this label leaves
 * the thread stopped. */
#define L4_LABEL_STOP            0xfffeu

/* Exception message layout: MR1..MR17 are r0-r12, sp, lr, pc, cpsr; MR18 the exception kind;
 * MR19 the fault status; MR20 the fault address. */
enum l4_exc_word {
    L4_EXC_R0 = 1, L4_EXC_SP = 14, L4_EXC_LR = 15, L4_EXC_PC = 16, L4_EXC_CPSR = 17,
    L4_EXC_KIND = 18, L4_EXC_FSR = 19, L4_EXC_FAR = 20,
    L4_EXC_WORDS = 20
};
enum l4_exc_kind {
    L4_EXC_UNDEFINED = 1, L4_EXC_SVC = 2, L4_EXC_PREFETCH_ABORT = 3, L4_EXC_DATA_ABORT = 4,
    L4_EXC_ALIGNMENT = 5,
    /* a page fault whose pager answered with a mapping the kernel could not make (the domain's
     * kernel memory is spent, or the pager does not hold the page): raised instead of letting
     * the thread fault again for ever; FAR is the faulting address */
    L4_EXC_MAP_FAILED = 6,
};

/* ---- typed items and flexpages ---------------------------------------------------------- */
/* A flexpage: base aligned to its size, log2 size in bits 4..9, rights in bits 0..2. */
#define L4_FPAGE(base, log2size, rights) ((uint32_t)(base) | (uint32_t)(log2size) << 4 | (rights))
#define L4_FPAGE_BASE(fp)        ((fp) & ~0xfffu)
#define L4_FPAGE_LOG2(fp)        (((fp) >> 4) & 0x3f)
#define L4_FPAGE_RIGHTS(fp)      ((fp) & 7u)
#define L4_NILPAGE               0u
#define L4_COMPLETE              L4_FPAGE(0, 32, 7)    /* the whole address space */
#define L4_READ                  4u
#define L4_WRITE                 2u
#define L4_EXEC                  1u
#define L4_RWX                   7u
/* A map or grant item is two words: the send hot spot with the item type, then the fpage. */
#define L4_ITEM_MAP              0x8u
#define L4_ITEM_GRANT            0xau
#define L4_ITEM_TYPE(w0)         ((w0) & 0xeu)

/* ---- timeouts (microseconds) ------------------------------------------------------------ */
#define L4_NEVER                 0xffffffffu
#define L4_ZERO                  0u

/* ---- ThreadControl: r0 dest, r1 space (a thread in it, or = dest to make a new space), r2
 * scheduler, r3 pager, r4 exception handler, r5 flags.  r1 = nil deletes the thread. ------- */
#define L4_TC_FOREIGN_ABI        (1u << 0)   /* every SVC goes to the exception handler */
#define L4_TC_PRIVILEGED         (1u << 1)   /* may use ThreadControl, SpaceControl, InterruptControl,
                                              * KDebug: within its domain's rights */
#define L4_TC_KEEP               0xffffffffu /* in r2/r3/r4: leave unchanged */

/* ---- ExchangeRegisters: r0 dest, r1 control, r2 sp, r3 pc, r4 flags/cpsr, r5 user handle,
 * r6 pager, r8 tls.  Returns the old values in the same registers and r0 = dest. -------------- */
#define L4_XR_SP                 (1u << 0)
#define L4_XR_PC                 (1u << 1)
#define L4_XR_FLAGS              (1u << 2)
#define L4_XR_USER               (1u << 3)
#define L4_XR_PAGER              (1u << 4)
#define L4_XR_TLS                (1u << 5)
#define L4_XR_HALT               (1u << 6)   /* stop the thread */
#define L4_XR_RESUME             (1u << 7)   /* start or resume it */
#define L4_XR_ABORT              (1u << 8)   /* cancel an IPC it is blocked in */

/* Thread states, as ExchangeRegisters (r9, the old state) and KDebug's thread list give them. */
#define L4_STATE_INACTIVE        1u          /* new, halted, or stopped after a fault */
#define L4_STATE_READY           2u          /* running or runnable */
#define L4_STATE_SEND            3u          /* in the send phase of an IPC */
#define L4_STATE_RECV            4u          /* in the receive phase */

/* ---- Unmap: r0 fpage, r1 flags ---------------------------------------------------------- */
#define L4_UNMAP_SELF            (1u << 0)   /* also remove the caller's own mapping */
/* Rights in the fpage are the rights to take away from derived mappings: L4_WRITE alone
 * leaves them readable, L4_RWX removes them. */

/* ---- SpaceControl: r0 op, r1 a thread of the space (or a domain) --------------------------- */
#define L4_SC_DELETE             1u          /* delete the space of thread r1 */
/* The root domain only: configure domain r1 (see "Domains" in docs/kernel-api.md): r2 its first
 * thread number, r3 how many, r4 reach (bit d: may send IPC to domain d), r5 highest priority,
 * r6 rights (L4_DR_*), r8 kernel memory in bytes (reserved once; L4_TC_KEEP keeps it), r9 the
 * most spaces it may have. */
#define L4_SC_DOMAIN             2u
/* The root domain only: delete every space of domain r1, the threads in them and what is mapped
 * there.  Like every long operation it stops at preemption points and is restarted by the kernel
 * (kernel/preempt.h): the caller sees one call. */
#define L4_SC_DELETE_DOMAIN      3u
/* r1 a thread: r0 its domain, r2 the domain's free kernel memory, r3 its spaces. */
#define L4_SC_QUERY              4u

/* ---- domains: rights (SpaceControl L4_SC_DOMAIN, r6) ---------------------------------------- */
#define L4_MAX_DOMAINS           16u
#define L4_ROOT_DOMAIN           0u          /* sigma0 and the root task: every right */
#define L4_DR_DEBUG              (1u << 0)   /* KDebug beyond console output and naming its threads */
#define L4_DR_CONFIG             (1u << 1)   /* configure domains, assign interrupts, act anywhere */

/* ---- InterruptControl: r0 irq, r1 op (attach the caller, detach, the user timer) -------- */
#define L4_IRQ_ATTACH            1u
#define L4_IRQ_DETACH            2u
/* The user timer's line only (the board's BOARD_IRQ_VTIMER), by its attached handler: arm it to
 * fire once when the counter (CNTVCT) reaches r2 (low) | r3 (high) << 32, or disarm it.  Each
 * expiry disarms it and arrives as the line's interrupt message. */
#define L4_IRQ_TIMER_ARM         3u
#define L4_IRQ_TIMER_CANCEL      4u
/* The root domain only: line r0 may be attached by threads of domain r2 (at boot: the root
 * domain's). */
#define L4_IRQ_ASSIGN            5u

/* ---- KDebug: r0 op, r1.. arguments ------------------------------------------------------ */
enum l4_kdebug_op {
    L4_KD_STATS = 1,            /* r1 buffer (UTCB-relative words): fills MRs with counters */
    L4_KD_THREAD_INFO = 2,      /* r1 table index: MR0 next index, MR1 id, MR2 state, MR3 prio,
                                 * MR4 flags, MR5 space, MR6 pager, MR7 exception handler,
                                 * MR8/9 cycles, MR10 stop reason, MR11 pc, MR12-14 name,
                                 * MR15 partner, MR16 fault address, MR17 system calls */
    L4_KD_TRACE_READ = 3,       /* r1 index: copy trace events into MRs */
    L4_KD_INJECT_IRQ = 4,       /* r1 irq: set it pending at the interrupt controller; MR0 gets
                                 * the cycle counter at that moment */
    L4_KD_READ_KERNEL = 5,      /* r1 kernel address, r2 words: copy into MRs */
    L4_KD_PUTS = 6,             /* polled console output of MR words (panic path, tests) */
    L4_KD_SET_NAME = 7,         /* r1 thread, MR1..MR3 the name (12 bytes) */
    L4_KD_TRACE_CONTROL = 8,    /* r1: 1 record events, 0 stop; r0 next index, r2 old state */
    L4_KD_RESET = 9,            /* re-enter the bootloader, as a reset would */
};

/* ---- layout of user memory the kernel provides ------------------------------------------ */
#define L4_PAGE_SIZE             4096u
#define L4_USER_TOP              0x80000000u /* user addresses are below */
#define L4_UTCB_AREA             0x7e000000u /* thread number n's UTCB: area + (n-256)*4K */
#define L4_KIP_ADDRESS           0x7f000000u

struct l4_utcb {
    uint32_t mr[L4_MR_COUNT];   /* message registers (MR0..MR7 travel in CPU registers) */
    uint32_t br[8];             /* buffer registers: br[0] is the receive window (fpage) */
    l4_tid_t my_id;
    l4_tid_t pager;
    l4_tid_t exception_handler;
    uint32_t user_handle;
    uint32_t processor;
};

#define L4_KIP_MAGIC             0x4b495034u /* "4PIK" read little-endian: 'K','I','P','4' */

struct l4_kip {
    uint32_t magic;
    uint32_t api_version;
    uint32_t build_id[5];       /* the image's (the kernel and its boot modules), as packed */
    uint32_t cycle_hz;          /* PMCCNTR rate */
    uint32_t timer_hz;          /* the generic timer's counter rate (CNTFRQ) */
    uint32_t tick_us;           /* scheduling tick */
    uint32_t ram_base, ram_size;
    uint32_t kernel_base, kernel_size;   /* physical memory the kernel keeps */
    uint32_t free_base, free_size;       /* physical memory sigma0 owns */
    uint32_t device_base, device_size;   /* device window sigma0 hands out */
    uint32_t rootfs_base, rootfs_size;   /* the root file system partition in flash (read-only) */
    uint32_t data_base, data_size;       /* the persistent disk partition in flash (read-write) */
    uint32_t slots_base, slot_size, slot_count; /* the image slots in flash: the first page of
                                                 * each (its header and boot state) is the one
                                                 * part sigma0 gives out, to confirm a boot */
    uint32_t syscall_entry;     /* how to enter: 0 = svc #0 with the number in r7 */
    uint32_t boot_slot;         /* the flash slot the kernel was booted from */
    l4_tid_t sigma0, root_task;
    struct boot_info boot;      /* the boot modules (generated/bootinfo.h) */
};
