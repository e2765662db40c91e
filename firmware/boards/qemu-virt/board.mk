# The firmware side of the `qemu-virt` board.  Its QEMU side is qemu/boards/qemu-virt.toml.
BOARD_CPU      := cortex-a15
BOARD_ARCH     := arm
# Where the bootloader runs from (flash bank 0) and keeps its data (start of RAM).
BOOT_ROM_BASE  := 0x00000000
BOOT_RAM_BASE  := 0x40000000
# Where the bootloader copies the kernel image, and where the kernel is linked.
KERNEL_BASE    := 0x40100000
