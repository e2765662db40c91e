"""The root file system partition rewritten over the line (`flash --rootfs`): only the 4 KiB
blocks of the archive that changed cross it, the Linux server reads the new tree after the
reboot, the same partition again sends no data, and a power cut in the middle leaves a board
whose bootloader and kernel run and whose next rewrite puts the file system right.

The partitions are the build's rootfs.img with a file changed in the middle of its archive and
one added at the end (newc entries as tools/mkinitramfs.py writes them), so what the board must
show is known without it.  Every test leaves the build's own partition on the board.
"""

from __future__ import annotations

import io
import stat
import sys
import time
from pathlib import Path

import pytest

from host.flash import flash_rootfs, rootfs_archive
from host.shell import run_line
from protocol import FLASH_SUM_BLOCK, MsgType, crc32
from protocol.bootinfo import ROOTFS_DATA_OFFSET, RootfsHeader

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import mkinitramfs  # noqa: E402

ADDED = "etc/flashed-over-the-line"
ADDED_TEXT = b"written by flash --rootfs\n"
# the first line of tests/linux/files.sh, and what the changed partition has instead
FIRST_LINE = b"# Files in /tmp: redirections, cp, mv, rm, mkdir, ls, cat, wc."
CHANGED_LINE = b"# FILES in /tmp: redirections, cp, mv, rm, mkdir, ls, cat, wc."


def partition(archive: bytes) -> bytes:
    header = RootfsHeader.build(dict(length=len(archive), crc=crc32(archive)))
    return header + b"\xff" * (ROOTFS_DATA_OFFSET - len(header)) + archive


def changed(original: bytes) -> bytes:
    """The build's partition with one line of a file in the middle changed (same length) and
    a file added before the archive's trailer."""
    archive = rootfs_archive(original)
    trailer = mkinitramfs.entry(0, mkinitramfs.TRAILER, 0)
    assert archive.endswith(trailer) and archive.count(FIRST_LINE) == 1
    body = archive[:-len(trailer)].replace(FIRST_LINE, CHANGED_LINE)
    added = mkinitramfs.entry(900000, ADDED, stat.S_IFREG | 0o644, ADDED_TEXT)
    return partition(body + added + trailer)


def shell(link, command: str) -> tuple[str, int]:
    out = io.BytesIO()
    code = run_line(link, command, out, 60.0)
    return out.getvalue().decode(errors="replace"), code


@pytest.fixture
def original(firmware, rig_target):
    """The build's partition, on the board before the test (a board started from an older
    build holds another) and written back after it whatever happened in it."""
    data = firmware.rootfs_img.read_bytes()
    rig_target.bootloader()
    flash_rootfs(rig_target.link, data)
    yield data
    rig_target.bootloader()
    flash_rootfs(rig_target.link, data)
    rig_target.start()


@pytest.mark.qemu
def test_a_changed_root_file_system_sends_only_its_changed_blocks(bootloader, rig_target, original):
    new = changed(original)
    result = flash_rootfs(bootloader, new)
    assert result.length == len(rootfs_archive(new))
    # the changed line's block, and the blocks from the old trailer on
    assert result.length - result.kept <= 3 * FLASH_SUM_BLOCK, result
    assert 0 < result.wire <= 3 * FLASH_SUM_BLOCK, result
    assert 1 < result.rewritten <= 3, result         # the header's erase block, the line's, the end's
    rig_target.start()
    out, code = shell(rig_target.link, f"cat /{ADDED}; head -1 /tests/files.sh; ls /bin/busybox")
    assert (out, code) == (ADDED_TEXT.decode() + CHANGED_LINE.decode() + "\n/bin/busybox\n", 0)

    # the same partition again: no data at all, the header's erase block rewritten
    rig_target.bootloader()
    again = flash_rootfs(rig_target.link, new)
    assert (again.wire, again.kept, again.rewritten) == (0, again.length, 1), again

    # and back: the build's tree, without the file
    rig_target.bootloader()
    back = flash_rootfs(rig_target.link, original)
    assert back.length - back.kept <= 3 * FLASH_SUM_BLOCK, back
    rig_target.start()
    out, code = shell(rig_target.link, f"test -e /{ADDED} || head -1 /tests/files.sh")
    assert (out, code) == (FIRST_LINE.decode() + "\n", 0)


@pytest.mark.qemu
def test_a_power_cut_while_the_root_file_system_is_rewritten_costs_only_the_file_system(
        bootloader, rig_target, original):
    new = rootfs_archive(changed(original))
    bootloader.request(MsgType.ROOTFS_BEGIN, dict(length=len(new), crc=crc32(new)), timeout=30)
    bootloader.request(MsgType.FLASH_DATA, dict(offset=0, data=new[:1024]))
    # the cut: the header was cleared, nothing else programmed yet
    mark = rig_target.link.log_mark()
    info = rig_target.kernel()
    deadline = time.monotonic() + 30
    while not any("root file system partition is empty or not ours" in line
                  for line in rig_target.link.log_since(mark)):
        assert time.monotonic() < deadline, "the Linux server did not refuse the partition:\n" + \
            "\n".join(rig_target.link.log_since(mark))
        rig_target.link.request(MsgType.PING, dict(data=b"refused?"))
        time.sleep(0.2)
    # the kernel runs and answers; the next rewrite finds every block in place but the header
    assert rig_target.link.request(MsgType.HELLO).version == info.version
    rig_target.bootloader()
    result = flash_rootfs(rig_target.link, original)
    assert (result.wire, result.kept) == (0, result.length), result
    rig_target.start()
    assert shell(rig_target.link, "echo back") == ("back\n", 0)
