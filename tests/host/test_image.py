"""The flash image: header bytes checked by hand, round trips, and every refusal with its reason."""

from __future__ import annotations

import struct
import zlib

import pytest
from hypothesis import given, strategies as st

from protocol import IMAGE_HEADER_SIZE, ImageHeader, MsgType, build_image, decode_frame, frame_bytes, parse_image
from protocol import wire

BUILD_ID = bytes.fromhex("00112233445566778899aabbccddeeff01234567")
FIELDS = dict(load_addr=0x40100000, entry=0x40100020, board="qemu-virt", build_id=BUILD_ID)
PAYLOAD = bytes(range(256)) * 5 + b"tail"


def image(payload: bytes = PAYLOAD, **overrides) -> bytes:
    return build_image(payload, **{**FIELDS, **overrides})


def with_header_crc(img: bytes) -> bytes:
    """The image with its header CRC recomputed, as a careful forger would."""
    return img[:64] + struct.pack("<I", zlib.crc32(img[:64])) + img[68:]


def test_header_bytes_by_hand():
    img = image()
    assert IMAGE_HEADER_SIZE == 68
    assert img[0:4] == b"L4IM"
    assert struct.unpack_from("<HH", img, 4) == (1, 68)                         # format, header_size
    assert struct.unpack_from("<IIIII", img, 8) == (0, len(PAYLOAD), zlib.crc32(PAYLOAD), 0x40100000, 0x40100020)
    assert img[28:44] == b"qemu-virt" + bytes(7)                                 # NUL-padded board
    assert img[44:64] == BUILD_ID
    assert struct.unpack_from("<I", img, 64)[0] == zlib.crc32(img[:64])          # header_crc
    assert img[68:256] == b"\xff" * (256 - 68)                                   # erased flash
    assert img[256:] == PAYLOAD
    assert len(img) == wire.IMAGE_PAYLOAD_OFFSET + len(PAYLOAD)


def test_whole_header_against_struct_pack():
    body = struct.pack("<4sHHIIIII16s20s", b"L4IM", 1, 68, 9, 4, zlib.crc32(b"abcd"),
                       0x40000000, 0x40000004, b"board", BUILD_ID)
    assert image(b"abcd", sequence=9, board="board", load_addr=0x40000000, entry=0x40000004)[:68] \
        == body + struct.pack("<I", zlib.crc32(body))


def test_round_trip():
    header, payload = parse_image(image(sequence=3))
    assert payload == PAYLOAD
    assert (header.magic, header.format, header.header_size) == (b"L4IM", 1, 68)
    assert (header.sequence, header.length, header.crc) == (3, len(PAYLOAD), zlib.crc32(PAYLOAD))
    assert (header.load_addr, header.entry, header.board, header.build_id) == \
        (0x40100000, 0x40100020, "qemu-virt", BUILD_ID)


@given(payload=st.binary(max_size=2000), load_addr=st.integers(0, 2 ** 32 - 1), entry=st.integers(0, 2 ** 32 - 1),
       board=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"), max_size=16)
       .filter(lambda b: len(b.encode()) <= 16),
       build_id=st.binary(min_size=20, max_size=20), sequence=st.integers(0, 2 ** 32 - 1))
def test_round_trip_any_fields(payload, load_addr, entry, board, build_id, sequence):
    img = build_image(payload, load_addr=load_addr, entry=entry, board=board, build_id=build_id, sequence=sequence)
    header, got = parse_image(img)
    assert got == payload
    assert (header.load_addr, header.entry, header.board, header.build_id, header.sequence) == \
        (load_addr, entry, board, build_id, sequence)


def test_trailing_bytes_after_the_payload_are_ignored():
    # a slot read back from flash is longer than its image
    assert parse_image(image() + b"\xff" * 100)[1] == PAYLOAD


def test_header_travels_in_flash_begin():
    img = image()
    raw = frame_bytes(MsgType.FLASH_BEGIN, 1, b"\x00" + img[:IMAGE_HEADER_SIZE])
    msg = decode_frame(raw)
    assert msg.header.body.length == len(PAYLOAD)
    assert ImageHeader.build(dict(body=dict(value=msg.header.body))) == img[:IMAGE_HEADER_SIZE]


@pytest.mark.parametrize("mangle,reason", [
    (lambda img: img[:100], "shorter than its 256-byte header area"),
    (lambda img: img[:-1], "truncated: header says 1284 payload bytes, file has 1283"),
    (lambda img: b"ELF\x7f" + img[4:], "magic"),
    (lambda img: img[:20] + b"\x01" + img[21:], "header CRC"),                   # load_addr changed
    (lambda img: img[:-1] + b"!", "payload CRC"),
    (lambda img: with_header_crc(img[:4] + b"\x02" + img[5:]), "format refused.*parsed 2"),
    (lambda img: img[:4] + b"\x02" + img[5:], "format refused"),     # a newer format: say so, not "CRC"
    (lambda img: with_header_crc(img[:6] + b"\x40" + img[7:]), "header_size 64"),
], ids=["short", "truncated", "magic", "header-crc", "payload-crc", "format", "format-before-crc", "header-size"])
def test_refusals(mangle, reason):
    with pytest.raises(ValueError, match=reason) as err:
        parse_image(mangle(image()))
    assert "\n" not in str(err.value)                                            # one clear line


def test_build_refuses_bad_fields():
    with pytest.raises(ValueError, match="longer than 16 bytes"):
        image(board="a-board-name-too-long")
