"""The debug link: requests and replies over one serial line.

A `Link` owns a pyserial port (`serial_for_url`: a device such as /dev/ttyUSB0, a pty path such
as QEMU's /dev/pts/N, `socket://host:port`, or `loop://` in unit tests) and speaks the protocol
in `protocol/` over it:

- `request()` sends a message with a fresh sequence number (1..65535, wrapping, never 0) and
  returns the reply that carries the same number.  Replies to earlier requests are dropped.  An
  ERROR reply raises `RemoteError`; no reply within `timeout` is retried `retries` times with
  the same sequence number, then raises `LinkTimeout`.
- `pipeline()` keeps several requests in flight for a target that answers in order (the
  bootloader's flash requests): replies come back in order, and a lost one sends the oldest
  unanswered request and those after it again.
- Messages the target sends on its own (seq 0: LOG, a boot INFO, an ERROR for a frame it could
  not decode) go to the `on_message` callback and to a bounded log (`lines`, `log_since()`),
  and are kept for `wait_for()`.
- Bad frames (CRC, COBS, length) are counted in `bad_frames` and logged; they never raise.
- `poll_info()` is the handshake: send HELLO every `interval` until an INFO arrives.  It never
  sleeps and hopes: QEMU may take up to a second to notice that a pty was opened, and a board
  coming out of reset answers only once it is ready.

Every blocking step has a deadline.  A port that fails or disappears raises `LinkError`.
"""

from __future__ import annotations

import random
import re
import socket
import termios
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator

import serial

from protocol import (
    PROTO_VERSION,
    FrameDecoder,
    FrameError,
    Message,
    MsgType,
    Role,
    cobs_encode,
    crc32,
    encode,
)
from protocol.wire import FrameHeader

from .errors import LinkError, LinkTimeout, RemoteError

#: the reply each request expects when it succeeds (ERROR is always possible)
REPLY = {
    MsgType.HELLO: MsgType.INFO,
    MsgType.PING: MsgType.PONG,
    MsgType.READ_MEM: MsgType.MEM_DATA,
    MsgType.RESET: MsgType.ACK,
    MsgType.FLASH_BEGIN: MsgType.ACK,
    MsgType.FLASH_DATA: MsgType.ACK,
    MsgType.FLASH_END: MsgType.ACK,
    MsgType.FLASH_DATA_LZ4: MsgType.ACK,
    MsgType.FLASH_SUMS: MsgType.FLASH_SUMS_INFO,
    MsgType.FLASH_COPY: MsgType.ACK,
    MsgType.BOOT: MsgType.ACK,
    MsgType.SLOTS: MsgType.SLOT_INFO,
    MsgType.STATS: MsgType.STATS_INFO,
    MsgType.THREADS: MsgType.THREAD_LIST,
    MsgType.TESTS: MsgType.TEST_NAMES,
    MsgType.RUN_TEST: MsgType.TEST_RESULT,
    MsgType.BENCH: MsgType.BENCH_RESULT,
    MsgType.INJECT_IRQ: MsgType.ACK,
    MsgType.TRACE: MsgType.TRACE_DATA,
    MsgType.TRACE_CONTROL: MsgType.ACK,
    MsgType.SYSCALL: MsgType.SYSCALL_RESULT,
    MsgType.LINUX_SIGNAL: MsgType.ACK,
    MsgType.RADIO_DL: MsgType.RADIO_STATUS,
    MsgType.MODEM_START: MsgType.ACK,
    MsgType.MODEM_STOP: MsgType.ACK,
    MsgType.MODEM_STATUS: MsgType.MODEM_STATUS_INFO,
}

#: how long one read waits at most before the deadline is checked again
_READ_SLICE = 0.02


def type_name(msg_type: int) -> str:
    try:
        return MsgType(msg_type).name
    except ValueError:
        return f"type 0x{msg_type:02x}"


def role_of(info: Message) -> Role | None:
    """The role an INFO message reports, or None if the value is not one we know."""
    try:
        return Role(int(info.role))
    except (ValueError, TypeError):
        return None


def raw_frame(msg_type: int, seq: int, payload: bytes, version: int = PROTO_VERSION) -> bytes:
    """A frame whose payload is given as bytes, encoded for the line.  For payloads that the
    typed codec would refuse to build (a header with a wrong magic, say) in negative tests."""
    body = FrameHeader.build(dict(version=version, type=msg_type, seq=seq, length=len(payload))) + bytes(payload)
    return cobs_encode(body + crc32(body).to_bytes(4, "little")) + b"\x00"


class Link:
    def __init__(self, port: str, *, baudrate: int = 115200, log_lines: int = 1000,
                 on_message: Callable[[Message], None] | None = None,
                 symbolize: Callable[[str], str] | None = None):
        self.port = port
        self.on_message = on_message
        #: turns the addresses in a LOG line into symbols (host.symbols), for the serial log
        self.symbolize = symbolize
        self.bad_frames = 0
        self.stale_replies = 0
        #: the role of the firmware that last sent INFO; None once it was told to BOOT or RESET
        self.role: Role | None = None
        self.last_info: Message | None = None
        # a random start, so that answers to another process's requests still queued in the
        # line (QEMU reads a pty only once it notices it is open) do not match ours
        self._seq = random.randrange(0xFFFF)
        self._decoder = FrameDecoder()
        self._inbox: deque[Message] = deque()
        self._unsolicited: deque[Message] = deque(maxlen=256)
        self._lines: deque[str] = deque(maxlen=log_lines)
        self._line_count = 0
        exclusive = {"exclusive": True} if "://" not in port else {}
        try:
            self._ser = serial.serial_for_url(port, baudrate=baudrate, timeout=_READ_SLICE,
                                              write_timeout=5.0, **exclusive)
        except (serial.SerialException, OSError, ValueError) as exc:
            if "exclusively lock" in str(exc):
                raise LinkError(f"serial port {port} is in use by another process (another rig command?)") from None
            raise LinkError(f"cannot open serial port {port}: {_reason(exc)}") from None
        #: the TCP socket under a socket:// port (the radio link), else None
        self._sock = getattr(self._ser, "_socket", None)
        if self._sock is not None:          # small frames go at once (no Nagle wait)
            self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._discard_unsent()

    # ----------------------------------------------------------------------------------------
    # Requests

    def next_seq(self) -> int:
        self._seq = self._seq % 0xFFFF + 1
        return self._seq

    def upcoming_seq(self) -> int:
        """The sequence number the next request will carry (its reply's, to spot it in
        `on_message` among the frames read together with it)."""
        return self._seq % 0xFFFF + 1

    def request(self, msg_type: MsgType, payload: Any = None, *, timeout: float = 1.0,
                retries: int = 2, expect: MsgType | None = None) -> Message:
        """Send a request and return its reply.  `payload` is a dict for the typed codec, or
        bytes sent as they are.  Raises RemoteError, LinkTimeout or LinkError."""
        if expect is None:
            expect = REPLY.get(msg_type)
        seq = self.next_seq()
        frame = self._frame(msg_type, seq, payload)
        if msg_type in (MsgType.BOOT, MsgType.RESET):
            self.role = None  # whatever answers next, the firmware that ran is leaving
        bad_before = self.bad_frames
        for _attempt in range(retries + 1):
            self.send_raw(frame)
            reply = self._reply(msg_type, seq, expect, time.monotonic() + timeout)
            if reply is not None:
                return reply
        raise self._no_answer(msg_type, retries, timeout, bad_before)

    def pipeline(self, requests: Iterable[tuple[MsgType, Any, float]], *, window: int,
                 retries: int = 2) -> Iterator[Message]:
        """Send (type, payload, timeout) requests keeping up to `window` of them unanswered,
        and yield their replies in order: for a target that answers requests in the order they
        came, so the line carries the next while it works on the last.  When the oldest goes
        unanswered for its timeout, it and every one after it are sent again (same sequence
        numbers), up to `retries` times: requests sent this way must be harmless to repeat.
        Raises as request() does, for the oldest request unanswered."""
        pending: deque[tuple[MsgType, int, bytes, float]] = deque()
        source = iter(requests)
        more = True
        while True:
            while more and len(pending) < max(window, 1):
                item = next(source, None)
                if item is None:
                    more = False
                    break
                msg_type, payload, timeout = item
                seq = self.next_seq()
                pending.append((msg_type, seq, self._frame(msg_type, seq, payload), timeout))
                self.send_raw(pending[-1][2])
            if not pending:
                return
            msg_type, seq, _, timeout = pending[0]
            bad_before = self.bad_frames
            for attempt in range(retries + 1):
                if attempt:
                    for _type, _seq, frame, _timeout in pending:
                        self.send_raw(frame)
                reply = self._reply(msg_type, seq, REPLY.get(msg_type), time.monotonic() + timeout)
                if reply is not None:
                    break
            else:
                raise self._no_answer(msg_type, retries, timeout, bad_before)
            pending.popleft()
            yield reply

    def _reply(self, msg_type: MsgType, seq: int, expect: MsgType | None, deadline: float) -> Message | None:
        """The reply to request `seq` if it comes by `deadline`, else None; other messages are
        kept (seq 0) or counted as stale.  Raises RemoteError for an ERROR reply."""
        while (msg := self._next_message(deadline)) is not None:
            if msg.seq != seq:
                self._keep(msg)
                continue
            if msg.type == MsgType.ERROR:
                raise RemoteError(int(msg.code), msg.text, request=msg_type)
            if expect is not None and msg.type != expect:
                raise LinkError(f"{type_name(msg_type)} was answered with {msg.name}, "
                                f"expected {type_name(expect)}")
            return msg
        return None

    def _no_answer(self, msg_type: MsgType, retries: int, timeout: float, bad_before: int) -> LinkTimeout:
        tries = f"{retries + 1} tries" if retries else "1 try"
        return self._timeout(f"no answer to {type_name(msg_type)} on {self.port} ({tries} of {timeout:g} s)",
                             bad_before)

    def send(self, msg_type: int, payload: Any = None, seq: int | None = None) -> int:
        """Send a message without waiting for anything; returns its sequence number."""
        if seq is None:
            seq = self.next_seq()
        self.send_raw(self._frame(msg_type, seq, payload))
        return seq

    def send_raw(self, data: bytes) -> None:
        try:
            self._ser.write(data)
            self._ser.flush()
        except serial.SerialTimeoutException:
            raise LinkError(f"writing to {self.port} timed out: the target is not reading") from None
        except (serial.SerialException, OSError, termios.error) as exc:
            # termios.error: draining a pty whose other end went away (QEMU killed mid-write)
            raise LinkError(f"serial port {self.port} failed: {_reason(exc)}") from None

    # ----------------------------------------------------------------------------------------
    # Handshakes and unsolicited messages

    def poll_info(self, timeout: float, *, interval: float = 0.1,
                  accept: Callable[[Message], bool] | None = None, what: str = "the target") -> Message:
        """Send HELLO every `interval` seconds until an INFO that `accept` likes arrives
        (a reply to any of the HELLOs, or one the target sends on its own)."""
        deadline = time.monotonic() + timeout
        bad_before = self.bad_frames
        while time.monotonic() < deadline:
            self.send(MsgType.HELLO)
            until = min(deadline, time.monotonic() + interval)
            while (msg := self._next_message(until)) is not None:
                if msg.type == MsgType.INFO and (accept is None or accept(msg)):
                    self._learn(msg)
                    return msg
                self._keep(msg)
        raise self._timeout(f"no answer from {what} on {self.port} within {timeout:g} s", bad_before)

    def wait_for(self, predicate: Callable[[Message], bool], timeout: float, *,
                 what: str = "message") -> Message:
        """Wait for a message the target sends on its own (seq 0) that `predicate` likes;
        one that already arrived counts."""
        for msg in list(self._unsolicited):
            if predicate(msg):
                self._unsolicited.remove(msg)
                return msg
        deadline = time.monotonic() + timeout
        bad_before = self.bad_frames
        while (msg := self._next_message(deadline)) is not None:
            if predicate(msg):
                return msg
            self._keep(msg)
        raise self._timeout(f"no {what} from the target on {self.port} within {timeout:g} s", bad_before)

    def _timeout(self, text: str, bad_before: int) -> LinkTimeout:
        """A LinkTimeout that says what was seen: corrupt frames mean a noisy line (the answer
        may have been among them), not a silent target."""
        bad = self.bad_frames - bad_before
        if bad:
            text += f"; {bad} corrupt frame{'s' if bad != 1 else ''} arrived meanwhile: the line is noisy"
        return LinkTimeout(text, bad_frames=bad)

    def drain(self, timeout: float = 0.0) -> int:
        """Read and handle whatever arrives within `timeout` (at least what is already
        waiting); returns the number of messages seen."""
        count = 0
        deadline = time.monotonic() + timeout
        while True:
            got = self._pump(block=time.monotonic() < deadline)
            while self._inbox:
                self._keep(self._inbox.popleft())
                count += 1
            if not got and time.monotonic() >= deadline:
                return count

    def flush(self) -> None:
        """Forget everything received so far (used right after a reset)."""
        try:
            self._ser.reset_input_buffer()
        except (serial.SerialException, OSError, termios.error) as exc:
            raise LinkError(f"serial port {self.port} failed: {_reason(exc)}") from None
        self._decoder = FrameDecoder()
        self._inbox.clear()
        self._unsolicited.clear()

    # ----------------------------------------------------------------------------------------
    # The serial log (LOG frames and link events), for failure reports

    @property
    def lines(self) -> list[str]:
        return list(self._lines)

    def log_mark(self) -> int:
        return self._line_count

    def log_since(self, mark: int) -> list[str]:
        kept = len(self._lines)
        first_kept = self._line_count - kept
        start = max(mark, first_kept) - first_kept
        return list(self._lines)[start:]

    def log_text(self, text: str) -> str:
        """A LOG line's text with its kernel addresses symbolized (when the link knows how)."""
        if self.symbolize is None:
            return text
        try:
            return self.symbolize(text)
        except Exception:                   # a missing or odd ELF must not cost the log line
            return text

    def note(self, text: str) -> None:
        self._lines.append(f"{time.strftime('%H:%M:%S')} {text}")
        self._line_count += 1

    # ----------------------------------------------------------------------------------------

    def close(self) -> None:
        self._discard_unsent()
        try:
            self._ser.close()
        except (serial.SerialException, OSError):
            pass

    def __enter__(self) -> "Link":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------
    # Internals

    def _discard_unsent(self) -> None:
        """Drop what was written but not yet read by the other side (on a pty: requests that
        QEMU has not read yet), so that they do not reach the board later."""
        try:
            self._ser.reset_output_buffer()
        except (serial.SerialException, OSError, termios.error, AttributeError, NotImplementedError):
            pass  # the port is gone or cannot do it: nothing left to discard

    @staticmethod
    def _frame(msg_type: int, seq: int, payload: Any) -> bytes:
        if isinstance(payload, (bytes, bytearray, memoryview)):
            return raw_frame(int(msg_type), seq, bytes(payload))
        return encode(msg_type, seq, payload)

    def _next_message(self, deadline: float) -> Message | None:
        while not self._inbox:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._pump(block=True)
        return self._inbox.popleft()

    def _pump(self, block: bool) -> bool:
        """Read what has arrived (waiting up to one read slice for it if `block`) and decode
        it into the inbox.  Returns whether anything was read."""
        try:
            data = self._ser.read(1) if block or self._ser.in_waiting else b""
            if data:
                data += self._read_waiting()
        except (serial.SerialException, OSError) as exc:
            raise LinkError(f"serial port {self.port} failed: {_reason(exc)}") from None
        if not data:
            return False
        for item in self._decoder.feed(data):
            if isinstance(item, FrameError):
                self.bad_frames += 1
                self.note(f"link: bad frame from target ({item})")
                continue
            self._observe(item)
            self._inbox.append(item)
        return True

    def _read_waiting(self) -> bytes:
        """Whatever else has arrived, without waiting.  pyserial's socket:// says a readable
        socket has one byte waiting, however many it has: read byte by byte, the host took in
        about 50 KB/s and fell behind the radio link, so a socket is read straight."""
        if self._sock is not None:
            try:
                return self._sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return b""
        waiting = self._ser.in_waiting
        return self._ser.read(waiting) if waiting else b""

    def _observe(self, msg: Message) -> None:
        """Every good frame passes here once: roles, the log, the callback."""
        if msg.type == MsgType.INFO and msg.seq in (0, self._seq):
            # an answer to an older request tells about the past (the firmware may have changed
            # since), so only announcements and the answer to the latest request count
            self._learn(msg)
            if msg.seq == 0:
                name = self.role.name.lower() if self.role else "unknown firmware"
                self.note(f"target: {name} started ({msg.board}, build {bytes(msg.build_id).hex()[:12]})")
        elif msg.type == MsgType.LOG:
            self.note(f"{str(msg.level).lower()}: {self.log_text(msg.text)}")
        elif msg.type == MsgType.ERROR and msg.seq == 0:
            self.note(f"target: ERROR {msg.code} ({msg.text})")
        if self.on_message is not None:
            self.on_message(msg)

    def _learn(self, info: Message) -> None:
        self.role = role_of(info)
        self.last_info = info

    def _keep(self, msg: Message) -> None:
        if msg.seq == 0:
            self._unsolicited.append(msg)
        else:
            self.stale_replies += 1


def _reason(exc: BaseException) -> str:
    """The useful part of an OS or pyserial error ("No such file or directory")."""
    text = str(exc).strip()
    if "returned no data" in text:      # pyserial's words for a line whose other end closed
        return "the other end closed the line (board off, or QEMU gone)"
    found = re.findall(r"\[Errno \d+\] ([^:]+)", text)
    if found:
        return found[-1].strip()  # pyserial nests the OS error inside its own
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return text or type(exc).__name__
