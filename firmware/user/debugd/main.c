/*
 * debugd: the debug agent, in user mode.  It owns the console UART (its page from sigma0, its
 * receive interrupt as IPC), speaks the debug protocol with the host, and reaches the kernel
 * through KDebug.  It is an ordinary privileged thread: the kernel knows nothing of frames.
 *
 * Loop: drain the UART into the link (which dispatches requests to the LINK_COMMANDs here),
 * then reply to the interrupt (unmasking the line) and wait for the next one.
 */
#include "board.h"
#include "l4.h"
#include "lib/info.h"
#include "lib/link.h"
#include "lib/string.h"
#include "machine/uart.h"

#define DEBUGD_FEATURES (PROTO_FEATURE_PING | PROTO_FEATURE_READ_MEM | PROTO_FEATURE_RESET | \
                         PROTO_FEATURE_TIMER)

/* INFO names the kernel's build: that is the image the host flashed and holds the ELF of. */
static void send_info(uint16_t seq)
{
    const struct l4_kip *kip = l4_kip();
    struct proto_info info;

    info_fill(&info, PROTO_ROLE_KERNEL, (uint8_t)kip->boot_slot, DEBUGD_FEATURES, kip->timer_hz);
    memcpy(info.build_id, kip->kernel_build_id, sizeof info.build_id);
    link_send(PROTO_MSG_INFO, seq, &info, sizeof info, NULL, 0);
}

static void cmd_hello(const struct proto_msg *req)
{
    send_info(req->seq);
}
LINK_COMMAND(PROTO_MSG_HELLO, cmd_hello);

static void cmd_ping(const struct proto_msg *req)
{
    link_send(PROTO_MSG_PONG, req->seq, req->payload, req->length, NULL, 0);
}
LINK_COMMAND(PROTO_MSG_PING, cmd_ping);

/* Kernel memory, through KDebug in pieces of at most the UTCB's message registers. */
static void cmd_read_mem(const struct proto_msg *req)
{
    const struct proto_read_mem *r = (const void *)req->payload;
    static uint8_t buf[PROTO_MAX_PAYLOAD];
    struct proto_mem_data head = { .addr = r->addr };
    uint32_t done = 0;

    if (r->length > PROTO_MAX_PAYLOAD - sizeof head) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "read longer than one frame");
        return;
    }
    while (done < r->length) {
        uint32_t n = r->length - done, got;
        if (n > sizeof l4_utcb()->mr)
            n = sizeof l4_utcb()->mr;
        if (l4_kdebug(L4_KD_READ_KERNEL, r->addr + done, n, &got)) {
            link_error(req, PROTO_ERR_BAD_ADDRESS, "address outside the kernel image");
            return;
        }
        memcpy(buf + done, l4_utcb()->mr, n);
        done += n;
    }
    link_send(PROTO_MSG_MEM_DATA, req->seq, &head, sizeof head, buf, r->length);
}
LINK_COMMAND(PROTO_MSG_READ_MEM, cmd_read_mem);

static void cmd_reset(const struct proto_msg *req)
{
    link_ack(req, 0);
    l4_kdebug(L4_KD_RESET, 0, 0, NULL);
}
LINK_COMMAND(PROTO_MSG_RESET, cmd_reset);

int main(void)
{
    l4_tid_t irq = L4_IRQ_TID(BOARD_IRQ_UART);
    struct l4_msg m = { { 0 } };
    uint32_t err;
    int c;

    if (l4_sigma0_request(L4_FPAGE(BOARD_UART_BASE, 12, L4_READ | L4_WRITE), L4_COMPLETE) ||
        l4_interrupt_control(BOARD_IRQ_UART, L4_IRQ_ATTACH)) {
        l4_puts("debugd: cannot get the UART");
        return 1;
    }
    uart_rx_irq_enable();
    send_info(0);
    link_log(PROTO_LOG_INFO, "debugd: ready");

    for (;;) {
        while ((c = uart_getc()) >= 0)
            link_rx_byte((uint8_t)c);
        /* FIFO empty: the line is quiet, so unmask it and wait for the next interrupt */
        m.mr[0] = 0;
        l4_ipc(irq, irq, L4_ZERO, L4_NEVER, &m, &err);
    }
}
