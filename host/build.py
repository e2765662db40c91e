"""The firmware build, as the rig runs it: `make -C firmware BOARD=<board>`, then kernel.img.

Make decides what is stale, so running it every time costs little; kernel.img is rewritten
when kernel.elf or kernel.bin is newer than it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import boarddef
from .board import FIRMWARE, ROOT
from .errors import RigError
from .image import write_image


@dataclass(frozen=True)
class Firmware:
    """The build outputs of one board."""

    board: str

    @property
    def dir(self) -> Path:
        return FIRMWARE / "build" / self.board

    boot_bin = property(lambda self: self.dir / "boot.bin")
    boot_elf = property(lambda self: self.dir / "boot.elf")
    kernel_elf = property(lambda self: self.dir / "kernel.elf")
    kernel_bin = property(lambda self: self.dir / "kernel.bin")
    kernel_img = property(lambda self: self.dir / "kernel.img")
    rootfs_img = property(lambda self: self.dir / "rootfs.img")          # the root file system partition
    ktest_elf = property(lambda self: self.dir / "user" / "ktest.elf")   # the kernel's on-target tests
    modem_elf = property(lambda self: self.dir / "user" / "modem.elf")   # the modem and its tests

    @property
    def test_elfs(self) -> list[Path]:
        """The boot modules that serve on-target tests, in the order debugd asks them."""
        return [self.ktest_elf, self.ktest_elf.with_name(self.modem_elf.name)]

    def outputs(self) -> list[Path]:
        return [self.boot_bin, self.boot_elf, self.kernel_elf, self.kernel_bin]


class BuildError(RigError):
    """The build failed; `output` holds the last lines make printed, for context."""

    def __init__(self, message: str, output: list[str]):
        super().__init__(message)
        self.output = output


def build(board: str, *, show: Callable[[str], None] | None = None, tail: int = 20) -> Firmware:
    """Build the firmware of `board` and its kernel.img.  `show` gets make's output lines as
    they come; without it a failure carries the last `tail` lines in BuildError.output."""
    fw = Firmware(board)
    if not (FIRMWARE / "Makefile").exists():
        raise RigError("firmware/Makefile is missing: there is no firmware to build yet")
    boarddef.load(board)                        # a missing or broken definition, said plainly
    for tool in ("make", "arm-none-eabi-gcc"):
        if shutil.which(tool) is None:
            raise RigError(f"{tool} not found: run tools/setup")
    command = ["make", "-C", str(FIRMWARE.relative_to(ROOT)), f"BOARD={board}"]
    lines: list[str] = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace") as proc:
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if show is not None:
                show(lines[-1])
    if proc.returncode != 0:
        raise BuildError(f"firmware build for {board} failed (`{' '.join(command)}` exited {proc.returncode})",
                         output=[] if show is not None else lines[-tail:])
    missing = [str(p.relative_to(ROOT)) for p in fw.outputs() if not p.exists()]
    if missing:
        raise RigError(f"the firmware build did not produce {', '.join(missing)}")
    ensure_image(fw)
    return fw


def ensure_image(fw: Firmware) -> bool:
    """Write kernel.img if it is missing or older than kernel.elf or kernel.bin."""
    img = fw.kernel_img
    if img.exists() and img.stat().st_mtime >= max(fw.kernel_elf.stat().st_mtime, fw.kernel_bin.stat().st_mtime):
        return False
    write_image(fw.kernel_elf, fw.kernel_bin, img, fw.board)
    return True
