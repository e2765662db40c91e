/* Image headers (see image.h). */
#include "board.h"
#include "image.h"
#include "lib/string.h"

#define HEADER_CRC_LEN  (sizeof(struct image_header) - sizeof(uint32_t))

const char *image_header_problem(const struct image_header *h, uint32_t max_length)
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
    if (h->length == 0 || h->length > max_length)
        return "image length does not fit a slot";
    if (h->load_addr < BOOT_RAM_BASE + BOOT_RAM_SIZE || h->load_addr >= ram_end ||
        h->length > ram_end - h->load_addr)
        return "load address outside the RAM an image may use";
    if (h->entry < h->load_addr || h->entry - h->load_addr >= h->length)
        return "entry point outside the image";
    return NULL;
}
