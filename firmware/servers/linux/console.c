/*
 * The Linux console: output goes to the host through debugd; input comes from the host through
 * debugd and passes a line discipline.  Cooked (ICANON): typed bytes are echoed, backspace edits
 * the line, Enter completes it, Ctrl-D at the start of a line is end of file.  Raw: bytes go
 * straight to readers.  With ISIG, Ctrl-C sends SIGINT to the console's foreground process group
 * (the group of the shell the host started last, or what TIOCSPGRP set).
 * A process reading the console with nothing to read waits; a completed line wakes it.
 */
#include "console_if.h"
#include "linux.h"
#include "vfs.h"

#define ICANON  0000002u
#define ECHO    0000010u
#define ISIG    0000001u

static uint8_t line[256];
static uint32_t line_len;
static uint8_t ready[4096];                 /* completed input, waiting for readers */
static uint32_t ready_head, ready_tail;
static uint32_t eof_pending;
static struct proc *reader;                 /* the process waiting to read */
static uint32_t reader_addr, reader_len;
uint32_t console_lflag = ICANON | ECHO | ISIG;
int console_pgrp;

static void put_ready(uint8_t c)
{
    if (ready_head - ready_tail < sizeof ready)
        ready[ready_head++ % sizeof ready] = c;
}

/* Give the waiting reader what is ready, if anything is. */
static void wake_reader(void)
{
    struct proc *p = reader;
    uint32_t n = 0;

    if (!p || (ready_head == ready_tail && !eof_pending))
        return;
    reader = NULL;
    while (n < reader_len && ready_tail != ready_head) {
        uint8_t c = ready[ready_tail++ % sizeof ready];
        if (mm_copy_out(p->mm, p->tid, reader_addr + n, &c, 1))
            break;
        n++;
        if (c == '\n' && console_lflag & ICANON)
            break;                          /* one line per read */
    }
    if (!n && eof_pending)
        eof_pending--;
    proc_resume(p, n);
}

static uint8_t raw[1024];                   /* input taken from the host, not yet processed */
static uint32_t raw_head, raw_tail;

uint32_t console_accept(const uint8_t *data, uint32_t len)
{
    uint32_t taken = 0;

    /* leave room for a whole line in `ready` for what is queued here */
    while (taken < len && raw_head - raw_tail < sizeof raw &&
           (ready_head - ready_tail) + (raw_head - raw_tail) < sizeof ready - sizeof line)
        raw[raw_head++ % sizeof raw] = data[taken++];
    return taken;
}

void console_process(void)
{
    while (raw_tail != raw_head) {
        uint8_t c = raw[raw_tail++ % sizeof raw];
        if (c == 3 && console_lflag & ISIG) {
            line_len = 0;
            if (console_lflag & ECHO)
                console_write("^C\n", 3);
            for (unsigned i = 0; i < MAX_PROCS; i++)
                if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == console_pgrp)
                    signal_send(&procs[i], SIGINT);
            continue;
        }
        if (!(console_lflag & ICANON)) {
            put_ready(c);
            continue;
        }
        if (c == '\r')
            c = '\n';
        if (c == 0x7f || c == 8) {
            if (line_len) {
                line_len--;
                if (console_lflag & ECHO)
                    console_write("\b \b", 3);
            }
            continue;
        }
        if (c == 4) {                       /* Ctrl-D: the line so far, or end of file */
            if (!line_len)
                eof_pending++;
            for (uint32_t i = 0; i < line_len; i++)
                put_ready(line[i]);
            line_len = 0;
            continue;
        }
        if (console_lflag & ECHO)
            console_write(&c, 1);
        if (line_len < sizeof line - 1)
            line[line_len++] = c;
        if (c == '\n') {
            for (uint32_t i = 0; i < line_len; i++)
                put_ready(line[i]);
            line_len = 0;
        }
    }
    wake_reader();
}

int console_read(struct proc *p, uint32_t addr, uint32_t len)
{
    if (reader && reader != p)
        return -EAGAIN;                     /* one reader at a time */
    reader = p;
    reader_addr = addr;
    reader_len = len;
    if (ready_head != ready_tail || eof_pending) {
        p->state = P_BLOCKED;               /* wake_reader resumes it at once */
        wake_reader();
        return 1;
    }
    p->state = P_BLOCKED;
    p->blocked = B_CONSOLE;
    return 1;
}

void console_forget(struct proc *p)
{
    if (reader == p)
        reader = NULL;
}
