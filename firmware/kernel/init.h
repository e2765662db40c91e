/* Kernel initialisation (see init.c). */
#pragma once

#include <stdint.h>

#include "l4/abi.h"

/* Set up kernel memory, the KIP, sigma0 and the root task.  NULL, or why the kernel cannot
 * run. */
const char *kernel_init(void);

extern struct l4_kip *kip;
extern struct boot_info boot_info;
extern uint32_t sigma0_free_base, sigma0_free_end, sigma0_module_base, sigma0_module_end;
