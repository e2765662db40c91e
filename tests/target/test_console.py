"""rig console: the dashboard's snapshot mode, and the live one driven through a pty.

Both run in the test's process on the test session's link (the serial port admits one user);
the rig's other needs (board name, ABI, symbols) come from the same build."""

from __future__ import annotations

import io
import os
import threading
import time
from types import SimpleNamespace

import pytest
from rich.console import Console

from host import console
from host.abi import KernelAbi
from host.shell import run_line
from host.symbols import Symbolizer

IRQ_HOST_COUNT = 121        # a line the test server counts (firmware/user/ktest/tests.c)


def rig_for(debugd, rig_board, firmware):
    return SimpleNamespace(board=rig_board, abi=lambda: KernelAbi.from_elf(firmware.kernel_elf),
                           symbols=lambda: Symbolizer(firmware.board),
                           kernel=lambda: (debugd, debugd.link.last_info))


@pytest.mark.feature("THREADS", "INJECT", "TESTS")
def test_a_snapshot_shows_the_board_threads_rates_and_what_its_commands_did(debugd, link, rig_board, firmware):
    rig = rig_for(debugd, rig_board, firmware)
    # the Linux server's threads start once its root file system has checked out: a shell
    # line answered says they are there
    assert run_line(link, "true", io.BytesIO(), 120.0) == 0
    debugd.run_test("irq.host_count")           # the counting thread for line 121
    text = console.snapshot(rig, ["inject 121", "bench syscall.null 10", "sym c0100000", "nonsense"],
                            width=130, debugd=debugd, info=link.last_info)
    assert rig_board.name in text and "link up" in text
    for name in ("sigma0", "debugd", "linux-pager"):
        assert name in text
    for rate in ("IPC", "interrupts", "page faults", "context switches"):
        assert rate in text
    assert "interrupt 121 set pending" in text
    assert "syscall.null: n 10, min" in text
    assert "0xc0100000 " in text and "error: no command 'nonsense'" in text
    assert "interrupt to handler (cycles), n " in text


@pytest.mark.feature("THREADS", "INJECT")
def test_the_live_console_takes_commands_typed_in_a_terminal(debugd, link, rig_board, firmware):
    rig = rig_for(debugd, rig_board, firmware)
    master, slave = os.openpty()
    screen = Console(file=os.fdopen(os.dup(slave), "w"), width=120, height=50, force_terminal=True)
    result = {}
    runner = threading.Thread(target=lambda: result.setdefault(
        "rc", console.live(rig, fd=slave, console=screen, debugd=debugd, info=link.last_info)))
    runner.start()
    seen = b""

    def read_for(seconds: float) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            import select
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 65536)

    try:
        read_for(1.5)
        os.write(master, b"inject 121\r")
        read_for(2.0)
        os.write(master, b"quit\r")
        deadline = time.monotonic() + 10
        while runner.is_alive() and time.monotonic() < deadline:
            read_for(0.2)           # keep draining: a full terminal would block the console's writes
        read_for(0.3)
    finally:
        os.close(master)
        os.close(slave)
    assert not runner.is_alive() and result.get("rc") == 0
    text = seen.decode(errors="replace")
    assert "rig console" in text and "threads" in text
    assert "interrupt 121 set pending" in text
