/* The kernel's event counters, for KDebug's STATS: together, so that a hot path forms one
 * address for all it counts. */
#pragma once

#include <stdint.h>

struct kernel_stats {
    uint32_t ipc, ipc_fast;             /* IPCs, and those the fast paths made */
    uint32_t exceptions, pagefaults;    /* exceptions (system calls of foreign threads included) */
    uint32_t stopped;                   /* threads stopped by an exception nobody handles */
};

extern struct kernel_stats kstats;
