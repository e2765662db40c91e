"""GMSK at one sample per symbol and the GSM burst formats: the downlink's transmitter.

The facts come from 3GPP TS 45.002 (burst formats, 5.2; training sequences, 5.2.3) and TS 45.004
(differential encoding and the Gaussian phase pulse with BT = 0.3, modulation index 1/2).  A
burst's 148 bits are placed in a 156-symbol timeslot window with its first tail bit on sample
BURST_START; the symbols of the window outside the burst are guard bits of value 1.  Window sample
n is the complex envelope at the centre of symbol n, so one symbol moves the phase by +-pi/2 and
a run of zeros (a frequency-correction burst) turns it by +pi/2 per sample.

Samples cross to the target as interleaved int16 I/Q, a unit-amplitude signal at SAMPLE_SCALE.
The target's receiver (firmware/servers/modem/l1/equalizer.h) shares WINDOW and BURST_START.
"""

from __future__ import annotations

import math

import numpy as np

SYMBOL_RATE = 1625000 / 6               # symbols per second (270.833 kHz)
WINDOW = 156                            # samples in a timeslot window, one per symbol
BURST_START = 4                         # window sample of a burst's first tail bit
BURST_BITS = 148                        # tail + useful + tail bits of every burst
SAMPLE_SCALE = 2048                     # int16 amplitude of a unit-amplitude sample
BT = 0.3                                # Gaussian filter's bandwidth-time product (45.004)
PULSE_SPAN = 4                          # phase-pulse symbols kept either side of a symbol
SAMPLE_PHASE = 0.5                      # a sample's time after its symbol's centre, in symbols

TAIL = (0, 0, 0)
GUARD_BIT = 1

# Normal-burst training sequences, TS 45.002 5.2.3 table 5.2.3-1 (set 1), bits BN61..BN86.
TSC = (
    (0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1),
    (0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1),
    (0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0),
    (0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0),
    (0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1),
    (0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0),
    (1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1),
    (1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0),
)

# The synchronisation burst's extended training sequence, TS 45.002 5.2.5, bits BN42..BN105.
SCH_TRAINING = (
    1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
    0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1,
)

# The dummy burst's 142 mixed bits, TS 45.002 5.2.6, bits BN3..BN144.
DUMMY_MIXED = (
    1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 1,
    1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
    0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1,
    0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1,
    1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
)

# Where the parts of each burst sit, as burst bit numbers (BN).
NB_DATA1 = slice(3, 60)                 # 57 data bits
NB_FLAG1 = 60                           # stealing flag of the first half
NB_TRAINING = slice(61, 87)
NB_FLAG2 = 87
NB_DATA2 = slice(88, 145)
SB_DATA1 = slice(3, 42)                 # 39 coded bits
SB_TRAINING = slice(42, 106)
SB_DATA2 = slice(106, 145)

NB_PAYLOAD = 116                        # data and stealing flags, in the receiver's soft order
SB_PAYLOAD = 78


def _phase_pulse(t: np.ndarray) -> np.ndarray:
    """q(t), the integral of 45.004's frequency pulse g (a Gaussian filtered unit rectangle
    centred on 0) in symbol periods: 0 long before, 1 long after, 1/2 at t = 0."""
    sigma = math.sqrt(math.log(2)) / (2 * math.pi * BT)       # the Gaussian's delta, in T
    c = math.sqrt(2) * sigma
    erf = np.vectorize(math.erf)

    def antiderivative(x):                                  # integral of erf
        return x * erf(x) + np.exp(-x * x) / math.sqrt(math.pi)

    return 0.5 + c / 2 * (antiderivative((t + 0.5) / c) - antiderivative((t - 0.5) / c))


# q(d + SAMPLE_PHASE) for symbol distances d = -PULSE_SPAN-1 .. PULSE_SPAN+1, exactly 0 and 1 at
# the ends.
_Q = np.concatenate(([0.0], _phase_pulse(np.arange(-PULSE_SPAN, PULSE_SPAN + 1) + SAMPLE_PHASE),
                     [1.0]))


def differential(bits) -> np.ndarray:
    """The +-1 symbols of 45.004 for `bits`: d'_i = d_i xor d_{i-1} with d_{-1} = 1, a = 1 - 2d'."""
    d = np.asarray(bits, dtype=np.int8)
    prev = np.concatenate(([1], d[:-1]))
    return 1 - 2 * (d ^ prev).astype(np.int8)


def modulate(bits) -> np.ndarray:
    """Complex baseband GMSK of `bits`, one sample at the centre of each symbol, unit amplitude,
    phase 0 long before the first symbol.  Symbols before and after are guard ones, so the pulse
    tails are as they would be inside a longer transmission."""
    pad = PULSE_SPAN + 1
    a = differential(np.concatenate(([GUARD_BIT] * pad, np.asarray(bits, dtype=np.int8),
                                     [GUARD_BIT] * pad))).astype(float)
    n = np.arange(len(a))
    distance = np.clip(n[:, None] - n[None, :], -PULSE_SPAN - 1, PULSE_SPAN + 1)
    phase = _Q[distance + PULSE_SPAN + 1] @ a               # sum over k of a_k q(n - k)
    return np.exp(0.5j * np.pi * phase)[pad:pad + len(bits)]


def window_bits(burst) -> np.ndarray:
    """The WINDOW bits of a timeslot holding the 148-bit `burst` at BURST_START; guard ones
    around it."""
    burst = np.asarray(burst, dtype=np.int8)
    if burst.shape != (BURST_BITS,):
        raise ValueError(f"a burst has {BURST_BITS} bits, not {burst.shape}")
    out = np.full(WINDOW, GUARD_BIT, dtype=np.int8)
    out[BURST_START:BURST_START + BURST_BITS] = burst
    return out


def modulate_window(burst) -> np.ndarray:
    """The WINDOW complex samples of a timeslot that carries `burst`."""
    return modulate(window_bits(burst))


def _bits(values, count: int, what: str) -> np.ndarray:
    out = np.asarray(values, dtype=np.int8)
    if out.shape != (count,) or not np.isin(out, (0, 1)).all():
        raise ValueError(f"{what} must be {count} bits of 0 or 1")
    return out


def normal_burst(payload, tsc: int) -> np.ndarray:
    """The 148 bits of a normal burst with training sequence `tsc` (0..7).  `payload` is the
    116 bits in the receiver's order: data BN3..59, flag BN60, flag BN87, data BN88..144."""
    p = _bits(payload, NB_PAYLOAD, "a normal burst's payload")
    b = np.zeros(BURST_BITS, dtype=np.int8)
    b[NB_DATA1] = p[:57]
    b[NB_FLAG1] = p[57]
    b[NB_TRAINING] = TSC[tsc]
    b[NB_FLAG2] = p[58]
    b[NB_DATA2] = p[59:]
    return b


def normal_payload(burst) -> np.ndarray:
    """The 116 payload bits of a normal burst, in the receiver's order (inverse of normal_burst)."""
    b = np.asarray(burst, dtype=np.int8)
    return np.concatenate((b[NB_DATA1], [b[NB_FLAG1], b[NB_FLAG2]], b[NB_DATA2]))


def sync_burst(coded) -> np.ndarray:
    """The 148 bits of a synchronisation burst carrying 78 coded bits (BN3..41, BN106..144)."""
    c = _bits(coded, SB_PAYLOAD, "a synchronisation burst's payload")
    b = np.zeros(BURST_BITS, dtype=np.int8)
    b[SB_DATA1] = c[:39]
    b[SB_TRAINING] = SCH_TRAINING
    b[SB_DATA2] = c[39:]
    return b


def fcch_burst() -> np.ndarray:
    """The frequency-correction burst: tails and 142 fixed bits, all zero."""
    return np.zeros(BURST_BITS, dtype=np.int8)


def dummy_burst() -> np.ndarray:
    """The dummy burst: tails around the 142 mixed bits."""
    return np.concatenate((TAIL, DUMMY_MIXED, TAIL)).astype(np.int8)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Interleaved int16 I/Q (I first) of complex `samples`, unit amplitude at SAMPLE_SCALE,
    rounded and saturated."""
    s = np.asarray(samples) * SAMPLE_SCALE
    iq = np.empty(2 * len(s))
    iq[0::2] = s.real
    iq[1::2] = s.imag
    return np.clip(np.rint(iq), -32768, 32767).astype(np.int16)


def from_int16(iq) -> np.ndarray:
    """Complex samples of interleaved int16 I/Q, scaled back to unit amplitude."""
    iq = np.asarray(iq, dtype=float)
    return (iq[0::2] + 1j * iq[1::2]) / SAMPLE_SCALE
