/*
 * The user-level interface to the kernel: system call wrappers, message helpers, the UTCB and
 * the KIP.  Message registers MR0..MR7 travel in CPU registers; struct l4_msg holds them, and
 * MR8 onwards are read and written in the UTCB directly.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "l4/abi.h"

struct l4_msg {
    uint32_t mr[L4_MR_IN_REGISTERS];
};

static inline struct l4_utcb *l4_utcb(void)
{
    uint32_t v;
    __asm__("mrc p15, 0, %0, c13, c0, 3" : "=r"(v));
    return (struct l4_utcb *)v;
}

static inline const struct l4_kip *l4_kip(void)
{
    return (const struct l4_kip *)L4_KIP_ADDRESS;
}

static inline l4_tid_t l4_myself(void)
{
    return l4_utcb()->my_id;
}

static inline uint32_t l4_cycles(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c9, c13, 0" : "=r"(v));
    return v;
}

/*
 * The IPC system call.  Returns the partner's ID (r0); *err gets r1 (0, or L4_IPC_ERROR).
 * MR0..MR7 are r3-r6 and r8-r11, ascending, so one load-multiple sends them from `m` and one
 * store-multiple takes them back; `m` rides on the stack across the call, as every register
 * below the stack pointer may carry a message word back.  L4_IPC_STUB makes the stub with any
 * instruction in the trap's place: the benchmarks build the same stub with a no-op, to measure
 * what the stub alone costs (as sel4bench does).
 */
#define L4_IPC_STUB(name, trap)                                                                     \
    static inline l4_tid_t name(l4_tid_t to, l4_tid_t from, uint32_t send_timeout,                 \
                                uint32_t recv_timeout, struct l4_msg *m, uint32_t *err)            \
    {                                                                                               \
        register uint32_t r0 __asm__("r0") = to;                                                    \
        register uint32_t r1 __asm__("r1") = from;                                                  \
        register uint32_t r2 __asm__("r2") = send_timeout;                                          \
        register uint32_t r12 __asm__("r12") = recv_timeout;                                        \
        register struct l4_msg *r3 __asm__("r3") = m;                                               \
                                                                                                    \
        __asm__ volatile("push   {r3, r7}\n\t"                                                      \
                         "ldmia  r3, {r3-r6, r8-r11}\n\t"                                           \
                         "mov    r7, %[sys]\n\t"                                                    \
                         trap "\n\t"                                                                \
                         "pop    {r2, r7}\n\t"                                                      \
                         "stmia  r2, {r3-r6, r8-r11}"                                               \
                         : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r12)                        \
                         : [sys] "i"(L4_SYS_IPC)                                                    \
                         : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "memory");                   \
        *err = r1;                                                                                  \
        return r0;                                                                                  \
    }

_Static_assert(L4_MR_IN_REGISTERS == 8 && L4_SYS_IPC < 256, "L4_IPC_STUB's register list and mov");
L4_IPC_STUB(l4_ipc, "svc    #0")

static inline uint32_t l4_call(l4_tid_t to, struct l4_msg *m)
{
    uint32_t err;
    l4_ipc(to, to, L4_NEVER, L4_NEVER, m, &err);
    return err;
}

static inline uint32_t l4_send(l4_tid_t to, struct l4_msg *m, uint32_t timeout)
{
    uint32_t err;
    l4_ipc(to, L4_NILTHREAD, timeout, L4_ZERO, m, &err);
    return err;
}

static inline l4_tid_t l4_receive(l4_tid_t from, struct l4_msg *m, uint32_t timeout, uint32_t *err)
{
    return l4_ipc(L4_NILTHREAD, from, L4_ZERO, timeout, m, err);
}

static inline l4_tid_t l4_reply_wait(l4_tid_t to, struct l4_msg *m, uint32_t *err)
{
    return l4_ipc(to, L4_ANYTHREAD, L4_ZERO, L4_NEVER, m, err);
}

/* The system counter (the ARM generic timer's CNTPCT, which SystemClock is made from), read
 * directly: the kernel lets user mode read it and its rate, CNTFRQ. */
static inline uint64_t l4_counter(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb; mrrc p15, 0, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* The virtual counter (CNTVCT), which the user timer (L4_IRQ_TIMER_ARM) compares against. */
static inline uint64_t l4_vcounter(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline uint32_t l4_counter_hz(void)
{
    uint32_t hz;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(hz));
    return hz;
}

/* Any system call: regs[0..12] are r0-r12 in and out; regs[7] is the call number. */
void l4_syscall_regs(uint32_t regs[13]);

/* Wrappers for the other calls (l4.c).  Each returns the error (r1). */
uint32_t l4_thread_control(l4_tid_t dest, l4_tid_t space, l4_tid_t scheduler, l4_tid_t pager,
                           l4_tid_t exc_handler, uint32_t flags);
uint32_t l4_exchange_registers(l4_tid_t dest, uint32_t control, uint32_t sp, uint32_t pc,
                               uint32_t tls);
uint32_t l4_start(l4_tid_t dest, uint32_t sp, uint32_t pc);
uint32_t l4_schedule(l4_tid_t dest, uint32_t prio, uint32_t timeslice_us);
/* Schedule changing nothing: a thread's CPU time and the time others spent on its behalf
 * (threads that ran with its message while it waited for their answer), in milliseconds. */
uint32_t l4_thread_times(l4_tid_t dest, uint32_t *cpu_ms, uint32_t *served_ms);
uint32_t l4_thread_switch(l4_tid_t dest);
uint32_t l4_unmap(uint32_t fpage, uint32_t flags);
uint64_t l4_system_clock(void);
uint32_t l4_interrupt_control(uint32_t irq, uint32_t op);
/* The root domain only: threads of `domain` may attach line `irq` from now on. */
uint32_t l4_interrupt_control_domain(uint32_t irq, uint32_t domain);
/* The user timer on line `irq` (attached by the caller): fire once at counter value `deadline`
 * (l4_vcounter's), or not at all. */
uint32_t l4_timer_arm(uint32_t irq, uint64_t deadline);
uint32_t l4_timer_cancel(uint32_t irq);
uint32_t l4_kdebug(uint32_t op, uint32_t a1, uint32_t a2, uint32_t *r0_out);
void l4_exit(void) __attribute__((noreturn));
void l4_set_name(l4_tid_t t, const char *name);
void l4_puts(const char *text);
/* The index of the boot module named `name` in the KIP's table, or -1. */
int l4_module_index(const char *name);

/* The root task's protocol, for the debug agent only: delete domain MR1 (a module's slot) and
 * start module image MR2 there; the reply's MR1 is 0 or an l4 error. */
#define ROOT_LABEL_RESTART      0xfe00u

/* sigma0's protocol: ask for the page (or block) at `fpage`; it maps into the window in BR0. */
#define SIGMA0_LABEL_REQUEST    0xff00u
#define SIGMA0_ANY_PAGE         0xfffff000u     /* base meaning "any free page" */
#define SIGMA0_MAX_LOG2         16u             /* the largest block one request gets: 64 KiB */
/* The root task only (user/sigma0/main.c): a client's policy, and taking back what it had.
 * The reply's MR1 is 1 when done. */
#define SIGMA0_LABEL_POLICY     0xff01u         /* MR1 first thread number, MR2 count, MR3 RAM
                                                 * pages, MR4/MR5 device window, MR6 flags */
#define SIGMA0_LABEL_RELEASE    0xff02u         /* MR1 the client's first thread number */
#define SIGMA0_ALLOW_ROOTFS     (1u << 0)       /* may map the root file system's flash, read-only */
#define SIGMA0_ALLOW_DATA       (1u << 2)       /* may map the persistent disk's flash, to read
                                                 * and program */
#define SIGMA0_ALLOW_SLOTS      (1u << 1)       /* may map each image slot's first page, to
                                                 * confirm the boot (firmware/boot/boot.c) */
uint32_t l4_sigma0_request(uint32_t fpage, uint32_t window);
/* A free page of RAM from sigma0, mapped at its physical address (so a device can be given
 * the same address): that address, or 0 when sigma0 has none. */
uint32_t l4_sigma0_page(void);
