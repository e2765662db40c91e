"""host/linuxbench.py: parsing lbench's output and the JSON of `rig bench linux` (no board)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from host import bench as bench_mod
from host import linuxbench
from host.errors import RigError

ROOT = Path(__file__).resolve().parents[2]


def output(samples: int, skip: str | None = None, extra: str = "") -> str:
    lines = [f"bench {name} ns " + " ".join(str(10 * (i + 1) + k) for k in range(samples))
             for i, name in enumerate(linuxbench.NAMES) if name != skip]
    return "\n".join(lines) + "\n" + extra


def test_parse_reads_every_benchmark_in_order():
    got = linuxbench.parse("noise before\n" + output(3), 3)
    assert list(got) == list(linuxbench.NAMES)
    assert got["linux.getpid"] == [10, 11, 12]
    assert got["linux.fork_exec_wait"] == [70, 71, 72]


def test_parse_names_what_is_missing_and_quotes_the_output():
    with pytest.raises(RigError, match="(?s)linux.yield.*lbench: boom"):
        linuxbench.parse(output(3, skip="linux.yield", extra="lbench: boom\n"), 3)


@pytest.mark.parametrize("text", [output(2), output(3).replace(" 10 ", " 0 ")])
def test_parse_refuses_the_wrong_count_or_a_non_positive_sample(text):
    with pytest.raises(RigError, match="expected 3 positive"):
        linuxbench.parse(text, 3)


def test_json_has_rig_bench_shape_with_native_median_and_ratio():
    ours = linuxbench.parse(output(3), 3)
    theirs = {name: [v // 2 for v in values] for name, values in ours.items()}
    data = linuxbench.to_json("qemu-virt", True, "ab" * 20, ours, "vmlinuz-6.1.0-armmp", [theirs])
    first = data["results"][0]
    assert first == dict(name="linux.getpid", unit="ns", n=3, min=10, median=11, p99=12, max=12,
                         native_median=5, ratio=2.2, native_boot_medians=[5])
    assert data["samples"]["linux.getpid"] == [10, 11, 12]
    assert data["native"]["samples"] == theirs and data["native"]["boots"] == 1
    # the baseline gate reads it like any `rig bench --json`
    assert bench_mod.regressions(data, data, 0.05) == []
    slower = linuxbench.to_json("qemu-virt", True, "cd" * 20,
                                {n: [v * 2 for v in vals] for n, vals in ours.items()})
    assert any("linux.getpid: median 22 > 11" in p for p in bench_mod.regressions(slower, data, 0.05))


def test_several_boots_pool_their_samples_and_keep_each_median():
    """Real Linux booted three times: the native median is over every boot's samples together,
    and each boot's own median is kept, so the spread across boots can be read and shown."""
    ours = linuxbench.parse(output(3), 3)
    boots = [{name: [100, 100, 100] for name in linuxbench.NAMES},
             {name: [104, 104, 104] for name in linuxbench.NAMES},
             {name: [100, 102, 200] for name in linuxbench.NAMES}]
    data = linuxbench.to_json("qemu-virt", True, "ab" * 20, ours, "vmlinuz", boots)
    first = data["results"][0]
    assert first["native_median"] == 102 and first["native_boot_medians"] == [100, 104, 102]
    assert data["native"]["samples"]["linux.getpid"] == [100, 100, 100, 104, 104, 104, 100, 102, 200]
    assert data["native"]["boot_samples"] == boots and data["native"]["boots"] == 3
    assert linuxbench.spread(first["native_boot_medians"]) == pytest.approx(0.04)
    text = _render(linuxbench.table(data, "t"))
    assert "100–104 (4.0%, 3)" in text


def _render(table) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_json_without_native_has_no_ratio():
    data = linuxbench.to_json("qemu-virt", False, "ab" * 20, linuxbench.parse(output(1), 1))
    assert all("ratio" not in r and "native_median" not in r for r in data["results"])
    assert "native" not in data


def test_the_ratio_to_real_linux_is_gated_against_the_committed_native_figures():
    """`bench linux --compare` also holds the ratios: the median now over the native median the
    committed file holds, each within its bound; a bound with no figure fails too."""
    saved = {"results": [dict(name="linux.getpid", median=461, native_median=160),
                         dict(name="linux.pagefault", median=1926, native_median=3180),
                         dict(name="linux.yield", median=863, native_median=429)]}
    now = {"results": [dict(name="linux.getpid", median=470), dict(name="linux.pagefault", median=1900),
                       dict(name="linux.yield", median=900)]}
    bounds = {"linux.getpid": 3.0, "linux.pagefault": 1.5}
    got, broken = linuxbench.ratios(now, saved, bounds)
    assert got == {"linux.getpid": 2.94, "linux.pagefault": 0.6, "linux.yield": 2.1} and broken == []
    slow = {"results": [dict(name="linux.getpid", median=500), dict(name="linux.pagefault", median=1900)]}
    assert linuxbench.ratios(slow, saved, bounds)[1] == ["linux.getpid: 3.12× real Linux, the bound is 3.00×"]
    assert linuxbench.ratios(now, {"results": []}, bounds)[1] == [
        "linux.getpid: no ratio (no native figure saved, or not measured)",
        "linux.pagefault: no ratio (no native figure saved, or not measured)"]
    # every bound the gate holds has its figure in the committed file
    committed = json.loads((ROOT / "benchmarks" / "linux.json").read_text())
    assert not linuxbench.ratios(committed, committed)[1]
