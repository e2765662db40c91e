/*
 * The image slots' storage of a board that has none (machine/flash.h): every operation fails,
 * and the KIP says there are no slots and no disk, so nothing calls these.
 */
#include "machine/flash.h"

int flash_init(void)
{
    return FLASH_ERR_LOCKED;
}

int flash_erase_block(uint32_t addr)
{
    (void)addr;
    return FLASH_ERR_LOCKED;
}

int flash_program(uint32_t addr, const uint32_t *data, uint32_t words)
{
    (void)addr, (void)data, (void)words;
    return FLASH_ERR_LOCKED;
}
