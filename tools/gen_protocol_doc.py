#!/usr/bin/env python3
"""Fill the tables of docs/protocol.md from the construct definitions in protocol/wire.py.

    tools/gen_protocol_doc.py            rewrite the generated blocks of docs/protocol.md
    tools/gen_protocol_doc.py --check    exit 1 if they are stale or a message type has none

The prose of the document is written by hand; each table sits between
`<!-- generated: KIND [NAME] -->` and `<!-- end generated -->` and is rebuilt from the structures,
with the trailing `#` comment of each field, enum member or constant in wire.py as its notes.
KIND is `constants`, `frame`, `types`, `payload MSGTYPE`, `struct NAME` or `enum NAME`.
"""

from __future__ import annotations

import argparse
import ast
import enum
import io
import re
import sys
import tokenize
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
    RawCopy,
    Rebuild,
    Renamed,
    Struct,
)

from protocol import wire  # noqa: E402

DOC = ROOT / "docs" / "protocol.md"
BLOCK = re.compile(r"(<!-- generated: (?P<key>[^>]*?) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)
INTS = {"<B": "u8", "<H": "u16", "<I": "u32", "<L": "u32", "<Q": "u64", "<b": "i8", "<h": "i16", "<i": "i32"}
CONSTANTS = ["PROTO_VERSION", "MAX_PAYLOAD", "MAX_FRAME", "MAX_ENCODED_FRAME", "FLASH_CHUNK_MAX",
             "SLOT_AUTO", "SLOT_COUNT", "IMAGE_FORMAT", "IMAGE_HEADER_SIZE", "IMAGE_PAYLOAD_OFFSET"]


# --------------------------------------------------------------------------------------------
# Notes: the trailing comments of wire.py


def _comments() -> dict[str, dict[str, str]]:
    """{scope: {name: comment}}: scope "" for module constants, an enum's class name for its
    members, a structure's variable name for its fields."""
    source = Path(wire.__file__).read_text()
    by_line = {tok.start[0]: " ".join(tok.string.lstrip("#").split())
               for tok in tokenize.generate_tokens(io.StringIO(source).readline)
               if tok.type == tokenize.COMMENT and tok.line.strip() != tok.string.strip()}
    notes: dict[str, dict[str, str]] = {"": {}}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            notes[node.name] = {
                item.targets[0].id: by_line.get(item.lineno, "")
                for item in node.body
                if isinstance(item, ast.Assign) and isinstance(item.targets[0], ast.Name)}
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            notes[""][name] = by_line.get(node.lineno, "")
            if isinstance(node.value, ast.Call):
                fields = notes.setdefault(name, {})
                for arg in node.value.args:
                    if isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant):
                        fields[arg.left.value] = by_line.get(arg.end_lineno, "")
    return notes


NOTES = _comments()
STRUCT_NAMES = {id(value): name for name, value in vars(wire).items() if isinstance(value, Struct)}


# --------------------------------------------------------------------------------------------
# Rendering


def _size(con) -> int | None:
    try:
        return con.sizeof()
    except Exception:
        return None


def _describe(con) -> str:
    """What a field holds on the wire, in the words of the tables."""
    if isinstance(con, Renamed):
        return _describe(con.subcon)
    if isinstance(con, Const):
        shown = con.value.decode() if isinstance(con.value, bytes) else con.value
        return f"{_describe(con.subcon)} = `{shown}`"
    if isinstance(con, Rebuild):
        return f"{_describe(con.subcon)}, computed"
    if isinstance(con, Enum):
        cls = next((n for n, e in vars(wire).items() if isinstance(e, type) and issubclass(e, enum.Enum)
                    and {m.name for m in e} == set(con.encmapping)), "enum")
        return f"{_describe(con.subcon)} `{cls}`"
    if isinstance(con, ExprAdapter):                 # Text
        size = _size(con.subcon)
        return f"UTF-8, NUL-padded to {size}" if size is not None else "UTF-8, to the end"
    if isinstance(con, Checksum):
        return f"{_describe(con.checksumfield)} CRC-32"
    if isinstance(con, RawCopy):
        return _describe(con.subcon)
    if isinstance(con, FormatField):
        return INTS[con.fmtstr]
    if isinstance(con, Padded):
        return "reserved, 0"
    if isinstance(con, Array):
        return f"{_describe(con.subcon)} × {con.count}"
    if isinstance(con, GreedyRange):
        return f"{_describe(con.subcon)} × any, to the end"
    if isinstance(con, Struct):
        name = STRUCT_NAMES.get(id(con))
        return f"[`{name}`](#{name.lower()})" if name else "struct"
    if isinstance(con, Bytes):
        return f"bytes[{con.length}]"
    if con is GreedyBytes:
        return "bytes, to the end"
    raise TypeError(f"cannot describe {con!r}")


def _rows(struct: Struct, scope: str, offset: int = 0) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for sub in struct.subcons:
        inner = sub.subcon if isinstance(sub, Renamed) else sub
        if isinstance(inner, RawCopy) and id(inner.subcon) not in STRUCT_NAMES:
            raise TypeError("a RawCopy'd body must be a named structure")
        if isinstance(inner, RawCopy):                 # a checksummed body: its fields, flattened
            body = inner.subcon
            rows += _rows(body, STRUCT_NAMES[id(body)], offset)
            offset += body.sizeof()
            continue
        size = _size(sub)
        notes = NOTES.get(scope, {}).get(sub.name, "")
        if isinstance(inner, Checksum):
            notes = notes or "over every byte before it"
        rows.append((str(offset), str(size) if size is not None else "rest", f"`{sub.name}`",
                     _describe(inner), notes))
        if size is None:
            break
        offset += size
    return rows


def _table(header: list[str], rows: list) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _struct_table(struct: Struct, scope: str) -> str:
    rows = _rows(struct, scope)
    if not rows:
        return "No payload.\n"
    size = _size(struct)
    fixed = _fixed(rows)
    last = struct.subcons[-1].subcon
    if size is not None:
        total = f"{size} byte{'s' if size != 1 else ''}."
    elif isinstance(last, GreedyRange):
        total = f"{fixed} bytes, then any number of {last.subcon.sizeof()}-byte entries."
    else:
        total = f"At least {fixed} byte{'s' if fixed != 1 else ''}." if fixed else "Any length."
    return _table(["Offset", "Size", "Field", "Encoding", "Notes"], rows) + "\n" + total + "\n"


def _fixed(rows) -> int:
    return sum(int(size) for _, size, *_ in rows if size != "rest")


def render(key: str) -> str:
    kind, _, name = key.partition(" ")
    if kind == "constants":
        return _table(["Constant", "Value", "Meaning"],
                      [(f"`{c}`", str(getattr(wire, c)), NOTES[""].get(c, "")) for c in CONSTANTS])
    if kind == "frame":
        header = wire.FRAME_HEADER_SIZE
        rows = _rows(wire.FrameHeader, "FrameHeader") + [
            (str(header), "`length`", "`payload`", "bytes", "laid out by `type`: see below"),
            (f"{header} + `length`", str(wire.FRAME_CRC_SIZE), "`crc`", "u32 CRC-32", "over every byte before it")]
        return _table(["Offset", "Size", "Field", "Encoding", "Notes"], rows)
    if kind == "types":
        rows = []
        for member in wire.MsgType:
            size, greedy = wire.payload_size(member)
            payload = STRUCT_NAMES[id(wire.PAYLOADS[member])]
            rows.append((f"0x{int(member):02x}", f"[`{member.name}`](#{member.name.lower()})",
                         "none" if payload == "Empty" else f"`{payload}`",
                         f"{size}+" if greedy else str(size), NOTES["MsgType"].get(member.name, "")))
        return _table(["Type", "Name", "Payload", "Bytes", "Direction and answer"], rows)
    if kind == "payload":
        member = wire.MsgType[name]
        payload = wire.PAYLOADS[member]
        return _struct_table(payload, STRUCT_NAMES[id(payload)])
    if kind == "struct":
        return _struct_table(getattr(wire, name), name)
    if kind == "enum":
        cls = getattr(wire, name)
        notes = NOTES.get(name, {})
        return _table(["Value", "Name", "Meaning"],
                      [(f"0x{int(m):02x}" if issubclass(cls, enum.Flag) else str(int(m)), f"`{m.name}`",
                        notes.get(m.name, "")) for m in cls])
    raise KeyError(f"unknown generated block {key!r}")


def regenerate(text: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + render(m.group("key")) + m.group(4), text)


def problems(text: str) -> list[str]:
    keys = {m.group("key") for m in BLOCK.finditer(text)}
    out = [f"no `<!-- generated: payload {t.name} -->` block" for t in wire.MsgType
           if f"payload {t.name}" not in keys]
    if regenerate(text) != text:
        out.append("generated tables are stale")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("doc", nargs="?", type=Path, default=DOC)
    parser.add_argument("--check", action="store_true", help="fail if the document is stale")
    args = parser.parse_args()
    text = args.doc.read_text()
    if args.check:
        found = problems(text)
        for problem in found:
            print(f"{args.doc}: {problem}: run tools/gen_protocol_doc.py", file=sys.stderr)
        return 1 if found else 0
    args.doc.write_text(regenerate(text))
    missing = [p for p in problems(regenerate(text)) if "stale" not in p]
    for problem in missing:
        print(f"{args.doc}: {problem}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
