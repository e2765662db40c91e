/*
 * The radio front end and the frame clock (radio.h), and the modem's side of the radio link:
 * the link task speaks the protocol's framing over the link (lib/link.c) and answers the
 * host's RADIO_DL, MODEM_START, MODEM_STOP and MODEM_STATUS.
 *
 * The downlink ring is single-producer (the link task appends what RADIO_DL brings) and
 * single-consumer (the frame clock takes each timeslot's burst): each index is written by one
 * side only, and a slot is filled before the producer's index passes it (dmb).
 */
#include "board.h"
#include "l1.h"
#include "l4.h"
#include "lib/info.h"
#include "lib/link.h"
#include "lib/string.h"
#include "machine/radiolink.h"
#include "radio.h"
#include "rr.h"
#include "rtos.h"

#define DL_RING         16384u      /* bursts: a 10,000-frame scenario's broadcast timeslot preloaded */
#define STATUS_EVERY    8u          /* frames between RADIO_STATUS reports while running */

#define FLAG_IRQ        0x1u        /* link task: the radio link's interrupt */
#define FLAG_SEND       0x2u        /* link task: events or a status to send */
#define FLAG_START      0x1u        /* frame clock: MODEM_START */

struct modem_state modem = { .fn_offset = GSM_FN_UNKNOWN };
struct radio_counters radio_counters;
struct rt_stats fclk_stats = { .name = "fclk" };
uint32_t radio_latency[RADIO_LATENCY_SAMPLES];
volatile uint32_t radio_latency_count;

struct rx_burst rx_queue[RX_QUEUE];
volatile uint32_t rx_head, rx_tail;

static struct proto_dl_burst dl_ring[DL_RING];
static volatile uint32_t dl_head, dl_tail;      /* link task, frame clock */
static uint32_t dl_newest;                      /* link task: key of the newest burst taken, */
static bool dl_any;                             /* if any since the ring was last emptied */
static volatile bool dl_flushed;                /* frame clock -> link task: forget dl_newest */
static volatile uint32_t clock_key;             /* frame clock: key of the last timeslot served */

static uint64_t t0;                 /* the counter at frame 0's start */
static volatile int stop_requested, status_due;
static uint32_t frames_to_run;      /* the clock stops after this many; 0: at MODEM_STOP */
static osThreadId_t link_task_id, fclk_task_id;
static uint8_t imsi[8];

static inline void dmb(void) { __asm__ volatile("dmb" ::: "memory"); }
/* A burst's place in time, frame * 8 + tn, modulo 2^32: 32-bit, so one task's store is never
 * seen half-done by another; compared as serial numbers (valid within 2^31 timeslots). */
static inline uint32_t burst_key(uint32_t frame, unsigned tn) { return frame * GSM_TIMESLOTS + tn; }
static inline bool key_after(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline uint64_t slot_index(uint32_t frame, unsigned tn) { return (uint64_t)frame * GSM_TIMESLOTS + tn; }

/* ---- The uplink: layer 1's transmit queue (RR task -> frame clock) and what went on the air
 * (frame clock -> link task) ---------------------------------------------------------------- */

#define UL_RING 4096u               /* bursts on their way to the host: ~19 s of a call, so that
                                     * a host slower than the target's clock loses none */
#define UL_DELAY 3u                 /* the uplink's timeslot tn is the downlink's tn + 3 */
/* Uplink bursts sent and not yet acknowledged by the host (RADIO_UL_ACK): QEMU's virtio
 * console drops, silently, what its host side cannot take at once, so at most this many
 * (about 31 KiB with their framing) are in flight. */
#define UL_WINDOW 192u

struct tx_entry {
    uint32_t key;
    uint8_t kind;
    uint8_t bits[TX_BURST_BITS];
};

static struct tx_entry tx_queue[TX_QUEUE];
static volatile uint32_t tx_head, tx_tail;      /* RR task, frame clock */
static uint32_t tx_newest;                      /* RR task: key of the last burst queued */
static struct proto_ul_burst ul_ring[UL_RING];
static volatile uint32_t ul_head, ul_tail;      /* frame clock, link task */
static uint32_t ul_sent;                        /* link task: bursts sent since MODEM_START */
static uint32_t ul_acked;                       /* link task (RADIO_UL_ACK): the host has them */

int radio_tx_put(uint32_t frame, unsigned tn, enum tx_kind kind, const uint8_t bits[TX_BURST_BITS])
{
    uint32_t key = burst_key(frame, tn);
    struct tx_entry *e;

    if (tn >= GSM_TIMESLOTS || tx_head - tx_tail == TX_QUEUE ||
        (tx_head != tx_tail && !key_after(key, tx_newest)))
        return -1;
    e = &tx_queue[tx_head % TX_QUEUE];
    e->key = key;
    e->kind = (uint8_t)kind;
    memcpy(e->bits, bits, TX_BURST_BITS);
    tx_newest = key;
    dmb();
    tx_head++;
    return 0;
}

/* Whether a burst is queued for the uplink timeslot `key`. */
static bool tx_queued(uint32_t key)
{
    return tx_tail != tx_head && tx_queue[tx_tail % TX_QUEUE].key == key;
}

/* The frame clock, at the start of uplink timeslot `key`: the burst queued for it goes on the
 * air (to the host); bursts whose timeslot has passed are dropped, and a burst layer 1's
 * schedule wanted that is not there is missing. */
static void tx_slot(uint32_t key, bool due)
{
    bool sent = false;

    while (tx_tail != tx_head) {
        const struct tx_entry *e = &tx_queue[tx_tail % TX_QUEUE];
        if (key_after(e->key, key))
            break;
        if (e->key == key) {
            if (ul_head - ul_tail == UL_RING) {
                radio_counters.tx_lost++;
            } else {
                struct proto_ul_burst *u = &ul_ring[ul_head % UL_RING];
                u->frame = key / GSM_TIMESLOTS;
                u->tn = (uint8_t)(key % GSM_TIMESLOTS);
                u->kind = e->kind;
                memcpy(u->bits, e->bits, TX_BURST_BITS);
                dmb();
                ul_head++;
            }
            radio_counters.tx_sent++;
            sent = true;
        }
        dmb();
        tx_tail++;
    }
    if (due && !sent)
        radio_counters.tx_missing++;
}

uint64_t radio_slot_time(uint64_t k)
{
    return t0 + k * l4_counter_hz() * GSM_TS_NUM / GSM_TS_DEN;
}

uint64_t radio_frame_ticks(void)
{
    return (uint64_t)l4_counter_hz() * GSM_TS_NUM * GSM_TIMESLOTS / GSM_TS_DEN;
}

/* ---- Events: many producers (every task), one consumer (the link task) ---------------- */

#define EV_RING 256u
#define EV_TEXT 40u

struct ev_entry {
    volatile uint32_t ready;
    struct proto_modem_event ev;
    char text[EV_TEXT];
};

static struct ev_entry ev_ring[EV_RING];
static uint32_t ev_reserved;                    /* producers: atomic increment */
static uint32_t ev_sent;                        /* the link task */
static volatile uint32_t ev_dropped;

void modem_event(uint8_t layer, uint8_t code, uint32_t a, uint32_t b, const char *text)
{
    modem_event_at(modem.frame, layer, code, a, b, text);
}

void modem_event_at(uint32_t frame, uint8_t layer, uint8_t code, uint32_t a, uint32_t b, const char *text)
{
    uint32_t i = __atomic_fetch_add(&ev_reserved, 1, __ATOMIC_RELAXED);
    struct ev_entry *e = &ev_ring[i % EV_RING];

    if (i - *(volatile uint32_t *)&ev_sent >= EV_RING || e->ready) {
        ev_dropped++;                           /* the host is not reading: keep the newest later */
        return;
    }
    e->ev.frame = frame;
    e->ev.fn = modem_fn(frame);
    e->ev.layer = layer;
    e->ev.code = code;
    e->ev.a = a;
    e->ev.b = b;
    memset(e->text, 0, sizeof e->text);
    memcpy(e->text, text, strnlen(text, EV_TEXT - 1));
    dmb();
    e->ready = 1;
    if (link_task_id)
        osThreadFlagsSet(link_task_id, FLAG_SEND);
}

static void send_events(void)
{
    for (;;) {
        struct ev_entry *e = &ev_ring[ev_sent % EV_RING];
        if (ev_sent == *(volatile uint32_t *)&ev_reserved || !e->ready)
            return;                             /* none, or its producer is still writing it */
        dmb();
        link_send(PROTO_MSG_MODEM_EVENT, 0, &e->ev, sizeof e->ev, e->text, strlen(e->text));
        e->ready = 0;
        ev_sent++;
    }
}

/* ---- The downlink ring --------------------------------------------------------------- */

static void dl_put(const struct proto_dl_burst *b)
{
    uint32_t key = burst_key(b->frame, b->tn);

    if (dl_flushed) {
        dl_flushed = false;
        dl_any = false;
    }
    if (b->tn >= GSM_TIMESLOTS || (dl_any && !key_after(key, dl_newest)))
        return;                                 /* out of order: the host's bug, not the air's */
    if (modem.running && !key_after(key, clock_key)) {
        radio_counters.late++;
        return;
    }
    if (dl_head - dl_tail == DL_RING) {
        radio_counters.overflows++;
        return;
    }
    memcpy(&dl_ring[dl_head % DL_RING], b, sizeof *b);
    dl_newest = key;
    dl_any = true;
    dmb();
    dl_head++;
}

/* The frame clock, at the end of timeslot `tn` of `frame`: that burst into the receive queue. */
static void dl_deliver(uint32_t frame, unsigned tn, uint64_t release)
{
    uint32_t key = burst_key(frame, tn);
    struct rx_burst *rx;

    clock_key = key;
    if (rx_head - rx_tail == RX_QUEUE) {
        radio_counters.lost_rx++;               /* layer 1 is a whole queue behind */
        return;
    }
    rx = &rx_queue[rx_head % RX_QUEUE];
    rx->frame = frame;
    rx->tn = (uint8_t)tn;
    rx->release = release;
    rx->present = false;
    while (dl_tail != dl_head) {
        const struct proto_dl_burst *b = &dl_ring[dl_tail % DL_RING];
        uint32_t k = burst_key(b->frame, b->tn);
        if (key_after(k, key))
            break;
        if (k == key) {
            memcpy(rx->iq, b->iq, sizeof rx->iq);
            rx->present = true;
        }
        dmb();
        dl_tail++;                              /* taken, or a timeslot nobody listened to */
    }
    if (!rx->present && dl_tail == dl_head) {   /* nothing for this timeslot or later yet */
        if (radio_counters.underruns++ == 0)
            modem_event(PROTO_MODEM_RADIO, EV_RADIO_UNDERRUN, tn, 0, "downlink underrun");
    }
    dmb();
    rx_head++;
    l1_notify();
}

/* ---- The frame clock ----------------------------------------------------------------- */

/* The clock wakes at the edges where something happens: the end of a downlink timeslot layer 1
 * listens to (the burst goes to layer 1), the start of an uplink timeslot with a burst to send,
 * and the end of timeslot 0 of every frame (layer 1's frame tick).  Edge k is the start of
 * timeslot k = frame * 8 + tn of the mobile's clock; the uplink timeslot starting there is
 * k - UL_DELAY. */
static void fclk_task(void *arg)
{
    (void)arg;
    for (;;) {
        uint64_t k;

        osThreadFlagsWait(FLAG_START, osFlagsWaitAny, osWaitForever);
        modem.frame = 0;
        modem.running = 1;
        modem_event(PROTO_MODEM_RADIO, EV_RADIO_STARTED, frames_to_run, 0, "frame clock started");
        for (k = 1; !stop_requested && (!frames_to_run || k <= (uint64_t)frames_to_run * GSM_TIMESLOTS); k++) {
            uint32_t frame = (uint32_t)((k - 1) / GSM_TIMESLOTS);
            unsigned tn = (unsigned)((k - 1) % GSM_TIMESLOTS);
            bool tick = tn == 0, rx = l1_wants(frame, tn), tx = false, tx_due = false;
            uint32_t ul_key = 0;
            uint64_t edge, now;

            if (k >= UL_DELAY + 1) {
                uint64_t ul = k - UL_DELAY;
                ul_key = (uint32_t)ul;
                tx_due = l1_tx_due((uint32_t)(ul / GSM_TIMESLOTS), (unsigned)(ul % GSM_TIMESLOTS));
                tx = tx_due || tx_queued(ul_key);
            }
            if (!rx && !tx && !tick)
                continue;
            edge = radio_slot_time(k);
            osDelayUntilSysTimer(edge);
            now = l4_vcounter();
            radio_latency[radio_latency_count++ % RADIO_LATENCY_SAMPLES] = (uint32_t)(now - edge);
            modem.frame = frame;                /* the frame whose timeslot ended now */
            if (tx)
                tx_slot(ul_key, tx_due);
            if (rx)
                dl_deliver(frame, tn, edge);
            if (tick)
                l1_frame(frame);
            rt_job_done(&fclk_stats, edge, now, radio_slot_time(k + 1));
            if (ul_head != ul_tail)
                osThreadFlagsSet(link_task_id, FLAG_SEND);
            if (tick && frame % STATUS_EVERY == STATUS_EVERY - 1) {
                status_due = 1;
                osThreadFlagsSet(link_task_id, FLAG_SEND);
            }
        }
        dl_tail = dl_head;                      /* what is left was for frames that will not come */
        dl_flushed = true;
        tx_tail = tx_head;
        modem.running = 0;
        l1_stop();
        modem_event(PROTO_MODEM_RADIO, EV_RADIO_STOPPED, modem.frame, radio_counters.tx_sent, "frame clock stopped");
        status_due = 1;
        osThreadFlagsSet(link_task_id, FLAG_SEND);
    }
}

/* ---- The link task and the host's requests ------------------------------------------- */

/* lib/link.c writes its frames here: the radio link is this program's "UART". */
void uart_write(const uint8_t *data, unsigned len)
{
    radiolink_write(data, len);
}

static void take_bytes(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        link_rx_byte(data[i]);
}

/* What went on the air, to the host: RADIO_UL messages of as many bursts as fit. */
static void send_uplink(void)
{
    static uint8_t buf[sizeof(struct proto_radio_ul) + 16 * sizeof(struct proto_ul_burst)];
    struct proto_radio_ul *m = (void *)buf;

    while (ul_tail != ul_head && ul_sent - ul_acked < UL_WINDOW) {
        unsigned n = 0;
        m->frame = modem.frame;
        while (ul_tail != ul_head && n < 16 && ul_sent - ul_acked < UL_WINDOW) {
            memcpy(&m->bursts[n++], &ul_ring[ul_tail % UL_RING], sizeof m->bursts[0]);
            dmb();
            ul_tail++;
            ul_sent++;
        }
        link_send(PROTO_MSG_RADIO_UL, 0, buf, sizeof *m + n * sizeof m->bursts[0], NULL, 0);
    }
}

static void fill_status(struct proto_radio_status *s)
{
    memset(s, 0, sizeof *s);
    s->running = modem.running;
    s->frame = modem.frame;
    s->buffered = dl_head - dl_tail;
    s->room = DL_RING - s->buffered;
    s->underruns = radio_counters.underruns;
    s->late = radio_counters.late;
}

static void cmd_radio_dl(const struct proto_msg *req)
{
    const struct proto_dl_burst *b = (const void *)(req->payload + sizeof(struct proto_radio_dl));
    size_t n = (req->length - sizeof(struct proto_radio_dl)) / sizeof *b;
    struct proto_radio_status s;

    for (size_t i = 0; i < n; i++)
        dl_put(&b[i]);
    fill_status(&s);
    link_reply(req, PROTO_MSG_RADIO_STATUS, &s, sizeof s);
}
LINK_COMMAND(PROTO_MSG_RADIO_DL, cmd_radio_dl);

static void cmd_radio_ul_ack(const struct proto_msg *req)
{
    const struct proto_radio_ul_ack *a = (const void *)req->payload;

    if ((int32_t)(a->bursts - ul_acked) > 0 && (int32_t)(ul_sent - a->bursts) >= 0)
        ul_acked = a->bursts;                   /* no answer: the host does not wait for one */
}
LINK_COMMAND(PROTO_MSG_RADIO_UL_ACK, cmd_radio_ul_ack);

static void cmd_modem_start(const struct proto_msg *req)
{
    const struct proto_modem_start *s = (const void *)req->payload;

    if (modem.running) {
        link_error(req, PROTO_ERR_BAD_STATE, "the modem is running: MODEM_STOP first");
        return;
    }
    memcpy(imsi, s->imsi, sizeof imsi);
    memset(&radio_counters, 0, sizeof radio_counters);
    rt_stats_reset(&fclk_stats);
    radio_latency_count = 0;
    stop_requested = 0;
    frames_to_run = s->frames;
    clock_key = 0;
    modem.frame = 0;                            /* the statuses speak of the new run from now */
    tx_tail = tx_head;
    ul_tail = ul_head;
    ul_sent = ul_acked = 0;
    l1_start(s->seed, imsi);
    rr_action(s->action, s->action_frame, s->number);
    /* the negative control: the stack below Linux; the link task, the harness's line, spared */
    rtos_set_below_linux((s->flags & PROTO_MODEM_FLAG_BELOW_LINUX) != 0, link_task_id);
    t0 = l4_vcounter() + rt_us_ticks(s->lead_us);
    link_ack(req, (uint32_t)t0);
    osThreadFlagsSet(fclk_task_id, FLAG_START);
}
LINK_COMMAND(PROTO_MSG_MODEM_START, cmd_modem_start);

static void cmd_modem_stop(const struct proto_msg *req)
{
    rtos_set_below_linux(false, NULL);          /* the control is over: the stack catches up */
    if (modem.running)
        stop_requested = 1;
    else {
        dl_tail = dl_head;                      /* a preload that will not be used */
        dl_any = false;
    }
    link_ack(req, modem.frame);
}
LINK_COMMAND(PROTO_MSG_MODEM_STOP, cmd_modem_stop);

/* The tasks MODEM_STATUS reports, in its order (MODEM_LATENCY's index); their count. */
static unsigned status_tasks(const struct rt_stats *tasks[8])
{
    unsigned n = 0;

    tasks[n++] = &fclk_stats;
    return n + l1_task_stats(tasks + n, 8 - n);
}

static void cmd_modem_status(const struct proto_msg *req)
{
    static uint8_t buf[sizeof(struct proto_modem_status_info) + 8 * sizeof(struct proto_modem_task)];
    struct proto_modem_status_info *s = (void *)buf;
    const struct rt_stats *tasks[8];
    unsigned n;

    memset(buf, 0, sizeof buf);
    s->frame = modem.frame;
    s->fn = modem_fn(modem.frame);
    s->l1_state = modem.l1_state;
    s->bsic = modem.bsic;
    s->rr_state = modem.rr_state;
    s->mm_state = modem.mm_state;
    s->cc_state = modem.cc_state;
    s->underruns = radio_counters.underruns;
    s->blocks_ok = modem.blocks_ok;
    s->blocks_bad = modem.blocks_bad;
    s->bit_errors = modem.bit_errors;
    s->bits = modem.bits;
    n = status_tasks(tasks);
    for (unsigned i = 0; i < n; i++)
        rt_stats_report(tasks[i], &s->tasks[i]);
    link_reply(req, PROTO_MSG_MODEM_STATUS_INFO, buf, sizeof *s + n * sizeof s->tasks[0]);
}
LINK_COMMAND(PROTO_MSG_MODEM_STATUS, cmd_modem_status);

static void cmd_modem_latency(const struct proto_msg *req)
{
    static uint8_t buf[sizeof(struct proto_modem_latency_info) + RT_START_BINS * sizeof(uint32_t)];
    const struct proto_modem_latency *q = (const void *)req->payload;
    const struct rt_stats *tasks[8];
    unsigned n = status_tasks(tasks);

    if (q->task >= n) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "no such task");
        return;
    }
    link_reply(req, PROTO_MSG_MODEM_LATENCY_INFO, buf, rt_start_report(tasks[q->task], (void *)buf));
}
LINK_COMMAND(PROTO_MSG_MODEM_LATENCY, cmd_modem_latency);

static void cmd_hello(const struct proto_msg *req)
{
    struct proto_info info;
    info_fill(&info, PROTO_ROLE_MODEM, 0, PROTO_FEATURE_RADIO, l4_counter_hz());
    link_reply(req, PROTO_MSG_INFO, &info, sizeof info);
}
LINK_COMMAND(PROTO_MSG_HELLO, cmd_hello);

static void link_task(void *arg)
{
    (void)arg;
    for (;;) {
        uint32_t flags = osThreadFlagsWait(FLAG_IRQ | FLAG_SEND, osFlagsWaitAny, osWaitForever);
        send_uplink();                          /* the record first (as far as the window lets) */
        send_events();
        if (flags & FLAG_IRQ) {
            radiolink_irq_ack();
            radiolink_poll(take_bytes);
        }
        send_uplink();
        send_events();
        if (status_due) {
            struct proto_radio_status s;
            status_due = 0;
            fill_status(&s);
            link_send(PROTO_MSG_RADIO_STATUS, 0, &s, sizeof s, NULL, 0);
        }
    }
}

/* The radio link's transmit queue is full: the host is reading slower than the modem writes.
 * The link task waits for it, a tick at a time, for as long as it takes: what it sends (the
 * uplink, events, statuses) is the record of the run, and a deterministic run must not lose
 * any of it to the host's speed.  The frame clock, above it, never waits for the host. */
static bool link_wait(void)
{
    osDelay(1);
    return true;
}

static uint64_t fclk_stack[512], link_stack[1024];

int radio_init(void)
{
    static const osThreadAttr_t fclk_attr = {
        .name = "fclk", .stack_mem = fclk_stack, .stack_size = sizeof fclk_stack,
        .priority = osPriorityRealtime7,
    };
    static const osThreadAttr_t link_attr = {
        .name = "radiolnk", .stack_mem = link_stack, .stack_size = sizeof link_stack,
        .priority = osPriorityRealtime,
    };

    if (radiolink_init())
        return -1;
    radiolink_set_wait(link_wait);
    memset(dl_ring, 0, sizeof dl_ring);         /* fault the rings in now, not at the first burst */
    memset(ul_ring, 0, sizeof ul_ring);
    fclk_task_id = osThreadNew(fclk_task, NULL, &fclk_attr);
    link_task_id = osThreadNew(link_task, NULL, &link_attr);
    if (!fclk_task_id || !link_task_id)
        return -1;
    return rtos_irq_attach(radiolink_irq(), link_task_id, FLAG_IRQ) == osOK ? 0 : -1;
}
