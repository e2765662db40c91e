"""The boot module table: which programs the kernel image carries and where they sit in RAM.

`tools/pack_image.py` lays the boot modules (sigma0, the root task, the servers) out after the
kernel, page-aligned, and writes this table into the kernel's `boot_info` variable; the kernel
starts modules 0 (sigma0) and 1 (the root task), copies the table into the KIP, and the root
task starts the rest.  The C header (firmware/include/generated/bootinfo.h) is generated from
these definitions by tools/gen_proto_header.py.
"""

from __future__ import annotations

import enum

import hashlib

from construct import Bytes, Const, Int16ul, Int32ul, Struct

from .wire import BUILD_ID_LEN, MODULE_NAME_LEN, Text

BOOTINFO_MAGIC = 0x4F4F4234         # "4BOO" little-endian
MAX_MODULES = 16


class ModuleFlag(enum.IntFlag):
    PRIVILEGED = 1 << 0             # may use ThreadControl, KDebug, InterruptControl
    FOREIGN_ABI = 1 << 1            # its SVCs go to its exception handler
    DATA = 1 << 2                   # not a program: a file (the initramfs) for a server to read
    STANDBY = 1 << 3                # not started at boot: the root task starts it in another
                                    # module's place when asked (a test's hostile server)


BootModule = Struct(
    "name" / Text(MODULE_NAME_LEN),
    "phys" / Int32ul,               # physical address of the module's memory image
    "size" / Int32ul,               # bytes in memory, a whole number of pages (text, data and bss)
    "image_size" / Int32ul,         # bytes of it in the image; the rest starts zeroed
    "vbase" / Int32ul,              # virtual address the image is linked at
    "entry" / Int32ul,
    "flags" / Int32ul,              # ModuleFlag
    "prio" / Int32ul,               # scheduling priority, 0..255
)

BootInfo = Struct(
    "magic" / Const(BOOTINFO_MAGIC, Int32ul),
    "count" / Int32ul,
    "end" / Int32ul,                # physical end of the image, modules included
    "build_id" / Bytes(BUILD_ID_LEN),   # the image's build id (image_build_id)
    "modules" / BootModule[MAX_MODULES],
)
BUILD_ID_OFFSET = 12                # of build_id in BootInfo


def image_build_id(payload: bytes, bootinfo_offset: int) -> bytes:
    """The build id of a packed image: SHA-1 of the whole payload (the kernel and every boot
    module, as tools/pack_image.py lays them out) with the id's own field zeroed.  Any change to
    any module changes it, where the kernel ELF's GNU build id covers the kernel alone."""
    at = bootinfo_offset + BUILD_ID_OFFSET
    return hashlib.sha1(payload[:at] + bytes(BUILD_ID_LEN) + payload[at + BUILD_ID_LEN:]).digest()


# The root file system partition in flash (after the bootloader in bank 0): this header, then, at
# ROOTFS_DATA_OFFSET, the initramfs (a cpio "newc" archive) the Linux server reads in place.
ROOTFS_MAGIC = 0x53465452           # "RTFS" little-endian
ROOTFS_FORMAT = 1
ROOTFS_DATA_OFFSET = 4096

RootfsHeader = Struct(
    "magic" / Const(ROOTFS_MAGIC, Int32ul),
    "format" / Const(ROOTFS_FORMAT, Int16ul),
    "header_size" / Const(16, Int16ul),
    "length" / Int32ul,             # bytes of the archive
    "crc" / Int32ul,                # CRC-32 of the archive
)
