"""Fixtures for host unit tests: a fake target on a pty (see fake_target.py), pytester for
testing the rig's pytest plugin, and firmware C built for the host."""

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

from fake_target import FakeTarget

pytest_plugins = ["pytester"]

# No wall-clock deadline on property tests: a busy machine (boards running beside the tests)
# makes an example slow, not wrong.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")


@pytest.fixture
def fake():
    """A fake target sitting in its bootloader (no autoboot), on its own pty."""
    with FakeTarget() as target:
        yield target


ROOT = Path(__file__).resolve().parents[2]


def build_firmware_c(tmp_path_factory, name: str, sources: list[str], *, shared: bool = True,
                     extra: list[Path] = ()) -> Path:
    """Build firmware C files (paths under firmware/) for the host with the firmware's own
    include path and warnings as errors: a shared library for ctypes, or a program.  Skips the
    test when there is no host gcc."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not found: the firmware's C code cannot be built for the host")
    out = tmp_path_factory.mktemp(name) / (f"lib{name}.so" if shared else name)
    subprocess.run([gcc, *(["-shared", "-fPIC"] if shared else []), "-O2", "-std=gnu11",
                    f"-I{ROOT / 'firmware' / 'include'}", "-Wall", "-Wextra", "-Werror", "-o", str(out),
                    *map(str, extra), *(str(ROOT / "firmware" / src) for src in sources)],
                   check=True, capture_output=True, text=True)
    return out
