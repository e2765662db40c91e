# The firmware side of the `qemu-virt` board (addresses are in board.h).
# Its QEMU side is qemu/boards/qemu-virt.toml.
BOARD_CPU     := cortex-a15
BOARD_ARCH    := arm
BOARD_DRIVERS := pl011 cfi_flash gicv2
