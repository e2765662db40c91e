/* The kernel: loaded at KERNEL_BASE in RAM, linked at its address in the kernel half of every
 * address space.  The entry point in the ELF header is the physical one: the bootloader jumps
 * there with the MMU off. */
#include "board.h"

#define PV_OFFSET (KERNEL_VIRT_BASE - BOARD_RAM_BASE)

ENTRY(_kernel_entry_phys)

SECTIONS
{
    . = KERNEL_BASE + PV_OFFSET;
    __kernel_start = .;
    .text : AT(ADDR(.text) - PV_OFFSET) {
        KEEP(*(.text.head))
        KEEP(*(.text.vectors))
        *(.text .text.*)
    }
    .rodata : AT(ADDR(.rodata) - PV_OFFSET) ALIGN(4) {
        KEEP(*(.rodata.banner))         /* read by the host by symbol: keep it */
        *(.rodata .rodata.*)
        . = ALIGN(4);
        __link_cmds_start = .;
        KEEP(*(link_cmds))
        __link_cmds_end = .;
    }
    .note.gnu.build-id : AT(ADDR(.note.gnu.build-id) - PV_OFFSET) ALIGN(4) {
        __build_id = .;
        KEEP(*(.note.gnu.build-id))
    }
    .data : AT(ADDR(.data) - PV_OFFSET) ALIGN(4) {
        KEEP(*(.data.bootinfo))
        *(.data .data.*)
    }
    .bss (NOLOAD) : ALIGN(16384) {
        kernel_l1 = .;                  /* the kernel's translation table, built by head.S */
        . += 16384;
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(8);
        . += 1024; __irq_stack_top = .;
        . += 1024; __abt_stack_top = .;
        . += 1024; __und_stack_top = .;
        . += 16384; __kstack_top = .;
        __bss_end = .;
    }
    __kernel_end = .;
    _kernel_entry_phys = _kernel_entry - PV_OFFSET;
    /DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
