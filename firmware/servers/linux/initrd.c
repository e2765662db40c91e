/*
 * The initramfs: a cpio "newc" archive (see tools/mkinitramfs.py), unpacked at boot into the
 * file system the way Linux unpacks it into its rootfs.  Files are not copied: a regular file's
 * pages read the archive's bytes in place until a page is first written (vfs_page copies it).
 */
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

/* Make `name` (relative to the root, `len` bytes) in the tree with what the header says. */
static void unpack_one(const char *name, size_t len, uint32_t mode, uint32_t uid, uint32_t gid,
                       uint32_t mtime, const uint8_t *data, uint32_t size)
{
    struct inode *dir = vfs_root, *ino;
    char part[NAME_MAX + 1];
    size_t i = 0;

    for (;;) {
        while (i < len && name[i] == '/')
            i++;
        size_t start = i;
        while (i < len && name[i] != '/')
            i++;
        size_t n = i - start;
        if (!n || n > NAME_MAX || (n == 1 && name[start] == '.'))
            return;
        memcpy(part, name + start, n);
        part[n] = 0;
        struct dirent *d = vfs_find(dir, part);
        int final = i >= len;
        if (!final) {                           /* a parent the archive did not list first */
            if (!d && vfs_create(dir, part, S_IFDIR | 0755, &ino))
                return;
            dir = d ? d->inode : ino;
            if ((dir->mode & S_IFMT) != S_IFDIR)
                return;
            continue;
        }
        if (d) {                                /* listed again: take the newer mode */
            d->inode->mode = mode;
            return;
        }
        if ((mode & S_IFMT) == S_IFLNK && size > PAGE - 1)
            return;
        if (vfs_create(dir, part, mode, &ino))
            return;
        ino->uid = uid;
        ino->gid = gid;
        ino->atime = ino->mtime = ino->ctime = (struct timespec32){ mtime, 0 };
        if ((mode & S_IFMT) == S_IFREG) {
            ino->f.rom = data;
            ino->f.rom_size = ino->size = size;
        } else if ((mode & S_IFMT) == S_IFLNK) {
            ino->target = kmem_alloc(size + 1);
            if (ino->target) {
                memcpy(ino->target, data, size);
                ino->size = size;
            }
        }
        return;
    }
}

void initrd_unpack(void)
{
    uint32_t off = 0;

    while (off + 110 <= archive_size && memcmp(archive + off, "070701", 6) == 0) {
        const uint8_t *h = archive + off;
        uint32_t mode = hex8(h + 14), uid = hex8(h + 22), gid = hex8(h + 30), mtime = hex8(h + 46);
        uint32_t fsize = hex8(h + 54), namesize = hex8(h + 94);
        const char *name = (const char *)h + 110;
        uint32_t data = (off + 110 + namesize + 3) & ~3u;

        if (namesize > archive_size - off - 110 || data > archive_size || fsize > archive_size - data)
            return;
        size_t len = strnlen(name, namesize);
        if (len == 10 && memcmp(name, "TRAILER!!!", 10) == 0)
            return;
        unpack_one(name, len, mode, uid, gid, mtime, archive + data, fsize);
        off = (data + fsize + 3) & ~3u;
    }
}
