#!/usr/bin/env python3
"""Pack the kernel and its boot modules into one payload for the bootloader.

    tools/pack_image.py KERNEL.elf OUT.bin MODULE.elf[:flag,flag][@prio] ... [FILE:data]

The payload is the kernel's loadable bytes (what objcopy -O binary gives), zero-padded past the
kernel's .bss, then each module's memory image (text, data and zeroed bss, from its PT_LOAD
segments) on a page boundary.  The module table (protocol/bootinfo.py) is written into the
kernel's `boot_info` variable, with the image's build id (protocol.bootinfo.image_build_id),
which the running system reports.  Module 0 must be sigma0 and module 1 the root task.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elftools.elf.elffile import ELFFile  # noqa: E402

from protocol.bootinfo import (BUILD_ID_OFFSET, MAX_MODULES, MODULE_NAME_LEN, BootInfo, ModuleFlag,  # noqa: E402
                               image_build_id)

PAGE = 4096


def align(value: int, to: int = PAGE) -> int:
    return (value + to - 1) & ~(to - 1)


def loadable(elf: ELFFile) -> list:
    return [s for s in elf.iter_segments() if s["p_type"] == "PT_LOAD" and s["p_memsz"]]


def memory_image(elf: ELFFile, *, physical: bool, with_bss: bool = True) -> tuple[int, bytes]:
    """(base address, bytes from there to the end of the last segment, bss zeroed; without the
    trailing bss when `with_bss` is false)."""
    segments = loadable(elf)
    addr = "p_paddr" if physical else "p_vaddr"
    size = "p_memsz" if with_bss else "p_filesz"
    base = min(s[addr] for s in segments) & ~(PAGE - 1)
    end = max(s[addr] + s[size] for s in segments)
    image = bytearray(end - base)
    for s in segments:
        data = s.data()
        image[s[addr] - base:s[addr] - base + len(data)] = data
    return base, bytes(image)


def symbol(elf: ELFFile, name: str) -> int:
    for sym in elf.get_section_by_name(".symtab").iter_symbols():
        if sym.name == name:
            return sym["st_value"]
    raise SystemExit(f"pack_image: the kernel has no symbol {name!r}")


def parse_module(spec: str) -> tuple[Path, int, int]:
    prio = 100
    if "@" in spec:
        spec, prio_text = spec.rsplit("@", 1)
        prio = int(prio_text)
    flags = 0
    if ":" in spec:
        spec, flag_text = spec.split(":", 1)
        for name in filter(None, flag_text.split(",")):
            flags |= ModuleFlag[name.upper()]
    return Path(spec), flags, prio


def pack(kernel_path: Path, modules: list[tuple[Path, int, int]]) -> bytes:
    if not 2 <= len(modules) <= MAX_MODULES:
        raise SystemExit(f"pack_image: need sigma0, the root task and at most {MAX_MODULES - 2} more")
    with open(kernel_path, "rb") as f:
        kernel = ELFFile(f)
        load, payload = memory_image(kernel, physical=True)
        virt_load, _ = memory_image(kernel, physical=False)
        bootinfo_at = symbol(kernel, "boot_info") - virt_load
        kernel_end = symbol(kernel, "__kernel_end") - virt_load
    out = bytearray(payload) + bytes(align(kernel_end) - len(payload))
    table = []
    for index, (path, flags, prio) in enumerate(modules):
        if flags & ModuleFlag.DATA:
            vbase, image, entry = 0, path.read_bytes(), 0
            memory = len(image)
        else:
            with open(path, "rb") as f:
                elf = ELFFile(f)
                _, whole = memory_image(elf, physical=False)
                # sigma0 and the root task are started by the kernel, which maps their image as
                # it is; the root task gives the others zeroed pages for their bss
                vbase, image = memory_image(elf, physical=False, with_bss=index < 2)
                memory = align(len(whole))
                entry = elf["e_entry"]
        out += bytes(align(len(out)) - len(out))
        name = path.stem[:MODULE_NAME_LEN - 1]
        table.append(dict(name=name, phys=load + len(out), size=memory, image_size=len(image),
                          vbase=vbase,
                          entry=entry, flags=flags, prio=prio))
        out += image + bytes(align(len(image)) - len(image))
    table += [dict(name="", phys=0, size=0, image_size=0, vbase=0, entry=0, flags=0, prio=0)] * \
        (MAX_MODULES - len(table))
    info = BootInfo.build(dict(count=len(modules), end=load + len(out), build_id=bytes(20), modules=table))
    out[bootinfo_at:bootinfo_at + len(info)] = info
    build_id = image_build_id(bytes(out), bootinfo_at)
    out[bootinfo_at + BUILD_ID_OFFSET:bootinfo_at + BUILD_ID_OFFSET + len(build_id)] = build_id
    return bytes(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kernel", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("modules", nargs="+", help="ELF[:privileged,foreign_abi][@prio]")
    args = parser.parse_args()
    data = pack(args.kernel, [parse_module(m) for m in args.modules])
    tmp = args.out.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
