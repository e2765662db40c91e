/* mremap: shrink, grow in place, move with MREMAP_MAYMOVE (the contents go along), move to a
 * fixed address, and the errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096

static void show(const char *what, int ok)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
}

static int filled(const char *p, size_t pages)
{
    for (size_t i = 0; i < pages; i++)
        if (p[i * PAGE] != (char)('a' + i % 26) || p[i * PAGE + PAGE - 1] != (char)('a' + i % 26))
            return 0;
    return 1;
}

int main(void)
{
    char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 8; i++)
        memset(p + i * PAGE, 'a' + i, PAGE);
    char *q = mremap(p, 8 * PAGE, 4 * PAGE, 0);
    show("shrink in place", q == p && filled(q, 4));
    /* a neighbour above it, so it cannot grow where it is */
    char *wall = mmap(p + 4 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    errno = 0;
    show("grow without MAYMOVE, blocked: ENOMEM", mremap(p, 4 * PAGE, 16 * PAGE, 0) == MAP_FAILED && errno == ENOMEM);
    char *r = mremap(p, 4 * PAGE, 16 * PAGE, MREMAP_MAYMOVE);
    show("grow with MAYMOVE moves it", r != MAP_FAILED && r != p);
    show("its pages came along", filled(r, 4));
    show("the new part reads zeros", r[10 * PAGE] == 0);
    r[15 * PAGE] = 'z';
    show("and takes writes", r[15 * PAGE] == 'z');
    munmap(wall, PAGE);
    char *target = mmap(NULL, 16 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *s = mremap(r, 16 * PAGE, 16 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    show("MREMAP_FIXED over another mapping", s == target && filled(s, 4) && s[15 * PAGE] == 'z');
    errno = 0;
    show("FIXED without MAYMOVE: EINVAL", mremap(s, PAGE, PAGE, MREMAP_FIXED, p) == MAP_FAILED && errno == EINVAL);
    errno = 0;
    show("unaligned: EINVAL", mremap(s + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL);
    errno = 0;
    show("nothing mapped there: EFAULT", mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT);
    errno = 0;
    show("bad flags: EINVAL", mremap(s, PAGE, 2 * PAGE, 8) == MAP_FAILED && errno == EINVAL);
    munmap(s, 16 * PAGE);
    return 0;
}
