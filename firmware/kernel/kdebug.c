/*
 * KDebug: statistics, the thread list, the trace ring, interrupt injection and kernel memory,
 * for privileged threads (the debug agent, the test server).  Results go to the caller's UTCB
 * message registers; r0 is the number of words (or, for the trace, of events) written.  Every
 * index and address is checked; a bad one is L4_ERR_INVALID_ARGUMENT.
 */
#include "arch/cpu.h"
#include "domain.h"
#include "exception.h"
#include "ipc.h"
#include "irq.h"
#include "kdebug.h"
#include "kmem.h"
#include "lib/link.h"
#include "lib/string.h"
#include "machine/intc.h"
#include "machine/timer.h"
#include "mapdb.h"
#include "sched.h"
#include "space.h"
#include "syscall.h"
#include "trace.h"

extern const char __kernel_start[], __kernel_end[];
extern uint64_t idle_cycles;
void arch_reset(void) __attribute__((noreturn));

static uint32_t stats(uint32_t *mr)
{
    uint32_t n = 0, irqs = 0;
    uint64_t now = cycles_now();

    for (unsigned i = 0; i < IRQ_LINES; i++)
        irqs += irq_counts[i];
    mr[n++] = (uint32_t)sched_ticks;
    mr[n++] = kernel.stats.ipc_slow + kernel.stats.ipc_fast;
    mr[n++] = kernel.stats.ipc_fast;
    mr[n++] = irqs;
    mr[n++] = kernel.stats.pagefaults;
    mr[n++] = kernel.stats.exceptions;
    mr[n++] = kernel.stats.stopped;
    mr[n++] = domain_kmem_free();
    mr[n++] = mapdb_nodes;
    mr[n++] = kernel.trace.head;
    mr[n++] = (uint32_t)now;
    mr[n++] = (uint32_t)idle_cycles;
    mr[n++] = (uint32_t)(idle_cycles >> 32);
    for (unsigned i = 0; i <= L4_SYS_COUNT; i++)
        mr[n++] = syscall_counts[i];
    return n;
}

/* The first live thread at table index >= `from`: its description, and the next index. */
static uint32_t thread_info(uint32_t from, uint32_t *mr)
{
    for (uint32_t i = from; i < MAX_THREADS; i++) {
        struct thread *t = &kernel.threads[i];
        if (t->state == TS_FREE)
            continue;
        mr[0] = i + 1;
        mr[1] = t->id;
        mr[2] = t->state;
        mr[3] = t->prio;
        mr[4] = t->flags;
        mr[5] = t->space->asid;
        mr[6] = t->pager;
        mr[7] = t->exc_handler;
        mr[8] = (uint32_t)t->cpu_cycles;
        mr[9] = (uint32_t)(t->cpu_cycles >> 32);
        mr[10] = t->stop_reason;
        mr[11] = t->ctx.pc;
        memcpy(&mr[12], t->name, sizeof t->name);
        mr[15] = t->partner;
        mr[16] = t->fault_addr;
        mr[17] = t->syscalls;
        return 18;
    }
    mr[0] = MAX_THREADS;
    return 1;
}

void kdebug_syscall(struct thread *cur)
{
    uint32_t *r = cur->ctx.r, *mr = cur->utcb->mr;
    uint32_t op = r[0], a1 = r[1], a2 = r[2];
    struct thread *t;

    if (!(cur->flags & TF_PRIVILEGED) ||
        (op != L4_KD_PUTS && op != L4_KD_SET_NAME && !domain_may(cur->space->domain, L4_DR_DEBUG))) {
        r[1] = L4_ERR_NO_PRIVILEGE;
        return;
    }
    r[1] = L4_OK;
    switch (op) {
    case L4_KD_STATS:
        r[0] = stats(mr);
        break;
    case L4_KD_THREAD_INFO:
        r[0] = thread_info(a1 < MAX_THREADS ? a1 : MAX_THREADS, mr);
        break;
    case L4_KD_TRACE_READ: {
        uint32_t from = a1, n = 0;
        if (!kernel.trace.ring) {
            r[0] = 0;
            break;
        }
        if ((int32_t)(kernel.trace.head - from) < 0)
            from = kernel.trace.head;                      /* past the head: nothing yet */
        else if (kernel.trace.head - from > TRACE_SIZE)
            from = kernel.trace.head - TRACE_SIZE;         /* the caller lost the ones before */
        for (; from != kernel.trace.head && n < L4_MR_COUNT / TRACE_EVENT_WORDS; from++, n++)
            memcpy(&mr[n * TRACE_EVENT_WORDS], &kernel.trace.ring[from & (TRACE_SIZE - 1)], TRACE_EVENT_WORDS * 4);
        r[0] = n;
        r[2] = from - n;                            /* index of the first event returned */
        r[3] = kernel.trace.head;
        break;
    }
    case L4_KD_INJECT_IRQ:
        if (a1 >= IRQ_LINES) {
            r[1] = L4_ERR_INVALID_ARGUMENT;
            return;
        }
        mr[0] = cycles_now();           /* when it became pending: for latency measurements */
        intc_set_pending(a1);
        r[0] = 0;
        break;
    case L4_KD_READ_KERNEL: {
        uint32_t addr = a1, len = a2;
        if (len > sizeof cur->utcb->mr || addr < (uint32_t)__kernel_start ||
            addr > (uint32_t)__kernel_end || len > (uint32_t)__kernel_end - addr) {
            r[1] = L4_ERR_INVALID_ARGUMENT;
            return;
        }
        memcpy(mr, (const void *)addr, len);
        r[0] = len;
        break;
    }
    case L4_KD_PUTS: {
        char text[L4_MR_COUNT * 4 + 1];
        uint32_t len = a1 < sizeof text - 1 ? a1 : sizeof text - 1;
        memcpy(text, mr, len);
        text[len] = 0;
        link_log(PROTO_LOG_INFO, text);
        r[0] = 0;
        break;
    }
    case L4_KD_SET_NAME:
        t = thread_lookup(a1);
        if (!t || (t->space->domain != cur->space->domain && !domain_may(cur->space->domain, L4_DR_DEBUG))) {
            r[1] = L4_ERR_INVALID_THREAD;
            return;
        }
        memcpy(t->name, &mr[1], sizeof t->name);
        t->name[sizeof t->name - 1] = 0;
        r[0] = 0;
        break;
    case L4_KD_RESET:
        timer_stop();
        intc_shutdown();
        arch_reset();
    case L4_KD_TRACE_CONTROL:
        r[2] = kernel.trace.recording != NULL;
        kernel.trace.recording = a1 ? kernel.trace.ring : NULL;
        r[0] = kernel.trace.head;
        break;
    default:
        r[1] = L4_ERR_INVALID_ARGUMENT;
    }
}
