/*
 * The burst receiver of equalizer.h: timing by training-sequence correlation, a correlation
 * channel estimate refined for the sequence's own side lobes, and max-log-MAP equalisation
 * outwards from the training sequence in both directions, each half ending in the known tail.
 *
 * Invariants of the arithmetic: input samples are shifted down until no component exceeds
 * EQ_PEAK, and channel taps are clamped to +-EQ_TAP_MAX, so a branch metric stays within about
 * +-2^27 and two path metrics never differ by 2^31 or more: path metrics are uint32 that wrap,
 * compared by the sign of their difference (pm_less), and never normalised.
 */
#include <stdbool.h>
#include <stddef.h>

#include "lib/string.h"

#include "equalizer.h"
#include "bursts.h"

#define EQ_PEAK         511             /* largest sample component after scaling */
#define EQ_TAP_MAX      1023            /* largest tap component */
#define EQ_STATES       16              /* 2^(EQ_TAPS - 1): the last four bits */
#define EQ_PATTERNS     32              /* a state and the new bit */
#define EQ_PENALTY      (1u << 26)      /* cost of a state the known bits rule out */
#define EQ_MAX_SEGMENT  64              /* unknown bits equalised in one direction */
#define EQ_REFINE       2               /* side-lobe refinement passes of the channel estimate */
#define EQ_LEAD         1               /* taps kept before the strongest */
#define EQ_SPAN         (2 * EQ_SEARCH + EQ_TAPS)   /* correlation lags computed */

/* The tone detector looks where a burst within +-EQ_SEARCH of on time has only fixed bits. */
#define FCCH_FIRST      (EQ_BURST_START + EQ_SEARCH + 8)
#define FCCH_LAST       (EQ_BURST_START + GSM_BURST_SYMBOLS - EQ_SEARCH - 4)
#define CORDIC_STEPS    20

struct cplx {
    int32_t re, im;
};

/* Where a burst's training sequence is and which part of it the timing search correlates. */
struct layout {
    const uint8_t *training;
    unsigned start;             /* BN of the first training bit */
    unsigned len;
    unsigned corr_start;        /* first training bit correlated */
    unsigned corr_len;
    uint32_t corr_recip;        /* 65536 / corr_len, rounded */
};

/* What one equalised direction needs: samples, expected values and the known bits' states. */
struct trellis {
    struct cplx expect[EQ_PATTERNS];    /* channel output for each pattern (bit 0 newest) */
    int32_t energy[EQ_PATTERNS];        /* |expect|^2 */
};

/* atan(2^-i) as a fraction of a turn, 2^32 to the turn. */
static const uint32_t cordic_atan[CORDIC_STEPS] = {
    536870912, 316933406, 167458907, 85004756, 42667331, 21354465, 10679838, 5340245,
    2670163, 1335087, 667544, 333772, 166886, 83443, 41722, 20861, 10430, 5215, 2608, 1304,
};

static inline bool pm_less(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static inline uint32_t pm_min(uint32_t a, uint32_t b)
{
    return pm_less(a, b) ? a : b;
}

static int32_t clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The shift that brings every component of `iq` within EQ_PEAK. */
static unsigned input_shift(const int16_t iq[2 * EQ_WINDOW])
{
    int32_t peak = 0;
    unsigned shift = 0;

    for (unsigned i = 0; i < 2 * EQ_WINDOW; i++) {
        int32_t v = iq[i] < 0 ? -iq[i] : iq[i];
        if (v > peak)
            peak = v;
    }
    while ((peak >> shift) > EQ_PEAK)
        shift++;
    return shift;
}

/* y[n] = (iq[n] >> shift) * (-j)^n: the GMSK window as +-1 bits through a linear channel. */
static void derotate(const int16_t iq[2 * EQ_WINDOW], unsigned shift, struct cplx y[EQ_WINDOW])
{
    for (unsigned n = 0; n < EQ_WINDOW; n++) {
        int32_t i = iq[2 * n] >> shift, q = iq[2 * n + 1] >> shift;

        switch (n & 3) {
        case 0: y[n] = (struct cplx){ i, q }; break;
        case 1: y[n] = (struct cplx){ q, -i }; break;
        case 2: y[n] = (struct cplx){ -i, -q }; break;
        default: y[n] = (struct cplx){ -q, i }; break;
        }
    }
}

/* Sum of y[first + k] times training symbol k, for the `len` bits at `bits`; samples outside
 * the window count as 0. */
static struct cplx correlate(const struct cplx y[EQ_WINDOW], int first, const uint8_t *bits,
                             unsigned len)
{
    struct cplx c = { 0, 0 };

    for (unsigned k = 0; k < len; k++) {
        int n = first + (int)k;
        if (n < 0 || n >= EQ_WINDOW)
            continue;
        if (bits[k]) {
            c.re -= y[n].re;
            c.im -= y[n].im;
        } else {
            c.re += y[n].re;
            c.im += y[n].im;
        }
    }
    return c;
}

static int64_t energy(struct cplx c)
{
    return (int64_t)c.re * c.re + (int64_t)c.im * c.im;
}

/* The training sequence's correlation sub-window against itself shifted by `lag` bits, over
 * the bits where both are training: how much tap `l - lag` leaks into the estimate of tap l. */
static int32_t self_correlation(const struct layout *lay, int lag)
{
    int32_t sum = 0;

    for (unsigned k = 0; k < lay->corr_len; k++) {
        int j = (int)(lay->corr_start + k) + lag;
        if (j < 0 || j >= (int)lay->len)
            continue;
        sum += lay->training[j] == lay->training[lay->corr_start + k] ? 1 : -1;
    }
    return sum;
}

/*
 * Timing and channel estimate.  Lag d's correlation is the tap that sees a bit d samples after
 * its on-time position; the strongest lag within +-EQ_SEARCH is the timing, and the EQ_TAPS
 * consecutive lags of most energy around it (ties to the one with EQ_LEAD taps before the
 * strongest) are the channel: h[l] is lag `*first + l`.
 */
static int estimate(const struct cplx y[EQ_WINDOW], const struct layout *lay,
                    struct cplx h[EQ_TAPS], int *first, int *timing)
{
    static const int order[EQ_TAPS] = { EQ_LEAD, 2, 0, 3, 4 };     /* taps before the peak */
    struct cplx corr[EQ_SPAN];
    int64_t best = -1;
    int peak = 0, base = EQ_BURST_START + (int)(lay->start + lay->corr_start) - EQ_SEARCH - 2;

    for (int d = 0; d < EQ_SPAN; d++)
        corr[d] = correlate(y, base + d, lay->training + lay->corr_start, lay->corr_len);
    for (int d = 2; d <= 2 + 2 * EQ_SEARCH; d++) {
        int64_t e = energy(corr[d]);
        if (e > best) {
            best = e;
            peak = d;
        }
    }
    if (best <= 0)
        return -1;

    best = -1;
    *first = peak - EQ_LEAD;
    for (unsigned o = 0; o < EQ_TAPS; o++) {
        int start = peak - order[o];
        int64_t e = 0;
        if (start < 0 || start + EQ_TAPS > EQ_SPAN)
            continue;
        for (int l = 0; l < EQ_TAPS; l++)
            e += energy(corr[start + l]);
        if (e > best) {
            best = e;
            *first = start;
        }
    }

    int32_t leak[2 * EQ_TAPS - 1];
    for (int s = -(EQ_TAPS - 1); s < EQ_TAPS; s++)
        leak[s + EQ_TAPS - 1] = self_correlation(lay, s);
    for (int l = 0; l < EQ_TAPS; l++) {
        h[l].re = (int32_t)(((int64_t)corr[*first + l].re * lay->corr_recip) >> 16);
        h[l].im = (int32_t)(((int64_t)corr[*first + l].im * lay->corr_recip) >> 16);
    }
    for (int pass = 0; pass < EQ_REFINE; pass++) {
        struct cplx next[EQ_TAPS];
        for (int l = 0; l < EQ_TAPS; l++) {
            struct cplx c = corr[*first + l];
            for (int m = 0; m < EQ_TAPS; m++) {
                if (m == l)
                    continue;
                c.re -= leak[l - m + EQ_TAPS - 1] * h[m].re;
                c.im -= leak[l - m + EQ_TAPS - 1] * h[m].im;
            }
            next[l].re = clamp((int32_t)(((int64_t)c.re * lay->corr_recip) >> 16),
                               -EQ_TAP_MAX, EQ_TAP_MAX);
            next[l].im = clamp((int32_t)(((int64_t)c.im * lay->corr_recip) >> 16),
                               -EQ_TAP_MAX, EQ_TAP_MAX);
        }
        for (int l = 0; l < EQ_TAPS; l++)
            h[l] = next[l];
    }
    *timing = peak - 2 - EQ_SEARCH;
    *first += -2 - EQ_SEARCH;           /* as a lag */
    return 0;
}

/* The trellis's expected outputs; `reverse` runs the channel backwards (tap 0 oldest). */
static void trellis_init(struct trellis *t, const struct cplx h[EQ_TAPS], bool reverse)
{
    for (unsigned p = 0; p < EQ_PATTERNS; p++) {
        struct cplx e = { 0, 0 };
        for (unsigned l = 0; l < EQ_TAPS; l++) {
            const struct cplx *tap = &h[reverse ? EQ_TAPS - 1 - l : l];
            if (p >> l & 1) {
                e.re -= tap->re;
                e.im -= tap->im;
            } else {
                e.re += tap->re;
                e.im += tap->im;
            }
        }
        t->expect[p] = e;
        t->energy[p] = e.re * e.re + e.im * e.im;
    }
}

/* Branch metrics |y - e|^2 - |y|^2 for the 32 patterns; a pattern and its complement have
 * opposite expectations, so 16 products serve all 32. */
static void branch_metrics(const struct trellis *t, struct cplx y, uint32_t bm[EQ_PATTERNS])
{
    for (unsigned p = 0; p < EQ_PATTERNS / 2; p++) {
        int32_t dot = y.re * t->expect[p].re + y.im * t->expect[p].im;
        bm[p] = (uint32_t)(t->energy[p] - 2 * dot);
        bm[p ^ (EQ_PATTERNS - 1)] = (uint32_t)(t->energy[p] + 2 * dot);
    }
}

/*
 * Max-log-MAP over `count` unknown bits seen in samples ys[0..count-1] (bit j newest in ys[j]),
 * starting from the known `state` (bit 0 the last known bit) and ending in GSM_TAIL_BITS zeros.
 * llr[j] is the cost of bit j being 0 less that of its being 1, in metric units.
 */
static void equalise(const struct trellis *t, const struct cplx ys[], unsigned count,
                     unsigned state, int32_t llr[])
{
    uint32_t alpha[EQ_MAX_SEGMENT + 1][EQ_STATES];
    uint32_t beta[EQ_STATES], bm[EQ_PATTERNS];

    for (unsigned s = 0; s < EQ_STATES; s++)
        alpha[0][s] = s == state ? 0 : EQ_PENALTY;
    for (unsigned j = 0; j < count; j++) {
        branch_metrics(t, ys[j], bm);
        for (unsigned s = 0; s < EQ_STATES; s++) {
            uint32_t a0 = alpha[j][s >> 1] + bm[s];
            uint32_t a1 = alpha[j][(s >> 1) | EQ_STATES / 2] + bm[s | EQ_STATES];
            alpha[j + 1][s] = pm_min(a0, a1);
        }
    }

    for (unsigned s = 0; s < EQ_STATES; s++)
        beta[s] = (s & ((1u << GSM_TAIL_BITS) - 1)) == 0 ? 0 : EQ_PENALTY;
    for (unsigned j = count; j-- > 0;) {
        uint32_t best0, best1, next[EQ_STATES];

        /* Pattern 2s+b leaves state s with bit b: one pass serves beta and both bits' best. */
        branch_metrics(t, ys[j], bm);
        next[0] = pm_min(bm[0] + beta[0], bm[1] + beta[1]);
        best0 = alpha[j][0] + bm[0] + beta[0];
        best1 = alpha[j][0] + bm[1] + beta[1];
        for (unsigned s = 1; s < EQ_STATES; s++) {
            uint32_t c0 = bm[2 * s] + beta[(2 * s) & (EQ_STATES - 1)];
            uint32_t c1 = bm[2 * s + 1] + beta[(2 * s + 1) & (EQ_STATES - 1)];
            next[s] = pm_min(c0, c1);
            best0 = pm_min(best0, alpha[j][s] + c0);
            best1 = pm_min(best1, alpha[j][s] + c1);
        }
        llr[j] = (int32_t)(best0 - best1);
        for (unsigned s = 0; s < EQ_STATES; s++)
            beta[s] = next[s];
    }
}

static struct cplx sample_at(const struct cplx y[EQ_WINDOW], int n)
{
    return n >= 0 && n < EQ_WINDOW ? y[n] : (struct cplx){ 0, 0 };
}

/* 256 log2(x) for x > 0, within 0.01 of a bit. */
static int32_t log2_q8(uint64_t x)
{
    int32_t whole = 0;

    while (x >> (whole + 1))
        whole++;
    uint32_t f = whole >= 16 ? (uint32_t)(x >> (whole - 16)) & 0xffff
                             : (uint32_t)(x << (16 - whole)) & 0xffff;   /* fraction, Q16 */
    uint32_t bend = (uint32_t)(((uint64_t)f * (65536 - f)) >> 16) * 22282 >> 16;  /* 0.34 */
    return whole * 256 + (int32_t)((f + bend) >> 8);
}

static uint32_t saturate_u32(uint64_t v)
{
    return v > 0xffffffffu ? 0xffffffffu : (uint32_t)v;
}

/*
 * A burst with training described by `lay`: the soft values of every bit outside the training
 * sequence, by burst bit number, in soft_bn[0..GSM_BURST_SYMBOLS-1] (training bits left 0).
 */
static int receive(const int16_t iq[2 * EQ_WINDOW], const struct layout *lay,
                   int8_t soft_bn[GSM_BURST_SYMBOLS], struct eq_report *rep)
{
    struct cplx y[EQ_WINDOW], h[EQ_TAPS], ys[EQ_MAX_SEGMENT] = { { 0, 0 } };
    struct trellis t;
    int32_t llr[EQ_MAX_SEGMENT];
    unsigned shift = input_shift(iq);
    unsigned tstart = lay->start, tend = lay->start + lay->len;
    int first, timing;

    memset(soft_bn, 0, GSM_BURST_SYMBOLS);
    derotate(iq, shift, y);
    if (estimate(y, lay, h, &first, &timing))
        return -1;
    int base = EQ_BURST_START + first;          /* y[base + m + l] sees bit m through h[l] */

    /* Noise: what the channel estimate leaves unexplained where all its bits are training. */
    int64_t residual = 0, signal = 0;
    unsigned known = 0;
    for (unsigned m = tstart + EQ_TAPS - 1; m < tend; m++) {
        struct cplx r = sample_at(y, base + (int)m);
        for (unsigned l = 0; l < EQ_TAPS; l++) {
            int sign = lay->training[m - l - tstart] ? -1 : 1;
            r.re -= sign * h[l].re;
            r.im -= sign * h[l].im;
        }
        residual += energy(r);
        known++;
    }
    for (unsigned l = 0; l < EQ_TAPS; l++)
        signal += energy(h[l]);
    if (signal == 0)
        return -1;
    uint32_t noise = (uint32_t)(residual / (known - EQ_TAPS)) + 1;  /* estimate used 5 of them */
    uint32_t scale = ((uint32_t)EQ_SOFT_PER_LLR << 16) / noise;      /* soft per metric, Q16 */

    /* Backwards from the training sequence: bit m = tstart-1-j is newest in reverse at
     * y[base + m + EQ_TAPS - 1]; the state is the first four training bits. */
    unsigned state = 0;
    for (unsigned l = 0; l < EQ_TAPS - 1; l++)
        state |= (unsigned)lay->training[l] << l;
    for (unsigned j = 0; j < tstart; j++)
        ys[j] = sample_at(y, base + (int)(tstart - 1 - j) + EQ_TAPS - 1);
    trellis_init(&t, h, true);
    equalise(&t, ys, tstart, state, llr);
    for (unsigned j = 0; j < tstart; j++)
        soft_bn[tstart - 1 - j] = (int8_t)clamp((int32_t)(((int64_t)llr[j] * scale) >> 16),
                                                -EQ_SOFT_MAX, EQ_SOFT_MAX);

    /* Forwards: bit m = tend + j is newest at y[base + m]; the state the last four. */
    state = 0;
    for (unsigned l = 0; l < EQ_TAPS - 1; l++)
        state |= (unsigned)lay->training[lay->len - 1 - l] << l;
    for (unsigned j = 0; j < GSM_BURST_SYMBOLS - tend; j++)
        ys[j] = sample_at(y, base + (int)(tend + j));
    trellis_init(&t, h, false);
    equalise(&t, ys, GSM_BURST_SYMBOLS - tend, state, llr);
    for (unsigned j = 0; j < GSM_BURST_SYMBOLS - tend; j++)
        soft_bn[tend + j] = (int8_t)clamp((int32_t)(((int64_t)llr[j] * scale) >> 16),
                                          -EQ_SOFT_MAX, EQ_SOFT_MAX);

    if (rep) {
        rep->timing = timing;
        rep->signal_power = saturate_u32((uint64_t)signal << (2 * shift));
        rep->noise_power = saturate_u32((uint64_t)noise << (2 * shift));
        rep->snr_db_q8 = (log2_q8((uint64_t)signal) - log2_q8(noise)) * 771 / 256;
        rep->quality = 0;
    }
    return 0;
}

static int32_t mean_magnitude(const int8_t soft[], unsigned n)
{
    int32_t sum = 0;

    for (unsigned i = 0; i < n; i++)
        sum += soft[i] < 0 ? -soft[i] : soft[i];
    return sum / (int32_t)n;
}

int eq_normal_burst(const int16_t iq[2 * EQ_WINDOW], unsigned tsc, int8_t soft[EQ_NB_SOFT],
                    struct eq_report *rep)
{
    int8_t bn[GSM_BURST_SYMBOLS];

    memset(soft, 0, EQ_NB_SOFT);
    if (tsc >= GSM_TSC_COUNT)
        return -1;
    const struct layout lay = {
        .training = gsm_tsc[tsc], .start = GSM_NB_TRAINING_START, .len = GSM_TSC_BITS,
        .corr_start = 5, .corr_len = 16, .corr_recip = 65536 / 16,
    };
    if (receive(iq, &lay, bn, rep))
        return -1;
    memcpy(soft, bn + 3, 57);
    soft[57] = bn[60];
    soft[58] = bn[87];
    memcpy(soft + 59, bn + 88, 57);
    if (rep)
        rep->quality = mean_magnitude(soft, EQ_NB_SOFT);
    return 0;
}

int eq_sync_burst(const int16_t iq[2 * EQ_WINDOW], int8_t soft[EQ_SB_SOFT], struct eq_report *rep)
{
    static const struct layout lay = {
        .training = gsm_sch_training, .start = GSM_SB_TRAINING_START,
        .len = GSM_SCH_TRAINING_BITS, .corr_start = 5, .corr_len = 54,
        .corr_recip = (65536 + 27) / 54,
    };
    int8_t bn[GSM_BURST_SYMBOLS];

    memset(soft, 0, EQ_SB_SOFT);
    if (receive(iq, &lay, bn, rep))
        return -1;
    memcpy(soft, bn + 3, 39);
    memcpy(soft + 39, bn + 106, 39);
    if (rep)
        rep->quality = mean_magnitude(soft, EQ_SB_SOFT);
    return 0;
}

/* atan2(im, re) as a fraction of a turn (2^32 to the turn), by CORDIC; |re|, |im| < 2^29. */
static uint32_t angle_of(int32_t re, int32_t im)
{
    uint32_t angle = 0;

    if (re < 0) {                       /* turn by half a turn into the right half-plane */
        re = -re;
        im = -im;
        angle = 0x80000000u;
    }
    for (unsigned i = 0; i < CORDIC_STEPS; i++) {
        int32_t r = re, q = im;
        if (q > 0) {
            re = r + (q >> i);
            im = q - (r >> i);
            angle += cordic_atan[i];
        } else {
            re = r - (q >> i);
            im = q + (r >> i);
            angle -= cordic_atan[i];
        }
    }
    return angle;
}

/* Sum over the tone detector's samples of y[n] conj(y[n - lag]) (-j)^lag, and the energy of
 * the y[n] summed, all shifted alike until each is below 2^29 in magnitude. */
struct lag_sum {
    int32_t re, im, total;
};

static struct lag_sum lag_product(const int16_t iq[2 * EQ_WINDOW], unsigned lag)
{
    int64_t re = 0, im = 0, total = 0;

    for (unsigned n = FCCH_FIRST + lag; n < FCCH_LAST; n++) {
        int64_t ar = iq[2 * n], ai = iq[2 * n + 1];
        int64_t br = iq[2 * (n - lag)], bi = iq[2 * (n - lag) + 1];
        re += ar * br + ai * bi;
        im += ai * br - ar * bi;
        total += ar * ar + ai * ai;
    }
    for (unsigned k = 0; k < (lag & 3); k++) {          /* times -j */
        int64_t t = re;
        re = im;
        im = -t;
    }
    while (total >= (1LL << 29) || re >= (1LL << 29) || re <= -(1LL << 29)
           || im >= (1LL << 29) || im <= -(1LL << 29)) {
        total >>= 1;
        re >>= 1;
        im >>= 1;
    }
    return (struct lag_sum){ (int32_t)re, (int32_t)im, (int32_t)total };
}

/* The turn per sample (2^32 to the turn) that `sum`, over `lag` samples, shows, taking the one
 * of its `lag` aliases nearest `guess`. */
static int64_t refine_turn(struct lag_sum sum, unsigned lag, int64_t guess)
{
    int64_t measured = (int32_t)angle_of(sum.re, sum.im);
    int64_t wraps = (guess * lag - measured + (1LL << 31)) >> 32;    /* whole turns, rounded */
    return (measured + (wraps << 32)) / (int64_t)lag;
}

/*
 * A tone at +1/4 of the symbol rate turns each sample by +pi/2 plus the offset's turn theta, so
 * y[n] conj(y[n - d]) (-j)^d is the same exp(j d theta) for every n.  The window holds a tone
 * when the lag-8 sum keeps at least 1/2 of the samples' energy (noise keeps about 1/sqrt(n),
 * and modulated bursts, whose phase wanders by multiples of pi/2 over 8 symbols, below 0.42)
 * and the lag-1 turn is within EQ_FCCH_MAX_HZ; lags 8 and 64 then refine theta unambiguously.
 */
int eq_fcch_detect(const int16_t iq[2 * EQ_WINDOW], int32_t *freq_offset)
{
    /* EQ_FCCH_MAX_HZ as a fraction of a turn per sample, 2^32 to the turn. */
    const int64_t max_turn = ((int64_t)EQ_FCCH_MAX_HZ << 32) * 6 / 1625000;
    struct lag_sum one = lag_product(iq, 1), eight = lag_product(iq, 8);

    if (eight.total == 0)
        return 0;
    if (4 * ((int64_t)eight.re * eight.re + (int64_t)eight.im * eight.im)
        < (int64_t)eight.total * eight.total)
        return 0;
    int64_t turn = (int32_t)angle_of(one.re, one.im);
    if (turn > max_turn || turn < -max_turn)
        return 0;
    turn = refine_turn(eight, 8, turn);
    turn = refine_turn(lag_product(iq, 64), 64, turn);
    /* Hz = turn / 2^32 * 1625000 / 6, rounded. */
    *freq_offset = (int32_t)((turn * 1625000 / 6 + (1LL << 31)) >> 32);
    return 1;
}
