"""The kernel's own tests, run on the target by ktest (the test server) and driven from here.

One pytest test per `KTEST()` in firmware/user/ktest/: the list comes from ktest.elf (the
plugin parametrizes `ktest_test` from its `ktests` table), so a new on-target test needs no
change here.  Each must PASS; on failure the report carries the target's own text.  Around
every test the server threads are checked (conftest.SERVERS): a test, the system-call fuzzer
above all, must leave them alive and not stopped.
"""

import pytest

from host.debugd import RUN_TIMEOUT

# Tests that run longer than debugd's usual answer time.  The fuzzer makes 100,000 system calls
# (15-25 s under QEMU); debugd gives up on the test server after 30 s, the host waits longer.
TIMEOUTS = {"fuzz.syscalls": 90.0}


@pytest.mark.feature("TESTS", "THREADS")
def test_on_target(debugd, servers, check_unharmed, ktest_test):
    before = servers()
    result = debugd.run_test(ktest_test, timeout=TIMEOUTS.get(ktest_test, RUN_TIMEOUT))
    assert str(result.status) == "PASS", f"{ktest_test}: {result.status}: {result.text or '(the target said nothing)'}"
    check_unharmed(before, f"after {ktest_test}")
