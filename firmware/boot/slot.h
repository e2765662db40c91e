/*
 * Image slots in the application flash bank.  A slot is valid when its header checks out (magic,
 * format, size, header CRC, this board, sane addresses) and its payload matches the header's
 * CRC.  The header is programmed last, so a slot whose programming was cut short is invalid.
 */
#pragma once

#include <stdint.h>

#include "lib/proto.h"

#define SLOT_NONE   (-1)

uint32_t slot_base(unsigned slot);

/* NULL when `h` describes an image this board can boot, else why not. The header CRC is
 * checked too. */
const char *slot_header_problem(const struct image_header *h);

/* Copy slot `slot`'s header to `out` and return NULL when the slot is valid, else why not. */
const char *slot_check(unsigned slot, struct image_header *out);

/* The valid slot with the highest sequence number (other than `except`), or SLOT_NONE. */
int slot_newest(int except, struct image_header *out);

/* Test-then-confirm (protocol/wire.py, IMAGE_TRIAL_OFFSET): a valid slot's image is NEW,
 * on TRIAL (booted once, not confirmed) or CONFIRMED. */
unsigned slot_state(unsigned slot);
/* The confirmed valid slot with the highest sequence number, or SLOT_NONE. */
int slot_confirmed(struct image_header *out);
/* Mark slot `slot` as tried (before booting a NEW image): 0, or -1 when the flash failed. */
int slot_mark_trial(unsigned slot);
