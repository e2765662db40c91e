/*
 * The kernel trace: a ring of recent events (IPC, context switch, interrupt, fault) stamped with
 * the cycle counter, which the debug agent reads through KDebug.  The ring never blocks the
 * kernel: the newest events overwrite the oldest, and a reader that falls behind learns how many
 * it lost from the event index.  The hooks compile to nothing without CONFIG_TRACE; with it,
 * recording can still be switched off at run time (one load and branch per hook).
 */
#pragma once

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

/* Inline: it sits on the IPC fast path. */
static inline __attribute__((always_inline)) void trace_record(uint32_t type, uint32_t a, uint32_t b, uint32_t c)
{
    struct trace_event *e = &kernel.trace.ring[kernel.trace.head++ & (TRACE_SIZE - 1)];

    _Static_assert(sizeof *e == 32, "a shift");
    e->cycles = cycles_now();
    e->type = type;
    e->a = a;
    e->b = b;
    e->c = c;
}
/* Allocate the ring (recording stays off without it). */
void trace_init(void);

#ifdef CONFIG_TRACE
#define TRACE(type, a, b, c) do { if (kernel.trace.enabled) trace_record(type, a, b, c); } while (0)
#else
#define TRACE(type, a, b, c) do { } while (0)
#endif

#define TRACE_IPC(s, r, tag)    TRACE(TR_IPC, (s)->id, (r)->id, (tag))
#define TRACE_IPC_SWITCH(s, r, tag) TRACE(TR_IPC_SWITCH, (s)->id, (r)->id, (tag))
#define TRACE_SWITCH(from, to)  TRACE(TR_SWITCH, (from) ? (from)->id : 0, (to)->id, 0)
#define TRACE_IRQ(line)         TRACE(TR_IRQ, (line), 0, 0)
#define TRACE_FAULT(t, addr, k) TRACE(TR_FAULT, (t)->id, (addr), (k))
#define TRACE_IPC_IRQ(line, h)  TRACE(TR_IRQ_IPC, L4_IRQ_TID(line), (h)->id, 0)
