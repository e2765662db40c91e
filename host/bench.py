"""Benchmarks: run them on the target, summarise the samples, draw histograms, write JSON.

The target measures the way sel4bench does (firmware/user/ktest/bench.c): warm-up runs are
discarded, the cost of an empty measurement is measured and subtracted, and every sample comes
back raw, in cycles.  The host derives everything else from the raw samples, here and nowhere
else, so a figure in a table, a JSON file and docs/benchmarks.md means the same thing:

- min and max: the smallest and largest sample;
- percentiles by **nearest rank**: the p-th percentile of n samples is the sample of rank
  ceil(p/100 * n) (1-based) in ascending order, i.e. the smallest sample that at least p % of
  the samples do not exceed.  It is always one of the samples, never an interpolation, so
  figures are whole cycles and two identical runs give identical figures;
- the median is the 50th percentile by that rule (for an even n, the lower of the two middle
  samples).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from protocol import TestStatus

from .errors import RigError

UNIT = "cycles"
HISTOGRAM_BINS = 8
HISTOGRAM_WIDTH = 40
FIGURES = ("n", "min", "median", "p99", "max")


def percentile(samples: list[int], percent: int) -> int:
    """Nearest-rank percentile (see the module comment) of `samples`, 0 < percent <= 100."""
    if not samples:
        raise ValueError("no samples")
    if not 0 < percent <= 100:
        raise ValueError(f"percentile {percent} is not in (0, 100]")
    ordered = sorted(samples)
    rank = -(-percent * len(ordered) // 100)      # ceil(percent/100 * n) in integers
    return ordered[rank - 1]


@dataclass(frozen=True)
class Summary:
    n: int
    min: int
    median: int
    p99: int
    max: int

    @classmethod
    def of(cls, samples: list[int]) -> "Summary":
        return cls(n=len(samples), min=min(samples), median=percentile(samples, 50),
                   p99=percentile(samples, 99), max=max(samples))


# Samples fall into two groups when, sorted, their widest gap (with at least GROUP_SHARE of them
# on each side) is wider than GROUP_GAP of their median and than twice the spread (p10 to p90)
# of either side: one median would then sit between two modes and describe neither.
GROUP_GAP = 0.02
GROUP_SHARE = 0.10


def groups(samples: list[int]) -> list[tuple[int, int]]:
    """The two groups the samples fall into, as (count, median) each, smaller values first; []
    when they form one."""
    ordered = sorted(samples)
    n = len(ordered)
    least = max(3, math.ceil(GROUP_SHARE * n))
    if n < 2 * least:
        return []
    gap, cut = max((ordered[i] - ordered[i - 1], i) for i in range(least, n - least + 1))
    left, right = ordered[:cut], ordered[cut:]
    spread = max(percentile(side, 90) - percentile(side, 10) for side in (left, right))
    if gap <= GROUP_GAP * percentile(ordered, 50) or gap <= 2 * spread:
        return []
    return [(len(left), percentile(left, 50)), (len(right), percentile(right, 50))]


@dataclass
class BenchRun:
    """One benchmark's answer: its status, the overhead the target subtracted, raw samples."""

    name: str
    status: str                     # a TestStatus name: PASS, FAIL, ERROR, NO_SUCH_TEST, TIMEOUT
    overhead: int = 0
    samples: list[int] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == TestStatus.PASS.name and bool(self.samples)

    @property
    def why(self) -> str:
        """Why it did not pass, in words."""
        below = sum(s < self.overhead for s in self.samples)
        if self.status == TestStatus.FAIL.name and below:
            return (f"failed: {below} of {len(self.samples)} samples below the cost of measuring nothing "
                    f"({self.overhead} cycles): a broken measurement, not a fast one")
        return self.status

    @property
    def summary(self) -> Summary:
        return Summary.of(self.samples)


def run(debugd, name: str, iterations: int, recorder: bool = True) -> BenchRun:
    """Run one benchmark through debugd (host.debugd.Debugd), the trace recorder on (as the
    kernel ships) or off."""
    got = debugd.bench(name, iterations, recorder=recorder)
    return BenchRun(name=name, status=str(got.status), overhead=got.overhead, samples=list(got.samples))


def histogram(samples: list[int], bins: int = HISTOGRAM_BINS, width: int = HISTOGRAM_WIDTH) -> list[str]:
    """A text histogram: up to `bins` equal ranges from the minimum to the 99th percentile, and
    one more row for the samples above it (a timer tick that landed in a measurement, say),
    which would otherwise squash every other bar into the first row."""
    if not samples:
        return []
    low, high = min(samples), percentile(samples, 99)
    step = max(1, -(-(high - low + 1) // bins))
    counts = [0] * (-(-(high - low + 1) // step))
    above = []
    for sample in samples:
        if sample > high:
            above.append(sample)
        else:
            counts[(sample - low) // step] += 1
    rows = []
    for index, count in enumerate(counts):
        start = low + index * step
        end = min(high, start + step - 1)
        rows.append((f"{start}" if start == end else f"{start}-{end}", count, ""))
    if above:
        rows.append((f">{high}", len(above), f" (max {max(above)})"))
    label_width = max(len(label) for label, _, _ in rows)
    most = max(count for _, count, _ in rows)
    lines = []
    for label, count, note in rows:
        bar = "█" * (max(1, round(count * width / most)) if count else 0)
        lines.append(f"{label:>{label_width}} │{bar} {count}{note}")
    return lines


def to_json(board: str, deterministic: bool, build_id: str, runs: list[BenchRun], unit: str = UNIT,
            config: dict | None = None) -> dict:
    """The JSON `rig bench --json` writes.  `config` is the kernel configuration measured (the
    trace recorder on or off); `results` holds the summaries of the benchmarks that passed;
    `samples` (raw, overhead already subtracted) and `overhead` keep what they came from, by
    name; `failed` names the benchmarks that did not pass, if any."""
    data = dict(board=board, deterministic=deterministic, build_id=build_id,
                **({"config": config} if config else {}),
                results=[dict(name=r.name, unit=unit, **_figures(r.summary)) for r in runs if r.passed],
                samples={r.name: r.samples for r in runs if r.passed},
                overhead={r.name: r.overhead for r in runs if r.passed})
    failed = [r.name for r in runs if not r.passed]
    if failed:
        data["failed"] = failed
    return data


def write_json(path: str | Path, data: dict) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise RigError(f"cannot write {path}: {exc.strerror or exc}") from None


def differences(now: dict, before: dict) -> list[str]:
    """What differs between two `rig bench --json` outputs, figure by figure (empty: the
    same figures for the same benchmarks on the same build)."""
    problems = []
    for key in ("board", "build_id", "deterministic", "config"):
        if now.get(key) != before.get(key):
            problems.append(f"{key}: {before.get(key)!r} before, {now.get(key)!r} now")
    old = {r["name"]: r for r in before.get("results", [])}
    new = {r["name"]: r for r in now.get("results", [])}
    for name in sorted(old.keys() | new.keys()):
        if name not in new or name not in old:
            problems.append(f"{name}: only {'before' if name in old else 'now'}")
            continue
        changed = [f"{k} {old[name].get(k)} -> {new[name].get(k)}" for k in FIGURES
                   if old[name].get(k) != new[name].get(k)]
        if changed:
            problems.append(f"{name}: {', '.join(changed)}")
    return problems


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def baseline_file(board: str) -> Path:
    """The committed deterministic run a board's kernel benchmarks are held to: qemu-virt's is
    benchmarks/baseline.json, another board's benchmarks/baseline-<board>.json."""
    return BENCHMARKS / ("baseline.json" if board == "qemu-virt" else f"baseline-{board}.json")


GATED = ("median", "p99")
# p99 is gated only over at least this many samples: below 100 the nearest rank's p99 is the
# largest sample, one batch, and whether a timer tick lands in one batch of a deterministic run
# depends on when the host's request arrived (the Linux benchmarks take 31).
P99_MIN_SAMPLES = 100


def gated(figure: str, old: dict, new: dict) -> bool:
    """Whether `figure` of a benchmark is held to its baseline (`old`) in a run (`new`)."""
    return figure != "p99" or min(old.get("n", 0), new.get("n", 0)) >= P99_MIN_SAMPLES
# A median this far below its baseline fails the gate too: a benchmark that stopped doing its
# work must not pass as a faster one.  A real speed-up re-records the baseline, with the reason.
DROP_BOUND = 0.30


def regressions(now: dict, baseline: dict, tolerance: float, drop: float = DROP_BOUND) -> list[str]:
    """The figures of `now` that are worse than the committed `baseline` by more than
    `tolerance` (a fraction: 0.05 lets a median grow 5%), median and p99 of every benchmark
    the baseline has (p99 over P99_MIN_SAMPLES or more), and the medians more than `drop`
    below it.  Both must come from
    deterministic runs on the same board; the build may differ, that is the point.  Empty: no
    regression."""
    for key in ("board", "deterministic"):
        if now.get(key) != baseline.get(key):
            return [f"{key}: {baseline.get(key)!r} in the baseline, {now.get(key)!r} now"]
    if "config" in now and "config" in baseline and now["config"].get("recorder") != baseline["config"].get("recorder"):
        return [f"the trace recorder: {baseline['config'].get('recorder')} in the baseline, "
                f"{now['config'].get('recorder')} now: compare like with like"]
    if not now.get("deterministic"):
        return ["figures that are not deterministic cannot be held to a baseline"]
    new = {r["name"]: r for r in now.get("results", [])}
    problems = []
    for old in baseline.get("results", []):
        name = old["name"]
        if name not in new:
            problems.append(f"{name}: in the baseline, not measured now")
            continue
        for figure in GATED:
            limit = old[figure] * (1 + tolerance)
            if gated(figure, old, new[name]) and new[name][figure] > limit:
                problems.append(f"{name}: {figure} {new[name][figure]} > {old[figure]} "
                                f"+{tolerance:.0%}")
        if new[name]["median"] < old["median"] * (1 - drop):
            problems.append(f"{name}: median {new[name]['median']} < {old['median']} -{drop:.0%}: did it stop "
                            f"doing its work? (a real speed-up re-records the baseline)")
    return problems


def read_json(path: str | Path) -> dict:
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise RigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise RigError(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise RigError(f"{path} is not the output of `rig bench --json`")
    return data


def _figures(summary: Summary) -> dict:
    return {name: getattr(summary, name) for name in FIGURES}


def plot(data: dict, path: str | Path, title: str = "") -> None:
    """Each benchmark's samples as a histogram, one panel each, into a PNG (matplotlib, the
    project's `plot` extra).  The bins run from the minimum to the 99th percentile, as the text
    histograms do; the samples above it are counted in the panel's title."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RigError("--plot needs matplotlib: .venv/bin/pip install -e '.[plot]' (tools/setup installs it)") from None
    results = data.get("results", [])
    if not results:
        raise RigError("no figures to plot")
    fig, axes = plt.subplots(len(results), 1, figsize=(8, 1.9 * len(results) + 0.6), squeeze=False)
    for ax, result in zip(axes[:, 0], results):
        samples = data["samples"][result["name"]]
        high = percentile(samples, 99)
        shown = [s for s in samples if s <= high]
        above = len(samples) - len(shown)
        bins = min(40, max(1, high - min(samples) + 1))
        ax.hist(shown, bins=bins, color="#5b8def")
        ax.axvline(result["median"], color="#c0392b", linewidth=1.5)
        note = f", {above} above p99 (max {result['max']:,})" if above else ""
        ax.set_title(f"{result['name']}: median {result['median']:,} {result['unit']}, n {result['n']:,}{note}",
                     fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise RigError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)


def plot_sweep(sweeps: dict[str, list[dict]], path: str | Path, title: str = "") -> None:
    """BLER and raw BER against SNR (log scale), one colour per channel profile, with coherent
    GMSK's raw BER in AWGN for reference: Q(sqrt(2 a Eb/N0)), a = 0.68 for BT = 0.3 (Murota
    and Hirade, 1981)."""
    import math

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RigError("--plot needs matplotlib: .venv/bin/pip install -e '.[plot]' (tools/setup installs it)") from None
    fig, ax = plt.subplots(figsize=(7, 4.4))
    snrs = [p["snr_db"] for points in sweeps.values() for p in points]
    for n, (profile, points) in enumerate(sweeps.items()):
        colour = f"C{n}"
        for key, what, style in (("bler", "block error rate", "o-"), ("ber", "raw bit error rate", "s--")):
            xs = [p["snr_db"] for p in points if p[key]]
            ys = [p[key] for p in points if p[key]]
            ax.semilogy(xs, ys, style, color=colour, label=f"{profile}: {what}")
    grid = [min(snrs) + i * (max(snrs) - min(snrs)) / 50 for i in range(51)]
    theory = [0.5 * math.erfc(math.sqrt(0.68 * 10 ** (g / 10))) for g in grid]
    ax.semilogy(grid, theory, ":", color="grey", label="GMSK BT=0.3 in AWGN, theory")
    ax.set_xlabel("Es/N0 (dB)")
    ax.set_ylim(1e-5, 1)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
