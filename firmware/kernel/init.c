/*
 * Kernel initialisation: carve kernel memory out of RAM, fill the KIP, and start the two
 * threads the kernel knows by name: sigma0 (boot module 0), which owns all free memory and the
 * devices, and the root task (module 1), which starts everything else.
 */
#include "arch/cpu.h"
#include "board.h"
#include "domain.h"
#include "kmem.h"
#include "lib/link.h"
#include "lib/string.h"
#include "machine/timer.h"
#include "mapdb.h"
#include "sched.h"
#include "space.h"
#include "thread.h"
#include "trace.h"
#include "init.h"

#define KERNEL_POOL_SIZE    (12u << 20)
#define PV_OFFSET           (KERNEL_VIRT_BASE - BOARD_RAM_BASE)

/* Filled in by tools/pack_image.py when it appends the modules to the kernel. */
struct boot_info boot_info __attribute__((section(".data.bootinfo"))) = { .magic = 0 };

struct l4_kip *kip;
uint32_t sigma0_free_base, sigma0_free_end;     /* RAM sigma0 hands out */
uint32_t sigma0_module_base, sigma0_module_end; /* boot module images, also sigma0's */

extern const char __kernel_start[], __kernel_end[];
extern uint32_t kernel_boot_slot;

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Map a module's memory image into `s` at its link address, as root mappings. */
static int map_module(struct space *s, const struct boot_module *m)
{
    for (uint32_t off = 0; off < m->size; off += L4_PAGE_SIZE)
        if (mapdb_map_root(s, m->vbase + off, m->phys + off, L4_RWX))
            return -1;
    return 0;
}

static struct thread *start_module(unsigned index, uint32_t flags, l4_tid_t pager)
{
    const struct boot_module *m = &boot_info.modules[index];
    struct space *s = space_create(&domains[L4_ROOT_DOMAIN]);
    struct thread *t;

    if (!s)
        return NULL;
    t = thread_create(L4_MODULE_TID(index), s);
    if (!t || map_module(s, m))
        return NULL;
    t->flags = (uint8_t)flags;
    t->pager = t->utcb->pager = pager;
    t->prio = (uint8_t)m->prio;
    memcpy(t->name, m->name, sizeof t->name - 1);
    t->ctx.pc = m->entry;
    t->state = TS_READY;
    sched_enqueue(t);
    return t;
}

const char *kernel_init(void)
{
    uint32_t image_end, pool;
    struct thread *sigma0, *root;

    if (boot_info.magic != BOOTINFO_MAGIC || boot_info.count < 2)
        return "no boot modules in the image (was it packed with tools/pack_image.py?)";
    image_end = align_up(boot_info.end, L4_PAGE_SIZE);
    pool = align_up(image_end, 1u << 20);
    if (pool + KERNEL_POOL_SIZE > BOARD_RAM_BASE + BOARD_RAM_SIZE)
        return "RAM too small for the kernel pool";
    kmem_init(pool, KERNEL_POOL_SIZE);
    sigma0_free_base = pool + KERNEL_POOL_SIZE;
    sigma0_free_end = BOARD_RAM_BASE + BOARD_RAM_SIZE;
    sigma0_module_base = boot_info.modules[0].phys;
    sigma0_module_end = image_end;

    kip = kmem_alloc(&kmem_boot, L4_PAGE_SIZE);
    if (!kip)
        return "no memory for the KIP";
    kip->magic = L4_KIP_MAGIC;
    kip->api_version = 1;
    memcpy(kip->build_id, boot_info.build_id, sizeof kip->build_id);
    kip->cycle_hz = BOARD_CYCLE_HZ;
    kip->timer_hz = timer_counter_hz();
    kip->tick_us = SCHED_TICK_US;
    kip->ram_base = BOARD_RAM_BASE;
    kip->ram_size = BOARD_RAM_SIZE;
    kip->kernel_base = (uint32_t)__kernel_start - PV_OFFSET;
    kip->kernel_size = pool + KERNEL_POOL_SIZE - kip->kernel_base;
    kip->free_base = sigma0_free_base;
    kip->free_size = sigma0_free_end - sigma0_free_base;
    kip->device_base = BOARD_DEVICE_BASE;
    kip->device_size = BOARD_DEVICE_SIZE;
#ifdef BOARD_ROOTFS_BASE
    kip->rootfs_base = BOARD_ROOTFS_BASE;
    kip->rootfs_size = BOARD_ROOTFS_SIZE;
#else
    kip->rootfs_base = kip->rootfs_size = 0;
#endif
#ifdef BOARD_DATA_BASE
    kip->data_base = BOARD_DATA_BASE;
    kip->data_size = BOARD_DATA_SIZE;
#else
    kip->data_base = kip->data_size = 0;        /* no persistent disk */
#endif
#ifdef BOARD_SLOT_SIZE
    kip->slots_base = BOARD_FLASH1_BASE;
    kip->slot_size = BOARD_SLOT_SIZE;
    kip->slot_count = PROTO_SLOT_COUNT;
#else
    kip->slots_base = kip->slot_size = kip->slot_count = 0;    /* no image slots */
#endif
    kip->syscall_entry = 0;
    kip->sigma0 = L4_MODULE_TID(0);
    kip->root_task = L4_MODULE_TID(1);
    kip->boot_slot = kernel_boot_slot;
    kip->boot = boot_info;

    domain_init();
    space_init();
    if (thread_init())
        return "no memory for the thread table";
    trace_init();
    sigma0 = start_module(0, TF_IDEMPOTENT, L4_NILTHREAD);
    if (!sigma0)
        return "cannot start sigma0";
    sigma0->space->idempotent = 1;
    root = start_module(1, TF_PRIVILEGED, sigma0->id);
    if (!root)
        return "cannot start the root task";
    return NULL;
}
