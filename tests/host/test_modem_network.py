"""The network's side of the scenarios (host/bts/network.py) and the mobile's uplink bursts: the
facts the scripted exchanges rest on, each held against the specification or an independent
implementation, not against the code that uses it.  The C is the firmware's, built for the host."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostc
from host.bts import coding, gmsk, l3, lapdm, network
from host.bts.cell import Cell

L1 = "servers/modem/l1"


@pytest.fixture(scope="module")
def lib():
    lib = hostc.build("modem_bursts", [f"{L1}/bursts.c", f"{L1}/coding.c", f"{L1}/conv.c", f"{L1}/crc.c"],
                      include=[L1])
    for f in (lib.gsm_normal_burst, lib.gsm_access_burst, lib.gsm_rach_encode):
        f.restype = None
    return lib


def _u8(values, n):
    return (ctypes.c_uint8 * n)(*[int(v) for v in values])


def test_mobile_random_is_marsaglias_xorshift32():
    # Marsaglia, "Xorshift RNGs" (2003): 13, 17, 5 from y = 1 gives 270369, then 67634689.
    r = network.MobileRandom(1)
    assert [r.next(), r.next()] == [270369, 67634689]
    assert network.MobileRandom(0).state == 0x9E3779B9


def test_sdcch8_blocks_follow_45002_table_3():
    # subchannel n: downlink frames 4n..4n+3, uplink 15 later (TS 45.002 clause 7 table 3)
    for sub in range(8):
        assert network.sdcch_dl_start(sub, 0) == 4 * sub
        assert network.sdcch_ul_start(sub, 0) == 4 * sub + 15
        assert network.sdcch_ul_start(sub, 4 * sub + 16) == 4 * sub + 15 + 51
    ded = network.Dedicated(sub=3, tn=1, tsc=0, first_fn=51, last_fn=200)
    assert [fn for fn in range(51, 102) if ded.dl_block(fn)] == [63, 64, 65, 66]
    assert ded.dl_block(12) is None                     # before the channel was assigned


@settings(max_examples=50, deadline=None)
@given(payload=st.lists(st.integers(0, 1), min_size=116, max_size=116), tsc=st.integers(0, 7))
def test_c_normal_burst_is_the_modulators_layout(lib, payload, tsc):
    out = (ctypes.c_uint8 * 148)()
    lib.gsm_normal_burst(_u8(payload, 116), tsc, out)
    assert list(out) == list(gmsk.normal_burst(payload, tsc))


def test_c_access_burst_is_45002_5_2_7(lib):
    # extended tail 00111010, the 41-bit synchronisation sequence, 36 coded bits, 3 tail bits
    sync = "01001011011111111001100110101010001111000"
    coded = np.random.default_rng(1).integers(0, 2, 36)
    out = (ctypes.c_uint8 * 148)()
    lib.gsm_access_burst(_u8(coded, 36), out)
    bits = list(out)
    assert bits[:8] == [0, 0, 1, 1, 1, 0, 1, 0]
    assert bits[8:49] == [int(c) for c in sync]
    assert bits[49:85] == list(coded)
    assert bits[85:] == [0] * 63


@settings(max_examples=40, deadline=None)
@given(ra=st.integers(0, 255), bsic=st.integers(0, 63))
def test_the_networks_receiver_decodes_the_mobiles_access_burst(lib, ra, bsic):
    coded, bits = (ctypes.c_uint8 * 36)(), (ctypes.c_uint8 * 148)()
    lib.gsm_rach_encode(ra, bsic, coded)
    lib.gsm_access_burst(coded, bits)
    soft = np.array(list(bits)[49:85], dtype=float) * 2 - 1
    d = coding.rach_decode(soft, bsic)
    assert d.ok and d.data == ra
    assert not coding.rach_decode(soft, bsic ^ 1).ok     # BSIC-coloured: another cell refuses it


def test_access_plan_follows_the_mobiles_draws():
    cell = Cell()
    a = network.plan_access(seed=1, action_frame=800, fn0=1000, tx_integer=cell.tx_integer)
    r = network.MobileRandom(1)
    assert a.frame == 800 + r.next() % 8                # T = 8 for tx-integer 5: max(T, 8) slots
    assert a.ra == r.next() & 0x0F                      # location updating, NECI 1: 0000xxxx
    assert a.fn == 1000 + a.frame


def test_location_update_plan_is_one_exchange_per_multiframe():
    cell = Cell()
    access = network.Access(frame=801, fn=51 * 100 + 20, ra=5)
    assign_fn, ded = network.plan_location_update("001010000012345", cell, access, sub=2, tn=1, tmsi=0x1234)
    assert assign_fn % 51 == 6 and assign_fn > access.fn          # the next AGCH block
    ul = sorted(ded.expect)
    assert ul[0] >= assign_fn + network.RR_ACTIVATION_FRAMES and ul[0] % 51 == 4 * 2 + 15
    assert [b - a for a, b in zip(ul, ul[1:])] == [51, 51, 51]
    assert sorted(ded.dl) == [u - 15 + 51 for u in ul]            # each answer in the next block
    kinds = [ded.expect[u][0].kind for u in ul]
    assert kinds == ["SABM", "UI", "I", "DISC"]


def test_network_messages_parse_with_pycrate():
    req = network.lu_request("001010000012345", 1, 1)
    f = l3.parse("mm.lu_request", req)
    assert f["mi.digits"] == "001010000012345" and f["lai.lac"] == str(0xFFFE)
    assert f["half.lo"] == "2" and f["half.hi"] == "7" and f["cm1"] == str(0x33)
    acc = l3.parse("mm.lu_accept", network.lu_accept(1, 1, 0x17, 0xC0FFEE))
    assert acc["mi.tmsi"] == str(0xC0FFEE) and acc["lai.lac"] == str(0x17)
    assert l3.parse("rr.channel_release", network.channel_release(0))["cause"] == "0"


def test_ua_echoes_the_request_for_contention_resolution():
    """The network's LAPDm (host/bts/lapdm.py) answers the SABM the plan expects with the
    frame the plan sends."""
    cell = Cell()
    access = network.Access(frame=801, fn=51 * 100 + 20, ra=5)
    _, ded = network.plan_location_update("001010000012345", cell, access, sub=0, tn=1, tmsi=7)
    first = min(ded.expect)
    sabm, _ = ded.expect[first]
    got = []
    nw = lapdm.NetworkLapdm(lapdm.Chan.SDCCH, lambda *a: got.append(a), lambda *a: None)
    nw.rx_frame(sabm.encode(lapdm.BLOCK_LEN))
    assert nw.tx_frame() == ded.dl[first - 15 + 51]
    assert got and got[0][-1] == sabm.info


# ---- calls ------------------------------------------------------------------------------------

def test_tch_bursts_skip_the_sacch_and_idle_frames():
    # TS 45.002 clause 7 table 1: TCH/F on every frame of the 26-multiframe but 12 and 25
    fns = [network.tch_fn(i) for i in range(48)]
    assert [f % 26 for f in fns[:24]] == list(range(12)) + list(range(13, 25))
    assert all(network.tch_index(f) == i for i, f in enumerate(fns))
    # blocks begin at B0 = 0, 4, 8, 13, 17, 21 (45.002 3.2.3's TCH/FS block positions)
    assert [network.tch_fn(4 * j) % 26 for j in range(6)] == [0, 4, 8, 13, 17, 21]


@pytest.fixture(scope="module")
def speech_lib():
    lib = hostc.build("modem_speech", [f"{L1}/speech.c"], include=[L1])
    lib.gsm_speech_pattern.restype = None
    return lib


@pytest.mark.parametrize("fn,uplink", [(0, False), (1, True), (2715647, False), (123456, True)])
def test_the_speech_pattern_is_the_same_on_both_sides(speech_lib, fn, uplink):
    out = (ctypes.c_uint8 * 260)()
    speech_lib.gsm_speech_pattern(ctypes.c_uint32(fn), int(uplink), out)
    assert list(out) == list(network.speech_pattern(fn, uplink))
    assert not np.array_equal(network.speech_pattern(fn, uplink), network.speech_pattern(fn, not uplink))


def test_call_messages_parse_with_pycrate():
    setup = network.cc(0, network.SETUP, network.BEARER_SPEECH + bytes([0x5E, 5]) + network.called_bcd("5551234"))
    f = l3.parse("cc.setup_mo", setup)
    assert f["called.digits"] == "5551234" and f["bearer"] == "a0" and f["ti"] == "0"
    assert l3.parse("cc.alerting", network.cc(1, network.ALERTING))["ti"] == "8"
    assert l3.parse("cc.disconnect", network.cc(1, network.DISCONNECT, network.CAUSE_NORMAL))["cc_cause.value"] == "16"
    assert l3.parse("cc.call_confirmed", network.cc(1, network.CALL_CONFIRMED, network.BEARER_SPEECH))["bearer"] == "a0"
    a = l3.parse("rr.assign_cmd", network.assignment_command(2, 5, 42))
    assert (a["chan.type"], a["chan.tn"], a["chan.tsc"], a["chan.arfcn"]) == ("1", "2", "5", "42")
    assert l3.parse("mm.cm_serv_req", network.cm_service_request("001010000012345"))["mi.digits"] == "001010000012345"
    assert l3.parse("rr.paging_response", network.paging_response("001010000012345"))["cm2"] == "331980"


def _sequence_problems(frames):
    """Walks (sender, lapdm.Frame) in time order on one link and checks 44.006's numbering:
    each I frame's N(S) is its sender's V(S), each N(R) the count of the other side's I frames."""
    sent = {"ms": 0, "net": 0}
    problems = []
    for who, f in frames:
        other = "net" if who == "ms" else "ms"
        if f.kind in ("I", "RR") and f.nr != sent[other] % 8:
            problems.append(f"{who} {f.kind} N(R) {f.nr}, {sent[other]} I frames came")
        if f.kind == "I":
            if f.ns != sent[who] % 8:
                problems.append(f"{who} I N(S) {f.ns}, its V(S) {sent[who]}")
            sent[who] += 1
    return problems


@pytest.mark.parametrize("mobile_originated", [True, False])
def test_call_plans_number_their_frames_as_44006_says(mobile_originated):
    cell = Cell()
    access = network.Access(frame=801, fn=51 * 100 + 20, ra=5)
    _, ded, tr = network.plan_call("001010000012345", cell, access, sub=4, tn=1,
                                   number="5551234" if mobile_originated else None, seconds=1.0)

    def net_frame(block):
        return lapdm.Frame.decode(block, n201=20, b4_ui=False)

    for link in (
        sorted([(u, "ms", f) for u, (f, _) in ded.expect.items()] + [(d, "net", net_frame(b)) for d, b in ded.dl.items()]),
        sorted([(4 * j + 1, "ms", f) for j, (f, _) in tr.expect.items()] + [(4 * j, "net", net_frame(b)) for j, b in tr.facch.items()]),
    ):
        assert _sequence_problems([(who, f) for _, who, f in link]) == []
    assert tr.first_fn > max(ded.dl)                       # the TCH after the assignment
    assert tr.connected[1] - tr.connected[0] == network.speech_blocks(1.0)
