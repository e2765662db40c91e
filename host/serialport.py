"""Drivers for a real board: its serial port, and power through a command the user gives.

`--power-cmd` (or RIG_POWER_CMD) is run through the shell.  If it contains `{action}`, that is
replaced by `on`, `off` or `reset`; otherwise the command is the reset (power-cycle) command
and the board cannot be switched on or off on its own.
"""

from __future__ import annotations

import subprocess

from .errors import RigError
from .protocols import ConsoleProtocol, PowerProtocol

POWER_TIMEOUT = 30.0


class SerialPortConsole(ConsoleProtocol):
    def __init__(self, url: str):
        self.url = url

    def port(self) -> str:
        return self.url


class CommandPower(PowerProtocol):
    def __init__(self, command: str):
        self.command = command

    def on(self) -> None:
        self._run("on")

    def off(self) -> None:
        self._run("off")

    def reset(self) -> None:
        self._run("reset")

    def _run(self, action: str) -> None:
        if "{action}" in self.command:
            command = self.command.replace("{action}", action)
        elif action == "reset":
            command = self.command
        else:
            raise RigError(f"the power command has no {{action}} placeholder, so it cannot switch the board {action}")
        try:
            done = subprocess.run(command, shell=True, timeout=POWER_TIMEOUT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except subprocess.TimeoutExpired:
            raise RigError(f"power command `{command}` did not finish within {POWER_TIMEOUT:g} s") from None
        if done.returncode != 0:
            last = done.stdout.strip().splitlines()[-1:] or [""]
            raise RigError(f"power command `{command}` failed with exit code {done.returncode} {last[0]}".rstrip())
