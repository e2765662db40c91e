/*
 * Kernel benchmarks, measured the way sel4bench measures: the cycle counter read around the
 * operation, warm-up runs discarded and the cost of an empty measurement subtracted by the
 * framework (main.c), raw samples handed to the host.  Under QEMU with -icount shift=0 a cycle is
 * an instruction, so the figures are instruction counts and repeat exactly.
 */
#include "ktest.h"

#define SECOND      1000000u

static volatile uint32_t bench_done;

/* ---- IPC round trip --------------------------------------------------------------------- */

/* Reply to every call with an empty message, forever. */
static void null_server(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);

    for (;;) {
        m.mr[0] = 0;
        from = l4_reply_wait(from, &m, &err);
        if (err)
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    }
}

static uint32_t call_roundtrip(uint32_t *samples, uint32_t n, int new_space)
{
    uint32_t err = 0;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, null_server, new_space, 100, 0, 0, &err);
    struct l4_msg m = { { 0 } };

    if (!t)
        return PROTO_TEST_ERROR;
    l4_call(t, &m);                             /* the server's first receive */
    l4_call(t, &m);                             /* its first reply-and-wait */
    for (uint32_t i = 0; i < n; i++) {
        m.mr[0] = L4_TAG(0, 0, 0);
        uint32_t c0 = l4_cycles();
        err |= l4_call(t, &m);
        samples[i] = l4_cycles() - c0;
    }
    reap(t);
    return err ? PROTO_TEST_FAIL : PROTO_TEST_PASS;
}

KBENCH(bench_call, "ipc.call_roundtrip")
{
    return call_roundtrip(samples, n, 1);
}

KBENCH(bench_call_same, "ipc.call_roundtrip_same_space")
{
    return call_roundtrip(samples, n, 0);
}

/* ---- page fault resolved by a user-level pager ------------------------------------------ */

static volatile uint32_t *pf_samples;
static volatile uint32_t pf_n;

/* Touch an unmapped anonymous page, time it, give the page back, repeat. */
static void pf_toucher(void)
{
    struct l4_msg m = { { L4_TAG(0, 0, 0) } };

    for (uint32_t i = 0; i < pf_n; i++) {
        uint32_t page = ANON_BASE + (8 + i % 8) * L4_PAGE_SIZE;
        uint32_t c0 = l4_cycles();
        (void)*(volatile uint32_t *)page;
        pf_samples[i] = l4_cycles() - c0;
        l4_unmap(L4_FPAGE(page, 12, L4_RWX), L4_UNMAP_SELF);
    }
    bench_done = 1;
    l4_send(ktest_main, &m, L4_NEVER);
    l4_exit();
}

KBENCH(bench_pf, "pf.user_pager")
{
    uint32_t err = 0;
    struct l4_msg m = { { 0 } };
    l4_tid_t t;

    pf_samples = samples;
    pf_n = n;
    bench_done = 0;
    pager_policy = PAGER_MAP;
    t = spawn(SLOT_FIRST_HELPER, pf_toucher, 1, 100, 0, 0, &err);
    if (!t)
        return PROTO_TEST_ERROR;
    err = wait_from(t, &m, 30 * SECOND, NULL);
    reap(t);
    return err || !bench_done ? PROTO_TEST_FAIL : PROTO_TEST_PASS;
}

/* ---- interrupt latency ------------------------------------------------------------------ */

#define IRQ_BENCH   122
static volatile uint32_t *irq_samples;
static volatile uint32_t irq_index, irq_attached;
static volatile uint32_t *inject_stamp;     /* the injector's MR0: when the line went pending */

/* Highest priority: on each interrupt, record the time since `stamp` and unmask. */
static void irq_timer(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t irq = L4_IRQ_TID(IRQ_BENCH);

    if (l4_interrupt_control(IRQ_BENCH, L4_IRQ_ATTACH))
        l4_exit();
    irq_attached = 1;
    l4_receive(irq, &m, L4_NEVER, &err);
    for (;;) {
        uint32_t now = l4_cycles();
        irq_samples[irq_index++] = now - *inject_stamp;
        m.mr[0] = 0;
        l4_ipc(irq, irq, L4_ZERO, L4_NEVER, &m, &err);
    }
}

KBENCH(bench_irq, "irq.latency")
{
    uint32_t err = 0, regs[13];
    l4_tid_t t;

    irq_samples = samples;
    irq_index = 0;
    irq_attached = 0;
    inject_stamp = &l4_utcb()->mr[0];           /* the handler shares our space: it can read it */
    t = spawn(SLOT_FIRST_HELPER, irq_timer, 0, 200, L4_TC_PRIVILEGED, 0, &err);
    if (!t || !irq_attached) {
        reap(t);
        return PROTO_TEST_ERROR;
    }
    for (uint32_t i = 0; i < n; i++) {
        /* the kernel stamps the moment it sets the pending bit into our MR0; the handler
         * takes the difference as soon as it runs */
        for (unsigned k = 0; k < 13; k++)
            regs[k] = 0;
        regs[0] = L4_KD_INJECT_IRQ;
        regs[1] = IRQ_BENCH;
        regs[7] = L4_SYS_KDEBUG;
        l4_syscall_regs(regs);
    }
    reap(t);
    return irq_index == n ? PROTO_TEST_PASS : PROTO_TEST_FAIL;
}

/* ---- the cheapest system call ----------------------------------------------------------- */

KBENCH(bench_null, "syscall.null")
{
    for (uint32_t i = 0; i < n; i++) {
        register uint32_t r0 __asm__("r0"), r1 __asm__("r1"), r2 __asm__("r2");
        register uint32_t r7 __asm__("r7") = L4_SYS_SYSTEM_CLOCK;
        uint32_t c0 = l4_cycles();
        __asm__ volatile("svc #0" : "=r"(r0), "=r"(r1), "=r"(r2) : "r"(r7) : "memory");
        samples[i] = l4_cycles() - c0;
    }
    return PROTO_TEST_PASS;
}
