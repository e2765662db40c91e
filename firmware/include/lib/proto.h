/*
 * The debug-link codec: CRC-32, COBS and frame checking, shared by the bootloader, the kernel
 * and the host tests (which compile lib/proto.c for the host and hold it against the Python
 * codec).  It touches no hardware and allocates nothing: callers own every buffer.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "generated/proto.h"

/* A frame whose framing checked out.  `payload` points into the caller's frame buffer. */
struct proto_msg {
    uint8_t type;
    uint16_t seq;
    uint16_t length;
    const uint8_t *payload;
};

/* IEEE 802.3 CRC-32.  Start with crc32_update(0, ...) and chain calls over pieces. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

static inline uint32_t crc32(const void *data, size_t len)
{
    return crc32_update(0, data, len);
}

/* Stuff `len` bytes of `in` into `out` (room for len + len / 254 + 1), no delimiter.
 * Returns the stuffed length. */
size_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out);

/* Unstuff `len` bytes (delimiter excluded) into `out` (room for `len` bytes).
 * Returns the unstuffed length, or -1 when the input is not valid COBS. */
long cobs_decode(const uint8_t *in, size_t len, uint8_t *out);

/* Check an unstuffed frame: size, length field, CRC, version, and the payload length its type
 * requires.  Returns 0 and fills `msg`, or a PROTO_ERR_* code. */
int proto_split(const uint8_t *frame, size_t len, struct proto_msg *msg);

/* Build an unstuffed frame in `out` (room for PROTO_MAX_FRAME) whose payload is `head`
 * followed by `tail` (either may be empty).  Returns the frame length, or 0 when the payload
 * would exceed PROTO_MAX_PAYLOAD. */
size_t proto_build(uint8_t type, uint16_t seq, const void *head, size_t head_len,
                   const void *tail, size_t tail_len, uint8_t *out);
