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

#define TRACE_SIZE  1024u                   /* events; a power of two */

enum trace_type {
    TR_IPC = 1,         /* a: sender, b: receiver, c: tag */
    TR_SWITCH = 2,      /* a: from (0: idle), b: to */
    TR_IRQ = 3,         /* a: line */
    TR_FAULT = 4,       /* a: thread, b: address, c: kind */
    TR_IRQ_IPC = 5,     /* a: interrupt ID, b: handler */
};

struct trace_event {
    uint32_t cycles;
    uint32_t type;
    uint32_t a, b, c;
};

extern struct trace_event *trace_ring;     /* TRACE_SIZE events, from kernel memory */
extern uint32_t trace_head;                 /* index of the next event; only grows */
extern uint32_t trace_enabled;

/* Inline: it sits on the IPC fast path. */
static inline void trace_record(uint32_t type, uint32_t a, uint32_t b, uint32_t c)
{
    struct trace_event *e = &trace_ring[trace_head++ & (TRACE_SIZE - 1)];

    e->cycles = cycles_now();
    e->type = type;
    e->a = a;
    e->b = b;
    e->c = c;
}
/* Allocate the ring (recording stays off without it). */
void trace_init(void);

#ifdef CONFIG_TRACE
#define TRACE(type, a, b, c) do { if (trace_enabled) trace_record(type, a, b, c); } while (0)
#else
#define TRACE(type, a, b, c) do { } while (0)
#endif

#define TRACE_IPC(s, r, tag)    TRACE(TR_IPC, (s)->id, (r)->id, (tag))
#define TRACE_SWITCH(from, to)  TRACE(TR_SWITCH, (from) ? (from)->id : 0, (to)->id, 0)
#define TRACE_IRQ(line)         TRACE(TR_IRQ, (line), 0, 0)
#define TRACE_FAULT(t, addr, k) TRACE(TR_FAULT, (t)->id, (addr), (k))
#define TRACE_IPC_IRQ(line, h)  TRACE(TR_IRQ_IPC, L4_IRQ_TID(line), (h)->id, 0)
