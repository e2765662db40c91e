"""The modem against the base-station simulator, over the board's radio link: the scenarios of
host/bts/scenario.py played as the board runs them (live: the downlink streamed a few frames
ahead of the modem's clock; deterministic: preloaded whole), judged by what the modem reports:
its events and its deadline and radio counters.
"""

from __future__ import annotations

import pytest

from host.bts import scenario as scenarios
from host.modem import ModemLink, run_scenario
from host.views import checks_table
from rich.console import Console


@pytest.fixture(scope="module")
def modem(rig_board, link):
    """The modem on the radio link of the board running its kernel (`link` sees to that)."""
    if rig_board.qemu is None:
        pytest.skip("the radio link is reached on QEMU boards")
    with ModemLink(rig_board.qemu.radio_port()) as m:
        m.hello(timeout=30.0)           # a kernel just booted: the modem faults its ring in first
        m.deterministic = bool((rig_board.qemu.state() or {}).get("deterministic"))
        yield m


def _play(modem, scenario):
    status = run_scenario(modem, scenario, deterministic=modem.deterministic)
    checks = scenario.verdict(list(modem.events), status, uplink=list(modem.uplink),
                              deterministic=modem.deterministic)
    console = Console(width=160, record=True)
    console.print(checks_table(checks, title=f"{scenario.name}, seed {scenario.seed}, {scenario.profile}"))
    return checks, console.export_text()


@pytest.mark.qemu
@pytest.mark.parametrize("profile", ["clean", "urban"])
def test_the_mobile_camps_on_the_cell_and_hears_its_page(modem, profile):
    scenario = scenarios.make("camp", seed=3, profile=profile)
    checks, text = _play(modem, scenario)
    assert scenario.passed(checks), text


@pytest.mark.qemu
def test_a_wrong_cell_fails_the_verdict(modem):
    """The verdict can fail: the mobile camps on the cell it hears, and a scenario that
    expects another cell identity must say so."""
    scenario = scenarios.make("camp", seed=5)
    checks, text = _play(modem, scenario)
    assert scenario.passed(checks), text
    scenario.cell.cell_id ^= 1          # what the scenario now expects is not what was on the air
    again = scenario.verdict(list(modem.events), modem.status(), deterministic=modem.deterministic)
    assert not next(c for c in again if c.what.startswith("read SI1-SI4")).passed


@pytest.mark.qemu
@pytest.mark.parametrize("profile", ["clean", "urban"])
def test_the_mobile_registers_by_location_update(modem, profile):
    """RACH, immediate assignment, SDCCH with LAPDm, LU accepted with a TMSI, channel release:
    the uplink decoded by the network's receiver, block by block."""
    scenario = scenarios.make("location-update", seed=3, profile=profile)
    checks, text = _play(modem, scenario)
    assert scenario.passed(checks), text


@pytest.mark.qemu
@pytest.mark.parametrize("name", ["mo-call", "mt-call"])
@pytest.mark.parametrize("profile", ["clean", "urban"])
def test_a_speech_call_connects_carries_speech_and_clears(modem, name, profile):
    """Dialled or paged, the call goes SDCCH -> TCH/F, connects, carries the speech pattern
    both ways for two seconds and is cleared by the network; on the clean channel every speech
    frame arrives bit for bit."""
    scenario = scenarios.make(name, seed=3, profile=profile, seconds=2.0)
    checks, text = _play(modem, scenario)
    assert scenario.passed(checks), text


@pytest.mark.qemu
def test_a_faded_channel_is_a_radio_link_failure(modem):
    """The network's signal on the traffic channel fades to noise mid-call: the mobile counts
    its lost SACCH blocks down (45.008 5.2), drops the call and camps again."""
    scenario = scenarios.make("link-failure", seed=3)
    checks, text = _play(modem, scenario)
    assert scenario.passed(checks), text


@pytest.mark.qemu
def test_a_network_expecting_another_exchange_fails_the_verdict(modem):
    """The uplink checks can fail: after a good run, a network that expected another TMSI back
    or another frame in the first uplink block says so."""
    scenario = scenarios.make("location-update", seed=4)
    checks, text = _play(modem, scenario)
    assert scenario.passed(checks), text
    events, status, uplink = list(modem.events), modem.status(), list(modem.uplink)
    scenario.tmsi ^= 1
    first = min(scenario.dedicated.expect)
    frame, what = scenario.dedicated.expect[first]
    scenario.dedicated.expect[first] = (type(frame)(frame.sapi, frame.cr, frame.ctl, frame.info[:-1]), what)
    again = {c.what: c.passed for c in scenario.verdict(events, status, uplink=uplink)}
    assert not again["registered: location updating accepted, TMSI stored"]
    assert not again["the SDCCH exchange, block by block"]
    assert again["channel request on the RACH"]


@pytest.mark.qemu
def test_the_modem_reports_its_state_and_tasks(modem):
    status = modem.status()
    names = [t.name for t in status.tasks]
    assert names[:5] == ["fclk", "l1rx", "l1dec", "rr", "ulblock"], names
    assert status.l1_state == 0             # the last scenario stopped the clock


@pytest.mark.qemu
def test_the_radio_link_refuses_garbage_and_keeps_serving(modem):
    """Noise, a frame with a bad CRC and bursts out of order: the modem says what was wrong
    and goes on answering."""
    import os

    from host.modem import Burst
    from host.link import raw_frame
    from protocol import MsgType

    modem.stop()
    modem.link.send_raw(os.urandom(3000) + b"\x00")
    bad = bytearray(raw_frame(MsgType.MODEM_STATUS, 7, b""))
    bad[2] ^= 0x40                      # a flipped bit inside the stuffed frame
    modem.link.send_raw(bytes(bad))
    modem.pump(0.5)
    assert modem.link.bad_frames == 0   # the host heard only well-formed answers
    errors = [line for line in modem.link.lines if "ERROR" in line]
    assert errors, modem.link.lines
    # bursts out of order: the later one is refused, the ring keeps the first
    silence = __import__("numpy").zeros(312, dtype="int16")
    first = modem.send([Burst(10, 0, silence)])
    again = modem.send([Burst(5, 0, silence)])
    assert again.buffered == first.buffered
    modem.stop()
    assert modem.send([Burst(0, 0, silence)]).buffered == 1     # emptied by the stop: accepted
    modem.stop()
    assert modem.status().l1_state == 0


@pytest.mark.qemu
def test_the_radio_link_loses_nothing_to_a_host_that_reads_slowly(modem):
    """Six thousand latency histograms (6 MiB) asked for at once, and the host reads nothing for
    four seconds: more than the socket between QEMU and the host holds (about 4 MiB here).  The
    device holds the modem's writes back until the host reads (flow control) and every answer
    arrives.  (On a virtio console, which the link was once, a third of them were lost: QEMU
    drops what a console's host side cannot take at once.)"""
    import time

    from protocol import MsgType

    count = 6000
    answered: set[int] = set()
    passed_on = modem.link.on_message

    def note(msg):
        if msg.type == MsgType.MODEM_LATENCY_INFO:
            answered.add(msg.seq)
        passed_on(msg)

    modem.link.on_message = note
    try:
        asked = {modem.link.send(MsgType.MODEM_LATENCY, dict(task=0)) for _ in range(count)}
        time.sleep(4.0)                 # the slow reader: nothing read while the answers pile up
        while len(answered) < count and modem.link.drain(2.0):
            pass
    finally:
        modem.link.on_message = passed_on
    assert answered == asked, f"{len(answered)} of {count} answers arrived"
    assert modem.link.bad_frames == 0
