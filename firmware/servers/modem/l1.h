/*
 * Layer 1: synchronisation (FCCH, SCH), the bursts of the broadcast timeslot (BCCH, CCCH) and
 * their blocks.  Two tasks: `l1rx` takes each received burst from the frame clock and
 * equalises it (its deadline: before the same timeslot's next burst, one frame later);
 * `l1dec` deinterleaves and decodes the blocks (deadline: four frames after the block's last
 * burst, before the channel's next block can be complete) and hands them to RR.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "deadline.h"

enum l1_chan {
    L1_BCCH = 0,
    L1_CCCH = 1,
    L1_SDCCH = 2,
    L1_FACCH = 3,           /* a TCH/F block stolen for signalling */
    L1_TCH = 4,             /* a TCH/F speech block */
    L1_SACCH = 5,           /* the dedicated channel's slow associated control channel */
    L1_SACCH_BAD = 6,       /* (to RR) a SACCH block that did not decode */
};

/* What starts on the dedicated channel's uplink in a frame (l1_ul_blocks). */
#define L1_UL_MAIN      0x1u        /* an SDCCH or TCH/F block */
#define L1_UL_SACCH     0x2u        /* a SACCH burst; its number in the block above bit 4 */
#define L1_UL_SACCH_BURST(mask) ((mask) >> 4)

enum l1_ded_kind {
    L1_DED_SDCCH8 = 0,
    L1_DED_TCH_F = 1,
};

/* A dedicated channel on timeslot `tn` with training sequence `tsc` (TS 45.002 clause 7):
 * - SDCCH/8 subchannel `sub` (table 3): downlink frames 4 sub .. 4 sub + 3 of the
 *   51-multiframe, uplink 15 frames later;
 * - TCH/F (table 1): every frame of the 26-multiframe but 12 (SACCH) and 25 (idle), in both
 *   directions; a speech or FACCH block every 4 of those bursts, interleaved over 8.
 * Each has a SACCH (one block of 4 bursts per 102 or 104 frames): SACCH/C8 subchannel k's
 * downlink block at frames 32 + 4k (k < 4) or 83 + 4(k - 4) of the 102-frame cycle, its uplink
 * block 15 frames later; SACCH/TF on timeslot t one burst every 26 frames from frame 12 + 13t
 * of the 104-frame cycle (12 of the 26-multiframe for an even t, 25 for an odd one), both
 * ways. */
struct l1_dedicated {
    uint8_t kind;           /* enum l1_ded_kind */
    uint8_t tn, tsc, sub;
};

#define L1_SDCCH8_UL_DELAY 15u      /* uplink block = downlink block + 15 frames */

/* TCH/F bursts are numbered along the channel: frame number `fn` (not 12 or 25 modulo 26)
 * carries burst l1_tch_index(fn); a block starts at every index divisible by 4. */
static inline bool l1_tch_frame(uint32_t fn)
{
    return fn % 26 != 12 && fn % 26 != 25;
}

static inline uint32_t l1_tch_index(uint32_t fn)
{
    uint32_t pos = fn % 26;
    return fn / 26 * 24 + pos - (pos > 12 ? 1 : 0);
}

static inline uint32_t l1_tch_fn(uint32_t index)
{
    uint32_t pos = index % 24;
    return index / 24 * 26 + pos + (pos >= 12 ? 1 : 0);
}

int l1_init(void);
/* MODEM_START: forget the cell, search from scratch (the link task, clock stopped). */
void l1_start(uint32_t seed, const uint8_t imsi[8]);
/* The clock stopped. */
void l1_stop(void);
/* Whether layer 1 listens to timeslot `tn` of `frame` (the frame clock asks). */
bool l1_wants(uint32_t frame, unsigned tn);
/* The frame clock queued a burst in rx_queue. */
void l1_notify(void);
/* RR: decode CCCH block `block` (0-8 of the 51-multiframe) in the multiframes whose number
 * modulo `period` is `phase`; block -1 stops. */
void l1_set_paging(int block, unsigned period, unsigned phase);
/* Its tasks' deadline records, at most `max`; the count. */
unsigned l1_task_stats(const struct rt_stats **out, unsigned max);

/* The frame clock: the end of timeslot 0 of `frame` (every frame while it runs). */
void l1_frame(uint32_t frame);
/* Whether layer 1's schedule has an uplink burst on timeslot `tn` of `frame`. */
bool l1_tx_due(uint32_t frame, unsigned tn);

/* RR: the whole CCCH (every block, not only the paging block), while waiting for an answer to
 * a channel request; false goes back to the paging block. */
void l1_set_access(bool on);
/* RR: leave the broadcast timeslot for a dedicated channel, listening from frame number
 * `from_fn` on; l1_idle() goes back (the sync is kept). */
void l1_dedicate(const struct l1_dedicated *ch, uint32_t from_fn);
void l1_idle(void);
/* The first frame number of the dedicated channel's next uplink block at or after `fn`. */
uint32_t l1_ul_block_start(const struct l1_dedicated *ch, uint32_t fn);
/* What of the dedicated channel's uplink starts in the mobile's `frame`: L1_UL_* bits. */
unsigned l1_ul_blocks(uint32_t frame);
/* The frame numbers of SACCH burst 0..3 of the block whose first burst is on `fn`. */
uint32_t l1_sacch_burst_fn(uint32_t first_fn, unsigned burst);

/* The first frame (mod 51) of each CCCH block of a non-combined broadcast timeslot. */
extern const uint8_t l1_ccch_block_start[9];
