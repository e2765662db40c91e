"""The radio channel between the simulated base station and the mobile, one timeslot at a time.

A Channel applies, to each WINDOW of complex samples in turn: a timing offset (whole symbols,
the window shifted with silence coming in), symbol-spaced multipath (complex tap gains drawn per
burst, Rayleigh-faded or fixed), a frequency offset whose phase keeps turning from one burst to
the next (bursts BURST_PERIOD symbols apart), AWGN at an Es/N0 (unit signal power against the
noise's power per complex sample), and then the burst may be lost (noise only) or corrupted (a
stretch of it drowned by a strong interferer).  Everything random comes from one numpy Generator
seeded at construction, so a channel and a seed give the same samples every run.

ber_sweep() measures a receiver's raw bit error rate over this channel, for plots and tests.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from host.bts import gmsk

BURST_PERIOD = 1250                     # symbols between a mobile's bursts: one TDMA frame


@dataclass(frozen=True)
class Profile:
    """How a channel treats every burst.  `taps_db` are the mean powers of symbol-spaced paths
    (normalised so their sum is 0 dB); `fading` draws each burst's gains as Rayleigh, otherwise
    they are fixed at the mean powers with phase 0."""
    name: str
    snr_db: float
    taps_db: tuple[float, ...] = (0.0,)
    fading: bool = False
    freq_offset_hz: float = 0.0
    timing_offset: int = 0              # symbols, later positive
    timing_jitter: int = 0              # extra whole symbols drawn uniformly in +-jitter
    p_lost: float = 0.0
    p_corrupt: float = 0.0


PROFILES = {
    "clean": Profile("clean", snr_db=60.0),
    "awgn": Profile("awgn", snr_db=10.0),
    "urban": Profile("urban", snr_db=14.0, taps_db=(0.0, -3.0, -8.0, -15.0), fading=True,
                     freq_offset_hz=30.0, timing_jitter=1),
    "bad": Profile("bad", snr_db=5.0, taps_db=(0.0, -3.0, -8.0, -15.0), fading=True,
                   freq_offset_hz=150.0, timing_jitter=2, p_lost=0.1, p_corrupt=0.1),
}


class Channel:
    """A seeded channel following `profile` (a name from PROFILES or a Profile); keyword
    arguments override the profile's fields (`Channel("urban", 1, snr_db=6)`)."""

    def __init__(self, profile: str | Profile = "clean", seed: int = 0, **overrides):
        base = PROFILES[profile] if isinstance(profile, str) else profile
        self.profile = dataclasses.replace(base, **overrides)
        self.rng = np.random.default_rng(seed)
        self.time = 0.0                                     # symbols since the first burst
        self.phase = self.rng.uniform(0, 2 * np.pi)
        self.last = {}                                      # what happened to the last burst

    def taps(self) -> np.ndarray:
        """This burst's complex path gains."""
        power = 10 ** (np.asarray(self.profile.taps_db) / 10)
        power /= power.sum()
        if not self.profile.fading:
            return np.sqrt(power).astype(complex)
        gauss = self.rng.normal(size=len(power)) + 1j * self.rng.normal(size=len(power))
        return gauss * np.sqrt(power / 2)

    def apply(self, samples: np.ndarray) -> np.ndarray:
        """The next burst window through the channel: `samples` (complex, unit amplitude) in,
        the received window out, same length."""
        p = self.profile
        x = np.asarray(samples, dtype=complex)
        n = len(x)
        shift = p.timing_offset
        if p.timing_jitter:
            shift += int(self.rng.integers(-p.timing_jitter, p.timing_jitter + 1))
        shifted = np.zeros(n, dtype=complex)
        if shift >= 0:
            shifted[shift:] = x[:n - shift]
        else:
            shifted[:shift] = x[-shift:]
        taps = self.taps()
        y = np.convolve(shifted, taps)[:n]
        turn = 2 * np.pi * p.freq_offset_hz / gmsk.SYMBOL_RATE
        y *= np.exp(1j * (self.phase + turn * (self.time + np.arange(n))))
        self.time += BURST_PERIOD
        lost = self.rng.random() < p.p_lost
        corrupt = self.rng.random() < p.p_corrupt
        if lost:
            y[:] = 0
        sigma = np.sqrt(10 ** (-p.snr_db / 10) / 2)
        y += sigma * (self.rng.normal(size=n) + 1j * self.rng.normal(size=n))
        if corrupt and not lost:
            start = int(self.rng.integers(0, n - 40))
            length = int(self.rng.integers(20, 60))
            hit = slice(start, min(n, start + length))
            span = hit.stop - hit.start
            y[hit] = 2 * (self.rng.normal(size=span) + 1j * self.rng.normal(size=span))
        self.last = {"shift": shift, "taps": taps, "lost": lost, "corrupt": corrupt}
        return y

    def apply_int16(self, samples: np.ndarray) -> np.ndarray:
        """apply(), then the target's interleaved int16 I/Q."""
        return gmsk.to_int16(self.apply(samples))


def ber_sweep(receiver, snrs_db, profile: str | Profile = "awgn", *, bursts: int = 50,
              seed: int = 0, tsc: int = 0) -> list[dict]:
    """Raw bit error rate of `receiver` at each Es/N0 in `snrs_db`: `bursts` random normal
    bursts with training sequence `tsc` through Channel(profile, seed + i, snr_db=snr).
    `receiver(iq_int16, tsc)` returns 116 soft values, positive for bit 1; a zero counts as an
    error.  Returns one record per point: snr_db, errors, bits, ber."""
    points = []
    for i, snr in enumerate(snrs_db):
        rng = np.random.default_rng([seed, i])
        channel = Channel(profile, seed=seed * 1000 + i, snr_db=float(snr))
        errors = 0
        for _ in range(bursts):
            payload = rng.integers(0, 2, gmsk.NB_PAYLOAD, dtype=np.int8)
            window = gmsk.modulate_window(gmsk.normal_burst(payload, tsc))
            soft = np.asarray(receiver(channel.apply_int16(window), tsc))
            decided = np.where(soft > 0, 1, np.where(soft < 0, 0, -1))
            errors += int(np.count_nonzero(decided != payload))
        bits = bursts * gmsk.NB_PAYLOAD
        points.append({"snr_db": float(snr), "errors": errors, "bits": bits, "ber": errors / bits})
    return points
