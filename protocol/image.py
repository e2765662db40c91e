"""The flash image: an `ImageHeader` followed, IMAGE_PAYLOAD_OFFSET bytes into the slot, by the
payload the bootloader copies to `load_addr` before jumping to `entry`.

An image file on the host is exactly what goes into a slot: header, 0xFF padding up to
IMAGE_PAYLOAD_OFFSET, payload.  The bootloader rewrites `sequence` (and so `header_crc`) when
it commits the image; the host leaves it 0.
"""

from __future__ import annotations

from construct import ConstructError, Container

from .wire import (
    IMAGE_FORMAT,
    IMAGE_HEADER_SIZE,
    IMAGE_MAGIC,
    IMAGE_PAYLOAD_OFFSET,
    ImageHeader,
    ImageHeaderBody,
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
    """Split an image file into its header fields and payload; raises ValueError, with a
    one-line reason, when the header or the payload does not check out.

    The checks run in the order a reader needs them: the magic (is this an image at all), the
    format and header size (can this code read it), the header CRC, then the payload."""
    if len(image) < IMAGE_PAYLOAD_OFFSET:
        raise ValueError(f"image of {len(image)} bytes is shorter than its {IMAGE_PAYLOAD_OFFSET}-byte header area")
    if not image.startswith(IMAGE_MAGIC):
        raise ValueError(f"not an image: magic {image[:len(IMAGE_MAGIC)]!r}, expected {IMAGE_MAGIC!r}")
    body_size = ImageHeaderBody.sizeof()
    try:
        body = ImageHeaderBody.parse(image[:body_size])
    except ConstructError as exc:
        field = str(exc.path).rsplit(" -> ", 1)[-1]
        raise ValueError(f"image header {field} refused: {str(exc).splitlines()[-1]}") from None
    if body.header_size != IMAGE_HEADER_SIZE:
        raise ValueError(f"image header_size {body.header_size}, but format {IMAGE_FORMAT} headers "
                         f"are {IMAGE_HEADER_SIZE} bytes")
    stored = int.from_bytes(image[body_size:IMAGE_HEADER_SIZE], "little")
    if stored != crc32(image[:body_size]):
        raise ValueError(f"image header CRC {stored:08x} does not match its contents "
                         f"({crc32(image[:body_size]):08x})")
    header = ImageHeader.parse(image[:IMAGE_HEADER_SIZE]).body.value
    payload = image[IMAGE_PAYLOAD_OFFSET:IMAGE_PAYLOAD_OFFSET + header.length]
    if len(payload) != header.length:
        raise ValueError(f"image truncated: header says {header.length} payload bytes, file has {len(payload)}")
    if crc32(payload) != header.crc:
        raise ValueError(f"image payload CRC {crc32(payload):08x} does not match header {header.crc:08x}")
    return header, payload
