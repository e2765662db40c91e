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

extern const uint8_t gsm_tsc[GSM_TSC_COUNT][GSM_TSC_BITS];
extern const uint8_t gsm_sch_training[GSM_SCH_TRAINING_BITS];
