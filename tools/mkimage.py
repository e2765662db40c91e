#!/usr/bin/env python3
"""Make a flashable image from a kernel ELF and its raw binary.

    tools/mkimage.py firmware/build/qemu-virt/kernel.elf firmware/build/qemu-virt/kernel.bin \
        kernel.img --board qemu-virt

The load address is the lowest physical address of the ELF's loaded segments, the entry point
its e_entry, the build id its GNU build-id note.  `host/rig.py flash` does the same by itself.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from host.elf import elf_info  # noqa: E402
from host.errors import RigError  # noqa: E402
from host.image import write_image  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Make a flashable image (header + payload) from a kernel ELF.")
    parser.add_argument("elf", type=Path)
    parser.add_argument("bin", type=Path, help="objcopy -O binary of the ELF")
    parser.add_argument("out", type=Path)
    parser.add_argument("--board", required=True, help="board name written into the header")
    args = parser.parse_args(argv)
    try:
        image = write_image(args.elf, args.bin, args.out, args.board)
        info = elf_info(args.elf)
    except RigError as exc:
        print(f"mkimage: error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {len(image)} bytes, load 0x{info.load_addr:08x}, entry 0x{info.entry:08x}, "
          f"build {info.build_id.hex()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
