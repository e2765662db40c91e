/*
 * ktest: the on-target test and benchmark server.  debugd forwards the host's TESTS, RUN_TEST,
 * BENCH and SYSCALL requests here (ktest_if.h); ktest runs them with helper threads of its own
 * and answers through the shared window.  Its pager thread serves the faults of every helper.
 */
#include <stdarg.h>

#include "ktest.h"

extern const struct ktest_entry __ktests_start[], __ktests_end[];

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

/* ---- results ---------------------------------------------------------------------------- */

void test_fail(struct result *r, int line, const char *format, ...)
{
    va_list ap;
    size_t n;

    if (r->status != PROTO_TEST_PASS)
        return;
    r->status = PROTO_TEST_FAIL;
    n = strnlen(r->text, 256);                  /* after any notes already made */
    n += fmt(r->text + n, 512 - n, "%sline %d: ", n ? "; " : "", line);
    va_start(ap, format);
    /* fmt() has no va_list form: format the common cases (up to four word arguments) */
    uint32_t a = va_arg(ap, uint32_t), b = va_arg(ap, uint32_t);
    uint32_t c = va_arg(ap, uint32_t), d = va_arg(ap, uint32_t);
    va_end(ap);
    fmt(r->text + n, 512 - n, format, a, b, c, d);
}

void test_note(struct result *r, const char *format, ...)
{
    va_list ap;
    size_t n = strnlen(r->text, 512);

    va_start(ap, format);
    uint32_t a = va_arg(ap, uint32_t), b = va_arg(ap, uint32_t);
    uint32_t c = va_arg(ap, uint32_t), d = va_arg(ap, uint32_t);
    va_end(ap);
    if (n < 500)
        fmt(r->text + n, 512 - n, format, a, b, c, d);
}

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
        } else if (page >= ANON_BASE && anon < ANON_PAGES && pager_policy == PAGER_MAP) {
            m.mr[0] = L4_TAG(0, 0, 2);
            m.mr[1] = page | L4_ITEM_MAP;
            m.mr[2] = L4_FPAGE(anon_phys[anon], 12, L4_RWX);
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

static const struct ktest_entry *find(const char *name)
{
    for (const struct ktest_entry *e = __ktests_start; e < __ktests_end; e++)
        if (strnlen(e->name, 64) == strnlen(name, 64) && memcmp(e->name, name, strnlen(name, 64)) == 0)
            return e;
    return NULL;
}

static void do_list(uint32_t start, struct l4_msg *reply)
{
    uint32_t count = (uint32_t)(__ktests_end - __ktests_start), n = 0, i;

    /* each entry is "test:NAME" or "bench:NAME", NUL-terminated */
    for (i = start; i < count; i++) {
        const char *kind = __ktests_start[i].test ? "test:" : "bench:";
        size_t klen = strnlen(kind, 8), len = strnlen(__ktests_start[i].name, 64);
        if (n + klen + len + 1 > 2048)
            break;
        memcpy(shared + n, kind, klen);
        memcpy(shared + n + klen, __ktests_start[i].name, len);
        shared[n + klen + len] = 0;
        n += klen + len + 1;
    }
    reply->mr[1] = i < count ? i : 0xffff;
    reply->mr[2] = n;
}

static void do_run(struct l4_msg *reply)
{
    char name[64];
    const struct ktest_entry *e;
    struct result r = { PROTO_TEST_PASS, 0, (char *)shared };
    uint32_t c0;

    memcpy(name, shared, sizeof name - 1);
    name[sizeof name - 1] = 0;
    shared[0] = 0;
    e = find(name);
    if (!e || !e->test) {
        reply->mr[1] = PROTO_TEST_NO_SUCH_TEST;
        fmt((char *)shared, 128, "no test named '%s'", name);
        return;
    }
    fault_count = 0;
    pager_policy = PAGER_MAP;
    l4_utcb()->br[0] = L4_NILPAGE;
    c0 = l4_cycles();
    e->test(&r);
    reply->mr[3] = l4_cycles() - c0;
    reply->mr[1] = r.status;
    reply->mr[2] = r.value;
    pager_policy = PAGER_MAP;
}

/* Warm-up runs the benchmark discards before it keeps samples. */
#define WARMUP 16u

static void do_bench(uint32_t iterations, struct l4_msg *reply)
{
    char name[64];
    const struct ktest_entry *e;
    uint32_t *samples = (uint32_t *)shared, overhead = ~0u, status, trace_was_on;

    memcpy(name, shared, sizeof name - 1);
    name[sizeof name - 1] = 0;
    e = find(name);
    reply->mr[3] = 0;
    if (!e || !e->bench) {
        reply->mr[1] = PROTO_TEST_NO_SUCH_TEST;
        return;
    }
    if (iterations == 0 || iterations > KTEST_MAX_SAMPLES)
        iterations = KTEST_MAX_SAMPLES;
    /* The cost of measuring nothing: the least of many back-to-back counter reads. */
    for (unsigned i = 0; i < 64; i++) {
        uint32_t c0 = l4_cycles(), c1 = l4_cycles();
        if (c1 - c0 < overhead)
            overhead = c1 - c0;
    }
    /* the trace stays compiled in but records nothing while we measure */
    uint32_t regs[13] = { L4_KD_TRACE_CONTROL, 0 };
    regs[7] = L4_SYS_KDEBUG;
    l4_syscall_regs(regs);
    trace_was_on = regs[2];
    status = e->bench(samples, WARMUP);
    if (status == PROTO_TEST_PASS)
        status = e->bench(samples, iterations);
    l4_kdebug(L4_KD_TRACE_CONTROL, trace_was_on, 0, NULL);
    for (uint32_t i = 0; i < iterations; i++)
        samples[i] = samples[i] > overhead ? samples[i] - overhead : 0;
    reply->mr[1] = status;
    reply->mr[2] = overhead;
    reply->mr[3] = status == PROTO_TEST_PASS ? iterations : 0;
}

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
        switch (label) {
        case KTEST_CONNECT:
            reply.mr[0] = L4_TAG(0, 0, 2);
            reply.mr[1] = (uint32_t)shared | L4_ITEM_MAP;
            reply.mr[2] = L4_FPAGE((uint32_t)shared, KTEST_SHARED_LOG2, L4_READ | L4_WRITE);
            break;
        case KTEST_LIST:
            do_list(arg, &reply);
            break;
        case KTEST_RUN:
            do_run(&reply);
            break;
        case KTEST_BENCH:
            do_bench(arg, &reply);
            break;
        case KTEST_SYSCALL:
            do_syscall(&reply);
            break;
        default:
            /* a stray message (a helper's late exception, say): ignore it */
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        l4_utcb()->br[0] = L4_NILPAGE;
        from = l4_reply_wait(from, &reply, &err);
        m = reply;
    }
}
