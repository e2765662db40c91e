"""The generated C header (firmware/include/generated/proto.h) against protocol/wire.py.

The header is committed so the firmware builds without Python; these tests fail when the construct
definitions change and nobody ran tools/gen_proto_header.py, and they hold the C compiler's idea of
every structure (size and each member's offset) against construct's.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from construct import Array, Bytes, GreedyBytes, GreedyRange, Padded, Struct

from protocol import wire

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "firmware" / "include" / "generated" / "proto.h"
GENERATOR = ROOT / "tools" / "gen_proto_header.py"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_proto_header", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gcc():
    path = shutil.which("gcc")
    if path is None:
        pytest.skip("gcc not found: cannot compile the generated header")
    return path


def compile_c(gcc: str, source: str, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess:
    src = tmp_path / "t.c"
    src.write_text(source)
    return subprocess.run([gcc, "-std=c11", "-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'firmware' / 'include'}",
                           *flags, str(src)], capture_output=True, text=True, cwd=tmp_path)


# --------------------------------------------------------------------------------------------
# The committed header is current


def test_committed_header_is_current(gen):
    assert HEADER.read_text() == gen.generate(), \
        "firmware/include/generated/proto.h is stale: run tools/gen_proto_header.py and commit it"


def test_check_mode(tmp_path):
    ok = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    stale = tmp_path / "proto.h"
    stale.write_text(HEADER.read_text().replace("#define PROTO_MAX_PAYLOAD 4096", "#define PROTO_MAX_PAYLOAD 1024"))
    bad = subprocess.run([sys.executable, str(GENERATOR), "--check", str(stale)], capture_output=True, text=True)
    assert bad.returncode == 1 and "stale" in bad.stderr


def test_a_changed_definition_changes_the_header(gen, monkeypatch):
    before = gen.generate()
    monkeypatch.setattr(wire, "MAX_PAYLOAD", 2048)
    assert gen.generate() != before


def test_every_message_type_and_structure_is_in_the_header(gen):
    text = HEADER.read_text()
    for msg_type in wire.MsgType:
        assert f"#define PROTO_MSG_{msg_type.name} 0x{int(msg_type):02x}" in text
        size, greedy = wire.payload_size(msg_type)
        assert f"X({msg_type.name}, 0x{int(msg_type):02x}, {size}, {int(greedy)})" in text
    named = {id(s) for s, _ in gen.STRUCTS}
    for payload in wire.PAYLOADS.values():
        # a payload that is one variable-length field has no C struct: C uses the bytes as they are
        bare = payload is wire.Empty or len(payload.subcons) == 1 and wire.payload_size(
            next(t for t, p in wire.PAYLOADS.items() if p is payload)) == (0, True)
        assert bare or id(payload) in named


# --------------------------------------------------------------------------------------------
# The header compiles, and its layout is construct's


def test_header_compiles(gcc, tmp_path):
    result = compile_c(gcc, '#include "generated/proto.h"\n#include "lib/proto.h"\n', tmp_path,
                       "-fsyntax-only", "-Wpedantic")
    assert result.returncode == 0, result.stderr


def test_size_assertions_bite(gcc, tmp_path):
    """The _Static_asserts are live: a header whose struct drifted does not compile."""
    (tmp_path / "generated").mkdir()
    drifted = HEADER.read_text().replace("    uint32_t value;\n", "    uint16_t value;\n", 1)
    assert drifted != HEADER.read_text()
    (tmp_path / "generated" / "proto.h").write_text(drifted)
    result = compile_c(gcc, '#include "generated/proto.h"\n', tmp_path, "-fsyntax-only", f"-I{tmp_path}")
    assert result.returncode != 0 and "proto_ack" in result.stderr


def _layout(struct: Struct, names: dict[int, str]) -> list[tuple[str, int]]:
    """(member, offset) as the generator flattens it: a RawCopy'd body's fields join the parent."""
    out, offset = [], 0
    for sub in struct.subcons:
        con = sub
        while hasattr(con, "subcon") and not isinstance(con, Struct) and id(con) not in names:
            con = con.subcon
        if isinstance(con, Struct) and id(con) not in names:
            inner = _layout(con, names)
            out += [(name, offset + at) for name, at in inner]
            offset += con.sizeof()
            continue
        out.append((sub.name, offset))
        try:
            offset += sub.sizeof()
        except Exception:                                     # the trailing greedy member
            break
    return out


def _fixed_size(struct: Struct) -> int:
    size = 0
    for sub in struct.subcons:
        try:
            size += sub.sizeof()
        except Exception:
            break
    return size


def test_layout_matches_construct(gen, gcc, tmp_path):
    names = {id(s): n for s, n in gen.STRUCTS}
    lines, expected = [], []
    for struct, cname in gen.STRUCTS:
        lines.append(f'    printf("{cname} %zu\\n", sizeof(struct {cname}));')
        expected.append(f"{cname} {_fixed_size(struct)}")
        for member, offset in _layout(struct, names):
            lines.append(f'    printf("{cname}.{member} %zu\\n", offsetof(struct {cname}, {member}));')
            expected.append(f"{cname}.{member} {offset}")
    for const in gen.CONSTANTS:
        cname = const if const.startswith("PROTO_") else f"PROTO_{const}"
        lines.append(f'    printf("{cname} %ld\\n", (long){cname});')
        expected.append(f"{cname} {getattr(wire, const)}")
    lines.append('    printf("PROTO_IMAGE_MAGIC %.4s\\n", (const char *)&(uint32_t){PROTO_IMAGE_MAGIC});')
    expected.append(f"PROTO_IMAGE_MAGIC {wire.IMAGE_MAGIC.decode()}")
    for enum_cls, prefix in gen.ENUMS:
        for member in enum_cls:
            lines.append(f'    printf("{prefix}{member.name} %ld\\n", (long){prefix}{member.name});')
            expected.append(f"{prefix}{member.name} {int(member)}")
    source = "\n".join([
        "#include <stddef.h>", "#include <stdio.h>", '#include "generated/proto.h"', "",
        "int main(void)", "{", *lines, "    return 0;", "}", ""])
    exe = tmp_path / "layout"
    result = compile_c(gcc, source, tmp_path, "-o", str(exe))
    assert result.returncode == 0, result.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == expected


def _arrays(gen, struct: Struct, names: dict[int, str]) -> list[tuple[str, int, int | None]]:
    """(member, element size, whole size or None for a flexible array) of every array member:
    arrays of integers or structures (fixed or running to the end of the payload), bytes, text
    and padding.  Offsets alone miss an element type that drifted in the last member."""
    out = []
    for sub in struct.subcons:
        con = gen._unwrap(sub)
        if isinstance(con, Struct) and id(con) not in names:
            out += _arrays(gen, con, names)                    # a RawCopy'd body
            continue
        if isinstance(con, (Array, GreedyRange)):
            element = con.subcon.sizeof()
        elif isinstance(con, (Bytes, Padded)) or con is GreedyBytes:
            element = 1
        else:
            continue
        flexible = isinstance(con, GreedyRange) or con is GreedyBytes
        out.append((sub.name, element, None if flexible else sub.sizeof()))
    return out


def test_array_members_match_construct(gen, gcc, tmp_path):
    names = {id(s): n for s, n in gen.STRUCTS}
    lines, expected = [], []
    for struct, cname in gen.STRUCTS:
        for member, element, whole in _arrays(gen, struct, names):
            lines.append(f'    printf("{cname}.{member}[0] %zu\\n", sizeof(((struct {cname} *)0)->{member}[0]));')
            expected.append(f"{cname}.{member}[0] {element}")
            if whole is not None:
                lines.append(f'    printf("{cname}.{member} %zu\\n", sizeof(((struct {cname} *)0)->{member}));')
                expected.append(f"{cname}.{member} {whole}")
    source = "\n".join(["#include <stdio.h>", '#include "generated/proto.h"', "", "int main(void)", "{",
                        *lines, "    return 0;", "}", ""])
    exe = tmp_path / "arrays"
    result = compile_c(gcc, source, tmp_path, "-o", str(exe))
    assert result.returncode == 0, result.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out == expected
    # the arrays the new messages rely on are among those checked
    for member in ["proto_syscall.regs[0] 4", "proto_syscall.regs 52", "proto_syscall_result.regs 52",
                   "proto_stats_info.syscalls 44", "proto_thread_list.threads[0] 48",
                   "proto_bench_result.samples[0] 4", "proto_trace_data.events[0] 20",
                   "proto_test_names.names[0] 1", "proto_thread_entry.name 12"]:
        assert member in expected


def test_layout_sees_every_member(gen):
    # spot checks of the helper above against offsets worked out by hand
    names = {id(s): n for s, n in gen.STRUCTS}
    image = dict(_layout(wire.ImageHeader, names))
    assert (image["magic"], image["format"], image["header_size"], image["board"], image["header_crc"]) \
        == (0, 4, 6, 28, 64)
    info = dict(_layout(wire.Info, names))
    assert (info["features"], info["max_payload"], info["board"], info["version"]) == (4, 16, 20, 56)
    assert dict(_layout(wire.FlashBegin, names))["header"] == 1
    stats = dict(_layout(wire.StatsInfo, names))
    assert (stats["cycles"], stats["idle_cycles"], stats["syscalls"]) == (40, 44, 52)
    thread = dict(_layout(wire.ThreadEntry, names))
    assert (thread["space"], thread["pager"], thread["cycles"], thread["pc"], thread["stop_reason"],
            thread["partner"], thread["name"]) == (7, 8, 16, 24, 28, 32, 36)
    assert dict(_layout(wire.ThreadList, names))["threads"] == 4
    assert dict(_layout(wire.TraceData, names))["events"] == 8
    assert dict(_layout(wire.BenchResult, names))["samples"] == 8
    assert dict(_layout(wire.Syscall, names))["timeout_us"] == 52
    assert dict(_layout(wire.SyscallResult, names))["regs"] == 8
    assert dict(_layout(wire.TestNames, names))["names"] == 4
