#!/usr/bin/env python3
"""Make a board's firmware header and build variables from its definition.

    tools/gen_board.py BOARD OUTDIR     -> OUTDIR/board.h, OUTDIR/board.mk

from boards/BOARD/board.toml (host/boarddef.py reads it).  A file is rewritten only when its
text changes, so an unchanged board rebuilds nothing.  The firmware's Makefile runs this.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from host.boarddef import load  # noqa: E402
from host.errors import RigError  # noqa: E402


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text)
        tmp.replace(path)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        board = load(argv[1])
    except RigError as exc:
        print(f"gen_board: {exc}", file=sys.stderr)
        return 1
    out = Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    write_if_changed(out / "board.h", board.header())
    write_if_changed(out / "board.mk", board.makefile())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
