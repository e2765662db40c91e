/*
 * The stage-0 bootloader.  It announces itself with INFO, waits BOOT_WAIT_MS for the host, and
 * then boots the newest valid slot unless a host spoke in time; a host can then flash a slot,
 * inspect the slots, read memory and boot.  Flashing keeps one rule above all: the header of a
 * slot is programmed last, after its payload has been verified, and neither the last confirmed
 * image nor the only valid one is ever erased, so a flash cut off at any byte leaves a bootable
 * image.
 *
 * Booting follows test-then-confirm (slot.h): a new image boots once on trial, and the running
 * system confirms it once its servers are up (debugd); an image tried and never confirmed is
 * abandoned at the next boot for the last confirmed one, so a build that does not start costs
 * one reset, not the board.
 *
 * An image can also go straight into RAM, at its load address, and be booted from there
 * (SLOT_RAM: the same FLASH_BEGIN, FLASH_DATA(_LZ4) and FLASH_END, then BOOT): for quick turns,
 * and the only way on a board without image slots (BOOT_SLOTS 0: no [flash] table).  Nothing
 * survives a reset there, so nothing is tried or confirmed.
 *
 * Where the root file system partition is in the boot flash (BOOT_ROOTFS), it is rewritten in
 * place through a copy in RAM (ROOTFS_BEGIN): its header is cleared first and programmed last,
 * so a cut leaves a partition the Linux server refuses, while the bootloader and the kernel run
 * as before.
 */
#include "arch/cpu.h"
#include "board.h"
#include "generated/bootinfo.h"
#include "lib/info.h"
#include "lib/link.h"
#include "lib/lz4.h"
#include "lib/string.h"
#include "image.h"
#include "machine/intc.h"
#include "machine/uart.h"

/* Whether the board keeps image slots in flash (board.h: [flash] SLOT_SIZE). */
#ifdef BOARD_SLOT_SIZE
#define BOOT_SLOTS      1
#include "machine/flash.h"
#include "slot.h"
#else
#define BOOT_SLOTS      0
#endif
/* Whether the root file system partition is in the boot flash (bank 0), which the bootloader
 * may rewrite; elsewhere (raspi2b: RAM its firmware fills) it cannot. */
#if BOOT_SLOTS && defined(BOARD_FLASH0_BASE) && defined(BOARD_ROOTFS_BASE)
#define BOOT_ROOTFS     1
#else
#define BOOT_ROOTFS     0
#endif

#define BOOT_WAIT_MS    1000

#define BOOT_FEATURES   (PROTO_FEATURE_PING | PROTO_FEATURE_READ_MEM | PROTO_FEATURE_BOOT | \
                         PROTO_FEATURE_RESET | PROTO_FEATURE_FLASH_LZ4 | PROTO_FEATURE_FLASH_LZ4_DICT | \
                         PROTO_FEATURE_RAM_BOOT | SLOT_FEATURES)
#if BOOT_ROOTFS
#define SLOT_FEATURES   (PROTO_FEATURE_FLASH | PROTO_FEATURE_FLASH_SUMS | PROTO_FEATURE_FLASH_ROOTFS)
#elif BOOT_SLOTS
#define SLOT_FEATURES   (PROTO_FEATURE_FLASH | PROTO_FEATURE_FLASH_SUMS)
#else
#define SLOT_FEATURES   0u
#endif

/* What the slot being flashed held before FLASH_BEGIN erased it, kept for FLASH_COPY: the RAM
 * above the bootloader's own, which nothing uses until an image is booted.  Lost with power,
 * which loses nothing: the slot is invalid from the erase on, and no other slot is written. */
#define STAGE_BASE      (BOOT_RAM_BASE + BOOT_RAM_SIZE)
#if BOOT_SLOTS
#define SLOT_PAYLOAD_MAX (BOARD_SLOT_SIZE - PROTO_IMAGE_PAYLOAD_OFFSET)
_Static_assert(SLOT_PAYLOAD_MAX <= BOARD_RAM_BASE + BOARD_RAM_SIZE - STAGE_BASE,
               "a slot's payload must fit the RAM above the bootloader");
#endif
/* The largest image that goes straight into RAM: all RAM above the bootloader's */
#define RAM_PAYLOAD_MAX (BOARD_RAM_BASE + BOARD_RAM_SIZE - STAGE_BASE)
#if BOOT_ROOTFS
_Static_assert(BOARD_ROOTFS_SIZE <= BOARD_RAM_BASE + BOARD_RAM_SIZE - STAGE_BASE,
               "the root file system partition must fit the RAM above the bootloader");
_Static_assert(BOARD_ROOTFS_BASE % BOARD_FLASH_BLOCK == 0 && BOARD_ROOTFS_SIZE % BOARD_FLASH_BLOCK == 0,
               "the root file system partition is whole erase blocks");
#define ROOTFS_BLOCKS   (BOARD_ROOTFS_SIZE / BOARD_FLASH_BLOCK)
#define ROOTFS_ARCHIVE_MAX (BOARD_ROOTFS_SIZE - ROOTFS_DATA_OFFSET)
#endif

void boot_jump(uint32_t entry, uint32_t slot) __attribute__((noreturn));
void boot_park(void) __attribute__((noreturn));

/* The flash in progress: set by FLASH_BEGIN, used by FLASH_DATA, FLASH_DATA_LZ4 and
 * FLASH_COPY, cleared by FLASH_END.  The slot's old payload is at STAGE_BASE, header.length
 * bytes of it.  `slot` is PROTO_SLOT_RAM for an image loaded into RAM. */
static struct {
    int active;
    unsigned slot;
    struct image_header header;
} flashing;

/* The image loaded into RAM at its load address, valid from its FLASH_END (its CRC checked)
 * until anything else writes that RAM (the next FLASH_BEGIN). */
static struct {
    int valid;
    struct image_header header;
} ram_image;

#if BOOT_ROOTFS
/* The root file system being rewritten: set by ROOTFS_BEGIN, cleared by FLASH_END.  The whole
 * partition is at STAGE_BASE as it will be; `dirty` marks the erase blocks FLASH_DATA and
 * FLASH_DATA_LZ4 changed there. */
static struct {
    int active;
    uint32_t length, crc;
    uint32_t dirty[(ROOTFS_BLOCKS + 31) / 32];
} rootfs;
#define ROOTFS_ACTIVE   rootfs.active
#else
#define ROOTFS_ACTIVE   0
#endif

static int host_seen;           /* a valid frame arrived: no autoboot */
#if BOOT_SLOTS
static int slots_readable;      /* flash_init succeeded */
#endif
/* a chunk to program: as sent, or decoded */
static uint32_t chunk[(PROTO_FLASH_LZ4_CHUNK_MAX > PROTO_MAX_PAYLOAD ? PROTO_FLASH_LZ4_CHUNK_MAX : PROTO_MAX_PAYLOAD) / 4];
static char text[96];

static void log_text(uint8_t level, const char *message)
{
    link_log(level, message);
}

/* ---- requests ------------------------------------------------------------------------- */

static void cmd_hello(const struct proto_msg *req)
{
    struct proto_info info;

    info_fill(&info, PROTO_ROLE_BOOTLOADER, PROTO_SLOT_AUTO, BOOT_FEATURES, cntfrq_read());
    link_reply(req, PROTO_MSG_INFO, &info, sizeof info);
}
LINK_COMMAND(PROTO_MSG_HELLO, cmd_hello);

static void cmd_ping(const struct proto_msg *req)
{
    link_send(PROTO_MSG_PONG, req->seq, req->payload, req->length, NULL, 0);
}
LINK_COMMAND(PROTO_MSG_PING, cmd_ping);

static int readable(uint32_t addr, uint32_t len)
{
    static const struct { uint32_t base, size; } regions[] = {
#ifdef BOARD_FLASH0_BASE
        { BOARD_FLASH0_BASE, BOARD_FLASH_SIZE },
#endif
#if BOOT_SLOTS
        { BOARD_FLASH1_BASE, BOARD_FLASH_SIZE },
#endif
        { BOARD_RAM_BASE, BOARD_RAM_SIZE },
    };
    for (unsigned i = 0; i < sizeof regions / sizeof regions[0]; i++)
        if (addr >= regions[i].base && addr - regions[i].base <= regions[i].size &&
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
        link_error(req, PROTO_ERR_BAD_ADDRESS, "address outside flash and RAM");
        return;
    }
    link_send(PROTO_MSG_MEM_DATA, req->seq, &head, sizeof head, (const void *)r->addr, r->length);
}
LINK_COMMAND(PROTO_MSG_READ_MEM, cmd_read_mem);

#if BOOT_SLOTS
static void cmd_slots(const struct proto_msg *req)
{
    struct proto_slot_info info = { .count = PROTO_SLOT_COUNT };
    struct image_header h;
    int newest = slot_newest(SLOT_NONE, &h), confirmed = slot_confirmed(&h);

    info.newest = newest == SLOT_NONE ? PROTO_SLOT_AUTO : (uint8_t)newest;
    info.confirmed = confirmed == SLOT_NONE ? PROTO_SLOT_AUTO : (uint8_t)confirmed;
    for (unsigned s = 0; s < PROTO_SLOT_COUNT; s++) {
        struct proto_slot_entry *e = &info.slots[s];
        if (slot_check(s, &h))
            continue;
        e->valid = 1;
        e->state = (uint8_t)slot_state(s);
        e->sequence = h.sequence;
        e->length = h.length;
        e->crc = h.crc;
        memcpy(e->build_id, h.build_id, sizeof e->build_id);
    }
    link_reply(req, PROTO_MSG_SLOT_INFO, &info, sizeof info);
}
LINK_COMMAND(PROTO_MSG_SLOTS, cmd_slots);
#endif

/* FLASH_BEGIN into RAM: the image goes straight to its load address. */
static void ram_begin(const struct proto_msg *req)
{
    const char *why = image_header_problem(&flashing.header, RAM_PAYLOAD_MAX);

    if (why) {
        link_error(req, PROTO_ERR_BAD_IMAGE, why);
        return;
    }
    flashing.slot = PROTO_SLOT_RAM;
    flashing.active = 1;
    link_ack(req, PROTO_SLOT_RAM);
}

static void cmd_flash_begin(const struct proto_msg *req)
{
    const struct proto_flash_begin *b = (const void *)req->payload;

    flashing.active = 0;
#if BOOT_ROOTFS
    rootfs.active = 0;
#endif
    ram_image.valid = 0;            /* both kinds write over it: at its load address, or staging */
    memcpy(&flashing.header, &b->header, sizeof flashing.header);
    if (b->slot == PROTO_SLOT_RAM) {
        ram_begin(req);
        return;
    }
#if BOOT_SLOTS
    struct image_header newest_h, confirmed_h;
    int newest = slot_newest(SLOT_NONE, &newest_h), confirmed = slot_confirmed(&confirmed_h);
    const char *why = slot_header_problem(&flashing.header);
    unsigned slot;

    if (why) {
        link_error(req, PROTO_ERR_BAD_IMAGE, why);
        return;
    }
    if (b->slot == PROTO_SLOT_AUTO) {
        /* beside the last confirmed image; without one, beside the newest */
        int keep = confirmed != SLOT_NONE ? confirmed : newest;
        slot = keep == SLOT_NONE ? 0 : (unsigned)(keep + 1) % PROTO_SLOT_COUNT;
    } else if (b->slot >= PROTO_SLOT_COUNT) {
        link_error(req, PROTO_ERR_BAD_SLOT, "no such slot");
        return;
    } else {
        struct image_header other;
        slot = b->slot;
        if ((int)slot == newest && slot_newest((int)slot, &other) == SLOT_NONE) {
            link_error(req, PROTO_ERR_BAD_SLOT, "slot holds the only valid image");
            return;
        }
        if ((int)slot == confirmed) {
            link_error(req, PROTO_ERR_BAD_SLOT, "slot holds the last confirmed image");
            return;
        }
    }

    uint32_t base = slot_base(slot);
    uint32_t end = base + PROTO_IMAGE_PAYLOAD_OFFSET + flashing.header.length;
    memcpy((void *)STAGE_BASE, (const void *)(base + PROTO_IMAGE_PAYLOAD_OFFSET), flashing.header.length);
    for (uint32_t block = base; block < end; block += BOARD_FLASH_BLOCK) {
        if (flash_erase_block(block)) {
            link_error(req, PROTO_ERR_FLASH_FAILED, "erase failed");
            return;
        }
    }
    flashing.slot = slot;
    flashing.active = 1;
    link_ack(req, slot);
#else
    link_error(req, PROTO_ERR_BAD_SLOT, "this board has no image slots: load the image into RAM (SLOT_RAM)");
#endif
}
LINK_COMMAND(PROTO_MSG_FLASH_BEGIN, cmd_flash_begin);

/* The payload of `slot` from `offset` on: in flash, or for PROTO_SLOT_RAM at the load address
 * of the image being loaded. */
static const uint8_t *payload_at(unsigned slot, uint32_t offset)
{
    if (slot == PROTO_SLOT_RAM)
        return (const uint8_t *)(flashing.header.load_addr + offset);
#if BOOT_SLOTS
    return (const uint8_t *)(slot_base(slot) + PROTO_IMAGE_PAYLOAD_OFFSET + offset);
#else
    return NULL;                    /* never asked: FLASH_BEGIN takes no other slot */
#endif
}

/* The bytes being written from `offset` on: a slot's payload in flash, an image's in RAM, or the
 * root file system's archive in its copy in RAM. */
static const uint8_t *image_at(uint32_t offset)
{
#if BOOT_ROOTFS
    if (rootfs.active)
        return (const uint8_t *)STAGE_BASE + ROOTFS_DATA_OFFSET + offset;
#endif
    return payload_at(flashing.slot, offset);
}

/* Whether an image or the root file system is being written; if not, answers `req` with
 * BAD_STATE. */
static int writing(const struct proto_msg *req)
{
    if (!flashing.active && !ROOTFS_ACTIVE) {
        link_error(req, PROTO_ERR_BAD_STATE, "no FLASH_BEGIN or ROOTFS_BEGIN before it");
        return 0;
    }
    return 1;
}

/* Whether `len` bytes at `offset` lie inside the image being flashed, `offset` word-aligned;
 * if not, answers `req` with BAD_LENGTH. */
static int inside_image(const struct proto_msg *req, uint32_t offset, uint32_t len)
{
    uint32_t length = flashing.header.length;

#if BOOT_ROOTFS
    if (rootfs.active)
        length = rootfs.length;
#endif
    if (offset % 4 || offset > length || len > length - offset) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "chunk is unaligned or outside the image");
        return 0;
    }
    return 1;
}

/* Program the first `len` bytes of `chunk` (its last word padded with erased bytes) at `offset`
 * into the payload of the slot being flashed, a range inside_image() accepted: 0, or -1 once
 * `req` has been answered with the error.  FLASH_DATA, FLASH_DATA_LZ4 and FLASH_COPY end
 * here.  For the root file system the bytes go into its copy in RAM, for FLASH_END. */
static int program_chunk(const struct proto_msg *req, uint32_t offset, uint32_t len)
{
    (void)req;                      /* RAM is written without fail */
#if BOOT_ROOTFS
    if (rootfs.active) {
        uint32_t at = ROOTFS_DATA_OFFSET + offset;
        memcpy((void *)(STAGE_BASE + at), chunk, len);
        for (uint32_t b = at / BOARD_FLASH_BLOCK; b <= (at + len - 1) / BOARD_FLASH_BLOCK; b++)
            rootfs.dirty[b / 32] |= 1u << b % 32;
        return 0;
    }
#endif
    if (flashing.slot == PROTO_SLOT_RAM) {
        memcpy((void *)payload_at(PROTO_SLOT_RAM, offset), chunk, len);
        return 0;
    }
#if BOOT_SLOTS
    uint32_t words = (len + 3) / 4;
    volatile const uint32_t *dst = (volatile const uint32_t *)payload_at(flashing.slot, offset);

    for (uint32_t i = 0; i < words; i++) {
        if (dst[i] != 0xffffffffu && dst[i] != chunk[i]) {
            link_error(req, PROTO_ERR_BAD_STATE, "flash not erased under this chunk");
            return -1;
        }
    }
    if (flash_program((uint32_t)dst, chunk, words) || memcmp((const void *)dst, chunk, len)) {
        link_error(req, PROTO_ERR_FLASH_FAILED, "program failed");
        return -1;
    }
#endif
    return 0;
}

static void cmd_flash_data(const struct proto_msg *req)
{
    const struct proto_flash_data *d = (const void *)req->payload;
    uint32_t len = req->length - sizeof *d;

    if (!writing(req) || !inside_image(req, d->offset, len))
        return;
    chunk[len ? (len - 1) / 4 : 0] = 0xffffffffu;       /* pad a partial last word */
    memcpy(chunk, d->data, len);
    if (program_chunk(req, d->offset, len) == 0)
        link_ack(req, d->offset + len);
}
LINK_COMMAND(PROTO_MSG_FLASH_DATA, cmd_flash_data);

/* A chunk compressed by the host: decoded here, then programmed as FLASH_DATA's.  Its matches
 * may reach back into the FLASH_LZ4_DICT_MAX bytes of payload before it, as they are in the
 * slot now (the host sends in offset order; what it got wrong, FLASH_END's CRC refuses). */
static void cmd_flash_data_lz4(const struct proto_msg *req)
{
    const struct proto_flash_data_lz4 *d = (const void *)req->payload;
    uint32_t len = d->length, back;

    if (!writing(req))
        return;
    if (len == 0 || len > PROTO_FLASH_LZ4_CHUNK_MAX) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "a compressed chunk must decode to 1..16384 bytes");
        return;
    }
    if (!inside_image(req, d->offset, len))
        return;
    back = d->offset < PROTO_FLASH_LZ4_DICT_MAX ? d->offset : PROTO_FLASH_LZ4_DICT_MAX;
    chunk[(len - 1) / 4] = 0xffffffffu;
    if (lz4_decode_dict(d->data, req->length - sizeof *d, image_at(d->offset - back),
                        back, (uint8_t *)chunk, len) != (long)len) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "the compressed chunk does not decode to its length");
        return;
    }
    if (program_chunk(req, d->offset, len) == 0)
        link_ack(req, d->offset + len);
}
LINK_COMMAND(PROTO_MSG_FLASH_DATA_LZ4, cmd_flash_data_lz4);

#if BOOT_SLOTS
/* CRCs of a slot's payload area, or of the root file system's archive area, block by block, as
 * it is in flash now: the host compares them with the image it is about to send (FLASH_COPY). */
static void cmd_flash_sums(const struct proto_msg *req)
{
    const struct proto_flash_sums *r = (const void *)req->payload;
    struct proto_flash_sums_info head = { .slot = r->slot, .offset = r->offset };
    static uint32_t sums[(PROTO_MAX_PAYLOAD - sizeof head) / 4];
    const uint8_t *area;
    uint32_t n = 0, max;

    if (r->slot < PROTO_SLOT_COUNT) {
        area = payload_at(r->slot, 0);
        max = SLOT_PAYLOAD_MAX;
#if BOOT_ROOTFS
    } else if (r->slot == PROTO_SLOT_ROOTFS) {
        area = (const uint8_t *)BOARD_ROOTFS_BASE + ROOTFS_DATA_OFFSET;
        max = ROOTFS_ARCHIVE_MAX;
#endif
    } else {
        link_error(req, PROTO_ERR_BAD_SLOT, "no such slot");
        return;
    }
    if (r->offset % PROTO_FLASH_SUM_BLOCK || r->offset > max || r->length > max - r->offset) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "blocks unaligned or outside the slot");
        return;
    }
    /* as many blocks as one reply holds; the host asks again for the rest */
    for (uint32_t at = 0; at < r->length && n < sizeof sums / sizeof sums[0]; at += PROTO_FLASH_SUM_BLOCK) {
        uint32_t len = r->length - at < PROTO_FLASH_SUM_BLOCK ? r->length - at : PROTO_FLASH_SUM_BLOCK;
        sums[n++] = crc32(area + r->offset + at, len);
    }
    link_send(PROTO_MSG_FLASH_SUMS_INFO, req->seq, &head, sizeof head, sums, n * sizeof sums[0]);
}
LINK_COMMAND(PROTO_MSG_FLASH_SUMS, cmd_flash_sums);

/* Program a run of the image from bytes the board already holds at the same offset: the slot
 * being flashed as it was before FLASH_BEGIN (kept at STAGE_BASE), or another slot.  The run
 * must match the host's CRC before anything is programmed, so stale sums cost a refusal, not
 * a wrong image. */
static void cmd_flash_copy(const struct proto_msg *req)
{
    const struct proto_flash_copy *c = (const void *)req->payload;
    const uint8_t *from;

    if (!flashing.active) {
        link_error(req, PROTO_ERR_BAD_STATE, ROOTFS_ACTIVE ? "FLASH_COPY is for image slots, not the root file system"
                                                           : "FLASH_COPY without FLASH_BEGIN");
        return;
    }
    if (c->slot >= PROTO_SLOT_COUNT || flashing.slot == PROTO_SLOT_RAM) {
        link_error(req, PROTO_ERR_BAD_SLOT, "no such slot, or an image loaded into RAM");
        return;
    }
    if (c->length == 0) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "an empty run");
        return;
    }
    if (!inside_image(req, c->offset, c->length))
        return;
    from = c->slot == flashing.slot ? (const uint8_t *)STAGE_BASE + c->offset : payload_at(c->slot, c->offset);
    if (crc32(from, c->length) != c->crc) {
        fmt(text, sizeof text, "slot %u's bytes at %u..%u do not match the CRC %08x", c->slot,
            c->offset, c->offset + c->length, c->crc);
        link_error(req, PROTO_ERR_VERIFY_FAILED, text);
        return;
    }
    for (uint32_t done = 0; done < c->length; ) {
        uint32_t len = c->length - done < sizeof chunk ? c->length - done : sizeof chunk;
        chunk[(len - 1) / 4] = 0xffffffffu;
        memcpy(chunk, from + done, len);
        if (program_chunk(req, c->offset + done, len))
            return;
        done += len;
    }
    link_ack(req, c->offset + c->length);
}
LINK_COMMAND(PROTO_MSG_FLASH_COPY, cmd_flash_copy);
#endif

#if BOOT_ROOTFS
/* Start rewriting the root file system partition: its copy in RAM, its header cleared. */
static void cmd_rootfs_begin(const struct proto_msg *req)
{
    const struct proto_rootfs_begin *b = (const void *)req->payload;
    static const uint32_t cleared;

    flashing.active = 0;
    rootfs.active = 0;
    ram_image.valid = 0;                        /* the copy goes over it */
    if (b->length > ROOTFS_ARCHIVE_MAX) {
        fmt(text, sizeof text, "an archive of %u bytes; the partition holds %u", b->length, ROOTFS_ARCHIVE_MAX);
        link_error(req, PROTO_ERR_BAD_LENGTH, text);
        return;
    }
    memcpy((void *)STAGE_BASE, (const void *)BOARD_ROOTFS_BASE, ROOTFS_DATA_OFFSET + b->length);
    memset(rootfs.dirty, 0, sizeof rootfs.dirty);
    /* the magic word programmed to zero (NOR flash clears bits without an erase) */
    if (*(volatile const uint32_t *)BOARD_ROOTFS_BASE != 0 && flash_program(BOARD_ROOTFS_BASE, &cleared, 1)) {
        link_error(req, PROTO_ERR_FLASH_FAILED, "the old header did not clear");
        return;
    }
    rootfs.length = b->length;
    rootfs.crc = b->crc;
    rootfs.active = 1;
    link_ack(req, 0);
}
LINK_COMMAND(PROTO_MSG_ROOTFS_BEGIN, cmd_rootfs_begin);

/* FLASH_END of the root file system: every erase block changed in RAM, the header's own last
 * (without the header), the archive's CRC, then the header.  The answer is the number of erase
 * blocks rewritten. */
static void rootfs_end(const struct proto_msg *req)
{
    const struct rootfs_header h = { .magic = ROOTFS_MAGIC, .format = ROOTFS_FORMAT,
                                     .header_size = sizeof h, .length = rootfs.length, .crc = rootfs.crc };
    uint32_t end = ROOTFS_DATA_OFFSET + rootfs.length, rewritten = 0, crc;

    rootfs.active = 0;
    rootfs.dirty[0] |= 1;                       /* its header was cleared */
    for (uint32_t i = 1; i <= ROOTFS_BLOCKS; i++) {
        uint32_t b = i % ROOTFS_BLOCKS, at = b * BOARD_FLASH_BLOCK, from = b ? at : sizeof h;
        uint32_t to = end - at < BOARD_FLASH_BLOCK ? end : at + BOARD_FLASH_BLOCK;
        if (!(rootfs.dirty[b / 32] & 1u << b % 32) || at >= end)
            continue;
        if (flash_erase_block(BOARD_ROOTFS_BASE + at) ||
            flash_program(BOARD_ROOTFS_BASE + from, (const uint32_t *)(STAGE_BASE + from), (to - from + 3) / 4)) {
            link_error(req, PROTO_ERR_FLASH_FAILED, "an erase block of the root file system did not program");
            return;
        }
        rewritten++;
    }
    crc = crc32((const void *)(BOARD_ROOTFS_BASE + ROOTFS_DATA_OFFSET), rootfs.length);
    if (crc != rootfs.crc) {
        fmt(text, sizeof text, "archive CRC %08x, flash holds %08x: the root file system is left without a header",
            rootfs.crc, crc);
        link_error(req, PROTO_ERR_VERIFY_FAILED, text);
        return;
    }
    memcpy(chunk, &h, sizeof h);
    if (flash_program(BOARD_ROOTFS_BASE, chunk, sizeof h / 4) || memcmp((const void *)BOARD_ROOTFS_BASE, &h, sizeof h)) {
        link_error(req, PROTO_ERR_FLASH_FAILED, "the root file system's header did not program");
        return;
    }
    fmt(text, sizeof text, "root file system: %u bytes, %u erase blocks rewritten", rootfs.length, rewritten);
    log_text(PROTO_LOG_INFO, text);
    link_ack(req, rewritten);
}
#endif

/* FLASH_END of an image loaded into RAM: it is there, whole, or not at all. */
static void ram_end(const struct proto_msg *req)
{
    const struct image_header *h = &flashing.header;
    uint32_t crc = crc32((const void *)h->load_addr, h->length);

    if (crc != h->crc) {
        fmt(text, sizeof text, "image CRC %08x, RAM holds %08x: not loaded", h->crc, crc);
        link_error(req, PROTO_ERR_VERIFY_FAILED, text);
        return;
    }
    ram_image.header = *h;
    ram_image.valid = 1;
    fmt(text, sizeof text, "RAM: %u bytes at %08x", h->length, h->load_addr);
    log_text(PROTO_LOG_INFO, text);
    link_ack(req, 0);
}

static void cmd_flash_end(const struct proto_msg *req)
{
#if BOOT_ROOTFS
    if (rootfs.active) {
        rootfs_end(req);
        return;
    }
#endif
    if (!flashing.active) {
        link_error(req, PROTO_ERR_BAD_STATE, "FLASH_END without FLASH_BEGIN");
        return;
    }
    flashing.active = 0;
    if (flashing.slot == PROTO_SLOT_RAM) {
        ram_end(req);
        return;
    }
#if BOOT_SLOTS
    struct image_header *h = &flashing.header;
    struct image_header other;
    uint32_t base, crc;

    base = slot_base(flashing.slot);
    crc = crc32((const void *)(base + PROTO_IMAGE_PAYLOAD_OFFSET), h->length);
    if (crc != h->crc) {
        fmt(text, sizeof text, "image CRC %08x, flash holds %08x: slot %u left invalid",
            h->crc, crc, flashing.slot);
        link_error(req, PROTO_ERR_VERIFY_FAILED, text);
        return;
    }

    /* Commit: the header goes in last, numbered above every other valid image. */
    h->sequence = slot_newest((int)flashing.slot, &other) == SLOT_NONE ? 1 : other.sequence + 1;
    h->header_crc = crc32(h, sizeof *h - sizeof h->header_crc);
    memcpy(chunk, h, sizeof *h);
    if (flash_program(base, chunk, sizeof *h / 4) || slot_check(flashing.slot, &other)) {
        link_error(req, PROTO_ERR_FLASH_FAILED, "header did not program");
        return;
    }
    fmt(text, sizeof text, "slot %u: sequence %u, %u bytes", flashing.slot, h->sequence, h->length);
    log_text(PROTO_LOG_INFO, text);
    link_ack(req, h->sequence);
#endif
}
LINK_COMMAND(PROTO_MSG_FLASH_END, cmd_flash_end);

/* Enter the image loaded into RAM, checked again where it lies.  Returns only when it does not
 * check out. */
static void boot_ram(void)
{
    const struct image_header *h = &ram_image.header;

    if (crc32((const void *)h->load_addr, h->length) != h->crc) {
        ram_image.valid = 0;
        log_text(PROTO_LOG_ERROR, "the image in RAM no longer matches its CRC");
        return;
    }
    fmt(text, sizeof text, "booting the image in RAM, entry %08x", h->entry);
    log_text(PROTO_LOG_INFO, text);
    intc_shutdown();
    boot_jump(h->entry, PROTO_SLOT_RAM);
}

#if BOOT_SLOTS
/* Copy a valid slot's payload to its load address, check it there, and enter it; a NEW image
 * is marked as tried first.  Returns only when the copy does not check out or the mark cannot
 * be written (an image that could not be abandoned is not booted). */
static void boot_slot(unsigned slot, const struct image_header *h)
{
    const void *payload = (const void *)(slot_base(slot) + PROTO_IMAGE_PAYLOAD_OFFSET);
    unsigned state = slot_state(slot);

    memcpy((void *)h->load_addr, payload, h->length);
    if (crc32((const void *)h->load_addr, h->length) != h->crc) {
        log_text(PROTO_LOG_ERROR, "image CRC mismatch after copy to RAM");
        return;
    }
    if (state == PROTO_SLOT_NEW && slot_mark_trial(slot)) {
        log_text(PROTO_LOG_ERROR, "cannot mark the image as tried: not booting it");
        return;
    }
    fmt(text, sizeof text, "booting slot %u, sequence %u, entry %08x%s", slot, h->sequence, h->entry,
        state == PROTO_SLOT_CONFIRMED ? "" : ", on trial until the system confirms it");
    log_text(PROTO_LOG_INFO, text);
    intc_shutdown();
    boot_jump(h->entry, slot);
}

/* The slot to boot: the newest valid image, unless it was tried and never confirmed; then the
 * last confirmed one (or, when none is, the newest again: there is nothing better). */
static int choose(struct image_header *h)
{
    struct image_header c;
    int newest = slot_newest(SLOT_NONE, h), confirmed;

    if (newest == SLOT_NONE || slot_state((unsigned)newest) != PROTO_SLOT_TRIAL)
        return newest;
    confirmed = slot_confirmed(&c);
    if (confirmed == SLOT_NONE) {
        fmt(text, sizeof text, "slot %u was tried and not confirmed, and no image is: trying it again",
            newest);
        log_text(PROTO_LOG_WARN, text);
        return newest;
    }
    fmt(text, sizeof text, "slot %u (sequence %u) was tried and never confirmed: back to slot %u",
        newest, h->sequence, confirmed);
    log_text(PROTO_LOG_WARN, text);
    *h = c;
    return confirmed;
}
#endif

static void cmd_boot(const struct proto_msg *req)
{
    const struct proto_boot *b = (const void *)req->payload;

    if (b->slot == PROTO_SLOT_RAM) {
        if (!ram_image.valid) {
            link_error(req, PROTO_ERR_NO_IMAGE, "no image loaded into RAM");
            return;
        }
        link_ack(req, PROTO_SLOT_RAM);
        boot_ram();
        return;
    }
#if BOOT_SLOTS
    struct image_header h;
    const char *why;
    int slot;

    if (b->slot == PROTO_SLOT_AUTO) {
        slot = choose(&h);
        if (slot == SLOT_NONE) {
            link_error(req, PROTO_ERR_NO_IMAGE, "no valid image in any slot");
            return;
        }
    } else if (b->slot >= PROTO_SLOT_COUNT) {
        link_error(req, PROTO_ERR_BAD_SLOT, "no such slot");
        return;
    } else if ((why = slot_check(b->slot, &h)) != NULL) {
        link_error(req, PROTO_ERR_NO_IMAGE, why);
        return;
    } else {
        slot = b->slot;
    }
    link_ack(req, (uint32_t)slot);
    boot_slot((unsigned)slot, &h);
#else
    link_error(req, PROTO_ERR_NO_IMAGE, "this board has no image slots: load an image into RAM and boot SLOT_RAM");
#endif
}
LINK_COMMAND(PROTO_MSG_BOOT, cmd_boot);

static void cmd_reset(const struct proto_msg *req)
{
    link_ack(req, 0);
    ((void (*)(void))BOOT_ROM_BASE)();
}
LINK_COMMAND(PROTO_MSG_RESET, cmd_reset);

/* ---- main loop ------------------------------------------------------------------------ */

static void autoboot(void)
{
#if BOOT_SLOTS
    struct image_header h;
    int slot = choose(&h);

    if (slot != SLOT_NONE)
        boot_slot((unsigned)slot, &h);
    log_text(PROTO_LOG_WARN, "no valid image: waiting for the host");
#else
    log_text(PROTO_LOG_INFO, "no image slots on this board: waiting for the host to load an image");
#endif
}

void boot_main(void)
{
    struct proto_info info;
    uint64_t deadline;

    intc_park_others(boot_park);
#if BOOT_SLOTS
    slots_readable = flash_init() == 0;
#endif
    uart_init();
    intc_init();
    intc_enable(BOARD_IRQ_UART);
    uart_rx_irq_enable();
    info_fill(&info, PROTO_ROLE_BOOTLOADER, PROTO_SLOT_AUTO, BOOT_FEATURES, cntfrq_read());
    link_send(PROTO_MSG_INFO, 0, &info, sizeof info, NULL, 0);
#if BOOT_SLOTS
    if (!slots_readable)
        log_text(PROTO_LOG_ERROR, "the image slots' storage cannot be read: no slot is valid");
#endif
    deadline = cntpct_read() + (uint64_t)cntfrq_read() * BOOT_WAIT_MS / 1000;

    for (;;) {
        int c = uart_getc();
        if (c >= 0) {
            link_rx_byte((uint8_t)c);
            host_seen |= link_frames_ok != 0;
            continue;
        }
        if (host_seen) {
            /* Nothing to do until the next byte: sleep until the UART's receive line is
             * pending (IRQs stay masked, so it wakes the CPU and is never taken).  On QEMU the
             * CPU spinning on the UART's registers kept the thread that feeds it waiting. */
            wfi();
            continue;
        }
        if (cntpct_read() >= deadline) {
            host_seen = 1;          /* try once; after that only the host decides */
            autoboot();
        }
    }
}
