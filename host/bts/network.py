"""The network's side of a scenario's procedures: what the base station sends on a dedicated
channel, block by block, and what it expects the mobile to send back.

Frame numbers here are not reduced modulo the hyperframe (the scenario's FN at mobile frame f
is fn0 + f): the 51- and 26-multiframes run on across the wrap, and comparisons stay simple.

A deterministic run cannot be a conversation: the downlink is loaded before the mobile's
clock starts.  So the network answers at frame numbers fixed by the scenario, and the mobile's
side of the exchange is what TS 44.018, 44.006 and 24.008 make it: its random access draws its
slot and reference from MODEM_START's seed (xorshift32, `MobileRandom`, as the firmware's
modem.h states), it answers a downlink block in the uplink block of the same multiframe, and
LAPDm's window of one fixes every N(S) and N(R).  After the run, the uplink the mobile really
sent is decoded (host/bts/coding.py, on komm) and held against `Dedicated.expect`, frame by
frame; a mobile that deviates fails there, and its LAPDm sees the network's frames out of
sequence.

Channel timing (TS 45.002 clause 7 table 3, non-hopping SDCCH/8 on one timeslot): subchannel
k's downlink block is frames 4k..4k+3 of the 51-multiframe, its uplink block 15 frames later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pycrate_mobile import TS24008_MM as MM
from pycrate_mobile import TS44018_RR as RR

from host.bts import lapdm
from host.bts.cell import CCCH_STARTS, MULTIFRAME

#: the firmware's rr.h: frames from the assigning block's first frame to the new channel's first
RR_ACTIVATION_FRAMES = 12
#: 44.018 10.5.2.29 Tx-integer -> T, and the spread S of table 3.3.1.1.2.1 (non-combined CCCH)
TX_INTEGER_T = (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50)
SDCCH8_UL_DELAY = 15
LU_TYPE_IMSI_ATTACH = 2
CKSN_NONE = 7
DELETED_LAC = 0xFFFE
MS_CLASSMARK1 = 0x33
RACH_CAUSE_LU = (0x00, 0x0F)        # 0000xxxx with NECI 1 (44.018 table 9.1.8.1)


class MobileRandom:
    """The mobile's xorshift32 (Marsaglia 2003), seeded by MODEM_START.seed (0 as 0x9E3779B9)."""

    def __init__(self, seed: int):
        self.state = seed & 0xFFFFFFFF or 0x9E3779B9

    def next(self) -> int:
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return x


def sdcch_dl_start(sub: int, fn: int) -> int:
    """The first frame of subchannel `sub`'s first downlink block starting at or after `fn`."""
    first = 4 * sub
    start = fn - fn % MULTIFRAME + first
    return start if start >= fn else start + MULTIFRAME


def sdcch_ul_start(sub: int, fn: int) -> int:
    first = 4 * sub + SDCCH8_UL_DELAY
    start = fn - fn % MULTIFRAME + first
    return start if start >= fn else start + MULTIFRAME


def agch_start(fn: int) -> int:
    """The first frame of the first AGCH block (CCCH block 0) starting at or after `fn`."""
    start = fn - fn % MULTIFRAME + CCCH_STARTS[0]
    return start if start >= fn else start + MULTIFRAME


def lai_plmn(mcc: int, mnc: int) -> str:
    return f"{mcc:03d}{mnc:02d}"


def lu_request(imsi: str, mcc: int, mnc: int) -> bytes:
    """The LOCATION UPDATING REQUEST a mobile with no stored LAI sends to attach (24.008
    9.2.15), built by pycrate: its echo in the UA resolves the contention."""
    m = MM.MMLocationUpdatingRequest()
    m["CKSN"].set_val({"V": CKSN_NONE})
    m["LocUpdateType"].set_IE(val={"Type": LU_TYPE_IMSI_ATTACH})
    m["LAI"].set_IE(val={"PLMN": lai_plmn(mcc, mnc), "LAC": DELETED_LAC})
    m["MSCm1"].set_val({"V": bytes([MS_CLASSMARK1])})
    m["ID"].set_IE(val={"type": 1, "ident": imsi})
    return m.to_bytes()


def lu_accept(mcc: int, mnc: int, lac: int, tmsi: int) -> bytes:
    m = MM.MMLocationUpdatingAccept()
    m["LAI"].set_IE(val={"PLMN": lai_plmn(mcc, mnc), "LAC": lac})
    m["ID"].set_trans(False)
    m["ID"].set_IE(val={"type": 4, "ident": tmsi})
    return m.to_bytes()


def channel_release(cause: int = 0) -> bytes:
    m = RR.RRChannelRelease()
    m["RRCause"].set_val({"V": cause})
    return m.to_bytes()


TMSI_REALLOC_COMPLETE = bytes([0x05, 0x1B])


def net(sapi: int, ctl: int, info: bytes = b"", cmd: bool = True) -> bytes:
    """A network frame on the SDCCH: C/R 1 for commands, 0 for responses (44.006 3.3.2)."""
    cr = lapdm.NET_CMD if cmd else lapdm.NET_RESP
    return lapdm.Frame(sapi, cr, ctl, info).encode(lapdm.BLOCK_LEN)


def ms(sapi: int, ctl: int, info: bytes = b"", cmd: bool = True) -> lapdm.Frame:
    """A frame the mobile is expected to send."""
    return lapdm.Frame(sapi, lapdm.MS_CMD if cmd else lapdm.MS_RESP, ctl, info)


def i_ctl(nr: int, ns: int, p: bool = False) -> int:
    return (nr & 7) << 5 | (lapdm.PF if p else 0) | (ns & 7) << 1


FILL_NET = net(0, lapdm.UI)                     # 44.006 5.4.2.3: the network's fill frame
FILL_MS = ms(0, lapdm.UI)


@dataclass
class Access:
    """The mobile's first channel request, as the network predicts it."""
    frame: int                  # the mobile frame it goes on (uplink timeslot 0)
    fn: int
    ra: int


@dataclass
class Dedicated:
    """An SDCCH/8 subchannel the network assigned, and what goes on it."""
    sub: int
    tn: int
    tsc: int
    first_fn: int               # the mobile uses it from here
    last_fn: int                # the network's last downlink block on it ends here
    dl: dict[int, bytes] = field(default_factory=dict)          # block start FN -> L2 frame
    expect: dict[int, tuple[lapdm.Frame, str]] = field(default_factory=dict)
    # uplink block start FN -> (the frame expected, what it is, for people)

    def dl_block(self, fn: int) -> tuple[int, int] | None:
        """(block start, burst) when frame `fn` is in one of the channel's downlink blocks the
        network transmits, else None."""
        pos = fn % MULTIFRAME - 4 * self.sub
        if not 0 <= pos < 4:
            return None
        start = fn - pos
        if start < self.first_fn or fn > self.last_fn:
            return None
        return start, pos

    def frame_at(self, start: int) -> bytes:
        return self.dl.get(start, FILL_NET)


def plan_access(seed: int, action_frame: int, fn0: int, tx_integer: int) -> Access:
    """The first channel request of a mobile whose user acts at `action_frame`, for a
    location update (firmware rr.c: the slot after a random wait of 0..max(T, 8)-1 frames, then
    the random reference)."""
    rnd = MobileRandom(seed)
    t = TX_INTEGER_T[tx_integer]
    frame = action_frame + rnd.next() % max(t, 8)
    code, mask = RACH_CAUSE_LU
    ra = code | (rnd.next() & 0xFF & mask)
    return Access(frame, fn0 + frame, ra)


def plan_location_update(imsi: str, cell, access: Access, *, sub: int, tn: int, tmsi: int
                         ) -> tuple[int, Dedicated]:
    """The network's side of a location update answering `access`: the FN of the AGCH block for
    the immediate assignment, and the SDCCH's exchange (44.006 window 1, each answer in the
    next block):

        uplink  SABM + LU REQUEST          downlink  UA echoing it
        uplink  fill                        downlink  I(0,0) LU ACCEPT (new TMSI)
        uplink  I(0,1) TMSI REALLOC COMPL   downlink  I(1,1) CHANNEL RELEASE
        uplink  DISC                        downlink  UA
    """
    assign_fn = agch_start(access.fn + 1)
    first = assign_fn + RR_ACTIVATION_FRAMES
    ul = sdcch_ul_start(sub, first)
    ded = Dedicated(sub=sub, tn=tn, tsc=cell.tsc, first_fn=first, last_fn=0)
    request = lu_request(imsi, cell.mcc, cell.mnc)
    exchange = [
        (ms(0, lapdm.SABM | lapdm.PF, request), "SABM + LOCATION UPDATING REQUEST",
         net(0, lapdm.UA | lapdm.PF, request, cmd=False)),
        (FILL_MS, "fill frame",
         net(0, i_ctl(0, 0), lu_accept(cell.mcc, cell.mnc, cell.lac, tmsi))),
        (ms(0, i_ctl(1, 0), TMSI_REALLOC_COMPLETE), "I(0,1) TMSI REALLOCATION COMPLETE",
         net(0, i_ctl(1, 1), channel_release(0))),
        (ms(0, lapdm.DISC | lapdm.PF), "DISC", net(0, lapdm.UA | lapdm.PF, cmd=False)),
    ]
    for i, (up, what, down) in enumerate(exchange):
        u = ul + i * MULTIFRAME
        ded.expect[u] = (up, what)
        d = u - SDCCH8_UL_DELAY + MULTIFRAME          # the next downlink block
        ded.dl[d] = down
        ded.last_fn = d + 3
    return assign_fn, ded
