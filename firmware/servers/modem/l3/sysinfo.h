/*
 * What the mobile knows of the cell it camps on: the system information of 44.018 9.1.31-9.1.36
 * (SI1 to SI4) merged into one description, and the paging block of 45.002 6.5.2 it must
 * listen to on the CCCH.
 *
 * Invariants: a part of struct l3_sysinfo is meaningful only once `have` holds the bit of a
 * message that carries it (SI3 and SI4 both carry the LAI, cell selection parameters and RACH
 * control; the last one received wins); l3_sysinfo_update() never reads a field of the decoded
 * message that its `present` bits do not hold.  Nothing here allocates or keeps state outside
 * the caller's structures.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "msgs.h"

#define L3_HAVE_SI(n)   (1u << (n))     /* bit of SI type n (1..4) in `have` */

struct l3_sysinfo {
    uint8_t have;                       /* L3_HAVE_SI(n) for each type received */
    uint16_t cell_id;                   /* SI3 */
    struct l3_lai lai;                  /* SI3, SI4 */
    struct l3_ccch_desc ccch;           /* SI3: CCCH_CONF, BS_AG_BLKS_RES, BS_PA_MFRMS, T3212 */
    struct l3_cell_opt cell_opt;        /* SI3 */
    struct l3_cell_sel cell_sel;        /* SI3, SI4 */
    struct l3_rach rach;                /* SI1-SI4: retransmissions, tx-integer, barring, ACs */
    struct l3_freq_list cell_chan;      /* SI1: the cell allocation */
    struct l3_freq_list ncell;          /* SI2: the neighbour cells' BCCH carriers */
    uint8_t ncc_permitted;              /* SI2 */
    bool has_cbch;                      /* SI4 */
    struct l3_chan cbch;
};

/* Takes what a decoded SI1, SI2, SI3 or SI4 says into `si`; returns the SI type (1..4), or 0
 * (and leaves `si` alone) for any other message. */
int l3_sysinfo_update(struct l3_sysinfo *si, const struct l3_msg *m);

/* True when ARFCN `arfcn` is in the bit map 0 list `f`. */
bool l3_freq_has(const struct l3_freq_list *f, unsigned arfcn);

/* Where a mobile's paging block is (45.002 6.5.2), for a cell's control channel description:
 * with N = (CCCH blocks per 51-multiframe - BS_AG_BLKS_RES) * BS_PA_MFRMS paging blocks per
 * BS_CC_CHANS timeslot,
 *   CCCH_GROUP   = ((IMSI mod 1000) mod (BS_CC_CHANS * N)) div N   (timeslot 2 * CCCH_GROUP)
 *   PAGING_GROUP = ((IMSI mod 1000) mod (BS_CC_CHANS * N)) mod N,
 * and the block is paging block PAGING_GROUP mod (N div BS_PA_MFRMS) of the 51-multiframes
 * where (FN div 51) mod BS_PA_MFRMS = PAGING_GROUP div (N div BS_PA_MFRMS). */
struct l3_paging {
    uint8_t tn;                 /* the CCCH's timeslot */
    uint16_t group;             /* PAGING_GROUP */
    uint8_t period;             /* BS_PA_MFRMS in multiframes (2..9) */
    uint8_t mf;                 /* (FN div 51) mod period of the paging multiframe */
    uint8_t block;              /* CCCH block 0..8 (or 0..2 combined), reserved ones counted */
    uint8_t first;              /* FN mod 51 of the block's first frame */
};

/* IMSI mod 1000 of an IMSI's decimal digits (its last three). */
uint16_t l3_imsi_mod_1000(const char *digits);

/* Fills `out` for a cell with control channel description `ccch`; returns 0, or -1 when
 * CCCH_CONF is not a CCCH configuration (44.018 10.5.2.11) or BS_AG_BLKS_RES leaves no
 * paging block. */
int l3_paging_block(const struct l3_ccch_desc *ccch, uint16_t imsi_mod_1000, struct l3_paging *out);

/* True when frame `fn` is the first frame of the paging block `p` describes. */
bool l3_paging_due(const struct l3_paging *p, uint32_t fn);
