/* The initramfs: a cpio "newc" archive, read in place (see tools/mkinitramfs.py). */
#include "linux.h"
#include "vfs.h"

static const uint8_t *archive;
static uint32_t archive_size;

void initrd_init(const uint8_t *data, uint32_t size)
{
    archive = data;
    archive_size = size;
}

static uint32_t hex8(const uint8_t *p)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < 8; i++) {
        uint8_t c = p[i];
        v = v << 4 | (c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    return v;
}

static const uint8_t *find_entry(const char *path, uint32_t *size, uint32_t *mode);

/* Symbolic links are followed (a few levels, relative to the link's directory); the path
 * finally found goes to `final` (MAX_PATH bytes) when it is not NULL. */
const uint8_t *initrd_resolve(const char *path, uint32_t *size, uint32_t *mode, char *final)
{
    char buf[2][128];
    const uint8_t *data;

    for (unsigned depth = 0; depth < 8; depth++) {
        data = find_entry(path, size, mode);
        if (!data || (*mode & 0170000u) != 0120000u) {
            if (data && final)
                memcpy(final, path, strnlen(path, MAX_PATH - 1) + 1);
            return data;
        }
        /* a link: its target, relative to the directory the link is in */
        char *next = buf[depth & 1];
        size_t dir = 0, len = strnlen(path, 127);
        for (size_t i = 0; i < len; i++)
            if (path[i] == '/')
                dir = i + 1;
        if (*size && data[0] == '/')
            dir = 0;
        if (dir + *size >= sizeof buf[0])
            return NULL;
        memcpy(next, path, dir);
        memcpy(next + dir, data, *size);
        next[dir + *size] = 0;
        path = next;
    }
    return NULL;
}

const uint8_t *initrd_find(const char *path, uint32_t *size, uint32_t *mode)
{
    return initrd_resolve(path, size, mode, NULL);
}

/* A symbolic link's target as stored; its length, or -1 when `path` is not a link. */
int initrd_link(const char *path, char *target, uint32_t cap)
{
    uint32_t size, mode;
    const uint8_t *data = find_entry(path, &size, &mode);

    if (!data || (mode & 0170000u) != 0120000u)
        return -1;
    if (size > cap)
        size = cap;
    memcpy(target, data, size);
    return (int)size;
}

static const uint8_t *find_entry(const char *path, uint32_t *size, uint32_t *mode)
{
    uint32_t off = 0;

    while (path[0] == '/')
        path++;
    while (off + 110 <= archive_size && memcmp(archive + off, "070701", 6) == 0) {
        const uint8_t *h = archive + off;
        uint32_t fmode = hex8(h + 14), fsize = hex8(h + 54), namesize = hex8(h + 94);
        const char *name = (const char *)h + 110;
        uint32_t data = (off + 110 + namesize + 3) & ~3u;

        if (namesize > archive_size - off - 110 || fsize > archive_size - data)
            return NULL;
        if (strnlen(name, namesize) == sizeof "TRAILER!!!" - 1 && memcmp(name, "TRAILER!!!", 10) == 0)
            return NULL;
        if (strnlen(name, namesize) == strnlen(path, 256) &&
            memcmp(name, path, strnlen(path, 256)) == 0) {
            *size = fsize;
            *mode = fmode;
            return archive + data;
        }
        off = (data + fsize + 3) & ~3u;
    }
    return NULL;
}

int initrd_children(const char *dir, char (*names)[64], unsigned max)
{
    uint32_t off = 0;
    unsigned n = 0;
    size_t dlen;

    while (dir[0] == '/')
        dir++;
    dlen = strnlen(dir, 256);
    while (off + 110 <= archive_size && memcmp(archive + off, "070701", 6) == 0 && n < max) {
        const uint8_t *h = archive + off;
        uint32_t fsize = hex8(h + 54), namesize = hex8(h + 94);
        const char *name = (const char *)h + 110;
        uint32_t data = (off + 110 + namesize + 3) & ~3u;
        size_t len = strnlen(name, namesize);

        if (namesize > archive_size - off - 110 || fsize > archive_size - data)
            break;
        off = (data + fsize + 3) & ~3u;
        if (len == 10 && memcmp(name, "TRAILER!!!", 10) == 0)
            break;
        if (dlen && (len <= dlen || memcmp(name, dir, dlen) || name[dlen] != '/'))
            continue;
        const char *rest = name + (dlen ? dlen + 1 : 0);
        size_t k = 0;
        while (rest[k] && rest[k] != '/' && k < (size_t)(name + len - rest))
            k++;
        if (!k || k >= 64)
            continue;
        int dup = 0;
        for (unsigned i = 0; i < n && !dup; i++)
            dup = strnlen(names[i], 64) == k && !memcmp(names[i], rest, k);
        if (dup)
            continue;
        memcpy(names[n], rest, k);
        names[n][k] = 0;
        n++;
    }
    return (int)n;
}
