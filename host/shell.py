"""The Linux console over the debug link, the way `adb shell` or `mpremote exec` work: run one shell
line on the target and come back with its output and exit status, or sit in an interactive
shell with the user's terminal in raw mode (keystrokes, Ctrl-C included, go to the target's line
discipline; the target echoes).

The target side: SHELL starts `/bin/sh -c LINE` (or `/bin/sh` when LINE is empty) on the Linux
server and ACKs its pid; CONSOLE frames carry the console's output; CONSOLE_IN carries input and
ACKs how many bytes the line discipline took; LINUX_EXIT reports the wait status.
"""

from __future__ import annotations

import os
import select
import termios
import time
import tty
from typing import BinaryIO, Callable

from protocol import Feature, Message, MsgType

from .errors import LinkTimeout, RigError
from .link import Link


def exit_code(status: int) -> int:
    """A shell's view of a wait status: the exit code, or 128 + the signal number."""
    return (status >> 8) & 0xFF if status & 0x7F == 0 else 128 + (status & 0x7F)


class Console:
    """Follows the console frames of a link while a shell runs."""

    def __init__(self, link: Link, out: BinaryIO):
        self.link = link
        self.out = out
        self.exits: dict[int, int] = {}
        self._previous: Callable[[Message], None] | None = None

    def __enter__(self) -> "Console":
        info = self.link.last_info
        if info is not None and not int(info.features) & Feature.LINUX:
            raise RigError("the firmware on the board has no Linux server (INFO lacks the LINUX feature)")
        self._previous = self.link.on_message
        self.link.on_message = self._seen
        return self

    def __exit__(self, *exc) -> None:
        self.link.on_message = self._previous

    def _seen(self, msg: Message) -> None:
        if msg.type == MsgType.CONSOLE:
            self.out.write(bytes(msg.data))
            self.out.flush()
        elif msg.type == MsgType.LINUX_EXIT:
            self.exits[int(msg.pid)] = int(msg.status)
        if self._previous is not None:
            self._previous(msg)

    def start(self, command: str) -> int:
        """Start a shell running `command` (interactive when empty); its pid."""
        data = command.encode()
        if len(data) > 240:
            raise RigError("the command is longer than the 240 bytes a SHELL request carries")
        return int(self.link.request(MsgType.SHELL, dict(data=data), timeout=5).value)

    def wait(self, pid: int, timeout: float) -> int:
        """Wait for process `pid` to end; its wait status."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            if time.monotonic() >= deadline:
                raise LinkTimeout(f"the shell (pid {pid}) did not finish within {timeout:g} s")
            self.link.drain(0.02)
        return self.exits.pop(pid)

    def type(self, data: bytes, timeout: float = 5.0) -> None:
        """Send keystrokes; the line discipline may take them in parts."""
        deadline = time.monotonic() + timeout
        while data:
            taken = int(self.link.request(MsgType.CONSOLE_IN, dict(data=data[:240]), timeout=2).value)
            data = data[taken:]
            if data and not taken:
                if time.monotonic() >= deadline:
                    raise LinkTimeout("the target's console input stays full")
                self.link.drain(0.02)


def run_line(link: Link, command: str, out: BinaryIO, timeout: float = 120.0) -> int:
    """Run one shell line on the target, its output to `out`; the shell's exit code."""
    with Console(link, out) as console:
        pid = console.start(command)
        return exit_code(console.wait(pid, timeout))


def interactive(link: Link, stdin: int, out: BinaryIO) -> int:
    """An interactive shell on the target with the terminal `stdin` in raw mode, until the
    shell exits; its exit code."""
    saved = termios.tcgetattr(stdin) if os.isatty(stdin) else None
    with Console(link, out) as console:
        pid = console.start("")
        try:
            if saved is not None:
                tty.setraw(stdin)
            while pid not in console.exits:
                ready, _, _ = select.select([stdin], [], [], 0.02)
                if ready:
                    data = os.read(stdin, 240)
                    if not data:
                        break                       # our own input ended
                    console.type(data)
                link.drain(0)
        finally:
            if saved is not None:
                termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        if pid not in console.exits:
            console.type(b"\x04exit\r")             # our input closed: end the shell too
            return exit_code(console.wait(pid, 10))
        return exit_code(console.exits.pop(pid))

