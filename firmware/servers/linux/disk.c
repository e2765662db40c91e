/*
 * The persistent disk: /data, kept in the flash partition the kernel's information page names
 * (data_base, data_size; sigma0 lets this server program it).  The files live in the in-memory
 * file system like every other; what the disk keeps is a snapshot of the whole /data tree,
 * written when a program asks for its data to be durable (sync, syncfs, fsync, fdatasync), and
 * read back at boot.
 *
 * Crash consistency is the bootloader's rule for image slots: the partition is two halves, and a
 * snapshot is written into the half that does not hold the newest one, its records first and its
 * header last, once the records read back with the CRC the header will carry.  At boot the valid
 * half with the higher generation wins; a power cut at any moment leaves the older one whole, and
 * a half whose header was never written (or was written partly) fails its checks.  So /data after
 * a reset is what it was at the last completed sync: as on Linux, what a program synced is there,
 * what it did not may not be.
 *
 * A half: the header in its first page, the records from the second.  A record: struct record,
 * the path below /data (no terminator), then the file's bytes or the link's target, each padded
 * to four bytes; a directory comes before what it holds, entries oldest first (so they list in
 * the order they had).  Hard links are kept as copies; FIFOs, devices and sockets as their mode.
 *
 * Callers hold server_lock; a write keeps it (and so every process waits) while it programs.
 */
#include "lib/proto.h"
#include "machine/flash.h"
#include "vfs.h"

#define DISK_MAGIC      0x4b534944u     /* "DISK" */
#define DISK_FORMAT     1u
#define DISK_WINDOW     0x14000000u     /* where the partition appears in our space */
#define DISK_BLOCK      0x00040000u     /* the flash's erase block (both chips) */
#define MAX_DEPTH       64              /* directories below /data that are kept */

struct header {
    uint32_t magic, format, generation, length, crc;
    uint32_t header_crc;                /* of the words above */
};

struct record {
    uint32_t mode, uid, gid, rdev;
    uint32_t size;                      /* the file's bytes, or the link target's */
    uint32_t name_len;
    struct timespec32 atime, mtime, ctime;
};

static struct inode *data_dir;          /* /data (NULL: no disk) */
static uint32_t half_size;              /* the partition's half */
static int current = -1;                /* the half holding the newest snapshot, or -1 */
static uint32_t generation;             /* its generation */
static uint32_t written_crc, written_length;
uint32_t disk_writes, disk_write_bytes; /* counters: snapshots programmed, their bytes */

static uint32_t half_base(int half)
{
    return DISK_WINDOW + (uint32_t)half * half_size;
}

/* The partition is mapped into DISK_WINDOW as it is used, SIGMA0_MAX_LOG2 bytes at a time (a
 * mapped page costs kernel memory: the whole 32 MiB would be 650 KB of it for a disk that
 * mostly holds little). */
#define CHUNK           (1u << SIGMA0_MAX_LOG2)
static uint32_t data_base;
static uint8_t chunk_mapped[(64u << 20) / CHUNK / 8];

/* Map [off, off + len) of half `half`: 0, or -1 when sigma0 refused. */
static int map_range(int half, uint32_t off, uint32_t len)
{
    uint32_t first = ((uint32_t)half * half_size + off) / CHUNK;
    uint32_t last = ((uint32_t)half * half_size + off + len - 1) / CHUNK;

    for (uint32_t c = first; len && c <= last; c++) {
        if (chunk_mapped[c / 8] & 1u << c % 8)
            continue;
        if (l4_sigma0_request(L4_FPAGE(data_base + c * CHUNK, SIGMA0_MAX_LOG2, L4_READ | L4_WRITE),
                              L4_FPAGE(DISK_WINDOW + c * CHUNK, SIGMA0_MAX_LOG2, L4_READ | L4_WRITE)))
            return -1;
        chunk_mapped[c / 8] |= (uint8_t)(1u << c % 8);
    }
    return 0;
}

/* ---- writing a snapshot --------------------------------------------------------------- */

/* Where the records go: measured only (the CRC and length of what would be written), or
 * programmed as well, a page at a time, erasing blocks ahead of the pages. */
struct writer {
    int program;
    uint32_t base;                      /* the half's address */
    uint32_t crc, length;
    uint32_t erased;                    /* bytes of the half erased so far */
    uint32_t fill;
    int err;
    uint32_t page[PAGE / 4];
};

static void flush_page(struct writer *w)
{
    uint32_t at = PAGE + w->length - w->fill;   /* the page's offset in the half */

    if (!w->program || !w->fill || w->err) {
        w->fill = 0;
        return;
    }
    while (!w->err && at + PAGE > w->erased) {
        w->err = flash_erase_block(w->base + w->erased) ? -EIO : 0;
        w->erased += DISK_BLOCK;
    }
    memset((uint8_t *)w->page + w->fill, 0xff, PAGE - w->fill);
    if (!w->err && flash_program(w->base + at, w->page, PAGE / 4))
        w->err = -EIO;
    w->fill = 0;
}

static void emit(struct writer *w, const void *data, uint32_t n)
{
    const uint8_t *p = data;

    if (w->err)
        return;
    if (n > half_size - PAGE - w->length) {
        w->err = -ENOSPC;               /* /data holds more than half the partition */
        return;
    }
    w->crc = crc32_update(w->crc, data, n);
    while (n) {
        uint32_t k = PAGE - w->fill < n ? PAGE - w->fill : n;
        memcpy((uint8_t *)w->page + w->fill, p, k);
        w->fill += k;
        w->length += k;
        p += k;
        n -= k;
        if (w->fill == PAGE)
            flush_page(w);
    }
}

static void emit_padding(struct writer *w, uint32_t n)
{
    static const uint8_t zeros[3];

    emit(w, zeros, (4 - n % 4) % 4);
}

/* The entry of `dir` that is `back` entries from the oldest (entries are newest first). */
static struct dirent *nth_oldest(struct inode *dir, uint32_t back)
{
    uint32_t n = 0;
    struct dirent *d;

    for (d = dir->d.entries; d; d = d->next)
        n++;
    for (d = dir->d.entries; d && n - 1 > back; d = d->next)
        n--;
    return d;
}

/* Emit `ino`, whose path below /data is path[0..len), and what it holds. */
static void emit_tree(struct writer *w, struct inode *ino, char *path, uint32_t len, int depth)
{
    static uint8_t chunk[PAGE];
    uint32_t type = ino->mode & S_IFMT;
    struct record r = { ino->mode, ino->uid, ino->gid, ino->rdev, 0, len, ino->atime, ino->mtime,
                        ino->ctime };

    if (type == S_IFREG || type == S_IFLNK)
        r.size = ino->size;
    if (len) {                          /* (/data itself is the disk's root: no record) */
        emit(w, &r, sizeof r);
        emit(w, path, len);
        emit_padding(w, len);
    }
    if (type == S_IFREG) {
        for (uint32_t pos = 0; pos < r.size && !w->err; pos += sizeof chunk) {
            uint32_t n = r.size - pos < sizeof chunk ? r.size - pos : sizeof chunk;
            vfs_read(ino, pos, chunk, n);
            emit(w, chunk, n);
        }
        emit_padding(w, r.size);
    } else if (type == S_IFLNK) {
        emit(w, ino->target, r.size);
        emit_padding(w, r.size);
    } else if (type == S_IFDIR && depth < MAX_DEPTH) {
        for (uint32_t i = 0; i < ino->d.count && !w->err; i++) {
            struct dirent *d = nth_oldest(ino, i);
            if (!d || len + 1 + d->len >= MAX_PATH)
                continue;
            uint32_t at = len ? len + 1 : 0;
            if (len)
                path[len] = '/';
            memcpy(path + at, d->name, d->len);
            emit_tree(w, d->inode, path, at + d->len, depth + 1);
        }
    }
}

/* Walk /data into `w`. */
static void snapshot(struct writer *w)
{
    static char path[MAX_PATH];

    emit_tree(w, data_dir, path, 0, 0);
    emit_padding(w, 0);
}

int disk_sync(void)
{
    static struct writer w;
    struct header h;
    int target;

    if (!data_dir)
        return 0;
    memset(&w, 0, sizeof w);
    snapshot(&w);                       /* measure: unchanged since the last write? */
    if (w.err)
        return w.err;
    if (current >= 0 && w.crc == written_crc && w.length == written_length)
        return 0;
    target = current == 0 ? 1 : 0;
    uint32_t crc = w.crc, length = w.length;
    if (map_range(target, 0, PAGE + length))
        return -EIO;
    uint64_t began = now_us();
    char text[96];
    fmt(text, sizeof text, "linux: /data: writing snapshot %u (%u bytes) to half %d", generation + 1,
        length, target);
    host_log(text);
    memset(&w, 0, sizeof w);
    w.program = 1;
    w.base = half_base(target);
    /* the header page goes first, so that the half fails its checks until the end */
    w.err = flash_erase_block(w.base) ? -EIO : 0;
    w.erased = DISK_BLOCK;
    snapshot(&w);
    flush_page(&w);
    if (w.err)
        return w.err;
    const uint8_t *records = (const uint8_t *)w.base + PAGE;
    if (w.crc != crc || w.length != length || crc32(records, length) != crc)
        return -EIO;                    /* what the flash holds is not what was meant */
    h = (struct header){ DISK_MAGIC, DISK_FORMAT, generation + 1, length, crc, 0 };
    h.header_crc = crc32(&h, offsetof(struct header, header_crc));
    if (flash_program(w.base, (const uint32_t *)&h, sizeof h / 4) ||
        memcmp((const void *)w.base, &h, sizeof h))
        return -EIO;
    current = target;
    generation++;
    written_crc = crc;
    written_length = length;
    disk_writes++;
    disk_write_bytes += length;
    fmt(text, sizeof text, "linux: /data: snapshot %u written in %u ms", generation,
        (uint32_t)((now_us() - began) / 1000));
    host_log(text);
    return 0;
}

/* ---- reading it at boot ----------------------------------------------------------------- */

static const struct header *valid_header(int half)
{
    const struct header *h = (const struct header *)half_base(half);

    if (map_range(half, 0, PAGE) || h->magic != DISK_MAGIC || h->format != DISK_FORMAT ||
        h->header_crc != crc32(h, offsetof(struct header, header_crc)) ||
        h->length > half_size - PAGE || map_range(half, PAGE, h->length) ||
        crc32((const uint8_t *)h + PAGE, h->length) != h->crc)
        return NULL;
    return h;
}

/* The directory below /data that holds `path` (len bytes), with the last component in `name`;
 * NULL when a directory on the way is missing. */
static struct inode *parent_of(const char *path, uint32_t len, char *name)
{
    struct inode *dir = data_dir;
    uint32_t i = 0;

    for (;;) {
        uint32_t start = i;
        while (i < len && path[i] != '/')
            i++;
        uint32_t n = i - start;
        if (!n || n > NAME_MAX)
            return NULL;
        memcpy(name, path + start, n);
        name[n] = 0;
        if (i == len)
            return dir;
        struct dirent *d = vfs_find(dir, name);
        if (!d || (d->inode->mode & S_IFMT) != S_IFDIR)
            return NULL;
        dir = d->inode;
        i++;
    }
}

/* Make the record's inode (its parent came before it). */
static void restore(const struct record *r, const char *path, const uint8_t *data)
{
    static char name[NAME_MAX + 1];
    struct inode *dir = parent_of(path, r->name_len, name), *ino;

    if (!dir || vfs_create(dir, name, r->mode, &ino))
        return;
    ino->uid = r->uid;
    ino->gid = r->gid;
    ino->rdev = r->rdev;
    if ((r->mode & S_IFMT) == S_IFREG && r->size) {
        if (vfs_write(ino, 0, data, r->size) != (int)r->size)
            log_text("[linux: /data: out of memory restoring a file]");
    } else if ((r->mode & S_IFMT) == S_IFLNK && (ino->target = kmem_alloc(r->size + 1))) {
        memcpy(ino->target, data, r->size);
        ino->target[r->size] = 0;
        ino->size = r->size;
    }
    ino->atime = r->atime;
    ino->mtime = r->mtime;
    ino->ctime = r->ctime;
}

/* Each record of a snapshot, checked to lie inside it, to `fn`. */
static void each_record(const uint8_t *p, const uint8_t *end,
                        void (*fn)(const struct record *r, const char *path, const uint8_t *data))
{
    while (end - p >= (long)sizeof(struct record)) {
        const struct record *r = (const void *)p;
        uint32_t type = r->mode & S_IFMT;
        uint32_t name = (r->name_len + 3) & ~3u;
        uint32_t body = type == S_IFREG || type == S_IFLNK ? (r->size + 3) & ~3u : 0;
        if (r->name_len >= MAX_PATH || name > (uint32_t)(end - p) - sizeof *r ||
            body > (uint32_t)(end - p) - sizeof *r - name)
            return;
        fn(r, (const char *)(r + 1), p + sizeof *r + name);
        p += sizeof *r + name + body;
    }
}

/* Once everything is made, the directories' times as they were (what was made in them moved
 * them). */
static void restore_times(const struct record *r, const char *path, const uint8_t *data)
{
    static char name[NAME_MAX + 1];
    struct inode *dir = parent_of(path, r->name_len, name);
    struct dirent *d = dir ? vfs_find(dir, name) : NULL;

    (void)data;
    if (d && (r->mode & S_IFMT) == S_IFDIR) {
        d->inode->atime = r->atime;
        d->inode->mtime = r->mtime;
        d->inode->ctime = r->ctime;
    }
}

void disk_init(void)
{
    const struct l4_kip *kip = l4_kip();
    const struct header *h[2];
    struct inode *root_dir = vfs_root;

    if (!kip->data_size || kip->data_size % (2 * DISK_BLOCK) || kip->data_size > 64u << 20 ||
        kip->data_base % CHUNK)
        return;
    data_base = kip->data_base;
    half_size = kip->data_size / 2;
    if (map_range(0, 0, PAGE)) {
        log_text("[linux: no persistent disk: sigma0 refused its flash]");
        return;
    }
    struct dirent *d = vfs_find(root_dir, "data");
    if (d && (d->inode->mode & S_IFMT) == S_IFDIR)
        data_dir = d->inode;
    else if (d || vfs_create(root_dir, "data", S_IFDIR | 0755, &data_dir))
        return;
    h[0] = valid_header(0);
    h[1] = valid_header(1);
    if (!h[0] && !h[1])
        return;                         /* a new disk (or never synced): /data is empty */
    current = !h[0] || (h[1] && (int32_t)(h[1]->generation - h[0]->generation) > 0);
    generation = h[current]->generation;
    written_crc = h[current]->crc;
    written_length = h[current]->length;
    const uint8_t *p = (const uint8_t *)h[current] + PAGE, *end = p + h[current]->length;
    each_record(p, end, restore);
    each_record(p, end, restore_times);
}
