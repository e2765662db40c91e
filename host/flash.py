"""The flash strategy: send an image to the bootloader, have it written and verified.

    FLASH_SUMS(slot, 0, len)  -> FLASH_SUMS_INFO   a CRC per 4 KiB block of each slot, as it is
                                                   (a bootloader that says FLASH_SUMS in INFO)
    FLASH_BEGIN(slot, header) -> ACK(slot)         the bootloader checks the header, keeps the
                                                   slot's old bytes in RAM, erases the slot
    FLASH_COPY(offset, length, slot, crc)          a run whose bytes the board already holds at
                              -> ACK(offset+len)   the same offset (the slot's old bytes, or the
                                                   other slot's) is programmed from there
    FLASH_DATA(offset, chunk) -> ACK(offset+len)   the rest; a retry of the same offset is harmless
    FLASH_DATA_LZ4(offset, length, block)          the same, compressed: up to 16 KiB of payload
                              -> ACK(offset+length) per message as one LZ4 block, which with
                                                   FLASH_LZ4_DICT may refer back into the 64 KiB
                                                   before it
    FLASH_END                 -> ACK(sequence)     it checks the CRC of what is in flash, then
                                                   writes the header last: until then the slot is
                                                   invalid and the old image still boots
    SLOTS                     -> SLOT_INFO         the rig checks the slot it wrote

Requests after FLASH_BEGIN go `window` at a time (Link.pipeline): the bootloader answers in
order, and the line carries the next chunk while it programs the last.  A real UART without
flow control loses what arrives while the bootloader programs, so the rig flashes a real board
one request at a time.

The root file system partition is rewritten in place (`flash_rootfs()`, a bootloader with
FLASH_ROOTFS): FLASH_SUMS of SLOT_ROOTFS, ROOTFS_BEGIN(length, crc), the changed blocks as
FLASH_DATA/FLASH_DATA_LZ4, FLASH_END -> ACK(erase blocks rewritten); docs/protocol.md.

`flash_image()` works on a link already talking to the bootloader (the caller catches it: see
`strategy.Target.bootloader`).  It sends the image's header bytes exactly as they are in the
image, so tests can also send images that are wrong on purpose (`check=False`).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterator

from protocol import (
    FLASH_CHUNK_MAX,
    FLASH_LZ4_CHUNK_MAX,
    FLASH_LZ4_DICT_MAX,
    FLASH_SUM_BLOCK,
    IMAGE_HEADER_SIZE,
    MAX_PAYLOAD,
    SLOT_COUNT,
    Feature,
    IMAGE_PAYLOAD_OFFSET,
    SLOT_AUTO,
    SLOT_ROOTFS,
    SLOT_RAM,
    MsgType,
    crc32,
    parse_image,
)
from protocol.bootinfo import ROOTFS_DATA_OFFSET, RootfsHeader
from protocol.wire import FlashDataLz4, FlashSumsInfo, ImageHeaderBody

from .errors import RemoteError, RigError
from .link import Link

BEGIN_TIMEOUT = 30.0        # erasing a slot
DATA_TIMEOUT = 5.0
COPY_TIMEOUT = 30.0         # a run of up to a whole image, checked and programmed
SUMS_TIMEOUT = 10.0
END_TIMEOUT = 30.0          # reading the slot back for the CRC, programming the header
ROOTFS_END_TIMEOUT = 120.0  # up to the whole root file system partition erased and programmed
WINDOW = 4                  # requests in flight after FLASH_BEGIN (a QEMU board: the pty holds them)


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
    kept: int = 0           # payload bytes the slot already held at the same offset: not sent
    copied: int = 0         # payload bytes another slot held at the same offset: not sent

    @property
    def kib_per_s(self) -> float:
        return self.sent / 1024 / self.seconds if self.seconds > 0 else 0.0

    @property
    def transmitted(self) -> int:
        """Payload bytes that crossed the line (compressed or not)."""
        return self.length - self.kept - self.copied


# A compressed chunk must fit one frame with FLASH_DATA_LZ4's offset and length.
LZ4_BLOCK_MAX = MAX_PAYLOAD - FlashDataLz4.subcons[0].sizeof() - FlashDataLz4.subcons[1].sizeof()
# FLASH_SUMS_INFO: CRCs per reply.
SUMS_MAX = (MAX_PAYLOAD - FlashSumsInfo.subcons[0].sizeof() - FlashSumsInfo.subcons[1].sizeof()
            - FlashSumsInfo.subcons[2].sizeof()) // 4


def features(link: Link) -> Feature:
    """What the bootloader on `link` said it supports in INFO (asked again if need be)."""
    info = link.last_info
    if info is None or info.type != MsgType.INFO:
        info = link.request(MsgType.HELLO, timeout=2.0)
    return Feature(info.payload.features)


def takes_lz4(link: Link) -> bool:
    """Whether the bootloader on `link` accepts FLASH_DATA_LZ4 (its INFO says FLASH_LZ4)."""
    return bool(features(link) & Feature.FLASH_LZ4)


# The piece sizes tried, longest first: zeros and tables go 16 KiB at a time, code in pieces of
# 5 to 10 KiB; what does not shrink by a quarter goes as it is.
LZ4_LADDER = (FLASH_LZ4_CHUNK_MAX, 12288, 10240, 8192, 6144, 5120)


def chunks(payload: bytes, compress: bool, chunk: int = FLASH_CHUNK_MAX, *, start: int = 0,
           end: int | None = None, dictionary: bool = False):
    """The payload from `start` to `end` as (message type, fields, payload bytes covered, bytes
    of chunk data), in order: with `compress`, the longest piece of LZ4_LADDER's that
    compresses (the reference encoder, high compression) into one frame, else plain FLASH_DATA
    chunks of `chunk` bytes.  With `dictionary`, a piece is compressed against the
    FLASH_LZ4_DICT_MAX bytes of payload before it (the bootloader's FLASH_LZ4_DICT)."""
    if compress:
        import lz4.block
    end = len(payload) if end is None else end
    offset = start
    while offset < end:
        sent = False
        for size in (LZ4_LADDER if compress else ()):
            raw = payload[offset:min(offset + size, end)]
            before = payload[max(0, offset - FLASH_LZ4_DICT_MAX):offset] if dictionary else b""
            block = lz4.block.compress(raw, mode="high_compression", compression=12, store_size=False,
                                       dict=before)
            if len(block) <= LZ4_BLOCK_MAX and len(block) < len(raw):
                yield MsgType.FLASH_DATA_LZ4, dict(offset=offset, length=len(raw), data=block), len(raw), len(block)
                offset += len(raw)
                sent = True
                break
        if not sent:
            data = payload[offset:min(offset + chunk, end)]
            yield MsgType.FLASH_DATA, dict(offset=offset, data=data), len(data), len(data)
            offset += len(data)


@dataclass(frozen=True)
class Run:
    """A stretch of the payload and where its bytes come from: `source`, a slot that holds
    them at the same offset (the slot being flashed, as it was before FLASH_BEGIN, or another),
    or None: they cross the line."""
    offset: int
    length: int
    source: int | None


def plan(payload: bytes, target: int, sums: dict[int, list[int]]) -> list[Run]:
    """Split the payload into runs by FLASH_SUM_BLOCK: a block whose CRC the target slot
    already has at its offset is kept, else one another slot has is copied, else it is sent.
    `sums[slot]` are that slot's CRCs from offset 0 (FLASH_SUMS over the payload's length)."""
    runs: list[Run] = []
    for offset in range(0, len(payload), FLASH_SUM_BLOCK):
        block = payload[offset:offset + FLASH_SUM_BLOCK]
        want, index = crc32(block), offset // FLASH_SUM_BLOCK
        holders = [target] + [slot for slot in sorted(sums) if slot != target]
        source = next((slot for slot in holders if index < len(sums.get(slot, ())) and sums[slot][index] == want),
                      None)
        if runs and runs[-1].source == source:
            last = runs.pop()
            runs.append(Run(last.offset, last.length + len(block), source))
        else:
            runs.append(Run(offset, len(block), source))
    return runs


def slot_sums(link: Link, slot: int, length: int) -> list[int]:
    """FLASH_SUMS of `slot` over `length` bytes of its payload area, in as many requests as
    the replies need."""
    sums: list[int] = []
    while len(sums) * FLASH_SUM_BLOCK < length:
        offset = len(sums) * FLASH_SUM_BLOCK
        reply = link.request(MsgType.FLASH_SUMS, dict(slot=slot, offset=offset, length=length - offset),
                             timeout=SUMS_TIMEOUT)
        if reply.offset != offset or not reply.sums:
            raise RigError(f"FLASH_SUMS of slot {slot} at {offset}: the bootloader answered for "
                           f"{reply.offset} with {len(reply.sums)} sums")
        sums += list(reply.sums)
    return sums


def flash_image(link: Link, image: bytes, *, slot: int = SLOT_AUTO, check: bool = True,
                verify: bool = True, compress: bool | None = None, reuse: bool | None = None,
                chunk: int = FLASH_CHUNK_MAX, window: int = WINDOW, data_timeout: float = DATA_TIMEOUT,
                progress: Callable[[int, int], None] | None = None) -> FlashResult:
    """Write `image` (an image file: header, padding, payload) through the bootloader.

    `slot`: 0, 1, SLOT_AUTO, or SLOT_RAM to load the image straight into RAM at its load
    address (no slot: nothing to reuse, and FLASH_END's CRC check is the verification).
    `compress`: send the payload LZ4-compressed (None: when the bootloader takes it).
    `reuse`: send only the blocks the board does not already hold at the same offset in a
    slot (None: when the bootloader answers FLASH_SUMS).  `window`: requests in flight.
    `progress(done, total)` is called after each request (payload bytes in place); it may
    raise to cut the transfer short.  With `check=False` the image is sent as it is even when
    the host would refuse it.  Raises RigError (RemoteError for a refusal, with the target's
    reason)."""
    if check:
        try:
            header, payload = parse_image(image)
        except ValueError as exc:
            raise RigError(f"not a valid image: {exc}") from None
    else:
        header, payload = _loose_parse(image)
    offered = features(link)
    if compress is None:
        compress = bool(offered & Feature.FLASH_LZ4)
    if slot == SLOT_RAM and not offered & Feature.RAM_BOOT:
        raise RigError("this bootloader cannot load an image into RAM (no RAM_BOOT feature): flash a slot")
    if reuse is None:
        reuse = bool(offered & Feature.FLASH_SUMS) and slot != SLOT_RAM
    dictionary = compress and bool(offered & Feature.FLASH_LZ4_DICT)
    start = time.monotonic()
    sums = {s: slot_sums(link, s, len(payload)) for s in range(SLOT_COUNT)} if reuse and payload else {}
    begin = bytes([slot]) + image[:IMAGE_HEADER_SIZE]
    try:
        chosen = link.request(MsgType.FLASH_BEGIN, begin, timeout=BEGIN_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused("the bootloader refused the image header", exc) from None
    runs = plan(payload, chosen, sums) if sums else [Run(0, len(payload), None)]
    total = len(payload)
    wire = IMAGE_HEADER_SIZE + _send(link, payload, runs, compress=compress, dictionary=dictionary, chunk=chunk,
                                     window=window, data_timeout=data_timeout, progress=progress)
    try:
        sequence = link.request(MsgType.FLASH_END, timeout=END_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused(f"slot {chosen} was written but not committed", exc) from None
    seconds = time.monotonic() - start
    kept = sum(r.length for r in runs if r.source == chosen)
    copied = sum(r.length for r in runs if r.source is not None and r.source != chosen)
    result = FlashResult(slot=chosen, sequence=sequence, length=total, sent=IMAGE_HEADER_SIZE + total,
                         seconds=seconds, crc=header.crc, build_id=bytes(header.build_id), wire=wire,
                         kept=kept, copied=copied)
    if verify and chosen != SLOT_RAM:
        verify_slot(link, result)
    return result


def _send(link: Link, payload: bytes, runs: list[Run], *, compress: bool, dictionary: bool, chunk: int,
          window: int, data_timeout: float, progress: Callable[[int, int], None] | None) -> int:
    """Write `runs` of `payload` after FLASH_BEGIN or ROOTFS_BEGIN, `window` requests in flight;
    the bytes of chunk data that crossed the line."""
    total, wire = len(payload), 0
    if progress is not None:
        progress(0, total)
    in_flight: deque[tuple[MsgType, dict, int, int]] = deque()

    def requests():
        for item in _requests(payload, runs, compress, dictionary, chunk):
            in_flight.append(item)
            msg_type, fields = item[0], item[1]
            yield msg_type, fields, COPY_TIMEOUT if msg_type == MsgType.FLASH_COPY else data_timeout

    try:
        for ack in link.pipeline(requests(), window=window, retries=3):
            msg_type, fields, covered, data_bytes = in_flight.popleft()
            offset = fields["offset"]
            if ack.value != offset + covered:
                raise RigError(f"{msg_type.name} at offset {offset}: bootloader acknowledged {ack.value}, "
                               f"expected {offset + covered}")
            wire += data_bytes
            if progress is not None:
                progress(offset + covered, total)
    except RemoteError as exc:
        what = "data" if in_flight[0][0] != MsgType.FLASH_COPY else "a copy"
        raise _refused(f"the bootloader refused {what} at offset {in_flight[0][1]['offset']}", exc) from None
    return wire


@dataclass(frozen=True)
class RootfsResult:
    length: int             # bytes of the archive
    wire: int               # what crossed the line for it: chunk data as sent
    kept: int               # archive bytes the partition already held at the same offset: not sent
    rewritten: int          # erase blocks the bootloader rewrote
    seconds: float


def rootfs_archive(partition: bytes) -> bytes:
    """The archive of a root file system partition (tools/mkinitramfs.py --partition), held to
    its header; RigError if it is not one, is cut short or does not match its CRC."""
    try:
        header = RootfsHeader.parse(partition)
    except Exception:  # construct raises several kinds: any means "not this header"
        raise RigError("not a root file system partition: no RTFS header") from None
    archive = partition[ROOTFS_DATA_OFFSET:ROOTFS_DATA_OFFSET + header.length]
    if len(archive) != header.length:
        raise RigError(f"the root file system partition is cut short: {len(archive)} of {header.length} archive bytes")
    if crc32(archive) != header.crc:
        raise RigError(f"the root file system archive has CRC {crc32(archive):08x}, its header says {header.crc:08x}")
    return archive


def flash_rootfs(link: Link, partition: bytes, *, compress: bool | None = None, chunk: int = FLASH_CHUNK_MAX,
                 window: int = WINDOW, data_timeout: float = DATA_TIMEOUT,
                 progress: Callable[[int, int], None] | None = None) -> RootfsResult:
    """Rewrite the board's root file system partition with `partition` (a file as
    tools/mkinitramfs.py --partition writes it), sending only the 4 KiB blocks of its archive
    that the board does not already hold at the same offset.  Raises RigError (RemoteError for
    a refusal)."""
    archive = rootfs_archive(partition)
    offered = features(link)
    if not offered & Feature.FLASH_ROOTFS:
        raise RigError("this bootloader cannot rewrite the root file system (no FLASH_ROOTFS in its INFO)")
    if compress is None:
        compress = bool(offered & Feature.FLASH_LZ4)
    dictionary = compress and bool(offered & Feature.FLASH_LZ4_DICT)
    start = time.monotonic()
    sums = {SLOT_ROOTFS: slot_sums(link, SLOT_ROOTFS, len(archive))} if archive else {}
    try:
        link.request(MsgType.ROOTFS_BEGIN, dict(length=len(archive), crc=crc32(archive)),
                     timeout=BEGIN_TIMEOUT, retries=0)
    except RemoteError as exc:
        raise _refused("the bootloader refused the root file system", exc) from None
    runs = plan(archive, SLOT_ROOTFS, sums)     # what the partition holds stays in its RAM copy
    wire = _send(link, archive, [r for r in runs if r.source is None], compress=compress, dictionary=dictionary, chunk=chunk, window=window,
                 data_timeout=data_timeout, progress=progress)
    try:
        rewritten = link.request(MsgType.FLASH_END, timeout=ROOTFS_END_TIMEOUT, retries=0).value
    except RemoteError as exc:
        raise _refused("the root file system was written but not committed", exc) from None
    return RootfsResult(length=len(archive), wire=wire, kept=sum(r.length for r in runs if r.source is not None),
                        rewritten=rewritten, seconds=time.monotonic() - start)


def _requests(payload: bytes, runs: list[Run], compress: bool, dictionary: bool,
              chunk: int) -> Iterator[tuple[MsgType, dict, int, int]]:
    """The requests that write `runs`, in offset order (a compressed chunk's dictionary is the
    payload before it, which the requests before it have put in place), as chunks() gives
    them; a FLASH_COPY puts no bytes on the line but its own."""
    for run in runs:
        if run.source is None:
            yield from chunks(payload, compress, chunk, start=run.offset, end=run.offset + run.length,
                              dictionary=dictionary)
        else:
            data = payload[run.offset:run.offset + run.length]
            yield (MsgType.FLASH_COPY, dict(offset=run.offset, length=run.length, slot=run.source, crc=crc32(data)),
                   run.length, 0)


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
