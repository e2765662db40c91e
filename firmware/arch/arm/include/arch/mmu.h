/* The kernel's address space set-up (ARMv7 short-descriptor tables). */
#pragma once

/* Map RAM, flash and devices 1:1 in 1 MiB sections and turn on the MMU and caches. */
void mmu_init(void);
/* Turn the MMU and caches off again (before handing the CPU back to the bootloader).
 * The code calling it must run from a 1:1 mapping. */
void mmu_disable(void);
