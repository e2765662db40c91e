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
};

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

/* The first frame (mod 51) of each CCCH block of a non-combined broadcast timeslot. */
extern const uint8_t l1_ccch_block_start[9];
