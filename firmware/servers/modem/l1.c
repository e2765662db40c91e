/*
 * Layer 1 (l1.h).  The synchronisation state machine and the burst work run in `l1rx`; the
 * block decoding in `l1dec`.  Each task owns what it writes: l1rx the state, the sync and the
 * block assembly; l1dec the block counters.  Between them, a queue of assembled blocks
 * (single producer, single consumer).
 *
 * The broadcast timeslot (TS0 of a non-combined cell, TS 45.002 clause 7 table 5): in each
 * 51-multiframe FCCH at frames 0, 10, 20, 30, 40, SCH one frame after each, BCCH at 2-5, the
 * nine CCCH blocks from 6, 12, 16, 22, 26, 32, 36, 42, 46, and frame 50 idle.
 */
#include "l1.h"
#include "l1/coding.h"
#include "l1/equalizer.h"
#include "l4.h"
#include "lib/string.h"
#include "modem.h"
#include "radio.h"
#include "rr.h"
#include "rtos.h"

#define FLAG_RX         0x1u
#define FLAG_BLOCK      0x1u
#define DEC_QUEUE       4u
#define SCH_LOSS        8u          /* SCH failures in a row that lose the cell */
#define BCCH_START      2u

const uint8_t l1_ccch_block_start[9] = { 6, 12, 16, 22, 26, 32, 36, 42, 46 };

struct block {
    uint8_t chan;
    uint32_t fn;                    /* its first burst's */
    uint64_t release;               /* its last burst's timeslot end */
    union {
        int8_t soft[4][GSM_BURST_BITS];     /* BCCH, CCCH, SDCCH: its 4 bursts */
        int8_t coded[GSM_BLOCK_CODED];      /* TCH/F, FACCH/F: deinterleaved */
    };
};

static struct rt_stats rx_stats = { .name = "l1rx" }, dec_stats = { .name = "l1dec" };
static osThreadId_t rx_task_id, dec_task_id;

/* l1rx's */
static uint32_t sch_frame;          /* L1_SCH: the frame the SCH is expected in */
static unsigned sch_failures;
static struct block assembling;     /* the block whose bursts are coming in */
static unsigned assembled;          /* bursts of it so far */
static volatile int paging_block = -1;
static volatile unsigned paging_period = 1, paging_phase;
static volatile bool access_mode;           /* RR: every CCCH block, not only the paging block */
static struct l1_dedicated ded;             /* RR writes it before L1_DEDICATED, then leaves it */
static volatile uint32_t ded_from;          /* the mobile frame the dedicated channel starts at */
static int8_t tch_ring[8][GSM_BURST_BITS];  /* l1rx: the last 8 TCH/F bursts, by index mod 8 */
static struct block sacch_asm;              /* l1rx: the SACCH block whose bursts are coming in */
static unsigned sacch_got;                  /* ...bursts of it so far */
static uint32_t tch_bursts;                 /* l1rx: TCH/F bursts received since the channel began */

static struct block dec_queue[DEC_QUEUE];
static volatile uint32_t dec_head, dec_tail;

void l1_notify(void)
{
    osThreadFlagsSet(rx_task_id, FLAG_RX);
}

static inline bool frame_reached(uint32_t frame, uint32_t from)
{
    return (int32_t)(frame - from) >= 0;
}

/* Position (0-3) of frame number `fn` in the dedicated channel's downlink block, or -1. */
static int sdcch_dl_pos(uint32_t fn)
{
    unsigned pos = fn % 51, first = 4u * ded.sub;
    return pos >= first && pos < first + 4 ? (int)(pos - first) : -1;
}

static int sdcch_ul_pos(uint32_t fn)
{
    unsigned pos = fn % 51, first = 4u * ded.sub + L1_SDCCH8_UL_DELAY;
    return pos >= first && pos < first + 4 ? (int)(pos - first) : -1;
}

uint32_t l1_ul_block_start(const struct l1_dedicated *ch, uint32_t fn)
{
    if (ch->kind == L1_DED_TCH_F) {
        while (!l1_tch_frame(fn))
            fn = (fn + 1) % GSM_HYPERFRAME;
        return l1_tch_fn((l1_tch_index(fn) + 3) / 4 * 4) % GSM_HYPERFRAME;
    }
    unsigned first = 4u * ch->sub + L1_SDCCH8_UL_DELAY, pos = fn % 51;
    uint32_t start = fn - pos + first;
    if (pos > first)
        start += 51;
    return start % GSM_HYPERFRAME;
}

/* The burst (0-3) of a SACCH block frame number `fn` carries on the dedicated channel, or -1;
 * `uplink` for the uplink's positions. */
static int sacch_pos(uint32_t fn, bool uplink)
{
    if (ded.kind == L1_DED_TCH_F) {
        unsigned d = (fn % 104 + 104 - (12u + 13u * ded.tn) % 104) % 104;
        return d % 26 == 0 ? (int)(d / 26) : -1;
    }
    unsigned first = ded.sub < 4 ? 32u + 4u * ded.sub : 83u + 4u * (ded.sub - 4u);
    unsigned d = (fn % 102 + 102 - (first + (uplink ? L1_SDCCH8_UL_DELAY : 0u)) % 102) % 102;
    return d < 4 ? (int)d : -1;
}

uint32_t l1_sacch_burst_fn(uint32_t first_fn, unsigned burst)
{
    return (first_fn + burst * (ded.kind == L1_DED_TCH_F ? 26u : 1u)) % GSM_HYPERFRAME;
}

unsigned l1_ul_blocks(uint32_t frame)
{
    uint32_t fn = modem_fn(frame);
    unsigned mask = 0;
    int s;

    if (modem.l1_state != L1_DEDICATED || !frame_reached(frame, ded_from))
        return 0;
    if (ded.kind == L1_DED_TCH_F ? l1_tch_frame(fn) && l1_tch_index(fn) % 4 == 0 : sdcch_ul_pos(fn) == 0)
        mask |= L1_UL_MAIN;
    if ((s = sacch_pos(fn, true)) >= 0)
        mask |= L1_UL_SACCH | (unsigned)s << 4;
    return mask;
}

/* Whether frame number `fn` carries a burst of the dedicated channel (either direction's:
 * `uplink` picks the SDCCH's block). */
static bool ded_frame(uint32_t fn, bool uplink)
{
    if (ded.kind == L1_DED_TCH_F)
        return l1_tch_frame(fn);
    return (uplink ? sdcch_ul_pos(fn) : sdcch_dl_pos(fn)) >= 0;
}

bool l1_wants(uint32_t frame, unsigned tn)
{
    uint32_t fn;

    if (modem.l1_state != L1_DEDICATED)
        return tn == 0;
    fn = modem_fn(frame);
    return tn == ded.tn && frame_reached(frame, ded_from) && (ded_frame(fn, false) || sacch_pos(fn, false) >= 0);
}

bool l1_tx_due(uint32_t frame, unsigned tn)
{
    uint32_t fn = modem_fn(frame);
    return modem.l1_state == L1_DEDICATED && tn == ded.tn && frame_reached(frame, ded_from) &&
           (ded_frame(fn, true) || sacch_pos(fn, true) >= 0);
}

void l1_frame(uint32_t frame)
{
    rr_frame(frame);
}

void l1_set_access(bool on)
{
    access_mode = on;
}

void l1_dedicate(const struct l1_dedicated *ch, uint32_t from_fn)
{
    modem.l1_state = L1_CAMPED;                 /* l1rx ignores the channel while it changes */
    __asm__ volatile("dmb" ::: "memory");
    ded = *ch;
    tch_bursts = 0;
    sacch_got = 0;
    ded_from = (from_fn + GSM_HYPERFRAME - modem.fn_offset % GSM_HYPERFRAME) % GSM_HYPERFRAME;
    __asm__ volatile("dmb" ::: "memory");
    modem.l1_state = L1_DEDICATED;
}

void l1_idle(void)
{
    access_mode = false;
    if (modem.l1_state == L1_DEDICATED)
        modem.l1_state = L1_CAMPED;
}

void l1_start(uint32_t seed, const uint8_t imsi[8])
{
    (void)seed;
    modem.fn_offset = GSM_FN_UNKNOWN;
    modem.l1_state = L1_FCCH;
    modem.blocks_ok = modem.blocks_bad = modem.bit_errors = modem.bits = 0;
    modem.speech_ok = modem.speech_bad = modem.speech_stolen = 0;
    rt_stats_reset(&rx_stats);
    rt_stats_reset(&dec_stats);
    rx_tail = rx_head;
    dec_tail = dec_head;
    assembled = 0;
    sch_failures = 0;
    paging_block = -1;
    access_mode = false;
    rr_start(seed, imsi);
}

void l1_stop(void)
{
    modem.l1_state = L1_OFF;
}

void l1_set_paging(int block, unsigned period, unsigned phase)
{
    paging_period = period ? period : 1;
    paging_phase = phase % paging_period;
    paging_block = block;
}

unsigned l1_task_stats(const struct rt_stats **out, unsigned max)
{
    unsigned n = 0;
    if (n < max)
        out[n++] = &rx_stats;
    if (n < max)
        out[n++] = &dec_stats;
    return n + rr_task_stats(out + n, max - n);
}

/* ---- l1rx ----------------------------------------------------------------------------- */

static int decode_sch(const struct rx_burst *b, uint8_t *bsic, uint32_t *fn)
{
    int8_t soft[EQ_SB_SOFT];
    struct eq_report rep;
    uint32_t info;
    unsigned errors;
    uint16_t t1;
    uint8_t t2, t3p;

    if (!b->present || eq_sync_burst(b->iq, soft, &rep) != 0)
        return -1;
    if (gsm_sch_decode(soft, &info, &errors) != GSM_CODING_OK)
        return -1;
    gsm_sch_info_unpack(info, bsic, &t1, &t2, &t3p);
    *fn = gsm_sch_fn(t1, t2, t3p);
    return 0;
}

/* The CCCH block (0-8) frame `pos` of the 51-multiframe belongs to, or -1. */
static int ccch_block(unsigned pos, unsigned *index)
{
    for (int i = 0; i < 9; i++) {
        if (pos >= l1_ccch_block_start[i] && pos < l1_ccch_block_start[i] + 4u) {
            *index = pos - l1_ccch_block_start[i];
            return i;
        }
    }
    return -1;
}

static void to_decoder(const struct block *blk)
{
    if (dec_head - dec_tail == DEC_QUEUE) {
        rt_job_lost(&dec_stats);                /* the decoder is a whole queue behind */
        return;
    }
    dec_queue[dec_head % DEC_QUEUE] = *blk;
    __asm__ volatile("dmb" ::: "memory");
    dec_head++;
    osThreadFlagsSet(dec_task_id, FLAG_BLOCK);
}

static void collect(const struct rx_burst *b, enum l1_chan chan, uint32_t fn, unsigned index, unsigned tsc)
{
    struct eq_report rep;

    if (index == 0) {
        assembling.chan = (uint8_t)chan;
        assembling.fn = fn;
        assembled = 0;
    } else if (assembled != index || assembling.fn + index != fn) {
        return;                                 /* its first bursts were not ours */
    }
    if (!b->present || eq_normal_burst(b->iq, tsc, assembling.soft[index], &rep) != 0)
        memset(assembling.soft[index], 0, GSM_BURST_BITS);     /* erased: no information */
    assembled++;
    if (assembled < 4)
        return;
    assembling.release = b->release;
    to_decoder(&assembling);
}

/* A SACCH burst: its block goes to the decoder once its 4 bursts are in. */
static void sacch_burst(const struct rx_burst *b, uint32_t fn, unsigned pos)
{
    struct eq_report rep;

    if (pos == 0) {
        sacch_asm.chan = L1_SACCH;
        sacch_asm.fn = fn;
        sacch_got = 0;
    } else if (sacch_got != pos || l1_sacch_burst_fn(sacch_asm.fn, pos) != fn) {
        return;                                 /* its first bursts were not ours */
    }
    if (!b->present || eq_normal_burst(b->iq, ded.tsc, sacch_asm.soft[pos], &rep) != 0)
        memset(sacch_asm.soft[pos], 0, GSM_BURST_BITS);
    else
        modem.rx_snr_q8 = rep.snr_db_q8;
    if (++sacch_got < 4)
        return;
    sacch_asm.release = b->release;
    to_decoder(&sacch_asm);
}

/* A TCH/F burst: into the ring; every fourth completes the block that began 8 bursts ago. */
static void tch_burst(const struct rx_burst *b, uint32_t fn)
{
    uint32_t index = l1_tch_index(fn);
    int8_t *slot = tch_ring[index % 8];
    struct eq_report rep;

    if (!b->present || eq_normal_burst(b->iq, ded.tsc, slot, &rep) != 0)
        memset(slot, 0, GSM_BURST_BITS);
    tch_bursts++;
    if (index % 4 != 3 || tch_bursts < 8)
        return;
    assembling.fn = l1_tch_fn(index - 7) % GSM_HYPERFRAME;
    assembling.release = b->release;
    assembling.chan = gsm_tch_stolen(tch_ring, (index - 7) % 8) ? L1_FACCH : L1_TCH;
    gsm_tch_deinterleave(tch_ring, (index - 7) % 8, assembling.coded);
    to_decoder(&assembling);
}

static void camped_burst(const struct rx_burst *b)
{
    uint32_t fn = modem_fn(b->frame);
    unsigned pos = fn % 51, index;
    int blk;

    if (pos % 10 == 1) {           /* SCH: keep checking the sync */
        uint8_t bsic;
        uint32_t sch_fn;
        if (decode_sch(b, &bsic, &sch_fn) == 0 && bsic == modem.bsic && sch_fn == fn) {
            sch_failures = 0;
        } else if (++sch_failures >= SCH_LOSS) {
            modem_event(PROTO_MODEM_L1, EV_L1_SYNC_LOST, sch_failures, 0, "lost the cell's SCH");
            modem.fn_offset = GSM_FN_UNKNOWN;
            modem.l1_state = L1_FCCH;
            sch_failures = 0;
        }
        return;
    }
    if (pos >= BCCH_START && pos < BCCH_START + 4) {
        collect(b, L1_BCCH, fn, pos - BCCH_START, modem.bsic & 7u);
        return;
    }
    blk = ccch_block(pos, &index);
    if (blk >= 0 && (access_mode || (blk == paging_block && (fn / 51) % paging_period == paging_phase)))
        collect(b, L1_CCCH, fn, index, modem.bsic & 7u);
}

static void rx_burst(const struct rx_burst *b)
{
    switch (modem.l1_state) {
    case L1_FCCH: {
        int32_t offset;
        if (b->present && eq_fcch_detect(b->iq, &offset)) {
            modem_event_at(b->frame, PROTO_MODEM_L1, EV_L1_FCCH, (uint32_t)offset, 0, "FCCH found");
            sch_frame = b->frame + 1;
            modem.l1_state = L1_SCH;
        }
        break;
    }
    case L1_SCH: {
        uint8_t bsic;
        uint32_t fn;
        if (b->frame < sch_frame)
            break;
        if (b->frame == sch_frame && decode_sch(b, &bsic, &fn) == 0) {
            modem.bsic = bsic;
            modem.fn_offset = (fn + GSM_HYPERFRAME - b->frame % GSM_HYPERFRAME) % GSM_HYPERFRAME;
            modem.l1_state = L1_CAMPED;
            sch_failures = 0;
            assembled = 0;
            modem_event_at(b->frame, PROTO_MODEM_L1, EV_L1_SCH, bsic, fn, "synchronised to the cell");
        } else {
            modem.l1_state = L1_FCCH;           /* not the SCH after all: search again */
        }
        break;
    }
    case L1_CAMPED:
        camped_burst(b);
        break;
    case L1_DEDICATED: {
        uint32_t fn = modem_fn(b->frame);
        int pos = sdcch_dl_pos(fn);
        int s = sacch_pos(fn, false);
        if (b->tn != ded.tn)
            break;
        if (s >= 0)
            sacch_burst(b, fn, (unsigned)s);
        else if (ded.kind == L1_DED_TCH_F && l1_tch_frame(fn))
            tch_burst(b, fn);
        else if (ded.kind == L1_DED_SDCCH8 && pos >= 0)
            collect(b, L1_SDCCH, fn, (unsigned)pos, ded.tsc);
        break;
    }
    default:
        break;
    }
}

static void rx_task(void *arg)
{
    (void)arg;
    for (;;) {
        osThreadFlagsWait(FLAG_RX, osFlagsWaitAny, osWaitForever);
        while (rx_tail != rx_head) {
            const struct rx_burst *b = &rx_queue[rx_tail % RX_QUEUE];
            uint64_t start = l4_vcounter();
            rx_burst(b);
            rt_job_done(&rx_stats, b->release, start, b->release + radio_frame_ticks());
            __asm__ volatile("dmb" ::: "memory");
            rx_tail++;
        }
    }
}

/* ---- l1dec ---------------------------------------------------------------------------- */

static int decode_block(const struct block *blk, uint8_t l2[GSM_L2_OCTETS], unsigned *errors)
{
    if (blk->chan == L1_FACCH) {
        modem.speech_stolen++;
        return gsm_xcch_decode_block(blk->coded, l2, errors);
    }
    return gsm_xcch_decode(blk->soft, l2, errors);
}

/* A speech frame: held against the downlink's test pattern for its frame number. */
static void speech(const struct block *blk, unsigned *errors)
{
    uint8_t got[GSM_TCH_FS_BITS], want[GSM_TCH_FS_BITS];

    if (gsm_tch_fs_decode(blk->coded, got, errors) == GSM_CODING_OK) {
        gsm_speech_pattern(blk->fn, 0, want);
        if (memcmp(got, want, sizeof got) == 0) {
            modem.speech_ok++;
            return;
        }
    }
    modem.speech_bad++;
}

static void dec_task(void *arg)
{
    (void)arg;
    for (;;) {
        osThreadFlagsWait(FLAG_BLOCK, osFlagsWaitAny, osWaitForever);
        while (dec_tail != dec_head) {
            const struct block *blk = &dec_queue[dec_tail % DEC_QUEUE];
            uint64_t start = l4_vcounter();
            uint8_t l2[GSM_L2_OCTETS];
            unsigned errors;

            errors = 0;
            if (blk->chan == L1_TCH)
                speech(blk, &errors);
            else if (decode_block(blk, l2, &errors) == GSM_CODING_OK) {
                modem.blocks_ok++;
                modem.bit_errors += errors;
                modem.bits += GSM_BLOCK_CODED;
                rr_block((enum l1_chan)blk->chan, blk->fn, blk->release, l2);
            } else {
                modem.blocks_bad++;
                modem_event(PROTO_MODEM_L1, EV_L1_BLOCK_BAD, blk->chan, blk->fn, "block failed its parity");
                if (blk->chan == L1_SACCH)
                    rr_block(L1_SACCH_BAD, blk->fn, blk->release, l2);
            }
            if (blk->chan >= L1_SDCCH) {                /* the dedicated channel's quality */
                modem.ded_bit_errors += errors;
                modem.ded_bits += blk->chan == L1_TCH ? 378u : GSM_BLOCK_CODED;
            }
            rt_job_done(&dec_stats, blk->release, start, blk->release + 4 * radio_frame_ticks());
            __asm__ volatile("dmb" ::: "memory");
            dec_tail++;
        }
    }
}

static uint64_t rx_stack[2048], dec_stack[1024];

int l1_init(void)
{
    static const osThreadAttr_t rx_attr = {
        .name = "l1rx", .stack_mem = rx_stack, .stack_size = sizeof rx_stack,
        .priority = osPriorityRealtime6,
    };
    static const osThreadAttr_t dec_attr = {
        .name = "l1dec", .stack_mem = dec_stack, .stack_size = sizeof dec_stack,
        .priority = osPriorityRealtime5,
    };

    rx_task_id = osThreadNew(rx_task, NULL, &rx_attr);
    dec_task_id = osThreadNew(dec_task, NULL, &dec_attr);
    return rx_task_id && dec_task_id ? 0 : -1;
}
