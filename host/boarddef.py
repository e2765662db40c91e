"""A board's definition, `boards/<name>/board.toml`: the one place its facts are written.

From it come the firmware's header and build variables (`tools/gen_board.py`, run by the
firmware's Makefile) and the QEMU command line (`host/board.py`).  Standard library only: the
build runs this before the rig's packages exist.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RigError

ROOT = Path(__file__).resolve().parent.parent
BOARDS = ROOT / "boards"

#: the tables that become #defines, in the header's order: (table, prefix, heading)
DEFINE_TABLES = (
    ("memory", "BOARD_", "Memory"),
    ("flash", "BOARD_", "Flash"),
    ("devices", "BOARD_", "Devices"),
    ("interrupts", "BOARD_", "Interrupt IDs"),
    ("clock", "BOARD_", "The cycle counter"),
    ("layout", "", "Where the firmware puts itself"),
)
#: facts every board states: the rest of the firmware and the rig rely on them
REQUIRED = ("BOARD_RAM_BASE", "BOARD_RAM_SIZE", "BOARD_UART_BASE", "BOARD_CYCLE_HZ", "BOOT_ROM_BASE",
            "BOOT_RAM_BASE", "BOOT_RAM_SIZE", "KERNEL_BASE", "KERNEL_VIRT_BASE", "KERNEL_DEVICE_VIRT")
FLASH_CONTENTS = ("boot", "persistent")
#: how QEMU gets the bootloader: in the flash bank whose contents is "boot" (a boot ROM), or
#: with -kernel, loaded into RAM (as a Raspberry Pi's firmware loads kernel7.img)
BOOT_METHODS = ("pflash", "kernel")


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
    boot: str = "pflash"
    initrd: str | None = None       # a build output QEMU loads into RAM with -initrd
    sd: FlashBank | None = None     # the SD card's image (-drive if=sd), kept like the card


@dataclass(frozen=True)
class BoardDef:
    name: str
    description: str
    arch: str
    cpu: str
    drivers: tuple[str, ...]
    radiolink: str | None                            # the modem's radio-link driver, if the board has one
    flash: str | None                                # the image slots' storage driver, if the board has slots
    sections: dict[str, dict[str, int | str]]       # table -> {define: value}, in the header's order
    qemu: QemuSpec | None = None                     # None: real hardware only
    not_applicable: dict[str, str] = field(default_factory=dict)    # test -> why

    @property
    def defines(self) -> dict[str, int | str]:
        return {n: v for section in self.sections.values() for n, v in section.items()}

    @property
    def path(self) -> Path:
        return BOARDS / self.name / "board.toml"

    def header(self) -> str:
        """The firmware's board.h."""
        rel = _shown(self.path)
        lines = ["/*", f" * The {self.name} board ({self.description}).",
                 f" * Generated from {rel} by tools/gen_board.py: edit that file, not this one.", " */",
                 "#pragma once", "", f'#define BOARD_NAME "{self.name}"']
        for table, _, heading in DEFINE_TABLES:
            if self.sections.get(table):
                lines += ["", f"/* {heading} */"]
                lines += [f"#define {n:<24}{_c_value(v, n)}" for n, v in self.sections[table].items()]
        return "\n".join(lines) + "\n"

    def makefile(self) -> str:
        """The firmware's build variables (board.mk)."""
        return (f"# Generated from {_shown(self.path)} by tools/gen_board.py.\n"
                f"BOARD_ARCH    := {self.arch}\nBOARD_CPU     := {self.cpu}\n"
                f"BOARD_DRIVERS := {' '.join(self.drivers)}\n"
                f"BOARD_RADIOLINK := {self.radiolink or ''}\n"
                f"BOARD_FLASH   := {self.flash or ''}\n"
                f"BOARD_BOOT_IN_FLASH := {'1' if 'BOARD_FLASH0_BASE' in self.defines else ''}\n"
                f"BOARD_ROOTFS_BASE := {_c_value(self.defines.get('BOARD_ROOTFS_BASE', 0), '_BASE')}\n"
                f"BOARD_ROOTFS_SIZE := {_c_value(self.defines.get('BOARD_ROOTFS_SIZE', 0), '_SIZE')}\n")


def _c_value(value: int | str, name: str = "") -> str:
    if isinstance(value, int):
        address = name.endswith(("_BASE", "_SIZE", "_BLOCK", "_STRIDE", "_VIRT"))
        return f"0x{value:08x}" if address else str(value)
    return value


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(ROOT)
    except ValueError:
        return path


def board_names() -> list[str]:
    return sorted(p.parent.name for p in BOARDS.glob("*/board.toml"))


def load(name: str) -> BoardDef:
    """`boards/<name>/board.toml`, checked; RigError says what is wrong with it."""
    path = BOARDS / name / "board.toml"
    if not path.exists():
        raise RigError(f"unknown board {name!r}: no boards/{name}/board.toml "
                       f"(boards: {', '.join(board_names()) or 'none'})")
    rel = _shown(path)
    try:
        data = tomllib.loads(path.read_text())
        return _parse(name, data)
    except tomllib.TOMLDecodeError as exc:
        raise RigError(f"{rel} is not valid TOML: {exc}") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise RigError(f"{rel} is not a valid board definition: {exc}") from None


def _parse(name: str, data: dict) -> BoardDef:
    board = data["board"]
    if board.get("name") != name:
        raise ValueError(f"it describes board {board.get('name')!r}, not {name!r}")
    sections: dict[str, dict[str, int | str]] = {}
    for table, prefix, _ in DEFINE_TABLES:
        section = sections[table] = {}
        for key, value in data.get(table, {}).items():
            if not isinstance(value, (int, str)) or isinstance(value, bool):
                raise ValueError(f"[{table}] {key}: a number or a string, not {value!r}")
            if not key.isidentifier() or key != key.upper():
                raise ValueError(f"[{table}] {key}: a define's name is upper case")
            section[prefix + key] = value
    defines = {n: v for section in sections.values() for n, v in section.items()}
    missing = [n for n in REQUIRED if n not in defines]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    drivers = tuple(board["drivers"])
    radiolink, flash = board.get("radiolink"), board.get("flash")
    if bool(flash) != ("BOARD_SLOT_SIZE" in defines):
        raise ValueError("[board] flash (the slots' storage driver) and [flash] SLOT_SIZE go together")
    for driver in drivers + tuple(d for d in (radiolink, flash) if d):
        if not (ROOT / "firmware" / "drivers" / f"{driver}.c").exists():
            raise ValueError(f"no driver {driver!r} (firmware/drivers/{driver}.c)")
    qemu = None
    if "qemu" in data:
        q = data["qemu"]
        flash_size = defines.get("BOARD_FLASH_SIZE")
        banks = [FlashBank(file=b["file"], size=int(flash_size), contents=b["contents"]) for b in q.get("flash", [])]
        if banks and not isinstance(flash_size, int):
            raise ValueError("[qemu.flash] banks need [flash] FLASH_SIZE")
        if any(b.contents not in FLASH_CONTENTS for b in banks):
            raise ValueError(f"a flash bank's contents is one of {', '.join(FLASH_CONTENTS)}")
        boot = q.get("boot", "pflash")
        if boot not in BOOT_METHODS:
            raise ValueError(f"[qemu] boot is one of {', '.join(BOOT_METHODS)}, not {boot!r}")
        if [b.contents for b in banks].count("boot") != (boot == "pflash"):
            raise ValueError('exactly one flash bank has contents = "boot" when [qemu] boot = "pflash", '
                             'none otherwise')
        ram = defines["BOARD_RAM_SIZE"]
        if not isinstance(ram, int) or ram % (1 << 20):
            raise ValueError("[memory] RAM_SIZE: a whole number of MiB")
        memory = q.get("memory", f"{ram >> 20}M")       # the machine's, when it is not RAM_SIZE
        qemu = QemuSpec(binary=q["binary"], machine=q["machine"], cpu=board["cpu"], memory=memory,
                        extra=list(q.get("extra", [])), flash=banks, deterministic=list(q.get("deterministic", [])),
                        boot=boot, initrd=q.get("initrd"),
                        sd=FlashBank(file=q["sd"]["file"], size=int(q["sd"]["size"]), contents="persistent")
                        if "sd" in q else None)
    skip = data.get("tests", {}).get("not-applicable", {})
    if not all(isinstance(v, str) and v for v in skip.values()):
        raise ValueError("[tests.not-applicable]: each test needs its reason")
    return BoardDef(name=name, description=board.get("description", ""), arch=board["arch"], cpu=board["cpu"],
                      drivers=drivers, radiolink=radiolink, flash=flash, sections=sections, qemu=qemu, not_applicable=dict(skip))
