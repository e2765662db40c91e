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

import pytest
from conftest import rig_cli, scratch_deterministic_board

from host.bench import baseline_file
from host.board import FIRMWARE
from host.image import write_image

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

    with scratch_deterministic_board(rig_board.spec, firmware.boot_bin, image, tmp_path / "board") as driver:
        done = rig_cli(driver.state_dir, "--board", firmware.board, "bench", "--deterministic", "--iterations", "100",
                       "--compare", str(baseline_path), timeout=300)
    text = done.stdout + done.stderr
    assert done.returncode != 0, text
    assert "not as " in text and "ipc.call_roundtrip: median" in text and "+5%" in text, text
    baseline = json.loads(baseline_path.read_text())
    null = next(r["median"] for r in baseline["results"] if r["name"] == "syscall.null")
    assert f"syscall.null: median 0 < {null} -30%: did it stop doing its work?" in text, text
    assert "pf.user_pager: median" not in text, text         # what did not change is not blamed
    assert "│ ipc.call_roundtrip " in text and "slower" in text  # the table, with the verdict
