"""Addresses the target reports, shown as function+offset (file:line) from the build's ELFs.

The oracle for file and line is binutils' addr2line on the same ELF, not our own reader.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from host.symbols import Symbolizer


def addr2line(elf, address: int) -> tuple[str, str]:
    """(function, file basename:line) as binutils reads the DWARF."""
    out = subprocess.run(["arm-none-eabi-addr2line", "-f", "-e", str(elf), hex(address)],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    file, _, line = out[1].rpartition(":")
    return out[0], f"{file.rsplit('/', 1)[-1]}:{line.split()[0]}"


@pytest.mark.feature("TESTS")
def test_a_faulting_thread_is_reported_with_its_function_and_line(debugd, link, firmware):
    """ktest's exception.reported starts a thread whose exception handler is the root task and
    which executes an undefined instruction; the root task's report in the serial log names the
    function and the source line."""
    mark = link.log_mark()
    result = debugd.run_test("exception.reported")
    assert str(result.status) == "PASS", result.text
    pc = result.value
    function, line = addr2line(firmware.dir / "user" / "ktest.elf", pc)
    assert function == "undefined_insn"
    reports = [text for text in link.log_since(mark) if "stopped after an exception" in text]
    assert reports, link.log_since(mark)
    assert re.search(rf"pc {pc:08x} <undefined_insn\+0x[0-9a-f]+ \({re.escape(line)}\)>", reports[-1]), reports[-1]


def test_kernel_and_server_addresses_match_addr2line(firmware):
    symbols = Symbolizer(firmware.board)
    for elf, name, thread in ((firmware.kernel_elf, "ipc_syscall", None),
                              (firmware.dir / "user" / "linux.elf", "proc_fork", 416 << 14 | 1)):
        nm = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True).stdout
        start = int(re.search(rf"^([0-9a-f]+) [tT] {name}$", nm, re.M).group(1), 16)
        where = symbols.lookup(start + 8, thread=thread)
        function, line = addr2line(elf, start + 8)
        assert (where.function, where.offset, f"{where.file}:{where.line}") == (function, 8, line)
    assert symbols.lookup(0x1000, thread=None) is None          # a user address, whose? unknown


@pytest.mark.qemu
def test_rig_gdb_attaches_with_kernel_and_module_symbols(link, rig_board):
    """`rig gdb -- --batch ...` on the board's stub: gdb knows the kernel's and the servers'
    functions, and the board runs on once gdb detaches."""
    import sys
    from pathlib import Path

    from protocol import MsgType

    rig = Path(__file__).resolve().parents[2] / "host" / "rig.py"
    done = subprocess.run([sys.executable, str(rig), "--board", rig_board.name,
                           "--state-dir", str(rig_board.qemu.state_dir), "gdb", "--", "--batch",
                           "-ex", "info address fastpath_ipc", "-ex", "info address pager_main"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r'Symbol "fastpath_ipc" is a function at address 0xc0[0-9a-f]{6}', done.stdout), done.stdout
    assert re.search(r'Symbol "pager_main" is a function at address 0x1[0-9a-f]{5}\.', done.stdout), done.stdout
    assert bytes(link.request(MsgType.PING, dict(data=b"after gdb")).data) == b"after gdb"
