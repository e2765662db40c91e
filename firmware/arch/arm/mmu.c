/*
 * The kernel's first address space: 1 MiB sections mapping RAM (normal, write-back cached),
 * the flash banks (normal, uncached, read-only, never executed) and the device window
 * (device, never executed) at their physical addresses.
 *
 * QEMU does not model caches; on a real core the data cache would also have to be cleaned
 * and invalidated by set/way around the switches below.
 */
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/mmu.h"
#include "board.h"

#define SECTION         0x2u
#define SECT_B          (1u << 2)
#define SECT_C          (1u << 3)
#define SECT_XN         (1u << 4)
#define SECT_AP_PL1_RW  (1u << 10)                  /* AP = 01: kernel rw, user none */
#define SECT_AP_PL1_RO  (1u << 10 | 1u << 15)       /* APX = 1: kernel ro, user none */
#define SECT_TEX(x)     ((uint32_t)(x) << 12)

#define MEM_NORMAL_WBWA (SECT_TEX(1) | SECT_C | SECT_B)
#define MEM_NORMAL_NC   SECT_TEX(1)
#define MEM_DEVICE      SECT_B                      /* shareable device */

#define SECTION_SIZE    0x100000u

#define TTBR_IRGN_WBWA  (1u << 6)                   /* inner write-back write-allocate */
#define TTBR_RGN_WBWA   (1u << 3)                   /* outer write-back write-allocate */

static uint32_t kernel_l1[4096] __attribute__((aligned(16384)));

static void map_sections(uint32_t base, uint32_t size, uint32_t attrs)
{
    for (uint32_t a = base; a - base < size; a += SECTION_SIZE)
        kernel_l1[a / SECTION_SIZE] = (a & ~(SECTION_SIZE - 1)) | attrs | SECTION;
}

void mmu_init(void)
{
    map_sections(BOARD_RAM_BASE, BOARD_RAM_SIZE, MEM_NORMAL_WBWA | SECT_AP_PL1_RW);
    map_sections(BOARD_FLASH0_BASE, BOARD_FLASH_SIZE, MEM_NORMAL_NC | SECT_AP_PL1_RO | SECT_XN);
    map_sections(BOARD_FLASH1_BASE, BOARD_FLASH_SIZE, MEM_NORMAL_NC | SECT_AP_PL1_RO | SECT_XN);
    map_sections(BOARD_DEVICE_BASE, BOARD_DEVICE_SIZE, MEM_DEVICE | SECT_AP_PL1_RW | SECT_XN);

    ttbcr_write(0);                                 /* TTBR0 only, for now */
    ttbr0_write((uint32_t)kernel_l1 | TTBR_IRGN_WBWA | TTBR_RGN_WBWA);
    dacr_write(1);                                  /* domain 0: client, permissions checked */
    tlbiall_write(0);
    iciallu_write(0);
    bpiall_write(0);
    dsb();
    isb();
    sctlr_write((sctlr_read() | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_Z) & ~(SCTLR_A | SCTLR_V));
    isb();
}

void mmu_disable(void)
{
    sctlr_write(sctlr_read() & ~(SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_Z));
    isb();
    tlbiall_write(0);
    iciallu_write(0);
    dsb();
    isb();
}
