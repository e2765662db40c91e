"""The modem under attack from Linux: a scenario played to the modem while the Linux server's
processes do their worst, and what each side shows afterwards (docs/modem.md, "Under attack").

Each attack is a busybox shell script, written to the target's /tmp and started before the
modem's link opens; its processes are killed by pid at the end.  Its progress is measured on
the kernel's and the Linux server's own counters (processor cycles of Linux's threads, system
calls, page faults, console bytes), so an attack that silently did nothing shows as such.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from .errors import LinkTimeout, RigError
from .shell import Console, exit_code


#: ends an attack: its loops stop at their next iteration, its spinners are killed
STOP = "touch /tmp/stop; kill -9 $(cat /tmp/atk 2>/dev/null) 2>/dev/null; sleep 1; true"


@dataclass(frozen=True)
class Attack:
    what: str
    script: str                     # busybox sh; each process it starts appends its pid to /tmp/atk


SPINNERS = "\n".join(["for i in 1 2 3 4 5 6 7 8; do", "  ( while :; do :; done ) &", "  echo $! >> /tmp/atk",
                      "done"])

#: a loop that runs until the harness says stop
UNTIL_STOP = "( while [ ! -e /tmp/stop ]; do {body}; done ) &"


def _loops(body: str, n: int) -> str:
    return "\n".join([UNTIL_STOP.format(body=body)] * n)


ATTACKS = {
    "cpu-hog": Attack("8 processes spinning in the shell, no system call at all", SPINNERS),
    "syscall-flood": Attack("3 loops of open, write and close on /dev/null",
                            _loops("echo x > /dev/null", 3)),
    "fork-storm": Attack("4 loops forking a subshell that exits at once", _loops("( : )", 4)),
    "fault-storm": Attack("3 loops starting dd, each with a fresh 256 KiB buffer touched page by page",
                          _loops("dd if=/dev/zero of=/dev/null bs=256k count=2 2>/dev/null", 3)),
    "console-spam": Attack("2 loops writing lines to the console as fast as it takes them",
                           _loops("echo console spam console spam console spam console spam", 2)),
}


def _write_script(console: Console, text: str, timeout: float) -> None:
    """The script to /tmp/attack.sh, a line at a time (a SHELL request carries 240 bytes)."""
    sink = io.BytesIO()
    console.out = sink
    # an earlier attack's loops end first: they see /tmp/stop within an iteration
    lines = [STOP, "rm -f /tmp/stop /tmp/atk /tmp/attack.sh"] + \
        [f"echo '{line}' >> /tmp/attack.sh" for line in text.splitlines()] + ["echo wait >> /tmp/attack.sh"]
    for line in lines:
        status = console.wait(console.start(line), timeout)
        if exit_code(status):
            raise RigError(f"could not write the attack script: `{line}` exited {exit_code(status)}")


@dataclass
class Progress:
    linux_cycles: int = 0
    syscalls: int = 0
    page_faults: int = 0
    console_bytes: int = 0
    processes_max: int = 0


class Running:
    """An attack started on the target; `stop()` ends it and says how much it did."""

    def __init__(self, debugd, attack: Attack, *, timeout: float = 30.0):
        self.debugd = debugd
        self.sink = _Counter()
        self.console = Console(debugd.link, self.sink)
        self.console.__enter__()
        self.timeout = timeout
        _write_script(self.console, attack.script, timeout)
        self.console.out = self.sink
        self.before = self._look()
        self.pid = self.console.start("sh /tmp/attack.sh")

    def _look(self) -> tuple[int, object]:
        stats = self.debugd.linux_stats()
        threads = self.debugd.threads()
        server = next((t for t in threads if t.name.split()[0] == "linux"), None)
        space = server.space if server else 1 << 30
        return sum(t.cycles for t in threads if t.space > space), stats

    def stop(self) -> Progress:
        """Called with nothing else reading the debug link."""
        after_cycles, after = self._look()
        before_cycles, before = self.before
        done = self.console.start(STOP)
        self.console.wait(done, self.timeout)
        try:                                    # the script's own shell ends once its loops have
            self.console.wait(self.pid, 5.0)
        except LinkTimeout:
            pass                                # (a loop still finishing: it stops on its own)
        self.console.__exit__(None, None, None)
        return Progress(linux_cycles=after_cycles - before_cycles, syscalls=after.syscalls - before.syscalls,
                        page_faults=after.page_faults - before.page_faults, console_bytes=self.sink.count,
                        processes_max=after.processes)


class _Counter(io.RawIOBase):
    """Console output, counted and dropped."""

    def __init__(self):
        self.count = 0

    def write(self, data) -> int:
        self.count += len(data)
        return len(data)

    def flush(self) -> None:
        pass
