"""The strategy: moves a board between its states over one debug link.

    off --(power on)--> bootloader --(BOOT)--> kernel
     ^                     ^   |                 |
     +------(power off)----+   +--(no frame in ~1 s: autoboot)
                           +----(reset: power control, or RESET over the link)

On a board without image slots (its bootloader offers RAM_BOOT but not FLASH: raspi2b), BOOT
of the newest image means loading the image `rig flash` last sent (Board.ram_image) into RAM
again first, as a slot would have kept it.

Catching the bootloader means resetting the board and polling HELLO until an INFO with role
BOOTLOADER answers; the first HELLO that reaches it also cancels its autoboot.  If the kernel
answers instead (the image booted before a HELLO got through), the board is reset again.

Once a transition has failed, `Target` remembers why and raises the same error for every later
request instead of retrying: a dead board fails a test run fast, with one clear line.
"""

from __future__ import annotations

import enum
from typing import Callable

from protocol import SLOT_AUTO, SLOT_RAM, ErrorCode, Feature, Message, MsgType, Role

from .board import Board
from .errors import LinkError, LinkTimeout, RemoteError, RigError
from .link import Link, role_of

CATCH_ATTEMPTS = 3
KERNEL_ANNOUNCE = 3.0        # how long a kernel may take from BOOT to its first INFO


class State(enum.Enum):
    UNKNOWN = "unknown"
    BOOTLOADER = "bootloader"
    KERNEL = "kernel"


class Target:
    def __init__(self, board: Board, *, on_message: Callable[[Message], None] | None = None,
                 timeout: float = 10.0):
        self.board = board
        self.on_message = on_message
        self.timeout = timeout
        self.link: Link | None = None
        self.failure: RigError | None = None

    # ----------------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        role = self.link.role if self.link is not None else None
        return {Role.BOOTLOADER: State.BOOTLOADER, Role.KERNEL: State.KERNEL}.get(role, State.UNKNOWN)

    def open(self) -> Link:
        """The link on the board's current serial line (reopened if the line changed, e.g. a
        QEMU restart gave a new pty; the serial log carries over)."""
        port = self.board.console.port()
        if self.link is not None and self.link.port == port:
            return self.link
        old = self.link
        self.link = Link(port, on_message=self.on_message, symbolize=_symbolizer(self.board.name))
        if old is not None:
            for line in old.lines:
                self.link.note(line.split(" ", 1)[-1])
            self.link.note(f"link: reopened on {port}")
            old.close()
        return self.link

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None

    # ----------------------------------------------------------------------------------------
    # Transitions

    def reset(self) -> None:
        """Restart the board into its bootloader: power control if there is some, else RESET
        over the link (both the bootloader and the kernel obey it)."""
        link = self.open()
        if self.board.power is not None:
            self.board.power.reset()
            link.role = None
            return
        try:
            link.request(MsgType.RESET, timeout=1.0, retries=1)
        except LinkTimeout:
            raise RigError(f"no power control for {self.board.name} and it does not answer RESET on "
                           f"{link.port}: reset it by hand, or give --power-cmd") from None

    def bootloader(self) -> Message:
        """Reset and catch the bootloader; returns its INFO."""
        return self._guard(self._catch_bootloader)

    def kernel(self, slot: int = SLOT_AUTO) -> Message:
        """Reset, catch the bootloader, BOOT `slot`, wait for the kernel; returns its INFO."""
        return self._guard(lambda: self._boot(slot))

    def start(self, slot: int = SLOT_AUTO) -> Message:
        """From the bootloader (already caught): BOOT `slot` and wait for the kernel's INFO."""
        return self._guard(lambda: self._start(slot))

    def ensure_kernel(self) -> Message:
        """The kernel's INFO, booting it only if the link does not know it to be running."""
        if self.failure is not None:
            raise self.failure
        if self.state == State.KERNEL and self.link.last_info is not None:
            return self.link.last_info
        return self.kernel()

    def autoboot(self) -> Message:
        """Reset and send nothing: the bootloader must boot the newest image by itself.
        Returns the kernel's unsolicited INFO."""
        def run() -> Message:
            link = self.open()
            self.reset()
            link.flush()
            try:
                info = link.wait_for(lambda m: m.type == MsgType.INFO and role_of(m) == Role.KERNEL,
                                     timeout=self.timeout, what="kernel INFO after autoboot")
            except LinkTimeout as exc:
                raise RigError(f"{exc} (the bootloader did not boot an image by itself)") from None
            return self._check_board(info)
        return self._guard(run)

    # ----------------------------------------------------------------------------------------

    def _guard(self, transition: Callable[[], Message]) -> Message:
        if self.failure is not None:
            raise self.failure
        try:
            return transition()
        except RigError as exc:
            self.failure = exc
            raise

    def _catch_bootloader(self) -> Message:
        link = self.open()
        for _attempt in range(CATCH_ATTEMPTS):
            self.reset()
            link.flush()
            try:
                # only a reply counts: the bootloader has then seen a frame and cancelled autoboot
                info = link.poll_info(self.timeout, interval=0.05, accept=lambda m: m.seq != 0,
                                      what=f"board {self.board.name} after reset")
            except LinkTimeout as exc:
                raise RigError(f"{exc}: is there a working bootloader in flash? (`host/rig.py board status`)") from None
            self._check_board(info)
            if role_of(info) == Role.BOOTLOADER:
                return info
            link.note("link: the kernel answered first (autoboot won the race): resetting again")
        raise RigError(f"could not catch the bootloader of {self.board.name}: after {CATCH_ATTEMPTS} resets "
                       f"the kernel answered first every time")

    def _boot(self, slot: int) -> Message:
        info = self._catch_bootloader()
        if slot == SLOT_AUTO and _ram_only(info):
            self.load_ram()
            slot = SLOT_RAM
        return self._start(slot)

    def load_ram(self) -> None:
        """Send the board's RAM image (the last `rig flash`) to the bootloader, caught already."""
        from .flash import WINDOW, flash_image

        path = self.board.ram_image
        try:
            image = path.read_bytes()
        except OSError:
            raise RigError(f"{self.board.name} has no image slots and no image to load into its RAM "
                           f"({path}): run `host/rig.py --board {self.board.name} flash` first") from None
        flash_image(self.open(), image, slot=SLOT_RAM, window=WINDOW if self.board.qemu is not None else 1)

    def _start(self, slot: int) -> Message:
        link = self.open()
        try:
            link.request(MsgType.BOOT, dict(slot=slot), timeout=3.0, retries=0)
        except RemoteError as exc:
            if exc.code == ErrorCode.NO_IMAGE:
                raise RigError(f"no valid image in {self.board.name}'s flash: run `host/rig.py flash` first") from None
            raise
        is_kernel = lambda m: m.type == MsgType.INFO and role_of(m) == Role.KERNEL  # noqa: E731
        try:
            # Wait for the kernel's own INFO before sending anything: bytes that arrive while it
            # sets up its UART may be lost.  Poll HELLO only if that INFO does not come.
            info = link.wait_for(is_kernel, timeout=min(KERNEL_ANNOUNCE, self.timeout), what="kernel INFO")
        except LinkTimeout:
            try:
                info = link.poll_info(self.timeout, interval=0.1, accept=is_kernel, what="the kernel")
            except LinkTimeout as exc:
                raise RigError(f"the bootloader accepted BOOT but {exc}") from None
        return self._check_board(info)

    def _check_board(self, info: Message) -> Message:
        if info.board != self.board.name:
            raise RigError(f"the board on {self.link.port} says it is {info.board!r}, not {self.board.name!r} "
                           f"(wrong --board or --port?)")
        return info


__all__ = ["Target", "State", "LinkError"]


def _ram_only(info: Message) -> bool:
    """Whether the bootloader that sent `info` boots images from RAM only (no slots)."""
    return bool(info.features & Feature.RAM_BOOT) and not info.features & Feature.FLASH


def _symbolizer(board: str) -> Callable[[str], str]:
    """Symbolize log text with the board's firmware build, read on first use."""
    from .symbols import Symbolizer
    made: list[Symbolizer] = []

    def symbolize(text: str) -> str:
        if not made:
            made.append(Symbolizer(board))
        return made[0].text(text)
    return symbolize
