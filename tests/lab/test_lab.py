"""A labgrid lab on one machine, for real: labgrid's coordinator and exporter on loopback,
`rig lab serve` behind two QEMU boards (lab/exporter.yaml), the places of lab/places.yaml; a
short selection of the on-target suite sharded over both places through the coordinator; a
place held by another job is not taken (the rig fails saying who holds it, or waits with
--place-wait until it is released).

An exporter that dies mid-job fails it with a clear message and the place is released (last).

Needs the firmware built (`make -C firmware`; tools/check runs this after `rig flash`) and
starts two QEMU boards of its own: `pytest tests/lab`.  About two minutes on two cores.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RIG = [sys.executable, str(ROOT / "host" / "rig.py")]
BIN = Path(sys.executable).parent
SELECTION = ["tests/target/test_debugd.py", "tests/target/test_kernel.py", "tests/target/test_symbols.py"]


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            held = []
            for port in range(base, base + count):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no free consecutive loopback ports")


def _wait(what: str, check, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not within {seconds:g} s")
        time.sleep(0.3)


class Lab:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.coordinator = f"127.0.0.1:{_free_ports(1)}"
        self.env = dict(os.environ, LG_COORDINATOR=self.coordinator, RIG_LAB_HOST="127.0.0.1",
                        RIG_LAB_PORT=str(_free_ports(3)), PYTHONUNBUFFERED="1")
        self.env.pop("RIG_PLACE", None)
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], cwd: Path | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "w")
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=cwd or ROOT)
        self.procs.append((name, proc))
        return proc

    def client(self, *args: str, user: str | None = None) -> subprocess.CompletedProcess:
        env = dict(self.env, LG_USERNAME=user) if user else self.env
        return subprocess.run([str(BIN / "labgrid-client"), *args], capture_output=True, text=True, env=env,
                              timeout=60)

    def rig(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
        return subprocess.run(RIG + ["--state-dir", str(self.tmp / "client"), *args], capture_output=True,
                              text=True, env=self.env, cwd=ROOT, timeout=timeout)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for _, proc in reversed(self.procs):    # the exporter, then serve (powers QEMU off), then the coordinator
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if not (ROOT / "firmware" / "build" / "qemu-virt" / "kernel.img").exists():
        pytest.skip("the firmware is not built: make -C firmware")
    tmp = tmp_path_factory.mktemp("lab")
    (tmp / "coordinator").mkdir()
    lab = Lab(tmp)
    try:
        lab.start("coordinator", [str(BIN / "labgrid-coordinator"), "-l", lab.coordinator], cwd=tmp / "coordinator")
        _wait("the coordinator", lambda: lab.client("places").returncode == 0)
        lab.start("serve", RIG + ["--state-dir", str(tmp / "exporter"), "lab", "serve", "lab/exporter.yaml"])
        lab.start("exporter", [str(BIN / "labgrid-exporter"), "-c", lab.coordinator, "--name", "ci",
                               "lab/exporter.yaml"])
        made = lab.rig("lab", "places", "lab/places.yaml")
        assert made.returncode == 0, made.stdout + made.stderr
        _wait("the exported resources", lambda: lab.client("resources").stdout.count("ci/qemu-") == 4)
        yield lab
    finally:
        lab.stop()
        for name, _ in lab.procs:
            print(f"----- {name}\n{lab.log(name)[-3000:]}")
        _kill_orphaned_boards(tmp / "exporter")
        shutil.rmtree(tmp / "exporter", ignore_errors=True)     # the boards' flash banks: 256 MiB


def _kill_orphaned_boards(state: Path) -> None:
    """The QEMU boards `lab serve` started under `state`, if it could not stop them itself (the
    last test kills it): each board's pid from its board.json, if that process runs on them."""
    import json

    for info in state.rglob("board.json"):
        try:
            pid = json.loads(info.read_text())["pid"]
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if str(info.parent).encode() in command:
            os.kill(pid, signal.SIGKILL)


def _acquired(lab: Lab, place: str) -> str:
    shown = lab.client("-p", place, "show").stdout
    return next(line.split(":", 1)[1].strip() for line in shown.splitlines() if line.strip().startswith("acquired:"))


def test_the_suite_sharded_over_two_places_through_the_coordinator(lab):
    junit = lab.tmp / "junit.xml"
    done = lab.rig("test", "--places", "qemu-1,qemu-2", "--junit", str(junit), *SELECTION, timeout=400)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "PASS:" in output.splitlines()[-1]
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert len(suites) == 2                                  # one per place, both ran tests
    assert all(int(suite.get("tests")) > 0 for suite in suites)
    assert sum(int(suite.get("tests")) for suite in suites) >= 20
    for place in ("qemu-1", "qemu-2"):
        log = (lab.tmp / "client" / "places" / place / "test-shard.log").read_text()
        assert f"at place {place}" in log or "socket://127.0.0.1:" in log
        assert _acquired(lab, place) == "None"              # released after the run
    serve = lab.log("serve")
    assert "qemu-1: power on" in serve and "qemu-2: power on" in serve


def test_a_place_held_by_another_job_is_not_taken(lab):
    held = lab.client("-p", "qemu-1", "acquire", user="otherjob")
    assert held.returncode == 0, held.stdout + held.stderr
    try:
        done = lab.rig("--place", "qemu-1", "boot")
        assert done.returncode == 1
        assert "cannot acquire place qemu-1" in done.stderr and "otherjob" in done.stderr
        assert _acquired(lab, "qemu-1").endswith("/otherjob")
        # with a wait, the rig queues a reservation and goes on once the other job releases
        waiting = subprocess.Popen(RIG + ["--state-dir", str(lab.tmp / "client"), "--place", "qemu-1",
                                          "--place-wait", "120", "boot"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=lab.env, cwd=ROOT)
        _wait("the rig's reservation", lambda: "waiting" in lab.client("reservations").stdout)
        time.sleep(2)
        assert waiting.poll() is None                       # still waiting: the place is held
    finally:
        released = lab.client("-p", "qemu-1", "release", user="otherjob")
        assert released.returncode == 0, released.stdout + released.stderr
    output, _ = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, output
    assert "kernel" in output.lower()
    assert _acquired(lab, "qemu-1") == "None"
    assert lab.client("reservations").stdout.strip() == ""  # its reservation cancelled


def test_an_exporter_that_dies_mid_job_fails_the_job_clearly_and_the_place_is_released(lab):
    """Last: it takes the lab's exporter machine down (labgrid's exporter and `rig lab serve`,
    which holds the boards and their serial ports) while a job runs at a place."""
    job = subprocess.Popen(RIG + ["--state-dir", str(lab.tmp / "client"), "--place", "qemu-2", "shell", "-c",
                                  "echo started; sleep 120; echo never"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=lab.env, cwd=ROOT)
    _wait("the job's place", lambda: _acquired(lab, "qemu-2") != "None", seconds=60)
    time.sleep(8)                                           # booted, and in its command
    assert job.poll() is None, job.communicate()
    for name, proc in lab.procs:
        if name in ("exporter", "serve"):
            proc.kill()
            proc.wait()
    try:
        out, err = job.communicate(timeout=90)              # never a hung job
    except subprocess.TimeoutExpired:
        job.kill()
        raise AssertionError("the job hung after its exporter died: " + "".join(job.communicate()))
    assert job.returncode not in (0, None), out + err
    assert "never" not in out
    last = err.strip().splitlines()[-1] if err.strip() else ""
    assert last.startswith("error: place qemu-2:") and "the place is released" in last, err
    assert _acquired(lab, "qemu-2") == "None", "the place is still held after the job failed"
