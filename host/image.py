"""The flashable image: kernel.bin behind the image header, made from what the kernel's ELF says
(load address, entry point) and the build id tools/pack_image.py wrote into the payload, which
covers every boot module.  The format itself is protocol/image.py."""

from __future__ import annotations

from pathlib import Path

from elftools.elf.elffile import ELFFile

from protocol import BUILD_ID_LEN, build_image, parse_image
from protocol.bootinfo import BUILD_ID_OFFSET

from .elf import elf_info, open_elf, symbol
from .errors import RigError


def bootinfo_offset(elf: ELFFile) -> int:
    """Where the kernel's `boot_info` (the module table) sits in its packed payload."""
    loads = [seg for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD" and seg["p_memsz"]]
    return symbol(elf, "boot_info").address - (min(seg["p_vaddr"] for seg in loads) & ~0xfff)


def payload_build_id(payload: bytes, bootinfo_at: int) -> bytes:
    """The build id tools/pack_image.py wrote into the payload's module table: the image's,
    covering the kernel and every boot module."""
    at = bootinfo_at + BUILD_ID_OFFSET
    build_id = payload[at:at + BUILD_ID_LEN]
    if len(build_id) != BUILD_ID_LEN or not any(build_id):
        raise RigError("the payload has no image build id: pack it with tools/pack_image.py")
    return build_id


def packed_build_id(elf_path: Path, payload: bytes) -> bytes:
    elf = open_elf(Path(elf_path))
    try:
        return payload_build_id(payload, bootinfo_offset(elf))
    finally:
        elf.stream.close()


def read_payload(bin_path: Path) -> bytes:
    try:
        payload = Path(bin_path).read_bytes()
    except OSError:
        raise RigError(f"{bin_path} is missing: build the firmware first") from None
    if not payload:
        raise RigError(f"{bin_path} is empty")
    return payload


def make_image(elf_path: Path, bin_path: Path, board: str) -> bytes:
    info = elf_info(Path(elf_path))
    payload = read_payload(bin_path)
    return build_image(payload, load_addr=info.load_addr, entry=info.entry, board=board,
                       build_id=packed_build_id(elf_path, payload))


def write_image(elf_path: Path, bin_path: Path, out_path: Path, board: str) -> bytes:
    image = make_image(elf_path, bin_path, board)
    tmp = Path(out_path).with_suffix(".tmp")
    tmp.write_bytes(image)
    tmp.replace(out_path)
    return image


def read_image(path: Path):
    """(header fields, payload, whole image) of an image file; RigError if it does not check out."""
    try:
        image = Path(path).read_bytes()
    except OSError as exc:
        raise RigError(f"cannot read image {path}: {exc.strerror}") from None
    try:
        header, payload = parse_image(image)
    except ValueError as exc:
        raise RigError(f"{path}: {exc}") from None
    return header, payload, image
