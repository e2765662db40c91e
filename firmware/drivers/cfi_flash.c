/*
 * CFI flash with the Intel/Sharp command set (QEMU's pflash_cfi01), on a 32-bit bus made of two
 * 16-bit chips side by side: every command is written to both halves, and both halves' status
 * registers must report ready.
 */
#include <stdint.h>

#include "machine/flash.h"

#define CMD(c)              ((uint32_t)(c) << 16 | (c))
#define CMD_READ_ARRAY      CMD(0xff)
#define CMD_READ_STATUS     CMD(0x70)
#define CMD_CLEAR_STATUS    CMD(0x50)
#define CMD_PROGRAM         CMD(0x40)
#define CMD_ERASE           CMD(0x20)
#define CMD_CONFIRM         CMD(0xd0)
#define CMD_WRITE_BUFFER    CMD(0xe8)

/* The write buffer: 2 KiB per chip, 4 KiB across the bus, aligned.  A buffered program may not
 * cross a buffer boundary. */
#define BUFFER_BYTES        4096u
#define BUFFER_WORDS        (BUFFER_BYTES / 4)

#define SR_READY            CMD(0x80)
#define SR_ERASE_ERR        CMD(0x20)
#define SR_PROGRAM_ERR      CMD(0x10)
#define SR_VPP_ERR          CMD(0x08)
#define SR_LOCKED           CMD(0x02)

#define POLL_LIMIT          10000000u

/* Read the status until both chips are ready (or give up); leaves the command state alone. */
static uint32_t poll_ready(volatile uint32_t *p)
{
    uint32_t sr = 0;

    for (uint32_t n = 0; n < POLL_LIMIT; n++) {
        sr = *p;
        if ((sr & SR_READY) == SR_READY)
            break;
    }
    return sr;
}

/* Wait for an operation to finish, clear the status, and say how it went. */
static int wait_ready(volatile uint32_t *p)
{
    uint32_t sr = poll_ready(p);

    *p = CMD_CLEAR_STATUS;
    if ((sr & SR_READY) != SR_READY)
        return FLASH_ERR_TIMEOUT;
    if (sr & SR_LOCKED)
        return FLASH_ERR_LOCKED;
    if (sr & SR_ERASE_ERR)
        return FLASH_ERR_ERASE;
    if (sr & (SR_PROGRAM_ERR | SR_VPP_ERR))
        return FLASH_ERR_PROGRAM;
    return 0;
}

int flash_init(void)
{
    return 0;                           /* read in place */
}

int flash_erase_block(uint32_t addr)
{
    volatile uint32_t *p = (volatile uint32_t *)(addr & ~3u);
    int err;

    *p = CMD_CLEAR_STATUS;
    *p = CMD_ERASE;
    *p = CMD_CONFIRM;
    err = wait_ready(p);
    *p = CMD_READ_ARRAY;
    return err;
}

/* Program up to one write buffer (`words` words inside one aligned buffer) in one go: the
 * chips take the whole run and program it together, far faster than word by word. */
static int program_buffer(volatile uint32_t *p, const uint32_t *data, uint32_t words)
{
    *p = CMD_WRITE_BUFFER;
    if ((poll_ready(p) & SR_READY) != SR_READY) {  /* the buffer never became free */
        *p = CMD_CLEAR_STATUS;
        return FLASH_ERR_TIMEOUT;
    }
    *p = CMD(words - 1);                /* words per chip, minus one */
    for (uint32_t i = 0; i < words; i++)
        p[i] = data[i];
    *p = CMD_CONFIRM;
    return wait_ready(p);
}

int flash_program(uint32_t addr, const uint32_t *data, uint32_t words)
{
    volatile uint32_t *p = (volatile uint32_t *)addr;
    int err = 0;

    while (words && !err) {
        uint32_t room = BUFFER_WORDS - ((uint32_t)p / 4) % BUFFER_WORDS;
        uint32_t n = words < room ? words : room;
        err = program_buffer(p, data, n);
        p += n;
        data += n;
        words -= n;
    }
    *(volatile uint32_t *)addr = CMD_READ_ARRAY;
    return err;
}
