#!/usr/bin/env python3
"""Record what the Linux conformance tests print on real Linux.

    tools/record_linux.py [TEST ...]

Boots Debian's armhf Linux kernel on the same QEMU machine (host/reallinux.py), with an
initramfs holding what our root file system holds and an init that runs each test and prints its
output between markers.  Writes tests/linux/NAME.exp for each: the output, then a line `exit N`.  The test
runner (tests/target/test_linux.py) holds our Linux server to these files byte for byte.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from host import reallinux  # noqa: E402
from host.errors import RigError  # noqa: E402

TESTS = ROOT / "tests" / "linux"


def test_names() -> list[str]:
    return sorted(p.stem for p in TESTS.glob("*.sh"))


SCRIPT = """for t in {tests}; do
    echo "@@BEGIN $t"
    sh /tests/$t.sh 2>&1
    echo "@@END $t $?"
done
echo "@@DONE"
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="*", help="test names (default: all tests/linux/*.sh)")
    args = parser.parse_args()
    names = args.tests or test_names()
    print("booting real Linux", file=sys.stderr)
    try:
        out = reallinux.run(SCRIPT.format(tests=" ".join(names)))
    except RigError as e:
        raise SystemExit(f"record_linux: {e}")
    for name in names:
        m = re.search(rf"^@@BEGIN {re.escape(name)}\n(.*?)^@@END {re.escape(name)} (\d+)$", out, re.S | re.M)
        if not m:
            raise SystemExit(f"record_linux: no output for {name}; the console said:\n{out[-2000:]}")
        (TESTS / f"{name}.exp").write_text(m.group(1) + f"exit {m.group(2)}\n")
        print(f"recorded tests/linux/{name}.exp", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
