"""The mobile's reading of the cell (firmware/servers/modem/l3): system information 1 to 4, paging
and immediate assignment decoded by the C codec alike with pycrate (host/bts/l3.py), merged into
the cell's description the stack camps with (sysinfo.h), and the paging block an IMSI listens to
(45.002 6.5.2) against the simulated cell's own schedule (host/bts/cell.py)."""

from __future__ import annotations

import ctypes

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from host.bts import l3
from host.bts.cell import HYPERFRAME, Cell
from tests.host import hostc

SOURCES = ["servers/modem/l3/msgs.c", "servers/modem/l3/sysinfo.c"]


@pytest.fixture(scope="module")
def so():
    lib = hostc.build("modem_sysinfo", SOURCES, include=["servers/modem/l3"])
    lib.l3_decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.l3_encode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.l3_dump.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.l3_dump.restype = ctypes.c_size_t
    return lib


def decode(so, data: bytes) -> tuple[int, dict[str, str] | None, bytes | None]:
    """(l3_decode's result, the dump's fields, the re-encoded octets)."""
    msg = ctypes.create_string_buffer(1024)
    rc = so.l3_decode(msg, data, len(data))
    if rc:
        return rc, None, None
    text = ctypes.create_string_buffer(1024)
    so.l3_dump(msg, text, len(text))
    out = ctypes.create_string_buffer(256)
    n = so.l3_encode(msg, out, len(out))
    fields = dict(kv.split("=", 1) for kv in text.value.decode().split(";") if kv)
    return rc, fields, out.raw[:n] if n > 0 else None


# ---- a CCCH message with an element the table did not list ------------------------------------

def test_immediate_assignment_with_a_starting_time(so):
    """44.018 9.1.18: a Starting Time (TV, IEI 0x7C, 10.5.2.38) may follow the Mobile
    Allocation, inside the L2 pseudo length.  The walker skipped unknown elements with bit 8 of
    the IEI clear as TLV, so it took the starting time's first value octet for a length and
    overran the pseudo length: the assignment was lost (L3_E_SHORT)."""
    body = bytes.fromhex("063f" "00" "4a6014" "e3d5a6" "02" "00" "7c" "4b27")
    block = (bytes([len(body) << 2 | 1]) + body).ljust(23, b"\x2b")
    rc, fields, again = decode(so, block)
    assert rc == 0
    assert {"msg": "rr.imm_assign", "req.ra": str(0xE3), "ta": "2",
            "start.t1": str(0x4B >> 3), "start.t3": str((0x4B & 7) << 3 | 0x27 >> 5),
            "start.t2": str(0x27 & 31)}.items() <= fields.items()
    assert again == block


# ---- the cell's description, as C structures --------------------------------------------------

class Lai(ctypes.Structure):
    _fields_ = [("mcc", ctypes.c_uint16), ("mnc", ctypes.c_uint16), ("mnc_digits", ctypes.c_uint8),
                ("lac", ctypes.c_uint16)]


def _u8s(*names):
    return [(n, ctypes.c_uint8) for n in names]


class CcchDesc(ctypes.Structure):
    _fields_ = _u8s("mscr", "att", "bs_ag_blks_res", "ccch_conf", "bs_pa_mfrms", "t3212")


class CellOpt(ctypes.Structure):
    _fields_ = _u8s("pwrc", "dtx", "rlt")


class CellSel(ctypes.Structure):
    _fields_ = _u8s("hyst", "ms_txpwr_max_cch", "acs", "neci", "rxlev_access_min")


class Rach(ctypes.Structure):
    _fields_ = _u8s("max_retrans", "tx_integer", "cell_barred", "re") + [("acc", ctypes.c_uint16)]


class FreqList(ctypes.Structure):
    _fields_ = _u8s("fmt", "ext_ind", "ba_ind") + [("arfcns", ctypes.c_uint32 * 4),
                                                   ("raw", ctypes.c_uint8 * 16)]

    def list(self) -> list[int]:
        return [a for a in range(128) if self.arfcns[a // 32] >> (a % 32) & 1]


class Chan(ctypes.Structure):
    _fields_ = _u8s("type_tn", "tsc", "hopping", "maio", "hsn") + [("arfcn", ctypes.c_uint16)]


class SysInfo(ctypes.Structure):
    _fields_ = [("have", ctypes.c_uint8), ("cell_id", ctypes.c_uint16), ("lai", Lai),
                ("ccch", CcchDesc), ("cell_opt", CellOpt), ("cell_sel", CellSel), ("rach", Rach),
                ("cell_chan", FreqList), ("ncell", FreqList), ("ncc_permitted", ctypes.c_uint8),
                ("has_cbch", ctypes.c_bool), ("cbch", Chan)]


class Paging(ctypes.Structure):
    _fields_ = [("tn", ctypes.c_uint8), ("group", ctypes.c_uint16)] + \
        _u8s("period", "mf", "block", "first")


@pytest.fixture(scope="module")
def si_lib(so):
    so.l3_sysinfo_update.argtypes = [ctypes.POINTER(SysInfo), ctypes.c_void_p]
    so.l3_freq_has.argtypes = [ctypes.POINTER(FreqList), ctypes.c_uint]
    so.l3_freq_has.restype = ctypes.c_bool
    so.l3_imsi_mod_1000.argtypes = [ctypes.c_char_p]
    so.l3_imsi_mod_1000.restype = ctypes.c_uint16
    so.l3_paging_block.argtypes = [ctypes.POINTER(CcchDesc), ctypes.c_uint16,
                                   ctypes.POINTER(Paging)]
    so.l3_paging_due.argtypes = [ctypes.POINTER(Paging), ctypes.c_uint32]
    so.l3_paging_due.restype = ctypes.c_bool
    return so


def update(so, si: SysInfo, block: bytes) -> int:
    msg = ctypes.create_string_buffer(1024)
    assert so.l3_decode(msg, block, len(block)) == 0, block.hex()
    return so.l3_sysinfo_update(ctypes.byref(si), msg)


# ---- SI1 to SI4 as the cell sends them ---------------------------------------------------------

arfcn = st.integers(1, 124)
cells = st.builds(
    Cell, arfcn=arfcn, mcc=st.integers(1, 999), mnc=st.integers(0, 99),
    lac=st.integers(0, 0xFFFF), cell_id=st.integers(0, 0xFFFF),
    neighbours=st.lists(arfcn, max_size=12).map(tuple), ncc_permitted=st.integers(0, 255),
    att=st.integers(0, 1), bs_ag_blks_res=st.integers(0, 7), bs_pa_mfrms=st.integers(0, 7),
    t3212=st.integers(0, 255), pwrc=st.integers(0, 1), dtx=st.integers(0, 3),
    rlt=st.integers(0, 15), hyst=st.integers(0, 7), ms_txpwr_max_cch=st.integers(0, 31),
    acs=st.integers(0, 1), neci=st.integers(0, 1), rxlev_access_min=st.integers(0, 63),
    max_retrans=st.integers(0, 3), tx_integer=st.integers(0, 15), cell_barred=st.integers(0, 1),
    re=st.integers(0, 1), acc=st.integers(0, 0xFFFF))


@settings(max_examples=40, deadline=None)
@given(cell=cells)
def test_system_information_decodes_alike_and_fills_the_cell(si_lib, cell):
    si = SysInfo()
    for n, name in enumerate(("si1", "si2", "si3", "si4"), 1):
        block = cell.si[name]
        rc, fields, again = decode(si_lib, block)
        assert rc == 0 and fields == l3.parse("rr." + name, block)
        assert again == block
        assert update(si_lib, si, block) == n
    assert si.have == 0b11110
    assert (si.cell_id, si.lai.mcc, si.lai.mnc, si.lai.mnc_digits, si.lai.lac) == \
        (cell.cell_id, cell.mcc, cell.mnc, 2, cell.lac)
    assert (si.ccch.att, si.ccch.bs_ag_blks_res, si.ccch.ccch_conf, si.ccch.bs_pa_mfrms,
            si.ccch.t3212) == (cell.att, cell.bs_ag_blks_res, 0, cell.bs_pa_mfrms, cell.t3212)
    assert (si.cell_opt.pwrc, si.cell_opt.dtx, si.cell_opt.rlt) == (cell.pwrc, cell.dtx, cell.rlt)
    assert {k: getattr(si.cell_sel, k) for k in cell.cell_sel} == cell.cell_sel
    assert {k: getattr(si.rach, k) for k in cell.rach} == cell.rach
    assert si.cell_chan.list() == [cell.arfcn] and si.cell_chan.fmt == 0
    assert si.ncell.list() == sorted(set(cell.neighbours))
    assert si.ncc_permitted == cell.ncc_permitted and not si.has_cbch
    for a in range(128):
        assert si_lib.l3_freq_has(ctypes.byref(si.ncell), a) == (a in cell.neighbours)


def test_bit_map_0_by_hand(so):
    """44.018 10.5.2.1b.2: ARFCN 124 is bit 4 of the list's first octet, ARFCN 1 bit 1 of its
    last; SI2's BA-IND is bit 5 of the first."""
    block = bytes([0x59, 0x06, 0x1A, 0x18] + [0] * 14 + [0x01, 0xFF, 0x95, 0x00, 0x00])
    rc, fields, _ = decode(so, block)
    assert rc == 0
    assert (fields["ncell.arfcns"], fields["ncell.ba_ind"], fields["ncell.ext_ind"]) == \
        ("1,124", "1", "0")
    assert l3.bitmap0([1, 124], 1) == bytes([0x18] + [0] * 14 + [0x01])


def test_si4_with_a_cbch(si_lib):
    """The CBCH channel description (TV 0x64) sits inside the pseudo length; the walker must
    know it rather than skip it as TLV."""
    body = bytes.fromhex("061c" "00f110" "0017" "4548" "950000" "64" "2a" "a0" "2a")
    block = (bytes([len(body) << 2 | 1]) + body).ljust(23, b"\x2b")
    rc, fields, again = decode(si_lib, block)
    assert rc == 0 and again == block
    # pycrate reads the CBCH element as 3 bits, not 3 octets: compared without it
    assert {k: v for k, v in fields.items() if not k.startswith("cbch.")} == \
        l3.parse("rr.si4", block)
    assert (fields["cbch.type"], fields["cbch.tn"], fields["cbch.arfcn"]) == ("5", "2", "42")
    si = SysInfo()
    assert update(si_lib, si, block) == 4 and si.has_cbch and si.cbch.arfcn == 42


def test_other_messages_leave_the_description_alone(si_lib):
    si = SysInfo()
    assert update(si_lib, si, l3.paging_req1()) == 0
    assert si.have == 0 and bytes(si) == bytes(SysInfo())


# ---- paging and immediate assignment -------------------------------------------------------------

imsi = st.text("0123456789", min_size=6, max_size=15)
tmsi = st.integers(0, 2 ** 32 - 1)


@settings(max_examples=60, deadline=None)
@given(ids=st.lists(st.one_of(imsi, tmsi), min_size=0, max_size=2), chan_needed=st.integers(0, 15))
def test_paging_request_type_1(so, ids, chan_needed):
    block = l3.paging_req1(*ids, chan_needed=chan_needed) if ids else l3.paging_req1()
    rc, fields, again = decode(so, block)
    assert rc == 0 and fields == l3.parse("rr.paging_req1", block) and again == block


@settings(max_examples=30, deadline=None)
@given(tmsis=st.lists(tmsi, min_size=4, max_size=4))
def test_paging_request_types_2_and_3(so, tmsis):
    for name, block in (("rr.paging_req2", l3.paging_req2(*tmsis[:2])),
                        ("rr.paging_req3", l3.paging_req3(tmsis))):
        rc, fields, again = decode(so, block)
        assert rc == 0 and fields == l3.parse(name, block) and again == block
        assert [fields[f"tmsi{i}"] for i in range(1, 3 if name.endswith("2") else 5)] == \
            [str(t) for t in tmsis[:2 if name.endswith("2") else 4]]


@settings(max_examples=60, deadline=None)
@given(ra=st.integers(0, 255), fn=st.integers(0, HYPERFRAME - 1), chan_type=st.integers(1, 31),
       tn=st.integers(0, 7), tsc=st.integers(0, 7), arfcn=st.integers(0, 1023),
       ta=st.integers(0, 63))
def test_immediate_assignment(so, ra, fn, chan_type, tn, tsc, arfcn, ta):
    block = l3.imm_assign(ra, fn, chan_type=chan_type, tn=tn, tsc=tsc, arfcn=arfcn, ta=ta)
    rc, fields, again = decode(so, block)
    assert rc == 0 and fields == l3.parse("rr.imm_assign", block) and again == block
    assert (fields["req.t1"], fields["req.t2"], fields["req.t3"]) == \
        (str(fn // 1326 % 32), str(fn % 26), str(fn % 51))


# ---- the paging block (45.002 6.5.2) -----------------------------------------------------------

def paging(so, ccch_conf: int, res: int, mfrms: int, imsi: str) -> Paging | None:
    desc, out = CcchDesc(ccch_conf=ccch_conf, bs_ag_blks_res=res, bs_pa_mfrms=mfrms), Paging()
    mod = so.l3_imsi_mod_1000(imsi.encode())
    assert mod == int(imsi) % 1000
    if so.l3_paging_block(ctypes.byref(desc), mod, ctypes.byref(out)):
        return None
    return out


def test_paging_block_by_hand(si_lib):
    p = paging(si_lib, 0, 1, 0, "001010000000123")      # N = 8 * 2: group 11
    assert (p.tn, p.group, p.period, p.mf, p.block, p.first) == (0, 11, 2, 1, 4, 26)
    p = paging(si_lib, 1, 1, 2, "999")                 # combined: N = 2 * 4, group 999 % 8 = 7
    assert (p.tn, p.group, p.period, p.mf, p.block, p.first) == (0, 7, 4, 3, 2, 16)
    p = paging(si_lib, 2, 0, 0, "262420000000020")     # 2 CCCHs, N = 18: 20 -> CCCH_GROUP 1
    assert (p.tn, p.group, p.mf, p.block) == (2, 2, 0, 2)
    assert paging(si_lib, 3, 0, 0, "123") is None      # CCCH_CONF 3 is reserved
    assert paging(si_lib, 1, 3, 0, "123") is None      # no paging block left


@settings(max_examples=40, deadline=None)
@given(imsi=imsi, res=st.integers(0, 7), mfrms=st.integers(0, 7),
       after=st.integers(0, HYPERFRAME - 1))
def test_paging_block_is_where_the_cell_pages(si_lib, imsi, res, mfrms, after):
    cell = Cell(bs_ag_blks_res=res, bs_pa_mfrms=mfrms)
    p = paging(si_lib, 0, res, mfrms, imsi)
    want = cell.paging_fn(imsi, after)
    assert p.group == cell.paging_group(imsi)
    assert si_lib.l3_paging_due(ctypes.byref(p), want)
    fn = after
    while not si_lib.l3_paging_due(ctypes.byref(p), fn % HYPERFRAME):
        fn += 1
    assert fn % HYPERFRAME == want
