/*
 * debugd: the debug agent, in user mode.  It owns the console UART (its page from sigma0, its
 * receive interrupt as IPC), speaks the debug protocol with the host, and reaches the kernel
 * through KDebug.  It is an ordinary privileged thread: the kernel knows nothing of frames.
 *
 * Loop: drain the UART into the link (which dispatches requests to the LINK_COMMANDs here),
 * then reply to the interrupt (unmasking the line) and wait for the next one.
 *
 * Once the servers answer, it confirms the boot (firmware/boot/boot.c: test-then-confirm): the
 * image the bootloader started on trial becomes the one it falls back to.
 */
#include "board.h"
#include "l4.h"
#include "lib/info.h"
#include "lib/link.h"
#include "lib/string.h"
#include "console_if.h"
#include "ktest_if.h"
#include "machine/flash.h"
#include "machine/uart.h"

#define DEBUGD_FEATURES (PROTO_FEATURE_PING | PROTO_FEATURE_READ_MEM | PROTO_FEATURE_RESET | \
                         PROTO_FEATURE_TIMER | PROTO_FEATURE_THREADS | PROTO_FEATURE_TESTS | \
                         PROTO_FEATURE_TRACE | PROTO_FEATURE_INJECT | PROTO_FEATURE_SYSCALL | \
                         PROTO_FEATURE_LINUX | PROTO_FEATURE_RESTART)

/* How long a test, a benchmark or a probed system call may take before debugd gives up. */
#define KTEST_TIMEOUT_US    30000000u

static uint8_t out[PROTO_MAX_PAYLOAD];      /* payloads built here */
/* The test servers: boot modules that answer ktest_if.h's requests from their own test tables,
 * each with its window mapped here.  ktest comes first and also probes system calls. */
static struct test_server {
    const char *module;
    uint8_t *window;
    l4_tid_t tid;                           /* nil until connected */
} servers[] = {
    { "ktest", (uint8_t *)KTEST_SHARED_ADDR, L4_NILTHREAD },
    { "modem", (uint8_t *)(KTEST_SHARED_ADDR + KTEST_SHARED_SIZE), L4_NILTHREAD },
};
#define SERVERS (sizeof servers / sizeof servers[0])
/* TESTS indices: server i's entry j is i * LIST_STRIDE + j */
#define LIST_STRIDE 0x1000u
static l4_tid_t linux_server;               /* the Linux server's interrupt thread, which takes
                                             * the host's requests; nil: no Linux server */

/* INFO names the kernel's build: that is the image the host flashed and holds the ELF of. */
static void send_info(uint16_t seq)
{
    const struct l4_kip *kip = l4_kip();
    struct proto_info info;

    info_fill(&info, PROTO_ROLE_KERNEL, (uint8_t)kip->boot_slot, DEBUGD_FEATURES, kip->timer_hz);
    memcpy(info.build_id, kip->build_id, sizeof info.build_id);
    link_send(PROTO_MSG_INFO, seq, &info, sizeof info, NULL, 0);
}

static void cmd_hello(const struct proto_msg *req)
{
    send_info(req->seq);
}
LINK_COMMAND(PROTO_MSG_HELLO, cmd_hello);

static void cmd_ping(const struct proto_msg *req)
{
    link_send(PROTO_MSG_PONG, req->seq, req->payload, req->length, NULL, 0);
}
LINK_COMMAND(PROTO_MSG_PING, cmd_ping);

/* Kernel memory, through KDebug in pieces of at most the UTCB's message registers. */
static void cmd_read_mem(const struct proto_msg *req)
{
    const struct proto_read_mem *r = (const void *)req->payload;
    static uint8_t buf[PROTO_MAX_PAYLOAD];
    struct proto_mem_data head = { .addr = r->addr };
    uint32_t done = 0;

    if (r->length > PROTO_MAX_PAYLOAD - sizeof head) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "read longer than one frame");
        return;
    }
    while (done < r->length) {
        uint32_t n = r->length - done, got;
        if (n > sizeof l4_utcb()->mr)
            n = sizeof l4_utcb()->mr;
        if (l4_kdebug(L4_KD_READ_KERNEL, r->addr + done, n, &got)) {
            link_error(req, PROTO_ERR_BAD_ADDRESS, "address outside the kernel image");
            return;
        }
        memcpy(buf + done, l4_utcb()->mr, n);
        done += n;
    }
    link_send(PROTO_MSG_MEM_DATA, req->seq, &head, sizeof head, buf, r->length);
}
LINK_COMMAND(PROTO_MSG_READ_MEM, cmd_read_mem);

static void cmd_reset(const struct proto_msg *req)
{
    link_ack(req, 0);
    l4_kdebug(L4_KD_RESET, 0, 0, NULL);
}
LINK_COMMAND(PROTO_MSG_RESET, cmd_reset);

/* ---- the kernel's view, through KDebug --------------------------------------------------- */

static void cmd_stats(const struct proto_msg *req)
{
    struct proto_stats_info st;
    const uint32_t *mr = l4_utcb()->mr;
    uint32_t n;

    if (l4_kdebug(L4_KD_STATS, 0, 0, &n) || n < 13 + PROTO_SYSCALL_SLOTS) {
        link_error(req, PROTO_ERR_BAD_STATE, "kernel statistics unavailable");
        return;
    }
    st.ticks = mr[0];
    st.ipc = mr[1];
    st.ipc_fast = mr[2];
    st.irqs = mr[3];
    st.pagefaults = mr[4];
    st.exceptions = mr[5];
    st.stopped = mr[6];
    st.kmem_free = mr[7];
    st.mapdb_nodes = mr[8];
    st.trace_head = mr[9];
    st.cycles = mr[10];
    st.idle_cycles = (uint64_t)mr[12] << 32 | mr[11];
    for (unsigned i = 0; i < PROTO_SYSCALL_SLOTS; i++)
        st.syscalls[i] = mr[13 + i];
    link_reply(req, PROTO_MSG_STATS_INFO, &st, sizeof st);
}
LINK_COMMAND(PROTO_MSG_STATS, cmd_stats);

static void cmd_threads(const struct proto_msg *req)
{
    const struct proto_threads *q = (const void *)req->payload;
    struct proto_thread_list *list = (void *)out;
    const uint32_t *mr = l4_utcb()->mr;
    uint32_t index = q->start, n = 0, words;

    while (index < 512 && sizeof *list + (n + 1) * sizeof list->threads[0] <= sizeof out) {
        if (l4_kdebug(L4_KD_THREAD_INFO, index, 0, &words) || words < 17) {
            index = mr[0];
            break;
        }
        struct proto_thread_entry *e = &list->threads[n++];
        index = mr[0];
        e->id = mr[1];
        e->state = (uint8_t)mr[2];
        e->prio = (uint8_t)mr[3];
        e->flags = (uint8_t)mr[4] & (L4_TC_FOREIGN_ABI | L4_TC_PRIVILEGED);
        e->space = (uint8_t)mr[5];
        e->pager = mr[6];
        e->exc_handler = mr[7];
        e->cycles = (uint64_t)mr[9] << 32 | mr[8];
        e->pc = mr[11];
        e->stop_reason = (uint8_t)mr[10];
        memset(e->reserved, 0, sizeof e->reserved);
        e->partner = mr[15];
        memcpy(e->name, &mr[12], sizeof e->name);
    }
    list->next = (uint16_t)(index > 0xffff ? 0xffff : index);
    memset(list->reserved, 0, sizeof list->reserved);
    link_send(PROTO_MSG_THREAD_LIST, req->seq, list, sizeof *list + n * sizeof list->threads[0],
              NULL, 0);
}
LINK_COMMAND(PROTO_MSG_THREADS, cmd_threads);

static void cmd_trace(const struct proto_msg *req)
{
    const struct proto_trace *q = (const void *)req->payload;
    struct proto_trace_data *d = (void *)out;
    const uint32_t *r = l4_utcb()->mr;
    uint32_t from = q->start, count = 0, got;

    d->first = from;
    d->head = from;
    while (sizeof *d + (count + 12) * sizeof d->events[0] <= sizeof out) {
        uint32_t regs[13] = { L4_KD_TRACE_READ, from };
        regs[7] = L4_SYS_KDEBUG;
        l4_syscall_regs(regs);
        got = regs[0];
        if (regs[1] != L4_OK)
            break;
        if (count == 0)
            d->first = regs[2];         /* later than asked: the ring overran */
        d->head = regs[3];
        memcpy(&d->events[count], r, got * sizeof d->events[0]);
        count += got;
        from = regs[2] + got;
        if (got == 0 || from == regs[3])
            break;
    }
    link_send(PROTO_MSG_TRACE_DATA, req->seq, d, sizeof *d + count * sizeof d->events[0], NULL, 0);
}
LINK_COMMAND(PROTO_MSG_TRACE, cmd_trace);

static void cmd_trace_control(const struct proto_msg *req)
{
    const struct proto_trace_control *q = (const void *)req->payload;
    uint32_t head;

    l4_kdebug(L4_KD_TRACE_CONTROL, q->enable, 0, &head);
    link_ack(req, head);
}
LINK_COMMAND(PROTO_MSG_TRACE_CONTROL, cmd_trace_control);

static void cmd_inject_irq(const struct proto_msg *req)
{
    const struct proto_inject_irq *q = (const void *)req->payload;

    if (l4_kdebug(L4_KD_INJECT_IRQ, q->irq, 0, NULL)) {
        link_error(req, PROTO_ERR_BAD_ADDRESS, "no such interrupt line");
        return;
    }
    link_ack(req, q->irq);
}
LINK_COMMAND(PROTO_MSG_INJECT_IRQ, cmd_inject_irq);

/* ---- tests, benchmarks and probed system calls, run by ktest ----------------------------- */

/* Call test server `ts` with `label` and MR1 = `arg` (its window already filled); 0 and the
 * reply in *m, or -1 after telling the host why not. */
static int server_call(const struct proto_msg *req, struct test_server *ts, uint32_t label,
                       uint32_t arg, struct l4_msg *m)
{
    uint32_t err;

    if (ts->tid == L4_NILTHREAD) {
        link_error(req, PROTO_ERR_BAD_STATE, "the test server is not running");
        return -1;
    }
    m->mr[0] = L4_TAG(label, 1, 0);
    m->mr[1] = arg;
    l4_ipc(ts->tid, ts->tid, L4_NEVER, KTEST_TIMEOUT_US, m, &err);
    if (err) {
        link_error(req, PROTO_ERR_BAD_STATE, L4_IPC_ERROR_CODE(err) == L4_ERR_TIMEOUT ?
                   "the test server did not answer in time" : "the test server is gone");
        return -1;
    }
    return 0;
}

/* Copy a name from a request into a window, NUL-terminated. */
static void put_name(uint8_t *window, const uint8_t *name, uint32_t len)
{
    if (len > 255)
        len = 255;
    memcpy(window, name, len);
    window[len] = 0;
}

/* The servers' lists one after the other: index i * LIST_STRIDE + j is server i's entry j. */
static void cmd_tests(const struct proto_msg *req)
{
    const struct proto_tests *q = (const void *)req->payload;
    struct proto_test_names *names = (void *)out;
    uint32_t i = q->start / LIST_STRIDE, next;
    struct l4_msg m;
    uint32_t len;

    while (i < SERVERS && servers[i].tid == L4_NILTHREAD)
        i++;
    if (i >= SERVERS) {
        names->next = 0xffff;
        memset(names->reserved, 0, sizeof names->reserved);
        link_send(PROTO_MSG_TEST_NAMES, req->seq, names, sizeof *names, NULL, 0);
        return;
    }
    if (server_call(req, &servers[i], KTEST_LIST,
                    q->start / LIST_STRIDE == i ? q->start % LIST_STRIDE : 0, &m))
        return;
    len = m.mr[2] < sizeof out - sizeof *names ? m.mr[2] : sizeof out - sizeof *names;
    next = m.mr[1] == 0xffff ? (i + 1) * LIST_STRIDE : i * LIST_STRIDE + m.mr[1];
    names->next = (uint16_t)(next / LIST_STRIDE >= SERVERS ? 0xffff : next);
    memset(names->reserved, 0, sizeof names->reserved);
    link_send(PROTO_MSG_TEST_NAMES, req->seq, names, sizeof *names, servers[i].window, len);
}
LINK_COMMAND(PROTO_MSG_TESTS, cmd_tests);

/* Ask each server in turn until one knows the name: 0 with its reply in *m and *ts set. */
static int find_and_call(const struct proto_msg *req, const uint8_t *name, uint32_t len,
                         uint32_t label, uint32_t arg, struct l4_msg *m, struct test_server **ts)
{
    for (unsigned i = 0; i < SERVERS; i++) {
        if (servers[i].tid == L4_NILTHREAD)
            continue;
        put_name(servers[i].window, name, len);
        if (server_call(req, &servers[i], label, arg, m))
            return -1;
        *ts = &servers[i];
        if (m->mr[1] != PROTO_TEST_NO_SUCH_TEST)
            return 0;
    }
    if (*ts == NULL) {
        link_error(req, PROTO_ERR_BAD_STATE, "the test server is not running");
        return -1;
    }
    return 0;                               /* the last server's NO_SUCH_TEST */
}

static void cmd_run_test(const struct proto_msg *req)
{
    struct proto_test_result res;
    struct test_server *ts = NULL;
    struct l4_msg m;

    if (find_and_call(req, req->payload, req->length, KTEST_RUN, 0, &m, &ts))
        return;
    memset(&res, 0, sizeof res);
    res.status = (uint8_t)m.mr[1];
    res.value = m.mr[2];
    res.cycles = m.mr[3];
    link_send(PROTO_MSG_TEST_RESULT, req->seq, &res, sizeof res, ts->window,
              strnlen((const char *)ts->window, 1024));
}
LINK_COMMAND(PROTO_MSG_RUN_TEST, cmd_run_test);

static void cmd_bench(const struct proto_msg *req)
{
    const struct proto_bench *q = (const void *)req->payload;
    struct proto_bench_result res;
    struct test_server *ts = NULL;
    struct l4_msg m;
    uint32_t count;

    if (find_and_call(req, q->name, req->length - sizeof *q, KTEST_BENCH,
                      q->iterations | (uint32_t)q->flags << 16, &m, &ts))
        return;
    count = m.mr[3] < KTEST_MAX_SAMPLES ? m.mr[3] : KTEST_MAX_SAMPLES;
    memset(&res, 0, sizeof res);
    res.status = (uint8_t)m.mr[1];
    res.overhead = m.mr[2];
    link_send(PROTO_MSG_BENCH_RESULT, req->seq, &res, sizeof res, ts->window, count * 4);
}
LINK_COMMAND(PROTO_MSG_BENCH, cmd_bench);

static void cmd_syscall(const struct proto_msg *req)
{
    const struct proto_syscall *q = (const void *)req->payload;
    struct proto_syscall_result res;
    uint8_t *window = servers[0].window;
    struct l4_msg m;

    memcpy(window, q->regs, sizeof q->regs);
    memcpy(window + sizeof q->regs, &q->timeout_us, sizeof q->timeout_us);
    if (server_call(req, &servers[0], KTEST_SYSCALL, 0, &m))
        return;
    memset(&res, 0, sizeof res);
    res.status = (uint8_t)m.mr[1];
    res.cycles = m.mr[2];
    memcpy(res.regs, window, sizeof res.regs);
    link_reply(req, PROTO_MSG_SYSCALL_RESULT, &res, sizeof res);
}
LINK_COMMAND(PROTO_MSG_SYSCALL, cmd_syscall);

/* Console output of the Linux server: pass it to the host as a CONSOLE frame. */
/* The Linux server's console output (CONSOLE frames), or a line for the log (LOG). */
static void console_out(const struct l4_msg *m, int log)
{
    uint32_t data[CONSOLE_MAX_WRITE / 4 + 1], n = m->mr[1];
    const uint32_t *mr = l4_utcb()->mr;

    if (n > CONSOLE_MAX_WRITE || L4_TAG_UNTYPED(m->mr[0]) < 1 + (n + 3) / 4)
        return;
    for (uint32_t i = 0; i < (n + 3) / 4; i++)
        data[i] = 2 + i < L4_MR_IN_REGISTERS ? m->mr[2 + i] : mr[2 + i];
    if (!log) {
        link_send(PROTO_MSG_CONSOLE, 0, data, n, NULL, 0);
        return;
    }
    ((char *)data)[n] = 0;
    link_log(PROTO_LOG_INFO, (const char *)data);
}

/* Call the Linux server's interrupt thread with `m`.  Just after boot it may not exist yet: then
 * try again every 10 ms, up to `timeout` µs in all.  -1 when it never did. */
static int linux_ipc(struct l4_msg *m, uint32_t timeout, uint32_t *err)
{
    struct l4_msg saved = *m, nothing = { { 0 } };

    for (uint32_t waited = 0;; waited += 10000) {
        l4_ipc(linux_server, linux_server, timeout, timeout, m, err);
        if (!*err || L4_IPC_ERROR_CODE(*err) != L4_ERR_NO_PARTNER || waited >= timeout)
            return 0;
        *m = saved;
        l4_receive(l4_myself(), &nothing, 10000, err);     /* sleep: nobody sends us that */
    }
}

/* Send bytes (at most CONSOLE_MAX_WRITE) to the Linux server with `label`; its MR1 back, or a
 * negative number when it did not answer in time. */
static int32_t linux_call(uint32_t label, const uint8_t *data, uint32_t n, uint32_t timeout)
{
    struct l4_msg m = { { L4_TAG(label, 1 + (n + 3) / 4, 0), n } };
    uint32_t words[CONSOLE_MAX_WRITE / 4] = { 0 }, err;
    struct l4_utcb *u = l4_utcb();

    memcpy(words, data, n);
    for (uint32_t i = 0; i < (n + 3) / 4; i++) {
        if (2 + i < L4_MR_IN_REGISTERS)
            m.mr[2 + i] = words[i];
        else
            u->mr[2 + i] = words[i];
    }
    return linux_ipc(&m, timeout, &err) || err ? -1 : (int32_t)m.mr[1];
}

static void cmd_shell(const struct proto_msg *req)
{
    int32_t pid;

    if (!linux_server) {
        link_error(req, PROTO_ERR_BAD_STATE, "no Linux server in this image");
        return;
    }
    if (req->length > CONSOLE_MAX_WRITE) {
        link_error(req, PROTO_ERR_BAD_LENGTH, "command longer than 240 bytes");
        return;
    }
    pid = linux_call(LINUX_LABEL_RUN, req->payload, req->length, 2000000);
    if (pid <= 0) {
        link_error(req, PROTO_ERR_BAD_STATE, pid < -1 ? "the Linux server cannot start a shell"
                                                      : "the Linux server did not answer");
        return;
    }
    link_ack(req, (uint32_t)pid);
}
LINK_COMMAND(PROTO_MSG_SHELL, cmd_shell);

static void cmd_linux_stats(const struct proto_msg *req)
{
    struct l4_msg m = { { L4_TAG(LINUX_LABEL_STATS, 0, 0) } };
    struct proto_linux_stats_info info;
    struct proto_unknown_syscall unknown[(L4_MR_COUNT - 1 - LINUX_STATS_WORDS) / 2];
    struct l4_utcb *u = l4_utcb();
    uint32_t err, n, w[L4_MR_COUNT];

    if (!linux_server) {
        link_error(req, PROTO_ERR_BAD_STATE, "no Linux server in this image");
        return;
    }
    linux_ipc(&m, 2000000, &err);
    n = L4_TAG_UNTYPED(m.mr[0]);
    if (err || n < LINUX_STATS_WORDS || n >= L4_MR_COUNT) {
        link_error(req, PROTO_ERR_BAD_STATE, "the Linux server did not answer");
        return;
    }
    for (uint32_t i = 1; i <= n; i++)
        w[i] = i < L4_MR_IN_REGISTERS ? m.mr[i] : u->mr[i];
    info.processes = (uint16_t)w[1];
    info.zombies = (uint16_t)(w[1] >> 16);
    info.frames_free = w[2];
    info.frames_total = w[3];
    info.syscalls = w[4];
    info.page_faults = w[5];
    info.oom_kills = w[6];
    n = (n - LINUX_STATS_WORDS) / 2;
    for (uint32_t i = 0; i < n; i++) {
        unknown[i].nr = w[LINUX_STATS_WORDS + 1 + 2 * i];
        unknown[i].count = w[LINUX_STATS_WORDS + 2 + 2 * i];
    }
    link_send(PROTO_MSG_LINUX_STATS_INFO, req->seq, &info, sizeof info, unknown, n * sizeof unknown[0]);
}
LINK_COMMAND(PROTO_MSG_LINUX_STATS, cmd_linux_stats);

static void cmd_console_in(const struct proto_msg *req)
{
    uint32_t n = req->length < CONSOLE_MAX_WRITE ? req->length : CONSOLE_MAX_WRITE;
    int32_t took;

    if (!linux_server) {
        link_error(req, PROTO_ERR_BAD_STATE, "no Linux server in this image");
        return;
    }
    /* a short wait only: the server may be writing to us at this very moment */
    took = linux_call(CONSOLE_LABEL_INPUT, req->payload, n, 50000);
    link_ack(req, took > 0 ? (uint32_t)took : 0);
}
LINK_COMMAND(PROTO_MSG_CONSOLE_IN, cmd_console_in);

/* Ctrl-C on the host (SIGINT), or the host leaving a shell it started (SIGHUP: a hangup). */
static void cmd_linux_signal(const struct proto_msg *req)
{
    const struct proto_linux_signal *q = (const void *)req->payload;
    struct l4_msg m = { { L4_TAG(LINUX_LABEL_SIGNAL, 2, 0), q->pid, q->signal } };
    uint32_t err;

    if (!linux_server) {
        link_error(req, PROTO_ERR_BAD_STATE, "no Linux server in this image");
        return;
    }
    if (linux_ipc(&m, 2000000, &err) || err || L4_TAG_UNTYPED(m.mr[0]) < 1) {
        link_error(req, PROTO_ERR_BAD_STATE, "the Linux server did not answer");
        return;
    }
    if ((int32_t)m.mr[1] < 0) {
        link_error(req, PROTO_ERR_BAD_STATE, "no such shell, or no such signal");
        return;
    }
    link_ack(req, m.mr[1]);
}
LINK_COMMAND(PROTO_MSG_LINUX_SIGNAL, cmd_linux_signal);

/* Have the root task delete a server's domain and start an image in it (the same server
 * again, or a standby module in its place).  The Linux server's IDs stay what they were. */
static void cmd_restart(const struct proto_msg *req)
{
    const struct proto_restart *q = (const void *)req->payload;
    char server[sizeof q->server + 1] = { 0 }, image[sizeof q->image + 1] = { 0 };
    struct l4_msg m = { { L4_TAG(ROOT_LABEL_RESTART, 2, 0) } };
    uint32_t err;
    int d, i;

    memcpy(server, q->server, sizeof q->server);
    memcpy(image, q->image, sizeof q->image);
    d = l4_module_index(server);
    i = image[0] ? l4_module_index(image) : d;
    if (d < 2 || i < 2) {
        link_error(req, PROTO_ERR_BAD_STATE, "no such server or image in this image");
        return;
    }
    m.mr[1] = (uint32_t)d;
    m.mr[2] = (uint32_t)i;
    l4_ipc(l4_kip()->root_task, l4_kip()->root_task, L4_NEVER, 10000000, &m, &err);
    if (err || L4_TAG_UNTYPED(m.mr[0]) < 1 || m.mr[1]) {
        char why[64];
        fmt(why, sizeof why, "the root task refused: error %u/%u", err, err ? 0 : m.mr[1]);
        link_error(req, PROTO_ERR_BAD_STATE, why);
        return;
    }
    link_ack(req, 0);
}
LINK_COMMAND(PROTO_MSG_RESTART, cmd_restart);

/* Find the test servers and have each map its window here. */
static void servers_connect(void)
{
    for (unsigned i = 0; i < SERVERS; i++) {
        int k = l4_module_index(servers[i].module);
        struct l4_msg m = { { L4_TAG(KTEST_CONNECT, 0, 0) } };
        uint32_t err;

        if (k < 0)
            continue;
        l4_utcb()->br[0] = L4_FPAGE((uint32_t)servers[i].window, KTEST_SHARED_LOG2,
                                    L4_READ | L4_WRITE);
        l4_ipc(L4_MODULE_TID(k), L4_MODULE_TID(k), L4_NEVER, 5000000, &m, &err);
        l4_utcb()->br[0] = L4_NILPAGE;
        if (!err && L4_TAG_TYPED(m.mr[0]))
            servers[i].tid = L4_MODULE_TID(k);
    }
}

/* Confirm the image we run from: program the confirm word of its slot, when every test server
 * present answered.  The slot's first page is the one part of the slots sigma0 gives out. */
static void confirm_boot(void)
{
    const struct l4_kip *kip = l4_kip();
    const uint32_t mark = PROTO_IMAGE_CONFIRM_MARK;
    uint32_t base = kip->slots_base + kip->boot_slot * kip->slot_size;
    volatile const uint32_t *word = (const uint32_t *)(base + PROTO_IMAGE_CONFIRM_OFFSET);
    char text[80];

    if (kip->boot_slot >= kip->slot_count)
        return;                             /* not started from a slot */
    for (unsigned i = 0; i < SERVERS; i++) {
        if (servers[i].tid == L4_NILTHREAD && l4_module_index(servers[i].module) >= 0) {
            fmt(text, sizeof text, "debugd: %s did not answer: slot %u stays unconfirmed",
                servers[i].module, kip->boot_slot);
            link_log(PROTO_LOG_ERROR, text);
            return;
        }
    }
    if (l4_sigma0_request(L4_FPAGE(base, 12, L4_READ | L4_WRITE), L4_COMPLETE)) {
        link_log(PROTO_LOG_ERROR, "debugd: sigma0 refused the slot's page: boot not confirmed");
        return;
    }
    if (*word == mark)
        return;
    int err = flash_program((uint32_t)word, &mark, 1);
    if (err || *word != mark)
        fmt(text, sizeof text, "debugd: slot %u: the confirm word did not program (error %d)", kip->boot_slot, err);
    else
        fmt(text, sizeof text, "debugd: slot %u confirmed", kip->boot_slot);
    link_log(*word == mark ? PROTO_LOG_INFO : PROTO_LOG_ERROR, text);
}

int main(void)
{
    l4_tid_t irq = L4_IRQ_TID(BOARD_IRQ_UART);
    struct l4_msg m = { { 0 } };
    uint32_t err;
    int c;

    if (l4_sigma0_request(L4_FPAGE(BOARD_UART_BASE, 12, L4_READ | L4_WRITE), L4_COMPLETE) ||
        l4_interrupt_control(BOARD_IRQ_UART, L4_IRQ_ATTACH)) {
        l4_puts("debugd: cannot get the UART");
        return 1;
    }
    uart_rx_irq_enable();
    servers_connect();
    int k = l4_module_index("linux");
    if (k >= 0)
        linux_server = L4_TID(L4_TID_NUMBER(L4_MODULE_TID(k)) + LINUX_THREAD_INTERRUPT, 1);
    confirm_boot();                         /* before INFO: a host that sees us sees it done */
    send_info(0);
    link_log(PROTO_LOG_INFO, "debugd: ready");

    /* Wait for the UART's interrupt or a server's message; answer it; repeat.  Replying to the
     * interrupt's ID unmasks the line once the FIFO is drained. */
    l4_tid_t from = irq;
    for (;;) {
        if (from == irq) {
            while ((c = uart_getc()) >= 0)
                link_rx_byte((uint8_t)c);
        } else if (L4_TAG_LABEL(m.mr[0]) == CONSOLE_LABEL_WRITE) {
            console_out(&m, 0);
        } else if (L4_TAG_LABEL(m.mr[0]) == LINUX_LABEL_LOG) {
            console_out(&m, 1);
        } else if (L4_TAG_LABEL(m.mr[0]) == LINUX_LABEL_EXITED) {
            struct proto_linux_exit e = { .pid = m.mr[1], .status = m.mr[2] };
            link_send(PROTO_MSG_LINUX_EXIT, 0, &e, sizeof e, NULL, 0);
        }
        m.mr[0] = 0;
        from = l4_ipc(from, L4_ANYTHREAD, L4_ZERO, L4_NEVER, &m, &err);
        if (err)
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    }
}
