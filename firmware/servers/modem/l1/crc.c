/* Parity of the GSM block codes (45.003 3.1.2, 4.1.2, 4.6, 4.7): systematic cyclic codes of
 * degree up to 64 whose remainder is inverted.  The parity p of d is the one for which
 * d(0)D^(n+deg-1) + ... + d(n-1)D^deg + p(0)D^(deg-1) + ... + p(deg-1) leaves the remainder
 * 1 + D + ... + D^(deg-1) when divided by the generator; p is the complement of
 * d(D) D^deg mod g(D), its highest coefficient first.
 */
#include "coding.h"

/* d(D) D^degree mod g(D), coefficient of D^i in bit i, by a bit-serial shift register. */
static uint64_t crc_remainder(const uint8_t *d, unsigned n, uint64_t poly, unsigned degree)
{
    uint64_t top = 1ull << (degree - 1);
    uint64_t mask = top | (top - 1);
    uint64_t reg = 0;
    for (unsigned k = 0; k < n; k++) {
        bool feedback = ((reg & top) != 0) ^ (d[k] & 1u);
        reg = (reg << 1) & mask;
        if (feedback)
            reg ^= poly;
    }
    return reg;
}

void gsm_parity(const uint8_t *d, unsigned n, uint64_t poly, unsigned degree, uint8_t *p)
{
    uint64_t rem = crc_remainder(d, n, poly, degree);
    for (unsigned i = 0; i < degree; i++)
        p[i] = (uint8_t)(((rem >> (degree - 1 - i)) & 1u) ^ 1u);
}

bool gsm_parity_check(const uint8_t *d, unsigned n, uint64_t poly, unsigned degree, const uint8_t *p)
{
    uint64_t rem = crc_remainder(d, n, poly, degree);
    for (unsigned i = 0; i < degree; i++)
        if ((p[i] & 1u) != (((rem >> (degree - 1 - i)) & 1u) ^ 1u))
            return false;
    return true;
}
