"""The running kernel: identity, PING, READ_MEM, the timer, unknown requests, RESET.

These use the `link` fixture: the kernel flashed by `rig flash`, booted once per session and
booted again only when an earlier test left the board elsewhere.
"""

import os
import time

import pytest

from host.elf import read_bytes, symbol
from host.errors import RemoteError
from host.link import role_of
from protocol import MAX_PAYLOAD, PROTO_VERSION, SLOT_AUTO, SLOT_RAM, ErrorCode, Feature, MsgType, Role

READ_MAX = MAX_PAYLOAD - 4          # MEM_DATA carries the address before the data


def test_hello_reports_the_kernel_built_from_this_tree(link, firmware_build_id, rig_board):
    info = link.request(MsgType.HELLO)
    assert role_of(info) == Role.KERNEL
    assert info.board == rig_board.name
    assert bytes(info.build_id) == firmware_build_id, "the running image is not the one in firmware/build"
    assert info.proto_version == PROTO_VERSION
    assert info.max_payload == MAX_PAYLOAD
    assert info.features & Feature.PING and info.features & Feature.READ_MEM
    assert info.timer_hz > 0 and info.cycle_hz > 0


@pytest.mark.parametrize("size", [0, 1, 2, 253, 254, 255, 1024, MAX_PAYLOAD - 1, MAX_PAYLOAD])
def test_ping_echoes_every_payload_size(link, size):
    data = os.urandom(size)
    assert bytes(link.request(MsgType.PING, dict(data=data)).data) == data


def test_ping_echoes_zeros_and_every_byte_value(link):
    # COBS has to stuff every zero; runs of 254+ non-zero bytes need a split
    for data in (bytes(MAX_PAYLOAD), bytes(range(256)) * (MAX_PAYLOAD // 256), b"\xff" * 600):
        assert bytes(link.request(MsgType.PING, dict(data=data)).data) == data


def test_read_mem_of_the_banner_symbol(link, kernel_elf):
    banner = symbol(kernel_elf, "kernel_banner")
    assert banner.size > 1
    got = link.request(MsgType.READ_MEM, dict(addr=banner.address, length=banner.size))
    assert got.addr == banner.address
    assert bytes(got.data) == read_bytes(kernel_elf, banner.address, banner.size)
    assert bytes(got.data).rstrip(b"\0").decode("ascii").isprintable()


def test_read_mem_of_a_full_frame_of_kernel_code(link, kernel_elf):
    text = kernel_elf.get_section_by_name(".text")
    length = min(READ_MAX, text["sh_size"])
    got = link.request(MsgType.READ_MEM, dict(addr=text["sh_addr"], length=length))
    assert bytes(got.data) == text.data()[:length]


@pytest.mark.parametrize("addr,length", [
    (0x08000000, 4),                # the GIC: a device, not memory
    (0x20000000, 16),               # PCIe window: nothing there
    (0xFFFFFFF0, 32),               # wraps around the top of the address space
    (0x3FFFFFFC, 8),                # straddles the start of RAM
])
def test_read_mem_outside_memory_is_refused_and_the_kernel_still_answers(link, addr, length):
    with pytest.raises(RemoteError) as refused:
        link.request(MsgType.READ_MEM, dict(addr=addr, length=length))
    assert refused.value.code == ErrorCode.BAD_ADDRESS
    assert bytes(link.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"


@pytest.mark.feature("TIMER")
def test_timer_interrupts_are_counted(link, kernel_elf):
    ticks = symbol(kernel_elf, "timer_ticks")

    def read_ticks() -> int:
        return int.from_bytes(link.request(MsgType.READ_MEM, dict(addr=ticks.address, length=4)).data, "little")

    first = read_ticks()
    deadline = time.monotonic() + 3.0
    while (now := read_ticks()) == first:
        assert time.monotonic() < deadline, f"timer_ticks stuck at {first} for 3 s"
    assert now > first


@pytest.mark.parametrize("msg_type", [0x7E, MsgType.SLOTS, MsgType.FLASH_END])
def test_requests_the_kernel_does_not_know_are_refused(link, msg_type):
    with pytest.raises(RemoteError) as refused:
        link.request(msg_type, b"", expect=None)
    assert refused.value.code == ErrorCode.UNKNOWN_TYPE
    assert bytes(link.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"


def test_reset_returns_to_the_bootloader(link):
    link.request(MsgType.RESET, retries=0)
    announced = link.wait_for(lambda m: m.type == MsgType.INFO and m.seq == 0, timeout=5, what="INFO after RESET")
    assert role_of(announced) == Role.BOOTLOADER
    answer = link.poll_info(3, accept=lambda m: m.seq != 0)
    assert role_of(answer) == Role.BOOTLOADER


def test_kernel_answers_a_host_that_talks_while_it_boots(bootloader, rig_target):
    slot = SLOT_AUTO
    if not bootloader.request(MsgType.HELLO).features & Feature.FLASH:
        rig_target.load_ram()               # a board without slots boots what it loaded into RAM
        slot = SLOT_RAM
    bootloader.request(MsgType.BOOT, dict(slot=slot), retries=0)
    for _ in range(5):
        bootloader.send(MsgType.HELLO)      # a host that does not wait for the kernel's INFO
    info = bootloader.poll_info(3, accept=lambda m: role_of(m) == Role.KERNEL and m.seq != 0)
    assert info.board == rig_target.board.name
