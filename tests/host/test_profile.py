"""host/profile.py: a trace read as instructions per function (no board).  The traces here are
fake, made by hand: two user programs linked at the same address, the kernel between them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from host import profile
from host.errors import RigError
from host.symbols import Location

from elfgen import make_elf

SERVER = bytes(range(0x10, 0x30))           # the code of "server" at 0x100000
CLIENT = bytes(range(0x40, 0x60))           # of "client", at the same address


class FakeImages:
    """Three ELFs: the kernel (functions entry and switch), server and client (one function
    each, at the same address, different code)."""

    functions = {"kernel": [(0xC0100000, 0x10, "entry"), (0xC0100010, 0x20, "switch")],
                 "server": [(0x100000, 0x20, "serve")], "client": [(0x100000, 0x20, "call")]}

    def names(self):
        return self.functions

    def code(self, elf, address, length):
        data = {"server": SERVER, "client": CLIENT}.get(elf)
        offset = address - 0x100000
        return data[offset:offset + length] if data and 0 <= offset <= len(data) - length else None

    def lookup(self, address, elf):
        for start, size, name in self.functions[elf]:
            if start <= address < start + size:
                return Location(elf, name, address - start, f"src/{elf}.c", 10 + (address - start) // 8)
        return None


def fake_trace() -> profile.Trace:
    """client: 2 instructions; the kernel's entry 3 and switch 2; server: 4; kernel entry 1;
    back in client 1.  The server's space is marked by its code at its first pc."""
    pcs = [0x100000, 0x100004,
           0xC0100000, 0xC0100004, 0xC0100008, 0xC0100010, 0xC0100014,
           0x100008, 0x10000C, 0x100010, 0x100014,
           0xC0100000,
           0x100008]
    spaces = [profile.SpaceMark(0, 4, CLIENT[0:8]), profile.SpaceMark(7, 8, SERVER[8:16]),
              profile.SpaceMark(12, 4, CLIENT[8:16])]
    return profile.Trace(pcs=pcs, spaces=spaces, start_context=4)


def test_each_space_is_the_elf_whose_code_is_there():
    assert profile.owners(fake_trace(), FakeImages()) == ["client", "server", "client"]


def test_instructions_per_function_most_first_with_the_total():
    images = FakeImages()
    steps = list(profile.attribute(fake_trace(), images))
    rows = profile.tally(steps, profile.namer(images, "function"))
    assert [(r.name, r.elf, r.instructions) for r in rows] == [
        ("entry", "kernel", 4), ("serve", "server", 4), ("call", "client", 3), ("switch", "kernel", 2)]
    assert sum(r.instructions for r in rows) == len(fake_trace().pcs)


def test_by_line_and_by_elf():
    images = FakeImages()
    steps = list(profile.attribute(fake_trace(), images))
    by_elf = profile.tally(steps, profile.namer(images, "elf"))
    assert [(r.name, r.instructions) for r in by_elf] == [("kernel", 6), ("server", 4), ("client", 3)]
    by_line = {r.name: r.instructions for r in profile.tally(steps, profile.namer(images, "line"))}
    assert by_line["server.c:11"] == 2 and by_line["server.c:12"] == 2 and by_line["kernel.c:10"] == 5    # entry 3, switch 2


def test_the_path_is_the_runs_in_order():
    images = FakeImages()
    runs = profile.path(profile.attribute(fake_trace(), images), profile.namer(images, "function"))
    assert [(r.name, r.instructions) for r in runs] == [
        ("call", 2), ("entry", 3), ("switch", 2), ("serve", 4), ("entry", 1), ("call", 1)]


def test_code_no_elf_holds_and_addresses_no_symbol_names_are_counted_apart():
    images = FakeImages()
    trace = profile.Trace(pcs=[0x100000, 0x200000, 0xC0200000],
                          spaces=[profile.SpaceMark(0, 9, b"\xff" * 8)])
    rows = profile.tally(profile.attribute(trace, images), profile.namer(images, "function"))
    assert {(r.name, r.elf, r.instructions) for r in rows} == {("user:?", "user", 2), ("kernel:?", "kernel", 1)}


def test_an_unknown_grouping_is_refused():
    with pytest.raises(RigError, match="--by takes function, line, elf"):
        profile.namer(FakeImages(), "file")


def test_the_stepper_output_reads_back(tmp_path: Path):
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(dict(pcs=[1, 2, 3], spaces=[[0, 4, "0102"]], start_context=4, stopped="max",
                                    idle=1, seconds=0.5)))
    trace = profile.read_trace(path)
    assert trace.spaces == [profile.SpaceMark(0, 4, b"\x01\x02")] and trace.stopped == "max"
    assert trace.rate == 6.0
    path.write_text("{")
    with pytest.raises(RigError, match="no usable trace"):
        profile.read_trace(path)


def test_code_and_wfi_are_read_from_the_elf(tmp_path: Path):
    code = (0xE1A00000).to_bytes(4, "little") + profile.WFI.to_bytes(4, "little") + b"\0" * 8
    path = tmp_path / "k.elf"
    path.write_bytes(make_elf(entry=0xC0100000, segments=[(0xC0100000, code)], build_id=None))
    assert profile.wfi_addresses(path) == [0xC0100004]
    assert profile.code_at(path, 0xC0100004, 4) == code[4:8]
    assert profile.code_at(path, 0xC010000E, 4) is None            # runs past the section
