/*
 * LAPDm, the mobile station's side (lapdm.h states the contract and the invariants).
 *
 * A received frame is parsed once into a struct frame and handled by its kind.  What a data
 * link owes the peer is kept as state (a response owed, a command owed, the queues), and
 * lapdm_tx_frame() turns the most urgent of it into the next frame: layer 1 decides when frames
 * go, and a frame is only "sent" (T200 started, V(S) advanced) when layer 1 takes it.
 * Callbacks run last in each handler, with the link already in its new state.
 */
#include "lapdm.h"

#include "lib/string.h"

struct frame {
    uint8_t sapi;
    bool cmd;               /* a command (from the network: C/R = 1) rather than a response */
    uint8_t ctl;
    bool pf;
    bool more;              /* the M bit */
    uint8_t len;
    const uint8_t *info;
};

static struct lapdm_link *link_of(struct lapdm_ctx *ctx, uint8_t sapi)
{
    if (ctx->chan == LAPDM_CH_CCCH)             /* Bbis frames have no data links */
        return NULL;
    if (sapi == 0)
        return &ctx->link[0];
    if (sapi == 3)
        return &ctx->link[1];
    return NULL;
}

static const struct lapdm_link *link_of_const(const struct lapdm_ctx *ctx, uint8_t sapi)
{
    return link_of((struct lapdm_ctx *)ctx, sapi);
}

/* Back to idle: variables, timer, owed frames and queues cleared. */
static void link_reset(struct lapdm_link *l)
{
    uint8_t sapi = l->sapi;

    memset(l, 0, sizeof *l);
    l->sapi = sapi;
    l->state = LAPDM_ST_IDLE;
}

static void t200_start(struct lapdm_ctx *ctx, struct lapdm_link *l)
{
    l->t200_on = true;
    l->t200_start = ctx->now;
}

static void t200_stop(struct lapdm_link *l)
{
    l->t200_on = false;
    l->rc = 0;
}

static bool t200_expired(const struct lapdm_ctx *ctx, const struct lapdm_link *l)
{
    uint32_t elapsed = (ctx->now + LAPDM_HYPERFRAME - l->t200_start) % LAPDM_HYPERFRAME;

    return l->t200_on && elapsed >= ctx->t200;
}

static void fail(struct lapdm_ctx *ctx, struct lapdm_link *l, enum lapdm_cause cause)
{
    link_reset(l);
    ctx->event(ctx->arg, l->sapi, LAPDM_EV_ERROR, cause);
}

static void released(struct lapdm_ctx *ctx, struct lapdm_link *l, enum lapdm_cause cause)
{
    link_reset(l);
    ctx->event(ctx->arg, l->sapi, LAPDM_EV_RELEASED, cause);
}

static void owe_response(struct lapdm_link *l, uint8_t resp, bool f)
{
    l->resp = resp;
    l->resp_f = l->resp_f || f;
}

static bool established(const struct lapdm_link *l)
{
    return l->state == LAPDM_ST_ESTABLISHED || l->state == LAPDM_ST_TIMER_RECOVERY;
}

/* N(R) is valid when V(A) <= N(R) <= V(S), modulo 8. */
static bool nr_valid(const struct lapdm_link *l, uint8_t nr)
{
    return ((nr - l->va) & 7u) <= ((l->vs - l->va) & 7u);
}

/* The peer acknowledged everything before nr: with k = 1, at most the outstanding segment. */
static void acknowledge(struct lapdm_link *l, uint8_t nr)
{
    if (nr == l->va)
        return;
    l->va = nr;
    l->tx_off += l->tx_seg;
    l->tx_seg = 0;
    if (l->tx_off >= l->txq[l->txq_head].len) {
        l->txq_head = (uint8_t)((l->txq_head + 1) % LAPDM_TXQ_DEPTH);
        l->txq_count--;
        l->tx_off = 0;
    }
    t200_stop(l);
    l->cmd_owed = false;
    l->state = LAPDM_ST_ESTABLISHED;
}

/* V(S) back to V(A): the unacknowledged segment goes again as a new I frame. */
static void rewind(struct lapdm_link *l)
{
    l->vs = l->va;
    l->tx_seg = 0;
    t200_stop(l);
    l->cmd_owed = false;
    l->state = LAPDM_ST_ESTABLISHED;
}

/* ---- Receiving ----------------------------------------------------------------------------- */

/* Fills f from one L2 frame of n octets; false for what 44.006 says to discard silently. */
static bool parse(const struct lapdm_ctx *ctx, const uint8_t *p, size_t n, struct frame *f)
{
    uint8_t addr = p[0];

    if (!LAPDM_ADDR_EA(addr) || LAPDM_ADDR_LPD(addr) != LAPDM_LPD_NORMAL)
        return false;
    f->sapi = (uint8_t)LAPDM_ADDR_SAPI(addr);
    f->cmd = LAPDM_ADDR_CR(addr) == LAPDM_CR_NET_CMD;
    f->ctl = p[1];
    f->pf = (f->ctl & LAPDM_CTL_PF) != 0;
    if (ctx->chan == LAPDM_CH_SACCH && f->sapi == 0 && LAPDM_CTL_U_KIND(f->ctl) == LAPDM_U_UI) {
        f->more = false;                        /* format B4: no length indicator */
        f->len = LAPDM_N201_B4;
        f->info = p + 2;
        return n >= 2u + LAPDM_N201_B4;
    }
    if (!LAPDM_LEN_EL(p[2]) || LAPDM_LEN_L(p[2]) > ctx->n201 || n < 3u + ctx->n201)
        return false;
    f->more = LAPDM_LEN_M(p[2]) != 0;
    f->len = (uint8_t)LAPDM_LEN_L(p[2]);
    f->info = p + 3;
    return true;
}

static void rx_sabm(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    switch (l->state) {
    case LAPDM_ST_IDLE:
    case LAPDM_ST_ESTABLISHED:
    case LAPDM_ST_TIMER_RECOVERY:               /* the peer (re-)establishes: start afresh */
        l->state = LAPDM_ST_ESTABLISHED;
        l->vs = l->vr = l->va = 0;
        l->tx_off = 0;
        l->tx_seg = 0;
        l->rx_len = 0;
        l->rx_drop = false;
        l->reject = false;
        l->peer_busy = false;
        l->cmd_owed = false;
        t200_stop(l);
        owe_response(l, LAPDM_U_UA, f->pf);
        ctx->event(ctx->arg, l->sapi, LAPDM_EV_ESTABLISHED, LAPDM_CAUSE_PEER);
        break;
    case LAPDM_ST_EST_PENDING:                  /* both sides establish: answer, keep waiting */
        owe_response(l, LAPDM_U_UA, f->pf);
        break;
    default:
        owe_response(l, LAPDM_U_DM, f->pf);
        break;
    }
}

static void rx_disc(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    if (established(l)) {
        link_reset(l);
        owe_response(l, LAPDM_U_UA, f->pf);
        ctx->event(ctx->arg, l->sapi, LAPDM_EV_RELEASED, LAPDM_CAUSE_PEER);
    } else if (l->state == LAPDM_ST_REL_PENDING) {
        owe_response(l, LAPDM_U_UA, f->pf);
    } else {
        owe_response(l, LAPDM_U_DM, f->pf);
    }
}

static void rx_ua(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    if (!f->pf)                                 /* not the answer to our P = 1 command */
        return;
    if (l->state == LAPDM_ST_EST_PENDING) {
        if (f->len != l->est_len || memcmp(f->info, l->est, f->len) != 0) {
            fail(ctx, l, LAPDM_CAUSE_CONTENTION);
            return;
        }
        l->state = LAPDM_ST_ESTABLISHED;
        l->vs = l->vr = l->va = 0;
        t200_stop(l);
        l->cmd_owed = false;
        ctx->event(ctx->arg, l->sapi, LAPDM_EV_ESTABLISHED, LAPDM_CAUSE_NORMAL);
    } else if (l->state == LAPDM_ST_REL_PENDING) {
        released(ctx, l, LAPDM_CAUSE_NORMAL);
    }
}

static void rx_dm(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    if (l->state == LAPDM_ST_EST_PENDING && f->pf)
        released(ctx, l, LAPDM_CAUSE_PEER);
    else if (l->state == LAPDM_ST_REL_PENDING && f->pf)
        released(ctx, l, LAPDM_CAUSE_NORMAL);
    else if (established(l) && !f->pf)
        fail(ctx, l, LAPDM_CAUSE_UNSOLICITED_DM);
}

static void rx_ui(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    if (f->len == 0 || f->more)                 /* a fill frame; UI frames are not segmented */
        return;
    ctx->data(ctx->arg, l->sapi, LAPDM_UNACK, f->info, f->len);
}

static void rx_i(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    uint8_t nr = (uint8_t)LAPDM_CTL_NR(f->ctl);

    if (!f->cmd || f->len == 0 || (f->more && f->len != ctx->n201))
        return;                                 /* frame error: discarded */
    if (!established(l)) {
        if (l->state == LAPDM_ST_IDLE && f->pf)
            owe_response(l, LAPDM_U_DM, true);
        return;
    }
    if (!nr_valid(l, nr)) {
        fail(ctx, l, LAPDM_CAUSE_SEQUENCE);
        return;
    }
    acknowledge(l, nr);
    if (LAPDM_CTL_NS(f->ctl) != l->vr) {        /* N(S) sequence error: one REJ per exception */
        if (!l->reject) {
            l->reject = true;
            owe_response(l, LAPDM_S_REJ | 1u, f->pf);
        } else if (f->pf) {
            owe_response(l, LAPDM_S_RR | 1u, true);
        }
        return;
    }
    l->vr = (l->vr + 1) & 7u;
    l->reject = false;
    owe_response(l, LAPDM_S_RR | 1u, f->pf);
    if (!l->rx_drop && l->rx_len + f->len <= LAPDM_L3_MAX) {
        memcpy(l->rx + l->rx_len, f->info, f->len);
        l->rx_len = (uint16_t)(l->rx_len + f->len);
    } else {
        l->rx_drop = true;
    }
    if (f->more)
        return;
    if (!l->rx_drop) {
        uint16_t len = l->rx_len;

        l->rx_len = 0;
        ctx->data(ctx->arg, l->sapi, LAPDM_ACK, l->rx, len);
    }
    l->rx_len = 0;
    l->rx_drop = false;
}

static void rx_s(struct lapdm_ctx *ctx, struct lapdm_link *l, const struct frame *f)
{
    uint8_t nr = (uint8_t)LAPDM_CTL_NR(f->ctl);
    uint8_t kind = (uint8_t)LAPDM_CTL_S_KIND(f->ctl);

    if (f->len != 0)
        return;
    if (!established(l)) {
        if (l->state == LAPDM_ST_IDLE && f->cmd && f->pf)
            owe_response(l, LAPDM_U_DM, true);
        return;
    }
    if (!nr_valid(l, nr)) {
        fail(ctx, l, LAPDM_CAUSE_SEQUENCE);
        return;
    }
    l->peer_busy = kind == LAPDM_S_RNR;
    acknowledge(l, nr);
    if (l->va != l->vs) {
        /* REJ asks for the unacknowledged frame again; so does the answer to our enquiry */
        if (kind == LAPDM_S_REJ || (l->state == LAPDM_ST_TIMER_RECOVERY && !f->cmd && f->pf))
            rewind(l);
    } else if (l->state == LAPDM_ST_TIMER_RECOVERY && !f->cmd && f->pf) {
        t200_stop(l);                           /* the enquiry was answered */
        l->cmd_owed = false;
        l->state = LAPDM_ST_ESTABLISHED;
    }
    if (f->cmd && f->pf)
        owe_response(l, LAPDM_S_RR | 1u, true);
}

void lapdm_rx_frame(struct lapdm_ctx *ctx, const uint8_t *block, size_t len)
{
    const uint8_t *p = block;
    size_t n = len;
    struct lapdm_link *l;
    struct frame f;

    if (len != LAPDM_BLOCK_LEN)
        return;
    if (ctx->chan == LAPDM_CH_CCCH) {           /* Bbis: the L3 message is the whole block */
        ctx->data(ctx->arg, 0, LAPDM_UNACK, block, len);
        return;
    }
    if (ctx->chan == LAPDM_CH_SACCH) {
        memcpy(ctx->l1_header, block, LAPDM_SACCH_L1_LEN);
        p += LAPDM_SACCH_L1_LEN;
        n -= LAPDM_SACCH_L1_LEN;
    }
    if (!parse(ctx, p, n, &f))
        return;
    l = link_of(ctx, f.sapi);
    if (l == NULL)
        return;
    if (LAPDM_CTL_IS_I(f.ctl)) {
        rx_i(ctx, l, &f);
    } else if (LAPDM_CTL_IS_S(f.ctl)) {
        rx_s(ctx, l, &f);
    } else {
        switch (LAPDM_CTL_U_KIND(f.ctl)) {
        case LAPDM_U_SABM: if (f.cmd) rx_sabm(ctx, l, &f); break;
        case LAPDM_U_DISC: if (f.cmd) rx_disc(ctx, l, &f); break;
        case LAPDM_U_UA:   if (!f.cmd) rx_ua(ctx, l, &f); break;
        case LAPDM_U_DM:   if (!f.cmd) rx_dm(ctx, l, &f); break;
        case LAPDM_U_UI:   if (f.cmd) rx_ui(ctx, l, &f); break;
        default: break;                         /* FRMR and the rest: not used by LAPDm */
        }
    }
}

/* ---- Sending ------------------------------------------------------------------------------- */

static void put(uint8_t *p, uint8_t cr, const struct lapdm_link *l, uint8_t ctl,
                const uint8_t *info, size_t len, bool more)
{
    p[0] = LAPDM_ADDR(LAPDM_LPD_NORMAL, l->sapi, cr);
    p[1] = ctl;
    p[2] = LAPDM_LEN(len, more);
    if (len)
        memcpy(p + 3, info, len);
}

static bool can_send_new_i(const struct lapdm_link *l)
{
    return l->state == LAPDM_ST_ESTABLISHED && l->va == l->vs && !l->peer_busy &&
           !l->cmd_owed && l->txq_count > 0;
}

/* The outstanding (or next) segment of the message at the head of the queue. */
static void put_i(struct lapdm_ctx *ctx, struct lapdm_link *l, uint8_t *p, uint8_t ns, bool poll)
{
    const struct lapdm_msg *m = &l->txq[l->txq_head];
    size_t left = m->len - l->tx_off;
    size_t seg = left > ctx->n201 ? ctx->n201 : left;

    put(p, LAPDM_CR_MS_CMD, l, LAPDM_CTL_I(l->vr, ns, poll), m->data + l->tx_off, seg,
        left > seg);
    l->tx_seg = (uint8_t)seg;
}

/* The next acknowledged-mode frame this link owes, if any, into p. */
static bool link_tx(struct lapdm_ctx *ctx, struct lapdm_link *l, uint8_t *p)
{
    if (l->resp != 0 && !(l->resp == (LAPDM_S_RR | 1u) && !l->resp_f && can_send_new_i(l))) {
        uint8_t ctl = l->resp;

        if (LAPDM_CTL_IS_S(ctl))
            ctl = LAPDM_CTL_S(l->vr, ctl & 0x0Cu, l->resp_f);
        else if (l->resp_f)
            ctl |= LAPDM_CTL_PF;
        put(p, LAPDM_CR_MS_RESP, l, ctl, NULL, 0, false);
        l->resp = 0;
        l->resp_f = false;
        return true;
    }
    if (l->cmd_owed) {
        if (l->state == LAPDM_ST_EST_PENDING)
            put(p, LAPDM_CR_MS_CMD, l, LAPDM_U_SABM | LAPDM_CTL_PF, l->est, l->est_len, false);
        else if (l->state == LAPDM_ST_REL_PENDING)
            put(p, LAPDM_CR_MS_CMD, l, LAPDM_U_DISC | LAPDM_CTL_PF, NULL, 0, false);
        else if (l->va != l->vs && !l->peer_busy)
            put_i(ctx, l, p, l->va, true);      /* timer recovery: the I frame again, P = 1 */
        else
            put(p, LAPDM_CR_MS_CMD, l, LAPDM_CTL_S(l->vr, LAPDM_S_RR, true), NULL, 0, false);
        l->cmd_owed = false;
        t200_start(ctx, l);
        return true;
    }
    if (can_send_new_i(l)) {
        put_i(ctx, l, p, l->vs, false);
        l->vs = (l->vs + 1) & 7u;
        if (l->resp == (LAPDM_S_RR | 1u) && !l->resp_f)
            l->resp = 0;                        /* the I frame's N(R) acknowledges */
        t200_start(ctx, l);
        return true;
    }
    return false;
}

static bool ui_tx(struct lapdm_link *l, uint8_t *p)
{
    const struct lapdm_ui *u;

    if (l->uiq_count == 0)
        return false;
    u = &l->uiq[l->uiq_head];
    put(p, LAPDM_CR_MS_CMD, l, LAPDM_U_UI, u->data, u->len, false);
    l->uiq_head = (uint8_t)((l->uiq_head + 1) % LAPDM_UIQ_DEPTH);
    l->uiq_count--;
    return true;
}

bool lapdm_tx_frame(struct lapdm_ctx *ctx, uint8_t *out)
{
    uint8_t *p = out;
    size_t n = LAPDM_BLOCK_LEN;
    size_t i;

    if (ctx->chan == LAPDM_CH_CCCH)
        return false;
    if (ctx->chan == LAPDM_CH_SACCH) {
        p += LAPDM_SACCH_L1_LEN;
        n -= LAPDM_SACCH_L1_LEN;
    }
    memset(p, LAPDM_FILL, n);
    for (i = 0; i < 2; i++)                     /* SAPI 0 before SAPI 3 */
        if (link_tx(ctx, &ctx->link[i], p) || ui_tx(&ctx->link[i], p))
            return true;
    if (ctx->chan == LAPDM_CH_SACCH)
        return false;
    p[0] = LAPDM_ADDR(LAPDM_LPD_NORMAL, 0, LAPDM_CR_MS_CMD);   /* the fill frame: empty UI */
    p[1] = LAPDM_U_UI;
    p[2] = LAPDM_LEN(0, false);
    return true;
}

/* ---- Timer --------------------------------------------------------------------------------- */

static void t200_expiry(struct lapdm_ctx *ctx, struct lapdm_link *l)
{
    l->t200_on = false;
    switch (l->state) {
    case LAPDM_ST_EST_PENDING:
    case LAPDM_ST_REL_PENDING:
        if (l->rc >= LAPDM_N200_EST_REL) {
            if (l->state == LAPDM_ST_EST_PENDING)
                fail(ctx, l, LAPDM_CAUSE_T200);
            else
                released(ctx, l, LAPDM_CAUSE_T200);
            return;
        }
        break;
    case LAPDM_ST_ESTABLISHED:
        l->state = LAPDM_ST_TIMER_RECOVERY;
        l->rc = 0;
        /* fall through */
    case LAPDM_ST_TIMER_RECOVERY:
        if (l->rc >= ctx->n200) {
            fail(ctx, l, LAPDM_CAUSE_T200);
            return;
        }
        break;
    default:
        return;
    }
    l->rc++;
    l->cmd_owed = true;
}

void lapdm_tick(struct lapdm_ctx *ctx, uint32_t fn)
{
    size_t i;

    ctx->now = fn % LAPDM_HYPERFRAME;
    for (i = 0; i < 2; i++)
        if (t200_expired(ctx, &ctx->link[i]))
            t200_expiry(ctx, &ctx->link[i]);
}

/* ---- Requests from layer 3 ----------------------------------------------------------------- */

size_t lapdm_ctx_size(void)
{
    return sizeof(struct lapdm_ctx);
}

void lapdm_init(struct lapdm_ctx *ctx, enum lapdm_chan chan,
                lapdm_data_fn *data, lapdm_event_fn *event, void *arg)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->chan = (uint8_t)chan;
    ctx->data = data;
    ctx->event = event;
    ctx->arg = arg;
    ctx->link[0].sapi = 0;
    ctx->link[1].sapi = 3;
    switch (chan) {
    case LAPDM_CH_SDCCH:
        ctx->n201 = LAPDM_N201_B;
        ctx->n200 = LAPDM_N200_SDCCH;
        ctx->t200 = LAPDM_T200_SDCCH;
        break;
    case LAPDM_CH_FACCH_F:
    case LAPDM_CH_FACCH_H:
        ctx->n201 = LAPDM_N201_B;
        ctx->n200 = chan == LAPDM_CH_FACCH_F ? LAPDM_N200_FACCH_F : LAPDM_N200_FACCH_H;
        ctx->t200 = LAPDM_T200_FACCH;
        break;
    case LAPDM_CH_SACCH:
        ctx->n201 = LAPDM_N201_B_SACCH;
        ctx->n200 = LAPDM_N200_SACCH;
        ctx->t200 = LAPDM_T200_SACCH;
        break;
    default:
        ctx->n201 = LAPDM_N201_BBIS;
        break;
    }
}

int lapdm_establish(struct lapdm_ctx *ctx, uint8_t sapi, const uint8_t *l3, size_t len)
{
    struct lapdm_link *l = link_of(ctx, sapi);

    if (l == NULL)
        return LAPDM_E_SAPI;
    if (len > ctx->n201)
        return LAPDM_E_LEN;
    if (l->state != LAPDM_ST_IDLE)
        return LAPDM_E_STATE;
    link_reset(l);
    l->state = LAPDM_ST_EST_PENDING;
    l->est_len = (uint8_t)len;
    if (len)
        memcpy(l->est, l3, len);
    l->cmd_owed = true;
    return LAPDM_OK;
}

int lapdm_release(struct lapdm_ctx *ctx, uint8_t sapi)
{
    struct lapdm_link *l = link_of(ctx, sapi);

    if (l == NULL)
        return LAPDM_E_SAPI;
    if (l->state == LAPDM_ST_IDLE)
        return LAPDM_E_STATE;
    if (l->state == LAPDM_ST_REL_PENDING)
        return LAPDM_OK;
    link_reset(l);
    l->state = LAPDM_ST_REL_PENDING;
    l->cmd_owed = true;
    return LAPDM_OK;
}

int lapdm_send(struct lapdm_ctx *ctx, uint8_t sapi, const uint8_t *l3, size_t len)
{
    struct lapdm_link *l = link_of(ctx, sapi);
    struct lapdm_msg *m;

    if (l == NULL)
        return LAPDM_E_SAPI;
    if (len == 0 || len > LAPDM_L3_MAX)
        return LAPDM_E_LEN;
    if (!established(l) && l->state != LAPDM_ST_EST_PENDING)
        return LAPDM_E_STATE;
    if (l->txq_count == LAPDM_TXQ_DEPTH)
        return LAPDM_E_FULL;
    m = &l->txq[(l->txq_head + l->txq_count) % LAPDM_TXQ_DEPTH];
    m->len = (uint16_t)len;
    memcpy(m->data, l3, len);
    l->txq_count++;
    return LAPDM_OK;
}

int lapdm_send_ui(struct lapdm_ctx *ctx, uint8_t sapi, const uint8_t *l3, size_t len)
{
    struct lapdm_link *l = link_of(ctx, sapi);
    struct lapdm_ui *u;

    if (l == NULL)
        return LAPDM_E_SAPI;
    if (len == 0 || len > ctx->n201)
        return LAPDM_E_LEN;
    if (l->uiq_count == LAPDM_UIQ_DEPTH)
        return LAPDM_E_FULL;
    u = &l->uiq[(l->uiq_head + l->uiq_count) % LAPDM_UIQ_DEPTH];
    u->len = (uint8_t)len;
    memcpy(u->data, l3, len);
    l->uiq_count++;
    return LAPDM_OK;
}

int lapdm_link_state(const struct lapdm_ctx *ctx, uint8_t sapi)
{
    const struct lapdm_link *l = link_of_const(ctx, sapi);

    return l == NULL ? LAPDM_E_SAPI : l->state;
}

uint32_t lapdm_link_vars(const struct lapdm_ctx *ctx, uint8_t sapi)
{
    const struct lapdm_link *l = link_of_const(ctx, sapi);

    if (l == NULL)
        return 0;
    return (uint32_t)l->vs | (uint32_t)l->vr << 8 | (uint32_t)l->va << 16 |
           (uint32_t)l->txq_count << 24;
}
