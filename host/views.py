"""How the rig shows what the kernel reports: rich tables for threads, counters, probed system
calls, trace events and benchmark results.  Pure functions of the decoded messages (and the
kernel ABI read from kernel.elf), so that the console can reuse them and tests can check them
without a board."""

from __future__ import annotations

from rich import box
from rich.markup import escape
from rich.table import Table

from protocol import SYSCALL_SLOTS, TraceType

from .abi import ANYTHREAD, FIRST_THREAD, NILTHREAD, KernelAbi, tid_number, tid_version
from .bench import BenchRun


def tid(value: int, names: dict[int, str] | None = None) -> str:
    """A thread ID for people: `256.1` (number.version), `irq 33`, `any`, `-` for nil; with
    the thread's name when `names` knows it."""
    if value == NILTHREAD:
        return "-"
    if value == ANYTHREAD:
        return "any"
    number, version = tid_number(value), tid_version(value)
    if number < FIRST_THREAD:
        return f"irq {number}"
    text = f"{number}.{version}"
    if names and names.get(value):
        text += f" {names[value]}"
    return text


def thread_names(threads: list) -> dict[int, str]:
    return {t.id: t.name for t in threads if t.name}


def _state(thread, abi: KernelAbi) -> str:
    state = abi.state_name(thread.state)
    if state == "send":
        return f"send to {tid(thread.partner)}"
    if state == "recv":
        return f"recv from {tid(thread.partner)}"
    return state


def compare_table(now: dict, before: dict, tolerance: float, title: str) -> Table:
    """Each gated figure now against a saved run: both, the ratio, and the verdict (slower
    means more than `tolerance`, a fraction, above; a median more than DROP_BOUND below is
    suspect)."""
    from .bench import DROP_BOUND, GATED, P99_MIN_SAMPLES, gated

    table = Table(title=title)
    for column, justify in (("benchmark", "left"), ("figure", "left"), ("saved", "right"), ("now", "right"),
                            ("ratio", "right"), ("", "left")):
        table.add_column(column, justify=justify, no_wrap=True)
    new = {r["name"]: r for r in now.get("results", [])}
    for old in before.get("results", []):
        mine = new.get(old["name"])
        for figure in GATED:
            if mine is None:
                table.add_row(escape(old["name"]), figure, f"{old[figure]:,}", "-", "", "[red]not measured[/]")
                continue
            ratio = mine[figure] / old[figure] if old[figure] else float("inf")
            verdict = (f"[dim]not gated (n < {P99_MIN_SAMPLES})[/]" if not gated(figure, old, mine) else
                       "[red]slower[/]" if mine[figure] > old[figure] * (1 + tolerance) else
                       "[red]too fast: work skipped?[/]" if figure == "median" and ratio < 1 - DROP_BOUND else
                       "[green]faster[/]" if mine[figure] < old[figure] else "same" if ratio == 1 else "ok")
            table.add_row(escape(old["name"]), figure, f"{old[figure]:,}", f"{mine[figure]:,}", f"{ratio:.3f}×",
                          verdict)
    return table


def threads_table(threads: list, stats, abi: KernelAbi, title: str = "threads", symbols=None) -> Table:
    """One row per thread; `cpu` is its share of the cycles accounted so far (live threads
    and idle: the kernel charges each scheduler tick to whoever ran, so a deleted thread's
    time drops out).  After the name: `priv` for a privileged thread, `foreign` for one whose
    every SVC goes to its exception handler (a Linux process).  With `symbols` (host.symbols),
    `at` names the function the pc is in, for threads running our own programs."""
    names = thread_names(threads)
    total = sum(t.cycles for t in threads) + (stats.idle_cycles if stats is not None else 0)
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for column, justify in (("id", "right"), ("name", "left"), ("state", "left"), ("prio", "right"),
                            ("space", "right"), ("pager", "left"), ("cpu", "right"), ("pc", "right"),
                            ("at", "left"), ("stopped", "left")):
        # on a narrow terminal the pager's name and the function give way first
        squeeze = column in ("pager", "at")
        table.add_column(column, justify=justify, no_wrap=True, overflow="ellipsis" if squeeze else "fold",
                         min_width={"pager": 5, "at": 8, "id": 6, "pc": 10}.get(column))
    for t in threads:
        flags = []
        if t.flags & 2:
            flags.append("priv")
        if t.flags & 1:
            flags.append("foreign")
        name = escape(t.name) + (f" [dim]{' '.join(flags)}[/]" if flags else "")
        where = symbols.lookup(t.pc, thread=t.id) if symbols is not None and not t.flags & 1 else None
        at = f"{where.function}+0x{where.offset:x}" if where is not None and where.function else ""
        table.add_row(tid(t.id), name, escape(_state(t, abi)), str(t.prio), str(t.space),
                      escape(tid(t.pager, names)), _share(t.cycles, total), f"0x{t.pc:08x}",
                      escape(at), escape(abi.exc_kind_name(t.stop_reason)))
    if stats is not None:
        table.add_row("", "[dim]idle[/]", "", "", "", "", _share(stats.idle_cycles, total), "", "", "")
    return table


def _share(part: int, total: int) -> str:
    if not total:
        return "-"
    if 0 < part < total / 1000:
        return "<0.1%"
    return f"{100 * part / total:.1f}%"


def stats_table(stats, abi: KernelAbi) -> Table:
    table = Table(show_header=False, box=None, title="kernel counters", title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    fast = f" ({100 * stats.ipc_fast / stats.ipc:.0f}% on the fast path)" if stats.ipc else ""
    for key, value in (("scheduler ticks", f"{stats.ticks:,}"), ("IPC", f"{stats.ipc:,}{fast}"),
                       ("interrupts", f"{stats.irqs:,}"), ("page faults to pagers", f"{stats.pagefaults:,}"),
                       ("exceptions to handlers", f"{stats.exceptions:,}"),
                       ("threads stopped (no handler)", f"{stats.stopped:,}"),
                       ("kernel memory free", f"{stats.kmem_free:,} bytes"),
                       ("mapping database nodes", f"{stats.mapdb_nodes:,}"),
                       ("trace events recorded", f"{stats.trace_head:,}"),
                       ("idle cycles", f"{stats.idle_cycles:,}")):
        table.add_row(key, value)
    for number, count in enumerate(stats.syscalls):
        if number == SYSCALL_SLOTS - 1:
            label = "bad system call numbers"
        else:
            label = f"system call {(abi.syscall_name(number) or str(number)).lower()}"
        table.add_row(label, f"{count:,}")
    return table


def linux_syscall_names() -> dict[int, str]:
    """ARM EABI Linux system call names by number, from the cross compiler's kernel headers
    (empty when they are not installed: numbers alone are shown then)."""
    import re
    from pathlib import Path

    header = Path("/usr/arm-linux-gnueabihf/include/asm/unistd-eabi.h")
    try:
        text = header.read_text()
    except OSError:
        return {}
    return {int(n): name for name, n in re.findall(r"#define __NR_(\w+)\s+\(__NR_SYSCALL_BASE \+ (\d+)\)", text)}


def linux_stats_dict(stats) -> dict:
    """The Linux server's counters and its -ENOSYS calls (by number) as plain data, for --json."""
    names = linux_syscall_names()
    return dict(
        processes=int(stats.processes), zombies=int(stats.zombies), frames_free=int(stats.frames_free),
        frames_total=int(stats.frames_total), syscalls=int(stats.syscalls),
        page_faults=int(stats.page_faults), oom_kills=int(stats.oom_kills),
        enosys=[dict(nr=int(e.nr), name="(above 510)" if e.nr == 511 else names.get(int(e.nr), "?"),
                     calls=int(e.count)) for e in sorted(stats.unknown, key=lambda e: e.nr)])


def enosys_not_allowed(stats, allowed: set[int]) -> list[int]:
    """The numbers the server answered -ENOSYS that are not in `allowed`, in order."""
    return sorted(int(e.nr) for e in stats.unknown if int(e.nr) not in allowed)


def linux_stats_tables(stats) -> tuple[Table, Table | None]:
    """The Linux server's counters, and its unknown system calls (None: there were none)."""
    table = Table(show_header=False, box=None, title="Linux server", title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    used = stats.frames_total - stats.frames_free
    for key, value in (("processes", f"{stats.processes:,} ({stats.zombies:,} not yet waited for)"),
                       ("memory pool", f"{used * 4:,} KiB of {stats.frames_total * 4:,} KiB in use"),
                       ("system calls handled", f"{stats.syscalls:,}"),
                       ("page faults handled", f"{stats.page_faults:,}"),
                       ("killed when memory ran out", f"{stats.oom_kills:,}")):
        table.add_row(key, value)
    if not stats.unknown:
        return table, None
    names = linux_syscall_names()
    unknown = Table(title="system calls answered -ENOSYS", title_justify="left")
    unknown.add_column("number", justify="right")
    unknown.add_column("name")
    unknown.add_column("calls", justify="right")
    for entry in sorted(stats.unknown, key=lambda e: -e.count):
        name = "(above 510)" if entry.nr == 511 else names.get(entry.nr, "?")
        unknown.add_row(str(entry.nr), escape(name), f"{entry.count:,}")
    return table, unknown


def cpython_table(rows) -> Table:
    """CPython's test modules on real Linux and on our server (host.cpython_tests.compare's rows)."""
    table = Table(title="CPython's regression tests: cases run, passed / failed / skipped", title_justify="left")
    for name, justify in (("module", "left"), ("real Linux", "right"), ("our server", "right"),
                          ("equal", "left")):
        table.add_column(name, justify=justify)
    for r in rows:
        sides = [f"{len(run.cases)}: {run.count('passed')} / {run.count('failed')} / {run.count('skipped')}"
                 for run in (r.linux, r.ours)]
        table.add_row(r.module, *sides, "[green]yes[/]" if r.equal else f"[red]no ({len(r.differ)} differ)[/]")
    return table


def syscall_table(result, abi: KernelAbi, number: int) -> Table:
    """The registers after a probed system call; r1 in words (an l4 error)."""
    table = Table(show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column()
    for index, value in enumerate(result.regs):
        note = ""
        if index == 1 and str(result.status) == "DONE":
            note = abi.describe_r1(value, number)
        elif index == 7 and str(result.status) == "DONE" and value == number:
            note = (abi.syscall_name(number) or "").lower()
        table.add_row(f"r{index}", f"0x{value:08x}", escape(note))
    return table


def trace_table(window, names: dict[int, str], abi: KernelAbi) -> Table:
    """Trace events oldest first, with the cycles since the previous one."""
    table = Table(title=f"trace events {window.first}..{window.first + len(window.events) - 1} "
                        f"(next {window.head})" if window.events else "no trace events")
    for column, justify in (("#", "right"), ("cycles", "right"), ("+", "right"), ("event", "left"),
                            ("", "left")):
        table.add_column(column, justify=justify)
    previous = None
    for offset, event in enumerate(window.events):
        delta = "" if previous is None else f"{(event.cycles - previous) & 0xFFFFFFFF:,}"
        previous = event.cycles
        kind, detail = describe_event(event, names, abi)
        table.add_row(str(window.first + offset), f"{event.cycles:,}", delta, kind, escape(detail))
    return table


def describe_event(event, names: dict[int, str], abi: KernelAbi) -> tuple[str, str]:
    kind = str(event.type)
    if kind == TraceType.IPC.name:
        return "IPC", f"{tid(event.a, names)} -> {tid(event.b, names)}, tag 0x{event.c:08x}"
    if kind == TraceType.IPC_SWITCH.name:
        return "IPC+switch", f"{tid(event.a, names)} -> {tid(event.b, names)}, tag 0x{event.c:08x}, runs it"
    if kind == TraceType.SWITCH.name:
        return "switch", f"{tid(event.a, names) if event.a else 'idle'} -> {tid(event.b, names)}"
    if kind == TraceType.IRQ.name:
        return "irq", f"line {event.a}"
    if kind == TraceType.FAULT.name:
        what = abi.exc_kind_name(event.c) or f"kind {event.c}"
        return "fault", f"{tid(event.a, names)} at 0x{event.b:08x}: {what}"
    if kind == TraceType.IRQ_IPC.name:
        return "irq ipc", f"{tid(event.a, names)} -> {tid(event.b, names)}"
    return kind, f"a 0x{event.a:08x} b 0x{event.b:08x} c 0x{event.c:08x}"


def profile_table(rows: list, total: int, title: str) -> Table:
    """`rig profile`'s rows (host.profile.Row): instructions per place, with the total."""
    table = Table(title=title, show_footer=True)
    table.add_column("where", footer="total", no_wrap=True)
    table.add_column("ELF")
    table.add_column("instructions", justify="right", footer=f"{total:,}")
    table.add_column("share", justify="right", footer="100.0%" if total else "")
    for row in rows:
        table.add_row(escape(row.name), escape(row.elf), f"{row.instructions:,}",
                      f"{row.instructions / total:.1%}" if total else "")
    return table


def profile_path(runs: list) -> Table:
    """The path of a profile: consecutive runs in one place, in the order they ran."""
    table = Table(title="the path (consecutive instructions in one place)", box=box.SIMPLE_HEAD)
    for column, justify in (("#", "right"), ("where", "left"), ("ELF", "left"), ("instructions", "right"),
                            ("so far", "right")):
        table.add_column(column, justify=justify)
    done = 0
    for index, run in enumerate(runs, 1):
        done += run.instructions
        table.add_row(str(index), escape(run.name), escape(run.elf), f"{run.instructions:,}", f"{done:,}")
    return table


def bench_table(runs: list[BenchRun], title: str) -> Table:
    table = Table(title=title)
    table.add_column("benchmark", no_wrap=True)
    for column in ("n", "min", "median", "p99", "max", "overhead"):
        table.add_column(column, justify="right")
    failures = any(not run.passed for run in runs)
    if failures:
        table.add_column("status")
    for run in runs:
        if run.passed:
            s = run.summary
            row = [escape(run.name), f"{s.n:,}", f"{s.min:,}", f"[bold]{s.median:,}[/]", f"{s.p99:,}",
                   f"{s.max:,}", f"{run.overhead:,}"]
        else:
            row = [escape(run.name), "", "", "", "", "", f"{run.overhead:,}"]
        if failures:
            row.append("[green]PASS[/]" if run.passed else f"[red]{escape(run.status)}[/]")
        table.add_row(*row)
    return table


# ---- the modem ----------------------------------------------------------------------------

L1_STATES = {0: "off", 1: "searching FCCH", 2: "reading SCH", 3: "camped", 4: "dedicated"}
RR_STATES = {0: "null", 1: "selecting the cell", 2: "idle (camped)", 3: "random access",
             4: "dedicated", 5: "releasing"}
MM_STATES = {0: "null", 1: "idle, not updated", 2: "location updating", 3: "waiting for the network",
             4: "idle, updated"}


def _fn(value: int) -> str:
    return "-" if value == 0xFFFFFFFF else str(value)


def modem_event_line(e) -> str:
    return f"frame {e.frame:>6}  FN {_fn(e.fn):>7}  {str(e.layer):<5} {e.text}  ({e.a:#x}, {e.b})"


def modem_events_table(events: list, limit: int = 40) -> Table:
    shown = events if len(events) <= limit else events[:limit // 2] + events[-(limit - limit // 2):]
    t = Table(title=f"modem events ({len(events)}{', some left out' if len(shown) < len(events) else ''})",
              title_justify="left")
    for name in ("frame", "FN", "layer", "what", "a", "b"):
        t.add_column(name, justify="right" if name in ("frame", "FN", "a", "b") else "left")
    for e in shown:
        t.add_row(str(e.frame), _fn(e.fn), str(e.layer), e.text, f"{e.a:#x}", str(e.b))
    return t


def modem_status_table(s) -> Table:
    t = Table(title=f"modem: frame {s.frame:,}, FN {_fn(s.fn)}, layer 1 {L1_STATES.get(s.l1_state, s.l1_state)}, "
                    f"RR {RR_STATES.get(s.rr_state, s.rr_state)}, MM {MM_STATES.get(s.mm_state, s.mm_state)}, "
                    f"BSIC {s.bsic:#04o}",
              title_justify="left",
              caption=f"blocks {s.blocks_ok:,} good, {s.blocks_bad:,} bad; channel bit errors "
                      f"{s.bit_errors:,} of {s.bits:,}"
                      + (f" ({100 * s.bit_errors / s.bits:.2f}%)" if s.bits else "")
                      + f"; radio underruns {s.underruns}", caption_justify="left")
    for name in ("task", "jobs", "deadline misses", "worst start (us)", "worst response (us)"):
        t.add_column(name, justify="left" if name == "task" else "right")
    for task in s.tasks:
        t.add_row(task.name, f"{task.jobs:,}", str(task.misses), f"{task.worst_start:,}", f"{task.worst_response:,}",
                  style="red" if task.misses else None)
    return t


def checks_table(checks: list, title: str) -> Table:
    t = Table(title=title, title_justify="left")
    t.add_column("")
    t.add_column("check")
    t.add_column("what was seen")
    for c in checks:
        mark = "[green]pass[/]" if c.passed else "[bold red]FAIL[/]" if c.gating else "[yellow]late[/]"
        t.add_row(mark, c.what + ("" if c.gating else " [dim](live: not judged)[/]"), escape(c.detail))
    return t


def sweep_table(points: list[dict], title: str) -> Table:
    t = Table(title=title)
    for name in ("SNR (dB)", "blocks", "bad", "BLER", "raw BER (decoded blocks)"):
        t.add_column(name, justify="right")
    for p in points:
        t.add_row(f"{p['snr_db']:g}", f"{p['blocks']:,}", f"{p['blocks_bad']:,}",
                  "-" if p["bler"] is None else f"{p['bler']:.2%}",
                  "-" if p["ber"] is None else f"{p['ber']:.3%}")
    return t


def _us(value, beyond: bool = False) -> str:
    return "-" if value is None else (f">= {value:,}" if beyond else f"{value:,}")


def stress_summary(r: dict) -> Table:
    t = Table(title=f"the modem under {r['attack']}" + (" (control: the modem below Linux)" if r["control"] else ""),
              show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    p = r["progress"] or {}
    rounds = f" ({r['rounds']} rounds)" if r.get("rounds", 1) > 1 else ""
    rows = [("frames run", f"{r['frames']:,}{rounds}"), ("deadline misses", f"{r['misses']:,}"),
            ("radio underruns", f"{r['underruns']:,}"),
            ("frame interrupt -> clock task (us): worst, p99.9",
             f"{_us(r['worst_frame_irq_us'])}, {_us(r.get('p999_frame_irq_us'), r.get('p999_frame_irq_beyond'))}"),
            ("timeslot end -> layer 1 running (us): worst, p99.9",
             f"{_us(r['worst_l1_start_us'])}, {_us(r.get('p999_l1_start_us'), r.get('p999_l1_start_beyond'))}"),
            ("the scenario's verdict", "pass" if r["scenario_passed"] else "FAIL"),
            ("Linux processes' cycles", f"{p.get('linux_cycles', 0):,}"),
            ("the Linux server's cycles", f"{p.get('server_cycles', 0):,}"),
            ("Linux system calls", f"{p.get('syscalls', 0):,}"), ("Linux page faults", f"{p.get('page_faults', 0):,}"),
            ("console bytes", f"{p.get('console_bytes', 0):,}"),
            ("Linux processes at the end", f"{p.get('processes_max', 0):,}")]
    if p.get("oom_kills"):
        rows.append(("out-of-memory kills", f"{p['oom_kills']:,}"))
    if p.get("frames_total"):
        rows.append(("Linux pool free at the end", f"{p['frames_free_end'] * 4:,} of {p['frames_total'] * 4:,} KiB"))
    for name, value in sorted((p.get("counts") or {}).items()):
        rows.append((f"the attack's own count: {name}", f"{value:,}"))
    if r.get("wall_seconds") is not None:
        rows.append(("wall time (s)", f"{r['wall_seconds']:,}"))
    for k, v in rows:
        t.add_row(k, v)
    return t


def stress_bench_table(results: list[dict], title: str) -> Table:
    """`bench modem --stress`: one row per attack."""
    t = Table(title=title, title_justify="left")
    for name in ("attack", "frames", "misses", "underruns", "IRQ -> fclk worst", "p99.9",
                 "slot end -> l1rx worst", "p99.9", "Linux syscalls", "page faults", "the attack's counts", "wall s"):
        t.add_column(name, justify="left" if name in ("attack", "the attack's counts") else "right")
    for r in results:
        p = r["progress"] or {}
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted((p.get("counts") or {}).items()))
        if p.get("oom_kills"):
            counts = f"OOM kills {p['oom_kills']:,}" + (", " + counts if counts else "")
        bad = r["misses"] or r["underruns"] or not r["scenario_passed"]
        t.add_row(r["attack"], f"{r['frames']:,}", str(r["misses"]), str(r["underruns"]),
                  _us(r["worst_frame_irq_us"]), _us(r["p999_frame_irq_us"], r["p999_frame_irq_beyond"]),
                  _us(r["worst_l1_start_us"]), _us(r["p999_l1_start_us"], r["p999_l1_start_beyond"]),
                  f"{p.get('syscalls', 0):,}", f"{p.get('page_faults', 0):,}", escape(counts),
                  f"{r.get('wall_seconds', 0):,.0f}", style="red" if bad else None)
    return t
