/*
 * The root task: sets the system's policy and starts every boot module after sigma0 and
 * itself, each in a domain of its own (kernel/domain.h), and is their pager.
 *
 * The policy (`policies` below) says, per module: whom its threads may send IPC to, the highest
 * priority they may have, whether they may inspect the kernel, how much kernel memory and how
 * many spaces it gets, which interrupt lines it may attach, and what sigma0 may give it (RAM
 * pages, a device window, the root file system's flash).  Module i's domain is domain i and owns
 * the thread numbers L4_MODULE_TID(i) and the 31 after it; the last module's run to the end of
 * the thread table (the Linux server's processes).
 *
 * A fault inside a module's image is answered with a private copy of the image's page, so the
 * image stays as it was built and a module can be started again; any other fault, and every
 * exception, is refused and reported, and the thread stays stopped.
 *
 * On request of the debug agent (ROOT_LABEL_RESTART) it deletes a module's domain — every space
 * and thread in it, and what sigma0 gave it — and starts a module image there afresh: the same
 * one (the Linux server killed and restarted), or a standby one with the same rights (a test's
 * hostile server in the Linux server's place).
 */
#include "board.h"
#include "l4.h"
#include "lib/string.h"

struct policy {
    const char *name;
    const char *reaches[3];     /* besides its own and the root domain (sigma0, us) */
    uint32_t max_prio;
    uint32_t rights;            /* L4_DR_* */
    uint32_t kmem;              /* kernel memory, bytes */
    uint32_t spaces;
    uint32_t ram_pages;         /* from sigma0 */
    uint32_t dev_base, dev_size;
    uint32_t sigma0_flags;
    struct { uint32_t first, count; } irqs[3];  /* lines it may attach */
};

/* The debug agent talks to every server; the modem only to the debug agent; the Linux server
 * to the debug agent and its own processes, below every modem task, with no interrupt line,
 * no device but the real-time clock (read only) and the persistent disk's flash, and no look
 * into the kernel. */
static const struct policy policies[] = {
    { "debugd", { "ktest", "modem", "linux" }, 150, L4_DR_DEBUG, 256u << 10, 2, 64,
      BOARD_UART_BASE, L4_PAGE_SIZE, SIGMA0_ALLOW_SLOTS, { { BOARD_IRQ_UART, 1 } } },
    /* the kernel's tests, and their lines (SPIs no device uses) */
    { "ktest", { "debugd" }, 255, L4_DR_DEBUG, 1u << 20, 64, 256, 0, 0, 0, { { 120, 3 } } },
    /* the frame clock (the user timer), the radio link (a virtio transport, on a board that has
     * one), and the line its RTOS tests use */
    { "modem", { "debugd" }, 200, L4_DR_DEBUG, 512u << 10, 2, 1024,
#ifdef BOARD_VIRTIO_BASE
      BOARD_VIRTIO_BASE, BOARD_VIRTIO_COUNT * BOARD_VIRTIO_STRIDE, 0,
      { { BOARD_IRQ_VTIMER, 1 }, { BOARD_IRQ_VIRTIO0, BOARD_VIRTIO_COUNT }, { 123, 1 } } },
#else
      0, 0, 0, { { BOARD_IRQ_VTIMER, 1 }, { 123, 1 }, { 0, 0 } } },
#endif
    /* the real-time clock, read for the wall clock (on a board that has one) */
    { "linux", { "debugd" }, 100, 0, 8u << 20, 200, 16384 + 256,
#ifdef BOARD_RTC_BASE
      BOARD_RTC_BASE, L4_PAGE_SIZE,
#else
      0, 0,
#endif
      SIGMA0_ALLOW_ROOTFS | SIGMA0_ALLOW_DATA, { { 0, 0 } } },
};

#define MAX_COPIES  8192u                   /* module pages we hold copies of: 32 MiB */

static uint32_t copy_phys[MAX_COPIES];      /* a page of ours ... */
static uint8_t copy_domain[MAX_COPIES];     /* ... given to this domain (0: free for reuse) */
static unsigned ncopies;
static uint8_t image_in[L4_MAX_DOMAINS];    /* which module image runs in each domain */
static uint32_t domain_end[L4_MAX_DOMAINS]; /* one past its last thread number */
static l4_tid_t debugd;

static void report(const char *what, l4_tid_t t, uint32_t a, uint32_t b)
{
    char text[96];

    fmt(text, sizeof text, "root: %s thread %x at %08x (pc %08x)", what, t, a, b);
    l4_puts(text);
}

static const struct policy *policy_of(const struct boot_module *m)
{
    for (unsigned i = 0; i < sizeof policies / sizeof policies[0]; i++)
        if (strnlen((const char *)m->name, 16) == strlen(policies[i].name) &&
            memcmp(m->name, policies[i].name, strlen(policies[i].name)) == 0)
            return &policies[i];
    return NULL;
}

/* The domain thread `t` lives in: module slot i's thread numbers (the root domain's are 0, 1). */
static unsigned domain_of(l4_tid_t t)
{
    uint32_t n = L4_TID_NUMBER(t);

    for (unsigned d = 2; d < l4_kip()->boot.count; d++)
        if (n >= L4_TID_NUMBER(L4_MODULE_TID(d)) && n < domain_end[d])
            return d;
    return 0;
}

static uint32_t space_control(uint32_t op, uint32_t a1, const uint32_t args[7])
{
    uint32_t regs[13] = { op, a1 };

    if (args) {
        memcpy(&regs[2], args, 5 * sizeof *args);
        regs[8] = args[5];
        regs[9] = args[6];
    }
    regs[7] = L4_SYS_SPACE_CONTROL;
    l4_syscall_regs(regs);
    return regs[1];
}

static uint32_t sigma0_call(uint32_t label, const uint32_t *words, unsigned n)
{
    struct l4_msg m = { { L4_TAG(label, n, 0) } };
    uint32_t err;

    memcpy(&m.mr[1], words, n * sizeof *words);
    l4_ipc(l4_kip()->sigma0, l4_kip()->sigma0, L4_NEVER, L4_NEVER, &m, &err);
    return err ? 0 : m.mr[1];
}

/* Configure domain `d` (module slot d) by the policy of the module named like it. */
static int configure(unsigned d, const struct policy *p)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t first = L4_TID_NUMBER(L4_MODULE_TID(d)), reach = 1u << L4_ROOT_DOMAIN, err;
    uint32_t count = d + 1 == kip->boot.count || (d + 1 < kip->boot.count &&
                     (kip->boot.modules[d + 1].flags & BOOT_MODULE_STANDBY)) ?
                     L4_FIRST_THREAD + L4_THREAD_SLOTS - first : L4_MODULE_THREADS;

    for (unsigned k = 0; k < 3 && p->reaches[k]; k++) {
        int j = l4_module_index(p->reaches[k]);
        if (j >= 0)
            reach |= 1u << j;
    }
    uint32_t args[7] = { first, count, reach, p->max_prio, p->rights, p->kmem, p->spaces };
    err = space_control(L4_SC_DOMAIN, d, args);
    if (err) {
        report("cannot configure the domain of", L4_MODULE_TID(d), err, 0);
        return -1;
    }
    domain_end[d] = first + count;
    uint32_t s0[6] = { first, count, p->ram_pages, p->dev_base, p->dev_size, p->sigma0_flags };
    if (!sigma0_call(SIGMA0_LABEL_POLICY, s0, 6)) {
        report("sigma0 refused the memory policy of", L4_MODULE_TID(d), p->ram_pages, 0);
        return -1;
    }
    for (unsigned k = 0; k < 3; k++)
        for (uint32_t i = 0; i < p->irqs[k].count; i++)
            l4_interrupt_control_domain(p->irqs[k].first + i, d);
    return 0;
}

/* Start module image `image` in domain `d` (its first thread number). */
static uint32_t start(unsigned d, unsigned image)
{
    const struct boot_module *m = &l4_kip()->boot.modules[image];
    const struct policy *p = policy_of(&l4_kip()->boot.modules[d]);
    l4_tid_t t = L4_MODULE_TID(d);
    uint32_t flags = (m->flags & BOOT_MODULE_PRIVILEGED ? L4_TC_PRIVILEGED : 0) |
                     (m->flags & BOOT_MODULE_FOREIGN_ABI ? L4_TC_FOREIGN_ABI : 0);
    uint32_t err;

    image_in[d] = (uint8_t)image;
    err = l4_thread_control(t, t, l4_myself(), l4_myself(), l4_myself(), flags);
    if (!err)
        err = l4_schedule(t, p && m->prio > p->max_prio ? p->max_prio : m->prio, L4_TC_KEEP);
    if (!err) {
        l4_set_name(t, (const char *)m->name);
        err = l4_start(t, 0, m->entry);
    }
    if (err)
        report("cannot start", t, err, m->entry);
    return err;
}

/* A page of ours for domain `d`: one a deleted domain had, or a new one from sigma0. */
static uint32_t copy_page(unsigned d)
{
    unsigned i;

    for (i = 0; i < ncopies && copy_domain[i]; i++)
        ;
    if (i == ncopies) {
        if (ncopies == MAX_COPIES || !(copy_phys[i] = l4_sigma0_page()))
            return 0;
        ncopies++;
    }
    copy_domain[i] = (uint8_t)d;
    return copy_phys[i];
}

/* The reply to a page fault at `addr` by `t`: a copy of the module image's page (zeroes past
 * the image), or a refusal. */
static void page_fault(l4_tid_t t, uint32_t addr, uint32_t pc, struct l4_msg *m)
{
    const struct l4_kip *kip = l4_kip();
    unsigned d = domain_of(t);
    const struct boot_module *mod = d ? &kip->boot.modules[image_in[d]] : NULL;
    uint32_t page = addr & ~(L4_PAGE_SIZE - 1), phys, off;

    if (mod && page >= mod->vbase && (off = page - mod->vbase) < mod->size &&
        (phys = copy_page(d)) != 0) {
        if (off < mod->image_size &&
            l4_sigma0_request(L4_FPAGE(mod->phys + off, 12, L4_READ), L4_COMPLETE) == 0) {
            uint32_t n = mod->image_size - off < L4_PAGE_SIZE ? mod->image_size - off : L4_PAGE_SIZE;
            memcpy((void *)phys, (const void *)(mod->phys + off), n);
            memset((void *)(phys + n), 0, L4_PAGE_SIZE - n);
        } else {
            memset((void *)phys, 0, L4_PAGE_SIZE);
        }
        m->mr[0] = L4_TAG(0, 0, 2);
        m->mr[1] = page | L4_ITEM_MAP;
        m->mr[2] = L4_FPAGE(phys, 12, L4_RWX);
        return;
    }
    report("refused page fault of", t, addr, pc);
    m->mr[0] = L4_TAG(L4_LABEL_STOP, 0, 0);
}

/* ROOT_LABEL_RESTART: delete domain `d` and start `image` there.  0, or an l4 error. */
static uint32_t restart(unsigned d, unsigned image)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t err, first = L4_TID_NUMBER(L4_MODULE_TID(d));

    if (d < 2 || d >= kip->boot.count || !domain_end[d] || image < 2 || image >= kip->boot.count ||
        (kip->boot.modules[image].flags & BOOT_MODULE_DATA) || l4_kip()->boot.modules[d].flags & BOOT_MODULE_STANDBY)
        return L4_ERR_INVALID_ARGUMENT;
    err = space_control(L4_SC_DELETE_DOMAIN, d, NULL);
    if (err)
        return err;
    sigma0_call(SIGMA0_LABEL_RELEASE, &first, 1);
    for (unsigned i = 0; i < ncopies; i++)
        if (copy_domain[i] == d)
            copy_domain[i] = 0;             /* its mappings went with its spaces */
    return start(d, image);
}

int main(void)
{
    const struct l4_kip *kip = l4_kip();
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from;
    int k = l4_module_index("debugd");

    debugd = k >= 0 ? L4_MODULE_TID(k) : L4_NILTHREAD;
    for (unsigned i = 2; i < kip->boot.count; i++) {
        const struct boot_module *mod = &kip->boot.modules[i];
        const struct policy *p = policy_of(mod);
        if (mod->flags & (BOOT_MODULE_DATA | BOOT_MODULE_STANDBY))
            continue;
        if (!p) {
            report("no policy: not starting", L4_MODULE_TID(i), i, 0);
            continue;
        }
        if (configure(i, p) == 0)
            start(i, i);
    }

    from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
    for (;;) {
        uint32_t label = L4_TAG_LABEL(m.mr[0]);

        if (err) {
            from = l4_receive(L4_ANYTHREAD, &m, L4_NEVER, &err);
            continue;
        }
        if ((label & 0xfff0u) == L4_LABEL_PAGEFAULT) {
            page_fault(from, m.mr[1], m.mr[2], &m);
        } else if (label == L4_LABEL_EXCEPTION || label == L4_LABEL_SYSCALL) {
            report("stopped after an exception:", from, l4_utcb()->mr[L4_EXC_FAR],
                   l4_utcb()->mr[L4_EXC_PC]);
            m.mr[0] = L4_TAG(L4_LABEL_STOP, 0, 0);
        } else if (label == ROOT_LABEL_RESTART) {
            uint32_t e = from != debugd ? L4_ERR_NO_PRIVILEGE : L4_TAG_UNTYPED(m.mr[0]) < 2 ?
                         L4_ERR_INVALID_ARGUMENT : restart(m.mr[1], m.mr[2]);
            m.mr[0] = L4_TAG(0, 1, 0);
            m.mr[1] = e;
        } else {
            m.mr[0] = L4_TAG(0, 0, 0);
        }
        from = l4_reply_wait(from, &m, &err);
    }
}
