"""Fixtures for host unit tests: a fake target on a pty (see fake_target.py), and pytester for
testing the rig's pytest plugin."""

import pytest

from fake_target import FakeTarget

pytest_plugins = ["pytester"]


@pytest.fixture
def fake():
    """A fake target sitting in its bootloader (no autoboot), on its own pty."""
    with FakeTarget() as target:
        yield target
