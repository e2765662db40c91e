"""Firmware C built for the host, for tests that hold it against a Python reference.

The firmware's freestanding sources (no L4, no board) compile as they are with the host's C
compiler into a shared library that ctypes loads; the library is cached per set of sources and
flags under .rig/hostc/ and rebuilt when a source changes.
"""

from __future__ import annotations

import ctypes
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
CACHE = ROOT / ".rig" / "hostc"


def build(name: str, sources: list[str], *, include: list[str] = (), defines: list[str] = ()) -> ctypes.CDLL:
    """Compile firmware/`sources` (paths relative to firmware/) into lib`name`.so and load it.
    Skips the calling test when the machine has no C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no host C compiler")
    paths = [FIRMWARE / s for s in sources]
    flags = ["-shared", "-fPIC", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
             "-I", str(FIRMWARE / "include"), *[f"-I{FIRMWARE / i}" for i in include],
             *[f"-D{d}" for d in defines]]
    digest = hashlib.sha256(" ".join(flags).encode())
    for p in paths:
        digest.update(p.read_bytes())
    for inc in include:
        for h in sorted((FIRMWARE / inc).glob("*.h")):
            digest.update(h.read_bytes())
    out = CACHE / f"lib{name}-{digest.hexdigest()[:16]}.so"
    if not out.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        result = subprocess.run([cc, *flags, "-o", str(tmp), *map(str, paths)],
                                capture_output=True, text=True)
        if result.returncode:
            raise AssertionError(f"host build of {', '.join(sources)} failed:\n{result.stderr}")
        tmp.replace(out)
    return ctypes.CDLL(str(out))
