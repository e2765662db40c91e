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
from host.image import make_image, packed_build_id, read_image
from protocol import IMAGE_PAYLOAD_OFFSET, parse_image
from protocol.bootinfo import BUILD_ID_OFFSET, BootInfo, image_build_id

ROOT = Path(__file__).resolve().parents[2]
BUILD_ID = bytes(range(0xA0, 0xB4))
IMAGE_ID = bytes(range(0x60, 0x74))     # what tools/pack_image.py wrote into boot_info
BOOT_INFO = 0x200                       # boot_info's offset in the payload
TEXT = (bytes(range(256)) * 4)[:BOOT_INFO + BUILD_ID_OFFSET] + IMAGE_ID + \
    (bytes(range(256)) * 4)[BOOT_INFO + BUILD_ID_OFFSET + 20:]
DATA = b"kernel banner\0"


@pytest.fixture
def kernel(tmp_path):
    elf = tmp_path / "kernel.elf"
    # segments out of address order: the load address is still the lowest one
    elf.write_bytes(make_elf(entry=0x40100040, segments=[(0x40100400, DATA), (0x40100000, TEXT)],
                             build_id=BUILD_ID, symbols={"kernel_banner": (0x40100400, len(DATA)),
                                                         "boot_info": (0x40100000 + BOOT_INFO, 64)}))
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
        (0x40100000, 0x40100040, "qemu-virt", IMAGE_ID)
    assert header.sequence == 0
    assert image[IMAGE_PAYLOAD_OFFSET:] == payload


def test_an_unpacked_payload_has_no_build_id_to_flash(kernel, tmp_path):
    """kernel.bin straight from objcopy (no module table written into it) is refused."""
    raw = tmp_path / "raw.bin"
    raw.write_bytes(TEXT[:BOOT_INFO] + bytes(64) + TEXT[BOOT_INFO + 64:] + DATA)
    with pytest.raises(RigError, match="no image build id"):
        make_image(kernel[0], raw, board="qemu-virt")


def _module(tmp_path, name: str, text: bytes) -> str:
    path = tmp_path / f"{name}.elf"
    path.write_bytes(make_elf(entry=0x10000, segments=[(0x10000, text)], build_id=None))
    return str(path)


def test_the_image_build_id_covers_every_module(tmp_path):
    """pack_image writes SHA-1 of the packed payload (its own field zeroed) into boot_info: the
    kernel unchanged, a change in one module's bytes changes the id the system reports."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("pack_image", ROOT / "tools" / "pack_image.py")
    pack_image = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pack_image)
    kernel_elf = tmp_path / "kernel.elf"
    kernel_elf.write_bytes(make_elf(entry=0x40100000, segments=[(0x40100000, bytes(0x1000))], build_id=BUILD_ID,
                                    symbols={"boot_info": (0x40100100, BootInfo.sizeof()),
                                             "__kernel_end": (0x40101000, 0)}))
    ids = []
    for root_text in (b"root task one", b"root task two"):
        modules = [_module(tmp_path, "sigma0", b"sigma0"), _module(tmp_path, "root", root_text)]
        payload = pack_image.pack(kernel_elf, [pack_image.parse_module(m) for m in modules])
        build_id = packed_build_id(kernel_elf, payload)
        assert build_id == image_build_id(payload, 0x100) and any(build_id)
        info = BootInfo.parse(payload[0x100:])
        assert (info.count, [m.name for m in info.modules[:2]]) == (2, ["sigma0", "root"])
        ids.append(build_id)
    assert ids[0] != ids[1]


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
