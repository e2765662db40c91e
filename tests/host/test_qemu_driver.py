"""Unit tests of the QEMU driver and board descriptions (host/board.py, host/qemu.py,
host/qmp.py).  Most need nothing; the last ones start a real qemu-system-arm with an erased
flash (no firmware), and are skipped where QEMU is not installed."""

import json
import multiprocessing
import shutil
import time
from pathlib import Path

import pytest

from host.board import DEFAULT_STATE, BoardSpec, FlashBank, QemuSpec, open_board
from host.errors import RigError
from host.qemu import QemuDriver
from host.qmp import QMP

SMALL = BoardSpec(name="tiny", qemu=QemuSpec(
    binary="qemu-system-arm", machine="virt", cpu="cortex-a15", memory="256M", extra=["-nodefaults"],
    flash=[FlashBank("flash0.img", 4096, "boot"), FlashBank("flash1.img", 4096, "persistent")],
    deterministic=["-icount", "shift=0"]))


def test_the_qemu_virt_description():
    spec = BoardSpec.load("qemu-virt")
    assert (spec.qemu.machine, spec.qemu.cpu, spec.qemu.memory) == ("virt", "cortex-a15", "256M")
    assert [bank.size for bank in spec.qemu.flash] == [64 << 20, 64 << 20]
    assert [bank.contents for bank in spec.qemu.flash] == ["boot", "persistent"]
    assert "-icount" in spec.qemu.deterministic


def test_unknown_board_lists_the_known_ones():
    with pytest.raises(RigError, match=r"unknown board 'nope'.*\(boards: .*qemu-virt"):
        BoardSpec.load("nope")


def test_a_port_makes_a_real_board_and_no_port_a_qemu_one(tmp_path):
    real = open_board("qemu-virt", port="socket://localhost:1", power_cmd="true")
    assert real.qemu is None and real.console.port() == "socket://localhost:1" and real.power is not None
    emulated = open_board("qemu-virt", state_dir=tmp_path)
    assert emulated.qemu is not None and emulated.qemu.state_dir == tmp_path


def test_command_line(tmp_path):
    driver = QemuDriver(SMALL, tmp_path)
    command = driver.command("/x/qmp.sock")
    assert command[:7] == ["qemu-system-arm", "-M", "virt", "-cpu", "cortex-a15", "-m", "256M"]
    assert f"if=pflash,format=raw,unit=0,file={tmp_path}/flash0.img" in command
    assert f"if=pflash,format=raw,unit=1,file={tmp_path}/flash1.img" in command
    assert command[command.index("-serial") + 1] == "pty"
    assert "unix:/x/qmp.sock,server=on,wait=off" in command
    assert "-icount" not in command and "-icount" in driver.command("/x/qmp.sock", deterministic=True)


def test_flash_files_boot_bank_rewritten_persistent_bank_kept(tmp_path):
    driver = QemuDriver(SMALL, tmp_path)
    boot = tmp_path / "boot.bin"
    boot.write_bytes(b"BOOT")
    driver._prepare_flash(boot)
    assert (tmp_path / "flash0.img").read_bytes() == b"BOOT" + b"\xff" * 4092
    assert (tmp_path / "flash1.img").read_bytes() == b"\xff" * 4096
    (tmp_path / "flash1.img").write_bytes(b"IMG!" + b"\xff" * 4092)
    boot.write_bytes(b"NEW")
    driver._prepare_flash(boot)
    assert (tmp_path / "flash0.img").read_bytes().startswith(b"NEW\xff")
    assert (tmp_path / "flash1.img").read_bytes().startswith(b"IMG!")
    boot.write_bytes(b"x" * 5000)
    with pytest.raises(RigError, match="larger than flash bank flash0.img"):
        driver._prepare_flash(boot)


def test_each_board_has_its_own_default_state_folder(monkeypatch):
    # so that a qemu-virt and a raspi2b board can run side by side from one checkout
    monkeypatch.delenv("RIG_STATE", raising=False)
    assert open_board("qemu-virt").qemu.state_dir == DEFAULT_STATE.absolute()
    assert open_board("raspi2b").qemu.state_dir == (DEFAULT_STATE / "raspi2b").absolute()


def test_a_bootloader_loaded_into_ram_goes_in_with_kernel(tmp_path):
    # raspi2b: QEMU loads kernel7.img as the Pi's firmware does, and the root file system beside
    # it as an initrd; no flash bank
    driver = QemuDriver(BoardSpec.load("raspi2b"), tmp_path / "state")
    build = tmp_path / "build"
    build.mkdir()
    (tmp_path / "state").mkdir()
    boot = build / "boot.bin"
    boot.write_bytes(b"BOOT")
    command = driver.command("/x/qmp.sock", boot_bin=boot)
    assert command[:7] == ["qemu-system-arm", "-M", "raspi2b", "-cpu", "cortex-a7", "-m", "1G"]
    assert command[command.index("-kernel") + 1] == f"{tmp_path}/state/kernel7.img"
    assert command[command.index("-initrd") + 1] == f"{build}/rootfs.img"
    assert not any("pflash" in arg for arg in command)
    assert f"if=sd,format=raw,file={tmp_path}/state/sd.img" in command
    with pytest.raises(RigError, match="rootfs.img is missing"):
        driver._prepare_flash(boot)
    (build / "rootfs.img").write_bytes(b"ROOT")
    first = driver._prepare_flash(boot)
    assert (tmp_path / "state" / "kernel7.img").read_bytes() == b"BOOT"
    card = tmp_path / "state" / "sd.img"            # the card: created blank once, then kept
    assert card.read_bytes() == bytes(64 << 20)
    card.write_bytes(b"SLOT" + bytes((64 << 20) - 4))
    driver._prepare_flash(boot)
    assert card.read_bytes().startswith(b"SLOT")
    (build / "rootfs.img").write_bytes(b"ROOT2")
    assert driver._prepare_flash(boot) != first, "a new root file system is a new start"


def test_stale_state_is_not_running(tmp_path):
    driver = QemuDriver(SMALL, tmp_path)
    assert driver.state() is None and not driver.is_running()
    (tmp_path / "board.json").write_text(json.dumps(dict(pid=2**22 + 12345, pty="/dev/pts/99", qmp="/nope")))
    assert driver.state() is None
    assert driver.status()["running"] is False
    with pytest.raises(RigError, match="is not running .*`host/rig.py board up`"):
        driver.port()
    assert driver.down() is False


def test_long_state_paths_keep_the_qmp_socket_short(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    path = QemuDriver(SMALL, deep)._qmp_path()
    assert len(path) < 100 and path.endswith(".qmp")


needs_qemu = pytest.mark.skipif(shutil.which("qemu-system-arm") is None, reason="qemu-system-arm not installed")


@needs_qemu
def test_up_status_reset_down_with_real_qemu(tmp_path):
    driver = QemuDriver(BoardSpec.load("qemu-virt"), tmp_path)
    boot = tmp_path / "boot.bin"
    boot.write_bytes(b"\xfe\xff\xff\xea")             # b . : spin at the reset vector
    try:
        state = driver.up(boot)
        assert state["pty"].startswith("/dev/") and driver.port() == state["pty"]
        assert driver.up(boot)["pid"] == state["pid"]  # already running: same instance
        status = driver.status()
        assert status["running"] and status["vm_status"] == "running"
        driver.reset()
        with QMP(state["qmp"]) as qmp:
            assert qmp.execute("query-status")["status"] == "running"
        assert not driver.boot_changed(boot)
        boot.write_bytes(b"\x00" * 8)
        assert driver.boot_changed(boot)
        assert driver.down() is True
        assert not driver.is_running() and not (tmp_path / "board.json").exists()
    finally:
        driver.kill()


@needs_qemu
def test_kill_is_a_power_cut_and_the_slot_bank_survives(tmp_path):
    driver = QemuDriver(BoardSpec.load("qemu-virt"), tmp_path)
    boot = tmp_path / "boot.bin"
    boot.write_bytes(b"\xfe\xff\xff\xea")
    driver.up(boot)
    bank1 = tmp_path / "flash1.img"
    with open(bank1, "r+b") as f:
        f.write(b"KEEP")
    driver.kill()
    assert not driver.is_running()
    started = time.monotonic()
    driver.up(boot)
    try:
        assert time.monotonic() - started < 5
        assert bank1.read_bytes()[:4] == b"KEEP"
    finally:
        driver.down()


@needs_qemu
def test_a_qemu_that_cannot_start_is_one_clear_error(tmp_path):
    spec = BoardSpec(name="bad", qemu=QemuSpec(binary="qemu-system-arm", machine="no-such-machine", cpu="x",
                                               memory="1M", flash=[FlashBank("f0.img", 4096, "boot")]))
    boot = tmp_path / "boot.bin"
    boot.write_bytes(b"x")
    with pytest.raises(RigError, match="QEMU exited at start"):
        QemuDriver(spec, tmp_path).up(boot)


def _up_in_another_process(state_dir, boot, results):
    results.put(QemuDriver(BoardSpec.load("qemu-virt"), state_dir).up(boot)["pid"])


@needs_qemu
def test_two_ups_at_once_start_one_qemu(tmp_path):
    """`board up` twice at the same moment (two processes): one QEMU, both told its pid."""
    boot = tmp_path / "boot.bin"
    boot.write_bytes(b"\xfe\xff\xff\xea")
    results = multiprocessing.get_context("fork").Queue()
    procs = [multiprocessing.get_context("fork").Process(target=_up_in_another_process,
                                                          args=(tmp_path, boot, results)) for _ in range(2)]
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        pids = {results.get(timeout=5) for _ in procs}
        assert len(pids) == 1, f"two QEMUs started: {pids}"
        running = [pid for pid in _qemu_pids() if str(tmp_path) in _cmdline(pid)]
        assert running == list(pids)
    finally:
        QemuDriver(BoardSpec.load("qemu-virt"), tmp_path).down()


def _qemu_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and "qemu-system" in _cmdline(int(p.name))]


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
