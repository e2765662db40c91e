/*
 * Mobility management (mm.h): the location updating procedure of TS 24.008 4.4.
 *
 * attach -> LOCATION UPDATING REQUEST (type IMSI attach, the IMSI, no stored LAI) as the
 * initial message of the RR connection -> LOCATION UPDATING ACCEPT (with a new TMSI: TMSI
 * REALLOCATION COMPLETE back) or REJECT -> the network releases the connection -> updated.
 */
#include "mm.h"

#include "l2/lapdm.h"
#include "lib/string.h"
#include "modem.h"
#include "cc.h"
#include "rr.h"

#define LU_TYPE_IMSI_ATTACH 2u      /* 24.008 10.5.3.5 */
#define CKSN_NONE 7u                /* 24.008 10.5.1.2: no key is available */
#define DELETED_LAC 0xFFFEu         /* 24.008 4.1.2.2: no valid stored LAI */
#define MS_CLASSMARK1 0x33u         /* phase 2, controlled early classmark sending, A5/1, class 4 */
#define NO_TMSI 0xffffffffu
#define SERVICE_MO_CALL 1u          /* 24.008 10.5.3.3: mobile originating call establishment */

static char imsi[16];
static struct l3_lai cell_lai;      /* where RR camps */
static struct l3_lai registered_lai;
static bool accepted;

void mm_start(const char *digits)
{
    memset(imsi, 0, sizeof imsi);
    memcpy(imsi, digits, strnlen(digits, sizeof imsi - 1));
    modem.mm_state = MM_NULL;
    modem.tmsi = NO_TMSI;
    accepted = false;
}

void mm_camped(const struct l3_lai *lai)
{
    cell_lai = *lai;
    if (modem.mm_state == MM_NULL)
        modem.mm_state = MM_IDLE_NOT_UPDATED;
}

void mm_attach(void)
{
    struct l3_msg m;
    uint8_t buf[LAPDM_N201_B];          /* it goes in the SABM */
    int len;

    if (modem.mm_state != MM_IDLE_NOT_UPDATED && modem.mm_state != MM_IDLE_UPDATED) {
        modem_event(PROTO_MODEM_MM, EV_MM_LU_FAILED, 1, modem.mm_state, "no cell to register on");
        return;
    }
    memset(&m, 0, sizeof m);
    m.pd = L3_PD_MM;
    m.type = L3_MM_LU_REQUEST;
    m.present = 1u << L3_F_HALVES | 1u << L3_F_LAI | 1u << L3_F_CM1 | 1u << L3_F_MI;
    m.lo = LU_TYPE_IMSI_ATTACH;
    m.hi = CKSN_NONE;
    m.lai = cell_lai;
    m.lai.lac = DELETED_LAC;
    m.cm1 = MS_CLASSMARK1;
    m.mi.type = L3_MI_IMSI;
    memcpy(m.mi.digits, imsi, sizeof imsi);
    len = l3_encode(&m, buf, sizeof buf);
    if (len < 0 || rr_establish(L3_RACH_LU, buf, (size_t)len) != 0) {
        modem_event(PROTO_MODEM_MM, EV_MM_LU_FAILED, 1, (uint32_t)len, "no RR connection");
        return;
    }
    accepted = false;
    modem.mm_state = MM_LU_INITIATED;
    modem_event(PROTO_MODEM_MM, EV_MM_LU_STARTED, LU_TYPE_IMSI_ATTACH, 0, "location updating (IMSI attach)");
}

void mm_service_request(void)
{
    static const uint8_t cm2[3] = MM_CLASSMARK2;
    struct l3_msg m;
    uint8_t buf[LAPDM_N201_B];
    int len;

    memset(&m, 0, sizeof m);
    m.pd = L3_PD_MM;
    m.type = L3_MM_CM_SERV_REQ;
    m.present = 1u << L3_F_HALVES | 1u << L3_F_CM2 | 1u << L3_F_MI;
    m.lo = SERVICE_MO_CALL;
    m.hi = CKSN_NONE;
    m.cm2.len = sizeof cm2;
    memcpy(m.cm2.data, cm2, sizeof cm2);
    if (modem.mm_state == MM_IDLE_UPDATED && modem.tmsi != NO_TMSI) {
        m.mi.type = L3_MI_TMSI;
        m.mi.tmsi = modem.tmsi;
    } else {
        m.mi.type = L3_MI_IMSI;
        memcpy(m.mi.digits, imsi, sizeof imsi);
    }
    len = l3_encode(&m, buf, sizeof buf);
    if (len < 0 || rr_establish(L3_RACH_ORIG_CALL, buf, (size_t)len) != 0) {
        modem_event(PROTO_MODEM_MM, EV_MM_LU_FAILED, 1, (uint32_t)len, "no RR connection for the call");
        cc_released();
    }
}

void mm_rx(const struct l3_msg *m)
{
    if (m->pd == L3_PD_MM && m->type == L3_MM_CM_SERV_ACCEPT) {
        modem_event(PROTO_MODEM_MM, EV_MM_SERVICE_ACCEPTED, 0, 0, "CM service accepted");
        cc_mm_ready();
        return;
    }
    if (m->pd != L3_PD_MM || modem.mm_state != MM_LU_INITIATED)
        return;
    if (m->type == L3_MM_LU_ACCEPT) {
        registered_lai = m->lai;
        if ((m->present & 1u << L3_F_MI) && m->mi.type == L3_MI_TMSI) {
            static const uint8_t complete[2] = { L3_PD_MM, L3_MM_TMSI_REALLOC_CMPL };
            modem.tmsi = m->mi.tmsi;
            rr_send(complete, sizeof complete);
        }
        accepted = true;
        modem.mm_state = MM_WAIT_NETWORK;
        modem_event(PROTO_MODEM_MM, EV_MM_LU_ACCEPTED, modem.tmsi, m->lai.lac, "location updating accepted");
    } else if (m->type == L3_MM_LU_REJECT) {
        modem.mm_state = MM_WAIT_NETWORK;
        modem_event(PROTO_MODEM_MM, EV_MM_LU_REJECTED, m->cause, 0, "location updating rejected");
    }
}

void mm_released(bool normal)
{
    if (accepted && normal) {
        modem.mm_state = MM_IDLE_UPDATED;
        modem_event(PROTO_MODEM_MM, EV_MM_UPDATED, modem.tmsi, registered_lai.lac, "registered");
    } else if (modem.mm_state == MM_LU_INITIATED || modem.mm_state == MM_WAIT_NETWORK) {
        modem.mm_state = accepted ? MM_IDLE_UPDATED : MM_IDLE_NOT_UPDATED;
        if (!accepted)
            modem_event(PROTO_MODEM_MM, EV_MM_LU_FAILED, 2, 0, "the connection was lost");
    }
    accepted = false;
}

void mm_access_failed(void)
{
    if (modem.mm_state == MM_LU_INITIATED) {
        modem.mm_state = MM_IDLE_NOT_UPDATED;
        modem_event(PROTO_MODEM_MM, EV_MM_LU_FAILED, 1, 0, "no channel");
    }
}
