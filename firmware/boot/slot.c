/* Image slots (see slot.h). */
#include "board.h"
#include "image.h"
#include "lib/string.h"
#include "machine/flash.h"
#include "slot.h"

uint32_t slot_base(unsigned slot)
{
    return BOARD_FLASH1_BASE + slot * BOARD_SLOT_SIZE;
}

const char *slot_header_problem(const struct image_header *h)
{
    return image_header_problem(h, BOARD_SLOT_SIZE - PROTO_IMAGE_PAYLOAD_OFFSET);
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
