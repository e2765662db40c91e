"""Shared helpers of the on-target tests.  The fixtures for the board, the link and the firmware
come from the rig's pytest plugin (host/pytest_plugin.py); this file only adds a seeded random
generator, so that a failing random test can be replayed with RIG_SEED=<seed>."""

import os
import random

import pytest


@pytest.fixture
def rng(record_property):
    seed = int(os.environ.get("RIG_SEED", random.randrange(2**32)))
    record_property("seed", seed)
    print(f"random seed {seed} (replay with RIG_SEED={seed})")
    return random.Random(seed)
