/* The kernel trace ring (see trace.h). */
#include "arch/cpu.h"
#include "kmem.h"
#include "trace.h"


void trace_init(void)
{
    kernel.trace.ring = kmem_alloc_boot(TRACE_SIZE * sizeof *kernel.trace.ring);
    kernel.trace.recording = kernel.trace.ring;
}
