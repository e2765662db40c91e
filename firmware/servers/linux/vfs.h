/*
 * The file system (vfs.c): an in-memory tree of inodes with tmpfs semantics, which the
 * initramfs is unpacked into at boot, with /proc (procfs.c) mounted on /proc; open files and
 * pipes.
 *
 * Invariants: a directory's entries each hold one link of their inode (nlink counts them, and a
 * directory's "." and its children's ".." as Linux does); an inode is freed when it has no link
 * and no reference (open files, regions of processes, a process's program).  Everything is
 * allocated from the frame pool (kmem.c, and frames for file pages): no table has a fixed size.
 * Callers hold server_lock.
 */
#pragma once

#include "linux.h"
#include "kmem.h"

#define MAX_PATH    512                 /* a path argument, with its terminator */
#define NAME_MAX    255
#define SYMLOOP_MAX 40
#define PIPE_SIZE   (16 * PAGE)         /* Linux's 64 KiB, a frame each 4 KiB as data reaches it */
#define PIPE_PAGES  (PIPE_SIZE / PAGE)
#define PIPE_BUF    4096                /* a write of at most this much goes in whole (POSIX) */
#define INODE_DIRECT 8                  /* pages a file holds without an index frame */
#define MAX_FILE_SIZE 0x7fffffffu

enum ftype { F_CONSOLE = 1, F_NULL, F_ZERO, F_FULL, F_RANDOM, F_REG, F_DIR, F_PIPE_READ,
             F_PIPE_WRITE, F_PROC,      /* F_PROC: a /proc file's text, in a frame of its own */
             F_SOCK,                    /* an AF_UNIX socket (sys_socket.c) */
             F_EPOLL, F_EVENTFD };      /* sys_epoll.c, sys_eventfd.c */

struct timespec32 {
    uint32_t sec, nsec;
};

struct dirent;

struct inode {
    uint32_t ino, mode, uid, gid, nlink;
    uint32_t refs;                      /* open files, regions, programs: kept while > 0 */
    uint32_t size;
    uint32_t rdev;                      /* devices: Linux's encoding (major << 8 | minor) */
    struct timespec32 atime, mtime, ctime;
    struct file_lock *locks;            /* advisory locks (sys_lock.c), and how many wait for one */
    uint32_t lock_waiters;
    union {
        struct {                        /* S_IFREG: pages, each a frame or 0 (a hole) */
            uint32_t direct[INODE_DIRECT];
            uint32_t *ind;              /* a frame of 1024 pages */
            uint32_t **dind;            /* a frame of 1024 such frames */
            const uint8_t *rom;         /* the initramfs's bytes, in place, until written */
            uint32_t rom_size;
        } f;
        struct {                        /* S_IFDIR */
            struct dirent *entries;     /* newest first, as Linux's tmpfs lists them */
            struct inode *parent;
            uint32_t next_cookie;
            uint32_t count;
            int is_proc;                /* /proc: procfs.c answers below it */
        } d;
        char *target;                   /* S_IFLNK: `size` bytes (kmem) */
        struct pipe *pipe;              /* S_IFIFO: while open */
    };
};

struct dirent {
    struct dirent *next;
    struct inode *inode;
    uint32_t cookie;                    /* larger for newer entries: a stable readdir position */
    uint16_t alloc;                     /* bytes allocated for this entry */
    uint8_t len;
    char name[];
};

struct pipe {
    uint8_t *page[PIPE_PAGES];          /* the ring's frames: the first from the start, the rest
                                         * when data first reaches them (kept until the end) */
    uint32_t head, tail;                /* bytes written and read, ever */
    int readers, writers;
    struct inode *fifo;
    struct proc *waiters;               /* blocked readers and writers, oldest first */
    uint8_t reset;                      /* a socket pair's: one end closed with data unread,
                                         * so the other's next read past its data is
                                         * ECONNRESET (sock_reset: either pipe of the end) */
};

struct file {
    int refs;
    enum ftype type;
    uint32_t pos, flags;
    const uint8_t *data;                /* F_PROC */
    uint32_t size;
    struct inode *inode;                /* F_REG, F_DIR (not /proc's), devices, FIFOs */
    struct pipe *pipe;                  /* F_SOCK: the one it reads from (NULL: shut down)... */
    struct pipe *tx;                    /* ...and the one it writes to */
    char path[48];                      /* F_DIR in /proc: its path, for getdents */
    char *name;                         /* the path it was opened by (/proc/PID/fd/N), or NULL */
    void *obj;                          /* F_EPOLL's epoll, F_EVENTFD's counter, the state of
                                         * an F_SOCK made by socket() or a datagram pair */
    uint32_t watched;                   /* epoll items watching it (sys_epoll.c) */
};

/* What a path names (vfs_lookup). */
struct lookup {
    struct inode *dir;                  /* the directory of the last component (NULL in /proc) */
    struct inode *ino;                  /* what it names, or NULL when the last one is missing */
    char name[NAME_MAX + 1];            /* the last component */
    int in_proc;                        /* below /proc: `proc` is procfs's name for it */
    int proc_exists;
    char proc[MAX_PATH];
    int trailing_slash;                 /* the path ended with '/' */
    struct pipe *pipe;                  /* in_proc: a /proc/PID/fd/N link to a pipe, followed */
};

#define LK_FOLLOW   1                   /* follow a link in the last component */

extern struct inode *vfs_root;
extern uint32_t vfs_inodes, vfs_files, vfs_pipes;   /* how many exist (the counters) */

void vfs_init(void);
int vfs_lookup(struct proc *self, const char *abs, int flags, struct lookup *lk);
/* The pipe a /proc/PID/fd/N path's descriptor is an end of, or NULL (procfs.c). */
struct pipe *procfs_fd_pipe(struct proc *self, const char *abs);
/* Whether `p` may read, write or execute (search) `ino`, by its file-system IDs and groups:
 * 0 or -EACCES.  Root may do anything but execute a file without any execute bit; NULL is
 * the server itself. */
#define MAY_EXEC    1
#define MAY_WRITE   2
#define MAY_READ    4
int vfs_permission(const struct proc *p, const struct inode *ino, int mask);
/* Whether `p` may remove `victim` from `dir` (write and search on it; in a sticky directory
 * only its owner, the directory's or root): 0, -EACCES or -EPERM. */
int vfs_may_delete(const struct proc *p, const struct inode *dir, const struct inode *victim);
/* Whether `p` owns `ino` (or is root), as chmod, chown and explicit times want. */
int vfs_owner(const struct proc *p, const struct inode *ino);
int in_group(const struct proc *p, uint32_t gid);
/* A new inode in `dir` belongs to its maker: `p`'s file-system IDs, or the directory's group
 * when the directory is set-group-ID (a new directory inherits that bit too). */
void vfs_new_owner(const struct proc *p, struct inode *dir, struct inode *ino);
/* The absolute path of directory `d` (or of entry `name` in it) into `out` (MAX_PATH). */
int vfs_path(struct inode *d, const char *name, char *out);
/* Make an inode of `mode` (type and permissions, umask already applied) named `name` in `dir`. */
int vfs_create(struct inode *dir, const char *name, uint32_t mode, struct inode **out);
int vfs_link(struct inode *dir, const char *name, struct inode *ino);
int vfs_unlink(struct inode *dir, const char *name, int rmdir);
int vfs_rename(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
               uint32_t flags);
struct dirent *vfs_find(struct inode *dir, const char *name);
void inode_get(struct inode *ino);
void inode_put(struct inode *ino);
/* Bytes of a regular file: read into the server's `buf` (holes read zeros); 0 past the end. */
uint32_t vfs_read(struct inode *ino, uint32_t pos, void *buf, uint32_t len);
/* The same for a process: `copy` moves each piece to offset `at` of its buffer (0, or -1 when
 * the address is bad); bytes read, or -EFAULT. */
int vfs_read_to(struct inode *ino, uint32_t pos, uint32_t len,
                int (*copy)(void *ctx, uint32_t at, const void *src, uint32_t n), void *ctx);
/* Bytes from the server's `buf` into a regular file: how many, or -ENOSPC / -EFBIG. */
int vfs_write(struct inode *ino, uint32_t pos, const void *buf, uint32_t len);
/* 512-byte blocks a regular file holds (its pages, and the initramfs's it still reads). */
uint32_t vfs_blocks(const struct inode *ino);
/* The page frame holding file offset `pos`, made private (copied from the initramfs) and
 * allocated when `create`; 0 for a hole (or no memory when creating). */
uint32_t vfs_page(struct inode *ino, uint32_t pos, int create);
/* The file's own frame for the whole page at `pos` (a multiple of PAGE), to map where a process
 * maps the file: the page it holds, or the archive's bytes copied into one it then keeps.  0
 * for a page past the end or partly so, a hole, or when memory is short. */
uint32_t vfs_mappable_page(struct inode *ino, uint32_t pos);
int vfs_truncate(struct inode *ino, uint32_t size);
void vfs_touch(struct inode *ino, int what);        /* T_ATIME | T_MTIME | T_CTIME: now */
#define T_ATIME 1
#define T_MTIME 2
#define T_CTIME 4
struct timespec32 vfs_now(void);
void vfs_accessed(struct inode *ino);               /* a read: atime as relatime moves it */
/* Pages of file data held, for statfs. */
extern uint32_t vfs_data_pages;

struct file *file_new(enum ftype type);
/* A copy of `path` for a file's `name` (kmem; file_put frees it), or NULL without memory. */
char *file_name(const char *path);
void file_put(struct file *f);
struct pipe *pipe_new(void);
/* A frame for a pipe's ring, from the pool but its reserve; NULL without one. */
uint8_t *pipe_page(void);
void pipe_free(struct pipe *pp);
/* Up to `len` bytes of `pp`'s data into the server's `buf`, left in the pipe: how many. */
uint32_t pipe_peek(const struct pipe *pp, void *buf, uint32_t len);
/* Up to `len` bytes of `buf` into `pp` as room allows: how many, or -ENOMEM when no frame
 * takes the first byte (as pipe_write). */
int pipe_put(struct pipe *pp, const void *buf, uint32_t len);
/* One reader and/or writer of `pp` gone: the pipe freed with its last, or its waiters woken. */
void pipe_drop(struct pipe *pp, int reader, int writer);
/* Whether the other end of socket `f` was closed with data unread (and `clear`: reported now). */
static inline int sock_reset(struct file *f, int clear)
{
    int reset = (f->pipe && f->pipe->reset) || (f->tx && f->tx->reset);

    if (clear && f->pipe)
        f->pipe->reset = 0;
    if (clear && f->tx)
        f->tx->reset = 0;
    return reset;
}

/* The last reference of `f`, which has an object of its own or is watched, goes: the epolls
 * forget it, and its object goes (sys_epoll.c).  file_put calls it before it frees `f`. */
void file_release(struct file *f);

/* A socket's inode number (fstat, /proc/PID/fd/N's "socket:[N]"): its own. */
static inline uint32_t sock_ino(const struct file *f)
{
    return (uint32_t)(uintptr_t)f >> 4;
}
/* Finish what a process blocked on this pipe is waiting for, if it now can. */
void pipe_wake(struct pipe *pp);
/* `p` no longer waits on any pipe (nor in a FIFO's open, whose descriptor it closes). */
void pipe_forget(struct proc *p);
/* `p` waits in open() with descriptor `fd` until the FIFO of `pp` gets a writer (`reader`: it
 * is one) or a reader: 0, or -ENOMEM (then it does not wait). */
int fifo_wait(struct proc *p, struct pipe *pp, uint32_t fd, int reader);
/* A FIFO's reader (`reader`) or writer arrived: the opens waiting for one return. */
void fifo_arrived(struct pipe *pp, int reader);

/* Advisory locks (sys_lock.c).  locks_close: `p` closed a descriptor of `ino`, which releases its
 * record locks of the file (POSIX's rule); locks_file_gone: the last descriptor of the open
 * file `f` went, and with it its OFD and flock locks.  lock_forget: `p` no longer waits for a
 * lock.  fcntl_lock: fcntl's lock commands, a result or 1 when `p` now waits. */
void locks_close(struct proc *p, struct inode *ino);
void locks_file_gone(struct file *f);
void lock_forget(struct proc *p);
int fcntl_lock(struct proc *p, struct file *f, uint32_t cmd, uint32_t addr);

/* A regular file of no directory reading `size` bytes at `data` in place, with one reference
 * (the caller's): the trampoline's code. */
struct inode *vfs_rom_file(const void *data, uint32_t size);

/* A regular file of no directory (memfd_create's), owned by `p`, with one reference (the
 * caller's). */
struct inode *vfs_anon_file(const struct proc *p, uint32_t mode);
/* lseek's SEEK_DATA (`hole` 0) and SEEK_HOLE (1) in regular file `ino` from `pos`, as tmpfs
 * answers them: a page the file holds (or the initramfs's bytes) is data, any other a hole, and
 * the end of the file is a hole.  -ENXIO at or past the end, or no data after `pos`. */
int64_t vfs_seek_data(struct inode *ino, uint32_t pos, int hole);

/* The initramfs unpacked into the tree (initrd.c). */
void initrd_unpack(void);
