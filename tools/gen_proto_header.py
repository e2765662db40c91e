#!/usr/bin/env python3
"""Write the C header the firmware uses from the construct definitions in protocol/wire.py.

    tools/gen_proto_header.py [OUT]        (default: firmware/include/generated/proto.h)
    tools/gen_proto_header.py --check      exit 1 if the committed header is stale

Enums become `#define`s, every payload structure a packed C struct with its size asserted, so
the compiler refuses a header that drifted from the definitions.
"""

from __future__ import annotations

import argparse
import enum
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from construct import (  # noqa: E402
    Array,
    Bytes,
    Checksum,
    Const,
    Enum,
    ExprAdapter,
    FormatField,
    GreedyBytes,
    GreedyRange,
    Padded,
    Prefixed,
    RawCopy,
    Rebuild,
    Renamed,
    StringEncoded,
    Struct,
)

from protocol import bootinfo, wire  # noqa: E402

DEFAULT_OUT = ROOT / "firmware" / "include" / "generated" / "proto.h"
BOOTINFO_OUT = ROOT / "firmware" / "include" / "generated" / "bootinfo.h"

CONSTANTS = [
    "PROTO_VERSION", "MAX_PAYLOAD", "BOARD_NAME_LEN", "BUILD_ID_LEN", "VERSION_TEXT_LEN",
    "SLOT_AUTO", "SLOT_RAM", "SLOT_COUNT", "SLOT_ROOTFS", "IMAGE_FORMAT", "IMAGE_PAYLOAD_OFFSET", "IMAGE_HEADER_SIZE",
    "IMAGE_TRIAL_OFFSET", "IMAGE_CONFIRM_OFFSET", "IMAGE_TRIAL_MARK", "IMAGE_CONFIRM_MARK",
    "FRAME_HEADER_SIZE", "FRAME_CRC_SIZE", "FRAME_OVERHEAD", "MAX_FRAME", "MAX_ENCODED_FRAME",
    "FLASH_CHUNK_MAX", "FLASH_LZ4_CHUNK_MAX", "FLASH_SUM_BLOCK", "FLASH_LZ4_DICT_MAX", "SYSCALL_SLOTS", "SYSCALL_REGS", "BURST_WINDOW", "UL_BURST_BITS",
]

ENUMS = [
    (wire.MsgType, "PROTO_MSG_"),
    (wire.Role, "PROTO_ROLE_"),
    (wire.Feature, "PROTO_FEATURE_"),
    (wire.ErrorCode, "PROTO_ERR_"),
    (wire.LogLevel, "PROTO_LOG_"),
    (wire.SlotState, "PROTO_SLOT_"),
    (wire.TestStatus, "PROTO_TEST_"),
    (wire.SyscallStatus, "PROTO_SYSCALL_"),
    (wire.TraceType, "PROTO_TRACE_"),
    (wire.ModemLayer, "PROTO_MODEM_"),
    (wire.ModemAction, "PROTO_ACTION_"),
    (wire.ModemFlag, "PROTO_MODEM_FLAG_"),
    (wire.BenchFlag, "PROTO_BENCH_FLAG_"),
]

# C name of each structure, in dependency order.
STRUCTS = [
    (wire.FrameHeader, "proto_frame_header"),
    (wire.ImageHeader, "image_header"),
    (wire.Info, "proto_info"),
    (wire.Log, "proto_log"),
    (wire.Error, "proto_error"),
    (wire.Ack, "proto_ack"),
    (wire.ReadMem, "proto_read_mem"),
    (wire.MemData, "proto_mem_data"),
    (wire.FlashBegin, "proto_flash_begin"),
    (wire.FlashData, "proto_flash_data"),
    (wire.FlashDataLz4, "proto_flash_data_lz4"),
    (wire.FlashSums, "proto_flash_sums"),
    (wire.FlashSumsInfo, "proto_flash_sums_info"),
    (wire.FlashCopy, "proto_flash_copy"),
    (wire.RootfsBegin, "proto_rootfs_begin"),
    (wire.Boot, "proto_boot"),
    (wire.SlotEntry, "proto_slot_entry"),
    (wire.SlotInfo, "proto_slot_info"),
    (wire.StatsInfo, "proto_stats_info"),
    (wire.Threads, "proto_threads"),
    (wire.ThreadEntry, "proto_thread_entry"),
    (wire.ThreadList, "proto_thread_list"),
    (wire.TestResult, "proto_test_result"),
    (wire.Bench, "proto_bench"),
    (wire.BenchResult, "proto_bench_result"),
    (wire.InjectIrq, "proto_inject_irq"),
    (wire.Trace, "proto_trace"),
    (wire.TraceEvent, "proto_trace_event"),
    (wire.TraceData, "proto_trace_data"),
    (wire.TraceControl, "proto_trace_control"),
    (wire.Syscall, "proto_syscall"),
    (wire.SyscallResult, "proto_syscall_result"),
    (wire.LinuxExit, "proto_linux_exit"),
    (wire.UnknownSyscall, "proto_unknown_syscall"),
    (wire.LinuxStatsInfo, "proto_linux_stats_info"),
    (wire.Restart, "proto_restart"),
    (wire.LinuxSignal, "proto_linux_signal"),
    (wire.Tests, "proto_tests"),
    (wire.TestNames, "proto_test_names"),
    (wire.DlBurst, "proto_dl_burst"),
    (wire.RadioDl, "proto_radio_dl"),
    (wire.RadioStatus, "proto_radio_status"),
    (wire.UlBurst, "proto_ul_burst"),
    (wire.RadioUl, "proto_radio_ul"),
    (wire.RadioUlAck, "proto_radio_ul_ack"),
    (wire.ModemStart, "proto_modem_start"),
    (wire.ModemTask, "proto_modem_task"),
    (wire.ModemStatusInfo, "proto_modem_status_info"),
    (wire.ModemEvent, "proto_modem_event"),
    (wire.ModemLatency, "proto_modem_latency"),
    (wire.ModemLatencyInfo, "proto_modem_latency_info"),
]

C_INTS = {"<B": "uint8_t", "<H": "uint16_t", "<I": "uint32_t", "<L": "uint32_t", "<Q": "uint64_t",
          "<b": "int8_t", "<h": "int16_t", "<i": "int32_t"}


def _unwrap(con):
    """Strip the wrappers that do not change the layout."""
    while True:
        if isinstance(con, Renamed):
            con = con.subcon
        elif isinstance(con, (Const, Rebuild, Enum, ExprAdapter)):
            con = con.subcon
        elif isinstance(con, Checksum):
            con = con.checksumfield
        elif isinstance(con, RawCopy):
            con = con.subcon
        else:
            return con


def _fields(struct: Struct, names: dict[int, str]) -> list[str]:
    """C member declarations for a construct Struct (RawCopy bodies are flattened)."""
    lines = []
    for sub in struct.subcons:
        con = _unwrap(sub)
        if isinstance(con, Struct) and id(con) not in names:
            lines += _fields(con, names)  # a RawCopy'd body: its fields belong to the parent
            continue
        lines.append(_member(sub.name, con, names))
    return lines


def _member(name: str, con, names: dict[int, str]) -> str:
    if isinstance(con, FormatField):
        return f"{C_INTS[con.fmtstr]} {name};"
    if isinstance(con, Struct):
        return f"struct {names[id(con)]} {name};"
    if isinstance(con, (Array, GreedyRange)):
        inner = _unwrap(con.subcon)
        count = con.count if isinstance(con, Array) else ""
        if isinstance(inner, FormatField):
            return f"{C_INTS[inner.fmtstr]} {name}[{count}];"
        return f"struct {names[id(inner)]} {name}[{count}];"
    if isinstance(con, StringEncoded):
        if con.subcon is GreedyBytes:
            return f"char {name}[];"
        return f"char {name}[{con.sizeof()}];"
    if isinstance(con, Padded):
        return f"uint8_t {name}[{con.length}];"
    if isinstance(con, Bytes):
        return f"uint8_t {name}[{con.length}];"
    if con is GreedyBytes or isinstance(con, Prefixed):
        return f"uint8_t {name}[];"
    raise TypeError(f"no C mapping for field {name!r}: {con!r}")


def _is_greedy(struct: Struct) -> bool:
    try:
        struct.sizeof()
        return False
    except Exception:
        return True


def _fixed_size(struct: Struct) -> int:
    """Size of the fixed part (everything before a trailing greedy field)."""
    size = 0
    for sub in struct.subcons:
        try:
            size += sub.sizeof()
        except Exception:
            break
    return size


def generate() -> str:
    names = {id(s): n for s, n in STRUCTS}
    out = [
        "/* Generated by tools/gen_proto_header.py from protocol/wire.py: do not edit. */",
        "#pragma once",
        "",
        "#include <stdint.h>",
        "",
        "/* Constants */",
    ]
    for const in CONSTANTS:
        value = getattr(wire, const)
        name = const if const.startswith("PROTO_") else f"PROTO_{const}"
        out.append(f"#define {name} {value}")
    out.append(f"#define PROTO_IMAGE_MAGIC 0x{int.from_bytes(wire.IMAGE_MAGIC, 'little'):08x}u /* {wire.IMAGE_MAGIC.decode()} */")
    for enum_cls, prefix in ENUMS:
        out += ["", f"/* {enum_cls.__name__} */"]
        for member in enum_cls:
            out.append(f"#define {prefix}{member.name} 0x{int(member.value):02x}")
    out += ["", "/* Every message type as X(name, value, payload fixed size, whether more may follow) */",
            "#define PROTO_MSG_TYPES(X) \\"]
    for member in wire.MsgType:
        size, greedy = wire.payload_size(member)
        out.append(f"    X({member.name}, 0x{int(member.value):02x}, {size}, {int(greedy)}) \\")
    out.append("")
    out += ["", "/* Structures, little-endian and packed */"]
    out += _struct_block(STRUCTS)
    return "\n".join(out)


def _struct_block(structs) -> list[str]:
    names = {id(s): n for s, n in structs}
    out = []
    for struct, cname in structs:
        out.append(f"struct {cname} {{")
        out += [f"    {line}" for line in _fields(struct, names)]
        out.append("} __attribute__((packed));")
        size = _fixed_size(struct) if _is_greedy(struct) else struct.sizeof()
        out.append(f"_Static_assert(sizeof(struct {cname}) == {size}, \"{cname}\");")
        out.append("")
    return out


def generate_bootinfo() -> str:
    out = [
        "/* Generated by tools/gen_proto_header.py from protocol/bootinfo.py: do not edit. */",
        "#pragma once",
        "",
        "#include <stdint.h>",
        "",
        f"#define BOOTINFO_MAGIC 0x{bootinfo.BOOTINFO_MAGIC:08x}u",
        f"#define BOOTINFO_MAX_MODULES {bootinfo.MAX_MODULES}",
    ]
    for member in bootinfo.ModuleFlag:
        out.append(f"#define BOOT_MODULE_{member.name} 0x{int(member.value):02x}")
    out.append("")
    out.append(f"#define ROOTFS_MAGIC 0x{bootinfo.ROOTFS_MAGIC:08x}u")
    out.append(f"#define ROOTFS_FORMAT {bootinfo.ROOTFS_FORMAT}")
    out.append(f"#define ROOTFS_DATA_OFFSET {bootinfo.ROOTFS_DATA_OFFSET}")
    out.append("")
    out += _struct_block([(bootinfo.BootModule, "boot_module"), (bootinfo.BootInfo, "boot_info"),
                          (bootinfo.RootfsHeader, "rootfs_header")])
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if OUT differs from what would be generated")
    args = parser.parse_args()
    outputs = [(args.out, generate())]
    if args.out == DEFAULT_OUT:
        outputs.append((BOOTINFO_OUT, generate_bootinfo()))
    stale = 0
    for path, text in outputs:
        if args.check:
            current = path.read_text() if path.exists() else ""
            if current != text:
                print(f"{path} is stale: run tools/gen_proto_header.py", file=sys.stderr)
                stale = 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return stale


if __name__ == "__main__":
    sys.exit(main())
