/*
 * The Linux console: output goes to the host through debugd; input comes from the host through
 * debugd and passes a line discipline.  Cooked (ICANON): typed bytes are echoed, backspace edits
 * the line, Enter completes it, Ctrl-D at the start of a line is end of file.  Raw: bytes go
 * straight to readers.  With ISIG, the interrupt, quit and suspend characters (Ctrl-C, Ctrl-\,
 * Ctrl-Z unless termios says others) send SIGINT, SIGQUIT and SIGTSTP to the console's
 * foreground process group (the group of the shell the host started last, or what TIOCSPGRP
 * set); a process of the console's session outside that group that reads gets SIGTTIN, as on
 * Linux.  The termios structure is kept whole, so programs get back what they set (stty).
 * A process reading the console with nothing to read waits; a completed line wakes it.
 *
 * The host's end of the terminal: Ctrl-C on the host reaches a shell it started as SIGINT to the
 * session's foreground group, and the host leaving hangs the session up, as closing an ssh
 * connection does: SIGHUP and SIGCONT to its processes, and from then on the console reads end
 * of file and writes fail with EIO for them (a process that ignores SIGHUP runs on, but its
 * output never reaches the next shell).
 */
#include "console_if.h"
#include "linux.h"
#include "syscalls.h"

#define ICANON  0000002u
#define ECHO    0000010u
#define ISIG    0000001u
#define TOSTOP  0000400u

/* struct termios as the kernel has it on ARM: four flag words, the line discipline, c_cc[19] */
struct termios_k {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line, cc[19];
};
_Static_assert(sizeof(struct termios_k) == 36, "Linux's struct termios");
#define VINTR   0
#define VQUIT   1
#define VERASE  2
#define VEOF    4
#define VSUSP   10

/* Linux's defaults for a console: ICRNL IXON, OPOST ONLCR, B38400 CS8 CREAD HUPCL, ISIG ICANON
 * ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN; ^C ^\ DEL ^U ^D, VMIN 1, ^Q ^S ^Z ^R ^O ^W ^V */
static struct termios_k termios = {
    0x500, 0x5, 0xbf, 0x8a3b, 0,
    { 3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0 },
};
#define console_lflag termios.lflag

static uint8_t line[256];
static uint32_t line_len;
static uint8_t ready[4096];                 /* completed input, waiting for readers */
static uint32_t ready_head, ready_tail;
static uint32_t eof_pending;
static struct proc *reader;                 /* the process waiting to read */
static uint32_t reader_addr, reader_len;
int console_pgrp, console_sid;
uint32_t console_input_seq;

int console_readable(void)
{
    return ready_head != ready_tail || eof_pending;
}

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
        int sig = !(console_lflag & ISIG) || !c ? 0 : c == termios.cc[VINTR] ? SIGINT :
                  c == termios.cc[VQUIT] ? SIGQUIT : c == termios.cc[VSUSP] ? SIGTSTP : 0;
        if (sig) {
            char echo[4] = { '^', (char)(c + '@'), '\n', 0 };
            line_len = 0;
            if (console_lflag & ECHO)
                console_write(echo, 3);
            for (unsigned i = 0; i < MAX_PROCS; i++)
                if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == console_pgrp)
                    signal_send(&procs[i], sig);
            continue;
        }
        if (!(console_lflag & ICANON)) {
            put_ready(c);
            continue;
        }
        if (c == '\r')
            c = '\n';
        if (c == termios.cc[VERASE] || c == 8) {
            if (line_len) {
                line_len--;
                if (console_lflag & ECHO)
                    console_write("\b \b", 3);
            }
            continue;
        }
        if (c == termios.cc[VEOF]) {        /* Ctrl-D: the line so far, or end of file */
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
    console_input_seq++;
    wake_reader();
    poll_notify();
}

/* Job control at the terminal, as Linux's: a process of the console's session outside its
 * foreground group that reads (SIGTTIN), writes with TOSTOP set or changes the terminal
 * (SIGTTOU) stops its whole group, and makes the call again once continued.  A process that
 * ignores or blocks the signal goes on (a reader gets EIO), and one of an orphaned group,
 * which nobody would continue, gets EIO.  0: go on; 1: stopped (the reply is dealt with). */
static int console_background(struct proc *p, int sig)
{
    if (!console_pgrp || p->leader->sid != console_sid || p->leader->pgid == console_pgrp)
        return 0;
    if (p->leader->sig[sig].handler == SIG_IGN || p->sig_blocked & 1u << (sig - 1))
        return sig == SIGTTIN ? -EIO : 0;
    if (pgrp_orphaned(p->leader->pgid))
        return -EIO;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == p->leader->pgid &&
            &procs[i] != p->leader)
            signal_send(&procs[i], sig);
    call_again(p);                              /* after SIGCONT */
    signal_raise(p, sig);
    if (!signal_deliver(p))
        proc_reply(p);
    return 1;
}

int console_write_check(struct proc *p)
{
    return console_lflag & TOSTOP ? console_background(p, SIGTTOU) : 0;
}

int console_read(struct proc *p, uint32_t addr, uint32_t len)
{
    int bg = console_background(p, SIGTTIN);

    if (bg)
        return bg;
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

/* Sessions hung up, while any of their processes lives (pids, so session IDs, are never reused). */
static int hung_up[16];

int console_hung_up(const struct proc *p)
{
    for (unsigned i = 0; i < sizeof hung_up / sizeof hung_up[0]; i++)
        if (hung_up[i] && hung_up[i] == p->leader->sid)
            return 1;
    return 0;
}

static int session_lives(int sid)
{
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].sid == sid)
            return 1;
    return 0;
}

/* Remember that `sid` was hung up; forget sessions that have ended to make room.  With no room
 * left the oldest entry goes (its processes then write to the console again). */
static void remember_hangup(int sid)
{
    unsigned n = sizeof hung_up / sizeof hung_up[0], free = n;

    for (unsigned i = 0; i < n; i++) {
        if (hung_up[i] == sid)
            return;
        if (hung_up[i] && !session_lives(hung_up[i]))
            hung_up[i] = 0;
        if (!hung_up[i] && free == n)
            free = i;
    }
    if (free == n) {
        memmove(hung_up, hung_up + 1, sizeof hung_up - sizeof hung_up[0]);
        free = n - 1;
    }
    hung_up[free] = sid;
}

/* Which processes a host signal reaches: for SIGINT the session's foreground group (the
 * console's, when it belongs to this session; else the shell's own group), for SIGHUP every
 * process of the session. */
static int host_signal_target(const struct proc *q, int sid, int sig, int fg)
{
    if (q->state == P_FREE || q->state == P_ZOMBIE || q->leader != q || q->sid != sid)
        return 0;
    return sig == SIGHUP || q->pgid == fg;
}

int console_host_signal_count(int sid, int sig, int *fg)
{
    int n = 0;

    if ((sig != SIGINT && sig != SIGHUP) || sid <= 0)
        return -EINVAL;
    *fg = sid;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        if (procs[i].state != P_FREE && procs[i].state != P_ZOMBIE && procs[i].pgid == console_pgrp &&
            procs[i].sid == sid)
            *fg = console_pgrp;
    for (unsigned i = 0; i < MAX_PROCS; i++)
        n += host_signal_target(&procs[i], sid, sig, *fg);
    return n;
}

void console_host_signal(int sid, int sig, int fg)
{
    if (sig == SIGHUP) {
        remember_hangup(sid);
        if (reader && reader->leader->sid == sid) {     /* a waiting read ends: end of file */
            struct proc *p = reader;
            reader = NULL;
            proc_resume(p, 0);
        }
        poll_notify();                          /* and a poll of it sees the hangup */
    }
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct proc *q = &procs[i];
        if (!host_signal_target(q, sid, sig, fg))
            continue;
        signal_send(q, sig);
        /* Linux follows a hangup with SIGCONT: a stopped process wakes to take its SIGHUP */
        if (sig == SIGHUP && q->state != P_FREE && q->state != P_ZOMBIE &&
            (q->stopped || q->leader->sig[SIGCONT].handler > SIG_IGN))
            signal_send(q, SIGCONT);
    }
}

int console_ioctl(struct proc *p, uint32_t cmd, uint32_t arg)
{
    if (cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF || cmd == TIOCSPGRP) {
        int bg = console_background(p, SIGTTOU);   /* a background job changing the terminal */
        if (bg)
            return bg > 0 ? CONSOLE_STOPPED : bg;
    }
    switch (cmd) {
    case TCGETS:
        return mm_copy_out(p->mm, p->tid, arg, &termios, sizeof termios) ? -EFAULT : 0;
    case TCSETS: case TCSETSW: case TCSETSF: {
        struct termios_k t;
        if (mm_copy_in(p->mm, p->tid, &t, arg, sizeof t))
            return -EFAULT;
        termios = t;
        if (cmd == TCSETSF) {                   /* and drop the input not read yet */
            ready_tail = ready_head;
            line_len = 0;
        }
        return 0;
    }
    case TIOCGWINSZ: {                          /* 24 x 80 */
        uint16_t ws[4] = { 24, 80, 0, 0 };
        return mm_copy_out(p->mm, p->tid, arg, ws, 8) ? -EFAULT : 0;
    }
    case TIOCGPGRP: {                           /* the foreground group */
        int pgrp = console_pgrp ? console_pgrp : p->leader->pgid;
        return mm_copy_out(p->mm, p->tid, arg, &pgrp, 4) ? -EFAULT : 0;
    }
    case TIOCSPGRP: {                           /* a group of the caller's session */
        int pgrp;
        if (mm_copy_in(p->mm, p->tid, &pgrp, arg, 4))
            return -EFAULT;
        if (pgrp <= 0)
            return -EINVAL;
        if (!group_in_session(pgrp, p->leader->sid))
            return -EPERM;
        console_pgrp = pgrp;
        console_sid = p->leader->sid;
        return 0;
    }
    default:
        return -ENOTTY;
    }
}
