/*
 * Deadline accounting (deadline.h).
 */
#include "deadline.h"
#include "generated/proto.h"
#include "l4.h"
#include "lib/string.h"

uint32_t rt_ticks_us(uint64_t ticks)
{
    return (uint32_t)(ticks * 1000000u / l4_counter_hz());
}

uint64_t rt_us_ticks(uint32_t us)
{
    uint64_t hz = l4_counter_hz();
    return ((uint64_t)us * hz + 999999u) / 1000000u;
}

int rt_job_done(struct rt_stats *s, uint64_t release, uint64_t start, uint64_t deadline)
{
    uint64_t now = l4_vcounter();
    uint64_t response = now - release;
    uint32_t us = rt_ticks_us(response), bucket = 0;
    uint32_t start_us = rt_ticks_us(start - release);

    s->jobs++;
    if (start - release > s->worst_start)
        s->worst_start = start - release;
    s->start_hist[start_us < RT_START_BINS - 1 ? start_us : RT_START_BINS - 1]++;
    if (response > s->worst_response)
        s->worst_response = response;
    while (bucket < RT_HIST_BUCKETS - 1 && us >= (16u << bucket))
        bucket++;
    s->hist[bucket]++;
    if (now > deadline) {
        s->misses++;
        return 1;
    }
    return 0;
}

void rt_stats_reset(struct rt_stats *s)
{
    const char *name = s->name;
    memset(s, 0, sizeof *s);
    s->name = name;
}

void rt_job_lost(struct rt_stats *s)
{
    s->jobs++;
    s->misses++;
    s->start_hist[RT_START_BINS - 1]++;         /* never started: later than any bin */
}

void rt_stats_report(const struct rt_stats *s, struct proto_modem_task *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->name, s->name, strnlen(s->name, sizeof out->name));
    out->jobs = s->jobs;
    out->misses = s->misses;
    out->worst_response = rt_ticks_us(s->worst_response);
    out->worst_start = rt_ticks_us(s->worst_start);
}

unsigned rt_start_report(const struct rt_stats *s, struct proto_modem_latency_info *out)
{
    memset(out, 0, sizeof *out);
    memcpy(out->name, s->name, strnlen(s->name, sizeof out->name));
    out->jobs = s->jobs;
    out->bin_us = 1;
    memcpy(out->bins, s->start_hist, sizeof s->start_hist);
    return sizeof *out + sizeof s->start_hist;
}
