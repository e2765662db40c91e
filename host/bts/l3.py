"""The network's codec for the layer-3 messages the mobile exchanges (TS 44.018 RR, TS 24.008 MM
and CC), built on pycrate, an implementation of those specifications independent of the
mobile's C (firmware/servers/modem/l3/msgs.c).

``parse`` gives a message's fields as a flat ``{"name.sub": "value"}`` dictionary, the same
shape the C codec's ``l3_dump`` prints, so the two can be compared field by field; ``build``
makes a message from such fields with pycrate's own encoders.  The functions after ``build``
make the messages a cell broadcasts (system information 1 to 4, paging, immediate assignment)
from plain values, for host/bts/cell.py.
"""

from __future__ import annotations

from pycrate_mobile import TS24008_CC as CC
from pycrate_mobile import TS24008_MM as MM
from pycrate_mobile import TS44018_RR as RR
from pycrate_mobile.TS44018_IE import (CellChan, CellOpt, CellSelParams, ChanDesc, CtrlChanDesc,
                                       NeighbourCellChan, RACHCtrl, RequestRef)

CCCH_LEN = 23
FILL = 0x2B

# name -> (pycrate class on the downlink or both ways, pycrate class for the uplink form)
MESSAGES = {
    "rr.si1": RR.RRSystemInfo1,
    "rr.si2": RR.RRSystemInfo2,
    "rr.si3": RR.RRSystemInfo3,
    "rr.si4": RR.RRSystemInfo4,
    "rr.paging_req2": RR.RRPagingReq2,
    "rr.paging_req3": RR.RRPagingReq3,
    "rr.paging_req1": RR.RRPagingReq1,
    "rr.imm_assign": RR.RRImmediateAssignment,
    "rr.channel_release": RR.RRChannelRelease,
    "rr.paging_response": RR.RRPagingResponse,
    "rr.assign_cmd": RR.RRAssignmentCmd,
    "rr.assign_complete": RR.RRAssignmentComplete,
    "rr.meas_report": RR.RRMeasurementReport,
    "mm.lu_request": MM.MMLocationUpdatingRequest,
    "mm.lu_accept": MM.MMLocationUpdatingAccept,
    "mm.lu_reject": MM.MMLocationUpdatingReject,
    "mm.tmsi_realloc_complete": MM.MMTMSIReallocationComplete,
    "mm.imsi_detach": MM.MMIMSIDetachIndication,
    "mm.cm_serv_req": MM.MMCMServiceRequest,
    "mm.cm_serv_accept": MM.MMCMServiceAccept,
    "cc.setup_mo": CC.CCSetupMO,
    "cc.setup_mt": CC.CCSetupMT,
    "cc.call_proceeding": CC.CCCallProceeding,
    "cc.call_confirmed": CC.CCCallConfirmed,
    "cc.alerting": CC.CCAlertingMT,
    "cc.connect": CC.CCConnectMT,
    "cc.connect_ack": CC.CCConnectAcknowledge,
    "cc.disconnect": CC.CCDisconnectMT,
    "cc.release": CC.CCReleaseMT,
    "cc.release_complete": CC.CCReleaseCompleteMT,
}
CCCH_MESSAGES = {"rr.si1", "rr.si2", "rr.si3", "rr.si4", "rr.paging_req1", "rr.paging_req2",
                 "rr.paging_req3", "rr.imm_assign"}

# The half-octet pair after the header: (low nibble IE, high nibble IE), as pycrate names them.
HALVES = {
    "rr.paging_req1": ("PageMode", "ChanNeeded"),
    "rr.paging_req2": ("PageMode", "ChanNeeded"),
    "rr.paging_req3": ("PageMode", "ChanNeeded"),
    "rr.imm_assign": ("PageMode", "DedicatedModeOrTBF"),
    "rr.paging_response": ("CKSN", "spare"),
    "mm.lu_request": ("LocUpdateType", "CKSN"),
    "mm.cm_serv_req": ("Service", "CKSN"),
}


def _present(msg, name: str) -> bool:
    try:
        ie = msg[name]
    except KeyError:
        return False
    return not ie.get_trans()


def _value(ie) -> bytes:
    """The value octets of a V, LV or TLV element."""
    for part in ("V",):
        try:
            return ie[part].to_bytes()
        except (KeyError, TypeError):
            pass
    return ie[-1].to_bytes()


def _lai(out: dict, name: str, ie) -> None:
    plmn, lac = ie.decode()
    out[f"{name}.mcc"] = str(int(plmn[:3]))
    out[f"{name}.mnc"] = str(int(plmn[3:]))
    out[f"{name}.lac"] = str(lac)


def _mi(out: dict, name: str, ie) -> None:
    kind, value = ie.decode()
    out[f"{name}.type"] = str(kind)
    if kind == 4:
        out[f"{name}.tmsi"] = str(value)
    elif kind != 0:
        out[f"{name}.digits"] = str(value)


def _struct(out: dict, name: str, cls, raw: bytes, fields: dict) -> None:
    ie = cls()
    ie.from_bytes(raw)
    for ours, theirs in fields.items():
        out[f"{name}.{ours}"] = str(ie[theirs].get_val())


def _bcd(out: dict, name: str, ie) -> None:
    out[f"{name}.ton"] = str(ie["Type"].get_val())
    out[f"{name}.npi"] = str(ie["NumberingPlan"].get_val())
    out[f"{name}.digits"] = ie["Num"].decode()


def _cc_cause(out: dict, name: str, ie) -> None:
    out[f"{name}.coding"] = str(ie["CodingStd"].get_val())
    out[f"{name}.location"] = str(ie["Location"].get_val())
    out[f"{name}.value"] = str(ie["Class"].get_val() << 4 | ie["Value"].get_val())


def _chan(out: dict, raw: bytes, name: str = "chan") -> None:
    ie = ChanDesc()
    ie.from_bytes(raw)
    out[f"{name}.type"] = str(ie["ChanType"].get_val())
    out[f"{name}.tn"] = str(ie["TN"].get_val())
    out[f"{name}.tsc"] = str(ie["TSC"].get_val())
    out[f"{name}.hopping"] = str(ie["HopChan"].get_val())
    alt = ie["Alt"].get_alt()
    if ie["HopChan"].get_val():
        out[f"{name}.maio"] = str(alt["MAIO"].get_val())
        out[f"{name}.hsn"] = str(alt["HSN"].get_val())
    else:
        out[f"{name}.arfcn"] = str(alt["ARFCN"].get_val())


def _rach(out: dict, msg) -> None:
    _struct(out, "rach", RACHCtrl, msg["RACHCtrl"].to_bytes(),
            {"max_retrans": "MaxRetrans", "tx_integer": "TxInt",
             "cell_barred": "CELL_BARR_ACCESS", "re": "CallReestab"})
    out["rach.acc"] = str(int.from_bytes(msg["RACHCtrl"].to_bytes()[1:3], "big"))


def _cell_sel(out: dict, msg) -> None:
    _struct(out, "cell_sel", CellSelParams, msg["CellSelParams"].to_bytes(),
            {"hyst": "CellReselectHyst", "ms_txpwr_max_cch": "MS-TXPWR-MAX-CCH",
             "acs": "ACS", "neci": "NECI", "rxlev_access_min": "RXLEV-ACCESS-MIN"})


def _freq_list(out: dict, name: str, cls, raw: bytes, flags: dict = {}) -> None:
    """A 16-octet frequency list (44.018 10.5.2.1b, 10.5.2.22): its format and, in the bit map 0
    format, its ARFCNs in ascending order."""
    ie = cls()
    ie.from_bytes(raw)
    out[f"{name}.fmt"] = str(ie["Fmt"].get_val())
    for ours, theirs in flags.items():
        out[f"{name}.{ours}"] = str(ie[theirs].get_val())
    if ie["Fmt"].get_val() == 0:
        out[f"{name}.arfcns"] = ",".join(str(a) for a in ie.decode())


def _inner(msg, name: str):
    """The value structure of an LV/TLV element (pycrate's last component)."""
    return msg[name][-1]


def parse(name: str, data: bytes) -> dict[str, str]:
    """The fields of message `name` in `data` (on the CCCH: the 23-octet block)."""
    msg = MESSAGES[name]()
    msg.from_bytes(data)
    out = {"msg": "cc.setup" if name.startswith("cc.setup") else name}
    header = msg[1] if name in CCCH_MESSAGES else msg[0]
    if name.startswith("cc."):
        out["ti"] = str(header["TIPD"].to_bytes()[0] >> 4)
    if name in HALVES:
        lo, hi = HALVES[name]
        out["half.lo"] = str(msg[lo].to_uint())
        out["half.hi"] = str(msg[hi].to_uint() if hasattr(msg[hi], "to_uint") else msg[hi].get_val())
    if name == "rr.si3":
        out["cell_id"] = str(int.from_bytes(msg["CellId"].to_bytes(), "big"))
        _lai(out, "lai", msg["LAI"][0])
        _struct(out, "ccch", CtrlChanDesc, msg["CtrlChanDesc"].to_bytes(),
                {"att": "ATT", "bs_ag_blks_res": "BS-AG-BLKS-RES", "ccch_conf": "CCCHConf",
                 "bs_pa_mfrms": "BS-PA-MFRMS", "t3212": "T3212"})
        _struct(out, "cell_opt", CellOpt, msg["CellOpt"].to_bytes(),
                {"pwrc": "PwrCtrlInd", "dtx": "DTXInd", "rlt": "RadioLinkTimeout"})
        _cell_sel(out, msg)
        _rach(out, msg)
    if name == "rr.si1":
        _freq_list(out, "cell_chan", CellChan, msg["CellChan"].to_bytes())
        _rach(out, msg)
    if name == "rr.si2":
        _freq_list(out, "ncell", NeighbourCellChan, msg["BCCHFreqList"].to_bytes(),
                   {"ext_ind": "ExtInd", "ba_ind": "BAInd"})
        out["ncc_permitted"] = str(msg["NCCPermitted"].to_bytes()[0])
        _rach(out, msg)
    if name == "rr.si4":
        _lai(out, "lai", msg["LAI"][0])
        _cell_sel(out, msg)
        _rach(out, msg)
        # pycrate's SI4 gives the CBCH channel description 3 bits where 10.5.2.5 has 3 octets,
        # so an SI4 with a CBCH is parsed only up to it; the cell sends none.
    if name in ("rr.paging_req2", "rr.paging_req3"):
        for i in range(1, 3 if name == "rr.paging_req2" else 5):
            out[f"tmsi{i}"] = str(int.from_bytes(msg[f"ID{i}"].to_bytes(), "big"))
    if name == "rr.paging_req1":
        _mi(out, "mi", _inner(msg, "ID1"))
        if _present(msg, "ID2"):
            _mi(out, "mi2", _inner(msg, "ID2"))
    if name == "rr.imm_assign":
        _chan(out, msg["Alt"].get_alt().to_bytes())
        _struct(out, "req", RequestRef, msg["RequestRef"].to_bytes(),
                {"ra": "RA", "t1": "T1prime", "t2": "T2", "t3": "T3"})
        out["ta"] = str(msg["TimingAdvance"].to_bytes()[0] & 0x3F)
        out["ma"] = _inner(msg, "MobileAlloc").to_bytes().hex()
    if name == "rr.meas_report":
        out["meas"] = msg["MeasurementResults"].to_bytes().hex()
    if name in ("rr.channel_release", "rr.assign_complete"):
        out["cause"] = str(msg["RRCause"].to_bytes()[0])
    if name in ("mm.lu_reject",):
        out["cause"] = str(msg["RejectCause"].to_bytes()[0])
    if name == "rr.assign_cmd":
        _chan(out, msg["FirstChanDescAfter"].to_bytes())
        out["power"] = str(msg["PowerCmd"].to_bytes()[0])
    if name in ("rr.paging_response", "mm.cm_serv_req"):
        out["cm2"] = _inner(msg, "MSCm2").to_bytes().hex()
    if name in ("mm.lu_request", "mm.imsi_detach"):
        out["cm1"] = str(msg["MSCm1"].to_bytes()[0])
    if name in ("mm.lu_request", "mm.lu_accept"):
        _lai(out, "lai", msg["LAI"][0])
    if name in ("rr.paging_response", "mm.lu_request", "mm.imsi_detach", "mm.cm_serv_req") or \
            (name == "mm.lu_accept" and _present(msg, "ID")):
        _mi(out, "mi", _inner(msg, "ID"))
    if name == "mm.lu_accept" and _present(msg, "FollowOnProceed"):
        out["follow_on"] = "1"
    if name == "cc.call_confirmed" and _present(msg, "BearerCap1"):
        out["bearer"] = _inner(msg, "BearerCap1").to_bytes().hex()
    if name.startswith("cc.setup"):
        if _present(msg, "BearerCap1"):
            out["bearer"] = _inner(msg, "BearerCap1").to_bytes().hex()
        if name == "cc.setup_mt" and _present(msg, "CallingPartyBCDNumber"):
            _bcd(out, "calling", _inner(msg, "CallingPartyBCDNumber"))
        if _present(msg, "CalledPartyBCDNumber"):
            _bcd(out, "called", _inner(msg, "CalledPartyBCDNumber"))
    if name in ("cc.disconnect", "cc.release", "cc.release_complete") and _present(msg, "Cause"):
        _cc_cause(out, "cc_cause", _inner(msg, "Cause"))
    return out


def build(name: str, values: dict) -> bytes:
    """Message `name` from pycrate's own structures: `values` is pycrate's set_val form."""
    msg = MESSAGES[name]()
    msg.set_val(values)
    data = msg.to_bytes()
    if name in CCCH_MESSAGES:
        data = data.ljust(CCCH_LEN, bytes([FILL]))
    return data


# ---- the messages a cell broadcasts, from plain values -----------------------------------------

def _ccch(msg) -> bytes:
    """A CCCH message as its 23-octet block; the rest octets are pycrate's 0x2B padding."""
    data = msg.to_bytes()
    if len(data) > CCCH_LEN:
        raise ValueError(f"{msg._name} takes {len(data)} octets, more than a block")
    return data.ljust(CCCH_LEN, bytes([FILL]))


def bitmap0(arfcns, head: int = 0) -> bytes:
    """The 16 octets of a frequency list in the bit map 0 format (44.018 10.5.2.1b.2,
    10.5.2.22): ARFCN n (1..124) is bit (n - 1) mod 8 + 1 of octet 17 - (n - 1) div 8, so ARFCN
    1 is bit 1 of the last octet and ARFCNs 121..124 bits 1..4 of the first, whose bits 8 and 7
    (FORMAT-ID 00) and 6 and 5 (`head`, e.g. EXT-IND and BA-IND) come from the caller."""
    value = 0
    for n in set(arfcns):
        if not 1 <= n <= 124:
            raise ValueError(f"ARFCN {n} is outside the bit map 0 format's 1..124")
        value |= 1 << (n - 1)
    out = bytearray(value.to_bytes(16, "big"))
    out[0] |= (head & 3) << 4
    return bytes(out)


def _rach_ie(rach: dict) -> dict:
    return {"MaxRetrans": rach["max_retrans"], "TxInt": rach["tx_integer"],
            "CELL_BARR_ACCESS": rach["cell_barred"], "CallReestab": rach["re"],
            "AccessCtrlClass": rach["acc"].to_bytes(2, "big")}


def _cell_sel_ie(sel: dict) -> dict:
    return {"CellReselectHyst": sel["hyst"], "MS-TXPWR-MAX-CCH": sel["ms_txpwr_max_cch"],
            "ACS": sel["acs"], "NECI": sel["neci"], "RXLEV-ACCESS-MIN": sel["rxlev_access_min"]}


def _plmn(mcc: int, mnc: int) -> str:
    return f"{mcc:03d}{mnc:02d}"


def si1(cell_channels, rach: dict) -> bytes:
    """System Information Type 1 (44.018 9.1.31): the cell allocation in bit map 0."""
    msg = RR.RRSystemInfo1()
    msg["CellChan"].set_val({"V": bitmap0(cell_channels)})
    msg["RACHCtrl"].set_IE(val=_rach_ie(rach))
    return _ccch(msg)


def si2(neighbours, ncc_permitted: int, rach: dict, ba_ind: int = 0) -> bytes:
    """System Information Type 2 (9.1.32): the BCCH allocation of the neighbour cells, complete
    (EXT-IND 0), in bit map 0."""
    msg = RR.RRSystemInfo2()
    msg["BCCHFreqList"].set_val({"V": bitmap0(neighbours, ba_ind & 1)})
    msg["NCCPermitted"].set_val({"V": bytes([ncc_permitted])})
    msg["RACHCtrl"].set_IE(val=_rach_ie(rach))
    return _ccch(msg)


def si3(cell_id: int, mcc: int, mnc: int, lac: int, ccch: dict, cell_opt: dict, cell_sel: dict,
        rach: dict) -> bytes:
    """System Information Type 3 (9.1.35)."""
    msg = RR.RRSystemInfo3()
    msg["CellId"].set_IE(val=cell_id)
    msg["LAI"].set_IE(val={"PLMN": _plmn(mcc, mnc), "LAC": lac})
    msg["CtrlChanDesc"].set_IE(val={"ATT": ccch["att"], "BS-AG-BLKS-RES": ccch["bs_ag_blks_res"],
                                    "CCCHConf": ccch["ccch_conf"],
                                    "BS-PA-MFRMS": ccch["bs_pa_mfrms"], "T3212": ccch["t3212"]})
    opt = CellOpt(val={"PwrCtrlInd": cell_opt["pwrc"], "DTXInd": cell_opt["dtx"],
                       "RadioLinkTimeout": cell_opt["rlt"]})
    msg["CellOpt"].set_val({"V": opt.to_bytes()})
    msg["CellSelParams"].set_IE(val=_cell_sel_ie(cell_sel))
    msg["RACHCtrl"].set_IE(val=_rach_ie(rach))
    return _ccch(msg)


SACCH_INFO = 19                         # a B4 frame's information field (44.006 5.8.3)


def _sacch(msg) -> bytes:
    """A SACCH system information message as the 19 octets of its B4 frame: the L2 pseudo
    length, the message, fill."""
    return msg.to_bytes().ljust(SACCH_INFO, bytes([FILL]))


def si5(neighbours, ba_ind: int = 0) -> bytes:
    """System Information Type 5 (9.1.37) on the SACCH: the neighbour cells, bit map 0."""
    msg = RR.RRSystemInfo5()
    msg["BCCHFreqList"].set_val({"V": bitmap0(neighbours, ba_ind & 1)})
    return _sacch(msg)


def si6(cell_id: int, mcc: int, mnc: int, lac: int, cell_opt: dict, ncc_permitted: int) -> bytes:
    """System Information Type 6 (9.1.40) on the SACCH."""
    msg = RR.RRSystemInfo6()
    msg["CellId"].set_IE(val=cell_id)
    msg["LAI"].set_IE(val={"PLMN": _plmn(mcc, mnc), "LAC": lac})
    msg["CellOpt"].set_IE(val={"PwrCtrlInd": cell_opt["pwrc"], "DTXInd": cell_opt["dtx"],
                               "RadioLinkTimeout": cell_opt["rlt"]})     # the SACCH's 10.5.2.3a
    msg["NCCPermitted"].set_val({"V": bytes([ncc_permitted])})
    return _sacch(msg)


def meas_results(meas_hex: str) -> dict[str, int]:
    """The serving-cell fields of a measurement report's measurement results (10.5.2.20), as
    pycrate's CSN.1 decoder reads them; ValueError when it cannot."""
    from pycrate_csn1dir.measurement_results_contents import measurement_results_contents as results

    try:
        results.from_bytes(bytes.fromhex(meas_hex))
        v = results.get_val()
    except Exception as exc:
        raise ValueError(f"measurement results {meas_hex} do not decode: {exc!r}") from None
    return {"ba_used": v[0], "dtx_used": v[1], "rxlev_full": v[2], "meas_valid": v[4], "rxlev_sub": v[5],
            "rxqual_full": v[7], "rxqual_sub": v[8], "no_ncell_m": int(v[9][0], 2)}


def si4(mcc: int, mnc: int, lac: int, cell_sel: dict, rach: dict) -> bytes:
    """System Information Type 4 (9.1.36), without a CBCH."""
    msg = RR.RRSystemInfo4()
    msg["LAI"].set_IE(val={"PLMN": _plmn(mcc, mnc), "LAC": lac})
    msg["CellSelParams"].set_IE(val=_cell_sel_ie(cell_sel))
    msg["RACHCtrl"].set_IE(val=_rach_ie(rach))
    return _ccch(msg)


def _identity(ident) -> dict:
    """pycrate's value of a mobile identity: an IMSI as a digit string, a TMSI as an int."""
    if isinstance(ident, str):
        return {"type": 1, "ident": ident}
    return {"type": 4, "ident": int(ident)}


def paging_req1(mi1=None, mi2=None, chan_needed: int = 0) -> bytes:
    """Paging Request Type 1 (9.1.22) for up to two identities (IMSI digit strings or TMSIs);
    with none, the "empty" paging of an idle paging block: mobile identity type "no identity"
    (0xF0)."""
    msg = RR.RRPagingReq1()
    msg["ChanNeeded"].set_val({"V": chan_needed})
    if mi1 is None:
        msg["ID1"].set_val({"V": b"\xf0"})
    else:
        msg["ID1"].set_IE(val=_identity(mi1))
    if mi2 is not None:
        msg["ID2"].set_trans(False)
        msg["ID2"].set_IE(val=_identity(mi2))
    return _ccch(msg)


def paging_req2(tmsi1: int, tmsi2: int) -> bytes:
    """Paging Request Type 2 (9.1.23) for two TMSIs."""
    msg = RR.RRPagingReq2()
    msg["ID1"].set_val({"V": tmsi1.to_bytes(4, "big")})
    msg["ID2"].set_val({"V": tmsi2.to_bytes(4, "big")})
    return _ccch(msg)


def paging_req3(tmsis) -> bytes:
    """Paging Request Type 3 (9.1.24) for four TMSIs."""
    msg = RR.RRPagingReq3()
    for i, t in enumerate(tmsis, 1):
        msg[f"ID{i}"].set_val({"V": int(t).to_bytes(4, "big")})
    return _ccch(msg)


def imm_assign(ra: int, fn: int, *, chan_type: int, tn: int, tsc: int, arfcn: int,
               ta: int = 0) -> bytes:
    """Immediate Assignment (9.1.18) of a non-hopping channel (`chan_type` is 10.5.2.5's five
    bits: 1 TCH/F, 8 + n SDCCH/8 subchannel n ...) answering the Channel Request `ra` sent on
    frame `fn` (its Request Reference, 10.5.2.30: T1' = T1 mod 32, T2, T3)."""
    msg = RR.RRImmediateAssignment()
    msg["Alt"].get_alt().set_IE(val={"ChanType": chan_type, "TN": tn, "TSC": tsc, "HopChan": 0,
                                     "Alt": {"ARFCN": arfcn}})
    msg["RequestRef"].set_IE(val={"RA": ra, "T1prime": (fn // 1326) % 32, "T3": fn % 51,
                                  "T2": fn % 26})
    msg["TimingAdvance"].set_val({"V": bytes([ta & 0x3F])})
    msg["MobileAlloc"].set_val({"L": 0, "V": b""})
    return _ccch(msg)
