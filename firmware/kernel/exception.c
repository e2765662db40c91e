/*
 * User faults and exceptions, turned into IPC.  A page fault goes to the thread's pager (an
 * idempotent space's fault in memory it owns is mapped 1:1 here instead); anything else — an
 * undefined instruction, an alignment fault, an abort the pager refused, the SVC of a
 * foreign-ABI thread — goes to the exception handler with the full register state.  A thread
 * with nobody to tell is stopped and counted.  Nothing here can stop the kernel.
 */
#include "arch/cpu.h"
#include "arch/mode.h"
#include "arch/vfp.h"
#include "board.h"
#include "exception.h"
#include "init.h"
#include "ipc.h"
#include "machine/intc.h"
#include "mapdb.h"
#include "profile.h"
#include "sched.h"
#include "space.h"
#include "trace.h"


void kernel_exception(uint32_t kind) __attribute__((noreturn));

_Static_assert(ENTRY_EXC_UNDEFINED == L4_EXC_UNDEFINED, "entry.S exception kinds");
_Static_assert(ENTRY_EXC_PREFETCH_ABORT == L4_EXC_PREFETCH_ABORT, "entry.S exception kinds");
_Static_assert(ENTRY_EXC_DATA_ABORT == L4_EXC_DATA_ABORT, "entry.S exception kinds");

/* Short-descriptor fault status: translation, access flag, domain or permission faults are
 * page faults; 0x01 is an alignment fault. */
static int is_page_fault(uint32_t status)
{
    switch (status) {
    case 0x03: case 0x06:       /* access flag */
    case 0x05: case 0x07:       /* translation */
    case 0x09: case 0x0b:       /* domain */
    case 0x0d: case 0x0f:       /* permission */
        return 1;
    default:
        return 0;
    }
}

void exception_raise(struct thread *t, uint32_t kind, uint32_t fsr, uint32_t far)
{
    struct thread *h = thread_lookup(t->exc_handler);

    kernel.stats.exceptions++;
    t->exc_kind = (uint8_t)kind;
    t->fault_status = fsr;
    t->fault_addr = far;
    if (!h || h == t) {
        kernel.stats.stopped++;
        thread_halt(t, kind);
        return;
    }
    t->ipc_kind = IPC_EXCEPTION;
    ipc_kernel_send(t, h);
}

void kernel_exception(uint32_t kind)
{
    struct thread *t = kernel.current, *pager;
    uint32_t fsr = 0, far = 0, rwx = 0, status;
    int page_fault = 0;

    profile_enter(PROFILE_EXCEPTION + (kind & 7), t->id);

    switch (kind) {
    case L4_EXC_DATA_ABORT:
        fsr = dfsr_read();
        far = dfar_read();
        status = (fsr & 0xf) | ((fsr >> 6) & 0x10);
        rwx = fsr & (1u << 11) ? L4_WRITE : L4_READ;
        page_fault = is_page_fault(status);
        if (status == 0x01)
            kind = L4_EXC_ALIGNMENT;
        break;
    case L4_EXC_PREFETCH_ABORT:
        fsr = ifsr_read();
        far = ifar_read();
        status = (fsr & 0xf) | ((fsr >> 6) & 0x10);
        rwx = L4_EXEC;
        page_fault = is_page_fault(status);
        break;
    case L4_EXC_UNDEFINED:
        if (t->ctx.cpsr & (1u << 5))
            t->ctx.pc += 2;                 /* Thumb: the entry took 4, the instruction is 2 back */
        if (vfp_trap(t))
            sched_leave();                  /* it was a VFP instruction: retry it with the unit */
        far = t->ctx.pc;
        break;
    default:
        break;
    }
    TRACE_FAULT(t, far, kind);

    if (page_fault && !t->pager_refused) {
        if (t->space->idempotent && space_fault_idempotent(t->space, far) == 0)
            sched_leave();
        pager = thread_lookup(t->pager);
        if (pager && pager != t) {
            kernel.stats.pagefaults++;
            t->ipc_kind = IPC_PAGEFAULT;
            t->exc_kind = (uint8_t)kind;
            t->fault_addr = far;
            t->fault_status = fsr;
            t->fault_rwx = rwx;
            ipc_kernel_send(t, pager);
            sched_leave();
        }
    }
    if (t->pager_refused == REFUSED_NO_MAP)
        kind = L4_EXC_MAP_FAILED;
    t->pager_refused = REFUSED_NONE;
    exception_raise(t, kind, fsr, far);
    sched_leave();
}

int space_fault_idempotent(struct space *s, uint32_t va)
{
    uint32_t page = va & ~0xfffu;
    if (!s->idempotent)
        return -1;
    if ((page >= sigma0_free_base && page < sigma0_free_end) ||
        (page >= sigma0_module_base && page < sigma0_module_end))
        return mapdb_map_root(s, page, page, L4_RWX);
    /* the root file system partition (flash, or RAM a firmware loaded it to), read only */
#ifdef BOARD_ROOTFS_BASE
    if (page - BOARD_ROOTFS_BASE < BOARD_ROOTFS_SIZE)
        return mapdb_map_root(s, page, page, L4_READ);
#endif
    /* the persistent disk's partition, which sigma0 gives the Linux server to program */
#ifdef BOARD_DATA_BASE
    if (page - BOARD_DATA_BASE < BOARD_DATA_SIZE)
        return mapdb_map_root(s, page, page, L4_READ | L4_WRITE);
#endif
    /* an image slot's first page: its header and the boot state a running system confirms */
#ifdef BOARD_SLOT_SIZE
    if (page - BOARD_FLASH1_BASE < PROTO_SLOT_COUNT * BOARD_SLOT_SIZE &&
        (page - BOARD_FLASH1_BASE) % BOARD_SLOT_SIZE == 0)
        return mapdb_map_root(s, page, page, L4_READ | L4_WRITE);
#endif
    /* devices, except the interrupt controller, which is the kernel's */
    if (page - BOARD_DEVICE_BASE < BOARD_DEVICE_SIZE && !intc_owns(page))
        return mapdb_map_root(s, page, page, L4_READ | L4_WRITE);
    return -1;
}
