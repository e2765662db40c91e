"""Shared helpers of the on-target tests.  The fixtures for the board, the link and the firmware
come from the rig's pytest plugin (host/pytest_plugin.py); this file only adds a seeded random
generator, so that a failing random test can be replayed with RIG_SEED=<seed>, and a look at
the long-lived server threads, which tests that abuse the system check for harm; and a scratch
board in deterministic mode, for the tests that measure on one of their own."""

import contextlib
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from host.board import ROOT, Board
from host.flash import flash_image
from host.qemu import QemuDriver
from host.strategy import Target


@pytest.fixture
def rng(record_property):
    seed = int(os.environ.get("RIG_SEED", random.randrange(2**32)))
    record_property("seed", seed)
    print(f"random seed {seed} (replay with RIG_SEED={seed})")
    return random.Random(seed)


# Threads that live as long as the system: the boot servers and the helpers they name.  Threads
# that come and go by design (Linux processes, test helpers, the system-call probe) are left out.
SERVERS = ("sigma0", "root", "debugd", "ktest", "ktest-pager", "linux")


@pytest.fixture
def servers(debugd):
    """A callable: the server threads now in the kernel's table, by ID."""
    return lambda: {t.id: t for t in debugd.threads() if t.name in SERVERS}


@pytest.fixture
def check_unharmed(servers, kernel_abi):
    """A callable taking an earlier servers() snapshot: fails if a server is gone or stopped."""
    def check(before: dict, after_what: str) -> None:
        now = servers()
        for thread_id, thread in before.items():
            assert thread_id in now, f"{after_what}: {thread.name} ({thread_id:#x}) is gone"
            state = kernel_abi.state_name(now[thread_id].state)
            assert now[thread_id].stop_reason == 0 and state != "inactive", \
                f"{after_what}: {thread.name} is stopped " \
                f"({kernel_abi.exc_kind_name(now[thread_id].stop_reason) or 'halted'})"
    return check


@contextlib.contextmanager
def scratch_deterministic_board(spec, boot_bin, image: bytes | Path, state: Path):
    """A QEMU board of `spec` of its own (flash files in `state`), started in deterministic mode
    and flashed with `image` (bytes of a kernel.img, or its path); stopped on the way out."""
    driver = QemuDriver(spec, state)
    driver.up(boot_bin, deterministic=True)
    try:
        target = Target(Board(spec=spec, console=driver, power=driver, qemu=driver))
        target.bootloader()
        flash_image(target.link, image if isinstance(image, bytes) else Path(image).read_bytes())
        target.close()
        yield driver
    finally:
        driver.down()


def rig_cli(state: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """host/rig.py in a process of its own, on the board whose state is in `state`."""
    return subprocess.run([sys.executable, str(ROOT / "host" / "rig.py"), "--state-dir", str(state), *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"})
