/*
 * What the system-call files share (sys_*.c): the handlers, which syscalls.c's table lists by
 * number, and the helpers for descriptors and path arguments.
 *
 * A handler gets the calling process and its registers (r[0..6] the arguments, r[7] the number)
 * and puts its result in r[0]: a value, or -errno.  It returns 1 when the process must wait for
 * its reply (or is gone), 0 when the reply goes now.
 */
#pragma once

#include "linux.h"
#include "vfs.h"

#define RET(v) do { r[0] = (uint32_t)(v); return 0; } while (0)

/* The open file behind descriptor `fd` of `p`, or NULL. */
struct file *fd_get(struct proc *p, uint32_t fd);
/* Give `f` the lowest free descriptor from `from` on: the descriptor, or -EMFILE. */
int fd_install(struct proc *p, struct file *f, uint32_t from, int cloexec);
/* A path argument at `addr` made absolute (against the cwd, or the directory descriptor
 * `dirfd`) into `abs` (MAX_PATH bytes): 0 or -errno. */
int get_path(struct proc *p, int dirfd, uint32_t addr, char *abs);
/* Descriptor `fd`'s close-on-exec bit. */
static inline void fd_set_cloexec(struct proc *p, uint32_t fd, int on)
{
    if (on)
        p->leader->cloexec[fd / 32] |= 1u << fd % 32;
    else
        p->leader->cloexec[fd / 32] &= ~(1u << fd % 32);
}

static inline int fd_cloexec(const struct proc *p, uint32_t fd)
{
    return p->leader->cloexec[fd / 32] >> fd % 32 & 1;
}
/* `p` stops waiting in whatever call it waits in (a signal, or its end). */
void proc_unblock(struct proc *p);
/* Whether `p` may change the scheduling of `t` (its nice value, policy, affinity): root, or
 * its effective user ID is t's real or effective one, as Linux's check_same_owner. */
int cred_may_schedule(const struct proc *p, const struct proc *t);
/* Whether a live process of session `sid` is in group `pgid`. */
int group_in_session(int pgid, int sid);

/* the handlers */
int sys_access(struct proc *p, uint32_t *r);
int sys_rt_sigtimedwait(struct proc *p, uint32_t *r);
int sys_rt_sigtimedwait_time64(struct proc *p, uint32_t *r);
int sys_waitid(struct proc *p, uint32_t *r);
int sys_sched_getaffinity(struct proc *p, uint32_t *r);
int sys_sched_setaffinity(struct proc *p, uint32_t *r);
int sys_sched_getscheduler(struct proc *p, uint32_t *r);
int sys_sched_setscheduler(struct proc *p, uint32_t *r);
int sys_sched_getparam(struct proc *p, uint32_t *r);
int sys_sched_setparam(struct proc *p, uint32_t *r);
int sys_sched_get_priority_max(struct proc *p, uint32_t *r);
int sys_sched_get_priority_min(struct proc *p, uint32_t *r);
int sys_sched_rr_get_interval(struct proc *p, uint32_t *r);
int sys_sched_rr_get_interval_time64(struct proc *p, uint32_t *r);
int sys_mremap(struct proc *p, uint32_t *r);
int sys_msync(struct proc *p, uint32_t *r);
int sys_sync(struct proc *p, uint32_t *r);
int sys_exit_group(struct proc *p, uint32_t *r);
int sys_set_robust_list(struct proc *p, uint32_t *r);
int sys_gettid(struct proc *p, uint32_t *r);
int sys_futex_time64(struct proc *p, uint32_t *r);
int sys_futex(struct proc *p, uint32_t *r);
int sys_brk(struct proc *p, uint32_t *r);
int sys_chdir(struct proc *p, uint32_t *r);
int sys_chmod(struct proc *p, uint32_t *r);
int sys_chown32(struct proc *p, uint32_t *r);
int sys_clock_getres(struct proc *p, uint32_t *r);
int sys_clock_getres_time64(struct proc *p, uint32_t *r);
int sys_clock_gettime(struct proc *p, uint32_t *r);
int sys_clock_gettime64(struct proc *p, uint32_t *r);
int sys_clock_nanosleep(struct proc *p, uint32_t *r);
int sys_clock_nanosleep_time64(struct proc *p, uint32_t *r);
int sys_clock_settime(struct proc *p, uint32_t *r);
int sys_clock_settime64(struct proc *p, uint32_t *r);
int sys_clone(struct proc *p, uint32_t *r);
int sys_close(struct proc *p, uint32_t *r);
int sys_creat(struct proc *p, uint32_t *r);
int sys_dup(struct proc *p, uint32_t *r);
int sys_dup2(struct proc *p, uint32_t *r);
int sys_dup3(struct proc *p, uint32_t *r);
int sys_enosys(struct proc *p, uint32_t *r);
int sys_execve(struct proc *p, uint32_t *r);
int sys_exit(struct proc *p, uint32_t *r);
int sys_faccessat(struct proc *p, uint32_t *r);
int sys_fchdir(struct proc *p, uint32_t *r);
int sys_fchmod(struct proc *p, uint32_t *r);
int sys_fchmodat(struct proc *p, uint32_t *r);
int sys_listxattr(struct proc *p, uint32_t *r);
int sys_llistxattr(struct proc *p, uint32_t *r);
int sys_flistxattr(struct proc *p, uint32_t *r);
int sys_getxattr(struct proc *p, uint32_t *r);
int sys_lgetxattr(struct proc *p, uint32_t *r);
int sys_fgetxattr(struct proc *p, uint32_t *r);
int sys_removexattr(struct proc *p, uint32_t *r);
int sys_lremovexattr(struct proc *p, uint32_t *r);
int sys_fremovexattr(struct proc *p, uint32_t *r);
int sys_setxattr(struct proc *p, uint32_t *r);
int sys_lsetxattr(struct proc *p, uint32_t *r);
int sys_fsetxattr(struct proc *p, uint32_t *r);
int sys_fchown32(struct proc *p, uint32_t *r);
int sys_fchownat(struct proc *p, uint32_t *r);
int sys_fcntl64(struct proc *p, uint32_t *r);
int sys_flock(struct proc *p, uint32_t *r);
int sys_fork(struct proc *p, uint32_t *r);
int sys_vfork(struct proc *p, uint32_t *r);
int sys_fstat64(struct proc *p, uint32_t *r);
int sys_fstatat64(struct proc *p, uint32_t *r);
int sys_fstatfs64(struct proc *p, uint32_t *r);
int sys_fsync(struct proc *p, uint32_t *r);
int sys_ftruncate(struct proc *p, uint32_t *r);
int sys_ftruncate64(struct proc *p, uint32_t *r);
int sys_getcwd(struct proc *p, uint32_t *r);
int sys_getdents64(struct proc *p, uint32_t *r);
int sys_getitimer(struct proc *p, uint32_t *r);
int sys_getpgid(struct proc *p, uint32_t *r);
int sys_getpgrp(struct proc *p, uint32_t *r);
int sys_getpid(struct proc *p, uint32_t *r);
int sys_getppid(struct proc *p, uint32_t *r);
int sys_getrandom(struct proc *p, uint32_t *r);
int sys_getrusage(struct proc *p, uint32_t *r);
int sys_getsid(struct proc *p, uint32_t *r);
int sys_gettimeofday(struct proc *p, uint32_t *r);
int sys_ioctl(struct proc *p, uint32_t *r);
int sys_kill(struct proc *p, uint32_t *r);
int sys_lchown32(struct proc *p, uint32_t *r);
int sys_link(struct proc *p, uint32_t *r);
int sys_linkat(struct proc *p, uint32_t *r);
int sys_llseek(struct proc *p, uint32_t *r);
int sys_lseek(struct proc *p, uint32_t *r);
int sys_lstat64(struct proc *p, uint32_t *r);
int sys_mkdir(struct proc *p, uint32_t *r);
int sys_mkdirat(struct proc *p, uint32_t *r);
int sys_mknod(struct proc *p, uint32_t *r);
int sys_mknodat(struct proc *p, uint32_t *r);
int sys_mmap2(struct proc *p, uint32_t *r);
int sys_mprotect(struct proc *p, uint32_t *r);
int sys_munmap(struct proc *p, uint32_t *r);
int sys_nanosleep(struct proc *p, uint32_t *r);
int sys_open(struct proc *p, uint32_t *r);
int sys_openat(struct proc *p, uint32_t *r);
int sys_pause(struct proc *p, uint32_t *r);
int sys_pipe(struct proc *p, uint32_t *r);
int sys_pipe2(struct proc *p, uint32_t *r);
int sys_poll(struct proc *p, uint32_t *r);
int sys_prctl(struct proc *p, uint32_t *r);
int sys_pread64(struct proc *p, uint32_t *r);
int sys_arm_fadvise64_64(struct proc *p, uint32_t *r);
int sys_fallocate(struct proc *p, uint32_t *r);
int sys_preadv(struct proc *p, uint32_t *r);
int sys_preadv2(struct proc *p, uint32_t *r);
int sys_prlimit64(struct proc *p, uint32_t *r);
int sys_pwrite64(struct proc *p, uint32_t *r);
int sys_pwritev(struct proc *p, uint32_t *r);
int sys_pwritev2(struct proc *p, uint32_t *r);
int sys_splice(struct proc *p, uint32_t *r);
int sys_copy_file_range(struct proc *p, uint32_t *r);
int sys_memfd_create(struct proc *p, uint32_t *r);
int sys_read(struct proc *p, uint32_t *r);
int sys_readlink(struct proc *p, uint32_t *r);
int sys_readlinkat(struct proc *p, uint32_t *r);
int sys_readv(struct proc *p, uint32_t *r);
int sys_rename(struct proc *p, uint32_t *r);
int sys_renameat(struct proc *p, uint32_t *r);
int sys_renameat2(struct proc *p, uint32_t *r);
int sys_rmdir(struct proc *p, uint32_t *r);
int sys_rt_sigaction(struct proc *p, uint32_t *r);
int sys_rt_sigpending(struct proc *p, uint32_t *r);
int sys_rt_sigprocmask(struct proc *p, uint32_t *r);
int sys_rt_sigreturn(struct proc *p, uint32_t *r);
int sys_sigaltstack(struct proc *p, uint32_t *r);
int sys_rt_sigsuspend(struct proc *p, uint32_t *r);
int sys_sched_yield(struct proc *p, uint32_t *r);
int sys_sendfile64(struct proc *p, uint32_t *r);
int sys_set_tid_address(struct proc *p, uint32_t *r);
int sys_set_tls(struct proc *p, uint32_t *r);
int sys_setitimer(struct proc *p, uint32_t *r);
int sys_setpgid(struct proc *p, uint32_t *r);
int sys_setrlimit(struct proc *p, uint32_t *r);
int sys_getpriority(struct proc *p, uint32_t *r);
int sys_setpriority(struct proc *p, uint32_t *r);
int sys_nice(struct proc *p, uint32_t *r);
int sys_setsid(struct proc *p, uint32_t *r);
int sys_settimeofday(struct proc *p, uint32_t *r);
int sys_stat64(struct proc *p, uint32_t *r);
int sys_statfs64(struct proc *p, uint32_t *r);
int sys_statx(struct proc *p, uint32_t *r);
int sys_symlink(struct proc *p, uint32_t *r);
int sys_symlinkat(struct proc *p, uint32_t *r);
int sys_sysinfo(struct proc *p, uint32_t *r);
int sys_tgkill(struct proc *p, uint32_t *r);
int sys_times(struct proc *p, uint32_t *r);
int sys_tkill(struct proc *p, uint32_t *r);
int sys_truncate(struct proc *p, uint32_t *r);
int sys_truncate64(struct proc *p, uint32_t *r);
int sys_ugetrlimit(struct proc *p, uint32_t *r);
int sys_umask(struct proc *p, uint32_t *r);
int sys_uname(struct proc *p, uint32_t *r);
int sys_unlink(struct proc *p, uint32_t *r);
int sys_unlinkat(struct proc *p, uint32_t *r);
int sys_utimensat(struct proc *p, uint32_t *r);
int sys_utimensat_time64(struct proc *p, uint32_t *r);
int sys_utimes(struct proc *p, uint32_t *r);
int sys_wait4(struct proc *p, uint32_t *r);
int sys_write(struct proc *p, uint32_t *r);
int sys_writev(struct proc *p, uint32_t *r);
int sys_zero(struct proc *p, uint32_t *r);
int sys_getuid32(struct proc *p, uint32_t *r);
int sys_geteuid32(struct proc *p, uint32_t *r);
int sys_getgid32(struct proc *p, uint32_t *r);
int sys_getegid32(struct proc *p, uint32_t *r);
int sys_setuid32(struct proc *p, uint32_t *r);
int sys_setgid32(struct proc *p, uint32_t *r);
int sys_setreuid32(struct proc *p, uint32_t *r);
int sys_setregid32(struct proc *p, uint32_t *r);
int sys_setresuid32(struct proc *p, uint32_t *r);
int sys_setresgid32(struct proc *p, uint32_t *r);
int sys_getresuid32(struct proc *p, uint32_t *r);
int sys_getresgid32(struct proc *p, uint32_t *r);
int sys_setfsuid32(struct proc *p, uint32_t *r);
int sys_setfsgid32(struct proc *p, uint32_t *r);
int sys_getgroups32(struct proc *p, uint32_t *r);
int sys_setgroups32(struct proc *p, uint32_t *r);
int sys_ppoll(struct proc *p, uint32_t *r);
int sys_ppoll_time64(struct proc *p, uint32_t *r);
int sys__newselect(struct proc *p, uint32_t *r);
int sys_pselect6(struct proc *p, uint32_t *r);
int sys_pselect6_time64(struct proc *p, uint32_t *r);
int sys_socket(struct proc *p, uint32_t *r);
int sys_socketpair(struct proc *p, uint32_t *r);
int sys_send(struct proc *p, uint32_t *r);
int sys_sendto(struct proc *p, uint32_t *r);
int sys_recv(struct proc *p, uint32_t *r);
int sys_recvfrom(struct proc *p, uint32_t *r);
int sys_shutdown(struct proc *p, uint32_t *r);
int sys_getsockname(struct proc *p, uint32_t *r);
int sys_getpeername(struct proc *p, uint32_t *r);
int sys_getsockopt(struct proc *p, uint32_t *r);
int sys_socket_other(struct proc *p, uint32_t *r);
int sys_bind(struct proc *p, uint32_t *r);
int sys_connect(struct proc *p, uint32_t *r);
int sys_listen(struct proc *p, uint32_t *r);
int sys_accept(struct proc *p, uint32_t *r);
int sys_accept4(struct proc *p, uint32_t *r);
int sys_setsockopt(struct proc *p, uint32_t *r);
int sys_sendmsg(struct proc *p, uint32_t *r);
int sys_recvmsg(struct proc *p, uint32_t *r);
int sys_epoll_create(struct proc *p, uint32_t *r);
int sys_epoll_create1(struct proc *p, uint32_t *r);
int sys_epoll_ctl(struct proc *p, uint32_t *r);
int sys_epoll_wait(struct proc *p, uint32_t *r);
int sys_epoll_pwait(struct proc *p, uint32_t *r);
int sys_epoll_pwait2(struct proc *p, uint32_t *r);
int sys_eventfd(struct proc *p, uint32_t *r);
int sys_eventfd2(struct proc *p, uint32_t *r);

/* ---- readiness (sys_poll.c), and what each kind of file says of its own ------------------ */

/* What an open file has ready (POLL* bits, which are epoll's) and two counts that move
 * whenever Linux would wake its waiters: for input (data in, an end closed) and for output
 * (room made, an end closed).  An edge-triggered epoll item reports when its count moved. */
struct ready {
    uint32_t mask, in_seq, out_seq;
};
/* `depth`: epolls within epolls already looked through. */
void file_poll(struct proc *p, struct file *f, struct ready *r, int depth);
/* `p`'s call waits (B_READY) until `f` has one of `events`, then is made again; a signal ends
 * the wait as it ends a pipe's.  Returns 1 (the reply is deferred). */
int poll_wait_file(struct proc *p, struct file *f, uint32_t events);
/* A timespec (32- or 64-bit seconds) at `addr` as the time to wake: ~0 for none (NULL), 0 for
 * "do not wait"; 0 or -EFAULT / -EINVAL. */
int poll_deadline(struct proc *p, uint32_t addr, int wide, uint64_t *wake);
/* Scan what p->poller says now; answer at once, or sleep until `wake_us` (0: never wait; ~0:
 * no timeout) with the signal mask at `mask_addr` (0: none) in force. */
int poll_wait_or_answer(struct proc *p, uint32_t *r, uint64_t wake_us, uint32_t mask_addr);
/* epoll_wait's scan (sys_epoll.c): how many of `ep`'s items are ready (at most `max`), written
 * to the events at `addr` with `write_back` (which also moves the items' state: edge-triggered
 * ones are reported, one-shot ones disabled), or -EFAULT. */
int epoll_scan(struct proc *p, struct file *ep, uint32_t addr, uint32_t max, int write_back);
void epoll_poll(struct proc *p, struct file *ep, struct ready *r, int depth);
void eventfd_poll(struct file *f, struct ready *r);
/* A socket made by socket() or a datagram pair: its readiness, or 0 when it is a connected
 * stream (then its pipes say). */
int sock_poll(struct file *f, struct ready *r);
/* read and write of such a socket: -1 for a connected stream (the pipes'), else as a handler. */
int sock_rw(struct proc *p, struct file *f, uint32_t *r, int write);
int eventfd_rw(struct proc *p, struct file *f, uint32_t *r, int write);
/* Whether socket `f` is a datagram socket (a write is one message, never cut in pieces). */
int sock_datagram(const struct file *f);
/* The objects' ends (file_release): an eventfd's counter, a socket's state. */
void eventfd_free(struct file *f);
void sock_release(struct file *f);
/* Counts each input line the console takes in (console.c). */
extern uint32_t console_input_seq;

/* read or write on behalf of another call (send, recv): the registers are read's or write's */
int file_rw(struct proc *p, uint32_t *r, int write);
/* Two new files in the lowest free descriptors, their numbers to `addr` (pipe2, socketpair):
 * 0, or -EMFILE / -EFAULT with neither installed and both put, as Linux leaves it. */
int fd_install_pair(struct proc *p, struct file *a, struct file *b, int cloexec, uint32_t addr);
