"""Framing and codec: COBS, the frame CRC, and turning frames into messages and back.

`encode()` gives the bytes to write to the line; `FrameDecoder` takes whatever the line delivers,
in pieces of any size, and yields a `Message` per good frame or a `FrameError` per bad one, so
the caller can count and report garbage without losing the frames that follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from construct import ConstructError, Container, ListContainer

from .wire import (
    FRAME_CRC_SIZE,
    FRAME_HEADER_SIZE,
    FRAME_OVERHEAD,
    MAX_ENCODED_FRAME,
    MAX_PAYLOAD,
    PAYLOADS,
    PROTO_VERSION,
    Frame,
    FrameHeader,
    MsgType,
    crc32,
    payload_entry_size,
    payload_size,
)

# --------------------------------------------------------------------------------------------
# COBS (Consistent Overhead Byte Stuffing)


def cobs_encode(data: bytes) -> bytes:
    """Encode `data` so that it contains no zero byte (the delimiter is not appended)."""
    out = bytearray()
    block = bytearray()
    for byte in data:
        if byte == 0:
            out.append(len(block) + 1)
            out += block
            block.clear()
            continue
        block.append(byte)
        if len(block) == 254:
            out.append(255)
            out += block
            block.clear()
    out.append(len(block) + 1)
    out += block
    return bytes(out)


def cobs_decode(data: bytes) -> bytes:
    """Invert `cobs_encode`; raises `FrameError` on a zero byte or a code that overruns."""
    out = bytearray()
    i, end_of_data = 0, len(data)
    while i < end_of_data:
        code = data[i]
        if code == 0:
            raise FrameError("COBS: zero byte inside a frame")
        end = i + code
        if end > end_of_data:
            raise FrameError("COBS: block runs past the end of the frame")
        block = data[i + 1 : end]
        if 0 in block:
            raise FrameError("COBS: zero byte inside a frame")
        out += block
        i = end
        if code != 255 and i < end_of_data:
            out.append(0)
    return bytes(out)


# --------------------------------------------------------------------------------------------
# Messages


@dataclass(frozen=True)
class Message:
    """One decoded frame.  `payload` is a construct Container (fields by attribute or key),
    or raw bytes for a message type this protocol version does not define."""

    type: int
    seq: int = 0
    payload: Any = field(default_factory=dict)

    @property
    def name(self) -> str:
        try:
            return MsgType(self.type).name
        except ValueError:
            return f"0x{self.type:02x}"

    def __getattr__(self, item: str) -> Any:
        # Fields of the payload read as attributes of the message: msg.data, msg.code, ...
        payload = self.__dict__.get("payload")
        if isinstance(payload, dict) and item in payload:
            return payload[item]
        raise AttributeError(item)


def frame_bytes(msg_type: int, seq: int = 0, payload: Any = None, version: int = PROTO_VERSION) -> bytes:
    """The unstuffed frame: header, payload and CRC."""
    if isinstance(payload, (bytes, bytearray)):
        # Raw payload bytes, checked by nobody: for tests that must send what the codec refuses.
        body = FrameHeader.build(dict(version=version, type=int(msg_type), seq=seq, length=len(payload)))
        body += bytes(payload)
        return body + crc32(body).to_bytes(FRAME_CRC_SIZE, "little")
    if payload is None:
        payload = {}
    raw = Frame.build(dict(body=dict(value=dict(version=version, type=int(msg_type), seq=seq, payload=payload))))
    if len(raw) - FRAME_OVERHEAD > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(raw) - FRAME_OVERHEAD} bytes exceeds {MAX_PAYLOAD}")
    return raw


def encode(msg_type: int, seq: int = 0, payload: Any = None) -> bytes:
    """The bytes to write to the line for one message, delimiter included."""
    return cobs_encode(frame_bytes(msg_type, seq, payload)) + b"\x00"


def split_frame(raw: bytes) -> tuple[int, int, bytes]:
    """Check one unstuffed frame's framing (size, length field, CRC, version, the payload
    length its type requires) and return (type, seq, payload bytes).  This is the level the
    firmware's C decoder works at, and the two must agree on every input."""
    if len(raw) < FRAME_OVERHEAD:
        raise FrameError(f"frame of {len(raw)} bytes is shorter than the {FRAME_OVERHEAD}-byte minimum")
    head = FrameHeader.parse(raw)
    if head.length != len(raw) - FRAME_OVERHEAD:
        raise FrameError(f"length field says {head.length} bytes, frame carries {len(raw) - FRAME_OVERHEAD}")
    if head.length > MAX_PAYLOAD:
        raise FrameError(f"payload of {head.length} bytes exceeds {MAX_PAYLOAD}")
    want = crc32(raw[:-4])
    got = int.from_bytes(raw[-4:], "little")
    if want != got:
        raise CrcError(f"CRC mismatch: frame says {got:08x}, contents give {want:08x}")
    if head.version != PROTO_VERSION:
        raise VersionError(f"protocol version {head.version}, expected {PROTO_VERSION}")
    size, greedy = payload_size(head.type)
    if head.length < size or (head.length > size and not greedy):
        raise PayloadError(f"{_type_name(head.type)} payload of {head.length} bytes, expected "
                           f"{'at least ' if greedy else ''}{size}")
    return head.type, head.seq, raw[FRAME_HEADER_SIZE:-FRAME_CRC_SIZE]


def decode_frame(raw: bytes) -> Message:
    """Check and decode one unstuffed frame.  Beyond framing, a payload that ends in a list of
    entries (THREAD_LIST, BENCH_RESULT, TRACE_DATA) must hold a whole number of them: construct
    would stop at a partial entry and drop it without a word."""
    msg_type, _, payload = split_frame(raw)
    head, _ = payload_size(msg_type)
    entry = payload_entry_size(msg_type)
    if (len(payload) - head) % entry:
        raise PayloadError(f"{_type_name(msg_type)} payload of {len(payload)} bytes: the "
                           f"{len(payload) - head} bytes after its {head}-byte head are not a "
                           f"whole number of {entry}-byte entries")
    try:
        frame = Frame.parse(raw)
    except ConstructError as exc:
        raise PayloadError(f"{_type_name(msg_type)} payload does not parse: {exc}") from None
    body = frame.body.value
    payload = body.payload
    if isinstance(payload, Container):
        payload = _strip(payload)
    return Message(type=body.type, seq=body.seq, payload=payload)


def _strip(container: Container) -> Container:
    """Drop construct's bookkeeping (RawCopy's offsets) and Padding, at every depth (arrays of
    structures included), so payloads compare as plain data."""
    out = Container()
    for key, value in container.items():
        if key.startswith("_") or value is None:  # bookkeeping and Padding
            continue
        out[key] = _strip_value(value)
    return out


def _strip_value(value: Any) -> Any:
    if isinstance(value, Container) and set(value) >= {"data", "value", "offset1"}:
        value = value.value  # a RawCopy
    if isinstance(value, Container):
        return _strip(value)
    if isinstance(value, list):
        return ListContainer(_strip_value(item) for item in value)
    return value


def _type_name(msg_type: int) -> str:
    try:
        return MsgType(msg_type).name
    except ValueError:
        return f"type 0x{msg_type:02x}"


class FrameDecoder:
    """Splits a byte stream into frames at zero bytes and decodes each one.

    Bytes that never reach a delimiter are held until one arrives; a run longer than any legal
    frame is dropped and reported once, so a stream of garbage cannot grow memory without bound.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> Iterator[Message | FrameError]:
        for byte_run in _split_keep(data):
            if byte_run == b"\x00":
                if self._overflow:
                    self._overflow = False
                    self._buf.clear()
                    yield FrameError(f"frame longer than {MAX_ENCODED_FRAME} bytes dropped")
                    continue
                if not self._buf:
                    continue  # empty frame: idle delimiter
                stuffed = bytes(self._buf)
                self._buf.clear()
                try:
                    yield decode_frame(cobs_decode(stuffed))
                except FrameError as exc:
                    yield exc
                continue
            if self._overflow:
                continue
            self._buf += byte_run
            if len(self._buf) > MAX_ENCODED_FRAME:
                self._overflow = True
                self._buf.clear()

    def pending(self) -> int:
        """Bytes received since the last delimiter."""
        return len(self._buf)


def _split_keep(data: bytes) -> Iterator[bytes]:
    """Yield the runs of `data` between zeros, and each zero on its own."""
    start = 0
    while True:
        zero = data.find(0, start)
        if zero < 0:
            if start < len(data):
                yield data[start:]
            return
        if zero > start:
            yield data[start:zero]
        yield b"\x00"
        start = zero + 1


# --------------------------------------------------------------------------------------------
# Exceptions


class FrameError(ValueError):
    """A frame that failed COBS, length or CRC checks, or whose payload does not parse."""


class CrcError(FrameError):
    pass


class VersionError(FrameError):
    pass


class PayloadError(FrameError):
    pass


__all__ = [
    "Message",
    "FrameDecoder",
    "FrameError",
    "CrcError",
    "VersionError",
    "PayloadError",
    "cobs_encode",
    "cobs_decode",
    "encode",
    "frame_bytes",
    "decode_frame",
    "split_frame",
    "PAYLOADS",
]
