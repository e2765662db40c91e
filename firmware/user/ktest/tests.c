/*
 * The kernel's on-target tests.  Each runs in ktest's main thread (priority 100) with helper
 * threads, checks what the kernel did, and cleans up after itself whatever the outcome.
 */
#include "board.h"
#include "ktest.h"

#define SECOND      1000000u
#define B_VA        0x50000000u         /* where helpers in other spaces receive mappings */
#define C_VA        0x60000000u

/* Helpers share these with ktest's main thread (in other spaces through the pager). */
static volatile uint32_t seen[8];
static volatile uint32_t order[8], order_n;
static volatile l4_tid_t partner_a, partner_b;

static void reset_shared(void)
{
    for (unsigned i = 0; i < 8; i++)
        seen[i] = order[i] = 0;
    order_n = 0;
}

static uint32_t elapsed_us(uint64_t since)
{
    return (uint32_t)(l4_system_clock() - since);
}

/* ---- IPC -------------------------------------------------------------------------------- */

/* Answer every call with MR1 + 1 and the other words as they came. */
static void echo_server(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);

    for (;;) {
        if (err) {
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        m.mr[1] += 1;
        m.mr[0] = L4_TAG(0, L4_TAG_UNTYPED(m.mr[0]), 0);
        from = l4_reply_wait(from, &m, &err);
    }
}

KTEST(ipc_call, "ipc.call")
{
    uint32_t err = 0;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, echo_server, 1, 100, 0, 0, &err);
    struct l4_msg m = { { L4_TAG(7, 7, 0), 41, 2, 3, 4, 5, 6, 7 } };

    CHECK(r, t, "spawn failed: %u", err);
    err = l4_call(t, &m);
    CHECK(r, err == 0, "call failed: %x", err);
    CHECK(r, m.mr[1] == 42, "MR1 came back as %u, not 42", m.mr[1]);
    CHECK(r, L4_TAG_UNTYPED(m.mr[0]) == 7, "reply tag %x", m.mr[0]);
    for (unsigned i = 2; i < 8; i++)
        CHECK(r, m.mr[i] == i, "MR%u came back as %u", i, m.mr[i]);
out:
    reap(t);
}

KTEST(ipc_long, "ipc.long_message")
{
    uint32_t err = 0;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, echo_server, 1, 100, 0, 0, &err);
    struct l4_msg m = { { L4_TAG(1, 40, 0), 1000, 1, 2, 3, 4, 5, 6 } };
    struct l4_utcb *u = l4_utcb();

    CHECK(r, t, "spawn failed: %u", err);
    for (unsigned i = 8; i <= 40; i++)
        u->mr[i] = 0x1000 + i;
    err = l4_call(t, &m);
    CHECK(r, err == 0, "call failed: %x", err);
    CHECK(r, m.mr[1] == 1001 && L4_TAG_UNTYPED(m.mr[0]) == 40, "reply %x / %u", m.mr[0], m.mr[1]);
    for (unsigned i = 8; i <= 40; i++)
        CHECK(r, u->mr[i] == 0x1000 + i, "MR%u came back as %x", i, u->mr[i]);
out:
    reap(t);
}

/* Receive one message from ktest's main thread, then send MR1 * 2 back. */
static void doubler(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_receive(ktest_main, &m, L4_NEVER, &err);
    m.mr[0] = L4_TAG(0, 1, 0);
    m.mr[1] *= 2;
    l4_send(ktest_main, &m, L4_NEVER);
    l4_exit();
}

KTEST(ipc_send_receive, "ipc.send_receive")
{
    uint32_t err = 0;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, doubler, 0, 100, 0, 0, &err), from;
    struct l4_msg m = { { L4_TAG(0, 1, 0), 21 } };

    CHECK(r, t, "spawn failed: %u", err);
    err = l4_send(t, &m, L4_NEVER);
    CHECK(r, err == 0, "send failed: %x", err);
    err = wait_from(t, &m, SECOND, &from);
    CHECK(r, err == 0 && from == t, "receive failed: %x from %x", err, from);
    CHECK(r, m.mr[1] == 42, "got %u, not 42", m.mr[1]);
out:
    reap(t);
}

/* Wait for a message from a thread that never sends. */
static void sleeper(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    for (;;)
        l4_receive(ktest_pager, &m, L4_NEVER, &err);
}

KTEST(ipc_timeouts, "ipc.timeouts")
{
    uint32_t err = 0, us;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, sleeper, 0, 100, 0, 0, &err);
    struct l4_msg m = { { L4_TAG(0, 0, 0) } };
    uint64_t t0;

    CHECK(r, t, "spawn failed: %u", err);
    l4_thread_switch(t);                        /* let it block in its receive */

    err = l4_send(t, &m, L4_ZERO);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_TIMEOUT, 0), "zero send timeout gave %x", err);

    t0 = l4_system_clock();
    err = l4_send(t, &m, 5000);
    us = elapsed_us(t0);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_TIMEOUT, 0), "5 ms send timeout gave %x", err);
    CHECK(r, us >= 5000 && us < 500000, "5 ms send timeout took %u us", us);

    t0 = l4_system_clock();
    err = wait_from(t, &m, 10000, NULL);
    us = elapsed_us(t0);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_TIMEOUT, 1), "10 ms receive timeout gave %x", err);
    CHECK(r, us >= 10000 && us < 500000, "10 ms receive timeout took %u us", us);

    err = wait_from(L4_ANYTHREAD, &m, L4_ZERO, NULL);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_TIMEOUT, 1), "zero receive timeout gave %x", err);
    r->value = us;
out:
    reap(t);
}

/* Wait for a message from partner_a forever; record how the wait ended. */
static void waiter(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_receive(partner_a, &m, L4_NEVER, &err);
    seen[0] = err | 0x80000000u;
    l4_exit();
}

KTEST(ipc_deleted_partner, "ipc.deleted_partner")
{
    uint32_t err = 0;
    struct l4_msg m = { { 0 } };
    l4_tid_t a = spawn(SLOT_FIRST_HELPER, sleeper, 1, 100, 0, 0, &err), w = L4_NILTHREAD;

    reset_shared();
    CHECK(r, a, "spawn failed: %u", err);
    partner_a = a;
    w = spawn(SLOT_FIRST_HELPER + 1, waiter, 0, 100, 0, 0, &err);
    CHECK(r, w, "spawn failed: %u", err);
    l4_thread_switch(w);                        /* it blocks waiting for a */
    reap(a);                                    /* ... which goes away */
    for (unsigned i = 0; i < 10 && !seen[0]; i++)
        l4_thread_switch(w);
    CHECK(r, seen[0] == (L4_IPC_ERROR(L4_ERR_NO_PARTNER, 1) | 0x80000000u),
          "a receiver of a deleted thread ended with %x", seen[0]);
    err = wait_from(a, &m, SECOND, NULL);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_NO_PARTNER, 1), "receive from a deleted thread gave %x", err);
    err = l4_send(a, &m, SECOND);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_NO_PARTNER, 0), "send to a deleted thread gave %x", err);
out:
    reap(w);
}

KTEST(ipc_stale_id, "ipc.stale_id")
{
    uint32_t err = 0;
    struct l4_msg m = { { L4_TAG(0, 1, 0), 1 } };
    l4_tid_t old = spawn(SLOT_FIRST_HELPER, echo_server, 0, 100, 0, 0, &err), fresh = 0;

    CHECK(r, old, "spawn failed: %u", err);
    reap(old);
    fresh = spawn(SLOT_FIRST_HELPER, echo_server, 0, 100, 0, 0, &err);
    CHECK(r, fresh, "respawn failed: %u", err);
    CHECK(r, L4_TID_NUMBER(fresh) == L4_TID_NUMBER(old) && fresh != old,
          "the slot was not reused with a new version: %x then %x", old, fresh);
    err = l4_call(old, &m);
    CHECK(r, err == L4_IPC_ERROR(L4_ERR_NO_PARTNER, 0), "the stale ID reached someone: %x", err);
    err = l4_call(fresh, &m);
    CHECK(r, err == 0 && m.mr[1] == 2, "the new thread did not answer: %x", err);
    r->value = fresh;
out:
    reap(fresh);
}

/* ---- mapping ---------------------------------------------------------------------------- */

/* B: receive a page from main at B_VA, read it, pass it on to partner_b (C) at C_VA, tell main,
 * wait for the word, read it again (by then it may be gone). */
static void map_b(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_utcb()->br[0] = L4_FPAGE(B_VA, 12, L4_RWX);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    seen[0] = *(volatile uint32_t *)B_VA;
    if (partner_b) {
        m.mr[0] = L4_TAG(0, 0, 2);
        m.mr[1] = B_VA | L4_ITEM_MAP;
        m.mr[2] = L4_FPAGE(B_VA, 12, L4_READ | L4_WRITE);
        l4_send(partner_b, &m, SECOND);
    }
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(ktest_main, &m, SECOND);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    seen[2] = *(volatile uint32_t *)B_VA;       /* faults once the page is revoked */
    seen[4] = 1;
    l4_exit();
}

static void map_c(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_utcb()->br[0] = L4_FPAGE(C_VA, 12, L4_RWX);
    l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    seen[1] = L4_TAG_TYPED(m.mr[0]) ? *(volatile uint32_t *)C_VA : 0xdead;
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(ktest_main, &m, SECOND);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    seen[3] = *(volatile uint32_t *)C_VA;
    seen[5] = 1;
    l4_exit();
}

static int fault_seen(l4_tid_t t, uint32_t addr, uint32_t rwx)
{
    for (uint32_t i = 0; i < fault_count; i++)
        if (faults[i].thread == t && faults[i].addr == addr && (faults[i].rwx & rwx))
            return 1;
    return 0;
}

/* Wait for an exception message from `t` (what a refused fault becomes). */
static int stopped(l4_tid_t t)
{
    struct l4_msg m = { { 0 } };
    l4_tid_t from;

    if (wait_from(t, &m, SECOND, &from) || from != t)
        return 0;
    m.mr[0] = L4_TAG(L4_LABEL_STOP, 0, 0);
    l4_send(t, &m, L4_ZERO);
    return 1;
}

KTEST(map_unmap_recursive, "map.unmap_recursive")
{
    uint32_t err = 0, page = anon_phys[0];
    volatile uint32_t *mine = (volatile uint32_t *)page;
    struct l4_msg m = { { 0 } };
    l4_tid_t b = 0, c = 0;

    reset_shared();
    fault_count = 0;
    pager_policy = PAGER_RECORD;
    CHECK(r, page, "no anonymous page from sigma0");
    *mine = 0xa1a1a1a1;
    partner_b = 0;
    c = spawn(SLOT_FIRST_HELPER + 1, map_c, 1, 100, 0, 0, &err);
    CHECK(r, c, "spawn C failed: %u", err);
    partner_b = c;
    b = spawn(SLOT_FIRST_HELPER, map_b, 1, 100, 0, 0, &err);
    CHECK(r, b, "spawn B failed: %u", err);

    m.mr[0] = L4_TAG(0, 0, 2);                  /* A -> B */
    m.mr[1] = page | L4_ITEM_MAP;
    m.mr[2] = L4_FPAGE(page, 12, L4_READ | L4_WRITE);
    err = l4_send(b, &m, SECOND);
    CHECK(r, err == 0, "map to B failed: %x", err);
    CHECK(r, wait_from(b, &m, SECOND, NULL) == 0 && wait_from(c, &m, SECOND, NULL) == 0,
          "B or C did not report");
    CHECK(r, seen[0] == 0xa1a1a1a1 && seen[1] == 0xa1a1a1a1, "B saw %x, C saw %x", seen[0], seen[1]);

    err = l4_unmap(L4_FPAGE(page, 12, L4_RWX), 0);  /* revoke what was derived from ours */
    CHECK(r, err == 0, "unmap failed: %x", err);
    CHECK(r, *mine == 0xa1a1a1a1, "our own mapping went too");
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(b, &m, SECOND);
    l4_send(c, &m, SECOND);
    CHECK(r, stopped(b) && stopped(c), "B and C did not fault after the unmap");
    CHECK(r, !seen[4] && !seen[5], "B or C still read the page after the unmap");
    CHECK(r, fault_seen(b, B_VA, L4_READ) && fault_seen(c, C_VA, L4_READ),
          "the pager did not see both faults (%u recorded)", fault_count);
out:
    reap(b);
    reap(c);
}

/* B for the grant test: take a granted page, read it, say so, and grant it back when told. */
static void grant_b(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_utcb()->br[0] = L4_FPAGE(B_VA, 12, L4_RWX);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    seen[0] = *(volatile uint32_t *)B_VA;
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(ktest_main, &m, SECOND);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    m.mr[0] = L4_TAG(0, 0, 2);
    m.mr[1] = B_VA | L4_ITEM_GRANT;
    m.mr[2] = L4_FPAGE(B_VA, 12, L4_RWX);
    l4_send(ktest_main, &m, SECOND);
    seen[1] = 1;
    l4_exit();
}

KTEST(map_grant, "map.grant")
{
    uint32_t err = 0, page = anon_phys[1];
    volatile uint32_t *mine = (volatile uint32_t *)page;
    struct l4_msg m = { { 0 } };
    l4_tid_t b = 0, c = 0;

    reset_shared();
    fault_count = 0;
    pager_policy = PAGER_RECORD;
    CHECK(r, page, "no anonymous page from sigma0");
    *mine = 0xb2b2b2b2;
    b = spawn(SLOT_FIRST_HELPER, grant_b, 1, 100, 0, 0, &err);
    CHECK(r, b, "spawn failed: %u", err);
    m.mr[0] = L4_TAG(0, 0, 2);
    m.mr[1] = page | L4_ITEM_GRANT;
    m.mr[2] = L4_FPAGE(page, 12, L4_RWX);
    err = l4_send(b, &m, SECOND);
    CHECK(r, err == 0 && wait_from(b, &m, SECOND, NULL) == 0, "B did not take the grant");
    CHECK(r, seen[0] == 0xb2b2b2b2, "B read %x from the granted page", seen[0]);

    /* the page moved: mapping it from here now gives C nothing, and C's read faults */
    c = spawn(SLOT_FIRST_HELPER + 1, map_c, 1, 100, 0, 0, &err);
    CHECK(r, c, "spawn C failed: %u", err);
    m.mr[0] = L4_TAG(0, 0, 2);
    m.mr[1] = page | L4_ITEM_MAP;
    m.mr[2] = L4_FPAGE(page, 12, L4_RWX);
    l4_send(c, &m, SECOND);
    CHECK(r, stopped(c), "C read a page we no longer had");
    CHECK(r, fault_seen(c, C_VA, L4_READ), "the pager did not see C's fault");

    /* and back it comes */
    l4_utcb()->br[0] = L4_FPAGE(page, 12, L4_RWX);
    m.mr[0] = L4_TAG(0, 0, 0);
    err = l4_call(b, &m);
    CHECK(r, err == 0 && L4_TAG_TYPED(m.mr[0]) == 2, "B's grant back failed: %x", err);
    CHECK(r, *mine == 0xb2b2b2b2, "the page did not come back");
out:
    l4_utcb()->br[0] = L4_NILPAGE;
    reap(b);
    reap(c);
}

/* B for the rights test: write, report, then read and write again when told. */
static void rights_b(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_utcb()->br[0] = L4_FPAGE(B_VA, 12, L4_RWX);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    *(volatile uint32_t *)B_VA = 0xc3c3c3c3;
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(ktest_main, &m, SECOND);
    l4_receive(ktest_main, &m, L4_NEVER, &err);
    seen[0] = *(volatile uint32_t *)B_VA;       /* reading is still allowed */
    *(volatile uint32_t *)B_VA = 0xdddddddd;    /* writing is not */
    seen[1] = 1;
    l4_exit();
}

KTEST(map_write_revoked, "map.write_revoked")
{
    uint32_t err = 0, page = anon_phys[2];
    volatile uint32_t *mine = (volatile uint32_t *)page;
    struct l4_msg m = { { 0 } };
    l4_tid_t b = 0;

    reset_shared();
    fault_count = 0;
    pager_policy = PAGER_RECORD;
    CHECK(r, page, "no anonymous page from sigma0");
    *mine = 0;
    b = spawn(SLOT_FIRST_HELPER, rights_b, 1, 100, 0, 0, &err);
    CHECK(r, b, "spawn failed: %u", err);
    m.mr[0] = L4_TAG(0, 0, 2);
    m.mr[1] = page | L4_ITEM_MAP;
    m.mr[2] = L4_FPAGE(page, 12, L4_READ | L4_WRITE);
    err = l4_send(b, &m, SECOND);
    CHECK(r, err == 0 && wait_from(b, &m, SECOND, NULL) == 0, "B did not take the page");
    CHECK(r, *mine == 0xc3c3c3c3, "B's write did not land: %x", *mine);
    err = l4_unmap(L4_FPAGE(page, 12, L4_WRITE), 0);    /* take write away from B */
    CHECK(r, err == 0, "unmap failed: %x", err);
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(b, &m, SECOND);
    CHECK(r, stopped(b), "B's write after the revoke did not fault");
    CHECK(r, seen[0] == 0xc3c3c3c3, "B could not read after losing write: %x", seen[0]);
    CHECK(r, !seen[1] && *mine == 0xc3c3c3c3, "B's write went through: %x", *mine);
    CHECK(r, fault_seen(b, B_VA, L4_WRITE), "the pager did not see a write fault");
out:
    reap(b);
}

/* ---- faults and exceptions -------------------------------------------------------------- */

static void toucher(void)
{
    seen[0] = *(volatile uint32_t *)(ANON_BASE + 3 * L4_PAGE_SIZE);
    seen[1] = 1;
    l4_exit();
}

KTEST(pf_user_pager, "fault.user_pager")
{
    uint32_t err = 0;
    l4_tid_t t = 0;

    reset_shared();
    CHECK(r, anon_phys[3], "no anonymous page from sigma0");
    *(volatile uint32_t *)anon_phys[3] = 0xe4e4e4e4;
    t = spawn(SLOT_FIRST_HELPER, toucher, 1, 100, 0, 0, &err);
    CHECK(r, t, "spawn failed: %u", err);
    for (unsigned i = 0; i < 100 && !seen[1]; i++)
        l4_thread_switch(t);
    CHECK(r, seen[1], "the faulting thread did not run again");
    CHECK(r, seen[0] == 0xe4e4e4e4, "it read %x through the pager's mapping", seen[0]);
out:
    reap(t);
}

/* A pager whose answer maps nothing (it sends a page it does not hold, as a pager out of the
 * kernel's memory would have its mapping fail): the thread must not fault for ever; its next
 * fault goes to its exception handler as MAP_FAILED, with the address. */
KTEST(pf_map_failed, "fault.map_failed")
{
    struct l4_utcb *u = l4_utcb();
    struct l4_msg m = { { 0 } };
    uint32_t err = 0;
    l4_tid_t t = 0;

    reset_shared();
    pager_policy = PAGER_BOGUS;
    t = spawn(SLOT_FIRST_HELPER, toucher, 1, 100, 0, 0, &err);
    CHECK(r, t, "spawn failed: %u", err);
    err = wait_from(t, &m, SECOND, NULL);
    CHECK(r, err == 0, "no exception within a second (error %x): the thread faults for ever", err);
    CHECK(r, L4_TAG_LABEL(m.mr[0]) == L4_LABEL_EXCEPTION && u->mr[L4_EXC_KIND] == L4_EXC_MAP_FAILED,
          "label %x, kind %u: not MAP_FAILED", L4_TAG_LABEL(m.mr[0]), u->mr[L4_EXC_KIND]);
    CHECK(r, u->mr[L4_EXC_FAR] == ANON_BASE + 3 * L4_PAGE_SIZE, "fault address %x", u->mr[L4_EXC_FAR]);
    CHECK(r, !seen[1], "the load completed without a page");
out:
    pager_policy = PAGER_MAP;
    reap(t);
}

static void undefined_insn(void)
{
    register uint32_t r0 __asm__("r0") = 1;

    __asm__ volatile(".word 0xe7f000f0" : "+r"(r0));    /* udf #0 */
    seen[0] = r0;
    seen[1] = 1;
    l4_exit();
}

static void foreign_syscall(void)
{
    register uint32_t r0 __asm__("r0") = 0;
    register uint32_t r7 __asm__("r7") = 20;              /* Linux getpid */

    __asm__ volatile("svc #0" : "+r"(r0) : "r"(r7) : "memory");
    seen[0] = r0;
    seen[1] = 1;
    for (;;)
        ;                                               /* a foreign thread cannot l4_exit */
}

/* Receive an exception from `t`, check it, and resume `t` with r0 = `r0` and pc + `skip`. */
static uint32_t handle_exception(l4_tid_t t, uint32_t label, uint32_t kind, uint32_t r0,
                                 uint32_t skip, uint32_t *pc)
{
    struct l4_msg m = { { 0 } };
    struct l4_utcb *u = l4_utcb();
    l4_tid_t from;
    uint32_t regs[L4_EXC_WORDS + 1];

    if (wait_from(t, &m, SECOND, &from) || from != t)
        return 1;
    if (L4_TAG_LABEL(m.mr[0]) != label || L4_TAG_UNTYPED(m.mr[0]) != L4_EXC_WORDS)
        return 2;
    for (unsigned i = 1; i <= L4_EXC_WORDS; i++)
        regs[i] = i < L4_MR_IN_REGISTERS ? m.mr[i] : u->mr[i];
    if (regs[L4_EXC_KIND] != kind)
        return 3;
    *pc = regs[L4_EXC_PC];
    regs[L4_EXC_R0] = r0;
    regs[L4_EXC_PC] += skip;
    m.mr[0] = L4_TAG(0, L4_EXC_CPSR, 0);
    for (unsigned i = 1; i <= L4_EXC_CPSR; i++) {
        if (i < L4_MR_IN_REGISTERS)
            m.mr[i] = regs[i];
        else
            u->mr[i] = regs[i];
    }
    return l4_send(t, &m, SECOND) ? 4 : 0;
}

KTEST(exc_undefined, "exception.undefined")
{
    uint32_t err = 0, pc = 0, why;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, undefined_insn, 1, 100, 0, 0, &err);

    reset_shared();
    CHECK(r, t, "spawn failed: %u", err);
    why = handle_exception(t, L4_LABEL_EXCEPTION, L4_EXC_UNDEFINED, 42, 4, &pc);
    CHECK(r, why == 0, "exception not delivered as expected (step %u)", why);
    CHECK(r, pc >= (uint32_t)undefined_insn && pc < (uint32_t)undefined_insn + 64,
          "reported pc %x is not in the faulting function", pc);
    for (unsigned i = 0; i < 100 && !seen[1]; i++)
        l4_thread_switch(t);
    CHECK(r, seen[1] && seen[0] == 42, "the thread did not resume with r0 = 42 (%u)", seen[0]);
out:
    reap(t);
}

/* A thread whose exception handler is the root task faults: the root task reports it (a LOG
 * line with the thread and its pc, which the host symbolizes) and leaves it stopped.  The value
 * is the pc it stopped at. */
KTEST(exc_reported, "exception.reported")
{
    uint32_t err = 0, regs[13] = { 0 };
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, undefined_insn, 1, 100, 0, L4_MODULE_TID(1), &err);

    CHECK(r, t, "spawn failed: %u", err);
    for (unsigned i = 0; i < 1000; i++) {
        regs[0] = t;
        regs[1] = 0;                            /* change nothing: read the state and pc */
        regs[7] = L4_SYS_EXCHANGE_REGISTERS;
        l4_syscall_regs(regs);
        if (regs[9] == L4_STATE_INACTIVE)
            break;
        l4_thread_switch(L4_NILTHREAD);
    }
    CHECK(r, regs[9] == L4_STATE_INACTIVE, "the thread was not stopped (state %u)", regs[9]);
    CHECK(r, regs[3] >= (uint32_t)undefined_insn && regs[3] < (uint32_t)undefined_insn + 64,
          "it stopped at %x, not in the faulting function", regs[3]);
    r->value = regs[3];
out:
    reap(t);
}

KTEST(exc_foreign_svc, "exception.foreign_svc")
{
    uint32_t err = 0, pc = 0, why;
    l4_tid_t t = spawn(SLOT_FIRST_HELPER, foreign_syscall, 1, 100, L4_TC_FOREIGN_ABI, 0, &err);

    reset_shared();
    CHECK(r, t, "spawn failed: %u", err);
    why = handle_exception(t, L4_LABEL_SYSCALL, L4_EXC_SVC, 1234, 0, &pc);
    CHECK(r, why == 0, "system call not delivered as expected (step %u)", why);
    for (unsigned i = 0; i < 100 && !seen[1]; i++)
        l4_thread_switch(t);
    CHECK(r, seen[1] && seen[0] == 1234, "the thread did not resume with r0 = 1234 (%u)", seen[0]);
out:
    reap(t);
}

/* A thread in another space reads ktest's memory and the kernel's: both fault to its pager. */
static void snooper(void)
{
    seen[0] = *(volatile uint32_t *)anon_phys[4];       /* mapped in ktest, not here */
    seen[1] = 1;
    l4_exit();
}

static void kernel_snooper(void)
{
    seen[2] = *(volatile uint32_t *)0xc0100000u;        /* the kernel's text */
    seen[3] = 1;
    l4_exit();
}

KTEST(isolation, "isolation")
{
    uint32_t err = 0;
    l4_tid_t a = 0, b = 0;

    reset_shared();
    fault_count = 0;
    pager_policy = PAGER_RECORD;
    CHECK(r, anon_phys[4], "no anonymous page from sigma0");
    *(volatile uint32_t *)anon_phys[4] = 0x5ec2e7;
    a = spawn(SLOT_FIRST_HELPER, snooper, 1, 100, 0, 0, &err);
    b = spawn(SLOT_FIRST_HELPER + 1, kernel_snooper, 1, 100, 0, 0, &err);
    CHECK(r, a && b, "spawn failed: %u", err);
    CHECK(r, stopped(a) && stopped(b), "the snoopers were not stopped");
    CHECK(r, !seen[1] && !seen[3], "a snooper read what it must not (%x, %x)", seen[0], seen[2]);
    CHECK(r, fault_seen(a, anon_phys[4], L4_READ), "no fault for another space's page");
    CHECK(r, fault_seen(b, 0xc0100000u, L4_READ), "no fault for the kernel's memory");
out:
    reap(a);
    reap(b);
}

/* ---- interrupts ------------------------------------------------------------------------- */

#define IRQ_TEST        120
#define IRQ_HOST_COUNT  121             /* counted by irq_counter, injected by the host */
static volatile uint32_t irq_hits;
static volatile uint32_t host_irqs;

static void irq_handler(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t irq = L4_IRQ_TID(IRQ_TEST);

    if (l4_interrupt_control(IRQ_TEST, L4_IRQ_ATTACH))
        l4_exit();
    seen[0] = 1;
    l4_receive(irq, &m, L4_NEVER, &err);
    for (;;) {
        if (!err && L4_TAG_LABEL(m.mr[0]) == L4_LABEL_INTERRUPT)
            irq_hits++;
        m.mr[0] = 0;
        l4_ipc(irq, irq, L4_ZERO, L4_NEVER, &m, &err);  /* unmask, wait for the next */
    }
}

KTEST(irq_as_ipc, "irq.as_ipc")
{
    uint32_t err = 0;
    l4_tid_t t;

    reset_shared();
    irq_hits = 0;
    t = spawn(SLOT_FIRST_HELPER, irq_handler, 0, 150, L4_TC_PRIVILEGED, 0, &err);
    CHECK(r, t, "spawn failed: %u", err);
    CHECK(r, seen[0], "the handler did not attach");
    for (unsigned i = 0; i < 3; i++) {
        err = l4_kdebug(L4_KD_INJECT_IRQ, IRQ_TEST, 0, NULL);
        CHECK(r, err == 0, "inject failed: %x", err);
    }
    CHECK(r, irq_hits == 3, "the handler saw %u interrupts, not 3", irq_hits);
    r->value = irq_hits;
out:
    reap(t);
}

/* Counts IRQ_HOST_COUNT for the host's injection test; runs for ktest's lifetime. */
static void irq_counter(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t irq = L4_IRQ_TID(IRQ_HOST_COUNT);

    if (l4_interrupt_control(IRQ_HOST_COUNT, L4_IRQ_ATTACH))
        l4_exit();
    l4_receive(irq, &m, L4_NEVER, &err);
    for (;;) {
        if (!err)
            host_irqs++;
        m.mr[0] = 0;
        l4_ipc(irq, irq, L4_ZERO, L4_NEVER, &m, &err);
    }
}

KTEST(irq_count, "irq.host_count")
{
    static l4_tid_t counter;
    uint32_t err = 0;

    if (!counter) {
        counter = spawn(SLOT_IRQ_COUNT, irq_counter, 0, 150, L4_TC_PRIVILEGED, 0, &err);
        l4_set_name(counter, "irq-counter");
    }
    CHECK(r, counter, "spawn failed: %u", err);
    r->value = host_irqs;
    test_note(r, "interrupt %u seen %u times", IRQ_HOST_COUNT, host_irqs);
out:
    return;
}

/* The user timer (the virtual timer's line): one expiry per arm at the deadline asked, refused
 * to anyone but its handler, quiet once cancelled.  When another module (the modem's frame
 * clock) owns the line, only the refusals can be checked. */
KTEST(irq_user_timer, "irq.user_timer")
{
    l4_tid_t line = L4_IRQ_TID(BOARD_IRQ_VTIMER);
    uint32_t hz = l4_counter_hz(), err, e;
    struct l4_msg m = { { 0 } };
    uint64_t deadline, fired;
    int attached = 0;

    e = l4_timer_arm(BOARD_IRQ_VTIMER, l4_vcounter());
    CHECK(r, e == L4_ERR_INVALID_ARGUMENT, "a thread not attached armed the timer: %u", e);
    CHECK(r, l4_timer_arm(BOARD_IRQ_TIMER, 0) == L4_ERR_INVALID_ARGUMENT, "the kernel's tick line took a deadline");
    e = l4_interrupt_control(BOARD_IRQ_VTIMER, L4_IRQ_ATTACH);
    if (e == L4_ERR_BUSY || e == L4_ERR_NO_PRIVILEGE) {
        test_note(r, "the user timer belongs to another thread or domain: refusals checked only");
        goto out;
    }
    CHECK(r, e == L4_OK, "attach failed: %u", e);
    attached = 1;
    for (unsigned i = 0; i < 3; i++) {
        deadline = l4_vcounter() + hz / 2000;                   /* 500 us ahead */
        CHECK(r, l4_timer_arm(BOARD_IRQ_VTIMER, deadline) == L4_OK, "arm failed");
        l4_receive(line, &m, 100000, &err);
        fired = l4_vcounter();
        CHECK(r, err == 0 && L4_TAG_LABEL(m.mr[0]) == L4_LABEL_INTERRUPT, "no expiry (error %x)", err);
        CHECK(r, fired >= deadline, "fired %u counts early", (uint32_t)(deadline - fired));
        CHECK(r, fired - deadline < hz / 1000, "fired %u counts late", (uint32_t)(fired - deadline));
        m.mr[0] = 0;
        l4_send(line, &m, L4_ZERO);                              /* unmask */
    }
    /* one arm, one expiry: nothing more comes without a new deadline */
    l4_receive(line, &m, 3000, &err);
    CHECK(r, L4_IPC_ERROR_CODE(err) == L4_ERR_TIMEOUT, "a second expiry without a new arm");
    /* cancelled before its deadline: it never fires */
    CHECK(r, l4_timer_arm(BOARD_IRQ_VTIMER, l4_vcounter() + hz / 1000) == L4_OK, "arm failed");
    CHECK(r, l4_timer_cancel(BOARD_IRQ_VTIMER) == L4_OK, "cancel failed");
    l4_receive(line, &m, 3000, &err);
    CHECK(r, L4_IPC_ERROR_CODE(err) == L4_ERR_TIMEOUT, "a cancelled deadline fired");
    /* a deadline already past fires at once */
    CHECK(r, l4_timer_arm(BOARD_IRQ_VTIMER, 0) == L4_OK, "arm failed");
    l4_receive(line, &m, 2000, &err);
    CHECK(r, err == 0, "a past deadline did not fire");
    m.mr[0] = 0;
    l4_send(line, &m, L4_ZERO);
    r->value = (uint32_t)(fired - deadline);
out:
    if (attached)
        l4_interrupt_control(BOARD_IRQ_VTIMER, L4_IRQ_DETACH);
}

/* ---- scheduling ------------------------------------------------------------------------- */

static void high_receiver(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;

    l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    order[order_n++] = 'H';
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(ktest_main, &m, SECOND);
    l4_exit();
}

static void low_sender(void)
{
    struct l4_msg m = { { L4_TAG(0, 0, 0) } };

    order[order_n++] = 'L';
    l4_send(partner_a, &m, SECOND);
    order[order_n++] = 'l';                     /* only after the high thread has run */
    m.mr[0] = L4_TAG(0, 0, 0);
    l4_send(ktest_main, &m, SECOND);
    l4_exit();
}

KTEST(sched_preempt_ipc, "sched.preempt_on_ipc")
{
    uint32_t err = 0;
    struct l4_msg m = { { 0 } };
    l4_tid_t h = 0, l = 0;

    reset_shared();
    h = spawn(SLOT_FIRST_HELPER, high_receiver, 0, 150, 0, 0, &err);
    CHECK(r, h, "spawn failed: %u", err);
    partner_a = h;
    l = spawn(SLOT_FIRST_HELPER + 1, low_sender, 0, 50, 0, 0, &err);
    CHECK(r, l, "spawn failed: %u", err);
    CHECK(r, wait_from(h, &m, SECOND, NULL) == 0, "the high thread did not report");
    CHECK(r, wait_from(l, &m, SECOND, NULL) == 0, "the low thread did not report");
    CHECK(r, order_n == 3 && order[0] == 'L' && order[1] == 'H' && order[2] == 'l',
          "ran in the order %c%c%c", order[0], order[1], order[2]);
out:
    reap(h);
    reap(l);
}

static volatile uint32_t spins[2];

static void spinner_a(void)
{
    for (;;)
        spins[0]++;
}

static void spinner_b(void)
{
    for (;;)
        spins[1]++;
}

KTEST(sched_timeslice, "sched.timeslice")
{
    uint32_t err = 0, a0, b0;
    struct l4_msg m = { { 0 } };
    l4_tid_t a = 0, b = 0;
    uint64_t t0;

    spins[0] = spins[1] = 0;
    a = spawn(SLOT_FIRST_HELPER, spinner_a, 0, 60, 0, 0, &err);
    b = spawn(SLOT_FIRST_HELPER + 1, spinner_b, 0, 60, 0, 0, &err);
    CHECK(r, a && b, "spawn failed: %u", err);
    t0 = l4_system_clock();
    wait_from(ktest_pager, &m, 50000, NULL);    /* sleep 50 ms: the spinners share the CPU */
    a0 = spins[0];
    b0 = spins[1];
    CHECK(r, elapsed_us(t0) >= 50000, "slept only %u us", elapsed_us(t0));
    CHECK(r, a0 > 0 && b0 > 0, "round robin failed: %u and %u spins", a0, b0);
    r->value = a0 < b0 ? a0 * 100 / b0 : b0 * 100 / a0;
    test_note(r, "spins %u and %u", a0, b0);
out:
    reap(a);
    reap(b);
}

static volatile uint32_t calls_made;

static void caller(void)
{
    struct l4_msg m = { { 0 } };

    for (;;) {
        m.mr[0] = L4_TAG(0, 1, 0);
        if (l4_call(partner_a, &m) == 0)
            calls_made++;
    }
}

/* A thread calling a server (the IPC fast path: neither passes through a ready queue) and a
 * spinner, all of one priority: the spinner still gets its timeslices, and so does the pair. */
KTEST(sched_ipc_pair_shares, "sched.ipc_pair_shares")
{
    uint32_t err = 0, calls, spun;
    struct l4_msg m = { { 0 } };
    l4_tid_t e = 0, c = 0, s = 0;

    spins[0] = 0;
    calls_made = 0;
    e = spawn(SLOT_FIRST_HELPER, echo_server, 0, 60, 0, 0, &err);
    CHECK(r, e, "spawn failed: %u", err);
    partner_a = e;
    c = spawn(SLOT_FIRST_HELPER + 1, caller, 0, 60, 0, 0, &err);
    s = spawn(SLOT_FIRST_HELPER + 2, spinner_a, 0, 60, 0, 0, &err);
    CHECK(r, c && s, "spawn failed: %u", err);
    wait_from(ktest_pager, &m, 50000, NULL);    /* sleep 50 ms: five timeslices to share */
    calls = calls_made;
    spun = spins[0];
    CHECK(r, calls > 0 && spun > 0, "the pair made %u calls, the spinner %u spins", calls, spun);
    test_note(r, "%u calls, %u spins", calls, spun);
out:
    reap(c);
    reap(s);
    reap(e);
}

/* ---- the system-call fuzzer ------------------------------------------------------------- */

#define FUZZ_CALLS  100000u
static volatile l4_tid_t fuzz_self;

static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Point `t`'s page faults back at our pager (ExchangeRegisters can change a thread's pager). */
static void restore_pager(l4_tid_t t)
{
    uint32_t regs[13] = { t, L4_XR_PAGER };

    regs[6] = ktest_pager;
    regs[7] = L4_SYS_EXCHANGE_REGISTERS;
    l4_syscall_regs(regs);
}

/* How many system calls the kernel has seen from `t` (it cannot be forged by `t`). */
static uint32_t kernel_syscalls(l4_tid_t t)
{
    uint32_t words;

    if (l4_kdebug(L4_KD_THREAD_INFO, L4_TID_NUMBER(t) - L4_FIRST_THREAD, 0, &words) ||
        words < 18 || l4_utcb()->mr[1] != t)
        return 0;
    return l4_utcb()->mr[17];
}

/* In its own space, with ktest's pages read-only but for its stack: system calls with random
 * numbers and registers, forever.  Partners and timeouts lean towards ones that return, so
 * that most calls finish; the rest are aborted by the watchdog (ktest's main thread), and any
 * exception restarts the loop with fresh randomness. */
static void fuzzer(void)
{
    static const uint32_t kinds[] = { 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x7fffffff };
    uint32_t x = l4_cycles() | 1, regs[13];

    for (;;) {
        for (unsigned k = 0; k < 13; k++)
            regs[k] = next_random(&x);
        regs[7] = kinds[regs[7] % (sizeof kinds / sizeof kinds[0])];
        if (regs[7] == L4_SYS_IPC || regs[7] == L4_SYS_EXCHANGE_REGISTERS ||
            regs[7] == L4_SYS_THREAD_SWITCH || regs[7] == L4_SYS_SCHEDULE) {
            const l4_tid_t partners[] = { L4_NILTHREAD, L4_ANYTHREAD, fuzz_self, ktest_main,
                                          ktest_pager, l4_kip()->sigma0, l4_kip()->root_task,
                                          L4_IRQ_TID(regs[5] % 128), regs[6] };
            regs[0] = partners[regs[0] % (sizeof partners / sizeof partners[0])];
            regs[1] = regs[1] & 1 ? partners[regs[1] % (sizeof partners / sizeof partners[0])]
                                  : regs[1];
        }
        if (regs[7] == L4_SYS_IPC) {
            regs[2] = regs[2] % 16 ? L4_ZERO : regs[2] % 300;
            regs[12] = regs[12] % 16 ? L4_ZERO : regs[12] % 300;
        }
        l4_syscall_regs(regs);
    }
}

KTEST(fuzz_syscalls, "fuzz.syscalls")
{
    uint32_t err = 0, last = 0, calls = 0, resets = 0, stalls = 0, stray = 0;
    struct l4_msg m = { { 0 } };
    struct l4_utcb *u = l4_utcb();
    l4_tid_t t, from;
    uint64_t t0 = l4_system_clock();

    pager_policy = PAGER_RECORD;
    u->br[0] = L4_NILPAGE;                      /* accept no mappings from the fuzzer */
    fuzz_self = L4_NILTHREAD;
    sandbox_slot = SLOT_FIRST_HELPER;
    t = spawn(SLOT_FIRST_HELPER, fuzzer, 1, 90, 0, 0, &err);
    CHECK(r, t, "spawn failed: %u", err);
    fuzz_self = sandboxed = t;                  /* the pager sandboxes this thread */
    /* within debugd's 30 s for a test, so that a slow machine reads as too few calls */
    while (calls < FUZZ_CALLS && elapsed_us(t0) < 25 * SECOND) {
        err = wait_from(t, &m, 20000, &from);
        calls = kernel_syscalls(t);
        if (!err) {
            uint32_t label = L4_TAG_LABEL(m.mr[0]);
            if (label == L4_LABEL_EXCEPTION || label == L4_LABEL_SYSCALL) {
                /* restart the loop: new pc and stack, user mode, the rest as it was */
                resets++;
                restore_pager(t);               /* it may have given itself another one */
                m.mr[0] = L4_TAG(0, L4_EXC_CPSR, 0);
                u->mr[L4_EXC_SP] = slot_stack(SLOT_FIRST_HELPER);
                u->mr[L4_EXC_LR] = 0;
                u->mr[L4_EXC_PC] = (uint32_t)fuzzer;
                u->mr[L4_EXC_CPSR] = 0x10;
            } else {
                stray++;                        /* its own IPC to us: answer, empty */
                m.mr[0] = L4_TAG(0, 0, 0);
            }
            l4_send(t, &m, L4_ZERO);
            continue;
        }
        if (calls == last) {                    /* blocked, halted or stopped: nudge it */
            stalls++;
            restore_pager(t);
            l4_exchange_registers(t, L4_XR_ABORT | L4_XR_RESUME, 0, 0, 0);
        }
        last = calls;
    }
    l4_exchange_registers(t, L4_XR_HALT, 0, 0, 0);
    r->value = calls;
    test_note(r, "%u calls, %u restarts after exceptions, %u stalls, %u stray messages",
              calls, resets, stalls, stray);
    CHECK(r, calls >= FUZZ_CALLS, "only %u calls in the time allowed", calls);
out:
    fuzz_self = sandboxed = L4_NILTHREAD;
    reap(t);
    pager_policy = PAGER_MAP;
}

/* ---- floating point ------------------------------------------------------------------------ */

/* Put `pattern` in d0 and d31, let the other thread run, and check both came back unchanged. */
static uint32_t vfp_round(uint32_t pattern)
{
    uint32_t lo0, hi0, lo31, hi31;

    __asm__ volatile(".fpu neon\n"
                     "vmov d0, %0, %1\n"
                     "vmov d31, %1, %0\n" :: "r"(pattern), "r"(~pattern) : "memory");
    l4_thread_switch(L4_NILTHREAD);
    __asm__ volatile(".fpu neon\n"
                     "vmov %0, %1, d0\n"
                     "vmov %2, %3, d31\n" : "=r"(lo0), "=r"(hi0), "=r"(lo31), "=r"(hi31));
    return lo0 == pattern && hi0 == ~pattern && lo31 == ~pattern && hi31 == pattern;
}

static void vfp_worker(void)
{
    uint32_t good = 0;

    for (uint32_t i = 0; i < 50; i++)
        good += vfp_round(0x5a5a0000u + i);
    seen[1] = good;
    seen[2] = 1;
    l4_exit();
}

KTEST(vfp_switch, "vfp.context_switch")
{
    uint32_t err = 0, good = 0;
    l4_tid_t t;

    reset_shared();
    t = spawn(SLOT_FIRST_HELPER, vfp_worker, 0, 100, 0, 0, &err);
    CHECK(r, t, "spawn failed: %u", err);
    for (uint32_t i = 0; i < 50; i++)
        good += vfp_round(0xa5a50000u + i);
    for (unsigned i = 0; i < 100 && !seen[2]; i++)
        l4_thread_switch(t);
    CHECK(r, good == 50, "our registers changed under us in %u of 50 rounds", 50 - good);
    CHECK(r, seen[2] && seen[1] == 50, "the other thread's changed in %u of 50 rounds", 50 - seen[1]);
out:
    reap(t);
}
