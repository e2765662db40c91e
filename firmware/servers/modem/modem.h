/*
 * The modem's shared definitions: GSM time (TS 45.002 clause 4.3), the mobile's state as the
 * host sees it, and the events each layer reports.
 *
 * Two clocks: the mobile's `frame`, counted from MODEM_START (frame 0 begins at the start
 * time t0), which the frame clock keeps from the virtual counter; and the cell's frame
 * number FN, learnt from the SCH: fn = (frame + fn_offset) mod GSM_HYPERFRAME.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "generated/proto.h"

#define GSM_HYPERFRAME      2715648u    /* 26 x 51 x 2048 frames */
#define GSM_TIMESLOTS       8u
#define GSM_FN_UNKNOWN      0xffffffffu
/* A timeslot is 15/26 ms: TS_NUM / TS_DEN seconds. */
#define GSM_TS_NUM          15u
#define GSM_TS_DEN          26000u

/* Layer 1's state (MODEM_STATUS_INFO.l1_state). */
enum l1_state {
    L1_OFF = 0,
    L1_FCCH = 1,            /* searching the frequency correction burst */
    L1_SCH = 2,             /* reading the synchronisation burst after it */
    L1_CAMPED = 3,          /* synchronised: BCCH and CCCH by the cell's FN */
    L1_DEDICATED = 4,
};

/* Radio resource state (MODEM_STATUS_INFO.rr_state). */
enum rr_state {
    RR_NULL = 0,            /* no cell */
    RR_SELECTING = 1,       /* synchronised, reading system information */
    RR_IDLE = 2,            /* camped: listening to its paging group */
    RR_ACCESS = 3,          /* channel requests on the RACH, waiting for an assignment */
    RR_DEDICATED = 4,       /* on a dedicated channel (SDCCH), the main signalling link up */
    RR_RELEASING = 5,       /* channel release received: disconnecting the link */
};

/* Mobility management state (MODEM_STATUS_INFO.mm_state), TS 24.008 4.1.2.1 simplified. */
enum mm_state {
    MM_NULL = 0,                    /* no cell yet */
    MM_IDLE_NOT_UPDATED = 1,        /* camped, not registered */
    MM_LU_INITIATED = 2,            /* location updating request sent */
    MM_WAIT_NETWORK = 3,            /* accepted; the network releases the connection */
    MM_IDLE_UPDATED = 4,            /* registered: the TMSI and the LAI are valid */
};

/* Event codes per layer (MODEM_EVENT.code); docs/modem.md lists them with a and b. */
enum {
    EV_RADIO_STARTED = 1,   /* a: frames it will run (0: until MODEM_STOP) */
    EV_RADIO_STOPPED = 2,   /* a: frames run, b: uplink bursts transmitted (sent to the host) */
    EV_RADIO_UNDERRUN = 3,  /* a: tn; first of a run only */
    EV_L1_FCCH = 1,         /* a: frequency offset in Hz */
    EV_L1_SCH = 2,          /* a: BSIC, b: FN */
    EV_L1_SYNC_LOST = 3,    /* a: SCH failures in a row */
    EV_L1_BLOCK_BAD = 4,    /* a: channel (enum l1_chan), b: FN of the block's first burst */
    EV_L1_SPEECH = 5,       /* a: speech frames received intact, b: received otherwise (the
                             * traffic channel ended) */
    EV_RR_SI = 1,           /* a: SI type (1-4), b: FN */
    EV_RR_CAMPED = 2,       /* a: cell identity, b: LAC */
    EV_RR_PAGED = 3,        /* a: paging block, b: FN */
    EV_RR_PAGE_MISSED = 4,
    EV_RR_RACH = 5,         /* a: RA (the channel request), b: FN it went on */
    EV_RR_ASSIGNED = 6,     /* a: channel description octet (type, TN), b: FN the channel starts */
    EV_RR_RELEASED = 7,     /* a: RR cause (0 normal), b: 1 when the link was released normally */
    EV_RR_ACCESS_FAILED = 8, /* a: channel requests sent */
    EV_RR_LINK_FAILURE = 9, /* radio link failure (45.008 5.2): a: SACCH blocks lost in a row */
    EV_L2_ESTABLISHED = 1,  /* a: SAPI */
    EV_L2_RELEASED = 2,     /* a: SAPI, b: cause (lapdm.h) */
    EV_L2_ERROR = 3,        /* a: SAPI, b: cause */
    EV_MM_LU_STARTED = 1,   /* a: location updating type */
    EV_MM_LU_ACCEPTED = 2,  /* a: the TMSI allocated (0xffffffff: none), b: LAC */
    EV_MM_LU_REJECTED = 3,  /* a: reject cause */
    EV_MM_LU_FAILED = 4,    /* a: 1 no cell or no channel, 2 the connection was lost */
    EV_MM_UPDATED = 5,      /* a: the TMSI, b: LAC: registered, the connection released */
    EV_MM_SERVICE_ACCEPTED = 6,
    EV_CC_SETUP = 1,        /* a: the call state (cc.h) after the event, for every CC event */
    EV_CC_PROCEEDING = 2,
    EV_CC_ALERTING = 3,
    EV_CC_CONNECTED = 4,
    EV_CC_DISCONNECT = 5,
    EV_CC_RELEASED = 6,
};

/* The mobile's random choices (RACH slots and references), from MODEM_START's seed so that a
 * scenario repeats: xorshift32 (Marsaglia 2003), a seed of 0 taken as 0x9E3779B9.  The
 * simulated network draws the same numbers to answer at frames fixed by the scenario. */
static inline uint32_t modem_random(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9E3779B9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* The mobile's state, written by its owners (named per field), read by anyone. */
struct modem_state {
    volatile uint32_t frame;        /* the frame clock */
    volatile uint32_t fn_offset;    /* layer 1: cell FN - frame, or GSM_FN_UNKNOWN */
    volatile uint8_t l1_state;      /* layer 1 */
    volatile uint8_t bsic;          /* layer 1 */
    volatile uint8_t rr_state;      /* RR */
    volatile uint8_t mm_state;      /* MM (the RR task) */
    volatile uint8_t cc_state;      /* CC (the RR task) */
    volatile uint32_t tmsi;         /* MM: 0xffffffff when none */
    volatile uint8_t running;       /* the frame clock */
    /* layer 1's block counters */
    volatile uint32_t blocks_ok, blocks_bad, bit_errors, bits;
    /* layer 1's TCH/F speech frames received: with the test pattern intact, not, stolen (FACCH) */
    volatile uint32_t speech_ok, speech_bad, speech_stolen;
    /* layer 1's dedicated-channel quality, for measurement reports: coded bits decoded and the
     * channel errors the decoders saw in them (counting up; RR takes differences), and the last
     * SACCH burst's SNR estimate (1/256 dB) */
    volatile uint32_t ded_bits, ded_bit_errors;
    volatile int32_t rx_snr_q8;
};
extern struct modem_state modem;

static inline uint32_t modem_fn(uint32_t frame)
{
    uint32_t off = modem.fn_offset;
    return off == GSM_FN_UNKNOWN ? GSM_FN_UNKNOWN : (frame + off) % GSM_HYPERFRAME;
}

/* Report an event to the host (any task; queued, sent by the link task), stamped with the
 * frame clock's frame, or with `frame`: the frame of the burst it is about. */
void modem_event(uint8_t layer, uint8_t code, uint32_t a, uint32_t b, const char *text);
void modem_event_at(uint32_t frame, uint8_t layer, uint8_t code, uint32_t a, uint32_t b, const char *text);
