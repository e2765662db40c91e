"""rig trace --out: the kernel trace streamed into Chrome trace-event JSON (Perfetto)."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from host import timeline

PHASES = {"X", "i", "s", "f", "M"}


@pytest.mark.feature("TRACE", "THREADS", "TESTS")
def test_a_recorded_timeline_is_valid_and_its_ipc_flows_pair_sender_and_receiver(debugd, link):
    info = link.last_info
    capture = timeline.stream(debugd, 0.5, during=lambda: debugd.run_test("ipc.call"))
    doc = json.loads(json.dumps(timeline.chrome_trace(capture, debugd.threads(), info.cycle_hz)))
    events = doc["traceEvents"]
    assert doc["metadata"]["events"] == len(capture.events) > 0
    assert doc["metadata"]["lost_events"] == capture.lost
    assert {e["ph"] for e in events} <= PHASES
    for e in events:
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        if e["ph"] != "M":
            assert e["ts"] >= 0
    ends = defaultdict(dict)
    for e in events:
        if e["ph"] in ("s", "f"):
            assert e["ph"] not in ends[e["id"]], f"flow {e['id']} has two {e['ph']} events"
            ends[e["id"]][e["ph"]] = e
    assert ends, "no IPC recorded while ipc.call ran"
    for flow_id, pair in ends.items():
        assert set(pair) == {"s", "f"}, f"flow {flow_id} is not a pair: {pair}"
        assert pair["s"]["ts"] == pair["f"]["ts"]
        assert (pair["s"]["pid"], pair["s"]["tid"]) != (pair["f"]["pid"], pair["f"]["tid"])
    # the trace's own IPC events (slow path, and fast path with its switch), sender to receiver,
    # are exactly the flows
    ipc = [e for e in capture.events if str(e.type) in ("IPC", "IPC_SWITCH")]
    assert len(ipc) == len(ends)
    tracks = sorted({(p["s"]["tid"], p["f"]["tid"]) for p in ends.values()})
    assert tracks == sorted({(e.a >> 14, e.b >> 14) for e in ipc})
    ktest = next(t for t in debugd.threads() if t.name == "ktest")
    assert any(ktest.id >> 14 in pair for pair in tracks), tracks
