"""The simulated cell's downlink on TN0 (host/bts/cell.py), received by the mobile's own layer 1
(firmware/servers/modem/l1: the burst receiver and the channel decoders) built for the host,
and its messages read back both by pycrate (host/bts/l3.py) and by the mobile's layer-3 codec
(firmware/servers/modem/l3/msgs.c).

What the receiver finds must be where 45.002 puts it: the FCCH on frames 0, 10, .. 40 of each
51-multiframe, SCHs carrying the BSIC and the frame number (across the hyperframe's wrap), the
system information by TC, the CCCH blocks with their idle fill, and what a scenario queued at
the frame it was queued for.  Through the urban channel the block error rate is measured."""

from __future__ import annotations

import ctypes
import time

import numpy as np
import pytest

from host.bts import cell as bts_cell
from host.bts import l3
from host.bts.cell import HYPERFRAME, Cell
from host.bts.channel import Channel
from tests.host import hostc

L1 = "servers/modem/l1"
L1_SOURCES = [f"{L1}/{f}" for f in ("equalizer.c", "bursts.c", "conv.c", "crc.c", "coding.c")]

i16p = ctypes.POINTER(ctypes.c_int16)
i8p = ctypes.POINTER(ctypes.c_int8)
u8p = ctypes.POINTER(ctypes.c_uint8)


@pytest.fixture(scope="module")
def phy():
    so = hostc.build("bts_cell_l1", L1_SOURCES, include=[L1])
    so.eq_normal_burst.argtypes = [i16p, ctypes.c_uint, i8p, ctypes.c_void_p]
    so.eq_sync_burst.argtypes = [i16p, i8p, ctypes.c_void_p]
    so.eq_fcch_detect.argtypes = [i16p, ctypes.POINTER(ctypes.c_int32)]
    so.gsm_xcch_decode.argtypes = [i8p, u8p, ctypes.POINTER(ctypes.c_uint)]
    so.gsm_sch_decode.argtypes = [i8p, ctypes.POINTER(ctypes.c_uint32),
                                  ctypes.POINTER(ctypes.c_uint)]
    so.gsm_sch_fn.restype = ctypes.c_uint32
    return so


@pytest.fixture(scope="module")
def l3c():
    so = hostc.build("bts_cell_l3", ["servers/modem/l3/msgs.c"], include=["servers/modem/l3"])
    so.l3_decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    so.l3_dump.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    so.l3_dump.restype = ctypes.c_size_t
    return so


class Mobile:
    """The mobile's layer 1 on TN0: one call per burst window, as the C receives them."""

    def __init__(self, so):
        self.so = so

    def fcch(self, iq) -> bool:
        iq = np.ascontiguousarray(iq, dtype=np.int16)
        freq = ctypes.c_int32()
        return bool(self.so.eq_fcch_detect(iq.ctypes.data_as(i16p), ctypes.byref(freq)))

    def sch(self, iq) -> tuple[int, int] | None:
        """(BSIC, FN) of an SCH window, or None when its parity fails."""
        iq = np.ascontiguousarray(iq, dtype=np.int16)
        soft = (ctypes.c_int8 * 78)()
        self.so.eq_sync_burst(iq.ctypes.data_as(i16p), soft, None)
        info, errors = ctypes.c_uint32(), ctypes.c_uint()
        if self.so.gsm_sch_decode(soft, ctypes.byref(info), ctypes.byref(errors)):
            return None
        bsic, t1, t2, t3p = ctypes.c_uint8(), ctypes.c_uint16(), ctypes.c_uint8(), ctypes.c_uint8()
        self.so.gsm_sch_info_unpack(info, *map(ctypes.byref, (bsic, t1, t2, t3p)))
        return bsic.value, self.so.gsm_sch_fn(t1, t2, t3p)

    def xcch(self, windows, tsc: int) -> bytes | None:
        """The 23 octets of a block's 4 windows, or None when its FIRE parity fails."""
        soft = np.zeros((4, 116), dtype=np.int8)
        for b, iq in enumerate(windows):
            iq = np.ascontiguousarray(iq, dtype=np.int16)
            self.so.eq_normal_burst(iq.ctypes.data_as(i16p), tsc,
                                    soft[b].ctypes.data_as(i8p), None)
        l2 = np.zeros(23, dtype=np.uint8)
        errors = ctypes.c_uint()
        rc = self.so.gsm_xcch_decode(soft.ctypes.data_as(i8p), l2.ctypes.data_as(u8p),
                                     ctypes.byref(errors))
        return bytes(l2) if rc == 0 else None

    def blocks(self, cell: Cell, fn_start: int, iq) -> dict[int, bytes | None]:
        """Every BCCH and CCCH block wholly inside the frames of `iq` (from `fn_start`), by the
        block's first frame."""
        out = {}
        for i in range(len(iq) - 3):
            fn = (fn_start + i) % HYPERFRAME
            channel, _, burst = bts_cell.slot(fn)
            if channel in ("bcch", "ccch") and burst == 0:
                out[fn] = self.xcch(iq[i:i + 4], cell.tsc)
        return out


def c_fields(so, block: bytes) -> dict[str, str] | None:
    msg = ctypes.create_string_buffer(1024)
    if so.l3_decode(msg, block, len(block)):
        return None
    text = ctypes.create_string_buffer(1024)
    so.l3_dump(msg, text, len(text))
    return dict(kv.split("=", 1) for kv in text.value.decode().split(";") if kv)


# ---- the 51-multiframe ------------------------------------------------------------------------

def test_the_multiframe_is_45_002_table_5_non_combined():
    expect = {0: "F", 1: "S", 10: "F", 11: "S", 20: "F", 21: "S", 30: "F", 31: "S", 40: "F",
              41: "S", 50: "I"}
    for r in range(2, 6):
        expect[r] = "B"
    for k, first in enumerate((6, 12, 16, 22, 26, 32, 36, 42, 46)):
        for r in range(first, first + 4):
            expect[r] = str(k)
    letters = {"fcch": "F", "sch": "S", "bcch": "B", "idle": "I"}
    got = {r: letters.get(bts_cell.slot(r)[0], str(bts_cell.slot(r)[1])) for r in range(51)}
    assert got == expect
    assert [bts_cell.slot(51 * 7 + r)[2] for r in (2, 3, 4, 5, 46, 49)] == [0, 1, 2, 3, 0, 3]


def test_downlink_shape_scale_and_determinism():
    cell = Cell()
    iq = cell.downlink(0, 60)
    assert iq.shape == (60, 312) and iq.dtype == np.int16
    amplitude = np.abs(iq[:, 0::2] + 1j * iq[:, 1::2].astype(float))
    assert np.abs(amplitude - 2048).max() < 1.5            # unit amplitude at SAMPLE_SCALE
    a = cell.downlink(1000, 60, Channel("urban", 5))
    b = Cell().downlink(1000, 60, Channel("urban", 5))
    c = cell.downlink(1000, 60, Channel("urban", 6))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert cell.describe(50, 3) == ["50 idle (dummy burst)", "51 FCCH", "52 SCH"]


def test_ten_thousand_frames_take_seconds_at_most():
    cell = Cell()
    start = time.perf_counter()
    iq = cell.downlink(123456, 10_000, Channel("urban", 1))
    took = time.perf_counter() - start
    assert iq.shape == (10_000, 312)
    assert took < 5.0, f"10,000 frames took {took:.1f} s"


# ---- FCCH and SCH through the mobile's receiver ------------------------------------------------

def test_fcch_found_on_its_frames_only(phy):
    mobile, cell = Mobile(phy), Cell()
    fn0 = 51 * 100
    iq = cell.downlink(fn0, 102)
    found = [i for i in range(102) if mobile.fcch(iq[i])]
    assert found == [m * 51 + r for m in range(2) for r in bts_cell.FCCH_FRAMES]


@pytest.mark.parametrize("fn_start", [0, 51 * 26 * 7 + 17, HYPERFRAME - 2 * 51 - 5])
@pytest.mark.parametrize("bsic", [0, 0x23, 63])
def test_sch_carries_bsic_and_frame_number(phy, fn_start, bsic):
    """Every SCH of 3 multiframes; the last start crosses FN 2715647 -> 0."""
    mobile, cell = Mobile(phy), Cell(bsic=bsic)
    iq = cell.downlink(fn_start, 153)
    seen = []
    for i in range(153):
        fn = (fn_start + i) % HYPERFRAME
        if bts_cell.slot(fn)[0] == "sch":
            assert mobile.sch(iq[i]) == (bsic, fn)
            seen.append(fn)
    assert len(seen) == 15
    if fn_start > HYPERFRAME - 153:
        assert min(seen) < 51 < HYPERFRAME - 51 < max(seen)


# ---- BCCH: SI1..SI4 by TC ----------------------------------------------------------------------

CELL = dict(bsic=0x2D, arfcn=17, mcc=262, mnc=42, lac=0x1A2B, cell_id=0xBEEF,
            neighbours=(3, 17, 60, 124), bs_ag_blks_res=2, bs_pa_mfrms=1, t3212=30,
            max_retrans=1, tx_integer=9, acc=0x0004, rxlev_access_min=12)


def test_bcch_carries_the_system_information_by_tc(phy, l3c):
    mobile, cell = Mobile(phy), Cell(**CELL)
    fn0 = 51 * 8 * 40                                      # TC 0 .. 7 in order
    iq = cell.downlink(fn0, 8 * 51)
    bcch = {fn: b for fn, b in mobile.blocks(cell, fn0, iq).items()
            if bts_cell.slot(fn)[0] == "bcch"}
    names = [l3.parse("rr." + n, b)["msg"] for n, b in zip(bts_cell.BCCH_SCHEDULE,
                                                             bcch.values())]
    assert names == ["rr.si1", "rr.si2", "rr.si3", "rr.si4", "rr.si2", "rr.si3", "rr.si3",
                     "rr.si4"]
    got = dict(zip(bts_cell.BCCH_SCHEDULE, bcch.values()))
    assert got == cell.si

    rach = {"rach.max_retrans": "1", "rach.tx_integer": "9", "rach.cell_barred": "0",
            "rach.re": "1", "rach.acc": "4"}
    si1 = l3.parse("rr.si1", got["si1"])
    assert si1["cell_chan.arfcns"] == "17" and rach.items() <= si1.items()
    si2 = l3.parse("rr.si2", got["si2"])
    assert si2["ncell.arfcns"] == "3,17,60,124" and si2["ncc_permitted"] == "255"
    si3 = l3.parse("rr.si3", got["si3"])
    assert {"cell_id": str(0xBEEF), "lai.mcc": "262", "lai.mnc": "42", "lai.lac": str(0x1A2B),
            "ccch.bs_ag_blks_res": "2", "ccch.ccch_conf": "0", "ccch.bs_pa_mfrms": "1",
            "ccch.t3212": "30", "cell_sel.rxlev_access_min": "12"}.items() <= si3.items()
    assert rach.items() <= si3.items()
    si4 = l3.parse("rr.si4", got["si4"])
    assert {"lai.mcc": "262", "lai.lac": str(0x1A2B), "cell_sel.neci": "1"}.items() <= si4.items()
    # the mobile's own codec reads them as pycrate does
    for name, parsed in (("si1", si1), ("si2", si2), ("si3", si3), ("si4", si4)):
        assert c_fields(l3c, got[name]) == parsed


# ---- CCCH: idle fill, paging and access grants where they were queued -------------------------

def test_paging_group_by_hand():
    cell = Cell(bs_ag_blks_res=1, bs_pa_mfrms=0)           # 8 paging blocks, every 2 multiframes
    # IMSI mod 1000 = 123, N = 16: group 11, multiframes with (FN div 51) mod 2 = 1, paging
    # block 3, which is CCCH block 4 (frames 26..29).
    assert cell.paging_group("001010000000123") == 11
    assert cell.paging_fn("001010000000123", 0) == 51 + 26
    assert cell.paging_fn("001010000000123", 51 + 27) == 3 * 51 + 26
    wide = Cell(bs_ag_blks_res=3, bs_pa_mfrms=7)           # 6 blocks, every 9 multiframes
    assert wide.paging_group("999") == 999 % 54 == 27
    assert wide.paging_fn("999", 0) == 4 * 51 + bts_cell.CCCH_STARTS[3 + 3]


def test_ccch_idle_fill_paging_and_assignment(phy, l3c):
    mobile, cell = Mobile(phy), Cell(**CELL)
    imsi, tmsi = "262420000000777", 0x0BADCAFE
    fn0 = 51 * 1000
    page_fn = cell.paging_fn(imsi, fn0)
    paged = cell.page(page_fn, imsi, tmsi)
    agch_fn = fn0 + 51 + bts_cell.CCCH_STARTS[1]             # a reserved block
    assigned = cell.assign(agch_fn, 0x85, fn0 + 40, chan_type=8 + 3, tn=2, tsc=cell.tsc,
                           arfcn=cell.arfcn, ta=5)
    pch_fn = fn0 + 2 * 51 + bts_cell.CCCH_STARTS[7]           # access grants may take paging blocks
    cell.assign(pch_fn, 0x12, fn0 + 60, chan_type=1, tn=3, tsc=cell.tsc, arfcn=cell.arfcn)
    with pytest.raises(ValueError):
        cell.page(agch_fn, imsi)
    with pytest.raises(ValueError):
        cell.send(fn0 + 7, paged)

    iq = cell.downlink(fn0, 4 * 51)
    ccch = {fn: b for fn, b in mobile.blocks(cell, fn0, iq).items()
            if bts_cell.slot(fn)[0] == "ccch"}
    assert len(ccch) == 4 * 9 and None not in ccch.values()
    for fn, block in ccch.items():
        k = bts_cell.slot(fn)[1]
        if fn == page_fn:
            assert block == paged
        elif fn == agch_fn:
            assert block == assigned
        elif fn == pch_fn:
            assert l3.parse("rr.imm_assign", block)["req.ra"] == str(0x12)
        elif k < cell.bs_ag_blks_res:
            assert block == bytes([0x03, 0x03, 0x01]) + b"\x2b" * 20
        else:
            assert block == l3.paging_req1()
            assert c_fields(l3c, block) == l3.parse("rr.paging_req1", block) == {
                "msg": "rr.paging_req1", "half.lo": "0", "half.hi": "0", "mi.type": "0"}

    page = l3.parse("rr.paging_req1", paged)
    assert (page["mi.digits"], page["mi2.tmsi"]) == (imsi, str(tmsi))
    assert c_fields(l3c, paged) == page
    grant = l3.parse("rr.imm_assign", assigned)
    ra_fn = fn0 + 40
    assert {"chan.type": "11", "chan.tn": "2", "chan.arfcn": str(cell.arfcn), "req.ra": "133",
            "req.t1": str(ra_fn // 1326 % 32), "req.t2": str(ra_fn % 26),
            "req.t3": str(ra_fn % 51), "ta": "5"}.items() <= grant.items()
    assert c_fields(l3c, assigned) == grant


# ---- the urban channel ------------------------------------------------------------------------

@pytest.mark.parametrize("snr_db,bound", [(14.0, 0.02), (8.0, 0.10)])
def test_urban_block_error_rate(phy, snr_db, bound):
    """Every BCCH and CCCH block of 40 multiframes through Channel("urban") (4 Rayleigh paths,
    30 Hz offset, +-1 symbol of jitter) at the profile's 14 dB Es/N0 and at 8 dB: blocks whose
    FIRE parity fails, or that decode to other octets than were sent, are errors.  Measured with
    this seed: 0/400 at 14 dB, 5/400 at 8 dB (and 21/400 at 6 dB, 100/400 at 4 dB)."""
    mobile, cell = Mobile(phy), Cell(**CELL)
    fn0 = 51 * 333
    iq = cell.downlink(fn0, 40 * 51, Channel("urban", 2024, snr_db=snr_db))
    blocks = mobile.blocks(cell, fn0, iq)
    assert len(blocks) == 40 * 10
    errors = sum(blocks[fn] != cell.content(fn)[1][1] for fn in blocks)
    assert errors / len(blocks) < bound, f"urban BLER at {snr_db} dB: {errors}/{len(blocks)}"
