"""tools/mkinitramfs.py: busybox's applet links, from the names compiled into the binary and the
paths `busybox --list-full` printed on real Linux."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import mkinitramfs  # noqa: E402

BUSYBOX = ROOT / ".cache" / "armhf" / "busybox"
RECORDED = ROOT / "tests" / "linux" / "busybox_list.exp"

# an applet table as busybox lays it out: after a NUL, sorted, NUL separated, then other data
TABLE = b"\x7fELF...usage\0[\0[[\0ash\0busybox\0linuxrc\0ls\0zcat\0\0\x01\x02binary"


def test_the_applet_names_come_from_the_binarys_table():
    assert mkinitramfs.busybox_applets(TABLE) == \
        ["[", "[[", "ash", "busybox", "linuxrc", "ls", "zcat"]


def test_a_binary_without_the_table_is_refused():
    with pytest.raises(ValueError, match="no applet name table"):
        mkinitramfs.busybox_applets(b"\x7fELF no applets here")
    with pytest.raises(ValueError, match="not sorted"):
        mkinitramfs.busybox_applets(b"\0[\0[[\0zcat\0ash\0\0")


def test_links_go_where_the_list_puts_them_and_busybox_is_not_linked_to_itself(tmp_path):
    binary = tmp_path / "busybox"
    binary.write_bytes(b"\0[\0[[\0ash\0busybox\0linuxrc\0\0")
    recorded = tmp_path / "busybox_list.exp"
    recorded.write_text("bin/ash\nbin/busybox\nlinuxrc\nusr/bin/[\nusr/bin/[[\n5 applets\nexit 0\n")
    assert mkinitramfs.busybox_links(binary, recorded) == {
        "bin/ash": "/bin/busybox", "linuxrc": "/bin/busybox", "usr/bin/[": "/bin/busybox",
        "usr/bin/[[": "/bin/busybox"}


def test_a_program_of_its_own_keeps_its_place_over_an_applet_link(tmp_path):
    binary = tmp_path / "busybox"
    binary.write_bytes(b"\0[\0[[\0ash\0busybox\0ls\0\0")
    recorded = tmp_path / "busybox_list.exp"
    recorded.write_text("bin/ash\nbin/busybox\nbin/ls\nusr/bin/[\nusr/bin/[[\nDebian's own: /bin/ls\nexit 0\n")
    taken = {"bin/ls": tmp_path / "gnu-ls"}
    assert mkinitramfs.busybox_links(binary, recorded, taken=taken) == {
        "bin/ash": "/bin/busybox", "usr/bin/[": "/bin/busybox", "usr/bin/[[": "/bin/busybox"}


def test_a_list_recorded_for_another_busybox_is_refused(tmp_path):
    binary = tmp_path / "busybox"
    binary.write_bytes(b"\0[\0[[\0ash\0vi\0\0")
    recorded = tmp_path / "busybox_list.exp"
    recorded.write_text("bin/ash\nusr/bin/[\nusr/bin/[[\nexit 0\n")
    with pytest.raises(ValueError, match="differ: vi.*record it again"):
        mkinitramfs.busybox_links(binary, recorded)


@pytest.mark.skipif(not BUSYBOX.exists(), reason="no armhf busybox in .cache (tools/setup fetches it)")
def test_the_recorded_list_is_debians_busybox():
    links = mkinitramfs.busybox_links(BUSYBOX, RECORDED)
    assert len(links) == len(mkinitramfs.busybox_applets(BUSYBOX.read_bytes())) - 1    # not busybox itself
    assert {"bin/sh", "usr/bin/[", "sbin/ifconfig", "usr/sbin/chroot", "linuxrc"} <= set(links)


def test_a_package_tree_goes_in_whole_but_what_nothing_reads(tmp_path):
    tree = tmp_path / "rootfs"
    (tree / "lib" / "arm-linux-gnueabihf" / "gconv").mkdir(parents=True)
    (tree / "usr" / "share" / "doc").mkdir(parents=True)
    (tree / "bin").mkdir()
    (tree / "bin" / "bash").write_bytes(b"\x7fELF bash")
    (tree / "bin" / "rbash").symlink_to("bash")
    (tree / "lib" / "arm-linux-gnueabihf" / "libc.so.6").write_bytes(b"\x7fELF libc")
    (tree / "lib" / "arm-linux-gnueabihf" / "gconv" / "UTF-16.so").write_bytes(b"converter")
    (tree / "lib" / "ld-linux-armhf.so.3").symlink_to("arm-linux-gnueabihf/ld-linux-armhf.so.3")
    (tree / "usr" / "share" / "doc" / "copyright").write_text("text")
    files = mkinitramfs.tree_files(tree)
    assert files == {"bin/bash": tree / "bin" / "bash", "bin/rbash": "bash",
                     "lib/arm-linux-gnueabihf/libc.so.6": tree / "lib" / "arm-linux-gnueabihf" / "libc.so.6",
                     "lib/ld-linux-armhf.so.3": "arm-linux-gnueabihf/ld-linux-armhf.so.3"}
    archive = mkinitramfs.build(files)
    assert b"lib/ld-linux-armhf.so.3\0" in archive and b"arm-linux-gnueabihf/ld-linux-armhf.so.3" in archive
    assert b"gconv" not in archive and b"copyright" not in archive


def test_only_the_listed_cpython_test_modules_and_their_files_go_in(tmp_path):
    top = tmp_path / "suite" / mkinitramfs.CPYTHON_TEST_DIR
    (top / "test_pkg" / "__pycache__").mkdir(parents=True)
    (top / "data").mkdir()
    for name in ("test_a.py", "test_b.py", "helper.py", "test_pkg/__init__.py", "test_pkg/test_one.py",
                 "test_pkg/__pycache__/x.pyc", "data/input.txt"):
        (top / name).write_text("")
    listing = tmp_path / "modules.txt"
    listing.write_text("# comment\ntest_a  helper.py data   # why\ntest_pkg  @slow\n")
    files = mkinitramfs.cpython_test_files(tmp_path / "suite", listing)
    assert sorted(files) == [f"{mkinitramfs.CPYTHON_TEST_DIR}/{n}" for n in
                             ("data/input.txt", "helper.py", "test_a.py", "test_pkg/__init__.py",
                              "test_pkg/test_one.py")]
    listing.write_text("test_missing\n")
    with pytest.raises(ValueError, match="test_missing"):
        mkinitramfs.cpython_test_files(tmp_path / "suite", listing)


def test_the_cpython_test_list_names_files_of_debians_test_suite():
    suite = ROOT / ".cache" / "armhf" / "testsuite"
    if not suite.is_dir():
        pytest.skip("no test suite fetched (tools/setup)")
    files = mkinitramfs.cpython_test_files(suite, ROOT / "tests" / "cpython" / "modules.txt")
    assert f"{mkinitramfs.CPYTHON_TEST_DIR}/test_os.py" in files
