/*
 * The Linux server's main loop.  One thread serves every process: it is their pager and their
 * exception handler, so each message it receives is a system call (an SVC of a foreign-ABI
 * thread, with the registers), a page fault, or an exception.  A call that cannot finish now
 * (wait4, nanosleep) leaves its process waiting for a reply that comes later; the loop never
 * blocks on one process, so the others keep running.
 */
#include "arch/copy.h"
#include "board.h"
#include "console_if.h"
#include "lib/proto.h"
#include "linux.h"
#include "vfs.h"

struct proc procs[MAX_PROCS];
l4_tid_t linux_server, linux_pager;
static l4_tid_t linux_interrupt;
static l4_tid_t debugd;
static uint16_t versions[MAX_PROCS];
static int next_pid = 1;
uint32_t stat_syscalls, stat_page_faults, stat_oom_kills;

/* Time since boot from the system counter, which processes' clocks need finer than SystemClock's
 * microseconds. */
uint64_t now_ns(void)
{
    uint64_t t = l4_counter();
    uint32_t hz = l4_counter_hz();

    return t / hz * 1000000000ull + t % hz * 1000000000ull / hz;
}

uint64_t now_us(void)
{
    return now_ns() / 1000;
}

void log_text(const char *text)
{
    console_write(text, strnlen(text, 200));
    console_write("\n", 1);
}

/* Bytes to debugd with `label`: MR1 the count, the bytes from MR2 on, CONSOLE_MAX_WRITE a time. */
static void to_debugd(uint32_t label, const void *buf, uint32_t len)
{
    const uint8_t *p = buf;
    struct l4_utcb *u = l4_utcb();

    while (len && debugd) {
        struct l4_msg m = { { 0 } };
        uint32_t n = len < CONSOLE_MAX_WRITE ? len : CONSOLE_MAX_WRITE, words = (n + 3) / 4, err;
        uint32_t data[CONSOLE_MAX_WRITE / 4];

        memset(data, 0, sizeof data);
        memcpy(data, p, n);
        m.mr[0] = L4_TAG(label, 1 + words, 0);
        m.mr[1] = n;
        for (uint32_t i = 0; i < words; i++) {
            if (2 + i < L4_MR_IN_REGISTERS)
                m.mr[2 + i] = data[i];
            else
                u->mr[2 + i] = data[i];
        }
        /* debugd is above us and always ready; the timeout keeps a stuck debugd from stopping us */
        l4_ipc(debugd, debugd, 100000, 100000, &m, &err);
        p += n;
        len -= n;
    }
}

void console_write(const void *buf, uint32_t len)
{
    to_debugd(CONSOLE_LABEL_WRITE, buf, len);
}

void host_log(const char *text)
{
    to_debugd(LINUX_LABEL_LOG, text, strnlen(text, CONSOLE_MAX_WRITE));
}

/* A process's thread number is the first process's plus its slot (new_tid).  A freed slot keeps
 * its last ID, so the caller checks the state: this is the exception thread's first step on every
 * system call. */
static uint32_t first_process;          /* the thread number of slot 0 */

struct proc *proc_by_tid(l4_tid_t t)
{
    uint32_t slot = L4_TID_NUMBER(t) - first_process;

    if (slot >= MAX_PROCS || procs[slot].tid != t)
        return NULL;
    return &procs[slot];
}

struct proc *proc_by_pid(int pid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].pid == pid && procs[i].leader == &procs[i])
            return &procs[i];
    return NULL;
}

struct proc *thread_by_ltid(int ltid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].ltid == ltid)
            return &procs[i];
    return NULL;
}

/* The reply that lets `p` run on: r0 alone (MR1) when that is all a system call changed, else
 * every register (MR1..MR17 = r0-r12, sp, lr, pc, cpsr).  Propagated: whichever of our threads
 * sends it, the process waiting for the exception thread takes it. */
static inline __attribute__((always_inline)) void reply_message(struct proc *p, struct l4_msg *m)
{
    m->mr[1] = p->regs[0];
    if (!p->regs_changed) {
        m->mr[0] = L4_TAG(0, 1, 0) | L4_TAG_PROPAGATE;
        return;
    }
    struct l4_utcb *u = l4_utcb();
    m->mr[0] = L4_TAG(0, L4_EXC_CPSR, 0) | L4_TAG_PROPAGATE;
    for (unsigned i = 2; i <= L4_EXC_CPSR; i++) {
        if (i < L4_MR_IN_REGISTERS)
            m->mr[i] = p->regs[i - 1];
        else
            u->mr[i] = p->regs[i - 1];
    }
    p->regs_changed = 0;
}

/* A system call's or exception's registers, MR1..MR17, into p->regs: MR1..MR7 came in CPU
 * registers (m), the rest in the UTCB. */
static inline __attribute__((always_inline)) void take_registers(struct proc *p, const struct l4_msg *m)
{
    _Static_assert(L4_MR_IN_REGISTERS == 8 && L4_EXC_CPSR == 17, "the copies below");
    copy_words(&p->regs[0], &m->mr[1], 7);
    copy_words(&p->regs[7], &l4_utcb()->mr[L4_MR_IN_REGISTERS], 10);
}

void proc_reply(struct proc *p)
{
    struct l4_msg m;

    reply_message(p, &m);
    l4_send(p->tid, &m, L4_ZERO);
}

void proc_resume(struct proc *p, uint32_t r0)
{
    p->regs[0] = r0;
    if (p->stopped) {                           /* the reply waits for SIGCONT */
        p->state = P_BLOCKED;
        p->blocked = B_STOPPED;
        return;
    }
    p->blocked = B_NONE;
    p->state = P_RUNNING;
    if (!signal_deliver(p))
        proc_reply(p);
}

static void stop_thread(struct proc *p)
{
    l4_thread_control(p->tid, L4_NILTHREAD, 0, 0, 0, 0);    /* its space goes with it */
}

/* Whether `g`'s process has threads besides its leader (whatever the leader's own state). */
static inline int threaded(const struct proc *g)
{
    return g->nthreads > 1 || (g->state == P_BLOCKED && g->blocked == B_EXITED);
}

/* One thread's time so far, added to *user_ms and *sys_ms. */
static void add_thread_time(const struct proc *t, uint32_t *user_ms, uint32_t *sys_ms)
{
    uint32_t u, s;

    if (!l4_thread_times(t->tid, &u, &s)) {
        *user_ms += u;
        *sys_ms += s;
    }
}

void proc_cpu_time(const struct proc *p, uint32_t *user_ms, uint32_t *sys_ms)
{
    const struct proc *g = p->leader;

    if (g->state == P_ZOMBIE) {                 /* taken when it ended */
        *user_ms = g->utime_ms;
        *sys_ms = g->stime_ms;
        return;
    }
    *user_ms = g->gone_utime_ms;                /* its threads that have ended */
    *sys_ms = g->gone_stime_ms;
    add_thread_time(g, user_ms, sys_ms);
    for (unsigned i = 0; i < MAX_PROCS && threaded(g); i++)
        if (procs[i].state != P_FREE && procs[i].leader == g && &procs[i] != g)
            add_thread_time(&procs[i], user_ms, sys_ms);
}

/* Whether `c` has what `options` asks wait4 or waitid to report: its end (WEXITED), a stop
 * (WSTOPPED, WUNTRACED) or a continue (WCONTINUED). */
static int reportable(const struct proc *c, uint32_t options)
{
    if (c->state == P_ZOMBIE)
        return (options & WEXITED) != 0;
    if (!c->wait_report)
        return 0;
    return c->wait_report == 0xffff ? (options & WCONTINUED) != 0 : (options & WSTOPPED) != 0;
}

/* Whether thread `t` waits in wait4 or waitid for what `c` has to report now. */
static int waits_for(const struct proc *t, const struct proc *c)
{
    return t->state == P_BLOCKED && t->blocked == B_WAIT && proc_wait_matches(c, &t->wait) &&
           reportable(c, t->wait.options);
}

/* The thread of `g` waiting for what `c` has to report (it ended, stopped or went on). */
static struct proc *waiting_for(struct proc *g, const struct proc *c)
{
    if (!g)
        return NULL;
    if (waits_for(g, c))
        return g;
    for (unsigned i = 0; i < MAX_PROCS && threaded(g); i++)
        if (procs[i].leader == g && &procs[i] != g && waits_for(&procs[i], c))
            return &procs[i];
    return NULL;
}

struct sig_origin child_origin(const struct proc *c, uint32_t status)
{
    struct sig_origin o = { .pid = c->pid, .uid = c->leader->cred.uid };

    if ((status & 0x7f) == 0) {
        o.code = CLD_EXITED;
        o.status = (int32_t)(status >> 8 & 0xff);
    } else if (status == 0xffff) {
        o.code = CLD_CONTINUED;
        o.status = SIGCONT;
    } else if ((status & 0xff) == 0x7f) {
        o.code = CLD_STOPPED;
        o.status = (int32_t)(status >> 8 & 0xff);
    } else {
        o.code = status & 0x80 ? CLD_DUMPED : CLD_KILLED;
        o.status = (int32_t)(status & 0x7f);
    }
    return o;
}

/* The answer to `w`'s wait (w->wait) from `c`, which ended (a zombie) or has a stop or a
 * continue to report: the status or siginfo and the rusage where they go, and, unless WNOWAIT,
 * the child reaped (its times to w's process, its slot free) or its report taken.  wait4's
 * result is the child's pid, waitid's 0; -EFAULT when a pointer was bad (the child is taken
 * all the same, as on Linux). */
static int wait_answer(struct proc *w, struct proc *c)
{
    const struct wait_request *q = &w->wait;
    int ended = c->state == P_ZOMBIE, pid = c->pid, err = 0;
    uint32_t status = ended ? (uint32_t)c->exit_status : c->wait_report, user, sys;

    if (q->rusage) {
        if (ended) {
            user = c->utime_ms;
            sys = c->stime_ms;
        } else {
            proc_cpu_time(c, &user, &sys);
        }
        err = rusage_put(w, q->rusage, user + c->cutime_ms, sys + c->cstime_ms, 0);
    }
    if (q->waitid && q->info) {
        struct sig_origin o = child_origin(c, status);
        uint32_t info[6] = { SIGCHLD, 0, (uint32_t)o.code, (uint32_t)o.pid, o.uid, (uint32_t)o.status };
        if (mm_copy_out(w->mm, w->tid, q->info, info, sizeof info))
            err = -EFAULT;
    } else if (!q->waitid && q->status && mm_copy_out(w->mm, w->tid, q->status, &status, 4)) {
        err = -EFAULT;
    }
    if (q->options & WNOWAIT) {
        /* left as it is, to be waited for again */
    } else if (ended) {
        w->leader->cutime_ms += c->utime_ms + c->cutime_ms;
        w->leader->cstime_ms += c->stime_ms + c->cstime_ms;
        c->state = P_FREE;
    } else {
        c->wait_report = 0;
    }
    return err ? err : q->waitid ? 0 : pid;
}

/* Tell debugd (and so the host) that a process it started has ended. */
static void report_exit(struct proc *p)
{
    struct l4_msg m = { { L4_TAG(LINUX_LABEL_EXITED, 2, 0), (uint32_t)p->pid, (uint32_t)p->exit_status } };
    uint32_t err;

    if (debugd)
        l4_ipc(debugd, debugd, 100000, 100000, &m, &err);
}

/* An exit may leave group `pgid` orphaned: if it did and a member is stopped, every member gets
 * SIGHUP and SIGCONT, as POSIX asks (nobody else would continue them). */
static void orphaned_stopped(int pgid)
{
    int stopped = 0;

    for (unsigned i = 0; i < MAX_PROCS; i++)
        stopped |= procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == pgid &&
                   procs[i].stopped;
    if (!stopped || !pgrp_orphaned(pgid))
        return;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == pgid) {
            signal_send(&procs[i], SIGHUP);
            signal_send(&procs[i], SIGCONT);
        }
    }
}

/* End thread `t` of a process that goes on (or is ending): out of any call it waits in, its
 * time kept for the process, its kernel thread deleted (the space stays with the others). */
static void thread_end(struct proc *t)
{
    extern void proc_unblock(struct proc *p);
    struct proc *g = t->leader;

    proc_unblock(t);
    add_thread_time(t, &g->gone_utime_ms, &g->gone_stime_ms);
    stop_thread(t);
    t->state = P_FREE;
}

/* Every thread of `p`'s process but the leader and `keep` ends (exit_group, a fatal signal,
 * execve). */
static void other_threads_end(struct proc *p, struct proc *keep)
{
    struct proc *g = p->leader;

    for (unsigned i = 0; i < MAX_PROCS && threaded(g); i++) {
        struct proc *t = &procs[i];
        if (t->state != P_FREE && t->leader == g && t != g && t != keep)
            thread_end(t);
    }
    g->nthreads = 1 + (keep && keep != g);
}

/* execve in a threaded process: the others end and the caller, if it is not the leader, takes
 * its place and its thread ID, as on Linux. */
static void exec_alone(struct proc *p)
{
    struct proc *g = p->leader;

    if (p == g && g->nthreads == 1)
        return;
    other_threads_end(p, p);
    if (p == g)
        return;
    thread_end(g);                              /* (its time goes to g's gone_*, copied below) */
    memcpy(p->fd, g->fd, sizeof p->fd);
    p->fd_top = g->fd_top;
    memcpy(p->cloexec, g->cloexec, sizeof p->cloexec);
    p->umask = g->umask;
    p->host_started = g->host_started;
    p->ppid = g->ppid;
    p->pgid = g->pgid;
    p->sid = g->sid;
    p->cred = g->cred;
    memcpy(p->cwd, g->cwd, sizeof p->cwd);
    memcpy(p->exe, g->exe, sizeof p->exe);
    memcpy(p->cmdline, g->cmdline, sizeof p->cmdline);
    p->cmdline_len = g->cmdline_len;
    memcpy(p->sig, g->sig, sizeof p->sig);
    p->alarm_us = g->alarm_us;
    p->alarm_period_us = g->alarm_period_us;
    memcpy(p->rlim, g->rlim, sizeof p->rlim);
    p->nice = g->nice;
    p->wait_report = g->wait_report;
    p->cutime_ms = g->cutime_ms;
    p->cstime_ms = g->cstime_ms;
    p->gone_utime_ms = g->gone_utime_ms;
    p->gone_stime_ms = g->gone_stime_ms;
    p->leader = p;
    p->ltid = p->pid;
    p->nthreads = 1;
}

void thread_exit(struct proc *p, int status)
{
    struct proc *g = p->leader;
    uint32_t zero = 0;

    if (g->nthreads <= 1) {                     /* the last: the process ends */
        proc_exit(p, status);
        return;
    }
    /* CLONE_CHILD_CLEARTID (set_tid_address): zero its ID where the thread library waits for
     * it, and wake the waiter (pthread_join) */
    if (p->clear_child_tid && !mm_copy_out(p->mm, p->tid, p->clear_child_tid, &zero, 4))
        futex_wake(p, p->clear_child_tid, 1, ~0u);
    g->nthreads--;
    if (p == g) {
        /* the leader's slot holds the process: it stays, never answered, until the rest end */
        extern void proc_unblock(struct proc *p);
        proc_unblock(p);
        p->state = P_BLOCKED;
        p->blocked = B_EXITED;
        return;
    }
    thread_end(p);
}

/* A vfork child execs or ends: the thread waiting for it in vfork gets its answer, the pid. */
static void vfork_release(struct proc *c)
{
    struct proc *w = c->vfork_waiter ? thread_by_ltid(c->vfork_waiter) : NULL;

    c->vfork_waiter = 0;
    if (w && w->state == P_BLOCKED && w->blocked == B_VFORK && w->vfork_child == c->pid)
        proc_resume(w, (uint32_t)c->pid);
}

/* Processes that run in a memory map they do not own (borrows_mm): the scan below is for them
 * alone, so every exec and exit need not make it. */
static unsigned borrowers;

/* Another process running in `mm` without owning it (a vfork child of `p`'s), or NULL. */
static struct proc *mm_borrower(const struct mm *mm, const struct proc *p)
{
    for (unsigned i = 0; borrowers && i < MAX_PROCS; i++) {
        struct proc *c = &procs[i];
        if (c != p && c->state != P_FREE && c->state != P_ZOMBIE && c->borrows_mm && c->mm == mm)
            return c;
    }
    return NULL;
}

/* `p` (exec, exit) lets go of the memory map `mm`: freed, unless it was only borrowed (its vfork
 * parent keeps it) or a vfork child still runs in it (which then owns it).  `mapped` as
 * mm_free's. */
static void mm_let_go(struct proc *p, struct mm *mm, int mapped)
{
    struct proc *heir;

    if (p->borrows_mm) {
        p->borrows_mm = 0;
        borrowers--;
    } else if ((heir = mm_borrower(mm, p))) {
        heir->borrows_mm = 0;
        borrowers--;
    } else {
        mm_free(mm, mapped);
    }
}

void proc_exit(struct proc *p, int status)
{
    extern void proc_unblock(struct proc *p);

    /* a process ends as a whole, as the leader: its other threads first */
    other_threads_end(p, NULL);
    p = p->leader;
    proc_unblock(p);
    proc_cpu_time(p, &p->utime_ms, &p->stime_ms);
    stop_thread(p);
    fd_close_all(p);
    /* orphans: init adopts them (and reaps them), as on Linux */
    struct proc *init = proc_by_pid(1);
    int adopted_zombie = 0;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &procs[i], *w;
        if (c->state == P_FREE || c->leader != c || c->ppid != p->pid)
            continue;
        c->ppid = init && init != p ? 1 : 0;
        if (c->state != P_ZOMBIE && c->pgid != p->pgid && c->sid == p->sid)
            orphaned_stopped(c->pgid);          /* we were its group's link to the session */
        if (c->state == P_ZOMBIE && !c->ppid)
            c->state = P_FREE;
        else if (c->state == P_ZOMBIE && (w = waiting_for(init, c)))
            proc_resume(w, (uint32_t)wait_answer(w, c));
        else if (c->state == P_ZOMBIE)
            adopted_zombie = 1;
    }
    /* a zombie init was given and did not take at once: tell it, as Linux does */
    if (adopted_zombie)
        signal_send(init, SIGCHLD);
    mm_let_go(p, p->mm, 0);
    p->mm = NULL;
    vfork_release(p);
    p->exit_status = status;
    p->state = P_ZOMBIE;
    struct proc *up = proc_by_pid(p->ppid);
    if (up && p->ppid > 1 && up->pgid != p->pgid && up->sid == p->sid)
        orphaned_stopped(p->pgid);              /* we were our group's link */
    if (p->host_started) {
        report_exit(p);
    } else if (p->pid == 1) {                   /* (the line is made only for the log) */
        char text[96];
        if ((status & 0x7f) == 0)
            fmt(text, sizeof text, "[linux: pid %d (%s) exited with status %d]", p->pid, p->comm,
                (status >> 8) & 0xff);
        else
            fmt(text, sizeof text, "[linux: pid %d (%s) killed by signal %d]", p->pid, p->comm,
                status & 0x7f);
        log_text(text);
    }
    /* wake a parent waiting for it, then tell it with SIGCHLD */
    struct proc *parent = proc_by_pid(p->ppid), *w = waiting_for(parent, p);
    struct sig_origin from = child_origin(p, (uint32_t)status);
    if (w)
        proc_resume(w, (uint32_t)wait_answer(w, p));
    else if (!parent)
        p->state = P_FREE;                      /* nobody will wait for it */
    if (parent)
        signal_send_from(parent, SIGCHLD, &from);
}

void proc_report(struct proc *c, uint32_t status)
{
    struct proc *parent = proc_by_pid(c->leader->ppid), *w;

    c = c->leader;
    c->wait_report = status;
    if (!parent || parent->state == P_ZOMBIE)
        return;
    struct sig_origin from = child_origin(c, status);
    if ((w = waiting_for(parent, c)))
        proc_resume(w, (uint32_t)wait_answer(w, c));
    if (!(parent->sig[SIGCHLD].flags & SA_NOCLDSTOP))
        signal_send_from(parent, SIGCHLD, &from);
}

int proc_wait_none(struct proc *p, const struct wait_request *q, int result)
{
    static const uint32_t zeros[6];

    if (q->waitid && q->info && mm_copy_out(p->mm, p->tid, q->info, zeros, sizeof zeros))
        return -EFAULT;
    return result;
}

int proc_wait(struct proc *p, const struct wait_request *q)
{
    int children = 0;

    p->wait = *q;
    if (q->idtype == P_PGID && q->id == 0)
        p->wait.id = p->leader->pgid;                   /* our group as it is now */
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &procs[i];
        if (c->state == P_FREE || c->leader != c || c->ppid != p->pid || !proc_wait_matches(c, &p->wait))
            continue;
        children++;
        if (c->state == P_ZOMBIE && reportable(c, q->options))
            return wait_answer(p, c);
    }
    if (!children)
        return proc_wait_none(p, q, -ECHILD);
    /* a child stopped or continued, when the caller asks for those */
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *c = &procs[i];
        if (c->state == P_FREE || c->state == P_ZOMBIE || c->leader != c || c->ppid != p->pid ||
            !proc_wait_matches(c, &p->wait) || !reportable(c, q->options))
            continue;
        return wait_answer(p, c);
    }
    if (q->options & WNOHANG)
        return proc_wait_none(p, q, 0);
    p->state = P_BLOCKED;
    p->blocked = B_WAIT;
    return 1 << 30;                             /* deferred */
}

static const uint32_t trampoline_code[] = { 0xef000000u };     /* svc #0 (ARM) */

static struct proc *proc_slot(uint32_t *slot)
{
    for (*slot = 0; *slot < MAX_PROCS; (*slot)++)
        if (procs[*slot].state == P_FREE)
            return &procs[*slot];
    return NULL;
}

static l4_tid_t new_tid(uint32_t slot)
{
    uint16_t v = (uint16_t)((versions[slot] + 1) & 0x3fff);
    versions[slot] = v ? v : 1;
    return L4_TID(first_process + slot, versions[slot]);
}

/* Map the trampoline page into `mm` unless it is there. */
static int map_trampoline(struct mm *mm)
{
    struct vma *t;

    if (mm_find(mm, TRAMPOLINE))
        return 0;
    if (mm_add(mm, TRAMPOLINE, TRAMPOLINE + PAGE, VM_READ | VM_EXEC))
        return -1;
    t = &mm->vma[mm->nvma - 1];
    /* its code is a file of no directory, which the server holds for good */
    static struct inode *code;
    if (!code && !(code = vfs_rom_file(trampoline_code, sizeof trampoline_code)))
        return -1;
    t->file = code;
    inode_get(code);
    t->file_vaddr = TRAMPOLINE;
    t->file_size = sizeof trampoline_code;
    return 0;
}

void proc_resume_later(struct proc *p, uint32_t r0)
{
    p->regs[0] = r0;
    p->blocked = B_NONE;
    p->state = P_RUNNING;
    if (p->interrupted || map_trampoline(p->mm)) {
        if (!signal_deliver(p))                 /* (no trampoline: at once after all) */
            proc_reply(p);
        return;
    }
    p->saved_pc = p->regs[15];
    p->saved_cpsr = p->regs[16];
    p->regs[15] = TRAMPOLINE;
    p->regs[16] = 0x10;                         /* user mode, ARM state */
    p->interrupted = 1;
    p->regs_changed = 1;
    proc_reply(p);
}

/* The thread is preempted in user mode (the server runs above it, so it cannot move meanwhile):
 * point it at the trampoline; its SVC brings every register, and the pc and flags it had come
 * back from saved_pc and saved_cpsr. */
int proc_interrupt(struct proc *p)
{
    uint32_t regs[13] = { p->tid, L4_XR_PC | L4_XR_FLAGS, 0, TRAMPOLINE, 0x10 };

    if (p->state != P_RUNNING || p->starting || p->interrupted || map_trampoline(p->mm))
        return -1;
    regs[7] = L4_SYS_EXCHANGE_REGISTERS;
    l4_syscall_regs(regs);
    if (regs[1] != L4_OK)
        return -1;
    uint32_t pc = regs[3], cpsr = regs[4];
    if (regs[9] != L4_STATE_READY) {            /* in a call to us already: put it back */
        uint32_t back[13] = { p->tid, L4_XR_PC | L4_XR_FLAGS, 0, pc, cpsr };
        back[7] = L4_SYS_EXCHANGE_REGISTERS;
        l4_syscall_regs(back);
        return -1;
    }
    p->saved_pc = pc;
    p->saved_cpsr = cpsr;
    p->interrupted = 1;
    return 0;
}

/* RLIMIT_NPROC, as Linux checks it at fork: the processes of the caller's real user (zombies
 * too, until they are reaped) against its soft limit; root is exempt. */
static int over_nproc(const struct proc *p)
{
    uint32_t n = 0;

    if (p->leader->cred.uid == 0 || p->leader->cred.euid == 0)
        return 0;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state != P_FREE && procs[i].leader->cred.uid == p->leader->cred.uid;
    return n >= p->leader->rlim[RLIMIT_NPROC].cur;
}

/* A new thread (a forked child's, or a process's next) starts at the trampoline; its first
 * trap gets it the registers in c->regs. */
static void start_at_trampoline(struct proc *c)
{
    uint32_t regs[13] = { c->tid, L4_XR_SP | L4_XR_PC | L4_XR_FLAGS | L4_XR_RESUME | L4_XR_TLS,
                          c->regs[13], TRAMPOLINE, 0x10 };

    l4_schedule(c->tid, 50, L4_TC_KEEP);
    l4_set_name(c->tid, c->comm);
    c->starting = 1;
    c->state = P_RUNNING;
    regs[7] = L4_SYS_EXCHANGE_REGISTERS;
    regs[8] = c->tls;
    l4_syscall_regs(regs);
}

/* fork; with CLONE_VM the child runs in the caller's memory and L4 space (vfork, posix_spawn)
 * until it execs or ends, and with CLONE_VFORK the caller is to wait until then (vfork_wait).
 * `stack`: the child's sp (0: the caller's).  The child's pid, or an error. */
int proc_fork(struct proc *p, uint32_t flags, uint32_t stack)
{
    uint32_t slot;
    struct proc *c;
    int share = (flags & CLONE_VM) != 0;

    if (over_nproc(p))
        return -EAGAIN;
    c = proc_slot(&slot);
    if (!c || frames_free() < LOW_MEMORY)
        return -EAGAIN;                         /* as Linux under pressure */
    memset(c, 0, sizeof *c);
    c->leader = c;
    c->nthreads = 1;
    c->mm = share ? p->mm : mm_fork(p->mm);
    c->borrows_mm = (uint8_t)share;
    if (!c->mm || map_trampoline(c->mm)) {
        if (c->mm && !share)
            mm_free(c->mm, 0);
        return -ENOMEM;
    }
    c->tid = new_tid(slot);
    c->pid = c->ltid = next_pid++;
    /* the calling thread's process is copied, with the calling thread alone */
    struct proc *g = p->leader;
    c->ppid = g->pid;
    c->pgid = g->pgid;
    c->sid = g->sid;
    c->cred = g->cred;
    memcpy(c->cwd, g->cwd, sizeof c->cwd);
    memcpy(c->comm, p->comm, sizeof c->comm);
    memcpy(c->exe, g->exe, sizeof c->exe);
    memcpy(c->cmdline, g->cmdline, sizeof c->cmdline);
    c->cmdline_len = g->cmdline_len;
    memcpy(c->regs, p->regs, sizeof c->regs);
    c->regs[0] = 0;                             /* fork returns 0 in the child */
    if (stack)
        c->regs[13] = stack;
    c->tls = p->tls;
    c->umask = g->umask;
    fd_inherit(c, p);
    memcpy(c->rlim, g->rlim, sizeof c->rlim);   /* limits are inherited; timers are not */
    c->nice = g->nice;
    sched_fork(c, p);
    /* so are the signal actions and mask; nothing is pending in the child */
    memcpy(c->sig, g->sig, sizeof c->sig);
    c->sig_blocked = p->sig_blocked;
    c->ss_sp = p->ss_sp;                        /* and the alternate stack, in the copied memory */
    c->ss_size = p->ss_size;
    c->ss_flags = p->ss_flags;
    if (l4_thread_control(c->tid, share ? p->tid : c->tid, linux_server, linux_pager, linux_server,
                          L4_TC_FOREIGN_ABI)) {
        fd_close_all(c);
        if (!share)
            mm_free(c->mm, 0);
        c->state = P_FREE;
        return -EAGAIN;
    }
    if (flags & CLONE_VFORK)
        c->vfork_waiter = p->ltid;
    borrowers += c->borrows_mm;
    start_at_trampoline(c);
    return c->pid;
}

int vfork_wait(struct proc *p, int pid)
{
    if (pid < 0)
        return pid;
    p->state = P_BLOCKED;
    p->blocked = B_VFORK;
    p->vfork_child = pid;
    return 1 << 30;                             /* deferred */
}

int thread_clone(struct proc *p, uint32_t flags, uint32_t stack, uint32_t ptid, uint32_t tls,
                 uint32_t ctid)
{
    uint32_t slot;
    struct proc *g = p->leader, *c;

    if (over_nproc(p))
        return -EAGAIN;
    c = proc_slot(&slot);
    if (!c || map_trampoline(p->mm))
        return -EAGAIN;
    memset(c, 0, sizeof *c);                    /* (the process's fields stay 0: see struct proc) */
    c->leader = g;
    c->tid = new_tid(slot);
    c->pid = g->pid;
    c->ltid = next_pid++;
    c->mm = p->mm;
    memcpy(c->comm, p->comm, sizeof c->comm);
    memcpy(c->regs, p->regs, sizeof c->regs);
    c->regs[0] = 0;                             /* clone returns 0 in the new thread */
    if (stack)
        c->regs[13] = stack;
    c->tls = flags & CLONE_SETTLS ? tls : p->tls;
    c->sig_blocked = p->sig_blocked;            /* the mask is inherited; nothing is pending */
    sched_fork(c, p);
    if (flags & CLONE_CHILD_CLEARTID)
        c->clear_child_tid = ctid;
    if (flags & CLONE_PARENT_SETTID && mm_copy_out(p->mm, p->tid, ptid, &c->ltid, 4))
        return -EFAULT;
    if (flags & CLONE_CHILD_SETTID && mm_copy_out(p->mm, p->tid, ctid, &c->ltid, 4))
        return -EFAULT;
    /* a thread of the caller's space */
    if (l4_thread_control(c->tid, p->tid, linux_server, linux_pager, linux_server,
                          L4_TC_FOREIGN_ABI))
        return -EAGAIN;
    g->nthreads++;
    start_at_trampoline(c);
    return c->ltid;
}

int proc_exec(struct proc *p, const char *path, const struct exec_args *a)
{
    struct exec_info info;
    struct inode *file;
    static char resolved[MAX_PATH];
    uint32_t sp;
    struct mm *mm, *old = p->mm;
    int err;

    err = exec_find(p, path, &file, resolved);
    if (err)
        return err;
    if (frames_free() < LOW_MEMORY)
        return -ENOMEM;
    mm = mm_new();
    if (!mm)
        return -ENOMEM;
    err = elf_load(mm, p, file, &info);
    if (err) {
        mm_free(mm, 0);
        return err;
    }
    sp = exec_stack(mm, p, &info, path, a);
    if (!sp) {
        mm_free(mm, 0);
        return -EFAULT;                         /* the strings changed while we copied them */
    }
    exec_alone(p);
    /* in memory it shares with another process (vfork): a space of its own from here on */
    int moved = p->borrows_mm || mm_borrower(old, p);
    if (moved) {
        stop_thread(p);
        if (map_trampoline(mm) || l4_thread_control(p->tid, p->tid, linux_server, linux_pager, linux_server,
                                                    L4_TC_FOREIGN_ABI)) {
            p->mm = mm;
            mm_let_go(p, old, 0);
            proc_exit(p, SIGKILL);              /* past the point of no return, as Linux's */
            return 1;
        }
    }
    p->mm = mm;
    if (moved)
        mm_let_go(p, old, 0);                   /* the others run in its mappings */
    else
        mm_free(old, 1);                        /* and every mapping of it in the process */
    fd_exec(p);
    /* handlers do not survive the program they belonged to; ignored signals stay ignored */
    for (unsigned sig = 1; sig <= 32; sig++) {
        uint32_t ignored = p->leader->sig[sig].handler == SIG_IGN;
        memset(&p->leader->sig[sig], 0, sizeof p->leader->sig[sig]);
        p->leader->sig[sig].handler = ignored ? SIG_IGN : SIG_DFL;
    }
    p->ss_sp = p->ss_size = 0;                  /* the alternate stack was in the old memory */
    uint32_t cmdline_len = p->leader->cmdline_len;      /* exec_stack's */
    char cmdline[sizeof p->leader->cmdline];
    memcpy(cmdline, p->leader->cmdline, sizeof cmdline);
    proc_identity(p, path, NULL);
    /* comm is the last part of the name as given, as Linux has it (/proc/self/exe: "exe") */
    const char *base = a->name;
    for (const char *c = a->name; *c; c++)
        if (*c == '/')
            base = c + 1;
    memset(p->comm, 0, sizeof p->comm);
    memcpy(p->comm, base, strnlen(base, sizeof p->comm - 1));
    memcpy(p->leader->cmdline, cmdline, sizeof cmdline);
    p->leader->cmdline_len = cmdline_len;
    proc_set_exe(p, resolved);
    l4_set_name(p->tid, p->comm);
    memset(p->regs, 0, sizeof p->regs);
    p->regs[13] = sp;
    p->regs[15] = info.start & ~1u;
    p->regs[16] = info.start & 1 ? 0x30 : 0x10;
    p->regs_changed = 1;
    vfork_release(p);
    if (moved) {
        start_at_trampoline(p);                 /* its first trap takes these registers */
        return 1;
    }
    return 0;
}

/* The earliest time a sleeper may be due: never later than the truth, sometimes earlier (a
 * sleeper a signal woke), which costs one look at the clock and the table. */
static uint64_t next_wake = ~0ull;

/* Set when a sleeper is due before the time the interrupt thread waits for: the exception
 * thread then tells it (once it has let go of the lock). */
static int wake_sooner;

void proc_sleep(struct proc *p, uint64_t wake_us)
{
    p->state = P_BLOCKED;
    p->blocked = B_SLEEP;
    p->wake_us = wake_us;
    if (wake_us < next_wake) {
        next_wake = wake_us;
        wake_sooner = 1;
    }
}

void proc_timer(uint64_t when_us)
{
    if (when_us < next_wake) {
        next_wake = when_us;
        wake_sooner = 1;
    }
}

/* Wake the sleepers that are due, send the alarms that are, and work out the next time one is. */
static void wake_sleepers(uint64_t now)
{
    next_wake = ~0ull;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *p = &procs[i];
        /* (a process's timer is its leader's: other threads' alarm_us is 0) */
        if (p->alarm_us && (p->state == P_RUNNING || p->state == P_BLOCKED)) {
            if (p->alarm_us <= now) {
                /* ITIMER_REAL: SIGALRM, and again after the period if it has one */
                p->alarm_us = p->alarm_period_us ? now + p->alarm_period_us : 0;
                signal_send(p, SIGALRM);
            }
            if (p->alarm_us && p->alarm_us < next_wake)
                next_wake = p->alarm_us;
        }
        if (p->state != P_BLOCKED || (p->blocked != B_SLEEP && p->blocked != B_FUTEX &&
                                      p->blocked != B_SIGWAIT))
            continue;
        if (p->wake_us <= now && p->blocked == B_FUTEX) {
            futex_forget(p);
            proc_resume(p, (uint32_t)-ETIMEDOUT);
        } else if (p->wake_us <= now && p->blocked == B_SIGWAIT) {
            extern void proc_unblock(struct proc *p);
            proc_unblock(p);                    /* (its mask back) */
            proc_resume(p, (uint32_t)-EAGAIN);
        }
        else if (p->wake_us <= now && p->poller.active)
            poll_timeout(p);
        else if (p->wake_us <= now)
            proc_resume(p, 0);
        else if (p->wake_us < next_wake)
            next_wake = p->wake_us;             /* ~0: pause(), until a signal */
    }
}

int proc_spawn(const char *path, char *const argv[], char *const envp[])
{
    struct proc *p = NULL;
    struct exec_info info;
    struct inode *file;
    static char resolved[MAX_PATH];
    uint32_t sp, slot, regs[13] = { 0 };
    int err;

    for (slot = 0; slot < MAX_PROCS && procs[slot].state != P_FREE; slot++)
        ;
    if (slot == MAX_PROCS)
        return -EAGAIN;
    p = &procs[slot];
    memset(p, 0, sizeof *p);                    /* (still free: state 0) */
    p->leader = p;
    p->nthreads = 1;
    memcpy(p->cwd, "/", 2);
    err = exec_find(p, path, &file, resolved);
    if (err)
        return err;
    p->tid = new_tid(slot);
    p->pid = p->ltid = next_pid++;
    p->ppid = 0;
    p->pgid = p->sid = p->pid;                  /* a session of its own, as after setsid */
    proc_default_limits(p);
    p->umask = 022;
    proc_identity(p, path, argv);
    proc_set_exe(p, resolved);
    p->mm = mm_new();
    if (!p->mm)
        return -ENOMEM;
    err = elf_load(p->mm, p, file, &info);
    if (err)
        goto fail;
    err = -ENOMEM;
    if (l4_thread_control(p->tid, p->tid, linux_server, linux_pager, linux_server,
                          L4_TC_FOREIGN_ABI))
        goto fail;
    l4_schedule(p->tid, 50, L4_TC_KEEP);
    static struct exec_args args;
    sp = exec_args_kernel(&args, argv, envp) ? 0 : exec_stack(p->mm, NULL, &info, path, &args);
    if (!sp)
        goto fail_thread;
    l4_set_name(p->tid, p->comm);
    regs[0] = p->tid;
    regs[1] = L4_XR_SP | L4_XR_PC | L4_XR_FLAGS | L4_XR_RESUME;
    regs[2] = sp;
    regs[3] = info.start & ~1u;
    regs[4] = info.start & 1 ? 0x30 : 0x10;     /* Thumb entry: start in Thumb state */
    regs[7] = L4_SYS_EXCHANGE_REGISTERS;
    l4_syscall_regs(regs);
    if (regs[1])
        goto fail_thread;
    p->state = P_RUNNING;
    /* descriptors 0, 1 and 2: the console */
    for (unsigned i = 0; i < 3; i++) {
        p->fd[i] = i == 0 || !p->fd[0] ? file_new(F_CONSOLE) : p->fd[0];
        if (i && p->fd[i] == p->fd[0])
            p->fd[0]->refs++;
    }
    p->fd_top = 3;
    return p->pid;

fail_thread:
    stop_thread(p);
fail:
    mm_free(p->mm, 0);
    p->state = P_FREE;
    return err;
}

/* The live process with the most memory, init aside (its death would take the rest along). */
static struct proc *oom_victim(void)
{
    struct proc *victim = NULL;

    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &procs[i];
        if ((q->state == P_RUNNING || q->state == P_BLOCKED) && q->leader == q && q->pid != 1 && q->mm &&
            (!victim || q->mm->pages > victim->mm->pages))
            victim = q;
    }
    return victim;
}

/* The process faulted at `addr`: the reply in `m` that maps the page (1), or the process ends
 * with SIGSEGV (0). */
static int page_fault(struct proc *p, uint32_t addr, uint32_t rwx, struct l4_msg *m)
{
    uint32_t frame = mm_touch(p->mm, p->tid, addr, rwx & 7);
    struct vma *v;

    if (!frame && mm_find(p->mm, addr) && frames_free() == 0) {
        /* out of memory: as Linux would, kill the process that holds the most, which is
         * not necessarily the one that asked; then try again */
        struct proc *victim = oom_victim();
        stat_oom_kills++;
        if (victim && victim != p->leader) {
            proc_exit(victim, SIGKILL);
            frame = mm_touch(p->mm, p->tid, addr, rwx & 7);
        }
        if (!frame) {
            proc_exit(p, SIGKILL);
            return 0;
        }
    }
    if (!frame) {
        if (p->leader->sig[SIGSEGV].handler > SIG_IGN) {
            /* refuse: the kernel then sends the fault as an exception, with the registers the
             * handler's frame needs */
            m->mr[0] = L4_TAG(L4_LABEL_STOP, 0, 0);
            return 1;
        }
        proc_exit(p, SIGSEGV);
        return 0;
    }
    v = mm_find(p->mm, addr);
    /* writable now only if the region is and the page is no longer shared copy-on-write */
    uint32_t rights = VM_READ | (v->prot & VM_EXEC);
    if (v->prot & VM_WRITE && (rwx & VM_WRITE || frame_refs(frame) == 1 || v->prot & VM_SHARED))
        rights |= VM_WRITE;
    m->mr[0] = L4_TAG(0, 0, 2);
    m->mr[1] = (addr & PAGE_MASK) | L4_ITEM_MAP;
    m->mr[2] = L4_FPAGE(frame, 12, rights);
    if (!(rwx & VM_WRITE)) {
        /* a read: the file's pages around it too (the kernel maps at most 16 per message) */
        uint32_t pages[15], frames[15], *mr = l4_utcb()->mr;
        int n = mm_fault_around(p->mm, addr, pages, frames, 15);
        rights = VM_READ | (v->prot & VM_EXEC);
        for (int i = 0; i < n; i++) {
            mr[3 + 2 * i] = pages[i] | L4_ITEM_MAP;
            mr[4 + 2 * i] = L4_FPAGE(frames[i], 12, rights);
        }
        if (n) {
            _Static_assert(L4_MR_IN_REGISTERS == 8, "MR3..MR7 travel in registers");
            for (unsigned i = 3; i < L4_MR_IN_REGISTERS; i++)
                m->mr[i] = mr[i];
            m->mr[0] = L4_TAG(0, 0, 2 + 2 * n);
        }
    }
    return 1;
}

/* Ask sigma0 for the memory the server hands to processes: one aligned region, mapped 1:1,
 * in the largest pieces sigma0 gives at once. */
static int get_pool(void)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t size = 64u << 20, piece = 1u << SIGMA0_MAX_LOG2;
    uint32_t base = (kip->free_base + kip->free_size - size) & ~(size - 1);

    for (uint32_t off = 0; off < size; off += piece)
        if (l4_sigma0_request(L4_FPAGE(base + off, SIGMA0_MAX_LOG2, L4_RWX), L4_COMPLETE))
            return -1;
    frames_init(base, size);
    return 0;
}

/* Where the flash bank holding the root file system appears in our space: sigma0's pages land
 * in this 64 MiB window at their offset in it (our own program is at 1 MiB). */
#define FLASH_WINDOW        0x10000000u
#define FLASH_WINDOW_LOG2   26

static uint32_t map_flash_page(uint32_t phys)
{
    if (l4_sigma0_request(L4_FPAGE(phys & PAGE_MASK, 12, L4_READ),
                          L4_FPAGE(FLASH_WINDOW, FLASH_WINDOW_LOG2, L4_READ)))
        return 0;
    return FLASH_WINDOW + (phys & ((1u << FLASH_WINDOW_LOG2) - 1));
}

/* The root file system partition in flash: map its header, check it, map the archive. */
static const char *map_rootfs(void)
{
    const struct l4_kip *kip = l4_kip();
    const struct rootfs_header *h;
    const uint8_t *data;

    if (!kip->rootfs_size || !(h = (const void *)map_flash_page(kip->rootfs_base)))
        return "no root file system partition";
    if (h->magic != ROOTFS_MAGIC || h->format != ROOTFS_FORMAT ||
        h->length > kip->rootfs_size - ROOTFS_DATA_OFFSET)
        return "the root file system partition is empty or not ours";
    data = (const uint8_t *)h + ROOTFS_DATA_OFFSET;
    for (uint32_t off = 0; off < h->length; off += PAGE)
        if (!map_flash_page(kip->rootfs_base + ROOTFS_DATA_OFFSET + off))
            return "cannot map the root file system";
    if (crc32(data, h->length) != h->crc)
        return "the root file system fails its CRC";
    initrd_init(data, h->length);
    vfs_init();
    disk_init();
    return NULL;
}

/* The wall clock from the board's real-time clock (a PL031: its data register holds the seconds
 * since 1970), read once: after that the system counter keeps time, and settimeofday moves the
 * offset.  Without the device the clock starts at 1970 (its offset 0). */
#ifdef BOARD_RTC_BASE
#define RTC_WINDOW  BOARD_RTC_BASE          /* where its page appears in our space: 1:1 */
static void read_rtc(void)
{
    if (l4_sigma0_request(L4_FPAGE(BOARD_RTC_BASE, 12, L4_READ), L4_FPAGE(RTC_WINDOW, 12, L4_READ)))
        return;
    uint32_t seconds = *(volatile const uint32_t *)RTC_WINDOW;
    realtime_offset_ns = (int64_t)seconds * 1000000000 - (int64_t)now_ns();
}
#else
static void read_rtc(void)
{
}
#endif

/* The counters, for LINUX_STATS (console_if.h has the layout). */
static void host_stats(struct l4_msg *m)
{
    struct l4_utcb *u = l4_utcb();
    uint32_t w[L4_MR_COUNT - 1], n = 0, live = 0, zombies = 0, err;

    for (unsigned i = 0; i < MAX_PROCS; i++) {
        live += procs[i].state != P_FREE;
        zombies += procs[i].state == P_ZOMBIE;
    }
    w[n++] = live | zombies << 16;
    w[n++] = frames_free();
    w[n++] = frames_total();
    w[n++] = stat_syscalls;
    w[n++] = stat_page_faults;
    w[n++] = stat_oom_kills;
    for (uint32_t nr = 0; nr < 512 && n + 2 <= L4_MR_COUNT - 1; nr++) {
        if (unknown_syscalls[nr]) {
            w[n++] = nr;
            w[n++] = unknown_syscalls[nr];
        }
    }
    m->mr[0] = L4_TAG(0, n, 0);
    for (uint32_t i = 1; i <= n; i++) {
        if (i < L4_MR_IN_REGISTERS)
            m->mr[i] = w[i - 1];
        else
            u->mr[i] = w[i - 1];
    }
    l4_ipc(debugd, L4_NILTHREAD, L4_ZERO, L4_ZERO, m, &err);
}

/* A request from the host, through debugd: console input, a shell to start, the counters. */
static void host_request(uint32_t label, struct l4_msg *m)
{
    uint32_t n = m->mr[1], data[CONSOLE_MAX_WRITE / 4 + 1], err;
    struct l4_utcb *u = l4_utcb();
    int32_t result = -EINVAL;

    if (label == LINUX_LABEL_STATS) {
        host_stats(m);
        return;
    }
    if (label == LINUX_LABEL_SIGNAL) {          /* the host's Ctrl-C or hangup (console.c) */
        int sid = (int)m->mr[1], sig = (int)m->mr[2], fg;
        m->mr[1] = (uint32_t)console_host_signal_count(sid, sig, &fg);
        m->mr[0] = L4_TAG(0, 1, 0);
        l4_send(debugd, m, L4_ZERO);            /* answer first: an ended process reports to debugd */
        if ((int)m->mr[1] >= 0)
            console_host_signal(sid, sig, fg);
        return;
    }
    if (n <= CONSOLE_MAX_WRITE) {
        for (uint32_t i = 0; i < (n + 3) / 4; i++)
            data[i] = 2 + i < L4_MR_IN_REGISTERS ? m->mr[2 + i] : u->mr[2 + i];
        if (label == CONSOLE_LABEL_INPUT) {
            m->mr[1] = console_accept((const uint8_t *)data, n);
            m->mr[0] = L4_TAG(0, 1, 0);
            l4_send(debugd, m, L4_ZERO);            /* answer first: the echo goes to debugd */
            console_process();
            return;
        }
        if (label == LINUX_LABEL_RUN) {
            char cmd[CONSOLE_MAX_WRITE + 1];
            memcpy(cmd, data, n);
            cmd[n] = 0;
            char *const argv_c[] = { "sh", "-c", cmd, NULL };
            char *const argv_i[] = { "-sh", NULL };
            char *const envp[] = { "HOME=/", "PATH=/bin:/usr/bin", "TERM=vt100", "PS1=# ", NULL };
            result = proc_spawn("/bin/sh", n ? argv_c : argv_i, envp);
            if (result > 0) {
                proc_by_pid(result)->host_started = 1;
                console_pgrp = console_sid = result;    /* the host's terminal: its foreground */
            }
        }
    }
    m->mr[0] = L4_TAG(0, 1, 0);
    m->mr[1] = (uint32_t)result;
    l4_ipc(debugd, L4_NILTHREAD, L4_ZERO, L4_ZERO, m, &err);
}

/* ---- the threads ------------------------------------------------------------------------ */

static volatile uint32_t lock_holder;           /* thread ID, 0 when free */

/* One CPU: ldrex/strex make taking the lock atomic against preemption (an exception clears the
 * exclusive monitor), and the threads see each other's stores in program order, so no barrier
 * instructions; the compiler barriers keep the critical section inside. */
void server_lock(void)
{
    l4_tid_t me = l4_utcb()->my_id;
    uint32_t free;

    while (free = 0, !__atomic_compare_exchange_n(&lock_holder, &free, me, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        l4_thread_switch(lock_holder);          /* let the holder finish */
    __asm__ volatile("" ::: "memory");
}

void server_unlock(void)
{
    __asm__ volatile("" ::: "memory");
    lock_holder = 0;
}

/* The pager thread: every process's pager.  A fault is answered with a map item from the pool
 * (or the process ends), in the reply of the next wait. */
static void pager_main(void)
{
    struct l4_msg m = { { 0 } };
    l4_tid_t reply_to = L4_NILTHREAD, from;
    uint32_t err;

    for (;;) {
        from = l4_ipc(reply_to, L4_ANYTHREAD, L4_ZERO, L4_NEVER, &m, &err);
        reply_to = L4_NILTHREAD;
        if (err)
            continue;
        server_lock();
        struct proc *p = proc_by_tid(from);
        uint32_t label = L4_TAG_LABEL(m.mr[0]);
        if (p && p->state == P_RUNNING && (label & 0xfff0u) == L4_LABEL_PAGEFAULT) {
            stat_page_faults++;
            if (page_fault(p, m.mr[1], label & 7, &m))
                reply_to = from;
        }
        server_unlock();
    }
}

/* The interrupt thread: time (the sleepers, woken when they are due: its receive timeout is the
 * timer) and the host's requests through debugd (console input, a shell to start, counters). */
static void interrupt_main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    for (;;) {
        uint32_t timeout = L4_NEVER;
        server_lock();
        wake_sooner = 0;
        if (next_wake != ~0ull) {
            uint64_t now = now_us();
            if (now >= next_wake)
                wake_sleepers(now);
            if (next_wake != ~0ull)
                timeout = next_wake - now > 0x7fffffff ? 0x7fffffff : (uint32_t)(next_wake - now);
        }
        server_unlock();
        l4_tid_t from = l4_receive(L4_ANYTHREAD, &m, timeout, &err);
        if (err || from != debugd)
            continue;                           /* the time came, or "a sleeper is due sooner" */
        server_lock();
        host_request(L4_TAG_LABEL(m.mr[0]), &m);
        server_unlock();
    }
}

static l4_tid_t start_thread(unsigned number, void (*fn)(void), uint32_t *stack_top, const char *name)
{
    l4_tid_t t = L4_TID(L4_TID_NUMBER(linux_server) + number, 1);
    struct l4_utcb *u = l4_utcb();
    uint32_t regs[13] = { linux_server, L4_TC_KEEP, L4_TC_KEEP };

    regs[7] = L4_SYS_SCHEDULE;                  /* our own priority, which they share */
    l4_syscall_regs(regs);
    if (l4_thread_control(t, linux_server, linux_server, u->pager, u->exception_handler, L4_TC_PRIVILEGED) ||
        l4_schedule(t, regs[0], L4_TC_KEEP) || l4_start(t, (uint32_t)stack_top, (uint32_t)fn))
        return L4_NILTHREAD;
    l4_set_name(t, name);
    return t;
}

#define THREAD_STACK_WORDS 4096
static uint32_t pager_stack[THREAD_STACK_WORDS] __attribute__((aligned(8)));
static uint32_t interrupt_stack[THREAD_STACK_WORDS] __attribute__((aligned(8)));

/*
 * The exception thread (the server's first): every system call and exception of every process.
 * The reply to the message just handled goes out with the next receive, in one system call;
 * replies to other processes (a pipe's reader, a parent in wait4) go out at once.
 */
/* A trap of `p` (RUNNING) other than an ordinary system call: a forked child's first, the signal
 * trampoline's, or a fault.  The thread ID to reply to, or L4_NILTHREAD when `p` waits on (or
 * is gone). */
static __attribute__((noinline)) l4_tid_t serve_other(struct proc *p, uint32_t label, struct l4_msg *m)
{
    if (label == L4_LABEL_SYSCALL && p->starting) {
        p->starting = 0;                        /* a forked child's first trap */
        p->regs_changed = 1;
        if (signal_deliver(p))                  /* one sent to it before it ran */
            return L4_NILTHREAD;
    } else if (label == L4_LABEL_SYSCALL) {
        take_registers(p, m);                   /* the trampoline's trap: a signal to take */
        p->regs[15] = p->saved_pc;
        p->regs[16] = p->saved_cpsr;
        p->interrupted = 0;
        p->regs_changed = 1;
        if (signal_deliver(p))
            return L4_NILTHREAD;
    } else if (label == L4_LABEL_EXCEPTION) {
        /* a fault: SIGILL, SIGBUS or SIGSEGV, to a handler if it has one */
        uint32_t kind = l4_utcb()->mr[L4_EXC_KIND], far = l4_utcb()->mr[L4_EXC_FAR];
        int sig = kind == L4_EXC_UNDEFINED ? SIGILL : kind == L4_EXC_ALIGNMENT ? SIGBUS : SIGSEGV;
        take_registers(p, m);
        if (kind == L4_EXC_MAP_FAILED) {
            /* the kernel had no memory left for the page's mapping (its page table): out
             * of memory, as Linux's OOM killer would decide it */
            stat_oom_kills++;
            proc_exit(p, SIGKILL);
            return L4_NILTHREAD;
        }
        if (p->leader->sig[sig].handler <= SIG_IGN || p->sig_blocked & 1u << (sig - 1)) {
            proc_exit(p, sig);
            return L4_NILTHREAD;
        }
        /* its siginfo as Linux's fault handlers give it: the address (the instruction's, for
         * SIGILL) and, for SIGSEGV, whether a region is there (SEGV_ACCERR) or none */
        uint32_t addr = sig == SIGILL ? p->regs[15] : far;
        struct sig_origin from = { .code = sig == SIGILL ? ILL_ILLOPC : sig == SIGBUS ? BUS_ADRALN :
                                           mm_find(p->mm, addr) ? SEGV_ACCERR : SEGV_MAPERR,
                                   .pid = (int32_t)addr };
        signal_pend(p, sig, &from);
        if (signal_deliver(p))
            return L4_NILTHREAD;
        p->regs_changed = 1;
    } else {
        return L4_NILTHREAD;                    /* a stray message: nobody to answer */
    }
    reply_message(p, m);
    return p->tid;
}

/* `p`, kept in a register from here on rather than computed again from its slot */
static inline __attribute__((always_inline)) struct proc *in_register(struct proc *p)
{
    __asm__("" : "+r"(p));
    return p;
}

/* The exception thread: every process's system calls and faults arrive as exception messages,
 * and the reply to one (propagated) lets the process run on, in the same IPC as the next wait.
 * An ordinary system call is the straight line; the rest is serve_other's. */
static void __attribute__((noreturn, noinline)) serve(void)
{
    struct l4_msg m = { { 0 } };
    l4_tid_t reply_to = L4_NILTHREAD, from;
    uint32_t err;

    for (;;) {
        from = l4_ipc(reply_to, L4_ANYTHREAD, L4_ZERO, L4_NEVER, &m, &err);
        reply_to = L4_NILTHREAD;
        if (err)
            continue;
        server_lock();
        uint32_t slot = L4_TID_NUMBER(from) - first_process;   /* proc_by_tid, inline */
        struct proc *p;
        if (slot >= MAX_PROCS || (p = in_register(&procs[slot]))->tid != from || p->state != P_RUNNING) {
            /* a process already gone, or a stray message: nobody to answer */
        } else if (L4_TAG_LABEL(m.mr[0]) == L4_LABEL_SYSCALL && !(p->starting | p->interrupted)) {
            stat_syscalls++;
            take_registers(p, &m);
            if (!syscall_dispatch(p) && !signal_deliver(p)) {
                reply_message(p, &m);
                reply_to = from;                /* p->tid */
            }
        } else {
            reply_to = serve_other(p, L4_TAG_LABEL(m.mr[0]), &m);
        }
        int tell = wake_sooner;
        wake_sooner = 0;
        server_unlock();
        if (tell) {                             /* a sleeper is due before the time it waits for */
            struct l4_msg nudge = { { L4_TAG(0, 0, 0) } };
            l4_send(linux_interrupt, &nudge, L4_NEVER);
        }
    }
}

int main(void)
{
    int i = l4_module_index("debugd");

    linux_server = l4_myself();
    first_process = L4_TID_NUMBER(linux_server) + LINUX_FIRST_PROCESS;
    debugd = i >= 0 ? L4_MODULE_TID(i) : L4_NILTHREAD;
    read_rtc();                             /* first: the files made at boot get its time */
    const char *why = get_pool() ? "no memory pool from sigma0" : map_rootfs();
    if (!why) {
        linux_pager = start_thread(LINUX_THREAD_PAGER, pager_main, pager_stack + THREAD_STACK_WORDS,
                                   "linux-pager");
        linux_interrupt = start_thread(LINUX_THREAD_INTERRUPT, interrupt_main,
                                       interrupt_stack + THREAD_STACK_WORDS, "linux-irq");
        if (linux_pager == L4_NILTHREAD || linux_interrupt == L4_NILTHREAD)
            why = "cannot start the pager and interrupt threads";
    }
    if (why) {
        char text[96];
        fmt(text, sizeof text, "linux: %s", why);
        log_text(text);
        host_log(text);                     /* the host hears why there is no Linux */
        return 1;
    }
    server_lock();
    char *const argv[] = { "/bin/init", NULL };
    char *const envp[] = { "HOME=/", "PATH=/bin:/usr/bin", "TERM=vt100", NULL };
    int pid = proc_spawn("/bin/init", argv, envp);
    if (pid < 0) {
        char text[64];
        fmt(text, sizeof text, "linux: cannot start /bin/init: %d", pid);
        log_text(text);
    }
    server_unlock();

    serve();
}
