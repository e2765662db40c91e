/*
 * The debug link: frames in and out of the console UART, and dispatch of requests to the
 * commands a program registers with LINK_COMMAND.  Single-threaded: the caller feeds received
 * bytes from one context only, and commands run in that context.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/proto.h"

struct link_cmd {
    uint8_t type;                               /* PROTO_MSG_* it answers */
    void (*handle)(const struct proto_msg *req);
};

/* Register `fn` as the handler of requests of type `msg_type`.  The table lives in the
 * `link_cmds` section, so the host can list a program's commands from its ELF. */
#define LINK_COMMAND(msg_type, fn) \
    static const struct link_cmd link_cmd_##fn \
        __attribute__((used, section("link_cmds"), aligned(4))) = { (msg_type), (fn) }

/* Feed one received byte; a completed frame is checked and dispatched before this returns. */
void link_rx_byte(uint8_t byte);

/* Send a frame whose payload is `head` then `tail`. */
void link_send(uint8_t type, uint16_t seq, const void *head, size_t head_len,
               const void *tail, size_t tail_len);

static inline void link_reply(const struct proto_msg *req, uint8_t type,
                              const void *head, size_t head_len)
{
    link_send(type, req->seq, head, head_len, NULL, 0);
}

/* ERROR in answer to `req` (or unsolicited when `req` is NULL). */
void link_error(const struct proto_msg *req, uint16_t code, const char *text);
void link_ack(const struct proto_msg *req, uint32_t value);
void link_log(uint8_t level, const char *text);

/* Frames accepted and refused since start. */
extern uint32_t link_frames_ok;
extern uint32_t link_frames_bad;
