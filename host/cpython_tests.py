"""CPython's own regression tests as an external anchor for the Linux server: the same test
modules (tests/cpython/modules.txt, from Debian's libpython3.11-testsuite) run with
`python3 -m test -v MODULE` on real Linux (host/reallinux.py) and on our server, and every test
case's outcome compared.

Each module runs alone, under busybox's `timeout -s KILL` on both sides, in /tmp, and its
temporary files are removed after it.  `parse` reads unittest's verbose lines
(`name (test.module.Class.name) ... ok`), which tests may interrupt with output of their own, and
the failure sections after them (`FAIL: name (...)`), which also name failed subtests.
"""

from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RigError

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "tests" / "cpython" / "modules.txt"

#: what a test case's outcome counts as
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
OUTCOMES = {"ok": PASSED, "expected failure": PASSED, "FAIL": FAILED, "ERROR": FAILED,
            "unexpected success": FAILED, "skipped": SKIPPED}

_OUTCOME = r"(?P<outcome>ok|FAIL|ERROR|expected failure|unexpected success|skipped(?: .*)?)"
# `name (test.module.Class.name)` and, for a class or module fixture, `setUpClass (test.module.Class)`
_CASE = re.compile(r"^(?P<name>\w+) \((?P<where>[\w.]+)\)")
_ENDS = re.compile(r"(?:^| \.\.\. )" + _OUTCOME + r"$")
_SECTION = re.compile(r"^(?P<kind>FAIL|ERROR): (?P<name>\w+) \((?P<where>[\w.]+)\)")
_RAN = re.compile(r"^Ran (\d+) tests? in ")
_RESULT = re.compile(r"^Tests result: (.+)$")

#: the marker lines around one module's output, and the shell line that runs it
BEGIN, END = "@@CPYTHON-BEGIN", "@@CPYTHON-END"
COMMAND = ("cd /tmp && timeout -s KILL {timeout} python3 -m test -v {module} 2>&1; "
           "echo \"" + END + " {module} $?\"; rm -rf /tmp/test_python_*")


def modules(slow: bool = True) -> list[str]:
    """The modules tests/cpython/modules.txt names, in its order; without `slow`, not those
    marked @slow there."""
    names = []
    for line in MODULES.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words and (slow or "@slow" not in words):
            names.append(words[0])
    return names


def _case_id(name: str, where: str) -> str:
    return where if where.endswith("." + name) else f"{where}.{name}"


@dataclass
class ModuleRun:
    """One module's run on one side: each test case's outcome, and how the run ended."""

    module: str
    cases: dict[str, str] = field(default_factory=dict)     # test id -> PASSED, FAILED, SKIPPED
    ran: int | None = None                                   # unittest's "Ran N tests"
    result: str = ""                                         # regrtest's verdict, or how it ended
    status: int | None = None                                # the exit status
    seconds: float = 0.0

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.cases.values() if o == outcome)

    def to_dict(self) -> dict:
        return dict(cases=self.cases, ran=self.ran, result=self.result, status=self.status,
                    seconds=round(self.seconds, 1), passed=self.count(PASSED),
                    failed=self.count(FAILED), skipped=self.count(SKIPPED))


def parse(module: str, text: str, status: int | None = None) -> ModuleRun:
    """One module's output of `python3 -m test -v`, and its exit status (137: killed by the
    timeout; None: the run never ended)."""
    run = ModuleRun(module, status=status)
    pending: str | None = None                  # a case whose outcome has not been printed yet
    for line in text.splitlines():
        line = line.rstrip("\r")
        section = _SECTION.match(line)
        if section:                             # the failure's section: it is authoritative
            run.cases[_case_id(section["name"], section["where"])] = FAILED
            pending = None
            continue
        case = _CASE.match(line)
        if case:
            pending = _case_id(case["name"], case["where"])
            line = line[case.end():]
        elif line.startswith("  ") and pending and " ... " in line:
            run.cases[pending] = FAILED         # a failed subtest's own line: `  name (...) (i=1) ... FAIL`
            continue
        ended = _ENDS.search(line)
        if pending and ended and (case is None or " ... " in line):
            word = ended["outcome"].split(" ", 1)[0] if ended["outcome"].startswith("skipped") else ended["outcome"]
            if run.cases.get(pending) != FAILED:
                run.cases[pending] = OUTCOMES[word]
            pending = None
        if (m := _RAN.match(line)):
            run.ran = int(m[1])
        elif (m := _RESULT.match(line)):
            run.result = m[1]
    if status == 137:
        run.result = "killed (timeout)"
    elif not run.result:
        run.result = "no result" if status is None else f"exit {status}, no result"
    return run


def split(console: str) -> dict[str, tuple[str, int]]:
    """{module: (its output, its exit status)} from a console that ran several modules between
    BEGIN lines (which may end with the uptime) and END lines (real Linux's)."""
    found = {}
    for m in re.finditer(rf"^{BEGIN} (\S+)(?: [\d.]+)?\n(.*?)^{END} \1 (\d+)$", console, re.S | re.M):
        found[m[1]] = (m[2], int(m[3]))
    return found


def on_real_linux(names: list[str], timeout: int, board: str, show=None) -> dict[str, ModuleRun]:
    """Boot real Linux once and run every module there, one after the other."""
    from . import reallinux

    script = "".join(f"echo \"{BEGIN} {m} $(cut -d' ' -f1 /proc/uptime)\"\n"
                     + COMMAND.format(timeout=timeout, module=m) + "\n" for m in names)
    script += f"echo \"{BEGIN} done $(cut -d' ' -f1 /proc/uptime)\"\n"
    console = reallinux.run(script, board=board, timeout=len(names) * (timeout + 30) + 120)
    starts = {m[1]: float(m[2]) for m in re.finditer(rf"^{BEGIN} (\S+) ([\d.]+)$", console, re.M)}
    runs = {}
    for name, (text, status) in split(console).items():
        runs[name] = parse(name, text, status)
    for i, name in enumerate(names):
        if name not in runs:
            runs[name] = ModuleRun(name, result="no output (did real Linux stop?)")
        after = names[i + 1] if i + 1 < len(names) else "done"
        if name in starts and after in starts:
            runs[name].seconds = starts[after] - starts[name]
    if show:
        for name in names:
            show(name, runs[name])
    return runs


def on_target(link, names: list[str], timeout: int, show=None) -> dict[str, ModuleRun]:
    """Run every module on our server through the shell, one line each."""
    from .shell import run_line

    runs = {}
    for name in names:
        out = io.BytesIO()
        started = time.monotonic()
        run_line(link, COMMAND.format(timeout=timeout, module=name), out, timeout=timeout + 60)
        text = out.getvalue().decode(errors="replace").replace("\r\n", "\n")
        m = re.search(rf"^{END} {re.escape(name)} (\d+)$", text, re.M)
        runs[name] = parse(name, text[:m.start()] if m else text, int(m[1]) if m else None)
        runs[name].seconds = time.monotonic() - started
        if show:
            show(name, runs[name])
    return runs


@dataclass
class Row:
    """One module's comparison: the cases whose outcome differs (id -> (real Linux's, ours))."""

    module: str
    linux: ModuleRun
    ours: ModuleRun
    differ: dict[str, tuple[str, str]]

    @property
    def equal(self) -> bool:
        return not self.differ and bool(self.linux.cases)


def compare(linux: dict[str, ModuleRun], ours: dict[str, ModuleRun]) -> list[Row]:
    rows = []
    for name in linux:
        a, b = linux[name], ours[name]
        differ = {case: (a.cases.get(case, "not run"), b.cases.get(case, "not run"))
                  for case in sorted(set(a.cases) | set(b.cases)) if a.cases.get(case) != b.cases.get(case)}
        rows.append(Row(name, a, b, differ))
    return rows


def _side(run: ModuleRun) -> str:
    return f"{len(run.cases)} run: {run.count(PASSED)} / {run.count(FAILED)} / {run.count(SKIPPED)}"


def markdown(rows: list[Row]) -> str:
    """The comparison as a markdown table (docs/linux-server.md)."""
    lines = ["| module | real Linux: tests, passed / failed / skipped | our server | equal |",
             "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.module} | {len(r.linux.cases)}: {r.linux.count(PASSED)} / {r.linux.count(FAILED)} / "
                     f"{r.linux.count(SKIPPED)} | {len(r.ours.cases)}: {r.ours.count(PASSED)} / "
                     f"{r.ours.count(FAILED)} / {r.ours.count(SKIPPED)} | "
                     f"{'yes' if r.equal else f'no ({len(r.differ)})'} |")
    return "\n".join(lines) + "\n"


def to_json(rows: list[Row], kernel: str, build_id: str) -> dict:
    return dict(real_linux=kernel, build_id=build_id,
                modules={r.module: dict(equal=r.equal, real_linux=r.linux.to_dict(), ours=r.ours.to_dict(),
                                        differ={c: list(v) for c, v in r.differ.items()}) for r in rows})


def write_json(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def check_names(names: list[str]) -> list[str]:
    known = modules()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RigError(f"not in tests/cpython/modules.txt (the root file system has only those): "
                       f"{', '.join(unknown)}")
    return names
