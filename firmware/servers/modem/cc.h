/*
 * Call control (TS 24.008 clause 5), the mobile's side of one speech call: mobile-originated
 * (the user dials: MM's CM service request, SETUP, CALL PROCEEDING, ALERTING, CONNECT) and
 * mobile-terminated (paged: SETUP, CALL CONFIRMED, ALERTING and CONNECT once the traffic
 * channel is there), cleared by the network (DISCONNECT, RELEASE, RELEASE COMPLETE).  It runs
 * in the RR task; its messages go over RR's main signalling link.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "l3/msgs.h"

/* Call states (MODEM_STATUS_INFO.cc_state): 24.008 5.1.2.1's U numbers. */
enum cc_state {
    CC_NULL = 0,                /* U0 */
    CC_CALL_INITIATED = 1,      /* U1: SETUP sent */
    CC_MO_PROCEEDING = 3,       /* U3 */
    CC_CALL_DELIVERED = 4,      /* U4: ALERTING received */
    CC_CALL_PRESENT = 6,        /* U6: SETUP received */
    CC_CALL_RECEIVED = 7,       /* U7: ALERTING sent */
    CC_CONNECT_REQUEST = 8,     /* U8: CONNECT sent */
    CC_MT_CONFIRMED = 9,        /* U9: CALL CONFIRMED sent */
    CC_ACTIVE = 10,             /* U10 */
    CC_RELEASE_REQUEST = 19,    /* U19: RELEASE sent */
    CC_MM_PENDING = 0x81,       /* U0.1: waiting for the MM connection */
};

void cc_start(void);
/* The user dials `digits` (NUL-terminated). */
void cc_dial(const char *digits);
/* MM: the connection for the call is there (CM SERVICE ACCEPT, or a paging response's). */
void cc_mm_ready(void);
/* RR: the traffic channel is up (ASSIGNMENT COMPLETE sent). */
void cc_traffic_channel(void);
void cc_rx(const struct l3_msg *m);
/* RR: the connection is gone. */
void cc_released(void);
