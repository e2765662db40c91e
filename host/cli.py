"""The `rig` command (also `host/rig.py`): board control, build, flash, boot, test.

Every failure the user can meet ends as one red line on stderr and a non-zero exit: code
paths raise `RigError` and `main()` prints it.  Exit codes: 0 success, 1 failure, 2 usage,
3 `board status` of a board that is not running, 130 interrupted; `test` returns pytest's code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from protocol import SLOT_AUTO, SLOT_COUNT, Feature, Message, MsgType

from . import build as build_mod
from .board import DEFAULT_BOARD, ROOT, Board, open_board
from .errors import RigError
from .flash import FlashResult, flash_image, read_slots
from .image import read_image
from .link import role_of
from .strategy import Target

# soft_wrap: a message is one line however narrow the terminal (or CI log) is
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Rig:
    """What the subcommands share: the options and the board they select."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self._board: Board | None = None

    @property
    def board(self) -> Board:
        if self._board is None:
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
        out.print(f"board {board.name} up: pid {state['pid']}, serial {state['pty']}")

    @staticmethod
    def _show_message(msg: Message) -> None:
        if msg.type == MsgType.LOG:
            out.print(f"[dim]  target {str(msg.level).lower()}: {escape(msg.text)}[/]")


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
            out.print(f"{board.name}: real board on {board.console.port()}, "
                      f"power {'by command' if board.power else 'not controlled'}")
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


def cmd_flash(rig: Rig) -> int:
    if rig.args.image:
        path = Path(rig.args.image)
        rig.ensure_up(build=False)
    else:
        rig.ensure_up(build=True)
        path = build_mod.Firmware(rig.board.name).kernel_img
    header, payload, image = read_image(path)
    if header.board != rig.board.name:
        raise RigError(f"{path} is an image for board {header.board!r}, not {rig.board.name!r}")
    out.print(f"image {_rel(path)}: {_size(len(payload))}, build {bytes(header.build_id).hex()[:12]}")
    target = rig.target()
    boot_info = target.bootloader()
    out.print(f"bootloader on {target.link.port}: {boot_info.version}")
    with Progress(TextColumn("flashing"), BarColumn(), DownloadColumn(binary_units=True), TransferSpeedColumn(),
                  TimeRemainingColumn(), console=out, disable=not out.is_terminal) as progress:
        task = progress.add_task("flash", total=len(payload))
        result = flash_image(target.link, image, slot=rig.args.slot,
                             progress=lambda done, total: progress.update(task, completed=done))
    _print_flash(result)
    info = target.start(result.slot)
    out.print(f"[green]booted[/] slot {result.slot}: {info.version}, build {bytes(info.build_id).hex()[:12]}")
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
    for column in ("slot", "valid", "sequence", "length", "crc", "build id"):
        table.add_column(column)
    for index, slot in enumerate(info.slots):
        mark = " (newest)" if index == info.newest else ""
        table.add_row(f"{index}{mark}", "yes" if slot.valid else "[dim]no[/]", str(slot.sequence) if slot.valid else "",
                      str(slot.length) if slot.valid else "", f"{slot.crc:08x}" if slot.valid else "",
                      bytes(slot.build_id).hex()[:16] if slot.valid else "")
    out.print(table)
    if info.newest != SLOT_AUTO:
        target.start()
        out.print(f"[dim]booted slot {info.newest} again[/]")
    return 0


def cmd_test(rig: Rig) -> int:
    from .testrun import run_tests

    rig.ensure_up(build=False)
    return run_tests(rig, junit=rig.args.junit, pytest_args=rig.args.pytest_args)


# --------------------------------------------------------------------------------------------
# Output helpers


def _print_flash(result: FlashResult) -> None:
    out.print(f"[green]flashed[/] {result.sent:,} bytes to slot {result.slot} in {result.seconds:.2f} s "
              f"({result.kib_per_s:.1f} KiB/s), sequence {result.sequence}, verified "
              f"(crc {result.crc:08x}, build {result.build_id.hex()[:12]})")


def _print_info(info: Message) -> None:
    role = role_of(info)
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    features = ", ".join(f.name for f in Feature if info.features & f) or "none"
    slot = "none" if info.active_slot == SLOT_AUTO else str(info.active_slot)
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
    parser.add_argument("--state-dir", default=os.environ.get("RIG_STATE", str(ROOT / ".rig")),
                        help="where a QEMU board keeps its flash files and state (default .rig/; env RIG_STATE)")
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
    p.add_argument("image", nargs="?", help="image file to write (default: the build's kernel.img)")
    p.add_argument("--slot", type=_slot, default=SLOT_AUTO, help="0, 1 or auto (the older slot; default)")
    p.set_defaults(func=cmd_flash)

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
    p.set_defaults(func=cmd_test, pytest_args=[])
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if args.command != "test":
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.pytest_args = extra  # `rig test -k ping -x`: the rest goes to pytest
    try:
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
