"""Boards: what the rig knows about one (`BoardSpec`) and how it reaches it (`Board`).

A board is one folder on each side: `firmware/boards/<name>/` (its firmware build) and, when it
runs under QEMU, `qemu/boards/<name>.toml` (machine, CPU, memory, flash banks, extra
arguments).  Adding a board means adding those, nothing here.

`open_board()` picks the drivers: with a `--port`, a real serial port and optional power
command; otherwise the QEMU driver, whose running instance lives in a state folder.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RigError
from .protocols import ConsoleProtocol, PowerProtocol

ROOT = Path(__file__).resolve().parent.parent
QEMU_BOARDS = ROOT / "qemu" / "boards"
FIRMWARE = ROOT / "firmware"
DEFAULT_BOARD = "qemu-virt"
DEFAULT_STATE = ROOT / ".rig"


@dataclass(frozen=True)
class FlashBank:
    file: str
    size: int
    contents: str            # "boot": the bootloader, rewritten at each start; "persistent": kept


@dataclass(frozen=True)
class QemuSpec:
    binary: str
    machine: str
    cpu: str
    memory: str
    extra: list[str] = field(default_factory=list)
    flash: list[FlashBank] = field(default_factory=list)
    deterministic: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BoardSpec:
    name: str
    description: str = ""
    qemu: QemuSpec | None = None

    @classmethod
    def load(cls, name: str) -> "BoardSpec":
        toml = QEMU_BOARDS / f"{name}.toml"
        if not toml.exists():
            if (FIRMWARE / "boards" / name).is_dir():
                return cls(name=name)          # real hardware only: reached with --port
            known = ", ".join(board_names()) or "none"
            raise RigError(f"unknown board {name!r}: no qemu/boards/{name}.toml or firmware/boards/{name}/ "
                           f"(boards: {known})")
        try:
            data = tomllib.loads(toml.read_text())
            q = data["qemu"]
            spec = QemuSpec(
                binary=q["binary"], machine=q["machine"], cpu=q["cpu"], memory=q["memory"],
                extra=list(q.get("extra", [])),
                flash=[FlashBank(file=b["file"], size=int(b["size"]), contents=b["contents"]) for b in q["flash"]],
                deterministic=list(data.get("deterministic", {}).get("args", [])),
            )
            board = data.get("board", {})
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
            raise RigError(f"{toml.relative_to(ROOT)} is not a valid board description: {exc}") from None
        if board.get("name", name) != name:
            raise RigError(f"{toml.relative_to(ROOT)} describes board {board['name']!r}, not {name!r}")
        if [b.contents for b in spec.flash].count("boot") != 1:
            raise RigError(f"{toml.relative_to(ROOT)} must have exactly one flash bank with contents = \"boot\"")
        return cls(name=name, description=board.get("description", ""), qemu=spec)


def board_names() -> list[str]:
    names = {p.stem for p in QEMU_BOARDS.glob("*.toml")}
    names |= {p.name for p in (FIRMWARE / "boards").glob("*") if p.is_dir()}
    return sorted(names)


@dataclass
class Board:
    """A board as the rig reaches it: its description plus the drivers for console and power.
    `qemu` is the QEMU driver when the rig itself runs the board, else None."""

    spec: BoardSpec
    console: ConsoleProtocol
    power: PowerProtocol | None
    qemu: "QemuDriver | None" = None  # noqa: F821

    @property
    def name(self) -> str:
        return self.spec.name

    def describe(self) -> str:
        if self.qemu is not None:
            return f"{self.name} (QEMU, state in {_short(self.qemu.state_dir)})"
        return f"{self.name} on {self.console.port()}"


def open_board(name: str | None = None, *, port: str | None = None, power_cmd: str | None = None,
               state_dir: str | Path | None = None) -> Board:
    """The board the options (or RIG_BOARD, RIG_PORT, RIG_POWER_CMD, RIG_STATE) select."""
    from .qemu import QemuDriver
    from .serialport import CommandPower, SerialPortConsole

    name = name or os.environ.get("RIG_BOARD") or DEFAULT_BOARD
    port = port or os.environ.get("RIG_PORT") or None
    power_cmd = power_cmd or os.environ.get("RIG_POWER_CMD") or None
    spec = BoardSpec.load(name)
    if port:
        return Board(spec=spec, console=SerialPortConsole(port),
                     power=CommandPower(power_cmd) if power_cmd else None)
    if spec.qemu is None:
        raise RigError(f"board {name} is real hardware only: give its serial port with --port or RIG_PORT")
    state = Path(state_dir or os.environ.get("RIG_STATE") or DEFAULT_STATE)
    driver = QemuDriver(spec, state.absolute())
    return Board(spec=spec, console=driver, power=driver, qemu=driver)


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
