"""A minimal QMP (QEMU Machine Protocol) client: JSON lines over a unix socket.

QMP is small enough that plain sockets beat a dependency: read the greeting, send
`qmp_capabilities`, then one command at a time, skipping the asynchronous events that
arrive between a command and its answer.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from .errors import RigError


class QMPError(RigError):
    pass


class QMP:
    def __init__(self, path: str, timeout: float = 3.0):
        self.path = path
        self.events: list[dict] = []
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(timeout)
        try:
            self._sock.connect(path)
            self._file = self._sock.makefile("rwb")
            greeting = self._read()
            if "QMP" not in greeting:
                raise QMPError(f"QMP socket {path}: unexpected greeting {greeting!r}")
            self.execute("qmp_capabilities")
        except (OSError, ValueError) as exc:
            self._sock.close()
            raise QMPError(f"QMP socket {path}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}") from None

    def execute(self, command: str, **arguments: Any) -> Any:
        request: dict[str, Any] = {"execute": command}
        if arguments:
            request["arguments"] = arguments
        try:
            self._file.write(json.dumps(request).encode() + b"\n")
            self._file.flush()
            while True:
                answer = self._read()
                if "event" in answer:
                    self.events.append(answer)
                    continue
                if "error" in answer:
                    error = answer["error"]
                    raise QMPError(f"QMP {command}: {error.get('desc', error)}")
                return answer.get("return")
        except (OSError, ValueError) as exc:
            raise QMPError(f"QMP {command} on {self.path}: {exc}") from None

    def _read(self) -> dict:
        line = self._file.readline()
        if not line:
            raise ConnectionResetError("QEMU closed the QMP connection")
        return json.loads(line)

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._sock.close()

    def __enter__(self) -> "QMP":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
