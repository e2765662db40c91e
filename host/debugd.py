"""debugd's requests as Python calls: what the rig and the target tests ask the running kernel.

debugd (the user-level debug agent) answers STATS, THREADS, TESTS, RUN_TEST, BENCH,
INJECT_IRQ, TRACE, TRACE_CONTROL and SYSCALL (docs/protocol.md).  `Debugd` wraps a `Link`
that talks to it and turns each into one call: paging through THREADS, TESTS and TRACE,
timeouts long enough for requests that run code on the target, and one-line errors.

Requests that run something (RUN_TEST, BENCH, SYSCALL) are sent once, never retried: a
repeat would run the test again.  debugd gives the test server 30 s before it answers
BAD_STATE, so the host waits a little longer than that by default and does not take a slow
test for a dead link.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from protocol import SYSCALL_REGS, BenchFlag, Feature, Message, MsgType

from .errors import RigError
from .ktests import KtestEntry, parse_names
from .link import Link

RUN_TIMEOUT = 35.0          # RUN_TEST and BENCH: debugd itself gives up after 30 s
SYSCALL_MARGIN = 5.0        # SYSCALL: the call's own timeout plus this
THREAD_TABLE = 512          # THREAD_LIST.next at or above this: the list is done
NAMES_DONE = 0xFFFF         # TEST_NAMES.next when the list is done


@dataclass(frozen=True)
class TraceWindow:
    first: int              # index of the first event in `events` (later than asked: lost)
    head: int               # index the next event will get
    events: list


class Debugd:
    def __init__(self, link: Link):
        self.link = link

    def has(self, feature: str) -> bool:
        info = self.link.last_info
        return info is not None and bool(info.features & Feature[feature])

    def require(self, *features: str) -> None:
        """Refuse, in one line, when the firmware's INFO does not list a feature."""
        info = self.link.last_info
        if info is None:
            return
        for name in features:
            if not info.features & Feature[name]:
                raise RigError(f"the firmware on {self.link.port} does not answer {name} requests "
                               f"(features: {', '.join(f.name for f in Feature if info.features & f) or 'none'}): "
                               f"flash a kernel that does")

    # ----------------------------------------------------------------------------------------
    # The kernel's view

    def stats(self) -> Message:
        return self.link.request(MsgType.STATS, expect=MsgType.STATS_INFO)

    def linux_stats(self) -> Message:
        """The Linux server's counters, the calls it answered -ENOSYS among them."""
        return self.link.request(MsgType.LINUX_STATS, expect=MsgType.LINUX_STATS_INFO)

    def threads(self) -> list:
        """Every thread in the kernel's table, in table order."""
        threads, start = [], 0
        while start < THREAD_TABLE:
            page = self.link.request(MsgType.THREADS, dict(start=start), expect=MsgType.THREAD_LIST)
            threads += page.threads
            if page.next <= start:
                raise RigError(f"THREADS from {start} answered next={page.next}: the list does not advance")
            start = page.next
        return threads

    def wait_until_quiet(self, ready_states: set[int], timeout: float = 10.0, polls: int = 3,
                         interval: float = 0.05) -> bool:
        """Wait until nothing but debugd itself (busy answering) is ready to run, `polls` times
        in a row; False if that did not happen within `timeout` seconds.  Under QEMU with
        -icount and sleep=off an idle board skips ahead to its next timer event, so a request
        that finds it idle always starts at the same point of the tick: measurements taken from
        there repeat exactly, ones that start while a server is still busy booting do not."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < polls:
            if time.monotonic() >= deadline:
                return False
            ready = [t for t in self.threads() if t.state in ready_states]
            quiet = quiet + 1 if len(ready) <= 1 else 0
            if quiet < polls:
                time.sleep(interval)    # the board runs on its own meanwhile: nothing to poll sooner
        return True

    def trace(self, start: int = 0) -> TraceWindow:
        """One TRACE_DATA's worth of events from index `start`."""
        got = self.link.request(MsgType.TRACE, dict(start=start), expect=MsgType.TRACE_DATA)
        return TraceWindow(first=got.first, head=got.head, events=list(got.events))

    def recent_events(self, count: int) -> TraceWindow:
        """The last `count` events (fewer if the ring holds fewer), oldest first.  The head is
        taken from STATS first, so that no index beyond it is ever asked for; events recorded
        while the pages come in are left for the next call."""
        head = self.stats().trace_head
        position = start = max(0, head - count)
        first: int | None = None
        events: list = []
        while position < head:
            window = self.trace(position)
            if not window.events:
                break
            if first is None or window.first != position:   # the first page, or the ring overran
                first, events = window.first, []
            events += window.events
            position = window.first + len(window.events)
        if first is None:
            return TraceWindow(first=start, head=head, events=[])
        events = events[:head - first]
        end = first + len(events)
        events = events[-count:]
        return TraceWindow(first=end - len(events), head=head, events=events)

    def trace_control(self, enable: bool) -> int:
        """Start or stop recording; returns the index of the next event."""
        return self.link.request(MsgType.TRACE_CONTROL, dict(enable=int(enable)), expect=MsgType.ACK).value

    def restart(self, server: str, image: str = "", timeout: float = 30.0) -> None:
        """Have the root task delete `server`'s domain (every space, thread and page in it) and
        start `image` (default: `server` again) there with the domain's rights."""
        self.require("RESTART")
        self.link.request(MsgType.RESTART, dict(server=server, image=image), expect=MsgType.ACK,
                          retries=0, timeout=timeout)

    def inject_irq(self, irq: int) -> None:
        self.link.request(MsgType.INJECT_IRQ, dict(irq=irq), expect=MsgType.ACK, retries=0)

    # ----------------------------------------------------------------------------------------
    # ktest: tests, benchmarks, probed system calls

    def tests(self) -> list[KtestEntry]:
        """What the test server offers, tests and benchmarks, in its table order."""
        entries, start = [], 0
        while start != NAMES_DONE:
            page = self.link.request(MsgType.TESTS, dict(start=start), expect=MsgType.TEST_NAMES)
            entries += parse_names(page.names)
            if page.next != NAMES_DONE and page.next <= start:
                raise RigError(f"TESTS from {start} answered next={page.next}: the list does not advance")
            start = page.next
        return entries

    def run_test(self, name: str, timeout: float = RUN_TIMEOUT) -> Message:
        return self.link.request(MsgType.RUN_TEST, dict(name=name), expect=MsgType.TEST_RESULT,
                                 timeout=timeout, retries=0)

    def bench(self, name: str, iterations: int, timeout: float = RUN_TIMEOUT, *, recorder: bool = True) -> Message:
        """Run a benchmark: with the trace recorder as the kernel ships (on), or off while it
        measures (`recorder=False`)."""
        flags = 0 if recorder else BenchFlag.RECORDER_OFF
        return self.link.request(MsgType.BENCH, dict(iterations=iterations, flags=flags, name=name),
                                 expect=MsgType.BENCH_RESULT, timeout=timeout, retries=0)

    def syscall(self, regs: dict[int, int] | list[int], timeout_us: int = 100_000) -> Message:
        """Have the probe thread make one system call with r0-r12 from `regs` (a list, or
        {register: value} with the rest 0); r7 holds the call number."""
        values = [0] * SYSCALL_REGS
        items = regs.items() if isinstance(regs, dict) else enumerate(regs)
        for index, value in items:
            if not 0 <= index < SYSCALL_REGS:
                raise RigError(f"r{index}: the probe loads r0-r{SYSCALL_REGS - 1}")
            values[index] = value & 0xFFFFFFFF
        return self.link.request(MsgType.SYSCALL, dict(regs=values, timeout_us=timeout_us),
                                 expect=MsgType.SYSCALL_RESULT, timeout=timeout_us / 1e6 + SYSCALL_MARGIN,
                                 retries=0)
