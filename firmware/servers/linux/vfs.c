/*
 * Files: the console, /dev/null and /dev/zero, the initramfs (read-only), a writable tmpfs for
 * new files anywhere, and pipes.  Open files are shared between descriptors and processes (dup,
 * fork) and counted; a pipe remembers the process blocked reading or writing it, which the other
 * end wakes.
 */
#include "linux.h"
#include "vfs.h"

struct file files[MAX_FILES];
struct tnode tnodes[MAX_TNODES];
static struct pipe pipes[MAX_PIPES];

struct file *file_new(enum ftype type)
{
    for (unsigned i = 0; i < MAX_FILES; i++) {
        if (files[i].refs)
            continue;
        memset(&files[i], 0, sizeof files[i]);
        files[i].refs = 1;
        files[i].type = type;
        return &files[i];
    }
    return NULL;
}

void file_put(struct file *f)
{
    if (!f || --f->refs)
        return;
    if (f->type == F_PROC)
        frame_put((uint32_t)f->data);
    if (f->pipe) {
        struct pipe *p = f->pipe;
        if (f->type == F_PIPE_READ)
            p->readers--;
        else
            p->writers--;
        if (!p->readers && !p->writers) {
            frame_put((uint32_t)p->buf);
            p->buf = NULL;
        } else {
            /* last: a woken writer may die of SIGPIPE at once and close its end in here,
             * freeing the pipe; nothing of it may be touched after */
            pipe_wake(p);
        }
    }
}

/* ---- paths ------------------------------------------------------------------------------ */

/* Make `path` absolute against `cwd` and drop "." and ".." and repeated slashes. */
int path_resolve(const char *cwd, const char *path, char *out, size_t cap)
{
    char tmp[MAX_PATH * 2];
    size_t n = 0, o = 0;

    if (path[0] != '/') {
        n = strnlen(cwd, MAX_PATH);
        memcpy(tmp, cwd, n);
        tmp[n++] = '/';
    }
    size_t plen = strnlen(path, MAX_PATH);
    if (n + plen >= sizeof tmp)
        return -ENAMETOOLONG;
    memcpy(tmp + n, path, plen);
    n += plen;
    tmp[n] = 0;
    out[o++] = '/';
    for (size_t i = 0; i < n; ) {
        while (i < n && tmp[i] == '/')
            i++;
        size_t start = i;
        while (i < n && tmp[i] != '/')
            i++;
        size_t len = i - start;
        if (len == 0 || (len == 1 && tmp[start] == '.'))
            continue;
        if (len == 2 && tmp[start] == '.' && tmp[start + 1] == '.') {
            while (o > 1 && out[o - 1] != '/')
                o--;
            if (o > 1)
                o--;
            continue;
        }
        if (o + len + 2 >= cap)
            return -ENAMETOOLONG;
        if (o > 1)
            out[o++] = '/';
        memcpy(out + o, tmp + start, len);
        o += len;
    }
    out[o] = 0;
    return 0;
}

static int same(const char *a, const char *b)
{
    size_t n = strnlen(a, MAX_PATH);
    return n == strnlen(b, MAX_PATH) && memcmp(a, b, n) == 0;
}

struct tnode *tnode_find(const char *abs)
{
    for (unsigned i = 0; i < MAX_TNODES; i++)
        if (tnodes[i].used && same(tnodes[i].path, abs))
            return &tnodes[i];
    return NULL;
}

struct tnode *tnode_new(const char *abs, uint32_t mode)
{
    for (unsigned i = 0; i < MAX_TNODES; i++) {
        if (tnodes[i].used)
            continue;
        memset(&tnodes[i], 0, sizeof tnodes[i]);
        tnodes[i].used = 1;
        tnodes[i].mode = mode;
        memcpy(tnodes[i].path, abs, strnlen(abs, MAX_PATH - 1));
        return &tnodes[i];
    }
    return NULL;
}

void tnode_truncate(struct tnode *t, uint32_t size)
{
    for (uint32_t i = (size + PAGE - 1) / PAGE; i < TNODE_PAGES; i++) {
        if (t->page[i]) {
            frame_put(t->page[i]);
            t->page[i] = 0;
        }
    }
    if (size < t->size && size % PAGE && t->page[size / PAGE])
        memset((uint8_t *)t->page[size / PAGE] + size % PAGE, 0, PAGE - size % PAGE);
    t->size = size;
}

/* Whether `abs` is a directory: a tmpfs one, the root, or a prefix of an initramfs path. */
int is_dir(const char *abs)
{
    struct tnode *t = tnode_find(abs);
    uint32_t size, mode;

    if (t)
        return (t->mode & S_IFMT) == S_IFDIR;
    if (same(abs, "/") || same(abs, "/tmp") || same(abs, "/dev") || same(abs, "/proc"))
        return 1;
    return initrd_find(abs, &size, &mode) && (mode & S_IFMT) == S_IFDIR;
}

/* ---- pipes ------------------------------------------------------------------------------ */

struct pipe *pipe_new(void)
{
    for (unsigned i = 0; i < MAX_PIPES; i++) {
        if (pipes[i].buf)
            continue;
        memset(&pipes[i], 0, sizeof pipes[i]);
        pipes[i].buf = (uint8_t *)frame_alloc();
        return pipes[i].buf ? &pipes[i] : NULL;
    }
    return NULL;
}
