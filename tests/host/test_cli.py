"""Unit tests of the `rig` command line (host/cli.py, host/rig.py): argument handling, output,
and that every failure is one line and a non-zero exit.  The board is the fake target of
fake_target.py, reached with --port exactly as a real board on a serial port would be; no
QEMU, no firmware."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_target import FakeTarget
from host import cli
from host.serialport import CommandPower
from host.errors import RigError
from protocol import build_image, crc32

ROOT = Path(__file__).resolve().parents[2]
IMAGE = build_image(b"\x01\x02\x03\x04" * 500, load_addr=0x40100000, entry=0x40100000, board="qemu-virt",
                    build_id=bytes(range(20)))


def rig(*args: str) -> int:
    return cli.main(list(args))


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("RIG_BOARD", "RIG_PORT", "RIG_POWER_CMD", "RIG_STATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("error: ") and "Traceback" not in err[0]
    return err[0]


def test_info_over_a_serial_port(fake, capsys):
    assert rig("--port", fake.port, "info") == 0
    out = capsys.readouterr().out
    assert "bootloader" in out and "qemu-virt" in out and "FLASH" in out


def test_flash_an_image_file_and_show_the_slots(fake, capsys, tmp_path):
    fake.install(0, dict(length=4, crc=crc32(b"kern"), build_id=b"K" * 20), b"kern", 1)
    image = tmp_path / "kernel.img"
    image.write_bytes(IMAGE)
    assert rig("--port", fake.port, "flash", str(image)) == 0
    out = capsys.readouterr().out
    assert "flashed 2,068 bytes to slot 1" in out and "sequence 2, verified" in out and "booted slot 1" in out
    assert fake.slots[1]["payload"] == IMAGE[0x100:]
    assert rig("--port", fake.port, "slots") == 0
    out = capsys.readouterr().out
    assert "1 (newest)" in out and "000102030405" in out and "booted slot 1 again" in out


def test_flash_refusal_is_one_line_with_the_target_reason(capsys, tmp_path):
    with FakeTarget(board="qemu-virt") as fake:
        fake.board = "qemu-virt"
        image = tmp_path / "k.img"
        image.write_bytes(build_image(b"x" * 64, load_addr=0x10, entry=0x10, board="qemu-virt", build_id=bytes(20)))
        assert rig("--port", fake.port, "flash", str(image)) == 1
    assert "BAD_IMAGE: load address outside RAM" in one_error_line(capsys)


def test_an_image_for_another_board_is_refused_before_sending(fake, capsys, tmp_path):
    image = tmp_path / "k.img"
    image.write_bytes(build_image(b"x" * 64, load_addr=0x40100000, entry=0x40100000, board="other", build_id=bytes(20)))
    assert rig("--port", fake.port, "flash", str(image)) == 1
    assert "is an image for board 'other', not 'qemu-virt'" in one_error_line(capsys)
    assert fake.received == []


def test_the_wrong_board_on_the_port(capsys):
    with FakeTarget(board="other-board") as fake:
        assert rig("--port", fake.port, "boot") == 1
    assert "says it is 'other-board', not 'qemu-virt'" in one_error_line(capsys)


def test_a_port_that_does_not_exist(capsys):
    assert rig("--port", "/dev/ttyNOPE0", "info") == 1
    assert one_error_line(capsys) == "error: cannot open serial port /dev/ttyNOPE0: No such file or directory"


def test_a_silent_board_times_out_in_one_line(fake, capsys):
    fake.mute = True
    assert rig("--port", fake.port, "info") == 1
    assert "no answer from board qemu-virt" in one_error_line(capsys)


def test_an_unknown_board(capsys):
    assert rig("--board", "nope", "info") == 1
    assert "unknown board 'nope'" in one_error_line(capsys)


def test_environment_selects_board_and_port(fake, capsys, monkeypatch):
    monkeypatch.setenv("RIG_PORT", fake.port)
    assert rig("info") == 0
    assert "qemu-virt" in capsys.readouterr().out


def test_status_of_a_board_that_is_not_running(capsys, tmp_path):
    assert rig("--state-dir", str(tmp_path), "board", "status") == 3
    assert "not running" in capsys.readouterr().out


def test_a_real_board_without_power_control_cannot_be_reset(fake, capsys):
    assert rig("--port", fake.port, "board", "reset") == 1
    assert "has no power control: give --power-cmd" in one_error_line(capsys)


def test_power_command_with_and_without_an_action(fake, capsys, tmp_path):
    log = tmp_path / "power.log"
    assert rig("--port", fake.port, "--power-cmd", f"echo {{action}} >> {log}", "board", "reset") == 0
    assert rig("--port", fake.port, "--power-cmd", f"echo {{action}} >> {log}", "board", "down") == 0
    assert log.read_text().split() == ["reset", "off"]
    with pytest.raises(RigError, match="has no {action} placeholder"):
        CommandPower("true").on()
    with pytest.raises(RigError, match="power command `exit 3` failed with exit code 3"):
        CommandPower("exit 3").reset()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as bad_slot:
        rig("flash", "--slot", "7")
    assert bad_slot.value.code == 2
    with pytest.raises(SystemExit) as extra:
        rig("info", "--bogus")
    assert extra.value.code == 2


def test_test_passes_unknown_arguments_to_pytest(monkeypatch):
    seen = {}
    monkeypatch.setattr(cli, "cmd_test", lambda r: seen.setdefault("args", r.args) and 0)
    parser_args = ["test", "--junit", "r.xml", "-k", "ping", "-x"]
    cli.main(parser_args)
    assert seen["args"].junit == "r.xml" and seen["args"].pytest_args == ["-k", "ping", "-x"]


def test_rig_py_runs_with_the_system_python():
    # the script's own folder must not shadow packages, and --help needs no board
    env = dict(os.environ, RIG_BOOTSTRAPPED="")
    done = subprocess.run([sys.executable, str(ROOT / "host" / "rig.py"), "--help"], capture_output=True,
                          text=True, env=env, cwd=ROOT / "tests")
    assert done.returncode == 0, done.stderr
    assert "board" in done.stdout and "flash" in done.stdout and "test" in done.stdout
