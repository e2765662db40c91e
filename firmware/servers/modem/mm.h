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

/* MS classmark 2 (24.008 10.5.1.6): phase 2, class 4, A5/1, SS screening 1, no PS, SMS capable. */
#define MM_CLASSMARK2 { 0x33, 0x19, 0x80 }

/* MODEM_START: forget the registration; `imsi` is the IMSI's digits. */
void mm_start(const char *imsi);
/* RR camped on a cell (its location area). */
void mm_camped(const struct l3_lai *lai);
/* The user's IMSI attach: a location updating request to the network. */
void mm_attach(void);
/* CC: a CM service request for a mobile-originated call. */
void mm_service_request(void);
/* An MM message from the network on the main signalling link. */
void mm_rx(const struct l3_msg *m);
/* The RR connection is gone: `normal` when the network released it (channel release). */
void mm_released(bool normal);
/* No channel: the RACH procedure failed. */
void mm_access_failed(void);
