/*
 * Linux system calls, by ARM EABI number (r7): the table of handlers (sys_*.c, one file per
 * subsystem: processes, signals, memory, open files, the file system's names, information), the
 * helpers they share, and what is left: ARM's private calls and unknown numbers.  A call we do
 * not implement answers -ENOSYS and is counted per number (the host lists the counts).
 */
#include "syscalls.h"

uint32_t unknown_syscalls[512];

struct file *fd_get(struct proc *p, uint32_t fd)
{
    return fd < MAX_FDS ? p->leader->fd[fd] : NULL;
}

int fd_install(struct proc *p, struct file *f, uint32_t from, int cloexec)
{
    for (uint32_t i = from; i < MAX_FDS; i++) {
        if (p->leader->fd[i])
            continue;
        p->leader->fd[i] = f;
        if (i >= p->leader->fd_top)
            p->leader->fd_top = i + 1;
        fd_set_cloexec(p, i, cloexec);
        return (int)i;
    }
    return -EMFILE;
}

/* A path argument made absolute (against the cwd, or a directory descriptor): "." and ".." are
 * left for the lookup, which follows links before it goes up. */
int get_path(struct proc *p, int dirfd, uint32_t addr, char *abs)
{
    static char raw[MAX_PATH];
    static char base[MAX_PATH];
    struct file *d;

    if (mm_copy_string(p->mm, p->tid, raw, addr, sizeof raw))
        return mm_copy_in(p->mm, p->tid, raw, addr, 1) ? -EFAULT : -ENAMETOOLONG;
    if (!raw[0])
        return -ENOENT;
    size_t rlen = strnlen(raw, MAX_PATH);
    if (raw[0] == '/') {
        memcpy(abs, raw, rlen + 1);
        return 0;
    }
    if (dirfd == AT_FDCWD) {
        memcpy(base, p->leader->cwd, strnlen(p->leader->cwd, sizeof p->leader->cwd - 1) + 1);
    } else {
        d = fd_get(p, (uint32_t)dirfd);
        if (!d)
            return -EBADF;
        if (d->type != F_DIR)
            return -ENOTDIR;
        if (d->inode) {
            int err = vfs_path(d->inode, NULL, base);
            if (err)
                return err;
        } else {
            memcpy(base, d->path, strnlen(d->path, sizeof d->path - 1) + 1);
        }
    }
    size_t blen = strnlen(base, MAX_PATH);
    if (blen + 1 + rlen + 1 > MAX_PATH)
        return -ENAMETOOLONG;
    memcpy(abs, base, blen);
    abs[blen] = '/';
    memcpy(abs + blen + 1, raw, rlen + 1);
    return 0;
}

static int sys_unknown(struct proc *p, uint32_t *r)
{
    (void)r;
    return syscall_other(p);
}

/* Sorted by name; several numbers may share a handler.  Every other number is syscall_other's,
 * so the dispatch tests only the range. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const syscall_fn syscall_table[LINUX_SYSCALLS] = {
    [0 ... LINUX_SYSCALLS - 1] = sys_unknown,
    [__NR__llseek] = sys_llseek,
    [__NR__newselect] = sys__newselect,
    [__NR_accept] = sys_accept,
    [__NR_accept4] = sys_accept4,
    [__NR_access] = sys_access,
    [__NR_bind] = sys_bind,
    [__NR_arm_fadvise64_64] = sys_arm_fadvise64_64,
    [__NR_brk] = sys_brk,
    [__NR_chdir] = sys_chdir,
    [__NR_chmod] = sys_chmod,
    [__NR_chown32] = sys_chown32,
    [__NR_clock_getres] = sys_clock_getres,
    [__NR_clock_getres_time64] = sys_clock_getres_time64,
    [__NR_clock_gettime] = sys_clock_gettime,
    [__NR_clock_gettime64] = sys_clock_gettime64,
    [__NR_clock_nanosleep] = sys_clock_nanosleep,
    [__NR_clock_nanosleep_time64] = sys_clock_nanosleep_time64,
    [__NR_clock_settime] = sys_clock_settime,
    [__NR_clock_settime64] = sys_clock_settime64,
    [__NR_clone] = sys_clone,
    [__NR_close] = sys_close,
    [__NR_connect] = sys_connect,
    [__NR_copy_file_range] = sys_copy_file_range,
    [__NR_creat] = sys_creat,
    [__NR_dup] = sys_dup,
    [__NR_dup2] = sys_dup2,
    [__NR_dup3] = sys_dup3,
    [__NR_epoll_create] = sys_epoll_create,
    [__NR_epoll_create1] = sys_epoll_create1,
    [__NR_epoll_ctl] = sys_epoll_ctl,
    [__NR_epoll_pwait] = sys_epoll_pwait,
    [__NR_epoll_pwait2] = sys_epoll_pwait2,
    [__NR_epoll_wait] = sys_epoll_wait,
    [__NR_eventfd] = sys_eventfd,
    [__NR_eventfd2] = sys_eventfd2,
    [__NR_execve] = sys_execve,
    [__NR_exit] = sys_exit,
    [__NR_exit_group] = sys_exit_group,
    [__NR_faccessat] = sys_faccessat,
    [__NR_faccessat2] = sys_faccessat,
    [__NR_fallocate] = sys_fallocate,
    [__NR_fchdir] = sys_fchdir,
    [__NR_fchmod] = sys_fchmod,
    [__NR_fchmodat] = sys_fchmodat,
    [__NR_fchown32] = sys_fchown32,
    [__NR_fchownat] = sys_fchownat,
    [__NR_fcntl64] = sys_fcntl64,
    [__NR_fdatasync] = sys_fsync,
    [__NR_fgetxattr] = sys_fgetxattr,
    [__NR_flistxattr] = sys_flistxattr,
    [__NR_flock] = sys_flock,
    [__NR_fork] = sys_fork,
    [__NR_fremovexattr] = sys_fremovexattr,
    [__NR_fsetxattr] = sys_fsetxattr,
    [__NR_fstat64] = sys_fstat64,
    [__NR_fstatat64] = sys_fstatat64,
    [__NR_fstatfs64] = sys_fstatfs64,
    [__NR_fsync] = sys_fsync,
    [__NR_ftruncate] = sys_ftruncate,
    [__NR_ftruncate64] = sys_ftruncate64,
    [__NR_futex] = sys_futex,
    [__NR_futex_time64] = sys_futex_time64,
    [__NR_getcwd] = sys_getcwd,
    [__NR_getdents64] = sys_getdents64,
    [__NR_getegid32] = sys_getegid32,
    [__NR_geteuid32] = sys_geteuid32,
    [__NR_getgid32] = sys_getgid32,
    [__NR_getgroups32] = sys_getgroups32,
    [__NR_getitimer] = sys_getitimer,
    [__NR_getpeername] = sys_getpeername,
    [__NR_getpgid] = sys_getpgid,
    [__NR_getpgrp] = sys_getpgrp,
    [__NR_getpid] = sys_getpid,
    [__NR_getppid] = sys_getppid,
    [__NR_getpriority] = sys_getpriority,
    [__NR_getrandom] = sys_getrandom,
    [__NR_getresgid32] = sys_getresgid32,
    [__NR_getresuid32] = sys_getresuid32,
    [__NR_getrusage] = sys_getrusage,
    [__NR_getsid] = sys_getsid,
    [__NR_getsockname] = sys_getsockname,
    [__NR_getsockopt] = sys_getsockopt,
    [__NR_gettid] = sys_gettid,
    [__NR_gettimeofday] = sys_gettimeofday,
    [__NR_getuid32] = sys_getuid32,
    [__NR_getxattr] = sys_getxattr,
    [__NR_ioctl] = sys_ioctl,
    [__NR_lgetxattr] = sys_lgetxattr,
    [__NR_listxattr] = sys_listxattr,
    [__NR_llistxattr] = sys_llistxattr,
    [__NR_lremovexattr] = sys_lremovexattr,
    [__NR_lsetxattr] = sys_lsetxattr,
    [__NR_removexattr] = sys_removexattr,
    [__NR_setxattr] = sys_setxattr,
    [__NR_kill] = sys_kill,
    [__NR_lchown32] = sys_lchown32,
    [__NR_link] = sys_link,
    [__NR_linkat] = sys_linkat,
    [__NR_listen] = sys_listen,
    [__NR_lseek] = sys_lseek,
    [__NR_lstat64] = sys_lstat64,
    [__NR_madvise] = sys_zero,            /* advice taken */
    [__NR_memfd_create] = sys_memfd_create,
    [__NR_mkdir] = sys_mkdir,
    [__NR_mkdirat] = sys_mkdirat,
    [__NR_mknod] = sys_mknod,
    [__NR_mknodat] = sys_mknodat,
    [__NR_mmap2] = sys_mmap2,
    [__NR_mprotect] = sys_mprotect,
    [__NR_mremap] = sys_mremap,
    [__NR_msync] = sys_msync,
    [__NR_munmap] = sys_munmap,
    [__NR_nanosleep] = sys_nanosleep,
    [__NR_nice] = sys_nice,
    [__NR_open] = sys_open,
    [__NR_openat] = sys_openat,
    [__NR_pause] = sys_pause,
    [__NR_pipe] = sys_pipe,
    [__NR_pipe2] = sys_pipe2,
    [__NR_poll] = sys_poll,
    [__NR_ppoll] = sys_ppoll,
    [__NR_ppoll_time64] = sys_ppoll_time64,
    [__NR_prctl] = sys_prctl,
    [__NR_pread64] = sys_pread64,
    [__NR_preadv] = sys_preadv,
    [__NR_preadv2] = sys_preadv2,
    [__NR_prlimit64] = sys_prlimit64,
    [__NR_pselect6] = sys_pselect6,
    [__NR_pselect6_time64] = sys_pselect6_time64,
    [__NR_pwrite64] = sys_pwrite64,
    [__NR_pwritev] = sys_pwritev,
    [__NR_pwritev2] = sys_pwritev2,
    [__NR_read] = sys_read,
    [__NR_readlink] = sys_readlink,
    [__NR_readlinkat] = sys_readlinkat,
    [__NR_readv] = sys_readv,
    [__NR_recv] = sys_recv,
    [__NR_recvfrom] = sys_recvfrom,
    [__NR_recvmmsg] = sys_socket_other,
    [__NR_recvmsg] = sys_recvmsg,
    [__NR_rename] = sys_rename,
    [__NR_renameat] = sys_renameat,
    [__NR_renameat2] = sys_renameat2,
    [__NR_rmdir] = sys_rmdir,
    [__NR_rseq] = sys_enosys,            /* ENOSYS is the right answer */
    [__NR_rt_sigaction] = sys_rt_sigaction,
    [__NR_rt_sigpending] = sys_rt_sigpending,
    [__NR_rt_sigprocmask] = sys_rt_sigprocmask,
    [__NR_rt_sigreturn] = sys_rt_sigreturn,
    [__NR_rt_sigsuspend] = sys_rt_sigsuspend,
    [__NR_rt_sigtimedwait] = sys_rt_sigtimedwait,
    [__NR_rt_sigtimedwait_time64] = sys_rt_sigtimedwait_time64,
    [__NR_sched_get_priority_max] = sys_sched_get_priority_max,
    [__NR_sched_get_priority_min] = sys_sched_get_priority_min,
    [__NR_sched_getaffinity] = sys_sched_getaffinity,
    [__NR_sched_getparam] = sys_sched_getparam,
    [__NR_sched_getscheduler] = sys_sched_getscheduler,
    [__NR_sched_rr_get_interval] = sys_sched_rr_get_interval,
    [__NR_sched_rr_get_interval_time64] = sys_sched_rr_get_interval_time64,
    [__NR_sched_setaffinity] = sys_sched_setaffinity,
    [__NR_sched_setparam] = sys_sched_setparam,
    [__NR_sched_setscheduler] = sys_sched_setscheduler,
    [__NR_sched_yield] = sys_sched_yield,
    [__NR_send] = sys_send,
    [__NR_sendfile64] = sys_sendfile64,
    [__NR_sendmmsg] = sys_socket_other,
    [__NR_sendmsg] = sys_sendmsg,
    [__NR_sendto] = sys_sendto,
    [__NR_set_robust_list] = sys_set_robust_list,
    [__NR_set_tid_address] = sys_set_tid_address,
    [__NR_setfsgid32] = sys_setfsgid32,
    [__NR_setfsuid32] = sys_setfsuid32,
    [__NR_setgid32] = sys_setgid32,
    [__NR_setgroups32] = sys_setgroups32,
    [__NR_setitimer] = sys_setitimer,
    [__NR_setpgid] = sys_setpgid,
    [__NR_setpriority] = sys_setpriority,
    [__NR_setregid32] = sys_setregid32,
    [__NR_setresgid32] = sys_setresgid32,
    [__NR_setresuid32] = sys_setresuid32,
    [__NR_setreuid32] = sys_setreuid32,
    [__NR_setrlimit] = sys_setrlimit,
    [__NR_setsid] = sys_setsid,
    [__NR_setsockopt] = sys_setsockopt,
    [__NR_settimeofday] = sys_settimeofday,
    [__NR_setuid32] = sys_setuid32,
    [__NR_shutdown] = sys_shutdown,
    [__NR_sigaltstack] = sys_sigaltstack,
    [__NR_sigreturn] = sys_rt_sigreturn,
    [__NR_socket] = sys_socket,
    [__NR_socketpair] = sys_socketpair,
    [__NR_splice] = sys_splice,
    [__NR_stat64] = sys_stat64,
    [__NR_statfs64] = sys_statfs64,
    [__NR_statx] = sys_statx,
    [__NR_symlink] = sys_symlink,
    [__NR_symlinkat] = sys_symlinkat,
    [__NR_sync] = sys_sync,
    [__NR_syncfs] = sys_fsync,
    [__NR_sysinfo] = sys_sysinfo,
    [__NR_tgkill] = sys_tgkill,
    [__NR_times] = sys_times,
    [__NR_tkill] = sys_tkill,
    [__NR_truncate] = sys_truncate,
    [__NR_truncate64] = sys_truncate64,
    [__NR_ugetrlimit] = sys_ugetrlimit,
    [__NR_umask] = sys_umask,
    [__NR_uname] = sys_uname,
    [__NR_unlink] = sys_unlink,
    [__NR_unlinkat] = sys_unlinkat,
    [__NR_utimensat] = sys_utimensat,
    [__NR_utimensat_time64] = sys_utimensat_time64,
    [__NR_utimes] = sys_utimes,
    [__NR_vfork] = sys_vfork,
    [__NR_wait4] = sys_wait4,
    [__NR_waitid] = sys_waitid,
    [__NR_write] = sys_write,
    [__NR_writev] = sys_writev,
};
#pragma GCC diagnostic pop

int syscall_other(struct proc *p)
{
    uint32_t nr = p->regs[7];

    if (nr == __ARM_NR_set_tls)
        return sys_set_tls(p, p->regs);
    unknown_syscalls[nr < 512 ? nr : 511]++;
    p->regs[0] = (uint32_t)-ENOSYS;
    return 0;
}
