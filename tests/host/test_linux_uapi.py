"""The Linux server's constants (firmware/servers/linux/uapi.h) against the ARM Linux headers of
the cross toolchain (arm-linux-gnueabihf), an independent reference: every name the header
defines must have Linux's value."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UAPI = ROOT / "firmware/servers/linux/uapi.h"
HEADERS = ("asm/unistd.h", "errno.h", "fcntl.h", "signal.h", "sys/stat.h", "sys/wait.h", "sched.h",
           "sys/mman.h", "poll.h", "asm/ioctls.h", "stdio.h", "time.h", "sys/time.h", "sys/resource.h", "sys/file.h",
           "sys/epoll.h", "sys/eventfd.h", "sys/socket.h", "sys/uio.h")
KERNEL_ONLY = {"SA_RESTORER": "asm/signal.h",    # not in glibc's headers, which clash with these
               "SS_AUTODISARM": "linux/signal.h",
               "MINSIGSTKSZ": "asm/signal.h",   # glibc's asks sysconf: not a constant
               "UIO_MAXIOV": "linux/uio.h",
               "P_ALL": "linux/wait.h", "P_PID": "linux/wait.h", "P_PGID": "linux/wait.h"}
CC = "arm-linux-gnueabihf-gcc"


def _defines(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^#define (\w+)[ \t]+(.+)$", text, re.M)}


def _ours() -> dict[str, str]:
    return _defines(UAPI.read_text())


@pytest.mark.skipif(not shutil.which(CC), reason=f"{CC} (tools/setup installs it) is not here")
def test_every_constant_has_linux_value():
    ours = _ours()
    units = {"glibc": (HEADERS, sorted(set(ours) - set(KERNEL_ONLY)))}
    units |= {h: ((h,), [n for n, hh in KERNEL_ONLY.items() if hh == h]) for h in set(KERNEL_ONLY.values())}
    for headers, names in units.values():
        # the toolchain evaluates both, Linux's name and our value, in one translation unit
        lines = ["#define _GNU_SOURCE"] + [f"#include <{h}>" for h in headers]
        for name in names:
            lines.append(f"#ifndef {name}\n#error {name} is not a Linux name\n#endif")
            lines.append(f"_Static_assert((long long)({name}) == (long long)({ours[name]}), \"{name}\");")
        run = subprocess.run([CC, "-fsyntax-only", "-x", "c", "-"], input="\n".join(lines), text=True,
                             capture_output=True)
        wrong = re.findall(r'static assertion failed: "(\w+)"|#error (\w+)', run.stderr)
        assert run.returncode == 0, f"not Linux's: {[a or b for a, b in wrong] or run.stderr[:2000]}"
    assert len(ours) > 500


def test_server_sources_use_names_not_errno_numbers():
    """No `return -N` with a bare errno number in the server (only -1, its internal failure)."""
    bare = []
    for path in sorted((ROOT / "firmware/servers/linux").glob("*.c")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"return -([2-9]|[1-9][0-9]+);|RET\(-[0-9]+\)", line):
                bare.append(f"{path.name}:{n}: {line.strip()}")
    assert not bare, "\n".join(bare)


def test_the_documented_list_of_calls_is_the_table():
    """docs/linux-server.md lists the server's calls as tools/gen_linux_calls.py makes the list
    from syscalls.c's table; rerun it when the table changes."""
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_linux_calls.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
