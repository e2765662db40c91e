"""LAPDm (3GPP TS 44.006), the network's side of one control channel.

Written from the specification, not from the mobile's C (firmware/servers/modem/l2/lapdm.c),
so that each can be held against the other.  The model is the one layer 1 imposes: ``rx_frame``
for each uplink block, ``tx_frame`` for each downlink slot, ``tick`` on the TDMA frame clock.
Window size k = 1, modulo-8 sequence numbers, T200/N200 per channel type.

The network's own duties differ from the mobile's in three ways: it answers a SABM carrying an
initial L3 message with a UA echoing it (contention resolution) and delivers that message up
once, even when the SABM is repeated because the UA was lost; its commands carry C/R = 1; and on
the SACCH its SAPI 0 UI frames use format B4 (no length indicator).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable

BLOCK_LEN = 23
SACCH_L1_LEN = 2
FILL = 0x2B
L3_MAX = 251
HYPERFRAME = 2715648

# Control field codings (44.006 clause 3.4): U frames with P/F cleared, S frame kinds.
SABM, DM, UI, DISC, UA = 0x2F, 0x0F, 0x03, 0x43, 0x63
RR, RNR, REJ = 0x00, 0x04, 0x08
PF = 0x10

# C/R (clause 3.3.2): from the network, commands 1 and responses 0; from the MS the reverse.
NET_CMD, NET_RESP, MS_CMD, MS_RESP = 1, 0, 0, 1


class Chan(enum.Enum):
    SDCCH = "sdcch"
    FACCH_F = "facch_f"
    FACCH_H = "facch_h"
    SACCH = "sacch"
    CCCH = "ccch"


@dataclass(frozen=True)
class ChanParams:
    n201: int   # information field of format B
    n200: int   # retransmissions in timer recovery
    t200: int   # TDMA frames


PARAMS = {
    Chan.SDCCH: ChanParams(20, 23, 48),
    Chan.FACCH_F: ChanParams(20, 34, 34),
    Chan.FACCH_H: ChanParams(20, 29, 34),
    Chan.SACCH: ChanParams(18, 5, 433),
}
N200_EST_REL = 5
N201_B4 = 19


class State(enum.IntEnum):
    IDLE = 0
    EST_PENDING = 1
    ESTABLISHED = 2
    TIMER_RECOVERY = 3
    REL_PENDING = 4


class Event(enum.Enum):
    ESTABLISHED = "established"
    RELEASED = "released"
    ERROR = "error"


@dataclass(frozen=True)
class Frame:
    """One LAPDm frame, without the fill octets (and without the SACCH's L1 header)."""
    sapi: int
    cr: int
    ctl: int
    info: bytes = b""
    more: bool = False
    b4: bool = False

    @property
    def kind(self) -> str:
        if self.ctl & 1 == 0:
            return "I"
        if self.ctl & 3 == 1:
            return {RR: "RR", RNR: "RNR", REJ: "REJ"}.get(self.ctl & 0x0C, "?")
        return {SABM: "SABM", DM: "DM", UI: "UI", DISC: "DISC", UA: "UA"}.get(self.ctl & 0xEF, "?")

    @property
    def pf(self) -> bool:
        return bool(self.ctl & PF)

    @property
    def nr(self) -> int:
        return self.ctl >> 5

    @property
    def ns(self) -> int:
        return (self.ctl >> 1) & 7

    def encode(self, size: int) -> bytes:
        addr = (self.sapi & 7) << 2 | (self.cr & 1) << 1 | 1
        if self.b4:
            body = bytes([addr, self.ctl]) + self.info
        else:
            body = bytes([addr, self.ctl, len(self.info) << 2 | int(self.more) << 1 | 1]) + self.info
        assert len(body) <= size, "information field longer than the frame"
        return body + bytes([FILL]) * (size - len(body))

    @classmethod
    def decode(cls, data: bytes, *, n201: int, b4_ui: bool) -> Frame | None:
        """None for what 44.006 discards: EA or EL 0, LPD not 00, L over N201."""
        addr, ctl = data[0], data[1]
        if not addr & 1 or (addr >> 5) & 3:
            return None
        sapi, cr = (addr >> 2) & 7, (addr >> 1) & 1
        if b4_ui and sapi == 0 and ctl & 0xEF == UI:
            return cls(sapi, cr, ctl, bytes(data[2:2 + N201_B4]), b4=True)
        li = data[2]
        if not li & 1 or li >> 2 > n201:
            return None
        return cls(sapi, cr, ctl, bytes(data[3:3 + (li >> 2)]), bool(li & 2))


@dataclass
class Link:
    """One data link (SAPI) of the channel, from the network's side."""
    sapi: int
    state: State = State.IDLE
    vs: int = 0
    vr: int = 0
    va: int = 0
    rc: int = 0
    t200_start: int | None = None
    cmd_owed: bool = False
    peer_busy: bool = False
    reject: bool = False
    resp: int | None = None        # control field owed (U kind, or S kind with bit 0 set)
    resp_f: bool = False
    resp_info: bytes = b""
    est_info: bytes = b""          # the SABM's L3 message, echoed in every UA
    txq: list[bytes] = field(default_factory=list)
    tx_off: int = 0
    tx_seg: int = 0
    uiq: list[bytes] = field(default_factory=list)
    rx: bytearray = field(default_factory=bytearray)

    def reset(self) -> None:
        self.__init__(self.sapi)


DataFn = Callable[[int, bool, bytes], None]          # (sapi, acknowledged, l3)
EventFn = Callable[[int, Event, str], None]          # (sapi, event, cause)


class NetworkLapdm:
    """The network's LAPDm on one channel.  ``ua_info`` replaces the echoed contention
    resolution field in UAs (a test's way to play another mobile winning the contention)."""

    def __init__(self, chan: Chan, on_data: DataFn, on_event: EventFn):
        self.chan = chan
        self.params = PARAMS.get(chan)
        self.on_data = on_data
        self.on_event = on_event
        self.links = {0: Link(0), 3: Link(3)}
        self.now = 0
        self.ua_info: bytes | None = None
        self.l1_header = bytes(SACCH_L1_LEN)

    # ---- requests from layer 3 ----

    def establish(self, sapi: int) -> None:
        link = self.links[sapi]
        link.reset()
        link.state = State.EST_PENDING
        link.cmd_owed = True

    def release(self, sapi: int) -> None:
        link = self.links[sapi]
        if link.state == State.IDLE:
            return
        link.reset()
        link.state = State.REL_PENDING
        link.cmd_owed = True

    def send(self, sapi: int, l3: bytes) -> None:
        assert 0 < len(l3) <= L3_MAX
        self.links[sapi].txq.append(bytes(l3))

    def send_ui(self, sapi: int, l3: bytes) -> None:
        self.links[sapi].uiq.append(bytes(l3))

    # ---- layer 1 ----

    def rx_frame(self, block: bytes) -> None:
        assert len(block) == BLOCK_LEN
        if self.chan == Chan.SACCH:
            self.l1_header, block = block[:SACCH_L1_LEN], block[SACCH_L1_LEN:]
        f = Frame.decode(block, n201=self.params.n201, b4_ui=False)
        if f is None or f.sapi not in self.links:
            return
        link = self.links[f.sapi]
        cmd = f.cr == MS_CMD
        handler = {"I": self._rx_i, "RR": self._rx_s, "RNR": self._rx_s, "REJ": self._rx_s,
                   "SABM": self._rx_sabm, "DISC": self._rx_disc, "UA": self._rx_ua,
                   "DM": self._rx_dm, "UI": self._rx_ui}.get(f.kind)
        commands = {"I", "SABM", "DISC", "UI"}
        responses = {"UA", "DM"}
        if handler is None or (f.kind in commands and not cmd) or (f.kind in responses and cmd):
            return
        handler(link, f, cmd)

    def tx_frame(self) -> bytes | None:
        """The next downlink block; a fill frame when idle, except on SACCH (None)."""
        size = BLOCK_LEN - (SACCH_L1_LEN if self.chan == Chan.SACCH else 0)
        for sapi in (0, 3):
            f = self._link_tx(self.links[sapi]) or self._ui_tx(self.links[sapi])
            if f is not None:
                return self._block(f.encode(size))
        if self.chan == Chan.SACCH:
            return None
        return Frame(0, 0, UI).encode(size)

    def tick(self, fn: int) -> None:
        self.now = fn % HYPERFRAME
        for link in self.links.values():
            if link.t200_start is not None and \
                    (self.now - link.t200_start) % HYPERFRAME >= self.params.t200:
                self._expiry(link)

    # ---- receiving ----

    def _nr_ok(self, link: Link, nr: int) -> bool:
        return (nr - link.va) % 8 <= (link.vs - link.va) % 8

    def _ack(self, link: Link, nr: int) -> None:
        if nr == link.va:
            return
        link.va = nr
        link.tx_off += link.tx_seg
        link.tx_seg = 0
        if link.tx_off >= len(link.txq[0]):
            link.txq.pop(0)
            link.tx_off = 0
        link.t200_start, link.rc, link.cmd_owed = None, 0, False
        link.state = State.ESTABLISHED

    def _rewind(self, link: Link) -> None:
        link.vs, link.tx_seg = link.va, 0
        link.t200_start, link.rc, link.cmd_owed = None, 0, False
        link.state = State.ESTABLISHED

    def _owe(self, link: Link, resp: int, f: bool, info: bytes = b"") -> None:
        link.resp, link.resp_f, link.resp_info = resp, link.resp_f or f, info

    def _fail(self, link: Link, cause: str) -> None:
        link.reset()
        self.on_event(link.sapi, Event.ERROR, cause)

    def _released(self, link: Link, cause: str) -> None:
        link.reset()
        self.on_event(link.sapi, Event.RELEASED, cause)

    def _rx_sabm(self, link: Link, f: Frame, cmd: bool) -> None:
        echo = self.ua_info if self.ua_info is not None else f.info
        if link.state in (State.ESTABLISHED, State.TIMER_RECOVERY) and f.info and f.info == link.est_info:
            self._owe(link, UA, f.pf, echo)     # our UA was lost: answer again, no reset
            return
        if link.state == State.REL_PENDING:
            self._owe(link, DM, f.pf)
            return
        if link.state == State.EST_PENDING:
            self._owe(link, UA, f.pf, echo)
            return
        link.reset()
        link.state, link.est_info = State.ESTABLISHED, f.info
        self._owe(link, UA, f.pf, echo)
        self.on_event(link.sapi, Event.ESTABLISHED, "peer")
        if f.info:
            self.on_data(link.sapi, True, f.info)

    def _rx_disc(self, link: Link, f: Frame, cmd: bool) -> None:
        if link.state in (State.ESTABLISHED, State.TIMER_RECOVERY):
            link.reset()
            self._owe(link, UA, f.pf)
            self.on_event(link.sapi, Event.RELEASED, "peer")
        elif link.state == State.REL_PENDING:
            self._owe(link, UA, f.pf)
        else:
            self._owe(link, DM, f.pf)

    def _rx_ua(self, link: Link, f: Frame, cmd: bool) -> None:
        if not f.pf:
            return
        if link.state == State.EST_PENDING:
            link.state, link.vs, link.vr, link.va = State.ESTABLISHED, 0, 0, 0
            link.t200_start, link.rc, link.cmd_owed = None, 0, False
            self.on_event(link.sapi, Event.ESTABLISHED, "normal")
        elif link.state == State.REL_PENDING:
            self._released(link, "normal")

    def _rx_dm(self, link: Link, f: Frame, cmd: bool) -> None:
        if link.state == State.EST_PENDING and f.pf:
            self._released(link, "peer")
        elif link.state == State.REL_PENDING and f.pf:
            self._released(link, "normal")
        elif link.state in (State.ESTABLISHED, State.TIMER_RECOVERY) and not f.pf:
            self._fail(link, "unsolicited_dm")

    def _rx_ui(self, link: Link, f: Frame, cmd: bool) -> None:
        if f.info and not f.more:
            self.on_data(link.sapi, False, f.info)

    def _rx_i(self, link: Link, f: Frame, cmd: bool) -> None:
        if not f.info or (f.more and len(f.info) != self.params.n201):
            return
        if link.state not in (State.ESTABLISHED, State.TIMER_RECOVERY):
            if link.state == State.IDLE and f.pf:
                self._owe(link, DM, True)
            return
        if not self._nr_ok(link, f.nr):
            self._fail(link, "sequence")
            return
        self._ack(link, f.nr)
        if f.ns != link.vr:
            if not link.reject:
                link.reject = True
                self._owe(link, REJ | 1, f.pf)
            elif f.pf:
                self._owe(link, RR | 1, True)
            return
        link.vr = (link.vr + 1) % 8
        link.reject = False
        self._owe(link, RR | 1, f.pf)
        link.rx += f.info
        if not f.more:
            message, link.rx = bytes(link.rx), bytearray()
            if len(message) <= L3_MAX:
                self.on_data(link.sapi, True, message)

    def _rx_s(self, link: Link, f: Frame, cmd: bool) -> None:
        if f.info:
            return
        if link.state not in (State.ESTABLISHED, State.TIMER_RECOVERY):
            if link.state == State.IDLE and cmd and f.pf:
                self._owe(link, DM, True)
            return
        if not self._nr_ok(link, f.nr):
            self._fail(link, "sequence")
            return
        link.peer_busy = f.kind == "RNR"
        recovering = link.state == State.TIMER_RECOVERY
        self._ack(link, f.nr)
        answer = recovering and not cmd and f.pf
        if link.va != link.vs:
            if f.kind == "REJ" or answer:
                self._rewind(link)
        elif answer:
            link.t200_start, link.rc, link.cmd_owed = None, 0, False
            link.state = State.ESTABLISHED
        if cmd and f.pf:
            self._owe(link, RR | 1, True)

    # ---- sending ----

    def _can_send_i(self, link: Link) -> bool:
        return (link.state == State.ESTABLISHED and link.va == link.vs and not link.peer_busy
                and not link.cmd_owed and bool(link.txq))

    def _i_frame(self, link: Link, ns: int, poll: bool) -> Frame:
        message = link.txq[0]
        seg = message[link.tx_off:link.tx_off + self.params.n201]
        link.tx_seg = len(seg)
        more = link.tx_off + len(seg) < len(message)
        return Frame(link.sapi, NET_CMD, link.vr << 5 | (PF if poll else 0) | ns << 1, seg, more)

    def _link_tx(self, link: Link) -> Frame | None:
        piggyback = link.resp == RR | 1 and not link.resp_f and self._can_send_i(link)
        if link.resp is not None and not piggyback:
            resp, f, info = link.resp, link.resp_f, link.resp_info
            link.resp, link.resp_f, link.resp_info = None, False, b""
            if resp & 3 == 1:
                return Frame(link.sapi, NET_RESP, link.vr << 5 | (PF if f else 0) | (resp & 0x0C) | 1)
            return Frame(link.sapi, NET_RESP, resp | (PF if f else 0), info)
        if link.cmd_owed:
            link.cmd_owed = False
            link.t200_start = self.now
            if link.state == State.EST_PENDING:
                return Frame(link.sapi, NET_CMD, SABM | PF)
            if link.state == State.REL_PENDING:
                return Frame(link.sapi, NET_CMD, DISC | PF)
            if link.va != link.vs and not link.peer_busy:
                return self._i_frame(link, link.va, True)
            return Frame(link.sapi, NET_CMD, link.vr << 5 | PF | RR | 1)
        if self._can_send_i(link):
            frame = self._i_frame(link, link.vs, False)
            link.vs = (link.vs + 1) % 8
            if piggyback:
                link.resp = None
            link.t200_start = self.now
            return frame
        return None

    def _ui_tx(self, link: Link) -> Frame | None:
        if not link.uiq:
            return None
        b4 = self.chan == Chan.SACCH and link.sapi == 0
        info = link.uiq.pop(0)
        if b4:
            info = info.ljust(N201_B4, bytes([FILL]))
        return Frame(link.sapi, NET_CMD, UI, info, b4=b4)

    def _block(self, frame: bytes) -> bytes:
        if self.chan == Chan.SACCH:
            return self.l1_header + frame
        return frame

    # ---- timer ----

    def _expiry(self, link: Link) -> None:
        link.t200_start = None
        if link.state in (State.EST_PENDING, State.REL_PENDING):
            if link.rc >= N200_EST_REL:
                if link.state == State.EST_PENDING:
                    self._fail(link, "t200")
                else:
                    self._released(link, "t200")
                return
        elif link.state in (State.ESTABLISHED, State.TIMER_RECOVERY):
            if link.state == State.ESTABLISHED:
                link.state, link.rc = State.TIMER_RECOVERY, 0
            if link.rc >= self.params.n200:
                self._fail(link, "t200")
                return
        else:
            return
        link.rc += 1
        link.cmd_owed = True
