/* The firmware's C library subset (see include/lib/string.h). */
#include <stdint.h>

#include "lib/string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if ((((uintptr_t)d | (uintptr_t)s | n) & 3) == 0) {
        for (; n; n -= 4, d += 4, s += 4)
            *(uint32_t *)d = *(const uint32_t *)s;
        return dst;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    if ((((uintptr_t)d | n) & 3) == 0) {
        uint32_t w = (uint8_t)c * 0x01010101u;
        for (uint32_t *p = dst; n; n -= 8, p += 2) {
            if (n < 8) {
                *p = w;
                break;
            }
            p[0] = w;
            p[1] = w;
        }
        return dst;
    }
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

static void put(char *buf, size_t cap, size_t *len, char c)
{
    if (*len + 1 < cap)
        buf[*len] = c;
    (*len)++;
}

size_t fmt(char *buf, size_t cap, const char *format, ...)
{
    va_list ap;
    size_t len = 0;

    va_start(ap, format);
    for (const char *f = format; *f; f++) {
        if (*f != '%') {
            put(buf, cap, &len, *f);
            continue;
        }
        unsigned width = 0;
        char pad = ' ';
        if (*++f == '0')
            pad = '0';
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (unsigned)(*f++ - '0');

        char digits[12];
        unsigned n = 0;
        uint32_t v;
        switch (*f) {
        case 's':
            for (const char *s = va_arg(ap, const char *); *s; s++)
                put(buf, cap, &len, *s);
            continue;
        case 'c':
            put(buf, cap, &len, (char)va_arg(ap, int));
            continue;
        case 'd': {
            int i = va_arg(ap, int);
            if (i < 0) {
                put(buf, cap, &len, '-');
                i = -i;
            }
            v = (uint32_t)i;
            do digits[n++] = (char)('0' + v % 10); while (v /= 10);
            break;
        }
        case 'u':
            v = va_arg(ap, uint32_t);
            do digits[n++] = (char)('0' + v % 10); while (v /= 10);
            break;
        case 'x':
            v = va_arg(ap, uint32_t);
            do digits[n++] = "0123456789abcdef"[v & 0xf]; while (v >>= 4);
            break;
        case '\0':
            f--;
            continue;
        default:
            put(buf, cap, &len, *f);
            continue;
        }
        while (width > n) {
            put(buf, cap, &len, pad);
            width--;
        }
        while (n)
            put(buf, cap, &len, digits[--n]);
    }
    va_end(ap);
    if (cap)
        buf[len < cap ? len : cap - 1] = '\0';
    return len < cap ? len : cap - 1;
}
