"""Unit tests of the `rig` command line (host/cli.py, host/rig.py): argument handling, output,
and that every failure is one line and a non-zero exit.  The board is the fake target of
fake_target.py, reached with --port exactly as a real board on a serial port would be; no
QEMU, no firmware."""

import json
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
    assert "1 (newest, last confirmed)" in out and "confirmed" in out and "000102030405" in out
    assert "booted slot 1 again" in out


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


# --------------------------------------------------------------------------------------------
# Commands that ask the running kernel (the fake's debugd answers are canned)

from host.abi import KernelAbi  # noqa: E402

ABI = KernelAbi(syscalls=dict(IPC=0, THREAD_CONTROL=1, SYSTEM_CLOCK=7), errors=dict(OK=0, TIMEOUT=1, NO_PARTNER=2),
                exc_kinds=dict(UNDEFINED=1), thread_states=dict(FREE=0, INACTIVE=1, READY=2, SEND=3, RECV=4))


@pytest.fixture
def kernel(fake, monkeypatch):
    """The fake with an image in slot 0 (the rig boots it: it sits in its bootloader), and the
    kernel ABI given by hand instead of read from a kernel.elf."""
    fake.install(0, dict(length=4, crc=crc32(b"kern"), build_id=b"K" * 20), b"kern", 1)
    monkeypatch.setattr(cli.Rig, "abi", lambda self: ABI)
    return fake


def test_bench_prints_figures_and_histograms_and_writes_json(kernel, capsys, tmp_path):
    path = tmp_path / "bench.json"
    assert rig("--port", kernel.port, "bench", "syscall.null", "-n", "200", "--json", str(path)) == 0
    out = capsys.readouterr().out
    assert "booting the newest image" in out and "not deterministic" in out
    assert "syscall.null" in out and "117 │" in out and ">117 │█ 1 (max 1170)" in out
    data = json.loads(path.read_text())
    assert set(data) == {"board", "deterministic", "build_id", "config", "results", "samples", "overhead"}
    assert data["config"]["recorder"] == "on"
    assert data["deterministic"] is False and data["build_id"] == (b"K" * 20).hex()
    assert data["results"] == [dict(name="syscall.null", unit="cycles", n=200, min=117, median=117, p99=117,
                                    max=1170)]
    assert len(data["samples"]["syscall.null"]) == 200
    # the same figures again; then a file with other figures fails the run in one line
    assert rig("--port", kernel.port, "bench", "syscall.null", "-n", "200", "--same-as", str(path)) == 0
    assert "same figures as" in capsys.readouterr().out
    assert rig("--port", kernel.port, "bench", "syscall.null", "-n", "100", "--same-as", str(path)) == 1
    assert "figures differ from" in one_error_line(capsys)


def test_bench_list_and_unknown_names(kernel, capsys):
    assert rig("--port", kernel.port, "bench", "--list") == 0
    assert capsys.readouterr().out.split()[-1] == "syscall.null"
    assert rig("--port", kernel.port, "bench", "nope") == 1
    assert "no benchmark named nope: the target has syscall.null" in one_error_line(capsys)


def test_bench_deterministic_needs_qemu(kernel, capsys):
    assert rig("--port", kernel.port, "bench", "--deterministic") == 1
    assert "--deterministic needs a QEMU board" in one_error_line(capsys)


def test_run_reports_each_test_and_fails_when_one_fails(kernel, capsys):
    assert rig("--port", kernel.port, "run", "ipc.*") == 0
    assert "PASS ipc.call" in capsys.readouterr().out
    assert rig("--port", kernel.port, "run", "ipc.call", "broken") == 1
    out = capsys.readouterr().out
    assert "FAIL broken" in out and "line 3: expected 1, got 2" in out and "1 passed, 1 failed" in out
    assert rig("--port", kernel.port, "run", "nothing.*") == 1
    assert "no test matches 'nothing.*'" in one_error_line(capsys)


def test_threads_stats_tests_and_trace_tables(kernel, capsys):
    assert rig("--port", kernel.port, "threads") == 0
    out = capsys.readouterr().out
    assert "256.1" in out and "sigma0" in out and "recv from any" in out and "288.1" in out
    assert rig("--port", kernel.port, "stats") == 0
    out = capsys.readouterr().out
    assert "system call system_clock" in out and "bad system call numbers" in out and "75% on the fast path" in out
    assert rig("--port", kernel.port, "tests") == 0
    out = capsys.readouterr().out
    assert "ipc.call" in out and "bench" in out
    assert rig("--port", kernel.port, "trace", "-n", "2") == 0
    out = capsys.readouterr().out
    assert "trace events 1..2 (next 3)" in out and "320.1 debugd -> 256.1 sigma0" in out and "line 33" in out


def test_syscall_sends_the_registers_and_decodes_r1(kernel, capsys):
    assert rig("--port", kernel.port, "syscall", "system_clock", "r0=0x10", "r12=-1") == 0
    assert kernel.syscalls[-1][:8] == [0x10, 0, 0, 0, 0, 0, 0, 7] and kernel.syscalls[-1][12] == 0xFFFFFFFF
    out = capsys.readouterr().out
    assert "system_clock: returned after 117 cycles" in out and "0x00003039" in out and "OK" in out
    assert rig("--port", kernel.port, "syscall", "77") == 0
    assert kernel.syscalls[-1][7] == 77
    assert rig("--port", kernel.port, "syscall", "clock") == 1
    assert "no system call 'clock'" in one_error_line(capsys)
    assert rig("--port", kernel.port, "syscall", "ipc", "x5=1") == 1
    assert "registers are given as rN=VALUE" in one_error_line(capsys)
    assert rig("--port", kernel.port, "syscall", "ipc", "r13=1") == 1
    assert "the probe loads r0-r12" in one_error_line(capsys)


def test_inject_sets_the_line_pending(kernel, capsys):
    assert rig("--port", kernel.port, "inject", "121") == 0
    assert kernel.injected == [121] and "interrupt 121 set pending" in capsys.readouterr().out


def test_a_kernel_without_a_feature_is_refused_in_one_line(kernel, capsys, monkeypatch):
    import fake_target

    monkeypatch.setattr(fake_target, "KERNEL_FEATURES", fake_target.Feature.PING)
    assert rig("--port", kernel.port, "threads") == 1
    assert "does not answer THREADS requests (features: PING)" in one_error_line(capsys)
