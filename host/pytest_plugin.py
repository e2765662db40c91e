"""The rig's pytest plugin: on-target tests are ordinary pytest tests that ask for fixtures.

Fixtures
    rig_board       session   the board under test (a QEMU board is started if it is not running)
    rig_target      session   the strategy (host.strategy.Target) that moves it between states
    link            session   a Link to the running kernel; before each test that uses it the
                              kernel is booted again if an earlier test left the board elsewhere
    bootloader      function  resets into the bootloader (autoboot cancelled) and gives the Link;
                              the next test that needs the kernel boots it again
    firmware        session   paths of the build outputs (host.build.Firmware)
    kernel_elf      session   pyelftools ELFFile of kernel.elf
    kernel_image    session   bytes of kernel.img, the image `rig flash` writes
    kernel_abi      session   system call numbers and error names from kernel.elf's DWARF
                              (host.abi.KernelAbi)
    debugd          session   host.debugd.Debugd on `link`: STATS, THREADS, TESTS, RUN_TEST,
                              BENCH, INJECT_IRQ, TRACE, SYSCALL as calls
    scratch_board   function  a second QEMU instance with its own state folder, for tests that
                              kill a board; torn down after the test
    scratch_target  function  a strategy (Target) on the scratch board

Parameters
    ktest_test      a test that takes an argument named `ktest_test` runs once per on-target
                    test in ktest.elf (its `ktests` table, read with pyelftools at collection,
                    no board needed); `ktest_bench` likewise once per benchmark

Markers
    @pytest.mark.feature("TIMER")   skip unless the firmware's INFO lists that protocol.Feature
    @pytest.mark.power              skip on a board without power control
    @pytest.mark.qemu               skip unless the rig runs the board under QEMU

Options: --rig-board, --rig-port, --rig-power-cmd, --rig-state (defaults from RIG_BOARD,
RIG_PORT, RIG_POWER_CMD, RIG_STATE, as for the `rig` command).

When a test fails, the serial log (the target's LOG lines and link events, addresses
symbolized) of that test and the kernel's last trace events are attached to its report, and the
next test that needs the kernel boots it afresh.  A test that runs longer than --rig-timeout
(or its @pytest.mark.rig_timeout) fails as hung and the board is power-cycled before the next.  The JUnit XML gets the board, the firmware build id and the git
revision as test-suite properties.  If the board cannot be brought to the state a test needs,
the run stops there with one line saying why (the strategy does not retry a dead board).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from protocol import Feature, Message, parse_image
from protocol.bootinfo import image_build_id

from . import boarddef, ktests
from .abi import KernelAbi
from .board import DEFAULT_BOARD, ROOT, Board, open_board
from .build import Firmware, build, ensure_image
from .debugd import Debugd
from .errors import RigError
from .elf import open_elf
from .image import bootinfo_offset, packed_build_id, payload_build_id, read_payload
from .link import Link
from .qemu import QemuDriver
from .strategy import Target

TARGET_KEY = pytest.StashKey[Target]()
FAILURE_KEY = pytest.StashKey[str]()
_WATCHED = pytest.StashKey[list]()
_KTESTS = pytest.StashKey[list]()

RIG_FIXTURES = {"rig_board", "rig_target", "link", "bootloader", "firmware", "kernel_elf", "kernel_image",
                "kernel_abi", "debugd", "scratch_board", "scratch_target"}


# --------------------------------------------------------------------------------------------
# Options, markers, header


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rig", "board under test (the L4 rig)")
    group.addoption("--rig-board", default=None, help="board name (default: RIG_BOARD or qemu-virt)")
    group.addoption("--rig-port", default=None, help="serial port or pyserial URL of a real board (RIG_PORT)")
    group.addoption("--rig-power-cmd", default=None, help="power command of a real board (RIG_POWER_CMD)")
    group.addoption("--rig-state", default=None, help="state folder of the QEMU board (RIG_STATE, default .rig/)")
    group.addoption("--rig-timeout", type=float, default=float(os.environ.get("RIG_TEST_TIMEOUT", 600)),
                    help="seconds an on-target test may take before the target counts as hung: the test "
                         "fails, the board is power-cycled and the run goes on (RIG_TEST_TIMEOUT, default 600)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "feature(name): needs a protocol.Feature the firmware reports in INFO")
    config.addinivalue_line("markers", "power: needs power/reset control of the board")
    config.addinivalue_line("markers", "qemu: needs to start its own QEMU instances")
    config.addinivalue_line("markers", "rig_timeout(seconds): this test's own --rig-timeout")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The on-target tests the board's definition says do not apply to it: skipped, with its
    reason ([tests.not-applicable] of boards/<name>/board.toml)."""
    on_target = [item for item in items if "tests/target/" in item.path.as_posix()]
    if not on_target:
        return
    try:
        rules = boarddef.load(_board_name(config)).not_applicable
    except RigError:
        return                                  # an unknown board: the fixtures say so
    for item in on_target:
        why = not_applicable(item.nodeid, rules)
        if why:
            item.add_marker(pytest.mark.skip(reason=f"not on board {_board_name(config)}: {why}"))


def not_applicable(nodeid: str, rules: dict[str, str]) -> str | None:
    """The reason a board gives for not running the test `nodeid`, if a rule names it: its node
    ID (patterns allowed) or its file's name."""
    path, _, name = nodeid.partition("::")
    for pattern, why in rules.items():
        if fnmatch.fnmatchcase(nodeid, pattern) or fnmatch.fnmatchcase(Path(path).name, pattern) \
                or fnmatch.fnmatchcase(f"{Path(path).name}::{name}", pattern):
            return why
    return None


def pytest_report_header(config: pytest.Config, start_path) -> list[str] | None:
    if config.getoption("--rig-board") is None and not any("target" in str(arg) for arg in config.args):
        return None  # not an on-target run
    return [f"rig: board {_board_name(config)}, firmware build {_firmware_build_id(config)[:12]}, "
            f"git {git_revision()}"]


# --------------------------------------------------------------------------------------------
# Session fixtures


@pytest.fixture(scope="session")
def rig_board(request: pytest.FixtureRequest) -> Board:
    handed = request.config.stash.get(TARGET_KEY, None)
    if handed is not None:
        return handed.board
    opt = request.config.getoption
    board = _or_stop(request, lambda: open_board(opt("--rig-board"), port=opt("--rig-port"),
                                                 power_cmd=opt("--rig-power-cmd"), state_dir=opt("--rig-state")))
    if board.qemu is not None and not board.qemu.is_running():
        def start() -> None:
            fw = Firmware(board.name)
            if not fw.boot_bin.exists():
                build(board.name)
            board.qemu.up(fw.boot_bin)
        _or_stop(request, start)
    return board


@pytest.fixture(scope="session")
def rig_target(request: pytest.FixtureRequest, rig_board: Board):
    target = request.config.stash.get(TARGET_KEY, None)
    owned = target is None
    if owned:
        target = Target(rig_board)
        request.config.stash[TARGET_KEY] = target
    yield target
    if target.failure is None:
        try:
            target.ensure_kernel()  # leave the board running its image, as the tests found it
        except RigError:
            pass
    if owned:
        target.close()


@pytest.fixture(scope="session")
def link(request: pytest.FixtureRequest, rig_target: Target) -> Link:
    _or_stop(request, rig_target.ensure_kernel)
    return rig_target.link


@pytest.fixture
def bootloader(request: pytest.FixtureRequest, rig_target: Target) -> Link:
    info = _or_stop(request, rig_target.bootloader)
    _check_features(request, info)
    return rig_target.link


@pytest.fixture(scope="session")
def firmware(rig_board: Board) -> Firmware:
    return Firmware(rig_board.name)


@pytest.fixture(scope="session")
def kernel_elf(request: pytest.FixtureRequest, firmware: Firmware):
    elf = _or_stop(request, lambda: open_elf(firmware.kernel_elf))
    yield elf
    elf.stream.close()


@pytest.fixture(scope="session")
def kernel_image(request: pytest.FixtureRequest, firmware: Firmware) -> bytes:
    _or_stop(request, lambda: ensure_image(firmware))
    return firmware.kernel_img.read_bytes()


@pytest.fixture(scope="session")
def firmware_build_id(kernel_elf, kernel_image) -> bytes:
    """The build id the image in firmware/build carries (the kernel's and every boot module's),
    checked against SHA-1 of its payload computed here."""
    _, payload = parse_image(kernel_image)
    offset = bootinfo_offset(kernel_elf)
    packed = payload_build_id(payload, offset)
    assert packed == image_build_id(payload, offset), "the image's build id is not SHA-1 of its payload"
    return packed


@pytest.fixture(scope="session")
def kernel_abi(request: pytest.FixtureRequest, firmware: Firmware) -> KernelAbi:
    return _or_stop(request, lambda: KernelAbi.from_elf(firmware.kernel_elf))


@pytest.fixture(scope="session")
def debugd(link: Link) -> Debugd:
    return Debugd(link)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for argument, kind in (("ktest_test", "test"), ("ktest_bench", "bench")):
        if argument in metafunc.fixturenames:
            names = [e.name for e in _ktest_entries(metafunc.config) if e.kind == kind]
            metafunc.parametrize(argument, names, ids=names)


def _ktest_entries(config: pytest.Config) -> list:
    """The test servers' tables from the build of the board under test (read once per session)."""
    if _KTESTS not in config.stash:
        try:
            config.stash[_KTESTS] = [entry for elf in Firmware(_board_name(config)).test_elfs
                                     if elf.exists() or elf.name == "ktest.elf"
                                     for entry in ktests.from_elf(elf)]
        except RigError as exc:
            raise pytest.UsageError(f"rig: cannot list the on-target tests: {exc}") from None
    return config.stash[_KTESTS]


# --------------------------------------------------------------------------------------------
# Scratch boards


@pytest.fixture
def scratch_board(request: pytest.FixtureRequest, rig_board: Board, firmware: Firmware, tmp_path_factory):
    if rig_board.qemu is None:
        pytest.skip("scratch boards need QEMU")
    state = tmp_path_factory.mktemp("scratch-board")
    driver = QemuDriver(rig_board.spec, state)
    board = Board(spec=rig_board.spec, console=driver, power=driver, qemu=driver)
    driver.up(firmware.boot_bin)
    try:
        yield board
    finally:
        driver.down()
        shutil.rmtree(state, ignore_errors=True)  # two flash banks: 128 MiB


@pytest.fixture
def scratch_target(request: pytest.FixtureRequest, scratch_board: Board):
    target = Target(scratch_board)
    request.node.stash.setdefault(_WATCHED, []).append(("scratch board", target, 0))
    yield target
    target.close()


# --------------------------------------------------------------------------------------------
# Per test: the state the test needs, markers, the serial log


@pytest.fixture(autouse=True)
def _rig_per_test(request: pytest.FixtureRequest):
    names = set(request.fixturenames)
    if not names & RIG_FIXTURES:
        yield
        return
    item = request.node
    if item.get_closest_marker("power") or item.get_closest_marker("qemu"):
        board = request.getfixturevalue("rig_board")
        if item.get_closest_marker("power") and board.power is None:
            pytest.skip(f"board {board.name} has no power control (give --power-cmd)")
        if item.get_closest_marker("qemu") and board.qemu is None:
            pytest.skip(f"needs QEMU; board {board.name} is real hardware")
    shared = request.config.stash.get(TARGET_KEY, None)
    mark = shared.link.log_mark() if shared is not None and shared.link is not None else 0
    item.stash.setdefault(_WATCHED, []).insert(0, ("serial", None, mark))
    if "link" in names and "bootloader" not in names:
        target = request.getfixturevalue("rig_target")
        _check_features(request, _or_stop(request, target.ensure_kernel))
    yield


class TargetHung(RigError):
    """An on-target test ran past its time (--rig-timeout): the target is taken as hung."""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Arm a timer around each on-target test; when it fires, the test fails with TargetHung
    (raised in the test wherever it waits) and the report hook power-cycles the board."""
    if not set(getattr(item, "fixturenames", ())) & RIG_FIXTURES:
        return (yield)
    mark = item.get_closest_marker("rig_timeout")
    seconds = float(mark.args[0]) if mark else item.config.getoption("--rig-timeout")

    def expired(signum, frame):
        raise TargetHung(f"the test did not finish within {seconds:g} s: the target is taken as hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return (yield)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _power_cycle(shared: Target) -> str:
    """After a hang: power off and on (QEMU: a system reset; a real board: --power-cmd), so the
    next test starts from a board that boots.  What happened, for the report."""
    try:
        shared.reset()
        return "the board was power-cycled; the next test boots it afresh"
    except RigError as exc:
        return f"power-cycling the board failed: {exc}"


def _last_trace(shared: Target, count: int = 24) -> str | None:
    """The kernel's last trace events, thread names and fault addresses symbolized, for a
    failure report; None when the kernel does not answer."""
    from . import views
    from .symbols import Symbolizer

    if shared.link is None or shared.link.last_info is None or not shared.link.last_info.features & Feature.TRACE:
        return None
    try:
        debugd = Debugd(shared.link)
        window = debugd.recent_events(count)
        threads = debugd.threads()
        abi = KernelAbi.from_elf(Firmware(shared.board.name).kernel_elf)
    except RigError:
        return None
    names = views.thread_names(threads)
    symbols = Symbolizer(shared.board.name)
    lines = []
    for offset, event in enumerate(window.events):
        kind, detail = views.describe_event(event, names, abi)
        if kind == "fault":
            detail += f" ({symbols.describe(event.b, thread=event.a)})"
        lines.append(f"{window.first + offset:>8} {event.cycles:>10} {kind} {detail}")
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    report = yield
    shared = item.config.stash.get(TARGET_KEY, None)
    if report.failed and shared is not None and call.excinfo is not None \
            and call.excinfo.errisinstance(TargetHung):
        report.sections.append(("rig", _power_cycle(shared)))
    elif report.failed and shared is not None and report.when == "call":
        trace = _last_trace(shared)
        if trace:
            report.sections.append(("Last kernel trace events", trace))
    if report.failed and shared is not None and shared.link is not None:
        # a failed test may have left the board anywhere (or the line dead): the next test
        # that needs the kernel boots it again, and a board that cannot stops the run
        shared.link.role = None
    if report.failed and _WATCHED in item.stash:
        for label, target, mark in item.stash[_WATCHED]:
            if target is None:
                target = item.config.stash.get(TARGET_KEY, None)
            if target is None or target.link is None:
                continue
            lines = target.link.log_since(mark)
            if lines:
                report.sections.append((f"Captured log {label} {report.when}", "\n".join(lines)))
    return report


@pytest.fixture(scope="session", autouse=True)
def _rig_junit_properties(request: pytest.FixtureRequest, record_testsuite_property):
    if not any(set(getattr(item, "fixturenames", ())) & RIG_FIXTURES for item in request.session.items):
        return
    record_testsuite_property("rig_board", _board_name(request.config))
    record_testsuite_property("firmware_build_id", _firmware_build_id(request.config))
    record_testsuite_property("git_revision", git_revision())


# --------------------------------------------------------------------------------------------
# Helpers


def _or_stop(request: pytest.FixtureRequest, step):
    """Run a strategy step; if it fails, stop the whole run with its one-line reason."""
    try:
        return step()
    except RigError as exc:
        request.config.stash[FAILURE_KEY] = str(exc)
        pytest.exit(f"rig: {exc}", returncode=pytest.ExitCode.INTERRUPTED)


def _check_features(request: pytest.FixtureRequest, info: Message) -> None:
    for mark in request.node.iter_markers("feature"):
        for name in mark.args:
            if not info.features & Feature[name]:
                pytest.skip(f"the firmware does not report feature {name}")


def _board_name(config: pytest.Config) -> str:
    return config.getoption("--rig-board") or os.environ.get("RIG_BOARD") or DEFAULT_BOARD


def _firmware_build_id(config: pytest.Config) -> str:
    """The build id of the image the tests read (the one `rig flash` wrote): the kernel's and
    every boot module's."""
    firmware = Firmware(_board_name(config))
    try:
        return packed_build_id(firmware.kernel_elf, read_payload(firmware.kernel_bin)).hex()
    except RigError:
        return "unknown"



def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (rev + ("-dirty" if dirty else "")) if rev else "unknown"
