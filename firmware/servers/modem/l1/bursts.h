/*
 * The GSM burst formats of 3GPP TS 45.002 5.2 as the mobile's receiver sees them: where each
 * part of a burst sits (burst bit numbers BN0..BN147) and the training sequences.
 * Invariants: every table here is the spec's, bit for bit, held by tests/host/test_modem_phy.py
 * against host/bts/gmsk.py's own copy; a training bit of 1 is sent as the symbol -1.
 */
#pragma once

#include <stdint.h>

#define GSM_BURST_SYMBOLS       148     /* tail + useful + tail bits of every burst */
#define GSM_TAIL_BITS           3       /* zero bits at each end of a burst */

#define GSM_TSC_COUNT           8       /* normal-burst training sequences (set 1) */
#define GSM_TSC_BITS            26
#define GSM_NB_TRAINING_START   61      /* BN of a normal burst's first training bit */
#define GSM_NB_PAYLOAD          116     /* data bits and stealing flags */

#define GSM_SCH_TRAINING_BITS   64
#define GSM_SB_TRAINING_START   42      /* BN of a synchronisation burst's first training bit */
#define GSM_SB_PAYLOAD          78      /* coded bits */

#define GSM_AB_TAIL_BITS        8       /* an access burst's extended tail, BN0..7 */
#define GSM_AB_SYNC_BITS        41      /* its synchronisation sequence, BN8..48 */
#define GSM_AB_PAYLOAD_START    49      /* BN of its first coded bit (36 of them) */

extern const uint8_t gsm_ab_tail[GSM_AB_TAIL_BITS];
extern const uint8_t gsm_ab_sync[GSM_AB_SYNC_BITS];
extern const uint8_t gsm_tsc[GSM_TSC_COUNT][GSM_TSC_BITS];
extern const uint8_t gsm_sch_training[GSM_SCH_TRAINING_BITS];

/* The bits a transmitter sends, GSM_BURST_SYMBOLS of them, tails included (5.2.3, 5.2.7): a
 * normal burst carrying e(0..115) of 45.003 (stealing flags at e[57] = BN60, e[58] = BN87) with
 * training sequence `tsc`; an access burst carrying the RACH's 36 coded bits at BN49..84 (the
 * rest of the 148, its guard period, is 0). */
void gsm_normal_burst(const uint8_t e[GSM_NB_PAYLOAD], unsigned tsc, uint8_t bits[GSM_BURST_SYMBOLS]);
void gsm_access_burst(const uint8_t coded[36], uint8_t bits[GSM_BURST_SYMBOLS]);
