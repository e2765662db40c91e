/*
 * The speech test pattern (coding.h): what both ends of a call put in their TCH/FS frames in
 * place of a codec's output, so that each end can check every frame it receives bit for bit.
 */
#include "coding.h"

void gsm_speech_pattern(uint32_t fn, unsigned direction, uint8_t bits[GSM_TCH_FS_BITS])
{
    uint32_t x = fn * 0x9E3779B1u ^ (direction ? 0xA5A5A5A5u : 0x5A5A5A5Au);

    if (x == 0)
        x = 1;
    for (unsigned i = 0; i < GSM_TCH_FS_BITS; i++) {
        if (i % 32 == 0) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
        }
        bits[i] = (uint8_t)(x >> (i % 32) & 1u);
    }
}
