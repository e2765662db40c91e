"""A tiny ELF32 (ARM, little-endian) writer for host unit tests, so that the rig's ELF and image
code can be tested without a cross compiler: loadable segments, a GNU build-id note and a
symbol table, laid out by hand."""

from __future__ import annotations

import struct

PT_LOAD = 1
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOTE = 1, 2, 3, 7
SHF_ALLOC, SHF_EXEC = 0x2, 0x4


def make_elf(*, entry: int, segments: list[tuple[int, bytes]], build_id: bytes | None,
             symbols: dict[str, tuple[int, int]] | None = None) -> bytes:
    """segments: (physical = virtual address, contents); symbols: name -> (address, size)."""
    sections: list[dict] = []       # name, type, flags, addr, data, link, info, entsize
    for i, (addr, data) in enumerate(segments):
        sections.append(dict(name=".text" if i == 0 else f".data{i}", type=SHT_PROGBITS,
                             flags=SHF_ALLOC | SHF_EXEC, addr=addr, data=data))
    if build_id is not None:
        note = struct.pack("<III", 4, len(build_id), 3) + b"GNU\0" + build_id
        sections.append(dict(name=".note.gnu.build-id", type=SHT_NOTE, flags=SHF_ALLOC, addr=0, data=note))
    if symbols:
        strtab = b"\0"
        entries = [bytes(16)]
        for name, (addr, size) in symbols.items():
            entries.append(struct.pack("<IIIBBH", len(strtab), addr, size, 0x11, 0, 1))  # GLOBAL OBJECT in .text
            strtab += name.encode() + b"\0"
        strtab_index = len(sections) + 2          # null section first, symtab next
        sections.append(dict(name=".symtab", type=SHT_SYMTAB, flags=0, addr=0, data=b"".join(entries),
                             link=strtab_index, info=1, entsize=16))
        sections.append(dict(name=".strtab", type=SHT_STRTAB, flags=0, addr=0, data=strtab))
    shstrtab = b"\0"
    for section in sections:
        section["name_off"] = len(shstrtab)
        shstrtab += section["name"].encode() + b"\0"
    sections.append(dict(name=".shstrtab", type=SHT_STRTAB, flags=0, addr=0, data=shstrtab,
                         name_off=len(shstrtab)))
    shstrtab += b".shstrtab\0"
    sections[-1]["data"] = shstrtab

    phoff, phnum = 52, len(segments)
    offset = phoff + 32 * phnum
    body = b""
    for section in sections:
        section["offset"] = offset + len(body)
        body += section["data"]
        body += bytes(-len(body) % 4)
    shoff = offset + len(body)
    out = bytearray(b"\x7fELF" + bytes([1, 1, 1]) + bytes(9))
    out += struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, entry, phoff, shoff, 0x05000000, 52, 32, phnum, 40,
                       len(sections) + 1, len(sections))
    for i, (addr, data) in enumerate(segments):
        out += struct.pack("<IIIIIIII", PT_LOAD, sections[i]["offset"], addr, addr, len(data), len(data), 5, 4)
    out += body
    out += bytes(40)
    for section in sections:
        out += struct.pack("<IIIIIIIIII", section["name_off"], section["type"], section["flags"], section["addr"],
                           section["offset"], len(section["data"]), section.get("link", 0), section.get("info", 0),
                           4, section.get("entsize", 0))
    return bytes(out)
