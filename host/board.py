"""Boards: what the rig knows about one (`BoardSpec`) and how it reaches it (`Board`).

A board is one file, `boards/<name>/board.toml` (host/boarddef.py): its memory map, devices,
drivers, and, when it runs under QEMU, the machine, flash banks and extra arguments.  Adding a
board means adding that file, nothing here.

`open_board()` picks the drivers: with a `--port`, a real serial port and optional power
command; otherwise the QEMU driver, whose running instance lives in a state folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import boarddef
from .boarddef import FlashBank, QemuSpec  # noqa: F401  (the QEMU driver's types)
from .errors import RigError
from .protocols import ConsoleProtocol, PowerProtocol

ROOT = Path(__file__).resolve().parent.parent
FIRMWARE = ROOT / "firmware"
DEFAULT_BOARD = "qemu-virt"
DEFAULT_STATE = ROOT / ".rig"


@dataclass(frozen=True)
class BoardSpec:
    name: str
    description: str = ""
    qemu: QemuSpec | None = None
    not_applicable: dict[str, str] = field(default_factory=dict)    # on-target test -> why

    @classmethod
    def load(cls, name: str) -> "BoardSpec":
        board = boarddef.load(name)
        return cls(name=name, description=board.description, qemu=board.qemu,
                   not_applicable=board.not_applicable)


def board_names() -> list[str]:
    return boarddef.board_names()


@dataclass
class Board:
    """A board as the rig reaches it: its description plus the drivers for console and power.
    `qemu` is the QEMU driver when the rig itself runs the board, else None."""

    spec: BoardSpec
    console: ConsoleProtocol
    power: PowerProtocol | None
    qemu: "QemuDriver | None" = None  # noqa: F821
    place: str | None = None                    # the labgrid place it was reached through

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ram_image(self) -> Path:
        """The image last loaded into the board's RAM by `rig flash`: on a board without image
        slots, what every boot loads again (RAM keeps nothing across a reset)."""
        folder = self.qemu.state_dir if self.qemu is not None else DEFAULT_STATE / self.name
        return folder / "ram.img"

    def describe(self) -> str:
        if self.qemu is not None:
            return f"{self.name} (QEMU, state in {_short(self.qemu.state_dir)})"
        if self.place is not None:
            return f"{self.name} at place {self.place} ({self.console.port()})"
        return f"{self.name} on {self.console.port()}"


def open_board(name: str | None = None, *, port: str | None = None, power_cmd: str | None = None,
               state_dir: str | Path | None = None) -> Board:
    """The board the options (or RIG_BOARD, RIG_PORT, RIG_POWER_CMD, RIG_STATE) select.  A QEMU
    board keeps its state in `state_dir`: by default .rig/ for qemu-virt, .rig/<name>/ for
    another board."""
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
    # the default board's state in .rig/, another's in .rig/<name>/: both can run at once
    state = Path(state_dir or os.environ.get("RIG_STATE") or
                 (DEFAULT_STATE if name == DEFAULT_BOARD else DEFAULT_STATE / name))
    driver = QemuDriver(spec, state.absolute())
    return Board(spec=spec, console=driver, power=driver, qemu=driver)


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
