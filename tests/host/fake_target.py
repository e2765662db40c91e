"""A fake target for host unit tests: speaks the debug protocol on a pty, as QEMU's serial line
does, so the rig's code paths (pyserial on a /dev/pts path, framing, retries, the flash
strategy) run unchanged without QEMU or firmware.

It follows the firmware contract closely enough to test the host, and no further: a bootloader
with two in-memory A/B slots (FLASH_BEGIN / DATA / END, SLOTS, BOOT, RESET, READ_MEM) that
autoboots after `autoboot` seconds without a valid frame, and a kernel answering HELLO, PING,
READ_MEM and RESET, and debugd's STATS, THREADS, TESTS, RUN_TEST, BENCH, INJECT_IRQ, TRACE and
SYSCALL with canned answers.  It is not a model of the real firmware's timing or flash.
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty
import zlib

from protocol import (
    FLASH_CHUNK_MAX,
    MAX_PAYLOAD,
    PROTO_VERSION,
    SLOT_AUTO,
    SLOT_COUNT,
    SLOT_RAM,
    SYSCALL_SLOTS,
    ErrorCode,
    Feature,
    FrameDecoder,
    FrameError,
    LogLevel,
    MsgType,
    Role,
    SlotState,
    cobs_decode,
    encode,
)
from protocol.wire import FRAME_OVERHEAD, FrameHeader

RAM_BASE = 0x40000000
RAM_SIZE = 256 << 20
SLOT_SIZE = 1 << 20          # small on purpose: "too big" is easy to reach in a test
BANNER_ADDR = 0x40100000
BANNER = b"fake kernel 0.1\x00"
KERNEL_FEATURES = (Feature.PING | Feature.READ_MEM | Feature.RESET | Feature.TIMER | Feature.THREADS |
                   Feature.TESTS | Feature.TRACE | Feature.INJECT | Feature.SYSCALL)
# debugd's canned answers: tests and benchmarks, and what they report
TESTS = {"ipc.call": (0, ""), "broken": (1, "line 3: expected 1, got 2")}
BENCHES = {"syscall.null": 117}
THREADS = [(0x400001, "sigma0", 4, 250, 1, 0), (0x500001, "debugd", 2, 150, 3, 0x480001)]


class FakeTarget:
    def __init__(self, *, board: str = "qemu-virt", autoboot: float | None = None,
                 build_id: bytes = bytes(range(20)), slots: bool = True):
        self.board = board
        self.has_slots = slots       # False: a board without image slots, RAM images only
        self.ram_image: dict | None = None     # the image loaded into RAM (SLOT_RAM), until a reset
        self.autoboot = autoboot
        self.bootloader_build_id = build_id
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)  # a full line drops output, as QEMU's pty does
        self.port = os.ttyname(self.slave)
        self.role = Role.BOOTLOADER
        self.slots: list[dict | None] = [None] * SLOT_COUNT
        self.active_slot = SLOT_AUTO
        self.received: list[MsgType | int] = []
        self.syscalls: list[list[int]] = []     # the registers of each SYSCALL
        self.injected: list[int] = []
        self.mute = False            # stop answering, as a hung target would
        self.drop_requests = 0       # ignore this many valid requests (tests retries)
        self.resets = 0
        self._pending: dict | None = None
        self._autoboot_at: float | None = None
        self._decoder = FrameDecoder()
        self._stop = threading.Event()
        self._lock = threading.RLock()
        self._thread = threading.Thread(target=self._run, name="fake-target", daemon=True)

    # ----------------------------------------------------------------------------------------
    # Control from the test

    def start(self) -> "FakeTarget":
        self._thread.start()
        self.reset()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> "FakeTarget":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        """What a reset (power cycle, QMP system_reset) does: back to the bootloader."""
        with self._lock:
            self.resets += 1
            self.role = Role.BOOTLOADER
            self.active_slot = SLOT_AUTO
            self._pending = None
            self.ram_image = None
            self._decoder = FrameDecoder()
            self._autoboot_at = time.monotonic() + self.autoboot if self.autoboot is not None else None
            self._send(MsgType.INFO, 0, self._info())
            if self.autoboot == 0:
                self._autoboot_at = None
                self._boot_newest(log=True)   # boots before any host frame can arrive

    def install(self, slot: int, image_header: dict, payload: bytes, sequence: int,
                state: SlotState = SlotState.CONFIRMED) -> None:
        """Put a valid image in a slot directly, as if flashed (and booted) earlier."""
        self.slots[slot] = dict(header=image_header, payload=payload, sequence=sequence, state=state)

    def confirmed(self) -> int:
        valid = [(s["sequence"], i) for i, s in enumerate(self.slots)
                 if s is not None and s["state"] == SlotState.CONFIRMED]
        return max(valid)[1] if valid else SLOT_AUTO

    def newest(self) -> int:
        valid = [(s["sequence"], i) for i, s in enumerate(self.slots) if s is not None]
        return max(valid)[1] if valid else SLOT_AUTO

    # ----------------------------------------------------------------------------------------
    # The target's main loop

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self.master], [], [], 0.01)
            except (OSError, ValueError):
                return
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    data = b""  # nobody has the pty open: like QEMU, wait for someone
                    time.sleep(0.01)
                with self._lock:
                    for raw in self._frames(data):
                        self._handle_raw(raw)
            with self._lock:
                if self._autoboot_at is not None and time.monotonic() >= self._autoboot_at:
                    self._autoboot_at = None
                    self._boot_newest(log=True)

    def _frames(self, data: bytes):
        """Split on zero bytes; yield each stuffed frame (the decoder's checks come later)."""
        buf = getattr(self, "_buf", bytearray())
        for byte in data:
            if byte == 0:
                if buf:
                    yield bytes(buf)
                buf = bytearray()
            else:
                buf.append(byte)
        self._buf = buf

    def _handle_raw(self, stuffed: bytes) -> None:
        try:
            raw = cobs_decode(stuffed)
        except FrameError:
            return self._send(MsgType.ERROR, 0, _err(ErrorCode.BAD_FRAME, 0, "bad COBS"))
        if len(raw) < FRAME_OVERHEAD or zlib.crc32(raw[:-4]) != int.from_bytes(raw[-4:], "little"):
            return self._send(MsgType.ERROR, 0, _err(ErrorCode.BAD_FRAME, 0, "bad CRC"))
        head = FrameHeader.parse(raw)
        if head.version != PROTO_VERSION:
            return self._send(MsgType.ERROR, head.seq, _err(ErrorCode.BAD_VERSION, head.type, "version"))
        items = list(FrameDecoder().feed(stuffed + b"\x00"))
        msg = items[0] if items else None
        if not hasattr(msg, "type"):
            code = ErrorCode.BAD_IMAGE if head.type == MsgType.FLASH_BEGIN else ErrorCode.BAD_LENGTH
            return self._send(MsgType.ERROR, head.seq, _err(code, head.type, "payload does not parse"))
        self._autoboot_at = None  # any valid frame cancels autoboot
        if self.mute:
            return
        if self.drop_requests:
            self.drop_requests -= 1
            return
        self.received.append(_known(msg.type))
        handler = (BOOTLOADER if self.role == Role.BOOTLOADER else KERNEL).get(msg.type)
        if handler is None:
            return self._send(MsgType.ERROR, msg.seq, _err(ErrorCode.UNKNOWN_TYPE, msg.type, "unknown type"))
        handler(self, msg)

    def _send(self, msg_type: MsgType, seq: int, payload) -> None:
        try:
            os.write(self.master, encode(msg_type, seq, payload))
        except OSError:
            pass

    def _ack(self, msg, value: int) -> None:
        self._send(MsgType.ACK, msg.seq, dict(value=value))

    def _error(self, msg, code: ErrorCode, text: str) -> None:
        self._send(MsgType.ERROR, msg.seq, _err(code, msg.type, text))

    def _log(self, text: str) -> None:
        self._send(MsgType.LOG, 0, dict(level=LogLevel.INFO, text=text))

    # ----------------------------------------------------------------------------------------
    # Both roles

    def _info(self) -> dict:
        kernel = self.role == Role.KERNEL
        booted = self.ram_image if self.active_slot == SLOT_RAM else self.slots[self.active_slot] if kernel else None
        build_id = booted["header"]["build_id"] if kernel else self.bootloader_build_id
        features = KERNEL_FEATURES if kernel else Feature.PING | Feature.READ_MEM | Feature.RESET | \
            Feature.BOOT | Feature.RAM_BOOT | (Feature.FLASH if self.has_slots else Feature(0))
        return dict(proto_version=PROTO_VERSION, role=self.role, active_slot=self.active_slot,
                    features=int(features), cycle_hz=62_500_000, timer_hz=62_500_000,
                    max_payload=MAX_PAYLOAD, board=self.board, build_id=build_id,
                    version="fake 0.1")

    def _hello(self, msg) -> None:
        self._send(MsgType.INFO, msg.seq, self._info())

    def _ping(self, msg) -> None:
        self._send(MsgType.PONG, msg.seq, dict(data=msg.data))

    def _read_mem(self, msg) -> None:
        if BANNER_ADDR <= msg.addr and msg.addr + msg.length <= BANNER_ADDR + len(BANNER):
            start = msg.addr - BANNER_ADDR
            return self._send(MsgType.MEM_DATA, msg.seq, dict(addr=msg.addr, data=BANNER[start:start + msg.length]))
        if RAM_BASE <= msg.addr and msg.addr + msg.length <= RAM_BASE + RAM_SIZE:
            return self._send(MsgType.MEM_DATA, msg.seq, dict(addr=msg.addr, data=bytes(msg.length)))
        self._error(msg, ErrorCode.BAD_ADDRESS, f"0x{msg.addr:08x} is not readable")

    def _reset_request(self, msg) -> None:
        self._ack(msg, 0)
        self.reset()

    # ----------------------------------------------------------------------------------------
    # Bootloader

    def _slots(self, msg) -> None:
        entries = []
        for slot in self.slots:
            if slot is None:
                entries.append(dict(valid=0, state=0, reserved=bytes(2), sequence=0, length=0, crc=0,
                                    build_id=bytes(20)))
            else:
                h = slot["header"]
                entries.append(dict(valid=1, state=slot["state"], reserved=bytes(2), sequence=slot["sequence"],
                                    length=h["length"], crc=h["crc"], build_id=h["build_id"]))
        self._send(MsgType.SLOT_INFO, msg.seq, dict(count=SLOT_COUNT, newest=self.newest(),
                                                    confirmed=self.confirmed(), reserved=bytes(1), slots=entries))

    def _flash_begin(self, msg) -> None:
        header = dict(msg.header.body)
        if header["board"] != self.board:
            return self._error(msg, ErrorCode.BAD_IMAGE, f"image is for board {header['board']!r}, this is {self.board!r}")
        if header["length"] > SLOT_SIZE:
            return self._error(msg, ErrorCode.BAD_IMAGE, f"image of {header['length']} bytes does not fit a slot")
        if not RAM_BASE <= header["load_addr"] < RAM_BASE + RAM_SIZE:
            return self._error(msg, ErrorCode.BAD_IMAGE, "load address outside RAM")
        if msg.slot == SLOT_RAM:
            self.ram_image = None
            self._pending = dict(slot=SLOT_RAM, header=header, data=bytearray(header["length"]))
            return self._ack(msg, SLOT_RAM)
        if not self.has_slots:
            return self._error(msg, ErrorCode.BAD_SLOT, "this board has no image slots")
        valid = [i for i, s in enumerate(self.slots) if s is not None]
        slot = msg.slot
        if slot == SLOT_AUTO:           # beside the last confirmed image, or else the newest
            keep = self.confirmed() if self.confirmed() != SLOT_AUTO else self.newest()
            slot = next((i for i in range(SLOT_COUNT) if i != keep), 0)
        if slot >= SLOT_COUNT:
            return self._error(msg, ErrorCode.BAD_SLOT, f"no slot {slot}")
        if valid == [slot]:
            return self._error(msg, ErrorCode.BAD_SLOT, f"slot {slot} holds the only valid image")
        if slot == self.confirmed():
            return self._error(msg, ErrorCode.BAD_SLOT, f"slot {slot} holds the last confirmed image")
        self.slots[slot] = None
        self._pending = dict(slot=slot, header=header, data=bytearray(b"\xff" * header["length"]))
        self._ack(msg, slot)

    def _flash_data(self, msg) -> None:
        if self._pending is None:
            return self._error(msg, ErrorCode.BAD_STATE, "no FLASH_BEGIN")
        data = self._pending["data"]
        if len(msg.data) > FLASH_CHUNK_MAX or msg.offset + len(msg.data) > len(data):
            return self._error(msg, ErrorCode.BAD_LENGTH, "chunk outside the image")
        data[msg.offset:msg.offset + len(msg.data)] = msg.data
        self._ack(msg, msg.offset + len(msg.data))

    def _flash_end(self, msg) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return self._error(msg, ErrorCode.BAD_STATE, "no FLASH_BEGIN")
        if zlib.crc32(bytes(pending["data"])) != pending["header"]["crc"]:
            return self._error(msg, ErrorCode.VERIFY_FAILED, "payload CRC does not match the header")
        if pending["slot"] == SLOT_RAM:
            self.ram_image = dict(header=pending["header"], payload=bytes(pending["data"]))
            return self._ack(msg, 0)
        sequence = max([s["sequence"] for s in self.slots if s is not None] + [0]) + 1
        self.slots[pending["slot"]] = dict(header=pending["header"], payload=bytes(pending["data"]), sequence=sequence,
                                           state=SlotState.NEW)
        self._ack(msg, sequence)

    def _boot(self, msg) -> None:
        if msg.slot == SLOT_RAM:
            if self.ram_image is None:
                return self._error(msg, ErrorCode.NO_IMAGE, "no image loaded into RAM")
            self._ack(msg, SLOT_RAM)
            self.role, self.active_slot = Role.KERNEL, SLOT_RAM
            return self._send(MsgType.INFO, 0, self._info())
        slot = self.newest() if msg.slot == SLOT_AUTO else msg.slot
        if slot >= SLOT_COUNT or self.slots[slot] is None:
            return self._error(msg, ErrorCode.NO_IMAGE, "no valid image")
        self._ack(msg, slot)
        self._boot_slot(slot)

    def _boot_newest(self, log: bool) -> None:
        slot = self.newest()
        if slot == SLOT_AUTO:
            return self._log("no valid image")
        self._boot_slot(slot)

    def _boot_slot(self, slot: int) -> None:
        """The fake kernel always comes up, and confirms its image at once."""
        self._log(f"booting slot {slot}")
        self.slots[slot]["state"] = SlotState.CONFIRMED
        self.role = Role.KERNEL
        self.active_slot = slot
        self._send(MsgType.INFO, 0, self._info())


    # ----------------------------------------------------------------------------------------
    # Kernel: debugd's requests

    def _stats(self, msg) -> None:
        self._send(MsgType.STATS_INFO, msg.seq, dict(
            ticks=500, ipc=40, ipc_fast=30, irqs=520, pagefaults=3, exceptions=1, stopped=0, kmem_free=1 << 20,
            mapdb_nodes=12, trace_head=3, cycles=123456, idle_cycles=9_000_000,
            syscalls=[10 + i for i in range(SYSCALL_SLOTS)]))

    def _threads(self, msg) -> None:
        entries = [dict(id=tid, state=state, prio=prio, flags=2 if name == "debugd" else 0, space=space,
                        pager=pager, exc_handler=0, cycles=1_000_000, pc=0x100000 + space, stop_reason=0,
                        partner=0xFFFFFFFF, name=name)
                   for tid, name, state, prio, space, pager in THREADS[msg.start:]]
        self._send(MsgType.THREAD_LIST, msg.seq, dict(next=512, threads=entries))

    def _tests(self, msg) -> None:
        names = "".join(f"test:{name}\0" for name in TESTS) + "".join(f"bench:{name}\0" for name in BENCHES)
        self._send(MsgType.TEST_NAMES, msg.seq, dict(next=0xFFFF, names=names))

    def _run_test(self, msg) -> None:
        name = msg.payload.name                 # msg.name is the message type's
        status, text = TESTS.get(name, (3, f"no test named '{name}'"))
        self._send(MsgType.TEST_RESULT, msg.seq, dict(status=status, value=7, cycles=1000, text=text))

    def _bench(self, msg) -> None:
        name = msg.payload.name
        if name not in BENCHES:
            return self._send(MsgType.BENCH_RESULT, msg.seq, dict(status=3, overhead=0, samples=[]))
        samples = [BENCHES[name]] * (msg.iterations - 1) + [BENCHES[name] * 10]
        self._send(MsgType.BENCH_RESULT, msg.seq, dict(status=0, overhead=1, samples=samples))

    def _inject_irq(self, msg) -> None:
        self.injected.append(msg.irq)
        self._ack(msg, msg.irq)

    def _trace(self, msg) -> None:
        events = [dict(cycles=1000, type=2, a=0, b=0x500001, c=0),
                  dict(cycles=1200, type=1, a=0x500001, b=0x400001, c=0x10000),
                  dict(cycles=1500, type=3, a=33, b=0, c=0)]
        start = min(max(msg.start, 0), len(events))
        self._send(MsgType.TRACE_DATA, msg.seq, dict(first=start, head=len(events), events=events[start:]))

    def _syscall(self, msg) -> None:
        regs = list(msg.regs)
        self.syscalls.append(list(regs))
        regs[0], regs[1] = 12345, 0
        self._send(MsgType.SYSCALL_RESULT, msg.seq, dict(status=0, cycles=117, regs=regs))


def _err(code: ErrorCode, request: int, text: str) -> dict:
    return dict(code=code, request=request, text=text)


def _known(msg_type: int):
    try:
        return MsgType(msg_type)
    except ValueError:
        return msg_type


BOOTLOADER = {
    MsgType.HELLO: FakeTarget._hello,
    MsgType.PING: FakeTarget._ping,
    MsgType.READ_MEM: FakeTarget._read_mem,
    MsgType.RESET: FakeTarget._reset_request,
    MsgType.SLOTS: FakeTarget._slots,
    MsgType.FLASH_BEGIN: FakeTarget._flash_begin,
    MsgType.FLASH_DATA: FakeTarget._flash_data,
    MsgType.FLASH_END: FakeTarget._flash_end,
    MsgType.BOOT: FakeTarget._boot,
}

KERNEL = {
    MsgType.HELLO: FakeTarget._hello,
    MsgType.PING: FakeTarget._ping,
    MsgType.READ_MEM: FakeTarget._read_mem,
    MsgType.RESET: FakeTarget._reset_request,
    MsgType.STATS: FakeTarget._stats,
    MsgType.THREADS: FakeTarget._threads,
    MsgType.TESTS: FakeTarget._tests,
    MsgType.RUN_TEST: FakeTarget._run_test,
    MsgType.BENCH: FakeTarget._bench,
    MsgType.INJECT_IRQ: FakeTarget._inject_irq,
    MsgType.TRACE: FakeTarget._trace,
    MsgType.SYSCALL: FakeTarget._syscall,
}


class FakePower:
    """Power control of a FakeTarget, as host.protocols.PowerProtocol asks."""

    def __init__(self, target: FakeTarget):
        self.target = target
        self.on_count = self.off_count = 0

    def on(self) -> None:
        self.on_count += 1
        self.target.reset()

    def off(self) -> None:
        self.off_count += 1

    def reset(self) -> None:
        self.target.reset()
