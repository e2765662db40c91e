/*
 * The layer-3 messages of the mobile station (3GPP TS 44.018 RR, TS 24.008 MM and CC): one
 * decoded form, struct l3_msg, and one table in msgs.c that says which information elements
 * each message carries, in which format (V, TV, LV, TLV, T) and of which kind.  Encoding,
 * decoding and the text dump all walk that table; no message has code of its own.
 *
 * Invariants: a field is meaningful only when its bit (1 << L3_F_*) is set in `present`;
 * l3_encode() writes exactly the present fields the message's table lists (mandatory ones must
 * be present) and l3_decode() sets exactly those it found; digit strings are NUL-terminated.
 * Messages sent on the CCCH (system information, paging, immediate assignment) begin with the
 * L2 pseudo length (44.018 10.5.2.19) and are padded to 23 octets with 0x2B.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Protocol discriminators (24.007 11.2.3.1.1) */
#define L3_PD_CC    3
#define L3_PD_MM    5
#define L3_PD_RR    6

/* Message types (44.018 10.4, 24.008 10.4) */
#define L3_RR_SI1               0x19
#define L3_RR_SI2               0x1A
#define L3_RR_SI3               0x1B
#define L3_RR_SI4               0x1C
#define L3_RR_PAGING_REQ1       0x21
#define L3_RR_PAGING_REQ2       0x22
#define L3_RR_PAGING_REQ3       0x24
#define L3_RR_IMM_ASSIGN        0x3F
#define L3_RR_CHANNEL_RELEASE   0x0D
#define L3_RR_PAGING_RESPONSE   0x27
#define L3_RR_ASSIGN_CMD        0x2E
#define L3_RR_ASSIGN_COMPLETE   0x29
#define L3_RR_MEAS_REPORT       0x15
#define L3_MM_LU_REQUEST        0x08
#define L3_MM_LU_ACCEPT         0x02
#define L3_MM_LU_REJECT         0x04
#define L3_MM_TMSI_REALLOC_CMPL 0x1B
#define L3_MM_IMSI_DETACH       0x01
#define L3_MM_CM_SERV_REQ       0x24
#define L3_MM_CM_SERV_ACCEPT    0x21
#define L3_CC_SETUP             0x05
#define L3_CC_CALL_PROCEEDING   0x02
#define L3_CC_CALL_CONFIRMED    0x08
#define L3_CC_ALERTING          0x01
#define L3_CC_CONNECT           0x07
#define L3_CC_CONNECT_ACK       0x0F
#define L3_CC_DISCONNECT        0x25
#define L3_CC_RELEASE           0x2D
#define L3_CC_RELEASE_COMPLETE  0x2A

/* Mobile identity types (24.008 10.5.1.4) */
#define L3_MI_NONE  0
#define L3_MI_IMSI  1
#define L3_MI_IMEI  2
#define L3_MI_TMSI  4

#define L3_CCCH_LEN     23
#define L3_FILL         0x2B
#define L3_DIGITS_MAX   32      /* the BCD numbers this stack handles */
#define L3_OCTETS_MAX   16

enum l3_field {
    L3_F_HALVES,        /* the two half-octet Vs after the header: lo (bits 1-4), hi (5-8) */
    L3_F_LAI,
    L3_F_MI,
    L3_F_MI2,
    L3_F_CM1,
    L3_F_CM2,
    L3_F_CAUSE,         /* RR cause, MM reject cause */
    L3_F_CELL_ID,
    L3_F_CCCH_DESC,
    L3_F_CELL_OPT,
    L3_F_CELL_SEL,
    L3_F_RACH,
    L3_F_CHAN,
    L3_F_REQ_REF,
    L3_F_TA,
    L3_F_MA,
    L3_F_POWER,
    L3_F_BEARER,
    L3_F_CALLING,
    L3_F_CALLED,
    L3_F_CC_CAUSE,
    L3_F_FOLLOW_ON,
    L3_F_CELL_CHAN,     /* SI1's cell allocation */
    L3_F_NCELL,         /* SI2's neighbour cells (the BA list) */
    L3_F_NCC_PERM,
    L3_F_CBCH,          /* SI4's CBCH channel description */
    L3_F_START,         /* starting time */
    L3_F_TMSI1,         /* paging types 2 and 3: TMSIs as V elements */
    L3_F_TMSI2,
    L3_F_TMSI3,
    L3_F_TMSI4,
    L3_F_MEAS,          /* measurement report's measurement results (16 octets as sent) */
    L3_F_COUNT,         /* at most 32: `present` has a bit for each */
};

struct l3_lai { uint16_t mcc, mnc; uint8_t mnc_digits; uint16_t lac; };
struct l3_mi { uint8_t type; uint32_t tmsi; char digits[16]; };
struct l3_octets { uint8_t len; uint8_t data[L3_OCTETS_MAX]; };
struct l3_bcd { uint8_t ton, npi; bool has_3a; uint8_t octet_3a; char digits[L3_DIGITS_MAX + 1]; };
struct l3_cc_cause { uint8_t coding, location, value; };
struct l3_ccch_desc { uint8_t mscr, att, bs_ag_blks_res, ccch_conf, bs_pa_mfrms, t3212; };
struct l3_cell_opt { uint8_t pwrc, dtx, rlt; };
struct l3_cell_sel { uint8_t hyst, ms_txpwr_max_cch, acs, neci, rxlev_access_min; };
struct l3_rach { uint8_t max_retrans, tx_integer, cell_barred, re; uint16_t acc; };
struct l3_chan { uint8_t type_tn, tsc, hopping, maio, hsn; uint16_t arfcn; };
struct l3_req_ref { uint8_t ra, t1, t2, t3; };
struct l3_start { uint8_t t1, t2, t3; };        /* 44.018 10.5.2.38: T1' = T1 mod 32 */

/* A frequency list of 16 octets (44.018 10.5.2.1b cell channel description, 10.5.2.22
 * neighbour cell description).  `fmt` is the FORMAT-ID's two top bits (octet 2, bits 8-7);
 * only the bit map 0 format (fmt 0, P-GSM ARFCNs 1..124) is expanded, into `arfcns`: ARFCN n
 * is bit n % 32 of arfcns[n / 32].  `raw` keeps the octets whatever the format. */
#define L3_FREQ_LIST_LEN 16
struct l3_freq_list {
    uint8_t fmt, ext_ind, ba_ind;
    uint32_t arfcns[4];
    uint8_t raw[L3_FREQ_LIST_LEN];
};

struct l3_msg {
    uint8_t pd, type;
    uint8_t ti;             /* CC: transaction identifier (flag << 3 | value); else 0 */
    uint8_t seq;            /* MM and CC from the MS: N(SD) in bits 7-8 of the type octet */
    uint32_t present;       /* 1 << enum l3_field for each field held */
    uint8_t lo, hi;
    struct l3_lai lai;
    struct l3_mi mi, mi2;
    uint8_t cm1, cause, ta, power;
    struct l3_octets cm2, ma, bearer, meas;
    uint16_t cell_id;
    struct l3_ccch_desc ccch;
    struct l3_cell_opt cell_opt;
    struct l3_cell_sel cell_sel;
    struct l3_rach rach;
    struct l3_chan chan;
    struct l3_req_ref req;
    struct l3_bcd calling, called;
    struct l3_cc_cause cc_cause;
    struct l3_freq_list cell_chan, ncell;
    uint8_t ncc_permitted;
    struct l3_chan cbch;
    struct l3_start start;
    uint32_t tmsi[4];
};

enum l3_err {
    L3_E_SHORT = -1,        /* the message ends inside an element */
    L3_E_UNKNOWN = -2,      /* a protocol discriminator or message type not in the table */
    L3_E_MISSING = -3,      /* a mandatory element is absent (encode) */
    L3_E_VALUE = -4,        /* an element's length or contents are outside its coding */
    L3_E_SPACE = -5,        /* the output buffer is too small */
};

/* Decodes one message (on the CCCH: the 23-octet block with its L2 pseudo length).  Unknown
 * optional elements are skipped per 24.007 11.2.4; returns 0 or an enum l3_err. */
int l3_decode(struct l3_msg *m, const uint8_t *buf, size_t len);

/* Encodes m into buf; returns the length written or an enum l3_err. */
int l3_encode(const struct l3_msg *m, uint8_t *buf, size_t cap);

/* "name.sub=value;" for every present field in table order, NUL-terminated; returns length. */
size_t l3_dump(const struct l3_msg *m, char *buf, size_t cap);

/* The table's name for a message, or NULL. */
const char *l3_msg_name(uint8_t pd, uint8_t type);

/* Channel Request (44.018 9.1.8): the RACH's 8 bits, an establishment cause in the top bits
 * and a random reference in the rest. */
enum l3_rach_cause {
    L3_RACH_EMERGENCY,      /* 101xxxxx */
    L3_RACH_ANSWER_PAGING,  /* 100xxxxx: answer to paging, any channel */
    L3_RACH_ORIG_SPEECH,    /* 1110xxxx: originating speech call, NECI 1 */
    L3_RACH_ORIG_CALL,      /* 111xxxxx: originating call, NECI 0 */
    L3_RACH_LU,             /* 0000xxxx: location updating, NECI 1 */
    L3_RACH_OTHER_SDCCH,    /* 0001xxxx: other procedures on SDCCH, NECI 1 */
};
uint8_t l3_channel_request(enum l3_rach_cause cause, uint8_t random);
