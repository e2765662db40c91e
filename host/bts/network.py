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

import numpy as np

from pycrate_mobile import TS24008_MM as MM
from pycrate_mobile import TS44018_RR as RR

from host.bts import lapdm
from host.bts.cell import CCCH_STARTS, HYPERFRAME, MULTIFRAME

#: the firmware's rr.h: frames from the assigning block's first frame to the new channel's first
RR_ACTIVATION_FRAMES = 12
#: 44.018 10.5.2.29 Tx-integer -> T, and the spread S of table 3.3.1.1.2.1 (non-combined CCCH)
TX_INTEGER_T = (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50)
SDCCH8_UL_DELAY = 15
LU_TYPE_IMSI_ATTACH = 2
CKSN_NONE = 7
DELETED_LAC = 0xFFFE
MS_CLASSMARK1 = 0x33
MS_CLASSMARK2 = bytes.fromhex("331980")     # the firmware's mm.h
# establishment causes of 44.018 table 9.1.8.1 as (code, random bits)
RACH_CAUSE_LU = (0x00, 0x0F)        # 0000xxxx: location updating, NECI 1
RACH_CAUSE_CALL = (0xE0, 0x1F)      # 111xxxxx: originating call, TCH/F needed
RACH_CAUSE_PAGING = (0x80, 0x1F)    # 100xxxxx: answer to paging, any channel
#: the firmware's rr.c: a page is answered from this many frames after its block's first frame
RR_PAGE_RESPONSE_FRAMES = 8
TCH_TN = 2                          # where the network puts its traffic channels


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


# ---- the SACCH (45.002 clause 7 tables 1 and 3, 44.018 3.4.1.2) ------------------------------

SACCH_MARGIN = 8    # frames the network keeps sending after its last block, while the mobile leaves
#: a fade lasts this long: RADIO-LINK-TIMEOUT 4 (the link-failure scenario's cell) is 4 SACCH
#: blocks lost in a row, up to 5 SACCH periods of 104 frames after the fade begins, and a margin
FADE_FRAMES = 6 * 104


def sacch_l1_header(power: int = 5, ta: int = 0) -> bytes:
    """The SACCH's layer-1 header (44.004 7.2): ordered MS power level, ordered timing advance."""
    return bytes([power & 0x1F, ta & 0x3F])


def sacch_dl_block(cell, n: int) -> bytes:
    """The network's n-th SACCH block: the L1 header and a B4 UI frame carrying SI5 (n even)
    or SI6 (n odd)."""
    from host.bts import l3

    info = l3.si5(cell.neighbours) if n % 2 == 0 else \
        l3.si6(cell.cell_id, cell.mcc, cell.mnc, cell.lac, {"pwrc": cell.pwrc, "dtx": cell.dtx, "rlt": cell.rlt},
               cell.ncc_permitted)
    return sacch_l1_header() + lapdm.Frame(0, lapdm.NET_CMD, lapdm.UI, info, b4=True).encode(lapdm.BLOCK_LEN - 2)


def sacch_sdcch8_first(sub: int, uplink: bool) -> int:
    """First frame (mod 102) of SACCH/C8 subchannel `sub`'s block."""
    first = 32 + 4 * sub if sub < 4 else 83 + 4 * (sub - 4)
    return (first + (SDCCH8_UL_DELAY if uplink else 0)) % 102


def sacch_pos(fn: int, *, tch: bool, tn: int, sub: int, uplink: bool) -> int | None:
    """The burst (0-3) of a SACCH block on frame `fn`, or None."""
    if tch:
        d = (fn - (12 + 13 * tn)) % 104
        return d // 26 if d % 26 == 0 else None
    d = (fn - sacch_sdcch8_first(sub, uplink)) % 102
    return d if d < 4 else None


def sacch_burst_fn(first: int, burst: int, tch: bool) -> int:
    return first + burst * (26 if tch else 1)


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

    def sacch_dl(self, fn: int) -> tuple[int, int] | None:
        """(block start, burst) of the SACCH downlink burst on frame `fn`, if the network sends
        one there."""
        pos = sacch_pos(fn, tch=False, tn=self.tn, sub=self.sub, uplink=False)
        if pos is None or not self.first_fn <= fn <= self.last_fn + SACCH_MARGIN:
            return None
        return fn - pos, pos


def plan_access(seed: int, action_frame: int, fn0: int, tx_integer: int,
                cause: tuple[int, int] = RACH_CAUSE_LU) -> Access:
    """The first channel request of a mobile that starts its access at `action_frame` (the
    user's action, or RR_PAGE_RESPONSE_FRAMES after the page), for establishment `cause`
    (firmware rr.c: the slot after a random wait of 0..max(T, 8)-1 frames, then the random
    reference)."""
    rnd = MobileRandom(seed)
    t = TX_INTEGER_T[tx_integer]
    frame = action_frame + rnd.next() % max(t, 8)
    code, mask = cause
    ra = code | (rnd.next() & 0xFF & mask)
    return Access(frame, fn0 + frame, ra)


def cm_service_request(imsi: str) -> bytes:
    """CM SERVICE REQUEST for a mobile-originated call (24.008 9.2.9), by IMSI."""
    m = MM.MMCMServiceRequest()
    m["CKSN"].set_val({"V": CKSN_NONE})
    m["Service"].set_val({"V": 1})
    m["MSCm2"].set_val({"L": len(MS_CLASSMARK2), "V": MS_CLASSMARK2})
    m["ID"].set_IE(val={"type": 1, "ident": imsi})
    return m.to_bytes()


def paging_response(imsi: str) -> bytes:
    """PAGING RESPONSE (44.018 9.1.25), by IMSI."""
    m = RR.RRPagingResponse()
    m["CKSN"].set_val({"V": CKSN_NONE})
    m["MSCm2"].set_val({"L": len(MS_CLASSMARK2), "V": MS_CLASSMARK2})
    m["ID"].set_IE(val={"type": 1, "ident": imsi})
    return m.to_bytes()


def assignment_command(tn: int, tsc: int, arfcn: int) -> bytes:
    """ASSIGNMENT COMMAND (44.018 9.1.2) of a non-hopping TCH/F + ACCHs (channel type 00001),
    power level 0: the channel description of 10.5.2.5 written out."""
    return bytes([0x06, 0x2E, 1 << 3 | tn, tsc << 5 | (arfcn >> 8) & 3, arfcn & 0xFF, 0x00])


def called_bcd(number: str) -> bytes:
    """Called party BCD number (24.008 10.5.4.7): unknown type, ISDN plan, the digits."""
    nib = [int(d) for d in number] + ([0xF] if len(number) % 2 else [])
    return bytes([0x81]) + bytes(nib[i] | nib[i + 1] << 4 for i in range(0, len(nib), 2))


# CC messages (24.008 9.3) as the octets the spec gives: the protocol discriminator 3 with the
# transaction identifier above it (flag 8 from the side that did not start the call, TI 0).
BEARER_SPEECH = bytes([0x04, 0x01, 0xA0])       # TLV: GSM full-rate speech
CAUSE_NORMAL = bytes([0x02, 0xE0, 0x90])        # LV: GSM coding, user location, #16
ASSIGNMENT_COMPLETE = bytes([0x06, 0x29, 0x00])
CM_SERVICE_ACCEPT = bytes([0x05, 0x21])


def cc(flag: int, msg_type: int, rest: bytes = b"") -> bytes:
    return bytes([flag << 7 | 0x03, msg_type]) + rest


SETUP, CALL_PROCEEDING, CALL_CONFIRMED, ALERTING, CONNECT, CONNECT_ACK = 0x05, 0x02, 0x08, 0x01, 0x07, 0x0F
DISCONNECT, RELEASE, RELEASE_COMPLETE = 0x25, 0x2D, 0x2A


def rr_resp(nr: int, from_ms: bool) -> lapdm.Frame | bytes:
    """An RR response frame (44.006 3.4): from the mobile, the frame expected; from the
    network, its block."""
    ctl = (nr & 7) << 5 | lapdm.RR | 1
    return ms(0, ctl, cmd=False) if from_ms else net(0, ctl, cmd=False)


def _sdcch(ded: Dedicated, ul: int, steps) -> int:
    """Fills `ded` with one step per multiframe from uplink block `ul`: (the frame the mobile
    sends, what it is, the network's answer in the next downlink block or None for an uplink
    block that is the last).  Returns the first frame of the last downlink block."""
    d = ul
    for i, (up, what, down) in enumerate(steps):
        u = ul + i * MULTIFRAME
        ded.expect[u] = (up, what)
        d = u - SDCCH8_UL_DELAY + MULTIFRAME          # the next downlink block
        if down is not None:
            ded.dl[d] = down
        ded.last_fn = d + 3
    return d


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
    assign_fn, ded, ul = _assign(cell, access, sub, tn)
    request = lu_request(imsi, cell.mcc, cell.mnc)
    _sdcch(ded, ul, [
        (ms(0, lapdm.SABM | lapdm.PF, request), "SABM + LOCATION UPDATING REQUEST",
         net(0, lapdm.UA | lapdm.PF, request, cmd=False)),
        (FILL_MS, "fill frame", net(0, i_ctl(0, 0), lu_accept(cell.mcc, cell.mnc, cell.lac, tmsi))),
        (ms(0, i_ctl(1, 0), TMSI_REALLOC_COMPLETE), "I(0,1) TMSI REALLOCATION COMPLETE",
         net(0, i_ctl(1, 1), channel_release(0))),
        (ms(0, lapdm.DISC | lapdm.PF), "DISC", net(0, lapdm.UA | lapdm.PF, cmd=False)),
    ])
    return assign_fn, ded


def _assign(cell, access: Access, sub: int, tn: int) -> tuple[int, Dedicated, int]:
    """The AGCH block answering `access`, the SDCCH it assigns, and its first uplink block."""
    assign_fn = agch_start(access.fn + 1)
    first = assign_fn + RR_ACTIVATION_FRAMES
    ded = Dedicated(sub=sub, tn=tn, tsc=cell.tsc, first_fn=first, last_fn=0)
    return assign_fn, ded, sdcch_ul_start(sub, first)


# ---- calls: the SDCCH, then a TCH/F ---------------------------------------------------------

def tch_index(fn: int) -> int:
    """TCH/F burst number of frame `fn` (not 12 or 25 modulo 26): 24 per 26-multiframe."""
    pos = fn % 26
    assert pos not in (12, 25), "no TCH burst on the SACCH or idle frame"
    return fn // 26 * 24 + pos - (pos > 12)


def tch_fn(index: int) -> int:
    pos = index % 24
    return index // 24 * 26 + pos + (pos >= 12)


def speech_pattern(fn: int, uplink: bool) -> np.ndarray:
    """The 260 bits of the test pattern in the speech frame whose first burst is on frame `fn`
    (reduced modulo the hyperframe), as the firmware's coding.h defines it."""
    x = ((fn % HYPERFRAME) * 0x9E3779B1 ^ (0xA5A5A5A5 if uplink else 0x5A5A5A5A)) & 0xFFFFFFFF or 1
    bits = np.empty(260, dtype=np.uint8)
    for i in range(260):
        if i % 32 == 0:
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
        bits[i] = x >> (i % 32) & 1
    return bits


@dataclass
class Traffic:
    """A TCH/F the network assigned, block by block: block j is the one whose first burst is
    TCH burst 4j.  Downlink blocks carry `facch` frames where given, speech elsewhere; uplink
    blocks are expected to carry `expect` frames (FACCH) and speech elsewhere."""
    tn: int
    tsc: int
    first_fn: int               # the mobile uses it from here
    first_block: int            # the mobile's first uplink block
    last_block: int             # the network's last downlink block
    facch: dict[int, bytes] = field(default_factory=dict)
    expect: dict[int, tuple[lapdm.Frame, str]] = field(default_factory=dict)
    connected: tuple[int, int] = (0, 0)     # blocks from connect to disconnect
    fade_fn: int | None = None  # from here the mobile hears nothing of the channel but noise

    @property
    def last_fn(self) -> int:
        """The last frame the network transmits on it: the last block's 8 bursts, and 8 more
        while the mobile leaves the channel; after a fade, the frames in which a mobile that
        loses nothing but SACCH blocks must have declared the link lost."""
        if self.fade_fn is not None:
            return self.fade_fn + FADE_FRAMES
        return tch_fn(4 * self.last_block + 15)

    def faded(self, fn: int) -> bool:
        return self.fade_fn is not None and fn >= self.fade_fn

    def sacch_dl(self, fn: int) -> tuple[int, int] | None:
        pos = sacch_pos(fn, tch=True, tn=self.tn, sub=0, uplink=False)
        if pos is None or not self.first_fn <= fn <= self.last_fn:
            return None
        return fn - 26 * pos, pos

    def dl_bursts(self, fn0: int) -> dict[int, np.ndarray]:
        """Frame number -> the burst's 116 bits e(0..115), for every downlink burst."""
        from host.bts import coding

        first = max(self.first_block - 2, 0)
        last = self.last_block if self.fade_fn is None else max(self.last_block, tch_index(self.fade_fn) // 4)
        blocks, stolen = [], []
        for j in range(first, last + 3):
            fn = tch_fn(4 * j)
            if j in self.facch:
                blocks.append(coding.facch_f_encode(self.facch[j]))
                stolen.append(1)
            else:
                blocks.append(coding.tch_fs_encode(speech_pattern(fn, uplink=False)))
                stolen.append(0)
        bursts = coding.diagonal_interleave(blocks, stolen)
        out = {}
        for x, e in enumerate(bursts):
            fn = tch_fn(4 * first + x)
            if self.first_fn <= fn <= self.last_fn:
                out[fn] = e
        return out


def _tch(tr: Traffic, steps) -> None:
    """Fills `tr` from a chain of steps starting with the mobile's first uplink block:
    ("ul", frame, what) the mobile sends in the block after the last downlink's answer time
    (3 blocks after a downlink block: its 8 bursts received, decoded, and the next block made
    with the firmware's RR_UL_LEAD); ("dl", frame) the network sends 2 blocks after the
    mobile's uplink block (its 8 bursts in); ("speech", blocks) nothing but speech."""
    j = tr.first_block
    last = None
    for step in steps:
        if step[0] == "ul":
            if last == "dl":
                j += 3
            tr.expect[j] = (step[1], step[2])
        elif step[0] == "dl":
            j += 2 if last == "ul" else 5
            tr.facch[j] = step[1]
            tr.last_block = j
        else:
            tr.connected = (j, j + step[1])
            j += step[1]
            last = "ul"
            continue
        last = step[0]


def _release_steps(flag_net: int, nr_net: int, ns_net: int) -> list:
    """The network clears: DISCONNECT, the mobile's RELEASE, RELEASE COMPLETE, its RR,
    CHANNEL RELEASE, its DISC, UA.  `flag_net` is the TI flag the network's CC messages carry;
    the mobile's I frames so far: nr_net; the network's: ns_net."""
    flag_ms = 1 - flag_net
    return [
        ("dl", net(0, i_ctl(nr_net, ns_net), cc(flag_net, DISCONNECT, CAUSE_NORMAL))),
        ("ul", ms(0, i_ctl(ns_net + 1, nr_net), cc(flag_ms, RELEASE)), "RELEASE"),
        ("dl", net(0, i_ctl(nr_net + 1, ns_net + 1), cc(flag_net, RELEASE_COMPLETE))),
        ("ul", rr_resp(ns_net + 2, True), "RR"),
        ("dl", net(0, i_ctl(nr_net + 1, ns_net + 2), channel_release(0))),
        ("ul", ms(0, lapdm.DISC | lapdm.PF), "DISC"),
        ("dl", net(0, lapdm.UA | lapdm.PF, cmd=False)),
    ]


def speech_blocks(seconds: float) -> int:
    """TCH/F blocks in `seconds`: 6 per 26-multiframe of 120 ms."""
    return int(round(seconds / 0.120 * 6))


def plan_call(imsi: str, cell, access: Access, *, sub: int, tn: int, number: str | None,
              seconds: float, fade: bool = False) -> tuple[int, Dedicated, Traffic]:
    """A call answering `access`: mobile-originated to `number`, or mobile-terminated when
    `number` is None (the page answered).  The SDCCH (each answer in the next block), then
    the TCH/F (each answer in the first block it can be in):

        mobile-originated                         mobile-terminated
        SABM + CM SERVICE REQUEST / UA             SABM + PAGING RESPONSE / UA
        fill / I CM SERVICE ACCEPT                 fill / I SETUP
        I SETUP / I CALL PROCEEDING                I CALL CONFIRMED / I ASSIGNMENT COMMAND
        RR / I ASSIGNMENT COMMAND
        on the TCH/F:
        SABM / UA                                  SABM / UA
        I ASSIGNMENT COMPLETE / I ALERTING         I ASSIGNMENT COMPLETE / RR
        RR / I CONNECT                             I ALERTING / RR
        I CONNECT ACK / RR                         I CONNECT / I CONNECT ACK
                                                   RR
        `seconds` of speech, then the network clears (_release_steps); or, with `fade`, the
        channel fades to noise and the mobile must find the link lost (45.008 5.2).
    """
    assign_fn, ded, ul = _assign(cell, access, sub, tn)
    if number is not None:
        request = cm_service_request(imsi)
        last_dl = _sdcch(ded, ul, [
            (ms(0, lapdm.SABM | lapdm.PF, request), "SABM + CM SERVICE REQUEST",
             net(0, lapdm.UA | lapdm.PF, request, cmd=False)),
            (FILL_MS, "fill frame", net(0, i_ctl(0, 0), CM_SERVICE_ACCEPT)),
            (ms(0, i_ctl(1, 0), cc(0, SETUP, BEARER_SPEECH + bytes([0x5E, len(called_bcd(number))])
                                   + called_bcd(number))), "I(0,1) SETUP",
             net(0, i_ctl(1, 1), cc(1, CALL_PROCEEDING))),
            (rr_resp(2, True), "RR(2)",
             net(0, i_ctl(1, 2), assignment_command(TCH_TN, cell.tsc, cell.arfcn))),
        ])
    else:
        request = paging_response(imsi)
        last_dl = _sdcch(ded, ul, [
            (ms(0, lapdm.SABM | lapdm.PF, request), "SABM + PAGING RESPONSE",
             net(0, lapdm.UA | lapdm.PF, request, cmd=False)),
            (FILL_MS, "fill frame", net(0, i_ctl(0, 0), cc(0, SETUP, BEARER_SPEECH))),
            (ms(0, i_ctl(1, 0), cc(1, CALL_CONFIRMED, BEARER_SPEECH)), "I(0,1) CALL CONFIRMED",
             net(0, i_ctl(1, 1), assignment_command(TCH_TN, cell.tsc, cell.arfcn))),
        ])
    first = last_dl + RR_ACTIVATION_FRAMES
    while first % 26 in (12, 25):
        first += 1
    tr = Traffic(tn=TCH_TN, tsc=cell.tsc, first_fn=first, first_block=-(-tch_index(first) // 4),
                 last_block=0)
    speech = ("speech", speech_blocks(seconds))
    if number is not None:
        steps = [
            ("ul", ms(0, lapdm.SABM | lapdm.PF), "SABM"),
            ("dl", net(0, lapdm.UA | lapdm.PF, cmd=False)),
            ("ul", ms(0, i_ctl(0, 0), ASSIGNMENT_COMPLETE), "I(0,0) ASSIGNMENT COMPLETE"),
            ("dl", net(0, i_ctl(1, 0), cc(1, ALERTING))),
            ("ul", rr_resp(1, True), "RR(1)"),
            ("dl", net(0, i_ctl(1, 1), cc(1, CONNECT))),
            ("ul", ms(0, i_ctl(2, 1), cc(0, CONNECT_ACK)), "I(1,2) CONNECT ACK"),
            ("dl", rr_resp(2, False)),
            speech,
        ] + ([] if fade else _release_steps(1, 2, 2))
    else:
        steps = [
            ("ul", ms(0, lapdm.SABM | lapdm.PF), "SABM"),
            ("dl", net(0, lapdm.UA | lapdm.PF, cmd=False)),
            ("ul", ms(0, i_ctl(0, 0), ASSIGNMENT_COMPLETE), "I(0,0) ASSIGNMENT COMPLETE"),
            ("dl", rr_resp(1, False)),
            ("ul", ms(0, i_ctl(0, 1), cc(1, ALERTING)), "I(1,0) ALERTING"),
            ("dl", rr_resp(2, False)),
            ("ul", ms(0, i_ctl(0, 2), cc(1, CONNECT)), "I(2,0) CONNECT"),
            ("dl", net(0, i_ctl(3, 0), cc(0, CONNECT_ACK))),
            ("ul", rr_resp(1, True), "RR(1)"),
            speech,
        ] + ([] if fade else _release_steps(0, 3, 1))
    _tch(tr, steps)
    if fade:
        tr.fade_fn = tch_fn(4 * tr.connected[1])
    return assign_fn, ded, tr
