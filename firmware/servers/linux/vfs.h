/* Files, the tmpfs and pipes (see vfs.c). */
#pragma once

#include "linux.h"

#define MAX_FILES   128
#define MAX_TNODES  64
#define MAX_PIPES   16
#define MAX_PATH    128
#define TNODE_PAGES 64                  /* a tmpfs file holds up to 256 KiB */
#define PIPE_SIZE   PAGE


enum ftype { F_CONSOLE = 1, F_NULL, F_ZERO, F_INITRD, F_TMP, F_DIR, F_PIPE_READ, F_PIPE_WRITE,
             F_PROC };                  /* F_PROC: a /proc file's text, in a frame of its own */

/* A file of the tmpfs (or a directory: mode says). */
struct tnode {
    int used;
    char path[MAX_PATH];
    uint32_t mode, size;
    uint32_t page[TNODE_PAGES];         /* frames, 0 where nothing was written */
};

struct pipe {
    uint8_t *buf;                       /* a frame; NULL when the pipe is free */
    uint32_t head, tail;                /* bytes written and read, ever */
    int readers, writers;
    struct proc *blocked_reader, *blocked_writer;
    uint32_t want_addr, want_len;       /* what the blocked process asked for */
};

struct file {
    int refs;
    enum ftype type;
    uint32_t pos, flags;
    const uint8_t *data;                /* F_INITRD, F_PROC */
    uint32_t size;
    struct tnode *node;                 /* F_TMP, and F_DIR of the tmpfs */
    struct pipe *pipe;
    char path[MAX_PATH];                /* F_DIR: its path, for getdents */
};

extern struct file files[MAX_FILES];
extern struct tnode tnodes[MAX_TNODES];

struct file *file_new(enum ftype type);
void file_put(struct file *f);
int path_resolve(const char *cwd, const char *path, char *out, size_t cap);
struct tnode *tnode_find(const char *abs);
struct tnode *tnode_new(const char *abs, uint32_t mode);
void tnode_truncate(struct tnode *t, uint32_t size);
int is_dir(const char *abs);
struct pipe *pipe_new(void);
/* Finish what a process blocked on this pipe is waiting for, if it now can. */
void pipe_wake(struct pipe *pp);
