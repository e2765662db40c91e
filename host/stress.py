"""The modem under attack from Linux: a scenario played to the modem while the Linux server's
processes do their worst, and what each side shows afterwards (docs/modem.md, "Under attack").

Each attack is a busybox shell script, `tests/linux/attacks/NAME.sh`, whose first line says
what it does (`# what: ...`).  The harness writes it to the target's /tmp and starts it before
the modem's link opens.  A script keeps to three conventions:

- a loop runs until /tmp/stop exists (`while [ ! -e /tmp/stop ]`); a process that never looks
  (a spinner) appends its pid to /tmp/atk, and the harness kills it;
- when a loop stops it appends what it did to /tmp/atk.count, one `NAME NUMBER` a line (forks,
  crashes, MiB through pipes...); the harness adds up the lines of each name;
- nothing else is assumed: the script's own shell ends once its loops have.

Progress is also measured on the kernel's and the Linux server's own counters (processor
cycles of Linux's threads, system calls, page faults, out-of-memory kills, console bytes), so an
attack that silently did nothing shows as such.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LinkTimeout, RigError
from .shell import Console, exit_code

#: where the attack scripts are
ATTACK_DIR = Path(__file__).resolve().parent.parent / "tests" / "linux" / "attacks"

#: ends an attack: its loops stop at their next iteration, its spinners are killed (the file is
#: made by a redirection: busybox's touch needs utimensat, which the Linux server does not have)
STOP = "echo > /tmp/stop; kill -9 $(cat /tmp/atk 2>/dev/null) 2>/dev/null; sleep 1; true"

#: attacks on the system rather than from Linux's processes: made once the modem's call is up
#: (SystemAttack), on the debug link's reader thread
SYSTEM = {
    "server-kill": "the Linux server killed once the call is up (the root task deletes its domain: "
                   "every process, space and page) and started again; Linux must serve a fresh shell",
    "hostile-server": "the Linux server replaced, once the call is up, by a hostile program with exactly "
                      "its rights (firmware/user/hostile), which attacks the modem, the kernel and the "
                      "other servers; every attempt must be refused",
}

#: a SHELL request carries 240 bytes
SHELL_LINE = 240


@dataclass(frozen=True)
class Attack:
    name: str
    what: str
    script: str                     # busybox sh, comment lines left out ("" for a system attack)
    system: bool = False            # made by SystemAttack, not by a script


def _load(path: Path) -> Attack:
    text = path.read_text()
    first = text.splitlines()[0] if text else ""
    if not first.startswith("# what: "):
        raise RigError(f"{path}: the first line must say what the attack does (`# what: ...`)")
    body = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return Attack(path.stem, first[len("# what: "):].strip(), "\n".join(body) + "\n")


#: the order attacks are listed and run in (others follow by name, the mix last)
ORDER = ("cpu-hog", "syscall-flood", "fork-storm", "fault-storm", "console-spam", "pipe-flood", "oom",
         "crash-loop")


def attacks(directory: Path = ATTACK_DIR) -> dict[str, Attack]:
    """Every attack script, by name, in ORDER."""
    found = {p.stem: _load(p) for p in sorted(directory.glob("*.sh"))}
    clash = set(found) & set(SYSTEM)
    if clash:
        raise RigError(f"{', '.join(sorted(clash))}: the names of the system-level attacks")

    def place(name: str) -> tuple:
        return (name == "mix", ORDER.index(name) if name in ORDER else len(ORDER), name)

    scripts = {name: found[name] for name in sorted(found, key=place)}
    return scripts | {name: Attack(name, what, "", system=True) for name, what in SYSTEM.items()}


def attack(name: str) -> Attack:
    found = attacks()
    if name not in found:
        raise RigError(f"no attack {name!r}: there are {', '.join(found)}")
    return found[name]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def writing_commands(script: str, path: str = "/tmp/attack.sh") -> list[str]:
    """Shell lines that write `script` to `path` on the target, each within a SHELL request:
    short lines packed into one printf, a long one written in pieces."""
    tail = f" >> {path}"
    commands, packed = [], []

    def flush():
        if packed:
            commands.append("printf '%s\\n' " + " ".join(packed) + tail)
            packed.clear()

    for line in script.splitlines():
        word = _quote(line)
        if len("printf '%s\\n' " + " ".join(packed + [word]) + tail) <= SHELL_LINE:
            packed.append(word)
            continue
        flush()
        if len("printf '%s\\n' " + word + tail) <= SHELL_LINE:
            packed.append(word)
            continue
        piece = SHELL_LINE - len("printf '%s\\n' ''" + tail)
        while line:                             # a piece's quoting may grow it: shrink until it fits
            n = min(len(line), piece)
            while len("printf '%s\\n' " + _quote(line[:n]) + tail) > SHELL_LINE:
                n -= 1
            end = "\\n" if n == len(line) else ""
            commands.append(f"printf '%s{end}' {_quote(line[:n])}{tail}")
            line = line[n:]
    flush()
    return commands


def _write_script(console: Console, text: str, timeout: float) -> None:
    """The script to /tmp/attack.sh (an earlier attack's loops ended first: they see /tmp/stop
    within an iteration)."""
    sink = io.BytesIO()
    console.out = sink
    lines = [STOP, "rm -f /tmp/stop /tmp/atk /tmp/atk.count /tmp/attack.sh"] + \
        writing_commands(text + "wait\n")
    for line in lines:
        status = console.wait(console.start(line), timeout)
        if exit_code(status):
            raise RigError(f"could not write the attack script: `{line}` exited {exit_code(status)}")


COUNT_LINE = re.compile(rb"^([a-z][a-z0-9-]*) (-?\d+)$")


def parse_counts(text: bytes) -> dict[str, int]:
    """/tmp/atk.count's `NAME NUMBER` lines, added up by name; other lines (console output of
    the attack that interleaved) are ignored.  `least-...` names keep their smallest value."""
    counts: dict[str, int] = {}
    for line in text.splitlines():
        m = COUNT_LINE.match(line.strip())
        if not m:
            continue
        name, value = m.group(1).decode(), int(m.group(2))
        if name.startswith("least-"):
            counts[name] = min(counts.get(name, value), value)
        else:
            counts[name] = counts.get(name, 0) + value
    return counts


@dataclass
class Progress:
    linux_cycles: int = 0           # Linux's processes
    server_cycles: int = 0          # the Linux server, working for them
    syscalls: int = 0
    page_faults: int = 0
    console_bytes: int = 0
    processes_max: int = 0          # live processes (zombies included) as the attack ended
    oom_kills: int = 0              # processes the Linux server's OOM path killed
    frames_free_end: int = 0        # the server's pool, 4 KiB frames, as the attack ended
    frames_total: int = 0
    counts: dict[str, int] = field(default_factory=dict)   # the script's own (/tmp/atk.count)


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

    def _look(self) -> tuple[int, int, object]:
        """Cycles of Linux's processes (the threads in spaces made after the server's), of the
        server itself, and the server's counters."""
        stats = self.debugd.linux_stats()
        threads = self.debugd.threads()
        server = next((t for t in threads if t.name.split()[0] == "linux"), None)
        space = server.space if server else 1 << 30
        return (sum(t.cycles for t in threads if t.space > space),
                sum(t.cycles for t in threads if t.space == space), stats)

    def _run(self, command: str, tries: int = 10) -> int:
        """Start a shell line and wait for it; with the pool near empty the server may refuse
        the fork a few times (RigError), so it is tried again."""
        for attempt in range(tries):
            try:
                return self.console.wait(self.console.start(command), self.timeout)
            except RigError:
                if attempt == tries - 1:
                    raise
                self.debugd.link.drain(0.2)
        return 0

    def stop(self) -> Progress:
        """Called with nothing else reading the debug link."""
        after_cycles, after_server, after = self._look()
        before_cycles, before_server, before = self.before
        self._run(STOP)
        try:                                    # the script's own shell ends once its loops have
            self.console.wait(self.pid, 20.0)
        except LinkTimeout:
            pass                                # (a loop still finishing: it stops on its own)
        console_bytes = self.sink.count
        counted = io.BytesIO()
        self.console.out = counted
        self._run("cat /tmp/atk.count 2>/dev/null; true")
        self.console.__exit__(None, None, None)
        return Progress(linux_cycles=after_cycles - before_cycles, server_cycles=after_server - before_server,
                        syscalls=after.syscalls - before.syscalls,
                        page_faults=after.page_faults - before.page_faults, console_bytes=console_bytes,
                        processes_max=after.processes, oom_kills=after.oom_kills - before.oom_kills,
                        frames_free_end=after.frames_free, frames_total=after.frames_total,
                        counts=parse_counts(counted.getvalue()))


class _Counter(io.RawIOBase):
    """Console output, counted and dropped."""

    def __init__(self):
        self.count = 0

    def write(self, data) -> int:
        self.count += len(data)
        return len(data)

    def flush(self) -> None:
        pass


# ---- plots --------------------------------------------------------------------------------

def plot_path(pattern: str, attack: str) -> Path:
    """`docs/modem-stress.png` and `cpu-hog` -> `docs/modem-stress-cpu-hog.png`."""
    path = Path(pattern)
    return path.with_name(f"{path.stem}-{attack}{path.suffix or '.png'}")


def plot_latency(result: dict, path: str | Path) -> None:
    """The frame interrupt -> clock task and timeslot end -> layer 1 start histograms of one
    stress run (log counts, 1 us bins), worst and p99.9 marked, into a PNG (matplotlib)."""
    from .modem import StartHistogram

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RigError("--plot needs matplotlib: .venv/bin/pip install -e '.[plot]' (tools/setup installs it)") from None
    panels = [("fclk", "frame interrupt -> clock task"), ("l1rx", "timeslot end -> layer 1 running")]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for ax, (task, what) in zip(axes, panels):
        data = result["latency"].get(task)
        if not data:
            ax.set_axis_off()
            continue
        h = StartHistogram.from_json(data)
        last = max((i for i, c in enumerate(h.bins) if c), default=0)
        xs = list(range(last + 1))
        ax.bar(xs, h.bins[:last + 1], width=1.0, color="#5b8def", log=True)
        p, beyond = h.percentile(99.9)
        ax.axvline(p, color="#c0392b", linewidth=1.2, label=f"p99.9 {'>= ' if beyond else ''}{p} us")
        ax.axvline(min(h.worst_us, last), color="black", linestyle=":", linewidth=1.2,
                   label=f"worst {h.worst_us:,} us")
        ax.set_title(f"{what} ({h.jobs:,} jobs)", fontsize=9, loc="left")
        ax.set_xlabel("us after release" + (f" (the last bin: {len(h.bins) - 1} us and later)"
                                            if last == len(h.bins) - 1 else ""), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=8)
    fig.suptitle(f"the modem under {result['attack']}: {result['frames']:,} frames of {result['scenario']}, "
                 f"{result['misses']} misses, {result['underruns']} underruns (deterministic)", fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=100)
    except OSError as exc:
        raise RigError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)


HOSTILE_LINE = re.compile(r"hostile: (.*)")
HOSTILE_DONE = re.compile(r"done: (\d+) attempts, (\d+) refused")
SPACES_MADE = re.compile(r"kernel memory: (\d+) spaces made, then (\w+)")


@dataclass
class SystemProgress:
    counts: dict[str, int] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)     # the hostile program's lines
    ok: bool = False                # Linux came back, and (hostile) every attempt was refused
    why: str = ""                   # what went wrong, when not ok


class SystemAttack:
    """server-kill and hostile-server: nothing until the modem's call is up; then `during()`,
    called once on the thread that reads the debug link, kills the Linux server (or replaces it
    by the hostile program and collects its report); `stop()` brings the Linux server back when
    it is not, checks that it serves a shell, and says what happened."""

    def __init__(self, debugd, attack: Attack, *, timeout: float = 60.0):
        self.debugd = debugd
        self.attack = attack
        self.timeout = timeout
        self.progress = SystemProgress()
        self.done = False

    def during(self) -> None:
        link = self.debugd.link
        mark = link.log_mark()
        try:
            if self.attack.name == "server-kill":
                self.debugd.restart("linux")
                self.progress.counts["server restarts"] = 1
                self.progress.counts["shell after the restart: exit status"] = self._shell()
            else:
                self.debugd.restart("linux", "hostile")
                self._collect(link, mark)
        except RigError as exc:
            self.progress.why = str(exc)
        self.done = True

    def _collect(self, link, mark: int) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            lines = [m.group(1) for line in link.log_since(mark) if (m := HOSTILE_LINE.search(line))]
            done = next((HOSTILE_DONE.search(x) for x in lines if HOSTILE_DONE.search(x)), None)
            if done:
                made = next((SPACES_MADE.search(x) for x in lines if SPACES_MADE.search(x)), None)
                attempts, refused = int(done.group(1)), int(done.group(2))
                self.progress.report = lines
                self.progress.counts.update({"attempts": attempts, "refused": refused,
                                             "succeeded": sum("SUCCEEDED" in x for x in lines),
                                             "spaces made until kernel memory ran out": int(made.group(1)) if made else 0})
                return
            link.drain(0.2)
        self.progress.why = "the hostile program did not finish its report"

    def _shell(self) -> int:
        from .shell import run_line
        out = io.BytesIO()
        code = run_line(self.debugd.link, "echo ok", out, self.timeout)
        return code if out.getvalue() == b"ok\n" else 255

    def stop(self) -> SystemProgress:
        """Called with nothing else reading the debug link."""
        p = self.progress
        try:
            if self.attack.name == "hostile-server" and self.done:
                self.debugd.restart("linux")
            status = self._shell()
        except RigError as exc:
            p.why = p.why or str(exc)
            status = 255
        p.counts["shell at the end: exit status"] = status
        c = p.counts
        if not self.done:
            p.why = p.why or "the call never came up: the attack was not made"
        elif self.attack.name == "hostile-server" and not p.why and (c.get("succeeded") or c.get("refused") != c.get("attempts")):
            p.why = f"the hostile program got through {c.get('succeeded')} times"
        elif status != 0 and not p.why:
            p.why = "the Linux server did not serve a shell afterwards"
        p.ok = not p.why
        return p
