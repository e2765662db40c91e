/*
 * The cell's system information merged from SI1-SI4, and the paging block of an IMSI
 * (sysinfo.h states the contract).
 */
#include "sysinfo.h"

#include "lib/string.h"

int l3_sysinfo_update(struct l3_sysinfo *si, const struct l3_msg *m)
{
    static const uint8_t types[] = { L3_RR_SI1, L3_RR_SI2, L3_RR_SI3, L3_RR_SI4 };
    int n = 0, i;

    if (m->pd != L3_PD_RR)
        return 0;
    for (i = 0; i < 4; i++)
        if (m->type == types[i])
            n = i + 1;
    if (n == 0)
        return 0;
#define HAS(f) (m->present & 1u << (f))
    if (HAS(L3_F_CELL_ID))
        si->cell_id = m->cell_id;
    if (HAS(L3_F_LAI))
        si->lai = m->lai;
    if (HAS(L3_F_CCCH_DESC))
        si->ccch = m->ccch;
    if (HAS(L3_F_CELL_OPT))
        si->cell_opt = m->cell_opt;
    if (HAS(L3_F_CELL_SEL))
        si->cell_sel = m->cell_sel;
    if (HAS(L3_F_RACH))
        si->rach = m->rach;
    if (HAS(L3_F_CELL_CHAN))
        si->cell_chan = m->cell_chan;
    if (HAS(L3_F_NCELL))
        si->ncell = m->ncell;
    if (HAS(L3_F_NCC_PERM))
        si->ncc_permitted = m->ncc_permitted;
    if (n == 4) {                       /* SI4 without a CBCH withdraws one */
        si->has_cbch = HAS(L3_F_CBCH) != 0;
        si->cbch = m->cbch;
    }
#undef HAS
    si->have |= (uint8_t)L3_HAVE_SI(n);
    return n;
}

bool l3_freq_has(const struct l3_freq_list *f, unsigned arfcn)
{
    return f->fmt == 0 && arfcn < 128 && (f->arfcns[arfcn / 32] >> (arfcn % 32) & 1u);
}

uint16_t l3_imsi_mod_1000(const char *digits)
{
    uint16_t v = 0;

    for (; *digits; digits++)
        v = (uint16_t)((v * 10 + (unsigned)(*digits - '0')) % 1000);
    return v;
}

/* First frames (FN mod 51) of the CCCH blocks of 45.002 clause 7 table 5: the same for the
 * combined configuration's three blocks. */
static const uint8_t ccch_first[9] = { 6, 12, 16, 22, 26, 32, 36, 42, 46 };

int l3_paging_block(const struct l3_ccch_desc *ccch, uint16_t imsi_mod_1000, struct l3_paging *out)
{
    unsigned chans, blocks, per_mf, n, rest;

    switch (ccch->ccch_conf) {              /* 44.018 10.5.2.11: BS_CC_CHANS, BS_CCCH_SDCCH_COMB */
    case 0: chans = 1; blocks = 9; break;
    case 1: chans = 1; blocks = 3; break;
    case 2: chans = 2; blocks = 9; break;
    case 4: chans = 3; blocks = 9; break;
    case 6: chans = 4; blocks = 9; break;
    default: return -1;
    }
    if (ccch->bs_ag_blks_res >= blocks)
        return -1;
    per_mf = blocks - ccch->bs_ag_blks_res;
    out->period = (uint8_t)(ccch->bs_pa_mfrms + 2);
    n = per_mf * out->period;
    rest = imsi_mod_1000 % (chans * n);
    out->tn = (uint8_t)(2 * (rest / n));
    out->group = (uint16_t)(rest % n);
    out->mf = (uint8_t)(out->group / per_mf);
    out->block = (uint8_t)(ccch->bs_ag_blks_res + out->group % per_mf);
    out->first = ccch_first[out->block];
    return 0;
}

bool l3_paging_due(const struct l3_paging *p, uint32_t fn)
{
    return fn % 51 == p->first && fn / 51 % p->period == p->mf;
}
