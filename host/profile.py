"""`rig profile`: where the instructions of one operation go, instruction by instruction.

On the QEMU board in deterministic mode, gdb-multiarch runs host/gdbstep.py against QEMU's gdb
stub: it waits for a start address (a kernel or user address, with an optional gdb condition),
then single-steps every instruction the processor runs, in every address space, until a stop
address or a maximum count, and writes the program counters down.  Here the trace becomes a
table: instructions per function (or per source line, or per ELF), symbolized with
host/symbols.py across the kernel, the boot modules and user programs given with --elf.

A user address alone does not say whose it is (every boot module is linked at 1 MiB): the
stepper notes the code bytes at the first user instruction after each change of address space
(CONTEXTIDR), and the space is the ELF whose file holds those bytes at that address.  An
instruction is counted where it ran, so a benchmark's deterministic figure (one cycle, one
instruction) and the trace's total measure the same thing two ways.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from .elf import open_elf
from .errors import RigError
from .symbols import KERNEL_BASE, Location

WFI = 0xE320F003            # ARM-mode `wfi`
IRQ_VECTOR = 0x18           # the IRQ's offset in the kernel's vector table (symbol `vectors`)
CODE_BYTES = 8              # what the start breakpoint compares when the start is a user address
SHF_ALLOC, SHF_EXECINSTR = 0x2, 0x4
GROUPINGS = ("function", "line", "elf")


@dataclass(frozen=True)
class SpaceMark:
    """From step `index` on, user code runs in the space with this CONTEXTIDR, whose code at
    that step's pc is `code`."""
    index: int
    context: int | None
    code: bytes


@dataclass
class Trace:
    pcs: list[int]
    spaces: list[SpaceMark]
    start_context: int | None = None
    stopped: str = "stop"               # "stop": reached the stop address; "max": the count ran out
    idle: int = 0                       # WFIs the board ran past
    seconds: float = 0.0

    @classmethod
    def from_json(cls, data: dict) -> "Trace":
        return cls(pcs=list(data["pcs"]),
                   spaces=[SpaceMark(i, ctx, bytes.fromhex(code)) for i, ctx, code in data["spaces"]],
                   start_context=data.get("start_context"), stopped=data.get("stopped", "stop"),
                   idle=data.get("idle", 0), seconds=data.get("seconds", 0.0))

    @property
    def rate(self) -> float:
        """Steps per second."""
        return len(self.pcs) / self.seconds if self.seconds else 0.0


class Images(Protocol):
    """What a trace is read against: the code and the symbols of each ELF, by name."""

    def names(self) -> Iterable[str]: ...

    def code(self, elf: str, address: int, length: int) -> bytes | None: ...

    def lookup(self, address: int, elf: str) -> Location | None: ...


def owners(trace: Trace, images: Images) -> list[str | None]:
    """The ELF each space mark's code belongs to (None: none of them holds those bytes)."""
    found = []
    for mark in trace.spaces:
        pc = trace.pcs[mark.index] if mark.index < len(trace.pcs) else None
        match = None
        if pc is not None and mark.code:
            match = next((name for name in images.names() if name != "kernel"
                          and images.code(name, pc, len(mark.code)) == mark.code), None)
        found.append(match)
    return found


def attribute(trace: Trace, images: Images) -> Iterator[tuple[int, str | None]]:
    """(pc, the ELF it ran in) for every step: "kernel" at kernel addresses, else the ELF of the
    latest space mark."""
    elves = owners(trace, images)
    marks = iter(zip(trace.spaces, elves))
    pending = next(marks, None)
    user: str | None = None
    for index, pc in enumerate(trace.pcs):
        while pending is not None and pending[0].index <= index:
            user = pending[1]
            pending = next(marks, None)
        yield pc, "kernel" if pc >= KERNEL_BASE else user


def namer(images: Images, by: str) -> Callable[[int, str | None], tuple[str, str]]:
    """(name, ELF) of a step at `pc` in `elf`, at the granularity `by` (one of GROUPINGS)."""
    if by not in GROUPINGS:
        raise RigError(f"--by takes {', '.join(GROUPINGS)}, not {by!r}")

    @lru_cache(maxsize=None)
    def name(pc: int, elf: str | None) -> tuple[str, str]:
        owner = elf or "user"
        if by == "elf":
            return owner, owner
        where = images.lookup(pc, elf) if elf else None
        if where is None:
            return f"{owner}:?", owner
        if by == "line" and where.file:
            return f"{Path(where.file).name}:{where.line}", owner
        return where.function or f"{owner}:?", owner
    return name


@dataclass(frozen=True)
class Row:
    name: str
    elf: str
    instructions: int


def tally(steps: Iterable[tuple[int, str | None]], name: Callable[[int, str | None], tuple[str, str]]) -> list[Row]:
    """Instructions per name, most first (ties by name)."""
    counts: Counter[tuple[str, str]] = Counter(name(pc, elf) for pc, elf in steps)
    return sorted((Row(n, e, c) for (n, e), c in counts.items()), key=lambda r: (-r.instructions, r.name))


def path(steps: Iterable[tuple[int, str | None]], name: Callable[[int, str | None], tuple[str, str]]) -> list[Row]:
    """The steps as consecutive runs in one place, in the order they ran."""
    runs: list[Row] = []
    for pc, elf in steps:
        here, owner = name(pc, elf)
        if runs and runs[-1].name == here and runs[-1].elf == owner:
            runs[-1] = Row(here, owner, runs[-1].instructions + 1)
        else:
            runs.append(Row(here, owner, 1))
    return runs


# --------------------------------------------------------------------------------------------
# The build's ELF files


@lru_cache(maxsize=None)
def _sections(path: Path, executable: bool = False) -> tuple[tuple[int, bytes], ...]:
    """(address, contents) of the ELF's loaded sections that have contents in the file."""
    elf = open_elf(path)
    try:
        found = []
        for section in elf.iter_sections():
            flags = section["sh_flags"]
            if section["sh_type"] == "SHT_NOBITS" or not flags & SHF_ALLOC:
                continue
            if executable and not flags & SHF_EXECINSTR:
                continue
            found.append((section["sh_addr"], section.data()))
        return tuple(found)
    finally:
        elf.stream.close()


def code_at(path: Path, address: int, length: int) -> bytes | None:
    for start, data in _sections(path):
        if start <= address and address + length <= start + len(data):
            return data[address - start:address - start + length]
    return None


def wfi_addresses(path: Path) -> list[int]:
    """Every ARM-mode WFI in the ELF's code."""
    found = []
    for start, data in _sections(path, executable=True):
        base = -start % 4
        for offset in range(base, len(data) - 3, 4):
            if int.from_bytes(data[offset:offset + 4], "little") == WFI:
                found.append(start + offset)
    return found


@dataclass
class BuildImages:
    """The kernel, the boot modules and extra user ELFs of a build, through a host.symbols
    Symbolizer (which must know the extra ELFs: Symbolizer.add)."""
    symbolizer: object
    paths: dict[str, Path] = field(default_factory=dict)

    def names(self) -> Iterable[str]:
        return self.paths

    def code(self, elf: str, address: int, length: int) -> bytes | None:
        path = self.paths.get(elf)
        return code_at(path, address, length) if path else None

    def lookup(self, address: int, elf: str) -> Location | None:
        return self.symbolizer.lookup(address, elf=elf)


_ADDRESS = re.compile(r"^(?:(?P<elf>[\w.-]+):)?(?P<symbol>[A-Za-z_.$][\w.$]*)(?:\+(?P<offset>0x[0-9a-fA-F]+|\d+))?$")


def resolve(text: str, images: BuildImages) -> tuple[int, str | None]:
    """An address as given (hex, or [ELF:]SYMBOL[+OFFSET]) and the ELF it is in (None when a
    bare number names a user address)."""
    if re.fullmatch(r"0x[0-9a-fA-F]+|[0-9a-fA-F]{8}", text):
        address = int(text, 16)
        return address, "kernel" if address >= KERNEL_BASE else None
    m = _ADDRESS.match(text)
    if not m:
        raise RigError(f"{text!r} is not an address: give hex, or [ELF:]SYMBOL[+OFFSET] (e.g. ktest:call_loop+0x16c)")
    wanted = [m.group("elf")] if m.group("elf") else list(images.names())
    offset = int(m.group("offset") or "0", 0)
    for name in wanted:
        if name not in images.paths:
            raise RigError(f"no ELF named {name!r}: {', '.join(images.paths)}")
        address = images.symbolizer.address_of(m.group("symbol"), name)
        if address is not None:
            return address + offset, name
    raise RigError(f"no function {m.group('symbol')!r} in {', '.join(wanted)}")


def read_trace(path: Path) -> Trace:
    try:
        return Trace.from_json(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError) as exc:
        raise RigError(f"the stepper wrote no usable trace ({path}: {exc})") from None


# --------------------------------------------------------------------------------------------
# The stepper: gdb-multiarch running host/gdbstep.py


GDBSTEP = Path(__file__).with_name("gdbstep.py")
ARM_TIMEOUT = 30.0          # gdb connects and sets its breakpoint
START_TIMEOUT = 10.0        # after the workload ended, the start has been reached or never will


class Stepper:
    """gdb-multiarch on the stub at `port`, stepping from the start to the stop (see
    host/gdbstep.py); `arm()`, then make the board run the code, then `finish()`."""

    def __init__(self, gdb: str, port: int, params: dict, out: Path):
        import os
        import queue
        import subprocess
        import threading

        self.out = out
        env = dict(os.environ, RIG_PROFILE=json.dumps(dict(params, out=str(out))))
        self.process = subprocess.Popen(
            [gdb, "-q", "-nx", "-batch", "-ex", "set architecture arm", "-ex", f"target remote 127.0.0.1:{port}",
             "-x", str(GDBSTEP)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.lines: "queue.Queue[str | None]" = queue.Queue()
        self.said: list[str] = []
        self.started = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _next(self, timeout: float) -> str | None:
        """gdb's next line that is the stepper's own ("rig-profile: ..."), or None when gdb ended."""
        import queue
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError from None
            if line is None:
                return None
            self.said.append(line)
            if line.startswith("rig-profile: error"):
                raise RigError(f"the stepper failed: {line.removeprefix('rig-profile: error ')}")
            if line.startswith("rig-profile: "):
                return line.removeprefix("rig-profile: ")

    def _gone(self, what: str) -> RigError:
        tail = "\n".join(self.said[-8:])
        return RigError(f"gdb ended {what}; it said:\n{tail}")

    def arm(self) -> None:
        """Wait until the start breakpoint is set and the board runs again."""
        try:
            said = self._next(ARM_TIMEOUT)
        except TimeoutError:
            self.process.kill()
            raise RigError(f"gdb did not set its breakpoint within {ARM_TIMEOUT:g} s") from None
        if said != "armed":
            raise self._gone("before setting its breakpoint")

    def finish(self, step_timeout: float) -> Trace:
        """After the workload: the trace, once the stepper has stepped to its stop (at most
        `step_timeout` s).  A start never reached is an error, and gdb lets the board go."""
        import signal

        try:
            said = self._next(START_TIMEOUT)
        except TimeoutError:
            self.process.send_signal(signal.SIGINT)         # gdb stops the board, then detaches
            self.process.wait(timeout=ARM_TIMEOUT)
            raise RigError("the start was never reached while the workload ran") from None
        if said != "started":
            raise self._gone("before the start")
        try:
            said = self._next(step_timeout)
        except TimeoutError:
            self.process.kill()
            raise RigError(f"the stepper did not reach the stop within {step_timeout:g} s") from None
        if said is None or not said.startswith("done"):
            raise self._gone("while stepping")
        self.process.wait(timeout=ARM_TIMEOUT)
        return read_trace(self.out)
