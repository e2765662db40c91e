/* The kernel trace ring (see trace.h). */
#include "arch/cpu.h"
#include "kmem.h"
#include "trace.h"

struct trace_state trace;

void trace_init(void)
{
    trace.ring = kmem_alloc_boot(TRACE_SIZE * sizeof *trace.ring);
    trace.enabled = trace.ring != NULL;
}
