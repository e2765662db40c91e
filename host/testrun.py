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

from .board import ROOT
from .errors import RigError
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
    out.print(f"board {board.name}: kernel {escape(info.version)} (build {bytes(info.build_id).hex()[:12]}) "
              f"running on {target.link.port}")
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
