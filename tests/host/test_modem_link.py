"""ModemLink.stream's two ways of giving up, on a fake modem (no board: `pump`, which would read
the radio link, is replaced by a clock that moves the modem's frame on at a set pace)."""

from __future__ import annotations

import time

import pytest

from host.errors import RigError
from host.modem import ModemLink, RadioState


def fake_modem(seconds_per_frame: float | None) -> ModemLink:
    """A modem whose frame moves one on every `seconds_per_frame` (None: never)."""
    modem = ModemLink.__new__(ModemLink)         # no link: nothing is sent or read
    modem.radio = RadioState(running=True)
    start = time.monotonic()

    def pump(timeout: float = 0.0) -> None:
        time.sleep(timeout)
        if seconds_per_frame is not None:
            modem.radio.frame = int((time.monotonic() - start) / seconds_per_frame)

    modem.pump = pump
    return modem


def test_a_slow_modem_runs_out_of_a_whole_runs_time_but_not_of_a_stall_timeout():
    """20 frames at 25 ms each take 0.5 s: past a 0.2 s budget for the whole run, never 0.2 s
    without a frame.  (A deterministic run on a busy host is slow, not stuck.)"""
    with pytest.raises(RigError, match=r"at frame \d+ of 20 after 0.2 s"):
        fake_modem(0.025).stream(iter([]), lead_frames=4, until_frame=20, timeout=0.2)
    fake_modem(0.025).stream(iter([]), lead_frames=4, until_frame=20, timeout=0.2, stall=True)


def test_a_modem_whose_clock_stands_still_is_given_up_with_a_stall_timeout():
    with pytest.raises(RigError, match=r"clock stood at frame 0 of 20 for 0.2 s"):
        fake_modem(None).stream(iter([]), lead_frames=4, until_frame=20, timeout=0.2, stall=True)
