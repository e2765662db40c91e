"""The flash strategy: send an image to the bootloader, have it written and verified.

    FLASH_BEGIN(slot, header) -> ACK(slot)         the bootloader checks the header, erases the slot
    FLASH_DATA(offset, chunk) -> ACK(offset+len)   repeated; a retry of the same offset is harmless
    FLASH_DATA_LZ4(offset, length, block)          the same, compressed: a bootloader that says
                              -> ACK(offset+length) FLASH_LZ4 in INFO takes up to 16 KiB of payload
                                                   per message as one LZ4 block
    FLASH_END                 -> ACK(sequence)     it checks the CRC of what is in flash, then
                                                   writes the header last: until then the slot is
                                                   invalid and the old image still boots
    SLOTS                     -> SLOT_INFO         the rig checks the slot it wrote

`flash_image()` works on a link already talking to the bootloader (the caller catches it: see
`strategy.Target.bootloader`).  It sends the image's header bytes exactly as they are in the
image, so tests can also send images that are wrong on purpose (`check=False`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from protocol import (
    FLASH_CHUNK_MAX,
    FLASH_LZ4_CHUNK_MAX,
    IMAGE_HEADER_SIZE,
    MAX_PAYLOAD,
    Feature,
    IMAGE_PAYLOAD_OFFSET,
    SLOT_AUTO,
    MsgType,
    parse_image,
)
from protocol.wire import FlashDataLz4, ImageHeaderBody

from .errors import RemoteError, RigError
from .link import Link

BEGIN_TIMEOUT = 30.0        # erasing a slot
DATA_TIMEOUT = 5.0
END_TIMEOUT = 30.0          # reading the slot back for the CRC, programming the header


@dataclass(frozen=True)
class FlashResult:
    slot: int
    sequence: int
    length: int             # payload bytes
    sent: int               # the image's bytes (header + payload)
    seconds: float
    crc: int
    build_id: bytes
    wire: int = 0           # what crossed the line for them: header + chunks as sent (0: not counted)

    @property
    def kib_per_s(self) -> float:
        return self.sent / 1024 / self.seconds if self.seconds > 0 else 0.0


# A compressed chunk must fit one frame with FLASH_DATA_LZ4's offset and length.
LZ4_BLOCK_MAX = MAX_PAYLOAD - FlashDataLz4.subcons[0].sizeof() - FlashDataLz4.subcons[1].sizeof()


def takes_lz4(link: Link) -> bool:
    """Whether the bootloader on `link` accepts FLASH_DATA_LZ4 (its INFO says FLASH_LZ4)."""
    info = link.last_info
    if info is None or info.type != MsgType.INFO:
        info = link.request(MsgType.HELLO, timeout=2.0)
    return bool(Feature(info.payload.features) & Feature.FLASH_LZ4)


# The piece sizes tried, longest first: zeros and tables go 16 KiB at a time, code in pieces of
# 5 to 10 KiB; what does not shrink by a quarter goes as it is.
LZ4_LADDER = (FLASH_LZ4_CHUNK_MAX, 12288, 10240, 8192, 6144, 5120)


def chunks(payload: bytes, compress: bool, chunk: int = FLASH_CHUNK_MAX):
    """The payload as (message type, fields, payload bytes covered, bytes of chunk data), in
    order: with `compress`, the longest piece of LZ4_LADDER's that compresses (the reference
    encoder, high compression) into one frame, else plain FLASH_DATA chunks of `chunk` bytes."""
    if compress:
        import lz4.block
    offset = 0
    while offset < len(payload):
        sent = False
        for size in (LZ4_LADDER if compress else ()):
            raw = payload[offset:offset + size]
            block = lz4.block.compress(raw, mode="high_compression", compression=12, store_size=False)
            if len(block) <= LZ4_BLOCK_MAX and len(block) < len(raw):
                yield MsgType.FLASH_DATA_LZ4, dict(offset=offset, length=len(raw), data=block), len(raw), len(block)
                offset += len(raw)
                sent = True
                break
        if not sent:
            data = payload[offset:offset + chunk]
            yield MsgType.FLASH_DATA, dict(offset=offset, data=data), len(data), len(data)
            offset += len(data)


def flash_image(link: Link, image: bytes, *, slot: int = SLOT_AUTO, check: bool = True,
                verify: bool = True, compress: bool | None = None, chunk: int = FLASH_CHUNK_MAX,
                data_timeout: float = DATA_TIMEOUT,
                progress: Callable[[int, int], None] | None = None) -> FlashResult:
    """Write `image` (an image file: header, padding, payload) through the bootloader.

    `compress`: send the payload LZ4-compressed (None: when the bootloader takes it).
    `progress(done, total)` is called after each chunk (payload bytes); it may raise to cut
    the transfer short.  With `check=False` the image is sent as it is even when the host
    would refuse it.  Raises RigError (RemoteError for a refusal, with the target's reason)."""
    if check:
        try:
            header, payload = parse_image(image)
        except ValueError as exc:
            raise RigError(f"not a valid image: {exc}") from None
    else:
        header, payload = _loose_parse(image)
    if compress is None:
        compress = takes_lz4(link)
    start = time.monotonic()
    begin = bytes([slot]) + image[:IMAGE_HEADER_SIZE]
    try:
        chosen = link.request(MsgType.FLASH_BEGIN, begin, timeout=BEGIN_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused("the bootloader refused the image header", exc) from None
    total = len(payload)
    wire = IMAGE_HEADER_SIZE
    if progress is not None:
        progress(0, total)
    for msg_type, fields, covered, data_bytes in chunks(payload, compress, chunk):
        offset = fields["offset"]
        try:
            ack = link.request(msg_type, fields, timeout=data_timeout, retries=3)
        except RemoteError as exc:
            raise _refused(f"the bootloader refused data at offset {offset}", exc) from None
        if ack.value != offset + covered:
            raise RigError(f"{msg_type.name} at offset {offset}: bootloader acknowledged {ack.value}, "
                           f"expected {offset + covered}")
        wire += data_bytes
        if progress is not None:
            progress(offset + covered, total)
    try:
        sequence = link.request(MsgType.FLASH_END, timeout=END_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused(f"slot {chosen} was written but not committed", exc) from None
    seconds = time.monotonic() - start
    result = FlashResult(slot=chosen, sequence=sequence, length=total, sent=IMAGE_HEADER_SIZE + total,
                         seconds=seconds, crc=header.crc, build_id=bytes(header.build_id), wire=wire)
    if verify:
        verify_slot(link, result)
    return result


def read_slots(link: Link):
    return link.request(MsgType.SLOTS, timeout=5.0)


def verify_slot(link: Link, result: FlashResult) -> None:
    """SLOTS must show the slot just written as valid, newest, with its CRC, length and build id."""
    info = read_slots(link)
    if result.slot >= len(info.slots):
        raise RigError(f"verify: the bootloader reports {len(info.slots)} slots, wrote slot {result.slot}")
    entry = info.slots[result.slot]
    problems = []
    if not entry.valid:
        problems.append("slot is not valid")
    if entry.sequence != result.sequence:
        problems.append(f"sequence {entry.sequence}, expected {result.sequence}")
    if entry.crc != result.crc:
        problems.append(f"CRC {entry.crc:08x}, expected {result.crc:08x}")
    if entry.length != result.length:
        problems.append(f"length {entry.length}, expected {result.length}")
    if bytes(entry.build_id) != result.build_id:
        problems.append(f"build id {bytes(entry.build_id).hex()[:12]}, expected {result.build_id.hex()[:12]}")
    if info.newest != result.slot:
        problems.append(f"newest slot is {info.newest}, expected {result.slot}")
    if problems:
        raise RigError(f"verify of slot {result.slot} failed: {'; '.join(problems)}")


def _loose_parse(image: bytes):
    """Header fields and payload of an image the host does not vouch for."""
    try:
        header = ImageHeaderBody.parse(image[:IMAGE_HEADER_SIZE])
        payload = image[IMAGE_PAYLOAD_OFFSET:IMAGE_PAYLOAD_OFFSET + header.length]
    except Exception:  # construct raises several kinds: any means "not a header we can read"
        payload = image[IMAGE_PAYLOAD_OFFSET:]
        header = _Unknown(crc=0, build_id=bytes(20))
    return header, payload


@dataclass
class _Unknown:
    crc: int
    build_id: bytes


def _refused(context: str, exc: RemoteError) -> RigError:
    err = RemoteError(exc.code, exc.text, exc.request)
    err.args = (f"{context}: {exc}",)
    return err
