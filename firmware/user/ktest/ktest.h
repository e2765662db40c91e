/*
 * ktest's framework: helper threads and the pager's policy (the registry, results and the
 * serving of requests are testsrv.h's, shared with the other test servers).
 *
 * Helper threads run ktest's own code, in ktest's space or in a new one.  In a new space their
 * pager (ktest's pager thread) maps ktest's image pages at the same addresses, so they share
 * ktest's globals; faults elsewhere go by the pager's policy (see pager_policy).
 */
#pragma once

#include <stdint.h>

#include "testsrv.h"

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
    PAGER_BOGUS = 2,        /* answer with a mapping of a page it does not hold */
};
#define BOGUS_PAGE      0x3f000000u /* nothing of ktest's is mapped here */
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
