/*
 * Radio resources, idle mode (rr.h).  The RR task owns the cell's system information and the
 * state; layer 1's decoder gives it blocks through a queue (single producer, single consumer).
 *
 * Camping needs SI1 to SI4 of the cell (TS 44.018 clause 3.2.2: the mobile reads them before
 * it uses the cell).  Then it listens to its paging group only (TS 45.002 clause 6.5.2).
 */
#include "l3/msgs.h"
#include "l3/sysinfo.h"
#include "l4.h"
#include "lib/string.h"
#include "modem.h"
#include "radio.h"
#include "rr.h"
#include "rtos.h"

#define FLAG_BLOCK  0x1u
#define RR_QUEUE    8u
#define SI_ALL      0x1eu           /* bits 1-4: SI1..SI4 */

struct rr_block {
    uint8_t chan;
    uint32_t fn;
    uint64_t release;
    uint8_t l2[23];
};

static struct rr_block queue[RR_QUEUE];
static volatile uint32_t q_head, q_tail;
static osThreadId_t rr_task_id;
static struct rt_stats rr_stats = { .name = "rr" };

/* the RR task's */
static char imsi[16];               /* the IMSI's digits, NUL-terminated */
static unsigned si_seen;
static struct l3_ccch_desc ccch;
static struct l3_lai lai;
static uint16_t cell_id;
static uint32_t pages_heard;

void rr_start(const uint8_t bcd[8])
{
    unsigned n = 0;

    for (; n < sizeof imsi - 1; n++) {          /* BCD, the first digit in the low half */
        uint8_t d = n & 1 ? bcd[n / 2] >> 4 : bcd[n / 2] & 0xf;
        if (d > 9)
            break;
        imsi[n] = (char)('0' + d);
    }
    imsi[n] = 0;
    si_seen = 0;
    pages_heard = 0;
    q_tail = q_head;
    rt_stats_reset(&rr_stats);
    modem.rr_state = RR_NULL;
}

const struct rt_stats *rr_task_stats(void)
{
    return &rr_stats;
}

void rr_block(enum l1_chan chan, uint32_t fn, uint64_t release, const uint8_t l2[23])
{
    struct rr_block *b;

    if (q_head - q_tail == RR_QUEUE) {
        rt_job_lost(&rr_stats);
        return;
    }
    b = &queue[q_head % RR_QUEUE];
    b->chan = (uint8_t)chan;
    b->fn = fn;
    b->release = release;
    memcpy(b->l2, l2, sizeof b->l2);
    __asm__ volatile("dmb" ::: "memory");
    q_head++;
    osThreadFlagsSet(rr_task_id, FLAG_BLOCK);
}

/* Listen to the paging block of the IMSI's paging group (TS 45.002 clause 6.5.2). */
static void listen_to_paging(void)
{
    struct l3_paging p;

    if (l3_paging_block(&ccch, l3_imsi_mod_1000(imsi), &p) == 0)
        l1_set_paging(p.block, p.period, p.mf);
}

static bool is_me(const struct l3_mi *mi)
{
    return mi->type == L3_MI_IMSI && strlen(mi->digits) == strlen(imsi) &&
           memcmp(mi->digits, imsi, strlen(imsi)) == 0;
}

static void bcch(uint32_t fn, const struct l3_msg *m)
{
    unsigned si;
    char text[24];

    switch (m->type) {
    case L3_RR_SI1: si = 1; break;
    case L3_RR_SI2: si = 2; break;
    case L3_RR_SI3: si = 3; break;
    case L3_RR_SI4: si = 4; break;
    default: return;
    }
    if (si == 3) {
        ccch = m->ccch;
        lai = m->lai;
        cell_id = m->cell_id;
    }
    if (!(si_seen & 1u << si)) {
        fmt(text, sizeof text, "system information %u", si);
        modem_event(PROTO_MODEM_RR, EV_RR_SI, si, fn, text);
    }
    si_seen |= 1u << si;
    if (modem.rr_state != RR_IDLE && (si_seen & SI_ALL) == SI_ALL) {
        modem.rr_state = RR_IDLE;
        listen_to_paging();
        modem_event(PROTO_MODEM_RR, EV_RR_CAMPED, cell_id, lai.lac, "camped on the cell");
    }
}

static void ccch_block(uint32_t fn, const struct l3_msg *m)
{
    if (m->type != L3_RR_PAGING_REQ1)
        return;
    pages_heard++;
    if (is_me(&m->mi) || ((m->present & 1u << L3_F_MI2) && is_me(&m->mi2)))
        modem_event(PROTO_MODEM_RR, EV_RR_PAGED, (fn % 51), fn, "paged");
}

static void rr_task(void *arg)
{
    (void)arg;
    for (;;) {
        osThreadFlagsWait(FLAG_BLOCK, osFlagsWaitAny, osWaitForever);
        while (q_tail != q_head) {
            const struct rr_block *b = &queue[q_tail % RR_QUEUE];
            uint64_t start = l4_vcounter();
            struct l3_msg m;

            if (modem.rr_state == RR_NULL)
                modem.rr_state = RR_SELECTING;
            if (l3_decode(&m, b->l2, sizeof b->l2) == 0 && m.pd == L3_PD_RR) {
                if (b->chan == L1_BCCH)
                    bcch(b->fn, &m);
                else
                    ccch_block(b->fn, &m);
            }
            rt_job_done(&rr_stats, b->release, start, b->release + 51 * radio_frame_ticks());
            __asm__ volatile("dmb" ::: "memory");
            q_tail++;
        }
    }
}

static uint64_t rr_stack[1024];

int rr_init(void)
{
    static const osThreadAttr_t attr = {
        .name = "rr", .stack_mem = rr_stack, .stack_size = sizeof rr_stack,
        .priority = osPriorityHigh,
    };
    rr_task_id = osThreadNew(rr_task, NULL, &attr);
    return rr_task_id ? 0 : -1;
}
