"""The flashable image: kernel.bin behind the image header, made from what the kernel's ELF says
(load address, entry point, build id).  The format itself is protocol/image.py."""

from __future__ import annotations

from pathlib import Path

from protocol import build_image, parse_image

from .elf import elf_info
from .errors import RigError


def make_image(elf_path: Path, bin_path: Path, board: str) -> bytes:
    info = elf_info(Path(elf_path))
    try:
        payload = Path(bin_path).read_bytes()
    except OSError:
        raise RigError(f"{bin_path} is missing: build the firmware first") from None
    if not payload:
        raise RigError(f"{bin_path} is empty")
    return build_image(payload, load_addr=info.load_addr, entry=info.entry, board=board, build_id=info.build_id)


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
