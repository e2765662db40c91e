"""Real Linux on the board's own QEMU machine: the reference our Linux server is held to.

Debian's armhf kernel (linux-image-*-armmp, fetched with `apt-get download` into .cache/armhf/)
boots on the machine, CPU and memory of `boards/<board>/board.toml`, with an initramfs holding
what our root file system holds (busybox and a link for each of its applets, Debian's packages,
the CPython test modules of tests/cpython/modules.txt, the programs built from tests/linux/*.c,
the scripts tests/linux/*.sh) and an init script of the caller's.  The console
output comes back as text.  tools/record_linux.py records the conformance tests' expected
output this way; `rig bench linux --vs-native` runs the benchmark program this way, with the
board's [deterministic] arguments, so both sides count the same instructions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .board import BoardSpec
from .boarddef import QemuSpec
from .errors import RigError

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests" / "linux"
CACHE = ROOT / ".cache" / "armhf"
# The real Linux every native figure and every recorded output comes from, pinned: Debian
# bookworm's armmp kernel of this ABI and version (the metapackage moves from one to the next
# between runs).  When the archive no longer carries it, pin the one it has and record
# benchmarks/linux.json and the tests/linux outputs again.
KERNEL_PACKAGE, KERNEL_VERSION = "linux-image-6.1.0-50-armmp", "6.1.176-1"
# A machine whose Debian mirror lags (or has moved on) may name another in the environment,
# REAL_LINUX_KERNEL=PACKAGE=VERSION, to record outputs with; figures measured so say which.
if os.environ.get("REAL_LINUX_KERNEL", "").count("=") == 1:
    KERNEL_PACKAGE, KERNEL_VERSION = os.environ["REAL_LINUX_KERNEL"].split("=")
KERNEL_IMAGE = "vmlinuz-" + KERNEL_PACKAGE.removeprefix("linux-image-")

# Mounted before the caller's script runs (and /dev's links to /proc/self/fd, which udev makes on
# a Debian system), and the way it ends.
INIT_HEAD = """#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
mount -t devtmpfs dev /dev 2>/dev/null
ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin; ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
"""
INIT_TAIL = """
poweroff -f
"""


def kernel() -> Path:
    """Debian's armmp kernel image of the pinned version, downloaded and unpacked on first use."""
    image = CACHE / "kernel" / "boot" / KERNEL_IMAGE
    stamp = CACHE / "kernel" / "version"
    if image.exists() and stamp.exists() and stamp.read_text().strip() == KERNEL_VERSION:
        return image
    CACHE.mkdir(parents=True, exist_ok=True)
    wanted = f"{KERNEL_PACKAGE}:armhf={KERNEL_VERSION}"
    try:
        for old in CACHE.glob(f"{KERNEL_PACKAGE}_*.deb"):
            old.unlink()
        subprocess.run(["apt-get", "download", wanted], cwd=CACHE, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deb = next(CACHE.glob(f"{KERNEL_PACKAGE}_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(CACHE / "kernel")], check=True,
                       capture_output=True, text=True)
        stamp.write_text(KERNEL_VERSION + "\n")
    except subprocess.CalledProcessError as exc:
        said = (exc.stderr or "").strip().splitlines()[-1:] or [f"exit {exc.returncode}"]
        raise RigError(f"cannot fetch Debian's {wanted}: {said[0]} (no armhf architecture: run tools/setup; "
                       f"gone from the archive: pin the version it has in host/reallinux.py)") from None
    except (OSError, StopIteration) as exc:
        raise RigError(f"cannot fetch Debian's {wanted}: {exc}") from None
    return image


def root_files(board: str) -> dict[str, Path | str | None]:
    """The initramfs contents our root file system also has (mkinitramfs's `files` form)."""
    busybox = CACHE / "busybox"
    if not busybox.exists():
        raise RigError("no busybox for armhf in .cache/armhf: run tools/setup first")
    programs = sorted((ROOT / "firmware" / "build" / board / "linux").glob("*"))
    if not programs:
        raise RigError("no Linux programs built: build the firmware first (make -C firmware)")
    sys.path.insert(0, str(ROOT / "tools"))
    from mkinitramfs import BUSYBOX, busybox_links, cpython_test_files, tree_files

    tree = CACHE / "rootfs"                     # Debian's packages, as tools/setup unpacks them
    files: dict[str, Path | str | None] = dict(tree_files(tree)) if tree.is_dir() else {}
    suite = CACHE / "testsuite"                 # CPython's tests, as tools/setup unpacks them
    if suite.is_dir():
        files.update(cpython_test_files(suite, ROOT / "tests" / "cpython" / "modules.txt"))
    files[BUSYBOX.lstrip("/")] = busybox
    recorded = TESTS / "busybox_list.exp"
    try:
        # before the list is first recorded: the links the init script needs
        files.update(busybox_links(busybox, recorded, taken=files) if recorded.exists() else
                     {p: BUSYBOX for p in ("bin/sh", "bin/mount", "bin/poweroff")})
    except ValueError as exc:
        raise RigError(str(exc)) from None
    files.update({f"bin/{p.name}": p for p in programs})
    files.update({f"tests/{p.name}": p for p in TESTS.glob("*.sh")})
    files.update({d: None for d in ("proc", "tmp", "dev")})
    return files


def run(script: str, *, board: str = "qemu-virt", deterministic: bool = False, timeout: float = 600) -> str:
    """Boot real Linux with `script` as the body of its init; the console output (\\n lines)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from mkinitramfs import build

    spec = BoardSpec.load(board)
    if spec.qemu is None:
        raise RigError(f"board {board} is not a QEMU board: real Linux runs on QEMU only")
    q = spec.qemu
    (CACHE / "work").mkdir(parents=True, exist_ok=True)
    # a directory of this run's own: the cache is shared by every checkout of the machine
    with tempfile.TemporaryDirectory(dir=CACHE / "work") as work:
        init = Path(work) / "init"
        init.write_text(INIT_HEAD + script + INIT_TAIL)
        init.chmod(0o755)
        files = root_files(board)
        files["init"] = init
        initrd = Path(work) / "initrd.cpio"
        initrd.write_bytes(build(files))
        return _boot(q, initrd, deterministic, board, timeout)


def _boot(q: QemuSpec, initrd: Path, deterministic: bool, board: str, timeout: float) -> str:
    command = [q.binary, "-M", q.machine, "-cpu", q.cpu, "-m", q.memory, "-nographic", "-nic", "none",
               "-no-reboot", "-kernel", str(kernel()), "-initrd", str(initrd),
               "-append", "console=ttyAMA0 quiet rdinit=/init"]
    if deterministic:
        if not q.deterministic:
            raise RigError(f"boards/{board}/board.toml has no [qemu] deterministic arguments")
        command += q.deterministic
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RigError(f"real Linux did not power off within {timeout:g} s") from None
    except OSError as exc:
        raise RigError(f"cannot run {q.binary}: {exc.strerror or exc}") from None
    return done.stdout.decode(errors="replace").replace("\r\n", "\n")
