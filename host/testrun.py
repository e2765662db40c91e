"""`rig test`: the on-target suite, pytest underneath, with the board already up.

Before pytest starts, the board is reset and its flashed image booted (catch the bootloader,
BOOT, wait for the kernel's INFO), so a board that cannot run its image fails in one line
instead of in every test.  That same `Target` (and its open link) is handed to the pytest
plugin, then a rich summary closes the run.
"""

from __future__ import annotations

import time
from collections import Counter
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from rich.markup import escape

from .board import DEFAULT_STATE, ROOT
from .build import Firmware
from .errors import RigError
from .image import packed_build_id, read_payload
from .pytest_plugin import FAILURE_KEY, TARGET_KEY, git_revision
from .strategy import Target

TARGET_TESTS = ROOT / "tests" / "target"


class Handover:
    """Gives the plugin the Target this process already brought up."""

    def __init__(self, target: Target):
        self.target = target

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[TARGET_KEY] = self.target


class Summary:
    """Collects outcomes for the closing summary."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.problems: list[tuple[str, str, str]] = []
        self.start = time.monotonic()
        self.seconds = 0.0
        self.aborted: str | None = None
        self._config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self._config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if hasattr(report, "wasxfail") and report.when == "call":
            outcome = "xfailed" if report.skipped else "xpassed"
        elif report.when == "call":
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        elif report.skipped and report.when == "setup":
            outcome = "skipped"
        else:
            return
        self.outcomes[outcome] += 1
        if outcome in ("failed", "error"):
            crash = getattr(report.longrepr, "reprcrash", None)
            message = crash.message if crash is not None else str(report.longrepr).strip().splitlines()[-1:]
            self.problems.append((outcome, report.nodeid, str(message).splitlines()[0] if message else ""))

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.seconds = time.monotonic() - self.start
        self.aborted = config.stash.get(FAILURE_KEY, None)


def run_tests(rig, *, junit: str | None, pytest_args: list[str]) -> int:
    from .cli import out

    board = rig.board
    target = rig.target()
    info = target.kernel()
    running = bytes(info.build_id)
    out.print(f"board {board.name}: kernel {escape(info.version)} (build {running.hex()[:12]}) "
              f"running on {target.link.port}")
    firmware = Firmware(board.name)
    try:
        built = packed_build_id(firmware.kernel_elf, read_payload(firmware.kernel_bin))
    except RigError:
        built = None
    if built is not None and built != running:
        out.print(f"[yellow]warning: firmware/build has build {built.hex()[:12]}, the board runs "
                  f"{running.hex()[:12]}: `host/rig.py flash` first to test what you built[/]")
    # the rig imported `host` and `protocol` before pytest could rewrite their asserts: fine
    args = [f"--rig-board={board.name}", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if rig.args.port:
        args.append(f"--rig-port={rig.args.port}")
    if rig.args.power_cmd:
        args.append(f"--rig-power-cmd={rig.args.power_cmd}")
    if board.qemu is not None:
        args.append(f"--rig-state={board.qemu.state_dir}")
    if junit:
        Path(junit).parent.mkdir(parents=True, exist_ok=True)
        args += [f"--junitxml={junit}", "-o", "junit_logging=log", "-o", "junit_log_passing_tests=false", "-o", "junit_suite_name=target"]
    if not any(ep.value == "host.pytest_plugin" for ep in entry_points(group="pytest11")):
        args += ["-p", "host.pytest_plugin"]  # not installed: load the plugin by name
    if not any(_is_path(arg) for arg in pytest_args):
        args.append(str(TARGET_TESTS))
    summary = Summary()
    try:
        code = pytest.main(args + list(pytest_args), plugins=[Handover(target), summary])
    finally:
        target.close()
    _print_summary(out, board.name, summary, int(code), junit)
    if summary.aborted:
        raise RigError(f"test run stopped: {summary.aborted}")
    return int(code)


def _is_path(arg: str) -> bool:
    return not arg.startswith("-") and Path(arg.split("::", 1)[0]).exists()


def _print_summary(out, board: str, summary: Summary, code: int, junit: str | None) -> None:
    counts = summary.outcomes
    failed = counts["failed"] + counts["error"]
    out.rule(f"rig test: {board}")
    for outcome, nodeid, message in summary.problems:
        out.print(f"[red]{outcome.upper()}[/] {escape(nodeid)}: {escape(message)}")
    details = [f"{summary.seconds:.1f} s", f"git {git_revision()}"]
    if counts["error"]:
        details.insert(0, f"{counts['error']} of the failures are errors outside the test body")
    if counts["xfailed"] or counts["xpassed"]:
        details.insert(0, f"{counts['xfailed']} xfailed, {counts['xpassed']} xpassed")
    if junit:
        details.append(f"JUnit {junit}")
    out.print(", ".join(details))
    verdict = "[bold green]PASS:[/]" if code == 0 and not failed else "[bold red]FAIL:[/]"
    # the last line reads "PASS: N passed, N failed, N skipped", as test runners close
    out.print(f"{verdict} [green]{counts['passed']} passed[/], "
              f"[{'red' if failed else 'green'}]{failed} failed[/], {counts['skipped']} skipped")


# --------------------------------------------------------------------------------------------
# Several boards at once


def _durations(junit: Path) -> dict[str, float]:
    """Seconds per test file in an earlier JUnit report (for balancing); empty if none."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError):
        return {}
    times: dict[str, float] = {}
    for case in root.iter("testcase"):
        module = (case.get("classname") or "").rsplit(".", 1)[-1]
        times[module] = times.get(module, 0.0) + float(case.get("time") or 0)
    return times


def plan_shards(files: list[Path], n: int, durations: dict[str, float], default: float = 10.0) -> list[list[Path]]:
    """Test files into `n` shards of about equal time: longest first, each to the shard that
    has least so far (a file's session fixtures stay in one process)."""
    shards: list[list[Path]] = [[] for _ in range(n)]
    load = [0.0] * n
    for path in sorted(files, key=lambda p: (-durations.get(p.stem, default), p.name)):
        k = load.index(min(load))
        shards[k].append(path)
        load[k] += durations.get(path.stem, default)
    return [shard for shard in shards if shard]


def merge_junit(parts: list[Path], out_path: Path) -> dict[str, int]:
    """The shards' JUnit reports as one, each shard a <testsuite>; the totals."""
    import xml.etree.ElementTree as ET

    merged = ET.Element("testsuites")
    totals = dict(tests=0, failures=0, errors=0, skipped=0)
    for part in parts:
        try:
            root = ET.parse(part).getroot()
        except (OSError, ET.ParseError):
            totals["errors"] += 1
            continue
        for suite in (root.iter("testsuite") if root.tag != "testsuite" else [root]):
            merged.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key) or 0)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(merged).write(out_path, encoding="utf-8", xml_declaration=True)
    return totals


def run_sharded(rig, n: int, *, junit: str | None, pytest_args: list[str]) -> int:
    """`rig test --boards N`: the test files over N QEMU boards (this one and N-1 scratch
    boards in STATE/shard-K, flashed with the same image), one `rig test` process each, at
    once; then one JUnit report and one summary."""
    import subprocess
    import sys

    from .cli import out

    board = rig.board
    if board.qemu is None:
        raise RigError("--boards starts more QEMU boards: it needs a QEMU board")
    if any(_is_path(arg) for arg in pytest_args):
        raise RigError("--boards shards tests/target by file: give pytest options, not paths")
    state = board.qemu.state_dir
    files = sorted(TARGET_TESTS.glob("test_*.py"))
    shards = plan_shards(files, n, _durations(state / "junit.xml"))
    rig_py = str(ROOT / "host" / "rig.py")
    base = [sys.executable, rig_py, "--board", board.name]
    dirs = [state] + [state / f"shard-{k}" for k in range(1, len(shards))]
    started = time.monotonic()
    for k, folder in enumerate(dirs[1:], start=1):      # the extra boards get the same image
        out.print(f"[dim]board {k}: starting and flashing it in {folder}[/]")
        done = subprocess.run(base + ["--state-dir", str(folder), "flash"], capture_output=True, text=True)
        if done.returncode != 0:
            raise RigError(f"could not flash shard board {k}: {(done.stdout + done.stderr).strip().splitlines()[-1:]}")
    reports = [folder / "junit-shard.xml" for folder in dirs]
    commands = [base + ["--state-dir", str(folder), "test"] for folder in dirs]
    code = _run_shards(commands, shards, dirs, reports, pytest_args)
    for folder in dirs[1:]:
        subprocess.run(base + ["--state-dir", str(folder), "board", "down"], capture_output=True)
    return _close_sharded(f"{board.name}, {len(shards)} boards", f"{len(shards)} boards", code, reports,
                          Path(junit) if junit else state / "junit.xml", started)


def run_sharded_places(rig, places: list[str], *, junit: str | None, pytest_args: list[str]) -> int:
    """`rig test --places A,B`: the test files over labgrid places, one `rig --place P test
    --flash-image` process each (it acquires its place, writes the image built here first, runs
    its files and releases the place); then one JUnit report and one summary.  Logs and reports go to
    STATE/places/P/.  Test files among the arguments are what is sharded (else tests/target)."""
    import sys

    files = [Path(arg).absolute() for arg in pytest_args if _is_path(arg)]
    if any("::" in arg for arg in pytest_args if _is_path(arg)):
        raise RigError("--places shards by file: give test files, or select tests with -k")
    pytest_args = [arg for arg in pytest_args if not _is_path(arg)]
    if len(set(places)) != len(places):
        raise RigError(f"--places names a place twice: {','.join(places)}")
    from .build import build

    image = build(rig.args.board).kernel_img    # once, here: two makes at once would collide
    folder = Path(rig.args.state_dir or DEFAULT_STATE) / "places"
    files = files or sorted(TARGET_TESTS.glob("test_*.py"))
    shards = plan_shards(files, len(places), _durations(folder / "junit.xml"))
    dirs = [folder / place for place in places[:len(shards)]]
    for path in dirs:
        path.mkdir(parents=True, exist_ok=True)
    reports = [path / "junit-shard.xml" for path in dirs]
    base = [sys.executable, str(ROOT / "host" / "rig.py"), "--board", rig.args.board,
            "--place-wait", str(rig.args.place_wait)]
    commands = [base + ["--place", place, "test", "--flash-image", str(image)] for place in places[:len(shards)]]
    started = time.monotonic()
    code = _run_shards(commands, shards, dirs, reports, pytest_args, labels=places)
    return _close_sharded(f"{rig.args.board}, places {', '.join(places[:len(shards)])}",
                          f"{len(shards)} places", code, reports,
                          Path(junit) if junit else folder / "junit.xml", started)


def _run_shards(commands: list[list[str]], shards: list[list[Path]], dirs: list[Path], reports: list[Path],
                pytest_args: list[str], labels: list[str] | None = None) -> int:
    """Run one `rig ... test` per shard at once, its output in DIR/test-shard.log; the first
    non-zero exit code."""
    import subprocess

    from .cli import out

    labels = labels or [f"board {k}" for k in range(len(shards))]
    procs = []
    for label, command, folder, shard, report in zip(labels, commands, dirs, shards, reports):
        log = open(folder / "test-shard.log", "w")
        command = command + ["--junit", str(report), *pytest_args, *[str(p) for p in shard]]
        procs.append((label, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), log, folder))
        out.print(f"{label}: {', '.join(p.stem for p in shard)}")
    code = 0
    try:
        for label, proc, log, folder in procs:
            proc.wait()
            log.close()
            last = (folder / "test-shard.log").read_text(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            out.print(f"{label}: exit {proc.returncode}: {escape(last[0])} [dim](log {folder / 'test-shard.log'})[/]")
            if proc.returncode != pytest.ExitCode.NO_TESTS_COLLECTED:   # -k left a shard nothing
                code = code or proc.returncode
    finally:
        for _, proc, _, _ in procs:             # Ctrl-C: the shards end too (and release their places)
            if proc.poll() is None:
                proc.terminate()
                proc.wait()
    return code


def _close_sharded(title: str, where: str, code: int, reports: list[Path], merged: Path, started: float) -> int:
    from .cli import out

    totals = merge_junit(reports, merged)
    if code == 0 and totals["tests"] == 0:
        code = pytest.ExitCode.NO_TESTS_COLLECTED
    seconds = time.monotonic() - started
    failed = totals["failures"] + totals["errors"]
    passed = max(0, totals["tests"] - failed - totals["skipped"])   # (a shard that crashed ran none)
    out.rule(f"rig test: {title}")
    out.print(f"{seconds:.1f} s on {where}, git {git_revision()}, JUnit {merged}")
    verdict = "[bold green]PASS:[/]" if code == 0 and not failed else "[bold red]FAIL:[/]"
    out.print(f"{verdict} [green]{passed} passed[/], [{'red' if failed else 'green'}]{failed} failed[/], "
              f"{totals['skipped']} skipped")
    return code or (1 if failed else 0)
