"""rig test --boards N: planning shards and merging their JUnit reports (no board)."""

from __future__ import annotations

from pathlib import Path

from host.testrun import merge_junit, plan_shards


def test_shards_balance_by_earlier_durations_longest_first():
    files = [Path(f"test_{name}.py") for name in ("a", "b", "c", "d", "e")]
    durations = {"test_a": 30.0, "test_b": 20.0, "test_c": 12.0, "test_d": 9.0, "test_e": 8.0}
    shards = plan_shards(files, 2, durations)
    assert [[p.stem for p in shard] for shard in shards] == [["test_a", "test_d"], ["test_b", "test_c", "test_e"]]
    assert sorted(p for shard in shards for p in shard) == sorted(files)


def test_no_empty_shards_and_unknown_files_count_alike():
    shards = plan_shards([Path("test_x.py")], 3, {})
    assert shards == [[Path("test_x.py")]]


def test_merged_report_keeps_every_suite_and_sums_the_totals(tmp_path):
    for k, (tests, failures, skipped) in enumerate(((3, 1, 0), (5, 0, 2))):
        (tmp_path / f"r{k}.xml").write_text(
            f'<?xml version="1.0"?><testsuites><testsuite name="target" tests="{tests}" failures="{failures}" '
            f'errors="0" skipped="{skipped}"><testcase classname="tests.target.test_{k}" name="t" time="1.0"/>'
            f'</testsuite></testsuites>')
    totals = merge_junit([tmp_path / "r0.xml", tmp_path / "r1.xml", tmp_path / "missing.xml"], tmp_path / "all.xml")
    assert totals == dict(tests=8, failures=1, errors=1, skipped=2)     # a shard without a report is an error
    text = (tmp_path / "all.xml").read_text()
    assert text.count("<testsuite ") == 2 and "test_0" in text and "test_1" in text
