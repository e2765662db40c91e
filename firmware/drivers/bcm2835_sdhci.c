/*
 * The image slots on an SD card, as NOR flash (machine/flash.h), through the BCM2835's SDHCI
 * ("EMMC", an Arasan SD host controller: BOARD_SDHCI_BASE).
 *
 * The slot area is BOARD_FLASH_SIZE bytes of the card from sector BOARD_SD_SLOTS_SECTOR (in no
 * partition: the FAT partition the Pi's firmware boots from follows it, host/sdcard.py).  flash_init (the bootloader, at start) reads
 * it whole into RAM at BOARD_FLASH1_BASE, and from then on that RAM is the flash every reader
 * uses; erasing and programming change it with NOR's rules (an erase sets a block to 0xff, a
 * program only clears bits) and write the sectors they touched through to the card before they
 * return.  So the slot code keeps its rules unchanged: the header written last, trial and
 * confirm marks programmed once.  A sector is the card's unit of writing: a power cut leaves
 * each 512 bytes old or new.
 *
 * The card is set up on first use (identification, its relative address, 512-byte blocks) and
 * moved one block per command by the CPU through the buffer data port, no DMA.  In a user
 * program (debugd confirming its boot) the controller's registers are first mapped from
 * sigma0, at their physical address.
 */
#include <stdint.h>

#include "board.h"
#include "lib/string.h"
#include "machine/flash.h"
#include "machine/io.h"
#ifdef USER
#include "l4.h"
#endif

#define SD_ARG          0x08
#define SD_BLOCK        0x04            /* block size (low 16 bits), count (high) */
#define SD_CMD          0x0c            /* transfer mode (low 16 bits), command (high): writing starts it */
#define SD_RESP0        0x10
#define SD_DATA         0x20
#define SD_CONTROL0     0x28            /* host control, power control (bits 8..15) */
#define SD_CONTROL1     0x2c            /* clock control (low 16), timeout (16..19), resets (24..26) */
#define SD_INTERRUPT    0x30            /* normal (low 16) and error (high 16) status, write 1 to clear */
#define SD_IRPT_MASK    0x34            /* which of them are recorded */

#define C1_CLK_INTLEN   (1u << 0)
#define C1_CLK_STABLE   (1u << 1)
#define C1_CLK_EN       (1u << 2)
#define C1_DIVIDER      (0x80u << 8)    /* base clock / 256: within identification's 400 kHz */
#define C1_TIMEOUT      (0xeu << 16)
#define C1_RESET_ALL    (1u << 24)
#define C0_POWER_33V    (0x0fu << 8)    /* bus power on, 3.3 V */

#define INT_CMD_DONE    (1u << 0)
#define INT_DATA_DONE   (1u << 1)
#define INT_WRITE_RDY   (1u << 4)
#define INT_READ_RDY    (1u << 5)
#define INT_ERROR       (1u << 15)

/* The command register: index, response type, checks, data */
#define RSP_NONE        0x00u
#define RSP_136         0x09u           /* 136 bits, CRC checked */
#define RSP_48          0x1au           /* 48 bits, CRC and index checked */
#define RSP_48_NOCRC    0x02u           /* R3 */
#define RSP_48_BUSY     0x1bu
#define DATA            0x20u
#define CMD(index, flags) ((uint32_t)(index) << 8 | (flags))
#define XFER_READ       (1u << 4)

#define SECTOR          512u
#define POLL_LIMIT      10000000u

static uint32_t rca;                    /* the card's relative address; 0: not set up */
static int sdhc;                        /* block addressing (SDHC/SDXC); else byte addressing */

static inline volatile uint32_t *reg(unsigned off)
{
    return (volatile uint32_t *)(IO_ADDR(BOARD_SDHCI_BASE) + off);
}

/* Wait for any of `bits` in the interrupt status (or an error); clear what was seen. */
static int wait_for(uint32_t bits)
{
    for (uint32_t n = 0; n < POLL_LIMIT; n++) {
        uint32_t status = *reg(SD_INTERRUPT);
        if (status & INT_ERROR) {
            *reg(SD_INTERRUPT) = status;
            return FLASH_ERR_PROGRAM;
        }
        if (status & bits) {
            *reg(SD_INTERRUPT) = status & bits;
            return 0;
        }
    }
    return FLASH_ERR_TIMEOUT;
}

/* Send a command; 0 and its first response word in `*resp`, or an error. */
static int command(uint32_t cmd, uint32_t arg, uint32_t mode, uint32_t *resp)
{
    int err;

    *reg(SD_INTERRUPT) = 0xffffffffu;
    *reg(SD_ARG) = arg;
    *reg(SD_CMD) = cmd << 16 | mode;
    err = wait_for(INT_CMD_DONE);
    if (!err && resp)
        *resp = *reg(SD_RESP0);
    return err;
}

/* Identify the card and select it, as the SD physical layer specification orders. */
static int card_setup(void)
{
    uint32_t resp = 0, n;

#ifdef USER
    if (l4_sigma0_request(L4_FPAGE(BOARD_SDHCI_BASE, 12, L4_READ | L4_WRITE), L4_COMPLETE))
        return FLASH_ERR_LOCKED;
#endif
    *reg(SD_CONTROL1) = C1_RESET_ALL;
    for (n = 0; n < POLL_LIMIT && (*reg(SD_CONTROL1) & C1_RESET_ALL); n++)
        ;
    *reg(SD_CONTROL0) = C0_POWER_33V;
    *reg(SD_CONTROL1) = C1_TIMEOUT | C1_DIVIDER | C1_CLK_INTLEN;
    for (n = 0; n < POLL_LIMIT && !(*reg(SD_CONTROL1) & C1_CLK_STABLE); n++)
        ;
    *reg(SD_CONTROL1) = C1_TIMEOUT | C1_DIVIDER | C1_CLK_INTLEN | C1_CLK_EN;
    *reg(SD_IRPT_MASK) = 0xffffffffu;

    if (command(CMD(0, RSP_NONE), 0, 0, NULL) ||
        command(CMD(8, RSP_48), 0x1aa, 0, &resp) || (resp & 0xfff) != 0x1aa)
        return FLASH_ERR_TIMEOUT;       /* no card, or not a version 2 card */
    for (n = 0; n < 10000; n++) {       /* power-up: ACMD41 until the card says it is ready */
        if (command(CMD(55, RSP_48), 0, 0, NULL) ||
            command(CMD(41, RSP_48_NOCRC), 0x40ff8000u, 0, &resp))
            return FLASH_ERR_TIMEOUT;
        if (resp & (1u << 31))
            break;
    }
    if (!(resp & (1u << 31)))
        return FLASH_ERR_TIMEOUT;
    sdhc = (resp >> 30) & 1;
    if (command(CMD(2, RSP_136), 0, 0, NULL) || command(CMD(3, RSP_48), 0, 0, &resp))
        return FLASH_ERR_TIMEOUT;
    if (command(CMD(7, RSP_48_BUSY), resp & 0xffff0000u, 0, NULL) ||
        command(CMD(16, RSP_48), SECTOR, 0, NULL))
        return FLASH_ERR_TIMEOUT;
    rca = resp >> 16 ? resp >> 16 : 1;
    return 0;
}

/* Move one sector between the card and `buf` (word-aligned). */
static int transfer(uint32_t sector, uint32_t *buf, int write)
{
    int err = rca ? 0 : card_setup();

    if (err)
        return err;
    *reg(SD_BLOCK) = 1u << 16 | SECTOR;
    err = command(write ? CMD(24, RSP_48 | DATA) : CMD(17, RSP_48 | DATA), sdhc ? sector : sector * SECTOR,
                  write ? 0 : XFER_READ, NULL);
    if (!err)
        err = wait_for(write ? INT_WRITE_RDY : INT_READ_RDY);
    if (err)
        return err;
    for (unsigned i = 0; i < SECTOR / 4; i++) {
        if (write)
            *reg(SD_DATA) = buf[i];
        else
            buf[i] = *reg(SD_DATA);
    }
    return wait_for(INT_DATA_DONE);
}

/* The card's sector holding byte `addr` of the slot area's RAM image. */
static uint32_t sector_of(uint32_t addr)
{
    return BOARD_SD_SLOTS_SECTOR + (addr - BOARD_FLASH1_BASE) / SECTOR;
}

/* Write the sectors of [addr, addr + len) through to the card, from the RAM image. */
static int write_through(uint32_t addr, uint32_t len)
{
    int err = 0;

    for (uint32_t at = addr & ~(SECTOR - 1); at < addr + len && !err; at += SECTOR)
        err = transfer(sector_of(at), (uint32_t *)at, 1);
    return err;
}

static int inside(uint32_t addr, uint32_t len)
{
    return addr >= BOARD_FLASH1_BASE && addr - BOARD_FLASH1_BASE <= BOARD_FLASH_SIZE &&
           len <= BOARD_FLASH_SIZE - (addr - BOARD_FLASH1_BASE);
}

/* On failure the RAM image is all zeros: no slot in it is valid. */
int flash_init(void)
{
    int err = 0;

    for (uint32_t at = BOARD_FLASH1_BASE; at < BOARD_FLASH1_BASE + BOARD_FLASH_SIZE && !err; at += SECTOR)
        err = transfer(sector_of(at), (uint32_t *)at, 0);
    if (err)
        memset((void *)BOARD_FLASH1_BASE, 0, BOARD_FLASH_SIZE);
    return err;
}

int flash_erase_block(uint32_t addr)
{
    addr &= ~(BOARD_FLASH_BLOCK - 1);
    if (!inside(addr, BOARD_FLASH_BLOCK))
        return FLASH_ERR_LOCKED;
    memset((void *)addr, 0xff, BOARD_FLASH_BLOCK);
    return write_through(addr, BOARD_FLASH_BLOCK) ? FLASH_ERR_ERASE : 0;
}

int flash_program(uint32_t addr, const uint32_t *data, uint32_t words)
{
    volatile uint32_t *p = (volatile uint32_t *)addr;

    if (addr % 4 || !inside(addr, words * 4))
        return FLASH_ERR_LOCKED;
    for (uint32_t i = 0; i < words; i++)
        p[i] &= data[i];                /* as NOR flash: programming only clears bits */
    return write_through(addr, words * 4) ? FLASH_ERR_PROGRAM : 0;
}
