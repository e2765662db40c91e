"""Abuse: garbage on the line, power cut in the middle of a flash, an image that never starts.

The garbage tests throw 10,000 random or mutated frames at the bootloader, then checks that it
still answers and that its flash is untouched, and 2,000 at debugd (the kernel's user-level
debug agent), which must still answer with its threads intact.  The power-cut test runs on a scratch board (a
second QEMU with its own flash files) and kills QEMU at random points of a flash: the image that
was there before must still boot by itself, whether the whole image crossed the line or most of
it was being copied from the other slot (a skip-flash).  Both print their random seed; RIG_SEED
replays it.
On a scratch board too, a build that never starts is flashed: it boots once on trial, and the
next reset brings the last confirmed image back by itself.
"""

import random
import threading
import time
from typing import Callable

import pytest

from host.errors import LinkError, LinkTimeout
from host.flash import flash_image, plan, read_slots, slot_sums
from host.link import raw_frame, role_of
from protocol import (
    FLASH_SUM_BLOCK,
    IMAGE_PAYLOAD_OFFSET,
    MAX_ENCODED_FRAME,
    PROTO_VERSION,
    Feature,
    MsgType,
    Role,
    SlotState,
    build_image,
    cobs_encode,
    encode,
    parse_image,
)

GARBAGE_FRAMES = 10_000
BATCH = 50
# Requests a mutated frame may be based on: none of them changes the flash or leaves the
# bootloader (BOOT, RESET and FLASH_BEGIN stay out; FLASH_DATA/END without BEGIN are refused).
HARMLESS = [MsgType.HELLO, MsgType.PING, MsgType.SLOTS, MsgType.READ_MEM, MsgType.FLASH_DATA, MsgType.FLASH_END]
# ... and for debugd: requests that only read (RUN_TEST, BENCH, SYSCALL, INJECT_IRQ and RESET act)
HARMLESS_KERNEL = [MsgType.HELLO, MsgType.PING, MsgType.READ_MEM, MsgType.STATS, MsgType.THREADS, MsgType.TESTS,
                   MsgType.TRACE]
KERNEL_GARBAGE_FRAMES = 2_000
KNOWN = {int(t) for t in MsgType}


def _valid(rng: random.Random, msg_type: MsgType) -> bytes:
    seq = rng.randrange(1, 0x10000)
    if msg_type == MsgType.PING:
        return encode(msg_type, seq, dict(data=rng.randbytes(rng.randrange(0, 64))))
    if msg_type == MsgType.READ_MEM:
        return encode(msg_type, seq, dict(addr=rng.getrandbits(32), length=rng.randrange(0, 64)))
    if msg_type == MsgType.FLASH_DATA:
        return encode(msg_type, seq, dict(offset=rng.randrange(0, 1 << 16) * 4, data=rng.randbytes(rng.randrange(0, 64))))
    if msg_type in (MsgType.THREADS, MsgType.TESTS):
        return encode(msg_type, seq, dict(start=rng.randrange(0, 0x10000)))
    if msg_type == MsgType.TRACE:
        return encode(msg_type, seq, dict(start=rng.getrandbits(32)))
    return encode(msg_type, seq)


# The target answers some garbage (an unknown type, another version, a bad length) with an ERROR
# that carries the garbage's sequence number.  Should that number be the one of the PING that
# paces the batches, the link would take the ERROR for the PING's answer: garbage numbers keep
# clear of the ones the link is about to use.
SEQ_CLEARANCE = 1000


def seq_source(rng: random.Random, link) -> Callable[[], int]:
    """Sequence numbers for garbage frames: never within SEQ_CLEARANCE of the link's next."""
    base = link.next_seq()
    span = 0xFFFF - 2 * SEQ_CLEARANCE
    return lambda: (base - 1 + SEQ_CLEARANCE + rng.randrange(span)) % 0xFFFF + 1


def garbage_frame(rng: random.Random, harmless: list[MsgType] = HARMLESS, seq=None) -> bytes:
    kind = rng.randrange(8)
    if seq is None:
        seq = lambda: rng.randrange(1, 0x10000)  # noqa: E731
    if kind == 0:           # random bytes, zeros included
        return rng.randbytes(rng.randrange(1, 200)) + b"\x00"
    if kind == 1:           # a valid frame with one bit flipped (the CRC catches every 1-bit error)
        frame = bytearray(_valid(rng, rng.choice(harmless)))
        frame[rng.randrange(len(frame) - 1)] ^= 1 << rng.randrange(8)
        return bytes(frame) + b"\x00"
    if kind == 2:           # a valid frame cut short
        frame = _valid(rng, rng.choice(harmless))
        return frame[:rng.randrange(1, len(frame) - 1)] + b"\x00"
    if kind == 3:           # good CRC, unknown message type
        unknown = rng.choice([t for t in range(256) if t not in KNOWN])
        return raw_frame(unknown, seq(), rng.randbytes(rng.randrange(0, 32)))
    if kind == 4:           # good CRC, another protocol version
        return raw_frame(MsgType.PING, seq(), b"v", version=PROTO_VERSION + 1 + rng.randrange(254))
    if kind == 5:           # good CRC, length field that lies
        body = bytearray([PROTO_VERSION, MsgType.PING, 1, 0, rng.randrange(8, 255), 0]) + rng.randbytes(4)
        crc = __import__("zlib").crc32(bytes(body)).to_bytes(4, "little")
        return cobs_encode(bytes(body) + crc) + b"\x00"
    if kind == 6:           # good CRC, payload the wrong size for its type (READ_MEM takes 6 bytes)
        return raw_frame(MsgType.READ_MEM, seq(), rng.randbytes(rng.choice([1, 3, 5, 7, 9])))
    if rng.random() < 0.02:  # a run longer than any frame, then the delimiter
        return bytes(rng.randrange(1, 256) for _ in range(MAX_ENCODED_FRAME + 16)) + b"\x00"
    return b"\x00" * rng.randrange(1, 4)   # idle delimiters


def test_garbage_frames_leave_the_bootloader_answering(bootloader, rng):
    slots = bool(bootloader.request(MsgType.HELLO).features & Feature.FLASH)    # raspi2b has none
    before = read_slots(bootloader) if slots else None
    seq = seq_source(rng, bootloader)
    frames = [garbage_frame(rng, seq=seq) for _ in range(GARBAGE_FRAMES)]
    for start in range(0, len(frames), BATCH):
        bootloader.send_raw(b"".join(frames[start:start + BATCH]))
        # flow control: the PING is answered once the batch (and its ERROR answers) went through,
        # so neither direction of the line fills up; it also shows the bootloader is alive
        bootloader.request(MsgType.PING, dict(data=b"sync"), timeout=10, retries=0)
    for size in (0, 100, 4096):
        data = rng.randbytes(size)
        assert bytes(bootloader.request(MsgType.PING, dict(data=data)).data) == data
    if slots:
        assert read_slots(bootloader).payload == before.payload, "garbage changed the flash slots"


@pytest.mark.feature("THREADS")
def test_garbage_frames_leave_debugd_answering(link, debugd, servers, check_unharmed, rng):
    before = link.request(MsgType.HELLO)
    ticks = debugd.stats().ticks
    threads_before = servers()
    seq = seq_source(rng, link)
    frames = [garbage_frame(rng, HARMLESS_KERNEL, seq=seq) for _ in range(KERNEL_GARBAGE_FRAMES)]
    for start in range(0, len(frames), BATCH):
        link.send_raw(b"".join(frames[start:start + BATCH]))
        link.request(MsgType.PING, dict(data=b"sync"), timeout=10, retries=0)
    after_info = link.request(MsgType.HELLO)
    assert bytes(after_info.build_id) == bytes(before.build_id) and after_info.role == before.role
    assert debugd.stats().ticks > ticks, "the kernel restarted"
    check_unharmed(threads_before, "after the garbage")


class _PowerCut(Exception):
    pass


@pytest.mark.qemu
def test_flash_cut_off_at_random_points_still_boots_the_old_image(scratch_board, scratch_target, firmware,
                                                                     kernel_image, firmware_build_id, rng):
    header, payload = parse_image(kernel_image)
    # the image being cut: the same kernel with zeros behind it (they land in its .bss), so that
    # it spans many chunks and still boots if the cut comes after the commit
    bigger = build_image(payload + bytes(16 * 1024), load_addr=header.load_addr, entry=header.entry,
                         board=header.board, build_id=bytes(header.build_id))
    image_id = firmware_build_id
    scratch_target.bootloader()
    good = flash_image(scratch_target.link, kernel_image)
    started = time.monotonic()
    flash_image(scratch_target.link, bigger)     # how long a whole flash takes, for timed cuts
    full_time = time.monotonic() - started
    length = len(bigger) - IMAGE_PAYLOAD_OFFSET
    cuts = [("after chunk", rng.randrange(length)) for _ in range(2)]
    cuts += [("after seconds", rng.uniform(0, full_time)) for _ in range(3)]
    for how, where in cuts:
        scratch_target.bootloader()
        before = read_slots(scratch_target.link)
        old = before.newest
        completed = False
        timer = None

        def cut_at(done: int, total: int) -> None:
            if how == "after chunk" and done >= where:
                scratch_board.qemu.kill()
                raise _PowerCut()

        if how == "after seconds":
            timer = threading.Timer(where, scratch_board.qemu.kill)
            timer.start()
        try:
            flash_image(scratch_target.link, bigger, progress=cut_at, verify=False, reuse=False)
            completed = True
        except (_PowerCut, LinkError):
            pass
        finally:
            if timer is not None:
                timer.join()
        scratch_board.qemu.kill()
        scratch_board.qemu.up(firmware.boot_bin)

        info = scratch_target.autoboot()        # no host help: the bootloader picks by itself
        assert bytes(info.build_id) == image_id, f"cut {how} {where}: wrong image booted"
        scratch_target.bootloader()
        after = read_slots(scratch_target.link)
        if completed:
            continue  # the flash finished before the cut: the new image is the newest, fine
        assert after.newest == old, f"cut {how} {where}: newest slot moved from {old} to {after.newest}"
        assert _same_image(after.slots[old], before.slots[old]), f"cut {how} {where}: the old image changed"
        assert info.active_slot == old
    assert good.slot in (0, 1)


@pytest.mark.qemu
def test_a_skip_flash_cut_off_midway_still_boots_the_old_image(scratch_board, scratch_target, firmware,
                                                              kernel_image, firmware_build_id, rng):
    """A flash that copies most blocks from the confirmed slot and sends the rest (FLASH_COPY
    between FLASH_DATA_LZ4 chunks), cut off by power at random points: the confirmed image stays
    the newest, unchanged, and boots by itself.  The cut always comes before FLASH_END, so the
    changed image (one byte in every seventh block: it would not start) is never committed."""
    header, payload = parse_image(kernel_image)
    changed = bytearray(payload)
    for at in range(3 * FLASH_SUM_BLOCK + 11, len(payload), 7 * FLASH_SUM_BLOCK):
        changed[at] ^= 0x5A
    image = build_image(bytes(changed), load_addr=header.load_addr, entry=header.entry, board=header.board,
                        build_id=bytes(20))
    scratch_target.bootloader()
    good = flash_image(scratch_target.link, kernel_image)
    assert scratch_target.start().active_slot == good.slot      # on trial, then confirmed
    for cut_after in sorted(rng.randrange(FLASH_SUM_BLOCK, len(payload)) for _ in range(3)):
        scratch_target.bootloader()
        link = scratch_target.link
        before = read_slots(link)
        assert before.confirmed == good.slot
        runs = plan(bytes(changed), 1 - good.slot, {good.slot: slot_sums(link, good.slot, len(payload))})
        assert {r.source for r in runs} == {good.slot, None}, "the flash should copy and send by turns"

        def cut_at(done: int, total: int) -> None:
            if done >= cut_after:
                scratch_board.qemu.kill()
                raise _PowerCut()

        with pytest.raises((_PowerCut, LinkError)):
            flash_image(link, image, progress=cut_at, verify=False)
        scratch_board.qemu.kill()
        scratch_board.qemu.up(firmware.boot_bin)
        info = scratch_target.autoboot()
        assert bytes(info.build_id) == firmware_build_id and info.active_slot == good.slot, f"cut at {cut_after}"
        scratch_target.bootloader()
        after = read_slots(scratch_target.link)
        assert after.newest == good.slot and after.confirmed == good.slot, f"cut at {cut_after}"
        assert _same_image(after.slots[good.slot], before.slots[good.slot]), f"cut at {cut_after}: the old image changed"
        assert not after.slots[1 - good.slot].valid, f"cut at {cut_after}: a half-written slot checks out"


def _same_image(a, b) -> bool:
    """Two slot entries hold the same image (its boot state may have moved on: booted on trial,
    confirmed)."""
    return (a.valid, a.sequence, a.length, a.crc, bytes(a.build_id)) == \
           (b.valid, b.sequence, b.length, b.crc, bytes(b.build_id))


ARM_BRANCH_TO_SELF = (0xEAFFFFFE).to_bytes(4, "little")     # `b .`: a build that never starts


def test_an_image_that_never_confirms_is_abandoned_for_the_last_confirmed(scratch_board, scratch_target,
                                                                          firmware, kernel_image, firmware_build_id, rng):
    header, _ = parse_image(kernel_image)
    image_id = firmware_build_id
    link = scratch_target.open()
    scratch_target.bootloader()
    good = flash_image(link, kernel_image)
    assert scratch_target.start().active_slot == good.slot      # on trial, then confirmed
    scratch_target.bootloader()
    assert read_slots(link).confirmed == good.slot

    # a bad build: header and CRC valid, a payload that spins at its entry and never confirms
    hang = build_image(ARM_BRANCH_TO_SELF * 1024, load_addr=header.load_addr, entry=header.load_addr,
                       board=header.board, build_id=bytes([0xBB]) * 20)
    bad = flash_image(link, hang)
    assert bad.slot != good.slot
    scratch_target.reset()                  # no host help from here: the bootloader decides
    link.flush()
    trial = link.wait_for(lambda m: m.type == MsgType.LOG and "on trial" in m.text, timeout=10.0,
                          what="the bootloader booting the new image on trial")
    assert f"slot {bad.slot}" in trial.text
    with pytest.raises(LinkTimeout):        # it hangs: no kernel comes up
        link.wait_for(lambda m: m.type == MsgType.INFO and role_of(m) == Role.KERNEL, timeout=3.0,
                      what="a kernel")

    info = scratch_target.autoboot()        # the next reset: back on the confirmed image
    assert bytes(info.build_id) == image_id and info.active_slot == good.slot
    scratch_target.bootloader()
    slots = read_slots(link)
    assert str(slots.slots[bad.slot].state) == SlotState.TRIAL.name and slots.confirmed == good.slot

    # the next flash goes over the abandoned image, never the confirmed one: cut it by power
    length = len(kernel_image) - IMAGE_PAYLOAD_OFFSET
    cut_after = rng.randrange(length // 4, length)

    def cut_at(done: int, total: int) -> None:
        if done >= cut_after:
            scratch_board.qemu.kill()
            raise _PowerCut()

    with pytest.raises((_PowerCut, LinkError)):
        flash_image(link, kernel_image, progress=cut_at, verify=False)
    scratch_board.qemu.kill()
    scratch_board.qemu.up(firmware.boot_bin)
    info = scratch_target.autoboot()
    assert bytes(info.build_id) == image_id and info.active_slot == good.slot
