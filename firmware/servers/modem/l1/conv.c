/* The GSM rate-1/2, constraint-length-5 convolutional code (45.003 4.1.3): encoder and
 * soft-decision Viterbi decoder.
 *
 * State s holds the last four input bits, s = u(k-1) | u(k-2)<<1 | u(k-3)<<2 | u(k-4)<<3; input
 * b moves it to ((s << 1) | b) & 15.  The two predecessors of states 2j and 2j+1 are j and j+8,
 * and their four branches form one butterfly: the branch j -> 2j emits (c0, c1) = (j.2,
 * j.0 ^ j.2) (bit numbers of j), and every other branch of the butterfly emits that pair or its
 * complement.  With correlation metrics (sum of +soft for an emitted 1, -soft for a 0), a
 * complemented pair scores the negated metric, so one metric m serves the whole butterfly:
 *   2j   <- max(pm[j] + m, pm[j+8] - m)      2j+1 <- max(pm[j] - m, pm[j+8] + m).
 * Path metrics are int32: 228 steps of at most 254 stay far below overflow, so there is no
 * renormalisation.  Decision bit s of step k is 1 when state s's survivor came from s>>1 | 8.
 */
#include "coding.h"

void gsm_conv_encode(const uint8_t *in, unsigned n_in, uint8_t *out)
{
    unsigned s = 0;
    for (unsigned k = 0; k < n_in; k++) {
        unsigned u = in[k] & 1u;
        unsigned d3d4 = ((s >> 2) ^ (s >> 3)) & 1u;
        out[2 * k] = (uint8_t)(u ^ d3d4);
        out[2 * k + 1] = (uint8_t)(u ^ (s & 1u) ^ d3d4);
        s = ((s << 1) | u) & 15u;
    }
}

/* Unreachable states start this far below state 0, which no 228-step path can make up. */
#define CONV_UNREACHED (-(1 << 24))

/* One butterfly of the add-compare-select; sets the two decision bits of states 2j and 2j+1.
 * The survivor is chosen by the sign of the difference (metrics differ by far less than 2^31),
 * which ARM does without flags: c = (x0 - x1) >> 31, max = x0 + ((x1 - x0) & -c). */
#define CONV_BUTTERFLY(j, m)                                        \
    do {                                                            \
        int32_t a0 = pm[j], a1 = pm[(j) + 8];                       \
        int32_t dx = (a1 - (m)) - (a0 + (m));                       \
        int32_t dy = (a1 + (m)) - (a0 - (m));                       \
        uint32_t cx = (uint32_t)(-dx) >> 31, cy = (uint32_t)(-dy) >> 31; \
        nm[2 * (j)] = a0 + (m) + (dx & -(int32_t)cx);               \
        nm[2 * (j) + 1] = a0 - (m) + (dy & -(int32_t)cy);           \
        dec |= cx << (2 * (j)) | cy << (2 * (j) + 1);               \
    } while (0)

/* One trellis step from pm to nm for the soft pair (s0, s1); returns its 16 decision bits. */
static inline uint32_t conv_step(const int32_t *restrict pm, int32_t *restrict nm,
                                 int32_t s0, int32_t s1)
{
    int32_t a = s0 + s1;  /* metric of emitting (1, 1); (0, 0) scores -a */
    int32_t b = s0 - s1;  /* metric of emitting (1, 0); (0, 1) scores -b */
    uint32_t dec = 0;
    /* Butterfly j's branch j -> 2j emits (j.2, j.0 ^ j.2): (0,0) (0,1) (0,0) (0,1)
     * (1,1) (1,0) (1,1) (1,0) for j = 0..7. */
    CONV_BUTTERFLY(0, -a);
    CONV_BUTTERFLY(1, -b);
    CONV_BUTTERFLY(2, -a);
    CONV_BUTTERFLY(3, -b);
    CONV_BUTTERFLY(4, a);
    CONV_BUTTERFLY(5, b);
    CONV_BUTTERFLY(6, a);
    CONV_BUTTERFLY(7, b);
    return dec;
}

unsigned gsm_conv_decode(const int8_t *soft, unsigned n_out, uint8_t *out)
{
    if (n_out <= 4 || n_out > GSM_CONV_MAX_STEPS)
        return GSM_CONV_INVALID;

    uint16_t decisions[GSM_CONV_MAX_STEPS];
    /* Steps alternate between the two metric sets, so no step copies one into the other. */
    int32_t even[16], odd[16];
    even[0] = 0;
    for (unsigned s = 1; s < 16; s++)
        even[s] = CONV_UNREACHED;

    unsigned k = 0;
    for (; k + 1 < n_out; k += 2) {
        decisions[k] = (uint16_t)conv_step(even, odd, soft[2 * k], soft[2 * k + 1]);
        decisions[k + 1] = (uint16_t)conv_step(odd, even, soft[2 * k + 2], soft[2 * k + 3]);
    }
    if (k < n_out)
        decisions[k] = (uint16_t)conv_step(even, odd, soft[2 * k], soft[2 * k + 1]);

    /* Terminated trellis: the survivor into state 0 is the decision. */
    unsigned s = 0;
    for (k = n_out; k-- > 0;) {
        out[k] = (uint8_t)(s & 1u);
        s = (s >> 1) | (((unsigned)decisions[k] >> s & 1u) << 3);
    }

    /* Channel bit errors: re-encode the decision and compare with the inputs' signs. */
    unsigned errors = 0;
    s = 0;
    for (k = 0; k < n_out; k++) {
        unsigned u = out[k];
        unsigned d3d4 = ((s >> 2) ^ (s >> 3)) & 1u;
        unsigned c0 = u ^ d3d4, c1 = u ^ (s & 1u) ^ d3d4;
        int8_t r0 = soft[2 * k], r1 = soft[2 * k + 1];
        errors += (r0 != 0) & ((r0 > 0) != c0);
        errors += (r1 != 0) & ((r1 > 0) != c1);
        s = ((s << 1) | u) & 15u;
    }
    return errors;
}
