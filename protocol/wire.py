"""The debug-link wire format and the flash image header, defined once.

Every message crosses the serial line as one frame:

    COBS( version:u8 | type:u8 | seq:u16 | length:u16 | payload[length] | crc32:u32 ) 0x00

All integers are little-endian.  The CRC is IEEE 802.3 CRC-32 (the one zlib computes) over
everything before it.  COBS removes every zero byte from the frame, so a single 0x00 ends it
and a receiver that lost sync resynchronises at the next zero.

Sequence numbers: a host request carries 1..65535 and the target's answer (the reply type, or
ERROR) carries the same number.  Messages the target sends on its own (LOG, a boot INFO) carry
seq 0.  A request the target cannot decode is answered with ERROR and seq 0.

The C header the firmware uses (firmware/include/generated/proto.h) is generated from this
module by tools/gen_proto_header.py; a test fails when the two disagree.
"""

from __future__ import annotations

import enum
import zlib

from construct import (
    Bytes,
    ExprAdapter,
    Padding,
    Checksum,
    Const,
    Enum,
    GreedyBytes,
    GreedyRange,
    Int8ul,
    Int16sl,
    Int16ul,
    Int32ul,
    Int64ul,
    Prefixed,
    RawCopy,
    Rebuild,
    Struct,
    Switch,
    this,
)

# --------------------------------------------------------------------------------------------
# Constants

PROTO_VERSION = 1             # in every frame; a receiver refuses any other
MAX_PAYLOAD = 4096            # largest payload either side accepts
BOARD_NAME_LEN = 16
BUILD_ID_LEN = 20             # GNU ld --build-id=sha1
VERSION_TEXT_LEN = 32
SLOT_AUTO = 0xFF              # FLASH_BEGIN / BOOT: let the bootloader choose
SLOT_RAM = 0xFE               # FLASH_BEGIN / BOOT: the image in RAM, at its load address (no slot)
SLOT_COUNT = 2                # A/B image slots in the application flash bank
SLOT_ROOTFS = 0xFD            # FLASH_SUMS: the root file system partition's archive, not a slot
BURST_WINDOW = 156            # samples (one per symbol) in a timeslot's receive window
UL_BURST_BITS = 148           # bits of a transmitted burst (normal or access), tails included
IMAGE_MAGIC = b"L4IM"
IMAGE_FORMAT = 1              # layout of ImageHeader; a bootloader refuses any other
IMAGE_PAYLOAD_OFFSET = 0x100  # payload starts this far into a slot; the header sits before it
# Test-then-confirm: two words at the end of a slot's header area, erased when the slot is
# flashed and never written by the host.  Each is programmed once (NOR flash clears bits
# without an erase): TRIAL by the bootloader when it first boots the image, CONFIRM by the
# running system once its servers are up.  An image tried and not confirmed is abandoned.
IMAGE_TRIAL_OFFSET = 0xF8
IMAGE_CONFIRM_OFFSET = 0xFC
IMAGE_TRIAL_MARK = 0x4C415254    # "TRAL": anything but erased counts as tried
IMAGE_CONFIRM_MARK = 0x444F4F47  # "GOOD": only this exact word counts as confirmed
FLASH_SUM_BLOCK = 4096        # FLASH_SUMS: one CRC per this many bytes of a slot's payload area
FLASH_LZ4_DICT_MAX = 65536    # how far back a FLASH_DATA_LZ4 block may refer (LZ4's own limit)


def crc32(data: bytes) -> int:
    """CRC-32 as used by frames and images (IEEE 802.3, reflected, init and xorout 0xFFFFFFFF)."""
    return zlib.crc32(data) & 0xFFFFFFFF


# --------------------------------------------------------------------------------------------
# Enums


class MsgType(enum.IntEnum):
    HELLO = 0x01        # host -> target: who are you?            -> INFO
    INFO = 0x02         # target -> host: board, build, role, clocks
    PING = 0x03         # host -> target: echo these bytes          -> PONG
    PONG = 0x04
    LOG = 0x05          # target -> host, unsolicited: a line of text
    ERROR = 0x06        # target -> host: a request failed, and why
    ACK = 0x07          # target -> host: a request succeeded, with one value
    RESET = 0x08        # host -> target: reset the board           -> ACK, then reset
    READ_MEM = 0x10     # host -> target: read memory               -> MEM_DATA
    MEM_DATA = 0x11
    FLASH_BEGIN = 0x20  # host -> bootloader: start an image        -> ACK(slot)
    FLASH_DATA = 0x21   # host -> bootloader: a chunk of payload    -> ACK(offset + length)
    FLASH_END = 0x22    # host -> bootloader: verify and commit     -> ACK(sequence)
    FLASH_DATA_LZ4 = 0x23  # host -> bootloader: a chunk, LZ4-compressed -> ACK(offset + length)
    FLASH_SUMS = 0x24   # host -> bootloader: CRCs of a slot's blocks  -> FLASH_SUMS_INFO
    FLASH_SUMS_INFO = 0x25
    FLASH_COPY = 0x26   # host -> bootloader: program a run from a slot's old bytes -> ACK(offset + length)
    ROOTFS_BEGIN = 0x27  # host -> bootloader: rewrite the root file system partition -> ACK(0)
    BOOT = 0x30         # host -> bootloader: boot a slot           -> ACK(slot), then boot
    SLOTS = 0x31        # host -> bootloader: describe the slots    -> SLOT_INFO
    SLOT_INFO = 0x32
    STATS = 0x40        # host -> kernel: the kernel's counters       -> STATS_INFO
    STATS_INFO = 0x41
    THREADS = 0x42      # host -> kernel: threads from an index       -> THREAD_LIST
    THREAD_LIST = 0x43
    RUN_TEST = 0x44     # host -> kernel: run an on-target test       -> TEST_RESULT
    TEST_RESULT = 0x45
    BENCH = 0x46        # host -> kernel: run a benchmark             -> BENCH_RESULT
    BENCH_RESULT = 0x47
    INJECT_IRQ = 0x48   # host -> kernel: set an interrupt pending    -> ACK
    TRACE = 0x49        # host -> kernel: trace events from an index  -> TRACE_DATA
    TRACE_DATA = 0x4A
    TRACE_CONTROL = 0x4B  # host -> kernel: start or stop recording   -> ACK(next index)
    SYSCALL = 0x4C      # host -> kernel: a probe thread makes a call -> SYSCALL_RESULT
    SYSCALL_RESULT = 0x4D
    TESTS = 0x4E        # host -> kernel: names of tests and benchmarks -> TEST_NAMES
    TEST_NAMES = 0x4F
    CONSOLE = 0x50      # target -> host, unsolicited: Linux console output
    CONSOLE_IN = 0x51   # host -> kernel: Linux console input         -> ACK(bytes taken)
    SHELL = 0x52        # host -> kernel: start a shell (command line) -> ACK(pid)
    LINUX_EXIT = 0x53   # target -> host, unsolicited: a process the host started has ended
    LINUX_STATS = 0x54  # host -> kernel: the Linux server's counters -> LINUX_STATS_INFO
    LINUX_STATS_INFO = 0x55
    RESTART = 0x56      # host -> kernel: delete a server's domain, start an image there -> ACK
    LINUX_SIGNAL = 0x57  # host -> kernel: signal a shell the host started (SIGHUP: hang up) -> ACK(processes)
    # The radio link (a channel of its own between the modem and the host's simulated network):
    RADIO_DL = 0x60     # host -> modem: downlink bursts, ahead of their time -> RADIO_STATUS
    RADIO_STATUS = 0x61  # modem -> host: the front end's clock and downlink buffer
    RADIO_UL = 0x62     # modem -> host, unsolicited: uplink bursts as they were transmitted
    MODEM_START = 0x63  # host -> modem: switch the mobile on, its clock running   -> RADIO_STATUS
    MODEM_STOP = 0x64   # host -> modem: switch it off                            -> ACK(frames run)
    MODEM_STATUS = 0x65  # host -> modem: states and counters             -> MODEM_STATUS_INFO
    MODEM_STATUS_INFO = 0x66
    MODEM_EVENT = 0x67  # modem -> host, unsolicited: what a layer of the stack did
    RADIO_UL_ACK = 0x68  # host -> modem, no answer: uplink bursts received so far (flow control)
    MODEM_LATENCY = 0x69  # host -> modem: a task's release -> start histogram -> MODEM_LATENCY_INFO
    MODEM_LATENCY_INFO = 0x6A


class Role(enum.IntEnum):
    BOOTLOADER = 1      # the stage-0 loader in flash bank 0
    KERNEL = 2          # an image booted from a slot
    MODEM = 3           # the modem, answering on the radio link


class Feature(enum.IntFlag):
    """What the firmware that answered HELLO supports (INFO.features)."""
    PING = 1 << 0       # answers PING
    READ_MEM = 1 << 1   # answers READ_MEM
    FLASH = 1 << 2      # accepts FLASH_BEGIN, FLASH_DATA, FLASH_END and SLOTS
    BOOT = 1 << 3       # accepts BOOT
    RESET = 1 << 4      # accepts RESET
    TIMER = 1 << 5      # the kernel's periodic timer interrupt is running
    THREADS = 1 << 6    # answers STATS and THREADS
    TESTS = 1 << 7      # answers TESTS, RUN_TEST and BENCH
    TRACE = 1 << 8      # answers TRACE and TRACE_CONTROL
    INJECT = 1 << 9     # answers INJECT_IRQ
    SYSCALL = 1 << 10   # answers SYSCALL
    LINUX = 1 << 11     # a Linux server runs: answers SHELL, CONSOLE_IN, LINUX_STATS, LINUX_SIGNAL; sends CONSOLE
    RADIO = 1 << 12     # a modem on the radio link: answers RADIO_DL, MODEM_*; sends RADIO_UL, MODEM_EVENT
    RESTART = 1 << 13   # answers RESTART (the root task restarts servers for the debug agent)
    FLASH_LZ4 = 1 << 14  # accepts FLASH_DATA_LZ4
    FLASH_LZ4_DICT = 1 << 15  # FLASH_DATA_LZ4 blocks may refer back into the FLASH_LZ4_DICT_MAX bytes before them
    FLASH_SUMS = 1 << 16  # answers FLASH_SUMS and accepts FLASH_COPY
    RAM_BOOT = 1 << 17  # FLASH_BEGIN, FLASH_DATA(_LZ4), FLASH_END and BOOT take SLOT_RAM: an image in RAM, no slot
    FLASH_ROOTFS = 1 << 18  # accepts ROOTFS_BEGIN, and FLASH_SUMS of SLOT_ROOTFS


class ErrorCode(enum.IntEnum):
    BAD_FRAME = 1        # CRC, COBS or length did not check out
    BAD_VERSION = 2      # frame from a different protocol version
    UNKNOWN_TYPE = 3     # message type this firmware does not handle
    BAD_LENGTH = 4       # payload too short or too long for its type
    BAD_ADDRESS = 5      # READ_MEM outside the readable regions, INJECT_IRQ of a line that is not there
    BAD_SLOT = 6         # no such slot, or the only valid one
    BAD_IMAGE = 7        # image header refused (magic, format, board, size, addresses)
    BAD_STATE = 8        # FLASH_DATA/END without FLASH_BEGIN, and the like
    FLASH_FAILED = 9     # the flash chip reported an erase or program error
    VERIFY_FAILED = 10   # the data in flash does not match the image CRC
    NO_IMAGE = 11        # BOOT with no valid slot


class SlotState(enum.IntEnum):
    """Where a valid slot's image is in test-then-confirm (IMAGE_TRIAL_OFFSET)."""
    NEW = 0             # flashed, never booted
    TRIAL = 1           # booted once on trial and not confirmed: abandoned at the next boot
    CONFIRMED = 2       # its system came up and confirmed it


class TestStatus(enum.IntEnum):
    PASS = 0
    FAIL = 1            # the test ran and an expectation did not hold
    ERROR = 2           # the test could not run (no memory, a helper thread died, ...)
    NO_SUCH_TEST = 3
    TIMEOUT = 4         # the test did not finish in time


class SyscallStatus(enum.IntEnum):
    DONE = 0            # the call returned; `regs` are the registers after it
    FAULTED = 1         # the probe took an exception instead; `regs` are its registers then
    TIMEOUT = 2         # the call blocked past the timeout and was aborted


class TraceType(enum.IntEnum):
    IPC = 1             # a: sender, b: receiver, c: message tag
    SWITCH = 2          # a: thread switched from (0: idle), b: to
    IRQ = 3             # a: interrupt line
    FAULT = 4           # a: thread, b: address, c: exception kind
    IRQ_IPC = 5         # a: interrupt ID, b: handler
    IPC_SWITCH = 6      # the fast path's IPC, its receiver running at once: IPC, then SWITCH a -> b


class ModemLayer(enum.IntEnum):
    """Who reported a MODEM_EVENT."""
    RADIO = 0           # the front end: the clock, the sample buffers
    L1 = 1              # synchronisation, bursts, blocks
    L2 = 2              # LAPDm
    RR = 3              # radio resources: cell selection, channels
    MM = 4              # mobility management
    CC = 5              # call control


class ModemAction(enum.IntEnum):
    """What the mobile's user does at MODEM_START.action_frame (a scenario's script)."""
    NONE = 0            # nothing: the mobile camps and answers pages
    ATTACH = 1          # IMSI attach: a location update
    CALL = 2            # a mobile-originated call to MODEM_START.number


class ModemFlag(enum.IntEnum):
    """MODEM_START.flags."""
    BELOW_LINUX = 1     # tests only: the modem's tasks below every Linux thread (the negative control)


class LogLevel(enum.IntEnum):
    ERROR = 1           # something failed
    WARN = 2            # something is off, work goes on
    INFO = 3            # a milestone: booting a slot, an image committed
    DEBUG = 4           # detail for whoever is chasing a problem


# --------------------------------------------------------------------------------------------
# Structures: the flash image header


def Text(length: int | None = None):
    """UTF-8 text: NUL-padded to `length` bytes, or the rest of the payload when None.
    Bytes that are not UTF-8 decode to U+FFFD rather than failing, so a frame is accepted or
    refused on its framing alone, as the firmware's C decoder does."""
    if length is None:
        return ExprAdapter(GreedyBytes, lambda raw, ctx: raw.decode("utf8", "replace"),
                           lambda text, ctx: text.encode("utf8"))

    def encode(text, ctx):
        raw = text.encode("utf8")
        if len(raw) > length:
            raise ValueError(f"text {text!r} longer than {length} bytes")
        return raw.ljust(length, b"\0")

    return ExprAdapter(Bytes(length), lambda raw, ctx: raw.rstrip(b"\0").decode("utf8", "replace"), encode)


ImageHeaderBody = Struct(
    "magic" / Const(IMAGE_MAGIC),
    "format" / Const(IMAGE_FORMAT, Int16ul),
    "header_size" / Rebuild(Int16ul, lambda ctx: IMAGE_HEADER_SIZE),  # the whole header, CRC included
    "sequence" / Int32ul,      # written by the bootloader when the image is committed
    "length" / Int32ul,        # payload bytes
    "crc" / Int32ul,           # crc32 of the payload
    "load_addr" / Int32ul,     # where the bootloader copies the payload
    "entry" / Int32ul,         # where it jumps
    "board" / Text(BOARD_NAME_LEN),    # the board the image was built for; others refuse it
    "build_id" / Bytes(BUILD_ID_LEN),  # the payload's build id (protocol.bootinfo.image_build_id)
)

ImageHeader = Struct(
    "body" / RawCopy(ImageHeaderBody),
    "header_crc" / Checksum(Int32ul, crc32, this.body.data),
)

IMAGE_HEADER_SIZE = ImageHeaderBody.sizeof() + Int32ul.sizeof()  # the header with its CRC

# --------------------------------------------------------------------------------------------
# Structures: message payloads

Empty = Struct()

Info = Struct(
    "proto_version" / Int8ul,    # PROTO_VERSION the firmware was built with
    "role" / Enum(Int8ul, Role),
    "active_slot" / Int8ul,      # slot the running image came from, SLOT_RAM, or SLOT_AUTO if none
    "reserved" / Padding(1),
    "features" / Int32ul,        # Feature bits
    "cycle_hz" / Int32ul,        # cycle counter frequency (PMCCNTR)
    "timer_hz" / Int32ul,        # generic timer frequency (CNTFRQ)
    "max_payload" / Int16ul,     # largest payload the firmware accepts
    "reserved2" / Padding(2),
    "board" / Text(BOARD_NAME_LEN),      # board name, as in image headers
    "build_id" / Bytes(BUILD_ID_LEN),    # KERNEL: the image's (the kernel and its modules); others: their ELF's
    "version" / Text(VERSION_TEXT_LEN),  # firmware version text (git describe)
)

Data = Struct("data" / GreedyBytes)  # PING: any bytes; PONG: the same bytes back

Log = Struct(
    "level" / Enum(Int8ul, LogLevel),
    "text" / Text(),             # one line, no newline
)

Error = Struct(
    "code" / Enum(Int16ul, ErrorCode),
    "request" / Int8ul,          # the message type that failed, 0 if the frame did not decode
    "text" / Text(),             # for people: what exactly was wrong
)

Ack = Struct("value" / Int32ul)  # what it means depends on the request

ReadMem = Struct(
    "addr" / Int32ul,            # first byte to read
    "length" / Int16ul,          # bytes, at most MAX_PAYLOAD - 4
)

MemData = Struct(
    "addr" / Int32ul,            # as requested
    "data" / GreedyBytes,        # the bytes read
)

FlashBegin = Struct(
    "slot" / Int8ul,             # 0, 1, SLOT_AUTO, or SLOT_RAM (Feature.RAM_BOOT)
    "header" / ImageHeader,      # exactly as in the image file, sequence 0
)

FlashData = Struct(
    "offset" / Int32ul,          # into the payload, a multiple of 4
    "data" / GreedyBytes,        # at most FLASH_CHUNK_MAX bytes
)

FlashDataLz4 = Struct(
    "offset" / Int32ul,          # into the payload, a multiple of 4
    "length" / Int32ul,          # what the data decompresses to, at most FLASH_LZ4_CHUNK_MAX
    "data" / GreedyBytes,        # one raw LZ4 block (no frame, no size prefix)
)

FlashSums = Struct(
    "slot" / Int8ul,             # 0 or 1: whose payload area; SLOT_ROOTFS: the root file system's archive
    "reserved" / Padding(3),
    "offset" / Int32ul,          # into the payload area, a multiple of FLASH_SUM_BLOCK
    "length" / Int32ul,          # bytes to cover; the last block may be partial
)

FlashSumsInfo = Struct(
    "slot" / Int8ul,             # as asked
    "reserved" / Padding(3),
    "offset" / Int32ul,          # as asked
    "sums" / GreedyRange(Int32ul),  # crc32 of each FLASH_SUM_BLOCK from offset, as many as fit
)

FlashCopy = Struct(
    "offset" / Int32ul,          # into the payload, a multiple of 4; the run comes from the same offset
    "length" / Int32ul,          # bytes, inside the image
    "slot" / Int8ul,             # whose bytes: the slot being flashed (as it was at FLASH_BEGIN) or the other
    "reserved" / Padding(3),
    "crc" / Int32ul,             # crc32 the run must have; otherwise nothing is programmed
)

# The root file system partition (protocol/bootinfo.py: its header, then the archive at
# ROOTFS_DATA_OFFSET) is rewritten in place, in RAM first: FLASH_DATA and FLASH_DATA_LZ4 after
# ROOTFS_BEGIN carry the archive's changed blocks (offsets into the archive), and FLASH_END
# programs the erase blocks they touched, checks the archive's CRC and writes the header last
# (ACK: the erase blocks rewritten).  The old header is cleared at ROOTFS_BEGIN, so a partition
# cut off midway is refused by the Linux server, never half-read.
RootfsBegin = Struct(
    "length" / Int32ul,          # bytes of the new archive, at most the partition less its header page
    "crc" / Int32ul,             # its CRC-32: the header FLASH_END writes
)

Boot = Struct("slot" / Int8ul)  # 0, 1, SLOT_AUTO for the newest valid slot, SLOT_RAM for the image loaded into RAM

SlotEntry = Struct(
    "valid" / Int8ul,            # 1 if header and payload check out; then the rest is filled
    "state" / Enum(Int8ul, SlotState),
    "reserved" / Padding(2),
    "sequence" / Int32ul,        # from the header: higher is newer
    "length" / Int32ul,          # payload bytes
    "crc" / Int32ul,             # crc32 of the payload
    "build_id" / Bytes(BUILD_ID_LEN),
)

SlotInfo = Struct(
    "count" / Int8ul,            # SLOT_COUNT
    "newest" / Int8ul,           # newest valid slot, SLOT_AUTO if none
    "confirmed" / Int8ul,        # newest confirmed slot (a flash never overwrites it), SLOT_AUTO if none
    "reserved" / Padding(1),
    "slots" / SlotEntry[SLOT_COUNT],
)

SYSCALL_SLOTS = 11                  # counters per system call number, the last for bad numbers
SYSCALL_REGS = 13                   # r0-r12

StatsInfo = Struct(
    "ticks" / Int32ul,              # scheduler ticks since boot
    "ipc" / Int32ul,                # IPC transfers
    "ipc_fast" / Int32ul,           # ... of which on the fast path
    "irqs" / Int32ul,               # interrupts taken
    "pagefaults" / Int32ul,         # page faults sent to pagers
    "exceptions" / Int32ul,         # exceptions sent to handlers (or that stopped a thread)
    "stopped" / Int32ul,            # threads stopped for want of a handler
    "kmem_free" / Int32ul,          # bytes of kernel memory left
    "mapdb_nodes" / Int32ul,        # mappings in the mapping database
    "trace_head" / Int32ul,         # index of the next trace event
    "cycles" / Int32ul,             # cycle counter now
    "idle_cycles" / Int64ul,        # cycles spent idle
    "syscalls" / Int32ul[SYSCALL_SLOTS],  # calls per system call number; the last: bad numbers
)

Threads = Struct("start" / Int16ul)  # thread table index to start from: 0, then `next`

ThreadEntry = Struct(
    "id" / Int32ul,                 # thread ID
    "state" / Int8ul,               # 1 inactive, 2 ready, 3 sending, 4 receiving
    "prio" / Int8ul,                # scheduling priority
    "flags" / Int8ul,               # 1 foreign ABI, 2 privileged
    "space" / Int8ul,               # address space (its ASID)
    "pager" / Int32ul,              # thread ID of its pager
    "exc_handler" / Int32ul,        # thread ID of its exception handler
    "cycles" / Int64ul,             # CPU time
    "pc" / Int32ul,                 # its saved pc: where it resumes
    "stop_reason" / Int8ul,         # exception kind that stopped it, 0 if none
    "reserved" / Padding(3),
    "partner" / Int32ul,            # whom it sends to or waits for
    "name" / Text(12),              # set by its creator, for people
)

ThreadList = Struct(
    "next" / Int16ul,               # index to ask for next; >= 512 when the list is done
    "reserved" / Padding(2),
    "threads" / GreedyRange(ThreadEntry),  # as many as fit, in table order
)

RunTest = Struct("name" / Text())  # as TEST_NAMES lists it

TestResult = Struct(
    "status" / Enum(Int8ul, TestStatus),
    "reserved" / Padding(3),
    "value" / Int32ul,              # a number the test reports (a count, an error code)
    "cycles" / Int32ul,             # how long it ran
    "text" / Text(),                # what went wrong, or what it measured
)

class BenchFlag(enum.IntFlag):
    RECORDER_OFF = 1 << 0           # the trace recorder off while measuring (shipped: on)


Bench = Struct(
    "iterations" / Int16ul,         # samples wanted (warm-up runs come on top)
    "flags" / Int16ul,              # BenchFlag: 0 measures the kernel as it ships
    "name" / Text(),                # as TEST_NAMES lists it
)

BenchResult = Struct(
    "status" / Enum(Int8ul, TestStatus),
    "reserved" / Padding(3),
    "overhead" / Int32ul,           # cycles of an empty measurement, already subtracted
    "samples" / GreedyRange(Int32ul),   # cycles, one per iteration
)

InjectIrq = Struct("irq" / Int16ul)  # interrupt ID at the GIC

Trace = Struct("start" / Int32ul)  # index of the first event wanted

TraceEvent = Struct(
    "cycles" / Int32ul,             # cycle counter when it happened
    "type" / Enum(Int32ul, TraceType),
    "a" / Int32ul,                  # a, b, c: as the type says
    "b" / Int32ul,
    "c" / Int32ul,
)

TraceData = Struct(
    "first" / Int32ul,              # index of the first event here (later than asked: lost)
    "head" / Int32ul,               # index the next event will get
    "events" / GreedyRange(TraceEvent),  # oldest first, as many as fit
)

TraceControl = Struct("enable" / Int8ul)  # 1: record events, 0: stop

Syscall = Struct(
    "regs" / Int32ul[SYSCALL_REGS], # r0-r12 as the probe loads them; r7 is the call number
    "timeout_us" / Int32ul,         # abort the call if it blocks this long
)

SyscallResult = Struct(
    "status" / Enum(Int8ul, SyscallStatus),
    "reserved" / Padding(3),
    "cycles" / Int32ul,             # from just before the SVC to just after it
    "regs" / Int32ul[SYSCALL_REGS], # r0-r12 after the call, or when the probe faulted
)

LinuxExit = Struct(
    "pid" / Int32ul,
    "status" / Int32ul,             # wait status: exit code << 8, or the signal number
)

LinuxSignal = Struct(
    "pid" / Int32ul,                # a shell SHELL started: its session
    "signal" / Int32ul,             # SIGINT: to the session's foreground group, as the console's ^C;
                                    # SIGHUP: the host's end of the terminal went away (hangup)
)

UnknownSyscall = Struct(
    "nr" / Int32ul,                 # the ARM EABI system call number (r7)
    "count" / Int32ul,              # how often a process made it (each got -ENOSYS)
)

LinuxStatsInfo = Struct(
    "processes" / Int16ul,          # live processes (zombies included)
    "zombies" / Int16ul,            # ended, not yet waited for
    "frames_free" / Int32ul,        # 4 KiB frames left in the server's pool
    "frames_total" / Int32ul,
    "syscalls" / Int32ul,           # system calls handled since boot
    "page_faults" / Int32ul,        # page faults handled since boot
    "oom_kills" / Int32ul,          # processes killed because the pool ran dry
    "unknown" / GreedyRange(UnknownSyscall),  # calls answered -ENOSYS, by number, as many as fit
)

MODULE_NAME_LEN = 16                # a boot module's name (protocol/bootinfo.py), NUL-padded

Restart = Struct(
    "server" / Text(MODULE_NAME_LEN),   # the boot module whose domain is deleted: every space,
                                        # thread and page in it (the Linux server and its processes)
    "image" / Text(MODULE_NAME_LEN),    # the boot module started there afresh, with the domain's
                                        # rights: the same one, or a standby module (a test's)
)

Tests = Struct("start" / Int16ul)  # index of the first name wanted: 0, then `next`

TestNames = Struct(
    "next" / Int16ul,               # index to ask for next; 0xffff when the list is done
    "reserved" / Padding(2),
    "names" / Text(),               # each name followed by a NUL; tests and benchmarks alike
)

# The radio link's payloads.  Frame numbers here are the mobile's own frame count since
# MODEM_START (frame 0 starts `lead_us` after it); the cell's FN is the simulator's business.

DlBurst = Struct(
    "frame" / Int32ul,              # the mobile's frame in which the burst is on the air
    "tn" / Int8ul,                  # timeslot 0-7
    "reserved" / Padding(3),
    "iq" / Int16sl[2 * BURST_WINDOW],   # I, Q, I, Q...: the receive window, one sample per symbol
)

RadioDl = Struct(
    "reserved" / Padding(4),
    "bursts" / GreedyRange(DlBurst),    # in (frame, tn) order, as many as fit
)

RadioStatus = Struct(
    "running" / Int8ul,             # 1 once MODEM_START started the clock
    "reserved" / Padding(3),
    "frame" / Int32ul,              # the mobile's current frame
    "buffered" / Int32ul,           # bursts waiting in the downlink buffer
    "room" / Int32ul,               # bursts the buffer can still take
    "underruns" / Int32ul,          # bursts layer 1 wanted that had not arrived in time
    "late" / Int32ul,               # bursts that arrived after their timeslot and were dropped
)

UlBurst = Struct(
    "frame" / Int32ul,              # the mobile's frame it was transmitted in
    "tn" / Int8ul,                  # timeslot, counted as the downlink's (the uplink is 3 later)
    "kind" / Int8ul,                # 0 normal burst, 1 access burst (RACH)
    "reserved" / Padding(2),
    "bits" / Bytes(UL_BURST_BITS),  # the burst's bits, one per byte (0 or 1), tails included
)

RadioUl = Struct(
    "frame" / Int32ul,              # the mobile's frame when it sent these
    "bursts" / GreedyRange(UlBurst),
)

RadioUlAck = Struct(
    "bursts" / Int32ul,             # RADIO_UL bursts the host has taken since MODEM_START
)

ModemStart = Struct(
    "seed" / Int32ul,               # the mobile's random choices (RACH timing, references)
    "lead_us" / Int32ul,            # frame 0 starts this long after the request
    "frames" / Int32ul,             # the clock stops by itself after this many; 0: at MODEM_STOP
    "imsi" / Bytes(8),              # its identity, BCD as in TS 24.008 (IMSI digits)
    "action" / Int8ul,              # what its user does (ModemAction), at `action_frame`
    "flags" / Int8ul,               # ModemFlag bits
    "reserved" / Padding(2),
    "action_frame" / Int32ul,       # the mobile's frame at which the user acts
    "number" / Bytes(8),            # MODEM_ACTION call: the number dialled, BCD, 0xF padded
)

ModemTask = Struct(
    "name" / Text(8),               # the task, as in docs/modem.md
    "jobs" / Int32ul,               # jobs released
    "misses" / Int32ul,             # jobs not complete by their deadline
    "worst_response" / Int32ul,     # microseconds from release to completion, worst seen
    "worst_start" / Int32ul,        # microseconds from release to start, worst seen
)

ModemStatusInfo = Struct(
    "frame" / Int32ul,              # the mobile's frame now
    "fn" / Int32ul,                 # the cell's FN it keeps, 0xffffffff before synchronisation
    "l1_state" / Int8ul,            # 0 off, 1 searching FCCH, 2 reading SCH, 3 camped, 4 dedicated
    "bsic" / Int8ul,                # of the cell it is synchronised to
    "rr_state" / Int8ul,            # as docs/modem.md numbers them
    "mm_state" / Int8ul,
    "cc_state" / Int8ul,
    "reserved" / Padding(3),
    "underruns" / Int32ul,          # the radio's, as in RADIO_STATUS
    "blocks_ok" / Int32ul,          # blocks decoded with good parity
    "blocks_bad" / Int32ul,         # blocks whose parity failed
    "bit_errors" / Int32ul,         # channel bit errors corrected in good blocks
    "bits" / Int32ul,               # coded bits in those blocks
    "tasks" / GreedyRange(ModemTask),
)

ModemLatency = Struct(
    "task" / Int8ul,                # index into MODEM_STATUS_INFO.tasks
    "reserved" / Padding(3),
)

ModemLatencyInfo = Struct(
    "name" / Text(8),               # the task, as in MODEM_STATUS_INFO
    "jobs" / Int32ul,               # jobs released since MODEM_START: the bins' sum
    "bin_us" / Int32ul,             # bin i: jobs that started i * bin_us to (i + 1) * bin_us - 1 us after release
    "bins" / GreedyRange(Int32ul),  # the last bin: every later start, and every job that never ran
)

ModemEvent = Struct(
    "frame" / Int32ul,              # the mobile's frame when it happened
    "fn" / Int32ul,                 # the cell's FN then, 0xffffffff if not known
    "layer" / Enum(Int8ul, ModemLayer),
    "code" / Int8ul,                # what happened, per layer (docs/modem.md)
    "reserved" / Padding(2),
    "a" / Int32ul,                  # two numbers that go with it
    "b" / Int32ul,
    "text" / Text(),                # for people
)

PAYLOADS = {
    MsgType.HELLO: Empty,
    MsgType.INFO: Info,
    MsgType.PING: Data,
    MsgType.PONG: Data,
    MsgType.LOG: Log,
    MsgType.ERROR: Error,
    MsgType.ACK: Ack,
    MsgType.RESET: Empty,
    MsgType.READ_MEM: ReadMem,
    MsgType.MEM_DATA: MemData,
    MsgType.FLASH_BEGIN: FlashBegin,
    MsgType.FLASH_DATA: FlashData,
    MsgType.FLASH_END: Empty,
    MsgType.FLASH_DATA_LZ4: FlashDataLz4,
    MsgType.FLASH_SUMS: FlashSums,
    MsgType.FLASH_SUMS_INFO: FlashSumsInfo,
    MsgType.FLASH_COPY: FlashCopy,
    MsgType.ROOTFS_BEGIN: RootfsBegin,
    MsgType.BOOT: Boot,
    MsgType.SLOTS: Empty,
    MsgType.SLOT_INFO: SlotInfo,
    MsgType.STATS: Empty,
    MsgType.STATS_INFO: StatsInfo,
    MsgType.THREADS: Threads,
    MsgType.THREAD_LIST: ThreadList,
    MsgType.RUN_TEST: RunTest,
    MsgType.TEST_RESULT: TestResult,
    MsgType.BENCH: Bench,
    MsgType.BENCH_RESULT: BenchResult,
    MsgType.INJECT_IRQ: InjectIrq,
    MsgType.TRACE: Trace,
    MsgType.TRACE_DATA: TraceData,
    MsgType.TRACE_CONTROL: TraceControl,
    MsgType.SYSCALL: Syscall,
    MsgType.SYSCALL_RESULT: SyscallResult,
    MsgType.TESTS: Tests,
    MsgType.TEST_NAMES: TestNames,
    MsgType.CONSOLE: Data,
    MsgType.CONSOLE_IN: Data,
    MsgType.SHELL: Data,
    MsgType.LINUX_EXIT: LinuxExit,
    MsgType.LINUX_STATS: Empty,
    MsgType.LINUX_STATS_INFO: LinuxStatsInfo,
    MsgType.RESTART: Restart,
    MsgType.LINUX_SIGNAL: LinuxSignal,
    MsgType.RADIO_DL: RadioDl,
    MsgType.RADIO_STATUS: RadioStatus,
    MsgType.RADIO_UL: RadioUl,
    MsgType.RADIO_UL_ACK: RadioUlAck,
    MsgType.MODEM_START: ModemStart,
    MsgType.MODEM_STOP: Empty,
    MsgType.MODEM_STATUS: Empty,
    MsgType.MODEM_STATUS_INFO: ModemStatusInfo,
    MsgType.MODEM_EVENT: ModemEvent,
    MsgType.MODEM_LATENCY: ModemLatency,
    MsgType.MODEM_LATENCY_INFO: ModemLatencyInfo,
}

# --------------------------------------------------------------------------------------------
# The frame

FrameHeader = Struct(
    "version" / Int8ul,          # PROTO_VERSION
    "type" / Int8ul,             # MsgType
    "seq" / Int16ul,             # request number, echoed by the answer; 0 when unsolicited
    "length" / Int16ul,          # payload bytes
)

FrameBody = Struct(
    "version" / Int8ul,
    "type" / Int8ul,
    "seq" / Int16ul,
    "payload" / Prefixed(Int16ul, Switch(this.type, PAYLOADS, default=GreedyBytes)),
)

Frame = Struct(
    "body" / RawCopy(FrameBody),
    "crc" / Checksum(Int32ul, crc32, this.body.data),
)

def payload_size(msg_type: int) -> tuple[int, bool]:
    """(fixed size, greedy) of a message type's payload: a greedy payload may be longer than
    its fixed part, any other must be exactly that long.  Unknown types: (0, True)."""
    payload = PAYLOADS.get(msg_type)
    if payload is None:
        return 0, True
    size = 0
    for field in payload.subcons:
        try:
            size += field.sizeof()
        except Exception:  # the trailing greedy field
            return size, True
    return size, False


def payload_entry_size(msg_type: int) -> int:
    """Bytes per entry of the part of a payload that runs to its end: one element of a
    GreedyRange (a THREAD_LIST thread, a BENCH_RESULT sample, a TRACE_DATA event), otherwise 1.
    That part must be a whole number of entries."""
    payload = PAYLOADS.get(msg_type)
    last = payload.subcons[-1].subcon if payload is not None and payload.subcons else None
    return last.subcon.sizeof() if isinstance(last, GreedyRange) else 1


FRAME_HEADER_SIZE = FrameHeader.sizeof()
FRAME_CRC_SIZE = Int32ul.sizeof()
FRAME_OVERHEAD = FRAME_HEADER_SIZE + FRAME_CRC_SIZE
MAX_FRAME = FRAME_OVERHEAD + MAX_PAYLOAD  # the largest frame before stuffing
# COBS adds one byte per 254 plus one, and the delimiter follows.
MAX_ENCODED_FRAME = MAX_FRAME + MAX_FRAME // 254 + 2  # the largest frame on the line, delimiter included

FLASH_CHUNK_MAX = MAX_PAYLOAD - FlashData.subcons[0].sizeof()  # the largest FLASH_DATA chunk
FLASH_LZ4_CHUNK_MAX = 16384     # the most one FLASH_DATA_LZ4 chunk decompresses to
