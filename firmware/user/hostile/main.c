/*
 * A hostile server: a test module the root task starts in the Linux server's place, in its
 * domain and with exactly its rights (tests/target/test_isolation.py, `rig modem stress
 * hostile-server`).  It tries what an attacker who owns the Linux server could try against the
 * modem, the kernel and the rest of the system, and reports each attempt and what the kernel
 * (or sigma0, or the root task) answered, one line each:
 *
 *     hostile: <attempt>: refused <how> | SUCCEEDED <what>
 *
 * then, as it goes on: spins at the highest priority it may have, floods the kernel with IPC
 * and creates spaces until its kernel memory runs out, and says how far each got.  The last
 * line is "hostile: done: N attempts, M refused".  It never stops by itself: the harness
 * restarts the Linux server in its place.
 */
#include "board.h"
#include "l4.h"
#include "lib/string.h"

static const char *const errors[] = {
    "OK", "TIMEOUT", "NO_PARTNER", "CANCELED", "OVERFLOW", "NO_PRIVILEGE", "INVALID_THREAD",
    "INVALID_SPACE", "INVALID_ARGUMENT", "NO_MEMORY", "BAD_SYSCALL", "BUSY",
};

static unsigned attempts, refused;
static l4_tid_t me;
static uint32_t my_first, my_end;           /* our domain's thread numbers */

static const char *error_name(uint32_t e)
{
    return e < sizeof errors / sizeof errors[0] ? errors[e] : "?";
}

static void say(const char *text)
{
    char line[120];

    fmt(line, sizeof line, "hostile: %s", text);
    l4_puts(line);
}

/* One attempt: refused when `err` is an error. */
static void attempt(const char *what, uint32_t err)
{
    char line[120];

    attempts++;
    if (err) {
        refused++;
        fmt(line, sizeof line, "%s: refused %s", what, err == L4_ERR_NO_MEMORY && strlen(what) > 7 &&
            memcmp(what, "sigma0:", 7) == 0 ? "(no mapping)" : error_name(err));
    } else {
        fmt(line, sizeof line, "%s: SUCCEEDED", what);
    }
    say(line);
}

static uint32_t syscall(uint32_t number, uint32_t regs[13])
{
    regs[7] = number;
    l4_syscall_regs(regs);
    return regs[1];
}

/* IPC to every thread ID of the modem's we can guess: each of its numbers, versions 1 to 4. A
 * thread that exists must refuse us; one that does not is no partner.  Refused when no send
 * got through. */
static void ipc_modem(uint32_t first)
{
    unsigned sent = 0, privilege = 0, tries = 0;
    char what[96];

    for (uint32_t n = first; n < first + L4_MODULE_THREADS; n++)
        for (uint32_t v = 1; v <= 4; v++) {
            struct l4_msg m = { { L4_TAG(0x1234, 2, 0), 0xdead, 0xbeef } };
            uint32_t err;
            l4_ipc(L4_TID(n, v), L4_NILTHREAD, L4_ZERO, L4_ZERO, &m, &err);
            tries++;
            if (!err)
                sent++;
            else if (L4_IPC_ERROR_CODE(err) == L4_ERR_NO_PRIVILEGE)
                privilege++;
        }
    fmt(what, sizeof what, "IPC to %u guessed modem thread IDs (%u live ones said NO_PRIVILEGE)", tries,
        privilege);
    attempt(what, sent ? 0 : L4_ERR_NO_PRIVILEGE);
}

/* The system calls that act on another thread, aimed at the modem's first thread. */
static void control_modem(l4_tid_t modem, uint32_t first)
{
    uint32_t r[13];

    attempt("ThreadControl: make us the modem's pager",
            l4_thread_control(modem, modem, L4_TC_KEEP, me, L4_TC_KEEP, L4_TC_KEEP));
    attempt("ThreadControl: delete the modem's thread",
            l4_thread_control(modem, L4_NILTHREAD, 0, 0, 0, 0));
    attempt("ThreadControl: a new thread in the modem's space",
            l4_thread_control(L4_TID(first + 30, 7), modem, me, me, me, L4_TC_PRIVILEGED));
    attempt("ThreadControl: a thread numbered in the modem's range",
            l4_thread_control(L4_TID(first + 31, 7), L4_TID(first + 31, 7), me, me, me, 0));
    attempt("ThreadControl: our pager set to a modem thread",
            l4_thread_control(me, me, L4_TC_KEEP, modem, L4_TC_KEEP, L4_TC_KEEP));
    r[0] = L4_SC_DELETE;
    r[1] = modem;
    attempt("SpaceControl: delete the modem's space", syscall(L4_SYS_SPACE_CONTROL, r));
    r[0] = L4_SC_DELETE_DOMAIN;
    r[1] = (uint32_t)l4_module_index("modem");
    attempt("SpaceControl: delete the modem's domain", syscall(L4_SYS_SPACE_CONTROL, r));
    r[0] = L4_SC_DOMAIN;
    r[1] = (uint32_t)l4_module_index("linux");
    r[2] = L4_FIRST_THREAD;
    r[3] = L4_THREAD_SLOTS;
    r[4] = ~0u;
    r[5] = 255;
    r[6] = L4_DR_DEBUG;
    r[8] = L4_TC_KEEP;
    r[9] = 255;
    attempt("SpaceControl: give our domain every right", syscall(L4_SYS_SPACE_CONTROL, r));
    attempt("Schedule: the modem's thread to priority 0", l4_schedule(modem, 0, L4_TC_KEEP));
    attempt("Schedule: ourselves above the modem (255)", l4_schedule(me, 255, L4_TC_KEEP));
    attempt("ExchangeRegisters: halt the modem's thread",
            l4_exchange_registers(modem, L4_XR_HALT, 0, 0, 0));
    r[0] = modem;
    r[1] = L4_XR_PC;
    r[3] = 0;
    attempt("ExchangeRegisters: move the modem's pc", syscall(L4_SYS_EXCHANGE_REGISTERS, r));
    r[0] = me;
    r[1] = L4_XR_PAGER;
    r[6] = modem;
    attempt("ExchangeRegisters: our pager set to a modem thread", syscall(L4_SYS_EXCHANGE_REGISTERS, r));
}

/* Memory that is not ours: the modem's image and devices, the kernel's, the interrupt
 * controller, RAM beyond our quota; and Unmap of what we do not hold. */
static void memory(const struct boot_module *modem)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t taken = 0;
    char what[96];

    attempt("sigma0: the modem's image (its code and data)",
            l4_sigma0_request(L4_FPAGE(modem->phys, 12, L4_RWX), L4_COMPLETE));
#ifdef BOARD_VIRTIO_BASE
    attempt("sigma0: the radio link's registers (virtio)",
            l4_sigma0_request(L4_FPAGE(BOARD_VIRTIO_BASE, 12, L4_READ | L4_WRITE), L4_COMPLETE));
#endif
    attempt("sigma0: the debug link's UART (debugd's)",
            l4_sigma0_request(L4_FPAGE(BOARD_UART_BASE, 12, L4_READ | L4_WRITE), L4_COMPLETE));
    attempt("sigma0: the kernel's memory",
            l4_sigma0_request(L4_FPAGE(kip->kernel_base, 12, L4_RWX), L4_COMPLETE));
    attempt("sigma0: the device window's first page",
            l4_sigma0_request(L4_FPAGE(kip->device_base, 12, L4_READ | L4_WRITE), L4_COMPLETE));
    attempt("sigma0: an image slot's header and boot state (flash)",
            l4_sigma0_request(L4_FPAGE(kip->slots_base, 12, L4_READ | L4_WRITE), L4_COMPLETE));
    attempt("sigma0: a 64 MiB block at once",
            l4_sigma0_request(L4_FPAGE(kip->free_base, 26, L4_RWX), L4_COMPLETE));
    while (l4_sigma0_page())
        taken++;
    fmt(what, sizeof what, "sigma0: RAM past our quota (after %u pages)", taken);
    attempt(what, l4_sigma0_page() ? 0 : L4_ERR_NO_MEMORY);
    /* Unmap only ever reaches the caller's own mappings and those derived from them: the
     * modem's stay (the harness checks it still runs) */
    l4_unmap(L4_FPAGE(modem->vbase, 24, L4_RWX), 0);
    l4_unmap(L4_FPAGE(0, 32, L4_RWX), 0);
    say("Unmap: whatever is mapped at the modem's addresses, and everything: done, on our own mappings only");
}

/* Touch `addr` from a thread of ours whose pager is us: what comes back is the kernel's fault
 * message (we refuse it, and the thread stops). */
static uint32_t probe_addr;
static uint32_t probe_stack[256] __attribute__((aligned(8)));

static void probe_main(void)
{
    volatile uint32_t *p = (volatile uint32_t *)probe_addr;

    *p = *p + 1;
    for (;;)
        l4_receive(l4_myself(), &(struct l4_msg){ { 0 } }, L4_NEVER, &(uint32_t){ 0 });
}

static void touch(const char *what, uint32_t addr, l4_tid_t probe)
{
    struct l4_msg m = { { 0 } };
    uint32_t err, label;
    char line[96];

    probe_addr = addr;
    if (l4_thread_control(probe, me, me, me, me, 0) || l4_schedule(probe, 50, L4_TC_KEEP) ||
        l4_start(probe, (uint32_t)(probe_stack + 256), (uint32_t)probe_main)) {
        say("cannot start the probe thread");
        return;
    }
    l4_receive(probe, &m, 1000000, &err);
    label = L4_TAG_LABEL(m.mr[0]);
    fmt(line, sizeof line, "%s %08x: %s", what, addr, err ? "no fault message" :
        (label & 0xfff0u) == L4_LABEL_PAGEFAULT ? "faults (not mapped for us)" :
        label == L4_LABEL_EXCEPTION ? "faults (the kernel's, not user memory)" : "came back");
    attempts++;
    if (!err && ((label & 0xfff0u) == L4_LABEL_PAGEFAULT || label == L4_LABEL_EXCEPTION))
        refused++;
    else
        fmt(line + strlen(line), sizeof line - strlen(line), ": SUCCEEDED");
    say(line);
    l4_thread_control(probe, L4_NILTHREAD, 0, 0, 0, 0);
}

static void interrupts(void)
{
    l4_tid_t line;

    attempt("InterruptControl: attach the frame clock (user timer)",
            l4_interrupt_control(BOARD_IRQ_VTIMER, L4_IRQ_ATTACH));
#ifdef BOARD_IRQ_VIRTIO0
    attempt("InterruptControl: attach the radio link's line",
            l4_interrupt_control(BOARD_IRQ_VIRTIO0 + BOARD_VIRTIO_COUNT - 1, L4_IRQ_ATTACH));
#endif
    attempt("InterruptControl: attach the debug link's line",
            l4_interrupt_control(BOARD_IRQ_UART, L4_IRQ_ATTACH));
    attempt("InterruptControl: detach the frame clock", l4_interrupt_control(BOARD_IRQ_VTIMER, L4_IRQ_DETACH));
    attempt("InterruptControl: arm the frame clock", l4_timer_arm(BOARD_IRQ_VTIMER, 0));
    attempt("InterruptControl: give the frame clock to our domain",
            l4_interrupt_control_domain(BOARD_IRQ_VTIMER, (uint32_t)l4_module_index("linux")));
    line = L4_IRQ_TID(BOARD_IRQ_VTIMER);
    {
        struct l4_msg m = { { 0 } };
        uint32_t err;
        l4_ipc(line, L4_NILTHREAD, L4_ZERO, L4_ZERO, &m, &err);
        attempt("IPC: acknowledge (unmask) the frame clock's line", err ? L4_IPC_ERROR_CODE(err) : 0);
    }
    attempt("KDebug: inject the frame clock's interrupt", l4_kdebug(L4_KD_INJECT_IRQ, BOARD_IRQ_VTIMER, 0, NULL));
    attempt("KDebug: read kernel memory", l4_kdebug(L4_KD_READ_KERNEL, 0x80000000u, 4, NULL));
    attempt("KDebug: stop the trace recorder", l4_kdebug(L4_KD_TRACE_CONTROL, 0, 0, NULL));
    attempt("KDebug: reset the board", l4_kdebug(L4_KD_RESET, 0, 0, NULL));
}

/* Ask the root task to restart the modem; only the debug agent may. */
static void root_restart(int modem_index)
{
    struct l4_msg m = { { L4_TAG(ROOT_LABEL_RESTART, 2, 0), (uint32_t)modem_index, (uint32_t)modem_index } };
    uint32_t err;

    l4_ipc(l4_kip()->root_task, l4_kip()->root_task, 1000000, 1000000, &m, &err);
    attempt("root task: restart the modem", err ? L4_IPC_ERROR_CODE(err) : m.mr[1]);
}

/* New spaces, one thread each, until the kernel says no. */
static void exhaust(void)
{
    unsigned made = 0;
    uint32_t err = 0;
    char line[96];

    for (uint32_t n = my_first + 8; n < my_end; n++) {
        err = l4_thread_control(L4_TID(n, 1), L4_TID(n, 1), me, me, me, 0);
        if (err)
            break;
        made++;
    }
    fmt(line, sizeof line, "kernel memory: %u spaces made, then %s", made, error_name(err));
    say(line);
}

/* A second thread we ping-pong with: the IPC flood. */
static uint32_t echo_stack[256] __attribute__((aligned(8)));

static void echo_main(void)
{
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);

    for (;;)
        from = l4_reply_wait(from, &m, &err);
}

int main(void)
{
    const struct l4_kip *kip = l4_kip();
    int mi = l4_module_index("modem");
    l4_tid_t echo = L4_TID(L4_TID_NUMBER(l4_myself()) + 2, 1);
    char line[96];
    int flood;

    me = l4_myself();
    my_first = L4_TID_NUMBER(me);
    my_end = L4_FIRST_THREAD + L4_THREAD_SLOTS;
    say("started in the Linux server's place");
    if (mi >= 0) {
        const struct boot_module *modem = &kip->boot.modules[mi];
        uint32_t first = L4_TID_NUMBER(L4_MODULE_TID(mi));
        ipc_modem(first);
        control_modem(L4_MODULE_TID(mi), first);
        memory(modem);
        /* (the modem's own addresses are ours too: every space starts at the same base) */
        touch("write the modem's image in RAM at", modem->phys, L4_TID(my_first + 1, 1));
        touch("write the modem's first page of data at", modem->phys + modem->image_size - L4_PAGE_SIZE,
              L4_TID(my_first + 1, 1));
        touch("write the kernel at", 0x80000000u, L4_TID(my_first + 1, 1));
        touch("write the kernel's memory in RAM at", kip->kernel_base, L4_TID(my_first + 1, 1));
        interrupts();
        root_restart(mi);
    }
    /* the flood's partner first: the kernel memory is about to run out */
    flood = l4_thread_control(echo, me, me, me, me, 0) == 0 && l4_schedule(echo, 100, L4_TC_KEEP) == 0 &&
            l4_start(echo, (uint32_t)(echo_stack + 256), (uint32_t)echo_main) == 0;
    exhaust();
    fmt(line, sizeof line, "done: %u attempts, %u refused", attempts, refused);
    say(line);

    /* then flood the kernel with IPC at our highest priority, for as long as we run */
    l4_schedule(me, 100, L4_TC_KEEP);
    if (flood) {
        struct l4_msg m = { { 0 } };
        for (uint32_t n = 0;; n++) {
            m.mr[0] = L4_TAG(1, 1, 0);
            m.mr[1] = n;
            l4_call(echo, &m);
        }
    }
    for (;;)
        ;
}
