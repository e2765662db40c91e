"""The rig in a labgrid lab (host/lab.py, host/labserve.py, lab/), without a coordinator:
labgrid-client is a fake script that records its arguments and answers as the real one does
(its messages copied from labgrid 26), the serial bridge runs on a real pty, and the power
server is driven by labgrid's own `rest` power backend.  tests/lab/ runs the real thing (a
coordinator, an exporter and two QEMU boards on loopback)."""

from __future__ import annotations

import os
import signal
import socket
import stat
import threading
import time
from pathlib import Path

import pytest

from host import lab, labserve
from host.errors import RigError

ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------------------------
# lab/: the exporter configuration and the places


def test_the_exporter_configuration_renders_two_qemu_boards_on_the_ports_asked_for(monkeypatch):
    monkeypatch.setenv("RIG_LAB_PORT", "30100")
    monkeypatch.setenv("RIG_LAB_HOST", "127.0.0.1")
    config = labserve.read_exporter_config(ROOT / "lab" / "exporter.yaml", hostname="h", name="n")
    assert list(config) == ["qemu-1", "qemu-2"]
    assert dict(config["qemu-2"]["NetworkSerialPort"]) == dict(host="127.0.0.1", port=30102, protocol="raw",
                                                              speed=115200)
    assert dict(config["qemu-1"]["NetworkPowerPort"]) == dict(model="rest", index=1,
                                                             host="http://127.0.0.1:30100/power/{index}")


def test_every_exported_group_has_a_place_that_matches_it(monkeypatch):
    from labgrid.util.yaml import load

    places = load((ROOT / "lab" / "places.yaml").read_text())
    for name in ("exporter.yaml", "exporter-bench.yaml"):
        for group in labserve.read_exporter_config(ROOT / "lab" / name, hostname="h", name="n"):
            assert any(m == f"*/{group}/*" for spec in places.values() for m in spec["matches"]), group


def _plan(config, **kw):
    def qemu(group, serial, index):
        return labserve.Served(group, serial, index, switch=None, is_on=None)

    def command(group, index, cmd):
        return labserve.Served(group, None, index, switch=cmd, is_on=None)

    served = labserve.plan(config, qemu=kw.get("qemu", "qemu-*"), power_cmds=kw.get("power", {}),
                           make_qemu=qemu, make_command=command)
    return [(s.group, s.serial, s.power_index, s.switch) for s in served]


def _group(port=1, index=1, protocol="raw", model="rest"):
    return {"NetworkSerialPort": {"host": "127.0.0.1", "port": port, "protocol": protocol},
            "NetworkPowerPort": {"model": model, "host": "http://127.0.0.1:9/{index}", "index": index}}


def test_serve_plans_qemu_groups_and_power_commands():
    config = {"qemu-1": _group(1, 1), "rpi": {"USBSerialPort": {}, "NetworkPowerPort": _group(index=7)["NetworkPowerPort"]},
              "other": {"NetworkSerialPort": {"host": "x", "port": 2}}}
    assert _plan(config, power={"rpi": "relay {action}"}) == [("qemu-1", ("127.0.0.1", 1), 1, None),
                                                              ("rpi", None, 7, "relay {action}")]


@pytest.mark.parametrize("config, power, message", [
    ({"qemu-1": _group(protocol="rfc2217")}, {}, "NetworkSerialPort with protocol raw"),
    ({"qemu-1": _group(model="shelly_gen1")}, {}, "model rest, not shelly_gen1"),
    ({"qemu-1": _group(1, 1), "qemu-2": _group(2, 1)}, {}, "share a NetworkPowerPort index"),
    ({"qemu-1": _group()}, {"rpi": "x"}, "groups the exporter configuration does not have: rpi"),
    ({"rpi": {"USBSerialPort": {}}}, {"rpi": "x"}, "needs a NetworkPowerPort"),
])
def test_serve_refuses_what_it_cannot_stand_behind(config, power, message):
    with pytest.raises(RigError, match=message):
        _plan(config, power=power)


# --------------------------------------------------------------------------------------------
# The serial bridge, on a real pty


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read(sock: socket.socket, n: int, timeout: float = 5.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _read_fd(fd: int, n: int, timeout: float = 5.0) -> bytes:
    import select

    data = b""
    deadline = time.monotonic() + timeout
    while len(data) < n and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            data += os.read(fd, n - len(data))
    return data


@pytest.fixture
def pty_pair():
    """Two ptys standing for a board's serial line before and after a power cycle: the
    master end is the board's (QEMU's) side, the slave's path is what board.json names."""
    import tty

    pairs = []
    for _ in range(2):
        master, slave = os.openpty()
        tty.setraw(master)
        pairs.append((master, os.ttyname(slave), slave))
    yield pairs
    for master, _, slave in pairs:
        os.close(master)
        os.close(slave)


def test_the_bridge_carries_bytes_both_ways_and_follows_the_line_across_a_power_cycle(pty_pair):
    (board1, path1, _), (board2, path2, _) = pty_pair
    line = {"path": path1}
    address = ("127.0.0.1", _free_port())
    bridge = labserve.SerialBridge(address, lambda: line["path"])
    bridge.start()
    try:
        os.write(board1, b"boot log nobody reads\n")          # drained with no client
        time.sleep(2 * labserve.POLL)
        with socket.create_connection(address) as client:
            time.sleep(2 * labserve.POLL)
            os.write(board1, b"\x7e\x01hello")
            assert _read(client, 7) == b"\x7e\x01hello"
            client.sendall(bytes(range(256)))                 # raw: no line discipline on the way
            assert _read_fd(board1, 256) == bytes(range(256))
            line["path"] = None                               # power off: QEMU gone
            time.sleep(2 * labserve.POLL)
            client.sendall(b"lost")
            line["path"] = path2                              # power on: a new pty, same connection
            time.sleep(3 * labserve.POLL)
            os.write(board2, b"again")
            assert _read(client, 5) == b"again"
            client.sendall(b"to the new board")
            assert _read_fd(board2, 16) == b"to the new board"
    finally:
        bridge.stop()
        bridge.join(5)
    assert not bridge.is_alive()


def test_a_new_connection_to_the_bridge_replaces_the_old_one(pty_pair):
    (board, path, _), _ = pty_pair
    address = ("127.0.0.1", _free_port())
    bridge = labserve.SerialBridge(address, lambda: path)
    bridge.start()
    try:
        first = socket.create_connection(address)
        time.sleep(2 * labserve.POLL)
        second = socket.create_connection(address)
        time.sleep(2 * labserve.POLL)
        assert _read(first, 1, timeout=2) == b""              # closed by the bridge
        os.write(board, b"x")
        assert _read(second, 1) == b"x"
        first.close()
        second.close()
    finally:
        bridge.stop()
        bridge.join(5)


# --------------------------------------------------------------------------------------------
# The power server, driven by labgrid's own rest backend


def test_the_power_server_speaks_labgrids_rest_model():
    from labgrid.driver.power import rest

    switched = []
    state = {"on": False}

    def switch(on: bool) -> None:
        if on and switched and switched[-1] == "boom":
            raise RigError("QEMU did not start")
        switched.append(on)
        state["on"] = on

    served = labserve.Served("qemu-1", None, 3, switch, lambda: state["on"])
    http = labserve.power_server(("127.0.0.1", 0), {3: served}, log=lambda line: None)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{http.server_address[1]}/power/{{index}}"
    try:
        assert rest.power_get(url, None, "3") is False
        rest.power_set(url, None, "3", True)
        assert rest.power_get(url, None, "3") is True
        rest.power_set(url, None, "3", False)
        assert switched == [True, False]
        with pytest.raises(Exception, match="404"):
            rest.power_get(url, None, "4")
        switched.append("boom")
        with pytest.raises(Exception, match="500"):
            rest.power_set(url, None, "3", True)
    finally:
        http.shutdown()
        http.server_close()


# --------------------------------------------------------------------------------------------
# Acquiring a place, with a fake labgrid-client


FAKE_CLIENT = """#!/bin/sh
echo "$@" >> {log}
case "$*" in
  *"-p held acquire"*) echo "labgrid-client: Error: Place held is already acquired by ci/otherjob." >&2; exit 1;;
  *" acquire"*) echo "acquired place";;
  *"reserve --wait --shell name=held"*) echo "export LG_TOKEN=TOKEN1"; sleep 30;;
  *"reserve --wait --shell"*) echo "export LG_TOKEN=TOKEN2";;
  *"-p held show"*) echo "Place 'held':"; echo "  acquired: ci/otherjob";;
esac
exit 0
"""


@pytest.fixture
def fake_client(tmp_path, monkeypatch):
    log = tmp_path / "calls.log"
    script = tmp_path / "labgrid-client"
    script.write_text(FAKE_CLIENT.format(log=log))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(lab, "labgrid_client", lambda: str(script))

    def calls() -> list[str]:
        return [line.split(" ", 2)[2] for line in log.read_text().splitlines()] if log.exists() else []
    return calls


def test_a_place_is_acquired_and_released_around_the_block(fake_client):
    with lab.acquired(lab.Place("qemu-1", address="127.0.0.1:1")) as place:
        assert place.acquired and fake_client() == ["-p qemu-1 acquire"]
    assert fake_client() == ["-p qemu-1 acquire", "-p qemu-1 release"]


@pytest.mark.parametrize("ending", [RigError("board dead"), KeyboardInterrupt()])
def test_a_place_is_released_when_the_command_fails_or_is_interrupted(fake_client, ending):
    with pytest.raises(type(ending)):
        with lab.acquired(lab.Place("qemu-1", address="127.0.0.1:1")):
            raise ending
    assert fake_client()[-1] == "-p qemu-1 release"


def test_sigterm_releases_the_place(fake_client):
    with pytest.raises(SystemExit) as ended:
        with lab.acquired(lab.Place("qemu-1", address="127.0.0.1:1")):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
    assert ended.value.code == 128 + signal.SIGTERM
    assert fake_client()[-1] == "-p qemu-1 release"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_place_held_by_someone_else_fails_at_once_saying_who_holds_it(fake_client):
    with pytest.raises(RigError, match="cannot acquire place held: .*already acquired by ci/otherjob"):
        with lab.acquired(lab.Place("held", address="127.0.0.1:1")):
            pytest.fail("the block ran without the place")
    assert fake_client() == ["-p held acquire"]                 # nothing to release


def test_waiting_for_a_place_queues_a_reservation_and_cancels_it_on_timeout(fake_client):
    started = time.monotonic()
    with pytest.raises(RigError, match=r"place held was not free within 1 s: held by ci/otherjob"):
        lab.Place("held", wait=1, address="127.0.0.1:1").acquire()
    assert time.monotonic() - started < 10
    assert fake_client() == ["reserve --wait --shell name=held", "-p held cancel-reservation TOKEN1",
                             "-p held show"]


def test_a_reservation_allocated_in_time_is_acquired_then_cancelled_at_release(fake_client):
    with lab.acquired(lab.Place("qemu-2", wait=5, address="127.0.0.1:1")):
        pass
    assert fake_client() == ["reserve --wait --shell name=qemu-2", "-p qemu-2 acquire", "-p qemu-2 release",
                             "-p qemu-2 cancel-reservation TOKEN2"]


def test_places_are_created_from_the_places_file(fake_client, tmp_path):
    made = lab.create_places(ROOT / "lab" / "places.yaml", address="127.0.0.1:1")
    assert [name for name, _ in made] == ["qemu-1", "qemu-2", "rpi-1"]
    calls = fake_client()
    assert calls[:4] == ["-p qemu-1 create", "-p qemu-1 set-comment QEMU virt board 1 (lab/exporter.yaml)",
                         "-p qemu-1 set-tags board=qemu-virt", "-p qemu-1 add-match */qemu-1/*"]
    assert "-p rpi-1 set-tags board=rpi" in calls


# --------------------------------------------------------------------------------------------
# The place's resources as the rig's protocols (labgrid's own resource classes, no coordinator)


@pytest.mark.parametrize("protocol, url", [("raw", "socket://lab-host:20481"),
                                           ("rfc2217", "rfc2217://lab-host:20481")])
def test_the_place_console_is_the_network_serial_port_as_a_pyserial_url(protocol, url):
    from labgrid import Target
    from labgrid.resource import NetworkSerialPort

    target = Target("unit")
    resource = NetworkSerialPort(target, name=None, host="lab-host", port=20481, protocol=protocol)
    assert lab.PlaceConsole(resource, "qemu-1").port() == url


def test_place_power_maps_the_rigs_reset_to_labgrids_power_cycle():
    class Driver:
        def __init__(self):
            self.calls = []

        def on(self):
            self.calls.append("on")

        def off(self):
            raise ConnectionError("HTTP 500 from the power server")

        def cycle(self):
            self.calls.append("cycle")

    driver = Driver()
    power = lab.PlacePower(driver, "qemu-1")
    power.on()
    power.reset()
    assert driver.calls == ["on", "cycle"]
    with pytest.raises(RigError, match="power off of place qemu-1 failed: HTTP 500"):
        power.off()


# --------------------------------------------------------------------------------------------
# Sharding over places


def test_test_places_runs_one_rig_per_place_over_the_given_files(monkeypatch, tmp_path):
    from host import build, cli, testrun

    seen = {}

    def fake_run(commands, shards, dirs, reports, pytest_args, labels=None):
        seen.update(commands=commands, shards=shards, pytest_args=pytest_args, labels=labels)
        return 0

    monkeypatch.setattr(build, "build", lambda board, **kw: build.Firmware(board))
    monkeypatch.setattr(testrun, "_run_shards", fake_run)
    files = [str(ROOT / "tests" / "target" / name) for name in ("test_debugd.py", "test_kernel.py", "test_symbols.py")]
    code = cli.main(["--state-dir", str(tmp_path), "--place-wait", "30", "test", "--places", "qemu-1,qemu-2",
                     "-k", "not slow", *files])
    assert code == pytest.ExitCode.NO_TESTS_COLLECTED            # the fake ran nothing: no reports
    assert seen["labels"] == ["qemu-1", "qemu-2"]
    for place, command in zip(seen["labels"], seen["commands"]):
        assert command[-5:] == ["--place", place, "test", "--flash-image", str(build.Firmware("qemu-virt").kernel_img)]
        assert "--place-wait" in command and command[command.index("--place-wait") + 1] == "30.0"
    assert sorted(str(p) for shard in seen["shards"] for p in shard) == sorted(files)
    assert seen["pytest_args"] == ["-k", "not slow"]


def test_test_places_refuses_a_place_twice(tmp_path):
    from host import cli

    assert cli.main(["--state-dir", str(tmp_path), "test", "--places", "qemu-1,qemu-1"]) == 1
