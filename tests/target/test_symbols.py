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
                              (firmware.dir / "user" / "linux.elf", "proc_fork", 384 << 14 | 1)):
        nm = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True).stdout
        start = int(re.search(rf"^([0-9a-f]+) [tT] {name}$", nm, re.M).group(1), 16)
        where = symbols.lookup(start + 8, thread=thread)
        function, line = addr2line(elf, start + 8)
        assert (where.function, where.offset, f"{where.file}:{where.line}") == (function, 8, line)
    assert symbols.lookup(0x1000, thread=None) is None          # a user address, whose? unknown
