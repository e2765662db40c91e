#!/usr/bin/env python3
"""Lay out flash bank 0: the stage-0 bootloader at its start, the root file system partition at
OFFSET, 0xFF (erased flash) between them.  The partition may take SIZE bytes (the board's
ROOTFS_SIZE: the rest of the bank); a bigger one is refused.

    tools/mkbank0.py BOOTLOADER.bin ROOTFS.img OFFSET SIZE OUT.bin
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    if len(sys.argv) != 6:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    boot = Path(sys.argv[1]).read_bytes()
    rootfs = Path(sys.argv[2]).read_bytes()
    offset, size = int(sys.argv[3], 0), int(sys.argv[4], 0)
    if len(boot) > offset:
        print(f"mkbank0: the bootloader ({len(boot)} bytes) runs into the partition at {offset:#x}",
              file=sys.stderr)
        return 1
    if len(rootfs) > size:
        print(f"mkbank0: the root file system partition ({len(rootfs)} bytes) is larger than the "
              f"{size} bytes the board gives it (ROOTFS_SIZE)", file=sys.stderr)
        return 1
    out = Path(sys.argv[5])
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(boot + b"\xff" * (offset - len(boot)) + rootfs)
    tmp.replace(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
