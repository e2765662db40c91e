/*
 * The on-target test server's framework, shared by every module that serves tests to debugd
 * (ktest, the modem): the test and benchmark registry, results, and the requests of
 * ktest_if.h answered from a module's table.
 *
 * A test is a function that fills a struct result; KTEST() registers it in the module's
 * `ktests` section, so the host lists tests from the running firmware (TESTS) or from the ELF.
 * A benchmark fills raw samples in cycles; the framework discards warm-up runs and subtracts
 * the measured cost of an empty measurement.
 */
#pragma once

#include <stdint.h>

#include "generated/proto.h"
#include "ktest_if.h"
#include "l4.h"
#include "lib/string.h"

struct result {
    uint32_t status;            /* PROTO_TEST_* */
    uint32_t value;
    char *text;                 /* in the shared window */
};

typedef void (*test_fn)(struct result *r);
/* Fill `n` samples of one measurement each, in cycles, overhead included. */
typedef uint32_t (*bench_fn)(uint32_t *samples, uint32_t n);

struct ktest_entry {
    const char *name;
    test_fn test;
    bench_fn bench;
};

#define KTEST(fn, test_name)                                                           \
    static void fn(struct result *r);                                                  \
    static const struct ktest_entry ktest_entry_##fn                                   \
        __attribute__((used, section("ktests"), aligned(4))) = { test_name, fn, 0 };    \
    static void fn(struct result *r)

#define KBENCH(fn, bench_name)                                                         \
    static uint32_t fn(uint32_t *samples, uint32_t n);                                 \
    static const struct ktest_entry ktest_entry_##fn                                   \
        __attribute__((used, section("ktests"), aligned(4))) = { bench_name, 0, fn };   \
    static uint32_t fn(uint32_t *samples, uint32_t n)

/* Record a failure (the first one wins) and leave the test. */
#define CHECK(r, cond, ...)                                                            \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            test_fail(r, __LINE__, __VA_ARGS__);                                       \
            goto out;                                                                  \
        }                                                                              \
    } while (0)

/* The cost of measuring nothing: the least of many back-to-back cycle-counter reads.  The
 * framework takes it off every sample; a benchmark that subtracts more (a stub's cost) uses it
 * to leave exactly this much in. */
uint32_t testsrv_counter_overhead(void);

void test_fail(struct result *r, int line, const char *format, ...);
void test_note(struct result *r, const char *format, ...);

/* Answer debugd's KTEST_LIST, KTEST_RUN and KTEST_BENCH from this module's table, with the
 * names, texts and samples in `window` (KTEST_SHARED_SIZE bytes).  `reply` is the answer's
 * message (MR1.. as ktest_if.h says).  Returns 0, or -1 for a label it does not serve. */
int testsrv_serve(uint32_t label, uint32_t arg, uint8_t *window, struct l4_msg *reply);
