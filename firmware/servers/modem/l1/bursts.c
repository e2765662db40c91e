/*
 * The training sequences of TS 45.002: 5.2.3 table 5.2.3-1 (normal bursts, TSC set 1, BN61..86)
 * 5.2.5 (the synchronisation burst's extended sequence, BN42..105) and 5.2.7 (the access
 * burst's extended tail, BN0..7, and synchronisation sequence, BN8..48).
 */
#include "bursts.h"

#include "lib/string.h"

const uint8_t gsm_tsc[GSM_TSC_COUNT][GSM_TSC_BITS] = {
    { 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1 },
    { 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1 },
    { 0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0 },
    { 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0 },
    { 0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1 },
    { 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0 },
    { 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1 },
    { 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0 },
};

const uint8_t gsm_sch_training[GSM_SCH_TRAINING_BITS] = {
    1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
    0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1,
};

const uint8_t gsm_ab_tail[GSM_AB_TAIL_BITS] = { 0, 0, 1, 1, 1, 0, 1, 0 };

const uint8_t gsm_ab_sync[GSM_AB_SYNC_BITS] = {
    0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1,
    0, 0, 0, 1, 1, 1, 1, 0, 0, 0,
};

void gsm_normal_burst(const uint8_t e[GSM_NB_PAYLOAD], unsigned tsc, uint8_t bits[GSM_BURST_SYMBOLS])
{
    memset(bits, 0, GSM_BURST_SYMBOLS);
    memcpy(bits + GSM_TAIL_BITS, e, 58);                        /* e(0..56) and hl: BN3..60 */
    memcpy(bits + GSM_NB_TRAINING_START, gsm_tsc[tsc & 7], GSM_TSC_BITS);
    memcpy(bits + GSM_NB_TRAINING_START + GSM_TSC_BITS, e + 58, 58);   /* hu, e(59..115): BN87..144 */
}

void gsm_access_burst(const uint8_t coded[36], uint8_t bits[GSM_BURST_SYMBOLS])
{
    memset(bits, 0, GSM_BURST_SYMBOLS);
    memcpy(bits, gsm_ab_tail, GSM_AB_TAIL_BITS);
    memcpy(bits + GSM_AB_TAIL_BITS, gsm_ab_sync, GSM_AB_SYNC_BITS);
    memcpy(bits + GSM_AB_PAYLOAD_START, coded, 36);
}
