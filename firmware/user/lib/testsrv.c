/* The test server's framework (see testsrv.h): results, and the table's requests. */
#include <stdarg.h>

#include "testsrv.h"

extern const struct ktest_entry __ktests_start[], __ktests_end[];

/* Texts are at most this long in the window. */
#define TEXT_MAX 512

void test_fail(struct result *r, int line, const char *format, ...)
{
    va_list ap;
    size_t n;

    if (r->status != PROTO_TEST_PASS)
        return;
    r->status = PROTO_TEST_FAIL;
    n = strnlen(r->text, 256);                  /* after any notes already made */
    n += fmt(r->text + n, TEXT_MAX - n, "%sline %d: ", n ? "; " : "", line);
    va_start(ap, format);
    /* fmt() has no va_list form: format the common cases (up to four word arguments) */
    uint32_t a = va_arg(ap, uint32_t), b = va_arg(ap, uint32_t);
    uint32_t c = va_arg(ap, uint32_t), d = va_arg(ap, uint32_t);
    va_end(ap);
    fmt(r->text + n, TEXT_MAX - n, format, a, b, c, d);
}

void test_note(struct result *r, const char *format, ...)
{
    va_list ap;
    size_t n = strnlen(r->text, TEXT_MAX);

    va_start(ap, format);
    uint32_t a = va_arg(ap, uint32_t), b = va_arg(ap, uint32_t);
    uint32_t c = va_arg(ap, uint32_t), d = va_arg(ap, uint32_t);
    va_end(ap);
    if (n < TEXT_MAX - 12)
        fmt(r->text + n, TEXT_MAX - n, format, a, b, c, d);
}

/* The test (bench 0) or benchmark (bench 1) named `name`: the two are listed apart, so a test
 * and a benchmark may share a name. */
static const struct ktest_entry *find(const char *name, int bench)
{
    size_t len = strnlen(name, 64);

    for (const struct ktest_entry *e = __ktests_start; e < __ktests_end; e++)
        if (!e->bench == !bench && strnlen(e->name, 64) == len && memcmp(e->name, name, len) == 0)
            return e;
    return NULL;
}

static void do_list(uint8_t *window, uint32_t start, struct l4_msg *reply)
{
    uint32_t count = (uint32_t)(__ktests_end - __ktests_start), n = 0, i;

    /* each entry is "test:NAME" or "bench:NAME", NUL-terminated */
    for (i = start; i < count; i++) {
        const char *kind = __ktests_start[i].test ? "test:" : "bench:";
        size_t klen = strnlen(kind, 8), len = strnlen(__ktests_start[i].name, 64);
        if (n + klen + len + 1 > 2048)
            break;
        memcpy(window + n, kind, klen);
        memcpy(window + n + klen, __ktests_start[i].name, len);
        window[n + klen + len] = 0;
        n += klen + len + 1;
    }
    reply->mr[1] = i < count ? i : 0xffff;
    reply->mr[2] = n;
}

static void do_run(uint8_t *window, struct l4_msg *reply)
{
    char name[64];
    const struct ktest_entry *e;
    struct result r = { PROTO_TEST_PASS, 0, (char *)window };
    uint32_t c0;

    memcpy(name, window, sizeof name - 1);
    name[sizeof name - 1] = 0;
    window[0] = 0;
    e = find(name, 0);
    if (!e) {
        reply->mr[1] = PROTO_TEST_NO_SUCH_TEST;
        fmt((char *)window, 128, "no test named '%s'", name);
        return;
    }
    l4_utcb()->br[0] = L4_NILPAGE;
    c0 = l4_cycles();
    e->test(&r);
    reply->mr[3] = l4_cycles() - c0;
    reply->mr[1] = r.status;
    reply->mr[2] = r.value;
}

/* Warm-up runs the benchmark discards before it keeps samples. */
#define WARMUP 16u

uint32_t testsrv_counter_overhead(void)
{
    uint32_t overhead = ~0u;

    for (unsigned i = 0; i < 64; i++) {
        uint32_t c0 = l4_cycles(), c1 = l4_cycles();
        if (c1 - c0 < overhead)
            overhead = c1 - c0;
    }
    return overhead;
}

static void do_bench(uint8_t *window, uint32_t arg, struct l4_msg *reply)
{
    uint32_t iterations = arg & 0xffff, flags = arg >> 16;
    char name[64];
    const struct ktest_entry *e;
    uint32_t *samples = (uint32_t *)window, overhead, status, trace_was_on;

    memcpy(name, window, sizeof name - 1);
    name[sizeof name - 1] = 0;
    e = find(name, 1);
    reply->mr[3] = 0;
    if (!e) {
        reply->mr[1] = PROTO_TEST_NO_SUCH_TEST;
        return;
    }
    if (iterations == 0 || iterations > KTEST_MAX_SAMPLES)
        iterations = KTEST_MAX_SAMPLES;
    overhead = testsrv_counter_overhead();
    /* the kernel as it ships records every event; asked to, the recorder stays off meanwhile */
    uint32_t regs[13] = { L4_KD_TRACE_CONTROL, 0 };
    regs[7] = L4_SYS_KDEBUG;
    l4_syscall_regs(regs);
    trace_was_on = regs[2];
    l4_kdebug(L4_KD_TRACE_CONTROL, trace_was_on && !(flags & PROTO_BENCH_FLAG_RECORDER_OFF), 0, NULL);
    status = e->bench(samples, WARMUP);
    if (status == PROTO_TEST_PASS) {
        /* Start at a tick: the phase of the scheduler's tick would otherwise depend on how long
         * the host took between two requests, and a deterministic run could differ from the
         * last in the sample a tick lands in. */
        struct l4_msg nothing = { { 0 } };
        uint32_t err;
        l4_receive(l4_myself(), &nothing, 1, &err);         /* nobody sends us that */
        status = e->bench(samples, iterations);
    }
    l4_kdebug(L4_KD_TRACE_CONTROL, trace_was_on, 0, NULL);
    /* A sample below the cost of measuring nothing is a broken measurement, never a fast one:
     * the benchmark fails, and its samples go back as measured, overhead not taken off. */
    uint32_t below = 0;
    for (uint32_t i = 0; i < iterations; i++)
        below += samples[i] < overhead;
    if (below && status == PROTO_TEST_PASS)
        status = PROTO_TEST_FAIL;
    for (uint32_t i = 0; i < iterations && !below; i++)
        samples[i] -= overhead;
    reply->mr[1] = status;
    reply->mr[2] = overhead;
    reply->mr[3] = status == PROTO_TEST_PASS || below ? iterations : 0;
}

int testsrv_serve(uint32_t label, uint32_t arg, uint8_t *window, struct l4_msg *reply)
{
    switch (label) {
    case KTEST_CONNECT:
        reply->mr[0] = L4_TAG(0, 0, 2);
        reply->mr[1] = (uint32_t)window | L4_ITEM_MAP;
        reply->mr[2] = L4_FPAGE((uint32_t)window, KTEST_SHARED_LOG2, L4_READ | L4_WRITE);
        return 0;
    case KTEST_LIST:
        do_list(window, arg, reply);
        return 0;
    case KTEST_RUN:
        do_run(window, reply);
        return 0;
    case KTEST_BENCH:
        do_bench(window, arg, reply);
        return 0;
    default:
        return -1;
    }
}
