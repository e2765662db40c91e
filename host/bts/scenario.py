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

from . import coding, gmsk, l3, lapdm, network
from .cell import HYPERFRAME, Cell
from .channel import Channel

#: TDMA frames per second (a frame is 60/13 ms)
FRAMES_PER_SECOND = 13 / 0.060

#: ModemLayer names and the event codes of docs/modem.md
RADIO, L1, L2, RR, MM, CC = "RADIO", "L1", "L2", "RR", "MM", "CC"
EV_RADIO_UNDERRUN = 3
EV_L1_FCCH, EV_L1_SCH, EV_L1_SYNC_LOST, EV_L1_BLOCK_BAD = 1, 2, 3, 4
EV_RR_SI, EV_RR_CAMPED, EV_RR_PAGED = 1, 2, 3
EV_RR_RACH, EV_RR_ASSIGNED, EV_RR_RELEASED, EV_RR_LINK_FAILURE = 5, 6, 7, 9
EV_L2_ESTABLISHED = 1
EV_MM_LU_ACCEPTED, EV_MM_UPDATED = 2, 5
EV_L1_SPEECH = 5
EV_CC_CONNECTED, EV_CC_DISCONNECT, EV_CC_RELEASED = 4, 5, 6

#: ModemAction (protocol/wire.py)
ACTION_NONE, ACTION_ATTACH, ACTION_CALL = 0, 1, 2
UL_DELAY = 3                        # the uplink's timeslot is the downlink's + 3

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
    action: int = ACTION_NONE       # what the mobile's user does (MODEM_START)
    action_frame: int = 0
    access: network.Access | None = None
    dedicated: network.Dedicated | None = None
    traffic: network.Traffic | None = None
    tmsi: int | None = None         # what the network allocates
    number: str = ""                # what the user dials
    length: int | None = None       # frames, when the scenario's exchange fixes them
    snr_db: float | None = None     # the profile's SNR overridden (sweeps)

    @property
    def frames(self) -> int:
        return self.length or int(round(self.seconds * FRAMES_PER_SECOND))

    def fn(self, frame: int) -> int:
        return (self.fn0 + frame) % HYPERFRAME

    def downlink(self, chunk: int = 256) -> Iterator[tuple[int, int, np.ndarray]]:
        """(mobile frame, timeslot, int16 I/Q window) for every burst of the scenario in time
        order: timeslot 0 of every frame, and the dedicated channel's downlink blocks while the
        network transmits on it; made `chunk` frames at a time."""
        snr = {} if self.snr_db is None else {"snr_db": self.snr_db}
        channel = Channel(self.profile, seed=self.seed, **snr)
        dedicated_channel = Channel(self.profile, seed=self.seed + 1, **snr)
        traffic_channel = Channel(self.profile, seed=self.seed + 2, **snr)
        ded, tr = self.dedicated, self.traffic
        tch = tr.dl_bursts(self.fn0) if tr else {}
        for first in range(0, self.frames, chunk):
            n = min(chunk, self.frames - first)
            iq = self.cell.downlink(self.fn(first), n, channel)
            for i in range(n):
                fn = self.fn0 + first + i
                yield first + i, 0, iq[i]
                where = ded.dl_block(fn) if ded else None
                sacch = ded.sacch_dl(fn) if ded else None
                if where is not None:
                    start, burst = where
                    x = self.cell.window(("xcch", ded.frame_at(start), burst))
                    yield first + i, ded.tn, gmsk.to_int16(dedicated_channel.apply(x))
                elif sacch is not None:
                    start, burst = sacch
                    x = self.cell.window(("xcch", network.sacch_dl_block(self.cell, start // 102), burst))
                    yield first + i, ded.tn, gmsk.to_int16(dedicated_channel.apply(x))
                sacch = tr.sacch_dl(fn) if tr else None
                if tr and tr.faded(fn) and fn <= tr.last_fn and (fn % 26 not in (12, 25) or sacch is not None):
                    yield first + i, tr.tn, gmsk.to_int16(traffic_channel.apply(np.zeros(gmsk.WINDOW, complex)))
                elif fn in tch:
                    x = gmsk.modulate_window(gmsk.normal_burst(tch[fn], tr.tsc))
                    yield first + i, tr.tn, gmsk.to_int16(traffic_channel.apply(x))
                elif sacch is not None:
                    start, burst = sacch
                    x = self.cell.window(("xcch", network.sacch_dl_block(self.cell, start // 104), burst))
                    yield first + i, tr.tn, gmsk.to_int16(traffic_channel.apply(x))

    def verdict(self, events: list, status, *, uplink: list = (), deterministic: bool = True) -> list[Check]:
        checks = [self._sync(events), self._camped(events)]
        if self.pages:
            checks.append(self._paged(events))
        if self.access is not None:
            checks += self._access(events, uplink)
        if self.dedicated is not None:
            checks += self._dedicated(events, uplink)
        if self.traffic is not None:
            checks += self._traffic(events, uplink)
        if self.dedicated is not None:
            checks.append(self._measurements(uplink))
        if self.action == ACTION_ATTACH:
            checks.append(self._registered(events))
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

    def _access(self, events: list, uplink: list) -> list[Check]:
        """The channel request the network answered: on the RACH at the predicted frame, with
        the predicted reference, decoded by the network's receiver."""
        a = self.access
        got = []
        for b in uplink:
            if b.kind == 1 and b.tn == 0:
                d = coding.rach_decode(_soft(b.bits[49:85]), self.cell.bsic)
                got.append((b.frame, d.data if d.ok else None))
        first = got[0] if got else None
        ok = first == (a.frame, a.ra)
        return [Check("channel request on the RACH", ok,
                      f"expected RA {a.ra:#04x} at frame {a.frame}; "
                      + (f"heard {', '.join(_ra_text(f, r) for f, r in got[:3])}" if got else "heard none"))]

    def _dedicated(self, events: list, uplink: list) -> list[Check]:
        """Every uplink block of the SDCCH exchange, decoded and held against the frame the
        network expected there."""
        ded = self.dedicated
        blocks = _ul_blocks(uplink, ded, self.fn0)
        assigned = [e for e in events if str(e.layer) == RR and e.code == EV_RR_ASSIGNED]
        checks = [Check("assigned the SDCCH", bool(assigned) and assigned[0].b == ded.first_fn % HYPERFRAME,
                        f"SDCCH/8 subchannel {ded.sub} on TN{ded.tn} from FN {ded.first_fn % HYPERFRAME}"
                        + (f"; the mobile: from FN {assigned[0].b}" if assigned else "; no assignment event"))]
        wrong = []
        for fn, (frame, what) in sorted(ded.expect.items()):
            got = blocks.get(fn)
            if got is None:
                wrong.append(f"FN {fn % HYPERFRAME}: nothing (expected {what})")
            elif not got.ok:
                wrong.append(f"FN {fn % HYPERFRAME}: a block that does not decode (expected {what})")
            else:
                f = lapdm.Frame.decode(got.data, n201=lapdm.PARAMS[lapdm.Chan.SDCCH].n201, b4_ui=False)
                if f != frame:
                    wrong.append(f"FN {fn % HYPERFRAME}: {_frame_text(f)} (expected {what})")
        extra = sorted(set(blocks) - set(ded.expect))
        checks.append(Check("the SDCCH exchange, block by block", not wrong and not extra,
                            f"{len(ded.expect)} uplink blocks as expected" if not wrong and not extra else
                            "; ".join(wrong + [f"an unexpected block at FN {fn % HYPERFRAME}" for fn in extra][:3])))
        released = [e for e in events if str(e.layer) == RR and e.code == EV_RR_RELEASED]
        if self.traffic is None or self.traffic.fade_fn is None:
            checks.append(Check("channel released, back to idle", bool(released) and released[0].b == 1,
                                f"frame {released[0].frame}: {released[0].text}" if released else "not released"))
        return checks

    def _traffic(self, events: list, uplink: list) -> list[Check]:
        """The TCH/F: every complete uplink block decoded, FACCH where the network expected a
        frame and the speech pattern elsewhere; the call's states; speech both ways."""
        tr = self.traffic
        blocks = _tch_blocks(uplink, tr, self.fn0)
        wrong, speech_ok, speech_bad = [], 0, 0
        for j, (stolen, d) in sorted(blocks.items()):
            fn = network.tch_fn(4 * j)
            if j in tr.expect:
                frame, what = tr.expect[j]
                got = lapdm.Frame.decode(d.data, n201=lapdm.PARAMS[lapdm.Chan.FACCH_F].n201, b4_ui=False) \
                    if stolen and d.ok else None
                if got != frame:
                    wrong.append(f"block at FN {fn % HYPERFRAME}: {_frame_text(got)} (expected {what})")
            elif stolen:
                wrong.append(f"block at FN {fn % HYPERFRAME}: FACCH where speech was expected")
            elif d.ok and np.array_equal(d.data, network.speech_pattern(fn, uplink=True)):
                speech_ok += 1
            else:
                speech_bad += 1
        missing = sorted(set(tr.expect) - set(blocks))
        wrong += [f"block at FN {network.tch_fn(4 * j) % HYPERFRAME}: nothing ({tr.expect[j][1]})" for j in missing]
        checks = [Check("the TCH/F exchange (FACCH), block by block", not wrong,
                        f"{len(tr.expect)} FACCH blocks as expected" if not wrong else "; ".join(wrong[:3]))]
        cc = [e.code for e in events if str(e.layer) == CC]
        if tr.fade_fn is None:
            want = [EV_CC_CONNECTED, EV_CC_DISCONNECT, EV_CC_RELEASED]
            checks.append(Check("call connected, then cleared by the network", _in_order(cc, want),
                                f"CC events {cc}"))
        else:
            checks.append(self._link_failure(events, cc))
        if tr.fade_fn is not None:
            speech_bad = 0                      # after the fade the mobile's blocks are its own business
        heard = [e for e in events if str(e.layer) == L1 and e.code == EV_L1_SPEECH]
        talk = tr.connected[1] - tr.connected[0]
        dl_ok, dl_bad = (heard[0].a, heard[0].b) if heard else (0, 0)
        intact = speech_bad == 0 and (dl_bad == 0 or tr.fade_fn is not None) and speech_ok >= talk and dl_ok >= talk
        checks.append(Check("speech frames both ways (the test pattern, bit for bit)",
                            intact if self.profile == "clean" else speech_ok >= talk,
                            f"uplink {speech_ok} intact, {speech_bad} not; downlink {dl_ok} intact, "
                            f"{dl_bad} not; {talk} blocks of conversation"))
        return checks

    def _link_failure(self, events: list, cc: list) -> Check:
        """After the fade: radio link failure within RADIO-LINK-TIMEOUT SACCH blocks (and one
        period to notice), the call dropped, the mobile idle again."""
        tr = self.traffic
        rlf = [e for e in events if str(e.layer) == RR and e.code == EV_RR_LINK_FAILURE]
        released = [e for e in events if str(e.layer) == RR and e.code == EV_RR_RELEASED]
        limit = 4 * (self.cell.rlt + 1) + 1                 # SACCH periods
        after = (self.fn0 + rlf[0].frame - tr.fade_fn) / 104 if rlf else None
        ok = bool(rlf and released) and released[0].b == 0 and after is not None and 0 < after <= limit \
            and _in_order(cc, [EV_CC_CONNECTED, EV_CC_RELEASED]) and EV_CC_DISCONNECT not in cc
        return Check("the channel faded: radio link failure, call dropped, idle again", ok,
                     (f"link failure {after:.1f} SACCH periods after the fade (at most {limit}); " if rlf else
                      "no radio link failure; ") + f"CC events {cc}")

    def _measurements(self, uplink: list) -> Check:
        """The SACCH uplink: every block the mobile sent decodes and carries a valid
        MEASUREMENT REPORT (RXQUAL 0 on the clean channel), at least one per SACCH period the
        mobile held a channel."""
        reports, wrong, held = [], [], 0
        for ch, tch in ((self.dedicated, False), (self.traffic, True)):
            if ch is None:
                continue
            period = 104 if tch else 102
            end = ch.last_fn if tch else min(ch.last_fn, self.traffic.first_fn if self.traffic else ch.last_fn)
            if tch and ch.fade_fn is not None:
                end = ch.fade_fn
            held += max(0, (end - ch.first_fn) // period - 1)
            for fn, d in _sacch_blocks(uplink, ch, self.fn0, tch).items():
                if not d.ok:
                    wrong.append(f"FN {fn % HYPERFRAME}: does not decode")
                    continue
                f = lapdm.Frame.decode(d.data[2:], n201=lapdm.PARAMS[lapdm.Chan.SACCH].n201, b4_ui=False)
                try:
                    m = l3.meas_results(l3.parse("rr.meas_report", f.info)["meas"]) if f and f.kind == "UI" else None
                except (ValueError, KeyError):
                    m = None
                if m is None or m["meas_valid"] != 0:
                    wrong.append(f"FN {fn % HYPERFRAME}: {_frame_text(f)}")
                elif not (tch and ch.faded(fn)):
                    reports.append(m)
        quality = sorted({m["rxqual_full"] for m in reports})
        ok = not wrong and len(reports) >= held and (self.profile != "clean" or quality == [0])
        return Check("measurement reports on the SACCH", ok,
                     f"{len(reports)} reports (channels held {held} SACCH periods), RXQUAL {quality}, "
                     f"RXLEV {sorted({m['rxlev_full'] for m in reports})[:4]}" + (f"; {'; '.join(wrong[:2])}" if wrong else ""))

    def _registered(self, events: list) -> Check:
        acc = [e for e in events if str(e.layer) == MM and e.code == EV_MM_LU_ACCEPTED]
        upd = [e for e in events if str(e.layer) == MM and e.code == EV_MM_UPDATED]
        ok = bool(acc and upd) and acc[0].a == self.tmsi and upd[0].a == self.tmsi and upd[0].b == self.cell.lac
        return Check("registered: location updating accepted, TMSI stored", ok,
                     f"TMSI {self.tmsi:#010x} allocated; " +
                     (f"the mobile holds {upd[0].a:#010x} in LAC {upd[0].b:#06x}" if upd else "not registered"))

    def _health(self, status, deterministic: bool) -> list[Check]:
        misses = {t.name: t.misses for t in status.tasks if t.misses}
        checks = [
            Check("no deadline missed", not misses,
                  f"{sum(t.jobs for t in status.tasks):,} jobs" + (f"; missed: {misses}" if misses else ""),
                  gating=deterministic),
            Check("no radio underrun", status.underruns == 0, f"{status.underruns} underruns",
                  gating=deterministic),
        ]
        if self.profile == "clean" and not (self.traffic and self.traffic.fade_fn is not None):
            checks.append(Check("every block decoded (clean channel)", status.blocks_bad == 0,
                                f"{status.blocks_ok} good, {status.blocks_bad} bad"))
        return checks


def _soft(bits) -> np.ndarray:
    """Hard bits as the reference decoders' soft values (positive for 1)."""
    return np.asarray(bits, dtype=float) * 2 - 1


def _ra_text(frame: int, ra) -> str:
    return f"RA {ra:#04x} at frame {frame}" if ra is not None else f"an undecodable burst at frame {frame}"


def _frame_text(f) -> str:
    if f is None:
        return "no valid LAPDm frame"
    return f"{f.kind} SAPI {f.sapi} C/R {f.cr} ctl {f.ctl:#04x} info {f.info.hex() or '-'}"


def _ul_blocks(uplink: list, ded, fn0: int) -> dict:
    """The dedicated channel's uplink blocks the mobile sent, decoded: block start FN (not
    reduced modulo the hyperframe) -> coding.Decoded."""
    bursts = {}
    for b in uplink:
        if b.kind == 0 and b.tn == ded.tn:
            bursts[fn0 + b.frame] = np.concatenate([b.bits[3:61], b.bits[87:145]])
    blocks = {}
    for fn in sorted(bursts):
        pos = fn % 51 - (4 * ded.sub + network.SDCCH8_UL_DELAY)
        if pos == 0 and all(fn + i in bursts for i in range(4)):
            blocks[fn] = coding.xcch_decode(np.array([_soft(bursts[fn + i]) for i in range(4)]))
        elif pos == 0:
            blocks[fn] = coding.Decoded(False, b"", 0)
    return blocks


def _in_order(seen: list, want: list) -> bool:
    it = iter(seen)
    return all(w in it for w in want)


def _sacch_blocks(uplink: list, ch, fn0: int, tch: bool) -> dict:
    """The SACCH uplink blocks of channel `ch` the mobile sent whole: first FN -> Decoded."""
    sub = 0 if tch else ch.sub
    bursts = {}
    for b in uplink:
        fn = fn0 + b.frame
        if b.kind == 0 and b.tn == ch.tn and \
                network.sacch_pos(fn, tch=tch, tn=ch.tn, sub=sub, uplink=True) is not None:
            bursts[fn] = _soft(np.concatenate([b.bits[3:61], b.bits[87:145]]))
    out = {}
    for fn in sorted(bursts):
        if network.sacch_pos(fn, tch=tch, tn=ch.tn, sub=sub, uplink=True) != 0:
            continue
        fns = [network.sacch_burst_fn(fn, i, tch) for i in range(4)]
        if all(f in bursts for f in fns):
            out[fn] = coding.xcch_decode(np.array([bursts[f] for f in fns]))
    return out


def _tch_blocks(uplink: list, tr, fn0: int) -> dict:
    """The TCH/F's complete uplink blocks: block number -> (stolen, coding.Decoded)."""
    bursts = {}
    for b in uplink:
        fn = fn0 + b.frame
        if b.kind == 0 and b.tn == tr.tn and fn % 26 not in (12, 25):
            bursts[network.tch_index(fn)] = _soft(np.concatenate([b.bits[3:61], b.bits[87:145]]))
    out = {}
    for first in sorted(i for i in bursts if i % 4 == 0 and i // 4 >= tr.first_block):
        if not all(first + x in bursts for x in range(8)):
            continue
        ring = [bursts[first + x] for x in range(8)]
        coded = coding.diagonal_deinterleave(ring, 0)
        if coding.diagonal_stolen(ring, 0):
            out[first // 4] = (True, coding.xcch_decode_block(coded))
        else:
            out[first // 4] = (False, coding.tch_fs_decode(coded))
    return out


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


def _location_update(s: Scenario, rng: np.random.Generator) -> None:
    """Camp, then the user attaches: the mobile asks for a channel on the RACH, the network
    assigns an SDCCH/8 subchannel on TN1, accepts the location update with a new TMSI and
    releases the channel; the mobile ends registered, idle on the paging channel."""
    s.action = ACTION_ATTACH
    s.action_frame = ATTACH_FRAME
    s.tmsi = int(rng.integers(1, 0xFFFFFFFE))
    sub = int(rng.integers(8))
    s.access = network.plan_access(s.seed, s.action_frame, s.fn0, s.cell.tx_integer)
    assign_fn, s.dedicated = network.plan_location_update(s.imsi, s.cell, s.access, sub=sub, tn=1,
                                                          tmsi=s.tmsi)
    s.cell.assign(assign_fn, s.access.ra, s.access.fn, chan_type=8 + sub, tn=1, tsc=s.cell.tsc,
                  arfcn=s.cell.arfcn)


def _call(s: Scenario, rng: np.random.Generator, *, mobile_originated: bool, fade: bool = False) -> None:
    """A speech call of `seconds` on a TCH/F, cleared by the network: dialled by the user
    (mo-call), or paged and answered (mt-call); with `fade`, a dialled call whose channel
    fades to noise after `seconds` of speech (link-failure; the cell's RADIO-LINK-TIMEOUT is 4
    SACCH blocks)."""
    if fade:
        s.cell.rlt = 0
        s.cell.si = s.cell.system_information()
    talk, s.seconds = s.seconds, s.seconds
    sub = int(rng.integers(8))
    if mobile_originated:
        s.action, s.action_frame, s.number = ACTION_CALL, ATTACH_FRAME, "5551234"
        start, cause = s.action_frame, network.RACH_CAUSE_CALL
    else:
        page_fn = s.cell.paging_fn(s.imsi, s.fn(ATTACH_FRAME))
        s.cell.page(page_fn, s.imsi)
        s.pages.append((page_fn - s.fn0) % HYPERFRAME)
        start, cause = s.pages[0] + network.RR_PAGE_RESPONSE_FRAMES, network.RACH_CAUSE_PAGING
    s.access = network.plan_access(s.seed, start, s.fn0, s.cell.tx_integer, cause)
    assign_fn, s.dedicated, s.traffic = network.plan_call(
        s.imsi, s.cell, s.access, sub=sub, tn=1, number=s.number if mobile_originated else None,
        seconds=talk, fade=fade)
    s.cell.assign(assign_fn, s.access.ra, s.access.fn, chan_type=8 + sub, tn=1, tsc=s.cell.tsc,
                  arfcn=s.cell.arfcn)
    s.length = s.traffic.last_fn - s.fn0 + 60


#: the mobile's frame at which a scenario's user acts: camping (SCH, then SI1..SI4, which need
#: up to 12 multiframes) is done well before
ATTACH_FRAME = 800

#: name: (what the network does, seconds by default)
SCENARIOS = {
    "camp": (_camp, 5.0),
    "location-update": (_location_update, 6.0),
    "mo-call": (lambda s, rng: _call(s, rng, mobile_originated=True), 3.0),
    "mt-call": (lambda s, rng: _call(s, rng, mobile_originated=False), 3.0),
    "link-failure": (lambda s, rng: _call(s, rng, mobile_originated=True, fade=True), 2.0),
}
