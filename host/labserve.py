"""`rig lab serve`: the rig's side of a labgrid exporter (docs/farm.md).

labgrid's exporter publishes what its configuration names; for the boards the rig runs under
QEMU, and for power that a command switches, something on the exporter machine must stand behind
those names.  This is it, reading the same configuration as `labgrid-exporter` (rendered by
labgrid's own template loader, so `{{ hostname }}` and `{{ env[...] }}` mean the same):

- a group named like `--qemu` (default `qemu-*`) is a QEMU board in STATE/<group>: its
  `NetworkSerialPort` (protocol raw) is a TCP bridge to the board's serial line that outlives
  power cycles (a new QEMU has a new pty; the connection stays, as ser2net's does on a USB
  adapter), and its `NetworkPowerPort` switches the board on (QEMU started with the build's
  bootloader) and off;
- a group given `--power GROUP=COMMAND` is a real board whose power the command switches
  (`{action}` becomes on or off, as for `--power-cmd`); its serial port is labgrid's own
  (`USBSerialPort` or `RawSerialPort`, exported through ser2net).

Power speaks labgrid's `rest` power model: GET <url> answers 1 or 0, PUT <url> with 1 or 0
switches; the URL is the `NetworkPowerPort`'s host with `{index}` in it.
"""

from __future__ import annotations

import contextlib
import fnmatch
import io
import os
import select
import socket
import termios
import threading
import tty
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from .errors import RigError

POLL = 0.2              # how often the bridge looks for the board's (new) serial line


@dataclass
class Served:
    """One exported group the rig stands behind."""

    group: str
    serial: tuple[str, int] | None      # the bridge's address (QEMU boards)
    power_index: int | None
    switch: Callable[[bool], None]      # power on (True) or off
    is_on: Callable[[], bool]
    port_of: Callable[[], str | None] | None = None   # the board's serial line now, if on


def read_exporter_config(path: str | Path, *, hostname: str, name: str) -> dict:
    """The exporter configuration as labgrid-exporter renders and reads it."""
    from labgrid.remote.config import ResourceConfig

    env = {"env": os.environ, "isolated": False, "hostname": hostname, "name": name}
    with contextlib.redirect_stdout(io.StringIO()):        # it prints what it rendered
        try:
            return ResourceConfig(str(Path(path).absolute()), env).data or {}
        except Exception as exc:
            raise RigError(f"cannot read the exporter configuration {path}: {exc}") from None


def plan(config: dict, *, qemu: str, power_cmds: dict[str, str], make_qemu, make_command) -> list[Served]:
    """What to serve for each group of `config` (see the module's docstring)."""
    served = []
    unknown = set(power_cmds) - set(config)
    if unknown:
        raise RigError(f"--power names groups the exporter configuration does not have: {', '.join(sorted(unknown))}")
    for group, resources in config.items():
        resources = resources or {}
        power = resources.get("NetworkPowerPort")
        index = None
        if power is not None:
            if power.get("model") != "rest":
                raise RigError(f"group {group}: the rig serves NetworkPowerPort model rest, not {power.get('model')}")
            index = int(power["index"])
        if fnmatch.fnmatchcase(str(group), qemu):
            serial = resources.get("NetworkSerialPort")
            if serial is None or serial.get("protocol", "rfc2217") != "raw":
                raise RigError(f"group {group}: a QEMU board needs a NetworkSerialPort with protocol raw")
            served.append(make_qemu(str(group), (str(serial["host"]), int(serial["port"])), index))
        elif group in power_cmds:
            if index is None:
                raise RigError(f"group {group}: --power needs a NetworkPowerPort in the group")
            served.append(make_command(str(group), index, power_cmds[group]))
    indices = [s.power_index for s in served if s.power_index is not None]
    if len(indices) != len(set(indices)):
        raise RigError(f"two groups share a NetworkPowerPort index: {sorted(indices)}")
    return served


def power_url(config: dict, served: list[Served]) -> tuple[str, int] | None:
    """The one address all served NetworkPowerPorts point at (host, port)."""
    urls = {urlparse(str(config[s.group]["NetworkPowerPort"]["host"])) for s in served if s.power_index is not None}
    addresses = {(u.hostname, u.port or 80) for u in urls}
    if len(addresses) > 1:
        raise RigError(f"the served NetworkPowerPorts point at several servers: {sorted(addresses)}")
    return addresses.pop() if addresses else None


# --------------------------------------------------------------------------------------------
# The serial bridge


class SerialBridge(threading.Thread):
    """TCP <-> the board's serial line.  The line is drained even with no client (as a UART
    is); a new connection replaces the old one; the line is reopened when it changes."""

    def __init__(self, address: tuple[str, int], port_of: Callable[[], str | None]):
        super().__init__(daemon=True, name=f"bridge-{address[1]}")
        self.server = socket.create_server(address)
        self.port_of = port_of
        self.stopping = threading.Event()
        self.client: socket.socket | None = None
        self.line: int | None = None
        self.line_path: str | None = None

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                self._follow_line()
                readers = [self.server] + [s for s in (self.client, self.line) if s is not None]
                ready, _, _ = select.select(readers, [], [], POLL)
                if self.server in ready:
                    conn, _ = self.server.accept()
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self._drop_client()
                    self.client = conn
                if self.line is not None and self.line in ready:
                    self._from_line()
                if self.client is not None and self.client in ready:
                    self._from_client()
        finally:
            self._drop_client()
            self._close_line()
            self.server.close()

    def _follow_line(self) -> None:
        path = self.port_of()
        if path == self.line_path and self.line is not None:
            return
        self._close_line()
        if path is None:
            return
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return                      # not there yet: the next round tries again
        tty.setraw(fd, termios.TCSANOW)
        self.line, self.line_path = fd, path

    def _from_line(self) -> None:
        try:
            data = os.read(self.line, 4096)
        except BlockingIOError:
            return
        except OSError:                 # EIO: the board's QEMU went away
            self._close_line()
            return
        if data and self.client is not None:
            try:
                self.client.sendall(data)
            except OSError:
                self._drop_client()

    def _from_client(self) -> None:
        try:
            data = self.client.recv(4096)
        except OSError:
            data = b""
        if not data:
            self._drop_client()
            return
        if self.line is None:
            return                      # the board is off: bytes to it are lost, as on a wire
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.line, view):]
            except BlockingIOError:
                select.select([], [self.line], [], POLL)
            except OSError:
                self._close_line()
                return

    def _drop_client(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def _close_line(self) -> None:
        if self.line is not None:
            os.close(self.line)
        self.line, self.line_path = None, None


# --------------------------------------------------------------------------------------------
# Power, in labgrid's `rest` model


def power_server(address: tuple[str, int], ports: dict[int, Served], log: Callable[[str], None]) -> ThreadingHTTPServer:
    """GET /.../<index> -> "1" or "0"; PUT /.../<index> with "1" or "0" switches."""

    class Handler(BaseHTTPRequestHandler):
        def _served(self) -> Served | None:
            tail = self.path.rstrip("/").rsplit("/", 1)[-1]
            served = ports.get(int(tail)) if tail.isdigit() else None
            if served is None:
                self._answer(404, f"no power port {tail}\n")
            return served

        def _answer(self, code: int, text: str) -> None:
            body = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            served = self._served()
            if served is not None:
                self._answer(200, "1" if served.is_on() else "0")

        def do_PUT(self) -> None:
            served = self._served()
            if served is None:
                return
            value = self.rfile.read(int(self.headers.get("Content-Length") or 0)).strip()
            if value not in (b"0", b"1"):
                self._answer(400, "send 1 or 0\n")
                return
            try:
                served.switch(value == b"1")
            except RigError as exc:
                log(f"{served.group}: power {'on' if value == b'1' else 'off'} failed: {exc}")
                self._answer(500, f"{exc}\n")
                return
            log(f"{served.group}: power {'on' if value == b'1' else 'off'}")
            self._answer(200, value.decode())

        def log_message(self, format: str, *args) -> None:     # noqa: A002 (http.server's name)
            pass

    return ThreadingHTTPServer(address, Handler)


# --------------------------------------------------------------------------------------------


def qemu_served(board: str, state: Path) -> Callable[[str, tuple[str, int], int | None], Served]:
    from .board import BoardSpec
    from .build import Firmware, build
    from .qemu import QemuDriver

    spec = BoardSpec.load(board)

    def make(group: str, serial: tuple[str, int], index: int | None) -> Served:
        driver = QemuDriver(spec, (state / group).absolute())

        def switch(on: bool) -> None:
            if on:
                firmware = Firmware(board)
                if not firmware.boot_bin.exists():
                    build(board)
                driver.up(firmware.boot_bin)
            else:
                driver.down()

        def port_of() -> str | None:
            current = driver.state()
            return current["pty"] if current else None

        return Served(group, serial, index, switch, driver.is_running, port_of)
    return make


def command_served(group: str, index: int, command: str) -> Served:
    from .serialport import CommandPower

    power = CommandPower(command)
    state = {"on": False}

    def switch(on: bool) -> None:
        (power.on if on else power.off)()
        state["on"] = on

    return Served(group, None, index, switch, lambda: state["on"])


def serve(config_path: str | Path, *, state: Path, board: str, qemu: str, power_cmds: dict[str, str],
          hostname: str, name: str, log: Callable[[str], None], stop: threading.Event) -> list[Served]:
    """Serve until `stop` is set; then power the QEMU boards off."""
    config = read_exporter_config(config_path, hostname=hostname, name=name)
    served = plan(config, qemu=qemu, power_cmds=power_cmds, make_qemu=qemu_served(board, state),
                  make_command=command_served)
    if not served:
        raise RigError(f"nothing to serve in {config_path}: no group named {qemu!r} and no --power")
    bridges = [SerialBridge(s.serial, s.port_of) for s in served if s.serial is not None]
    address = power_url(config, served)
    http = power_server(address, {s.power_index: s for s in served if s.power_index is not None}, log) \
        if address else None
    for bridge in bridges:
        bridge.start()
    if http is not None:
        threading.Thread(target=http.serve_forever, daemon=True, name="power").start()
    for s in served:
        where = f"serial on {s.serial[0]}:{s.serial[1]}, " if s.serial else ""
        log(f"{s.group}: {where}power port {s.power_index}")
    if address:
        log(f"power server on http://{address[0]}:{address[1]}/")
    try:
        stop.wait()
    finally:
        if http is not None:
            http.shutdown()
            http.server_close()
        for bridge in bridges:
            bridge.stop()
        for bridge in bridges:
            bridge.join(2 * POLL + 1)
        for s in served:
            if s.serial is not None and s.is_on():
                s.switch(False)
    return served
