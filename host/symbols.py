"""Addresses as people read them: `function+0x1c (file.c:123)`, from the firmware's ELF files and
their DWARF line tables (pyelftools).

The kernel runs at its high virtual addresses in every space, so an address there is the
kernel's. A user address needs to know whose: every boot module is linked at its own address but
runs in its own space, so the thread that reported it says which ELF to read. Module k's threads
are numbered from L4_FIRST_THREAD + L4_MODULE_THREADS * k (its first thread is the module), and
the modules are packed in the order of the firmware Makefile's BOOT_MODULES. Threads whose code is
not ours (Linux processes) have no symbols: their addresses stay numbers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .board import FIRMWARE
from .build import Firmware
from .elf import open_elf

FIRST_THREAD = 256          # L4_FIRST_THREAD
MODULE_THREADS = 32         # L4_MODULE_THREADS
KERNEL_BASE = 0xC0000000    # the kernel's half of every address space (TTBR1)


def parse_thread(text: str) -> int:
    """A thread as people write it, `416.1` (number.version) or `416`, as its full ID."""
    number, _, version = text.partition(".")
    try:
        return int(number, 0) << 14 | int(version or "1", 0)
    except ValueError:
        raise ValueError(f"{text!r} is not a thread (NUMBER or NUMBER.VERSION, e.g. 416.1)") from None


@dataclass(frozen=True)
class Location:
    elf: str                # "kernel" or a module's name
    function: str | None
    offset: int
    file: str | None
    line: int | None

    def __str__(self) -> str:
        where = f"{self.function}+0x{self.offset:x}" if self.function else f"{self.elf}:?"
        if self.file:
            where += f" ({self.file}:{self.line})"
        return where


class ElfSymbols:
    """Function symbols and line rows of one ELF, sorted by address for bisecting."""

    def __init__(self, path: Path):
        elf = open_elf(path)
        try:
            self.functions = self._functions(elf)
            self.lines = self._lines(elf)
        finally:
            elf.stream.close()
        self._starts = [f[0] for f in self.functions]
        self._line_starts = [row[0] for row in self.lines]

    @staticmethod
    def _functions(elf) -> list[tuple[int, int, str]]:
        """Functions, and the assembly's labels in code (untyped, sizeless: each reaches to the
        next symbol), as (start, size, name) sorted by start."""
        symtab = elf.get_section_by_name(".symtab")
        found, labels = {}, {}
        for sym in symtab.iter_symbols() if symtab is not None else ():
            kind, start = sym["st_info"]["type"], sym["st_value"] & ~1
            if not sym["st_value"] or not sym.name or sym.name.startswith("$"):
                continue
            if kind == "STT_FUNC":
                found[start] = (start, sym["st_size"], sym.name)
            elif kind == "STT_NOTYPE" and isinstance(sym["st_shndx"], int) \
                    and elf.get_section(sym["st_shndx"])["sh_flags"] & 0x4:        # SHF_EXECINSTR
                labels.setdefault(start, sym.name)
        starts = sorted(set(found) | set(labels))
        for start, after in zip(starts, starts[1:] + [None]):
            if start not in found:
                found[start] = (start, after - start if after is not None else 0, labels[start])
        return sorted(found.values())

    @staticmethod
    def _lines(elf) -> list[tuple[int, str, int]]:
        """(address, file, line) of every row of every line program, sorted; end-of-sequence
        rows keep their address with no file, so an address past a sequence finds nothing."""
        if not elf.has_dwarf_info():
            return []
        dwarf = elf.get_dwarf_info()
        rows = []
        for cu in dwarf.iter_CUs():
            program = dwarf.line_program_for_CU(cu)
            if program is None:
                continue
            header = program.header
            names = [entry.name.decode(errors="replace") for entry in header["file_entry"]]
            base = 1 if header["version"] < 5 else 0
            for entry in program.get_entries():
                state = entry.state
                if state is None:
                    continue
                if state.end_sequence:
                    rows.append((state.address, "", 0))
                    continue
                index = state.file - base
                name = names[index] if 0 <= index < len(names) else "?"
                rows.append((state.address, name, state.line))
        rows.sort(key=lambda r: r[0])
        return rows

    def lookup(self, address: int, elf_name: str) -> Location | None:
        function, offset = None, 0
        i = bisect.bisect_right(self._starts, address) - 1
        if i >= 0:
            start, size, name = self.functions[i]
            if address < start + max(size, 1):
                function, offset = name, address - start
        file = line = None
        j = bisect.bisect_right(self._line_starts, address) - 1
        if j >= 0 and self.lines[j][1]:
            file, line = self.lines[j][1], self.lines[j][2]
        if function is None and file is None:
            return None
        return Location(elf_name, function, offset, file, line)


def boot_modules(makefile: Path = FIRMWARE / "Makefile") -> list[str]:
    """The boot modules' names in packing order (module 0 first), from BOOT_MODULES."""
    text = makefile.read_text()
    block = re.search(r"^BOOT_MODULES := (.*?)\n(?!\s)", text, re.S | re.M)
    if not block:
        return []
    specs = block.group(1).replace("\\", " ").split()
    return [spec.split(".elf")[0] for spec in specs]


class Symbolizer:
    """Addresses of one board's firmware build."""

    def __init__(self, board: str):
        self.fw = Firmware(board)
        self.modules = boot_modules()
        self.extra: dict[str, Path] = {}        # user programs' ELFs by name (add)

    def add(self, path: Path) -> str:
        """Know the user program `path` (a Linux program, say) by its file name; the name."""
        name = path.name.removesuffix(".elf")
        if name == "kernel" or name in self.modules:
            raise ValueError(f"{path}: its name {name!r} is the kernel's or a boot module's")
        self.extra[name] = path
        return name

    def path_of(self, name: str) -> Path:
        """The ELF file of `name`: "kernel", a boot module or an added program."""
        if name in self.extra:
            return self.extra[name]
        return self.fw.kernel_elf if name == "kernel" else self.fw.dir / "user" / f"{name}.elf"

    @lru_cache(maxsize=None)
    def _elf(self, name: str) -> ElfSymbols | None:
        path = self.path_of(name)
        return ElfSymbols(path) if path.exists() else None

    def address_of(self, function: str, name: str) -> int | None:
        """Where `function` starts in the ELF `name`, or None."""
        symbols = self._elf(name)
        return next((start for start, _, f in symbols.functions if f == function), None) if symbols else None

    def module_of(self, thread_id: int) -> str | None:
        """The boot module whose space the thread `thread_id` (a full ID) belongs to."""
        number = thread_id >> 14
        k = (number - FIRST_THREAD) // MODULE_THREADS
        return self.modules[k] if number >= FIRST_THREAD and 0 <= k < len(self.modules) else None

    def lookup(self, address: int, *, thread: int | None = None, elf: str | None = None) -> Location | None:
        """Where `address` is: in the kernel when it is a kernel address, else in `elf` (a
        module's name), or the module of `thread`."""
        name = "kernel" if address >= KERNEL_BASE else elf or (self.module_of(thread) if thread else None)
        symbols = self._elf(name) if name else None
        return symbols.lookup(address, name) if symbols else None

    def describe(self, address: int, *, thread: int | None = None, elf: str | None = None) -> str:
        """`0x001012a4 fault_here+0x8 (tests.c:812)`, or the bare number when nothing is known."""
        where = self.lookup(address, thread=thread, elf=elf)
        return f"0x{address:08x}" + (f" {where}" if where else "")

    def text(self, text: str) -> str:
        """`text` (a log line, a panic report) with its code addresses symbolized: every kernel
        address, and a user address after "pc" when the line names the thread ("thread 1600001",
        as the root task's fault reports do)."""
        named = re.search(r"\bthread (?:0x)?([0-9a-fA-F]+)\b", text)
        thread = int(named.group(1), 16) if named else None

        def one(m: re.Match) -> str:
            value = int(m.group(2), 16)
            if value >= KERNEL_BASE:
                where = self.lookup(value)
            elif m.group(1) and thread is not None:
                where = self.lookup(value, thread=thread)
            else:
                where = None
            return f"{m.group(0)} <{where}>" if where else m.group(0)
        return re.sub(r"(\bpc )?\b(?:0x)?([0-9a-fA-F]{8})\b", one, text)
