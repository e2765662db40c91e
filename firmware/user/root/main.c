/*
 * The root task: starts every boot module after sigma0 and itself, each in its own address
 * space, and is their pager: a fault inside a module's image is answered with the image's page
 * (asked of sigma0 first); any other fault, and every exception, is refused and reported, and
 * the thread stays stopped.
 */
#include "l4.h"
#include "lib/string.h"

static void report(const char *what, l4_tid_t t, uint32_t a, uint32_t b)
{
    char text[96];

    fmt(text, sizeof text, "root: %s thread %x at %08x (pc %08x)", what, t, a, b);
    l4_puts(text);
}

static const struct boot_module *module_of(l4_tid_t t)
{
    const struct l4_kip *kip = l4_kip();
    uint32_t i = (L4_TID_NUMBER(t) - L4_FIRST_THREAD) / L4_MODULE_THREADS;

    return i < kip->boot.count ? &kip->boot.modules[i] : NULL;
}

static void start(unsigned i)
{
    const struct boot_module *m = &l4_kip()->boot.modules[i];
    l4_tid_t t = L4_MODULE_TID(i);
    uint32_t flags = (m->flags & BOOT_MODULE_PRIVILEGED ? L4_TC_PRIVILEGED : 0) |
                     (m->flags & BOOT_MODULE_FOREIGN_ABI ? L4_TC_FOREIGN_ABI : 0);
    uint32_t err;

    err = l4_thread_control(t, t, l4_myself(), l4_myself(), l4_myself(), flags);
    if (!err)
        err = l4_schedule(t, m->prio, L4_TC_KEEP);
    if (!err) {
        l4_set_name(t, (const char *)m->name);
        err = l4_start(t, 0, m->entry);
    }
    if (err)
        report("cannot start", t, err, m->entry);
}

/* The reply to a page fault at `addr` by `t`: the module image's page, or a refusal. */
static void page_fault(l4_tid_t t, uint32_t addr, uint32_t pc, struct l4_msg *m)
{
    const struct boot_module *mod = module_of(t);
    uint32_t page = addr & ~(L4_PAGE_SIZE - 1), phys;

    if (mod && page >= mod->vbase && page - mod->vbase >= mod->image_size &&
        page - mod->vbase < mod->size) {
        /* bss beyond the image: a fresh page, zeroed here */
        struct l4_msg q = { { L4_TAG(SIGMA0_LABEL_REQUEST, 1, 0), L4_FPAGE(SIGMA0_ANY_PAGE, 12, L4_RWX) } };
        uint32_t err;
        l4_utcb()->br[0] = L4_COMPLETE;
        l4_ipc(l4_kip()->sigma0, l4_kip()->sigma0, L4_NEVER, L4_NEVER, &q, &err);
        l4_utcb()->br[0] = L4_NILPAGE;
        if (!err && L4_TAG_TYPED(q.mr[0])) {
            phys = L4_FPAGE_BASE(q.mr[2]);
            memset((void *)phys, 0, L4_PAGE_SIZE);
            m->mr[0] = L4_TAG(0, 0, 2);
            m->mr[1] = page | L4_ITEM_MAP;
            m->mr[2] = L4_FPAGE(phys, 12, L4_RWX);
            return;
        }
    } else if (mod && page >= mod->vbase && page - mod->vbase < mod->size) {
        phys = mod->phys + (page - mod->vbase);
        if (l4_sigma0_request(L4_FPAGE(phys, 12, L4_RWX), L4_COMPLETE) == 0) {
            m->mr[0] = L4_TAG(0, 0, 2);
            m->mr[1] = page | L4_ITEM_MAP;
            m->mr[2] = L4_FPAGE(phys, 12, L4_RWX);
            return;
        }
    }
    report("refused page fault of", t, addr, pc);
    m->mr[0] = L4_TAG(L4_LABEL_STOP, 0, 0);
}

int main(void)
{
    const struct l4_kip *kip = l4_kip();
    struct l4_msg m = { { 0 } };
    uint32_t err;
    l4_tid_t from;

    for (unsigned i = 2; i < kip->boot.count; i++)
        if (!(kip->boot.modules[i].flags & BOOT_MODULE_DATA))
            start(i);

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
        } else {
            m.mr[0] = L4_TAG(0, 0, 0);
        }
        from = l4_reply_wait(from, &m, &err);
    }
}
