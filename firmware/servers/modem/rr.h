/*
 * Radio resources (TS 44.018 clause 3): cell selection from the system information on the
 * BCCH, idle mode on the paging group of the CCCH (TS 45.002 clause 6.5), the random access
 * procedure on the RACH with immediate assignment, and dedicated mode on an SDCCH/8 with its
 * main signalling link (LAPDm SAPI 0) up to the channel release.  Its task, `rr`, takes decoded
 * blocks from layer 1, makes the uplink blocks when layer 1's schedule is due, and runs MM.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "deadline.h"
#include "l1.h"
#include "l3/msgs.h"

/* Frames from the first frame of the block that assigned a channel to the first frame the
 * mobile uses it (TS 44.018 3.3.1.1.3.1 says "immediately": this is how long decoding the
 * assignment and preparing the first uplink block may take; the network side counts it too). */
#define RR_ACTIVATION_FRAMES 12u
/* Frames from the first frame of the paging block that paged the mobile to the first RACH slot
 * its answer may take (decoding the block comes first). */
#define RR_PAGE_RESPONSE_FRAMES 8u
/* Frames before an uplink block's first burst at which RR makes the block. */
#define RR_UL_LEAD 2u

int rr_init(void);
/* MODEM_START (clock stopped): forget the cell; the seed of the random choices. */
void rr_start(uint32_t seed, const uint8_t imsi[8]);
/* MODEM_START: what the user does, at which of the mobile's frames (enum proto action). */
void rr_action(uint8_t action, uint32_t frame, const uint8_t number[8]);
/* Layer 1: a block that decoded, from the channel `chan`, first burst at `fn`, released
 * (its last burst in) at counter `release`. */
void rr_block(enum l1_chan chan, uint32_t fn, uint64_t release, const uint8_t l2[23]);
/* The frame clock (through layer 1): the end of timeslot 0 of `frame`. */
void rr_frame(uint32_t frame);
/* Its tasks' deadline records: the task's, and its uplink-block jobs'. */
unsigned rr_task_stats(const struct rt_stats **out, unsigned max);

/* MM: a connection with `l3` as its initial message (in the SABM, for contention
 * resolution), asked for with channel request `cause`.  0, or -1 when not camped or busy. */
int rr_establish(enum l3_rach_cause cause, const uint8_t *l3, size_t len);
/* MM, CC: an L3 message on the main signalling link (acknowledged).  0 or -1. */
int rr_send(const uint8_t *l3, size_t len);
