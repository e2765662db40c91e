/* The bootloader: code and constants in flash bank 0, data and stack at the start of RAM.  The
 * flash driver runs from RAM, copied there with the data: while a bank is programmed or erased
 * it answers reads with its status, and the root file system partition shares bank 0 with the
 * code. */
#include "board.h"

ENTRY(_start)

MEMORY
{
    ROM (rx)  : ORIGIN = BOOT_ROM_BASE, LENGTH = 1M
    RAM (rwx) : ORIGIN = BOOT_RAM_BASE, LENGTH = BOOT_RAM_SIZE
}

SECTIONS
{
    .text : {
        KEEP(*(.vectors))
        *(EXCLUDE_FILE(*cfi_flash.o) .text EXCLUDE_FILE(*cfi_flash.o) .text.*)
    } > ROM
    .rodata : {
        *(.rodata .rodata.*)
        . = ALIGN(4);
        __link_cmds_start = .;
        KEEP(*(link_cmds))
        __link_cmds_end = .;
    } > ROM
    .note.gnu.build-id : ALIGN(4) {
        __build_id = .;
        KEEP(*(.note.gnu.build-id))
    } > ROM
    .data : ALIGN(4) {
        __data_start = .;
        *cfi_flash.o(.text .text.*)
        *(.data .data.*)
        . = ALIGN(4);
        __data_end = .;
    } > RAM AT > ROM
    __data_load = LOADADDR(.data);
    .bss (NOLOAD) : ALIGN(4) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    } > RAM
    __stack_top = ORIGIN(RAM) + LENGTH(RAM);
    /DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
