/*
 * ktest's framework: the test and benchmark registry, results, and helper threads.
 *
 * A test is a function that fills a struct result; KTEST() registers it in the `ktests` section,
 * so the host lists tests from the running firmware (TESTS) or from the ELF.  A benchmark
 * fills raw samples in cycles; the framework discards warm-up runs and subtracts the measured
 * cost of an empty measurement.
 *
 * Helper threads run ktest's own code, in ktest's space or in a new one.  In a new space their
 * pager (ktest's pager thread) maps ktest's image pages at the same addresses, so they share
 * ktest's globals; faults elsewhere go by the pager's policy (see pager_policy).
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

void test_fail(struct result *r, int line, const char *format, ...);
void test_note(struct result *r, const char *format, ...);

/* ---- helper threads --------------------------------------------------------------------- */

#define HELPER_SLOTS    24          /* thread numbers after ktest's own */
#define SLOT_PAGER      0
#define SLOT_IRQ_COUNT  1
#define SLOT_PROBE      2
#define SLOT_FIRST_HELPER 3

extern l4_tid_t ktest_main, ktest_pager;

/* Start `fn` in thread slot `slot` (a fresh ID each time), in a new space or in ours, with
 * `prio`, flags (L4_TC_*) and exception handler `exc` (nil: ktest's main thread).
 * Returns the thread ID, or nil (and *err) on failure. */
l4_tid_t spawn(unsigned slot, void (*fn)(void), int new_space, uint32_t prio, uint32_t flags,
               l4_tid_t exc, uint32_t *err);
/* Delete a helper (and its space if it was alone there). */
void reap(l4_tid_t t);
/* The stack top of slot `slot` (each slot has its own page). */
uint32_t slot_stack(unsigned slot);

/* ---- the pager's policy ----------------------------------------------------------------- */

/* Anonymous pages: ANON_PAGES frames from sigma0, which the pager maps at ANON_BASE + i pages
 * when pager_policy allows it, and which tests may also map by IPC. */
#define ANON_BASE       0x30000000u
#define ANON_PAGES      16u
extern uint32_t anon_phys[ANON_PAGES];      /* each mapped 1:1 in ktest's own space */

enum pager_mode {
    PAGER_MAP = 0,          /* map anonymous pages on demand */
    PAGER_RECORD = 1,       /* record the fault and refuse it (STOP) */
};
extern volatile uint32_t pager_policy;
/* Faults the pager refused, newest last. */
struct fault_record {
    l4_tid_t thread;
    uint32_t addr, rwx;
};
#define MAX_FAULTS 16
extern volatile struct fault_record faults[MAX_FAULTS];
extern volatile uint32_t fault_count;

/* A thread the pager gives ktest's pages read-only, its stack (slot) excepted. */
extern volatile l4_tid_t sandboxed;
extern volatile uint32_t sandbox_slot;

/* Wait for one message from `from` with `timeout_us`; returns the error (0 on success). */
uint32_t wait_from(l4_tid_t from, struct l4_msg *m, uint32_t timeout_us, l4_tid_t *got);
