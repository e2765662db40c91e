/*
 * Mobility management (TS 24.008 clause 4): registration by location updating (IMSI attach),
 * with TMSI reallocation.  It runs in the RR task and talks to the network through RR's main
 * signalling link (rr_establish, rr_send).  The simulated network asks no authentication and
 * starts no ciphering, so neither is implemented (docs/modem.md).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l3/msgs.h"

/* MODEM_START: forget the registration; `imsi` is the IMSI's digits. */
void mm_start(const char *imsi);
/* RR camped on a cell (its location area). */
void mm_camped(const struct l3_lai *lai);
/* The user's IMSI attach: a location updating request to the network. */
void mm_attach(void);
/* An MM message from the network on the main signalling link. */
void mm_rx(const struct l3_msg *m);
/* The RR connection is gone: `normal` when the network released it (channel release). */
void mm_released(bool normal);
/* No channel: the RACH procedure failed. */
void mm_access_failed(void);
