"""`rig sdcard`: the Raspberry Pi 2's card, written into an image file and read back by other
means than the ones that wrote it: util-linux's partx for the MBR and blkid for the file
system, the board's facts from board.toml, the slot area by its bytes."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from pyfatfs.PyFatFS import PyFatFS

from host import cli, sdcard
from host.boarddef import load
from host.errors import RigError

ROOT = Path(__file__).resolve().parents[2]
BOARD = tomllib.loads((ROOT / "boards" / "raspi2b" / "board.toml").read_text())


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Stand-ins for the build's outputs and the Pi's firmware: random bytes of the real sizes'
    order, so that a file swapped, cut or shifted shows."""
    import random

    rng = random.Random(13)
    made = {}
    for name, size in {"bootcode.bin": 52_480, "start.elf": 2_975_904, "fixup.dat": 7_314,
                       "boot.bin": 16_432, "rootfs.img": 1_234_567}.items():
        made[name] = tmp_path / "in" / name
        made[name].parent.mkdir(exist_ok=True)
        made[name].write_bytes(rng.randbytes(size))
    return made


def _write(target: Path, inputs: dict[str, Path]) -> dict[str, bytes | Path]:
    board = load("raspi2b")
    firmware = sdcard.firmware_files(inputs["bootcode.bin"].parent)
    files = sdcard.boot_files(board, inputs["boot.bin"], inputs["rootfs.img"], firmware)
    sdcard.write_card(target, sdcard.card_layout(board), files)
    return files


def test_an_image_file_holds_what_a_pi_2_boots(tmp_path, inputs):
    if not (shutil.which("partx") and shutil.which("blkid")):
        pytest.fail("partx and blkid (util-linux) are needed to read the card independently")
    card = tmp_path / "card.img"
    _write(card, inputs)

    # the MBR: one FAT32 (LBA) partition, past the slot area
    rows = subprocess.run(["partx", "--show", "-g", "-o", "NR,START,SECTORS,TYPE", str(card)],
                          check=True, capture_output=True, text=True).stdout.split("\n")
    parts = [row.split() for row in rows if row.strip()]
    assert len(parts) == 1, rows
    number, start, sectors, kind = parts[0]
    slots_at = BOARD["flash"]["SD_SLOTS_SECTOR"] * 512
    slots_end = slots_at + BOARD["flash"]["FLASH_SIZE"]
    assert (number, kind) == ("1", "0xc")
    assert int(start) * 512 >= slots_end and int(start) * 512 % (4 << 20) == 0
    assert card.stat().st_size == (int(start) + int(sectors)) * 512

    # the slot area: erased, as the SD slot driver erases
    with open(card, "rb") as f:
        f.seek(slots_at)
        assert f.read(slots_end - slots_at) == b"\xff" * (slots_end - slots_at)

    # the partition: a FAT32 file system
    probe = subprocess.run(["blkid", "-p", "-o", "export", "-O", str(int(start) * 512), str(card)],
                           check=True, capture_output=True, text=True).stdout
    assert "TYPE=vfat" in probe and "VERSION=FAT32" in probe, probe

    # its files, byte for byte
    with PyFatFS(str(card), offset=int(start) * 512, read_only=True) as fat:
        assert sorted(fat.listdir("/")) == sorted(["bootcode.bin", "start.elf", "fixup.dat", "kernel7.img",
                                                   "rootfs.img", "config.txt"])
        for name, source in [("bootcode.bin", "bootcode.bin"), ("start.elf", "start.elf"),
                             ("fixup.dat", "fixup.dat"), ("kernel7.img", "boot.bin"), ("rootfs.img", "rootfs.img")]:
            assert fat.readbytes(f"/{name}") == inputs[source].read_bytes(), name
        config = fat.readtext("/config.txt").splitlines()

    # config.txt loads both where board.toml has them, with UART0 on
    assert "kernel=kernel7.img" in config
    assert f"kernel_address=0x{BOARD['layout']['BOOT_ROM_BASE']:x}" in config
    assert f"initramfs rootfs.img 0x{BOARD['memory']['ROOTFS_BASE']:08x}" in config
    assert "enable_uart=1" in config


def test_writing_again_replaces_the_card(tmp_path, inputs):
    card = tmp_path / "card.img"
    _write(card, inputs)
    inputs["boot.bin"].write_bytes(b"another bootloader")
    _write(card, inputs)
    start = sdcard.card_layout(load("raspi2b")).boot_offset
    with PyFatFS(str(card), offset=start, read_only=True) as fat:
        assert fat.readbytes("/kernel7.img") == b"another bootloader"


@pytest.mark.parametrize("target", ["/dev/null", "."])
def test_neither_a_block_device_nor_a_file_is_refused(target):
    with pytest.raises(RigError, match="neither a block device nor a regular file"):
        sdcard.check_target(Path(target), 1 << 20)


def test_a_root_file_system_too_large_for_its_place_is_refused(tmp_path, inputs):
    big = tmp_path / "big.img"
    with open(big, "wb") as f:
        f.truncate(BOARD["memory"]["ROOTFS_SIZE"] + 1)
    firmware = sdcard.firmware_files(inputs["bootcode.bin"].parent)
    with pytest.raises(RigError, match="more than the .* the firmware may load"):
        sdcard.boot_files(load("raspi2b"), inputs["boot.bin"], big, firmware)


def test_missing_firmware_says_where_to_get_it(tmp_path, capsys):
    (tmp_path / "fw").mkdir()
    (tmp_path / "fw" / "start.elf").write_bytes(b"x")
    assert cli.main(["--board", "raspi2b", "sdcard", str(tmp_path / "card.img"),
                     "--firmware", str(tmp_path / "fw")]) == 1
    error = capsys.readouterr().err
    assert "no bootcode.bin, fixup.dat" in error and "raspi-firmware" in error, error
    assert not (tmp_path / "card.img").exists()


def test_a_board_without_an_sd_card_is_refused(tmp_path, capsys):
    assert cli.main(["--board", "qemu-virt", "sdcard", str(tmp_path / "card.img")]) == 1
    assert "qemu-virt does not boot from an SD card; the boards that do: raspi2b" in capsys.readouterr().err
