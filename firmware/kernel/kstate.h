/*
 * The kernel state the IPC and exception fast paths touch, in one structure: ARM forms the
 * address of each global with two instructions, and one base register serves every field here.
 * (One processor; this is its state.)  Each field belongs to the module that names it.
 */
#pragma once

#include <stdint.h>

struct space;
struct thread;

/* trace.h: a slot of the ring, the protocol's five words (TraceEvent) padded to a power of two so
 * that a slot is one shift away from its index. */
#define TRACE_EVENT_WORDS   5u
struct trace_event {
    uint32_t cycles;
    uint32_t type;
    uint32_t a, b, c;
    uint32_t unused[3];
};

struct trace_state {
    struct trace_event *recording;          /* the ring while recording is on, else NULL (one
                                             * load tests it and finds the ring) */
    uint32_t head;                          /* index of the next event; only grows */
    struct trace_event *ring;               /* TRACE_SIZE events, from kernel memory */
};

/* Event counters, for KDebug's STATS. */
struct kernel_stats {
    uint32_t ipc_slow, ipc_fast;            /* IPCs the slow path made, and the fast paths (KDebug
                                             * reports their sum as all IPCs: one count fewer
                                             * on a fast path) */
    uint32_t exceptions, pagefaults;        /* exceptions (system calls of foreign threads too) */
    uint32_t stopped;                       /* threads stopped by an exception nobody handles */
};

/* arch/vfp.h: the lazy VFP switch's state. */
struct vfp_cpu {
    struct thread *owner;                   /* whose registers the unit holds, or NULL */
    uint32_t on;                            /* FPEXC.EN as last written */
};

struct kernel_state {
    struct thread *current;                 /* thread.h: running, or NULL while idle */
    struct thread *threads;                 /* thread.h: the table, MAX_THREADS TCBs */
    struct thread *woken;                   /* sched.h: see sched_wake */
    uint32_t ready_words;                   /* sched.h: bit w set when sched_ready_bitmap[w] != 0 */
    const struct space *active_space;       /* sched.h: whose table TTBR0 holds */
    struct trace_state trace;               /* trace.h */
    struct kernel_stats stats;
    struct vfp_cpu vfp;                     /* arch/vfp.h */
};

extern struct kernel_state kernel;
