/*
 * An image's header, as every bootloader checks it before writing or booting the image: in a
 * flash slot (slot.h) or loaded straight into RAM.
 */
#pragma once

#include <stdint.h>

#include "lib/proto.h"

/* NULL when `h` describes an image of at most `max_length` payload bytes that this board can
 * boot, else why not.  The header CRC is checked too. */
const char *image_header_problem(const struct image_header *h, uint32_t max_length);
