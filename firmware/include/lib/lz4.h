/*
 * LZ4's block format, decoded: the bootloader takes image chunks compressed by the host (a
 * FLASH_DATA_LZ4 message), so fewer bytes cross the serial line.  Plain C with no library calls,
 * so the same file builds for the target and for the host tests, which hold it against the
 * reference encoder.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Decode one raw LZ4 block (no frame, no size prefix): `n` bytes at `src` into at most `cap`
 * bytes at `dst`.  Returns the number of bytes written, or -1 for a block that is malformed or
 * would not fit; nothing is read or written outside the two buffers either way. */
long lz4_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);

/* The same, for a block compressed with a dictionary: the `dict_len` bytes at `dict` are the
 * ones just before `dst` (they need not lie there), and matches may reach back into them.
 * The dictionary is only read. */
long lz4_decode_dict(const uint8_t *src, size_t n, const uint8_t *dict, size_t dict_len,
                     uint8_t *dst, size_t cap);
