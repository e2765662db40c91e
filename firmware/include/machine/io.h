/*
 * Device register addresses.  The bootloader runs with the MMU off and uses physical
 * addresses; the kernel maps the board's device window at KERNEL_DEVICE_VIRT.
 */
#pragma once

#include <stdint.h>

#include "board.h"

#ifdef KERNEL
#define IO_ADDR(pa)     ((uintptr_t)(pa) - BOARD_DEVICE_BASE + KERNEL_DEVICE_VIRT)
#else
#define IO_ADDR(pa)     ((uintptr_t)(pa))
#endif
