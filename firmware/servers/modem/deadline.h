/*
 * Deadline accounting: every job a modem task does has a release time (when its input was
 * there: the end of a burst's timeslot), a start, a completion and a deadline (when its result
 * is due).  Each task keeps one struct rt_stats; only that task writes it.  Times are virtual
 * counter values (l4_vcounter, at l4_counter_hz).
 */
#pragma once

#include <stdint.h>

#define RT_HIST_BUCKETS 16      /* response-time histogram: bucket i < 2^(i+4) us */
#define RT_START_BINS 256       /* release -> start histogram: bin i holds starts i us after release
                                 * (rounded down), the last one every later start and every job
                                 * that never ran; MODEM_LATENCY carries it */

struct rt_stats {
    const char *name;           /* at most 8 characters: it goes to the host as proto_modem_task */
    uint32_t jobs, misses;
    uint64_t worst_response, worst_start;   /* counter ticks */
    uint32_t hist[RT_HIST_BUCKETS];
    uint32_t start_hist[RT_START_BINS];     /* sums to jobs */
};

/* The job released at `release` with its result due at `deadline` started at `start` and
 * completed now.  Returns 1 when it missed its deadline. */
int rt_job_done(struct rt_stats *s, uint64_t release, uint64_t start, uint64_t deadline);

/* Forget every job: a fresh start (the name stays). */
void rt_stats_reset(struct rt_stats *s);

/* A job that never ran (its input was overwritten before the task got to it): a miss. */
void rt_job_lost(struct rt_stats *s);

/* Counter ticks as microseconds, rounded down. */
uint32_t rt_ticks_us(uint64_t ticks);
/* Microseconds as counter ticks, rounded up. */
uint64_t rt_us_ticks(uint32_t us);

/* The stats in the protocol's shape. */
struct proto_modem_task;
void rt_stats_report(const struct rt_stats *s, struct proto_modem_task *out);
/* The release -> start histogram in the protocol's shape: `out` has room for RT_START_BINS bins.
 * Bytes written. */
struct proto_modem_latency_info;
unsigned rt_start_report(const struct rt_stats *s, struct proto_modem_latency_info *out);
