"""The kernel's trace as a timeline: streamed from the trace ring, written in the Chrome
trace-event JSON format that Perfetto (ui.perfetto.dev) and chrome://tracing open.

- a track per thread, grouped by address space (pid = the space, tid = the thread number);
  context switches become the slices during which each thread ran;
- each IPC is a flow from a slice on the sender's track to one on the receiver's;
- interrupts are global instants, an interrupt delivered as IPC an instant on its handler's
  track, a fault an instant on the faulting thread's track;
- times are the target's cycle counter (32 bits, unwrapped) converted to microseconds.

Events the ring overwrote before the host read them are counted, in the JSON's metadata and as
an instant where the gap is, never silently dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from protocol import TraceType


@dataclass
class Capture:
    events: list = field(default_factory=list)     # oldest first
    first: int = 0                                  # index of the first event
    lost: int = 0                                   # overwritten before they were read
    gaps: list[tuple[int, int]] = field(default_factory=list)   # (position in events, lost there)


def stream(debugd, seconds: float, *, interval: float = 0.05,
           during: Callable[[], None] | None = None) -> Capture:
    """Read the trace ring for `seconds`, from its head now.  `during`, if given, runs once
    after the first read (the activity to record)."""
    capture = Capture()
    position = capture.first = debugd.stats().trace_head
    deadline = time.monotonic() + seconds
    ran = during is None
    while True:
        window = debugd.trace(position)
        if window.first > position:                 # the ring overran: those are gone
            capture.lost += window.first - position
            capture.gaps.append((len(capture.events), window.first - position))
        capture.events += window.events
        position = window.first + len(window.events)
        if not ran:
            during()
            ran = True
            continue
        now = time.monotonic()
        if position < window.head and now < deadline + 1.0:
            continue                                # more is waiting: no pause
        if now >= deadline:
            return capture
        time.sleep(interval)


def _number(tid: int) -> int:
    return tid >> 14


def chrome_trace(capture: Capture, threads: list, cycle_hz: int, *, board: str = "",
                 names: dict[int, str] | None = None) -> dict:
    """The capture as a Chrome trace-event document.  `threads`: the kernel's thread list
    (names and spaces); threads gone by then land in space 0."""
    names = dict(names or {})
    space_of = {t.id: t.space for t in threads}
    for t in threads:
        names.setdefault(t.id, t.name)
    out: list[dict] = []
    seen_tracks: set[tuple[int, int]] = set()

    def track(thread_id: int) -> tuple[int, int]:
        key = (space_of.get(thread_id, 0), _number(thread_id))
        if key not in seen_tracks:
            seen_tracks.add(key)
            name = names.get(thread_id) or f"thread {_number(thread_id)}.{thread_id & 0x3fff}"
            out.append(dict(ph="M", name="thread_name", pid=key[0], tid=key[1], args=dict(name=name)))
        return key

    # timestamps: unwrap the 32-bit counter, microseconds from the first event
    stamps, base, previous, high = [], None, None, 0
    for event in capture.events:
        if previous is not None and event.cycles < previous:
            high += 1 << 32
        previous = event.cycles
        value = high + event.cycles
        base = value if base is None else base
        stamps.append((value - base) * 1e6 / cycle_hz)
    gaps = dict(capture.gaps)

    running: tuple[int, float] | None = None       # (thread, since)
    flow = 0
    tick = 1e6 / cycle_hz                           # one cycle: the width of a point-like slice
    for index, (event, ts) in enumerate(zip(capture.events, stamps)):
        if index in gaps:
            out.append(dict(ph="i", s="g", name=f"{gaps[index]} events lost (ring overrun)", ts=ts, pid=0, tid=0))
        kind = str(event.type)
        if kind in (TraceType.SWITCH.name, TraceType.IPC_SWITCH.name):
            if running is not None and running[0]:
                pid, tid = track(running[0])
                out.append(dict(ph="X", name="running", cat="sched", ts=running[1], dur=ts - running[1],
                                pid=pid, tid=tid))
            running = (event.b, ts)
        if kind in (TraceType.IPC.name, TraceType.IPC_SWITCH.name):
            flow += 1
            label = event.c >> 16
            args = dict(tag=f"0x{event.c:08x}", label=f"0x{label:04x}", words=event.c & 0x3f)
            for thread_id, name, ph in ((event.a, "IPC send", "s"), (event.b, "IPC receive", "f")):
                pid, tid = track(thread_id)
                out.append(dict(ph="X", name=name, cat="ipc", ts=ts, dur=tick, pid=pid, tid=tid, args=args))
                arrow = dict(ph=ph, name="IPC", cat="ipc", id=flow, ts=ts, pid=pid, tid=tid)
                if ph == "f":
                    arrow["bp"] = "e"
                out.append(arrow)
        elif kind == TraceType.IRQ.name:
            out.append(dict(ph="i", s="g", name=f"interrupt {event.a}", cat="irq", ts=ts, pid=0, tid=0))
        elif kind == TraceType.IRQ_IPC.name:
            pid, tid = track(event.b)
            out.append(dict(ph="i", s="t", name=f"interrupt {_number(event.a)} as IPC", cat="irq", ts=ts,
                            pid=pid, tid=tid))
        elif kind == TraceType.FAULT.name:
            pid, tid = track(event.a)
            out.append(dict(ph="i", s="t", name="fault", cat="fault", ts=ts, pid=pid, tid=tid,
                            args=dict(address=f"0x{event.b:08x}", kind=event.c)))
    for pid in sorted({pid for pid, _ in seen_tracks}):
        out.append(dict(ph="M", name="process_name", pid=pid, tid=0,
                        args=dict(name=f"space {pid}" if pid else "kernel / gone")))
    return dict(traceEvents=out, displayTimeUnit="ns",
                metadata=dict(board=board, events=len(capture.events), lost_events=capture.lost,
                              first_index=capture.first, cycle_hz=cycle_hz))
