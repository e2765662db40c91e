#!/usr/bin/env python3
"""`host/rig.py`: the rig, runnable straight from a fresh clone with the system python3.

It first makes sure it can run: if its Python packages are not importable, or the Debian
toolchain (arm-none-eabi-gcc, qemu-system-arm, make) is missing, it runs tools/setup (which
installs what is missing, or says exactly what to run) and starts itself again under the
project's .venv.  Then it is the `rig` command: see host/cli.py or `host/rig.py --help`.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
MODULES = ("serial", "construct", "rich", "elftools", "pytest")
TOOLS = ("arm-none-eabi-gcc", "arm-linux-gnueabihf-gcc", "qemu-system-arm", "make")
# fetched by tools/setup for the Linux server's root file system
FILES = (ROOT / ".cache" / "armhf" / "busybox",)


def ready() -> bool:
    return (all(importlib.util.find_spec(name) is not None for name in MODULES)
            and all(shutil.which(tool) for tool in TOOLS) and all(f.exists() for f in FILES))


def bootstrap() -> None:
    if ready():
        return
    if os.environ.get("RIG_BOOTSTRAPPED"):
        sys.exit("rig: tools/setup ran, but packages or tools are still missing")
    setup = subprocess.run([sys.executable, str(ROOT / "tools" / "setup")])
    if setup.returncode != 0:
        sys.exit(setup.returncode)
    os.environ["RIG_BOOTSTRAPPED"] = "1"
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])


if __name__ == "__main__":
    # Run as a script, this file's folder (host/) is first on sys.path; the project root is
    # what must be there, so that `host` and `protocol` import as packages.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path.insert(0, str(ROOT))
    bootstrap()
    from host.cli import main

    sys.exit(main())
