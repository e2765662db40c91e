/* The kernel: linked and loaded at KERNEL_BASE in RAM, run 1:1 mapped. */
#include "board.h"

ENTRY(_kernel_entry)

SECTIONS
{
    . = KERNEL_BASE;
    __kernel_start = .;
    .text : {
        KEEP(*(.text.head))
        KEEP(*(.text.vectors))
        *(.text .text.*)
    }
    .rodata : ALIGN(4) {
        *(.rodata .rodata.*)
        . = ALIGN(4);
        __link_cmds_start = .;
        KEEP(*(link_cmds))
        __link_cmds_end = .;
    }
    .note.gnu.build-id : ALIGN(4) {
        __build_id = .;
        KEEP(*(.note.gnu.build-id))
    }
    .data : ALIGN(4) {
        *(.data .data.*)
    }
    .bss (NOLOAD) : ALIGN(16384) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(8);
        . += 1024; __irq_stack_top = .;
        . += 1024; __abt_stack_top = .;
        . += 1024; __und_stack_top = .;
        . += 16384; __svc_stack_top = .;
        __bss_end = .;
    }
    __kernel_end = .;
    /DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
