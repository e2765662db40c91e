/*
 * ktest: the on-target test and benchmark server.  debugd forwards the host's TESTS, RUN_TEST,
 * BENCH and SYSCALL requests here (ktest_if.h); ktest runs them with helper threads of its own
 * and answers through the shared window.  Its pager thread serves the faults of every helper.
 */
#include "ktest.h"

l4_tid_t ktest_main, ktest_pager;
uint32_t anon_phys[ANON_PAGES];
volatile uint32_t pager_policy;
volatile struct fault_record faults[MAX_FAULTS];
volatile uint32_t fault_count;
volatile l4_tid_t sandboxed;
volatile uint32_t sandbox_slot;

static uint8_t shared[KTEST_SHARED_SIZE] __attribute__((aligned(KTEST_SHARED_SIZE)));
static uint8_t stacks[HELPER_SLOTS][L4_PAGE_SIZE] __attribute__((aligned(L4_PAGE_SIZE)));
static uint16_t versions[HELPER_SLOTS];
extern const char __image_end[];

/* ---- helper threads --------------------------------------------------------------------- */

uint32_t slot_stack(unsigned slot)
{
    return (uint32_t)stacks[slot] + L4_PAGE_SIZE;
}

l4_tid_t spawn(unsigned slot, void (*fn)(void), int new_space, uint32_t prio, uint32_t flags,
               l4_tid_t exc, uint32_t *err)
{
    uint32_t number = L4_TID_NUMBER(ktest_main) + 1 + slot;
    l4_tid_t t;
    uint32_t e;

    versions[slot] = (uint16_t)((versions[slot] + 1) & 0x3fff);
    if (!versions[slot])
        versions[slot] = 1;
    t = L4_TID(number, versions[slot]);
    /* in a new space our pager thread serves its faults; in ours, our own pager (root) does */
    e = l4_thread_control(t, new_space ? t : ktest_main, ktest_main,
                          new_space ? ktest_pager : l4_utcb()->pager, exc ? exc : ktest_main, flags);
    if (!e)
        e = l4_schedule(t, prio, L4_TC_KEEP);
    if (!e)
        e = l4_start(t, slot_stack(slot), (uint32_t)fn);
    if (e) {
        if (err)
            *err = e;
        l4_thread_control(t, L4_NILTHREAD, 0, 0, 0, 0);
        return L4_NILTHREAD;
    }
    return t;
}

void reap(l4_tid_t t)
{
    if (t != L4_NILTHREAD)
        l4_thread_control(t, L4_NILTHREAD, 0, 0, 0, 0);
}

uint32_t wait_from(l4_tid_t from, struct l4_msg *m, uint32_t timeout_us, l4_tid_t *got)
{
    uint32_t err;
    l4_tid_t who = l4_receive(from, m, timeout_us, &err);

    if (got)
        *got = who;
    return err;
}

/* ---- the pager -------------------------------------------------------------------------- */

static int in_image(uint32_t addr)
{
    return addr >= 0x100000u && addr < (uint32_t)__image_end;
}

static void pager_loop(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);

    for (;;) {
        uint32_t label = L4_TAG_LABEL(m.mr[0]), addr = m.mr[1], page = addr & ~0xfffu;
        uint32_t anon = (page - ANON_BASE) / L4_PAGE_SIZE;

        if (err || (label & 0xfff0u) != L4_LABEL_PAGEFAULT) {
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        uint32_t rights = L4_RWX;
        if (from == sandboxed && page != slot_stack(sandbox_slot) - L4_PAGE_SIZE)
            rights = L4_READ | L4_EXEC;
        if (in_image(addr) && (rights & L4_WRITE || !(label & L4_WRITE))) {
            (void)*(volatile uint8_t *)page;    /* have it mapped here first */
            m.mr[0] = L4_TAG(0, 0, 2);
            m.mr[1] = page | L4_ITEM_MAP;
            m.mr[2] = L4_FPAGE(page, 12, rights);
        } else if (page >= ANON_BASE && anon < ANON_PAGES && pager_policy != PAGER_RECORD) {
            m.mr[0] = L4_TAG(0, 0, 2);
            m.mr[1] = page | L4_ITEM_MAP;
            m.mr[2] = L4_FPAGE(pager_policy == PAGER_BOGUS ? BOGUS_PAGE : anon_phys[anon], 12, L4_RWX);
        } else {
            uint32_t i = fault_count;
            if (i < MAX_FAULTS) {
                faults[i].thread = from;
                faults[i].addr = addr;
                faults[i].rwx = label & 7u;
                fault_count = i + 1;
            }
            m.mr[0] = L4_TAG(L4_LABEL_STOP, 0, 0);
        }
        from = l4_reply_wait(from, &m, &err);
    }
}

/* ---- the syscall probe ------------------------------------------------------------------ */

static volatile uint32_t probe_regs[13];
static volatile uint32_t probe_cycles;
static l4_tid_t probe;

/* Runs in its own space: wait for "go", make the call, report, repeat. */
static void probe_loop(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err, regs[13], c0, c1;

    for (;;) {
        m.mr[0] = 0;
        l4_receive(ktest_main, &m, L4_NEVER, &err);
        for (unsigned i = 0; i < 13; i++)
            regs[i] = probe_regs[i];
        c0 = l4_cycles();
        l4_syscall_regs(regs);
        c1 = l4_cycles();
        for (unsigned i = 0; i < 13; i++)
            probe_regs[i] = regs[i];
        probe_cycles = c1 - c0;
        m.mr[0] = L4_TAG(0, 0, 0);
        l4_send(ktest_main, &m, L4_NEVER);
    }
}

static void do_syscall(struct l4_msg *reply)
{
    const uint32_t *in = (const uint32_t *)shared;
    uint32_t timeout = in[13], err;
    struct l4_msg m = { { L4_TAG(0, 0, 0) } };
    l4_tid_t from;

    if (probe == L4_NILTHREAD) {
        probe = spawn(SLOT_PROBE, probe_loop, 1, 100, 0, 0, &err);
        if (probe != L4_NILTHREAD)
            l4_set_name(probe, "ktest-probe");
    }
    for (unsigned i = 0; i < 13; i++)
        probe_regs[i] = in[i];
    l4_utcb()->br[0] = L4_NILPAGE;
    from = l4_ipc(probe, probe, L4_NEVER, timeout ? timeout : L4_NEVER, &m, &err);
    reply->mr[1] = PROTO_SYSCALL_DONE;
    if (err) {
        reply->mr[1] = PROTO_SYSCALL_TIMEOUT;
        reap(probe);
        probe = L4_NILTHREAD;
        return;
    }
    if (from == probe && L4_TAG_LABEL(m.mr[0]) == 0) {
        for (unsigned i = 0; i < 13; i++)
            ((uint32_t *)shared)[i] = probe_regs[i];
        reply->mr[2] = probe_cycles;
        return;
    }
    /* an exception of the probe: its registers are in the message */
    reply->mr[1] = PROTO_SYSCALL_FAULTED;
    for (unsigned i = 0; i < 13; i++)
        ((uint32_t *)shared)[i] = i + 1 < L4_MR_IN_REGISTERS ? m.mr[i + 1] : l4_utcb()->mr[i + 1];
    reply->mr[2] = 0;
    reap(probe);
    probe = L4_NILTHREAD;
}

/* ---- requests --------------------------------------------------------------------------- */

static void setup(void)
{
    uint32_t err;

    ktest_main = l4_myself();
    memset(shared, 0, sizeof shared);           /* fault the window in: it is mapped from here */
    ktest_pager = L4_TID(L4_TID_NUMBER(ktest_main) + 1 + SLOT_PAGER, 1);
    versions[SLOT_PAGER] = 0;
    for (unsigned i = 0; i < ANON_PAGES; i++) {
        struct l4_msg m = { { L4_TAG(SIGMA0_LABEL_REQUEST, 1, 0), L4_FPAGE(SIGMA0_ANY_PAGE, 12, L4_RWX) } };
        l4_utcb()->br[0] = L4_COMPLETE;
        l4_ipc(l4_kip()->sigma0, l4_kip()->sigma0, L4_NEVER, L4_NEVER, &m, &err);
        anon_phys[i] = err || !L4_TAG_TYPED(m.mr[0]) ? 0 : L4_FPAGE_BASE(m.mr[2]);
    }
    l4_utcb()->br[0] = L4_NILPAGE;
    ktest_pager = spawn(SLOT_PAGER, pager_loop, 0, 220, 0, 0, &err);
    l4_set_name(ktest_pager, "ktest-pager");
}

int main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from;

    setup();
    from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    for (;;) {
        uint32_t label = L4_TAG_LABEL(m.mr[0]), arg = m.mr[1];
        struct l4_msg reply = { { L4_TAG(0, 3, 0) } };

        if (err) {
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        /* every test starts with the pager mapping on demand and no faults recorded */
        fault_count = 0;
        pager_policy = PAGER_MAP;
        if (label == KTEST_SYSCALL) {
            do_syscall(&reply);
        } else if (testsrv_serve(label, arg, shared, &reply)) {
            /* a stray message (a helper's late exception, say): ignore it */
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        pager_policy = PAGER_MAP;
        l4_utcb()->br[0] = L4_NILPAGE;
        from = l4_reply_wait(from, &reply, &err);
        m = reply;
    }
}
