/*
 * The layer-3 message table and the one walker that encodes, decodes and dumps by it
 * (msgs.h states the contract).  An element is described by where it lives in struct l3_msg
 * (its field), how it is framed (V, TV, LV, TLV, T) and what its value octets mean (its kind);
 * each kind has one decode, one encode and one dump function, shared by every message.
 */
#include "msgs.h"

#include "lib/string.h"

enum fmt { V, TV, LV, TLV, T };

enum kind {
    K_HALVES, K_U8, K_U16, K_LAI, K_MI, K_OCTETS, K_CCCH_DESC, K_CELL_OPT, K_CELL_SEL,
    K_RACH, K_CHAN, K_REQ_REF, K_TA, K_BCD, K_CC_CAUSE, K_FLAG, K_CELL_CHAN, K_NCELL, K_START,
    K_U32, K_COUNT,
};

_Static_assert(L3_F_COUNT <= 32, "struct l3_msg's `present` has 32 bits");

struct ie {
    uint8_t field;          /* enum l3_field */
    uint8_t fmt;            /* enum fmt */
    uint8_t iei;            /* the tag of TV, TLV and T elements */
    uint8_t kind;           /* enum kind */
    uint8_t min, max;       /* value octets (V and TV: both the fixed length) */
    bool optional;
    const char *name;
};

#define CCCH_MSG 1u         /* preceded by the L2 pseudo length, padded to 23 octets */

struct msg {
    uint8_t pd, type, flags, n_ies;
    const char *name;
    const struct ie *ies;
};

/* Elements common to many messages (the lengths are the value part's, 24.008 and 44.018 10.5) */
#define IE_LAI         { L3_F_LAI, V, 0, K_LAI, 5, 5, false, "lai" }
#define IE_MI_LV       { L3_F_MI, LV, 0, K_MI, 1, 8, false, "mi" }
#define IE_CM1         { L3_F_CM1, V, 0, K_U8, 1, 1, false, "cm1" }
#define IE_CM2_LV      { L3_F_CM2, LV, 0, K_OCTETS, 3, 3, false, "cm2" }
#define IE_HALVES      { L3_F_HALVES, V, 0, K_HALVES, 1, 1, false, "half" }
#define IE_CAUSE       { L3_F_CAUSE, V, 0, K_U8, 1, 1, false, "cause" }
#define IE_CC_CAUSE_TLV { L3_F_CC_CAUSE, TLV, 0x08, K_CC_CAUSE, 2, 30, true, "cc_cause" }
#define IE_RACH        { L3_F_RACH, V, 0, K_RACH, 3, 3, false, "rach" }
#define IE_CELL_SEL    { L3_F_CELL_SEL, V, 0, K_CELL_SEL, 2, 2, false, "cell_sel" }
#define IE_TMSI(n)     { L3_F_TMSI1 + (n) - 1, V, 0, K_U32, 4, 4, false, "tmsi" #n }

static const struct ie ies_si3[] = {
    { L3_F_CELL_ID, V, 0, K_U16, 2, 2, false, "cell_id" },
    IE_LAI,
    { L3_F_CCCH_DESC, V, 0, K_CCCH_DESC, 3, 3, false, "ccch" },
    { L3_F_CELL_OPT, V, 0, K_CELL_OPT, 1, 1, false, "cell_opt" },
    IE_CELL_SEL,
    IE_RACH,
};
static const struct ie ies_si1[] = {
    { L3_F_CELL_CHAN, V, 0, K_CELL_CHAN, 16, 16, false, "cell_chan" },
    IE_RACH,
};
static const struct ie ies_si2[] = {
    { L3_F_NCELL, V, 0, K_NCELL, 16, 16, false, "ncell" },
    { L3_F_NCC_PERM, V, 0, K_U8, 1, 1, false, "ncc_permitted" },
    IE_RACH,
};
static const struct ie ies_si4[] = {
    IE_LAI,
    IE_CELL_SEL,
    IE_RACH,
    { L3_F_CBCH, TV, 0x64, K_CHAN, 3, 3, true, "cbch" },
};
static const struct ie ies_paging1[] = {
    IE_HALVES,
    IE_MI_LV,
    { L3_F_MI2, TLV, 0x17, K_MI, 1, 8, true, "mi2" },
};
static const struct ie ies_paging2[] = {
    IE_HALVES, IE_TMSI(1), IE_TMSI(2),
    { L3_F_MI, TLV, 0x17, K_MI, 1, 8, true, "mi3" },
};
static const struct ie ies_paging3[] = {
    IE_HALVES, IE_TMSI(1), IE_TMSI(2), IE_TMSI(3), IE_TMSI(4),
};
static const struct ie ies_imm_assign[] = {
    IE_HALVES,
    { L3_F_CHAN, V, 0, K_CHAN, 3, 3, false, "chan" },
    { L3_F_REQ_REF, V, 0, K_REQ_REF, 3, 3, false, "req" },
    { L3_F_TA, V, 0, K_TA, 1, 1, false, "ta" },
    { L3_F_MA, LV, 0, K_OCTETS, 0, 8, false, "ma" },
    { L3_F_START, TV, 0x7C, K_START, 2, 2, true, "start" },
};
static const struct ie ies_cause[] = { IE_CAUSE };
static const struct ie ies_paging_resp[] = { IE_HALVES, IE_CM2_LV, IE_MI_LV };
static const struct ie ies_assign_cmd[] = {
    { L3_F_CHAN, V, 0, K_CHAN, 3, 3, false, "chan" },
    { L3_F_POWER, V, 0, K_U8, 1, 1, false, "power" },
};
static const struct ie ies_lu_request[] = { IE_HALVES, IE_LAI, IE_CM1, IE_MI_LV };
static const struct ie ies_lu_accept[] = {
    IE_LAI,
    { L3_F_MI, TLV, 0x17, K_MI, 1, 8, true, "mi" },
    { L3_F_FOLLOW_ON, T, 0xA1, K_FLAG, 0, 0, true, "follow_on" },
};
static const struct ie ies_imsi_detach[] = { IE_CM1, IE_MI_LV };
static const struct ie ies_cm_serv_req[] = { IE_HALVES, IE_CM2_LV, IE_MI_LV };
static const struct ie ies_setup[] = {
    { L3_F_BEARER, TLV, 0x04, K_OCTETS, 1, 14, true, "bearer" },
    { L3_F_CALLING, TLV, 0x5C, K_BCD, 1, 12, true, "calling" },
    { L3_F_CALLED, TLV, 0x5E, K_BCD, 1, 17, true, "called" },
};
static const struct ie ies_disconnect[] = {
    { L3_F_CC_CAUSE, LV, 0, K_CC_CAUSE, 2, 30, false, "cc_cause" },
};
static const struct ie ies_release[] = { IE_CC_CAUSE_TLV };
static const struct ie ies_meas_report[] = {
    { L3_F_MEAS, V, 0, K_OCTETS, 16, 16, false, "meas" },
};
static const struct ie ies_call_confirmed[] = {
    { L3_F_BEARER, TLV, 0x04, K_OCTETS, 1, 14, true, "bearer" },
};

#define MSG(pd, type, flags, name, ies) { pd, type, flags, sizeof(ies) / sizeof(ies[0]), name, ies }
#define MSG0(pd, type, name) { pd, type, 0, 0, name, NULL }

static const struct msg msgs[] = {
    MSG(L3_PD_RR, L3_RR_SI1, CCCH_MSG, "rr.si1", ies_si1),
    MSG(L3_PD_RR, L3_RR_SI2, CCCH_MSG, "rr.si2", ies_si2),
    MSG(L3_PD_RR, L3_RR_SI3, CCCH_MSG, "rr.si3", ies_si3),
    MSG(L3_PD_RR, L3_RR_SI4, CCCH_MSG, "rr.si4", ies_si4),
    MSG(L3_PD_RR, L3_RR_PAGING_REQ1, CCCH_MSG, "rr.paging_req1", ies_paging1),
    MSG(L3_PD_RR, L3_RR_PAGING_REQ2, CCCH_MSG, "rr.paging_req2", ies_paging2),
    MSG(L3_PD_RR, L3_RR_PAGING_REQ3, CCCH_MSG, "rr.paging_req3", ies_paging3),
    MSG(L3_PD_RR, L3_RR_IMM_ASSIGN, CCCH_MSG, "rr.imm_assign", ies_imm_assign),
    MSG(L3_PD_RR, L3_RR_CHANNEL_RELEASE, 0, "rr.channel_release", ies_cause),
    MSG(L3_PD_RR, L3_RR_PAGING_RESPONSE, 0, "rr.paging_response", ies_paging_resp),
    MSG(L3_PD_RR, L3_RR_ASSIGN_CMD, 0, "rr.assign_cmd", ies_assign_cmd),
    MSG(L3_PD_RR, L3_RR_ASSIGN_COMPLETE, 0, "rr.assign_complete", ies_cause),
    MSG(L3_PD_RR, L3_RR_MEAS_REPORT, 0, "rr.meas_report", ies_meas_report),
    MSG(L3_PD_MM, L3_MM_LU_REQUEST, 0, "mm.lu_request", ies_lu_request),
    MSG(L3_PD_MM, L3_MM_LU_ACCEPT, 0, "mm.lu_accept", ies_lu_accept),
    MSG(L3_PD_MM, L3_MM_LU_REJECT, 0, "mm.lu_reject", ies_cause),
    MSG0(L3_PD_MM, L3_MM_TMSI_REALLOC_CMPL, "mm.tmsi_realloc_complete"),
    MSG(L3_PD_MM, L3_MM_IMSI_DETACH, 0, "mm.imsi_detach", ies_imsi_detach),
    MSG(L3_PD_MM, L3_MM_CM_SERV_REQ, 0, "mm.cm_serv_req", ies_cm_serv_req),
    MSG0(L3_PD_MM, L3_MM_CM_SERV_ACCEPT, "mm.cm_serv_accept"),
    MSG(L3_PD_CC, L3_CC_SETUP, 0, "cc.setup", ies_setup),
    MSG0(L3_PD_CC, L3_CC_CALL_PROCEEDING, "cc.call_proceeding"),
    MSG(L3_PD_CC, L3_CC_CALL_CONFIRMED, 0, "cc.call_confirmed", ies_call_confirmed),
    MSG0(L3_PD_CC, L3_CC_ALERTING, "cc.alerting"),
    MSG0(L3_PD_CC, L3_CC_CONNECT, "cc.connect"),
    MSG0(L3_PD_CC, L3_CC_CONNECT_ACK, "cc.connect_ack"),
    MSG(L3_PD_CC, L3_CC_DISCONNECT, 0, "cc.disconnect", ies_disconnect),
    MSG(L3_PD_CC, L3_CC_RELEASE, 0, "cc.release", ies_release),
    MSG(L3_PD_CC, L3_CC_RELEASE_COMPLETE, 0, "cc.release_complete", ies_release),
};

static const struct msg *msg_of(uint8_t pd, uint8_t type)
{
    size_t i;

    for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
        if (msgs[i].pd == pd && msgs[i].type == type)
            return &msgs[i];
    return NULL;
}

const char *l3_msg_name(uint8_t pd, uint8_t type)
{
    const struct msg *d = msg_of(pd, type);

    return d ? d->name : NULL;
}

static size_t bounded_len(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

/* ---- Digits -------------------------------------------------------------------------------- */

static const char bcd_chars[] = "0123456789*#abc";

static int digit_value(char c)
{
    size_t i;

    for (i = 0; i < sizeof bcd_chars - 1; i++)
        if (bcd_chars[i] == c)
            return (int)i;
    return -1;
}

/* Reads BCD digits, low nibble first, up to an 0xF filler; false on a nibble with no digit. */
static bool get_digits(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t i, k = 0;

    for (i = 0; i < 2 * n; i++) {
        uint8_t d = (uint8_t)(i & 1 ? p[i / 2] >> 4 : p[i / 2] & 0x0F);

        if (d == 0x0F && i + 1 >= 2 * n - 1)
            break;
        if (d == 0x0F || k + 1 >= cap)
            return false;
        out[k++] = bcd_chars[d];
    }
    out[k] = '\0';
    return true;
}

/* Writes digits low nibble first, filling the last octet's high nibble with 0xF. */
static int put_digits(const char *s, uint8_t *p)
{
    size_t i, n = bounded_len(s, L3_DIGITS_MAX + 1);

    for (i = 0; i < n; i++) {
        int d = digit_value(s[i]);

        if (d < 0)
            return -1;
        if (i & 1)
            p[i / 2] = (uint8_t)(p[i / 2] | d << 4);
        else
            p[i / 2] = (uint8_t)d;
    }
    if (n & 1)
        p[n / 2] |= 0xF0;
    return (int)((n + 1) / 2);
}

/* ---- Element kinds: decode (value octets -> field), encode (field -> value octets) --------- */

static void *field_of(struct l3_msg *m, uint8_t f)
{
    switch (f) {
    case L3_F_HALVES: return &m->lo;
    case L3_F_LAI: return &m->lai;
    case L3_F_MI: return &m->mi;
    case L3_F_MI2: return &m->mi2;
    case L3_F_CM1: return &m->cm1;
    case L3_F_CM2: return &m->cm2;
    case L3_F_CAUSE: return &m->cause;
    case L3_F_CELL_ID: return &m->cell_id;
    case L3_F_CCCH_DESC: return &m->ccch;
    case L3_F_CELL_OPT: return &m->cell_opt;
    case L3_F_CELL_SEL: return &m->cell_sel;
    case L3_F_RACH: return &m->rach;
    case L3_F_CHAN: return &m->chan;
    case L3_F_REQ_REF: return &m->req;
    case L3_F_TA: return &m->ta;
    case L3_F_MA: return &m->ma;
    case L3_F_POWER: return &m->power;
    case L3_F_BEARER: return &m->bearer;
    case L3_F_CALLING: return &m->calling;
    case L3_F_CALLED: return &m->called;
    case L3_F_CC_CAUSE: return &m->cc_cause;
    case L3_F_CELL_CHAN: return &m->cell_chan;
    case L3_F_NCELL: return &m->ncell;
    case L3_F_NCC_PERM: return &m->ncc_permitted;
    case L3_F_CBCH: return &m->cbch;
    case L3_F_START: return &m->start;
    case L3_F_MEAS: return &m->meas;
    case L3_F_TMSI1: case L3_F_TMSI2: case L3_F_TMSI3: case L3_F_TMSI4:
        return &m->tmsi[f - L3_F_TMSI1];
    default: return NULL;
    }
}

static uint16_t mcc_mnc_digit(uint16_t v, int place)
{
    static const uint16_t tens[] = { 1, 10, 100 };

    return (uint16_t)(v / tens[place] % 10);
}

/* Returns false when the value octets do not hold a valid coding of the kind. */
static bool decode_kind(struct l3_msg *m, uint8_t kind, void *fp, const uint8_t *p, size_t n)
{
    switch (kind) {
    case K_HALVES:
        m->lo = p[0] & 0x0F;
        m->hi = p[0] >> 4;
        return true;
    case K_U8:
        *(uint8_t *)fp = p[0];
        return true;
    case K_TA:
        *(uint8_t *)fp = p[0] & 0x3F;
        return true;
    case K_U16:
        *(uint16_t *)fp = (uint16_t)(p[0] << 8 | p[1]);
        return true;
    case K_LAI: {                           /* 24.008 10.5.1.3 */
        struct l3_lai *l = fp;
        uint8_t d[6] = { p[0] & 15u, p[0] >> 4, p[1] & 15u, p[2] & 15u, p[2] >> 4, p[1] >> 4 };
        size_t i;

        for (i = 0; i < 5; i++)
            if (d[i] > 9)
                return false;
        l->mcc = (uint16_t)(d[0] * 100 + d[1] * 10 + d[2]);
        l->mnc_digits = d[5] == 0x0F ? 2 : 3;
        if (l->mnc_digits == 3 && d[5] > 9)
            return false;
        l->mnc = (uint16_t)(d[3] * (l->mnc_digits == 3 ? 100 : 10) + d[4] * (l->mnc_digits == 3 ? 10 : 1) +
                            (l->mnc_digits == 3 ? d[5] : 0));
        l->lac = (uint16_t)(p[3] << 8 | p[4]);
        return true;
    }
    case K_MI: {                            /* 24.008 10.5.1.4 */
        struct l3_mi *mi = fp;

        memset(mi, 0, sizeof *mi);
        mi->type = p[0] & 7u;
        if (mi->type == L3_MI_TMSI) {
            if (n != 5)
                return false;
            mi->tmsi = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
            return true;
        }
        if (mi->type == L3_MI_NONE)
            return true;
        if ((p[0] >> 4) > 9)
            return false;
        mi->digits[0] = bcd_chars[p[0] >> 4];
        if (!get_digits(p + 1, n - 1, mi->digits + 1, sizeof mi->digits - 1))
            return false;
        /* the odd/even bit must agree with the number of digits */
        return ((bounded_len(mi->digits, sizeof mi->digits) & 1u) != 0) == ((p[0] & 8u) != 0);
    }
    case K_OCTETS: {
        struct l3_octets *o = fp;

        if (n > L3_OCTETS_MAX)
            return false;
        o->len = (uint8_t)n;
        memcpy(o->data, p, n);
        return true;
    }
    case K_CCCH_DESC: {                     /* 44.018 10.5.2.11 */
        struct l3_ccch_desc *c = fp;

        c->mscr = p[0] >> 7;
        c->att = (p[0] >> 6) & 1u;
        c->bs_ag_blks_res = (p[0] >> 3) & 7u;
        c->ccch_conf = p[0] & 7u;
        c->bs_pa_mfrms = p[1] & 7u;
        c->t3212 = p[2];
        return true;
    }
    case K_CELL_OPT: {                      /* 44.018 10.5.2.3 */
        struct l3_cell_opt *c = fp;

        c->pwrc = (p[0] >> 6) & 1u;
        c->dtx = (p[0] >> 4) & 3u;
        c->rlt = p[0] & 15u;
        return true;
    }
    case K_CELL_SEL: {                      /* 44.018 10.5.2.4 */
        struct l3_cell_sel *c = fp;

        c->hyst = p[0] >> 5;
        c->ms_txpwr_max_cch = p[0] & 31u;
        c->acs = p[1] >> 7;
        c->neci = (p[1] >> 6) & 1u;
        c->rxlev_access_min = p[1] & 63u;
        return true;
    }
    case K_RACH: {                          /* 44.018 10.5.2.29 */
        struct l3_rach *r = fp;

        r->max_retrans = p[0] >> 6;
        r->tx_integer = (p[0] >> 2) & 15u;
        r->cell_barred = (p[0] >> 1) & 1u;
        r->re = p[0] & 1u;
        r->acc = (uint16_t)(p[1] << 8 | p[2]);
        return true;
    }
    case K_CHAN: {                          /* 44.018 10.5.2.5 */
        struct l3_chan *c = fp;

        memset(c, 0, sizeof *c);
        c->type_tn = p[0];
        c->tsc = p[1] >> 5;
        c->hopping = (p[1] >> 4) & 1u;
        if (c->hopping) {
            c->maio = (uint8_t)((p[1] & 15u) << 2 | p[2] >> 6);
            c->hsn = p[2] & 63u;
        } else {
            c->arfcn = (uint16_t)((p[1] & 3u) << 8 | p[2]);
        }
        return true;
    }
    case K_REQ_REF: {                       /* 44.018 10.5.2.30 */
        struct l3_req_ref *r = fp;

        r->ra = p[0];
        r->t1 = p[1] >> 3;
        r->t3 = (uint8_t)((p[1] & 7u) << 3 | p[2] >> 5);
        r->t2 = p[2] & 31u;
        return true;
    }
    case K_BCD: {                           /* 24.008 10.5.4.7 and 10.5.4.9 */
        struct l3_bcd *b = fp;
        size_t head = p[0] & 0x80u ? 1 : 2;

        if (n < head)
            return false;
        b->ton = (p[0] >> 4) & 7u;
        b->npi = p[0] & 15u;
        b->has_3a = head == 2;
        b->octet_3a = head == 2 ? p[1] : 0;
        return get_digits(p + head, n - head, b->digits, sizeof b->digits);
    }
    case K_CELL_CHAN:                       /* 44.018 10.5.2.1b */
    case K_NCELL: {                         /* 44.018 10.5.2.22 */
        struct l3_freq_list *f = fp;
        unsigned a;

        memset(f, 0, sizeof *f);
        memcpy(f->raw, p, L3_FREQ_LIST_LEN);
        f->fmt = p[0] >> 6;
        if (kind == K_NCELL) {
            f->ext_ind = (p[0] >> 5) & 1u;
            f->ba_ind = (p[0] >> 4) & 1u;
        }
        /* bit map 0: ARFCN a is bit (a - 1) % 8 of value octet 15 - (a - 1) / 8 */
        if (f->fmt == 0)
            for (a = 1; a <= 124; a++)
                if (p[15 - (a - 1) / 8] >> ((a - 1) % 8) & 1u)
                    f->arfcns[a / 32] |= 1u << (a % 32);
        return true;
    }
    case K_START: {                         /* 44.018 10.5.2.38 */
        struct l3_start *t = fp;

        t->t1 = p[0] >> 3;
        t->t3 = (uint8_t)((p[0] & 7u) << 3 | p[1] >> 5);
        t->t2 = p[1] & 31u;
        return true;
    }
    case K_U32:
        *(uint32_t *)fp = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        return true;
    case K_CC_CAUSE: {                      /* 24.008 10.5.4.11 */
        struct l3_cc_cause *c = fp;
        size_t at = p[0] & 0x80u ? 1 : 2;   /* octet 3a when octet 3's extension bit is 0 */

        if (n <= at)
            return false;
        c->coding = (p[0] >> 5) & 3u;
        c->location = p[0] & 15u;
        c->value = p[at] & 0x7Fu;
        return true;
    }
    default:
        return false;
    }
}

/* Writes the value octets of the field; returns their number or -1. */
static int encode_kind(const struct l3_msg *m, uint8_t kind, const void *fp, uint8_t *p)
{
    switch (kind) {
    case K_HALVES:
        p[0] = (uint8_t)((m->hi & 15u) << 4 | (m->lo & 15u));
        return 1;
    case K_U8:
        p[0] = *(const uint8_t *)fp;
        return 1;
    case K_TA:
        p[0] = *(const uint8_t *)fp & 0x3Fu;
        return 1;
    case K_U16: {
        uint16_t v = *(const uint16_t *)fp;

        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
        return 2;
    }
    case K_LAI: {
        const struct l3_lai *l = fp;
        uint8_t mnc3 = l->mnc_digits == 3;
        uint16_t m1 = mcc_mnc_digit(l->mnc, mnc3 ? 2 : 1), m2 = mcc_mnc_digit(l->mnc, mnc3 ? 1 : 0);
        uint16_t m3 = mnc3 ? mcc_mnc_digit(l->mnc, 0) : 15;

        if (l->mcc > 999 || l->mnc > (mnc3 ? 999 : 99))
            return -1;
        p[0] = (uint8_t)(mcc_mnc_digit(l->mcc, 1) << 4 | mcc_mnc_digit(l->mcc, 2));
        p[1] = (uint8_t)(m3 << 4 | mcc_mnc_digit(l->mcc, 0));
        p[2] = (uint8_t)(m2 << 4 | m1);
        p[3] = (uint8_t)(l->lac >> 8);
        p[4] = (uint8_t)l->lac;
        return 5;
    }
    case K_MI: {
        const struct l3_mi *mi = fp;
        size_t n;
        int d, rest;

        if (mi->type == L3_MI_TMSI) {
            p[0] = 0xF0 | L3_MI_TMSI;
            p[1] = (uint8_t)(mi->tmsi >> 24);
            p[2] = (uint8_t)(mi->tmsi >> 16);
            p[3] = (uint8_t)(mi->tmsi >> 8);
            p[4] = (uint8_t)mi->tmsi;
            return 5;
        }
        if (mi->type == L3_MI_NONE) {
            p[0] = 0xF0;
            return 1;
        }
        n = bounded_len(mi->digits, sizeof mi->digits);
        d = n ? digit_value(mi->digits[0]) : -1;
        if (d < 0 || d > 9 || n >= sizeof mi->digits)
            return -1;
        p[0] = (uint8_t)(d << 4 | (n & 1u) << 3 | (mi->type & 7u));
        rest = put_digits(mi->digits + 1, p + 1);
        return rest < 0 ? -1 : 1 + rest;
    }
    case K_OCTETS: {
        const struct l3_octets *o = fp;

        if (o->len > L3_OCTETS_MAX)
            return -1;
        memcpy(p, o->data, o->len);
        return o->len;
    }
    case K_CCCH_DESC: {
        const struct l3_ccch_desc *c = fp;

        p[0] = (uint8_t)((c->mscr & 1u) << 7 | (c->att & 1u) << 6 | (c->bs_ag_blks_res & 7u) << 3 |
                         (c->ccch_conf & 7u));
        p[1] = c->bs_pa_mfrms & 7u;
        p[2] = c->t3212;
        return 3;
    }
    case K_CELL_OPT: {
        const struct l3_cell_opt *c = fp;

        p[0] = (uint8_t)((c->pwrc & 1u) << 6 | (c->dtx & 3u) << 4 | (c->rlt & 15u));
        return 1;
    }
    case K_CELL_SEL: {
        const struct l3_cell_sel *c = fp;

        p[0] = (uint8_t)((c->hyst & 7u) << 5 | (c->ms_txpwr_max_cch & 31u));
        p[1] = (uint8_t)((c->acs & 1u) << 7 | (c->neci & 1u) << 6 | (c->rxlev_access_min & 63u));
        return 2;
    }
    case K_RACH: {
        const struct l3_rach *r = fp;

        p[0] = (uint8_t)((r->max_retrans & 3u) << 6 | (r->tx_integer & 15u) << 2 |
                         (r->cell_barred & 1u) << 1 | (r->re & 1u));
        p[1] = (uint8_t)(r->acc >> 8);
        p[2] = (uint8_t)r->acc;
        return 3;
    }
    case K_CHAN: {
        const struct l3_chan *c = fp;

        p[0] = c->type_tn;
        if (c->hopping) {
            p[1] = (uint8_t)((c->tsc & 7u) << 5 | 1u << 4 | (c->maio >> 2 & 15u));
            p[2] = (uint8_t)((c->maio & 3u) << 6 | (c->hsn & 63u));
        } else {
            p[1] = (uint8_t)((c->tsc & 7u) << 5 | (c->arfcn >> 8 & 3u));
            p[2] = (uint8_t)c->arfcn;
        }
        return 3;
    }
    case K_REQ_REF: {
        const struct l3_req_ref *r = fp;

        p[0] = r->ra;
        p[1] = (uint8_t)((r->t1 & 31u) << 3 | (r->t3 >> 3 & 7u));
        p[2] = (uint8_t)((r->t3 & 7u) << 5 | (r->t2 & 31u));
        return 3;
    }
    case K_BCD: {
        const struct l3_bcd *b = fp;
        int head = b->has_3a ? 2 : 1, d;

        p[0] = (uint8_t)((b->has_3a ? 0u : 0x80u) | (b->ton & 7u) << 4 | (b->npi & 15u));
        if (b->has_3a)
            p[1] = b->octet_3a | 0x80u;
        if (bounded_len(b->digits, sizeof b->digits) > L3_DIGITS_MAX)
            return -1;
        d = put_digits(b->digits, p + head);
        return d < 0 ? -1 : head + d;
    }
    case K_CELL_CHAN:
    case K_NCELL: {                         /* the octets as received: every format round-trips */
        const struct l3_freq_list *f = fp;

        memcpy(p, f->raw, L3_FREQ_LIST_LEN);
        return L3_FREQ_LIST_LEN;
    }
    case K_START: {
        const struct l3_start *t = fp;

        p[0] = (uint8_t)((t->t1 & 31u) << 3 | (t->t3 >> 3 & 7u));
        p[1] = (uint8_t)((t->t3 & 7u) << 5 | (t->t2 & 31u));
        return 2;
    }
    case K_U32: {
        uint32_t v = *(const uint32_t *)fp;

        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
        return 4;
    }
    case K_CC_CAUSE: {
        const struct l3_cc_cause *c = fp;

        p[0] = (uint8_t)(0x80u | (c->coding & 3u) << 5 | (c->location & 15u));
        p[1] = (uint8_t)(0x80u | (c->value & 0x7Fu));
        return 2;
    }
    default:
        return -1;
    }
}

/* ---- The walker ---------------------------------------------------------------------------- */

static bool tagged(const struct ie *e)
{
    return e->fmt == TV || e->fmt == TLV || e->fmt == T;
}

/* Decodes one element's framing at p (n octets left) into m; returns octets used or an error. */
static int decode_ie(struct l3_msg *m, const struct ie *e, const uint8_t *p, size_t n)
{
    size_t at = tagged(e) ? 1 : 0, len = e->min;

    if (e->fmt == T) {
        m->present |= 1u << e->field;
        return 1;
    }
    if (e->fmt == LV || e->fmt == TLV) {
        if (n < at + 1)
            return L3_E_SHORT;
        len = p[at++];
        if (len < e->min || len > e->max)
            return L3_E_VALUE;
    }
    if (n < at + len)
        return L3_E_SHORT;
    if (len && !decode_kind(m, e->kind, field_of(m, e->field), p + at, len))
        return L3_E_VALUE;
    if (!len && e->kind == K_OCTETS)
        ((struct l3_octets *)field_of(m, e->field))->len = 0;
    m->present |= 1u << e->field;
    return (int)(at + len);
}

/* Octets an unknown optional element takes (24.007 11.2.4): type 1 and 2 one, others TLV. */
static size_t skip_unknown(const uint8_t *p, size_t n)
{
    if (p[0] & 0x80u)
        return 1;
    return n < 2 ? n : (size_t)(2 + p[1]);
}

int l3_decode(struct l3_msg *m, const uint8_t *buf, size_t len)
{
    const struct msg *d;
    const uint8_t *p = buf;
    size_t n = len, i;
    int used;

    memset(m, 0, sizeof *m);
    if (n >= 3 && (p[0] & 3u) == 1u && p[1] == L3_PD_RR && (d = msg_of(L3_PD_RR, p[2])) != NULL &&
        (d->flags & CCCH_MSG)) {
        size_t l2 = p[0] >> 2;              /* the L2 pseudo length: octets up to the rest octets */

        if (l2 + 1 > n)
            return L3_E_SHORT;
        p++;
        n = l2;
    }
    if (n < 2)
        return L3_E_SHORT;
    m->pd = p[0] & 15u;
    m->ti = m->pd == L3_PD_CC ? p[0] >> 4 : 0;
    if (m->pd == L3_PD_RR) {
        m->type = p[1];
    } else {
        m->type = p[1] & 0x3Fu;
        m->seq = p[1] >> 6;
    }
    d = msg_of(m->pd, m->type);
    if (d == NULL)
        return L3_E_UNKNOWN;
    p += 2;
    n -= 2;
    for (i = 0; i < d->n_ies && !d->ies[i].optional; i++) {
        used = decode_ie(m, &d->ies[i], p, n);
        if (used < 0)
            return used;
        p += used;
        n -= (size_t)used;
    }
    while (n > 0) {
        const struct ie *e = NULL;
        size_t k;

        for (k = i; k < d->n_ies; k++)
            if (d->ies[k].iei == p[0] && !(m->present & 1u << d->ies[k].field))
                e = &d->ies[k];
        if (e == NULL) {
            size_t skip = skip_unknown(p, n);

            if (skip > n)
                return L3_E_SHORT;
            p += skip;
            n -= skip;
            continue;
        }
        used = decode_ie(m, e, p, n);
        if (used < 0)
            return used;
        p += used;
        n -= (size_t)used;
    }
    return 0;
}

int l3_encode(const struct l3_msg *m, uint8_t *buf, size_t cap)
{
    const struct msg *d = msg_of(m->pd, m->type);
    uint8_t tmp[L3_CCCH_LEN + 64];
    size_t at, i, start;

    if (d == NULL)
        return L3_E_UNKNOWN;
    start = d->flags & CCCH_MSG ? 1 : 0;
    at = start;
    tmp[at++] = (uint8_t)((m->pd == L3_PD_CC ? (m->ti & 15u) << 4 : 0u) | m->pd);
    tmp[at++] = (uint8_t)(m->pd == L3_PD_RR ? m->type : (m->seq & 3u) << 6 | m->type);
    for (i = 0; i < d->n_ies; i++) {
        const struct ie *e = &d->ies[i];
        size_t lpos;
        int vlen;

        if (!(m->present & 1u << e->field)) {
            if (!e->optional)
                return L3_E_MISSING;
            continue;
        }
        if (at + 2 + L3_DIGITS_MAX > sizeof tmp)
            return L3_E_SPACE;
        if (tagged(e))
            tmp[at++] = e->iei;
        if (e->fmt == T)
            continue;
        lpos = at;
        if (e->fmt == LV || e->fmt == TLV)
            at++;
        vlen = encode_kind(m, e->kind, field_of((struct l3_msg *)m, e->field), tmp + at);
        if (vlen < (int)e->min || vlen > (int)e->max)
            return L3_E_VALUE;
        if (e->fmt == LV || e->fmt == TLV)
            tmp[lpos] = (uint8_t)vlen;
        at += (size_t)vlen;
    }
    if (start) {
        if (at > L3_CCCH_LEN)
            return L3_E_VALUE;
        tmp[0] = (uint8_t)((at - 1) << 2 | 1u);
        memset(tmp + at, L3_FILL, L3_CCCH_LEN - at);
        at = L3_CCCH_LEN;
    }
    if (at > cap)
        return L3_E_SPACE;
    memcpy(buf, tmp, at);
    return (int)at;
}

/* ---- The dump ------------------------------------------------------------------------------ */

/* The dump's writer: appends while room is left and always keeps the text NUL-terminated.
 * (Its own few lines rather than fmt(), so that the codec builds for the host as it is.) */
struct out {
    char *buf;
    size_t cap, len;
};

static void put_c(struct out *o, char c)
{
    if (o->len + 1 < o->cap) {
        o->buf[o->len++] = c;
        o->buf[o->len] = '\0';
    }
}

static void put_s(struct out *o, const char *s)
{
    while (*s)
        put_c(o, *s++);
}

static void put_u(struct out *o, uint32_t v)
{
    char d[10];
    size_t n = 0;

    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_c(o, d[--n]);
}

static void emit_name(struct out *o, const char *name, const char *sub)
{
    put_s(o, name);
    if (*sub) {
        put_c(o, '.');
        put_s(o, sub);
    }
    put_c(o, '=');
}

static void emit(struct out *o, const char *name, const char *sub, uint32_t v)
{
    emit_name(o, name, sub);
    put_u(o, v);
    put_c(o, ';');
}

static void emit_s(struct out *o, const char *name, const char *sub, const char *s)
{
    emit_name(o, name, sub);
    put_s(o, s);
    put_c(o, ';');
}

static void emit_hex(struct out *o, const char *name, const struct l3_octets *x)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    emit_name(o, name, "");
    for (i = 0; i < x->len; i++) {
        put_c(o, hex[x->data[i] >> 4]);
        put_c(o, hex[x->data[i] & 15u]);
    }
    put_c(o, ';');
}

static void dump_kind(struct out *o, const struct l3_msg *m, const struct ie *e, const void *fp)
{
    const char *n = e->name;

    switch (e->kind) {
    case K_HALVES: emit(o, n, "lo", m->lo); emit(o, n, "hi", m->hi); break;
    case K_U8: case K_TA: emit(o, n, "", *(const uint8_t *)fp); break;
    case K_U16: emit(o, n, "", *(const uint16_t *)fp); break;
    case K_LAI: {
        const struct l3_lai *l = fp;

        emit(o, n, "mcc", l->mcc); emit(o, n, "mnc", l->mnc); emit(o, n, "lac", l->lac);
        break;
    }
    case K_MI: {
        const struct l3_mi *mi = fp;

        emit(o, n, "type", mi->type);
        if (mi->type == L3_MI_TMSI)
            emit(o, n, "tmsi", mi->tmsi);
        else if (mi->type != L3_MI_NONE)
            emit_s(o, n, "digits", mi->digits);
        break;
    }
    case K_OCTETS: emit_hex(o, n, fp); break;
    case K_CCCH_DESC: {
        const struct l3_ccch_desc *c = fp;

        emit(o, n, "att", c->att); emit(o, n, "bs_ag_blks_res", c->bs_ag_blks_res);
        emit(o, n, "ccch_conf", c->ccch_conf); emit(o, n, "bs_pa_mfrms", c->bs_pa_mfrms);
        emit(o, n, "t3212", c->t3212);
        break;
    }
    case K_CELL_OPT: {
        const struct l3_cell_opt *c = fp;

        emit(o, n, "pwrc", c->pwrc); emit(o, n, "dtx", c->dtx); emit(o, n, "rlt", c->rlt);
        break;
    }
    case K_CELL_SEL: {
        const struct l3_cell_sel *c = fp;

        emit(o, n, "hyst", c->hyst); emit(o, n, "ms_txpwr_max_cch", c->ms_txpwr_max_cch);
        emit(o, n, "acs", c->acs); emit(o, n, "neci", c->neci);
        emit(o, n, "rxlev_access_min", c->rxlev_access_min);
        break;
    }
    case K_RACH: {
        const struct l3_rach *r = fp;

        emit(o, n, "max_retrans", r->max_retrans); emit(o, n, "tx_integer", r->tx_integer);
        emit(o, n, "cell_barred", r->cell_barred); emit(o, n, "re", r->re);
        emit(o, n, "acc", r->acc);
        break;
    }
    case K_CHAN: {
        const struct l3_chan *c = fp;

        emit(o, n, "type", c->type_tn >> 3); emit(o, n, "tn", c->type_tn & 7u);
        emit(o, n, "tsc", c->tsc); emit(o, n, "hopping", c->hopping);
        if (c->hopping) {
            emit(o, n, "maio", c->maio); emit(o, n, "hsn", c->hsn);
        } else {
            emit(o, n, "arfcn", c->arfcn);
        }
        break;
    }
    case K_REQ_REF: {
        const struct l3_req_ref *r = fp;

        emit(o, n, "ra", r->ra); emit(o, n, "t1", r->t1); emit(o, n, "t2", r->t2);
        emit(o, n, "t3", r->t3);
        break;
    }
    case K_BCD: {
        const struct l3_bcd *b = fp;

        emit(o, n, "ton", b->ton); emit(o, n, "npi", b->npi);
        emit_s(o, n, "digits", b->digits);
        break;
    }
    case K_CC_CAUSE: {
        const struct l3_cc_cause *c = fp;

        emit(o, n, "coding", c->coding); emit(o, n, "location", c->location);
        emit(o, n, "value", c->value);
        break;
    }
    case K_FLAG: emit(o, n, "", 1); break;
    case K_CELL_CHAN:
    case K_NCELL: {
        const struct l3_freq_list *f = fp;
        unsigned a;
        bool first = true;

        emit(o, n, "fmt", f->fmt);
        if (e->kind == K_NCELL) {
            emit(o, n, "ext_ind", f->ext_ind);
            emit(o, n, "ba_ind", f->ba_ind);
        }
        if (f->fmt != 0)
            break;
        emit_name(o, n, "arfcns");
        for (a = 0; a < 128; a++)
            if (f->arfcns[a / 32] >> (a % 32) & 1u) {
                if (!first)
                    put_c(o, ',');
                put_u(o, a);
                first = false;
            }
        put_c(o, ';');
        break;
    }
    case K_START: {
        const struct l3_start *t = fp;

        emit(o, n, "t1", t->t1); emit(o, n, "t2", t->t2); emit(o, n, "t3", t->t3);
        break;
    }
    case K_U32: emit(o, n, "", *(const uint32_t *)fp); break;
    default: break;
    }
}

size_t l3_dump(const struct l3_msg *m, char *buf, size_t cap)
{
    const struct msg *d = msg_of(m->pd, m->type);
    struct out o = { buf, cap, 0 };
    size_t i;

    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (d == NULL)
        return 0;
    emit_s(&o, "msg", "", d->name);
    if (m->pd == L3_PD_CC)
        emit(&o, "ti", "", m->ti);
    for (i = 0; i < d->n_ies; i++)
        if (m->present & 1u << d->ies[i].field)
            dump_kind(&o, m, &d->ies[i], field_of((struct l3_msg *)m, d->ies[i].field));
    return o.len;
}

/* ---- Channel Request ----------------------------------------------------------------------- */

uint8_t l3_channel_request(enum l3_rach_cause cause, uint8_t random)
{
    static const struct { uint8_t code, random_mask; } codes[] = {   /* 44.018 table 9.1.8.1 */
        [L3_RACH_EMERGENCY] = { 0xA0, 0x1F },
        [L3_RACH_ANSWER_PAGING] = { 0x80, 0x1F },
        [L3_RACH_ORIG_SPEECH] = { 0xE0, 0x0F },
        [L3_RACH_ORIG_CALL] = { 0xE0, 0x1F },
        [L3_RACH_LU] = { 0x00, 0x0F },
        [L3_RACH_OTHER_SDCCH] = { 0x10, 0x0F },
    };

    if ((unsigned)cause >= sizeof codes / sizeof codes[0])
        return 0;
    return (uint8_t)(codes[cause].code | (random & codes[cause].random_mask));
}
