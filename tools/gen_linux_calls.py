#!/usr/bin/env python3
"""Write the Linux server's list of system calls into docs/linux-server.md from its table.

    tools/gen_linux_calls.py            rewrite the block between the markers
    tools/gen_linux_calls.py --check    exit 1 if the block is stale

The table is `syscall_table` in firmware/servers/linux/syscalls.c (`[__NR_name] = handler,`,
with an optional comment); each handler's file (sys_*.c) names the subsystem it belongs to.
The block sits between `<!-- generated: linux calls -->` and `<!-- end generated -->`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "firmware" / "servers" / "linux"
DOC = ROOT / "docs" / "linux-server.md"
BEGIN, END = "<!-- generated: linux calls -->", "<!-- end generated -->"
SUBSYSTEMS = {"sys_proc.c": "processes", "sys_signal.c": "signals", "sys_mm.c": "memory",
              "sys_file.c": "open files", "sys_lock.c": "file locks", "sys_fs.c": "the file system's names", "sys_poll.c": "waiting",
              "sys_cred.c": "credentials", "sys_thread.c": "threads", "sys_sched.c": "the scheduler",
              "sys_info.c": "information and time",
              "sys_epoll.c": "epoll", "sys_eventfd.c": "eventfd", "sys_copy.c": "copying between files", "sys_socket.c": "sockets"}


def table() -> list[tuple[str, int, str, str]]:
    """(name, number, handler, comment) for each entry, in the table's order."""
    numbers = {m.group(1): int(m.group(2)) for m in
               re.finditer(r"^#define __NR_(\w+)\s+(\d+)$", (SERVER / "uapi.h").read_text(), re.M)}
    source = (SERVER / "syscalls.c").read_text()
    body = source[source.index("syscall_table[LINUX_SYSCALLS] = {"):]
    body = body[:body.index("};")]
    rows = []
    for m in re.finditer(r"\[__NR_(\w+)\]\s*=\s*(\w+),[ \t]*(?:/\*\s*(.*?)\s*\*/)?", body):
        rows.append((m.group(1), numbers[m.group(1)], m.group(2), m.group(3) or ""))
    return rows


def handler_files() -> dict[str, str]:
    found = {}
    for path in sorted(SERVER.glob("sys_*.c")):
        for m in re.finditer(r"^int (sys_\w+)\(struct proc \*p, uint32_t \*r\)", path.read_text(), re.M):
            found[m.group(1)] = path.name
    return found


def render() -> str:
    files = handler_files()
    groups: dict[str, list[str]] = {}
    for name, number, handler, comment in table():
        where = files.get(handler)
        if where is None:
            raise SystemExit(f"gen_linux_calls: no sys_*.c defines {handler} (for {name})")
        note = f" ({comment})" if comment else ""
        same = "" if handler == f"sys_{name}" else f" → `{handler[4:]}`"
        groups.setdefault(where, []).append(f"`{name}` {number}{same}{note}")
    lines = [BEGIN, "", "| subsystem | file | calls (number; → the handler it shares) |", "|---|---|---|"]
    for where in sorted(groups, key=lambda w: list(SUBSYSTEMS).index(w) if w in SUBSYSTEMS else 99):
        lines.append(f"| {SUBSYSTEMS.get(where, where)} | `{where}` | {', '.join(groups[where])} |")
    total = sum(len(v) for v in groups.values())
    lines += ["", f"{total} numbers, and ARM's private `set_tls` (0xf0005, `syscall_other`).", "", END]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the block is stale")
    args = parser.parse_args()
    doc = DOC.read_text()
    if BEGIN not in doc or END not in doc[doc.index(BEGIN):]:
        print(f"gen_linux_calls: {DOC} has no block between {BEGIN} and {END}", file=sys.stderr)
        return 1
    start = doc.index(BEGIN)
    end = doc.index(END, start) + len(END)
    new = doc[:start] + render() + doc[end:]
    if args.check:
        if new != doc:
            print(f"gen_linux_calls: {DOC.relative_to(ROOT)} is stale: run tools/gen_linux_calls.py",
                  file=sys.stderr)
            return 1
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
