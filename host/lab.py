"""Boards in a labgrid lab: a place is acquired from the coordinator, and the rig reaches the
board through the place's resources (docs/farm.md).

    host/rig.py --place qemu-1 flash        (or RIG_PLACE=qemu-1; the coordinator: LG_COORDINATOR)

`Place` acquires and releases a place with `labgrid-client` (acquire, reserve, release), the
same commands an engineer types; `place_board()` reads the place's resources through labgrid's
own `Target` and `RemotePlace` (the coordinator session, proxies) and turns them into the rig's
protocols: the `NetworkSerialPort` becomes the console (`socket://host:port` for a raw TCP
port, `rfc2217://host:port` for ser2net's), the `NetworkPowerPort` power through labgrid's
`NetworkPowerDriver` (a reset is its power cycle).

A place held by someone else is never taken: without a wait the rig fails at once saying who
holds it; with one (`--place-wait S`) it queues a reservation for the place, as labgrid's own
`reserve --wait` does, and fails when it is not allocated within S seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import LinkError, RigError
from .protocols import ConsoleProtocol, PowerProtocol

DEFAULT_COORDINATOR = "127.0.0.1:20408"
CLIENT_TIMEOUT = 60.0           # one labgrid-client command (acquire, release, cancel)
POWER_DELAY = 1.0               # off -> on of a power cycle (labgrid's default is 2 s)


def coordinator() -> str:
    return os.environ.get("LG_COORDINATOR") or DEFAULT_COORDINATOR


def labgrid_client() -> str:
    """labgrid-client beside this Python (the project's .venv), else on PATH."""
    beside = Path(sys.executable).parent / "labgrid-client"
    found = str(beside) if beside.exists() else shutil.which("labgrid-client")
    if found is None:
        raise RigError("labgrid-client not found: run tools/setup (labgrid is one of the rig's packages)")
    return found


class Place:
    """One place of the lab, acquired for as long as the rig works on it."""

    def __init__(self, name: str, *, wait: float = 0.0, address: str | None = None):
        self.name = name
        self.wait = wait
        self.address = address or coordinator()
        self.token: str | None = None
        self.acquired = False

    def client(self, *args: str, timeout: float = CLIENT_TIMEOUT) -> subprocess.CompletedProcess:
        command = [labgrid_client(), "-x", self.address, "-p", self.name, *args]
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  env=dict(os.environ, PYTHONUNBUFFERED="1"))
        except subprocess.TimeoutExpired:
            raise RigError(f"`labgrid-client {' '.join(args)}` for place {self.name} did not finish within "
                           f"{timeout:g} s (is the coordinator at {self.address} up?)") from None

    def acquire(self) -> None:
        if self.wait > 0:
            self._reserve()
        done = self.client("acquire")
        if done.returncode != 0:
            self._cancel()
            raise RigError(f"cannot acquire place {self.name}: {_why(done)}")
        self.acquired = True

    def release(self) -> None:
        """Give the place back (and its reservation); never raises, it runs on the way out."""
        if self.acquired:
            done = self.client("release")
            self.acquired = done.returncode != 0
            if self.acquired:
                print(f"rig: could not release place {self.name}: {_why(done)}", file=sys.stderr)
        self._cancel()

    def _reserve(self) -> None:
        """Queue a reservation for this place and wait until the coordinator allocates it."""
        command = [labgrid_client(), "-x", self.address, "reserve", "--wait", "--shell", f"name={self.name}"]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=dict(os.environ, PYTHONUNBUFFERED="1"))
        first = proc.stdout.readline().strip()           # "export LG_TOKEN=..." at once
        if first.startswith("export LG_TOKEN="):
            self.token = first.split("=", 1)[1]
        try:
            proc.wait(timeout=self.wait)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
            self._cancel()
            raise RigError(f"place {self.name} was not free within {self.wait:g} s: {self.holder()}") from None
        rest = proc.stdout.read()
        if proc.returncode != 0 or self.token is None:
            self._cancel()
            raise RigError(f"cannot reserve place {self.name}: {(first + rest).strip().splitlines()[-1:]}")

    def holder(self) -> str:
        """Who holds the place, as the coordinator says."""
        shown = self.client("show", timeout=10).stdout
        held = [line.split(":", 1)[1].strip() for line in shown.splitlines()
                if line.strip().startswith(("acquired:", "reservation:")) and not line.strip().endswith("None")]
        return f"held by {' and '.join(held)}" if held else "held by another reservation"

    def _cancel(self) -> None:
        if self.token is not None:
            self.client("cancel-reservation", self.token)
            self.token = None


def _why(done: subprocess.CompletedProcess) -> str:
    """labgrid-client's own reason, in one line."""
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    errors = [line for line in lines if "rror" in line or "acquired" in line or "reserved" in line]
    return ((errors or lines or [f"labgrid-client exit code {done.returncode}"])[-1]).strip()


@contextmanager
def acquired(place: Place) -> Iterator[Place]:
    """The place, acquired for the block and released after it, whatever ends it: an error,
    Ctrl-C, or SIGTERM (turned into SystemExit so that the release runs)."""
    import signal

    previous = signal.getsignal(signal.SIGTERM)

    def terminated(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    try:
        place.acquire()
        try:
            yield place
        except LinkError as exc:                # its exporter, or the board behind it, went away
            exc.args = (f"place {place.name}: {exc}; the place is released",)
            raise
    finally:
        try:
            place.release()
        finally:
            signal.signal(signal.SIGTERM, previous)


# --------------------------------------------------------------------------------------------
# The place's resources as the rig's protocols


class PlaceConsole(ConsoleProtocol):
    """The place's NetworkSerialPort as a pyserial URL (re-read at each call: the exporter may
    restart ser2net on another port)."""

    def __init__(self, resource, place: str):
        self.resource = resource
        self.place = place

    def port(self) -> str:
        from labgrid.util.proxy import proxymanager

        self.resource.target.update_resources()
        if not self.resource.avail:
            raise RigError(f"the serial port of place {self.place} is not available at its exporter")
        host, port = proxymanager.get_host_and_port(self.resource)
        scheme = "socket" if self.resource.protocol == "raw" else "rfc2217"
        return f"{scheme}://{host}:{port}"


class PlacePower(PowerProtocol):
    """Power through labgrid's NetworkPowerDriver on the place's NetworkPowerPort."""

    def __init__(self, driver, place: str):
        self.driver = driver
        self.place = place

    def on(self) -> None:
        self._do("on", self.driver.on)

    def off(self) -> None:
        self._do("off", self.driver.off)

    def reset(self) -> None:
        self._do("cycle", self.driver.cycle)

    def _do(self, what: str, action) -> None:
        try:
            action()
        except Exception as exc:        # requests' and labgrid's errors: one line
            raise RigError(f"power {what} of place {self.place} failed: {exc}") from None


def place_board(spec, place: Place):
    """A `Board` on the acquired place's resources, read through labgrid's RemotePlace."""
    from labgrid import Target
    from labgrid.driver import NetworkPowerDriver
    from labgrid.resource import NetworkPowerPort, NetworkSerialPort
    from labgrid.resource.remote import RemotePlace

    from .board import Board

    os.environ.setdefault("LG_COORDINATOR", place.address)
    target = Target(f"rig-{place.name}")
    try:
        RemotePlace(target, name=place.name)
        target.update_resources()
    except Exception as exc:
        raise RigError(f"cannot read the resources of place {place.name} from {place.address}: {exc}") from None
    serial = _one(target, NetworkSerialPort, place.name, required=True)
    power_port = _one(target, NetworkPowerPort, place.name, required=False)
    power = None
    if power_port is not None:
        driver = NetworkPowerDriver(target, name=None, delay=POWER_DELAY)
        target.activate(driver)
        power = PlacePower(driver, place.name)
    return Board(spec=spec, console=PlaceConsole(serial, place.name), power=power, place=place.name)


def _one(target, cls, place: str, *, required: bool):
    found = [r for r in target.resources if isinstance(r, cls)]
    if not found and required:
        raise RigError(f"place {place} has no {cls.__name__}: `labgrid-client -p {place} show` lists what it has")
    if len(found) > 1:
        raise RigError(f"place {place} has {len(found)} {cls.__name__} resources; the rig needs exactly one")
    return found[0] if found else None


def wait_for_place(place: Place, seconds: float) -> None:
    """Until the coordinator knows the place and its resources are exported (a freshly started
    lab); for scripts and the lab test."""
    deadline = time.monotonic() + seconds
    while True:
        done = place.client("show", timeout=10)
        if done.returncode == 0 and "NetworkSerialPort" in done.stdout:
            return
        if time.monotonic() > deadline:
            raise RigError(f"place {place.name} has no exported serial port after {seconds:g} s: {_why(done)}")
        time.sleep(0.5)


# --------------------------------------------------------------------------------------------
# Places


def create_places(path: Path, address: str | None = None) -> list[tuple[str, str]]:
    """Create (or complete) at the coordinator the places a places file defines:

        qemu-1:
          comment: QEMU virt board 1
          tags: {board: qemu-virt}
          matches: ["*/qemu-1/*"]      # labgrid's exporter/group/class[/name] patterns

    with labgrid-client (create, set-comment, set-tags, add-match).  What was done, per place."""
    from labgrid.util.yaml import load

    try:
        places = load(path.read_text()) or {}
    except (OSError, ValueError) as exc:
        raise RigError(f"cannot read the places file {path}: {exc}") from None
    done: list[tuple[str, str]] = []
    for name, spec in places.items():
        spec = spec or {}
        place = Place(str(name), address=address)
        made = place.client("create")
        if made.returncode != 0 and "exist" not in _why(made):
            raise RigError(f"cannot create place {name}: {_why(made)}")
        steps = [("set-comment", str(spec["comment"]))] if spec.get("comment") else []
        if spec.get("tags"):
            steps.append(("set-tags", *[f"{k}={v}" for k, v in spec["tags"].items()]))
        have = place.client("show", timeout=10).stdout if made.returncode != 0 else ""
        matches = [str(m) for m in spec.get("matches", []) if str(m) not in have]
        if matches:
            steps.append(("add-match", *matches))
        for step in steps:
            result = place.client(*step)
            if result.returncode != 0:
                raise RigError(f"place {name}: `labgrid-client {' '.join(step)}` failed: {_why(result)}")
        done.append((str(name), "created" if made.returncode == 0 else "already there, completed"))
    return done
