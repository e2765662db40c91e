"""Scenarios: what the simulated network does, frame by frame, and what the mobile must show.

A scenario is made from its name, a seed and a channel profile, and nothing else: the cell's
frame number at the mobile's frame 0, the messages on the CCCH and the channel's noise all come
from the seed, so a deterministic run repeats frame for frame.  `downlink()` gives the bursts
(mobile frame, timeslot, samples); `verdict()` reads the modem's events and status and says,
check by check, whether the mobile did what the scenario asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from .cell import HYPERFRAME, Cell
from .channel import Channel

#: TDMA frames per second (a frame is 60/13 ms)
FRAMES_PER_SECOND = 13 / 0.060

#: ModemLayer names and the event codes of docs/modem.md
RADIO, L1, L2, RR, MM, CC = "RADIO", "L1", "L2", "RR", "MM", "CC"
EV_RADIO_UNDERRUN = 3
EV_L1_FCCH, EV_L1_SCH, EV_L1_SYNC_LOST, EV_L1_BLOCK_BAD = 1, 2, 3, 4
EV_RR_SI, EV_RR_CAMPED, EV_RR_PAGED = 1, 2, 3

#: the IMSI the mobile is started with, and one that is not its
IMSI = "001010000012345"
OTHER_IMSI = "001010000099876"


@dataclass
class Check:
    what: str
    passed: bool
    detail: str = ""
    #: whether the verdict depends on it; deadlines do only in deterministic runs, where the
    #: target's time is its own (live, a busy host stalls QEMU and the target sees it as lateness)
    gating: bool = True


@dataclass
class Scenario:
    name: str
    seed: int
    profile: str
    seconds: float
    cell: Cell
    fn0: int                        # the cell's FN at the mobile's frame 0
    imsi: str = IMSI
    pages: list[int] = field(default_factory=list)     # mobile frames the mobile is paged at

    @property
    def frames(self) -> int:
        return int(round(self.seconds * FRAMES_PER_SECOND))

    def fn(self, frame: int) -> int:
        return (self.fn0 + frame) % HYPERFRAME

    def downlink(self, chunk: int = 256) -> Iterator[tuple[int, int, np.ndarray]]:
        """(mobile frame, timeslot, int16 I/Q window) for every frame of the scenario, made
        `chunk` frames at a time."""
        channel = Channel(self.profile, seed=self.seed)
        for first in range(0, self.frames, chunk):
            n = min(chunk, self.frames - first)
            iq = self.cell.downlink(self.fn(first), n, channel)
            for i in range(n):
                yield first + i, 0, iq[i]

    def verdict(self, events: list, status, *, deterministic: bool = True) -> list[Check]:
        checks = [self._sync(events), self._camped(events)]
        if self.pages:
            checks.append(self._paged(events))
        checks += self._health(status, deterministic)
        return checks

    @staticmethod
    def passed(checks: list[Check]) -> bool:
        return all(c.passed for c in checks if c.gating)

    # ---- the checks ----

    def _sync(self, events: list) -> Check:
        sch = [e for e in events if str(e.layer) == L1 and e.code == EV_L1_SCH]
        if not sch:
            return Check("synchronised to the cell (FCCH, SCH)", False, "no SCH decoded")
        e = sch[0]
        right = e.a == self.cell.bsic and e.b == self.fn(e.frame)
        return Check("synchronised to the cell (FCCH, SCH)", right,
                     f"frame {e.frame}: BSIC {e.a:#04o}, FN {e.b}"
                     + ("" if right else f" (the cell: BSIC {self.cell.bsic:#04o}, FN {self.fn(e.frame)})"))

    def _camped(self, events: list) -> Check:
        si = sorted({e.a for e in events if str(e.layer) == RR and e.code == EV_RR_SI})
        camped = [e for e in events if str(e.layer) == RR and e.code == EV_RR_CAMPED]
        if not camped:
            return Check("read SI1-SI4 and camped", False, f"system information read: {si or 'none'}")
        e = camped[0]
        right = e.a == self.cell.cell_id and e.b == self.cell.lac and si == [1, 2, 3, 4]
        return Check("read SI1-SI4 and camped", right,
                     f"frame {e.frame}: cell {e.a:#06x}, LAC {e.b:#06x}, SI {si}")

    def _paged(self, events: list) -> Check:
        # the event names the paging block by the FN of its first burst
        heard = [(e.b - self.fn0) % HYPERFRAME for e in events if str(e.layer) == RR and e.code == EV_RR_PAGED]
        return Check("heard its pages, and only its", sorted(heard) == sorted(self.pages),
                     f"paged in the blocks of frames {self.pages}, heard in {heard}")

    def _health(self, status, deterministic: bool) -> list[Check]:
        misses = {t.name: t.misses for t in status.tasks if t.misses}
        checks = [
            Check("no deadline missed", not misses,
                  f"{sum(t.jobs for t in status.tasks):,} jobs" + (f"; missed: {misses}" if misses else ""),
                  gating=deterministic),
            Check("no radio underrun", status.underruns == 0, f"{status.underruns} underruns",
                  gating=deterministic),
        ]
        if self.profile == "clean":
            checks.append(Check("every block decoded (clean channel)", status.blocks_bad == 0,
                                f"{status.blocks_ok} good, {status.blocks_bad} bad"))
        return checks


def make(name: str, seed: int = 1, profile: str = "clean", seconds: float | None = None) -> Scenario:
    """The scenario `name` (SCENARIOS) with its seed-made cell and timing."""
    try:
        build, default_seconds = SCENARIOS[name]
    except KeyError:
        raise ValueError(f"no scenario {name!r}: there are {', '.join(SCENARIOS)}") from None
    rng = np.random.default_rng(seed)
    cell = Cell(bsic=int(rng.integers(64)))
    s = Scenario(name, seed, profile, seconds or default_seconds, cell, fn0=int(rng.integers(HYPERFRAME)))
    build(s, rng)
    return s


def _camp(s: Scenario, rng: np.random.Generator) -> None:
    """Find the cell, read its system information, idle on the paging channel: in the last
    third of the run the network pages another mobile, then this one."""
    frame = 2 * s.frames // 3
    for imsi in (OTHER_IMSI, s.imsi):
        fn = s.cell.paging_fn(imsi, s.fn(frame))
        frame = (fn - s.fn0) % HYPERFRAME
        s.cell.page(fn, imsi)
        if imsi == s.imsi:
            s.pages.append(frame)
        frame += 51 * s.cell.paging_period


#: name: (what the network does, seconds by default)
SCENARIOS = {
    "camp": (_camp, 5.0),
}
