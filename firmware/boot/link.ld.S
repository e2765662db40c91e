/* The bootloader: code and constants in flash bank 0 (or, on a board without a boot ROM, in
 * the RAM at BOOT_ROM_BASE a firmware loads it to), data and stack at BOOT_RAM_BASE.  The flash
 * driver runs from RAM, copied there with the data: while a bank is programmed or erased it
 * answers reads with its status, and the root file system partition shares bank 0 with the
 * code. */
#include "board.h"

#ifndef BOOT_ROM_SIZE
#define BOOT_ROM_SIZE 1M
#endif

ENTRY(_start)

MEMORY
{
    ROM (rx)  : ORIGIN = BOOT_ROM_BASE, LENGTH = BOOT_ROM_SIZE
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
    __rom_end = LOADADDR(.data) + SIZEOF(.data);      /* the image's end: start.S moves this much */
    .bss (NOLOAD) : ALIGN(4) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    } > RAM
    __stack_top = ORIGIN(RAM) + LENGTH(RAM);
#ifdef BOOT_MOVE_LIMIT
    /* start.S copies the image down over itself from the first byte up: its copy loop, near
     * the start, survives only while the image is no longer than the distance it moves */
    ASSERT(__rom_end - ORIGIN(ROM) <= BOOT_MOVE_LIMIT, "the bootloader is too large to move itself")
#endif
    /DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
