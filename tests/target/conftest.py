"""Shared helpers of the on-target tests.  The fixtures for the board, the link and the firmware
come from the rig's pytest plugin (host/pytest_plugin.py); this file only adds a seeded random
generator, so that a failing random test can be replayed with RIG_SEED=<seed>, and a look at
the long-lived server threads, which tests that abuse the system check for harm."""

import os
import random

import pytest


@pytest.fixture
def rng(record_property):
    seed = int(os.environ.get("RIG_SEED", random.randrange(2**32)))
    record_property("seed", seed)
    print(f"random seed {seed} (replay with RIG_SEED={seed})")
    return random.Random(seed)


# Threads that live as long as the system: the boot servers and the helpers they name.  Threads
# that come and go by design (Linux processes, test helpers, the system-call probe) are left out.
SERVERS = ("sigma0", "root", "debugd", "ktest", "ktest-pager", "linux")


@pytest.fixture
def servers(debugd):
    """A callable: the server threads now in the kernel's table, by ID."""
    return lambda: {t.id: t for t in debugd.threads() if t.name in SERVERS}


@pytest.fixture
def check_unharmed(servers, kernel_abi):
    """A callable taking an earlier servers() snapshot: fails if a server is gone or stopped."""
    def check(before: dict, after_what: str) -> None:
        now = servers()
        for thread_id, thread in before.items():
            assert thread_id in now, f"{after_what}: {thread.name} ({thread_id:#x}) is gone"
            state = kernel_abi.state_name(now[thread_id].state)
            assert now[thread_id].stop_reason == 0 and state != "inactive", \
                f"{after_what}: {thread.name} is stopped " \
                f"({kernel_abi.exc_kind_name(now[thread_id].stop_reason) or 'halted'})"
    return check
