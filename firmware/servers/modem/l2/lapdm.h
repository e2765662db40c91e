/*
 * LAPDm (3GPP TS 44.006), the mobile station's side: the data link layer of one GSM control
 * channel (SDCCH, FACCH or SACCH, with its SAPI 0 and SAPI 3 data links; or BCCH/CCCH, which
 * carry Bbis frames only).
 *
 * The layer is event-driven and owns no thread: layer 1 calls lapdm_rx_frame() for every block
 * it decodes, lapdm_tx_frame() for every uplink block slot and lapdm_tick() on the TDMA frame
 * clock; layer 3 calls lapdm_establish(), lapdm_send(), lapdm_send_ui() and lapdm_release().
 * Upward, the context calls the data and event callbacks given to lapdm_init(), always from
 * inside one of those calls; a callback may call lapdm_send*() and lapdm_release() on the same
 * context but not lapdm_init().
 *
 * Invariants kept per data link: V(A) <= V(S) <= V(A) + 1 modulo 8 (window size k = 1); T200
 * runs exactly while a transmitted command awaits its answer (SABM, DISC, an I frame, or an
 * enquiry in timer recovery); a link leaves the established states only with one event to
 * layer 3; delivered L3 messages are whole (segments reassembled, at most LAPDM_L3_MAX octets).
 *
 * Everything below "Frame layouts" is a fact of TS 44.006 (clause 3 for the fields, clause 5
 * for the procedures and 5.8 for the system parameters); the rest is this implementation's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Frame layouts (TS 44.006 clause 3) ---------------------------------------------------- */

#define LAPDM_BLOCK_LEN     23      /* one L2 block: 184 bits after channel decoding */
#define LAPDM_SACCH_L1_LEN  2       /* a SACCH block begins with the L1 header (TS 44.004) */
#define LAPDM_FILL          0x2B    /* fill octet after the information field (clause 5.2) */
#define LAPDM_L3_MAX        251     /* the longest L3 message the data link carries */

/* Address field (clause 3.2): bit 8 spare, bits 7-6 LPD, bits 5-3 SAPI, bit 2 C/R, bit 1 EA. */
#define LAPDM_ADDR(lpd, sapi, cr) \
    ((uint8_t)((((lpd) & 3u) << 5) | (((sapi) & 7u) << 2) | (((cr) & 1u) << 1) | 1u))
#define LAPDM_ADDR_EA(a)    ((a) & 1u)
#define LAPDM_ADDR_CR(a)    (((a) >> 1) & 1u)
#define LAPDM_ADDR_SAPI(a)  (((a) >> 2) & 7u)
#define LAPDM_ADDR_LPD(a)   (((a) >> 5) & 3u)
#define LAPDM_LPD_NORMAL    0u      /* LPD 01 is the SMSCB, not a LAPDm data link */

/* C/R bit (clause 3.3.2): commands from the network and responses from the MS carry 1. */
#define LAPDM_CR_MS_CMD     0u
#define LAPDM_CR_MS_RESP    1u
#define LAPDM_CR_NET_CMD    1u
#define LAPDM_CR_NET_RESP   0u

/* Control field (clause 3.4, table 3 and 4).
 *   I:  N(R) in bits 8-6, P in bit 5, N(S) in bits 4-2, bit 1 = 0
 *   S:  N(R) in bits 8-6, P/F in bit 5, S in bits 4-3, bits 2-1 = 01
 *   U:  M in bits 8-6 and 4-3, P/F in bit 5, bits 2-1 = 11 */
#define LAPDM_CTL_PF        0x10u
#define LAPDM_CTL_I(nr, ns, p)  ((uint8_t)(((nr) & 7u) << 5 | ((p) ? LAPDM_CTL_PF : 0u) | ((ns) & 7u) << 1))
#define LAPDM_CTL_S(nr, s, pf)  ((uint8_t)(((nr) & 7u) << 5 | ((pf) ? LAPDM_CTL_PF : 0u) | (s) | 1u))
#define LAPDM_CTL_IS_I(c)   (((c) & 1u) == 0u)
#define LAPDM_CTL_IS_S(c)   (((c) & 3u) == 1u)
#define LAPDM_CTL_IS_U(c)   (((c) & 3u) == 3u)
#define LAPDM_CTL_NR(c)     (((c) >> 5) & 7u)
#define LAPDM_CTL_NS(c)     (((c) >> 1) & 7u)
#define LAPDM_CTL_S_KIND(c) ((c) & 0x0Cu)
#define LAPDM_CTL_U_KIND(c) ((c) & 0xEFu)
#define LAPDM_S_RR          0x00u
#define LAPDM_S_RNR         0x04u
#define LAPDM_S_REJ         0x08u
#define LAPDM_U_SABM        0x2Fu
#define LAPDM_U_DM          0x0Fu
#define LAPDM_U_UI          0x03u
#define LAPDM_U_DISC        0x43u
#define LAPDM_U_UA          0x63u

/* Length indicator (clause 3.6): L in bits 8-3, M (more segments) in bit 2, EL = 1 in bit 1. */
#define LAPDM_LEN(l, m)     ((uint8_t)(((l) & 0x3Fu) << 2 | ((m) ? 2u : 0u) | 1u))
#define LAPDM_LEN_L(o)      (((o) >> 2) & 0x3Fu)
#define LAPDM_LEN_M(o)      (((o) >> 1) & 1u)
#define LAPDM_LEN_EL(o)     ((o) & 1u)

/* N201, the longest information field (clause 5.8.3): format B on SDCCH and FACCH, format B
 * on SACCH (after the L1 header), format B4 (UI on SACCH without length indicator), Bbis. */
#define LAPDM_N201_B        20
#define LAPDM_N201_B_SACCH  18
#define LAPDM_N201_B4       19
#define LAPDM_N201_BBIS     23

/* N200 (clause 5.8.2): retransmissions of SABM or DISC, and of I frames in timer recovery. */
#define LAPDM_N200_EST_REL  5
#define LAPDM_N200_SACCH    5
#define LAPDM_N200_SDCCH    23
#define LAPDM_N200_FACCH_H  29
#define LAPDM_N200_FACCH_F  34

/* T200 (clause 5.8.1) in TDMA frames of 120/26 ms: 220 ms on SDCCH, 155 ms on FACCH, about
 * 2 s on SACCH (four SACCH periods: an answer takes at least two). */
#define LAPDM_T200_SDCCH    48
#define LAPDM_T200_FACCH    34
#define LAPDM_T200_SACCH    433

#define LAPDM_HYPERFRAME    2715648u    /* the TDMA frame number counts modulo this */

/* ---- The interface ------------------------------------------------------------------------- */

enum lapdm_chan {
    LAPDM_CH_SDCCH,
    LAPDM_CH_FACCH_F,
    LAPDM_CH_FACCH_H,
    LAPDM_CH_SACCH,
    LAPDM_CH_CCCH,          /* BCCH, PCH, AGCH: Bbis frames downlink, nothing uplink */
};

enum lapdm_event {
    LAPDM_EV_ESTABLISHED,   /* multiple-frame operation begins (either side asked for it) */
    LAPDM_EV_RELEASED,      /* the link is idle again; the cause says why */
    LAPDM_EV_ERROR,         /* the link failed (cause) and is idle: layer 3 gets no RELEASED */
};

enum lapdm_cause {
    LAPDM_CAUSE_NORMAL,         /* what this side asked for (SABM or DISC) completed */
    LAPDM_CAUSE_PEER,           /* the peer established (SABM), released (DISC) or refused
                                 * establishment (DM) */
    LAPDM_CAUSE_T200,           /* T200 expired N200 + 1 times */
    LAPDM_CAUSE_CONTENTION,     /* the UA did not echo the SABM's information field */
    LAPDM_CAUSE_SEQUENCE,       /* an N(R) outside V(A)..V(S) */
    LAPDM_CAUSE_UNSOLICITED_DM, /* DM while established */
};

enum lapdm_mode { LAPDM_UNACK, LAPDM_ACK };

enum lapdm_state {
    LAPDM_ST_IDLE,              /* TEI-assigned in LAPD terms: only UI frames */
    LAPDM_ST_EST_PENDING,       /* SABM sent, awaiting UA or DM */
    LAPDM_ST_ESTABLISHED,       /* multiple-frame operation */
    LAPDM_ST_TIMER_RECOVERY,    /* T200 expired on an I frame: retransmitting with P = 1 */
    LAPDM_ST_REL_PENDING,       /* DISC sent, awaiting UA or DM */
};

enum lapdm_err {
    LAPDM_OK = 0,
    LAPDM_E_SAPI = -1,      /* not SAPI 0 or 3, or not a data link this channel has */
    LAPDM_E_STATE = -2,     /* the link is not in a state that accepts the request */
    LAPDM_E_LEN = -3,       /* empty, or longer than the frame or LAPDM_L3_MAX allows */
    LAPDM_E_FULL = -4,      /* the transmit queue is full */
};

/* A whole L3 message from the peer: the acknowledged ones in order, exactly once. */
typedef void lapdm_data_fn(void *arg, uint8_t sapi, enum lapdm_mode mode,
                           const uint8_t *l3, size_t len);
typedef void lapdm_event_fn(void *arg, uint8_t sapi, enum lapdm_event event,
                            enum lapdm_cause cause);

#define LAPDM_TXQ_DEPTH 4       /* acknowledged-mode messages waiting per data link */
#define LAPDM_UIQ_DEPTH 2       /* unacknowledged messages waiting per data link */

struct lapdm_ui {
    uint8_t len;
    uint8_t data[LAPDM_N201_B];
};

struct lapdm_msg {
    uint16_t len;
    uint8_t data[LAPDM_L3_MAX];
};

struct lapdm_link {
    uint8_t sapi;
    uint8_t state;              /* enum lapdm_state */
    uint8_t vs, vr, va;         /* send, receive and acknowledge state variables, modulo 8 */
    uint8_t rc;                 /* retransmissions of the outstanding command so far */
    bool t200_on;
    uint32_t t200_start;        /* frame number at which the outstanding command went out */
    bool cmd_owed;              /* the outstanding command (or an enquiry) must go (again) */
    bool peer_busy;             /* the peer sent RNR */
    bool reject;                /* an N(S) sequence error was answered by REJ */
    uint8_t resp;               /* a response owed: 0 or LAPDM_S_* | 1, LAPDM_U_UA, LAPDM_U_DM */
    bool resp_f;                /* ...with the F bit set */
    uint8_t est_len;            /* the SABM's information field (contention resolution) */
    uint8_t est[LAPDM_N201_B];
    uint8_t txq_head, txq_count;
    uint16_t tx_off;            /* where the outstanding segment of txq[txq_head] starts */
    uint8_t tx_seg;             /* its length; 0 when no I frame is outstanding */
    uint8_t uiq_head, uiq_count;
    struct lapdm_msg txq[LAPDM_TXQ_DEPTH];
    struct lapdm_ui uiq[LAPDM_UIQ_DEPTH];
    uint16_t rx_len;            /* octets reassembled so far */
    bool rx_drop;               /* a message over LAPDM_L3_MAX is discarded, not delivered */
    uint8_t rx[LAPDM_L3_MAX];
};

struct lapdm_ctx {
    uint8_t chan;               /* enum lapdm_chan */
    uint8_t n201;               /* information field of a format B frame on this channel */
    uint8_t n200;               /* timer-recovery retransmissions on this channel */
    uint16_t t200;              /* in TDMA frames */
    uint32_t now;               /* the last frame number lapdm_tick() saw */
    uint8_t l1_header[LAPDM_SACCH_L1_LEN];  /* the last SACCH block's L1 header */
    lapdm_data_fn *data;
    lapdm_event_fn *event;
    void *arg;
    struct lapdm_link link[2];  /* SAPI 0 and SAPI 3 */
};

/* The context's size, for callers that allocate it without this header (tests through ctypes). */
size_t lapdm_ctx_size(void);

/* Resets every data link to idle, without frames or events (the channel was released). */
void lapdm_init(struct lapdm_ctx *ctx, enum lapdm_chan chan,
                lapdm_data_fn *data, lapdm_event_fn *event, void *arg);

/* Multiple-frame establishment by SABM.  l3/len, if len > 0, is the initial L3 message for
 * contention resolution (at most N201 octets): the link is established only when the UA echoes
 * it.  LAPDM_EV_ESTABLISHED or LAPDM_EV_ERROR follows. */
int lapdm_establish(struct lapdm_ctx *ctx, uint8_t sapi, const uint8_t *l3, size_t len);

/* Normal release by DISC; LAPDM_EV_RELEASED follows.  Queued messages are discarded. */
int lapdm_release(struct lapdm_ctx *ctx, uint8_t sapi);

/* Queues an L3 message for acknowledged transfer (segmented when longer than N201). */
int lapdm_send(struct lapdm_ctx *ctx, uint8_t sapi, const uint8_t *l3, size_t len);

/* Queues an L3 message of at most N201 octets for one UI frame. */
int lapdm_send_ui(struct lapdm_ctx *ctx, uint8_t sapi, const uint8_t *l3, size_t len);

/* One block from layer 1: LAPDM_BLOCK_LEN octets (on SACCH the L1 header first). */
void lapdm_rx_frame(struct lapdm_ctx *ctx, const uint8_t *block, size_t len);

/* Fills out[LAPDM_BLOCK_LEN] with the next uplink frame; on SACCH octets 0-1 are left for the
 * L1 header.  Returns false when there is nothing to send on SACCH (no fill frame there) and on
 * CCCH; on SDCCH and FACCH it returns a fill frame then. */
bool lapdm_tx_frame(struct lapdm_ctx *ctx, uint8_t *out);

/* The TDMA frame clock: expires T200.  fn counts modulo LAPDM_HYPERFRAME. */
void lapdm_tick(struct lapdm_ctx *ctx, uint32_t fn);

/* Read-only views for the layers above and for tests. */
int lapdm_link_state(const struct lapdm_ctx *ctx, uint8_t sapi);   /* enum lapdm_state, or <0 */
uint32_t lapdm_link_vars(const struct lapdm_ctx *ctx, uint8_t sapi);
                                   /* V(S) | V(R) << 8 | V(A) << 16 | queued messages << 24 */
