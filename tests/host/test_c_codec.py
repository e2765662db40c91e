"""The firmware's C codec (firmware/lib/proto.c), built for the host, held against the Python codec.

Both must agree on every input: what the host builds the firmware reads, what the firmware builds
the host reads, and garbage is refused by both with the same class of error.
"""

from __future__ import annotations

import ctypes
import struct
import subprocess
import zlib

import pytest
from conftest import build_firmware_c
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from protocol import (
    CrcError,
    ErrorCode,
    FrameDecoder,
    FrameError,
    Message,
    MsgType,
    PayloadError,
    VersionError,
    cobs_decode,
    cobs_encode,
    decode_frame,
    encode,
    frame_bytes,
    split_frame,
)
from protocol import wire

CANARY = b"\xa5" * 16            # written past every output buffer; the C code must leave it alone


class ProtoMsg(ctypes.Structure):
    _fields_ = [("type", ctypes.c_uint8), ("seq", ctypes.c_uint16), ("length", ctypes.c_uint16),
                ("payload", ctypes.POINTER(ctypes.c_uint8))]


class CCodec:
    """ctypes bindings for lib/proto.c with Python-shaped arguments and results."""

    def __init__(self, lib: ctypes.CDLL):
        self.lib = lib
        lib.crc32_update.argtypes = [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t]
        lib.crc32_update.restype = ctypes.c_uint32
        lib.cobs_encode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
        lib.cobs_encode.restype = ctypes.c_size_t
        lib.cobs_decode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
        lib.cobs_decode.restype = ctypes.c_long
        lib.proto_split.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ProtoMsg)]
        lib.proto_split.restype = ctypes.c_int
        lib.proto_build.argtypes = [ctypes.c_uint8, ctypes.c_uint16, ctypes.c_char_p, ctypes.c_size_t,
                                    ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
        lib.proto_build.restype = ctypes.c_size_t

    def crc32(self, data: bytes, crc: int = 0) -> int:
        return self.lib.crc32_update(crc, data, len(data))

    def cobs_encode(self, data: bytes) -> bytes:
        room = len(data) + len(data) // 254 + 1                # what proto.h promises to need
        out = ctypes.create_string_buffer(room + len(CANARY))
        out[room:room + len(CANARY)] = CANARY
        n = self.lib.cobs_encode(data, len(data), out)
        assert out.raw[room:room + len(CANARY)] == CANARY, "cobs_encode wrote past its room"
        return out.raw[:n]

    def cobs_decode(self, data: bytes) -> bytes | None:
        out = ctypes.create_string_buffer(len(data) + len(CANARY))
        out[len(data):len(data) + len(CANARY)] = CANARY
        n = self.lib.cobs_decode(data, len(data), out)
        assert out.raw[len(data):len(data) + len(CANARY)] == CANARY, "cobs_decode wrote past its room"
        return None if n < 0 else out.raw[:n]

    def split(self, frame: bytes) -> tuple[int, int, int, bytes]:
        """(0 or a PROTO_ERR_* code, type, seq, payload)"""
        buf = ctypes.create_string_buffer(frame, len(frame))
        msg = ProtoMsg()
        rc = self.lib.proto_split(buf, len(frame), ctypes.byref(msg))
        if rc:
            return rc, 0, 0, b""
        offset = ctypes.addressof(msg.payload.contents) - ctypes.addressof(buf)
        assert offset == wire.FRAME_HEADER_SIZE          # the payload points into the frame
        return 0, msg.type, msg.seq, ctypes.string_at(msg.payload, msg.length)

    def build(self, msg_type: int, seq: int, head: bytes, tail: bytes) -> bytes | None:
        out = ctypes.create_string_buffer(wire.MAX_FRAME + len(CANARY))
        out[wire.MAX_FRAME:] = CANARY
        n = self.lib.proto_build(msg_type, seq, head, len(head), tail, len(tail), out)
        assert out.raw[wire.MAX_FRAME:] == CANARY, "proto_build wrote past PROTO_MAX_FRAME"
        return out.raw[:n] if n else None


@pytest.fixture(scope="session")
def c(tmp_path_factory) -> CCodec:
    return CCodec(ctypes.CDLL(str(build_firmware_c(tmp_path_factory, "proto", ["lib/proto.c"]))))


# --------------------------------------------------------------------------------------------
# How the two sides name a refusal

C_ERRORS = {
    FrameError: ErrorCode.BAD_FRAME,
    CrcError: ErrorCode.BAD_FRAME,
    VersionError: ErrorCode.BAD_VERSION,
    PayloadError: ErrorCode.BAD_LENGTH,
}


def python_verdict(frame: bytes) -> tuple[int, int, int, bytes]:
    """split_frame's answer in proto_split's terms."""
    try:
        msg_type, seq, payload = split_frame(frame)
    except FrameError as exc:
        return C_ERRORS[type(exc)], 0, 0, b""
    return 0, msg_type, seq, payload


def assert_agree(c: CCodec, frame: bytes) -> int:
    py, cc = python_verdict(frame), c.split(frame)
    assert cc == py, f"C says {_describe(cc[0])}, Python says {_describe(py[0])}"
    return py[0]


def _describe(code: int) -> str:
    return "accept" if code == 0 else ErrorCode(code).name


# --------------------------------------------------------------------------------------------
# Strategies: frames whose framing is right, at the level proto_split checks

UNKNOWN_TYPES = [t for t in range(256) if t not in set(MsgType)]
seqs = st.integers(0, 0xFFFF)


@st.composite
def valid_payloads(draw, max_extra: int = 200) -> tuple[int, bytes]:
    msg_type = draw(st.one_of(st.sampled_from(list(MsgType)), st.sampled_from(UNKNOWN_TYPES)))
    size, greedy = wire.payload_size(msg_type)
    if greedy:
        size += draw(st.integers(0, max_extra))
    return msg_type, draw(st.binary(min_size=size, max_size=size))


@st.composite
def valid_frames(draw) -> bytes:
    msg_type, payload = draw(valid_payloads())
    return frame_bytes(msg_type, draw(seqs), payload)


# --------------------------------------------------------------------------------------------
# CRC and COBS


def test_crc_check_value(c):
    assert c.crc32(b"123456789") == 0xCBF43926 == zlib.crc32(b"123456789")
    assert c.crc32(b"") == 0


@settings(max_examples=300)
@given(a=st.binary(max_size=600), b=st.binary(max_size=600))
def test_crc_agrees(c, a, b):
    assert c.crc32(a + b) == zlib.crc32(a + b) == wire.crc32(a + b)
    assert c.crc32(b, c.crc32(a)) == zlib.crc32(a + b)         # chained over pieces


cobs_inputs = st.one_of(
    st.binary(max_size=1100),
    st.lists(st.sampled_from([0, 0, 1, 0xFF]), max_size=600).map(bytes),
    st.binary(min_size=250, max_size=800).map(lambda b: b.replace(b"\x00", b"\x01")),
)


@settings(max_examples=300)
@given(cobs_inputs)
def test_cobs_encode_agrees(c, data):
    stuffed = c.cobs_encode(data)
    assert stuffed == cobs_encode(data)
    assert c.cobs_decode(stuffed) == data


@pytest.mark.parametrize("size", [0, 1, 253, 254, 255, 508, 509, wire.MAX_FRAME])
def test_cobs_runs_without_zeros(c, size):
    data = bytes((i % 255) + 1 for i in range(size))
    assert c.cobs_encode(data) == cobs_encode(data)
    assert c.cobs_decode(cobs_encode(data)) == data


@settings(max_examples=500)
@given(stuffed=st.one_of(
           st.binary(max_size=600),
           st.lists(st.sampled_from([0, 1, 2, 3, 0xFE, 0xFF, 0x41]), max_size=300).map(bytes),
           cobs_inputs.map(cobs_encode)),                    # valid COBS, long blocks included ...
       mutate=st.booleans(), at=st.integers(0, 1 << 16), byte=st.integers(0, 255))
def test_cobs_decode_agrees_on_any_input(c, stuffed, mutate, at, byte):
    if mutate and stuffed:                                   # ... and with one byte changed
        stuffed = stuffed[:at % len(stuffed)] + bytes([byte]) + stuffed[at % len(stuffed) + 1:]
    try:
        expected = cobs_decode(stuffed)
    except FrameError:
        expected = None
    assert c.cobs_decode(stuffed) == expected


# --------------------------------------------------------------------------------------------
# Good frames, both ways


@settings(max_examples=400)
@given(payload=valid_payloads(), seq=seqs)
def test_python_frames_split_in_c(c, payload, seq):
    msg_type, data = payload
    line = encode(msg_type, seq, data)                          # raw payload bytes
    frame = c.cobs_decode(line[:-1])
    assert c.split(frame) == (0, msg_type, seq, data)


def test_python_messages_split_in_c(c):
    # built from fields rather than raw bytes
    cases = [
        (MsgType.ACK, dict(value=0x12345678), struct.pack("<I", 0x12345678)),
        (MsgType.READ_MEM, dict(addr=0x40000000, length=64), struct.pack("<IH", 0x40000000, 64)),
        (MsgType.ERROR, dict(code="BAD_STATE", request=0x21, text="no FLASH_BEGIN"),
         struct.pack("<HB", 8, 0x21) + b"no FLASH_BEGIN"),
        (MsgType.LOG, dict(level="INFO", text="booted"), b"\x03booted"),
        (MsgType.HELLO, {}, b""),
        (MsgType.THREADS, dict(start=17), struct.pack("<H", 17)),
        (MsgType.RUN_TEST, dict(name="ipc.call"), b"ipc.call"),
        (MsgType.BENCH, dict(iterations=500, flags=1, name="ipc.call_roundtrip"),
         struct.pack("<HH", 500, 1) + b"ipc.call_roundtrip"),
        (MsgType.INJECT_IRQ, dict(irq=33), struct.pack("<H", 33)),
        (MsgType.TRACE, dict(start=1 << 20), struct.pack("<I", 1 << 20)),
        (MsgType.TRACE_CONTROL, dict(enable=0), b"\x00"),
        (MsgType.SYSCALL, dict(regs=[*range(7), 4, *range(8, 13)], timeout_us=1000),
         struct.pack("<13II", *range(7), 4, *range(8, 13), 1000)),
        (MsgType.TESTS, dict(start=0), b"\x00\x00"),
    ]
    for msg_type, fields, payload in cases:
        frame = c.cobs_decode(encode(msg_type, 77, fields)[:-1])
        assert c.split(frame) == (0, msg_type, 77, payload)


@settings(max_examples=400)
@given(payload=valid_payloads(), seq=seqs, cut=st.integers(0, 1 << 16))
def test_c_frames_decode_in_python(c, payload, seq, cut):
    msg_type, data = payload
    cut %= len(data) + 1
    frame = c.build(msg_type, seq, data[:cut], data[cut:])
    assert frame == frame_bytes(msg_type, seq, data)             # byte for byte
    line = c.cobs_encode(frame) + b"\x00"
    assert split_frame(cobs_decode(line[:-1])) == (msg_type, seq, data)
    if msg_type in set(MsgType) and msg_type != MsgType.FLASH_BEGIN:   # any bytes parse as fields ...
        [msg] = FrameDecoder().feed(line)
        head, _ = wire.payload_size(msg_type)
        if (len(data) - head) % wire.payload_entry_size(msg_type) == 0:
            assert isinstance(msg, Message) and (msg.type, msg.seq) == (msg_type, seq)
        else:                                                   # ... but a list's last entry must be whole
            assert type(msg) is PayloadError and "whole number" in str(msg)


# Replies the firmware builds from the generated structures, the way debugd does: a fixed head,
# then a flexible array or a tail of text or samples passed to proto_build separately.
REPLIES_C = r"""
#include <stdio.h>
#include <string.h>
#include "lib/proto.h"

static uint8_t frame[PROTO_MAX_FRAME];

static void show(const char *name, size_t len)
{
    printf("%s ", name);
    for (size_t i = 0; i < len; i++)
        printf("%02x", frame[i]);
    printf("\n");
}

int main(void)
{
    static uint8_t out[PROTO_MAX_PAYLOAD];
    struct proto_thread_list *list = (void *)out;
    memset(list, 0, sizeof *list);
    list->next = 512;
    for (unsigned i = 0; i < 3; i++) {
        struct proto_thread_entry *e = &list->threads[i];
        memset(e, 0, sizeof *e);
        e->id = 0x10000 + i;
        e->state = 2;
        e->prio = 100 + i;
        e->flags = 2;
        e->space = i;
        e->pager = 0x10001;
        e->exc_handler = 0x10002;
        e->cycles = (uint64_t)i << 32 | 5;
        e->pc = 0x8000 + 4 * i;
        e->stop_reason = 0;
        e->partner = 0xffffffff;
        memcpy(e->name, "thread", 6);
    }
    show("THREAD_LIST", proto_build(PROTO_MSG_THREAD_LIST, 1, list, sizeof *list + 3 * sizeof list->threads[0],
                                    NULL, 0, frame));

    struct proto_trace_data *d = (void *)out;
    d->first = 40;
    d->head = 42;
    for (unsigned i = 0; i < 2; i++)
        d->events[i] = (struct proto_trace_event){ 1000 + i, PROTO_TRACE_SWITCH, i, i + 1, 0 };
    show("TRACE_DATA", proto_build(PROTO_MSG_TRACE_DATA, 2, d, sizeof *d + 2 * sizeof d->events[0],
                                   NULL, 0, frame));

    struct proto_bench_result res = { .status = PROTO_TEST_PASS, .overhead = 17 };
    uint32_t samples[4] = { 300, 301, 299, 4000 };
    show("BENCH_RESULT", proto_build(PROTO_MSG_BENCH_RESULT, 3, &res, sizeof res, samples, sizeof samples, frame));

    struct proto_test_result tr = { .status = PROTO_TEST_FAIL, .value = 3, .cycles = 99 };
    const char *text = "expected 2";
    show("TEST_RESULT", proto_build(PROTO_MSG_TEST_RESULT, 4, &tr, sizeof tr, text, strlen(text), frame));

    struct proto_test_names names = { .next = 0xffff };
    const char list_text[] = "ipc.call\0ipc.call_roundtrip\0";
    show("TEST_NAMES", proto_build(PROTO_MSG_TEST_NAMES, 5, &names, sizeof names, list_text,
                                   sizeof list_text - 1, frame));

    struct proto_syscall_result sr = { .status = PROTO_SYSCALL_DONE, .cycles = 640 };
    for (unsigned i = 0; i < PROTO_SYSCALL_REGS; i++)
        sr.regs[i] = 0x100 + i;
    show("SYSCALL_RESULT", proto_build(PROTO_MSG_SYSCALL_RESULT, 6, &sr, sizeof sr, NULL, 0, frame));

    struct proto_stats_info st = { .ticks = 1, .ipc = 2, .ipc_fast = 3, .irqs = 4, .pagefaults = 5,
                                   .exceptions = 6, .stopped = 7, .kmem_free = 8, .mapdb_nodes = 9,
                                   .trace_head = 10, .cycles = 11, .idle_cycles = 0x1200000013ull };
    for (unsigned i = 0; i < PROTO_SYSCALL_SLOTS; i++)
        st.syscalls[i] = 20 + i;
    show("STATS_INFO", proto_build(PROTO_MSG_STATS_INFO, 7, &st, sizeof st, NULL, 0, frame));
    return 0;
}
"""


def _thread(i: int) -> dict:
    return dict(id=0x10000 + i, state=2, prio=100 + i, flags=2, space=i, pager=0x10001, exc_handler=0x10002,
                cycles=i << 32 | 5, pc=0x8000 + 4 * i, stop_reason=0, partner=0xFFFFFFFF, name="thread")


REPLIES = {
    MsgType.THREAD_LIST: (1, dict(next=512, threads=[_thread(i) for i in range(3)])),
    MsgType.TRACE_DATA: (2, dict(first=40, head=42, events=[
        dict(cycles=1000 + i, type="SWITCH", a=i, b=i + 1, c=0) for i in range(2)])),
    MsgType.BENCH_RESULT: (3, dict(status="PASS", overhead=17, samples=[300, 301, 299, 4000])),
    MsgType.TEST_RESULT: (4, dict(status="FAIL", value=3, cycles=99, text="expected 2")),
    MsgType.TEST_NAMES: (5, dict(next=0xFFFF, names="ipc.call\0ipc.call_roundtrip\0")),
    MsgType.SYSCALL_RESULT: (6, dict(status="DONE", cycles=640, regs=[0x100 + i for i in range(13)])),
    MsgType.STATS_INFO: (7, dict(ticks=1, ipc=2, ipc_fast=3, irqs=4, pagefaults=5, exceptions=6, stopped=7,
                                 kmem_free=8, mapdb_nodes=9, trace_head=10, cycles=11, idle_cycles=0x1200000013,
                                 syscalls=list(range(20, 31)))),
}


@pytest.fixture(scope="module")
def c_replies(tmp_path_factory) -> dict[str, bytes]:
    source = tmp_path_factory.mktemp("c_replies_src") / "replies.c"
    source.write_text(REPLIES_C)
    program = build_firmware_c(tmp_path_factory, "replies", ["lib/proto.c"], shared=False, extra=[source])
    out = subprocess.run([str(program)], check=True, capture_output=True, text=True).stdout
    return {name: bytes.fromhex(frame) for name, frame in (line.split() for line in out.splitlines())}


@pytest.mark.parametrize("msg_type", list(REPLIES), ids=lambda t: t.name)
def test_replies_built_from_c_structures_decode_in_python(c_replies, msg_type):
    seq, fields = REPLIES[msg_type]
    frame = c_replies[msg_type.name]
    msg = decode_frame(frame)
    assert (msg.type, msg.seq, msg.payload) == (msg_type, seq, fields)
    assert frame == frame_bytes(msg_type, seq, fields)           # and the host builds the same bytes


def test_c_refuses_to_build_an_oversize_payload(c):
    assert c.build(MsgType.PING, 1, b"x" * 4000, b"y" * 96) is not None
    assert c.build(MsgType.PING, 1, b"x" * 4000, b"y" * 97) is None


# --------------------------------------------------------------------------------------------
# Bad frames: both refuse, for the same reason


def recrc(frame: bytes) -> bytes:
    body = frame[:-4]
    return body + struct.pack("<I", zlib.crc32(body))


@st.composite
def mutated_frames(draw) -> bytes:
    frame = bytearray(draw(valid_frames()))
    kind = draw(st.sampled_from(["flip", "flip-header", "truncate", "extend", "version", "type",
                                 "length", "splice"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 3))):
            bit = draw(st.integers(0, len(frame) * 8 - 1))
            frame[bit // 8] ^= 1 << (bit % 8)
    elif kind == "flip-header":
        bit = draw(st.integers(0, wire.FRAME_HEADER_SIZE * 8 - 1))
        frame[bit // 8] ^= 1 << (bit % 8)
    elif kind == "truncate":
        del frame[draw(st.integers(0, len(frame) - 1)):]
    elif kind == "extend":
        frame += draw(st.binary(min_size=1, max_size=8))
    elif kind == "version":
        frame[0] = draw(st.integers(0, 255).filter(lambda v: v != wire.PROTO_VERSION))
    elif kind == "type":
        frame[1] = draw(st.integers(0, 255))
    elif kind == "length":
        frame[4:6] = struct.pack("<H", draw(st.integers(0, 0xFFFF)))
    elif kind == "splice":                                   # keep the length field honest
        at = draw(st.integers(wire.FRAME_HEADER_SIZE, len(frame) - wire.FRAME_CRC_SIZE))
        extra = draw(st.binary(max_size=10))
        frame[at:at] = extra
        frame[4:6] = struct.pack("<H", len(frame) - wire.FRAME_OVERHEAD)
    frame = bytes(frame)
    if draw(st.booleans()) and len(frame) >= wire.FRAME_CRC_SIZE:
        frame = recrc(frame)                                 # get past the CRC to the later checks
    return frame


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_frames())
def test_mutated_frames_agree(c, frame):
    assert_agree(c, frame)


@settings(max_examples=500)
@given(st.one_of(st.binary(max_size=40), st.binary(max_size=300)))
def test_garbage_agrees(c, frame):
    assert_agree(c, frame)


@settings(max_examples=500)
@given(st.one_of(mutated_frames().map(cobs_encode), st.binary(max_size=300)),
       st.integers(0, 1 << 16), st.integers(0, 255))
def test_stuffed_garbage_agrees(c, stuffed, at, byte):
    """The whole receive path: unstuff, then split.  A COBS failure is a BAD_FRAME."""
    if stuffed:
        stuffed = bytearray(stuffed)
        stuffed[at % len(stuffed)] = byte
        stuffed = bytes(stuffed)
    try:
        py = python_verdict(cobs_decode(stuffed))
    except FrameError:
        py = (ErrorCode.BAD_FRAME, 0, 0, b"")
    raw = c.cobs_decode(stuffed)
    cc = (ErrorCode.BAD_FRAME, 0, 0, b"") if raw is None else c.split(raw)
    assert cc == py


@pytest.mark.parametrize("frame,expected", [
    (b"", ErrorCode.BAD_FRAME),
    (bytes(9), ErrorCode.BAD_FRAME),
    (recrc(struct.pack("<BBHH", 1, MsgType.HELLO, 1, 0) + bytes(4)), 0),
    (recrc(struct.pack("<BBHH", 1, MsgType.HELLO, 1, 1) + bytes(4)), ErrorCode.BAD_FRAME),   # length lies
    (recrc(struct.pack("<BBHH", 2, MsgType.HELLO, 1, 0) + bytes(4)), ErrorCode.BAD_VERSION),
    (recrc(struct.pack("<BBHH", 1, MsgType.ACK, 1, 2) + bytes(6)), ErrorCode.BAD_LENGTH),
    (recrc(struct.pack("<BBHH", 2, MsgType.ACK, 1, 2) + bytes(6)), ErrorCode.BAD_VERSION),  # version first
    (struct.pack("<BBHH", 2, MsgType.ACK, 1, 2) + bytes(6), ErrorCode.BAD_FRAME),         # CRC before that
    (recrc(struct.pack("<BBHH", 1, MsgType.PING, 1, 4097) + bytes(4101)), ErrorCode.BAD_FRAME),  # too big
    (recrc(struct.pack("<BBHH", 1, 0x99, 1, 3) + bytes(7)), 0),                           # unknown type
], ids=["empty", "short", "hello", "length-lies", "version", "ack-short", "version-first",
        "crc-first", "oversize", "unknown-type"])
def test_hand_picked_frames(c, frame, expected):
    assert assert_agree(c, frame) == expected
