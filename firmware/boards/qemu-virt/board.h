/*
 * The qemu-virt board: its memory map and devices, the one place they are written down for
 * the firmware.  The QEMU side of the board is qemu/boards/qemu-virt.toml.
 */
#pragma once

#define BOARD_NAME          "qemu-virt"

/* Memory */
#define BOARD_RAM_BASE      0x40000000
#define BOARD_RAM_SIZE      0x10000000     /* 256 MiB, as qemu/boards/qemu-virt.toml asks */

/* CFI flash (Intel command set, two 16-bit chips interleaved: 32-bit bus) */
#define BOARD_FLASH0_BASE   0x00000000     /* bootloader */
#define BOARD_FLASH1_BASE   0x04000000     /* image slots */
#define BOARD_FLASH_SIZE    0x04000000
#define BOARD_FLASH_BLOCK   0x00040000     /* erase block, both chips together */
#define BOARD_SLOT_SIZE     0x02000000     /* two slots fill bank 1 */
/* The root file system partition: the rest of bank 0, after the bootloader's megabyte. */
#define BOARD_ROOTFS_BASE   0x00100000
#define BOARD_ROOTFS_SIZE   0x03f00000

/* Devices */
#define BOARD_GICD_BASE     0x08000000
#define BOARD_GICC_BASE     0x08010000
#define BOARD_UART_BASE     0x09000000
#define BOARD_RTC_BASE      0x09010000     /* PL031 real-time clock: seconds since 1970 */
#define BOARD_DEVICE_BASE   0x08000000     /* device window mapped uncached by the kernel */
#define BOARD_DEVICE_SIZE   0x02100000     /* ... up to the virtio-mmio transports' megabyte */
/* virtio-mmio transports: 32 of 0x200 bytes from 0x0a000000, transport n on SPI 16 + n.  The
 * radio link is the virtio serial port QEMU puts on one of them (qemu/boards/qemu-virt.toml). */
#define BOARD_VIRTIO_BASE   0x0a000000
#define BOARD_VIRTIO_COUNT  32
#define BOARD_VIRTIO_STRIDE 0x200
#define BOARD_IRQ_VIRTIO0   48

/* Interrupt IDs at the GIC */
#define BOARD_IRQ_UART      33              /* SPI 1 */
#define BOARD_IRQ_TIMER     30              /* non-secure physical timer PPI: the kernel's tick */
#define BOARD_IRQ_VTIMER    27              /* virtual timer PPI: the user timer (the modem's
                                             * frame clock), lent by InterruptControl */

/* Cycle counter rate.  QEMU derives PMCCNTR from its virtual clock at 1 GHz, which with
 * -icount shift=0 is one count per instruction. */
#define BOARD_CYCLE_HZ      1000000000u

/* Firmware layout: the bootloader runs from flash bank 0 with its data at the start of RAM;
 * the kernel image is loaded above it. */
#define BOOT_ROM_BASE       BOARD_FLASH0_BASE
#define BOOT_RAM_BASE       BOARD_RAM_BASE
#define BOOT_RAM_SIZE       0x00100000
#define KERNEL_BASE         0x40100000

/* The kernel's virtual layout: RAM appears at KERNEL_VIRT_BASE in every address space (the
 * half above 2 GiB, through TTBR1), the device window at KERNEL_DEVICE_VIRT. */
#define KERNEL_VIRT_BASE    0xc0000000
#define KERNEL_DEVICE_VIRT  0xf0000000
