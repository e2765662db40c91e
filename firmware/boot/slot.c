/* Image slots (see slot.h). */
#include "board.h"
#include "lib/string.h"
#include "machine/flash.h"
#include "slot.h"

#define HEADER_CRC_LEN  (sizeof(struct image_header) - sizeof(uint32_t))

uint32_t slot_base(unsigned slot)
{
    return BOARD_FLASH1_BASE + slot * BOARD_SLOT_SIZE;
}

const char *slot_header_problem(const struct image_header *h)
{
    uint32_t magic = h->magic[0] | h->magic[1] << 8 | h->magic[2] << 16 | (uint32_t)h->magic[3] << 24;
    uint32_t ram_end = BOARD_RAM_BASE + BOARD_RAM_SIZE;

    if (magic != PROTO_IMAGE_MAGIC)
        return "no image header (bad magic)";
    if (h->format != PROTO_IMAGE_FORMAT || h->header_size != sizeof *h)
        return "unknown image format";
    if (crc32(h, HEADER_CRC_LEN) != h->header_crc)
        return "image header CRC mismatch";
    if (strnlen((const char *)h->board, sizeof h->board) != sizeof BOARD_NAME - 1 ||
        memcmp(h->board, BOARD_NAME, sizeof BOARD_NAME - 1) != 0)
        return "image is for another board";
    if (h->length == 0 || h->length > BOARD_SLOT_SIZE - PROTO_IMAGE_PAYLOAD_OFFSET)
        return "image length does not fit a slot";
    if (h->load_addr < BOOT_RAM_BASE + BOOT_RAM_SIZE || h->load_addr >= ram_end ||
        h->length > ram_end - h->load_addr)
        return "load address outside the RAM an image may use";
    if (h->entry < h->load_addr || h->entry - h->load_addr >= h->length)
        return "entry point outside the image";
    return NULL;
}

const char *slot_check(unsigned slot, struct image_header *out)
{
    const uint8_t *base = (const uint8_t *)slot_base(slot);
    const char *why;

    memcpy(out, base, sizeof *out);
    why = slot_header_problem(out);
    if (why)
        return why;
    if (crc32(base + PROTO_IMAGE_PAYLOAD_OFFSET, out->length) != out->crc)
        return "image payload CRC mismatch";
    return NULL;
}

int slot_newest(int except, struct image_header *out)
{
    struct image_header h;
    int best = SLOT_NONE;

    for (unsigned s = 0; s < PROTO_SLOT_COUNT; s++) {
        if ((int)s == except || slot_check(s, &h))
            continue;
        if (best == SLOT_NONE || h.sequence > out->sequence) {
            best = (int)s;
            *out = h;
        }
    }
    return best;
}

static uint32_t word_at(unsigned slot, uint32_t offset)
{
    return *(volatile const uint32_t *)(slot_base(slot) + offset);
}

unsigned slot_state(unsigned slot)
{
    if (word_at(slot, PROTO_IMAGE_CONFIRM_OFFSET) == PROTO_IMAGE_CONFIRM_MARK)
        return PROTO_SLOT_CONFIRMED;
    /* a trial mark cut short by a power cut is still a trial: any programmed bit counts */
    return word_at(slot, PROTO_IMAGE_TRIAL_OFFSET) != 0xffffffffu ? PROTO_SLOT_TRIAL : PROTO_SLOT_NEW;
}

int slot_confirmed(struct image_header *out)
{
    struct image_header h;
    int best = SLOT_NONE;

    for (unsigned s = 0; s < PROTO_SLOT_COUNT; s++) {
        if (slot_check(s, &h) || slot_state(s) != PROTO_SLOT_CONFIRMED)
            continue;
        if (best == SLOT_NONE || h.sequence > out->sequence) {
            best = (int)s;
            *out = h;
        }
    }
    return best;
}

int slot_mark_trial(unsigned slot)
{
    const uint32_t mark = PROTO_IMAGE_TRIAL_MARK;

    return flash_program(slot_base(slot) + PROTO_IMAGE_TRIAL_OFFSET, &mark, 1);
}
