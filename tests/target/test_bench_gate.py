"""The benchmark gate can fail both ways (against the board's committed baseline,
host.bench.baseline_file): a test build with nops planted on the kernel's IPC
fast path (PLANTED_SLOWDOWN, firmware/kernel/fastpath.c) and a benchmark that stopped doing its
work (PLANTED_NOTHING: ktest's syscall.null without its system call), on a scratch QEMU board in
deterministic mode, must fail `rig bench --compare` against the committed baseline for both
reasons, and the benchmarks neither plant touches must not be the ones blamed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from host.bench import baseline_file
from host.board import FIRMWARE, ROOT, Board
from host.flash import flash_image
from host.image import write_image
from host.qemu import QemuDriver
from host.strategy import Target

PLANTED = 40                    # nops on each half of a call round trip: 80 instructions more


@pytest.mark.qemu
def test_a_planted_slowdown_and_a_benchmark_doing_nothing_fail_the_gate(rig_board, firmware, tmp_path):
    build = f"build/{firmware.board}-slowed"
    shutil.rmtree(FIRMWARE / build, ignore_errors=True)      # the plants are compile-time: build afresh
    subprocess.run(["make", "-C", str(FIRMWARE), f"BOARD={firmware.board}", f"BUILD={build}",
                    f"KERNEL_EXTRA=-DPLANTED_SLOWDOWN={PLANTED}", "USER_EXTRA=-DPLANTED_NOTHING",
                    f"{build}/kernel.bin"],
                   check=True, capture_output=True, text=True)
    slowed = FIRMWARE / build
    baseline_path = baseline_file(firmware.board)
    image = write_image(slowed / "kernel.elf", slowed / "kernel.bin", tmp_path / "kernel.img", firmware.board)

    state = tmp_path / "board"
    driver = QemuDriver(rig_board.spec, state)
    driver.up(firmware.boot_bin, deterministic=True)
    try:
        target = Target(Board(spec=rig_board.spec, console=driver, power=driver, qemu=driver))
        target.bootloader()
        flash_image(target.link, image)
        target.close()
        done = subprocess.run([sys.executable, str(ROOT / "host" / "rig.py"), "--board", firmware.board,
                               "--state-dir", str(state), "bench", "--deterministic", "--iterations", "100",
                               "--compare", str(baseline_path)],
                              capture_output=True, text=True, timeout=300, env={"COLUMNS": "160", "PATH": "/usr/bin:/bin"})
    finally:
        driver.down()
    text = done.stdout + done.stderr
    assert done.returncode != 0, text
    assert "not as " in text and "ipc.call_roundtrip: median" in text and "+5%" in text, text
    baseline = json.loads(baseline_path.read_text())
    null = next(r["median"] for r in baseline["results"] if r["name"] == "syscall.null")
    assert f"syscall.null: median 0 < {null} -30%: did it stop doing its work?" in text, text
    assert "pf.user_pager: median" not in text, text         # what did not change is not blamed
    assert "│ ipc.call_roundtrip " in text and "slower" in text  # the table, with the verdict
