"""The flash image: an `ImageHeader` followed, IMAGE_PAYLOAD_OFFSET bytes into the slot, by the
payload the bootloader copies to `load_addr` before jumping to `entry`.

An image file on the host is exactly what goes into a slot: header, 0xFF padding up to
IMAGE_PAYLOAD_OFFSET, payload.  The bootloader rewrites `sequence` (and so `header_crc`) when
it commits the image; the host leaves it 0.
"""

from __future__ import annotations

from construct import Container

from .wire import (
    IMAGE_HEADER_SIZE,
    IMAGE_PAYLOAD_OFFSET,
    ImageHeader,
    crc32,
)


def header_fields(payload: bytes, *, load_addr: int, entry: int, board: str,
                  build_id: bytes, sequence: int = 0) -> dict:
    """The argument `ImageHeader.build()` wants for a payload."""
    return dict(body=dict(value=dict(
        sequence=sequence,
        length=len(payload),
        crc=crc32(payload),
        load_addr=load_addr,
        entry=entry,
        board=board,
        build_id=build_id,
    )))


def build_image(payload: bytes, **fields) -> bytes:
    header = ImageHeader.build(header_fields(payload, **fields))
    return header + b"\xff" * (IMAGE_PAYLOAD_OFFSET - len(header)) + payload


def parse_image(image: bytes) -> tuple[Container, bytes]:
    """Split an image file into its header fields and payload; raises ValueError when the
    header or the payload does not check out."""
    if len(image) < IMAGE_PAYLOAD_OFFSET:
        raise ValueError(f"image of {len(image)} bytes is shorter than its {IMAGE_PAYLOAD_OFFSET}-byte header area")
    try:
        header = ImageHeader.parse(image[:IMAGE_HEADER_SIZE]).body.value
    except Exception as exc:  # construct raises several kinds; all mean "not an image"
        raise ValueError(f"image header does not check out: {exc}") from None
    payload = image[IMAGE_PAYLOAD_OFFSET:IMAGE_PAYLOAD_OFFSET + header.length]
    if len(payload) != header.length:
        raise ValueError(f"image truncated: header says {header.length} payload bytes, file has {len(payload)}")
    if crc32(payload) != header.crc:
        raise ValueError(f"image payload CRC {crc32(payload):08x} does not match header {header.crc:08x}")
    return header, payload
