"""Unit tests of the rig's ELF reading and image making (host/elf.py, host/image.py,
host/build.py's kernel.img rule, tools/mkimage.py), on small ELF files written by
elfgen.py: no cross compiler, no firmware."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from elfgen import make_elf
from host import build as build_mod
from host.elf import elf_info, open_elf, read_bytes, symbol
from host.errors import RigError
from host.image import make_image, read_image
from protocol import IMAGE_PAYLOAD_OFFSET, parse_image

ROOT = Path(__file__).resolve().parents[2]
BUILD_ID = bytes(range(0xA0, 0xB4))
TEXT = bytes(range(256)) * 4
DATA = b"kernel banner\0"


@pytest.fixture
def kernel(tmp_path):
    elf = tmp_path / "kernel.elf"
    # segments out of address order: the load address is still the lowest one
    elf.write_bytes(make_elf(entry=0x40100040, segments=[(0x40100400, DATA), (0x40100000, TEXT)],
                             build_id=BUILD_ID, symbols={"kernel_banner": (0x40100400, len(DATA))}))
    binary = tmp_path / "kernel.bin"
    binary.write_bytes(TEXT + DATA)
    return elf, binary


def test_elf_info_reads_load_address_entry_and_build_id(kernel):
    info = elf_info(kernel[0])
    assert (info.load_addr, info.entry, info.build_id) == (0x40100000, 0x40100040, BUILD_ID)


def test_symbols_and_their_bytes(kernel):
    elf = open_elf(kernel[0])
    try:
        banner = symbol(elf, "kernel_banner")
        assert (banner.address, banner.size) == (0x40100400, len(DATA))
        assert read_bytes(elf, banner.address, banner.size) == DATA
        with pytest.raises(RigError, match="symbol nope not found"):
            symbol(elf, "nope")
        with pytest.raises(RigError, match="not inside one loaded section"):
            read_bytes(elf, 0x50000000, 4)
    finally:
        elf.stream.close()


def test_image_carries_the_elf_facts_and_the_payload(kernel):
    image = make_image(*kernel, board="qemu-virt")
    header, payload = parse_image(image)
    assert payload == TEXT + DATA
    assert (header.load_addr, header.entry, header.board, bytes(header.build_id)) == \
        (0x40100000, 0x40100040, "qemu-virt", BUILD_ID)
    assert header.sequence == 0
    assert image[IMAGE_PAYLOAD_OFFSET:] == payload


def test_elf_without_build_id_is_refused(tmp_path):
    elf = tmp_path / "k.elf"
    elf.write_bytes(make_elf(entry=0, segments=[(0x40100000, TEXT)], build_id=None))
    with pytest.raises(RigError, match="no .note.gnu.build-id: link it with --build-id=sha1"):
        elf_info(elf)


def test_build_id_of_the_wrong_size_is_refused(tmp_path):
    elf = tmp_path / "k.elf"
    elf.write_bytes(make_elf(entry=0, segments=[(0x40100000, TEXT)], build_id=bytes(16)))
    with pytest.raises(RigError, match="build id is 16 bytes"):
        elf_info(elf)


def test_missing_or_bad_files_are_one_clear_error(tmp_path):
    with pytest.raises(RigError, match="missing: build the firmware first"):
        elf_info(tmp_path / "nope.elf")
    (tmp_path / "junk.elf").write_bytes(b"not an elf")
    with pytest.raises(RigError, match="is not an ELF file"):
        elf_info(tmp_path / "junk.elf")
    (tmp_path / "bad.img").write_bytes(b"\xff" * 300)
    with pytest.raises(RigError, match=r"bad\.img: "):
        read_image(tmp_path / "bad.img")


def test_kernel_img_is_rebuilt_only_when_the_elf_is_newer(kernel, tmp_path, monkeypatch):
    monkeypatch.setattr(build_mod, "FIRMWARE", tmp_path / "firmware")
    fw = build_mod.Firmware("qemu-virt")
    fw.dir.mkdir(parents=True)
    fw.kernel_elf.write_bytes(kernel[0].read_bytes())
    fw.kernel_bin.write_bytes(kernel[1].read_bytes())
    assert build_mod.ensure_image(fw) is True
    assert build_mod.ensure_image(fw) is False
    later = fw.kernel_img.stat().st_mtime + 10
    os.utime(fw.kernel_elf, (later, later))
    assert build_mod.ensure_image(fw) is True
    assert parse_image(fw.kernel_img.read_bytes())[1] == TEXT + DATA


def test_mkimage_command(kernel, tmp_path):
    out = tmp_path / "kernel.img"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "mkimage.py"), str(kernel[0]), str(kernel[1]),
                           str(out), "--board", "qemu-virt"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "load 0x40100000, entry 0x40100040" in done.stdout
    assert out.read_bytes() == make_image(*kernel, board="qemu-virt")
    bad = subprocess.run([sys.executable, str(ROOT / "tools" / "mkimage.py"), str(tmp_path / "none.elf"),
                          str(kernel[1]), str(out), "--board", "qemu-virt"], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("mkimage: error:") and "Traceback" not in bad.stderr
