/*
 * The debug-link codec (see include/lib/proto.h).  Plain C with no library calls, so the same
 * file builds for the target and for the host tests.
 */
#include "lib/proto.h"

uint32_t crc32_update(uint32_t crc, const void *data, size_t len)
{
    /* Reflected polynomial 0x04C11DB7, four bits at a time: a 16-entry table keeps the
     * bootloader small and is still fast enough to check a multi-megabyte image. */
    static const uint32_t nibble[16] = {
        0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
        0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
        0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
    };
    const uint8_t *p = data;

    crc = ~crc;
    while (len--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ nibble[crc & 0xf];
        crc = (crc >> 4) ^ nibble[crc & 0xf];
    }
    return ~crc;
}

size_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t code_at = 0;   /* where the current block's code byte goes */
    size_t o = 1;
    uint8_t code = 1;

    for (size_t i = 0; i < len; i++) {
        if (in[i] == 0) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
            continue;
        }
        out[o++] = in[i];
        if (++code == 0xff) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
        }
    }
    out[code_at] = code;
    return o;
}

long cobs_decode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t i = 0, o = 0;

    while (i < len) {
        uint8_t code = in[i];
        if (code == 0)
            return -1;
        if (i + code > len)
            return -1;                  /* block runs past the end */
        for (size_t k = 1; k < code; k++) {
            if (in[i + k] == 0)
                return -1;
            out[o++] = in[i + k];
        }
        i += code;
        if (code != 0xff && i < len)
            out[o++] = 0;
    }
    return (long)o;
}

/* The fixed payload size of a message type, and whether a longer payload is allowed.
 * Unknown types pass framing with any length; the dispatcher refuses them. */
static void payload_size(uint8_t type, uint16_t *fixed, int *greedy)
{
    switch (type) {
#define X(name, value, size, more) case value: *fixed = size; *greedy = more; return;
    PROTO_MSG_TYPES(X)
#undef X
    default:
        *fixed = 0;
        *greedy = 1;
    }
}

int proto_split(const uint8_t *frame, size_t len, struct proto_msg *msg)
{
    const struct proto_frame_header *h = (const void *)frame;
    uint16_t fixed;
    int greedy;

    if (len < PROTO_FRAME_OVERHEAD)
        return PROTO_ERR_BAD_FRAME;
    if (h->length != len - PROTO_FRAME_OVERHEAD)
        return PROTO_ERR_BAD_FRAME;
    if (h->length > PROTO_MAX_PAYLOAD)
        return PROTO_ERR_BAD_FRAME;

    const uint8_t *tail = frame + len - PROTO_FRAME_CRC_SIZE;
    uint32_t sent = tail[0] | tail[1] << 8 | tail[2] << 16 | (uint32_t)tail[3] << 24;
    if (crc32(frame, len - PROTO_FRAME_CRC_SIZE) != sent)
        return PROTO_ERR_BAD_FRAME;
    if (h->version != PROTO_VERSION)
        return PROTO_ERR_BAD_VERSION;

    payload_size(h->type, &fixed, &greedy);
    if (h->length < fixed || (h->length > fixed && !greedy))
        return PROTO_ERR_BAD_LENGTH;

    msg->type = h->type;
    msg->seq = h->seq;
    msg->length = h->length;
    msg->payload = frame + PROTO_FRAME_HEADER_SIZE;
    return 0;
}

size_t proto_build(uint8_t type, uint16_t seq, const void *head, size_t head_len,
                   const void *tail, size_t tail_len, uint8_t *out)
{
    struct proto_frame_header *h = (void *)out;
    uint8_t *p = out + PROTO_FRAME_HEADER_SIZE;
    size_t len = head_len + tail_len;

    if (len > PROTO_MAX_PAYLOAD)
        return 0;
    h->version = PROTO_VERSION;
    h->type = type;
    h->seq = seq;
    h->length = (uint16_t)len;
    for (size_t i = 0; i < head_len; i++)
        *p++ = ((const uint8_t *)head)[i];
    for (size_t i = 0; i < tail_len; i++)
        *p++ = ((const uint8_t *)tail)[i];

    uint32_t crc = crc32(out, PROTO_FRAME_HEADER_SIZE + len);
    p[0] = crc & 0xff;
    p[1] = crc >> 8 & 0xff;
    p[2] = crc >> 16 & 0xff;
    p[3] = crc >> 24;
    return PROTO_FRAME_OVERHEAD + len;
}
