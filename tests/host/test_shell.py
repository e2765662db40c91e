"""host/shell.py's end of the terminal: Ctrl-C, hangup, stale output and a board reset.

These run against a fake link, not the firmware: `ScriptedLink` answers SHELL and LINUX_SIGNAL
and delivers the unsolicited frames a test scripts, through the same `on_message` callback the
real `Link` uses.  It models only the order of frames the Linux server and debugd guarantee (the
SHELL ACK before the new shell's output, LINUX_EXIT after the signal's ACK); what the target does
with the signals is held by tests/target/test_linux.py::test_shell_interrupt_*.
"""

from __future__ import annotations

import io
import signal

import pytest

from host import shell
from host.errors import LinkTimeout
from protocol import Message, MsgType, Role


def msg(msg_type: MsgType, seq: int = 0, **fields) -> Message:
    return Message(msg_type, seq, fields)


class ScriptedLink:
    """Duck-types the part of `host.link.Link` that host.shell uses."""

    def __init__(self, pid: int = 7):
        self.on_message = None
        self.last_info = None
        self.pid = pid
        self.requests: list[tuple[MsgType, dict]] = []
        self.queued: list[Message] = []         # delivered by the next drain
        self.after_shell: list[Message] = []    # delivered once SHELL is answered
        self.on_drain = None                    # called on each drain (raise KeyboardInterrupt)
        self.on_signal = None                   # signal number -> frames the target sends then

    def _deliver(self, frames: list[Message]) -> None:
        for m in frames:
            self.on_message(m)

    seq = 100

    def upcoming_seq(self) -> int:
        return self.seq + 1

    def request(self, msg_type, payload=None, *, timeout=1.0, **_):
        """As `Link.request` does with frames read in one chunk: whatever came first, then the
        reply, then what came right after it all pass `on_message` before the reply returns."""
        self.requests.append((msg_type, payload))
        self.seq += 1
        if msg_type == MsgType.SHELL:
            reply = msg(MsgType.ACK, self.seq, value=self.pid)
            self._deliver(self.queued + [reply] + self.after_shell)
            self.queued = []
            return reply
        if msg_type == MsgType.LINUX_SIGNAL:
            if self.on_signal is not None:
                self.queued += self.on_signal(payload["signal"])
            return msg(MsgType.ACK, self.seq, value=1)
        raise AssertionError(f"unexpected request {msg_type}")

    def drain(self, timeout: float = 0.0) -> int:
        if self.on_drain is not None:
            self.on_drain()
        frames, self.queued = self.queued, []
        self._deliver(frames)
        return len(frames)

    def signals(self) -> list[int]:
        return [p["signal"] for t, p in self.requests if t == MsgType.LINUX_SIGNAL]


def test_output_before_the_shell_starts_is_an_earlier_commands_and_dropped():
    """Frames read in the same chunk as the SHELL's ACK: before it an earlier command's output
    (dropped), after it the new shell's whole run (kept, though seen before request() returns)."""
    link = ScriptedLink()
    link.queued = [msg(MsgType.CONSOLE, data=b"tick\n"), msg(MsgType.ACK, 50, value=0)]   # stale
    link.after_shell = [msg(MsgType.CONSOLE, data=b"ok\n"), msg(MsgType.LINUX_EXIT, pid=7, status=0)]
    out = io.BytesIO()
    assert shell.run_line(link, "echo ok", out, timeout=1) == 0
    assert out.getvalue() == b"ok\n"
    assert link.signals() == []                                   # it ended: no hangup


def test_output_after_the_shell_started_is_kept():
    link = ScriptedLink()
    link.after_shell = [msg(MsgType.CONSOLE, data=b"o")]
    link.on_drain = lambda: link.requests and link.queued.extend([      # once SHELL was sent
        msg(MsgType.CONSOLE, data=b"k\n"), msg(MsgType.LINUX_EXIT, pid=7, status=0)])
    out = io.BytesIO()
    assert shell.run_line(link, "echo ok", out, timeout=1) == 0
    assert out.getvalue() == b"ok\n"


def test_ctrl_c_sends_sigint_and_the_status_of_the_interrupted_command():
    link = ScriptedLink()
    drains = []

    def drain():
        drains.append(1)
        if len(drains) == 3:
            raise KeyboardInterrupt
    link.on_drain = drain
    link.on_signal = lambda sig: [msg(MsgType.LINUX_EXIT, pid=7, status=signal.SIGINT)] if sig == signal.SIGINT else []
    with pytest.raises(shell.Interrupted, match="SIGINT$"):
        shell.run_line(link, "sleep 100", io.BytesIO(), timeout=5)
    assert link.signals() == [signal.SIGINT]                      # it ended: no hangup needed
    assert link.requests[-1][1] == dict(pid=7, signal=signal.SIGINT)


def test_a_command_that_outlives_sigint_is_hung_up(monkeypatch):
    monkeypatch.setattr(shell, "INTERRUPT_GRACE", 0.05)
    link = ScriptedLink()
    state = {"n": 0}

    def drain():
        state["n"] += 1
        if state["n"] == 2:
            raise KeyboardInterrupt
    link.on_drain = drain
    with pytest.raises(shell.Interrupted, match="SIGHUP"):
        shell.run_line(link, "trap '' INT; sleep 100", io.BytesIO(), timeout=5)
    assert link.signals() == [signal.SIGINT, signal.SIGHUP]


def test_a_timeout_hangs_the_command_up():
    link = ScriptedLink()
    with pytest.raises(LinkTimeout, match="did not finish"):
        shell.run_line(link, "sleep 100", io.BytesIO(), timeout=0.05)
    assert link.signals() == [signal.SIGHUP]


@pytest.mark.parametrize("role,who", [(Role.BOOTLOADER, "bootloader"), (Role.KERNEL, "kernel")])
def test_a_board_reset_ends_the_command_at_once(role, who):
    link = ScriptedLink()
    link.after_shell = [msg(MsgType.CONSOLE, data=b"start\n"), msg(MsgType.INFO, role=int(role))]
    out = io.BytesIO()
    with pytest.raises(shell.BoardReset, match=f"the board reset while the shell ran \\(the {who} started"):
        shell.run_line(link, "sleep 100", out, timeout=2)
    assert out.getvalue() == b"start\n"
    assert link.signals() == []           # nothing left on the board to hang up


def test_an_info_answering_a_request_is_not_a_reset():
    link = ScriptedLink()
    link.after_shell = [msg(MsgType.INFO, 5, role=int(Role.KERNEL)), msg(MsgType.LINUX_EXIT, pid=7, status=3 << 8)]
    assert shell.run_line(link, "exit 3", io.BytesIO(), timeout=1) == 3


def test_sigterm_to_the_host_hangs_the_command_up():
    """`kill` of the rig (or its terminal closing: SIGHUP) while a command runs."""
    import os

    link = ScriptedLink()
    drains = []

    def drain():
        drains.append(1)
        if len(drains) == 2:                    # the first is before SHELL: nothing runs yet
            os.kill(os.getpid(), signal.SIGTERM)
    link.on_drain = drain
    with pytest.raises(SystemExit) as leaving:
        shell.run_line(link, "sleep 100", io.BytesIO(), timeout=5)
    assert leaving.value.code == 128 + signal.SIGTERM
    assert link.signals() == [signal.SIGHUP]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL    # put back
