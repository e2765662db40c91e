"""A board's one definition (boards/<name>/board.toml, host/boarddef.py): what is made from it,
and the clear error a broken one gets.  No board runs here."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from host import boarddef
from host.errors import RigError
from host.pytest_plugin import not_applicable

ROOT = boarddef.ROOT
VIRT = (ROOT / "boards" / "qemu-virt" / "board.toml").read_text()


def test_the_qemu_virt_definition_has_qemus_virt_memory_map():
    # The addresses and interrupt numbers QEMU's `virt` machine uses (hw/arm/virt.c: its memory
    # map and IRQ map, and the GIC's 32 private interrupts before SPI 0).
    d = boarddef.load("qemu-virt").defines
    assert d["BOARD_RAM_BASE"] == 0x40000000 and d["BOARD_UART_BASE"] == 0x09000000
    assert (d["BOARD_GICD_BASE"], d["BOARD_GICC_BASE"], d["BOARD_RTC_BASE"]) == (0x08000000, 0x08010000, 0x09010000)
    assert (d["BOARD_VIRTIO_BASE"], d["BOARD_VIRTIO_STRIDE"], d["BOARD_VIRTIO_COUNT"]) == (0x0a000000, 0x200, 32)
    assert d["BOARD_IRQ_UART"] == 32 + 1 and d["BOARD_IRQ_VIRTIO0"] == 32 + 16
    assert (d["BOARD_IRQ_TIMER"], d["BOARD_IRQ_VTIMER"]) == (16 + 14, 16 + 11)     # PPIs 14 and 11


def test_the_header_says_what_the_definition_does(tmp_path):
    board = boarddef.load("qemu-virt")
    header = board.header()
    assert "Generated from boards/qemu-virt/board.toml" in header
    assert '#define BOARD_NAME "qemu-virt"' in header
    assert "#define BOOT_ROM_BASE           BOARD_FLASH0_BASE" in header
    # the compiler agrees with the definition on every number
    (tmp_path / "board.h").write_text(header)
    checks = "\n".join(f"_Static_assert(({name}) == {value}u, \"{name}\");"
                       for name, value in board.defines.items() if isinstance(value, int))
    (tmp_path / "check.c").write_text(f'#include "board.h"\n{checks}\n')
    compiler = shutil.which("arm-none-eabi-gcc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    subprocess.run([compiler, "-fsyntax-only", "-std=gnu11", str(tmp_path / "check.c")], check=True)


def test_the_build_variables_and_qemus_arguments_come_from_the_same_facts():
    board = boarddef.load("qemu-virt")
    mk = board.makefile()
    assert "BOARD_CPU     := cortex-a15" in mk and "BOARD_DRIVERS := pl011 gicv2" in mk
    assert "BOARD_FLASH   := cfi_flash" in mk and "BOARD_BOOT_IN_FLASH := 1" in mk
    assert "BOARD_ROOTFS_BASE := 0x00100000" in mk
    assert "BOARD_ROOTFS_SIZE := 0x03f00000" in mk
    assert board.qemu.cpu == board.cpu and board.qemu.memory == "256M"
    assert [b.size for b in board.qemu.flash] == [board.defines["BOARD_FLASH_SIZE"]] * 2


def test_the_raspi2b_definition_has_the_bcm2836_memory_map():
    # BCM2836 (the Pi 2): RAM at 0, the peripherals at 0x3f000000 (UART0, the BCM2835 ARM
    # interrupt controller), the per-core controller at 0x40000000; UART0 is the GPU's line 57;
    # the generic timer's lines are the per-core controller's sources 1 (CNTPNS) and 3 (CNTV).
    board = boarddef.load("raspi2b")
    d = board.defines
    assert (d["BOARD_RAM_BASE"], d["BOARD_UART_BASE"]) == (0, 0x3f201000)
    assert (d["BOARD_INTC_BASE"], d["BOARD_LOCAL_BASE"]) == (0x3f00b200, 0x40000000)
    assert d["BOARD_DEVICE_BASE"] <= d["BOARD_UART_BASE"] and \
        d["BOARD_LOCAL_BASE"] < d["BOARD_DEVICE_BASE"] + d["BOARD_DEVICE_SIZE"]
    assert (d["BOARD_IRQ_UART"], d["BOARD_IRQ_TIMER"], d["BOARD_IRQ_VTIMER"]) == (32 + 57, 1, 3)
    assert d["BOOT_ROM_BASE"] == 0x8000                 # where the Pi's firmware loads kernel7.img
    assert (d["BOARD_SDHCI_BASE"], d["BOARD_SLOT_DEVICE"]) == (0x3f300000, "BOARD_SDHCI_BASE")
    # no NOR flash: the slots are on the SD card, read into RAM above the root file system
    assert board.flash == "bcm2835_sdhci" and "BOARD_FLASH0_BASE" not in d
    assert d["BOARD_FLASH1_BASE"] >= d["BOARD_ROOTFS_BASE"] + d["BOARD_ROOTFS_SIZE"]
    assert d["BOARD_FLASH_SIZE"] == 2 * d["BOARD_SLOT_SIZE"]
    assert board.qemu.boot == "kernel" and board.qemu.flash == [] and board.qemu.memory == "1G"
    assert board.qemu.sd.file == "sd.img" and board.qemu.sd.size == 64 << 20
    assert "BOARD_BOOT_IN_FLASH := \n" in board.makefile()


def test_gen_board_rewrites_only_what_changed(tmp_path):
    tool = [sys.executable, str(ROOT / "tools" / "gen_board.py"), "qemu-virt", str(tmp_path)]
    subprocess.run(tool, check=True)
    first = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    assert set(first) == {"board.h", "board.mk"}
    (tmp_path / "board.h").write_text("stale\n")
    subprocess.run(tool, check=True)
    assert (tmp_path / "board.h").read_text() == boarddef.load("qemu-virt").header()
    assert (tmp_path / "board.mk").stat().st_mtime_ns == first["board.mk"]


def test_gen_board_refuses_an_unknown_board(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_board.py"), "nope", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "unknown board 'nope'" in run.stderr and "qemu-virt" in run.stderr


@pytest.mark.parametrize("change, says", [
    (('name = "qemu-virt"', 'name = "other"'), "describes board 'other'"),
    (("RAM_BASE = 0x40000000\n", ""), "missing BOARD_RAM_BASE"),
    (('"gicv2"]', '"gicv3"]'), "no driver 'gicv3'"),
    (('contents = "persistent"', 'contents = "boot"'), 'exactly one flash bank has contents = "boot"'),
    (('contents = "persistent"', 'contents = "spare"'), "contents is one of boot, persistent"),
    (("RAM_SIZE = 0x10000000", "RAM_SIZE = 0x10000001"), "a whole number of MiB"),
    (("IRQ_UART = 33", "irq_uart = 33"), "upper case"),
    (("IRQ_UART = 33", "IRQ_UART = [33]"), "a number or a string"),
    (("[tests.not-applicable]", '[tests.not-applicable]\n"test_x.py" = ""'), "needs its reason"),
    (("[memory]", "[memory"), "not valid TOML"),
    (('machine = "virt"', 'machine = "virt"\nboot = "kernel"'), 'none otherwise'),
    (('machine = "virt"', 'machine = "virt"\nboot = "tftp"'), "boot is one of pflash, kernel"),
    (('flash = "cfi_flash"', ''), "flash (the slots' storage driver) and [flash] SLOT_SIZE go together"),
])
def test_a_broken_definition_is_refused_with_the_reason(tmp_path, monkeypatch, change, says):
    (tmp_path / "qemu-virt").mkdir()
    (tmp_path / "qemu-virt" / "board.toml").write_text(VIRT.replace(*change))
    monkeypatch.setattr(boarddef, "BOARDS", tmp_path)
    with pytest.raises(RigError, match="board.toml") as caught:
        boarddef.load("qemu-virt")
    assert says in str(caught.value)


def test_a_board_without_qemu_is_real_hardware_only(tmp_path, monkeypatch):
    text = VIRT[:VIRT.index("# What `rig board up` starts.")] + "[tests.not-applicable]\n"
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "board.toml").write_text(text.replace('name = "qemu-virt"', 'name = "real"'))
    monkeypatch.setattr(boarddef, "BOARDS", tmp_path)
    assert boarddef.load("real").qemu is None and boarddef.board_names() == ["real"]


def test_tests_a_board_leaves_out_are_named_by_node_id_pattern_or_file():
    rules = {"test_flash.py": "no NOR flash", "test_modem.py::test_radio_*": "no virtio",
             "tests/target/test_bench.py::test_x": "why"}
    assert not_applicable("tests/target/test_flash.py::test_a[1]", rules) == "no NOR flash"
    assert not_applicable("tests/target/test_modem.py::test_radio_link", rules) == "no virtio"
    assert not_applicable("tests/target/test_bench.py::test_x", rules) == "why"
    assert not_applicable("tests/target/test_modem.py::test_call", rules) is None
    assert not_applicable("tests/target/test_bench.py::test_y", rules) is None
