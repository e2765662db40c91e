/* The kernel trace ring (see trace.h). */
#include "arch/cpu.h"
#include "kmem.h"
#include "trace.h"

struct trace_event *trace_ring;
uint32_t trace_head;
uint32_t trace_enabled;

void trace_init(void)
{
    trace_ring = kmem_alloc_boot(TRACE_SIZE * sizeof *trace_ring);
    trace_enabled = trace_ring != NULL;
}
