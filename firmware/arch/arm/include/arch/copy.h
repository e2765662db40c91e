/*
 * Word copies of a size known at compile time, as load/store-multiple instructions four words at
 * a time: the IPC paths move registers between a trap frame, another thread's frame and a UTCB
 * with them.  The compiler would call memcpy for these, or copy a word per load and store.
 */
#pragma once

#include <stdint.h>

static inline __attribute__((always_inline)) void copy_words(uint32_t *dst, const uint32_t *src, unsigned n)
{
    for (; n >= 4; n -= 4)
        __asm__ volatile("ldmia %0!, {r0-r3}\n\tstmia %1!, {r0-r3}"
                         : "+r"(src), "+r"(dst) :: "r0", "r1", "r2", "r3", "memory");
    if (n == 3)
        __asm__ volatile("ldmia %0, {r0-r2}\n\tstmia %1, {r0-r2}"
                         :: "r"(src), "r"(dst) : "r0", "r1", "r2", "memory");
    else if (n == 2)
        __asm__ volatile("ldmia %0, {r0-r1}\n\tstmia %1, {r0-r1}"
                         :: "r"(src), "r"(dst) : "r0", "r1", "memory");
    else if (n == 1)
        *dst = *src;
}
