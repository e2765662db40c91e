#!/usr/bin/env python3
"""Draw a Chrome trace-event file from `rig trace --out` as an SVG timeline, for the docs.

    tools/render_timeline.py TRACE.json OUT.svg [--from US] [--to US]

One row per thread (grouped by address space, as Perfetto shows them): the slices during which it
ran as bars, each IPC as an arrow from the sender's row to the receiver's, interrupts and faults as
marks. The same file opens interactively in https://ui.perfetto.dev.
"""

from __future__ import annotations

import argparse
import json
import sys
from html import escape

ROW, LABEL, WIDTH, TOP = 26, 170, 1100, 34


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("out")
    parser.add_argument("--from", dest="start", type=float, help="first microsecond to draw")
    parser.add_argument("--to", dest="end", type=float, help="last microsecond to draw")
    args = parser.parse_args()
    doc = json.load(open(args.trace))
    events = doc["traceEvents"]
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    timed = [e for e in events if e["ph"] != "M"]
    if not timed:
        raise SystemExit("render_timeline: the trace has no events")
    start = args.start if args.start is not None else min(e["ts"] for e in timed)
    end = args.end if args.end is not None else max(e["ts"] + e.get("dur", 0) for e in timed)
    timed = [e for e in timed if e["ts"] + e.get("dur", 0) >= start and e["ts"] <= end]
    rows = sorted({(e["pid"], e["tid"]) for e in timed if (e["pid"], e["tid"]) != (0, 0)} | set(names) & {
        (e["pid"], e["tid"]) for e in timed})
    index = {key: i for i, key in enumerate(rows)}
    scale = (WIDTH - LABEL - 20) / max(end - start, 1e-9)

    def x(ts: float) -> float:
        return LABEL + (min(max(ts, start), end) - start) * scale

    def y(key) -> float:
        return TOP + index[key] * ROW

    height = TOP + len(rows) * ROW + 30
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="monospace" font-size="12">',
           '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
           '<path d="M0,0 L8,4 L0,8 z" fill="#c0392b"/></marker></defs>',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           f'<text x="8" y="18" font-weight="bold">{escape(doc.get("metadata", {}).get("board", ""))} kernel '
           f'trace, {end - start:,.1f} µs; {doc.get("metadata", {}).get("lost_events", 0)} events lost</text>']
    for key in rows:
        fill = "#f4f6f8" if index[key] % 2 else "#ffffff"
        svg.append(f'<rect x="0" y="{y(key)}" width="{WIDTH}" height="{ROW}" fill="{fill}"/>')
        label = names.get(key, f"thread {key[1]}")
        svg.append(f'<text x="8" y="{y(key) + 17}">{escape(label)} <tspan fill="#888">sp {key[0]}</tspan></text>')
    for e in timed:
        key = (e["pid"], e["tid"])
        if e["ph"] == "X" and e["name"] == "running" and key in index:
            w = max(x(e["ts"] + e["dur"]) - x(e["ts"]), 1)
            svg.append(f'<rect x="{x(e["ts"]):.1f}" y="{y(key) + 5}" width="{w:.1f}" height="{ROW - 10}" '
                       f'fill="#5b8def"><title>running {e["dur"]:.2f} µs</title></rect>')
        elif e["ph"] == "i" and e.get("s") == "g":
            svg.append(f'<line x1="{x(e["ts"]):.1f}" y1="{TOP}" x2="{x(e["ts"]):.1f}" y2="{height - 30}" '
                       f'stroke="#e67e22" stroke-dasharray="3,3"><title>{escape(e["name"])}</title></line>')
        elif e["ph"] == "i" and key in index:
            svg.append(f'<path d="M{x(e["ts"]):.1f},{y(key) + 4} l-4,-6 h8 z" fill="#e67e22">'
                       f'<title>{escape(e["name"])}</title></path>')
    flows: dict[int, dict] = {}
    for e in timed:
        if e["ph"] in ("s", "f"):
            flows.setdefault(e["id"], {})[e["ph"]] = e
    for pair in flows.values():
        if set(pair) != {"s", "f"} or (pair["s"]["pid"], pair["s"]["tid"]) not in index \
                or (pair["f"]["pid"], pair["f"]["tid"]) not in index:
            continue
        a, b = pair["s"], pair["f"]
        ya, yb = y((a["pid"], a["tid"])) + ROW / 2, y((b["pid"], b["tid"])) + ROW / 2
        svg.append(f'<line x1="{x(a["ts"]):.1f}" y1="{ya}" x2="{x(b["ts"]):.1f}" y2="{yb - 4 if yb > ya else yb + 4}" '
                   f'stroke="#c0392b" stroke-width="1.2" marker-end="url(#a)"><title>IPC</title></line>')
    for i in range(6):
        ts = start + (end - start) * i / 5
        svg.append(f'<text x="{x(ts) - 20:.1f}" y="{height - 10}" fill="#555">{ts - start:,.1f} µs</text>')
    svg.append("</svg>")
    open(args.out, "w").write("\n".join(svg) + "\n")
    print(f"wrote {args.out}: {len(rows)} threads, {len(flows)} IPC flows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
