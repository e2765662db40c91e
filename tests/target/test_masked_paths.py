"""The kernel's longest interrupts-masked path, measured.

The kernel runs with interrupts masked, so its longest path is the worst interrupt latency it
adds.  A test build (CONFIG_MASKED_PROFILE, kernel/profile.h) stamps the cycle counter at every
kernel entry and keeps the longest stretch to the return to user mode, per kind of entry.  This
test boots that build on a scratch board in deterministic mode (a cycle is an instruction there),
drives the paths whose length depends on what a user asked — a process with 16 MiB mapped
exiting, a fork of it, the Linux server's domain deleted with everything in it, a hostile server
creating spaces until its kernel memory runs out and then deleted, the kernel's own tests — and
checks that no stretch went past the bound docs/kernel-api.md states.  The figures are written to
.rig/masked-paths.json.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import time

import pytest

from host.board import FIRMWARE, ROOT, Board
from host.debugd import Debugd
from host.elf import open_elf, symbol
from host.flash import flash_image
from host.image import write_image
from host.qemu import QemuDriver
from host.shell import run_line
from host.strategy import Target
from host.symbols import ElfSymbols
from protocol import SLOT_AUTO, SLOT_RAM, Feature, MsgType

BOUND = 50_000              # instructions: the acceptance bound for the frame interrupt's latency
SYSCALLS = ["ipc", "thread_control", "space_control", "exchange_registers", "thread_switch", "schedule",
            "unmap", "system_clock", "interrupt_control", "kdebug"]
KINDS = [f"syscall {n}" for n in SYSCALLS] + ["foreign system call", "interrupt", "interrupt in idle"] + \
    [f"exception {k}" for k in ("-", "undefined", "svc", "prefetch abort", "data abort", "alignment", "6", "7")]
# Linux lines that make the long paths: big address spaces torn down, forked, unmapped
LINES = [
    "dd if=/dev/zero of=/dev/null bs=16M count=1",
    "dd if=/dev/zero of=/dev/null bs=8M count=2 & dd if=/dev/zero of=/dev/null bs=8M count=2; wait",
    "for i in 1 2 3 4 5 6 7 8; do ( dd if=/dev/zero of=/dev/null bs=4M count=1 ) & done; wait",
]


def shell(link, command: str, timeout: float = 120.0) -> int:
    return run_line(link, command, io.BytesIO(), timeout)


def read_profile(link, elf, symbols) -> dict:
    sym = symbol(elf, "masked_profile")
    data = bytes(link.request(MsgType.READ_MEM, dict(addr=sym.address, length=sym.size), timeout=5.0).data)
    n = len(KINDS)
    words = struct.unpack(f"<4I{n}I{n}I{n}I{n}III", data)
    longest, tids, froms, tos = (words[4 + k * n:4 + (k + 1) * n] for k in range(4))
    kinds = {KINDS[i]: dict(cycles=longest[i], thread=f"{tids[i] >> 14}.{tids[i] & 0x3fff}",
                            begins=_where(symbols, froms[i]) if froms[i] else "kernel entry",
                            ends=_where(symbols, tos[i]))
             for i in range(n) if longest[i]}
    return dict(kinds=kinds, entries=words[-2], preemptions=words[-1])


@pytest.mark.qemu
def test_the_longest_interrupts_masked_path_is_within_the_bound(rig_board, firmware, tmp_path, record_property):
    build = f"build/{firmware.board}-profile"
    subprocess.run(["make", "-C", str(FIRMWARE), f"BOARD={firmware.board}", f"BUILD={build}",
                    "KERNEL_EXTRA=-DCONFIG_MASKED_PROFILE", f"{build}/kernel.bin"],
                   check=True, capture_output=True, text=True)
    profiled = FIRMWARE / build
    image = write_image(profiled / "kernel.elf", profiled / "kernel.bin", tmp_path / "kernel.img", firmware.board)

    driver = QemuDriver(rig_board.spec, tmp_path / "board")
    driver.up(firmware.boot_bin, deterministic=True)
    elf = open_elf(profiled / "kernel.elf")
    try:
        target = Target(Board(spec=rig_board.spec, console=driver, power=driver, qemu=driver))
        ram_only = not target.bootloader().features & Feature.FLASH    # raspi2b: no slots
        flash_image(target.link, image, slot=SLOT_RAM if ram_only else SLOT_AUTO)
        target.start(SLOT_RAM) if ram_only else target.kernel()
        link = target.link
        debugd = Debugd(link)
        for line in LINES:
            assert shell(link, line) == 0, line
        debugd.restart("linux", "hostile")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("hostile: done" in x for x in link.lines):
            link.request(MsgType.PING, dict(data=b"?"))
            time.sleep(0.2)
        debugd.restart("linux")
        assert shell(link, "echo ok") == 0
        for test in ("fuzz.*", "map.*", "ipc.*", "exception.*", "fault.*", "isolation"):
            for entry in [e for e in debugd.tests() if e.kind == "test" and _match(e.name, test)]:
                debugd.run_test(entry.name)
        measured = read_profile(link, elf, ElfSymbols(profiled / "kernel.elf"))
        profile = measured["kinds"]
        target.close()
    finally:
        elf.stream.close()
        driver.down()

    worst_kind = max(profile, key=lambda k: profile[k]["cycles"])
    report = dict(bound=BOUND, worst=dict(kind=worst_kind, **profile[worst_kind]), kinds=profile,
                  entries=measured["entries"], preemptions=measured["preemptions"])
    (ROOT / ".rig").mkdir(exist_ok=True)
    (ROOT / ".rig" / "masked-paths.json").write_text(json.dumps(report, indent=1) + "\n")
    record_property("masked_paths", json.dumps(report))
    print(json.dumps(report, indent=1))
    assert profile["syscall space_control"]["cycles"] > 0 and profile["foreign system call"]["cycles"] > 0
    assert profile[worst_kind]["cycles"] <= BOUND, report


def _where(symbols, point: int) -> str:
    """A preemption point (its source line << 20 | its return address's low 20 bits) as the
    function it is in and its line; line 0 is the return to user mode."""
    line, address = point >> 20, (symbols.functions[0][0] & ~0xFFFFF) | (point & 0xFFFFF)
    location = symbols.lookup(address - 4, "kernel")
    function = location.function if location and location.function else f"{address:#x}"
    return f"{function}, line {line}" if line else "the return to user mode"


def _match(name: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase
    return fnmatchcase(name, pattern)
