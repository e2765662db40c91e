/* System call wrappers that are not worth inlining (see l4.h). */
#include "l4.h"
#include "lib/string.h"

static uint32_t call(uint32_t number, uint32_t r[13])
{
    r[7] = number;
    l4_syscall_regs(r);
    return r[1];
}

uint32_t l4_thread_control(l4_tid_t dest, l4_tid_t space, l4_tid_t scheduler, l4_tid_t pager,
                           l4_tid_t exc_handler, uint32_t flags)
{
    uint32_t r[13] = { dest, space, scheduler, pager, exc_handler, flags };
    return call(L4_SYS_THREAD_CONTROL, r);
}

uint32_t l4_exchange_registers(l4_tid_t dest, uint32_t control, uint32_t sp, uint32_t pc,
                               uint32_t tls)
{
    uint32_t r[13] = { dest, control, sp, pc, 0, 0, 0, 0, tls };
    return call(L4_SYS_EXCHANGE_REGISTERS, r);
}

uint32_t l4_start(l4_tid_t dest, uint32_t sp, uint32_t pc)
{
    return l4_exchange_registers(dest, L4_XR_SP | L4_XR_PC | L4_XR_RESUME, sp, pc, 0);
}

uint32_t l4_schedule(l4_tid_t dest, uint32_t prio, uint32_t timeslice_us)
{
    uint32_t r[13] = { dest, prio, timeslice_us };
    return call(L4_SYS_SCHEDULE, r);
}

uint32_t l4_thread_times(l4_tid_t dest, uint32_t *cpu_ms, uint32_t *served_ms)
{
    uint32_t r[13] = { dest, L4_TC_KEEP, L4_TC_KEEP };
    uint32_t err = call(L4_SYS_SCHEDULE, r);

    *cpu_ms = err ? 0 : r[3];
    *served_ms = err ? 0 : r[4];
    return err;
}

uint32_t l4_thread_switch(l4_tid_t dest)
{
    uint32_t r[13] = { dest };
    return call(L4_SYS_THREAD_SWITCH, r);
}

uint32_t l4_unmap(uint32_t fpage, uint32_t flags)
{
    uint32_t r[13] = { fpage, flags };
    return call(L4_SYS_UNMAP, r);
}

uint64_t l4_system_clock(void)
{
    uint32_t r[13] = { 0 };
    call(L4_SYS_SYSTEM_CLOCK, r);
    return (uint64_t)r[2] << 32 | r[0];
}

uint32_t l4_timer_arm(uint32_t irq, uint64_t deadline)
{
    uint32_t r[13] = { irq, L4_IRQ_TIMER_ARM, (uint32_t)deadline, (uint32_t)(deadline >> 32) };
    return call(L4_SYS_INTERRUPT_CONTROL, r);
}

uint32_t l4_timer_cancel(uint32_t irq)
{
    uint32_t r[13] = { irq, L4_IRQ_TIMER_CANCEL };
    return call(L4_SYS_INTERRUPT_CONTROL, r);
}

uint32_t l4_interrupt_control(uint32_t irq, uint32_t op)
{
    uint32_t r[13] = { irq, op };
    return call(L4_SYS_INTERRUPT_CONTROL, r);
}

uint32_t l4_interrupt_control_domain(uint32_t irq, uint32_t domain)
{
    uint32_t r[13] = { irq, L4_IRQ_ASSIGN, domain };
    return call(L4_SYS_INTERRUPT_CONTROL, r);
}

uint32_t l4_kdebug(uint32_t op, uint32_t a1, uint32_t a2, uint32_t *r0_out)
{
    uint32_t r[13] = { op, a1, a2 };
    uint32_t err = call(L4_SYS_KDEBUG, r);
    if (r0_out)
        *r0_out = r[0];
    return err;
}

void l4_exit(void)
{
    l4_exchange_registers(l4_myself(), L4_XR_HALT, 0, 0, 0);
    for (;;)
        l4_thread_switch(L4_NILTHREAD);
}

void l4_set_name(l4_tid_t t, const char *name)
{
    struct l4_utcb *u = l4_utcb();
    memset(&u->mr[1], 0, 12);
    memcpy(&u->mr[1], name, strnlen(name, 11));
    l4_kdebug(L4_KD_SET_NAME, t, 0, NULL);
}

void l4_puts(const char *text)
{
    size_t n = strnlen(text, sizeof l4_utcb()->mr);
    memcpy(l4_utcb()->mr, text, n);
    l4_kdebug(L4_KD_PUTS, n, 0, NULL);
}

uint32_t l4_sigma0_page(void)
{
    struct l4_msg m = { { L4_TAG(SIGMA0_LABEL_REQUEST, 1, 0), L4_FPAGE(SIGMA0_ANY_PAGE, 12, L4_RWX) } };
    uint32_t err;

    l4_utcb()->br[0] = L4_COMPLETE;
    l4_ipc(l4_kip()->sigma0, l4_kip()->sigma0, L4_NEVER, L4_NEVER, &m, &err);
    l4_utcb()->br[0] = L4_NILPAGE;
    return err || !L4_TAG_TYPED(m.mr[0]) ? 0 : L4_FPAGE_BASE(m.mr[2]);
}

uint32_t l4_sigma0_request(uint32_t fpage, uint32_t window)
{
    struct l4_msg m = { { L4_TAG(SIGMA0_LABEL_REQUEST, 1, 0), fpage } };
    uint32_t err;

    l4_utcb()->br[0] = window;
    l4_ipc(l4_kip()->sigma0, l4_kip()->sigma0, L4_NEVER, L4_NEVER, &m, &err);
    l4_utcb()->br[0] = L4_NILPAGE;      /* open windows only while expecting a mapping */
    if (err)
        return err;
    return L4_TAG_TYPED(m.mr[0]) ? 0 : L4_ERR_NO_MEMORY;
}

int l4_module_index(const char *name)
{
    const struct l4_kip *kip = l4_kip();
    size_t len = strlen(name);

    for (unsigned i = 0; i < kip->boot.count; i++)
        if (strnlen((const char *)kip->boot.modules[i].name, 16) == len &&
            memcmp(kip->boot.modules[i].name, name, len) == 0)
            return (int)i;
    return -1;
}
