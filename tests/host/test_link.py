"""Unit tests of host/link.py.

They run on the host only: against pyserial's `loop://` (what is written comes back) and
against the fake target of fake_target.py, which answers on a real pty the way QEMU's serial
line does.  No QEMU, no firmware.
"""

import os
import time

import pytest

from host.errors import LinkError, LinkTimeout, RemoteError
from host.link import Link, raw_frame, role_of
from protocol import MAX_PAYLOAD, ErrorCode, LogLevel, MsgType, Role, encode


@pytest.fixture
def loop():
    with Link("loop://") as link:
        yield link


def test_sequence_numbers_wrap_and_skip_zero(loop):
    loop._seq = 0xFFFE
    assert [loop.next_seq() for _ in range(3)] == [0xFFFF, 1, 2]


def test_garbage_is_counted_and_logged_not_raised(loop):
    loop.send_raw(b"\x01\x02\x03\x00" + b"\x55" * 40 + b"\x00")
    good = encode(MsgType.LOG, 0, dict(level=LogLevel.INFO, text="still here"))
    loop.send_raw(good)
    assert loop.drain(0.2) == 1
    assert loop.bad_frames == 2
    assert any("bad frame" in line for line in loop.lines)
    assert loop.lines[-1].endswith("info: still here")


def test_a_timeout_on_a_noisy_line_says_so(loop):
    """On loop:// the request itself comes back (not an answer); garbage beside it is what a
    noisy line delivers: the timeout must say corrupt frames came, not merely that none did."""
    with pytest.raises(LinkTimeout) as quiet:
        loop.wait_for(lambda m: False, timeout=0.2, what="INFO")
    assert quiet.value.bad_frames == 0 and "noisy" not in str(quiet.value)
    loop.send_raw(b"\x01\x02\x03\x00" + b"\x55" * 40 + b"\x00")
    with pytest.raises(LinkTimeout) as noisy:
        loop.wait_for(lambda m: False, timeout=0.2, what="INFO")
    assert noisy.value.bad_frames == 2 and "2 corrupt frames arrived meanwhile: the line is noisy" in str(noisy.value)


def test_unsolicited_messages_are_kept_for_wait_for(loop):
    loop.send_raw(encode(MsgType.LOG, 0, dict(level=LogLevel.WARN, text="one")))
    loop.send_raw(encode(MsgType.LOG, 0, dict(level=LogLevel.INFO, text="two")))
    loop.drain(0.1)
    msg = loop.wait_for(lambda m: m.type == MsgType.LOG and m.text == "two", timeout=0.5)
    assert msg.text == "two"
    with pytest.raises(LinkTimeout):
        loop.wait_for(lambda m: m.type == MsgType.INFO, timeout=0.1, what="INFO")


def test_log_since_returns_lines_after_a_mark(loop):
    loop.note("before")
    mark = loop.log_mark()
    loop.note("after 1")
    loop.note("after 2")
    assert [line.split(" ", 1)[1] for line in loop.log_since(mark)] == ["after 1", "after 2"]


def test_reply_of_the_wrong_type_is_an_error(loop):
    # loop:// hands the request itself back: right sequence number, wrong type
    with pytest.raises(LinkError, match="answered with HELLO, expected INFO"):
        loop.request(MsgType.HELLO, timeout=0.2)


def test_raw_frame_matches_the_codec():
    assert raw_frame(MsgType.PING, 7, b"abc") == encode(MsgType.PING, 7, dict(data=b"abc"))


def test_request_and_reply_over_a_pty(fake):
    with Link(fake.port) as link:
        info = link.request(MsgType.HELLO)
        assert role_of(info) == Role.BOOTLOADER and info.board == "qemu-virt"
        for size in (0, 1, 255, MAX_PAYLOAD):
            data = os.urandom(size)
            assert link.request(MsgType.PING, dict(data=data)).data == data


def test_error_reply_raises_remote_error(fake):
    with Link(fake.port) as link:
        with pytest.raises(RemoteError) as err:
            link.request(MsgType.READ_MEM, dict(addr=0x100, length=4))
        assert err.value.code == ErrorCode.BAD_ADDRESS
        assert "BAD_ADDRESS" in str(err.value) and "READ_MEM" in str(err.value)
        assert link.request(MsgType.PING, dict(data=b"ok")).data == b"ok"


def test_lost_requests_are_retried_with_the_same_sequence_number(fake):
    with Link(fake.port) as link:
        link.poll_info(2)
        fake.drop_requests = 2
        assert link.request(MsgType.PING, dict(data=b"x"), timeout=0.2, retries=2).data == b"x"


def test_a_silent_target_times_out_quickly(fake):
    fake.mute = True
    with Link(fake.port) as link:
        start = time.monotonic()
        with pytest.raises(LinkTimeout, match=r"no answer to PING .*\(2 tries of 0.1 s\)"):
            link.request(MsgType.PING, dict(data=b""), timeout=0.1, retries=1)
        assert time.monotonic() - start < 1.0


def test_poll_info_waits_for_the_wanted_role(fake):
    fake.autoboot = 0.3
    fake.install(0, dict(length=4, crc=0, build_id=b"K" * 20), b"kern", sequence=1)
    with Link(fake.port) as link:
        fake.reset()
        # every HELLO cancels autoboot, so watch without sending first ...
        booted = link.wait_for(lambda m: m.type == MsgType.INFO and role_of(m) == Role.KERNEL, timeout=3)
        assert booted.seq == 0 and bytes(booted.build_id) == b"K" * 20
        assert link.role == Role.KERNEL
        # ... then the handshake sees the kernel
        info = link.poll_info(2, accept=lambda m: role_of(m) == Role.KERNEL)
        assert info.board == "qemu-virt"
        assert any("booting slot 0" in line for line in link.lines)


def test_boot_and_reset_forget_the_role(fake):
    fake.install(1, dict(length=4, crc=0, build_id=b"K" * 20), b"kern", sequence=3)
    with Link(fake.port) as link:
        link.poll_info(2)
        assert link.role == Role.BOOTLOADER
        assert link.request(MsgType.BOOT, dict(slot=0xFF), retries=0).value == 1
        assert link.role != Role.BOOTLOADER      # unknown, or the kernel if its INFO came along
        link.poll_info(2, accept=lambda m: role_of(m) == Role.KERNEL)
        assert link.role == Role.KERNEL
        link.request(MsgType.RESET, retries=0)
        assert link.role != Role.KERNEL
        link.poll_info(2, accept=lambda m: role_of(m) == Role.BOOTLOADER)
        assert link.role == Role.BOOTLOADER


def test_a_port_that_does_not_exist_is_one_clear_error():
    with pytest.raises(LinkError, match="cannot open serial port /dev/does-not-exist"):
        Link("/dev/does-not-exist")


def test_a_port_held_by_another_link_is_reported_as_busy(fake):
    with Link(fake.port):
        with pytest.raises(LinkError, match=f"serial port {fake.port} is in use by another process"):
            Link(fake.port)


def test_a_line_whose_other_end_goes_away_is_one_clear_error():
    master, slave = os.openpty()
    with Link(os.ttyname(slave)) as link:
        os.close(master)
        with pytest.raises(LinkError, match=r"serial port /dev/pts/\d+ failed: (the other end closed|Input/output)"):
            link.request(MsgType.PING, dict(data=b""), timeout=0.2, retries=0)
    os.close(slave)
