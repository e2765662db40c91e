/* LZ4 block decoding (see include/lib/lz4.h). */
#include "lib/lz4.h"

/* A length's extension: bytes of 255 go on, the first other byte ends it.  -1: the input ends
 * first. */
static int more_length(const uint8_t **ip, const uint8_t *end, size_t *len)
{
    unsigned b;

    do {
        if (*ip >= end)
            return -1;
        b = *(*ip)++;
        *len += b;
    } while (b == 255);
    return 0;
}

long lz4_decode(const uint8_t *src, size_t n, uint8_t *dst, size_t cap)
{
    return lz4_decode_dict(src, n, NULL, 0, dst, cap);
}

long lz4_decode_dict(const uint8_t *src, size_t n, const uint8_t *dict, size_t dict_len,
                     uint8_t *dst, size_t cap)
{
    const uint8_t *ip = src, *end = src + n;
    uint8_t *op = dst, *oend = dst + cap;

    /* each sequence: a token (literal count, match length - 4), the literals, then a match
     * (a 16-bit distance back into what is already out, or further into the dictionary); the
     * last one has literals only */
    while (ip < end) {
        unsigned token = *ip++;
        size_t len = token >> 4;

        if (len == 15 && more_length(&ip, end, &len))
            return -1;
        if (len > (size_t)(end - ip) || len > (size_t)(oend - op))
            return -1;
        for (size_t i = 0; i < len; i++)
            op[i] = ip[i];
        op += len;
        ip += len;
        if (ip == end)
            break;
        if (end - ip < 2)
            return -1;
        size_t distance = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        if (distance == 0 || distance > (size_t)(op - dst) + dict_len)
            return -1;
        len = (token & 15u) + 4;
        if ((token & 15u) == 15u && more_length(&ip, end, &len))
            return -1;
        if (len > (size_t)(oend - op))
            return -1;
        if (distance > (size_t)(op - dst)) {
            /* the match starts in the dictionary, and may run on into the output */
            size_t back = distance - (size_t)(op - dst);
            const uint8_t *from = dict + dict_len - back;
            for (; back && len; back--, len--)
                *op++ = *from++;
        }
        for (; len; len--, op++)
            *op = op[-(ptrdiff_t)distance]; /* one at a time: a match may overlap its own output */
    }
    return (long)(op - dst);
}
