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

int sys_ugetrlimit(struct proc *p, uint32_t *r)
{
    uint32_t lim[2] = { 0xffffffffu, 0xffffffffu };

    if (r[0] == 3)                              /* RLIMIT_STACK: 8 MiB */
        lim[0] = lim[1] = 8u << 20;
    if (r[0] == 7)                              /* RLIMIT_NOFILE */
        lim[0] = lim[1] = MAX_FDS;
    RET(mm_copy_out(p->mm, p->tid, r[1], lim, 8) ? -EFAULT : 0);
}

int sys_prlimit64(struct proc *p, uint32_t *r)
{
    uint32_t lim[4] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };

    if (r[0] && r[0] != (uint32_t)p->pid)
        RET(-ESRCH);
    if (r[1] == 3) {
        lim[0] = lim[2] = 8u << 20;
        lim[1] = lim[3] = 0;
    } else if (r[1] == 7) {
        lim[0] = lim[2] = MAX_FDS;
        lim[1] = lim[3] = 0;
    }
    if (r[3] && mm_copy_out(p->mm, p->tid, r[3], lim, 16))
        RET(-EFAULT);
    RET(0);
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

int sys_clock_gettime(struct proc *p, uint32_t *r)
{
    uint64_t ns = now_ns();
    uint32_t ts[2] = { (uint32_t)(ns / 1000000000), (uint32_t)(ns % 1000000000) };

    RET(mm_copy_out(p->mm, p->tid, r[1], ts, 8) ? -EFAULT : 0);
}

int sys_clock_gettime64(struct proc *p, uint32_t *r)
{
    uint64_t ns = now_ns();
    uint32_t ts[4] = { (uint32_t)(ns / 1000000000), 0, (uint32_t)(ns % 1000000000), 0 };

    RET(mm_copy_out(p->mm, p->tid, r[1], ts, 16) ? -EFAULT : 0);
}

int sys_times(struct proc *p, uint32_t *r)
{
    uint32_t t[4] = { 0, 0, 0, 0 };
    uint32_t ticks = (uint32_t)(now_us() / 10000);

    if (r[0] && mm_copy_out(p->mm, p->tid, r[0], t, 16))
        RET(-EFAULT);
    RET(ticks);
}

int sys_nanosleep(struct proc *p, uint32_t *r)
{
    uint32_t ts[2];

    if (mm_copy_in(p->mm, p->tid, ts, r[0], 8))
        RET(-EFAULT);
    proc_sleep(p, now_us() + (uint64_t)ts[0] * 1000000 + ts[1] / 1000);
    return 1;
}

int sys_clock_nanosleep(struct proc *p, uint32_t *r)
{
    if (r[1] & 1)                               /* TIMER_ABSTIME: not supported */
        RET(-EINVAL);
    r[0] = r[2];
    return sys_nanosleep(p, r);
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
