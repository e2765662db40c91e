/*
 * Linux system calls, by ARM EABI number (r7), arguments in r0-r6 (p->regs[0..6]), result in
 * r0: a value, or -errno.  A handler returns 1 when the process must wait for its reply (or is
 * gone), 0 when the reply goes now.  A call we do not implement answers -ENOSYS and is counted.
 */
#include "linux.h"

#define ENOENT      2
#define EBADF       9
#define ECHILD      10
#define ENOMEM      12
#define EFAULT      14
#define EINVAL      22
#define ENOTTY      25
#define ENOSYS      38

uint32_t unknown_syscalls[512];

typedef int (*syscall_fn)(struct proc *p, uint32_t *r);

#define RET(v) do { r[0] = (uint32_t)(v); return 0; } while (0)

static int sys_exit(struct proc *p, uint32_t *r)
{
    proc_exit(p, (r[0] & 0xff) << 8);
    return 1;
}

static int sys_write(struct proc *p, uint32_t *r)
{
    uint8_t buf[256];
    uint32_t fd = r[0], addr = r[1], len = r[2], done = 0;

    if (fd != 1 && fd != 2)
        RET(-EBADF);
    while (done < len) {
        uint32_t n = len - done < sizeof buf ? len - done : sizeof buf;
        if (mm_copy_in(p->mm, p->tid, buf, addr + done, n))
            RET(done ? (int)done : -EFAULT);
        console_write(buf, n);
        done += n;
    }
    RET(done);
}

static int sys_writev(struct proc *p, uint32_t *r)
{
    uint32_t iov[2], total = 0;

    if (r[0] != 1 && r[0] != 2)
        RET(-EBADF);
    for (uint32_t i = 0; i < r[2] && i < 1024; i++) {
        uint32_t args[3] = { r[0], 0, 0 };
        if (mm_copy_in(p->mm, p->tid, iov, r[1] + i * 8, 8))
            RET(-EFAULT);
        args[1] = iov[0];
        args[2] = iov[1];
        sys_write(p, args);
        if ((int32_t)args[0] < 0)
            RET(total ? (int)total : (int32_t)args[0]);
        total += args[0];
    }
    RET(total);
}

static int sys_brk(struct proc *p, uint32_t *r)
{
    struct mm *mm = p->mm;
    uint32_t want = r[0], old_end = (mm->brk + PAGE - 1) & PAGE_MASK;
    uint32_t new_end = (want + PAGE - 1) & PAGE_MASK;

    if (want < mm->brk_start || want > mm->brk_start + (256u << 20))
        RET(mm->brk);
    if (new_end > old_end) {
        struct vma *v = old_end > mm->brk_start ? mm_find(mm, old_end - 1) : NULL;
        if (v && v->end == old_end && !v->file)
            v->end = new_end;                   /* grow the heap region */
        else if (mm_add(mm, old_end, new_end, VM_READ | VM_WRITE))
            RET(mm->brk);
    } else if (new_end < old_end) {
        mm_remove(mm, p->tid, new_end, old_end);
    }
    mm->brk = want;
    RET(want);
}

static int sys_mmap2(struct proc *p, uint32_t *r)
{
    uint32_t len = (r[1] + PAGE - 1) & PAGE_MASK, prot = r[2] & 7, flags = r[3];
    uint32_t addr;

    /* anonymous private or shared memory only, for now: MAP_ANONYMOUS = 0x20 */
    if (!(flags & 0x20) || !len)
        RET(-ENOSYS);
    if (flags & 0x10) {                         /* MAP_FIXED */
        addr = r[0] & PAGE_MASK;
        mm_remove(p->mm, p->tid, addr, addr + len);
    } else {
        addr = p->mm->mmap_next - len;
        p->mm->mmap_next = addr;
    }
    if (mm_add(p->mm, addr, addr + len, (prot & 1 ? VM_READ : 0) | (prot & 2 ? VM_WRITE : 0) |
               (prot & 4 ? VM_EXEC : 0) | VM_READ))
        RET(-ENOMEM);
    RET(addr);
}

static int sys_munmap(struct proc *p, uint32_t *r)
{
    if (r[0] & ~PAGE_MASK)
        RET(-EINVAL);
    mm_remove(p->mm, p->tid, r[0], r[0] + ((r[1] + PAGE - 1) & PAGE_MASK));
    RET(0);
}

static int sys_set_tls(struct proc *p, uint32_t *r)
{
    p->tls = r[0];
    l4_exchange_registers(p->tid, L4_XR_TLS, 0, 0, r[0]);
    RET(0);
}

static int sys_set_tid_address(struct proc *p, uint32_t *r)
{
    p->clear_child_tid = r[0];
    RET(p->pid);
}

static int sys_getpid(struct proc *p, uint32_t *r)
{
    RET(p->pid);
}

static int sys_getppid(struct proc *p, uint32_t *r)
{
    RET(p->ppid);
}

static int sys_zero(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(0);
}

static int sys_uname(struct proc *p, uint32_t *r)
{
    char u[6 * 65];

    memset(u, 0, sizeof u);
    memcpy(u + 0 * 65, "Linux", 5);
    memcpy(u + 1 * 65, "l4", 2);
    memcpy(u + 2 * 65, "6.1.0-l4", 8);
    memcpy(u + 3 * 65, "#1 SMP L4 server", 16);
    memcpy(u + 4 * 65, "armv7l", 6);
    memcpy(u + 5 * 65, "(none)", 6);
    RET(mm_copy_out(p->mm, p->tid, r[0], u, sizeof u) ? -EFAULT : 0);
}

static int sys_ugetrlimit(struct proc *p, uint32_t *r)
{
    uint32_t lim[2] = { 0xffffffffu, 0xffffffffu };

    if (r[0] == 3)                              /* RLIMIT_STACK: 8 MiB */
        lim[0] = lim[1] = 8u << 20;
    RET(mm_copy_out(p->mm, p->tid, r[1], lim, 8) ? -EFAULT : 0);
}

static int sys_prlimit64(struct proc *p, uint32_t *r)
{
    uint32_t lim[4] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };

    if (r[0] && r[0] != (uint32_t)p->pid)
        RET(-3);                                /* ESRCH */
    if (r[1] == 3) {
        lim[0] = lim[2] = 8u << 20;
        lim[1] = lim[3] = 0;
    }
    if (r[3] && mm_copy_out(p->mm, p->tid, r[3], lim, 16))
        RET(-EFAULT);
    RET(0);
}

static int sys_getrandom(struct proc *p, uint32_t *r)
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

static int sys_clock_gettime(struct proc *p, uint32_t *r)
{
    uint64_t us = now_us();
    uint32_t ts[2] = { (uint32_t)(us / 1000000), (uint32_t)(us % 1000000) * 1000 };

    RET(mm_copy_out(p->mm, p->tid, r[1], ts, 8) ? -EFAULT : 0);
}

static int sys_clock_gettime64(struct proc *p, uint32_t *r)
{
    uint64_t us = now_us();
    uint32_t ts[4] = { (uint32_t)(us / 1000000), 0, (uint32_t)(us % 1000000) * 1000, 0 };

    RET(mm_copy_out(p->mm, p->tid, r[1], ts, 16) ? -EFAULT : 0);
}

static int sys_ioctl(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(-ENOTTY);
}

static int sys_readlink(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(-ENOENT);
}

static int sys_enosys(struct proc *p, uint32_t *r)
{
    (void)p;
    RET(-ENOSYS);
}

static const syscall_fn table[] = {
    [1] = sys_exit,
    [4] = sys_write,
    [20] = sys_getpid,
    [45] = sys_brk,
    [54] = sys_ioctl,
    [64] = sys_getppid,
    [85] = sys_readlink,
    [91] = sys_munmap,
    [122] = sys_uname,
    [125] = sys_zero,                           /* mprotect: regions keep their rights for now */
    [146] = sys_writev,
    [174] = sys_zero,                           /* rt_sigaction */
    [175] = sys_zero,                           /* rt_sigprocmask */
    [191] = sys_ugetrlimit,
    [192] = sys_mmap2,
    [199] = sys_zero, [200] = sys_zero, [201] = sys_zero, [202] = sys_zero,  /* uid/gid: root */
    [220] = sys_zero,                           /* madvise */
    [224] = sys_getpid,                         /* gettid: one thread per process */
    [248] = sys_exit,                           /* exit_group */
    [256] = sys_set_tid_address,
    [263] = sys_clock_gettime,
    [332] = sys_readlink,                       /* readlinkat */
    [338] = sys_zero,                           /* set_robust_list */
    [369] = sys_prlimit64,
    [384] = sys_getrandom,
    [398] = sys_enosys,                         /* rseq: ENOSYS is the right answer */
    [403] = sys_clock_gettime64,
};

#define ARM_SET_TLS 0xf0005u

int syscall_dispatch(struct proc *p)
{
    uint32_t nr = p->regs[7];

    if (nr == ARM_SET_TLS)
        return sys_set_tls(p, p->regs);
    if (nr < sizeof table / sizeof table[0] && table[nr])
        return table[nr](p, p->regs);
    unknown_syscalls[nr < 512 ? nr : 511]++;
    p->regs[0] = (uint32_t)-ENOSYS;
    return 0;
}
