/* The firmware's C library subset (see include/lib/string.h). */
#include <stdint.h>

#include "lib/string.h"

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if ((((uintptr_t)d | (uintptr_t)s) & 3) == 0) {
        size_t blocks = n & ~31u;
        if (blocks) {                       /* 32 bytes per load and store multiple */
            const uint8_t *end = s + blocks;
            __asm__ volatile("1: ldmia %1!, {r3-r10}\n"
                             "   stmia %0!, {r3-r10}\n"
                             "   cmp %1, %2\n"
                             "   bne 1b"
                             : "+r"(d), "+r"(s) : "r"(end)
                             : "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "cc", "memory");
        }
        for (n &= 31; n >= 4; n -= 4, d += 4, s += 4)
            *(uint32_t *)d = *(const uint32_t *)s;
    }
    while (n--)                             /* unaligned, or the last bytes */
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
        uint32_t w = (uint8_t)c * 0x01010101u, *p = dst;
        size_t blocks = n & ~31u;
        if (blocks) {                       /* 32 bytes per store multiple */
            uint32_t *end = (uint32_t *)((uint8_t *)p + blocks);
            __asm__ volatile("   mov r3, %2\n   mov r4, %2\n   mov r5, %2\n   mov r6, %2\n"
                             "   mov r7, %2\n   mov r8, %2\n   mov r9, %2\n   mov r10, %2\n"
                             "1: stmia %0!, {r3-r10}\n"
                             "   cmp %0, %1\n"
                             "   bne 1b"
                             : "+r"(p) : "r"(end), "r"(w)
                             : "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "cc", "memory");
        }
        for (n &= 31; n; n -= 4)
            *p++ = w;
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
