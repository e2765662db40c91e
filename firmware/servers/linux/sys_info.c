/* Information and time: uname, sysinfo, limits, random bytes, clocks and sleeping. */
#include "syscalls.h"

/* sysinfo: uptime, memory from the pool, the number of processes (struct sysinfo, 64 bytes). */
int sys_sysinfo(struct proc *p, uint32_t *r)
{
    uint32_t si[16];
    uint16_t n = 0;

    memset(si, 0, sizeof si);
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += procs[i].state != P_FREE;
    si[0] = (uint32_t)(now_us() / 1000000);     /* uptime, s */
    si[4] = frames_total();                     /* totalram, in mem_unit */
    si[5] = frames_free();                      /* freeram */
    ((uint16_t *)si)[20] = n;                   /* procs */
    si[13] = PAGE;                              /* mem_unit */
    RET(mm_copy_out(p->mm, p->tid, r[0], si, sizeof si) ? -EFAULT : 0);
}

int sys_uname(struct proc *p, uint32_t *r)
{
    char u[6 * 65];

    memset(u, 0, sizeof u);
    memcpy(u + 0 * 65, UTS_SYSNAME, sizeof UTS_SYSNAME - 1);
    memcpy(u + 1 * 65, UTS_NODENAME, sizeof UTS_NODENAME - 1);
    memcpy(u + 2 * 65, UTS_RELEASE, sizeof UTS_RELEASE - 1);
    memcpy(u + 3 * 65, UTS_VERSION, sizeof UTS_VERSION - 1);
    memcpy(u + 4 * 65, UTS_MACHINE, sizeof UTS_MACHINE - 1);
    memcpy(u + 5 * 65, "(none)", 6);
    RET(mm_copy_out(p->mm, p->tid, r[0], u, sizeof u) ? -EFAULT : 0);
}

/* ---- resource limits ---------------------------------------------------------------------- */

#define RLIM_INF    0xffffffffu                 /* RLIM_INFINITY; RLIM64_INFINITY as 64 bits */
#define NR_OPEN     1048576u                    /* the most RLIMIT_NOFILE may be raised to */

/* What Linux gives init: stack 8 MiB, no core files, 1024 descriptors (4096 at most), 8 MiB
 * locked, 800 KiB of message queues; processes and pending signals as our table allows. */
void proc_default_limits(struct proc *p)
{
    for (unsigned i = 0; i < RLIMIT_NLIMITS; i++)
        p->leader->rlim[i].cur = p->leader->rlim[i].max = RLIM_INF;
    p->leader->rlim[RLIMIT_STACK].cur = 8u << 20;
    p->leader->rlim[RLIMIT_CORE].cur = 0;
    p->leader->rlim[RLIMIT_NOFILE].cur = 1024;
    p->leader->rlim[RLIMIT_NOFILE].max = 4096;
    p->leader->rlim[RLIMIT_MEMLOCK].cur = p->leader->rlim[RLIMIT_MEMLOCK].max = 8u << 20;
    p->leader->rlim[RLIMIT_MSGQUEUE].cur = p->leader->rlim[RLIMIT_MSGQUEUE].max = 819200;
    p->leader->rlim[RLIMIT_NICE].cur = p->leader->rlim[RLIMIT_NICE].max = 0;
    p->leader->rlim[RLIMIT_RTPRIO].cur = p->leader->rlim[RLIMIT_RTPRIO].max = 0;
    p->leader->rlim[RLIMIT_NPROC].cur = p->leader->rlim[RLIMIT_NPROC].max = MAX_PROCS;
    p->leader->rlim[RLIMIT_SIGPENDING].cur = p->leader->rlim[RLIMIT_SIGPENDING].max = MAX_PROCS;
}

/* Set limit `res` of `p` (values with RLIM_INF for infinity): 0 or -errno.  Every process is
 * root, so a hard limit may go up too, but descriptors no higher than Linux's nr_open. */
static int rlimit_set(struct proc *p, uint32_t res, uint32_t cur, uint32_t max)
{
    if (cur > max)
        return -EINVAL;
    if (res == RLIMIT_NOFILE && max > NR_OPEN)
        return -EPERM;
    p->leader->rlim[res].cur = cur;
    p->leader->rlim[res].max = max;
    return 0;
}

int sys_ugetrlimit(struct proc *p, uint32_t *r)
{
    if (r[0] >= RLIMIT_NLIMITS)
        RET(-EINVAL);
    RET(mm_copy_out(p->mm, p->tid, r[1], &p->leader->rlim[r[0]], 8) ? -EFAULT : 0);
}

int sys_setrlimit(struct proc *p, uint32_t *r)
{
    uint32_t lim[2];

    if (r[0] >= RLIMIT_NLIMITS)
        RET(-EINVAL);
    if (mm_copy_in(p->mm, p->tid, lim, r[1], 8))
        RET(-EFAULT);
    RET(rlimit_set(p, r[0], lim[0], lim[1]));
}

/* A 64-bit limit as we keep it: anything past 32 bits is infinity. */
static uint32_t lim32(uint32_t lo, uint32_t hi)
{
    return hi ? RLIM_INF : lo;
}

int sys_prlimit64(struct proc *p, uint32_t *r)
{
    struct proc *t = r[0] ? proc_by_pid((int32_t)r[0]) : p;
    uint32_t lim[4];

    if (!t || t->state == P_FREE || t->state == P_ZOMBIE)
        RET(-ESRCH);
    if (r[1] >= RLIMIT_NLIMITS)
        RET(-EINVAL);
    uint32_t cur = t->leader->rlim[r[1]].cur, max = t->leader->rlim[r[1]].max;
    if (r[2]) {
        if (mm_copy_in(p->mm, p->tid, lim, r[2], 16))
            RET(-EFAULT);
        int err = rlimit_set(t, r[1], lim32(lim[0], lim[1]), lim32(lim[2], lim[3]));
        if (err)
            RET(err);
    }
    uint32_t old[4] = { cur, cur == RLIM_INF ? RLIM_INF : 0, max, max == RLIM_INF ? RLIM_INF : 0 };
    if (r[3] && mm_copy_out(p->mm, p->tid, r[3], old, 16))
        RET(-EFAULT);
    RET(0);
}

/* ---- priorities ------------------------------------------------------------------------ */

/* The next process from procs[*i] on that getpriority/setpriority's (which, who) names, or NULL:
 * a process (who 0: the caller's), a process group (0: the caller's), a real user (0: the
 * caller's). */
static struct proc *prio_next(const struct proc *p, uint32_t which, uint32_t who, unsigned *i)
{
    while (*i < MAX_PROCS) {
        struct proc *t = &procs[(*i)++];
        if (t->state == P_FREE || t->state == P_ZOMBIE || t->leader != t)
            continue;
        if (which == PRIO_PROCESS ? t->pid == (who ? (int)who : p->pid) :
            which == PRIO_PGRP ? t->pgid == (who ? (int)who : p->leader->pgid) :
            t->cred.uid == (who ? who : p->leader->cred.uid))
            return t;
    }
    return NULL;
}

/* getpriority(which, who): 20 - the lowest nice value among the processes named (the system
 * call's form; the C library's returns the nice value itself). */
int sys_getpriority(struct proc *p, uint32_t *r)
{
    int best = 0;
    unsigned i = 0;

    if (r[0] > PRIO_USER)
        RET(-EINVAL);
    for (struct proc *t; (t = prio_next(p, r[0], r[1], &i));)
        if (20 - t->nice > best)
            best = 20 - t->nice;
    RET(best ? best : -ESRCH);
}

/* Give `t` the nice value `nice` for `p`, or why not: another user's process needs root (EPERM),
 * and so does a lower value than it has, beyond what RLIMIT_NICE allows (EACCES). */
static int set_nice(const struct proc *p, struct proc *t, int nice)
{
    if (!cred_may_schedule(p, t))
        return -EPERM;
    if (nice < t->nice && p->leader->cred.euid && p->leader->rlim[RLIMIT_NICE].cur < (uint32_t)(20 - nice))
        return -EACCES;
    t->nice = nice;
    return 0;
}

static int nice_clamp(int nice)
{
    return nice < -20 ? -20 : nice > 19 ? 19 : nice;
}

/* setpriority(which, who, nice): every process named, as far as it may be; the last refusal if
 * any, else ESRCH if none is named. */
int sys_setpriority(struct proc *p, uint32_t *r)
{
    int err = -ESRCH;
    unsigned i = 0;

    if (r[0] > PRIO_USER)
        RET(-EINVAL);
    for (struct proc *t; (t = prio_next(p, r[0], r[1], &i));) {
        int e = set_nice(p, t, nice_clamp((int32_t)r[2]));
        err = e ? e : err == -ESRCH ? 0 : err;
    }
    RET(err);
}

/* nice(inc): the caller's nice value moved by inc. */
int sys_nice(struct proc *p, uint32_t *r)
{
    RET(set_nice(p, p->leader, nice_clamp(p->leader->nice + (int32_t)r[0])));
}

int sys_getrandom(struct proc *p, uint32_t *r)
{
    static uint32_t x = 0x12345678u;
    uint8_t buf[256];
    uint32_t len = r[1] < sizeof buf ? r[1] : sizeof buf;

    x ^= l4_cycles();
    for (uint32_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (uint8_t)x;
    }
    RET(mm_copy_out(p->mm, p->tid, r[0], buf, len) ? -EFAULT : (int)len);
}

/* ---- clocks ---------------------------------------------------------------------------- */

int64_t realtime_offset_ns;

/* A timespec: 32-bit {sec, nsec} or time64 {sec (8 bytes), nsec (8 bytes)}; -EINVAL when the
 * nanoseconds are out of range. */
static int get_timespec(struct proc *p, uint32_t addr, int t64, int64_t *ns)
{
    int32_t w[4];
    int64_t sec, nsec;

    if (mm_copy_in(p->mm, p->tid, w, addr, t64 ? 16 : 8))
        return -EFAULT;
    sec = t64 ? (int64_t)((uint64_t)(uint32_t)w[1] << 32 | (uint32_t)w[0]) : w[0];
    nsec = t64 ? w[2] : w[1];
    if (nsec < 0 || nsec >= 1000000000 || sec < 0)
        return -EINVAL;
    *ns = sec * 1000000000 + nsec;
    return 0;
}

static int put_timespec(struct proc *p, uint32_t addr, int t64, int64_t ns)
{
    int64_t sec = ns / 1000000000;
    uint32_t nsec = (uint32_t)(ns % 1000000000);
    uint32_t w[4] = { (uint32_t)sec, nsec, 0, 0 };

    if (t64) {
        w[1] = (uint32_t)((uint64_t)sec >> 32);
        w[2] = nsec;
    }
    return mm_copy_out(p->mm, p->tid, addr, w, t64 ? 16 : 8) ? -EFAULT : 0;
}

/* A clock's time now, in ns: the wall clock (REALTIME), time since boot, or the process's CPU
 * time, user and system (to the kernel tick's millisecond); -EINVAL for a clock Linux does not
 * have. */
static int clock_now(struct proc *p, uint32_t id, int64_t *ns)
{
    uint32_t user, sys;

    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        *ns = (int64_t)now_ns() + realtime_offset_ns;
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        *ns = (int64_t)now_ns();
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        proc_cpu_time(p, &user, &sys);
        *ns = ((int64_t)user + sys) * 1000000;
        return 0;
    default:
        return -EINVAL;
    }
}

static int clock_get(struct proc *p, uint32_t *r, int t64)
{
    int64_t ns;
    int err = clock_now(p, r[0], &ns);

    RET(err ? err : put_timespec(p, r[1], t64, ns));
}

int sys_clock_gettime(struct proc *p, uint32_t *r)
{
    return clock_get(p, r, 0);
}

int sys_clock_gettime64(struct proc *p, uint32_t *r)
{
    return clock_get(p, r, 1);
}

static int clock_getres(struct proc *p, uint32_t *r, int t64)
{
    int64_t ns;
    int err = clock_now(p, r[0], &ns);

    if (!err && r[1])
        err = put_timespec(p, r[1], t64, 1);
    RET(err);
}

int sys_clock_getres(struct proc *p, uint32_t *r)
{
    return clock_getres(p, r, 0);
}

int sys_clock_getres_time64(struct proc *p, uint32_t *r)
{
    return clock_getres(p, r, 1);
}

/* Setting the wall clock moves its offset from the time since boot (root only: every process is
 * root here). */
static int clock_set(struct proc *p, uint32_t id, uint32_t addr, int t64)
{
    int64_t ns;
    int err;

    if (id != CLOCK_REALTIME)
        return -EINVAL;
    err = get_timespec(p, addr, t64, &ns);
    if (err)
        return err;
    realtime_offset_ns = ns - (int64_t)now_ns();
    return 0;
}

int sys_clock_settime(struct proc *p, uint32_t *r)
{
    RET(clock_set(p, r[0], r[1], 0));
}

int sys_clock_settime64(struct proc *p, uint32_t *r)
{
    RET(clock_set(p, r[0], r[1], 1));
}

int sys_gettimeofday(struct proc *p, uint32_t *r)
{
    int64_t us = ((int64_t)now_ns() + realtime_offset_ns) / 1000;
    uint32_t tv[2] = { (uint32_t)(us / 1000000), (uint32_t)(us % 1000000) }, tz[2] = { 0, 0 };

    if (r[0] && mm_copy_out(p->mm, p->tid, r[0], tv, 8))
        RET(-EFAULT);
    if (r[1] && mm_copy_out(p->mm, p->tid, r[1], tz, 8))
        RET(-EFAULT);
    RET(0);
}

int sys_settimeofday(struct proc *p, uint32_t *r)
{
    int32_t tv[2];

    if (!r[0])
        RET(0);                                 /* the time zone alone: nothing to keep */
    if (mm_copy_in(p->mm, p->tid, tv, r[0], 8))
        RET(-EFAULT);
    if (tv[1] < 0 || tv[1] >= 1000000 || tv[0] < 0)
        RET(-EINVAL);
    realtime_offset_ns = ((int64_t)tv[0] * 1000000 + tv[1]) * 1000 - (int64_t)now_ns();
    RET(0);
}

/* times: the process's and its reaped children's CPU time, user and system, in clock ticks
 * (USER_HZ, 100 a second); the result is the ticks since boot. */
int sys_times(struct proc *p, uint32_t *r)
{
    uint32_t user, sys;
    uint32_t ticks = (uint32_t)(now_us() / 10000);

    proc_cpu_time(p, &user, &sys);
    uint32_t t[4] = { user / 10, sys / 10, p->leader->cutime_ms / 10, p->leader->cstime_ms / 10 };

    if (r[0] && mm_copy_out(p->mm, p->tid, r[0], t, 16))
        RET(-EFAULT);
    RET(ticks);
}

int rusage_put(struct proc *p, uint32_t addr, uint32_t user_ms, uint32_t sys_ms, uint32_t maxrss_kb)
{
    uint32_t ru[18];

    memset(ru, 0, sizeof ru);
    ru[0] = user_ms / 1000;
    ru[1] = user_ms % 1000 * 1000;
    ru[2] = sys_ms / 1000;
    ru[3] = sys_ms % 1000 * 1000;
    ru[4] = maxrss_kb;
    return mm_copy_out(p->mm, p->tid, addr, ru, sizeof ru) ? -EFAULT : 0;
}

/* getrusage: the CPU time (as times gives it, in timevals) of the process (RUSAGE_SELF, and
 * RUSAGE_THREAD: it has one) or of its reaped children; of the rest of struct rusage, the
 * largest resident size (ru_maxrss, KiB) of the process now. */
int sys_getrusage(struct proc *p, uint32_t *r)
{
    uint32_t user, sys;

    if ((int32_t)r[0] != RUSAGE_SELF && (int32_t)r[0] != RUSAGE_CHILDREN && (int32_t)r[0] != 1)
        RET(-EINVAL);
    if ((int32_t)r[0] == RUSAGE_CHILDREN)
        RET(rusage_put(p, r[1], p->leader->cutime_ms, p->leader->cstime_ms, 0));
    proc_cpu_time(p, &user, &sys);
    RET(rusage_put(p, r[1], user, sys, p->mm ? p->mm->pages * (PAGE / 1024) : 0));
}

/* ---- sleeping -------------------------------------------------------------------------- */

/* Sleep until `wake_ns` on the monotonic clock; on a signal the call ends with EINTR and, when
 * `rem` is given (relative sleeps only), the time that was left (signal.c asks proc_unblock). */
static int sleep_until(struct proc *p, uint64_t wake_ns, uint32_t rem, int t64)
{
    if (wake_ns <= now_ns()) {
        p->regs[0] = 0;                         /* due already */
        return 0;
    }
    p->sleep_rem = rem;
    p->sleep_rem64 = (uint32_t)t64;
    proc_sleep(p, (wake_ns + 999) / 1000);
    return 1;
}

/* Called when a signal ends a sleep early: the time left, for nanosleep's `rem`. */
void proc_sleep_interrupted(struct proc *p)
{
    uint64_t now = now_us();

    if (p->sleep_rem && p->wake_us != ~0ull && p->mm)
        put_timespec(p, p->sleep_rem, (int)p->sleep_rem64,
                     p->wake_us > now ? (int64_t)(p->wake_us - now) * 1000 : 0);
    p->sleep_rem = 0;
}

int sys_nanosleep(struct proc *p, uint32_t *r)
{
    int64_t ns;
    int err = get_timespec(p, r[0], 0, &ns);

    if (err)
        RET(err);
    return sleep_until(p, now_ns() + (uint64_t)ns, r[1], 0);
}

static int clock_sleep(struct proc *p, uint32_t *r, int t64)
{
    int64_t ns, now;
    int err = clock_now(p, r[0], &ns);

    if (err || r[0] == CLOCK_THREAD_CPUTIME_ID)
        RET(err ? err : -EINVAL);
    now = ns;
    err = get_timespec(p, r[2], t64, &ns);
    if (err)
        RET(err);
    if (r[1] & TIMER_ABSTIME)                   /* a time on that clock: how far it is */
        return sleep_until(p, now_ns() + (uint64_t)(ns > now ? ns - now : 0), 0, t64);
    return sleep_until(p, now_ns() + (uint64_t)ns, r[3], t64);
}

int sys_clock_nanosleep(struct proc *p, uint32_t *r)
{
    return clock_sleep(p, r, 0);
}

int sys_clock_nanosleep_time64(struct proc *p, uint32_t *r)
{
    return clock_sleep(p, r, 1);
}

/* ---- ITIMER_REAL and alarm --------------------------------------------------------------- */

/* struct itimerval {interval, value}, each {sec, usec}, as the alarm stands now. */
static void itimer_now(struct proc *p, uint32_t v[4])
{
    uint64_t now = now_us(), left = p->leader->alarm_us > now ? p->leader->alarm_us - now : (p->leader->alarm_us ? 1 : 0);

    v[0] = (uint32_t)(p->leader->alarm_period_us / 1000000);
    v[1] = (uint32_t)(p->leader->alarm_period_us % 1000000);
    v[2] = (uint32_t)(left / 1000000);
    v[3] = (uint32_t)(left % 1000000);
}

int sys_getitimer(struct proc *p, uint32_t *r)
{
    uint32_t v[4] = { 0, 0, 0, 0 };

    if (r[0] > ITIMER_PROF)
        RET(-EINVAL);
    if (r[0] == ITIMER_REAL)
        itimer_now(p, v);
    RET(mm_copy_out(p->mm, p->tid, r[1], v, 16) ? -EFAULT : 0);
}

int sys_setitimer(struct proc *p, uint32_t *r)
{
    uint32_t v[4], old[4] = { 0, 0, 0, 0 };

    if (r[0] > ITIMER_PROF)
        RET(-EINVAL);
    if (r[1] && mm_copy_in(p->mm, p->tid, v, r[1], 16))
        RET(-EFAULT);
    if (r[1] && (v[1] >= 1000000 || v[3] >= 1000000))
        RET(-EINVAL);
    if (r[0] == ITIMER_REAL)
        itimer_now(p, old);
    if (r[2] && mm_copy_out(p->mm, p->tid, r[2], old, 16))
        RET(-EFAULT);
    if (r[0] != ITIMER_REAL || !r[1])
        RET(0);                                 /* CPU-time timers: accepted, never due */
    uint64_t value = (uint64_t)v[2] * 1000000 + v[3];
    p->leader->alarm_period_us = (uint64_t)v[0] * 1000000 + v[1];
    p->leader->alarm_us = value ? now_us() + value : 0;
    if (p->leader->alarm_us)
        proc_timer(p->leader->alarm_us);
    RET(0);
}

int sys_zero(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(0);
}

int sys_enosys(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(-ENOSYS);
}
