"""The bootloader: identity, memory, flashing and verifying images, A/B slots, refusals,
test-then-confirm, images loaded straight into RAM.

These use the `bootloader` fixture: each test starts from a fresh reset with autoboot
cancelled.  The board keeps a confirmed image throughout (a refused, corrupt or new image never
replaces the last confirmed one), which some tests check by booting it.
"""

import dataclasses
import time

import pytest

from host import boarddef
from host.board import Board
from host.debugd import Debugd
from host.qemu import QemuDriver
from host.strategy import Target
from host.errors import RemoteError
from host.flash import chunks, flash_image, read_slots, takes_lz4
from host.link import role_of
from protocol import (
    FLASH_SUM_BLOCK,
    IMAGE_HEADER_SIZE,
    IMAGE_PAYLOAD_OFFSET,
    SLOT_AUTO,
    SLOT_COUNT,
    SLOT_RAM,
    ErrorCode,
    SlotState,
    Feature,
    ImageHeader,
    MsgType,
    Role,
    build_image,
    crc32,
    parse_image,
)


def test_bootloader_identifies_itself(bootloader, rig_board):
    info = bootloader.request(MsgType.HELLO)
    assert role_of(info) == Role.BOOTLOADER
    assert info.board == rig_board.name
    assert info.features & Feature.BOOT and info.features & Feature.RAM_BOOT
    # image slots exactly where the board has flash for them
    has_slots = "BOARD_SLOT_SIZE" in boarddef.load(rig_board.name).defines
    assert bool(info.features & Feature.FLASH) == has_slots
    assert bool(info.features & Feature.FLASH_SUMS) == has_slots


def _slots_or_none(link):
    return list(read_slots(link).slots) if link.request(MsgType.HELLO).features & Feature.FLASH else None


def test_an_image_loaded_into_ram_boots_from_there_and_leaves_the_slots_alone(
        bootloader, rig_target, kernel_image, firmware_build_id):
    before = _slots_or_none(bootloader)
    result = flash_image(bootloader, kernel_image, slot=SLOT_RAM)
    assert result.slot == SLOT_RAM and result.kept == result.copied == 0
    assert _slots_or_none(bootloader) == before, "loading into RAM changed a slot"
    info = rig_target.start(SLOT_RAM)
    assert info.active_slot == SLOT_RAM and bytes(info.build_id) == firmware_build_id


@pytest.mark.qemu
def test_a_bootloader_entered_in_hyp_mode_leaves_it_and_the_kernel_runs(rig_board, firmware, kernel_image,
                                                                        firmware_build_id, tmp_path):
    """A Raspberry Pi's firmware starts kernel7.img in HYP mode; QEMU's raspi2b never does, but
    its virt machine does with virtualization=on.  The bootloader must drop to SVC (an exception
    in HYP would hang it before its INFO) and give PL1 the timer: the kernel, loaded into RAM,
    then runs its tick and answers."""
    if rig_board.spec.qemu.machine != "virt":
        pytest.skip("needs QEMU's virt machine (virtualization=on starts the CPU in HYP)")
    spec = dataclasses.replace(rig_board.spec, qemu=dataclasses.replace(
        rig_board.spec.qemu, machine="virt,virtualization=on"))
    driver = QemuDriver(spec, tmp_path / "hyp-board")
    driver.up(firmware.boot_bin)
    target = Target(Board(spec=spec, console=driver, power=driver, qemu=driver))
    try:
        target.bootloader()
        flash_image(target.link, kernel_image, slot=SLOT_RAM)
        info = target.start(SLOT_RAM)
        assert bytes(info.build_id) == firmware_build_id and info.features & Feature.TIMER
        debugd = Debugd(target.link)
        first, deadline = debugd.stats().ticks, time.monotonic() + 5
        while debugd.stats().ticks == first:
            assert time.monotonic() < deadline, "the kernel's tick does not run"
    finally:
        target.close()
        driver.down()


def test_a_corrupt_image_in_ram_is_refused_and_not_booted(bootloader, kernel_image):
    """The payload is checked against the header's CRC where it lies: a flipped byte fails
    FLASH_END, and BOOT of the RAM image is then refused (nothing half-loaded is entered)."""
    corrupt = bytearray(kernel_image)
    corrupt[IMAGE_PAYLOAD_OFFSET + (len(kernel_image) - IMAGE_PAYLOAD_OFFSET) // 3] ^= 0xA5
    with pytest.raises(RemoteError) as refused:
        flash_image(bootloader, bytes(corrupt), slot=SLOT_RAM, check=False)
    assert refused.value.code == ErrorCode.VERIFY_FAILED and "RAM" in refused.value.text
    with pytest.raises(RemoteError) as not_booted:
        bootloader.request(MsgType.BOOT, dict(slot=SLOT_RAM), retries=0)
    assert not_booted.value.code == ErrorCode.NO_IMAGE
    with pytest.raises(RemoteError) as bad_header:
        flash_image(bootloader, _with_header(kernel_image, board="other-board"), slot=SLOT_RAM, check=False)
    assert bad_header.value.code == ErrorCode.BAD_IMAGE
    assert bytes(bootloader.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"


def test_bootloader_reads_its_own_code(bootloader, firmware, rig_board):
    """Where it runs: flash bank 0 (qemu-virt), or the RAM the firmware loaded it to (raspi2b)."""
    defines = boarddef.load(rig_board.name).defines
    base = defines["BOOT_ROM_BASE"]
    base = defines[base] if isinstance(base, str) else base     # it may name another define
    code = firmware.boot_bin.read_bytes()[:1024]
    got = bootloader.request(MsgType.READ_MEM, dict(addr=base, length=len(code)))
    assert bytes(got.data) == code


def test_flash_writes_verifies_and_boots_an_image(bootloader, rig_target, kernel_image, firmware_build_id):
    before = read_slots(bootloader)
    result = flash_image(bootloader, kernel_image)     # checks SLOTS itself, too
    after = read_slots(bootloader)
    entry = after.slots[result.slot]
    assert after.newest == result.slot
    assert entry.valid and entry.sequence == result.sequence
    assert bytes(entry.build_id) == firmware_build_id
    assert result.sequence > max([s.sequence for s in before.slots if s.valid], default=0)
    other = 1 - result.slot
    assert after.slots[other] == before.slots[other], "flashing one slot changed the other"
    info = rig_target.start()
    assert bytes(info.build_id) == firmware_build_id and info.active_slot == result.slot


def test_compressed_and_plain_flashing_write_the_same_slot(bootloader, kernel_image):
    """The bootloader takes LZ4 chunks (its INFO says so), and what they decode to is what the
    plain chunks write: each flash ends with the bootloader's CRC over the slot in flash
    (FLASH_END) and the rig's check of SLOTS, which pass only for the image's own bytes."""
    assert takes_lz4(bootloader)
    packed = flash_image(bootloader, kernel_image, compress=True, reuse=False)
    assert packed.wire < packed.sent * 0.6, f"{packed.wire} bytes on the line for {packed.sent}"
    plain = flash_image(bootloader, kernel_image, compress=False, reuse=False)
    assert plain.wire == plain.sent
    assert packed.crc == plain.crc and read_slots(bootloader).slots[plain.slot].valid


def test_a_corrupt_compressed_chunk_is_refused_and_nothing_is_written(bootloader, kernel_image):
    """A block that does not decode to its length, one that would overrun, and one too long are
    refused with BAD_LENGTH before anything is programmed: the same chunk, sent right, is
    then accepted at the same offset (the flash under it is still erased)."""
    _, payload = parse_image(kernel_image)
    # the image's first compressed piece, as the rig sends it
    fields = next(f for t, f, *_ in chunks(payload, compress=True) if t == MsgType.FLASH_DATA_LZ4)
    at, length, block = fields["offset"], fields["length"], fields["data"]
    bootloader.request(MsgType.FLASH_BEGIN, bytes([SLOT_AUTO]) + kernel_image[:IMAGE_HEADER_SIZE], timeout=30)
    for size, data in ((length, block[:-3]), (length - 4, block), (20000, block), (length, b"\xf0" + bytes(40))):
        with pytest.raises(RemoteError) as refused:
            bootloader.request(MsgType.FLASH_DATA_LZ4, dict(offset=at, length=size, data=data), retries=0)
        assert refused.value.code == ErrorCode.BAD_LENGTH
    assert bootloader.request(MsgType.FLASH_DATA_LZ4, dict(offset=at, length=length, data=block)).value == at + length


def test_flashing_the_same_image_again_sends_nothing_but_its_header(bootloader, kernel_image):
    """The second flash finds every block in a slot already (the one it goes to, or the other)
    and has the bootloader copy them: only the header crosses the line, and the slot checks
    out as a whole (FLASH_END's CRC, the rig's SLOTS check)."""
    first = flash_image(bootloader, kernel_image)
    second = flash_image(bootloader, kernel_image)
    assert second.slot == first.slot and second.sequence == first.sequence
    assert second.transmitted == 0 and second.kept + second.copied == second.length
    assert second.wire == IMAGE_HEADER_SIZE
    assert read_slots(bootloader).slots[second.slot].valid


def test_a_changed_image_sends_only_its_changed_blocks(bootloader, kernel_image):
    header, payload = parse_image(kernel_image)
    flash_image(bootloader, kernel_image)
    changed = bytearray(payload)
    for at in (5 * FLASH_SUM_BLOCK + 100, 9 * FLASH_SUM_BLOCK + 7, len(payload) - 1):
        changed[at] ^= 0xFF
    image = build_image(bytes(changed), load_addr=header.load_addr, entry=header.entry, board=header.board,
                        build_id=bytes(header.build_id))
    result = flash_image(bootloader, image)     # verified: valid, its CRC, newest
    last = len(payload) - (len(payload) - 1) // FLASH_SUM_BLOCK * FLASH_SUM_BLOCK
    assert result.transmitted == 2 * FLASH_SUM_BLOCK + last, f"{result.transmitted} payload bytes sent"
    assert result.wire < IMAGE_HEADER_SIZE + result.transmitted
    # back to the image the other tests expect: its blocks are all on the board
    assert flash_image(bootloader, kernel_image).transmitted == 0


def test_hostile_copy_and_sums_requests_are_refused(bootloader, kernel_image):
    """FLASH_COPY and FLASH_SUMS that do not add up get a clear refusal and program nothing:
    the right copy is then accepted at the same offset (the flash under it still erased)."""
    header, payload = parse_image(kernel_image)
    run = payload[:2 * FLASH_SUM_BLOCK]
    with pytest.raises(RemoteError) as refused:
        bootloader.request(MsgType.FLASH_COPY, dict(offset=0, length=len(run), slot=0, crc=crc32(run)), retries=0)
    assert refused.value.code == ErrorCode.BAD_STATE
    keep = read_slots(bootloader).confirmed
    assert keep != SLOT_AUTO, "needs a confirmed image in flash (run `rig flash`)"
    bootloader.request(MsgType.FLASH_BEGIN, bytes([SLOT_AUTO]) + kernel_image[:IMAGE_HEADER_SIZE], timeout=30)
    bad_copies = {
        ErrorCode.BAD_SLOT: dict(offset=0, length=len(run), slot=7, crc=crc32(run)),
        ErrorCode.VERIFY_FAILED: dict(offset=0, length=len(run), slot=keep, crc=crc32(run) ^ 1),
        ErrorCode.BAD_LENGTH: dict(offset=2, length=len(run), slot=keep, crc=crc32(run)),
    }
    bad_copies[ErrorCode.BAD_LENGTH + 100] = dict(offset=len(payload) - 4, length=8, slot=keep, crc=0)
    bad_copies[ErrorCode.BAD_LENGTH + 200] = dict(offset=0, length=0, slot=keep, crc=0)
    for code, fields in bad_copies.items():
        with pytest.raises(RemoteError) as refused:
            bootloader.request(MsgType.FLASH_COPY, fields, retries=0)
        assert refused.value.code == code % 100 and refused.value.text, fields
    for code, fields in {ErrorCode.BAD_SLOT: dict(slot=2, offset=0, length=4096),
                         ErrorCode.BAD_LENGTH: dict(slot=0, offset=100, length=4096)}.items():
        with pytest.raises(RemoteError) as refused:
            bootloader.request(MsgType.FLASH_SUMS, fields, retries=0)
        assert refused.value.code == code
    with pytest.raises(RemoteError) as refused:
        bootloader.request(MsgType.FLASH_SUMS, dict(slot=0, offset=0, length=0x7FFFFFFF), retries=0)
    assert refused.value.code == ErrorCode.BAD_LENGTH
    sums = bootloader.request(MsgType.FLASH_SUMS, dict(slot=keep, offset=0, length=len(run))).sums
    assert list(sums) == [crc32(run[:FLASH_SUM_BLOCK]), crc32(run[FLASH_SUM_BLOCK:])], "the confirmed slot holds this build"
    ack = bootloader.request(MsgType.FLASH_COPY, dict(offset=0, length=len(run), slot=keep, crc=crc32(run)))
    assert ack.value == len(run)
    assert bytes(bootloader.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"


def _same_image(a, b) -> bool:
    """Two slot entries hold the same image (its boot state may have moved on)."""
    return (a.valid, a.sequence, a.length, a.crc, bytes(a.build_id)) == \
           (b.valid, b.sequence, b.length, b.crc, bytes(b.build_id))


def test_a_flash_never_overwrites_the_last_confirmed_image(bootloader, rig_target, kernel_image):
    before = read_slots(bootloader)
    keep = before.confirmed
    assert keep != SLOT_AUTO, "needs a confirmed image in flash (run `rig flash`)"
    first = flash_image(bootloader, kernel_image)
    second = flash_image(bootloader, kernel_image)
    # an image never booted is replaced by the next flash; the confirmed one stays
    assert first.slot == second.slot != keep and second.sequence == first.sequence
    with pytest.raises(RemoteError) as refused:
        flash_image(bootloader, kernel_image, slot=keep)
    assert refused.value.code == ErrorCode.BAD_SLOT and "confirmed" in refused.value.text
    slots = read_slots(bootloader)
    assert _same_image(slots.slots[keep], before.slots[keep]) and slots.confirmed == keep
    assert str(slots.slots[second.slot].state) == SlotState.NEW.name
    # booted, the new image is confirmed by the system once its servers are up: it becomes the
    # one kept, and the next flash goes to the other slot
    assert rig_target.start().active_slot == second.slot
    rig_target.bootloader()
    slots = read_slots(rig_target.link)
    assert str(slots.slots[second.slot].state) == SlotState.CONFIRMED.name and slots.confirmed == second.slot
    third = flash_image(rig_target.link, kernel_image)
    assert third.slot == keep and third.sequence == second.sequence + 1
    assert {first.slot, third.slot} == set(range(SLOT_COUNT))


def test_corrupt_image_is_refused_and_the_old_one_still_boots(bootloader, rig_target, kernel_image):
    before = read_slots(bootloader)
    keep = before.confirmed
    assert keep != SLOT_AUTO, "needs a confirmed image in flash (run `rig flash`)"
    corrupt = bytearray(kernel_image)
    corrupt[IMAGE_PAYLOAD_OFFSET + (len(kernel_image) - IMAGE_PAYLOAD_OFFSET) // 2] ^= 0x5A
    with pytest.raises(RemoteError) as refused:
        flash_image(bootloader, bytes(corrupt), check=False)
    assert refused.value.code == ErrorCode.VERIFY_FAILED
    after = read_slots(bootloader)
    assert after.newest == keep
    assert after.slots[keep] == before.slots[keep]
    assert not after.slots[1 - keep].valid, "a slot that failed verification must stay invalid"
    # now the confirmed slot is the only valid one: the bootloader must refuse to erase it
    with pytest.raises(RemoteError) as protected:
        flash_image(bootloader, kernel_image, slot=keep)
    assert protected.value.code == ErrorCode.BAD_SLOT
    info = rig_target.start()
    assert info.active_slot == keep
    assert bytes(info.build_id) == bytes(before.slots[keep].build_id)


def _with_header(image: bytes, **changes) -> bytes:
    header, payload = parse_image(image)
    fields = dict(header, **changes)
    body = {k: fields[k] for k in ("sequence", "length", "crc", "load_addr", "entry", "board", "build_id")}
    raw = ImageHeader.build(dict(body=dict(value=body)))
    return raw + image[IMAGE_HEADER_SIZE:]


BAD_HEADERS = {
    "wrong board": lambda img: _with_header(img, board="other-board"),
    "bad magic": lambda img: b"XXXX" + img[4:],
    "bad header crc": lambda img: img[:IMAGE_HEADER_SIZE - 1] + bytes([img[IMAGE_HEADER_SIZE - 1] ^ 1]) + img[IMAGE_HEADER_SIZE:],
    "oversize": lambda img: _with_header(img, length=0x7FFFFF00),
    "empty": lambda img: _with_header(img, length=0),
    "load address in flash": lambda img: _with_header(img, load_addr=0x00000000, entry=0x00000000),
    "entry outside the image": lambda img: _with_header(img, entry=parse_image(img)[0].load_addr - 4),
}


@pytest.mark.parametrize("problem", list(BAD_HEADERS))
def test_bad_image_header_is_refused(bootloader, kernel_image, problem):
    before = read_slots(bootloader)
    with pytest.raises(RemoteError) as refused:
        flash_image(bootloader, BAD_HEADERS[problem](kernel_image), check=False)
    assert refused.value.code == ErrorCode.BAD_IMAGE
    assert refused.value.text, "a refusal must say why"
    after = read_slots(bootloader)
    assert after.newest == before.newest
    if before.newest != SLOT_AUTO:
        assert after.slots[before.newest] == before.slots[before.newest]
    assert bytes(bootloader.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"


def test_boot_of_an_empty_slot_is_refused(bootloader, kernel_image):
    # make the slot beside the confirmed image invalid with a corrupt image, then ask to boot it
    before = read_slots(bootloader)
    corrupt = bytearray(kernel_image)
    corrupt[-1] ^= 0xFF
    with pytest.raises(RemoteError):
        flash_image(bootloader, bytes(corrupt), check=False)
    empty = 1 - before.confirmed if before.confirmed != SLOT_AUTO else 0
    with pytest.raises(RemoteError) as refused:
        bootloader.request(MsgType.BOOT, dict(slot=empty), retries=0)
    assert refused.value.code in (ErrorCode.NO_IMAGE, ErrorCode.BAD_SLOT)
    assert bytes(bootloader.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"


def test_an_image_built_by_the_rig_round_trips(kernel_image, firmware_build_id):
    header, payload = parse_image(kernel_image)
    assert bytes(header.build_id) == firmware_build_id
    assert build_image(payload, load_addr=header.load_addr, entry=header.entry, board=header.board,
                       build_id=bytes(header.build_id)) == kernel_image
