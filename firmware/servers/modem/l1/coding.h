/* GSM channel coding for the mobile station (3GPP TS 45.003): the rate-1/2 K=5 convolutional
 * code and its soft-decision Viterbi decoder, the block parities (FIRE code, SCH, RACH, TCH/FS
 * class 1a CRC), interleaving and the mapping of coded bits onto bursts.
 *
 * Conventions, shared with the equalizer:
 * - Hard bits are uint8_t 0/1, one per byte.  Soft bits are int8_t in -127..127: positive means 1,
 *   negative means 0, and 0 means unknown (erased, or not transmitted).
 * - A normal burst's 116 "encrypted" bits are e(B,0..115) of 45.003 in burst order: e[0..56] are
 *   burst bits 3..59 (45.002 5.2.3 numbering), e[57] is burst bit 60, e[58] is burst bit 87 and
 *   e[59..115] are burst bits 88..144.  45.003 4.1.5/3.1.4 put the stealing flags there:
 *   e[57] = hl(B) (burst bit 60) and e[58] = hu(B) (burst bit 87).
 * - An SCH burst's 78 coded bits are burst bits 3..41 then 106..144, c(0..77) in order.
 * - A RACH (access burst) carries c(0..35) as its 36 encrypted bits.
 * - Data bits d(k) of an L2 frame are taken octet by octet, bit 1 (the least significant) first:
 *   d(8i + b) is bit b of octet i (45.003 4.1.1, 44.006 bit order).
 *
 * Invariants: every encoder is a pure function of its input; decoders never read or write past
 * the sizes in their prototypes; the Viterbi decoder uses integer arithmetic only and no division.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSM_BURST_BITS 116   /* e(B,0..115) of a normal burst */
#define GSM_BURST_HL 57      /* e index of hl(B), burst bit 60 */
#define GSM_BURST_HU 58      /* e index of hu(B), burst bit 87 */

#define GSM_L2_OCTETS 23
#define GSM_BLOCK_CODED 456  /* coded bits of an xCCH, FACCH or TCH/FS block */

#define GSM_SCH_CODED 78
#define GSM_RACH_CODED 36
#define GSM_TCH_FS_BITS 260  /* d(0..259): class 1a 0..49, class 1b 50..181, class 2 182..259 */

/* The longest trellis the decoder takes, in steps (input bits, tail included): xCCH's 228. */
#define GSM_CONV_MAX_STEPS 228

#define GSM_CONV_INVALID ((unsigned)-1)

/* Decoder results. */
#define GSM_CODING_OK 0
#define GSM_CODING_BAD_PARITY (-1)

/* ---- Convolutional code: G0 = 1 + D^3 + D^4, G1 = 1 + D + D^3 + D^4 (45.003 4.1.3) ---- */

/* Encodes in[0..n_in-1] (tail bits included; the coder starts in state 0) into
 * out[0..2*n_in-1], out[2k] = u(k)+u(k-3)+u(k-4), out[2k+1] = u(k)+u(k-1)+u(k-3)+u(k-4). */
void gsm_conv_encode(const uint8_t *in, unsigned n_in, uint8_t *out);

/* Maximum-likelihood decoding of soft[0..2*n_out-1] over the terminated trellis (starts and ends
 * in state 0, so the last 4 decoded bits are the zero tail).  Erased inputs (0) weigh nothing.
 * Writes out[0..n_out-1] and returns the number of non-erased soft inputs whose sign disagrees
 * with the re-encoded decision (the channel's bit errors as the decoder sees them).
 * Requires 4 < n_out <= GSM_CONV_MAX_STEPS; returns GSM_CONV_INVALID and writes nothing
 * otherwise. */
unsigned gsm_conv_decode(const int8_t *soft, unsigned n_out, uint8_t *out);

/* ---- Parity (45.003 4.1.2, 4.6, 4.7, 3.1.2): systematic cyclic codes whose remainder is
 * inverted, so that data followed by parity leaves the all-ones remainder.  p[0] multiplies the
 * highest power (the first parity bit sent). ---- */

/* Computes p[0..degree-1] over d[0..n-1] for generator x^degree + poly (poly holds the lower
 * coefficients, bit i for x^i).  degree <= 64. */
void gsm_parity(const uint8_t *d, unsigned n, uint64_t poly, unsigned degree, uint8_t *p);
/* True when p[0..degree-1] is the parity of d[0..n-1]. */
bool gsm_parity_check(const uint8_t *d, unsigned n, uint64_t poly, unsigned degree, const uint8_t *p);

#define GSM_FIRE_POLY 0x0004820009ull  /* (D^23+1)(D^17+D^3+1), without D^40 */
#define GSM_SCH_POLY 0x175u            /* D^10+D^8+D^6+D^5+D^4+D^2+1, without D^10 */
#define GSM_RACH_POLY 0x2fu            /* D^6+D^5+D^3+D^2+D+1, without D^6 */
#define GSM_TCH_FS_POLY 0x3u           /* D^3+D+1, without D^3 */

/* ---- xCCH: BCCH, PCH/AGCH, SDCCH, SACCH; and FACCH, whose block is the same ---- */

/* 184 data bits + 40 FIRE parity + 4 tail -> 456 coded bits. */
void gsm_xcch_encode_block(const uint8_t l2[GSM_L2_OCTETS], uint8_t coded[GSM_BLOCK_CODED]);
/* Decodes 456 soft bits; returns GSM_CODING_OK when the FIRE parity checks (l2 is then valid),
 * GSM_CODING_BAD_PARITY otherwise.  *bit_errors as gsm_conv_decode counts them. */
int gsm_xcch_decode_block(const int8_t coded[GSM_BLOCK_CODED], uint8_t l2[GSM_L2_OCTETS],
                          unsigned *bit_errors);

/* Block-rectangular interleaving over 4 bursts (45.003 4.1.4) and the burst mapping (4.1.5):
 * c(k) goes to burst k mod 4, position j = 2((49k) mod 57) + ((k mod 8) div 4); hl = hu = 1. */
void gsm_xcch_interleave(const uint8_t coded[GSM_BLOCK_CODED], uint8_t bursts[4][GSM_BURST_BITS]);
void gsm_xcch_deinterleave(const int8_t bursts[4][GSM_BURST_BITS], int8_t coded[GSM_BLOCK_CODED]);

void gsm_xcch_encode(const uint8_t l2[GSM_L2_OCTETS], uint8_t bursts[4][GSM_BURST_BITS]);
int gsm_xcch_decode(const int8_t bursts[4][GSM_BURST_BITS], uint8_t l2[GSM_L2_OCTETS],
                    unsigned *bit_errors);

/* ---- SCH (45.003 4.7): 25 info bits + 10 parity + 4 tail -> 78 ----
 * info25 bit k is d(k).  With the SCH information of 44.018 9.1.30 as octets o[0..3] (BSIC in
 * the top 6 bits of o[0], T1 across o[0..2], T2 and T3' below), info25 = o[0] | o[1]<<8 |
 * o[2]<<16 | o[3]<<24, bits taken least significant first as for every L2 octet. */
void gsm_sch_encode(uint32_t info25, uint8_t coded[GSM_SCH_CODED]);
int gsm_sch_decode(const int8_t soft[GSM_SCH_CODED], uint32_t *info25, unsigned *bit_errors);

/* SCH information for a cell with BSIC (NCC<<3 | BCC) on frame number fn: T1 = fn div 1326,
 * T2 = fn mod 26, T3' = (fn mod 51 - 1) div 10 (45.002 3.3.2.2, 44.018 9.1.30). */
uint32_t gsm_sch_info(uint8_t bsic, uint32_t fn);
/* Splits info25 into BSIC, T1, T2 and T3'. */
void gsm_sch_info_unpack(uint32_t info25, uint8_t *bsic, uint16_t *t1, uint8_t *t2, uint8_t *t3p);
/* The frame number an SCH with (T1, T2, T3') was sent on (45.002 3.3.2.2); T3 = 10 T3' + 1. */
uint32_t gsm_sch_fn(uint16_t t1, uint8_t t2, uint8_t t3p);

/* ---- RACH (45.003 4.6): 8 info bits + 6 parity XOR BSIC + 4 tail -> 36 ----
 * d(k) is bit k of ra: bit 1 (the least significant) first, as for every L2 octet (libosmocore's
 * published vectors send ra = 0x01 as d = 1 0 0 0 0 0 0 0).
 * The colour bits are C(k) = p(k) + b(k), b(0) the MSB of the NCC ... b(5) the LSB of the BCC,
 * that is b(k) = bit 5-k of bsic. */
void gsm_rach_encode(uint8_t ra, uint8_t bsic, uint8_t coded[GSM_RACH_CODED]);
int gsm_rach_decode(const int8_t soft[GSM_RACH_CODED], uint8_t bsic, uint8_t *ra,
                    unsigned *bit_errors);

/* ---- TCH/FS (45.003 3.1): d(0..259) in the order of 45.003 table 2 (the speech codec's
 * parameters sorted by importance; that sorting belongs to the codec) ----
 * 3 parity bits over class 1a, reordering u(k) = d(2k), u(184-k) = d(2k+1), u(91..93) = p,
 * 4 tail; 189 -> 378 coded bits, then class 2 d(182..259) uncoded as c(378..455). */
void gsm_tch_fs_encode(const uint8_t bits260[GSM_TCH_FS_BITS], uint8_t coded[GSM_BLOCK_CODED]);
/* Returns GSM_CODING_OK when the class 1a parity checks.  Class 2 bits are the soft inputs'
 * signs (an erased class 2 bit reads 0); having no redundancy, they add nothing to *bit_errors,
 * which counts the 378 coded bits only. */
int gsm_tch_fs_decode(const int8_t coded[GSM_BLOCK_CODED], uint8_t bits260[GSM_TCH_FS_BITS],
                      unsigned *bit_errors);

/* The test pattern a call's TCH/FS frames carry instead of a codec's (GSM_TCH_FS_BITS bits)
 * for the block whose first burst is on frame number `fn`; `direction` 0 downlink, 1 uplink.
 * Bits come from xorshift32 seeded with fn * 0x9E3779B1 ^ (0x5A5A5A5A or 0xA5A5A5A5; 0 taken
 * as 1), 32 per step, the least significant first. */
void gsm_speech_pattern(uint32_t fn, unsigned direction, uint8_t bits[GSM_TCH_FS_BITS]);

/* ---- Block-diagonal interleaving over 8 bursts (45.003 3.1.3), for TCH/FS and FACCH/F ----
 * Layer 1 keeps a ring of 8 bursts indexed by (burst number mod 8).  A block starting at ring
 * slot b0 (0 or 4) has c(k) in slot (b0 + k mod 8) mod 8 at position j = 2((49k) mod 57) +
 * ((k mod 8) div 4): the even positions of its first 4 bursts and the odd positions of its
 * last 4.  Each burst thus carries the odd half of the previous block and the even half of the
 * next one; hu(B) flags the even half (set in the block's first 4 bursts), hl(B) the odd half
 * (set in its last 4), 1 when the block is FACCH (45.003 3.1.4, 4.2.5).
 *
 * Transmit: every 4 bursts, gsm_tch_interleave the new block at b0, then send slots b0..b0+3,
 * which are complete.  Receive: store each burst in its slot; once slots b0..b0+7 (mod 8) hold
 * one block's 8 bursts, gsm_tch_deinterleave it.  Each call touches 456 bits and 8 flags. */
void gsm_tch_interleave(const uint8_t coded[GSM_BLOCK_CODED], bool facch, unsigned b0,
                        uint8_t ring[8][GSM_BURST_BITS]);
void gsm_tch_deinterleave(const int8_t ring[8][GSM_BURST_BITS], unsigned b0,
                          int8_t coded[GSM_BLOCK_CODED]);
/* The block starting at slot b0 was stolen for FACCH: the soft sum of its 8 flags is positive. */
bool gsm_tch_stolen(const int8_t ring[8][GSM_BURST_BITS], unsigned b0);
