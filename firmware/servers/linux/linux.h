/*
 * The Linux server: a paravirtualized Linux personality on L4.  Linux processes are L4 threads
 * with the foreign-ABI flag, each alone in its address space; this server is their pager and
 * their exception handler, so every system call and every fault of a process arrives here as a
 * message, and the reply (now, or later for a call that blocks) carries the result.
 *
 * Each process has two page tables, as the seed paper describes: the kernel's, which this server
 * fills by mapping frames from its own pool, and its own (struct pt below), which says which
 * frame backs each page, with which rights, shared copy-on-write or not.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "l4.h"
#include "lib/string.h"
#include "uapi.h"

#define PAGE            4096u
#define PAGE_MASK       (~(PAGE - 1))

/* ---- frames: the server's pool of physical memory ---------------------------------------- */

/* The pool is one block from sigma0, mapped 1:1 in our space. */
void frames_init(uint32_t base, uint32_t size);
uint32_t frame_alloc(void);                 /* a zeroed frame's address, or 0 */
void frame_get(uint32_t frame);             /* one more page table refers to it */
void frame_put(uint32_t frame);             /* one fewer: freed at zero */
/* `frame` is kept in the file slot `slot` as a copy of the archive while it is mapped (NULL: not
 * any more): when the last mapping lets it go, frame_put empties the slot and frees it. */
void frame_cache(uint32_t frame, uint32_t *slot);
uint32_t frame_refs(uint32_t frame);
uint32_t frames_free(void);
uint32_t frames_total(void);
/* Counters the host reads (LINUX_STATS): calls and faults handled, processes killed because the
 * pool ran dry, and the calls answered -ENOSYS by number (511: any number above). */
extern uint32_t stat_syscalls, stat_page_faults, stat_oom_kills, unknown_syscalls[512];
/* Below this many free frames, fork, exec and new mappings are refused. */
#define LOW_MEMORY  512u

/* ---- a process's memory ----------------------------------------------------------------- */

#define VM_READ     L4_READ
#define VM_WRITE    L4_WRITE
#define VM_EXEC     L4_EXEC
#define VM_RWX      (VM_READ | VM_WRITE | VM_EXEC)
#define VM_SHARED   0x100u          /* anonymous MAP_SHARED: its frames are the same in every
                                     * process that inherits it (never copied on write) */

struct inode;

/* A region of a process's address space: anonymous (zero-filled) or backed by a file (a private
 * mapping: pages are filled from the file on first touch, and the region holds a reference to
 * the inode). */
struct vma {
    uint32_t start, end;            /* page aligned */
    uint32_t prot;                  /* VM_* */
    struct inode *file;             /* the file, or NULL */
    uint32_t file_offset;           /* the file offset that lands at file_vaddr... */
    uint32_t file_size;             /* ...and how many of its bytes do (after them: zeros) */
    uint32_t file_vaddr;            /* (before it: zeros) */
};

#define MAX_VMAS    (PAGE / sizeof(struct vma))     /* a frame of them (146): a dynamically
                                                 * linked program has four or five per library */

/* The server's own page table of a process: a frame (and bits) per page, two levels. */
#define PTE_PRESENT 1u
#define PTE_WRITE   2u              /* the process may write it (after copy-on-write) */
#define PTE_COW     4u              /* shared with another process until written */

#define PT_SPAN     (4u << 20)      /* one second-level table (a frame of 1024 entries) */

#define PT_CHUNK    64u             /* entries a bit of pt.used covers (256 KiB) */

struct pt {
    uint32_t *dir[512];             /* per 4 MiB of the 2 GiB: a table, or NULL */
    /* per table: bit k set once an entry of [k * PT_CHUNK, (k + 1) * PT_CHUNK) may have held a
     * page, so that a fork and an exit look only there (a program's pages sit in a few places
     * of each table: its image and heap, the stack's top, the regions mmap put together) */
    uint16_t used[512];
};

struct mm {
    struct pt pt;
    struct vma *vma;                /* a frame of MAX_VMAS, nvma of them in use */
    unsigned nvma;
    uint32_t brk_start, brk;        /* the heap */
    uint32_t mmap_next;             /* where the next anonymous mapping goes (down) */
    uint32_t pages;                 /* resident pages */
};

/* Where mmap puts what it is not told where to put: below MMAP_TOP, downwards, never below the
 * heap's room (MAX_HEAP above brk_start) nor MMAP_FLOOR. */
#define MMAP_TOP        0x70000000u
#define MMAP_FLOOR      0x01000000u
#define MAX_HEAP        (256u << 20)
/* A free stretch of `len` bytes for mmap (or mremap's move): below the last one when there is
 * room (mmap_next), else the highest gap between the regions; 0 when none is left. */
uint32_t mm_unmapped_area(struct mm *mm, uint32_t len);
struct mm *mm_new(void);
/* Free a memory map.  `mapped`: the process's space still holds mappings of its pages (an exec
 * replacing its program), which are revoked; 0 when the space is gone or never ran (an exit
 * deletes the space first, and with it every mapping: a frame another process shares stays
 * mapped there). */
void mm_free(struct mm *mm, int mapped);
struct vma *mm_find(struct mm *mm, uint32_t addr);
int mm_add(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot);
/* Join `v`, an anonymous private region, with the anonymous private regions of the same rights
 * that touch it (and those with theirs), as Linux merges neighbouring anonymous mappings: a
 * program that maps as it goes (an allocator's arenas, thread stacks) would otherwise run out
 * of regions.  Pages are kept per page, so only the bookkeeping changes; `v` and every other
 * pointer into mm->vma may move. */
void mm_merge(struct mm *mm, struct vma *v);
void mm_remove(struct mm *mm, l4_tid_t t, uint32_t start, uint32_t end);
/* mprotect: regions of [start, end) get `prot` (VM_*); 0, or -1 when part of the range is not
 * mapped or the regions would not fit.  Rights taken away leave the process's kernel mappings. */
int mm_protect(struct mm *mm, uint32_t start, uint32_t end, uint32_t prot);
/* mremap: the region at [old, old + old_len) (inside one region) made new_len long, in place
 * when it can, else (may_move) moved, its pages with it, below the other mappings or to `fixed`
 * (not 0: MREMAP_FIXED, what was there unmapped).  Its new address, or -EFAULT (not one
 * region), -ENOMEM (no room, and not allowed to move), -EINVAL. */
int mm_remap(struct mm *mm, uint32_t old, uint32_t old_len, uint32_t new_len, int may_move,
             uint32_t fixed);
/* Give every page of [start, end) its frame now (anonymous MAP_SHARED: a page first touched
 * after a fork must be the same in both processes).  0, or -1 when the pool ran dry. */
int mm_populate(struct mm *mm, uint32_t start, uint32_t end);
/* The frame behind `addr` after making it present (and private if `write`); 0 when the access is
 * not allowed.  `t`, when not nil, is the process thread, whose kernel mapping is kept in step. */
uint32_t mm_touch(struct mm *mm, l4_tid_t t, uint32_t addr, uint32_t rwx);
/* Fault-around, as Linux maps a file's neighbouring pages with the one a read faulted on: the
 * pages of `addr`'s aligned FAULT_AROUND window in its private read-only file region (neither
 * code nor writable data) that are not present
 * and are the file's own frames, made present (read-only, shared with the file) into pages[] and
 * frames[] (at most `max`); how many.  The caller maps them with the faulting page. */
#define FAULT_AROUND    (16 * PAGE)
int mm_fault_around(struct mm *mm, uint32_t addr, uint32_t *pages, uint32_t *frames, unsigned max);
/* Copy to and from a process's memory, faulting pages in; -1 when an address is bad. */
int mm_copy_in(struct mm *mm, l4_tid_t t, void *dst, uint32_t src, uint32_t len);
int mm_copy_out(struct mm *mm, l4_tid_t t, uint32_t dst, const void *src, uint32_t len);
/* A copy of `mm` for fork: pages are shared copy-on-write (write rights taken from the
 * parent's kernel mapping through Unmap), but those of VM_SHARED regions, which stay shared. */
struct mm *mm_fork(struct mm *mm);

/* Copy a NUL-terminated string of at most `max` bytes (terminator included); -1 if too long or bad. */
int mm_copy_string(struct mm *mm, l4_tid_t t, char *dst, uint32_t src, uint32_t max);

/* ---- processes -------------------------------------------------------------------------- */

#define MAX_PROCS   199
#define MAX_FDS     1024            /* RLIMIT_NOFILE's soft limit on Linux */

enum proc_state { P_FREE = 0, P_RUNNING, P_BLOCKED, P_ZOMBIE };

/* Why a process's reply is deferred. */
enum block_reason { B_NONE = 0, B_WAIT, B_SLEEP, B_PIPE, B_CONSOLE, B_LOCK,
                    B_STOPPED,          /* stopped with its reply held until SIGCONT */
                    B_FUTEX,            /* in futex's wait: on `futex`, until wake_us */
                    B_READY,            /* until a file is ready, then the call is made again
                                         * (poll_wait_file: accept, an eventfd, a datagram) */
                    B_EXITED,           /* the leader, ended while other threads go on: its
                                         * slot stays, never answered, until they end */
                    B_SIGWAIT,          /* in rt_sigtimedwait: for a signal of sig_wait_set,
                                         * until wake_us (~0: none) */
                    B_VFORK };          /* in vfork (clone's CLONE_VFORK) until the child
                                         * (vfork_child) execs or ends; only SIGKILL ends it */

struct file;

/* What a process waits on in poll, ppoll, select, pselect6 or epoll_wait (sys_poll.c), or, in
 * B_READY, for one file to be ready before its call is made again. */
struct poller {
    uint8_t active, select, masked;     /* waiting; select's sets (else pollfds); a mask set */
    uint32_t addr, n;                   /* poll: the pollfds and how many; select: n = nfds;
                                         * epoll_wait: the events and maxevents */
    uint32_t sets[3];                   /* select: read, write and except sets (0: none);
                                         * B_READY: sets[0] the events it waits for */
    struct file *file;                  /* epoll_wait's epoll, B_READY's file: a reference
                                         * while it waits */
};

/* A file lock asked for (sys_lock.c): its inode (while the process waits for it), owner, type
 * (F_RDLCK, F_WRLCK, F_UNLCK), kind and byte range [start, end]. */
struct lock_request {
    struct inode *ino;
    const void *owner;
    int pid;
    uint8_t type, kind;
    uint64_t start, end;
};

/* Who a process acts as: real, effective, saved and file-system IDs (in that order, as
 * sys_cred.c relies on) and the supplementary groups. */
#define NGROUPS     64
struct cred {
    uint32_t uid, euid, suid, fsuid;
    uint32_t gid, egid, sgid, fsgid;
    uint32_t ngroups, groups[NGROUPS];
};

/* What wait4 or waitid asks: which children (P_ALL, P_PID id, P_PGID id), which of their
 * changes (WEXITED, WSTOPPED, WCONTINUED; WNOHANG, WNOWAIT), and where the answer goes:
 * wait4's status, or waitid's siginfo (0: nowhere), and the child's rusage (0: nowhere). */
struct wait_request {
    uint32_t idtype;
    int id;
    uint32_t options;
    uint32_t waitid;                /* waitid: 0 on success and the siginfo; wait4: the pid */
    uint32_t status, info, rusage;
};

/* Who sent a signal, for its siginfo: si_code (SI_USER, SI_KERNEL, CLD_*, a fault's), the
 * sender's pid (a fault's si_addr, the same word) and real uid (SIGCHLD: the child's) and, for
 * SIGCHLD, si_status. */
struct sig_origin {
    int32_t code, pid;
    uint32_t uid;
    int32_t status;
};

/* A Linux thread.  A process is a group of them sharing one memory map; its first thread, the
 * leader, holds what the process owns (descriptors, signal actions, directory, credentials,
 * limits, group and session, parent, /proc identity, timers), which every thread reaches through
 * `leader` (itself for the leader): the fields marked "process" below are the leader's alone.
 * pid is the process's ID in every thread; ltid is the thread's own (gettid), equal to pid in
 * the leader.  The leader's slot lives until its last thread ends, as Linux's does. */
struct proc {
    /* what the exception thread reads on every system call, first: within reach of a load's
     * offset from the entry's address */
    enum proc_state state;
    l4_tid_t tid;
    uint32_t starting;                  /* a forked child: its first trap takes these regs */
    uint32_t interrupted;               /* sent to the trampoline to take a signal (proc_interrupt) */
    uint32_t regs[18];                  /* MR1..MR17 of its last system call: r0-r12, sp, lr, pc, cpsr */
    uint32_t regs_changed;              /* more than r0 changed: the reply carries every register */
    uint32_t sig_pending, sig_blocked;  /* signals pending for the thread, and those it blocks */
    struct proc *leader;
    int ltid;
    uint32_t nthreads;                  /* process: its threads that have not ended */
    /* process: descriptors, and what fork passes on of files */
    struct file *fd[MAX_FDS];
    uint32_t fd_top;                    /* none open at or above it (what the loops look at) */
    uint32_t cloexec[MAX_FDS / 32];     /* a bit per descriptor */
    uint32_t umask;                     /* inherited on fork; 022 for a process the server starts */
    uint32_t host_started;              /* started by the host (SHELL): report its end */
    int pid, ppid;                      /* (ppid: process) */
    int pgid, sid;                      /* process: process group and session */
    struct cred cred;                   /* process */
    struct poller poller;
    struct mm *mm;
    char cwd[256];                  /* process */
    char comm[16];                  /* the thread's name (the leader's: the process's) */
    char exe[64];                   /* process: the program's path, links resolved (/proc/PID/exe) */
    char cmdline[128];              /* process: argv, each NUL-terminated (/proc/PID/cmdline) */
    uint32_t cmdline_len;
    int exit_status;                /* wait status, once a zombie */
    uint32_t saved_pc, saved_cpsr;  /* where it was then */
    enum block_reason blocked;
    struct wait_request wait;       /* B_WAIT: what it waits for */
    int vfork_child;                /* B_VFORK: the child */
    /* CLONE_VM without CLONE_THREAD (vfork, posix_spawn): the process runs in another's memory
     * map and L4 space, which it does not own, until it execs or ends; vfork_waiter is the
     * thread (ltid) waiting in B_VFORK for that */
    uint8_t borrows_mm;
    int vfork_waiter;
    uint64_t wake_us;               /* B_SLEEP, B_FUTEX */
    uint32_t tls;
    uint32_t clear_child_tid;       /* set_tid_address: zeroed and woken (futex) when it ends */
    uint32_t robust_list;           /* set_robust_list's head (kept, not walked) */
    /* B_FUTEX: the futex's key (the memory map and address of a private one; NULL and the
     * frame's address of one in shared memory), the wait's bitset, and its turn in the queue */
    const void *futex_mm;
    uint32_t futex_addr, futex_bits, futex_seq;
    /* signals (what is pending and blocked is above): handler, flags, restorer and mask per
     * signal (process) */
    uint32_t sig_saved_mask;            /* the mask to restore after rt_sigsuspend's handler */
    uint32_t sig_suspended;
    /* B_SIGWAIT: the signals it waits for, where their siginfo goes (0: nowhere); its mask from
     * before the call is in sig_saved_mask */
    uint32_t sig_wait_set, sig_wait_info;
    /* who sent each pending signal (signal_pend): kept from the first, as Linux keeps one
     * siginfo of a classic signal */
    struct sig_origin sig_from[32];
    /* the thread's alternate signal stack (sigaltstack): none while ss_size is 0; ss_flags as
     * the thread set them (SS_AUTODISARM is the one that acts) */
    uint32_t ss_sp, ss_size, ss_flags;
    struct sigaction_k {
        uint32_t handler, flags, restorer, mask;
    } sig[33];
    /* ---- the process model's state beyond the above (sys_proc.c, sys_info.c, signal.c) ---- */
    /* a read or write done in pieces (sys_file.c): the call is entered again for the rest */
    uint32_t io_cont, io_done;
    uint8_t io_nosignal, io_nonblock;   /* send/recv's MSG_NOSIGNAL, MSG_DONTWAIT for this call */
    uint32_t sleep_rem, sleep_rem64;    /* nanosleep: where the time left goes on EINTR */
    uint64_t alarm_us, alarm_period_us; /* process: ITIMER_REAL: when SIGALRM is due (0: off),
                                         * its period */
    /* process: resource limits (RLIMIT_*), inherited; RLIMIT_NOFILE bounds the descriptor table */
    struct { uint32_t cur, max; } rlim[16];
    int nice;                           /* process: -20..19, inherited on fork (Linux keeps one per thread) */
    /* the thread's scheduling policy (SCHED_*) and real-time priority, as sched_setscheduler
     * set them: kept and reported, not acted on (sys_sched.c) */
    struct sched_k {
        uint8_t policy, priority, reset_on_fork;
    } sched;
    /* job control: stopped by SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU (its reply, if one is due, waits
     * in p->regs: B_STOPPED), and what wait4 has to report of it (WUNTRACED, WCONTINUED) */
    uint32_t stopped;
    uint32_t wait_report;               /* a wait status: stopped (sig << 8 | 0x7f), 0xffff */
    struct lock_request lock;           /* B_LOCK: the lock it waits for */
    /* B_PIPE: the pipe it waits on, the next in that pipe's queue, what is left of its request
     * and what the call moved before (pipe_base: earlier pieces or iovecs) and while it waited */
    struct pipe *pipe_on;
    struct proc *pipe_next;
    uint32_t pipe_addr, pipe_len, pipe_write, pipe_base, pipe_done;
    /* CPU time in milliseconds: user and system, taken from the kernel when it ends (a
     * zombie's: all its threads'), and its waited-for children's (with theirs: process), added
     * when they are reaped */
    uint32_t utime_ms, stime_ms, cutime_ms, cstime_ms;
    uint32_t gone_utime_ms, gone_stime_ms;      /* process: its ended threads' */
};

#define SIG_DFL     0u
#define SIG_IGN     1u

/* Mark `sig` pending for `p` and, if it waits in a call that a signal interrupts, end that call
 * with -EINTR so the signal is taken now.  The server sends it (si_code SI_KERNEL). */
void signal_send(struct proc *p, int sig);
/* As signal_send, from `from` (kill's sender, a child's SIGCHLD). */
void signal_send_from(struct proc *p, int sig, const struct sig_origin *from);
/* signal_send_from is for `p`'s process: one of its threads takes it.  This one is for thread
 * `p` (tgkill, a fault's signal). */
void signal_send_thread(struct proc *p, int sig, const struct sig_origin *from);
/* Mark `sig` pending for thread `p`, from `from`, unless it is pending already (the first
 * sender's siginfo stays, as Linux keeps one of a classic signal). */
void signal_pend(struct proc *p, int sig, const struct sig_origin *from);
/* kill's and tgkill's siginfo, and a write's SIGPIPE: SI_USER from `p`. */
struct sig_origin signal_user(const struct proc *p);
/* The siginfo of `sig`, pending for `p`, as Linux lays it out (32 words). */
void signal_info(const struct proc *p, int sig, uint32_t info[32]);
/* After `p`'s mask lost signals (rt_sigsuspend, ppoll's mask): those pending, now unblocked,
 * whose action is to ignore them are let go, as Linux's dequeue lets them go. */
void signal_drop_ignored(struct proc *p);
/* `p`, in rt_sigtimedwait (B_SIGWAIT), has a signal of its set pending: the call ends with it. */
void signal_wait_end(struct proc *p);
/* Mark `sig` pending for `p`, which is in a call to us (taken on the way out) unless it is
 * ignored: a write to a pipe with no reader raises SIGPIPE this way. */
void signal_raise(struct proc *p, int sig);
/* Before replying to `p`: take a pending, unblocked signal (run its handler, or its default
 * action).  Returns 1 when `p` is gone.  Inline: most replies find none. */
int signal_take(struct proc *p, uint32_t ready);

/* Which of the signals `set` (not empty) is taken first, as Linux's next_signal picks it: a
 * synchronous one (a fault's: SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS), else the
 * lowest number. */
static inline int signal_next(uint32_t set)
{
    const uint32_t sync = 1u << (SIGSEGV - 1) | 1u << (SIGBUS - 1) | 1u << (SIGILL - 1) |
                          1u << (SIGTRAP - 1) | 1u << (SIGFPE - 1) | 1u << (SIGSYS - 1);

    return __builtin_ctz(set & sync ? set & sync : set) + 1;
}

/* The signals `p` would take now: pending and not blocked (SIGKILL cannot be). */
static inline uint32_t signal_ready(const struct proc *p)
{
    return p->sig_pending & (~p->sig_blocked | 1u << (SIGKILL - 1));
}

static inline __attribute__((always_inline)) int signal_deliver(struct proc *p)
{
    uint32_t ready = signal_ready(p);

    return ready ? signal_take(p, ready) : 0;
}

/* `p`'s system call is made again when it runs next: its pc back to the SVC (2 bytes in Thumb
 * state), its arguments still in its registers. */
static inline void call_again(struct proc *p)
{
    p->regs[15] -= p->regs[16] & 0x20 ? 2 : 4;
    p->regs_changed = 1;
}
/* Job control: `c` stopped or continued (wait status `status`): its parent's wait4 learns it
 * (with WUNTRACED, WCONTINUED), and gets SIGCHLD unless it asked for none (SA_NOCLDSTOP). */
void proc_report(struct proc *c, uint32_t status);
/* rt_sigreturn: restore the registers saved when the handler was entered, and the alternate
 * stack as it was then. */
int signal_return(struct proc *p);
/* sigaltstack for thread `p`, as Linux's do_sigaltstack: `old` (if not NULL) gets its stack_t
 * (ss_sp, ss_flags, ss_size) as seen from stack pointer `sp`; `ss` (if not NULL) becomes the
 * alternate stack unless `sp` is on the current one (-EPERM), the mode is not 0, SS_ONSTACK or
 * SS_DISABLE (-EINVAL) or the stack is smaller than MINSIGSTKSZ (-ENOMEM). */
int signal_altstack(struct proc *p, const uint32_t ss[3], uint32_t old[3], uint32_t sp);

extern struct proc procs[MAX_PROCS];
extern l4_tid_t linux_server, linux_pager;      /* the exception thread, the pager thread */

/* One lock serialises the server's threads (they share every table): each holds it while it
 * handles a message, never while it waits for one. */
void server_lock(void);
void server_unlock(void);

struct proc *proc_by_tid(l4_tid_t t);
/* The process `pid` (its leader), or NULL. */
struct proc *proc_by_pid(int pid);
/* The thread whose Linux thread ID is `ltid` (not a zombie), or NULL. */
struct proc *thread_by_ltid(int ltid);
/* Start the program at `path` as a new process (the first: pid 1). */
int proc_spawn(const char *path, char *const argv[], char *const envp[]);
/* Reply to a process's pending system call with result `r0` (its other registers as they were,
 * or as the call changed them in p->regs) and let it run. */
void proc_resume(struct proc *p, uint32_t r0);
/* As proc_resume, but what is pending is taken when `p` runs next, not now: it traps back at
 * once through the trampoline.  So a process that a signal ends dies after the sender goes on,
 * as on Linux, where the sender's kill returns before its target has run to its end. */
void proc_resume_later(struct proc *p, uint32_t r0);
/* Send `p` its registers as they are in p->regs and let it run. */
void proc_reply(struct proc *p);
/* `p`'s CPU time so far, in milliseconds: the time its thread ran (user) and the time the
 * server's threads spent on its calls and faults (system), as the kernel's tick sampled them. */
void proc_cpu_time(const struct proc *p, uint32_t *user_ms, uint32_t *sys_ms);
/* End `p`'s process (every thread of it) with wait status `status`. */
void proc_exit(struct proc *p, int status);
/* exit: the thread `p` ends (its clear_child_tid zeroed and woken); with the last, the process. */
void thread_exit(struct proc *p, int status);
/* clone of a thread in `p`'s process: its thread ID or -errno.  It starts with p's registers
 * but r0 = 0 and, if given, the stack `stack` and the TLS `tls` (CLONE_SETTLS). */
int thread_clone(struct proc *p, uint32_t flags, uint32_t stack, uint32_t ptid, uint32_t tls,
                 uint32_t ctid);
/* Wake up to `n` threads waiting on the futex at `addr` of `p`'s memory, with a bit of `bits`
 * in their wait's bitset: how many, or -errno (sys_thread.c).  futex_forget: `p` no longer
 * waits on one (a signal or its end took it out). */
int futex_wake(struct proc *p, uint32_t addr, uint32_t n, uint32_t bits);
void futex_forget(struct proc *p);
/* wait4 and waitid, as `q` asks: the answer (wait4: a child's pid, waitid: 0; 0 also for
 * WNOHANG with none yet), -errno, or 1 << 30 when the caller now waits. */
int proc_wait(struct proc *p, const struct wait_request *q);
/* The end of a wait with nothing to report (WNOHANG) or an error `result`: waitid's siginfo (if
 * any) zeroed, as Linux writes it.  `result`, or -EFAULT. */
int proc_wait_none(struct proc *p, const struct wait_request *q, int result);
/* A child's wait status as SIGCHLD's and waitid's siginfo give it (CLD_*, si_status). */
struct sig_origin child_origin(const struct proc *c, uint32_t status);
/* A struct rusage of `user_ms`, `sys_ms` and `maxrss_kb` at `addr` of `p`: 0 or -EFAULT. */
int rusage_put(struct proc *p, uint32_t addr, uint32_t user_ms, uint32_t sys_ms, uint32_t maxrss_kb);
/* fork and clone: child `c` takes thread `p`'s policy and priority, or, when p set
 * SCHED_RESET_ON_FORK, SCHED_OTHER for a real-time one and a nice value no lower than 0. */
void sched_fork(struct proc *c, const struct proc *p);
/* fork: a copy of `p` whose first instruction returns 0 from the system call; its pid or -errno. */
int proc_fork(struct proc *p, uint32_t flags, uint32_t stack);
/* After proc_fork with CLONE_VFORK: `p` waits (B_VFORK) for the child `pid` to exec or end, and
 * is then answered with its pid; 1 << 30 (the answer deferred), or `pid` if it is an error. */
int vfork_wait(struct proc *p, int pid);
struct exec_args;
/* execve: replace `p`'s program with the one at `path`, arguments and environment `a`; 0 (p->regs
 * hold the new start state) or -errno. */
/* execve's work: 0 (the reply starts the program), 1 (it starts in a thread of a space of its
 * own, as a vfork child's must, or was killed: no reply), or an error with nothing changed. */
int proc_exec(struct proc *p, const char *path, const struct exec_args *a);
/* Make `p`, running its own code, trap to the server now (to take a signal): 0, or -1 when it
 * is not running user code (it will enter the server by itself soon). */
int proc_interrupt(struct proc *p);
/* A fork's first trap, and a forced one: the address of the trampoline page (an SVC). */
#define TRAMPOLINE  0x7dff0000u

/* The system's names, as uname and /proc tell them. */
#define UTS_SYSNAME     "Linux"
#define UTS_NODENAME    "l4"
#define UTS_RELEASE     "6.1.0-l4"
#define UTS_VERSION     "#1 SMP L4 server"
#define UTS_MACHINE     "armv7l"

/* /proc (procfs.c): `abs` for process `self`.  procfs_stat: 0 and the mode, or -ENOENT;
 * procfs_text: the file's contents into `buf` (its length, or -errno); procfs_readlink: a
 * link's target (its length, or -EINVAL / -ENOENT); procfs_children: a directory's names. */
int procfs_stat(struct proc *self, const char *abs, uint32_t *mode);
int procfs_text(struct proc *self, const char *abs, char *buf, uint32_t cap);
int procfs_readlink(struct proc *self, const char *abs, char *buf, uint32_t cap);
int procfs_children(struct proc *self, const char *abs, char (*names)[64], unsigned max);
/* /proc/self... as /proc/PID... of `self` (in place, MAX_PATH bytes). */
void procfs_canonical(struct proc *self, char *abs);
/* Set what /proc shows of the program `p` runs: comm, exe, cmdline. */
void proc_identity(struct proc *p, const char *path, char *const argv[]);

/* ---- programs --------------------------------------------------------------------------- */

/* Load the static ELF `image` into `mm`; sets the entry point and the program's layout. */
struct exec_info {
    uint32_t entry;                 /* the program's (AT_ENTRY) */
    uint32_t start;                 /* where the process starts: the dynamic linker's entry, or entry */
    uint32_t base;                  /* where the dynamic linker is (AT_BASE), 0 without one */
    uint32_t phdr, phent, phnum;
    uint32_t brk;
};
int elf_load(struct mm *mm, struct proc *p, struct inode *file, struct exec_info *info);

/* ---- execve's arguments and interpreters (exec.c) ---------------------------------------- */

/* The new program's argv and envp: a process's vectors (from, argv, envp), or the server's own
 * (kargv, kenvp), with a "#!" line's interpreter, argument and script in front (prefix) in place
 * of the first `skip` of the process's argv. */
struct exec_args {
    struct proc *from;
    uint32_t argv, envp;
    char *const *kargv, *const *kenvp;
    const char *prefix[12];
    uint32_t nprefix, skip, depth;
    uint32_t argc, envc, bytes;         /* measured: how many strings, their bytes with NULs */
    char store[1024];                   /* the prefix strings */
    uint32_t stored;
    char name[128];                     /* the program as execve was given it: its comm */
};
/* Take a process's vectors (or the server's): 0, -EFAULT, or -E2BIG past Linux's ARG_MAX (2 MiB
 * of strings and pointers) or MAX_ARG_STRLEN (128 KiB for one string). */
int exec_args_init(struct exec_args *a, struct proc *from, uint32_t argv, uint32_t envp);
int exec_args_kernel(struct exec_args *a, char *const argv[], char *const envp[]);
/* The file's first `n` bytes in `head`: when they are a "#!" line, `path` (absolute) and `given`
 * (as written) become the interpreter's and `a` gets its arguments in front; 1 then, 0 for no
 * script, or -errno.  Both buffers hold MAX_PATH bytes. */
int exec_interpreter(struct exec_args *a, char *path, const char *cwd, char *given,
                     const uint8_t *head, uint32_t n);
/* Build the initial stack in `mm` (strings, argv, envp, auxiliary vector) and, for `p`, its
 * /proc cmdline; the stack pointer, or 0. */
uint32_t exec_stack(struct mm *mm, struct proc *p, const struct exec_info *info, const char *path,
                    const struct exec_args *a);

/* ---- files ------------------------------------------------------------------------------ */

/* The initramfs's archive (unpacked by vfs_init), and the file system made from it. */
void initrd_init(const uint8_t *archive, uint32_t size);
void vfs_init(void);
/* The persistent disk (disk.c): /data made from its newest snapshot (after vfs_init), and a new
 * snapshot written when /data changed since the last: 0, -EIO or -ENOSPC. */
void disk_init(void);
int disk_sync(void);
extern uint32_t disk_writes, disk_write_bytes;
/* The program at `path` for execve: its inode (a regular file with an execute bit) and its
 * path with links resolved (MAX_PATH bytes, for /proc/PID/exe), or -errno. */
int exec_find(struct proc *p, const char *path, struct inode **file, char *resolved);
/* /proc/PID/exe: the program's path, links resolved. */
void proc_set_exe(struct proc *p, const char *resolved);
/* Descriptors: all closed (exit), copied (fork), the close-on-exec ones closed (execve). */
/* `p` lets go of descriptor `fd` (its record locks of the file go too). */
void fd_drop(struct proc *p, uint32_t fd);
void fd_close_all(struct proc *p);
void fd_inherit(struct proc *child, struct proc *parent);
void fd_exec(struct proc *p);
/* `p` no longer waits on any pipe. */
void pipe_forget(struct proc *p);

/* ---- the console ------------------------------------------------------------------------ */

void console_write(const void *buf, uint32_t len);
/* A line for the host's log (a LOG frame through debugd), not the console. */
void host_log(const char *text);
/* Input from the host: queue what fits (returns how much; the host sends the rest again), then
 * run it through the line discipline, which may echo (so debugd must have its answer first). */
uint32_t console_accept(const uint8_t *data, uint32_t len);
void console_process(void);
/* A read of the console: 1 (the reply comes when there is input; maybe at once). */
int console_read(struct proc *p, uint32_t addr, uint32_t len);
/* Before a write to the console: 0 to go on; with TOSTOP, a background job's group stops
 * (SIGTTOU: 1, the call is made again once it continues), or -EIO for an orphaned group. */
int console_write_check(struct proc *p);
/* Whether process group `pgid` is orphaned: no member's parent is in another group of the
 * same session (init does not count), so nobody would continue it once stopped. */
int pgrp_orphaned(int pgid);
void console_forget(struct proc *p);
/* The host's Ctrl-C (SIGINT) or hangup (SIGHUP) for the session `sid` of a shell it started:
 * first how many processes it reaches (-EINVAL for another signal) and the foreground group,
 * then, once debugd has its answer, the signals.  After a hangup console_hung_up holds. */
int console_host_signal_count(int sid, int sig, int *fg);
void console_host_signal(int sid, int sig, int fg);
int console_hung_up(const struct proc *p);
extern int console_pgrp;                /* the console's foreground process group (0: none) */
extern int console_sid;                 /* the session the console belongs to (0: none) */
/* The terminal ioctls of the console (TCGETS, TCSETS*, TIOCGWINSZ, TIOCGPGRP, TIOCSPGRP...):
 * a result or -errno. */
int console_ioctl(struct proc *p, uint32_t cmd, uint32_t arg);
#define CONSOLE_STOPPED (1 << 30)       /* console_ioctl: a background caller stopped (SIGTTOU) */

/* Whether `c`, a child of the caller, is one that `q` asks for: any (P_ALL), that process
 * (P_PID), or one of that group (P_PGID; the caller's own is named when it is called). */
static inline int proc_wait_matches(const struct proc *c, const struct wait_request *q)
{
    return q->idtype == P_ALL || (q->idtype == P_PID ? c->pid == q->id : c->pgid == q->id);
}

/* ---- system calls ----------------------------------------------------------------------- */

/* Something a poller may wait for happened (pipe data or a close, console input): answer the
 * sleeping pollers that now have a ready descriptor.  poll_timeout: a poller's time is up. */
void poll_notify(void);
void poll_timeout(struct proc *p);
/* `p` no longer waits in a poll (a signal ended it, or it ended). */
void poll_forget(struct proc *p);
/* Whether a read of the console would find something (input, or an end of file). */
int console_readable(void);

/* Handle a system call of `p` (registers in p->regs); returns 1 when the reply is deferred.
 * Inline: the table by number, then the rest (ARM's private calls, unknown numbers). */
#define LINUX_SYSCALLS 442
typedef int (*syscall_fn)(struct proc *p, uint32_t *r);
extern const syscall_fn syscall_table[LINUX_SYSCALLS];
int syscall_other(struct proc *p);

static inline int syscall_dispatch(struct proc *p)
{
    uint32_t nr = p->regs[7];

    if (nr < LINUX_SYSCALLS)
        return syscall_table[nr](p, p->regs);
    return syscall_other(p);
}
extern uint32_t unknown_syscalls[512];

uint64_t now_ns(void);
/* `p` waits, until `wake_us` (~0: until a signal). */
void proc_sleep(struct proc *p, uint64_t wake_us);
/* Something (an alarm) is due at `when_us`: the interrupt thread looks then. */
void proc_timer(uint64_t when_us);
/* The wall clock: nanoseconds since 1970 at boot (the board's real-time clock, or set). */
extern int64_t realtime_offset_ns;
/* A new process's resource limits, as Linux gives init. */
void proc_default_limits(struct proc *p);
uint64_t now_us(void);
void log_text(const char *text);
