"""The QEMU driver: a board that is a `qemu-system-arm` process in the background.

One instance lives in one state folder (default `.rig/`):

    board.json   what a later `rig` process needs to find it: pid, pty, QMP socket, options
    flash0.img   bank 0: the bootloader (boot.bin padded with 0xFF), rewritten at each start
    flash1.img   bank 1: the A/B image slots, created erased once and then kept, like real flash
    kernel7.img  on a board whose bootloader QEMU loads into RAM ([qemu] boot = "kernel", as a
                 Raspberry Pi's firmware loads kernel7.img): boot.bin, copied at each start
    (a board with [qemu] initrd gets that build output, beside boot.bin, with -initrd: the root
    file system, which QEMU loads into RAM as a Pi's firmware loads an `initramfs`)
    sd.img       a board's SD card ([qemu] sd): created zeroed once, then kept, like the card
    qmp.sock     QMP: power and reset (`system_reset`, `quit`)
    qemu.log     QEMU's own output

Several instances run side by side in separate folders (tests start scratch boards they may
kill in the middle of a flash without disturbing the shared one).  Power on is starting QEMU,
power off is QMP `quit` (then SIGKILL), a power cut is `kill()`: SIGKILL with no warning.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RigError
from .protocols import ConsoleProtocol, PowerProtocol
from .qmp import QMP, QMPError

if TYPE_CHECKING:
    from .board import BoardSpec

KERNEL_FILE = "kernel7.img"  # the bootloader, for a board whose QEMU loads it with -kernel
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
_UNIX_PATH_MAX = 100         # sun_path is 108 bytes; stay clear of it

# QEMU processes this Python process started, so that they can be reaped (no zombies)
_children: dict[int, subprocess.Popen] = {}


class QemuDriver(PowerProtocol, ConsoleProtocol):
    def __init__(self, spec: "BoardSpec", state_dir: Path):
        if spec.qemu is None:
            raise RigError(f"board {spec.name} has no QEMU description")
        self.spec = spec
        self.qemu = spec.qemu
        self.state_dir = Path(state_dir)
        self.state_file = self.state_dir / "board.json"
        self.log_file = self.state_dir / "qemu.log"

    # ----------------------------------------------------------------------------------------
    # State

    def state(self) -> dict | None:
        """The saved state of a running instance, or None when none is running."""
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        if not _alive(state.get("pid", 0), self.qemu.binary):
            return None
        return state

    def is_running(self) -> bool:
        return self.state() is not None

    def status(self) -> dict:
        """running: QEMU's process is there and QMP answers."""
        state = self.state()
        if state is None:
            return dict(running=False, state_dir=str(self.state_dir))
        try:
            with QMP(state["qmp"], timeout=2) as qmp:
                vm = qmp.execute("query-status")
            qmp_ok, vm_status = True, vm.get("status", "?")
        except QMPError as exc:
            qmp_ok, vm_status = False, str(exc)
        return dict(state, running=qmp_ok, vm_status=vm_status, state_dir=str(self.state_dir))

    # ----------------------------------------------------------------------------------------
    # ConsoleProtocol

    def port(self) -> str:
        state = self.state()
        if state is None:
            raise RigError(f"board {self.spec.name} is not running (state in {self.state_dir}): "
                           f"start it with `host/rig.py board up`")
        return state["pty"]

    def radio_port(self) -> str:
        """The radio link's pty: the modem's air interface (docs/modem.md)."""
        state = self.state()
        if state is None or not state.get("radio_pty"):
            raise RigError(f"board {self.spec.name} has no radio link running "
                           f"(start it with `host/rig.py board up`)")
        return state["radio_pty"]

    # ----------------------------------------------------------------------------------------
    # PowerProtocol

    def on(self) -> None:
        raise RigError("QEMU boards are powered on with up(boot_bin)")

    def off(self) -> None:
        self.down()

    def reset(self) -> None:
        self._qmp("system_reset")

    # ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self):
        """The board's lock (a file in its state folder), held while QEMU is started or stopped:
        two `board up` at once would otherwise start two QEMUs on the same flash files, one of
        them orphaned.  The second waits, then finds the first one's QEMU running."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / "board.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def up(self, boot_bin: Path, *, deterministic: bool = False) -> dict:
        """Start QEMU with the bootloader from `boot_bin` in bank 0; returns the saved state.
        Does nothing (and returns the state) when this instance is already running."""
        with self._locked():
            return self._up(boot_bin, deterministic=deterministic)

    def _up(self, boot_bin: Path, *, deterministic: bool) -> dict:
        state = self.state()
        if state is not None:
            return state
        boot_sha = self._prepare_flash(Path(boot_bin))
        qmp_path = self._qmp_path()
        try:
            os.unlink(qmp_path)
        except FileNotFoundError:
            pass
        command = self.command(qmp_path, deterministic=deterministic, boot_bin=Path(boot_bin))
        with open(self.log_file, "wb") as log:
            log.write(("$ " + " ".join(command) + "\n").encode())
            log.flush()
            try:
                proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True, close_fds=True, cwd=self.state_dir)
            except FileNotFoundError:
                raise RigError(f"{self.qemu.binary} not found: run tools/setup") from None
        _children[proc.pid] = proc
        pty, radio = self._wait_started(proc, qmp_path)
        state = dict(board=self.spec.name, pid=proc.pid, pty=pty, radio_pty=radio, qmp=qmp_path,
                     deterministic=deterministic, boot_sha256=boot_sha, started=time.time(),
                     command=command)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self.state_file)
        return state

    def down(self) -> bool:
        """Stop QEMU (QMP `quit`, then SIGKILL if it lingers).  False if it was not running."""
        with self._locked():
            return self._down()

    def _down(self) -> bool:
        state = self.state()
        if state is None:
            self._forget()
            return False
        try:
            self._qmp("quit", state=state)
        except RigError:
            pass
        if not _wait_gone(state["pid"], self.qemu.binary, STOP_TIMEOUT):
            self.kill()
        self._forget()
        return True

    def kill(self) -> None:
        """Cut the power: SIGKILL, no warning, whatever the guest was doing (flash included)."""
        state = self.state()
        if state is None:
            return
        try:
            os.kill(state["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_gone(state["pid"], self.qemu.binary, STOP_TIMEOUT)

    def boot_changed(self, boot_bin: Path) -> bool:
        """Whether the running instance was started with a different bootloader."""
        state = self.state()
        return state is not None and state.get("boot_sha256") != self._boot_digest(Path(boot_bin))

    def command(self, qmp_path: str, *, deterministic: bool = False, boot_bin: Path | None = None) -> list[str]:
        q = self.qemu
        command = [q.binary, "-M", q.machine, "-cpu", q.cpu, "-m", q.memory, *q.extra]
        if q.boot == "kernel":
            command += ["-kernel", str(self.state_dir / KERNEL_FILE)]
        if q.initrd and boot_bin is not None:
            command += ["-initrd", str(boot_bin.with_name(q.initrd))]
        if q.sd is not None:
            path = str(self.state_dir / q.sd.file).replace(",", ",,")
            command += ["-drive", f"if=sd,format=raw,file={path}"]
        for unit, bank in enumerate(q.flash):
            path = str(self.state_dir / bank.file).replace(",", ",,")
            command += ["-drive", f"if=pflash,format=raw,unit={unit},file={path}"]
        command += ["-serial", "pty", "-qmp", f"unix:{qmp_path},server=on,wait=off"]
        if deterministic:
            command += q.deterministic
        return command

    # ----------------------------------------------------------------------------------------
    # Internals

    def _prepare_flash(self, boot_bin: Path) -> str:
        try:
            boot = boot_bin.read_bytes()
        except OSError:
            raise RigError(f"bootloader image {boot_bin} is missing: build the firmware first") from None
        if self.qemu.boot == "kernel":
            _write_atomic(self.state_dir / KERNEL_FILE, boot)
        sd = self.qemu.sd
        if sd is not None and (not (self.state_dir / sd.file).exists() or
                               (self.state_dir / sd.file).stat().st_size != sd.size):
            _write_atomic(self.state_dir / sd.file, bytes(sd.size))
        if self.qemu.initrd and not boot_bin.with_name(self.qemu.initrd).exists():
            raise RigError(f"{boot_bin.with_name(self.qemu.initrd)} is missing: build the firmware first")
        for bank in self.qemu.flash:
            path = self.state_dir / bank.file
            if bank.contents == "boot":
                if len(boot) > bank.size:
                    raise RigError(f"{boot_bin.name} is {len(boot)} bytes, larger than flash bank {bank.file} ({bank.size})")
                _write_atomic(path, boot + b"\xff" * (bank.size - len(boot)))
            elif not path.exists() or path.stat().st_size != bank.size:
                _write_atomic(path, b"\xff" * bank.size)
        return self._boot_digest(boot_bin)

    def _boot_digest(self, boot_bin: Path) -> str:
        """What the board starts from: the bootloader, and the initrd beside it if it takes one."""
        digest = hashlib.sha256(boot_bin.read_bytes())
        if self.qemu.initrd:
            digest.update(boot_bin.with_name(self.qemu.initrd).read_bytes())
        return digest.hexdigest()

    def _qmp_path(self) -> str:
        path = str(self.state_dir / "qmp.sock")
        if len(path) < _UNIX_PATH_MAX:
            return path
        digest = hashlib.sha256(str(self.state_dir).encode()).hexdigest()[:16]
        return os.path.join(tempfile.gettempdir(), f"rig-{digest}.qmp")

    def _wait_started(self, proc: subprocess.Popen, qmp_path: str) -> tuple[str, str | None]:
        """The debug link's pty and the radio link's (None on a board without one)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RigError(f"QEMU exited at start (code {proc.returncode}): {self._log_tail()}")
            if os.path.exists(qmp_path):
                try:
                    with QMP(qmp_path) as qmp:
                        chardevs = {c.get("label"): c["filename"] for c in qmp.execute("query-chardev")}
                    ptys = {label: name[len("pty:"):] for label, name in chardevs.items() if name.startswith("pty:")}
                    if "serial0" not in ptys:
                        raise RigError("QEMU has no pty serial line (query-chardev lists no serial0 pty)")
                    return ptys["serial0"], _link_url(chardevs.get("radio"))
                except QMPError:
                    pass
            time.sleep(0.02)  # waiting for a process to create its socket: nothing to poll but the file
        proc.kill()
        raise RigError(f"QEMU did not open its QMP socket within {START_TIMEOUT:g} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            lines = [l for l in self.log_file.read_text(errors="replace").splitlines()[1:] if l.strip()]
        except OSError:
            lines = []
        return lines[-1].strip() if lines else f"no output (see {self.log_file})"

    def gdbserver(self) -> int:
        """Open QEMU's gdb stub on a free local port (the monitor's `gdbserver`); the port."""
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        state = self.state()
        if state is None:
            raise RigError(f"board {self.spec.name} is not running (state in {self.state_dir}): "
                           f"start it with `host/rig.py board up`")
        with QMP(state["qmp"]) as qmp:
            # one stub at a time: close an earlier session's first
            qmp.execute("human-monitor-command", **{"command-line": "gdbserver none"})
            said = qmp.execute("human-monitor-command", **{"command-line": f"gdbserver tcp:127.0.0.1:{port}"})
        if said and "Waiting for gdb connection" not in said:
            raise RigError(f"QEMU would not open its gdb stub: {said.strip()}")
        return port

    def _qmp(self, command: str, state: dict | None = None):
        state = state or self.state()
        if state is None:
            raise RigError(f"board {self.spec.name} is not running (state in {self.state_dir}): "
                           f"start it with `host/rig.py board up`")
        with QMP(state["qmp"]) as qmp:
            return qmp.execute(command)

    def _forget(self) -> None:
        for path in (self.state_file,):
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _alive(pid: int, binary: str) -> bool:
    """Whether `pid` is a live (not zombie) process running `binary`."""
    if pid <= 0:
        return False
    child = _children.get(pid)
    if child is not None and child.poll() is not None:
        del _children[pid]
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        if not Path("/proc/self").exists():  # no procfs: ask the kernel directly
            try:
                os.kill(pid, 0)
                return True
            except OSError:
                return False
        return False
    if stat.rsplit(")", 1)[-1].split()[0] == "Z":
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        return False
    return os.path.basename(binary).encode() in cmdline


def _wait_gone(pid: int, binary: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid, binary):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)  # waiting for a process to exit: nothing to poll but the process table
    return True


def _link_url(chardev: str | None) -> str | None:
    """What a Link opens for a chardev QEMU describes as `pty:/dev/pts/N` or
    `[disconnected:]tcp:HOST:PORT,server=on`: the pty's path, or pyserial's socket:// URL."""
    if not chardev:
        return None
    if chardev.startswith("pty:"):
        return chardev[len("pty:"):]
    m = re.search(r"tcp:([0-9.]+):(\d+)", chardev)
    if m is None:
        raise RigError(f"the radio link's chardev is {chardev!r}: the rig opens ptys and TCP sockets")
    return f"socket://{m.group(1)}:{m.group(2)}"
