/*
 * The debug link (see include/lib/link.h).  Receive path: bytes gather until a zero, are
 * unstuffed, checked by proto_split and dispatched through the link_cmds table.  Anything that
 * fails is answered with one ERROR frame; nothing the host sends can overrun a buffer.
 */
#include "lib/link.h"
#include "lib/string.h"
#include "machine/uart.h"

extern const struct link_cmd __link_cmds_start[], __link_cmds_end[];

uint32_t link_frames_ok;
uint32_t link_frames_bad;

static uint8_t rx_stuffed[PROTO_MAX_ENCODED_FRAME];
static size_t rx_len;
static int rx_overflow;
static uint8_t rx_frame[PROTO_MAX_ENCODED_FRAME];   /* unstuffed is never longer */
static uint8_t tx_frame[PROTO_MAX_FRAME];
static uint8_t tx_stuffed[PROTO_MAX_ENCODED_FRAME];

static void dispatch(const struct proto_msg *msg)
{
    for (const struct link_cmd *cmd = __link_cmds_start; cmd < __link_cmds_end; cmd++) {
        if (cmd->type == msg->type) {
            cmd->handle(msg);
            return;
        }
    }
    link_error(msg, PROTO_ERR_UNKNOWN_TYPE, "unknown message type");
}

static void frame_done(void)
{
    struct proto_msg msg;
    long len;
    int err;

    if (rx_overflow) {
        rx_overflow = 0;
        link_frames_bad++;
        link_error(NULL, PROTO_ERR_BAD_FRAME, "frame too long");
        return;
    }
    if (rx_len == 0)
        return;                                 /* idle delimiter */
    len = cobs_decode(rx_stuffed, rx_len, rx_frame);
    rx_len = 0;
    if (len < 0) {
        link_frames_bad++;
        link_error(NULL, PROTO_ERR_BAD_FRAME, "bad COBS");
        return;
    }
    err = proto_split(rx_frame, (size_t)len, &msg);
    if (err) {
        link_frames_bad++;
        link_error(NULL, (uint16_t)err, err == PROTO_ERR_BAD_VERSION ? "protocol version" :
                   err == PROTO_ERR_BAD_LENGTH ? "payload length" : "bad frame");
        return;
    }
    link_frames_ok++;
    dispatch(&msg);
}

void link_rx_byte(uint8_t byte)
{
    if (byte == 0) {
        frame_done();
        return;
    }
    if (rx_overflow)
        return;
    if (rx_len == sizeof rx_stuffed) {
        rx_overflow = 1;
        rx_len = 0;
        return;
    }
    rx_stuffed[rx_len++] = byte;
}

void link_send(uint8_t type, uint16_t seq, const void *head, size_t head_len,
               const void *tail, size_t tail_len)
{
    size_t len = proto_build(type, seq, head, head_len, tail, tail_len, tx_frame);
    if (len == 0)
        return;                                 /* caller bug: payload too long */
    len = cobs_encode(tx_frame, len, tx_stuffed);
    tx_stuffed[len++] = 0;
    uart_write(tx_stuffed, (unsigned)len);
}

void link_error(const struct proto_msg *req, uint16_t code, const char *text)
{
    struct proto_error e = { .code = code, .request = req ? req->type : 0 };
    link_send(PROTO_MSG_ERROR, req ? req->seq : 0, &e, sizeof e, text, strlen(text));
}

void link_ack(const struct proto_msg *req, uint32_t value)
{
    struct proto_ack ack = { .value = value };
    link_reply(req, PROTO_MSG_ACK, &ack, sizeof ack);
}

void link_log(uint8_t level, const char *text)
{
    struct proto_log log = { .level = level };
    link_send(PROTO_MSG_LOG, 0, &log, sizeof log, text, strlen(text));
}
