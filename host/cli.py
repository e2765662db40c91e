"""The `rig` command (also `host/rig.py`): board control, build, flash, boot, test, and the
commands that ask the running kernel (through debugd): bench, threads, stats, tests, run,
inject, syscall, trace.

Every failure the user can meet ends as one red line on stderr and a non-zero exit: code
paths raise `RigError` and `main()` prints it.  Exit codes: 0 success, 1 failure, 2 usage,
3 `board status` of a board that is not running, 130 interrupted; `test` returns pytest's code.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from protocol import (IMAGE_HEADER_SIZE, SLOT_AUTO, SLOT_COUNT, SLOT_RAM, SYSCALL_REGS, Feature, Message, MsgType,
                      Role, TestStatus, crc32)

from . import bench as bench_mod
from . import build as build_mod
from . import shell as shell_mod
from . import views
from .abi import KernelAbi
from .board import DEFAULT_BOARD, DEFAULT_STATE, Board, open_board
from .debugd import RUN_TIMEOUT, Debugd
from .errors import LinkTimeout, RigError
from .flash import WINDOW, FlashResult, flash_image, flash_rootfs, read_slots, rootfs_archive
from .image import read_image
from .sdcard import DEBIAN_FIRMWARE
from .link import role_of
from .strategy import Target

# soft_wrap: a message is one line however narrow the terminal (or CI log) is.  Into a pipe or
# a log (no terminal, no COLUMNS) tables get 120 columns rather than rich's 80.
_LOG_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120
out = Console(highlight=False, soft_wrap=True, width=_LOG_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)


BOARD_START_S = 15.0    # how long a QEMU board just started may take to say INFO


class Rig:
    """What the subcommands share: the options and the board they select."""

    def __init__(self, args: argparse.Namespace, place: "Place | None" = None):  # noqa: F821
        self.args = args
        self.place = place            # the labgrid place acquired for this command (host.lab)
        self._board: Board | None = None
        self._symbols = None
        self.started = False          # this command started the QEMU board (ensure_up)

    @property
    def board(self) -> Board:
        if self._board is None:
            if self.place is not None:
                from .board import BoardSpec
                from .lab import place_board

                self._board = place_board(BoardSpec.load(self.args.board), self.place)
            else:
                self._board = open_board(self.args.board, port=self.args.port, power_cmd=self.args.power_cmd,
                                         state_dir=self.args.state_dir)
        return self._board

    def target(self) -> Target:
        return Target(self.board, on_message=self._show_message if self.args.verbose else None)

    def build(self) -> build_mod.Firmware:
        show = (lambda line: out.print(f"[dim]{escape(line)}[/]")) if self.args.verbose else None
        return build_mod.build(self.board.name, show=show)

    def ensure_up(self, *, build: bool) -> None:
        """For a QEMU board: start it if it is not running, restart it if its bootloader
        changed since it started.  A real board is left as it is."""
        board = self.board
        if board.qemu is None:
            return
        if build:
            fw = self.build()
        else:
            fw = build_mod.Firmware(board.name)
            if not fw.boot_bin.exists() and not board.qemu.is_running():
                fw = self.build()
        if board.qemu.is_running():
            if build and board.qemu.boot_changed(fw.boot_bin):
                out.print(f"[yellow]bootloader changed since {board.name} started: restarting it[/]")
                board.qemu.down()
            else:
                return
        state = board.qemu.up(fw.boot_bin, deterministic=getattr(self.args, "deterministic", False))
        self.started = True
        mode = ", deterministic (icount)" if state.get("deterministic") else ""
        out.print(f"board {board.name} up: pid {state['pid']}, serial {state['pty']}{mode}")

    def ensure_deterministic(self) -> None:
        """Have the QEMU board run with its description's [deterministic] arguments (one
        instruction per cycle, pinned clock and seed), restarting it if it runs without them.
        Flash bank 1 persists, so the flashed image is still there afterwards."""
        board = self.board
        if board.qemu is None:
            raise RigError(f"--deterministic needs a QEMU board; {board.name} on {board.console.port()} "
                           f"is real hardware, whose cycle counter counts real cycles")
        if not board.qemu.qemu.deterministic:
            raise RigError(f"boards/{board.name}/board.toml has no [qemu] deterministic arguments")
        state = board.qemu.state()
        if state is not None and state.get("deterministic"):
            return
        if state is not None:
            out.print(f"[yellow]board {board.name} runs without -icount: restarting it in deterministic mode[/]")
            board.qemu.down()
        self.args.deterministic = True
        self.ensure_up(build=False)

    def ensure_real_time(self) -> None:
        """Have the QEMU board run in real time: one left in deterministic mode by a benchmark
        has a clock pinned to 2020 and time that jumps while it idles, which the tests' clocks,
        timeouts and process races are not written for; it is restarted without -icount (the
        flashed image stays)."""
        board = self.board
        state = board.qemu.state() if board.qemu is not None else None
        if state is None or not state.get("deterministic"):
            return
        out.print(f"[yellow]board {board.name} runs deterministic (-icount): restarting it in real time "
                  f"for the tests[/]")
        board.qemu.down()
        self.args.deterministic = False
        self.ensure_up(build=False)

    def kernel(self) -> tuple[Debugd, Message]:
        """debugd on the running kernel, and its INFO.  A board sitting in its bootloader boots
        its newest image first; a board that does not answer at all is an error, not reset, so
        that whatever state it hangs in can still be looked at."""
        self.ensure_up(build=False)
        target = self.target()
        link = target.open()
        try:
            # A board this command just started first loads its images (raspi2b's initramfs is
            # 54 MB) and starts its bootloader, which in deterministic mode takes over 2 s.
            info = link.poll_info(BOARD_START_S if self.started else 2.0, what=f"board {self.board.name}")
        except LinkTimeout as exc:
            if exc.bad_frames:          # it said something, garbled: the line, not the kernel
                raise RigError(f"{exc} (check the cable, the baud rate, the port)") from None
            raise RigError(f"{exc}: is the kernel hung? (`host/rig.py boot` restarts it)") from None
        if role_of(info) != Role.KERNEL:
            out.print(f"[dim]{self.board.name} is in its bootloader: booting the newest image[/]")
            info = target.kernel()
        return Debugd(link), info

    def abi(self) -> KernelAbi:
        """System call numbers and error names, from the kernel.elf of this board's build."""
        return KernelAbi.from_elf(build_mod.Firmware(self.board.name).kernel_elf)

    def symbols(self):
        """The symbolizer of this board's firmware build (host.symbols), made on first use."""
        from .symbols import Symbolizer

        if self._symbols is None:
            self._symbols = Symbolizer(self.board.name)
        return self._symbols

    def _show_message(self, msg: Message) -> None:
        if msg.type == MsgType.LOG:
            try:
                text = self.symbols().text(msg.text)
            except Exception:               # no build, an odd ELF: the line as it came
                text = msg.text
            out.print(f"[dim]  target {str(msg.level).lower()}: {escape(text)}[/]")


# --------------------------------------------------------------------------------------------
# Subcommands


def cmd_board(rig: Rig) -> int:
    board = rig.board
    action = rig.args.action
    if board.qemu is None:
        if board.power is None and action != "status":
            raise RigError(f"board {board.name} on {board.console.port()} has no power control: give --power-cmd")
        if action == "up":
            board.power.on()
        elif action == "down":
            board.power.off()
        elif action == "reset":
            board.power.reset()
        else:
            kind = "power by the place's power port" if board.place else "power by command"
            out.print(f"{board.describe()}: {kind if board.power else 'power not controlled'}")
        return 0
    qemu = board.qemu
    if action == "up":
        if qemu.is_running():
            state = qemu.state()
            out.print(f"board {board.name} already running: pid {state['pid']}, serial {state['pty']}")
            if state.get("deterministic") != rig.args.deterministic:
                raise RigError("it was started with other options: `host/rig.py board down` first")
            return 0
        rig.ensure_up(build=True)
        return 0
    if action == "down":
        out.print(f"board {board.name} {'stopped' if qemu.down() else 'was not running'}")
        return 0
    if action == "reset":
        qemu.reset()
        out.print(f"board {board.name} reset")
        return 0
    status = qemu.status()
    if not status.get("pid"):
        out.print(f"{board.name}: [yellow]not running[/] (state in {_rel(qemu.state_dir)})")
        return 3
    up_for = _duration(time.time() - status.get("started", time.time()))
    health = "[green]running[/]" if status["running"] else f"[red]not answering QMP[/] ({escape(status['vm_status'])})"
    out.print(f"{board.name}: {health}, pid {status['pid']}, serial {status['pty']}, up {up_for}"
              f"{', deterministic (icount)' if status.get('deterministic') else ''}, state in {_rel(qemu.state_dir)}")
    return 0 if status["running"] else 1


def cmd_build(rig: Rig) -> int:
    rig.args.verbose = True
    fw = rig.build()
    header, payload, _ = read_image(fw.kernel_img)
    out.print(f"built {_rel(fw.dir)}: boot.bin {fw.boot_bin.stat().st_size} bytes, kernel.img {len(payload)} bytes "
              f"payload, load 0x{header.load_addr:08x}, entry 0x{header.entry:08x}, build {bytes(header.build_id).hex()[:12]}")
    return 0


@contextlib.contextmanager
def _flash_progress(total: int):
    """A progress bar for a flash of `total` bytes (on a terminal); yields flash_*'s callback."""
    with Progress(TextColumn("flashing"), BarColumn(), DownloadColumn(binary_units=True), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=out, disable=not out.is_terminal) as progress:
        task = progress.add_task("flash", total=total)
        yield lambda done, _total: progress.update(task, completed=done)


def cmd_flash(rig: Rig) -> int:
    if getattr(rig.args, "rootfs", False):
        return _flash_rootfs(rig)
    if rig.args.image:
        path = Path(rig.args.image)
        rig.ensure_up(build=False)
    else:
        rig.ensure_up(build=True)
        if rig.board.qemu is None:              # a real board or a place: ensure_up built nothing
            rig.build()
        path = build_mod.Firmware(rig.board.name).kernel_img
    header, payload, image = read_image(path)
    if header.board != rig.board.name:
        raise RigError(f"{path} is an image for board {header.board!r}, not {rig.board.name!r}")
    out.print(f"image {_rel(path)}: {_size(len(payload))}, build {bytes(header.build_id).hex()[:12]}")
    target = rig.target()
    boot_info = target.bootloader()
    out.print(f"bootloader on {target.link.port}: {boot_info.version}")
    ram_only = not boot_info.features & Feature.FLASH
    slot = SLOT_RAM if getattr(rig.args, "ram", False) or ram_only else rig.args.slot
    with _flash_progress(len(payload)) as progress:
        result = flash_image(target.link, image, slot=slot, window=WINDOW if rig.board.qemu else 1,
                             progress=progress)
    _print_flash(result)
    if ram_only:                # what every later boot loads again
        rig.board.ram_image.parent.mkdir(parents=True, exist_ok=True)
        rig.board.ram_image.write_bytes(image)
    info = target.start(result.slot)
    out.print(f"[green]booted[/] {_slot_name(result.slot)}: {info.version}, build {bytes(info.build_id).hex()[:12]}")
    return 0


def _flash_rootfs(rig: Rig) -> int:
    """flash --rootfs: rewrite the root file system partition where it changed, then boot."""
    rig.ensure_up(build=not rig.args.image)
    if rig.args.image:
        path = Path(rig.args.image)
    else:
        if rig.board.qemu is None:
            rig.build()
        path = build_mod.Firmware(rig.board.name).rootfs_img
    try:
        partition = path.read_bytes()
    except OSError as exc:
        raise RigError(f"cannot read {path}: {exc.strerror}") from None
    archive = rootfs_archive(partition)
    out.print(f"root file system {_rel(path)}: {_size(len(archive))} archive")
    target = rig.target()
    boot_info = target.bootloader()
    out.print(f"bootloader on {target.link.port}: {boot_info.version}")
    with _flash_progress(len(archive)) as progress:
        result = flash_rootfs(target.link, partition, window=WINDOW if rig.board.qemu else 1, progress=progress)
    sent = result.length - result.kept
    out.print(f"[green]flashed[/] the root file system ({result.length:,} bytes) in {result.seconds:.2f} s: "
              f"sent {sent:,} as {result.wire:,} on the line, {result.kept:,} already in place; "
              f"{result.rewritten} erase blocks rewritten, verified (crc {crc32(archive):08x})")
    info = target.start()
    out.print(f"[green]booted[/] slot {info.active_slot}: {info.version}")
    return 0


def cmd_sdcard(rig: Rig) -> int:
    from . import boarddef, sdcard

    board = boarddef.load(rig.args.board)
    layout = sdcard.card_layout(board)
    target = Path(rig.args.target)
    sdcard.check_target(target, layout.size)           # before a build: a refusal comes at once
    firmware = sdcard.firmware_files(Path(rig.args.firmware) if rig.args.firmware else None)
    fw = rig.build()
    files = sdcard.boot_files(board, fw.boot_bin, fw.rootfs_img, firmware)
    started = time.monotonic()
    device = sdcard.write_card(target, layout, files)
    mib = lambda n: f"{n / (1 << 20):g} MiB"                          # noqa: E731
    out.print(f"wrote {target} ({'block device' if device else 'image file of ' + mib(layout.size)}) for "
              f"{board.name} in {time.monotonic() - started:.1f} s: the MBR; the A/B slot area erased, "
              f"{mib(layout.slots_size)} at {mib(layout.slots_offset)}; the FAT32 boot partition, "
              f"{mib(layout.boot_size)} at {mib(layout.boot_offset)}, with:")
    for name, contents in files.items():
        size = contents.stat().st_size if isinstance(contents, Path) else len(contents)
        origin = f" (from {_rel(contents)})" if isinstance(contents, Path) else ""
        out.print(f"  {name:<13} {size:>12,} bytes{origin}")
    return 0


def cmd_boot(rig: Rig) -> int:
    rig.ensure_up(build=False)
    info = rig.target().kernel(slot=rig.args.slot)
    _print_info(info)
    return 0


def cmd_info(rig: Rig) -> int:
    link = rig.target().open()
    _print_info(link.poll_info(3.0, what=f"board {rig.board.name}"))
    return 0


def cmd_slots(rig: Rig) -> int:
    rig.ensure_up(build=False)
    target = rig.target()
    target.bootloader()
    info = read_slots(target.link)
    table = Table(title=f"{rig.board.name} flash slots")
    for column in ("slot", "valid", "state", "sequence", "length", "crc", "build id"):
        table.add_column(column)
    states = {"NEW": "new: boots once on trial", "TRIAL": "[red]tried, never confirmed[/]",
              "CONFIRMED": "confirmed"}
    for index, slot in enumerate(info.slots):
        marks = [m for m, at in (("newest", info.newest), ("last confirmed", info.confirmed)) if at == index]
        mark = f" ({', '.join(marks)})" if marks else ""
        table.add_row(f"{index}{mark}", "yes" if slot.valid else "[dim]no[/]",
                      states[str(slot.state)] if slot.valid else "", str(slot.sequence) if slot.valid else "",
                      str(slot.length) if slot.valid else "", f"{slot.crc:08x}" if slot.valid else "",
                      bytes(slot.build_id).hex()[:16] if slot.valid else "")
    out.print(table)
    if info.newest != SLOT_AUTO:
        booted = target.start()
        out.print(f"[dim]booted slot {booted.active_slot} again[/]")
    return 0


def cmd_test(rig: Rig) -> int:
    from .testrun import run_tests

    if rig.args.places:
        from .testrun import run_sharded_places
        return run_sharded_places(rig, rig.args.places, junit=rig.args.junit, pytest_args=rig.args.pytest_args)
    if rig.args.flash or rig.args.flash_image:
        rig.args.image, rig.args.slot = rig.args.flash_image, SLOT_AUTO
        cmd_flash(rig)
    rig.ensure_up(build=False)
    rig.ensure_real_time()
    if rig.args.boards > 1:
        from .testrun import run_sharded
        return run_sharded(rig, rig.args.boards, junit=rig.args.junit, pytest_args=rig.args.pytest_args)
    return run_tests(rig, junit=rig.args.junit, pytest_args=rig.args.pytest_args)


# --------------------------------------------------------------------------------------------
# Commands that ask the running kernel, through debugd


def cmd_bench(rig: Rig) -> int:
    args = rig.args
    if args.names[:1] == ["linux"]:
        return cmd_bench_linux(rig)
    if args.vs_native:
        raise RigError("--vs-native compares the Linux benchmarks: `bench linux --vs-native`")
    if args.stress:
        if args.names != ["modem"]:
            raise RigError("--stress is for the modem: `bench modem --stress`")
        return _bench_modem_stress(rig)
    args.iterations = args.iterations or 1000
    if args.deterministic:
        rig.ensure_deterministic()
    debugd, info = rig.kernel()
    debugd.require("TESTS")
    available = [e.name for e in debugd.tests() if e.kind == "bench"]
    if args.list:
        for name in available:
            out.print(name)
        return 0
    if args.names == ["modem"]:                 # the modem's layer-1 figures (docs/modem.md)
        names = [name for name in available if name.startswith("modem.")]
    else:                                       # by default the kernel's: their own baseline
        names = args.names or sorted(name for name in available if not name.startswith("modem."))
    unknown = [name for name in names if name not in available]
    if unknown:
        raise RigError(f"no benchmark named {', '.join(unknown)}: the target has {', '.join(available) or 'none'}")
    board = rig.board
    deterministic = bool(board.qemu is not None and (board.qemu.state() or {}).get("deterministic"))
    build_id = bytes(info.build_id).hex()
    if deterministic and debugd.has("THREADS"):
        ready = {rig.abi().thread_states.get("READY", 2)}
        with out.status("waiting for the board to settle"):
            if not debugd.wait_until_quiet(ready):
                err.print("[yellow]warning:[/] threads other than debugd kept running for 10 s: "
                          "the figures may not repeat exactly")
    runs = []
    with out.status("") as status:
        for name in names:
            status.update(f"running {name} ({args.iterations} iterations)")
            runs.append(bench_mod.run(debugd, name, args.iterations, recorder=args.recorder == "on"))
    mode = "deterministic (icount: 1 cycle = 1 instruction)" if deterministic else "not deterministic"
    out.print(f"{board.name}, build {build_id[:12]}, {mode}, trace recorder {args.recorder}"
              f"{' (as shipped)' if args.recorder == 'on' else ''}, cycles at {info.cycle_hz:,} Hz")
    out.print(views.bench_table(runs, title="benchmarks (cycles; p99 by nearest rank)"))
    for run in runs:
        if run.passed:
            out.print(f"[bold]{escape(run.name)}[/] [dim]({run.summary.n} samples, cycles)[/]")
            for line in bench_mod.histogram(run.samples):
                out.print(f"  {line}", markup=False)
    flags = build_mod.Firmware(board.name).dir / "build-flags.txt"
    config = dict(recorder=args.recorder, **({"kernel_flags": flags.read_text().strip()} if flags.exists() else {}))
    data = bench_mod.to_json(board.name, deterministic, build_id, runs, config=config)
    if args.plot:
        bench_mod.plot(data, args.plot, title=f"{board.name}, build {build_id[:12]}, {mode}, recorder {args.recorder}")
        out.print(f"[dim]drew {args.plot}[/]")
    if args.json:
        bench_mod.write_json(args.json, data)
        out.print(f"[dim]wrote {args.json}[/]")
    failed = [run for run in runs if not run.passed]
    for run in failed:
        err.print(f"[bold red]error:[/] benchmark {escape(run.name)} {escape(run.why)}")
    _gates(args, data)
    return 1 if failed else 0


def _gates(args, data: dict) -> None:
    """--same-as and --baseline: raise when the figures in `data` fail them."""
    if args.same_as:
        problems = bench_mod.differences(data, bench_mod.read_json(args.same_as))
        if problems:
            raise RigError(f"figures differ from {args.same_as}: {'; '.join(problems)}")
        out.print(f"[green]same figures as {args.same_as}[/]")
    saved = args.compare or args.baseline
    if saved:
        before = bench_mod.read_json(saved)
        out.print(views.compare_table(data, before, args.tolerance / 100, title=f"against {saved}"))
        problems = bench_mod.regressions(data, before, args.tolerance / 100)
        if problems:
            raise RigError(f"not as {saved} says: {'; '.join(problems)}")
        out.print(f"[green]no figure more than {args.tolerance:g}% above {saved}, "
                  f"no median more than {bench_mod.DROP_BOUND:.0%} below[/]")


def cmd_bench_linux(rig: Rig) -> int:
    """The Linux interface on our server (tests/linux/lbench.c), and with --vs-native the same
    program on real Linux on the same QEMU machine and arguments."""
    from . import linuxbench

    args = rig.args
    if args.names != ["linux"]:
        raise RigError("`bench linux` runs all seven Linux benchmarks; it takes no other names")
    samples = args.iterations or 31
    if samples > linuxbench.MAX_SAMPLES:
        raise RigError(f"`bench linux` takes at most {linuxbench.MAX_SAMPLES} samples (-n)")
    if args.list:
        for name in linuxbench.NAMES:
            out.print(name)
        return 0
    if args.deterministic:
        rig.ensure_deterministic()
    debugd, info = rig.kernel()
    debugd.require("LINUX")
    board = rig.board
    deterministic = bool(board.qemu is not None and (board.qemu.state() or {}).get("deterministic"))
    build_id = bytes(info.build_id).hex()
    with out.status(f"running lbench on the Linux server ({samples} samples each)"):
        ours = linuxbench.on_target(debugd.link, samples)
    kernel = theirs = None
    if args.vs_native:
        with out.status(f"booting real Linux on the same QEMU machine {args.native_boots} times to run lbench there"):
            kernel, theirs = linuxbench.native(board.name, samples, deterministic, args.native_boots)
    data = linuxbench.to_json(board.name, deterministic, build_id, ours, kernel, theirs)
    if args.plot:
        bench_mod.plot(data, args.plot, title=f"Linux server, build {build_id[:12]} (ns per operation)")
        out.print(f"[dim]drew {args.plot}[/]")
    mode = "deterministic (icount: 1 ns = 1 instruction)" if deterministic else "not deterministic"
    native = f", native: Debian {kernel}" if kernel else ""
    out.print(f"{board.name}, build {build_id[:12]}, {mode}{native}")
    out.print(linuxbench.table(data, "Linux benchmarks (ns per operation; p99 by nearest rank)"))
    if args.json:
        bench_mod.write_json(args.json, data)
        out.print(f"[dim]wrote {args.json}[/]")
    _gates(args, data)
    saved = args.compare or args.baseline
    if saved:
        got, broken = linuxbench.ratios(data, bench_mod.read_json(saved))
        out.print("against real Linux (the native medians in " + saved + "): " +
                  ", ".join(f"{name.removeprefix('linux.')} {ratio:.2f}×" for name, ratio in got.items()))
        if broken:
            raise RigError(f"the ratios to real Linux: {'; '.join(broken)}")
        out.print(f"[green]within the ratio bounds: {', '.join(f'{n} ≤ {b:g}×' for n, b in linuxbench.RATIO_BOUNDS.items())}[/]")
    return 0


def cmd_shell(rig: Rig) -> int:
    """The Linux console: one line (-c) like adb shell, or an interactive shell."""
    debugd, _ = rig.kernel()
    debugd.require("LINUX")
    link = debugd.link
    if rig.args.command is not None:
        try:
            return shell_mod.run_line(link, rig.args.command, sys.stdout.buffer, rig.args.timeout)
        except shell_mod.Interrupted as exc:
            err.print(f"[dim]{escape(str(exc))}[/]")
            return 130
    if not sys.stdin.isatty():
        raise RigError("an interactive shell needs a terminal: use `shell -c 'LINE'` from scripts")
    out.print(f"[dim]{rig.board.name}: Linux shell; `exit` or Ctrl-D ends it[/]")
    return shell_mod.interactive(link, sys.stdin.fileno(), sys.stdout.buffer)


def cmd_linux(rig: Rig) -> int:
    """The Linux server's counters and the system calls it does not implement."""
    debugd, _ = rig.kernel()
    debugd.require("LINUX")
    stats = debugd.linux_stats()
    if rig.args.json:
        import json

        print(json.dumps(views.linux_stats_dict(stats), indent=2))
    else:
        counters, unknown = views.linux_stats_tables(stats)
        out.print(counters)
        out.print(unknown if unknown is not None else "[green]no unknown system calls so far[/]")
    if rig.args.allow_enosys is not None:
        extra = views.enosys_not_allowed(stats, rig.args.allow_enosys)
        if extra:
            names = views.linux_syscall_names()
            raise RigError("system calls answered -ENOSYS beyond those allowed: " +
                           ", ".join(f"{nr} ({names.get(nr, '?')})" for nr in extra))
    return 0


def cmd_linux_cpython(rig: Rig) -> int:
    """CPython's regression tests on real Linux and on our server, test case by test case."""
    from . import cpython_tests as cpt
    from . import reallinux

    args = rig.args
    names = cpt.check_names(args.modules or cpt.modules(slow=args.all))
    debugd, info = rig.kernel()
    debugd.require("LINUX")
    build_id = bytes(info.build_id).hex()

    def show(side: str):
        def line(name: str, run) -> None:
            out.print(f"[dim]{side}: {name}: {len(run.cases)} cases, {run.count(cpt.PASSED)} passed, "
                      f"{run.count(cpt.FAILED)} failed, {run.count(cpt.SKIPPED)} skipped; {escape(run.result)} "
                      f"({run.seconds:.0f} s)[/]")
        return line

    started = time.monotonic()
    ours = cpt.on_target(debugd.link, names, args.timeout, show("our server"))
    mid = time.monotonic()
    with out.status(f"running {len(names)} modules on real Linux (Debian {reallinux.KERNEL_VERSION})"):
        linux = cpt.on_real_linux(names, args.timeout, rig.board.name, show("real Linux"))
    done = time.monotonic()
    rows = cpt.compare(linux, ours)
    out.print(views.cpython_table(rows))
    for row in rows:
        for case, (theirs, mine) in row.differ.items():
            out.print(f"  {escape(case)}: real Linux {theirs}, our server {mine}")
    equal = sum(r.equal for r in rows)
    out.print(f"{equal} of {len(rows)} modules give real Linux's results; our server {_duration(mid - started)}, "
              f"real Linux {_duration(done - mid)}")
    if args.json_out:
        data = cpt.to_json(rows, f"{reallinux.KERNEL_PACKAGE}={reallinux.KERNEL_VERSION}", build_id)
        cpt.write_json(args.json_out, data)
        out.print(f"[dim]wrote {args.json_out}[/]")
    if args.markdown:
        Path(args.markdown).write_text(cpt.markdown(rows))
        out.print(f"[dim]wrote {args.markdown}[/]")
    if args.min_equal is not None and equal < args.min_equal:
        raise RigError(f"{equal} modules give real Linux's results, fewer than {args.min_equal}")
    return 0


def _numbers(text: str) -> set[int]:
    """`--allow-enosys 111,224 0x10`: numbers, by commas or spaces, decimal or 0x hex."""
    try:
        return {int(word, 0) for word in text.replace(",", " ").split()}
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected system call numbers such as 111,224") from None


@contextlib.contextmanager
def _modem_link(rig: Rig, debugd=None, *, during=None, when=None):
    """The modem on the radio link of the running kernel's board (`debugd`: the kernel's,
    when the caller has it already).  While it is in use, the debug link is read in the
    background: a QEMU serial line that is open but not read stalls the whole machine once its
    buffer fills, and the radio link with it.  `during()` is called once on that thread, as
    soon as `when(modem)` holds: it may use the debug link."""
    from .modem import ModemLink

    if debugd is None:
        debugd, _ = rig.kernel()                # up, and past its bootloader
    if rig.board.qemu is None:
        raise RigError(f"board {rig.board.name} has no radio link the rig knows how to reach")
    stop = threading.Event()

    def read_debug_link():
        pending = during
        while not stop.is_set():
            try:
                if pending is not None and when(modem):
                    pending, _ = None, pending()
                debugd.link.drain(0.05)
            except RigError:
                return

    reader = threading.Thread(target=read_debug_link, daemon=True)
    with ModemLink(rig.board.qemu.radio_port()) as modem:
        reader.start()
        try:
            yield modem
        finally:
            stop.set()
            reader.join()


def cmd_modem(rig: Rig) -> int:
    """The modem: a scenario against the base-station simulator, or its status."""
    from .modem import run_scenario

    args = rig.args
    if args.modem_command == "status":
        with _modem_link(rig) as modem:
            modem.hello()
            out.print(views.modem_status_table(modem.status()))
        return 0
    from .bts import scenario as scenarios

    if args.modem_command == "sweep":
        return _modem_sweep(rig, scenarios)
    if args.modem_command == "stress":
        return _modem_stress(rig, scenarios)
    try:
        scenario = scenarios.make(args.name, seed=args.seed, profile=args.channel, seconds=args.seconds)
    except ValueError as exc:
        raise RigError(str(exc)) from None
    if args.deterministic:
        rig.ensure_deterministic()
    deterministic = bool((rig.board.qemu.state() or {}).get("deterministic")) if rig.board.qemu else False
    debugd = _debugd_for_cpu(rig)
    before = _cpu_sample(debugd)
    with _modem_link(rig, debugd[0] if debugd else None) as modem:
        modem.on_event = (lambda e: out.print(views.modem_event_line(e), markup=False)) if args.verbose else None
        mode = "deterministic: preloaded" if deterministic else "live: streamed ahead"
        out.print(f"scenario {scenario.name}, seed {scenario.seed}, channel {scenario.profile}, "
                  f"{scenario.frames:,} frames ({scenario.seconds:g} s), {mode}; "
                  f"cell BSIC {scenario.cell.bsic:#04o}, FN {scenario.fn0} at frame 0")
        with out.status("running the scenario"):
            status = run_scenario(modem, scenario, deterministic=deterministic)
        events = list(modem.events)
        uplink = list(modem.uplink)
    cpu = _modem_cpu(debugd, before, _cpu_sample(debugd), scenario.frames)
    if not args.verbose:
        out.print(views.modem_events_table(events, limit=args.events))
    out.print(views.modem_status_table(status))
    if cpu:
        out.print(f"modem work per TDMA frame: {cpu['cycles_per_frame']:,} cycles, {cpu['share']:.2%} of a frame ("
                  + ", ".join(f"{name} {c:,}" for name, c in cpu["tasks"].items()) + ")")
    checks = scenario.verdict(events, status, uplink=uplink, deterministic=deterministic)
    out.print(views.checks_table(checks, title=f"scenario {scenario.name}: verdict"))
    if args.json:
        _write_scenario_json(args.json, scenario, events, status, checks, uplink, cpu)
        out.print(f"[dim]wrote {args.json}[/]")
    if args.same_as:
        problems = _scenario_differences(args.json, args.same_as)
        if problems:
            raise RigError(f"the run differs from {args.same_as}: {'; '.join(problems)}")
        out.print(f"[green]the same events and counters as {args.same_as}[/]")
    return 0 if scenario.passed(checks) else 1


#: the modem's threads whose work is the stack's (the radio link's transport, `radiolnk`, stands
#: for what a real front end's DMA would do, and is left out)
MODEM_WORK = ("fclk", "l1rx", "l1dec", "rr", "rtos-server", "rtos-timer")


def _debugd_for_cpu(rig: Rig):
    """debugd and its INFO, when the board can count threads' cycles (else None)."""
    try:
        debugd, info = rig.kernel()
    except RigError:
        return None
    return (debugd, info) if debugd.has("THREADS") else None


def _cpu_sample(probe):
    return {t.name.split()[0]: t.cycles for t in probe[0].threads()} if probe else None


def _modem_cpu(probe, before, after, frames: int) -> dict:
    """The modem stack's processor time per TDMA frame between two looks at the kernel's
    per-thread cycle counters: cycles per frame by task, their sum, and that sum's share of a
    frame (60/13 ms at the board's cycle rate)."""
    if not probe or before is None or after is None or frames <= 0:
        return {}
    per_frame = {name: (after.get(name, 0) - before.get(name, 0)) / frames for name in MODEM_WORK if name in after}
    total = sum(per_frame.values())
    frame_cycles = probe[1].cycle_hz * 0.060 / 13
    return {"cycles_per_frame": round(total), "share": total / frame_cycles,
            "tasks": {name: round(c) for name, c in per_frame.items() if c >= 1}}


def _modem_stress(rig: Rig, scenarios) -> int:
    """A scenario played to the modem while Linux attacks (host/stress.py); exit status: 0 when
    the modem kept every deadline and the scenario passed (with --control: when the modem,
    placed below Linux, missed)."""
    import json

    from . import stress

    args = rig.args
    if args.list or not args.attack:
        for name, attack in stress.attacks().items():
            out.print(f"{name:15} {attack.what}", markup=False)
        return 0
    attack = stress.attack(args.attack)
    if args.deterministic:
        rig.ensure_deterministic()
    deterministic = bool((rig.board.qemu.state() or {}).get("deterministic")) if rig.board.qemu else False
    debugd, _ = rig.kernel()
    debugd.require("LINUX", "THREADS")
    result = _stress_run(rig, debugd, attack, scenarios, frames=args.frames, scenario_name=args.scenario,
                         seed=args.seed, deterministic=deterministic, control=args.control, timeout=args.timeout,
                         verbose=True)
    out.print(views.stress_summary(result))
    system = result["progress"] or {}
    for line in system.get("report", []):
        out.print(f"  hostile: {line}", markup=False)
    if system.get("why"):
        err.print(f"[bold red]{attack.name}:[/] {escape(system['why'])}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    if args.control:
        return 0 if result["misses"] > 0 else 1
    return 0 if _stress_kept(result) else 1


def _stress_kept(result: dict) -> bool:
    """The modem kept every deadline through the whole attack, and every round's scenario passed."""
    return (result["misses"] == 0 and result["underruns"] == 0 and result["scenario_passed"]
            and result["finished"] and (result["progress"] or {}).get("ok", True))


#: the longest scenario whose downlink a deterministic run can preload whole (the modem's ring
#: holds 16,384 bursts: a 30-second call's 7,809 frames fit); longer attacks play rounds of it
STRESS_ROUND_FRAMES = 7_800


def _stress_run(rig: Rig, debugd, attack, scenarios, *, frames: int, scenario_name: str, seed: int,
                deterministic: bool, control: bool = False, timeout: float = 600.0, verbose: bool = False,
                stall: bool = False) -> dict:
    """Start `attack` on Linux, play `scenario_name` to the modem for about `frames` frames
    (in rounds of at most STRESS_ROUND_FRAMES, the attack running throughout), stop the attack;
    the figures as a dict (frames, misses, underruns, worst and p99.9 latencies, the start
    histograms summed over the rounds, the attack's progress).  `stall`: `timeout` counts from
    the last time the modem's clock moved, not from the start of a round."""
    from . import stress
    from .modem import run_scenario

    rounds = []
    left = frames
    while left > 0 or not rounds:
        want = min(left, STRESS_ROUND_FRAMES)
        seconds = max(1.0, (want - 1200) / scenarios.FRAMES_PER_SECOND)
        scenario = scenarios.make(scenario_name, seed=seed, seconds=seconds)
        rounds.append(scenario)
        left -= scenario.frames
    if verbose:
        plan = f"{len(rounds)} rounds of " if len(rounds) > 1 else ""
        out.print(f"{attack.name}: {escape(attack.what)}; the modem plays {plan}{scenario_name} "
                  f"({sum(r.frames for r in rounds):,} frames){' [bold]below Linux[/] (the control)' if control else ''}, "
                  f"{'deterministic' if deterministic else 'live'}")
    began = time.monotonic()
    failure = None
    statuses, histograms, passed = [], {}, True
    # The attack starts first, on the debug link; from then on that link is read only by
    # _modem_link's thread (the console output), until the scenario is over.
    if attack.system:                           # made once the call is up, on the reader thread
        running = stress.SystemAttack(debugd, attack)
        link_args = dict(during=running.during, when=_call_connected)
    else:
        running, link_args = stress.Running(debugd, attack), {}
    with _modem_link(rig, debugd, **link_args) as modem:
        for n, scenario in enumerate(rounds):
            try:
                with out.status(f"{scenario_name} under {attack.name}"
                                + (f", round {n + 1} of {len(rounds)}" if len(rounds) > 1 else "")):
                    status = run_scenario(modem, scenario, deterministic=deterministic,
                                          below_linux=control, timeout=timeout, stall=stall)
            except RigError as exc:             # the control: the starved modem may not finish
                failure = exc
                break
            events, uplink = list(modem.events), list(modem.uplink)
            checks = scenario.verdict(events, status, uplink=uplink, deterministic=True)
            passed = passed and scenario.passed(checks)
            if verbose and not control and (not scenario.passed(checks) or n == len(rounds) - 1):
                out.print(views.checks_table(checks, title=f"{scenario.name} under {attack.name}: verdict"
                                             + (f" (round {n + 1})" if len(rounds) > 1 else "")))
            statuses.append(status)
            for name, h in modem.latencies(status).items():
                histograms[name] = histograms[name] + h if name in histograms else h
        events, uplink = modem.events, modem.uplink
    progress = running.stop()
    if failure is not None:
        with _modem_link(rig, debugd) as modem:  # what the modem made of it, once Linux stopped
            modem.events, modem.uplink = events, uplink
            modem.stop(timeout=60.0)
            modem.pump(0.5)
            status = modem.status()
            statuses.append(status)
            for name, h in modem.latencies(status).items():
                histograms[name] = histograms[name] + h if name in histograms else h
            checks = rounds[len(statuses) - 1].verdict(list(events), status, uplink=list(uplink), deterministic=True)
            passed = passed and rounds[len(statuses) - 1].passed(checks)
        err.print(f"[yellow]the scenario did not finish:[/] {escape(str(failure))}")
    wall = time.monotonic() - began
    if verbose:
        out.print(views.modem_status_table(statuses[-1]))
    tasks = [t for s in statuses for t in s.tasks]

    def worst(name):
        seen = [t.worst_start for t in tasks if t.name == name]
        return max(seen) if seen else None

    def p999(name):
        h = histograms.get(name)
        if h is None or h.jobs == 0:
            return None, False
        return h.percentile(99.9)

    (fclk_p, fclk_beyond), (l1_p, l1_beyond) = p999("fclk"), p999("l1rx")
    return dict(attack=attack.name, control=control, scenario=scenario_name, rounds=len(statuses),
                frames=sum(s.frame + 1 for s in statuses),
                misses=sum(t.misses for t in tasks), underruns=sum(s.underruns for s in statuses),
                worst_frame_irq_us=worst("fclk"), p999_frame_irq_us=fclk_p, p999_frame_irq_beyond=fclk_beyond,
                worst_l1_start_us=worst("l1rx"), p999_l1_start_us=l1_p, p999_l1_start_beyond=l1_beyond,
                jobs={name: h.jobs for name, h in histograms.items()},
                scenario_passed=passed, progress=progress.__dict__ if progress else None,
                finished=failure is None, wall_seconds=round(wall, 1), deterministic=deterministic,
                latency={name: h.to_json() for name, h in histograms.items()})


def _call_connected(modem) -> bool:
    from .bts.scenario import CC, EV_CC_CONNECTED
    return any(str(e.layer) == CC and e.code == EV_CC_CONNECTED for e in list(modem.events))


def _bench_modem_stress(rig: Rig) -> int:
    """Every attack once for --frames frames, deterministic: a row each, the figures and the
    start histograms as JSON, a histogram plot per attack.  Exit 1 if the modem missed under any."""
    import json

    from . import stress
    from .bts import scenario as scenarios

    args = rig.args
    frames = args.frames or 100_000
    names = args.attacks.split(",") if args.attacks else list(stress.attacks())
    chosen = [stress.attack(name) for name in names]
    rig.ensure_deterministic()
    debugd, info = rig.kernel()
    debugd.require("LINUX", "THREADS")
    results = []
    for attack in chosen:
        # a long deterministic run: a round may take as long as the host needs, while the
        # modem's clock moves (a round of oom took over 600 s on a busy host)
        result = _stress_run(rig, debugd, attack, scenarios, frames=frames, scenario_name="mo-call", seed=1,
                             deterministic=True, verbose=False, stall=True)
        results.append(result)
        out.print(f"{attack.name}: {result['frames']:,} frames, {result['misses']} misses, "
                  f"{result['underruns']} underruns, {result['wall_seconds']:,.0f} s", markup=False)
        if args.json:                           # after each attack: a long run keeps what it has
            Path(args.json).write_text(json.dumps(dict(board=rig.board.name, build=bytes(info.build_id).hex(),
                                                       frames=frames, scenario="mo-call", results=results),
                                                  indent=1) + "\n")
        if args.plot:
            path = stress.plot_path(args.plot, attack.name)
            stress.plot_latency(result, path)
            out.print(f"[dim]drew {path}[/]")
    out.print(views.stress_bench_table(results, title=f"the modem under attack: mo-call, {frames:,} frames each, "
                                                      f"deterministic; latencies in us"))
    if args.json:
        out.print(f"[dim]wrote {args.json}[/]")
    return 0 if all(_stress_kept(r) for r in results) else 1


def _modem_sweep(rig: Rig, scenarios) -> int:
    """Block and bit error rates of the target's receiver against the channel's SNR: the camp
    scenario at each SNR, the target's own counters (blocks whose parity failed; channel bit
    errors the decoder corrected in the blocks that decoded)."""
    import json

    from .modem import run_scenario

    args = rig.args
    rig.ensure_deterministic()
    sweeps = {}
    with _modem_link(rig) as modem:
        for profile in args.channel.split(","):
            points = sweeps[profile] = []
            for snr in args.snr:
                scenario = scenarios.make("camp", seed=args.seed, profile=profile, seconds=args.seconds)
                scenario.snr_db = snr
                with out.status(f"{profile} at {snr:g} dB"):
                    status = run_scenario(modem, scenario, deterministic=True)
                blocks = status.blocks_ok + status.blocks_bad
                points.append(dict(snr_db=snr, blocks=blocks, blocks_bad=status.blocks_bad,
                                   bler=status.blocks_bad / blocks if blocks else None,
                                   bit_errors=status.bit_errors, bits=status.bits,
                                   ber=status.bit_errors / status.bits if status.bits else None))
            out.print(views.sweep_table(points, title=f"receiver on the target, {profile} profile, seed {args.seed}"))
    if args.json:
        Path(args.json).write_text(json.dumps(dict(seed=args.seed, seconds=args.seconds, sweeps=sweeps),
                                              indent=1) + "\n")
        out.print(f"[dim]wrote {args.json}[/]")
    if args.plot:
        from . import bench as bench_mod
        bench_mod.plot_sweep(sweeps, args.plot, title="GSM receiver on the target (BCCH and CCCH blocks)")
        out.print(f"[dim]drew {args.plot}[/]")
    return 0


def _scenario_differences(path: str | None, before: str) -> list[str]:
    """What differs between two scenario runs' JSON, timing figures aside."""
    import json

    if path is None:
        raise RigError("--same-as compares this run's --json with an earlier one: give both")
    now, then = (json.loads(Path(p).read_text()) for p in (path, before))
    problems = []
    for key in ("scenario", "seed", "channel", "frames", "status", "uplink", "verdict"):
        if now.get(key) != then.get(key):
            problems.append(f"{key}: {then.get(key)} then, {now.get(key)} now")
    a, b = now["events"], then["events"]
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            problems.append(f"event {i}: {y} then, {x} now")
            break
    if len(a) != len(b):
        problems.append(f"{len(b)} events then, {len(a)} now")
    return problems


def _write_scenario_json(path: str, scenario, events, status, checks, uplink=(), cpu=None) -> None:
    import hashlib
    import json

    digest = hashlib.sha256()
    for b in uplink:
        digest.update(b.frame.to_bytes(4, "little") + bytes([b.tn, b.kind]) + b.bits.tobytes())

    data = dict(scenario=scenario.name, seed=scenario.seed, channel=scenario.profile, frames=scenario.frames,
                events=[dict(frame=e.frame, fn=e.fn, layer=str(e.layer), code=e.code, a=e.a, b=e.b, text=e.text)
                        for e in events],
                status=dict(frame=status.frame, underruns=status.underruns, blocks_ok=status.blocks_ok,
                            blocks_bad=status.blocks_bad, bit_errors=status.bit_errors, bits=status.bits,
                            tasks={t.name: dict(jobs=t.jobs, misses=t.misses) for t in status.tasks}),
                uplink=dict(bursts=len(uplink), sha256=digest.hexdigest()),
                cpu=cpu or {},
                verdict={c.what: c.passed for c in checks})
    Path(path).write_text(json.dumps(data, indent=1) + "\n")


def cmd_threads(rig: Rig) -> int:
    debugd, _ = rig.kernel()
    debugd.require("THREADS")
    threads = debugd.threads()
    stats = debugd.stats()
    out.print(views.threads_table(threads, stats, rig.abi(), title=f"{rig.board.name}: {len(threads)} threads",
                                  symbols=rig.symbols()))
    return 0


def cmd_console(rig: Rig) -> int:
    """The live dashboard (host/console.py), or one frame of it as text with --once."""
    from . import console

    if rig.args.once:
        rig.kernel()                            # a board in its bootloader boots first
        sys.stdout.write(console.snapshot(rig, rig.args.commands or [], width=rig.args.width))
        return 0
    if rig.args.commands:
        raise RigError("-c runs commands before a --once snapshot; in the live console type them")
    return console.live(rig)


def cmd_gdb(rig: Rig) -> int:
    """gdb-multiarch on the QEMU board's gdb stub, with the kernel's and every boot module's
    symbols; arguments after `--` go to gdb (e.g. --batch -ex 'info registers')."""
    import shutil
    import subprocess

    from .symbols import boot_modules

    board = rig.board
    if board.qemu is None:
        raise RigError(f"{board.name} is a real board: attach gdb to your debug probe's gdb server; "
                       f"`rig gdb` drives QEMU's stub")
    rig.ensure_up(build=False)
    gdb = shutil.which("gdb-multiarch")
    if gdb is None:
        raise RigError("gdb-multiarch is not installed (tools/setup installs it as root; or apt-get install gdb-multiarch)")
    fw = build_mod.Firmware(board.name)
    if not fw.kernel_elf.exists():
        raise RigError(f"{fw.kernel_elf} is missing: build first (`host/rig.py build`)")
    port = board.qemu.gdbserver()
    # the modules run in their own spaces at their own link addresses; several share addresses
    # (each at 1 MiB), so gdb names such an address after the first module that has it
    command = [gdb, "-q", "-nx", "-ex", "set confirm off", "-ex", "set pagination off", str(fw.kernel_elf)]
    for name in boot_modules():
        elf = fw.dir / "user" / f"{name}.elf"
        if elf.exists():
            command += ["-ex", f"add-symbol-file {elf}"]
    extra = list(rig.args.gdb_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    command += ["-ex", f"target remote 127.0.0.1:{port}"] + extra
    out.print(f"[dim]gdb on {board.name}'s stub at 127.0.0.1:{port}; the board stops while gdb holds it[/]")
    return subprocess.call(command)


def cmd_profile(rig: Rig) -> int:
    """Instructions per function of one operation, stepped under gdb in deterministic mode
    (host/profile.py)."""
    import io
    import shutil
    import tempfile

    from . import profile

    args = rig.args
    board = rig.board
    if board.qemu is None:
        raise RigError(f"{board.name} is a real board: `rig profile` steps QEMU's gdb stub")
    gdb = shutil.which("gdb-multiarch")
    if gdb is None:
        raise RigError("gdb-multiarch is not installed (tools/setup installs it as root; or apt-get install gdb-multiarch)")
    if args.bench and args.shell:
        raise RigError("--bench or --shell: one workload")
    symbols = rig.symbols()
    images = profile.BuildImages(symbols, {name: symbols.path_of(name) for name in ["kernel", *symbols.modules]})
    for path in args.elf or []:
        try:
            name = symbols.add(Path(path))
        except ValueError as exc:
            raise RigError(str(exc)) from None
        if not Path(path).exists():
            raise RigError(f"{path} does not exist")
        images.paths[name] = Path(path)
    start, start_elf = profile.resolve(args.start, images)
    stop = "return" if args.stop == "return" else profile.resolve(args.stop, images)[0] if args.stop else None
    start_code = profile.code_at(images.paths[start_elf], start, profile.CODE_BYTES) \
        if start_elf not in (None, "kernel") else None
    rig.ensure_deterministic()
    debugd, _ = rig.kernel()
    if args.shell:
        debugd.require("LINUX")
    params = dict(start=start, condition=args.condition, start_code=start_code.hex() if start_code else None,
                  hit=args.hit, stop=stop, max=args.max, wfi=profile.wfi_addresses(images.paths["kernel"]),
                  irq_vector=symbols.address_of("vectors", "kernel") + profile.IRQ_VECTOR)
    with tempfile.TemporaryDirectory(prefix="rig-profile-") as tmp:
        stepper = profile.Stepper(gdb, board.qemu.gdbserver(), params, Path(tmp) / "trace.json")
        stepper.arm()
        with out.status("waiting for the start, then stepping (the board stops while it is stepped)"):
            if args.bench:
                debugd.bench(args.bench, args.iterations, timeout=args.timeout)
            elif args.shell:
                status = shell_mod.run_line(debugd.link, args.shell, io.BytesIO(), args.timeout)
                if status != 0:
                    err.print(f"[yellow]warning:[/] {escape(args.shell)} exited with {status}")
            trace = stepper.finish(args.timeout)
    steps = list(profile.attribute(trace, images))
    name = profile.namer(images, args.by)
    rows = profile.tally(steps, name)
    total = len(steps)
    how = "reached the stop" if trace.stopped == "stop" else f"stopped after --max {args.max:,}"
    out.print(f"{total:,} instructions from {escape(args.start)} ({how}; {trace.idle} WFI run past), "
              f"stepped in {trace.seconds:.1f} s: {trace.rate:,.0f} instructions/s")
    out.print(views.profile_table(rows[:args.top] if args.top else rows, total,
                                  title=f"instructions by {args.by}"))
    if args.path:
        out.print(views.profile_path(profile.path(steps, name)))
    if args.json:
        bench_mod.write_json(args.json, dict(start=args.start, stop=args.stop, total=total, stopped=trace.stopped,
                                             by=args.by, rows=[vars(r) for r in rows],
                                             path=[vars(r) for r in profile.path(steps, name)]))
        out.print(f"[dim]wrote {args.json}[/]")
    return 0


def cmd_sym(rig: Rig) -> int:
    """Addresses as function+offset (file:line), from the build's ELF files."""
    from .symbols import parse_thread

    symbols = rig.symbols()
    try:
        thread = parse_thread(rig.args.thread) if rig.args.thread else None
    except ValueError as exc:
        raise RigError(str(exc)) from None
    status = 0
    for text in rig.args.addresses:
        try:
            address = int(text, 16)
        except ValueError:
            raise RigError(f"{text!r} is not an address (hexadecimal, 0x optional)") from None
        where = symbols.lookup(address, thread=thread, elf=rig.args.elf)
        if where is None:
            status = 1
        out.print(f"0x{address:08x} {escape(str(where)) if where else '[yellow]no symbol[/]'}")
    return status


def cmd_stats(rig: Rig) -> int:
    debugd, _ = rig.kernel()
    debugd.require("THREADS")
    out.print(views.stats_table(debugd.stats(), rig.abi()))
    return 0


def cmd_tests(rig: Rig) -> int:
    debugd, _ = rig.kernel()
    debugd.require("TESTS")
    table = Table(title=f"{rig.board.name}: on-target tests and benchmarks")
    table.add_column("kind")
    table.add_column("name")
    for entry in debugd.tests():
        table.add_row(entry.kind, escape(entry.name))
    out.print(table)
    out.print("[dim]run tests with `host/rig.py run NAME...`, benchmarks with `host/rig.py bench NAME...`[/]")
    return 0


def cmd_run(rig: Rig) -> int:
    from fnmatch import fnmatchcase

    debugd, _ = rig.kernel()
    debugd.require("TESTS")
    tests = [e.name for e in debugd.tests() if e.kind == "test"]
    names: list[str] = []
    for pattern in rig.args.names:
        matches = [name for name in tests if fnmatchcase(name, pattern)]
        if not matches:
            raise RigError(f"no test matches {pattern!r}: the target has {', '.join(tests) or 'none'}")
        names += [name for name in matches if name not in names]
    failed = 0
    for name in names:
        with out.status(f"running {name}"):
            result = debugd.run_test(name, timeout=rig.args.timeout)
        status = str(result.status)
        color = "green" if status == TestStatus.PASS.name else "red"
        detail = f": {result.text}" if result.text else ""
        out.print(f"[{color}]{status}[/] {escape(name)} [dim]({result.cycles:,} cycles, value {result.value})[/]"
                  f"{escape(detail)}")
        failed += status != TestStatus.PASS.name
    verdict = "[bold green]PASS:[/]" if not failed else "[bold red]FAIL:[/]"
    out.print(f"{verdict} {len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_inject(rig: Rig) -> int:
    debugd, _ = rig.kernel()
    debugd.require("INJECT")
    debugd.inject_irq(rig.args.irq)
    out.print(f"interrupt {rig.args.irq} set pending")
    return 0


def cmd_restart(rig: Rig) -> int:
    debugd, _ = rig.kernel()
    args = rig.args
    image = args.image or args.server
    with out.status(f"restarting {args.server}"):
        debugd.restart(args.server, "" if image == args.server else image)
    out.print(f"{args.server}: its domain deleted, {image} started in it")
    return 0


def cmd_syscall(rig: Rig) -> int:
    abi = rig.abi()
    number = abi.syscall(rig.args.call)
    regs = {7: number}
    for assignment in rig.args.regs:
        index, value = _register(assignment)
        if index == 7:
            raise RigError("r7 is the system call number: give it as the first argument")
        regs[index] = value
    debugd, _ = rig.kernel()
    debugd.require("SYSCALL")
    result = debugd.syscall(regs, timeout_us=rig.args.timeout_us)
    name = (abi.syscall_name(number) or f"number {number}").lower()
    status = str(result.status)
    if status == "DONE":
        out.print(f"{escape(name)}: [green]returned[/] after {result.cycles:,} cycles")
    elif status == "FAULTED":
        out.print(f"{escape(name)}: [red]the probe faulted[/]; its registers at the fault:")
    else:
        out.print(f"{escape(name)}: [yellow]blocked longer than {rig.args.timeout_us:,} us and was aborted[/] "
                  f"(a new probe thread takes the next call)")
    if status != "TIMEOUT":
        out.print(views.syscall_table(result, abi, number))
    return 0


def cmd_trace(rig: Rig) -> int:
    if rig.args.out:
        return _trace_timeline(rig)
    if rig.args.count <= 0:
        raise RigError("--count must be at least 1")
    debugd, _ = rig.kernel()
    debugd.require("TRACE")
    window = debugd.recent_events(rig.args.count)
    names = views.thread_names(debugd.threads()) if debugd.has("THREADS") else {}
    out.print(views.trace_table(window, names, rig.abi()))
    return 0


def _trace_timeline(rig: Rig) -> int:
    """Stream the trace ring for --seconds and write it for Perfetto (host/timeline.py)."""
    import json

    from . import timeline

    if rig.args.seconds <= 0:
        raise RigError("--seconds must be more than 0")
    debugd, info = rig.kernel()
    debugd.require("TRACE", "THREADS")
    def activity() -> None:
        for name in rig.args.run or []:
            result = debugd.run_test(name)
            if str(result.status) != TestStatus.PASS.name:
                err.print(f"[yellow]warning:[/] {escape(name)} {escape(str(result.status))} while tracing")

    with out.status(f"recording the kernel trace for {rig.args.seconds:g} s"):
        capture = timeline.stream(debugd, rig.args.seconds, during=activity if rig.args.run else None)
    threads = debugd.threads()
    doc = timeline.chrome_trace(capture, threads, info.cycle_hz, board=rig.board.name)
    path = Path(rig.args.out)
    try:
        path.write_text(json.dumps(doc) + "\n")
    except OSError as exc:
        raise RigError(f"cannot write {path}: {exc.strerror or exc}") from None
    lost = f", [yellow]{capture.lost:,} lost[/] (the ring overran between reads)" if capture.lost else ", none lost"
    out.print(f"{len(capture.events):,} events{lost}; wrote {escape(str(path))} "
              f"(open it in https://ui.perfetto.dev or chrome://tracing)")
    return 0


def _register(text: str) -> tuple[int, int]:
    name, sep, value = text.partition("=")
    try:
        if not sep or not name.lower().startswith("r"):
            raise ValueError
        index = int(name[1:])
        number = int(value, 0)
    except ValueError:
        raise RigError(f"{text!r}: registers are given as rN=VALUE, e.g. r0=0x400001 or r12=-1") from None
    if not 0 <= index < SYSCALL_REGS:
        raise RigError(f"{text!r}: the probe loads r0-r{SYSCALL_REGS - 1}")
    if not -(1 << 31) <= number < (1 << 32):
        raise RigError(f"{text!r}: a register holds 32 bits")
    return index, number & 0xFFFFFFFF


# --------------------------------------------------------------------------------------------
# Output helpers


def _print_flash(result: FlashResult) -> None:
    sent = IMAGE_HEADER_SIZE + result.transmitted
    line = f" as {result.wire:,} on the line (LZ4)" if result.wire and result.wire < sent else ""
    reused = [f"{result.kept:,} already in slot {result.slot}"] if result.kept else []
    reused += [f"{result.copied:,} copied from the other slot"] if result.copied else []
    sequence = "" if result.slot == SLOT_RAM else f"sequence {result.sequence}, "
    out.print(f"[green]{'loaded' if result.slot == SLOT_RAM else 'flashed'}[/] {result.sent:,} bytes to "
              f"{_slot_name(result.slot)} in {result.seconds:.2f} s "
              f"({result.kib_per_s:.1f} KiB/s): sent {sent:,}{line}{''.join(', ' + r for r in reused)}; "
              f"{sequence}verified (crc {result.crc:08x}, build {result.build_id.hex()[:12]})")


def _slot_name(slot: int) -> str:
    return "RAM" if slot == SLOT_RAM else f"slot {slot}"


def _print_info(info: Message) -> None:
    role = role_of(info)
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    features = ", ".join(f.name for f in Feature if info.features & f) or "none"
    slot = {SLOT_AUTO: "none", SLOT_RAM: "RAM"}.get(info.active_slot, str(info.active_slot))
    for key, value in (("role", role.name.lower() if role else str(info.role)), ("board", info.board),
                       ("version", info.version), ("build id", bytes(info.build_id).hex()),
                       ("features", features), ("cycle counter", f"{info.cycle_hz:,} Hz"),
                       ("timer", f"{info.timer_hz:,} Hz"), ("active slot", slot),
                       ("max payload", f"{info.max_payload} bytes")):
        table.add_row(key, escape(str(value)))
    out.print(table)


def _size(n: int) -> str:
    return f"{n:,} bytes ({n / 1024:.1f} KiB)"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def cmd_lab(rig: Rig) -> int:
    args = rig.args
    if args.lab_command == "places":
        from .lab import create_places

        for name, line in create_places(Path(args.file)):
            out.print(f"place {name}: {escape(line)}")
        return 0
    import signal
    import socket

    from .labserve import serve

    power_cmds = {}
    for item in args.power:
        group, sep, command = item.partition("=")
        if not sep or not command:
            raise RigError(f"--power wants GROUP=COMMAND, not {item!r}")
        power_cmds[group] = command
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    serve(args.config, state=Path(args.state_dir or DEFAULT_STATE) / "lab", board=args.board, qemu=args.qemu,
          power_cmds=power_cmds, hostname=args.hostname or socket.gethostname(),
          name=args.name or socket.gethostname(), log=lambda line: out.print(f"lab: {escape(line)}"), stop=stop)
    out.print("lab: stopped, QEMU boards powered off")
    return 0


def _rel(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------


def _slot(text: str) -> int:
    if text == "auto":
        return SLOT_AUTO
    try:
        slot = int(text)
    except ValueError:
        slot = -1
    if not 0 <= slot < SLOT_COUNT:
        raise argparse.ArgumentTypeError(f"slot must be auto or 0..{SLOT_COUNT - 1}")
    return slot


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one name")
    return names


def _number(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _positive(text: str) -> int:
    value = _number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def _iterations(text: str) -> int:
    value = _number(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("iterations must be 1..1000 (the target keeps at most 1000 samples)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rig", description="Host rig for the L4 kernel: board control, build, flash, boot, on-target tests.",
        epilog="Board selection: QEMU by default (started in the background, state in .rig/); "
               "--port PORT for a real board (a serial device or a pyserial URL such as socket://host:4000).")
    parser.add_argument("--board", default=os.environ.get("RIG_BOARD", DEFAULT_BOARD),
                        help="board name (default %(default)s; env RIG_BOARD)")
    parser.add_argument("--port", default=os.environ.get("RIG_PORT"),
                        help="serial port or pyserial URL of a real board (env RIG_PORT); without it the rig runs QEMU")
    parser.add_argument("--power-cmd", default=os.environ.get("RIG_POWER_CMD"),
                        help="shell command for a real board's power; {action} becomes on/off/reset "
                             "(env RIG_POWER_CMD)")
    parser.add_argument("--place", default=os.environ.get("RIG_PLACE") or None,
                        help="a labgrid place: acquired from the coordinator (LG_COORDINATOR) for the "
                             "command, its serial port and power used, released after (env RIG_PLACE)")
    parser.add_argument("--place-wait", type=float, default=float(os.environ.get("RIG_PLACE_WAIT") or 0),
                        metavar="SECONDS", help="wait (a reservation) up to SECONDS for a place someone "
                        "else holds; 0 fails at once (default; env RIG_PLACE_WAIT)")
    parser.add_argument("--state-dir", default=os.environ.get("RIG_STATE"),
                        help="where a QEMU board keeps its flash files and state (default .rig/, another "
                             "board than qemu-virt .rig/<board>/; env RIG_STATE)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show build output and the target's LOG lines")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("board", help="start, stop, reset or look at the board")
    p.add_argument("action", choices=["up", "down", "status", "reset"])
    p.add_argument("--deterministic", action="store_true",
                   help="board up: run QEMU with -icount shift=0 (one instruction per cycle)")
    p.set_defaults(func=cmd_board)

    p = sub.add_parser("build", help="build the firmware and kernel.img")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("flash", help="build if stale, bring the board up, write the image, verify, boot it")
    p.add_argument("image", nargs="?", help="image file to write (default: the build's kernel.img; with "
                   "--rootfs, a root file system partition, default the build's rootfs.img)")
    p.add_argument("--slot", type=_slot, default=SLOT_AUTO, help="0, 1 or auto (the older slot; default)")
    p.add_argument("--ram", action="store_true",
                   help="load the image straight into RAM and boot it, no slot (gone at the next reset); "
                        "a board without slots (raspi2b) always does")
    p.add_argument("--rootfs", action="store_true",
                   help="rewrite the root file system partition instead, only the blocks that changed")
    p.set_defaults(func=cmd_flash)

    p = sub.add_parser("sdcard", help="write what a Raspberry Pi needs on its SD card, once (--board raspi2b)",
                       description="Write a board's SD card (--board raspi2b): an MBR, the A/B image slot "
                                   "area erased, and a FAT32 boot partition with the Pi's GPU firmware, "
                                   "kernel7.img (the bootloader), rootfs.img and config.txt.  Builds first "
                                   "if stale.  Everything on TARGET is lost.")
    p.add_argument("target", help="the whole card's block device (/dev/sdX, /dev/mmcblkN) or an image file")
    p.add_argument("--firmware", metavar="DIR",
                   help=f"where bootcode.bin, start.elf and fixup.dat are (default {DEBIAN_FIRMWARE}, "
                        f"from Debian's raspi-firmware package)")
    p.set_defaults(func=cmd_sdcard)

    p = sub.add_parser("boot", help="reset the board and boot the newest image (or --slot)")
    p.add_argument("--slot", type=_slot, default=SLOT_AUTO)
    p.set_defaults(func=cmd_boot)

    p = sub.add_parser("info", help="ask whatever runs on the board who it is (HELLO)")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("slots", help="show the flash slots (resets into the bootloader, then boots again)")
    p.set_defaults(func=cmd_slots)

    p = sub.add_parser("test", help="run the on-target tests (pytest) against the board",
                       description="Run tests/target with pytest against the board; any argument the rig "
                                   "does not know goes to pytest (e.g. -k ping -x).")
    p.add_argument("--junit", metavar="FILE", help="write a JUnit XML report")
    p.add_argument("--boards", type=int, default=1, metavar="N",
                   help="shard the test files over N QEMU boards run at once (the board, and N-1 more "
                        "in STATE/shard-K), then merge the results (default 1)")
    p.add_argument("--places", type=_names, metavar="A,B,...",
                   help="shard the test files over these labgrid places instead: each shard acquires its "
                        "place, flashes the build and runs its files there (docs/farm.md)")
    p.add_argument("--flash", action="store_true",
                   help="write the build's image (building it if stale) before testing")
    p.add_argument("--flash-image", metavar="FILE", help="write this image before testing (no build)")
    p.set_defaults(func=cmd_test, pytest_args=[])

    p = sub.add_parser("lab", help="a labgrid lab: serve this machine's boards behind an exporter, define places",
                       description="The rig in a labgrid lab (docs/farm.md).  `lab serve` stands behind "
                                   "labgrid-exporter for the boards the rig runs: a QEMU board's serial "
                                   "line over TCP and its power, and power commands of real boards.  "
                                   "`lab places` creates the places of a places file at the coordinator.")
    lsub = p.add_subparsers(dest="lab_command", required=True, metavar="COMMAND")
    q = lsub.add_parser("serve", help="serve the QEMU boards and power commands of an exporter configuration")
    q.add_argument("config", metavar="EXPORTER.yaml", help="the configuration labgrid-exporter reads")
    q.add_argument("--qemu", default="qemu-*", metavar="PATTERN",
                   help="groups that are QEMU boards the rig runs, in STATE-DIR/lab/GROUP (default %(default)s)")
    q.add_argument("--power", action="append", default=[], metavar="GROUP=COMMAND",
                   help="a real board's power command, {action} becoming on or off (repeatable)")
    q.add_argument("--hostname", default=None,
                   help="as labgrid-exporter's --hostname: what {{ hostname }} is in the configuration")
    q.add_argument("--name", default=None, help="as labgrid-exporter's --name")
    q = lsub.add_parser("places", help="create or update the places of a places file at the coordinator")
    q.add_argument("file", metavar="PLACES.yaml")
    p.set_defaults(func=cmd_lab)

    # ---- asking the running kernel (debugd); a board in its bootloader is booted first
    p = sub.add_parser("bench", help="run benchmarks on the target: n, min, median, p99, max in cycles, histograms",
                       description="Run benchmarks on the target (all of them without NAME) and show n, min, "
                                   "median, p99 (nearest rank) and max in cycles, and a histogram of each. "
                                   "Exits 1 if a benchmark fails.  `bench linux` runs the Linux server's "
                                   "benchmarks instead (ns per operation), with --vs-native against real Linux.")
    p.add_argument("names", nargs="*", metavar="NAME", help="benchmark names (see --list)")
    p.add_argument("--iterations", "-n", type=_iterations, default=None, metavar="N",
                   help="samples per benchmark, 1-1000 (default 1000; `bench linux`: 31, at most 101; "
                        "warm-up runs come on top)")
    p.add_argument("--vs-native", action="store_true",
                   help="`bench linux`: also run the Linux benchmarks on real Linux (Debian's armmp kernel) on "
                        "the same QEMU machine and arguments, and show the ratio")
    p.add_argument("--native-boots", type=_positive, default=3, metavar="N",
                   help="`bench linux --vs-native`: boot real Linux N times (default 3) and report the "
                        "spread of its medians across boots; the native median is over all of them")
    p.add_argument("--deterministic", action="store_true",
                   help="run the QEMU board with its [deterministic] arguments (-icount shift=0...), "
                        "restarting it if needed: one cycle is one instruction, figures repeat exactly")
    p.add_argument("--recorder", choices=("on", "off"), default="on",
                   help="the kernel's trace recorder while a kernel or modem benchmark measures: on, as the "
                        "kernel ships (default), or off; the JSON records which")
    p.add_argument("--json", metavar="FILE", help="write the figures and the raw samples as JSON")
    p.add_argument("--same-as", metavar="FILE",
                   help="fail unless every figure equals those in FILE (an earlier --json of the same build)")
    p.add_argument("--compare", metavar="FILE",
                   help="show each figure against FILE's (a saved deterministic --json, such as "
                        "benchmarks/baseline.json) with the ratio, and fail if a median or p99 is more "
                        "than --tolerance above it")
    p.add_argument("--baseline", metavar="FILE", help="the same as --compare (the name tools/check used first)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="draw each benchmark's histogram into FILE.png (needs the plot extra: matplotlib)")
    p.add_argument("--tolerance", type=float, default=5.0, metavar="PERCENT",
                   help="how much slower than the baseline still passes (default %(default)g%%)")
    p.add_argument("--list", action="store_true", help="list the benchmarks the target has")
    p.add_argument("--stress", action="store_true",
                   help="`bench modem --stress`: every attack of `modem stress` once, deterministic, --frames each; "
                        "--json the figures and histograms, --plot FILE.png one histogram plot per attack "
                        "(FILE-ATTACK.png)")
    p.add_argument("--frames", type=int, metavar="N", help="--stress: frames of mo-call per attack (default 100,000)")
    p.add_argument("--attacks", metavar="NAME,...", help="--stress: these attacks only")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("threads", help="the kernel's threads: state, priority, space, pager, CPU share, pc")
    p.set_defaults(func=cmd_threads)

    p = sub.add_parser("stats", help="the kernel's counters: IPC, interrupts, faults, system calls, memory")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("tests", help="list the on-target tests and benchmarks")
    p.set_defaults(func=cmd_tests)

    p = sub.add_parser("run", help="run on-target tests by name (patterns allowed: 'ipc.*')")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--timeout", type=float, default=RUN_TIMEOUT, metavar="SECONDS",
                   help="how long to wait for each result (default %(default)g)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("inject", help="set an interrupt line pending at the interrupt controller")
    p.add_argument("irq", type=_number, metavar="IRQ")
    p.set_defaults(func=cmd_inject)

    p = sub.add_parser("restart", help="delete a server's domain (its spaces, threads and memory) and "
                                       "start it again, or another module in its place",
                       description="The root task deletes every space of the server's domain, takes back "
                                   "what sigma0 gave it, and starts the server's image afresh (or --image, "
                                   "a standby module, with the same rights). The Linux server comes back "
                                   "with a fresh shell.")
    p.add_argument("server", help="a boot module's name, e.g. linux")
    p.add_argument("--image", help="start this boot module in its place (e.g. hostile)")
    p.set_defaults(func=cmd_restart)

    p = sub.add_parser("syscall", help="have the probe thread make a system call: syscall NAME|NUMBER [rN=VALUE ...]",
                       description="A probe thread in its own unprivileged address space loads r0-r12 "
                                   "(0 unless given; r7 = the call) and makes the call. Shows the registers "
                                   "after it, r1 as an l4 error, and the cycles it took. Names and numbers "
                                   "come from the kernel's debug information.")
    p.add_argument("call", metavar="NAME|NUMBER", help="e.g. system_clock, ipc, 7, or a bad number such as 77")
    p.add_argument("regs", nargs="*", metavar="rN=VALUE", help="e.g. r0=0x58c002 r1=2 r12=-1")
    p.add_argument("--timeout-us", type=_number, default=100_000, metavar="US",
                   help="abort the call if it blocks this long (default %(default)s)")
    p.set_defaults(func=cmd_syscall)

    p = sub.add_parser("shell", help="the Linux server's console: an interactive shell, or -c 'LINE' for one line")
    p.add_argument("-c", dest="command", metavar="LINE", help="run LINE with /bin/sh -c, print its output, "
                   "exit with its status")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S",
                   help="give up on a -c line after S seconds (default %(default)s)")
    p.set_defaults(func=cmd_shell)

    p = sub.add_parser("console", help="a live dashboard: threads, CPU, rates, latency histograms, log, probes",
                       description="A live rich dashboard of the running kernel over the serial link, with a "
                                   "command line for probes (type `help`). --once renders one frame as text.")
    p.add_argument("--once", action="store_true", help="render one frame as text and exit (for scripts and tests)")
    p.add_argument("-c", dest="commands", action="append", metavar="COMMAND",
                   help="with --once: run this console command first (repeatable), e.g. -c 'inject 121'")
    p.add_argument("--width", type=int, default=120, help="with --once: the frame's width (default %(default)s)")
    p.set_defaults(func=cmd_console)

    p = sub.add_parser("gdb", help="gdb-multiarch attached to the QEMU board, kernel and module symbols loaded",
                       description="Start gdb-multiarch on the QEMU board's gdb stub with the symbols of the kernel "
                                   "and of every boot module. Arguments after -- go to gdb, e.g. "
                                   "`host/rig.py gdb -- --batch -ex bt`.")
    p.add_argument("gdb_args", nargs=argparse.REMAINDER, metavar="-- GDB-ARGS")
    p.set_defaults(func=cmd_gdb)

    p = sub.add_parser("profile", help="instructions per function of one operation, stepped under gdb (deterministic)",
                       description="Restart the QEMU board in deterministic mode if it is not, stop it at --start "
                                   "(the --hit'th time, if --if holds), single-step every instruction it runs in every "
                                   "space until --stop (or --max), and print instructions per function, symbolized "
                                   "across the kernel, the boot modules and the --elf programs. --bench or --shell "
                                   "makes the board run the code. ADDR: hex, or [ELF:]FUNCTION[+OFFSET], e.g. "
                                   "ktest:call_loop+0x16c; --stop return: the start's return address.")
    p.add_argument("--start", required=True, metavar="ADDR")
    p.add_argument("--if", dest="condition", metavar="COND", help="a gdb condition on the start, e.g. '$r7 == 20'")
    p.add_argument("--hit", type=int, default=1, metavar="N", help="profile from the Nth time the start is reached")
    p.add_argument("--stop", metavar="ADDR", help="where to stop (not counted); 'return': where the start returns to")
    p.add_argument("--max", type=int, default=1_000_000, metavar="N", help="stop after N instructions")
    p.add_argument("--elf", action="append", metavar="PATH", help="a user program's ELF, for its code and symbols")
    p.add_argument("--bench", metavar="NAME", help="run this kernel benchmark to reach the start")
    p.add_argument("-n", "--iterations", type=int, default=10, help="--bench's iterations")
    p.add_argument("--shell", metavar="LINE", help="run this line on the Linux console to reach the start")
    p.add_argument("--by", choices=("function", "line", "elf"), default="function")
    p.add_argument("--path", action="store_true", help="also the path: consecutive runs in one place, in order")
    p.add_argument("--top", type=int, metavar="N", help="the N largest rows only")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds for the workload and the stepping")
    p.add_argument("--json", metavar="FILE", help="write the rows and the path as JSON")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("sym", help="addresses as function+offset (file:line), from the firmware's ELF files",
                       description="Symbolize addresses: a kernel address (0xc0000000 and up) from kernel.elf, "
                                   "a user address from the ELF of the module named by --elf or whose space "
                                   "--thread runs in. Exits 1 if an address has no symbol.")
    p.add_argument("addresses", nargs="+", metavar="ADDR", help="hexadecimal addresses")
    p.add_argument("--thread", metavar="TID", help="the thread that reported it (e.g. 416.1: the Linux server)")
    p.add_argument("--elf", metavar="NAME", help="a boot module's name: sigma0, root, debugd, ktest, linux")
    p.set_defaults(func=cmd_sym)

    p = sub.add_parser("modem", help="the modem: run a scenario against the base-station simulator, or its status")
    msub = p.add_subparsers(dest="modem_command", required=True, metavar="COMMAND")
    q = msub.add_parser("scenario", help="play a scenario to the modem over the radio link; "
                        "exit status from its verdict")
    q.add_argument("name", metavar="NAME", help="camp, location-update, mo-call, mt-call")
    q.add_argument("--seed", type=int, default=1, help="the scenario's seed: cell, timing, noise (default %(default)s)")
    q.add_argument("--channel", default="clean", choices=("clean", "urban", "bad"),
                   help="the channel profile (default %(default)s)")
    q.add_argument("--seconds", type=float, metavar="N", help="how long the air interface runs")
    q.add_argument("--deterministic", action="store_true",
                   help="run the board with -icount and preload the whole downlink: the same frames every run")
    q.add_argument("--events", type=int, default=40, metavar="N", help="events to show at most (default %(default)s)")
    q.add_argument("--json", metavar="FILE", help="write the events, the status and the verdict as JSON")
    q.add_argument("--same-as", metavar="FILE", help="fail unless the events, counters and verdict are those "
                   "of an earlier run's --json (deterministic runs repeat frame for frame)")
    msub.add_parser("status", help="the modem's frame, cell, layer states, counters and task deadlines")
    q = msub.add_parser("stress", help="a scenario played to the modem while Linux attacks it; "
                        "exit status 0 when the modem kept every deadline")
    q.add_argument("attack", nargs="?", metavar="ATTACK", help="an attack script of tests/linux/attacks: cpu-hog, "
                   "syscall-flood, fork-storm, fault-storm, console-spam, pipe-flood, oom, crash-loop, mix "
                   "(--list says what each does)")
    q.add_argument("--list", action="store_true", help="the attacks")
    q.add_argument("--frames", type=int, default=2000, help="air interface frames, about (default %(default)s; "
                   f"past {STRESS_ROUND_FRAMES:,} the scenario is played in rounds, the attack running throughout)")
    q.add_argument("--scenario", default="mo-call", choices=("mo-call", "mt-call"),
                   help="what the modem does meanwhile (default %(default)s)")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--deterministic", action="store_true", help="the board with -icount (what CI runs)")
    q.add_argument("--control", action="store_true",
                   help="the negative control: the modem's tasks below every Linux thread; exit 0 when it misses")
    q.add_argument("--timeout", type=float, default=600.0, help="seconds the scenario may take (default %(default)s)")
    q.add_argument("--json", metavar="FILE")
    q = msub.add_parser("sweep", help="block and bit error rates of the target's receiver against SNR "
                        "(the camp scenario at each SNR, deterministic)")
    q.add_argument("--channel", default="awgn,urban", metavar="PROFILE,...",
                   help="the channel profiles whose SNR is swept: awgn, urban, bad (default %(default)s)")
    q.add_argument("--snr", type=lambda t: [float(x) for x in t.split(",")], metavar="DB,DB,...",
                   default=[2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0], help="the SNRs (Es/N0, dB)")
    q.add_argument("--seed", type=int, default=1)
    q.add_argument("--seconds", type=float, default=10.0, help="air time per point (default %(default)s)")
    q.add_argument("--json", metavar="FILE")
    q.add_argument("--plot", metavar="FILE.png", help="draw BLER and BER against SNR (matplotlib)")
    p.set_defaults(func=cmd_modem)

    p = sub.add_parser("linux", help="the Linux server's counters, and the system calls it answered -ENOSYS")
    p.add_argument("--json", action="store_true", help="print them as JSON (the -ENOSYS calls by number)")
    p.add_argument("--allow-enosys", type=_numbers, metavar="N,N...",
                   help="exit 1 if the server answered -ENOSYS to a call not in this list (a gate)")
    p.set_defaults(func=cmd_linux)
    lsub = p.add_subparsers(dest="linux_command", metavar="COMMAND")
    q = lsub.add_parser("cpython-tests", help="run CPython's regression tests (tests/cpython/modules.txt) on "
                        "our server and on real Linux, and compare the outcome of every test case")
    q.add_argument("--modules", type=lambda t: t.replace(",", " ").split(), metavar="M,M...",
                   help="these modules only (default: those of tests/cpython/modules.txt not marked @slow)")
    q.add_argument("--all", action="store_true", help="every module of tests/cpython/modules.txt, the slow ones too")
    q.add_argument("--timeout", type=_positive, default=300, metavar="S",
                   help="seconds a module may take on either side before it is killed (default %(default)s)")
    q.add_argument("--json", dest="json_out", metavar="FILE", help="write every case's outcome on both sides")
    q.add_argument("--markdown", metavar="FILE", help="write the table in markdown")
    q.add_argument("--min-equal", type=int, metavar="N", help="exit 1 if fewer than N modules give equal results")
    q.set_defaults(func=cmd_linux_cpython)

    p = sub.add_parser("trace", help="the kernel's most recent trace events (IPC, switches, interrupts, faults)")
    p.add_argument("--count", "-n", type=int, default=40, metavar="N", help="how many (default %(default)s)")
    p.add_argument("--seconds", type=float, default=2.0, metavar="N",
                   help="with --out: how long to record (default %(default)g)")
    p.add_argument("--out", metavar="FILE",
                   help="stream the trace for --seconds and write it as Chrome trace-event JSON (Perfetto)")
    p.add_argument("--run", action="append", metavar="TEST",
                   help="with --out: run this on-target test while recording (repeatable), e.g. ipc.call")
    p.set_defaults(func=cmd_trace)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "test":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.pytest_args = extra  # `rig test -k ping -x`: the rest goes to pytest
    try:
        if args.place and args.command != "lab" and not getattr(args, "places", None):
            from .lab import Place, acquired

            with acquired(Place(args.place, wait=args.place_wait)) as place:
                return args.func(Rig(args, place)) or 0
        return args.func(Rig(args)) or 0
    except build_mod.BuildError as exc:
        for line in exc.output:
            err.print(f"[dim]{escape(line)}[/]")
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        return 1
    except RigError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        err.print("[bold red]interrupted[/]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
