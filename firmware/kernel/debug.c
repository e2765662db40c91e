/*
 * The kernel's debug-link commands.  This is a kernel-mode stub: the user-level debug agent
 * replaces it once the kernel runs user tasks.  Every address the host names is checked against
 * the regions the kernel maps before it is touched.
 */
#include "arch/cpu.h"
#include "arch/mmu.h"
#include "board.h"
#include "debug.h"
#include "lib/info.h"
#include "lib/link.h"
#include "machine/intc.h"
#include "machine/timer.h"
#include "machine/uart.h"

#define KERNEL_FEATURES (PROTO_FEATURE_PING | PROTO_FEATURE_READ_MEM | PROTO_FEATURE_RESET | \
                         PROTO_FEATURE_TIMER)

const char kernel_banner[] = "L4 kernel for ARMv7-A on " BOARD_NAME ", " FW_VERSION;

static uint8_t boot_slot = PROTO_SLOT_AUTO;

static void send_info(uint16_t seq)
{
    struct proto_info info;

    info_fill(&info, PROTO_ROLE_KERNEL, boot_slot, KERNEL_FEATURES, timer_counter_hz());
    link_send(PROTO_MSG_INFO, seq, &info, sizeof info, NULL, 0);
}

void debug_announce(uint32_t slot)
{
    boot_slot = slot < PROTO_SLOT_COUNT ? (uint8_t)slot : PROTO_SLOT_AUTO;
    send_info(0);
    link_log(PROTO_LOG_INFO, kernel_banner);
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

/* The regions mmu_init() maps; nothing else may be read. */
static int readable(uint32_t addr, uint32_t len)
{
    static const struct { uint32_t base, size; } regions[] = {
        { BOARD_RAM_BASE, BOARD_RAM_SIZE },
        { BOARD_FLASH0_BASE, BOARD_FLASH_SIZE },
        { BOARD_FLASH1_BASE, BOARD_FLASH_SIZE },
    };
    for (unsigned i = 0; i < sizeof regions / sizeof regions[0]; i++)
        if (addr - regions[i].base < regions[i].size &&
            len <= regions[i].size - (addr - regions[i].base))
            return 1;
    return 0;
}

static void cmd_read_mem(const struct proto_msg *req)
{
    const struct proto_read_mem *r = (const void *)req->payload;
    struct proto_mem_data head = { .addr = r->addr };

    if (r->length > PROTO_MAX_PAYLOAD - sizeof head) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "read longer than one frame");
        return;
    }
    if (!readable(r->addr, r->length)) {
        link_error(req, PROTO_ERR_BAD_ADDRESS, "address not mapped by the kernel");
        return;
    }
    link_send(PROTO_MSG_MEM_DATA, req->seq, &head, sizeof head, (const void *)r->addr, r->length);
}
LINK_COMMAND(PROTO_MSG_READ_MEM, cmd_read_mem);

/* Hand the CPU back to the bootloader as a reset would: devices quiet, MMU off. */
static void cmd_reset(const struct proto_msg *req)
{
    link_ack(req, 0);
    irq_disable();
    timer_stop();
    intc_shutdown();
    uart_init();
    mmu_disable();
    ((void (*)(void))BOOT_ROM_BASE)();
}
LINK_COMMAND(PROTO_MSG_RESET, cmd_reset);
