"""The network's codec for the layer-3 messages the mobile exchanges (TS 44.018 RR, TS 24.008 MM
and CC), built on pycrate, an implementation of those specifications independent of the
mobile's C (firmware/servers/modem/l3/msgs.c).

``parse`` gives a message's fields as a flat ``{"name.sub": "value"}`` dictionary, the same
shape the C codec's ``l3_dump`` prints, so the two can be compared field by field; ``build``
makes a message from such fields with pycrate's own encoders.
"""

from __future__ import annotations

from pycrate_mobile import TS24008_CC as CC
from pycrate_mobile import TS24008_MM as MM
from pycrate_mobile import TS44018_RR as RR
from pycrate_mobile.TS44018_IE import (CellOpt, CellSelParams, ChanDesc, CtrlChanDesc, RACHCtrl,
                                       RequestRef)

CCCH_LEN = 23
FILL = 0x2B

# name -> (pycrate class on the downlink or both ways, pycrate class for the uplink form)
MESSAGES = {
    "rr.si3": RR.RRSystemInfo3,
    "rr.paging_req1": RR.RRPagingReq1,
    "rr.imm_assign": RR.RRImmediateAssignment,
    "rr.channel_release": RR.RRChannelRelease,
    "rr.paging_response": RR.RRPagingResponse,
    "rr.assign_cmd": RR.RRAssignmentCmd,
    "rr.assign_complete": RR.RRAssignmentComplete,
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
    "cc.alerting": CC.CCAlertingMT,
    "cc.connect": CC.CCConnectMT,
    "cc.connect_ack": CC.CCConnectAcknowledge,
    "cc.disconnect": CC.CCDisconnectMT,
    "cc.release": CC.CCReleaseMT,
    "cc.release_complete": CC.CCReleaseCompleteMT,
}
CCCH_MESSAGES = {"rr.si3", "rr.paging_req1", "rr.imm_assign"}

# The half-octet pair after the header: (low nibble IE, high nibble IE), as pycrate names them.
HALVES = {
    "rr.paging_req1": ("PageMode", "ChanNeeded"),
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


def _chan(out: dict, raw: bytes) -> None:
    ie = ChanDesc()
    ie.from_bytes(raw)
    out["chan.type"] = str(ie["ChanType"].get_val())
    out["chan.tn"] = str(ie["TN"].get_val())
    out["chan.tsc"] = str(ie["TSC"].get_val())
    out["chan.hopping"] = str(ie["HopChan"].get_val())
    alt = ie["Alt"].get_alt()
    if ie["HopChan"].get_val():
        out["chan.maio"] = str(alt["MAIO"].get_val())
        out["chan.hsn"] = str(alt["HSN"].get_val())
    else:
        out["chan.arfcn"] = str(alt["ARFCN"].get_val())


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
        _struct(out, "cell_sel", CellSelParams, msg["CellSelParams"].to_bytes(),
                {"hyst": "CellReselectHyst", "ms_txpwr_max_cch": "MS-TXPWR-MAX-CCH",
                 "acs": "ACS", "neci": "NECI", "rxlev_access_min": "RXLEV-ACCESS-MIN"})
        _struct(out, "rach", RACHCtrl, msg["RACHCtrl"].to_bytes(),
                {"max_retrans": "MaxRetrans", "tx_integer": "TxInt",
                 "cell_barred": "CELL_BARR_ACCESS", "re": "CallReestab"})
        out["rach.acc"] = str(int.from_bytes(msg["RACHCtrl"].to_bytes()[1:3], "big"))
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
