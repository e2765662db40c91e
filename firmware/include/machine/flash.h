/*
 * NOR flash programming, as generic code sees it.  Addresses are physical bus addresses inside
 * a flash bank; reading is plain memory access once a bank is back in read-array mode, which
 * every function here leaves it in.  Returns 0 or a negative error.
 */
#pragma once

#include <stdint.h>

#define FLASH_ERR_TIMEOUT   (-1)
#define FLASH_ERR_ERASE     (-2)
#define FLASH_ERR_PROGRAM   (-3)
#define FLASH_ERR_LOCKED    (-4)

/* Make the flash readable as memory at its addresses: nothing to do for NOR flash; an SD card's
 * slot area is read into its RAM image (drivers/bcm2835_sdhci.c).  The bootloader calls it once,
 * first. */
int flash_init(void);
/* Erase the block containing `addr`. */
int flash_erase_block(uint32_t addr);
/* Program `words` 32-bit words at `addr` (word-aligned). Bits can only go from 1 to 0. */
int flash_program(uint32_t addr, const uint32_t *data, uint32_t words);
