"""Fixtures for host unit tests: a fake target on a pty (see fake_target.py)."""

import pytest

from fake_target import FakeTarget


@pytest.fixture
def fake():
    """A fake target sitting in its bootloader (no autoboot), on its own pty."""
    with FakeTarget() as target:
        yield target
