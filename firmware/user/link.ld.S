/* A user program: one image at its base (text, data, bss with its stack), mapped by whoever
 * starts it.  The base is 1 MiB unless the program's link sets __user_base (sigma0 does: it maps
 * physical memory 1:1, flash at 1 MiB included, so its own image must sit elsewhere). */

ENTRY(_start)

SECTIONS
{
    . = DEFINED(__user_base) ? __user_base : 0x00100000;
    __image_start = .;
    .text : {
        KEEP(*(.text.start))
        *(.text .text.*)
    }
    .rodata : ALIGN(4) {
        *(.rodata .rodata.*)
        . = ALIGN(4);
        __link_cmds_start = .;
        KEEP(*(link_cmds))
        __link_cmds_end = .;
        . = ALIGN(4);
        __ktests_start = .;
        KEEP(*(ktests))
        __ktests_end = .;
    }
    .note.gnu.build-id : ALIGN(4) {
        __build_id = .;
        KEEP(*(.note.gnu.build-id))
    }
    .data : ALIGN(4096) {
        *(.data .data.*)
    }
    .bss : ALIGN(4) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(8);
        . += 16384;
        __stack_top = .;
        __bss_end = .;
    }
    . = ALIGN(4096);
    __image_end = .;
    /DISCARD/ : { *(.ARM.exidx*) *(.comment) }
}
