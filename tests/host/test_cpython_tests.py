"""host/cpython_tests.py: reading `python3 -m test -v` and comparing two sides (no board).

tests/host/cpython/ holds recorded samples: test_fcntl's output as real Linux (Debian's 6.1
armmp kernel on the QEMU board) and our server printed it, one failure apart; the rest are made
up here to reach the cases those do not show."""

from __future__ import annotations

from pathlib import Path

import pytest

from host import cpython_tests as cpt
from host.errors import RigError

SAMPLES = Path(__file__).parent / "cpython"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def test_recorded_real_linux_run_every_case_with_its_outcome():
    run = cpt.parse("test_fcntl", sample("linux_test_fcntl.txt"), 0)
    assert len(run.cases) == 11 and run.ran == 11
    assert run.count(cpt.PASSED) == 9 and run.count(cpt.SKIPPED) == 2 and run.count(cpt.FAILED) == 0
    assert run.cases["test.test_fcntl.TestFcntl.test_fcntl_64_bit"] == cpt.SKIPPED
    # the test's own output comes between " ... " and "ok"
    assert run.cases["test.test_fcntl.TestFcntl.test_fcntl_file_descriptor"] == cpt.PASSED
    assert run.result == "SUCCESS"


def test_recorded_failure_is_read_and_compared():
    linux = cpt.parse("test_fcntl", sample("linux_test_fcntl.txt"), 0)
    ours = cpt.parse("test_fcntl", sample("ours_test_fcntl.txt"), 2)
    assert ours.cases["test.test_fcntl.TestFcntl.test_fcntl_f_pipesize"] == cpt.FAILED
    assert ours.result == "FAILURE"
    (row,) = cpt.compare({"test_fcntl": linux}, {"test_fcntl": ours})
    assert not row.equal
    assert row.differ == {"test.test_fcntl.TestFcntl.test_fcntl_f_pipesize": (cpt.PASSED, cpt.FAILED)}
    assert "| test_fcntl | 11: 9 / 0 / 2 | 11: 8 / 1 / 2 | no (1) |" in cpt.markdown([row])


MADE_UP = """\
0:00:00 load avg: 0.00 [1/1] test_x
test_doc (test.test_x.A.test_doc)
The first line of its docstring ... ok
test_sub (test.test_x.A.test_sub) ...
  test_sub (test.test_x.A.test_sub) (i=2) ... FAIL
test_xf (test.test_x.A.test_xf) ... expected failure
test_us (test.test_x.A.test_us) ... unexpected success
setUpClass (test.test_x.B) ... skipped 'no B here'
test_err (test.test_x.A.test_err) ... ERROR
test_late (test.test_x.A.test_late) ... ok

======================================================================
FAIL: test_sub (test.test_x.A.test_sub) (i=2)
----------------------------------------------------------------------
ERROR: test_late (test.test_x.A.test_late)
----------------------------------------------------------------------
Ran 6 tests in 0.1s
Tests result: FAILURE
"""


def test_docstrings_subtests_fixtures_and_failure_sections():
    run = cpt.parse("test_x", MADE_UP, 2)
    assert run.cases == {
        "test.test_x.A.test_doc": cpt.PASSED, "test.test_x.A.test_sub": cpt.FAILED,
        "test.test_x.A.test_xf": cpt.PASSED, "test.test_x.A.test_us": cpt.FAILED,
        "test.test_x.B.setUpClass": cpt.SKIPPED, "test.test_x.A.test_err": cpt.FAILED,
        # ok in its line, but an error in tearDown names it in a section afterwards
        "test.test_x.A.test_late": cpt.FAILED}
    assert run.ran == 6


def test_a_killed_run_keeps_what_it_printed_and_says_so():
    text = "test_a (test.test_x.A.test_a) ... ok\ntest_b (test.test_x.A.test_b) ... "
    run = cpt.parse("test_x", text, 137)
    assert run.cases == {"test.test_x.A.test_a": cpt.PASSED}
    assert run.result == "killed (timeout)"
    (row,) = cpt.compare({"test_x": cpt.parse("test_x", text + "ok\n", 0)}, {"test_x": run})
    assert row.differ == {"test.test_x.A.test_b": (cpt.PASSED, "not run")}


def test_split_takes_each_module_between_its_markers():
    console = (f"[ 1.0] kernel noise\n{cpt.BEGIN} test_a 3.25\nA's output\n{cpt.END} test_a 0\n"
               f"{cpt.BEGIN} test_b 9.50\nB's\n{cpt.END} test_b 137\n{cpt.BEGIN} done 12.00\n")
    assert cpt.split(console) == {"test_a": ("A's output\n", 0), "test_b": ("B's\n", 137)}


def test_a_module_without_cases_is_not_equal():
    empty = cpt.ModuleRun("test_x", result="no output")
    (row,) = cpt.compare({"test_x": empty}, {"test_x": cpt.ModuleRun("test_x")})
    assert not row.equal


def test_modules_come_from_the_list_and_others_are_refused():
    names = cpt.modules()
    assert len(names) >= 15 and all(n.startswith("test_") for n in names)
    assert "test_subprocess" in names and "test_subprocess" not in cpt.modules(slow=False)
    assert cpt.check_names(names[:2]) == names[:2]
    with pytest.raises(RigError, match="test_nonesuch"):
        cpt.check_names(["test_nonesuch"])
