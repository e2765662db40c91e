"""A GSM cell's downlink on its broadcast timeslot: TN0 of the BCCH carrier, as the mobile hears it
frame after frame.

The cell is non-combined (CCCH_CONF 0: one basic physical channel for the CCCH, no SDCCH/4 on
TN0), so TN0 follows the 51-multiframe of TS 45.002 clause 7 table 5 (and 6.3.1.3 for the BCCH):

    FN mod 51   0  1  2..5  6..9  10 11 12..15 16..19 20 21 22..25 26..29 30 31 ...  46..49 50
    channel     F  S  BCCH  CCCH0  F  S  CCCH1  CCCH2  F  S  CCCH3  CCCH4  F  S  ...  CCCH8  idle

F is the frequency-correction burst, S the synchronisation burst (BSIC and the reduced frame
number T1, T2, T3'), BCCH and each of the 9 CCCH blocks one xCCH block over 4 normal bursts with
the training sequence of the cell's BCC.  The idle frame carries a dummy burst (45.002 5.2.6):
the BCCH carrier never stops transmitting.

BCCH Norm carries system information by TC = (FN div 51) mod 8 (45.002 6.3.1.3): SI1 at TC 0,
SI2 at 1, SI3 at 2 and 6, SI4 at 3 and 7.  TC 4 and 5 belong to the optional SI2bis/ter/quater,
SI7/8/9 and SI13, none of which this cell has; 6.3.1.3 lets a position without its message carry
another, and this cell repeats SI2 at TC 4 (the neighbour list, which a mobile re-reads) and SI3
at TC 5 (the cell's CCCH description and selection parameters, which it needs first).  The
schedule is BCCH_SCHEDULE.

CCCH blocks 0 .. BS_AG_BLKS_RES-1 are reserved for access grants and send an L2 fill frame when
idle; the others are paging blocks and send a Paging Request Type 1 for "no identity" (the
empty paging).  Anything else goes out only where a scenario put it, by frame number
(`Cell.send`, `Cell.page`, `Cell.assign`), so a run is the same every time.

Each distinct burst is modulated once and kept; per burst, only the channel model runs.  Output
windows are those of host/bts/gmsk.py: WINDOW samples, one per symbol, the burst's first tail
bit on sample BURST_START, a unit-amplitude signal at SAMPLE_SCALE, interleaved int16 I/Q.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from host.bts import coding, gmsk, l3
from host.bts.channel import Channel

HYPERFRAME = 26 * 51 * 2048             # 2715648 TDMA frames, FN 0 .. HYPERFRAME-1
MULTIFRAME = 51

FCCH_FRAMES = (0, 10, 20, 30, 40)
SCH_FRAMES = (1, 11, 21, 31, 41)
BCCH_START = 2
CCCH_STARTS = (6, 12, 16, 22, 26, 32, 36, 42, 46)   # first frame of CCCH blocks 0..8
IDLE_FRAME = 50
CCCH_BLOCKS = len(CCCH_STARTS)

# System information on BCCH Norm by TC = (FN div 51) mod 8; see the module's docstring.
BCCH_SCHEDULE = ("si1", "si2", "si3", "si4", "si2", "si3", "si3", "si4")

# Where each frame of the 51-multiframe belongs: (channel, block, burst of the block).
_MAP: list[tuple[str, int, int]] = []
for _r in range(MULTIFRAME):
    if _r in FCCH_FRAMES:
        _MAP.append(("fcch", 0, 0))
    elif _r in SCH_FRAMES:
        _MAP.append(("sch", 0, 0))
    elif BCCH_START <= _r < BCCH_START + 4:
        _MAP.append(("bcch", 0, _r - BCCH_START))
    elif _r == IDLE_FRAME:
        _MAP.append(("idle", 0, 0))
    else:
        _k = max(k for k, s in enumerate(CCCH_STARTS) if s <= _r)
        _MAP.append(("ccch", _k, _r - CCCH_STARTS[_k]))
del _r, _k


def slot(fn: int) -> tuple[str, int, int]:
    """(channel, block, burst) of TN0 on frame `fn`: channel is "fcch", "sch", "bcch", "ccch" or
    "idle"; block is the CCCH block (0..8, else 0); burst is 0..3 inside a block."""
    return _MAP[fn % MULTIFRAME]


def block_start(fn: int) -> int:
    """The first frame of the BCCH or CCCH block frame `fn` belongs to."""
    return (fn - slot(fn)[2]) % HYPERFRAME


def imsi_mod_1000(imsi: str) -> int:
    """45.002 6.5.2's IMSI mod 1000: the number its last three digits make."""
    return int(imsi[-3:])


@dataclass
class Cell:
    """A cell's configuration, and its TN0 downlink for any frame.  Coded values are as the
    messages carry them: `bs_pa_mfrms` v means v + 2 multiframes between a mobile's paging
    blocks, `max_retrans` 0..3 means 1, 2, 4, 7 retransmissions, `tx_integer` is 44.018
    10.5.2.29's code, `acc` the 16 access-control-class bits (1 = barred), `t3212` in
    decihours."""
    bsic: int = 0x23                    # NCC 4, BCC 3
    arfcn: int = 42                     # P-GSM 900, 1..124 (the bit map 0 lists need it)
    mcc: int = 1
    mnc: int = 1
    lac: int = 0x0017
    cell_id: int = 0x1234
    neighbours: tuple[int, ...] = (38, 46, 50)
    ncc_permitted: int = 0xFF
    # Control channel description (44.018 10.5.2.11)
    att: int = 1
    bs_ag_blks_res: int = 1
    bs_pa_mfrms: int = 0
    t3212: int = 10
    # Cell options on the BCCH (10.5.2.3)
    pwrc: int = 0
    dtx: int = 2
    rlt: int = 4
    # Cell selection parameters (10.5.2.4)
    hyst: int = 2
    ms_txpwr_max_cch: int = 5
    acs: int = 0
    neci: int = 1
    rxlev_access_min: int = 8
    # RACH control (10.5.2.29)
    max_retrans: int = 2
    tx_integer: int = 5
    cell_barred: int = 0
    re: int = 1
    acc: int = 0
    queued: dict[int, tuple[str, bytes]] = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if not 0 <= self.bsic < 64:
            raise ValueError(f"BSIC {self.bsic} is not 6 bits")
        if not 0 <= self.bs_ag_blks_res <= 7:
            raise ValueError("BS_AG_BLKS_RES is coded 0..7")
        if not 0 <= self.bs_pa_mfrms <= 7:
            raise ValueError("BS_PA_MFRMS is coded 0..7")
        self._windows: dict[object, np.ndarray] = {}
        self.si = self.system_information()

    # ---- the messages ----

    @property
    def tsc(self) -> int:
        return self.bsic & 7

    @property
    def rach(self) -> dict:
        return {"max_retrans": self.max_retrans, "tx_integer": self.tx_integer,
                "cell_barred": self.cell_barred, "re": self.re, "acc": self.acc}

    @property
    def cell_sel(self) -> dict:
        return {"hyst": self.hyst, "ms_txpwr_max_cch": self.ms_txpwr_max_cch, "acs": self.acs,
                "neci": self.neci, "rxlev_access_min": self.rxlev_access_min}

    @property
    def ccch(self) -> dict:
        return {"att": self.att, "bs_ag_blks_res": self.bs_ag_blks_res, "ccch_conf": 0,
                "bs_pa_mfrms": self.bs_pa_mfrms, "t3212": self.t3212}

    def system_information(self) -> dict[str, bytes]:
        """The 23-octet BCCH blocks "si1" .. "si4" of this configuration."""
        return {
            "si1": l3.si1([self.arfcn], self.rach),
            "si2": l3.si2(self.neighbours, self.ncc_permitted, self.rach),
            "si3": l3.si3(self.cell_id, self.mcc, self.mnc, self.lac, self.ccch,
                          {"pwrc": self.pwrc, "dtx": self.dtx, "rlt": self.rlt}, self.cell_sel,
                          self.rach),
            "si4": l3.si4(self.mcc, self.mnc, self.lac, self.cell_sel, self.rach),
        }

    # ---- the CCCH: paging groups and what a scenario queues ----

    @property
    def paging_blocks(self) -> int:
        """Paging blocks per 51-multiframe (9 - BS_AG_BLKS_RES)."""
        return CCCH_BLOCKS - self.bs_ag_blks_res

    @property
    def paging_period(self) -> int:
        """BS_PA_MFRMS in multiframes."""
        return self.bs_pa_mfrms + 2

    def paging_group(self, imsi: str) -> int:
        """45.002 6.5.2 with one CCCH: PAGING_GROUP = (IMSI mod 1000) mod N, N the paging blocks
        of BS_PA_MFRMS multiframes."""
        return imsi_mod_1000(imsi) % (self.paging_blocks * self.paging_period)

    def paging_fn(self, imsi: str, after: int = 0) -> int:
        """The first frame of the mobile's next paging block at or after frame `after`: in the
        multiframes where (FN div 51) mod BS_PA_MFRMS = PAGING_GROUP div (N div BS_PA_MFRMS), the
        paging block PAGING_GROUP mod (N div BS_PA_MFRMS), counted after the reserved AGCH
        blocks."""
        group = self.paging_group(imsi)
        mf_index, block = divmod(group, self.paging_blocks)
        start = CCCH_STARTS[self.bs_ag_blks_res + block]
        after %= HYPERFRAME
        mf = after // MULTIFRAME
        while True:
            if mf * MULTIFRAME >= HYPERFRAME:                # FN wraps: so does FN div 51
                mf, after = 0, 0
            fn = mf * MULTIFRAME + start
            if mf % self.paging_period == mf_index and fn >= after:
                return fn
            mf += 1

    def send(self, fn: int, block: bytes, label: str = "l3") -> None:
        """Put the 23-octet `block` on the CCCH block whose first frame is `fn`, once."""
        fn %= HYPERFRAME
        channel, _, burst = slot(fn)
        if channel != "ccch" or burst:
            raise ValueError(f"frame {fn} does not start a CCCH block")
        if len(block) != l3.CCCH_LEN:
            raise ValueError("a CCCH block is 23 octets")
        self.queued[fn] = (label, bytes(block))

    def page(self, fn: int, *identities) -> bytes:
        """A Paging Request Type 1 for one or two identities (IMSI digit strings or TMSIs) on
        the paging block at `fn`; returns the block."""
        if slot(fn)[1] < self.bs_ag_blks_res:
            raise ValueError(f"frame {fn} starts a block reserved for access grants")
        block = l3.paging_req1(*identities)
        self.send(fn, block, "paging " + " ".join(str(i) for i in identities))
        return block

    def assign(self, fn: int, ra: int, ra_fn: int, **chan) -> bytes:
        """An Immediate Assignment answering Channel Request `ra` of frame `ra_fn` on the CCCH
        block at `fn` (`chan`: l3.imm_assign's channel keywords); returns the block."""
        block = l3.imm_assign(ra, ra_fn, **chan)
        self.send(fn, block, f"imm_assign ra={ra:#04x}")
        return block

    # ---- frames ----

    def content(self, fn: int) -> tuple[str, object]:
        """What TN0 sends on frame `fn`: (description, key), the key naming its burst."""
        fn %= HYPERFRAME
        channel, k, burst = slot(fn)
        if channel == "fcch":
            return "FCCH", ("fcch",)
        if channel == "sch":
            return "SCH", ("sch", fn)
        if channel == "idle":
            return "idle (dummy burst)", ("dummy",)
        start = (fn - burst) % HYPERFRAME
        if channel == "bcch":
            name = BCCH_SCHEDULE[(start // MULTIFRAME) % 8]
            return f"BCCH {name.upper()} {burst + 1}/4", ("xcch", self.si[name], burst)
        kind = "AGCH" if k < self.bs_ag_blks_res else "PCH"
        if start in self.queued:
            label, block = self.queued[start]
        elif kind == "AGCH":
            label, block = "fill", _FILL_FRAME
        else:
            label, block = "empty paging", _EMPTY_PAGING
        return f"CCCH{k} {kind} {label} {burst + 1}/4", ("xcch", block, burst)

    def describe(self, fn_start: int, n_frames: int) -> list[str]:
        """One line per frame, "FN description"."""
        return [f"{(fn_start + i) % HYPERFRAME} {self.content(fn_start + i)[0]}"
                for i in range(n_frames)]

    def _bits(self, key) -> np.ndarray:
        if key[0] == "fcch":
            return gmsk.fcch_burst()
        if key[0] == "dummy":
            return gmsk.dummy_burst()
        if key[0] == "sch":
            coded = coding.sch_encode(coding.sch_info(self.bsic, key[1]))
            return gmsk.sync_burst(coded)
        _, block, burst = key
        return gmsk.normal_burst(_xcch_bursts(block)[burst], self.tsc)

    def window(self, key) -> np.ndarray:
        """The modulated window of burst `key` (complex, unit amplitude), kept once made.  SCH
        windows, one per frame number, are not kept."""
        w = self._windows.get(key)
        if w is None:
            w = gmsk.modulate_window(self._bits(key))
            if key[0] != "sch":
                self._windows[key] = w
        return w

    def clean(self, fn_start: int, n_frames: int) -> np.ndarray:
        """The transmitted windows of frames fn_start .. fn_start+n_frames-1: complex, shape
        (n_frames, WINDOW)."""
        out = np.empty((n_frames, gmsk.WINDOW), dtype=complex)
        for i in range(n_frames):
            out[i] = self.window(self.content(fn_start + i)[1])
        return out

    def downlink(self, fn_start: int, n_frames: int, channel: Channel | None = None) -> np.ndarray:
        """The received TN0 windows of frames fn_start .. fn_start+n_frames-1 (FN taken modulo
        the hyperframe) through `channel` (one apply per frame, in order; None: the transmitted
        signal itself): int16, shape (n_frames, 2*WINDOW), I and Q interleaved, a unit-amplitude
        signal at gmsk.SAMPLE_SCALE, burst start at gmsk.BURST_START, as DlBurst.iq carries
        them."""
        x = self.clean(fn_start, n_frames)
        if channel is not None:
            for i in range(n_frames):
                x[i] = channel.apply(x[i])
        iq = np.empty((n_frames, 2 * gmsk.WINDOW))
        iq[:, 0::2] = x.real * gmsk.SAMPLE_SCALE
        iq[:, 1::2] = x.imag * gmsk.SAMPLE_SCALE
        return np.clip(np.rint(iq), -32768, 32767).astype(np.int16)


_FILL_FRAME = bytes([0x03, 0x03, 0x01]) + bytes([l3.FILL]) * 20   # 44.006 5.4.2.3's UI, L = 0
_EMPTY_PAGING = l3.paging_req1()
_XCCH: dict[bytes, np.ndarray] = {}


def _xcch_bursts(block: bytes) -> np.ndarray:
    """45.003 xCCH coding of a 23-octet block: its 4 bursts' 116 bits, kept once made."""
    bursts = _XCCH.get(block)
    if bursts is None:
        bursts = _XCCH[block] = coding.xcch_encode(block)
    return bursts
