/*
 * The kernel trace: a ring of recent events (IPC, context switch, interrupt, fault) stamped with
 * the cycle counter, which the debug agent reads through KDebug.  The ring never blocks the
 * kernel: the newest events overwrite the oldest, and a reader that falls behind learns how many
 * it lost from the event index.  The hooks compile to nothing without CONFIG_TRACE; with it,
 * recording can still be switched off at run time (one load and branch per hook).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "arch/cpu.h"
#include "generated/proto.h"
#include "kstate.h"

#define TRACE_SIZE  1024u                   /* events; a power of two */

/* The event types are the protocol's (protocol/wire.py, TraceType), which says what a, b and c
 * hold for each. */
enum trace_type {
    TR_IPC = PROTO_TRACE_IPC,
    TR_SWITCH = PROTO_TRACE_SWITCH,
    TR_IRQ = PROTO_TRACE_IRQ,
    TR_FAULT = PROTO_TRACE_FAULT,
    TR_IRQ_IPC = PROTO_TRACE_IRQ_IPC,
    TR_IPC_SWITCH = PROTO_TRACE_IPC_SWITCH,     /* one event where the fast path does both */
};

/* Inline: it sits on the IPC fast path.  The five words go out in one store-multiple, from five
 * registers in ascending order (the order of the event's fields); the cycle counter is read into
 * the first of them. */
static inline __attribute__((always_inline)) void trace_record(uint32_t type, uint32_t a, uint32_t b, uint32_t c)
{
    struct trace_event *e = &kernel.trace.recording[kernel.trace.head++ & (TRACE_SIZE - 1)];
    register uint32_t r_type __asm__("r1") = type;
    register uint32_t r_a __asm__("r2") = a;
    register uint32_t r_b __asm__("r3") = b;
    register uint32_t r_c __asm__("r12") = c;

    _Static_assert(sizeof *e == 32 && offsetof(struct trace_event, c) == 16, "a shift; the stm");
    __asm__ volatile("mrc p15, 0, r0, c9, c13, 0\n\t"     /* PMCCNTR: e->cycles */
                     "stmia %0, {r0, r1, r2, r3, r12}"
                     :: "r"(e), "r"(r_type), "r"(r_a), "r"(r_b), "r"(r_c) : "r0", "memory");
}
/* Allocate the ring (recording stays off without it). */
void trace_init(void);

#ifdef CONFIG_TRACE
#define TRACE(type, a, b, c) do { if (kernel.trace.recording) trace_record(type, a, b, c); } while (0)
#else
#define TRACE(type, a, b, c) do { } while (0)
#endif

#define TRACE_IPC(s, r, tag)    TRACE(TR_IPC, (s)->id, (r)->id, (tag))
#define TRACE_IPC_SWITCH(s, r, tag) TRACE(TR_IPC_SWITCH, (s)->id, (r)->id, (tag))
#define TRACE_SWITCH(from, to)  TRACE(TR_SWITCH, (from) ? (from)->id : 0, (to)->id, 0)
#define TRACE_IRQ(line)         TRACE(TR_IRQ, (line), 0, 0)
#define TRACE_FAULT(t, addr, k) TRACE(TR_FAULT, (t)->id, (addr), (k))
#define TRACE_IPC_IRQ(line, h)  TRACE(TR_IRQ_IPC, L4_IRQ_TID(line), (h)->id, 0)
