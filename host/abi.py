"""The kernel's user ABI as the host needs it: system call numbers, error codes, thread states
and exception kinds, read from the kernel's own debug information.

`firmware/include/l4/abi.h` is the one definition of `enum l4_syscall`, `enum l4_error` and
`enum l4_exc_kind`; the kernel is built with `-g`, so its ELF carries those enums (and the
kernel-internal `enum thread_state`) in DWARF.  The rig reads them from `kernel.elf` with
pyelftools instead of keeping a copy that could drift: a renumbered system call changes what
`rig syscall` sends the next time the firmware is built.

Names lose their C prefix: `L4_SYS_SYSTEM_CLOCK` is `SYSTEM_CLOCK`, `L4_ERR_NO_PARTNER` is
`NO_PARTNER`, `TS_RECV` is `RECV`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from elftools.common.exceptions import DWARFError, ELFError

from .elf import open_elf
from .errors import RigError

#: enum tag in the kernel's DWARF -> prefixes its enumerators carry (the first that fits goes)
ENUMS = {
    "l4_syscall": ("L4_SYS_",),
    "l4_error": ("L4_ERR_", "L4_"),         # L4_OK is the odd one out
    "l4_exc_kind": ("L4_EXC_",),
    "thread_state": ("TS_",),
}
_REQUIRED = ("l4_syscall", "l4_error")

# Thread IDs (L4_TID in abi.h, a macro, so not in DWARF): number << 14 | version; numbers below
# L4_FIRST_THREAD name interrupt lines.  THREAD_LIST and trace events carry IDs as plain words.
TID_VERSION_BITS = 14
FIRST_THREAD = 256
NILTHREAD = 0
ANYTHREAD = 0xFFFFFFFF


def make_tid(number: int, version: int) -> int:
    return number << TID_VERSION_BITS | (version & ((1 << TID_VERSION_BITS) - 1))


def tid_number(tid: int) -> int:
    return tid >> TID_VERSION_BITS


def tid_version(tid: int) -> int:
    return tid & ((1 << TID_VERSION_BITS) - 1)


def read_enums(path: Path, wanted: dict[str, tuple[str, ...]] = ENUMS) -> dict[str, dict[str, int]]:
    """{enum tag: {name without prefix: value}} for each of `wanted` found in the ELF's DWARF
    (the first definition met: every compilation unit that includes abi.h repeats it)."""
    elf = open_elf(path)
    try:
        if not elf.has_dwarf_info():
            raise RigError(f"{path} has no debug information: the kernel must be built with -g")
        found: dict[str, dict[str, int]] = {}
        try:
            for cu in elf.get_dwarf_info().iter_CUs():
                for die in cu.iter_DIEs():
                    if die.tag != "DW_TAG_enumeration_type" or "DW_AT_name" not in die.attributes:
                        continue
                    tag = die.attributes["DW_AT_name"].value.decode()
                    if tag not in wanted or tag in found:
                        continue
                    values = {}
                    for child in die.iter_children():
                        if child.tag == "DW_TAG_enumerator":
                            name = _strip(child.attributes["DW_AT_name"].value.decode(), wanted[tag])
                            values[name] = child.attributes["DW_AT_const_value"].value
                    found[tag] = values
                if len(found) == len(wanted):
                    break
        except (DWARFError, ELFError, KeyError) as exc:
            raise RigError(f"{path}: cannot read its debug information: {exc}") from None
        return found
    finally:
        elf.stream.close()


@dataclass
class KernelAbi:
    """The numbers `rig syscall`, `rig threads` and the target tests use, and their names."""

    syscalls: dict[str, int]                # SYSTEM_CLOCK -> 7 ...
    errors: dict[str, int]                  # OK -> 0, NO_PARTNER -> 2 ...
    exc_kinds: dict[str, int] = field(default_factory=dict)
    thread_states: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_elf(cls, path: Path) -> "KernelAbi":
        enums = read_enums(Path(path))
        missing = [tag for tag in _REQUIRED if tag not in enums]
        if missing:
            raise RigError(f"{path}: no enum {' or '.join(missing)} in its debug information "
                           f"(is firmware/include/l4/abi.h part of the kernel?)")
        syscalls = {name: value for name, value in enums["l4_syscall"].items() if name != "COUNT"}
        return cls(syscalls=syscalls, errors=enums["l4_error"], exc_kinds=enums.get("l4_exc_kind", {}),
                   thread_states=enums.get("thread_state", {}))

    # ----------------------------------------------------------------------------------------

    def syscall(self, what: str | int) -> int:
        """A system call number from a name (`system_clock`, `SYSTEM_CLOCK`, `L4_SYS_...`) or
        a number (`7`, `0x4d`; any number, so that bad ones can be tried)."""
        if isinstance(what, int):
            return what
        try:
            return int(what, 0)
        except ValueError:
            pass
        key = _strip(what.upper(), ENUMS["l4_syscall"])
        if key not in self.syscalls:
            raise RigError(f"no system call {what!r}: the kernel has {', '.join(n.lower() for n in self.syscalls)}")
        return self.syscalls[key]

    def syscall_name(self, number: int) -> str | None:
        return _name_of(self.syscalls, number)

    def error(self, name: str) -> int:
        key = _strip(name.upper(), ENUMS["l4_error"])
        if key not in self.errors:
            raise RigError(f"no error {name!r}: the kernel has {', '.join(self.errors)}")
        return self.errors[key]

    def error_name(self, code: int) -> str:
        return _name_of(self.errors, code) or f"error {code}"

    def describe_r1(self, r1: int, syscall: int | None = None) -> str:
        """r1 after a system call, in words.  An IPC's error carries the phase in bit 0
        (code << 1 | receive), every other call's is the code itself."""
        if syscall is not None and syscall == self.syscalls.get("IPC"):
            if r1 == 0:
                return "OK"
            return f"{self.error_name(r1 >> 1)} ({'receive' if r1 & 1 else 'send'} phase)"
        return self.error_name(r1)

    def ipc_error(self, name: str, receive: bool) -> int:
        """The r1 an IPC returns for error `name` in the send or the receive phase."""
        return self.error(name) << 1 | int(receive)

    def state_name(self, state: int) -> str:
        return (_name_of(self.thread_states, state) or str(state)).lower()

    def exc_kind_name(self, kind: int) -> str:
        if kind == 0:
            return ""
        return (_name_of(self.exc_kinds, kind) or f"kind {kind}").lower().replace("_", " ")


def _strip(name: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _name_of(table: dict[str, int], value: int) -> str | None:
    for name, number in table.items():
        if number == value:
            return name
    return None
