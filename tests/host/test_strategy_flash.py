"""Unit tests of the strategy (host/strategy.py) and the flash strategy (host/flash.py) against
the fake target of fake_target.py on a pty.  No QEMU, no firmware."""

import time

import pytest

from fake_target import FakePower, FakeTarget
from host.board import Board, BoardSpec
from host.errors import LinkError, RemoteError, RigError
from host.flash import FlashResult, Run, flash_image, plan, read_slots, verify_slot
from host.link import role_of
from host.serialport import SerialPortConsole
from host.strategy import State, Target
from protocol import (FLASH_SUM_BLOCK, IMAGE_PAYLOAD_OFFSET, SLOT_AUTO, SLOT_RAM, ErrorCode, MsgType, Role, build_image,
                      crc32)

IMAGE = build_image(bytes(range(256)) * 40, load_addr=0x40100000, entry=0x40100000, board="qemu-virt",
                    build_id=b"B" * 20)


def board_for(fake: FakeTarget, power: bool = True, name: str = "qemu-virt") -> Board:
    return Board(spec=BoardSpec(name=name), console=SerialPortConsole(fake.port),
                 power=FakePower(fake) if power else None)


def installed(fake: FakeTarget, slot: int = 0, sequence: int = 1, build_id: bytes = b"K" * 20) -> None:
    fake.install(slot, dict(length=4, crc=crc32(b"kern"), build_id=build_id), b"kern", sequence)


# --------------------------------------------------------------------------------------------
# Strategy


def test_kernel_is_reached_through_the_bootloader(fake):
    installed(fake)
    target = Target(board_for(fake), timeout=3)
    info = target.kernel()
    assert role_of(info) == Role.KERNEL and bytes(info.build_id) == b"K" * 20
    assert target.state == State.KERNEL
    resets = fake.resets
    assert target.ensure_kernel() is info          # already there: no reset
    assert fake.resets == resets
    assert any("booting slot 0" in line for line in target.link.lines)
    target.close()


def test_without_power_control_reset_goes_over_the_link(fake):
    installed(fake)
    target = Target(board_for(fake, power=False), timeout=3)
    target.kernel()
    assert fake.role == Role.KERNEL
    info = target.bootloader()                      # RESET sent to the kernel
    assert role_of(info) == Role.BOOTLOADER and fake.role == Role.BOOTLOADER
    target.close()


def test_autoboot_without_the_host(fake):
    installed(fake, slot=1, sequence=5)
    fake.autoboot = 0.2
    target = Target(board_for(fake), timeout=3)
    info = target.autoboot()
    assert info.seq == 0 and info.active_slot == 1
    target.close()


def test_no_image_says_to_flash_first(fake):
    target = Target(board_for(fake), timeout=3)
    with pytest.raises(RigError, match=r"no valid image in qemu-virt's flash: run `host/rig.py flash` first"):
        target.kernel()


def test_a_failure_sticks_and_fails_fast(fake):
    fake.mute = True
    target = Target(board_for(fake), timeout=0.5)
    with pytest.raises(RigError, match="no answer from board qemu-virt") as first:
        target.bootloader()
    start = time.monotonic()
    with pytest.raises(RigError) as second:
        target.ensure_kernel()
    assert second.value is first.value and time.monotonic() - start < 0.1


def test_a_kernel_that_always_wins_the_race_is_reported(fake):
    installed(fake)
    fake.autoboot = 0.0                             # boots before any HELLO can reach it
    target = Target(board_for(fake), timeout=2)
    with pytest.raises(RigError, match="could not catch the bootloader of qemu-virt: after 3 resets"):
        target.bootloader()


def test_the_wrong_board_is_refused(fake):
    target = Target(board_for(fake, name="other-board"), timeout=2)
    with pytest.raises(RigError, match="says it is 'qemu-virt', not 'other-board'"):
        target.bootloader()


def test_a_board_without_slots_loads_the_last_flashed_image_into_ram_at_every_boot(tmp_path, monkeypatch):
    monkeypatch.setattr("host.board.DEFAULT_STATE", tmp_path)       # where a real board's ram.img lives
    with FakeTarget(slots=False) as fake:
        target = Target(board_for(fake), timeout=3)
        with pytest.raises(RigError, match=r"no image slots and no image to load into its RAM .*rig.py --board "
                                           r"qemu-virt flash. first"):
            target.kernel()
        target.close()
        board = board_for(fake)
        board.ram_image.parent.mkdir(parents=True)
        board.ram_image.write_bytes(IMAGE)              # what `rig flash` keeps
        for _ in range(2):                              # each boot loads it again: RAM forgets
            target = Target(board, timeout=3)
            info = target.kernel()
            assert info.active_slot == SLOT_RAM and bytes(info.build_id) == b"B" * 20
            assert fake.ram_image["payload"] == IMAGE[IMAGE_PAYLOAD_OFFSET:]
            target.close()
        assert fake.received.count(MsgType.FLASH_END) == 2 and fake.slots == [None] * len(fake.slots)


# --------------------------------------------------------------------------------------------
# Flash strategy


@pytest.fixture
def caught(fake):
    target = Target(board_for(fake), timeout=3)
    target.bootloader()
    yield target.link
    target.close()


def test_flash_writes_verifies_and_reports(fake, caught):
    seen = []
    result = flash_image(caught, IMAGE, chunk=1000, progress=lambda done, total: seen.append((done, total)))
    payload_len = len(IMAGE) - IMAGE_PAYLOAD_OFFSET
    assert seen[0] == (0, payload_len) and seen[-1] == (payload_len, payload_len)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert (result.slot, result.sequence, result.length) == (0, 1, payload_len)
    assert result.kib_per_s > 0 and result.build_id == b"B" * 20
    assert fake.slots[0]["payload"] == IMAGE[IMAGE_PAYLOAD_OFFSET:]
    second = flash_image(caught, IMAGE)
    assert (second.slot, second.sequence) == (1, 2)
    assert read_slots(caught).newest == 1


def test_lost_data_frames_are_retried(fake, caught):
    fake.drop_requests = 0
    result = flash_image(caught, IMAGE, chunk=2048, data_timeout=0.2,
                         progress=lambda done, total: setattr(fake, "drop_requests", 1 if done == 2048 else 0))
    assert result.sequence == 1


def test_refusals_carry_the_target_reason(fake, caught):
    other = build_image(b"x" * 100, load_addr=0x40100000, entry=0x40100000, board="other-board", build_id=bytes(20))
    with pytest.raises(RemoteError, match=r"refused the image header: .*BAD_IMAGE: image is for board 'other-board'") as err:
        flash_image(caught, other)
    assert err.value.code == ErrorCode.BAD_IMAGE


def test_a_corrupt_payload_fails_verification_on_the_target(fake, caught):
    corrupt = bytearray(IMAGE)
    corrupt[-1] ^= 1
    with pytest.raises(RigError, match="not a valid image"):
        flash_image(caught, bytes(corrupt))         # the host refuses it first ...
    with pytest.raises(RemoteError) as err:
        flash_image(caught, bytes(corrupt), check=False)   # ... and so does the target
    assert err.value.code == ErrorCode.VERIFY_FAILED
    assert read_slots(caught).newest == SLOT_AUTO


def test_verify_notices_a_slot_that_does_not_match(fake, caught):
    result = flash_image(caught, IMAGE)
    wrong = FlashResult(slot=result.slot, sequence=result.sequence + 1, length=result.length, sent=0, seconds=1,
                        crc=result.crc ^ 1, build_id=b"X" * 20)
    with pytest.raises(RigError, match=r"verify of slot 0 failed: sequence 1, expected 2; CRC .*; build id"):
        verify_slot(caught, wrong)


def test_a_dead_line_during_flash_is_a_link_error(fake, caught):
    def cut(done, total):
        if done:
            fake.mute = True
    with pytest.raises(LinkError, match="no answer to FLASH_DATA"):
        flash_image(caught, IMAGE, chunk=1000, data_timeout=0.1, progress=cut)


def test_a_dropped_request_in_a_window_is_sent_again_with_those_after_it(fake, caught):
    """Four requests in flight, the fake target answering in order: one lost on the way costs
    a resend of it and of those behind it, and the image still arrives whole."""
    fake.drop_requests = 0
    result = flash_image(caught, IMAGE, chunk=1024, window=4, data_timeout=0.2,
                         progress=lambda done, total: setattr(fake, "drop_requests", 1 if done == 2048 else 0))
    assert result.sequence == 1 and fake.slots[0]["payload"] == IMAGE[IMAGE_PAYLOAD_OFFSET:]


def test_pipeline_yields_replies_in_order_and_raises_for_a_refusal(fake, caught):
    pings = [(MsgType.PING, dict(data=bytes([i]) * 100), 1.0) for i in range(1, 9)]
    replies = list(caught.pipeline(iter(pings), window=3))
    assert [bytes(r.data)[0] for r in replies] == list(range(1, 9))
    with pytest.raises(RemoteError) as refused:
        list(caught.pipeline(iter([pings[0], (MsgType.FLASH_END, None, 1.0), pings[1]]), window=3))
    assert refused.value.code == ErrorCode.BAD_STATE


BLOCKS = [bytes([i]) * FLASH_SUM_BLOCK for i in range(6)]


def test_plan_keeps_copies_and_sends_by_block():
    payload = b"".join(BLOCKS) + b"tail"
    target = [crc32(BLOCKS[0]), crc32(BLOCKS[1]), 0, 0, crc32(BLOCKS[4]), 0, crc32(b"tail")]
    other = [crc32(BLOCKS[0]), 0, crc32(BLOCKS[2]), crc32(BLOCKS[3]), crc32(BLOCKS[4]), 0, 0]
    runs = plan(payload, 1, {1: target, 0: other})
    B = FLASH_SUM_BLOCK
    # the slot being flashed first, then the other; runs merge; the partial last block counts
    assert runs == [Run(0, 2 * B, 1), Run(2 * B, 2 * B, 0), Run(4 * B, B, 1), Run(5 * B, B, None),
                    Run(6 * B, 4, 1)]
    assert plan(payload, 0, {}) == [Run(0, len(payload), None)]
    # sums that stop short (a slot's reply cut off) count as no match
    assert plan(payload, 1, {1: target[:1]})[1] == Run(B, len(payload) - B, None)


# --------------------------------------------------------------------------------------------
# The root file system partition: refused before anything is sent when it is not whole


def _rootfs_partition(archive: bytes, crc: int | None = None, length: int | None = None) -> bytes:
    from protocol.bootinfo import ROOTFS_DATA_OFFSET, RootfsHeader

    header = RootfsHeader.build(dict(length=len(archive) if length is None else length,
                                     crc=crc32(archive) if crc is None else crc))
    return header + b"\xff" * (ROOTFS_DATA_OFFSET - len(header)) + archive


def test_a_root_file_system_partition_gives_its_archive():
    from host.flash import rootfs_archive

    archive = b"070701" + bytes(range(250)) * 20
    assert rootfs_archive(_rootfs_partition(archive) + b"\xff" * 100) == archive


@pytest.mark.parametrize("partition, why", [
    (b"\x7fELF" + bytes(8000), "no RTFS header"),
    (_rootfs_partition(b"a" * 5000)[:4096 + 4000], "cut short: 4000 of 5000"),
    (_rootfs_partition(b"a" * 5000, crc=0x1234), "its header says 00001234"),
    (b"", "no RTFS header"),
])
def test_a_partition_that_is_not_whole_is_refused_with_the_reason(partition, why):
    from host.flash import rootfs_archive

    with pytest.raises(RigError, match=why):
        rootfs_archive(partition)
