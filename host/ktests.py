"""The on-target tests and benchmarks, as ktest (the test server, a boot module) registers them.

Each `KTEST()` or `KBENCH()` in `firmware/user/ktest/` puts one entry in ktest's `ktests`
section: `{const char *name; test_fn test; bench_fn bench;}`, three words, with a NULL `test`
for a benchmark.  The linker script brackets the table with `__ktests_start` and
`__ktests_end`.  Reading it from `ktest.elf` gives the host the same list TESTS gives over the
link, without a board: pytest parametrizes from it at collection time.

Over the link (TEST_NAMES) each entry reads `test:NAME` or `bench:NAME`; `parse_names()`
splits those.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from .elf import open_elf, read_bytes, read_cstring, symbol
from .errors import RigError

ENTRY = struct.Struct("<III")           # name, test, bench: one struct ktest_entry
KINDS = ("test", "bench")


@dataclass(frozen=True)
class KtestEntry:
    kind: str                           # "test" or "bench"
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"


def from_elf(path: Path) -> list[KtestEntry]:
    """The table in ktest.elf, in table order."""
    elf = open_elf(Path(path))
    try:
        start = symbol(elf, "__ktests_start").address
        end = symbol(elf, "__ktests_end").address
        if end < start or (end - start) % ENTRY.size:
            raise RigError(f"{path}: the ktests table is {end - start} bytes, not a whole number of "
                           f"{ENTRY.size}-byte entries")
        table = read_bytes(elf, start, end - start) if end > start else b""
        entries = []
        for name_ptr, test, _bench in ENTRY.iter_unpack(table):
            entries.append(KtestEntry("test" if test else "bench", read_cstring(elf, name_ptr)))
        return entries
    finally:
        elf.stream.close()


def parse_names(names: str) -> list[KtestEntry]:
    """TEST_NAMES text: NUL-terminated `kind:name` entries."""
    entries = []
    for item in names.split("\0"):
        if not item:
            continue
        kind, sep, name = item.partition(":")
        if not sep or kind not in KINDS:
            raise RigError(f"the target listed {item!r}, not test:NAME or bench:NAME")
        entries.append(KtestEntry(kind, name))
    return entries
