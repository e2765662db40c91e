/*
 * The radio link of a board that has none (machine/radiolink.h): radiolink_init says so, and
 * the modem runs without its radio.  Nothing else here may be called after that; the rest only
 * keeps the link's contract.
 */
#include "machine/radiolink.h"

struct radiolink_stats radiolink_stats;

int radiolink_init(void)
{
    return -1;
}

unsigned radiolink_irq(void)
{
    return 0;
}

void radiolink_irq_ack(void)
{
}

size_t radiolink_poll(void (*take)(const uint8_t *data, size_t len))
{
    (void)take;
    return 0;
}

int radiolink_write(const void *data, size_t len)
{
    (void)data;
    radiolink_stats.tx_dropped += (uint32_t)len;
    return -1;
}

void radiolink_set_wait(bool (*wait)(void))
{
    (void)wait;
}
