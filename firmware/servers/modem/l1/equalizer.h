/*
 * The mobile's burst receiver: from one timeslot window of baseband samples to soft bits.
 *
 * A window is EQ_WINDOW complex samples, one per symbol, as interleaved int16 I/Q (I first); a
 * burst sent on time has its first tail bit on sample EQ_BURST_START, and a unit-amplitude
 * signal arrives at about EQ_SAMPLE_SCALE (host/bts/gmsk.py makes them so; the tests hold the
 * two sides equal).  After derotation by (-j)^n a GMSK window is, to within a few percent, the
 * transmitted bits as +-1 (bit 1 is -1: 45.004's differential encoding cancels there) through
 * a short linear channel, which the receiver estimates from the training sequence and
 * equalises with a 16-state max-log-MAP trellis over EQ_TAPS taps.
 *
 * Contracts: fixed point only, no division in the per-bit loops, no state kept between calls
 * (reentrant; about 6 KiB of stack).  A soft value is about EQ_SOFT_PER_LLR times the bit's
 * log-likelihood ratio, saturated to -127..127: positive means 1, negative 0, 0 unknown.
 */
#pragma once

#include <stdint.h>

#define EQ_WINDOW           156         /* samples in a timeslot window */
#define EQ_BURST_START      4           /* window sample of an on-time burst's first tail bit */
#define EQ_SAMPLE_SCALE     2048        /* int16 amplitude of a unit-amplitude sample */
#define EQ_SEARCH           4           /* burst timing searched over +-EQ_SEARCH symbols */
#define EQ_TAPS             5           /* channel taps estimated and equalised */
#define EQ_SOFT_PER_LLR     4           /* soft value of a log-likelihood ratio of 1 */
#define EQ_SOFT_MAX         127
#define EQ_FCCH_MAX_HZ      40000       /* largest frequency offset a tone is taken for FCCH */

#define EQ_NB_SOFT          116         /* BN3..59, BN60, BN87, BN88..144 */
#define EQ_SB_SOFT          78          /* BN3..41, BN106..144 */

/* What the receiver learnt about a burst besides its bits. */
struct eq_report {
    int32_t timing;             /* symbols the burst arrived late (negative: early) */
    uint32_t signal_power;      /* channel energy, sum of |tap|^2, in int16 units squared */
    uint32_t noise_power;       /* mean |residual|^2 per sample over the training sequence */
    int32_t snr_db_q8;          /* 10 log10(signal / noise) in 1/256 dB */
    int32_t quality;            /* mean |soft|: 0 (nothing known) .. EQ_SOFT_MAX */
};

/* A normal burst with training sequence `tsc` (0..7) in `iq`: its 116 payload bits in `soft`
 * (order above), its report in `rep` (may be NULL).  Returns 0, or -1 for a bad `tsc` or a
 * window with no signal (then `soft` is all 0). */
int eq_normal_burst(const int16_t iq[2 * EQ_WINDOW], unsigned tsc, int8_t soft[EQ_NB_SOFT],
                    struct eq_report *rep);

/* A synchronisation burst in `iq`: its 78 coded bits in `soft`; as eq_normal_burst. */
int eq_sync_burst(const int16_t iq[2 * EQ_WINDOW], int8_t soft[EQ_SB_SOFT], struct eq_report *rep);

/* Whether `iq` holds a frequency-correction burst (a tone a quarter of the symbol rate above
 * the carrier, within EQ_FCCH_MAX_HZ of it): 1, with the tone's offset in Hz in `*freq_offset`;
 * 0 otherwise.  The burst must be within +-EQ_SEARCH symbols of on time. */
int eq_fcch_detect(const int16_t iq[2 * EQ_WINDOW], int32_t *freq_offset);
