"""The Python codec against frames built by hand, COBS at its edges, and the streaming decoder.

Expected bytes here come from struct.pack, zlib.crc32 and a by-the-book COBS written below, never
from the codec under test, so a change that keeps encode and decode symmetric but moves a byte on
the wire still fails.
"""

from __future__ import annotations

import importlib.util
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from protocol import (
    CrcError,
    ErrorCode,
    FrameDecoder,
    FrameError,
    LogLevel,
    Message,
    MsgType,
    PayloadError,
    Role,
    VersionError,
    cobs_decode,
    cobs_encode,
    decode_frame,
    encode,
    frame_bytes,
    split_frame,
)
from protocol import wire

ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------------------------
# Hand-built references


def ref_cobs(data: bytes) -> bytes:
    """COBS from its definition: each zero-terminated run becomes (len + 1, run); a run of 254
    non-zero bytes is cut into a block with code 0xFF that implies no zero."""
    out = b""
    for run in data.split(b"\x00"):
        while len(run) >= 254:
            out += b"\xff" + run[:254]
            run = run[254:]
        out += bytes([len(run) + 1]) + run
    return out


def hand_frame(msg_type: int, seq: int, payload: bytes, version: int = 1) -> bytes:
    """version u8 | type u8 | seq u16 | length u16 | payload | crc32 u32, little-endian."""
    body = struct.pack("<BBHH", version, msg_type, seq, len(payload)) + payload
    return body + struct.pack("<I", zlib.crc32(body))


def hand_image_header(*, sequence=0, length=0, crc=0, load_addr=0, entry=0, board=b"",
                      build_id=bytes(20)) -> bytes:
    body = struct.pack("<4sHHIIIII16s20s", b"L4IM", 1, 68, sequence, length, crc, load_addr,
                       entry, board.ljust(16, b"\0"), build_id)
    return body + struct.pack("<I", zlib.crc32(body))


# --------------------------------------------------------------------------------------------
# Frames against hand-built bytes


def test_ping_frame_by_hand():
    # PING, seq 5, data "a\0b": the unstuffed frame, byte by byte.
    body = bytes([0x01, 0x03, 0x05, 0x00, 0x03, 0x00]) + b"a\x00b"
    assert zlib.crc32(body) == 0x80CCF31A
    unstuffed = body + bytes([0x1A, 0xF3, 0xCC, 0x80])
    assert frame_bytes(MsgType.PING, 5, dict(data=b"a\x00b")) == unstuffed
    # COBS: the zeros at offsets 3, 5 and 7 split it into [01 03 05] [03] [61] [62 crc..].
    expected = bytes.fromhex("04 010305  02 03  02 61  06 62 1af3cc80  00")
    assert expected == bytes.fromhex("04 01 03 05 02 03 02 61 06 62 1a f3 cc 80 00")
    assert encode(MsgType.PING, 5, dict(data=b"a\x00b")) == expected
    msg = decode_frame(cobs_decode(expected[:-1]))
    assert (msg.type, msg.seq, msg.data) == (MsgType.PING, 5, b"a\x00b")


BUILD_ID = bytes(range(0xA0, 0xB4))
IMAGE_HEADER_FIELDS = dict(sequence=0, length=3, crc=zlib.crc32(b"abc"), load_addr=0x40010000,
                           entry=0x40010040, board="qemu-virt", build_id=BUILD_ID)
IMAGE_HEADER_BYTES = hand_image_header(length=3, crc=zlib.crc32(b"abc"), load_addr=0x40010000,
                                       entry=0x40010040, board=b"qemu-virt", build_id=BUILD_ID)
SLOT_ENTRY = dict(valid=1, state="CONFIRMED", sequence=7, length=0x1234, crc=0xCAFEF00D, build_id=BUILD_ID)
SLOT_ENTRY_BYTES = struct.pack("<BB2xIII20s", 1, 2, 7, 0x1234, 0xCAFEF00D, BUILD_ID)

STATS = dict(ticks=1000, ipc=5000, ipc_fast=4000, irqs=1100, pagefaults=30, exceptions=2, stopped=1,
             kmem_free=0x8000, mapdb_nodes=77, trace_head=1500, cycles=0x89ABCDEF,
             idle_cycles=0x1_2345_6789, syscalls=list(range(100, 111)))
STATS_BYTES = (struct.pack("<11I", 1000, 5000, 4000, 1100, 30, 2, 1, 0x8000, 77, 1500, 0x89ABCDEF)
               + bytes.fromhex("8967452301000000") + struct.pack("<11I", *range(100, 111)))
# id, state, prio, flags, space, pager, exc_handler, cycles, pc, stop_reason, partner, name
THREAD = dict(id=0x10001, state=4, prio=100, flags=2, space=1, pager=0x20001, exc_handler=0,
              cycles=0x1_0000_0002, pc=0x8000_1234, stop_reason=0, partner=0xFFFFFFFF, name="sigma0")
THREAD_BYTES = struct.pack("<IBBBBIIQIB3xI12s", 0x10001, 4, 100, 2, 1, 0x20001, 0, 0x1_0000_0002,
                           0x8000_1234, 0, 0xFFFFFFFF, b"sigma0")
THREAD_FULL_NAME = dict(THREAD, id=0x10400, state=1, stop_reason=3, name="twelve-bytes")
THREAD_FULL_NAME_BYTES = struct.pack("<IBBBBIIQIB3xI12s", 0x10400, 1, 100, 2, 1, 0x20001, 0,
                                     0x1_0000_0002, 0x8000_1234, 3, 0xFFFFFFFF, b"twelve-bytes")
EVENTS = [dict(cycles=10, type="IPC", a=0x10001, b=0x10002, c=0x1000),
          dict(cycles=0xFFFFFFF0, type="IRQ_IPC", a=33, b=0x10003, c=0)]
EVENTS_BYTES = (struct.pack("<5I", 10, 1, 0x10001, 0x10002, 0x1000)
                + struct.pack("<5I", 0xFFFFFFF0, 5, 33, 0x10003, 0))
REGS = [0x10002, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0xC0DE]        # r7: the system call number

# (type, fields to build, the payload bytes they must give)
LINUX_STATS = dict(processes=3, zombies=1, frames_free=16000, frames_total=16384, syscalls=123456,
                   page_faults=789, oom_kills=2, unknown=[dict(nr=111, count=3), dict(nr=511, count=1)])
LINUX_STATS_BYTES = struct.pack("<HHIIIII", 3, 1, 16000, 16384, 123456, 789, 2)

IQ = [(-1) ** i * (i * 97 % 32768) for i in range(2 * wire.BURST_WINDOW)]
DL_BURST = dict(frame=0x12345, tn=3, iq=IQ)
DL_BURST_BYTES = struct.pack("<IB3x312h", 0x12345, 3, *IQ)
UL_BITS = bytes(i % 2 for i in range(148))
UL_BURST = dict(frame=77, tn=2, kind=1, bits=UL_BITS)
UL_BURST_BYTES = struct.pack("<IBB2x", 77, 2, 1) + UL_BITS
MODEM_TASK = dict(name="l1", jobs=10000, misses=0, worst_response=123456, worst_start=2048)
MODEM_TASK_BYTES = struct.pack("<8sIIII", b"l1", 10000, 0, 123456, 2048)
MODEM_STATUS = dict(frame=10000, fn=0xFFFFFFFF, l1_state=3, bsic=0x2A, rr_state=1, mm_state=2, cc_state=0,
                    underruns=1, blocks_ok=200, blocks_bad=3, bit_errors=17, bits=91200,
                    tasks=[MODEM_TASK])
MODEM_STATUS_BYTES = struct.pack("<IIBBBBB3xIIIII", 10000, 0xFFFFFFFF, 3, 0x2A, 1, 2, 0, 1, 200, 3, 17, 91200)

HAND_PAYLOADS = [
    (MsgType.HELLO, {}, b""),
    (MsgType.INFO,
     dict(proto_version=1, role="KERNEL", active_slot=1, features=0x1F, cycle_hz=62_500_000,
          timer_hz=62_500_000, max_payload=4096, board="qemu-virt", build_id=BUILD_ID, version="0.1-dirty"),
     struct.pack("<BBBxIIIH2x16s20s32s", 1, 2, 1, 0x1F, 62_500_000, 62_500_000, 4096,
                 b"qemu-virt", BUILD_ID, b"0.1-dirty")),
    (MsgType.PING, dict(data=b"\x00\x01\xff"), b"\x00\x01\xff"),
    (MsgType.PONG, dict(data=b""), b""),
    (MsgType.LOG, dict(level="WARN", text="héllo"), b"\x02" + "héllo".encode()),
    (MsgType.ERROR, dict(code="BAD_SLOT", request=MsgType.FLASH_BEGIN, text="only valid slot"),
     struct.pack("<HB", 6, 0x20) + b"only valid slot"),
    (MsgType.ACK, dict(value=0xDEADBEEF), bytes.fromhex("efbeadde")),
    (MsgType.RESET, {}, b""),
    (MsgType.READ_MEM, dict(addr=0x40001000, length=256), bytes.fromhex("00100040 0001")),
    (MsgType.MEM_DATA, dict(addr=0x09000000, data=b"\x12\x34"), bytes.fromhex("00000009 1234")),
    (MsgType.FLASH_BEGIN, dict(slot=wire.SLOT_AUTO, header=dict(body=dict(value=IMAGE_HEADER_FIELDS))),
     b"\xff" + IMAGE_HEADER_BYTES),
    (MsgType.FLASH_DATA, dict(offset=0x1000, data=b"abc"), bytes.fromhex("00100000") + b"abc"),
    (MsgType.FLASH_DATA_LZ4, dict(offset=0x4000, length=16384, data=b"\x1f\x00"),
     bytes.fromhex("00400000" "00400000") + b"\x1f\x00"),
    (MsgType.FLASH_END, {}, b""),
    (MsgType.FLASH_SUMS, dict(slot=1, offset=0x3000, length=573_440),
     b"\x01\x00\x00\x00" + bytes.fromhex("00300000" "00c00800")),
    (MsgType.FLASH_SUMS_INFO, dict(slot=0, offset=0x1000, sums=[0xCBF43926, 0, 0xFFFFFFFF]),
     b"\x00\x00\x00\x00" + bytes.fromhex("00100000" "2639f4cb" "00000000" "ffffffff")),
    (MsgType.FLASH_COPY, dict(offset=0x2000, length=0x5004, slot=0, crc=0x12345678),
     bytes.fromhex("00200000" "04500000" "00000000" "78563412")),
    (MsgType.ROOTFS_BEGIN, dict(length=54_305_180, crc=0xBBF3D1D3), bytes.fromhex("9ca13c03" "d3d1f3bb")),
    (MsgType.BOOT, dict(slot=1), b"\x01"),
    (MsgType.SLOTS, {}, b""),
    (MsgType.SLOT_INFO, dict(count=2, newest=0, confirmed=0xFF, slots=[SLOT_ENTRY, dict(SLOT_ENTRY, valid=0)]),
     b"\x02\x00\xff\x00" + SLOT_ENTRY_BYTES + b"\x00" + SLOT_ENTRY_BYTES[1:]),
    (MsgType.STATS, {}, b""),
    (MsgType.STATS_INFO, STATS, STATS_BYTES),
    (MsgType.THREADS, dict(start=0x102), b"\x02\x01"),
    (MsgType.THREAD_LIST, dict(next=512, threads=[THREAD, THREAD_FULL_NAME]),
     b"\x00\x02\x00\x00" + THREAD_BYTES + THREAD_FULL_NAME_BYTES),
    (MsgType.RUN_TEST, dict(name="ipc.call"), b"ipc.call"),
    (MsgType.TEST_RESULT, dict(status="FAIL", value=7, cycles=123456, text="reply tag 0x0001, expected 0x0002"),
     struct.pack("<B3xII", 1, 7, 123456) + b"reply tag 0x0001, expected 0x0002"),
    (MsgType.BENCH, dict(iterations=1000, flags=1, name="ipc.call_roundtrip"),
     bytes.fromhex("e8030100") + b"ipc.call_roundtrip"),
    (MsgType.BENCH_RESULT, dict(status="PASS", overhead=24, samples=[310, 0, 0xFFFFFFFF]),
     struct.pack("<B3xI3I", 0, 24, 310, 0, 0xFFFFFFFF)),
    (MsgType.INJECT_IRQ, dict(irq=33), b"\x21\x00"),
    (MsgType.TRACE, dict(start=0x12345678), bytes.fromhex("78563412")),
    (MsgType.TRACE_DATA, dict(first=2000, head=2002, events=EVENTS), struct.pack("<II", 2000, 2002) + EVENTS_BYTES),
    (MsgType.TRACE_CONTROL, dict(enable=1), b"\x01"),
    (MsgType.SYSCALL, dict(regs=REGS, timeout_us=100_000), struct.pack("<13II", *REGS, 100_000)),
    (MsgType.SYSCALL_RESULT, dict(status="FAULTED", cycles=850, regs=list(range(13))),
     struct.pack("<B3xI13I", 1, 850, *range(13))),
    (MsgType.TESTS, dict(start=0), b"\x00\x00"),
    (MsgType.TEST_NAMES, dict(next=0xFFFF, names="ipc.call\0ipc.call_roundtrip\0map.grant\0"),
     b"\xff\xff\x00\x00ipc.call\x00ipc.call_roundtrip\x00map.grant\x00"),
    (MsgType.CONSOLE, dict(data=b"hello\r\n\x00\xff"), b"hello\r\n\x00\xff"),
    (MsgType.CONSOLE_IN, dict(data=b"ls\r"), b"ls\r"),
    (MsgType.SHELL, dict(data=b"echo hi"), b"echo hi"),
    (MsgType.LINUX_EXIT, dict(pid=7, status=0x0300), struct.pack("<II", 7, 0x300)),
    (MsgType.LINUX_STATS, {}, b""),
    (MsgType.LINUX_STATS_INFO, LINUX_STATS, LINUX_STATS_BYTES + struct.pack("<4I", 111, 3, 511, 1)),
    (MsgType.RESTART, dict(server="linux", image="hostile"), b"linux".ljust(16, b"\0") + b"hostile".ljust(16, b"\0")),
    (MsgType.LINUX_SIGNAL, dict(pid=12, signal=2), b"\x0c\0\0\0\x02\0\0\0"),
    (MsgType.RADIO_DL, dict(bursts=[DL_BURST]), b"\0\0\0\0" + DL_BURST_BYTES),
    (MsgType.RADIO_STATUS, dict(running=1, frame=4242, buffered=300, room=3796, underruns=0, late=2),
     struct.pack("<B3x5I", 1, 4242, 300, 3796, 0, 2)),
    (MsgType.RADIO_UL, dict(frame=80, bursts=[UL_BURST, UL_BURST]), struct.pack("<I", 80) + UL_BURST_BYTES * 2),
    (MsgType.RADIO_UL_ACK, dict(bursts=192), struct.pack("<I", 192)),
    (MsgType.MODEM_START, dict(seed=7, lead_us=20000, frames=10000, imsi=bytes.fromhex("0910101032547698"),
                               action=2, flags=1, action_frame=800, number=bytes.fromhex("2143f5ffffffffff")),
     struct.pack("<III", 7, 20000, 10000) + bytes.fromhex("0910101032547698") +
     struct.pack("<BB2xI", 2, 1, 800) + bytes.fromhex("2143f5ffffffffff")),
    (MsgType.MODEM_STOP, {}, b""),
    (MsgType.MODEM_STATUS, {}, b""),
    (MsgType.MODEM_STATUS_INFO, MODEM_STATUS, MODEM_STATUS_BYTES + MODEM_TASK_BYTES),
    (MsgType.MODEM_EVENT, dict(frame=52, fn=1234, layer="L1", code=2, a=0x2A, b=1234, text="SCH: BSIC 52"),
     struct.pack("<IIBB2xII", 52, 1234, 1, 2, 0x2A, 1234) + b"SCH: BSIC 52"),
    (MsgType.MODEM_LATENCY, dict(task=1), b"\x01\x00\x00\x00"),
    (MsgType.MODEM_LATENCY_INFO, dict(name="l1rx", jobs=7, bin_us=1, bins=[0, 5, 0, 2]),
     b"l1rx\0\0\0\0" + struct.pack("<II4I", 7, 1, 0, 5, 0, 2)),
]


HAND = {msg_type: (fields, payload) for msg_type, fields, payload in HAND_PAYLOADS}


def test_every_type_has_a_hand_built_frame():
    assert {t for t, _, _ in HAND_PAYLOADS} == set(MsgType)


@pytest.mark.parametrize("msg_type,fields,payload", HAND_PAYLOADS, ids=lambda v: getattr(v, "name", ""))
def test_frame_matches_hand_built_bytes(msg_type, fields, payload):
    seq = 0x1234
    expected = hand_frame(msg_type, seq, payload)
    assert expected[2:4] == b"\x34\x12"          # seq, little-endian
    assert frame_bytes(msg_type, seq, fields) == expected
    assert encode(msg_type, seq, fields) == ref_cobs(expected) + b"\x00"
    # and the payload's size is what the type declares
    size, greedy = wire.payload_size(msg_type)
    assert len(payload) == size or (greedy and len(payload) > size)


@pytest.mark.parametrize("msg_type,fields,payload", HAND_PAYLOADS, ids=lambda v: getattr(v, "name", ""))
def test_hand_built_frame_decodes(msg_type, fields, payload):
    msg = decode_frame(hand_frame(msg_type, 0xBEEF, payload))
    assert (msg.type, msg.seq, msg.name) == (msg_type, 0xBEEF, msg_type.name)
    assert split_frame(hand_frame(msg_type, 0xBEEF, payload)) == (msg_type, 0xBEEF, payload)
    if msg_type == MsgType.FLASH_BEGIN:
        assert msg.header.body == dict(IMAGE_HEADER_FIELDS, magic=b"L4IM", format=1, header_size=68)
        assert msg.header.header_crc == zlib.crc32(IMAGE_HEADER_BYTES[:64])
    else:
        assert msg.payload == fields


def test_slot_info_decodes_to_plain_data():
    # Padding inside the list of slots is dropped like padding anywhere else.
    msg = decode_frame(hand_frame(MsgType.SLOT_INFO, 1, HAND[MsgType.SLOT_INFO][1]))
    assert msg.slots[0] == SLOT_ENTRY
    assert "reserved" not in msg.slots[1]


# --------------------------------------------------------------------------------------------
# Payloads that end in a list of entries (THREAD_LIST, BENCH_RESULT, TRACE_DATA)


def thread(i: int) -> tuple[dict, bytes]:
    name = f"t{i}"
    return (dict(THREAD, id=0x10000 + i, prio=i % 256, cycles=i << 32 | i, name=name),
            struct.pack("<IBBBBIIQIB3xI12s", 0x10000 + i, 4, i % 256, 2, 1, 0x20001, 0, i << 32 | i,
                        0x8000_1234, 0, 0xFFFFFFFF, name.encode()))


def sample(i: int) -> tuple[int, bytes]:
    return 1000 + i, struct.pack("<I", 1000 + i)


def unknown_syscall(i: int) -> tuple[dict, bytes]:
    return dict(nr=i, count=i * 3 + 1), struct.pack("<II", i, i * 3 + 1)


def event(i: int) -> tuple[dict, bytes]:
    kind = ["IPC", "SWITCH", "IRQ", "FAULT", "IRQ_IPC"][i % 5]
    return (dict(cycles=i * 7, type=kind, a=i, b=i + 1, c=i + 2),
            struct.pack("<5I", i * 7, i % 5 + 1, i, i + 1, i + 2))


def dl_burst(i: int) -> tuple[dict, bytes]:
    iq = [(i * 31 + k) % 65536 - 32768 for k in range(2 * wire.BURST_WINDOW)]
    return dict(frame=i, tn=i % 8, iq=iq), struct.pack("<IB3x312h", i, i % 8, *iq)


def ul_burst(i: int) -> tuple[dict, bytes]:
    bits = bytes((i >> (k % 8)) & 1 for k in range(148))
    return dict(frame=i, tn=i % 8, kind=i % 2, bits=bits), struct.pack("<IBB2x", i, i % 8, i % 2) + bits


def modem_task(i: int) -> tuple[dict, bytes]:
    name = f"task{i}"
    return (dict(name=name, jobs=i, misses=i // 3, worst_response=i * 9, worst_start=i * 2),
            struct.pack("<8sIIII", name.encode(), i, i // 3, i * 9, i * 2))


# type, list field, fields before it, the bytes those give, one entry (fields, bytes) by index,
# entry size, and how many entries fill a frame: (4096 - 4) // 48, (4096 - 8) // 4, (4096 - 8) // 20
ENTRY_LISTS = [
    (MsgType.THREAD_LIST, "threads", dict(next=3), b"\x03\x00\x00\x00", thread, 48, 85),
    (MsgType.BENCH_RESULT, "samples", dict(status="TIMEOUT", overhead=9), b"\x04\x00\x00\x00\x09\x00\x00\x00",
     sample, 4, 1022),
    (MsgType.TRACE_DATA, "events", dict(first=5, head=300), struct.pack("<II", 5, 300), event, 20, 204),
    (MsgType.LINUX_STATS_INFO, "unknown", {k: v for k, v in LINUX_STATS.items() if k != "unknown"},
     LINUX_STATS_BYTES, unknown_syscall, 8, 509),
    (MsgType.RADIO_DL, "bursts", {}, b"\0\0\0\0", dl_burst, 632, 6),
    (MsgType.RADIO_UL, "bursts", dict(frame=9), struct.pack("<I", 9), ul_burst, 156, 26),
    (MsgType.MODEM_STATUS_INFO, "tasks", {k: v for k, v in MODEM_STATUS.items() if k != "tasks"},
     MODEM_STATUS_BYTES, modem_task, 24, 169),
    (MsgType.FLASH_SUMS_INFO, "sums", dict(slot=1, offset=0x4000), b"\x01\x00\x00\x00\x00\x40\x00\x00",
     lambda i: (0x9E3779B9 * i & 0xFFFFFFFF, struct.pack("<I", 0x9E3779B9 * i & 0xFFFFFFFF)), 4, 1022),
    (MsgType.MODEM_LATENCY_INFO, "bins", dict(name="fclk", jobs=3, bin_us=1),
     b"fclk\0\0\0\0" + struct.pack("<II", 3, 1), lambda i: (i, struct.pack("<I", i)), 4, 1020),
]
ENTRY_IDS = [t.name for t, *_ in ENTRY_LISTS]


def test_entry_sizes_are_what_the_type_says():
    for msg_type, _, _, head, entry, size, _ in ENTRY_LISTS:
        assert wire.payload_size(msg_type) == (len(head), True)
        assert wire.payload_entry_size(msg_type) == size == len(entry(0)[1])
    assert {t for t, *_ in ENTRY_LISTS} == {t for t in MsgType if wire.payload_entry_size(t) != 1}


@pytest.mark.parametrize("msg_type,key,fields,head,entry,size,full", ENTRY_LISTS, ids=ENTRY_IDS)
@pytest.mark.parametrize("count", ["none", "one", "several", "full"])
def test_entry_lists_round_trip(msg_type, key, fields, head, entry, size, full, count):
    n = dict(none=0, one=1, several=min(7, full - 1), full=full)[count]
    entries = [entry(i) for i in range(n)]
    fields = dict(fields, **{key: [f for f, _ in entries]})
    payload = head + b"".join(b for _, b in entries)
    assert len(payload) == len(head) + n * size <= wire.MAX_PAYLOAD
    frame = hand_frame(msg_type, 0x4321, payload)
    assert frame_bytes(msg_type, 0x4321, fields) == frame
    msg = decode_frame(frame)
    assert msg.payload == fields and len(msg.payload[key]) == n
    [line_msg] = FrameDecoder().feed(ref_cobs(frame) + b"\x00")
    assert line_msg.payload == fields


@pytest.mark.parametrize("msg_type,key,fields,head,entry,size,full", ENTRY_LISTS, ids=ENTRY_IDS)
def test_entry_list_one_past_full_does_not_fit(msg_type, key, fields, head, entry, size, full):
    fields = dict(fields, **{key: [entry(i)[0] for i in range(full + 1)]})
    with pytest.raises(ValueError, match="exceeds"):
        frame_bytes(msg_type, 1, fields)


@pytest.mark.parametrize("msg_type,key,fields,head,entry,size,full", ENTRY_LISTS, ids=ENTRY_IDS)
@pytest.mark.parametrize("whole", [0, 1, 3])
def test_partial_entry_is_refused(msg_type, key, fields, head, entry, size, full, whole):
    """construct's GreedyRange stops at an entry it cannot finish and drops the bytes; the codec
    refuses such a payload instead.  Framing alone passes it, as proto_split in C does."""
    for extra in sorted({1, size // 2, size - 1}):
        payload = head + b"".join(entry(i)[1] for i in range(whole)) + entry(whole)[1][:extra]
        frame = hand_frame(msg_type, 7, payload)
        assert split_frame(frame) == (msg_type, 7, payload)
        message = (f"{msg_type.name} payload of {len(payload)} bytes: the {whole * size + extra} bytes "
                   f"after its {len(head)}-byte head are not a whole number of {size}-byte entries")
        with pytest.raises(PayloadError) as err:
            decode_frame(frame)
        assert str(err.value) == message
        [result] = FrameDecoder().feed(ref_cobs(frame) + b"\x00")
        assert type(result) is PayloadError


def test_unknown_type_passes_framing_with_raw_payload():
    msg = decode_frame(hand_frame(0x7F, 9, b"\x00anything"))
    assert (msg.type, msg.seq, msg.payload, msg.name) == (0x7F, 9, b"\x00anything", "0x7f")


def test_text_that_is_not_utf8_still_decodes():
    # A frame is accepted or refused on its framing alone, as in the firmware.
    msg = decode_frame(hand_frame(MsgType.LOG, 0, b"\x03ab\xffc"))
    assert msg.text == "ab\ufffdc"


def test_text_too_long_for_its_field_is_refused():
    with pytest.raises(ValueError, match="longer than 16 bytes"):
        frame_bytes(MsgType.INFO, 1, dict(HAND[MsgType.INFO][0], board="x" * 17))


def test_largest_payload():
    data = bytes([0x5A]) * wire.MAX_PAYLOAD
    assert decode_frame(frame_bytes(MsgType.PING, 1, dict(data=data))).data == data
    with pytest.raises(ValueError, match="exceeds"):
        frame_bytes(MsgType.PING, 1, dict(data=data + b"x"))
    # a frame that claims more, consistently and with a good CRC, is refused on size alone
    with pytest.raises(FrameError, match="exceeds") as err:
        split_frame(hand_frame(MsgType.PING, 1, data + b"x"))
    assert type(err.value) is FrameError


def test_sizes_are_derived_not_typed():
    assert wire.FRAME_OVERHEAD == 10
    assert wire.MAX_FRAME == 10 + wire.MAX_PAYLOAD
    assert wire.FLASH_CHUNK_MAX == wire.MAX_PAYLOAD - 4
    # the worst case of the encoder: no zero at all, so one code byte per 254 plus one
    assert len(cobs_encode(b"\x01" * wire.MAX_FRAME)) + 1 <= wire.MAX_ENCODED_FRAME


# --------------------------------------------------------------------------------------------
# COBS


@pytest.mark.parametrize("data,stuffed", [
    (b"", b"\x01"),
    (b"\x00", b"\x01\x01"),
    (b"\x00\x00", b"\x01\x01\x01"),
    (b"\x00" * 5, b"\x01" * 6),
    (b"\x11\x22\x00\x33", b"\x03\x11\x22\x02\x33"),
    (b"\x11\x00", b"\x02\x11\x01"),
    (bytes(range(1, 254)), b"\xfe" + bytes(range(1, 254))),                       # 253: one block
    (bytes(range(1, 255)), b"\xff" + bytes(range(1, 255)) + b"\x01"),             # 254
    (bytes(range(1, 256)), b"\xff" + bytes(range(1, 255)) + b"\x02\xff"),         # 255
    (bytes(range(1, 255)) * 2, (b"\xff" + bytes(range(1, 255))) * 2 + b"\x01"),   # 508
    (bytes(range(1, 255)) + b"\x00", b"\xff" + bytes(range(1, 255)) + b"\x01\x01"),
    (b"\x00" + bytes(range(1, 255)), b"\x01\xff" + bytes(range(1, 255)) + b"\x01"),
], ids=["empty", "zero", "two-zeros", "five-zeros", "mixed", "trailing-zero", "253", "254", "255",
        "508", "254-then-zero", "zero-then-254"])
def test_cobs_edges(data, stuffed):
    assert ref_cobs(data) == stuffed
    assert cobs_encode(data) == stuffed
    assert cobs_decode(stuffed) == data


def test_cobs_decode_accepts_the_short_form_of_a_final_full_block():
    # Encoders that drop the final empty block after a 0xFF code interoperate.
    assert cobs_decode(b"\xff" + bytes(range(1, 255))) == bytes(range(1, 255))


@pytest.mark.parametrize("stuffed", [
    b"\x00",                 # a zero is never inside a frame
    b"\x03a\x00",            # ... nor inside a block
    b"\x05abc",              # a block that runs past the end
    b"\x02a\x00\x01",
    b"\xff" + b"\x01" * 200,
], ids=["zero-code", "zero-in-block", "overrun", "zero-after-block", "short-ff-block"])
def test_cobs_decode_refuses(stuffed):
    with pytest.raises(FrameError, match="COBS"):
        cobs_decode(stuffed)


zero_heavy = st.lists(st.sampled_from([0, 0, 1, 0x7F, 0xFF]), max_size=700).map(bytes)


@given(st.one_of(st.binary(max_size=1100), zero_heavy, st.binary(min_size=250, max_size=520).map(
    lambda b: b.replace(b"\x00", b"\x01"))))
def test_cobs_round_trip(data):
    stuffed = cobs_encode(data)
    assert 0 not in stuffed
    assert stuffed == ref_cobs(data)
    assert len(stuffed) <= len(data) + len(data) // 254 + 1
    assert cobs_decode(stuffed) == data


# --------------------------------------------------------------------------------------------
# Round trips of every message type with generated field values

u8, u16, u32, u64 = (st.integers(0, 2 ** bits - 1) for bits in (8, 16, 32, 64))


def fixed_text(size: int):
    """Text for a NUL-padded field: at most `size` UTF-8 bytes and no NUL (padding is stripped)."""
    chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")
    return st.text(chars, max_size=size).filter(lambda t: len(t.encode()) <= size)


greedy_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


def enum_value(cls, bits: int):
    """A member's name (decoded back as that name) or a value the enum does not define (decoded
    back as the number: decoding is lenient, the dispatcher judges)."""
    known = {int(m) for m in cls}
    return st.one_of(st.sampled_from([m.name for m in cls]),
                     st.integers(0, 2 ** bits - 1).filter(lambda v: v not in known))


def same(strategy):
    return strategy.map(lambda fields: (fields, fields))


def image_header_fields():
    body = st.fixed_dictionaries(dict(sequence=u32, length=u32, crc=u32, load_addr=u32, entry=u32,
                                      board=fixed_text(16), build_id=st.binary(min_size=20, max_size=20)))

    def pair(b):
        raw = struct.pack("<4sHHIIIII16s20s", b"L4IM", 1, 68, b["sequence"], b["length"], b["crc"],
                          b["load_addr"], b["entry"], b["board"].encode().ljust(16, b"\0"), b["build_id"])
        return (dict(body=dict(value=b)),
                dict(body=dict(b, magic=b"L4IM", format=1, header_size=68), header_crc=zlib.crc32(raw)))
    return body.map(pair)


slot_entry = st.fixed_dictionaries(dict(valid=u8, state=enum_value(wire.SlotState, 8), sequence=u32, length=u32, crc=u32,
                                        build_id=st.binary(min_size=20, max_size=20)))

thread_entry = st.fixed_dictionaries(dict(
    id=u32, state=u8, prio=u8, flags=u8, space=u8, pager=u32, exc_handler=u32, cycles=u64, pc=u32,
    stop_reason=u8, partner=u32, name=fixed_text(12)))
trace_event = st.fixed_dictionaries(dict(cycles=u32, type=enum_value(wire.TraceType, 32), a=u32, b=u32, c=u32))
registers = st.lists(u32, min_size=13, max_size=13)
test_names = st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
                              min_size=1, max_size=24), max_size=8).map("\0".join)

# Each strategy gives (fields to build, the payload decoding must give back).
MESSAGES = {
    MsgType.HELLO: st.just(({}, {})),
    MsgType.INFO: same(st.fixed_dictionaries(dict(
        proto_version=u8, role=enum_value(Role, 8), active_slot=u8, features=u32, cycle_hz=u32,
        timer_hz=u32, max_payload=u16, board=fixed_text(16), build_id=st.binary(min_size=20, max_size=20),
        version=fixed_text(32)))),
    MsgType.PING: same(st.fixed_dictionaries(dict(data=st.binary(max_size=300)))),
    MsgType.PONG: same(st.fixed_dictionaries(dict(data=st.binary(max_size=300)))),
    MsgType.CONSOLE: same(st.fixed_dictionaries(dict(data=st.binary(max_size=300)))),
    MsgType.CONSOLE_IN: same(st.fixed_dictionaries(dict(data=st.binary(max_size=300)))),
    MsgType.SHELL: same(st.fixed_dictionaries(dict(data=st.binary(max_size=300)))),
    MsgType.LINUX_EXIT: same(st.fixed_dictionaries(dict(pid=u32, status=u32))),
    MsgType.LINUX_STATS: st.just(({}, {})),
    MsgType.RESTART: same(st.fixed_dictionaries(dict(server=fixed_text(16), image=fixed_text(16)))),
    MsgType.LINUX_SIGNAL: same(st.fixed_dictionaries(dict(pid=u32, signal=u32))),
    MsgType.LINUX_STATS_INFO: same(st.fixed_dictionaries(dict(
        processes=u16, zombies=u16, frames_free=u32, frames_total=u32, syscalls=u32, page_faults=u32,
        oom_kills=u32, unknown=st.lists(st.fixed_dictionaries(dict(nr=u32, count=u32)), max_size=6)))),
    MsgType.LOG: same(st.fixed_dictionaries(dict(level=enum_value(LogLevel, 8), text=greedy_text))),
    MsgType.RADIO_DL: same(st.fixed_dictionaries(dict(bursts=st.lists(st.fixed_dictionaries(dict(
        frame=u32, tn=u8, iq=st.lists(st.integers(-32768, 32767), min_size=312, max_size=312))), max_size=3)))),
    MsgType.RADIO_STATUS: same(st.fixed_dictionaries(dict(running=u8, frame=u32, buffered=u32, room=u32,
                                                          underruns=u32, late=u32))),
    MsgType.RADIO_UL: same(st.fixed_dictionaries(dict(frame=u32, bursts=st.lists(st.fixed_dictionaries(dict(
        frame=u32, tn=u8, kind=u8, bits=st.binary(min_size=148, max_size=148))), max_size=4)))),
    MsgType.RADIO_UL_ACK: same(st.fixed_dictionaries(dict(bursts=u32))),
    MsgType.MODEM_START: same(st.fixed_dictionaries(dict(seed=u32, lead_us=u32, frames=u32,
                                                         imsi=st.binary(min_size=8, max_size=8),
                                                         action=u8, flags=u8, action_frame=u32,
                                                         number=st.binary(min_size=8, max_size=8)))),
    MsgType.MODEM_STOP: st.just(({}, {})),
    MsgType.MODEM_STATUS: st.just(({}, {})),
    MsgType.MODEM_STATUS_INFO: same(st.fixed_dictionaries(dict(
        frame=u32, fn=u32, l1_state=u8, bsic=u8, rr_state=u8, mm_state=u8, cc_state=u8, underruns=u32,
        blocks_ok=u32, blocks_bad=u32, bit_errors=u32, bits=u32,
        tasks=st.lists(st.fixed_dictionaries(dict(name=fixed_text(8), jobs=u32, misses=u32,
                                                  worst_response=u32, worst_start=u32)), max_size=5)))),
    MsgType.MODEM_EVENT: same(st.fixed_dictionaries(dict(frame=u32, fn=u32, layer=enum_value(wire.ModemLayer, 8),
                                                         code=u8, a=u32, b=u32, text=greedy_text))),
    MsgType.MODEM_LATENCY: same(st.fixed_dictionaries(dict(task=u8))),
    MsgType.MODEM_LATENCY_INFO: same(st.fixed_dictionaries(dict(name=fixed_text(8), jobs=u32, bin_us=u32,
                                                                bins=st.lists(u32, max_size=300)))),
    MsgType.ERROR: same(st.fixed_dictionaries(dict(code=enum_value(ErrorCode, 16), request=u8, text=greedy_text))),
    MsgType.ACK: same(st.fixed_dictionaries(dict(value=u32))),
    MsgType.RESET: st.just(({}, {})),
    MsgType.READ_MEM: same(st.fixed_dictionaries(dict(addr=u32, length=u16))),
    MsgType.MEM_DATA: same(st.fixed_dictionaries(dict(addr=u32, data=st.binary(max_size=300)))),
    MsgType.FLASH_BEGIN: st.tuples(u8, image_header_fields()).map(
        lambda s: (dict(slot=s[0], header=s[1][0]), dict(slot=s[0], header=s[1][1]))),
    MsgType.FLASH_DATA: same(st.fixed_dictionaries(dict(offset=u32, data=st.binary(max_size=300)))),
    MsgType.FLASH_DATA_LZ4: same(st.fixed_dictionaries(dict(offset=u32, length=u32, data=st.binary(max_size=300)))),
    MsgType.FLASH_END: st.just(({}, {})),
    MsgType.FLASH_SUMS: same(st.fixed_dictionaries(dict(slot=u8, offset=u32, length=u32))),
    MsgType.FLASH_SUMS_INFO: same(st.fixed_dictionaries(dict(slot=u8, offset=u32, sums=st.lists(u32, max_size=300)))),
    MsgType.FLASH_COPY: same(st.fixed_dictionaries(dict(offset=u32, length=u32, slot=u8, crc=u32))),
    MsgType.ROOTFS_BEGIN: same(st.fixed_dictionaries(dict(length=u32, crc=u32))),
    MsgType.BOOT: same(st.fixed_dictionaries(dict(slot=u8))),
    MsgType.SLOTS: st.just(({}, {})),
    MsgType.SLOT_INFO: same(st.fixed_dictionaries(dict(count=u8, newest=u8, confirmed=u8,
                                                       slots=st.lists(slot_entry, min_size=2, max_size=2)))),
    MsgType.STATS: st.just(({}, {})),
    MsgType.STATS_INFO: same(st.fixed_dictionaries(dict(
        ticks=u32, ipc=u32, ipc_fast=u32, irqs=u32, pagefaults=u32, exceptions=u32, stopped=u32,
        kmem_free=u32, mapdb_nodes=u32, trace_head=u32, cycles=u32, idle_cycles=u64,
        syscalls=st.lists(u32, min_size=11, max_size=11)))),
    MsgType.THREADS: same(st.fixed_dictionaries(dict(start=u16))),
    MsgType.THREAD_LIST: same(st.fixed_dictionaries(dict(next=u16, threads=st.lists(thread_entry, max_size=4)))),
    MsgType.RUN_TEST: same(st.fixed_dictionaries(dict(name=greedy_text))),
    MsgType.TEST_RESULT: same(st.fixed_dictionaries(dict(status=enum_value(wire.TestStatus, 8), value=u32,
                                                         cycles=u32, text=greedy_text))),
    MsgType.BENCH: same(st.fixed_dictionaries(dict(iterations=u16, flags=u16, name=greedy_text))),
    MsgType.BENCH_RESULT: same(st.fixed_dictionaries(dict(status=enum_value(wire.TestStatus, 8), overhead=u32,
                                                          samples=st.lists(u32, max_size=40)))),
    MsgType.INJECT_IRQ: same(st.fixed_dictionaries(dict(irq=u16))),
    MsgType.TRACE: same(st.fixed_dictionaries(dict(start=u32))),
    MsgType.TRACE_DATA: same(st.fixed_dictionaries(dict(first=u32, head=u32,
                                                        events=st.lists(trace_event, max_size=6)))),
    MsgType.TRACE_CONTROL: same(st.fixed_dictionaries(dict(enable=u8))),
    MsgType.SYSCALL: same(st.fixed_dictionaries(dict(regs=registers, timeout_us=u32))),
    MsgType.SYSCALL_RESULT: same(st.fixed_dictionaries(dict(status=enum_value(wire.SyscallStatus, 8), cycles=u32,
                                                            regs=registers))),
    MsgType.TESTS: same(st.fixed_dictionaries(dict(start=u16))),
    MsgType.TEST_NAMES: same(st.fixed_dictionaries(dict(next=u16, names=test_names))),
}

seqs = st.integers(0, 0xFFFF)


@st.composite
def messages(draw):
    msg_type = draw(st.sampled_from(sorted(MESSAGES)))
    fields, expected = draw(MESSAGES[msg_type])
    return msg_type, draw(seqs), fields, expected


def test_every_type_has_a_strategy():
    assert set(MESSAGES) == set(MsgType)


@pytest.mark.parametrize("msg_type", list(MsgType), ids=lambda t: t.name)
@settings(max_examples=40)
@given(data=st.data(), seq=seqs)
def test_round_trip(msg_type, data, seq):
    fields, expected = data.draw(MESSAGES[msg_type])
    line = encode(msg_type, seq, fields)
    assert line.index(0) == len(line) - 1
    [msg] = FrameDecoder().feed(line)
    assert isinstance(msg, Message)
    assert (msg.type, msg.seq) == (msg_type, seq)
    assert msg.payload == expected
    # the payload's own bytes sit between the header and the CRC
    raw = cobs_decode(line[:-1])
    assert raw[:6] == struct.pack("<BBHH", 1, msg_type, seq, len(raw) - 10)
    assert raw[-4:] == struct.pack("<I", zlib.crc32(raw[:-4]))


# --------------------------------------------------------------------------------------------
# The streaming decoder


def feed_in_pieces(decoder: FrameDecoder, stream: bytes, sizes: list[int]) -> list:
    out, at, i = [], 0, 0
    while at < len(stream):
        size = sizes[i % len(sizes)] if sizes else len(stream)
        out += decoder.feed(stream[at:at + size])
        at += size
        i += 1
    return out


@settings(max_examples=150, deadline=None)   # (a loaded machine is no failure)
@given(msgs=st.lists(messages(), max_size=6), sizes=st.lists(st.integers(1, 80), max_size=10),
       idle=st.lists(st.integers(0, 3), max_size=6))
def test_decoder_takes_pieces_of_any_size(msgs, sizes, idle):
    stream = b""
    for i, (msg_type, seq, fields, _) in enumerate(msgs):
        stream += b"\x00" * (idle[i] if i < len(idle) else 0)    # idle delimiters are ignored
        stream += encode(msg_type, seq, fields)
    decoder = FrameDecoder()
    got = feed_in_pieces(decoder, stream, sizes)
    assert [(m.type, m.seq, m.payload) for m in got] == [(t, s, e) for t, s, _, e in msgs]
    assert decoder.pending() == 0


@settings(max_examples=150)
@given(garbage=st.binary(min_size=1, max_size=400), msg=messages(), sizes=st.lists(st.integers(1, 64), max_size=5))
def test_decoder_resyncs_after_garbage(garbage, msg, sizes):
    msg_type, seq, fields, expected = msg
    stream = garbage + b"\x00" + encode(msg_type, seq, fields) + encode(MsgType.ACK, 1, dict(value=2))
    got = feed_in_pieces(FrameDecoder(), stream, sizes)
    *errors, good, ack = got
    assert all(isinstance(e, FrameError) for e in errors)
    assert len(errors) == len([run for run in garbage.split(b"\x00") if run])   # one per bad run
    assert (good.type, good.seq, good.payload) == (msg_type, seq, expected)
    assert (ack.type, ack.value) == (MsgType.ACK, 2)


def test_garbage_glued_to_a_frame_costs_that_frame_only():
    stream = b"\x17\x42" + encode(MsgType.ACK, 1, dict(value=1)) + encode(MsgType.ACK, 2, dict(value=2))
    bad, good = FrameDecoder().feed(stream)
    assert isinstance(bad, FrameError)
    assert (good.seq, good.value) == (2, 2)


def test_oversize_garbage_is_dropped_and_reported_once():
    decoder = FrameDecoder()
    got = []
    for _ in range(12):                                        # three times the largest frame
        got += decoder.feed(b"\x01" * (wire.MAX_ENCODED_FRAME // 4))
        assert decoder.pending() <= wire.MAX_ENCODED_FRAME     # memory stays bounded
    assert got == []                                           # nothing until the delimiter
    got = list(decoder.feed(b"\x00" + encode(MsgType.PONG, 3, dict(data=b"ok"))))
    assert len(got) == 2
    assert type(got[0]) is FrameError and "dropped" in str(got[0])
    assert (got[1].type, got[1].seq, got[1].data) == (MsgType.PONG, 3, b"ok")


def test_largest_frame_is_not_mistaken_for_garbage():
    # No zero anywhere: the encoding is as long as it gets.
    data = b"\x01" * wire.MAX_PAYLOAD
    frame = hand_frame(MsgType.PING, 0x0101, data)
    frame = frame if 0 not in frame else hand_frame(MsgType.PING, 0x0102, data)
    line = ref_cobs(frame) + b"\x00"
    [msg] = FrameDecoder().feed(line)
    assert isinstance(msg, Message) and msg.data == data


# --------------------------------------------------------------------------------------------
# Error classes, through split_frame and through the decoder


def decoded(line: bytes):
    [result] = FrameDecoder().feed(line)
    return result


def test_crc_error():
    frame = bytearray(hand_frame(MsgType.ACK, 7, struct.pack("<I", 1)))
    frame[7] ^= 0x10                                           # a payload bit
    with pytest.raises(CrcError, match="CRC"):
        split_frame(bytes(frame))
    assert type(decoded(ref_cobs(bytes(frame)) + b"\0")) is CrcError


def test_version_error():
    frame = hand_frame(MsgType.ACK, 7, struct.pack("<I", 1), version=2)
    with pytest.raises(VersionError, match="version 2"):
        split_frame(frame)
    assert type(decoded(ref_cobs(frame) + b"\0")) is VersionError


@pytest.mark.parametrize("msg_type,payload", [
    (MsgType.ACK, b"\x01\x02\x03"),                            # short
    (MsgType.ACK, b"\x01\x02\x03\x04\x05"),                    # long, and ACK is not greedy
    (MsgType.HELLO, b"\x00"),
    (MsgType.LOG, b""),                                        # greedy, but the level is missing
    (MsgType.FLASH_BEGIN, bytes(68)),
    (MsgType.SLOT_INFO, bytes(77)),
    (MsgType.STATS, b"\x00"),
    (MsgType.STATS_INFO, bytes(95)),
    (MsgType.THREAD_LIST, bytes(3)),                           # greedy, but `next` is cut short
    (MsgType.TRACE_DATA, bytes(7)),
    (MsgType.INJECT_IRQ, bytes(4)),
    (MsgType.SYSCALL, bytes(57)),
    (MsgType.SYSCALL_RESULT, bytes(59)),
])
def test_payload_error_for_wrong_length(msg_type, payload):
    frame = hand_frame(msg_type, 7, payload)
    with pytest.raises(PayloadError, match=msg_type.name):
        split_frame(frame)
    assert type(decoded(ref_cobs(frame) + b"\0")) is PayloadError


def test_payload_error_for_an_image_header_that_does_not_parse():
    # Framing is fine (split_frame passes, as the firmware's proto_split does) but the host
    # cannot turn a header with a wrong magic into fields.
    payload = b"\x00" + b"L4IX" + IMAGE_HEADER_BYTES[4:]
    frame = hand_frame(MsgType.FLASH_BEGIN, 7, payload)
    assert split_frame(frame) == (MsgType.FLASH_BEGIN, 7, payload)
    with pytest.raises(PayloadError, match="FLASH_BEGIN"):
        decode_frame(frame)


@pytest.mark.parametrize("stuffed", [
    b"\x05ab",                                                 # bad COBS
    ref_cobs(b"\x01\x02\x03"),                                 # shorter than a header and CRC
    ref_cobs(hand_frame(MsgType.ACK, 7, struct.pack("<I", 1))[:-1]),   # truncated
    ref_cobs(hand_frame(MsgType.ACK, 7, struct.pack("<I", 1)) + b"\x01"),  # extended
], ids=["cobs", "short", "truncated", "extended"])
def test_frame_error(stuffed):
    result = decoded(stuffed + b"\0")
    assert type(result) is FrameError


def test_checks_run_in_order():
    # framing, then CRC, then version, then payload length: the order proto_split keeps
    frame = hand_frame(MsgType.ACK, 7, b"\x01", version=9)   # wrong version and wrong length
    assert type(_error(frame)) is VersionError
    bad_crc = bytearray(frame)
    bad_crc[-1] ^= 1
    assert type(_error(bytes(bad_crc))) is CrcError
    bad_length = bytearray(bad_crc)
    bad_length[4] += 1
    assert type(_error(bytes(bad_length))) is FrameError


def _error(frame: bytes) -> FrameError:
    with pytest.raises(FrameError) as err:
        split_frame(frame)
    return err.value


@given(seq=seqs)
def test_seq_preserved(seq):
    raw = frame_bytes(MsgType.HELLO, seq)
    assert raw[2:4] == seq.to_bytes(2, "little")
    assert decode_frame(raw).seq == seq
    [msg] = FrameDecoder().feed(encode(MsgType.PONG, seq, dict(data=b"")))
    assert msg.seq == seq


def test_message_fields_read_as_attributes():
    msg = Message(type=MsgType.ACK, seq=1, payload={"value": 5})
    assert msg.value == 5 and msg.name == "ACK"
    with pytest.raises(AttributeError):
        msg.nothing


# --------------------------------------------------------------------------------------------
# The reference document


def test_protocol_doc_is_current():
    """docs/protocol.md's tables are generated from protocol/wire.py; regenerate with
    tools/gen_protocol_doc.py when the definitions change."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_protocol_doc.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_protocol_doc_check_wants_a_block_per_type():
    spec = importlib.util.spec_from_file_location("gen_protocol_doc", ROOT / "tools" / "gen_protocol_doc.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    doc = (ROOT / "docs" / "protocol.md").read_text()
    assert gen.problems(doc) == []
    start = doc.index("<!-- generated: payload BOOT -->")
    end = doc.index("<!-- end generated -->", start) + len("<!-- end generated -->")
    assert gen.problems(doc[:start] + doc[end:]) == ["no `<!-- generated: payload BOOT -->` block"]
    stale = doc.replace("| `slot` | u8 | 0, 1, SLOT_AUTO for the newest valid slot, SLOT_RAM for the image loaded into RAM |",
                        "| `slot` | u8 | |")
    assert stale != doc and gen.problems(stale) == ["generated tables are stale"]


def test_protocol_doc_names_every_type_field_and_error():
    doc = (ROOT / "docs" / "protocol.md").read_text()
    for msg_type in MsgType:
        assert f"`{msg_type.name}`" in doc
    for code in ErrorCode:
        assert f"`{code.name}`" in doc
    for payload in wire.PAYLOADS.values():
        for sub in payload.subcons:
            assert f"`{sub.name}`" in doc
