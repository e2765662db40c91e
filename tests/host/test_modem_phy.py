"""The modem's physical layer: the base station's GMSK modulator and channel model
(host/bts/gmsk.py, host/bts/channel.py) and the mobile's burst receiver in C
(firmware/servers/modem/l1/equalizer.c), built for the host and fed the modulator's bursts.

The modulator is held to 45.004 by properties and by a phase pulse integrated numerically here,
independently of its closed form; the receiver is held to the bits the modulator sent, and its
bit error rate to the theoretical bound for antipodal signalling."""

import ctypes
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostc
from host.bts import channel, gmsk

L1 = "servers/modem/l1"
HEADER = Path(hostc.FIRMWARE) / L1 / "equalizer.h"


class Report(ctypes.Structure):
    _fields_ = [("timing", ctypes.c_int32), ("signal_power", ctypes.c_uint32),
                ("noise_power", ctypes.c_uint32), ("snr_db_q8", ctypes.c_int32),
                ("quality", ctypes.c_int32)]


@pytest.fixture(scope="module")
def lib():
    lib = hostc.build("modem_phy", [f"{L1}/equalizer.c", f"{L1}/bursts.c"], include=[L1])
    i16p = ctypes.POINTER(ctypes.c_int16)
    lib.eq_normal_burst.argtypes = [i16p, ctypes.c_uint, ctypes.POINTER(ctypes.c_int8),
                                    ctypes.POINTER(Report)]
    lib.eq_sync_burst.argtypes = [i16p, ctypes.POINTER(ctypes.c_int8), ctypes.POINTER(Report)]
    lib.eq_fcch_detect.argtypes = [i16p, ctypes.POINTER(ctypes.c_int32)]
    return lib


def _iq(iq):
    iq = np.ascontiguousarray(iq, dtype=np.int16)
    assert iq.shape == (2 * gmsk.WINDOW,)
    return iq, iq.ctypes.data_as(ctypes.POINTER(ctypes.c_int16))


def normal(lib, iq, tsc):
    """(soft values, report, return code) of the C receiver for one normal-burst window."""
    keep, ptr = _iq(iq)
    soft, rep = (ctypes.c_int8 * gmsk.NB_PAYLOAD)(), Report()
    rc = lib.eq_normal_burst(ptr, tsc, soft, ctypes.byref(rep))
    return np.array(soft[:]), rep, rc


def sync(lib, iq):
    keep, ptr = _iq(iq)
    soft, rep = (ctypes.c_int8 * gmsk.SB_PAYLOAD)(), Report()
    rc = lib.eq_sync_burst(ptr, soft, ctypes.byref(rep))
    return np.array(soft[:]), rep, rc


def fcch(lib, iq):
    """The detected frequency offset in Hz, or None."""
    keep, ptr = _iq(iq)
    freq = ctypes.c_int32()
    return freq.value if lib.eq_fcch_detect(ptr, ctypes.byref(freq)) else None


def errors(soft, bits):
    decided = np.where(soft > 0, 1, np.where(soft < 0, 0, -1))
    return int(np.count_nonzero(decided != np.asarray(bits)))


def q_function(x):
    return 0.5 * math.erfc(x / math.sqrt(2))


# --- the tables and the constants both sides share ---------------------------------------------

def test_header_constants_match_the_modulator():
    text = HEADER.read_text()
    define = dict(re.findall(r"#define\s+(EQ_\w+)\s+(\d+)", text))
    assert int(define["EQ_WINDOW"]) == gmsk.WINDOW
    assert int(define["EQ_BURST_START"]) == gmsk.BURST_START
    assert int(define["EQ_SAMPLE_SCALE"]) == gmsk.SAMPLE_SCALE
    assert int(define["EQ_NB_SOFT"]) == gmsk.NB_PAYLOAD
    assert int(define["EQ_SB_SOFT"]) == gmsk.SB_PAYLOAD


def test_c_training_tables_are_the_spec_tables(lib):
    tsc = (ctypes.c_uint8 * (8 * 26)).in_dll(lib, "gsm_tsc")
    assert np.array(tsc[:]).reshape(8, 26).tolist() == [list(t) for t in gmsk.TSC]
    sch = (ctypes.c_uint8 * 64).in_dll(lib, "gsm_sch_training")
    assert list(sch[:]) == list(gmsk.SCH_TRAINING)


@pytest.mark.parametrize("tsc", range(8))
def test_training_sequences_have_the_spec_structure(tsc):
    """45.002's sequences are a 16-bit core with 5 bits of cyclic extension either side, so the
    core correlates to 16 at lag 0 and exactly 0 at lags 1..5 against the whole sequence."""
    t = np.array(gmsk.TSC[tsc])
    assert list(t[:5]) == list(t[16:21]) and list(t[21:]) == list(t[5:10])
    x = 1 - 2 * t
    lags = [int(np.dot(x[5 + s:21 + s], x[5:21])) for s in range(-5, 6)]
    assert lags == [0] * 5 + [16] + [0] * 5


def test_burst_layouts():
    payload = np.arange(116) % 2
    b = gmsk.normal_burst(payload, 3)
    assert list(b[:3]) == [0, 0, 0] and list(b[145:]) == [0, 0, 0]
    assert list(b[61:87]) == list(gmsk.TSC[3])
    assert b[60] == payload[57] and b[87] == payload[58]
    assert (gmsk.normal_payload(b) == payload).all()
    s = gmsk.sync_burst(np.ones(78, dtype=int))
    assert list(s[42:106]) == list(gmsk.SCH_TRAINING) and s[3:42].all() and s[106:145].all()
    assert not gmsk.fcch_burst().any()
    d = gmsk.dummy_burst()
    assert len(d) == 148 and list(d[:3]) == [0, 0, 0] and list(d[3:8]) == [1, 1, 1, 1, 1]
    with pytest.raises(ValueError):
        gmsk.normal_burst(np.zeros(115), 0)


# --- the modulator ---------------------------------------------------------------------------

def test_differential_encoding_by_hand():
    # d = 0 0 1 1 0 after d_-1 = 1: d' = 1 0 1 0 1, a = 1 - 2d'.
    assert list(gmsk.differential([0, 0, 1, 1, 0])) == [-1, 1, -1, 1, -1]


def test_phase_pulse_against_numerical_integration():
    """q(t) integrated on a fine grid from 45.004's g(t) = h(t) * rect(t/T)."""
    sigma = math.sqrt(math.log(2)) / (2 * math.pi * gmsk.BT)
    dt = 1 / 512
    t = np.arange(-8, 8, dt)
    h = np.exp(-t ** 2 / (2 * sigma ** 2)) / (math.sqrt(2 * math.pi) * sigma)
    rect = (np.abs(t) < 0.5).astype(float)
    g = np.convolve(h, rect, mode="same") * dt
    q = np.cumsum(g) * dt
    for when in (-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5):
        assert gmsk._phase_pulse(np.array([when]))[0] == pytest.approx(
            q[np.searchsorted(t, when)], abs=5e-3)
    assert gmsk._phase_pulse(np.array([0.0]))[0] == pytest.approx(0.5)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=116, max_size=116), st.integers(0, 7))
def test_constant_envelope_and_total_phase(payload, tsc):
    bits = np.concatenate(([1] * 8, gmsk.normal_burst(payload, tsc), [1] * 8))
    w = gmsk.modulate(bits)
    assert np.allclose(np.abs(w), 1)
    # Each symbol turns the phase by a * pi/2 in all.  Between two samples whose neighbourhoods
    # (the pulse's reach) hold only a = +1, the turn is therefore pi/2 times the sum of the
    # symbols between them, whatever the pulse's shape.
    a = gmsk.differential(bits)
    first, last = 3, len(bits) - 4
    turn = np.unwrap(np.angle(w))
    assert turn[last] - turn[first] == pytest.approx(np.pi / 2 * a[first + 1:last + 1].sum(),
                                                     abs=1e-6)


def test_all_zero_burst_turns_a_quarter_per_symbol():
    w = gmsk.modulate_window(gmsk.fcch_burst())
    step = np.angle(w[1:] * np.conj(w[:-1]))
    inside = step[gmsk.BURST_START + 5:gmsk.BURST_START + 145]
    assert np.allclose(inside, np.pi / 2, atol=1e-6)


def test_int16_conversion():
    w = gmsk.modulate_window(gmsk.dummy_burst())
    iq = gmsk.to_int16(w)
    assert iq.dtype == np.int16 and len(iq) == 2 * gmsk.WINDOW
    assert np.abs(np.abs(iq[0::2] + 1j * iq[1::2]) - gmsk.SAMPLE_SCALE).max() < 1.5
    assert np.abs(gmsk.from_int16(iq) - w).max() < 1 / gmsk.SAMPLE_SCALE
    assert gmsk.to_int16(np.array([100 + 0j]))[0] == 32767


# --- the channel -----------------------------------------------------------------------------

def test_channel_is_deterministic_per_seed():
    w = gmsk.modulate_window(gmsk.dummy_burst())
    a = [channel.Channel("bad", 7).apply(w) for _ in range(1)]
    b = [channel.Channel("bad", 7).apply(w) for _ in range(1)]
    c = channel.Channel("bad", 8).apply(w)
    assert np.array_equal(a[0], b[0]) and not np.array_equal(a[0], c)


def test_channel_noise_power_follows_snr():
    ch = channel.Channel("awgn", 3, snr_db=6.0)
    quiet = np.zeros(gmsk.WINDOW, dtype=complex)
    power = np.mean([np.mean(np.abs(ch.apply(quiet)) ** 2) for _ in range(200)])
    assert power == pytest.approx(10 ** -0.6, rel=0.05)


def test_channel_frequency_offset_turns_across_bursts():
    ch = channel.Channel("clean", 1, freq_offset_hz=100.0, snr_db=200.0)
    w = np.ones(gmsk.WINDOW, dtype=complex)
    first, second = ch.apply(w), ch.apply(w)
    turn = np.angle(second[0] / first[0])
    want = 2 * np.pi * 100.0 * channel.BURST_PERIOD / gmsk.SYMBOL_RATE
    assert turn == pytest.approx(math.remainder(want, 2 * np.pi), abs=1e-6)


def test_channel_timing_offset_shifts_the_window():
    w = gmsk.modulate_window(gmsk.dummy_burst())
    y = channel.Channel("clean", 1, timing_offset=3, snr_db=200.0).apply(w)
    ratio = y[3:] / w[:-3]
    assert np.allclose(ratio, ratio[0]) and np.allclose(y[:3], 0)


def test_bad_channel_loses_and_corrupts_bursts():
    ch = channel.Channel("bad", 5)
    w = gmsk.modulate_window(gmsk.dummy_burst())
    seen = [(ch.apply(w), dict(ch.last))[1] for _ in range(200)]
    lost = sum(s["lost"] for s in seen)
    corrupt = sum(s["corrupt"] and not s["lost"] for s in seen)
    assert 8 <= lost <= 35 and 8 <= corrupt <= 35


# --- the receiver ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=116, max_size=116), st.integers(0, 7),
       st.integers(-4, 4), st.integers(0, 2 ** 16))
def test_clean_normal_bursts_decode_without_error(lib, payload, tsc, offset, seed):
    ch = channel.Channel("clean", seed, timing_offset=offset)
    iq = ch.apply_int16(gmsk.modulate_window(gmsk.normal_burst(payload, tsc)))
    soft, rep, rc = normal(lib, iq, tsc)
    assert rc == 0
    assert errors(soft, payload) == 0
    assert rep.timing == offset
    assert rep.quality > 100 and rep.snr_db_q8 > 15 * 256


@pytest.mark.parametrize("tsc", range(8))
def test_every_tsc_at_every_offset(lib, tsc):
    rng = np.random.default_rng(tsc)
    for offset in range(-4, 5):
        payload = rng.integers(0, 2, 116)
        ch = channel.Channel("clean", tsc, timing_offset=offset)
        soft, rep, rc = normal(lib, ch.apply_int16(gmsk.modulate_window(
            gmsk.normal_burst(payload, tsc))), tsc)
        assert (rc, errors(soft, payload), rep.timing) == (0, 0, offset)


def test_wrong_tsc_and_empty_window(lib):
    soft, rep, rc = normal(lib, np.zeros(312, dtype=np.int16), 0)
    assert rc == -1 and not soft.any()
    soft, rep, rc = normal(lib, np.zeros(312, dtype=np.int16), 8)
    assert rc == -1


def test_urban_raw_ber_is_low(lib):
    rx = lambda iq, tsc: normal(lib, iq, tsc)[0]          # noqa: E731
    point, = channel.ber_sweep(rx, [14.0], "urban", bursts=80, seed=11, tsc=5)
    assert point["ber"] < 0.02, point


def test_snr_estimate_tracks_the_channel(lib):
    rng = np.random.default_rng(2)
    for snr in (6.0, 12.0, 18.0):
        ch = channel.Channel("awgn", 4, snr_db=snr)
        estimates = []
        for _ in range(20):
            payload = rng.integers(0, 2, 116)
            iq = ch.apply_int16(gmsk.modulate_window(gmsk.normal_burst(payload, 2)))
            estimates.append(normal(lib, iq, 2)[1].snr_db_q8 / 256)
        assert np.median(estimates) == pytest.approx(snr, abs=2.5)


def test_lost_bursts_have_low_quality(lib):
    rng = np.random.default_rng(9)
    good = normal(lib, channel.Channel("awgn", 1, snr_db=12.0).apply_int16(
        gmsk.modulate_window(gmsk.normal_burst(rng.integers(0, 2, 116), 0))), 0)[1]
    noise = channel.Channel("awgn", 2, snr_db=12.0, p_lost=1.0).apply_int16(np.zeros(156))
    soft, lost, rc = normal(lib, noise, 0)
    assert lost.quality < good.quality / 2 and lost.snr_db_q8 < 3 * 256


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=78, max_size=78), st.integers(-4, 4),
       st.integers(0, 2 ** 16))
def test_sync_bursts_decode(lib, coded, offset, seed):
    ch = channel.Channel("awgn", seed, timing_offset=offset, snr_db=15.0)
    soft, rep, rc = sync(lib, ch.apply_int16(gmsk.modulate_window(gmsk.sync_burst(coded))))
    assert rc == 0 and errors(soft, coded) == 0 and rep.timing == offset


@pytest.mark.parametrize("freq", [-20000.0, -1500.0, 0.0, 317.0, 5000.0, 20000.0])
def test_fcch_detected_with_its_frequency(lib, freq):
    ch = channel.Channel("awgn", 1, snr_db=15.0, freq_offset_hz=freq)
    found = fcch(lib, ch.apply_int16(gmsk.modulate_window(gmsk.fcch_burst())))
    assert found is not None and found == pytest.approx(freq, abs=60)


def test_fcch_frequency_is_exact_without_noise(lib):
    ch = channel.Channel("clean", 1, snr_db=200.0, freq_offset_hz=1234.0)
    assert fcch(lib, ch.apply_int16(gmsk.modulate_window(gmsk.fcch_burst()))) == \
        pytest.approx(1234, abs=2)


def test_fcch_detected_through_urban_fading(lib):
    ch = channel.Channel("urban", 3)
    hits = sum(fcch(lib, ch.apply_int16(gmsk.modulate_window(gmsk.fcch_burst()))) is not None
               for _ in range(30))
    assert hits >= 27


@pytest.mark.parametrize("profile", ["clean", "urban"])
def test_fcch_not_detected_on_other_bursts_or_noise(lib, profile):
    rng = np.random.default_rng(4)
    ch = channel.Channel(profile, 6)
    windows = [gmsk.normal_burst(rng.integers(0, 2, 116), t) for t in range(8) for _ in range(3)]
    windows += [gmsk.sync_burst(rng.integers(0, 2, 78)) for _ in range(10)]
    windows += [gmsk.dummy_burst()] * 10
    for burst in windows:
        assert fcch(lib, ch.apply_int16(gmsk.modulate_window(burst))) is None
    noise = channel.Channel("awgn", 8, snr_db=0.0, p_lost=1.0)
    for _ in range(20):
        assert fcch(lib, noise.apply_int16(np.zeros(156))) is None


# --- bit error rate against Es/N0 ------------------------------------------------------------

SWEEP = [0.0, 4.0, 8.0, 12.0, 16.0, 20.0]


def test_ber_sweep_awgn(lib):
    """BER falls with SNR, is 0 at 20 dB, and sits between antipodal signalling's bound at the
    same Es/N0 (nothing beats it) and at 4 dB less (GMSK's and the estimate's losses)."""
    rx = lambda iq, tsc: normal(lib, iq, tsc)[0]          # noqa: E731
    points = channel.ber_sweep(rx, SWEEP, "awgn", bursts=40, seed=1)
    ber = [p["ber"] for p in points]
    assert all(b <= a + 0.005 for a, b in zip(ber, ber[1:])), ber
    assert ber[-1] == 0.0
    for p in points:
        bound = q_function(math.sqrt(2 * 10 ** (p["snr_db"] / 10)))
        worst = q_function(math.sqrt(2 * 10 ** ((p["snr_db"] - 4) / 10)))
        assert 0.5 * bound - 0.002 <= p["ber"] <= worst + 0.01, p


def test_ber_sweep_urban(lib):
    rx = lambda iq, tsc: normal(lib, iq, tsc)[0]          # noqa: E731
    points = channel.ber_sweep(rx, SWEEP, "urban", bursts=40, seed=2, tsc=1)
    ber = [p["ber"] for p in points]
    assert all(b <= a + 0.01 for a, b in zip(ber, ber[1:])), ber
    assert ber[0] > 0.05 and ber[-1] < 0.005
