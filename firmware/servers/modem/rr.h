/*
 * Radio resources, idle mode: cell selection from the system information on the BCCH,
 * camping, and listening to the paging group on the CCCH (TS 44.018 clause 3.2, TS 45.002
 * clause 6.5).  Its task takes decoded blocks from layer 1.
 */
#pragma once

#include <stdint.h>

#include "deadline.h"
#include "l1.h"

int rr_init(void);
void rr_start(const uint8_t imsi[8]);
/* Layer 1: a block that decoded, from the channel `chan`, first burst at `fn`, released
 * (its last burst in) at counter `release`. */
void rr_block(enum l1_chan chan, uint32_t fn, uint64_t release, const uint8_t l2[23]);
const struct rt_stats *rr_task_stats(void);
