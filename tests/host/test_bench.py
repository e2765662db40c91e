"""Unit tests of the benchmark arithmetic (host/bench.py): nearest-rank percentiles, summaries,
histograms, the JSON `rig bench --json` writes and the comparison `--same-as` makes.  No
board: the figures are worked out by hand."""

import json
import random
from pathlib import Path

import pytest

from host import bench
from host.errors import RigError


def test_nearest_rank_percentiles_are_samples_never_interpolations():
    samples = list(range(1, 101))                   # 1..100
    assert bench.percentile(samples, 50) == 50
    assert bench.percentile(samples, 99) == 99
    assert bench.percentile(samples, 100) == 100
    assert bench.percentile(samples, 1) == 1
    # rank = ceil(p/100 * n): for n = 1000, p99 is the 990th smallest
    thousand = list(range(1000, 0, -1))
    assert bench.percentile(thousand, 99) == 990
    # an even count: the median is the lower middle sample, not the mean of the two
    assert bench.percentile([10, 20, 30, 40], 50) == 20
    assert bench.percentile([7], 99) == 7
    # few samples: p99 is the largest
    assert bench.percentile([3, 1, 2], 99) == 3


@pytest.mark.parametrize("percent", [0, 101, -5])
def test_a_percentile_outside_0_to_100_is_refused(percent):
    with pytest.raises(ValueError):
        bench.percentile([1, 2, 3], percent)


def test_summary_of_samples_with_one_outlier():
    samples = [378] * 99 + [30_000]
    summary = bench.Summary.of(samples)
    assert summary == bench.Summary(n=100, min=378, median=378, p99=378, max=30_000)


def test_summary_does_not_depend_on_sample_order():
    rng = random.Random(4)
    samples = [rng.randrange(100, 5000) for _ in range(777)]
    shuffled = samples[:]
    rng.shuffle(shuffled)
    assert bench.Summary.of(samples) == bench.Summary.of(shuffled)


def test_histogram_of_identical_samples_is_one_row():
    assert bench.histogram([117] * 1000, width=10) == ["117 │██████████ 1000"]


def test_histogram_bins_up_to_p99_and_puts_the_rest_in_one_row():
    samples = [100] * 50 + [107] * 48 + [5000, 9000]     # p99 (rank 99) is 5000
    lines = bench.histogram(samples, bins=2, width=10)
    assert lines[0].startswith(" 100-2550 │") and lines[0].endswith(" 98")
    assert lines[1].startswith("2551-5000 │") and lines[1].endswith(" 1")
    assert lines[2] == "    >5000 │█ 1 (max 9000)"


def test_histogram_bar_lengths_follow_the_counts():
    lines = bench.histogram([1] * 40 + [2] * 20 + [3] * 40, bins=3, width=20)
    assert [line.count("█") for line in lines] == [20, 10, 20]


def run(name, samples, status="PASS", overhead=1):
    return bench.BenchRun(name=name, status=status, overhead=overhead, samples=samples)


def test_json_has_exactly_the_agreed_keys_and_keeps_the_raw_samples():
    runs = [run("ipc.call_roundtrip", [394, 394, 400]), run("syscall.null", [111] * 4),
            run("pf.user_pager", [], status="FAIL")]
    data = bench.to_json("qemu-virt", True, "ab" * 20, runs)
    json.dumps(data)                                # plain JSON types only
    assert data["board"] == "qemu-virt" and data["deterministic"] is True and data["build_id"] == "ab" * 20
    assert data["results"] == [
        dict(name="ipc.call_roundtrip", unit="cycles", n=3, min=394, median=394, p99=400, max=400),
        dict(name="syscall.null", unit="cycles", n=4, min=111, median=111, p99=111, max=111),
    ]
    assert data["samples"]["ipc.call_roundtrip"] == [394, 394, 400]
    assert data["failed"] == ["pf.user_pager"]


def test_same_figures_and_what_differs(tmp_path):
    before = bench.to_json("qemu-virt", True, "id", [run("a", [5, 6, 7]), run("b", [1])])
    same = bench.to_json("qemu-virt", True, "id", [run("a", [7, 6, 5]), run("b", [1])])
    assert bench.differences(same, before) == []    # samples in another order: same figures
    worse = bench.to_json("qemu-virt", True, "id", [run("a", [5, 6, 9])])
    assert bench.differences(worse, before) == ["a: p99 7 -> 9, max 7 -> 9", "b: only before"]
    other = bench.to_json("qemu-virt", False, "id2", [run("a", [5, 6, 7]), run("b", [1])])
    assert bench.differences(other, before) == ["build_id: 'id' before, 'id2' now",
                                                "deterministic: True before, False now"]
    path = tmp_path / "b.json"
    bench.write_json(path, before)
    assert bench.read_json(path) == before


def test_the_baseline_gate_passes_small_changes_and_names_each_regression():
    baseline = bench.to_json("qemu-virt", True, "old", [run("a", [100] * 100), run("b", [200] * 100)])
    # another build, within 5%, and faster: all pass
    within = bench.to_json("qemu-virt", True, "new", [run("a", [105] * 100), run("b", [150] * 100)])
    assert bench.regressions(within, baseline, 0.05) == []
    slower = bench.to_json("qemu-virt", True, "new", [run("a", [106] * 100), run("b", [200] * 98 + [300] * 2)])
    assert bench.regressions(slower, baseline, 0.05) == ["a: median 106 > 100 +5%", "a: p99 106 > 100 +5%",
                                                         "b: p99 300 > 200 +5%"]
    missing = bench.to_json("qemu-virt", True, "new", [run("a", [100] * 100)])
    assert bench.regressions(missing, baseline, 0.05) == ["b: in the baseline, not measured now"]


def test_the_gate_holds_p99_only_where_it_is_not_one_sample():
    """Of 31 samples (the Linux benchmarks) p99 is the largest: one batch that a timer tick fell
    in, or not, by when the request came.  The median is still held; p99 from 100 samples on."""
    baseline = bench.to_json("qemu-virt", True, "old", [run("a", [100] * 31)])
    a_tick = bench.to_json("qemu-virt", True, "new", [run("a", [100] * 30 + [117])])
    assert bench.regressions(a_tick, baseline, 0.05) == []
    slower = bench.to_json("qemu-virt", True, "new", [run("a", [106] * 31)])
    assert bench.regressions(slower, baseline, 0.05) == ["a: median 106 > 100 +5%"]
    many = bench.to_json("qemu-virt", True, "old", [run("a", [100] * 100)])
    two_ticks = bench.to_json("qemu-virt", True, "new", [run("a", [100] * 98 + [117] * 2)])
    assert bench.regressions(two_ticks, many, 0.05) == ["a: p99 117 > 100 +5%"]


def test_the_baseline_gate_fails_a_median_that_dropped_too_far():
    """A benchmark that stopped doing its work looks faster; beyond DROP_BOUND that is a failure."""
    baseline = bench.to_json("qemu-virt", True, "old", [run("a", [100] * 10), run("b", [200] * 10)])
    faster = bench.to_json("qemu-virt", True, "new", [run("a", [71] * 10), run("b", [139] * 10)])
    assert bench.regressions(faster, baseline, 0.05) == [
        "b: median 139 < 200 -30%: did it stop doing its work? (a real speed-up re-records the baseline)"]
    assert bench.regressions(faster, baseline, 0.05, drop=0.5) == []


def test_a_sample_below_the_overhead_is_a_broken_measurement_not_a_fast_one():
    broken = bench.BenchRun(name="x", status="FAIL", overhead=10, samples=[12, 3, 15, 9])
    assert not broken.passed
    assert broken.why == ("failed: 2 of 4 samples below the cost of measuring nothing (10 cycles): "
                          "a broken measurement, not a fast one")
    assert bench.BenchRun(name="y", status="TIMEOUT").why == "TIMEOUT"


def test_the_baseline_gate_refuses_figures_it_cannot_compare():
    baseline = bench.to_json("qemu-virt", True, "old", [run("a", [100])])
    noisy = bench.to_json("qemu-virt", False, "new", [run("a", [1])])
    assert bench.regressions(noisy, baseline, 0.05) == ["deterministic: True in the baseline, False now"]
    other = bench.to_json("other-board", True, "new", [run("a", [1])])
    assert bench.regressions(other, baseline, 0.05) == ["board: 'qemu-virt' in the baseline, 'other-board' now"]


def test_figures_of_another_kernel_configuration_are_not_compared():
    """The trace recorder off in the baseline and on now (as the kernel ships): not like with
    like, whatever the figures; and --same-as names the difference."""
    off = bench.to_json("qemu-virt", True, "old", [run("a", [100] * 10)], config=dict(recorder="off"))
    on = bench.to_json("qemu-virt", True, "old", [run("a", [100] * 10)], config=dict(recorder="on"))
    assert bench.regressions(on, off, 0.05) == ["the trace recorder: off in the baseline, on now: compare like with like"]
    other_flags = bench.to_json("qemu-virt", True, "new", [run("a", [100] * 10)],
                                config=dict(recorder="off", kernel_flags="-O2 -DPLANTED_SLOWDOWN=40"))
    assert bench.regressions(other_flags, off, 0.05) == []        # another build is the point of the gate
    assert bench.regressions(off, off, 0.05) == []
    assert bench.differences(on, off) == ["config: {'recorder': 'off'} before, {'recorder': 'on'} now"]


def test_reading_a_file_that_is_not_bench_json_is_one_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    with pytest.raises(RigError, match="is not the output of `rig bench --json`"):
        bench.read_json(path)
    path.write_text("{")
    with pytest.raises(RigError, match="is not JSON"):
        bench.read_json(path)


# ---- --compare and --plot (host/views.compare_table, host/bench.plot) ----------------------

def _run_json(median_scale: float = 1.0) -> dict:
    from host.bench import BenchRun, to_json
    runs = [BenchRun("ipc.call", "PASS", 1, [int(v * median_scale) for v in (390, 394, 394, 400, 900)]),
            BenchRun("syscall.null", "PASS", 1, [95] * 5)]
    return to_json("qemu-virt", True, "ab" * 20, runs)


def test_compare_table_shows_ratio_and_names_the_slower_figure():
    import io

    from rich.console import Console

    from host.views import compare_table
    console = Console(file=io.StringIO(), width=120)
    console.print(compare_table(_run_json(1.1), _run_json(), 0.05, title="against saved"))
    text = console.file.getvalue()
    row = next(line for line in text.splitlines() if "ipc.call" in line and "median" in line)
    assert "394" in row and "433" in row and "1.099×" in row and "slower" in row
    null = next(line for line in text.splitlines() if "syscall.null" in line and "median" in line)
    assert "1.000×" in null and "slower" not in null


def test_plot_draws_a_png_with_a_panel_per_benchmark(tmp_path):
    pytest.importorskip("matplotlib")       # the plot extra; tools/setup installs it
    from host.bench import plot
    path = tmp_path / "h.png"
    plot(_run_json(), path, title="test")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_samples_in_two_groups_are_found_and_one_group_is_left_alone():
    """A median between two modes describes neither: the samples are split where they fall
    apart, and only there."""
    rng = random.Random(7)
    one = [1000 + rng.randrange(40) for _ in range(31)]
    assert bench.groups(one) == []
    assert bench.groups([461] * 30 + [462]) == []                  # deterministic, off by one
    assert bench.groups([500] * 29 + [5000, 5200]) == []           # two outliers are not a group
    two = [429] * 16 + [2215, 2262, 2263, 2272, 2272, 2280, 2281, 2290, 2307, 2262, 2272, 2281, 2281, 2290, 2272]
    assert bench.groups(two) == [(16, 429), (15, 2272)]


def test_the_committed_native_runs_show_the_groups_they_have():
    """Real Linux's samples in benchmarks/linux.json (three boots pooled): the pipe round trip,
    fork+execve and a futex round fall into two groups each (yield did too while it timed every
    call, switching or not; switch to switch it is one group); ours into none (fork+exit+wait
    did, 6 of 31 batches 20,260 instructions longer, while the server's frame allocator looked
    at one frame at a time)."""
    data = json.loads((Path(__file__).resolve().parents[2] / "benchmarks" / "linux.json").read_text())
    split = {name for name, samples in data["native"]["samples"].items() if bench.groups(samples)}
    assert split == {"linux.pipe_roundtrip", "linux.fork_exec_wait", "linux.futex_pingpong"}
    assert not any(bench.groups(samples) for samples in data["samples"].values())
