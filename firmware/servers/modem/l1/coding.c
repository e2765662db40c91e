/* GSM block coding (45.003): xCCH, SCH, RACH and TCH/FS blocks from data to coded bits and back,
 * the rectangular (4-burst) and diagonal (8-burst) interleavers and the burst mapping.
 *
 * Every interleaver walks k = 0..455 with r = 49k mod 57 kept by addition, so no position costs
 * a division; position j of 45.003's i(B,j) (0..113) lands at e index j, or j + 2 past the two
 * stealing flags (e(B,j) = i(B,j), e(B,59+j) = i(B,57+j), j = 0..56).
 */
#include "coding.h"

#define XCCH_DATA 184
#define XCCH_PARITY 40
#define XCCH_STEPS (XCCH_DATA + XCCH_PARITY + 4)
#define SCH_DATA 25
#define SCH_PARITY 10
#define SCH_STEPS (SCH_DATA + SCH_PARITY + 4)
#define RACH_DATA 8
#define RACH_PARITY 6
#define RACH_STEPS (RACH_DATA + RACH_PARITY + 4)
#define TCH_FS_1A 50
#define TCH_FS_CLASS1 182
#define TCH_FS_PARITY 3
#define TCH_FS_STEPS (TCH_FS_CLASS1 + TCH_FS_PARITY + 4)
#define TCH_FS_CODED1 (2 * TCH_FS_STEPS)

/* e index of 45.003's i(B,j). */
static inline unsigned burst_index(unsigned j)
{
    return j < 57 ? j : j + 2;
}

/* ---- xCCH ---- */

void gsm_xcch_encode_block(const uint8_t l2[GSM_L2_OCTETS], uint8_t coded[GSM_BLOCK_CODED])
{
    uint8_t u[XCCH_STEPS];
    for (unsigned k = 0; k < XCCH_DATA; k++)
        u[k] = (uint8_t)((l2[k >> 3] >> (k & 7)) & 1u);
    gsm_parity(u, XCCH_DATA, GSM_FIRE_POLY, XCCH_PARITY, u + XCCH_DATA);
    for (unsigned k = XCCH_DATA + XCCH_PARITY; k < XCCH_STEPS; k++)
        u[k] = 0;
    gsm_conv_encode(u, XCCH_STEPS, coded);
}

int gsm_xcch_decode_block(const int8_t coded[GSM_BLOCK_CODED], uint8_t l2[GSM_L2_OCTETS],
                          unsigned *bit_errors)
{
    uint8_t u[XCCH_STEPS];
    *bit_errors = gsm_conv_decode(coded, XCCH_STEPS, u);
    for (unsigned i = 0; i < GSM_L2_OCTETS; i++) {
        unsigned octet = 0;
        for (unsigned b = 0; b < 8; b++)
            octet |= (unsigned)u[8 * i + b] << b;
        l2[i] = (uint8_t)octet;
    }
    if (!gsm_parity_check(u, XCCH_DATA, GSM_FIRE_POLY, XCCH_PARITY, u + XCCH_DATA))
        return GSM_CODING_BAD_PARITY;
    return GSM_CODING_OK;
}

void gsm_xcch_interleave(const uint8_t coded[GSM_BLOCK_CODED], uint8_t bursts[4][GSM_BURST_BITS])
{
    unsigned r = 0;
    for (unsigned k = 0; k < GSM_BLOCK_CODED; k++) {
        unsigned j = 2 * r + ((k & 7u) >> 2);
        bursts[k & 3u][burst_index(j)] = coded[k];
        r += 49;
        if (r >= 57)
            r -= 57;
    }
    for (unsigned b = 0; b < 4; b++) {
        bursts[b][GSM_BURST_HL] = 1;
        bursts[b][GSM_BURST_HU] = 1;
    }
}

void gsm_xcch_deinterleave(const int8_t bursts[4][GSM_BURST_BITS], int8_t coded[GSM_BLOCK_CODED])
{
    unsigned r = 0;
    for (unsigned k = 0; k < GSM_BLOCK_CODED; k++) {
        unsigned j = 2 * r + ((k & 7u) >> 2);
        coded[k] = bursts[k & 3u][burst_index(j)];
        r += 49;
        if (r >= 57)
            r -= 57;
    }
}

void gsm_xcch_encode(const uint8_t l2[GSM_L2_OCTETS], uint8_t bursts[4][GSM_BURST_BITS])
{
    uint8_t coded[GSM_BLOCK_CODED];
    gsm_xcch_encode_block(l2, coded);
    gsm_xcch_interleave(coded, bursts);
}

int gsm_xcch_decode(const int8_t bursts[4][GSM_BURST_BITS], uint8_t l2[GSM_L2_OCTETS],
                    unsigned *bit_errors)
{
    int8_t coded[GSM_BLOCK_CODED];
    gsm_xcch_deinterleave(bursts, coded);
    return gsm_xcch_decode_block(coded, l2, bit_errors);
}

/* ---- SCH ---- */

void gsm_sch_encode(uint32_t info25, uint8_t coded[GSM_SCH_CODED])
{
    uint8_t u[SCH_STEPS];
    for (unsigned k = 0; k < SCH_DATA; k++)
        u[k] = (uint8_t)((info25 >> k) & 1u);
    gsm_parity(u, SCH_DATA, GSM_SCH_POLY, SCH_PARITY, u + SCH_DATA);
    for (unsigned k = SCH_DATA + SCH_PARITY; k < SCH_STEPS; k++)
        u[k] = 0;
    gsm_conv_encode(u, SCH_STEPS, coded);
}

int gsm_sch_decode(const int8_t soft[GSM_SCH_CODED], uint32_t *info25, unsigned *bit_errors)
{
    uint8_t u[SCH_STEPS];
    *bit_errors = gsm_conv_decode(soft, SCH_STEPS, u);
    uint32_t info = 0;
    for (unsigned k = 0; k < SCH_DATA; k++)
        info |= (uint32_t)u[k] << k;
    *info25 = info;
    if (!gsm_parity_check(u, SCH_DATA, GSM_SCH_POLY, SCH_PARITY, u + SCH_DATA))
        return GSM_CODING_BAD_PARITY;
    return GSM_CODING_OK;
}

uint32_t gsm_sch_info(uint8_t bsic, uint32_t fn)
{
    uint32_t t1 = (fn / (26u * 51u)) & 0x7ffu;
    uint32_t t2 = fn % 26u;
    uint32_t t3 = fn % 51u;
    uint32_t t3p = t3 >= 1 ? (t3 - 1) / 10u : 0;
    uint32_t o0 = ((uint32_t)(bsic & 0x3fu) << 2) | (t1 >> 9);
    uint32_t o1 = (t1 >> 1) & 0xffu;
    uint32_t o2 = ((t1 & 1u) << 7) | (t2 << 2) | (t3p >> 1);
    uint32_t o3 = t3p & 1u;
    return o0 | o1 << 8 | o2 << 16 | o3 << 24;
}

void gsm_sch_info_unpack(uint32_t info25, uint8_t *bsic, uint16_t *t1, uint8_t *t2, uint8_t *t3p)
{
    uint32_t o0 = info25 & 0xffu, o1 = (info25 >> 8) & 0xffu;
    uint32_t o2 = (info25 >> 16) & 0xffu, o3 = (info25 >> 24) & 1u;
    *bsic = (uint8_t)(o0 >> 2);
    *t1 = (uint16_t)(((o0 & 3u) << 9) | (o1 << 1) | (o2 >> 7));
    *t2 = (uint8_t)((o2 >> 2) & 0x1fu);
    *t3p = (uint8_t)(((o2 & 3u) << 1) | o3);
}

uint32_t gsm_sch_fn(uint16_t t1, uint8_t t2, uint8_t t3p)
{
    uint32_t t3 = 10u * t3p + 1u;
    uint32_t m = (t3 + 26u * 3u - t2) % 26u;  /* (T3 - T2) mod 26, T2 < 26 */
    return 51u * m + t3 + 51u * 26u * t1;
}

/* ---- RACH ---- */

void gsm_rach_encode(uint8_t ra, uint8_t bsic, uint8_t coded[GSM_RACH_CODED])
{
    uint8_t u[RACH_STEPS];
    for (unsigned k = 0; k < RACH_DATA; k++)
        u[k] = (uint8_t)((ra >> k) & 1u);
    gsm_parity(u, RACH_DATA, GSM_RACH_POLY, RACH_PARITY, u + RACH_DATA);
    for (unsigned k = 0; k < RACH_PARITY; k++)
        u[RACH_DATA + k] ^= (uint8_t)((bsic >> (5 - k)) & 1u);
    for (unsigned k = RACH_DATA + RACH_PARITY; k < RACH_STEPS; k++)
        u[k] = 0;
    gsm_conv_encode(u, RACH_STEPS, coded);
}

int gsm_rach_decode(const int8_t soft[GSM_RACH_CODED], uint8_t bsic, uint8_t *ra,
                    unsigned *bit_errors)
{
    uint8_t u[RACH_STEPS];
    *bit_errors = gsm_conv_decode(soft, RACH_STEPS, u);
    unsigned value = 0;
    for (unsigned k = 0; k < RACH_DATA; k++)
        value |= (unsigned)u[k] << k;
    *ra = (uint8_t)value;
    for (unsigned k = 0; k < RACH_PARITY; k++)
        u[RACH_DATA + k] ^= (uint8_t)((bsic >> (5 - k)) & 1u);
    if (!gsm_parity_check(u, RACH_DATA, GSM_RACH_POLY, RACH_PARITY, u + RACH_DATA))
        return GSM_CODING_BAD_PARITY;
    return GSM_CODING_OK;
}

/* ---- TCH/FS ---- */

void gsm_tch_fs_encode(const uint8_t bits260[GSM_TCH_FS_BITS], uint8_t coded[GSM_BLOCK_CODED])
{
    uint8_t u[TCH_FS_STEPS];
    for (unsigned k = 0; k < TCH_FS_CLASS1 / 2; k++) {
        u[k] = bits260[2 * k] & 1u;
        u[TCH_FS_CLASS1 + TCH_FS_PARITY - 1 - k] = bits260[2 * k + 1] & 1u;
    }
    gsm_parity(bits260, TCH_FS_1A, GSM_TCH_FS_POLY, TCH_FS_PARITY, u + TCH_FS_CLASS1 / 2);
    for (unsigned k = TCH_FS_CLASS1 + TCH_FS_PARITY; k < TCH_FS_STEPS; k++)
        u[k] = 0;
    gsm_conv_encode(u, TCH_FS_STEPS, coded);
    for (unsigned k = TCH_FS_CLASS1; k < GSM_TCH_FS_BITS; k++)
        coded[TCH_FS_CODED1 + k - TCH_FS_CLASS1] = bits260[k] & 1u;
}

int gsm_tch_fs_decode(const int8_t coded[GSM_BLOCK_CODED], uint8_t bits260[GSM_TCH_FS_BITS],
                      unsigned *bit_errors)
{
    uint8_t u[TCH_FS_STEPS];
    *bit_errors = gsm_conv_decode(coded, TCH_FS_STEPS, u);
    for (unsigned k = 0; k < TCH_FS_CLASS1 / 2; k++) {
        bits260[2 * k] = u[k];
        bits260[2 * k + 1] = u[TCH_FS_CLASS1 + TCH_FS_PARITY - 1 - k];
    }
    for (unsigned k = TCH_FS_CLASS1; k < GSM_TCH_FS_BITS; k++)
        bits260[k] = coded[TCH_FS_CODED1 + k - TCH_FS_CLASS1] > 0;
    if (!gsm_parity_check(bits260, TCH_FS_1A, GSM_TCH_FS_POLY, TCH_FS_PARITY, u + TCH_FS_CLASS1 / 2))
        return GSM_CODING_BAD_PARITY;
    return GSM_CODING_OK;
}

/* ---- Block-diagonal interleaving ---- */

void gsm_tch_interleave(const uint8_t coded[GSM_BLOCK_CODED], bool facch, unsigned b0,
                        uint8_t ring[8][GSM_BURST_BITS])
{
    unsigned r = 0;
    for (unsigned k = 0; k < GSM_BLOCK_CODED; k++) {
        unsigned j = 2 * r + ((k & 7u) >> 2);
        ring[(b0 + k) & 7u][burst_index(j)] = coded[k];
        r += 49;
        if (r >= 57)
            r -= 57;
    }
    for (unsigned i = 0; i < 4; i++) {
        ring[(b0 + i) & 7u][GSM_BURST_HU] = facch;
        ring[(b0 + 4 + i) & 7u][GSM_BURST_HL] = facch;
    }
}

void gsm_tch_deinterleave(const int8_t ring[8][GSM_BURST_BITS], unsigned b0,
                          int8_t coded[GSM_BLOCK_CODED])
{
    unsigned r = 0;
    for (unsigned k = 0; k < GSM_BLOCK_CODED; k++) {
        unsigned j = 2 * r + ((k & 7u) >> 2);
        coded[k] = ring[(b0 + k) & 7u][burst_index(j)];
        r += 49;
        if (r >= 57)
            r -= 57;
    }
}

bool gsm_tch_stolen(const int8_t ring[8][GSM_BURST_BITS], unsigned b0)
{
    int sum = 0;
    for (unsigned i = 0; i < 4; i++) {
        sum += ring[(b0 + i) & 7u][GSM_BURST_HU];
        sum += ring[(b0 + 4 + i) & 7u][GSM_BURST_HL];
    }
    return sum > 0;
}
