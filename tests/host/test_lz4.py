"""The bootloader's LZ4 decoder (firmware/lib/lz4.c), built for the host, held against the
reference encoder (the lz4 package): what the library compresses, ours decodes to the same bytes;
what is malformed, truncated or too big for the buffer it refuses, and never reads or writes
outside its buffers (canaries around both)."""

from __future__ import annotations

import ctypes
import random
from pathlib import Path

import lz4.block
import pytest
from conftest import build_firmware_c
from hypothesis import given, settings, strategies as st

from host.flash import LZ4_BLOCK_MAX, chunks
from protocol import FLASH_CHUNK_MAX, FLASH_LZ4_CHUNK_MAX, MsgType

ROOT = Path(__file__).resolve().parents[2]
CANARY = b"\xa5" * 64


@pytest.fixture(scope="module")
def decode(tmp_path_factory):
    c = ctypes.CDLL(str(build_firmware_c(tmp_path_factory, "lz4", ["lib/lz4.c"])))
    c.lz4_decode.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
    c.lz4_decode.restype = ctypes.c_long

    def run(block: bytes, cap: int) -> bytes | None:
        src = ctypes.create_string_buffer(CANARY + block + CANARY, len(block) + 2 * len(CANARY))
        dst = ctypes.create_string_buffer(CANARY + b"\0" * cap + CANARY, cap + 2 * len(CANARY))
        got = c.lz4_decode(ctypes.addressof(src) + len(CANARY), len(block), ctypes.addressof(dst) + len(CANARY), cap)
        raw = dst.raw
        assert raw[:len(CANARY)] == CANARY and raw[len(CANARY) + cap:] == CANARY, "wrote outside its buffer"
        assert src.raw[len(CANARY):len(CANARY) + len(block)] == block, "changed its input"
        return None if got < 0 else raw[len(CANARY):len(CANARY) + got]

    return run


@pytest.fixture(scope="module")
def decode_dict(tmp_path_factory):
    c = ctypes.CDLL(str(build_firmware_c(tmp_path_factory, "lz4dict", ["lib/lz4.c"])))
    c.lz4_decode_dict.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
                                  ctypes.c_void_p, ctypes.c_size_t]
    c.lz4_decode_dict.restype = ctypes.c_long

    def run(block: bytes, before: bytes, cap: int) -> bytes | None:
        # the dictionary apart from the output, as the bootloader has it (flash, then RAM)
        src = ctypes.create_string_buffer(block, len(block) or 1)
        ref = ctypes.create_string_buffer(CANARY + before + CANARY, len(before) + 2 * len(CANARY))
        dst = ctypes.create_string_buffer(CANARY + b"\0" * cap + CANARY, cap + 2 * len(CANARY))
        got = c.lz4_decode_dict(ctypes.addressof(src), len(block), ctypes.addressof(ref) + len(CANARY),
                                len(before), ctypes.addressof(dst) + len(CANARY), cap)
        assert dst.raw[:len(CANARY)] == CANARY and dst.raw[len(CANARY) + cap:] == CANARY, "wrote outside"
        assert ref.raw[len(CANARY):-len(CANARY)] == before, "changed its dictionary"
        return None if got < 0 else dst.raw[len(CANARY):len(CANARY) + got]

    return run


def compress(data: bytes, high: bool = True) -> bytes:
    return lz4.block.compress(data, mode="high_compression" if high else "default", compression=12,
                              store_size=False)


def image_like(size: int, seed: int) -> bytes:
    """Bytes shaped like a firmware image: runs of zeros, repeated words, some noise."""
    rng = random.Random(seed)
    out = bytearray()
    while len(out) < size:
        kind = rng.randrange(3)
        n = rng.randrange(1, 600)
        out += bytes(n) if kind == 0 else rng.randbytes(4) * (n // 4 + 1) if kind == 1 else rng.randbytes(n)
    return bytes(out[:size])


@pytest.mark.parametrize("high", [True, False], ids=["hc", "fast"])
@pytest.mark.parametrize("size", [1, 15, 16, 300, 4096, 16384])
def test_what_the_reference_compresses_decodes_to_the_same_bytes(decode, size, high):
    data = image_like(size, size)
    assert decode(compress(data, high), size) == data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.booleans())
def test_any_input_round_trips(decode, data, high):
    assert decode(compress(data, high), len(data)) == data


def test_the_real_image_round_trips(decode):
    image = ROOT / "firmware" / "build" / "qemu-virt" / "kernel.img"
    if not image.exists():
        pytest.skip("no built image")
    data = image.read_bytes()[:FLASH_LZ4_CHUNK_MAX * 4]
    for at in range(0, len(data), FLASH_LZ4_CHUNK_MAX):
        raw = data[at:at + FLASH_LZ4_CHUNK_MAX]
        assert decode(compress(raw), len(raw)) == raw


def test_a_buffer_too_small_is_refused_not_overrun(decode):
    data = image_like(5000, 1)
    block = compress(data)
    assert decode(block, len(data) - 1) is None
    assert decode(block, 100) is None


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=1, max_size=400), st.integers(0, 2000))
def test_garbage_is_refused_or_decoded_within_bounds(decode, block, cap):
    """Random blocks: refused, or decoded into at most `cap` bytes; never a stray access (the
    canaries)."""
    got = decode(block, cap)
    assert got is None or len(got) <= cap


def test_truncated_blocks_and_bad_distances_are_refused(decode):
    data = image_like(3000, 2)
    block = compress(data)
    for cut in range(1, len(block)):
        got = decode(block[:cut], len(data))
        assert got is None or got == data[:len(got)]       # a clean prefix, never garbage
    # a match reaching back before the start of the output
    assert decode(bytes([0x10, ord("a"), 0x05, 0x00]), 100) is None
    # distance 0
    assert decode(bytes([0x10, ord("a"), 0x00, 0x00]), 100) is None


def test_the_host_sends_compressed_chunks_where_they_fit_and_plain_ones_elsewhere():
    """The chunk plan of flash_image: 16 KiB blocks that fit a frame, plain 4 KiB FLASH_DATA
    for what does not shrink (random bytes), every byte of the payload covered once, in order."""
    payload = bytes(40000) + random.Random(3).randbytes(20000) + bytes(5000)
    plan = list(chunks(payload, compress=True))
    kinds = [m for m, *_ in plan]
    assert kinds[0] == MsgType.FLASH_DATA_LZ4 and MsgType.FLASH_DATA in kinds
    at = 0
    for msg_type, fields, covered, sent in plan:
        assert fields["offset"] == at
        if msg_type == MsgType.FLASH_DATA_LZ4:
            assert fields["length"] == covered <= FLASH_LZ4_CHUNK_MAX and sent == len(fields["data"]) <= LZ4_BLOCK_MAX
            assert lz4.block.decompress(fields["data"], uncompressed_size=covered) == payload[at:at + covered]
        else:
            assert fields["data"] == payload[at:at + covered] and covered <= FLASH_CHUNK_MAX
        at += covered
    assert at == len(payload)
    assert [m for m, *_ in chunks(payload, compress=False)] == [MsgType.FLASH_DATA] * 16


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 20000), st.integers(0, 70000))
def test_a_block_compressed_against_what_precedes_it_decodes(decode_dict, seed, size, back):
    """FLASH_LZ4_DICT: the host compresses a piece with up to 64 KiB of the payload before it;
    the decoder, given those bytes elsewhere, gives the piece back, and refuses a block that
    reaches further back than the dictionary it was given."""
    data = image_like(back + size, seed)
    before, raw = data[:back][-65536:], data[back:]
    block = lz4.block.compress(raw, mode="high_compression", compression=12, store_size=False, dict=before)
    assert decode_dict(block, before, len(raw)) == raw
    # one byte less of dictionary: the same bytes, or a refusal when a match reached that far
    assert decode_dict(block, before[1:], len(raw)) in (None, raw)


def test_the_real_image_round_trips_against_its_dictionary(decode_dict):
    image = ROOT / "firmware" / "build" / "qemu-virt" / "kernel.img"
    if not image.exists():
        pytest.skip("no built image")
    data = image.read_bytes()
    for kind, fields, _, _ in chunks(data, compress=True, dictionary=True):
        if kind == MsgType.FLASH_DATA_LZ4:
            at = fields["offset"]
            before = data[max(0, at - 65536):at]
            assert decode_dict(fields["data"], before, fields["length"]) == data[at:at + fields["length"]]
