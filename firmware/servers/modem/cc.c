/*
 * Call control (cc.h).  One transaction: the mobile's own calls take TI 0 with the flag 0, and
 * the network's SETUP gives the TI of a mobile-terminated call, answered with the flag set
 * (24.007 11.2.3.1.3).  Speech is TCH/F with the test pattern (layer 1 and RR): no codec.
 */
#include "cc.h"

#include "lib/string.h"
#include "mm.h"
#include "modem.h"
#include "rr.h"

#define TI_FLAG 8u                  /* 24.007 11.2.3.1.3: set in the side that did not start it */
#define CAUSE_NORMAL_CLEARING 16u

static const uint8_t bearer_speech[] = { 0xA0 };   /* 24.008 10.5.4.5: GSM, speech, full rate */
static char dialled[L3_DIGITS_MAX + 1];
static uint8_t ti;                  /* the transaction's TI as this side sends it */

static void set_state(uint8_t state, uint8_t code, const char *text)
{
    modem.cc_state = state;
    if (code)
        modem_event(PROTO_MODEM_CC, code, state, 0, text);
}

static void send(uint8_t type, const struct l3_msg *with)
{
    struct l3_msg m;
    uint8_t buf[64];
    int len;

    if (with)
        m = *with;
    else
        memset(&m, 0, sizeof m);
    m.pd = L3_PD_CC;
    m.type = type;
    m.ti = ti;
    len = l3_encode(&m, buf, sizeof buf);
    if (len > 0)
        rr_send(buf, (size_t)len);
}

void cc_start(void)
{
    modem.cc_state = CC_NULL;
    dialled[0] = 0;
}

void cc_dial(const char *digits)
{
    memset(dialled, 0, sizeof dialled);
    memcpy(dialled, digits, strnlen(digits, L3_DIGITS_MAX));
    ti = 0;
    modem.cc_state = CC_MM_PENDING;
    mm_service_request();
}

void cc_mm_ready(void)
{
    struct l3_msg m;

    if (modem.cc_state != CC_MM_PENDING)
        return;
    memset(&m, 0, sizeof m);
    m.present = 1u << L3_F_BEARER | 1u << L3_F_CALLED;
    m.bearer.len = sizeof bearer_speech;
    memcpy(m.bearer.data, bearer_speech, sizeof bearer_speech);
    m.called.ton = 0;                           /* unknown number, ISDN numbering plan */
    m.called.npi = 1;
    memcpy(m.called.digits, dialled, sizeof m.called.digits);
    send(L3_CC_SETUP, &m);
    set_state(CC_CALL_INITIATED, EV_CC_SETUP, "call setup");
}

void cc_traffic_channel(void)
{
    if (modem.cc_state != CC_MT_CONFIRMED)
        return;
    send(L3_CC_ALERTING, NULL);                 /* the phone rings... */
    set_state(CC_CALL_RECEIVED, EV_CC_ALERTING, "alerting");
    send(L3_CC_CONNECT, NULL);                  /* ...and the user answers */
    set_state(CC_CONNECT_REQUEST, 0, NULL);
}

void cc_rx(const struct l3_msg *m)
{
    if (m->pd != L3_PD_CC)
        return;
    if (m->type == L3_CC_SETUP && modem.cc_state == CC_NULL) {
        struct l3_msg confirmed;
        ti = (m->ti & 7u) | TI_FLAG;
        set_state(CC_CALL_PRESENT, EV_CC_SETUP, "incoming call");
        memset(&confirmed, 0, sizeof confirmed);
        confirmed.present = 1u << L3_F_BEARER;
        confirmed.bearer.len = sizeof bearer_speech;
        memcpy(confirmed.bearer.data, bearer_speech, sizeof bearer_speech);
        send(L3_CC_CALL_CONFIRMED, &confirmed);
        set_state(CC_MT_CONFIRMED, 0, NULL);
        return;
    }
    if ((m->ti & 7u) != (ti & 7u) || ((m->ti ^ ti) & TI_FLAG) == 0)
        return;                                 /* not this call's */
    switch (m->type) {
    case L3_CC_CALL_PROCEEDING:
        if (modem.cc_state == CC_CALL_INITIATED)
            set_state(CC_MO_PROCEEDING, EV_CC_PROCEEDING, "call proceeding");
        break;
    case L3_CC_ALERTING:
        if (modem.cc_state == CC_CALL_INITIATED || modem.cc_state == CC_MO_PROCEEDING)
            set_state(CC_CALL_DELIVERED, EV_CC_ALERTING, "alerting");
        break;
    case L3_CC_CONNECT:
        if (modem.cc_state == CC_CALL_DELIVERED || modem.cc_state == CC_MO_PROCEEDING ||
            modem.cc_state == CC_CALL_INITIATED) {
            send(L3_CC_CONNECT_ACK, NULL);
            set_state(CC_ACTIVE, EV_CC_CONNECTED, "connected");
        }
        break;
    case L3_CC_CONNECT_ACK:
        if (modem.cc_state == CC_CONNECT_REQUEST)
            set_state(CC_ACTIVE, EV_CC_CONNECTED, "connected");
        break;
    case L3_CC_DISCONNECT:
        if (modem.cc_state != CC_NULL && modem.cc_state != CC_RELEASE_REQUEST) {
            send(L3_CC_RELEASE, NULL);
            set_state(CC_RELEASE_REQUEST, EV_CC_DISCONNECT, "the network hung up");
        }
        break;
    case L3_CC_RELEASE_COMPLETE:
        set_state(CC_NULL, EV_CC_RELEASED, "call released");
        break;
    default:
        break;
    }
}

void cc_released(void)
{
    if (modem.cc_state != CC_NULL)
        set_state(CC_NULL, EV_CC_RELEASED, "call dropped with the connection");
}
