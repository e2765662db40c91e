"""What a board offers the rig, as small abstract classes (labgrid's "protocols").

Drivers implement them: `qemu.QemuDriver` gives both through QMP and a pty; `serialport`
gives a console on a real serial port and power through a configurable command.  Code above
the drivers (the strategy, flashing, the pytest plugin) uses only these.
"""

from __future__ import annotations

from abc import ABC, abstractmethod


class PowerProtocol(ABC):
    """Power and reset control: a relay on a bench, QMP for QEMU."""

    @abstractmethod
    def on(self) -> None:
        """Power the board on (it starts in its bootloader)."""

    @abstractmethod
    def off(self) -> None:
        """Power the board off."""

    @abstractmethod
    def reset(self) -> None:
        """Restart the board from its reset vector, i.e. in its bootloader."""


class ConsoleProtocol(ABC):
    """The serial line the debug protocol runs on."""

    @abstractmethod
    def port(self) -> str:
        """The line as pyserial opens it: a device (/dev/ttyUSB0, /dev/pts/3) or a URL
        (socket://host:port).  It may change when the board restarts (a new QEMU pty)."""
