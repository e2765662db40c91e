"""GSM channel coding for the base-station simulator (3GPP TS 45.003), written from the spec.

The convolutional code and its Viterbi decoder are komm's; parity, reordering, interleaving and
burst mapping follow 45.003's formulas here.  The conventions are the modem's (see
firmware/servers/modem/l1/coding.h): hard bits are 0/1; soft values are positive for 1, negative
for 0 and 0 for unknown; a normal burst is its 116 bits e(B,0..115), e[57] = hl(B) (burst bit
60) and e[58] = hu(B) (burst bit 87).  Data octets are sent bit 1 (least significant) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import komm
import numpy as np

# komm writes a generator as an integer with D^0 in the least significant bit:
# G0 = 1 + D^3 + D^4 -> 0b11001, G1 = 1 + D + D^3 + D^4 -> 0b11011 (45.003 4.1.3).
G0 = 0b11001
G1 = 0b11011
TAIL = 4

# Generators of the block codes, as integers with bit i the coefficient of D^i.
FIRE = (1 << 40) | (1 << 26) | (1 << 23) | (1 << 17) | (1 << 3) | 1          # (D^23+1)(D^17+D^3+1)
SCH_CRC = (1 << 10) | (1 << 8) | (1 << 6) | (1 << 5) | (1 << 4) | (1 << 2) | 1
RACH_CRC = (1 << 6) | (1 << 5) | (1 << 3) | (1 << 2) | (1 << 1) | 1
TCH_FS_CRC = (1 << 3) | (1 << 1) | 1

BURST_BITS = 116
HL, HU = 57, 58
BLOCK = 456


@dataclass
class Decoded:
    """A decoded block: whether its parity checked, its data, and the channel bit errors counted
    against the re-encoded decision (erased inputs excluded)."""
    ok: bool
    data: object
    bit_errors: int


# ---- the convolutional code (komm) ----

@lru_cache(maxsize=None)
def _terminated(n_info: int) -> komm.TerminatedConvolutionalCode:
    code = komm.ConvolutionalCode([[G0, G1]])
    return komm.TerminatedConvolutionalCode(code, n_info, mode="zero-termination")


@lru_cache(maxsize=None)
def _viterbi(n_info: int) -> komm.ViterbiDecoder:
    return komm.ViterbiDecoder(_terminated(n_info), input_type="soft")


def conv_encode(info) -> np.ndarray:
    """u(0..n-1) -> c(0..2(n+4)-1): komm appends the 4 zero tail bits."""
    info = np.asarray(info, dtype=int)
    return _terminated(len(info)).encode(info).astype(np.uint8)


def conv_decode(soft, n_info: int) -> np.ndarray:
    """ML decision of the n_info bits before the tail.  komm's soft inputs are L-values,
    positive for 0, so ours are negated."""
    soft = np.asarray(soft, dtype=float)
    assert len(soft) == 2 * (n_info + TAIL)
    return _viterbi(n_info).decode(-soft).astype(np.uint8)


def count_errors(soft, coded) -> int:
    soft = np.asarray(soft)
    hard = (soft > 0).astype(np.uint8)
    return int(np.sum((soft != 0) & (hard != np.asarray(coded))))


# ---- parity: systematic cyclic codes with the remainder inverted ----

def _to_int(bits) -> int:
    """d(0) is the highest power."""
    value = 0
    for b in bits:
        value = (value << 1) | int(b)
    return value


def _poly_mod(value: int, gen: int) -> int:
    deg = gen.bit_length() - 1
    while value.bit_length() - 1 >= deg:
        value ^= gen << (value.bit_length() - 1 - deg)
    return value


def parity(bits, gen: int) -> np.ndarray:
    """p(0..deg-1) such that d(D) D^deg + p(D) divided by g(D) leaves 1 + D + ... + D^(deg-1)."""
    deg = gen.bit_length() - 1
    ones = (1 << deg) - 1
    rem = _poly_mod(_to_int(bits) << deg, gen)
    # d D^deg + p = q g + ones  <=>  p = rem + ones (mod 2), of degree < deg.
    p = rem ^ ones
    return np.array([(p >> (deg - 1 - i)) & 1 for i in range(deg)], dtype=np.uint8)


def parity_ok(bits, p, gen: int) -> bool:
    deg = gen.bit_length() - 1
    whole = (_to_int(bits) << deg) | _to_int(p)
    return _poly_mod(whole, gen) == (1 << deg) - 1


# ---- octets and bits ----

def octets_to_bits(octets: bytes) -> np.ndarray:
    """Bit 1 (least significant) of each octet first."""
    return np.array([(o >> b) & 1 for o in octets for b in range(8)], dtype=np.uint8)


def bits_to_octets(bits) -> bytes:
    bits = list(bits)
    return bytes(sum(int(bits[8 * i + b]) << b for b in range(8)) for i in range(len(bits) // 8))


# ---- interleaving and burst mapping ----

def burst_map(i_bits, hl: int, hu: int) -> np.ndarray:
    """45.003 4.1.5/3.1.4: e(B,j) = i(B,j), e(B,59+j) = i(B,57+j) for j = 0..56,
    e(B,57) = hl(B), e(B,58) = hu(B)."""
    e = np.zeros(BURST_BITS, dtype=np.asarray(i_bits).dtype)
    e[0:57] = i_bits[0:57]
    e[59:116] = i_bits[57:114]
    e[HL] = hl
    e[HU] = hu
    return e


def burst_unmap(e) -> np.ndarray:
    e = np.asarray(e)
    return np.concatenate([e[0:57], e[59:116]])


def rectangular_positions() -> list[tuple[int, int]]:
    """45.003 4.1.4: c(k) -> burst B = k mod 4, position j = 2((49k) mod 57) + ((k mod 8) div 4)."""
    return [(k % 4, 2 * ((49 * k) % 57) + ((k % 8) // 4)) for k in range(BLOCK)]


def diagonal_positions() -> list[tuple[int, int]]:
    """45.003 3.1.3: c(k) -> burst B0 + (k mod 8), position j = 2((49k) mod 57) + ((k mod 8) div 4)."""
    return [(k % 8, 2 * ((49 * k) % 57) + ((k % 8) // 4)) for k in range(BLOCK)]


def xcch_interleave(coded) -> np.ndarray:
    i = np.zeros((4, 114), dtype=np.uint8)
    for k, (b, j) in enumerate(rectangular_positions()):
        i[b, j] = coded[k]
    return np.stack([burst_map(i[b], 1, 1) for b in range(4)])


def xcch_deinterleave(bursts) -> np.ndarray:
    i = np.stack([burst_unmap(e) for e in np.asarray(bursts)])
    return np.array([i[b, j] for b, j in rectangular_positions()])


# ---- xCCH ----

def xcch_encode_block(l2: bytes) -> np.ndarray:
    assert len(l2) == 23
    d = octets_to_bits(l2)
    u = np.concatenate([d, parity(d, FIRE)])
    return conv_encode(u)


def xcch_decode_block(soft) -> Decoded:
    u = conv_decode(soft, 224)
    d, p = u[:184], u[184:]
    errors = count_errors(soft, conv_encode(u))
    return Decoded(parity_ok(d, p, FIRE), bits_to_octets(d), errors)


def xcch_encode(l2: bytes) -> np.ndarray:
    """A 23-octet L2 frame -> 4 bursts of 116 hard bits."""
    return xcch_interleave(xcch_encode_block(l2))


def xcch_decode(bursts) -> Decoded:
    return xcch_decode_block(xcch_deinterleave(bursts))


# ---- SCH ----

def sch_info_octets(bsic: int, fn: int) -> bytes:
    """44.018 9.1.30's four octets, each drawn bit 8 first: octet 1 = BSIC(6) T1(high 2),
    octet 2 = T1(middle 8), octet 3 = T1(low 1) T2(5) T3'(high 2), octet 4 = T3'(low 1) in bit 1
    with bits 8-2 spare.  Sent bit 1 first, the 25 information bits end at octet 4's bit 1."""
    t1 = fn // (26 * 51)
    t2 = fn % 26
    t3p = (fn % 51 - 1) // 10
    fields = f"{bsic:06b}{t1:011b}{t2:05b}{t3p:03b}"
    stream = fields[:24] + "0000000" + fields[24]
    return bytes(int(stream[8 * i:8 * i + 8], 2) for i in range(4))


def sch_info(bsic: int, fn: int) -> np.ndarray:
    """d(0..24) of the SCH for (BSIC, FN)."""
    return octets_to_bits(sch_info_octets(bsic, fn))[:25]


def sch_encode(d25) -> np.ndarray:
    d = np.asarray(d25, dtype=np.uint8)
    return conv_encode(np.concatenate([d, parity(d, SCH_CRC)]))


def sch_decode(soft) -> Decoded:
    u = conv_decode(soft, 35)
    return Decoded(parity_ok(u[:25], u[25:], SCH_CRC), u[:25], count_errors(soft, conv_encode(u)))


def sch_fields(d25) -> tuple[int, int, int, int]:
    """(BSIC, T1, T2, T3') from d(0..24)."""
    octets = bits_to_octets(list(d25) + [0] * 7)
    stream = "".join(f"{o:08b}" for o in octets)
    fields = stream[:24] + stream[31]
    return int(fields[0:6], 2), int(fields[6:17], 2), int(fields[17:22], 2), int(fields[22:25], 2)


# ---- RACH ----

def _bsic_bits(bsic: int) -> np.ndarray:
    """b(0) = MSB of the NCC ... b(5) = LSB of the BCC (45.003 4.6)."""
    return np.array([int(c) for c in f"{bsic:06b}"], dtype=np.uint8)


def rach_encode(ra: int, bsic: int) -> np.ndarray:
    d = octets_to_bits(bytes([ra]))   # bit 1 first, like every octet
    colour = parity(d, RACH_CRC) ^ _bsic_bits(bsic)
    return conv_encode(np.concatenate([d, colour]))


def rach_decode(soft, bsic: int) -> Decoded:
    u = conv_decode(soft, 14)
    d, colour = u[:8], u[8:]
    ok = parity_ok(d, colour ^ _bsic_bits(bsic), RACH_CRC)
    return Decoded(ok, bits_to_octets(d)[0], count_errors(soft, conv_encode(u)))


# ---- TCH/FS ----

def tch_fs_encode(d260) -> np.ndarray:
    """45.003 3.1: p over class 1a, u(k) = d(2k), u(184-k) = d(2k+1), u(91+k) = p(k), 4 tail;
    c(378+k) = d(182+k)."""
    d = np.asarray(d260, dtype=np.uint8)
    u = np.zeros(185, dtype=np.uint8)
    for k in range(91):
        u[k] = d[2 * k]
        u[184 - k] = d[2 * k + 1]
    u[91:94] = parity(d[:50], TCH_FS_CRC)
    return np.concatenate([conv_encode(u), d[182:260]])


def tch_fs_decode(soft) -> Decoded:
    soft = np.asarray(soft)
    u = conv_decode(soft[:378], 185)
    d = np.zeros(260, dtype=np.uint8)
    for k in range(91):
        d[2 * k] = u[k]
        d[2 * k + 1] = u[184 - k]
    d[182:] = soft[378:] > 0
    ok = parity_ok(d[:50], u[91:94], TCH_FS_CRC)
    return Decoded(ok, d, count_errors(soft[:378], conv_encode(u)))


# ---- block-diagonal interleaving (TCH/FS, FACCH/F) ----

def diagonal_interleave(blocks, facch) -> np.ndarray:
    """Blocks n = 0..N-1 of 456 bits, block n starting at burst 4n -> bursts 0..4N+3.  hu(B) of a
    block's first 4 bursts and hl(B) of its last 4 say whether it is FACCH; halves no block
    fills (before block 0, after block N-1) are 0."""
    n = len(blocks)
    i = np.zeros((4 * n + 4, 114), dtype=np.uint8)
    hl = np.zeros(4 * n + 4, dtype=np.uint8)
    hu = np.zeros(4 * n + 4, dtype=np.uint8)
    for b, (block, stolen) in enumerate(zip(blocks, facch)):
        for k, (off, j) in enumerate(diagonal_positions()):
            i[4 * b + off, j] = block[k]
        hu[4 * b:4 * b + 4] = stolen
        hl[4 * b + 4:4 * b + 8] = stolen
    return np.stack([burst_map(i[x], hl[x], hu[x]) for x in range(4 * n + 4)])


def diagonal_deinterleave(bursts, first: int) -> np.ndarray:
    """The block whose first burst is bursts[first]."""
    i = [burst_unmap(bursts[first + x]) for x in range(8)]
    return np.array([i[off][j] for off, j in diagonal_positions()])


def diagonal_stolen(bursts, first: int) -> bool:
    flags = [bursts[first + x][HU] for x in range(4)] + [bursts[first + 4 + x][HL] for x in range(4)]
    return sum(int(f) for f in flags) > 0


def facch_f_encode(l2: bytes) -> np.ndarray:
    """FACCH/F's 456 coded bits are an xCCH block's; they ride the diagonal interleaver."""
    return xcch_encode_block(l2)
