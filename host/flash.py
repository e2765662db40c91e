"""The flash strategy: send an image to the bootloader, have it written and verified.

    FLASH_BEGIN(slot, header) -> ACK(slot)         the bootloader checks the header, erases the slot
    FLASH_DATA(offset, chunk) -> ACK(offset+len)   repeated; a retry of the same offset is harmless
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
    IMAGE_HEADER_SIZE,
    IMAGE_PAYLOAD_OFFSET,
    SLOT_AUTO,
    MsgType,
    parse_image,
)
from protocol.wire import ImageHeaderBody

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
    sent: int               # bytes that crossed the line as image (header + payload)
    seconds: float
    crc: int
    build_id: bytes

    @property
    def kib_per_s(self) -> float:
        return self.sent / 1024 / self.seconds if self.seconds > 0 else 0.0


def flash_image(link: Link, image: bytes, *, slot: int = SLOT_AUTO, check: bool = True,
                verify: bool = True, chunk: int = FLASH_CHUNK_MAX, data_timeout: float = DATA_TIMEOUT,
                progress: Callable[[int, int], None] | None = None) -> FlashResult:
    """Write `image` (an image file: header, padding, payload) through the bootloader.

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
    start = time.monotonic()
    begin = bytes([slot]) + image[:IMAGE_HEADER_SIZE]
    try:
        chosen = link.request(MsgType.FLASH_BEGIN, begin, timeout=BEGIN_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused("the bootloader refused the image header", exc) from None
    total = len(payload)
    if progress is not None:
        progress(0, total)
    for offset in range(0, total, chunk):
        data = payload[offset:offset + chunk]
        try:
            ack = link.request(MsgType.FLASH_DATA, dict(offset=offset, data=data), timeout=data_timeout, retries=3)
        except RemoteError as exc:
            raise _refused(f"the bootloader refused data at offset {offset}", exc) from None
        if ack.value != offset + len(data):
            raise RigError(f"FLASH_DATA at offset {offset}: bootloader acknowledged {ack.value}, "
                           f"expected {offset + len(data)}")
        if progress is not None:
            progress(offset + len(data), total)
    try:
        sequence = link.request(MsgType.FLASH_END, timeout=END_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused(f"slot {chosen} was written but not committed", exc) from None
    seconds = time.monotonic() - start
    result = FlashResult(slot=chosen, sequence=sequence, length=total, sent=IMAGE_HEADER_SIZE + total,
                         seconds=seconds, crc=header.crc, build_id=bytes(header.build_id))
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
