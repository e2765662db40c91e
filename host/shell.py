"""The Linux console over the debug link, the way `adb shell` or `mpremote exec` work: run one shell
line on the target and come back with its output and exit status, or sit in an interactive
shell with the user's terminal in raw mode (keystrokes, Ctrl-C included, go to the target's line
discipline; the target echoes).

The target side: SHELL starts `/bin/sh -c LINE` (or `/bin/sh` when LINE is empty) on the Linux
server and ACKs its pid; CONSOLE frames carry the console's output; CONSOLE_IN carries input and
ACKs how many bytes the line discipline took; LINUX_EXIT reports the wait status.

The host's end of the terminal behaves like ssh's: Ctrl-C while `shell -c` runs sends SIGINT to
the command's foreground process group (LINUX_SIGNAL), and whenever the host leaves a shell that
has not ended (after Ctrl-C, a timeout, an error, SIGTERM or SIGHUP) it hangs the session up
(LINUX_SIGNAL with SIGHUP): its processes get SIGHUP and can no longer write to the console.  Console output that
arrives before the SHELL request is answered belongs to an earlier command and is dropped, so
nothing of an interrupted command shows up in the next one.  An INFO the target sends on its own
(the bootloader's or the kernel's start) means the board reset under the command: that ends the
wait at once with `BoardReset`.
"""

from __future__ import annotations

import os
import select
import signal
import termios
import time
import tty
from typing import BinaryIO, Callable

from protocol import Feature, Message, MsgType

from .errors import LinkError, LinkTimeout, RigError
from .link import Link, role_of

#: how long the host waits for a command to end after Ctrl-C before hanging it up
INTERRUPT_GRACE = 2.0


class BoardReset(RigError):
    """The board restarted while a shell ran on it."""


class Interrupted(RigError):
    """The user interrupted the command (Ctrl-C); it was sent SIGINT and hung up."""


def exit_code(status: int) -> int:
    """A shell's view of a wait status: the exit code, or 128 + the signal number."""
    return (status >> 8) & 0xFF if status & 0x7F == 0 else 128 + (status & 0x7F)


class Console:
    """Follows the console frames of a link while a shell runs."""

    def __init__(self, link: Link, out: BinaryIO):
        self.link = link
        self.out = out
        self.exits: dict[int, int] = {}
        self.reset: Message | None = None          # the INFO of a board that restarted
        self._started = False                      # console output belongs to our command
        self._shell_seq: int | None = None         # the SHELL request's, until its ACK is seen
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
        if msg.seq != 0 and msg.seq == self._shell_seq:
            # the SHELL's answer: what follows is the new shell's, even when it was read in the
            # same chunk and is seen here before request() returns
            self._started = True
            self._shell_seq = None
        if msg.type == MsgType.CONSOLE:
            if self._started:
                self.out.write(bytes(msg.data))
                self.out.flush()
        elif msg.type == MsgType.LINUX_EXIT:
            self.exits[int(msg.pid)] = int(msg.status)
        elif msg.type == MsgType.INFO and msg.seq == 0:
            self.reset = msg
        if self._previous is not None:
            self._previous(msg)

    def start(self, command: str) -> int:
        """Start a shell running `command` (interactive when empty); its pid."""
        data = command.encode()
        if len(data) > 240:
            raise RigError("the command is longer than the 240 bytes a SHELL request carries")
        self.link.drain(0)                          # what an earlier command left in the line
        self._started = False
        self._shell_seq = self.link.upcoming_seq()  # the ACK comes before the shell's output
        try:
            return int(self.link.request(MsgType.SHELL, dict(data=data), timeout=5).value)
        finally:
            self._started, self._shell_seq = True, None

    def check_reset(self) -> None:
        if self.reset is not None:
            role = role_of(self.reset)
            who = f"the {role.name.lower()}" if role else "the firmware"
            raise BoardReset(f"the board reset while the shell ran ({who} started again); "
                             "the command is gone")

    def wait(self, pid: int, timeout: float) -> int:
        """Wait for process `pid` to end; its wait status.  A board reset ends the wait."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            self.check_reset()
            if time.monotonic() >= deadline:
                raise LinkTimeout(f"the shell (pid {pid}) did not finish within {timeout:g} s")
            self.link.drain(0.02)
        return self.exits.pop(pid)

    def signal(self, pid: int, sig: int) -> int:
        """Send `sig` to the shell `pid` started by the host: SIGINT goes to its foreground
        group, SIGHUP hangs its session up.  How many processes it reached."""
        return int(self.link.request(MsgType.LINUX_SIGNAL, dict(pid=pid, signal=sig), timeout=3).value)

    def hang_up(self, pid: int) -> None:
        """The host leaves the shell `pid`: hang its session up, unless it has ended (its
        processes in the background included: those are hung up as well)."""
        if self.reset is not None:
            return                                  # nothing of it is left on the board
        try:
            self.signal(pid, signal.SIGHUP)
        except (LinkError, RigError):
            pass                                    # leaving anyway: the link's own error tells

    def interrupt(self, pid: int) -> int:
        """Ctrl-C: SIGINT to the command's foreground group, then wait a little for it to end;
        its wait status, or None when it did not end."""
        self.check_reset()
        self.signal(pid, signal.SIGINT)
        try:
            return self.wait(pid, INTERRUPT_GRACE)
        except LinkTimeout:
            return None

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
    """Run one shell line on the target, its output to `out`; the shell's exit code.  Ctrl-C
    interrupts the command on the target and raises `Interrupted`; the host leaving early for
    any reason hangs the command's session up."""
    with Console(link, out) as console, _leaving_on_signals():
        pid = console.start(command)
        ended = False
        try:
            status = console.wait(pid, timeout)
            ended = True
            return exit_code(status)
        except KeyboardInterrupt:
            with _sigint_deferred():
                status = console.interrupt(pid)
            ended = status is not None
            raise Interrupted("interrupted: the command got SIGINT" +
                              ("" if ended else ", and SIGHUP as it did not end")) from None
        finally:
            if not ended:
                with _sigint_deferred():
                    console.hang_up(pid)


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
                console.check_reset()
                ready, _, _ = select.select([stdin], [], [], 0.02)
                if ready:
                    data = os.read(stdin, 240)
                    if not data:
                        break                       # our own input ended
                    console.type(data)
                link.drain(0)
        except BaseException:
            console.hang_up(pid)                    # the host's end of the terminal is gone
            raise
        finally:
            if saved is not None:
                termios.tcsetattr(stdin, termios.TCSADRAIN, saved)
        if pid not in console.exits:
            console.type(b"\x04exit\r")             # our input closed: end the shell too
            return exit_code(console.wait(pid, 10))
        return exit_code(console.exits.pop(pid))



class _leaving_on_signals:
    """SIGTERM or SIGHUP (the user's terminal closed) end the host's side like any error does:
    the command is hung up on the way out, and the exit status says which signal it was."""

    SIGNALS = (signal.SIGTERM, signal.SIGHUP)

    def __enter__(self) -> None:
        self.saved = {}
        try:
            for sig in self.SIGNALS:
                self.saved[sig] = signal.signal(sig, self._leave)
        except ValueError:                          # not the main thread
            pass

    @staticmethod
    def _leave(signum, _frame) -> None:
        raise SystemExit(128 + signum)

    def __exit__(self, *exc) -> None:
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)


class _sigint_deferred:
    """A second Ctrl-C while the host tells the target about the first one waits until that is
    done (the target must still hear the hangup)."""

    def __enter__(self) -> None:
        self.pending = False
        try:
            self.saved = signal.signal(signal.SIGINT, self._note)
        except ValueError:                          # not the main thread: signals go elsewhere
            self.saved = None

    def _note(self, *_args) -> None:
        self.pending = True

    def __exit__(self, *exc) -> None:
        if self.saved is not None:
            signal.signal(signal.SIGINT, self.saved)
