"""`rig bench linux`: the Linux interface measured, on our Linux server and on real Linux.

tests/linux/lbench.c measures seven lmbench-style operations the way a Linux program does, with
clock_gettime around batches, and prints one line per benchmark of nanoseconds per operation:

    bench linux.getpid ns 832 832 ...

The same static binary runs on our server (`lbench -n N` through the console, like `rig shell
-c`) and, with --vs-native, on Debian's kernel booted on the same QEMU machine with the same
arguments (host/reallinux.py).  With -icount shift=0 a nanosecond is one instruction, so both
sides count instructions per operation.  The figures (n, min, median, p99, max) are the ones
`rig bench` computes (host/bench.py); the JSON has `rig bench`'s shape with unit `ns`, and each
result also carries `native_median` and `ratio` (ours / native) when native was measured.
"""

from __future__ import annotations

import io
import re

from rich.markup import escape
from rich.table import Table

from . import bench as bench_mod
from . import reallinux
from . import shell as shell_mod
from .errors import RigError

NAMES = ("linux.getpid", "linux.write_devnull", "linux.pagefault", "linux.pipe_roundtrip", "linux.yield",
         "linux.fork_exit_wait", "linux.fork_exec_wait", "linux.exec_dynamic", "linux.thread_create_join",
         "linux.futex_pingpong", "linux.mmap_file_fault")
UNIT = "ns"
MAX_SAMPLES = 101                  # lbench's limit
_LINE = re.compile(r"^bench (linux\.\w+) ns((?: -?\d+)+)[ \t]*$", re.M)


def parse(text: str, samples: int) -> dict[str, list[int]]:
    """lbench's output: samples by benchmark name.  Every benchmark must be there, each with
    `samples` positive samples; anything else is an error that quotes the output."""
    found = {m.group(1): [int(v) for v in m.group(2).split()] for m in _LINE.finditer(text)}
    missing = [name for name in NAMES if name not in found]
    if missing:
        tail = text.strip()[-600:] or "(nothing)"
        raise RigError(f"lbench printed no figures for {', '.join(missing)}; it said:\n{tail}")
    for name, values in found.items():
        if len(values) != samples or min(values) <= 0:
            raise RigError(f"lbench's {name} gave {len(values)} samples {values[:5]}..., "
                           f"expected {samples} positive ones")
    return {name: found[name] for name in NAMES}


def on_target(link, samples: int, timeout: float = 600) -> dict[str, list[int]]:
    """Run lbench on our Linux server over the link."""
    out = io.BytesIO()
    status = shell_mod.run_line(link, f"lbench -n {samples}", out, timeout)
    text = out.getvalue().decode(errors="replace").replace("\r\n", "\n")
    if status != 0:
        raise RigError(f"lbench on the target exited with {status}:\n{text.strip()[-600:]}")
    return parse(text, samples)


def native(board: str, samples: int, deterministic: bool, boots: int = 1) -> tuple[str, list[dict[str, list[int]]]]:
    """Run lbench on real Linux on the board's QEMU machine, booted afresh `boots` times; the
    kernel's name and each boot's samples."""
    runs = []
    for _ in range(boots):
        text = reallinux.run(f"echo @@BEGIN\nlbench -n {samples}\necho \"@@END $?\"\n",
                             board=board, deterministic=deterministic)
        m = re.search(r"^@@BEGIN\n(.*?)^@@END (\d+)$", text, re.S | re.M)
        if not m:
            raise RigError(f"real Linux did not run lbench; its console said:\n{text[-1500:]}")
        if m.group(2) != "0":
            raise RigError(f"lbench on real Linux exited with {m.group(2)}:\n{m.group(1)[-600:]}")
        runs.append(parse(m.group(1), samples))
    return f"{reallinux.kernel().name} {reallinux.KERNEL_VERSION}", runs


def to_json(board: str, deterministic: bool, build_id: str, ours: dict[str, list[int]],
            native_kernel: str | None = None, boots: list[dict[str, list[int]]] | None = None) -> dict:
    """`rig bench --json`'s shape (unit ns), plus, when real Linux was measured: per result the
    native median (of every boot's samples together), the ratio (ours / native) and each boot's
    median; and the native samples, pooled and by boot."""
    runs = [bench_mod.BenchRun(name=name, status="PASS", samples=values) for name, values in ours.items()]
    data = bench_mod.to_json(board, deterministic, build_id, runs, unit=UNIT)
    for result in data["results"]:
        if split := bench_mod.groups(ours[result["name"]]):
            result["groups"] = split
    if boots:
        theirs = {name: [v for boot in boots for v in boot[name]] for name in NAMES}
        for result in data["results"]:
            name = result["name"]
            native_median = bench_mod.Summary.of(theirs[name]).median
            result["native_median"] = native_median
            result["ratio"] = round(result["median"] / native_median, 2)
            result["native_boot_medians"] = [bench_mod.Summary.of(boot[name]).median for boot in boots]
            if split := bench_mod.groups(theirs[name]):
                result["native_groups"] = split
        data["native"] = dict(kernel=native_kernel, boots=len(boots), samples=theirs,
                              boot_samples=boots)
    return data


def spread(medians: list[int]) -> float:
    """How far apart the boots' medians lie, as a fraction of the lowest."""
    return (max(medians) - min(medians)) / min(medians)


# The ratios to real Linux the server is held to: the figure measured now over the native median
# of the committed run (benchmarks/linux.json), median against median.
RATIO_BOUNDS = {"linux.getpid": 3.0, "linux.pagefault": 1.5, "linux.exec_dynamic": 1.2,
                "linux.thread_create_join": 1.0, "linux.futex_pingpong": 1.0, "linux.mmap_file_fault": 1.5}


def ratios(now: dict, saved: dict, bounds: dict[str, float] = RATIO_BOUNDS) -> tuple[dict[str, float], list[str]]:
    """Each benchmark's ratio to the native median `saved` holds, and the bounds it breaks."""
    native = {r["name"]: r["native_median"] for r in saved.get("results", []) if "native_median" in r}
    got = {r["name"]: round(r["median"] / native[r["name"]], 2) for r in now.get("results", []) if r["name"] in native}
    broken = [f"{name}: {got[name]:.2f}× real Linux, the bound is {bound:.2f}×"
              for name, bound in bounds.items() if name in got and got[name] > bound]
    missing = [f"{name}: no ratio (no native figure saved, or not measured)" for name in bounds if name not in got]
    return got, broken + missing


def table(data: dict, title: str) -> Table:
    results = data["results"]
    vs_native = any("ratio" in r for r in results)
    t = Table(title=title)
    t.add_column("benchmark", no_wrap=True)
    for column in ("n", "min", "median", "p99", "max"):
        t.add_column(column, justify="right")
    if vs_native:
        t.add_column("native median", justify="right")
        t.add_column("native boots' medians", justify="right")
        t.add_column("ratio", justify="right")
    grouped = any("groups" in r or "native_groups" in r for r in results)
    if grouped:
        t.add_column("samples in separate groups (count × median)")
    for r in results:
        row = [escape(r["name"]), f"{r['n']:,}", f"{r['min']:,}", f"[bold]{r['median']:,}[/]", f"{r['p99']:,}",
               f"{r['max']:,}"]
        if vs_native:
            boots = r.get("native_boot_medians") or [r["native_median"]]
            across = f"{min(boots):,}–{max(boots):,} ({spread(boots):.1%}, {len(boots)})" if len(boots) > 1 else "(1 boot)"
            row += [f"{r['native_median']:,}", across, f"[bold]{r['ratio']:.2f}×[/]"]
        if grouped:
            row.append("; ".join(f"{who}: " + ", ".join(f"{n} × {m:,}" for n, m in r[key])
                                 for who, key in (("ours", "groups"), ("native", "native_groups")) if key in r))
        t.add_row(*row)
    return t
