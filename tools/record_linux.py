#!/usr/bin/env python3
"""Record what the Linux conformance tests print on real Linux.

    tools/record_linux.py [TEST ...]

Boots Debian's armhf Linux kernel (linux-image-*-armmp, fetched with apt-get download into
.cache/armhf/) on the same QEMU `virt` machine, with an initramfs holding the same programs as
our root file system (busybox and its applet links, the programs built from tests/linux/*.c,
the scripts tests/linux/*.sh) and an init that runs each test and prints its output between
markers.  Writes tests/linux/NAME.exp for each: the output, then a line `exit N`.  The test
runner (tests/target/test_linux.py) holds our Linux server to these files byte for byte.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from mkinitramfs import build  # noqa: E402

TESTS = ROOT / "tests" / "linux"
CACHE = ROOT / ".cache" / "armhf"
BUILD = ROOT / "firmware" / "build" / "qemu-virt" / "linux"
KERNEL_PACKAGE = "linux-image-armmp:armhf"


def applets() -> list[str]:
    """The applet links our root file system has, from the firmware Makefile."""
    text = (ROOT / "firmware" / "Makefile").read_text()
    block = re.search(r"^APPLETS := (.*?)\n(?!\s)", text, re.S | re.M).group(1)
    return block.replace("\\", " ").split()


def kernel() -> Path:
    found = sorted(CACHE.glob("kernel/boot/vmlinuz-*-armmp"))
    if found:
        return found[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    meta = subprocess.run(["apt-cache", "depends", KERNEL_PACKAGE], capture_output=True, text=True).stdout
    image = re.search(r"Depends: (linux-image-[\w.-]+-armmp)", meta)
    if not image:
        raise SystemExit("record_linux: apt-cache does not know linux-image-armmp for armhf "
                         "(run tools/setup as root first: it adds the armhf architecture)")
    subprocess.run(["apt-get", "download", image.group(1) + ":armhf"], cwd=CACHE, check=True)
    deb = sorted(CACHE.glob("linux-image-*-armmp_*.deb"))[-1]
    subprocess.run(["dpkg-deb", "-x", str(deb), str(CACHE / "kernel")], check=True)
    return sorted(CACHE.glob("kernel/boot/vmlinuz-*-armmp"))[-1]


def test_names() -> list[str]:
    return sorted(p.stem for p in TESTS.glob("*.sh"))


INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
mount -t devtmpfs dev /dev 2>/dev/null
for t in {tests}; do
    echo "@@BEGIN $t"
    sh /tests/$t.sh 2>&1
    echo "@@END $t $?"
done
echo "@@DONE"
poweroff -f
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="*", help="test names (default: all tests/linux/*.sh)")
    args = parser.parse_args()
    names = args.tests or test_names()
    busybox = CACHE / "busybox"
    if not busybox.exists():
        raise SystemExit("record_linux: run tools/setup first (it fetches busybox for armhf)")
    programs = sorted(BUILD.glob("*"))
    if not programs:
        raise SystemExit("record_linux: build the firmware first (make -C firmware)")
    files: dict[str, Path | str] = {"bin/busybox": busybox}
    files.update({f"bin/{a}": "busybox" for a in applets()})
    files.update({"bin/mount": "busybox", "bin/poweroff": "busybox"})
    files.update({f"bin/{p.name}": p for p in programs})
    files.update({f"tests/{p.name}": p for p in TESTS.glob("*.sh")})
    work = CACHE / "record"
    work.mkdir(parents=True, exist_ok=True)
    init = work / "init"
    init.write_text(INIT.format(tests=" ".join(names)))
    init.chmod(0o755)
    files["init"] = init
    files.update({d: None for d in ("proc", "tmp", "dev")})
    initrd = work / "initrd.cpio"
    initrd.write_bytes(build(files))
    command = ["qemu-system-arm", "-M", "virt", "-cpu", "cortex-a15", "-m", "256M", "-nographic", "-nic", "none",
               "-no-reboot", "-kernel", str(kernel()), "-initrd", str(initrd),
               "-append", "console=ttyAMA0 quiet rdinit=/init"]
    print("booting real Linux:", " ".join(command), file=sys.stderr)
    out = subprocess.run(command, capture_output=True, timeout=600).stdout.decode(errors="replace")
    out = out.replace("\r\n", "\n")
    for name in names:
        m = re.search(rf"^@@BEGIN {re.escape(name)}\n(.*?)^@@END {re.escape(name)} (\d+)$", out, re.S | re.M)
        if not m:
            raise SystemExit(f"record_linux: no output for {name}; the console said:\n{out[-2000:]}")
        (TESTS / f"{name}.exp").write_text(m.group(1) + f"exit {m.group(2)}\n")
        print(f"recorded tests/linux/{name}.exp", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
