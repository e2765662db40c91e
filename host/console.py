"""`rig console`: a live dashboard of the running kernel over the serial link.

Twice a second it asks debugd for the counters and the thread table, and reads the trace events
recorded since the last look; from those it shows the board and firmware, each thread's share
of the CPU over the last interval, the rates of IPC, interrupts, page faults and context
switches, latency histograms that fill as events stream in (interrupt to its handler's IPC; the
time each thread runs before it is switched out), and the target's log. A command line at the
bottom runs probes (`help` lists them). When the board resets or the line drops, the dashboard
says so and keeps trying to reconnect.

`--once` renders one frame as text (after the commands given with `-c`), for scripts and tests.
"""

from __future__ import annotations

import os
import select
import shlex
import sys
import termios
import time
import tty
from collections import deque
from dataclasses import dataclass, field

from rich.console import Console, Group
from rich.layout import Layout
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from protocol import MsgType, TestStatus, TraceType

from . import bench as bench_mod
from . import views
from .debugd import Debugd
from .errors import RigError
from .symbols import parse_thread

POLL_INTERVAL = 0.5                 # seconds between looks at the counters: light on the line
HISTORY = 2000                      # latency samples kept per histogram

HELP = """commands:
  inject IRQ            set interrupt line IRQ pending (as if its device raised it)
  bench NAME [N]        run an on-target benchmark (N samples, default 100)
  run TEST              run an on-target test
  read ADDR [LEN]       read kernel memory (hex address, LEN bytes, default 32)
  sym ADDR [TID]        symbolize an address (a user one: give the thread)
  trace on|off          start or stop the kernel's trace recording
  clear                 empty the histograms
  help                  this list
  quit                  leave (Ctrl-C too)"""


@dataclass
class Sample:
    at: float
    stats: object
    threads: list


@dataclass
class Dashboard:
    """The console's state: the latest looks at the target and what was derived from them."""

    rig: object
    debugd: Debugd | None = None
    info: object = None
    previous: Sample | None = None
    current: Sample | None = None
    trace_position: int | None = None
    switches: int = 0
    switch_rate: float = 0.0
    lost: int = 0
    irq_latency: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    run_lengths: deque = field(default_factory=lambda: deque(maxlen=HISTORY))
    results: deque = field(default_factory=lambda: deque(maxlen=40))
    link_state: str = "connecting"
    _pending_irq: dict = field(default_factory=dict)
    _running_since: tuple | None = None

    # ---- talking to the target -------------------------------------------------------------

    def connect(self) -> None:
        self.debugd, self.info = self.rig.kernel()
        self.debugd.require("THREADS")
        self.link_state = "up"
        self.trace_position = None

    def poll(self) -> None:
        """One look: counters, threads, new trace events.  A dead line or a reset board turns
        into a state the header shows, and the next poll reconnects."""
        try:
            if self.debugd is None:
                self.connect()
            stats = self.debugd.stats()
            threads = self.debugd.threads()
            self._read_trace(stats)
        except RigError as exc:
            self.debugd = None
            self.link_state = f"lost: {exc}"
            return
        self.previous, self.current = self.current, Sample(time.monotonic(), stats, threads)

    def _read_trace(self, stats) -> None:
        if not self.debugd.has("TRACE"):
            return
        if self.trace_position is None or stats.trace_head < self.trace_position:
            self.trace_position = stats.trace_head          # start now (or after a reset)
            return
        switches_before = self.switches
        while self.trace_position < stats.trace_head:
            window = self.debugd.trace(self.trace_position)
            if window.first > self.trace_position:
                self.lost += window.first - self.trace_position
            for event in window.events:
                self._event(event)
            self.trace_position = window.first + len(window.events)
            if not window.events:
                break
        elapsed = (time.monotonic() - self.current.at) if self.current else 0
        if elapsed > 0:
            self.switch_rate = (self.switches - switches_before) / elapsed

    def _event(self, event) -> None:
        kind = str(event.type)
        if kind == TraceType.IRQ.name:
            self._pending_irq[event.a] = event.cycles
        elif kind == TraceType.IRQ_IPC.name:
            line = event.a >> 14
            raised = self._pending_irq.pop(line, None)
            if raised is not None:
                self.irq_latency.append((event.cycles - raised) & 0xFFFFFFFF)
        elif kind in (TraceType.SWITCH.name, TraceType.IPC_SWITCH.name):
            self.switches += 1
            if self._running_since is not None and self._running_since[0] == event.a:
                self.run_lengths.append((event.cycles - self._running_since[1]) & 0xFFFFFFFF)
            self._running_since = (event.b, event.cycles)

    # ---- the command line ------------------------------------------------------------------

    def command(self, line: str) -> bool:
        """Run one command line; False when it says to quit."""
        words = shlex.split(line)
        if not words:
            return True
        name, args = words[0], words[1:]
        if name in ("quit", "exit", "q"):
            return False
        try:
            self.results.append(f"> {line}")
            self.results.append(self._run(name, args))
        except (RigError, ValueError, IndexError) as exc:
            self.results.append(f"error: {exc}")
        return True

    def _run(self, name: str, args: list[str]) -> str:
        if name == "help":
            return HELP
        if name == "clear":
            self.irq_latency.clear()
            self.run_lengths.clear()
            return "histograms emptied"
        if name == "sym":
            thread = parse_thread(args[1]) if len(args) > 1 else None
            return self.rig.symbols().describe(int(args[0], 16), thread=thread)
        if self.debugd is None:
            raise RigError("not connected to the target")
        if name == "inject":
            self.debugd.inject_irq(int(args[0], 0))
            return f"interrupt {int(args[0], 0)} set pending"
        if name == "bench":
            run = bench_mod.run(self.debugd, args[0], int(args[1]) if len(args) > 1 else 100)
            if not run.passed:
                return f"{args[0]}: {run.status}"
            s = run.summary
            return f"{args[0]}: n {s.n}, min {s.min:,}, median {s.median:,}, p99 {s.p99:,}, max {s.max:,} cycles"
        if name == "run":
            result = self.debugd.run_test(args[0])
            return f"{args[0]}: {result.status} (value {result.value}) {result.text}".rstrip()
        if name == "read":
            address, length = int(args[0], 16), int(args[1], 0) if len(args) > 1 else 32
            got = self.debugd.link.request(MsgType.READ_MEM, dict(addr=address, length=length),
                                           expect=MsgType.MEM_DATA)
            data = bytes(got.data)
            return "\n".join(f"{address + i:08x}  {data[i:i + 16].hex(' ')}" for i in range(0, len(data), 16))
        if name == "trace":
            on = args[0] == "on"
            self.debugd.trace_control(on)
            return f"trace recording {'on' if on else 'off'}"
        raise RigError(f"no command {name!r} (help lists them)")

    # ---- drawing -------------------------------------------------------------------------------

    def render(self, prompt: str | None = None) -> Layout:
        layout = Layout()
        parts = [Layout(self._header(), size=3), Layout(name="middle")]
        parts.append(Layout(self._bottom(prompt), size=19 if prompt is not None else 18))
        layout.split_column(*parts)
        layout["middle"].split_row(Layout(self._threads(), ratio=3), Layout(self._side(), ratio=2))
        return layout

    def _header(self) -> Panel:
        info = self.info
        text = Text()
        text.append(f"{self.rig.board.name}  ", style="bold")
        if info is not None:
            text.append(f"{info.version}  build {bytes(info.build_id).hex()[:12]}  ")
        if self.current is not None:
            text.append(f"up {self.current.stats.ticks / 1000:,.1f} s  ")
        style = "green" if self.link_state == "up" else "yellow"
        text.append(f"link {self.link_state}", style=style)
        return Panel(text, title="rig console", title_align="left")

    def _threads(self) -> Panel:
        table = Table(box=None, expand=True, pad_edge=False)
        for column, justify in (("id", "right"), ("name", "left"), ("space", "right"), ("prio", "right"),
                                ("state", "left"), ("cpu", "right")):
            table.add_column(column, justify=justify, no_wrap=True)
        if self.current is not None:
            before = {t.id: t.cycles for t in self.previous.threads} if self.previous else {}
            total = sum(max(0, t.cycles - before.get(t.id, t.cycles)) for t in self.current.threads)
            if self.previous is not None:
                total += max(0, self.current.stats.idle_cycles - self.previous.stats.idle_cycles)
            abi = self.rig.abi()
            for t in self.current.threads:
                used = max(0, t.cycles - before.get(t.id, t.cycles))
                share = f"{100 * used / total:.1f}%" if total and self.previous else "-"
                table.add_row(views.tid(t.id), escape(t.name), str(t.space), str(t.prio),
                              escape(views._state(t, abi)), share)
        return Panel(table, title="threads (CPU over the last interval)", title_align="left")

    def _side(self) -> Group:
        rates = Table(box=None, show_header=False, expand=True)
        rates.add_column(style="bold")
        rates.add_column(justify="right")
        rates.add_column(justify="right")
        cur, prev = self.current, self.previous
        for label, key in (("IPC", "ipc"), ("interrupts", "irqs"), ("page faults", "pagefaults"),
                           ("exceptions", "exceptions")):
            total = getattr(cur.stats, key) if cur else 0
            rate = (total - getattr(prev.stats, key)) / (cur.at - prev.at) if cur and prev and cur.at > prev.at else 0
            rates.add_row(label, f"{total:,}", f"{rate:,.0f}/s")
        rates.add_row("context switches", f"{self.switches:,}", f"{self.switch_rate:,.0f}/s")
        if self.lost:
            rates.add_row("[yellow]trace events lost[/]", f"{self.lost:,}", "")
        histograms = []
        for title, samples in (("interrupt to handler (cycles)", self.irq_latency),
                               ("run length before a switch (cycles)", self.run_lengths)):
            lines = bench_mod.histogram(list(samples), bins=5, width=24) if samples else ["(no events yet)"]
            histograms.append(Panel("\n".join(lines), title=f"{title}, n {len(samples)}", title_align="left"))
        return Group(Panel(rates, title="rates", title_align="left"), *histograms)

    def _bottom(self, prompt: str | None) -> Group:
        link = self.debugd.link if self.debugd is not None else None
        log = [escape(line) for line in (link.lines[-6:] if link is not None else [])]
        results = [escape(line) for line in "\n".join(self.results).splitlines()[-8:]]
        parts = [Panel("\n".join(log) or "(nothing yet)", title="target log", title_align="left", height=8)]
        parts.append(Panel("\n".join(results) or "type `help` for the commands", title="probes", title_align="left",
                           height=10))
        if prompt is not None:
            parts.append(Text(f"> {prompt}", style="bold"))
        return Group(*parts)


def snapshot(rig, commands: list[str], width: int = 120, debugd: Debugd | None = None, info=None) -> str:
    """One frame as text: connect (or use `debugd`), look, run `commands`, look again (rates
    need two looks), render."""
    board = Dashboard(rig, debugd=debugd, info=info, link_state="up" if debugd else "connecting")
    board.poll()
    for line in commands:
        board.command(line)
    time.sleep(POLL_INTERVAL)
    board.poll()
    rows = len(board.current.threads) if board.current is not None else 0
    height = 3 + 18 + max(rows + 3, 24)
    console = Console(width=width, height=height, record=True, file=open(os.devnull, "w"), color_system=None)
    console.print(board.render())
    return console.export_text()


def live(rig, *, fd: int | None = None, console: Console | None = None, debugd: Debugd | None = None,
         info=None) -> int:
    """The interactive dashboard on the terminal `fd` (stdin by default), until `quit`, Ctrl-D
    or Ctrl-C."""
    fd = sys.stdin.fileno() if fd is None else fd
    if not os.isatty(fd):
        raise RigError("the live console needs a terminal; `rig console --once` renders one frame as text")
    board = Dashboard(rig, debugd=debugd, info=info, link_state="up" if debugd else "connecting")
    saved = termios.tcgetattr(fd)
    typed = ""
    try:
        tty.setcbreak(fd)
        with Live(board.render(typed), console=console, screen=True, auto_refresh=False) as view:
            next_poll = 0.0
            while True:
                now = time.monotonic()
                if now >= next_poll:
                    board.poll()
                    next_poll = now + (POLL_INTERVAL if board.debugd is not None else 1.0)
                    view.update(board.render(typed), refresh=True)
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    continue
                key = os.read(fd, 1).decode(errors="replace")
                if key in ("\r", "\n"):
                    if not board.command(typed):
                        break
                    typed = ""
                elif key in ("\x7f", "\b"):
                    typed = typed[:-1]
                elif key == "\x04":
                    break
                elif key.isprintable():
                    typed += key
                view.update(board.render(typed), refresh=True)
    except KeyboardInterrupt:
        pass
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    return 0
