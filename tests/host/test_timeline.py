"""host/timeline.py: the Chrome trace-event document from trace events (no board: the events
are made here)."""

from __future__ import annotations

from types import SimpleNamespace as Event

from host.timeline import Capture, chrome_trace


def tid(number: int) -> int:
    return number << 14 | 1


THREADS = [Event(id=tid(352), name="ktest", space=4), Event(id=tid(356), name="helper", space=7)]


def test_switches_become_slices_ipc_becomes_a_flow_and_the_clock_unwraps():
    events = [
        Event(cycles=0xFFFF_FF00, type="SWITCH", a=0, b=tid(352), c=0),
        Event(cycles=0xFFFF_FFF0, type="IPC", a=tid(352), b=tid(356), c=0x00010002),
        Event(cycles=0x0000_0100, type="SWITCH", a=tid(352), b=tid(356), c=0),   # wrapped
        Event(cycles=0x0000_0200, type="IRQ", a=33, b=0, c=0),
        Event(cycles=0x0000_0300, type="FAULT", a=tid(356), b=0x1000, c=4),
    ]
    doc = chrome_trace(Capture(events=events, first=10), THREADS, 1_000_000_000)
    by_phase = {}
    for e in doc["traceEvents"]:
        by_phase.setdefault(e["ph"], []).append(e)
    running = [e for e in by_phase["X"] if e["name"] == "running"]
    assert len(running) == 1 and running[0]["tid"] == 352 and running[0]["pid"] == 4
    assert abs(running[0]["dur"] - 0x200 / 1000) < 1e-9           # across the wrap: 512 ns
    (start,), (end,) = by_phase["s"], by_phase["f"]
    assert (start["tid"], end["tid"], start["id"]) == (352, 356, end["id"]) and end["bp"] == "e"
    names = {e["args"]["name"] for e in by_phase["M"] if e["name"] == "thread_name"}
    assert names == {"ktest", "helper"}
    instants = {e["name"]: e for e in by_phase["i"]}
    assert instants["interrupt 33"]["s"] == "g"
    assert instants["fault"]["tid"] == 356 and instants["fault"]["args"]["address"] == "0x00001000"
    assert doc["metadata"]["lost_events"] == 0


def test_lost_events_are_counted_and_marked_where_they_were():
    events = [Event(cycles=100 * i, type="IRQ", a=33, b=0, c=0) for i in range(4)]
    doc = chrome_trace(Capture(events=events, first=0, lost=700, gaps=[(2, 700)]), [], 1_000_000_000)
    assert doc["metadata"]["lost_events"] == 700
    marks = [e for e in doc["traceEvents"] if "lost" in e.get("name", "")]
    assert len(marks) == 1 and marks[0]["name"].startswith("700 events lost")
    assert marks[0]["ts"] == doc["traceEvents"][[e.get("name") for e in doc["traceEvents"]].index(marks[0]["name"]) + 1]["ts"]


def test_a_fast_path_ipc_is_both_a_flow_and_a_switch():
    """IPC_SWITCH (the kernel's fast path records one event for the message and the switch it
    makes) ends the sender's running slice and starts the receiver's, with a flow between."""
    events = [
        Event(cycles=0x100, type="SWITCH", a=0, b=tid(352), c=0),
        Event(cycles=0x200, type="IPC_SWITCH", a=tid(352), b=tid(356), c=0x00010002),
        Event(cycles=0x300, type="IPC_SWITCH", a=tid(356), b=tid(352), c=0x00000001),
        Event(cycles=0x400, type="SWITCH", a=tid(352), b=tid(356), c=0),
    ]
    doc = chrome_trace(Capture(events=events, first=0), THREADS, 1_000_000_000)
    running = [(e["tid"], round(e["ts"] * 1000), round(e["dur"] * 1000))
               for e in doc["traceEvents"] if e.get("name") == "running"]
    assert running == [(352, 0, 256), (356, 256, 256), (352, 512, 256)]
    starts = sorted(e["tid"] for e in doc["traceEvents"] if e["ph"] == "s")
    ends = sorted(e["tid"] for e in doc["traceEvents"] if e["ph"] == "f")
    assert starts == ends == [352, 356]
