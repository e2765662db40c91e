"""`rig profile` against the benchmark that measures the same thing: one IPC round trip of
ktest's ipc.call_roundtrip (firmware/user/ktest/bench.c), stepped instruction by instruction
from the instruction after the first cycle-counter read to the second read, must total what
`rig bench ipc.call_roundtrip` reports in deterministic mode (one cycle, one instruction).  The
benchmark reads the cycle counter; the profile counts gdb's steps: two measurements of one
thing.  On a scratch board started deterministic, like test_bench_gate.py."""

from __future__ import annotations

import json

import pytest
from conftest import rig_cli, scratch_deterministic_board

from host.elf import open_elf

MRC_CYCLES = 0xEE190F1D         # mrc p15, 0, rN, c9, c13, 0 (the cycle counter), less its register


def cycle_reads(ktest_elf) -> list[int]:
    """The addresses of call_loop's cycle-counter reads, from its code in ktest.elf."""
    elf = open_elf(ktest_elf)
    try:
        symbol = elf.get_section_by_name(".symtab").get_symbol_by_name("call_loop")[0]
        start, size = symbol["st_value"] & ~1, symbol["st_size"]
        text = elf.get_section_by_name(".text")
        code = text.data()[start - text["sh_addr"]:start - text["sh_addr"] + size]
    finally:
        elf.stream.close()
    words = [int.from_bytes(code[i:i + 4], "little") for i in range(0, size, 4)]
    return [start + 4 * i for i, word in enumerate(words) if word & ~0xF000 == MRC_CYCLES]


@pytest.mark.qemu
def test_a_profiled_round_trip_totals_the_benchmarks_figure(rig_board, firmware, kernel_image, tmp_path):
    reads = cycle_reads(firmware.ktest_elf)
    assert len(reads) >= 2, f"call_loop's cycle-counter reads not found: {reads}"
    before, after = reads[0], reads[1]          # c0 = l4_cycles(); l4_call(); c1 = l4_cycles()
    state = tmp_path / "board"
    with scratch_deterministic_board(rig_board.spec, firmware.boot_bin, kernel_image, state):
        benched = rig_cli(state, "bench", "ipc.call_roundtrip", "--iterations", "100",
                          "--json", str(tmp_path / "bench.json"))
        assert benched.returncode == 0, benched.stdout + benched.stderr
        profiled = rig_cli(state, "profile", "--start", f"0x{before + 4:08x}", "--stop", f"0x{after:08x}",
                           "--bench", "ipc.call_roundtrip", "--hit", "3", "--json", str(tmp_path / "profile.json"))
        assert profiled.returncode == 0, profiled.stdout + profiled.stderr
    profile = json.loads((tmp_path / "profile.json").read_text())
    bench = json.loads((tmp_path / "bench.json").read_text())
    figure = next(r["median"] for r in bench["results"] if r["name"] == "ipc.call_roundtrip")
    assert profile["stopped"] == "stop"
    assert profile["total"] == figure, profiled.stdout
    places = {(row["name"], row["elf"]) for row in profile["rows"]}
    # the call and the reply both cross the kernel's fast path; the server's loop runs in between
    assert {("ipc_fastpath", "kernel"), ("null_server", "ktest"), ("call_loop", "ktest")} <= places, places
