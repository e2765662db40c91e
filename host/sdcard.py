"""A Raspberry Pi's SD card, written once: `rig --board raspi2b sdcard TARGET`.

What the card holds, from the board's definition (boards/raspi2b/board.toml):

    sector 0          the MBR, with one partition: FAT32 (LBA), the one the Pi's firmware boots
    SD_SLOTS_SECTOR   the A/B image slots, FLASH_SIZE bytes, erased (0xff, as
                      drivers/bcm2835_sdhci.c erases), in no partition
    after the slots   the boot partition (BOOT_PARTITION_SIZE, from the next 4 MiB boundary):
                      bootcode.bin, start.elf and fixup.dat (the Pi's GPU firmware, not ours),
                      kernel7.img (our bootloader), rootfs.img and config.txt

The boot partition follows the slot area rather than preceding it: the slot area's sector is
fixed in the bootloader, and the root file system (up to ROOTFS_SIZE) does not fit in the 16 MiB
before it.  The Pi's firmware boots from the first FAT partition wherever it starts.

TARGET is a whole block device (/dev/sdX, /dev/mmcblk0) or an image file (made the card's
size).  A target that is mounted, a partition, too small, or neither is refused.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from construct import Array, Bytes, Const, Int8ul, Int32ul, Struct
from .boarddef import BoardDef, board_names, load
from .errors import RigError

SECTOR = 512
ALIGN = 4 << 20                          # SD cards erase in blocks of up to 4 MiB
BOOT_PARTITION_SIZE = 256 << 20          # FAT32 of 512-byte clusters: ROOTFS_SIZE and firmware fit
BOOT_LABEL = "RPIBOOT"
FAT32_LBA = 0x0C                         # the MBR partition type the Pi's firmware reads
CHS_UNUSED = b"\xfe\xff\xff"             # past CHS's reach: the LBA fields count
ERASED = 0xFF
CHUNK = 1 << 20

#: the Pi's GPU firmware: what its boot ROM and bootcode.bin load before kernel7.img
FIRMWARE_FILES = ("bootcode.bin", "start.elf", "fixup.dat")
#: where Debian's raspi-firmware package (component non-free-firmware) installs them
DEBIAN_FIRMWARE = Path("/usr/lib/raspi-firmware")

PartitionEntry = Struct(
    "status" / Int8ul,                  # 0x80 bootable; the Pi's firmware ignores it
    "chs_first" / Bytes(3),
    "type" / Int8ul,
    "chs_last" / Bytes(3),
    "lba_first" / Int32ul,
    "sectors" / Int32ul,
)
Mbr = Struct(
    "boot_code" / Bytes(440),
    "disk_id" / Int32ul,
    "reserved" / Const(b"\x00\x00"),
    "partitions" / Array(4, PartitionEntry),
    "signature" / Const(b"\x55\xaa"),
)
assert Mbr.sizeof() == SECTOR


@dataclass(frozen=True)
class CardLayout:
    """Where things are on the card, in bytes."""

    slots_offset: int
    slots_size: int
    boot_offset: int
    boot_size: int

    @property
    def size(self) -> int:
        return self.boot_offset + self.boot_size


def card_layout(board: BoardDef) -> CardLayout:
    facts = board.defines
    if "BOARD_SD_SLOTS_SECTOR" not in facts:
        sd_boards = [n for n in board_names() if "BOARD_SD_SLOTS_SECTOR" in load(n).defines]
        raise RigError(f"board {board.name} does not boot from an SD card; the boards that do: "
                       f"{', '.join(sd_boards) or 'none'} (--board NAME)")
    slots_offset = int(facts["BOARD_SD_SLOTS_SECTOR"]) * SECTOR
    slots_size = int(facts["BOARD_FLASH_SIZE"])
    boot_offset = -(-(slots_offset + slots_size) // ALIGN) * ALIGN
    return CardLayout(slots_offset, slots_size, boot_offset, BOOT_PARTITION_SIZE)


def config_txt(board: BoardDef) -> str:
    """The Pi's config.txt: our bootloader where the board's layout has it, the root file system
    where the kernel looks for it, UART0 on GPIO 14/15 at 115200 baud (our PL011 driver keeps
    the rate the firmware set)."""
    facts = board.defines
    return "\n".join([
        f"# Written by `host/rig.py --board {board.name} sdcard` from boards/{board.name}/board.toml.",
        "arm_64bit=0",
        "kernel=kernel7.img",
        f"kernel_address=0x{int(facts['BOOT_ROM_BASE']):x}",
        f"initramfs rootfs.img 0x{int(facts['BOARD_ROOTFS_BASE']):08x}",
        "enable_uart=1",
        "init_uart_baud=115200",
        "init_uart_clock=48000000",
        "disable_splash=1",
        "",
    ])


def firmware_files(folder: Path | None) -> dict[str, Path]:
    """The GPU firmware's files, from --firmware's folder or Debian's raspi-firmware package."""
    where = folder or DEBIAN_FIRMWARE
    missing = [name for name in FIRMWARE_FILES if not (where / name).is_file()]
    if missing:
        origin = f"--firmware {where}" if folder else f"{where} (Debian's raspi-firmware package is not installed)"
        raise RigError(f"the Pi's GPU firmware is missing: no {', '.join(missing)} in {origin}. It is not ours "
                       f"to ship: install Debian's raspi-firmware package (component non-free-firmware, "
                       f"to be added to apt's sources; it installs {DEBIAN_FIRMWARE}), or give --firmware DIR "
                       f"with {', '.join(FIRMWARE_FILES)} (the boot/ folder of a Raspberry Pi firmware release)")
    return {name: where / name for name in FIRMWARE_FILES}


def boot_files(board: BoardDef, boot_bin: Path, rootfs: Path, firmware: dict[str, Path]) -> dict[str, bytes | Path]:
    """The boot partition's files: name -> contents (or the file holding them); `firmware` is
    what firmware_files() found."""
    limit = int(board.defines["BOARD_ROOTFS_SIZE"])
    if rootfs.stat().st_size > limit:
        raise RigError(f"{rootfs} is {rootfs.stat().st_size:,} bytes, more than the {limit:,} the firmware may "
                       f"load at ROOTFS_BASE (boards/{board.name}/board.toml)")
    files: dict[str, bytes | Path] = dict(firmware)
    files.update({"kernel7.img": boot_bin, "rootfs.img": rootfs, "config.txt": config_txt(board).encode()})
    return files


def check_target(target: Path, need: int) -> bool:
    """Refuse what must not be written; True for a block device, False for an image file
    (which need not exist yet)."""
    if not target.exists():
        if not target.parent.is_dir():
            raise RigError(f"{target}: no such folder {target.parent}")
        return False
    mode = target.stat().st_mode
    if not (stat.S_ISBLK(mode) or stat.S_ISREG(mode)):
        raise RigError(f"{target} is neither a block device nor a regular file: give the card's device "
                       f"(/dev/sdX, /dev/mmcblkN) or an image file")
    devices = _devices_of(target)
    if stat.S_ISBLK(mode):
        sysfs = _sysfs(target.stat().st_rdev)
        if (sysfs / "partition").exists():
            whole = sysfs.resolve().parent.name
            raise RigError(f"{target} is a partition of /dev/{whole}: give the whole card (/dev/{whole})")
    mounted = _mount_points(devices)
    if mounted:
        raise RigError(f"{target} is mounted (on {', '.join(mounted)}): unmount it first")
    if stat.S_ISBLK(mode):
        with open(target, "rb") as dev:
            size = dev.seek(0, os.SEEK_END)
        if size < need:
            raise RigError(f"{target} holds {size:,} bytes, the card needs {need:,} ({need >> 20} MiB)")
        return True
    return False


def write_card(target: Path, layout: CardLayout, files: dict[str, bytes | Path]) -> bool:
    """Write the MBR, the erased slot area and the boot partition to `target`; True if it is a
    block device.  An image file is made exactly the card's size."""
    device = check_target(target, layout.size)
    with tempfile.TemporaryDirectory(prefix="rig-sdcard-") as tmp:
        fat = Path(tmp) / "boot.fat"
        _make_fat(fat, layout.boot_size, files)
        with open(target, "r+b" if device else "wb") as card:
            if not device:
                card.truncate(layout.size)          # all zeros, sparse
            card.write(_mbr(layout))
            card.seek(layout.slots_offset)
            erased = bytes([ERASED]) * CHUNK
            for at in range(0, layout.slots_size, CHUNK):
                card.write(erased[:min(CHUNK, layout.slots_size - at)])
            with open(fat, "rb") as part:
                for at in range(0, layout.boot_size, CHUNK):
                    chunk = part.read(CHUNK)
                    if device or chunk.count(0) != len(chunk):  # a fresh image file is zeros already
                        card.seek(layout.boot_offset + at)
                        card.write(chunk)
            card.flush()
            os.fsync(card.fileno())
    return device


def _mbr(layout: CardLayout) -> bytes:
    empty = dict(status=0, chs_first=b"\0" * 3, type=0, chs_last=b"\0" * 3, lba_first=0, sectors=0)
    boot = dict(status=0, chs_first=CHS_UNUSED, type=FAT32_LBA, chs_last=CHS_UNUSED,
                lba_first=layout.boot_offset // SECTOR, sectors=layout.boot_size // SECTOR)
    return Mbr.build(dict(boot_code=bytes(440), disk_id=int.from_bytes(os.urandom(4), "little"),
                          partitions=[boot, empty, empty, empty]))


def _make_fat(path: Path, size: int, files: dict[str, bytes | Path]) -> None:
    from pyfatfs.PyFat import PyFat         # here: PyFatFS brings PyFilesystem2, 0.2 s that every
    from pyfatfs.PyFatFS import PyFatFS     # other rig command would pay at start

    path.touch()
    fat = PyFat()
    fat.mkfs(str(path), PyFat.FAT_TYPE_FAT32, size=size, label=BOOT_LABEL)
    fat.close()
    with PyFatFS(str(path)) as fs:
        for name, contents in files.items():
            with fs.openbin(f"/{name}", "w") as out:
                if isinstance(contents, Path):
                    with open(contents, "rb") as src:
                        shutil.copyfileobj(src, out, CHUNK)
                else:
                    out.write(contents)


def _sysfs(rdev: int) -> Path:
    return Path(f"/sys/dev/block/{os.major(rdev)}:{os.minor(rdev)}")


def _devices_of(target: Path) -> set[int]:
    """The device numbers a mount of `target` would show: a block device and its partitions;
    the loop devices an image file backs."""
    st = target.stat()
    if stat.S_ISBLK(st.st_mode):
        found = {st.st_rdev}
        for dev in _sysfs(st.st_rdev).glob("*/partition"):
            major, minor = (dev.parent / "dev").read_text().split(":")
            found.add(os.makedev(int(major), int(minor)))
        return found
    found = set()
    for backing in Path("/sys/block").glob("loop*/loop/backing_file"):
        if Path(backing.read_text().strip()) == target.resolve():
            major, minor = (backing.parent.parent / "dev").read_text().split(":")
            found.add(os.makedev(int(major), int(minor)))
    return found


def _mount_points(devices: set[int]) -> list[str]:
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        major, minor = fields[2].split(":")
        if os.makedev(int(major), int(minor)) in devices:
            points.append(fields[4])
    return points
