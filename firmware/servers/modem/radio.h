/*
 * The radio front end, modelled as a device would behave, and the frame clock.
 *
 * Downlink: the host's bursts arrive ahead of time over the radio link (RADIO_DL) into a ring
 * in (frame, timeslot) order.  At the end of each timeslot layer 1 listens to, the frame clock
 * moves that timeslot's burst from the ring into the receive queue, as a DMA engine would, and
 * wakes layer 1; a burst that had not arrived by then is a radio underrun.  Timeslot edges are
 * t0 + k * 15/26 ms for the k-th timeslot since t0, each computed from k, so the clock never
 * drifts.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "deadline.h"
#include "modem.h"

#define RX_QUEUE 8u             /* received bursts waiting for layer 1 */

struct rx_burst {
    uint32_t frame;
    uint8_t tn;
    bool present;               /* false: nothing was transmitted in this timeslot */
    uint64_t release;           /* the end of its timeslot */
    int16_t iq[2 * 156];
};

/* Layer 1's receive queue, filled by the frame clock: entries rx_tail..rx_head-1. */
extern struct rx_burst rx_queue[RX_QUEUE];
extern volatile uint32_t rx_head, rx_tail;

/* An uplink burst layer 1 made, waiting for its timeslot (the frame clock sends it then). */
#define TX_QUEUE 8u
#define TX_BURST_BITS 148u      /* a normal burst's bits BN0..147; an access burst uses 88 */
enum tx_kind { TX_NORMAL = 0, TX_ACCESS = 1 };

/* Queue burst `bits` for uplink timeslot `tn` of `frame` (sent 3 timeslots after the downlink's
 * timeslot `tn`, timing advance 0).  One producer: the RR task.  Bursts must be queued in time
 * order; 0, or -1 when the queue is full or the burst is not after the last one queued. */
int radio_tx_put(uint32_t frame, unsigned tn, enum tx_kind kind, const uint8_t bits[TX_BURST_BITS]);

/* The counter value at which timeslot `k` (frame * 8 + tn) of the mobile's clock begins. */
uint64_t radio_slot_time(uint64_t k);
/* Counter ticks of one TDMA frame, rounded down. */
uint64_t radio_frame_ticks(void);

/* Start the front end: the radio link and the tasks that serve it.  0, or -1 with no link. */
int radio_init(void);

/* The radio's counters (RADIO_STATUS). */
struct radio_counters {
    uint32_t underruns;         /* bursts layer 1 wanted that had not arrived */
    uint32_t late;              /* bursts that arrived after their timeslot */
    uint32_t overflows;         /* bursts the ring had no room for (the host ignored the flow control) */
    uint32_t lost_rx;           /* bursts layer 1 had not taken before the queue wrapped */
    uint32_t tx_sent;           /* uplink bursts transmitted at their timeslot */
    uint32_t tx_missing;        /* uplink bursts due (layer 1's schedule) but not made in time */
    uint32_t tx_lost;           /* uplink bursts the host's buffer had no room for */
};
extern struct radio_counters radio_counters;

/* The frame clock's own deadline record: release = the timeslot edge, start = when it ran. */
extern struct rt_stats fclk_stats;

/* Frame-timer wake-up latency (edge to the clock task running), in counter ticks: the last
 * RADIO_LATENCY_SAMPLES values, for the benchmark. */
#define RADIO_LATENCY_SAMPLES 1024u
extern uint32_t radio_latency[RADIO_LATENCY_SAMPLES];
extern volatile uint32_t radio_latency_count;
