"""What the rig reads from firmware ELF files with pyelftools: load address, entry point,
GNU build id, symbols and the bytes at an address."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile

from protocol import BUILD_ID_LEN

from .errors import RigError


@dataclass(frozen=True)
class ElfInfo:
    load_addr: int           # lowest physical address of a loaded segment: where kernel.bin goes
    entry: int
    build_id: bytes


@dataclass(frozen=True)
class Symbol:
    name: str
    address: int
    size: int


def open_elf(path: Path) -> ELFFile:
    """An ELFFile on an open file (the caller closes `elf.stream`)."""
    try:
        stream = open(path, "rb")
    except OSError:
        raise RigError(f"{path} is missing: build the firmware first (`host/rig.py build`)") from None
    try:
        return ELFFile(stream)
    except ELFError as exc:
        stream.close()
        raise RigError(f"{path} is not an ELF file: {exc}") from None


def elf_info(path: Path) -> ElfInfo:
    elf = open_elf(path)
    try:
        loads = [seg for seg in elf.iter_segments() if seg["p_type"] == "PT_LOAD"]
        with_data = [seg for seg in loads if seg["p_filesz"] > 0] or loads
        if not with_data:
            raise RigError(f"{path} has no loadable segment")
        return ElfInfo(load_addr=min(seg["p_paddr"] for seg in with_data), entry=elf["e_entry"],
                       build_id=build_id(elf, path))
    finally:
        elf.stream.close()


def build_id(elf: ELFFile, path: Path | str = "the ELF") -> bytes:
    for section in elf.iter_sections():
        if section["sh_type"] != "SHT_NOTE":
            continue
        for note in section.iter_notes():
            if note["n_type"] == "NT_GNU_BUILD_ID":
                desc = bytes.fromhex(note["n_desc"])
                if len(desc) != BUILD_ID_LEN:
                    raise RigError(f"{path}: build id is {len(desc)} bytes, the protocol carries {BUILD_ID_LEN} "
                                   f"(link with --build-id=sha1)")
                return desc
    raise RigError(f"{path} has no .note.gnu.build-id: link it with --build-id=sha1")


def symbol(elf: ELFFile, name: str) -> Symbol:
    symtab = elf.get_section_by_name(".symtab")
    found = symtab.get_symbol_by_name(name) if symtab is not None else None
    if not found:
        raise RigError(f"symbol {name} not found in the ELF (stripped, or not defined)")
    sym = found[0]
    return Symbol(name=name, address=sym["st_value"], size=sym["st_size"])


def read_bytes(elf: ELFFile, address: int, length: int) -> bytes:
    """The initial contents of [address, address+length) as the ELF file holds them."""
    for section in elf.iter_sections():
        start, size = section["sh_addr"], section["sh_size"]
        if section["sh_type"] == "SHT_NOBITS" or not section["sh_flags"] & 0x2:  # SHF_ALLOC
            continue
        if start <= address and address + length <= start + size:
            offset = address - start
            return section.data()[offset:offset + length]
    raise RigError(f"0x{address:08x}+{length} is not inside one loaded section with contents")


def read_cstring(elf: ELFFile, address: int, limit: int = 256) -> str:
    """The NUL-terminated string at `address` in a loaded section with contents."""
    for section in elf.iter_sections():
        start, size = section["sh_addr"], section["sh_size"]
        if section["sh_type"] == "SHT_NOBITS" or not section["sh_flags"] & 0x2:  # SHF_ALLOC
            continue
        if start <= address < start + size:
            data = section.data()[address - start:address - start + limit]
            end = data.find(b"\0")
            if end < 0:
                raise RigError(f"no string end within {limit} bytes of 0x{address:08x}")
            return data[:end].decode("utf8", "replace")
    raise RigError(f"0x{address:08x} is not inside a loaded section with contents")
