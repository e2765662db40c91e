/*
 * Radio resources (rr.h).  The RR task owns everything here: the cell's system information,
 * the state, the access procedure, the dedicated channel's LAPDm context, and MM (mm.c), which
 * it calls.  Two inputs wake it: decoded blocks from layer 1's decoder (a queue, single
 * producer, single consumer) and the frame clock at the frame RR asked for (`wake_frame`).
 *
 * Camping needs SI1 to SI4 of the cell (TS 44.018 clause 3.2.2).  Then it listens to its
 * paging group only (TS 45.002 clause 6.5.2).  The user's action (MODEM_START) starts the
 * random access of 44.018 3.3.1.1.2: channel requests on the RACH at slots drawn from the
 * seed, listening to the whole CCCH for an immediate assignment that answers one of the last
 * three.  On the assigned SDCCH/8 the main signalling link is established with the initial
 * message in the SABM; every uplink block of the channel carries what LAPDm gives (a fill frame
 * when nothing); a CHANNEL RELEASE disconnects the link (DISC) and goes back to idle.
 */
#include "l1/bursts.h"
#include "l1/coding.h"
#include "l2/lapdm.h"
#include "l3/msgs.h"
#include "l3/sysinfo.h"
#include "l4.h"
#include "lib/string.h"
#include "cc.h"
#include "mm.h"
#include "modem.h"
#include "radio.h"
#include "rr.h"
#include "rtos.h"

#define FLAG_BLOCK  0x1u
#define FLAG_WAKE   0x2u
#define RR_QUEUE    8u
#define SI_ALL      0x1eu           /* bits 1-4: SI1..SI4 */
#define NO_FRAME    0xffffffffu
#define PENDING_MAX 4u              /* L3 messages one LAPDm frame can complete */

struct rr_block {
    uint8_t chan;
    uint32_t fn;
    uint64_t release;
    uint8_t l2[23];
};

static struct rr_block queue[RR_QUEUE];
static volatile uint32_t q_head, q_tail;
static osThreadId_t rr_task_id;
static struct rt_stats rr_stats = { .name = "rr" }, ul_stats = { .name = "ulblock" };

/* The frame clock reads these: RR's wake-up frame, and the counter when it fired. */
static volatile uint32_t wake_frame = NO_FRAME;
static volatile uint64_t wake_time;
static volatile uint32_t woken_frame;      /* the frame it fired at */

/* the RR task's */
static char imsi[16];               /* the IMSI's digits, NUL-terminated */
static uint32_t random_state;
static unsigned si_seen;
static struct l3_ccch_desc ccch;
static struct l3_lai lai;
static struct l3_rach rach;
static struct l3_cell_opt cell_opt;
static uint16_t cell_id;
static uint32_t pages_heard;
static uint8_t action;
static uint32_t action_frame;
static char number[17];             /* what the user dials */

/* the access procedure (44.018 3.3.1.1.2) */
static uint8_t est_msg[LAPDM_N201_B];
static size_t est_len;
static enum l3_rach_cause access_cause;
static struct { uint8_t ra; uint32_t fn; } requests[3];    /* the last three sent */
static unsigned requests_sent, retrans_left;
static uint32_t next_request;       /* the mobile frame of the next channel request */

/* dedicated mode */
static struct l1_dedicated channel;
static struct lapdm_ctx dcch;
static struct { uint16_t len; uint8_t data[LAPDM_L3_MAX]; } pending[PENDING_MAX];
static unsigned pending_count;
static struct { uint8_t sapi, event, cause; bool valid; } link_event;
static uint8_t tx_ring[8][GSM_BURST_BITS];  /* TCH/F uplink: the last 8 bursts' bits, by index mod 8 */
static bool on_tch;
static struct lapdm_ctx sacch;
static uint8_t sacch_tx[4][GSM_BURST_BITS]; /* the SACCH uplink block being sent */
static int link_counter;                    /* 45.008 5.2's radio link counter S */
static uint32_t meas_bits, meas_errors;     /* layer 1's counters at the last report */
static volatile unsigned woken_mask;        /* the frame clock: what of the uplink is due */

static inline bool frame_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

/* The mobile frame at which the cell's frame number is `fn`: the one nearest `modem.frame`
 * (within half a hyperframe either way). */
static uint32_t frame_of(uint32_t fn)
{
    uint32_t now = modem.frame, now_fn = modem_fn(now);
    uint32_t ahead = (fn + GSM_HYPERFRAME - now_fn) % GSM_HYPERFRAME;
    return ahead < GSM_HYPERFRAME / 2 ? now + ahead : now - (GSM_HYPERFRAME - ahead);
}

/* Be woken by the frame clock at the end of timeslot 0 of `frame` (at once if it has passed). */
static void wake_at(uint32_t frame)
{
    if (!frame_after(frame, modem.frame))
        frame = modem.frame + 1;
    wake_frame = frame;
}

void rr_frame(uint32_t frame)
{
    uint8_t state = modem.rr_state;

    if (state == RR_DEDICATED || state == RR_RELEASING) {
        unsigned mask = l1_ul_blocks(frame + RR_UL_LEAD);
        if (mask) {
            woken_frame = frame;
            woken_mask = mask;
            wake_time = l4_vcounter();
            osThreadFlagsSet(rr_task_id, FLAG_WAKE);
        }
        return;
    }
    if (frame == wake_frame) {
        wake_frame = NO_FRAME;
        woken_frame = frame;
        wake_time = l4_vcounter();
        osThreadFlagsSet(rr_task_id, FLAG_WAKE);
    }
}

/* MODEM_START's BCD digits (two per octet, the first in the low half, up to the first
 * nibble that is not a digit) as a NUL-terminated string of at most cap - 1 digits. */
static void bcd_digits(const uint8_t bcd[8], char *out, size_t cap)
{
    size_t n = 0;

    for (; n < cap - 1 && n < 16; n++) {
        uint8_t d = n & 1 ? bcd[n / 2] >> 4 : bcd[n / 2] & 0xf;
        if (d > 9)
            break;
        out[n] = (char)('0' + d);
    }
    out[n] = 0;
}

void rr_start(uint32_t seed, const uint8_t bcd[8])
{
    bcd_digits(bcd, imsi, sizeof imsi);
    random_state = seed;
    si_seen = 0;
    pages_heard = 0;
    action = PROTO_ACTION_NONE;
    wake_frame = NO_FRAME;
    q_tail = q_head;
    rt_stats_reset(&rr_stats);
    rt_stats_reset(&ul_stats);
    modem.rr_state = RR_NULL;
    on_tch = false;
    mm_start(imsi);
    cc_start();
}

void rr_action(uint8_t what, uint32_t frame, const uint8_t bcd[8])
{
    bcd_digits(bcd, number, sizeof number);
    action = what;
    action_frame = frame;
    if (what != PROTO_ACTION_NONE)
        wake_frame = frame >= RR_UL_LEAD ? frame - RR_UL_LEAD : 0;
}

unsigned rr_task_stats(const struct rt_stats **out, unsigned max)
{
    unsigned n = 0;
    if (n < max)
        out[n++] = &rr_stats;
    if (n < max)
        out[n++] = &ul_stats;
    return n;
}

void rr_block(enum l1_chan chan, uint32_t fn, uint64_t release, const uint8_t l2[23])
{
    struct rr_block *b;

    if (q_head - q_tail == RR_QUEUE) {
        rt_job_lost(&rr_stats);
        return;
    }
    b = &queue[q_head % RR_QUEUE];
    b->chan = (uint8_t)chan;
    b->fn = fn;
    b->release = release;
    memcpy(b->l2, l2, sizeof b->l2);
    __asm__ volatile("dmb" ::: "memory");
    q_head++;
    osThreadFlagsSet(rr_task_id, FLAG_BLOCK);
}

/* ---- Idle mode ------------------------------------------------------------------------ */

/* Listen to the paging block of the IMSI's paging group (TS 45.002 clause 6.5.2). */
static void listen_to_paging(void)
{
    struct l3_paging p;

    if (l3_paging_block(&ccch, l3_imsi_mod_1000(imsi), &p) == 0)
        l1_set_paging(p.block, p.period, p.mf);
}

static bool is_me(const struct l3_mi *mi)
{
    return mi->type == L3_MI_IMSI && strlen(mi->digits) == strlen(imsi) &&
           memcmp(mi->digits, imsi, strlen(imsi)) == 0;
}

static void bcch(uint32_t fn, const struct l3_msg *m)
{
    unsigned si;
    char text[24];

    switch (m->type) {
    case L3_RR_SI1: si = 1; break;
    case L3_RR_SI2: si = 2; break;
    case L3_RR_SI3: si = 3; break;
    case L3_RR_SI4: si = 4; break;
    default: return;
    }
    if (si == 3) {
        ccch = m->ccch;
        cell_opt = m->cell_opt;
        lai = m->lai;
        cell_id = m->cell_id;
    }
    if (m->present & 1u << L3_F_RACH)
        rach = m->rach;
    if (!(si_seen & 1u << si)) {
        fmt(text, sizeof text, "system information %u", si);
        modem_event(PROTO_MODEM_RR, EV_RR_SI, si, fn, text);
    }
    si_seen |= 1u << si;
    if (modem.rr_state < RR_IDLE && (si_seen & SI_ALL) == SI_ALL) {
        modem.rr_state = RR_IDLE;
        listen_to_paging();
        mm_camped(&lai);
        modem_event(PROTO_MODEM_RR, EV_RR_CAMPED, cell_id, lai.lac, "camped on the cell");
    }
}

/* ---- The random access procedure (44.018 3.3.1.1.2) ---------------------------------- */

/* Tx-integer T (44.018 10.5.2.29) and the spread S for a non-combined CCCH (table 3.3.1.1.2.1). */
static unsigned access_t(void)
{
    static const uint8_t t[16] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50 };
    return t[rach.tx_integer & 15u];
}

static unsigned access_s(unsigned t)
{
    switch (t) {
    case 3: case 8: case 14: case 50: return 55;
    case 4: case 9: case 16: return 76;
    case 5: case 10: case 20: return 109;
    case 6: case 11: case 25: return 163;
    default: return 217;                        /* 7, 12, 32 */
    }
}

/* Queues the channel request for `next_request` and draws when the one after it would go. */
static void send_request(void)
{
    uint8_t coded[GSM_RACH_CODED], bits[TX_BURST_BITS];
    uint8_t ra = l3_channel_request(access_cause, (uint8_t)modem_random(&random_state));
    uint32_t fn = modem_fn(next_request);
    unsigned t = access_t();

    gsm_rach_encode(ra, modem.bsic, coded);
    gsm_access_burst(coded, bits);
    if (radio_tx_put(next_request, 0, TX_ACCESS, bits) != 0)
        rt_job_lost(&ul_stats);
    requests[requests_sent % 3].ra = ra;
    requests[requests_sent % 3].fn = fn;
    requests_sent++;
    modem_event_at(next_request, PROTO_MODEM_RR, EV_RR_RACH, ra, fn, "channel request");
    next_request += access_s(t) + modem_random(&random_state) % t;
    wake_at(next_request - RR_UL_LEAD);
}

/* The first channel request goes at a random slot from `access_from`: the user's action frame,
 * or RR_PAGE_RESPONSE_FRAMES after the block that paged. */
static uint32_t access_from;

int rr_establish(enum l3_rach_cause cause, const uint8_t *l3, size_t len)
{
    static const uint8_t retrans[4] = { 1, 2, 4, 7 };
    unsigned t = access_t();

    if (modem.rr_state != RR_IDLE || len > sizeof est_msg)
        return -1;
    memcpy(est_msg, l3, len);
    est_len = len;
    access_cause = cause;
    requests_sent = 0;
    retrans_left = retrans[rach.max_retrans & 3u];
    next_request = access_from + modem_random(&random_state) % (t > 8 ? t : 8);
    modem.rr_state = RR_ACCESS;
    l1_set_access(true);
    send_request();
    return 0;
}

/* The frame clock reached the next request's lead: another try, or the end of them (T3126
 * is taken as the spread after the last request). */
static void access_wake(void)
{
    if (retrans_left > 0) {
        retrans_left--;
        send_request();
        return;
    }
    modem.rr_state = RR_IDLE;
    l1_set_access(false);
    listen_to_paging();
    modem_event(PROTO_MODEM_RR, EV_RR_ACCESS_FAILED, requests_sent, 0, "no answer to the channel requests");
    mm_access_failed();
}

static bool answers_me(const struct l3_req_ref *r)
{
    unsigned n = requests_sent < 3 ? requests_sent : 3;

    for (unsigned i = 0; i < n; i++) {
        uint32_t fn = requests[i].fn;
        if (r->ra == requests[i].ra && r->t1 == (fn / 1326) % 32 && r->t2 == fn % 26 && r->t3 == fn % 51)
            return true;
    }
    return false;
}

/* ---- Dedicated mode -------------------------------------------------------------------- */

static void sacch_start(void);

static void on_data(void *arg, uint8_t sapi, enum lapdm_mode mode, const uint8_t *l3, size_t len)
{
    (void)arg;
    (void)mode;
    if (sapi != 0 || pending_count == PENDING_MAX || len > LAPDM_L3_MAX)
        return;
    pending[pending_count].len = (uint16_t)len;
    memcpy(pending[pending_count].data, l3, len);
    pending_count++;
}

static void on_event(void *arg, uint8_t sapi, enum lapdm_event event, enum lapdm_cause cause)
{
    (void)arg;
    link_event.sapi = sapi;
    link_event.event = (uint8_t)event;
    link_event.cause = (uint8_t)cause;
    link_event.valid = true;
}

static void assigned(uint32_t block_fn, const struct l3_msg *m)
{
    uint8_t type = m->chan.type_tn >> 3;
    uint32_t from = (block_fn + RR_ACTIVATION_FRAMES) % GSM_HYPERFRAME;

    if ((type & 0x18u) != 0x08u || m->chan.hopping) {       /* SDCCH/8 (01xxx), no hopping */
        modem_event(PROTO_MODEM_RR, EV_RR_ASSIGNED, m->chan.type_tn, 0, "assigned a channel it does not have");
        return;
    }
    channel.kind = L1_DED_SDCCH8;
    channel.tn = m->chan.type_tn & 7u;
    channel.tsc = m->chan.tsc;
    channel.sub = type & 7u;
    lapdm_init(&dcch, LAPDM_CH_SDCCH, on_data, on_event, NULL);
    lapdm_establish(&dcch, 0, est_msg, est_len);
    pending_count = 0;
    link_event.valid = false;
    l1_set_access(false);
    sacch_start();
    wake_frame = NO_FRAME;
    l1_dedicate(&channel, from);
    modem.rr_state = RR_DEDICATED;                 /* the frame clock wakes RR for the uplink now */
    modem_event(PROTO_MODEM_RR, EV_RR_ASSIGNED, m->chan.type_tn, from, "assigned an SDCCH");
}

static void leave_dedicated(uint8_t cause, bool normal)
{
    wake_frame = NO_FRAME;
    l1_idle();
    if (on_tch)
        modem_event(PROTO_MODEM_L1, EV_L1_SPEECH, modem.speech_ok, modem.speech_bad, "speech frames received");
    on_tch = false;
    modem.rr_state = RR_IDLE;
    listen_to_paging();
    modem_event(PROTO_MODEM_RR, EV_RR_RELEASED, cause, normal, normal ? "channel released" : "connection lost");
    mm_released(normal);
    cc_released();
}

int rr_send(const uint8_t *l3, size_t len)
{
    if (modem.rr_state != RR_DEDICATED)
        return -1;
    return lapdm_send(&dcch, 0, l3, len) == LAPDM_OK ? 0 : -1;
}

/* The next frame from LAPDm, or false when it has only a fill frame (on a TCH, speech goes then). */
static bool signalling(uint8_t l2[GSM_L2_OCTETS])
{
    lapdm_tx_frame(&dcch, l2);
    return !(l2[0] == LAPDM_ADDR(LAPDM_LPD_NORMAL, 0, LAPDM_CR_MS_CMD) && l2[1] == LAPDM_U_UI &&
             l2[2] == LAPDM_LEN(0, false));
}

/* The TCH/F uplink block starting on frame number `fn`: FACCH when LAPDm has a frame, else the
 * speech test pattern; interleaved over 8 bursts, its first 4 (with the previous block's
 * second half) queued now. */
static int tch_block(uint32_t first, uint32_t fn)
{
    uint8_t l2[GSM_L2_OCTETS], coded[GSM_BLOCK_CODED], speech[GSM_TCH_FS_BITS];
    uint32_t index = l1_tch_index(fn);
    unsigned b0 = index % 8;
    bool facch = signalling(l2);

    if (facch) {
        gsm_xcch_encode_block(l2, coded);
    } else {
        gsm_speech_pattern(fn, 1, speech);
        gsm_tch_fs_encode(speech, coded);
    }
    gsm_tch_interleave(coded, facch, b0, tx_ring);
    for (unsigned i = 0; i < 4; i++) {
        uint8_t bits[TX_BURST_BITS];
        uint32_t f = l1_tch_fn(index + i) % GSM_HYPERFRAME;
        gsm_normal_burst(tx_ring[(b0 + i) % 8], channel.tsc, bits);
        if (radio_tx_put(first + (f + GSM_HYPERFRAME - fn) % GSM_HYPERFRAME, channel.tn, TX_NORMAL, bits) != 0)
            return -1;
    }
    return 0;
}

static int sdcch_block_tx(uint32_t first)
{
    uint8_t l2[GSM_L2_OCTETS], bursts[4][GSM_BURST_BITS], bits[TX_BURST_BITS];

    lapdm_tx_frame(&dcch, l2);
    gsm_xcch_encode(l2, bursts);
    for (unsigned i = 0; i < 4; i++) {
        gsm_normal_burst(bursts[i], channel.tsc, bits);
        if (radio_tx_put(first + i, channel.tn, TX_NORMAL, bits) != 0)
            return -1;
    }
    return 0;
}

/* The uplink block of the dedicated channel that starts RR_UL_LEAD frames after `frame`. */
static void ul_block(uint32_t frame)
{
    uint32_t first = frame + RR_UL_LEAD, fn = modem_fn(first);
    uint64_t start = l4_vcounter(), due;

    lapdm_tick(&dcch, fn);
    if ((channel.kind == L1_DED_TCH_F ? tch_block(first, fn) : sdcch_block_tx(first)) != 0)
        rt_job_lost(&ul_stats);
    due = radio_slot_time((uint64_t)first * GSM_TIMESLOTS + channel.tn + 3);
    rt_job_done(&ul_stats, wake_time, start, due);
}

/* ---- The SACCH (44.018 3.4.1.2, 45.008 5.2, 8.2.4) -------------------------------------- */

static void sacch_data(void *arg, uint8_t sapi, enum lapdm_mode mode, const uint8_t *l3, size_t len)
{
    (void)arg; (void)sapi; (void)mode; (void)l3; (void)len;    /* SI5 and SI6: nothing this mobile needs */
}

static void sacch_event(void *arg, uint8_t sapi, enum lapdm_event event, enum lapdm_cause cause)
{
    (void)arg; (void)sapi; (void)event; (void)cause;
}

static void sacch_start(void)
{
    lapdm_init(&sacch, LAPDM_CH_SACCH, sacch_data, sacch_event, NULL);
    link_counter = 4 * (cell_opt.rlt + 1);          /* RADIO-LINK-TIMEOUT (44.018 10.5.2.3) */
    meas_bits = modem.ded_bits;
    meas_errors = modem.ded_bit_errors;
}

/* RXQUAL (45.008 8.2.4) of a bit error rate of errors / bits. */
static unsigned rxqual(uint32_t errors, uint32_t bits)
{
    static const uint16_t limit[7] = { 20, 40, 80, 160, 320, 640, 1280 };  /* in 0.01% */
    uint64_t ber = bits ? (uint64_t)errors * 10000u / bits : 0;
    unsigned q = 0;

    while (q < 7 && ber >= limit[q])
        q++;
    return q;
}

/* MEASUREMENT REPORT (44.018 9.1.21): the serving cell only (no neighbour measured).  The
 * simulator has no calibrated RF, so RXLEV is the training-sequence SNR estimate read as if
 * 0 dB were -100 dBm. */
static int measurement_report(uint8_t *buf, size_t cap)
{
    uint32_t bits = modem.ded_bits, errors = modem.ded_bit_errors;
    int32_t level = 10 + modem.rx_snr_q8 / 256;
    unsigned q = rxqual(errors - meas_errors, bits - meas_bits);
    struct l3_msg m;

    meas_bits = bits;
    meas_errors = errors;
    level = level < 0 ? 0 : level > 63 ? 63 : level;
    memset(&m, 0, sizeof m);
    m.pd = L3_PD_RR;
    m.type = L3_RR_MEAS_REPORT;
    m.present = 1u << L3_F_MEAS;
    m.meas.len = 16;
    m.meas.data[0] = (uint8_t)level;            /* BA-USED 0, DTX-USED 0, RXLEV-FULL */
    m.meas.data[1] = (uint8_t)level;            /* 3G-BA-USED 0, MEAS-VALID 0 (valid), RXLEV-SUB */
    m.meas.data[2] = (uint8_t)(q << 4 | q << 1 | 1u);  /* RXQUAL-FULL, RXQUAL-SUB, NO-NCELL-M 7: */
    m.meas.data[3] = 0xC0u;                     /* "neighbour cell information not available" */
    return l3_encode(&m, buf, cap);
}

/* SACCH uplink burst `burst` of its block, due RR_UL_LEAD frames after `frame`: the block is
 * made at its first burst (the L1 header, then LAPDm's frame, a measurement report when it has
 * nothing else), and each burst is queued in its turn. */
static void sacch_ul(uint32_t frame, unsigned burst)
{
    uint32_t at = frame + RR_UL_LEAD;
    uint8_t bits[TX_BURST_BITS];

    if (burst == 0) {
        uint8_t l2[GSM_L2_OCTETS], report[LAPDM_N201_B_SACCH];
        int len = measurement_report(report, sizeof report);

        if (len > 0)
            lapdm_send_ui(&sacch, 0, report, (size_t)len);
        lapdm_tx_frame(&sacch, l2);
        l2[0] = 0x05;                           /* L1 header: MS power level 5, no FPC */
        l2[1] = 0x00;                           /* actual timing advance */
        gsm_xcch_encode(l2, sacch_tx);
    }
    gsm_normal_burst(sacch_tx[burst & 3u], channel.tsc, bits);
    if (radio_tx_put(at, channel.tn, TX_NORMAL, bits) != 0)
        rt_job_lost(&ul_stats);
}

/* A SACCH block from layer 1; `ok` whether it decoded.  Radio link failure when the counter
 * runs out (45.008 5.2: -1 a lost block, +2 a good one, up to RADIO-LINK-TIMEOUT). */
static void sacch_block(bool ok, const uint8_t l2[23])
{
    int most = 4 * (cell_opt.rlt + 1);

    if (ok) {
        link_counter = link_counter + 2 > most ? most : link_counter + 2;
        lapdm_rx_frame(&sacch, l2, GSM_L2_OCTETS);
        return;
    }
    if (--link_counter <= 0) {
        modem_event(PROTO_MODEM_RR, EV_RR_LINK_FAILURE, (uint32_t)most, 0, "radio link failure");
        leave_dedicated(0, false);
    }
}

/* ASSIGNMENT COMMAND (44.018 3.4.3): leave the SDCCH (its link released locally), take the
 * TCH/F from RR_ACTIVATION_FRAMES after the block that carried the command, and establish the
 * main signalling link there; ASSIGNMENT COMPLETE follows once it is up. */
static void assignment(uint32_t block_fn, const struct l3_msg *m)
{
    uint32_t from = (block_fn + RR_ACTIVATION_FRAMES) % GSM_HYPERFRAME;

    if ((m->chan.type_tn >> 3) != 1u || m->chan.hopping) {     /* TCH/F + ACCHs, no hopping */
        modem_event(PROTO_MODEM_RR, EV_RR_ASSIGNED, m->chan.type_tn, 0, "assigned a channel it does not have");
        return;
    }
    channel.kind = L1_DED_TCH_F;
    channel.tn = m->chan.type_tn & 7u;
    channel.tsc = m->chan.tsc;
    channel.sub = 0;
    memset(tx_ring, 0, sizeof tx_ring);
    lapdm_init(&dcch, LAPDM_CH_FACCH_F, on_data, on_event, NULL);
    lapdm_establish(&dcch, 0, NULL, 0);
    link_event.valid = false;
    on_tch = true;
    sacch_start();
    l1_dedicate(&channel, from);
    modem_event(PROTO_MODEM_RR, EV_RR_ASSIGNED, m->chan.type_tn, from, "assigned a TCH/F");
}

static void dedicated_rx(uint32_t fn, const struct l3_msg *m)
{
    if (m->pd == L3_PD_RR && m->type == L3_RR_CHANNEL_RELEASE && modem.rr_state == RR_DEDICATED) {
        modem.rr_state = RR_RELEASING;
        lapdm_release(&dcch, 0);                /* 3.4.13.1.1: disconnect the main link */
    } else if (m->pd == L3_PD_RR && m->type == L3_RR_ASSIGN_CMD && modem.rr_state == RR_DEDICATED) {
        assignment(fn, m);
    } else if (m->pd == L3_PD_MM) {
        mm_rx(m);
    } else if (m->pd == L3_PD_CC) {
        cc_rx(m);
    }
}

static void assignment_complete(void)
{
    static const uint8_t complete[3] = { L3_PD_RR, L3_RR_ASSIGN_COMPLETE, 0 };     /* cause: normal */
    rr_send(complete, sizeof complete);
    cc_traffic_channel();
}

static void dcch_block(uint32_t fn, const uint8_t l2[23])
{
    lapdm_rx_frame(&dcch, l2, GSM_L2_OCTETS);
    for (unsigned i = 0; i < pending_count; i++) {
        struct l3_msg m;
        if (l3_decode(&m, pending[i].data, pending[i].len) == 0)
            dedicated_rx(fn, &m);
    }
    pending_count = 0;
    if (link_event.valid) {
        link_event.valid = false;
        switch (link_event.event) {
        case LAPDM_EV_ESTABLISHED:
            modem_event(PROTO_MODEM_L2, EV_L2_ESTABLISHED, link_event.sapi, 0, "link established");
            if (channel.kind == L1_DED_TCH_F)
                assignment_complete();
            break;
        case LAPDM_EV_RELEASED:
            modem_event(PROTO_MODEM_L2, EV_L2_RELEASED, link_event.sapi, link_event.cause, "link released");
            leave_dedicated(0, modem.rr_state == RR_RELEASING);
            break;
        default:
            modem_event(PROTO_MODEM_L2, EV_L2_ERROR, link_event.sapi, link_event.cause, "link failed");
            leave_dedicated(0, false);
            break;
        }
    }
}

/* ---- The task ------------------------------------------------------------------------- */

/* PAGING RESPONSE (44.018 9.1.25) as the initial message of a connection asked for with the
 * cause "answer to paging". */
static void answer_paging(void)
{
    static const uint8_t cm2[3] = MM_CLASSMARK2;
    struct l3_msg m;
    uint8_t buf[LAPDM_N201_B];
    int len;

    memset(&m, 0, sizeof m);
    m.pd = L3_PD_RR;
    m.type = L3_RR_PAGING_RESPONSE;
    m.present = 1u << L3_F_HALVES | 1u << L3_F_CM2 | 1u << L3_F_MI;
    m.lo = 7;                                   /* CKSN: no key */
    m.cm2.len = sizeof cm2;
    memcpy(m.cm2.data, cm2, sizeof cm2);
    m.mi.type = L3_MI_IMSI;
    memcpy(m.mi.digits, imsi, sizeof imsi);
    len = l3_encode(&m, buf, sizeof buf);
    if (len > 0)
        rr_establish(L3_RACH_ANSWER_PAGING, buf, (size_t)len);
}

static void ccch_block(uint32_t fn, const struct l3_msg *m)
{
    if (m->type == L3_RR_IMM_ASSIGN && modem.rr_state == RR_ACCESS) {
        if (answers_me(&m->req))
            assigned(fn, m);
        return;
    }
    if (m->type != L3_RR_PAGING_REQ1)
        return;
    pages_heard++;
    if (is_me(&m->mi) || ((m->present & 1u << L3_F_MI2) && is_me(&m->mi2))) {
        modem_event(PROTO_MODEM_RR, EV_RR_PAGED, (fn % 51), fn, "paged");
        if (modem.rr_state == RR_IDLE) {
            access_from = frame_of(fn) + RR_PAGE_RESPONSE_FRAMES;
            answer_paging();
        }
    }
}

static void wake(void)
{
    uint32_t frame = woken_frame;

    switch (modem.rr_state) {
    case RR_DEDICATED:
    case RR_RELEASING: {
        unsigned mask = woken_mask;
        if (mask & L1_UL_MAIN)
            ul_block(frame);
        if (mask & L1_UL_SACCH)
            sacch_ul(frame, L1_UL_SACCH_BURST(mask));
        break;
    }
    case RR_ACCESS:
        access_wake();
        break;
    default:
        access_from = frame + RR_UL_LEAD;      /* the action's frame */
        if (action == PROTO_ACTION_ATTACH) {
            action = PROTO_ACTION_NONE;
            mm_attach();
        } else if (action == PROTO_ACTION_CALL) {
            action = PROTO_ACTION_NONE;
            cc_dial(number);
        }
        break;
    }
}

static void block(const struct rr_block *b)
{
    struct l3_msg m;

    if (b->chan == L1_SACCH || b->chan == L1_SACCH_BAD) {
        if (modem.rr_state == RR_DEDICATED || modem.rr_state == RR_RELEASING)
            sacch_block(b->chan == L1_SACCH, b->l2);
        return;
    }
    if (b->chan == L1_SDCCH || b->chan == L1_FACCH) {
        if (modem.rr_state == RR_DEDICATED || modem.rr_state == RR_RELEASING)
            dcch_block(b->fn, b->l2);
        return;
    }
    if (modem.rr_state == RR_NULL)
        modem.rr_state = RR_SELECTING;
    if (l3_decode(&m, b->l2, sizeof b->l2) != 0 || m.pd != L3_PD_RR)
        return;
    if (b->chan == L1_BCCH)
        bcch(b->fn, &m);
    else
        ccch_block(b->fn, &m);
}

static void rr_task(void *arg)
{
    (void)arg;
    for (;;) {
        uint32_t flags = osThreadFlagsWait(FLAG_BLOCK | FLAG_WAKE, osFlagsWaitAny, osWaitForever);
        if (flags & FLAG_WAKE)
            wake();
        while (q_tail != q_head) {
            const struct rr_block *b = &queue[q_tail % RR_QUEUE];
            uint64_t start = l4_vcounter();

            block(b);
            rt_job_done(&rr_stats, b->release, start, b->release + 51 * radio_frame_ticks());
            __asm__ volatile("dmb" ::: "memory");
            q_tail++;
        }
    }
}

static uint64_t rr_stack[2048];

int rr_init(void)
{
    static const osThreadAttr_t attr = {
        .name = "rr", .stack_mem = rr_stack, .stack_size = sizeof rr_stack,
        .priority = osPriorityHigh,
    };
    rr_task_id = osThreadNew(rr_task, NULL, &attr);
    return rr_task_id ? 0 : -1;
}
