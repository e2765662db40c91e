"""The modem's radio link, from the host: the air interface's sample streams and the modem's
requests (docs/modem.md).

The board gives the radio link its own serial line (on QEMU a virtio serial port on a local TCP socket), beside
the debug link, so a busy Linux console can never delay the radio's samples.  The same framing
as the debug link runs on it (`host.link.Link`); the firmware that answers HELLO there is the
modem (role MODEM).

Downlink bursts go ahead of time: `preload()` fills the modem's downlink ring before the clock
starts (deterministic runs: the whole scenario), `stream()` keeps a lead of some frames while it
runs (live runs), flow-controlled by the RADIO_STATUS the modem sends in answer to each
RADIO_DL and every eight frames.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from protocol import Message, MsgType, Role
from protocol.wire import ModemFlag
from protocol.wire import BURST_WINDOW, MAX_PAYLOAD

from .bts.scenario import FRAMES_PER_SECOND
from .errors import RigError
from .link import Link, role_of

EV_RADIO_STOPPED = 2                    # docs/modem.md's events

#: bursts per RADIO_DL frame: as many as the payload holds
_DL_HEADER = 4
_DL_BURST = 8 + 4 * BURST_WINDOW
BURSTS_PER_FRAME = (MAX_PAYLOAD - _DL_HEADER) // _DL_BURST


def _bcd(digits: str) -> bytes:
    """Up to 16 digits, two per octet, the first in the low half, padded with 0xF."""
    nibbles = [int(d) for d in digits] + [0xF] * (16 - len(digits))
    return bytes(nibbles[i] | nibbles[i + 1] << 4 for i in range(0, 16, 2))


def imsi_bcd(imsi: str) -> bytes:
    """An IMSI's digits as the ModemStart.imsi field."""
    if not imsi.isdigit() or not 6 <= len(imsi) <= 15:
        raise ValueError(f"an IMSI is 6 to 15 digits, not {imsi!r}")
    return _bcd(imsi)


def _number_bcd(number: str) -> bytes:
    """A dialled number as the ModemStart.number field: up to 16 digits."""
    if number and (not number.isdigit() or len(number) > 16):
        raise ValueError(f"a number is up to 16 digits, not {number!r}")
    return _bcd(number)


@dataclass
class Burst:
    """One downlink burst: the mobile's frame, the timeslot, the receive window's samples
    (int16, I and Q interleaved, BURST_WINDOW pairs)."""
    frame: int
    tn: int
    iq: np.ndarray


def dl_payload(bursts: list[Burst]) -> bytes:
    """A RADIO_DL payload, packed with numpy (construct is too slow for megabytes)."""
    parts = [bytes(_DL_HEADER)]
    for b in bursts:
        iq = np.asarray(b.iq, dtype="<i2")
        if iq.shape != (2 * BURST_WINDOW,):
            raise ValueError(f"a burst has {2 * BURST_WINDOW} samples, not {iq.shape}")
        parts.append(struct.pack("<IB3x", b.frame, b.tn))
        parts.append(iq.tobytes())
    return b"".join(parts)


@dataclass
class UlBurst:
    """One uplink burst as the mobile transmitted it: its frame, the timeslot (numbered as the
    downlink's), normal (0) or access (1), and its 148 bits, tails included."""
    frame: int
    tn: int
    kind: int
    bits: np.ndarray


@dataclass
class StartHistogram:
    """A task's jobs by how long after their release they started (MODEM_LATENCY_INFO): bin i
    holds the starts i * bin_us to (i + 1) * bin_us - 1 us late, the last bin every later start
    and every job that never ran; `worst_us` is the status's worst start."""
    bins: list[int]
    bin_us: int = 1
    worst_us: int = 0

    @property
    def jobs(self) -> int:
        return sum(self.bins)

    def percentile(self, percent: float) -> tuple[int, bool]:
        """The nearest-rank percentile (host/bench.py's rule: the smallest latency that at least
        `percent` % of the jobs do not exceed), as the lower edge of its bin in us, and whether
        it fell in the last bin (then it is only known to be at least that)."""
        n = self.jobs
        if n == 0:
            raise ValueError("no jobs")
        if not 0 < percent <= 100:
            raise ValueError(f"percentile {percent} is not in (0, 100]")
        # ceil(percent/100 * n) in integers, percent to 1e-6: p99.9 is exact
        rank = -(-round(percent * 1_000_000) * n // 100_000_000)
        seen = 0
        for i, count in enumerate(self.bins):
            seen += count
            if seen >= rank:
                return i * self.bin_us, i == len(self.bins) - 1
        raise AssertionError("unreachable: the rank is at most the sum")

    def to_json(self) -> dict:
        """The bins up to the last non-empty one (the rest are zeros)."""
        last = max((i for i, c in enumerate(self.bins) if c), default=-1)
        return dict(bin_us=self.bin_us, bins_total=len(self.bins), worst_us=self.worst_us,
                    bins=self.bins[:last + 1])

    @classmethod
    def from_json(cls, data: dict) -> "StartHistogram":
        bins = list(data["bins"]) + [0] * (data["bins_total"] - len(data["bins"]))
        return cls(bins, data["bin_us"], data.get("worst_us", 0))

    def __add__(self, other: "StartHistogram") -> "StartHistogram":
        if (self.bin_us, len(self.bins)) != (other.bin_us, len(other.bins)):
            raise ValueError("histograms of different bins")
        return StartHistogram([a + b for a, b in zip(self.bins, other.bins)], self.bin_us,
                              max(self.worst_us, other.worst_us))


@dataclass
class RadioState:
    running: bool = False
    frame: int = 0
    buffered: int = 0
    room: int = 0
    underruns: int = 0
    late: int = 0

    @classmethod
    def of(cls, msg: Message) -> "RadioState":
        return cls(bool(msg.running), msg.frame, msg.buffered, msg.room, msg.underruns, msg.late)


@dataclass
class ModemLink:
    """The modem at the other end of the radio link."""
    port: str
    on_event: Callable[[Message], None] | None = None
    events: list[Message] = field(default_factory=list)
    uplink: list[UlBurst] = field(default_factory=list)
    radio: RadioState = field(default_factory=RadioState)

    def __post_init__(self) -> None:
        self.link = Link(self.port, on_message=self._message)
        self._acked = 0

    def close(self) -> None:
        self.link.close()

    def __enter__(self) -> "ModemLink":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _message(self, msg: Message) -> None:
        if msg.type == MsgType.MODEM_EVENT:
            self.events.append(msg)
            if self.on_event is not None:
                self.on_event(msg)
        elif msg.type == MsgType.RADIO_STATUS:
            self.radio = RadioState.of(msg)
        elif msg.type == MsgType.RADIO_UL:
            self.uplink += [UlBurst(b.frame, b.tn, b.kind, np.frombuffer(b.bits, dtype=np.uint8))
                            for b in msg.bursts]

    def hello(self, timeout: float = 5.0) -> Message:
        info = self.link.poll_info(timeout, what="the modem on the radio link")
        if role_of(info) != Role.MODEM:
            raise RigError(f"the radio link's firmware answers as {role_of(info)}, not the modem")
        return info

    def pump(self, timeout: float = 0.0) -> None:
        """Take in what the modem sent (events, statuses, the uplink) for up to `timeout`
        seconds, and tell it how much of the uplink has arrived (its flow control)."""
        self.link.drain(timeout)
        if len(self.uplink) != self._acked:
            self._acked = len(self.uplink)
            self.link.send(MsgType.RADIO_UL_ACK, dict(bursts=self._acked))

    def await_uplink(self, timeout: float = 20.0) -> None:
        """Wait until every uplink burst the modem says it transmitted (its "frame clock
        stopped" event) has arrived: the modem sends them as fast as the host reads, and a slow
        host must not lose the end of the record."""
        stopped = [e for e in self.events if str(e.layer) == "RADIO" and e.code == EV_RADIO_STOPPED]
        deadline = time.monotonic() + timeout
        while stopped and len(self.uplink) < stopped[-1].b:
            if time.monotonic() > deadline:
                raise RigError(f"the modem transmitted {stopped[-1].b} uplink bursts; {len(self.uplink)} arrived")
            self.pump(0.05)

    def status(self) -> Message:
        return self.link.request(MsgType.MODEM_STATUS, timeout=2.0)

    def latency(self, task: int) -> Message:
        """Task `task`'s (its index in the status) histogram of release -> start latencies."""
        return self.link.request(MsgType.MODEM_LATENCY, dict(task=task), timeout=2.0)

    def latencies(self, status: Message) -> dict[str, "StartHistogram"]:
        """Every task's release -> start histogram since MODEM_START, by task name."""
        found = {}
        for i, task in enumerate(status.tasks):
            reply = self.latency(i)
            found[task.name] = StartHistogram(list(reply.bins), reply.bin_us, task.worst_start)
        return found

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the clock, wait until it has stopped, and drop any burst left in the ring."""
        self.link.request(MsgType.MODEM_STOP, timeout=2.0)
        deadline = time.monotonic() + timeout
        while self.status().l1_state != 0:      # layer 1 is off once the clock has stopped
            if time.monotonic() > deadline:
                raise RigError(f"the modem's clock did not stop within {timeout:g} s")
            self.pump(0.05)
        self.radio.running = False
        self.link.request(MsgType.MODEM_STOP, timeout=2.0)  # stopped: this one empties the ring

    def send(self, bursts: list[Burst]) -> RadioState:
        """One RADIO_DL of at most BURSTS_PER_FRAME bursts; the ring's state after it."""
        reply = self.link.request(MsgType.RADIO_DL, dl_payload(bursts), timeout=2.0)
        self.radio = RadioState.of(reply)
        return self.radio

    def preload(self, bursts: Iterator[Burst]) -> int:
        """Send bursts until the iterator ends; the count.  Fails when the ring is full: a
        preload must fit (RadioState.room)."""
        sent, chunk = 0, []
        for b in bursts:
            chunk.append(b)
            if len(chunk) == BURSTS_PER_FRAME:
                sent += self._send_checked(chunk)
                chunk = []
        if chunk:
            sent += self._send_checked(chunk)
        return sent

    def _send_checked(self, chunk: list[Burst]) -> int:
        before = self.radio.buffered
        state = self.send(chunk)
        if state.room == 0 and state.buffered - before < len(chunk):
            raise RigError(f"the modem's downlink ring is full after {state.buffered} bursts: "
                           f"the scenario does not fit a preload")
        return len(chunk)

    def start(self, *, seed: int, lead_us: int, imsi: str, frames: int = 0, action: int = 0,
              action_frame: int = 0, number: str = "", below_linux: bool = False) -> int:
        """Start the frame clock: frame 0 begins lead_us after this; it stops by itself after
        `frames` (0: at stop()).  The user does `action` (ModemAction) at `action_frame`.  The
        clock's t0 (low word)."""
        ack = self.link.request(MsgType.MODEM_START,
                                dict(seed=seed, lead_us=lead_us, frames=frames, imsi=imsi_bcd(imsi),
                                     action=action, action_frame=action_frame,
                                     flags=ModemFlag.BELOW_LINUX if below_linux else 0,
                                     number=_number_bcd(number)),
                                timeout=2.0)
        self.radio.running = True
        self.radio.frame = 0                    # a status of the last run must not end this one
        self._acked = len(self.uplink)
        return ack.value

    def stream(self, bursts: Iterator[Burst], *, lead_frames: int, until_frame: int,
               timeout: float, stall: bool = False) -> None:
        """While the clock runs: keep the downlink `lead_frames` ahead of the modem's frame
        until the iterator ends, then wait until the modem reaches `until_frame`.  Within
        `timeout` seconds; with `stall`, `timeout` seconds from the last time the modem's frame
        moved (a deterministic run on a busy host is slow, not stuck)."""
        deadline = time.monotonic() + timeout
        pending = next(bursts, None)
        seen = self.radio.frame
        while True:
            if stall and self.radio.frame != seen:
                seen = self.radio.frame
                deadline = time.monotonic() + timeout
            if time.monotonic() > deadline:
                if stall:
                    raise RigError(f"the modem's clock stood at frame {self.radio.frame} of "
                                   f"{until_frame} for {timeout:g} s")
                raise RigError(f"the modem was at frame {self.radio.frame} of {until_frame} "
                               f"after {timeout:g} s")
            if pending is not None and pending.frame < self.radio.frame + lead_frames:
                chunk = [pending]
                for pending in bursts:
                    if len(chunk) == BURSTS_PER_FRAME or pending.frame >= self.radio.frame + lead_frames:
                        break
                    chunk.append(pending)
                else:
                    pending = None
                self.send(chunk)
                continue
            if pending is None and (self.radio.frame >= until_frame or not self.radio.running):
                return
            self.pump(0.02)


def run_scenario(modem: ModemLink, scenario, *, deterministic: bool, lead_frames: int = 32,
                 timeout: float | None = None, before_start: Callable[[], None] | None = None,
                 below_linux: bool = False, stall: bool = False) -> Message:
    """Play `scenario` (host.bts.scenario.Scenario) to the modem: its downlink preloaded whole
    when `deterministic` (the target's clock then never waits for the host), else streamed
    `lead_frames` ahead of the modem's clock.  Returns the modem's status once its clock has
    stopped after the scenario's last frame; the events are in `modem.events`."""
    import itertools

    modem.hello()
    modem.stop()
    modem.events.clear()
    modem.uplink.clear()
    # Every burst is made before the clock starts: live, the host then only has to send them
    # in time, not compute them too.
    bursts = iter([Burst(frame, tn, iq) for frame, tn, iq in scenario.downlink()])
    first = bursts if deterministic else itertools.islice(bursts, lead_frames)
    modem.preload(first)
    if before_start is not None:
        before_start()
    modem.start(below_linux=below_linux, seed=scenario.seed, lead_us=20_000, imsi=scenario.imsi, frames=scenario.frames,
                action=scenario.action, action_frame=scenario.action_frame, number=scenario.number)
    timeout = timeout or 60.0 + 20 * scenario.frames / FRAMES_PER_SECOND
    modem.stream(bursts, lead_frames=lead_frames, until_frame=scenario.frames, timeout=timeout, stall=stall)
    modem.stop()
    modem.pump(0.1)                     # the events sent as it stopped
    modem.await_uplink()
    return modem.status()
