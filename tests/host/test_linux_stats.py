"""LINUX_STATS on the host side: the message round trip and the tables `rig linux` prints (no
board: the answer is built here the way debugd builds it)."""

from __future__ import annotations

import io

from rich.console import Console

from host import views
from protocol import MsgType, decode_frame, frame_bytes


def stats_frame(unknown, seq=1) -> bytes:
    return frame_bytes(MsgType.LINUX_STATS_INFO, seq, dict(
        processes=3, zombies=1, frames_free=16000, frames_total=16384, syscalls=1234, page_faults=56,
        oom_kills=2, unknown=[dict(nr=nr, count=count) for nr, count in unknown]))


def render(table) -> str:
    console = Console(file=io.StringIO(), width=100)
    console.print(table)
    return console.file.getvalue()


def test_linux_stats_info_survives_the_wire():
    back = decode_frame(stats_frame([(111, 3), (511, 1)], seq=7))
    assert back.type == MsgType.LINUX_STATS_INFO
    assert [(e.nr, e.count) for e in back.payload.unknown] == [(111, 3), (511, 1)]
    assert back.payload.oom_kills == 2


def test_rig_linux_tables_name_the_unknown_calls():
    counters, unknown = views.linux_stats_tables(decode_frame(stats_frame([(111, 3), (511, 1)])).payload)
    text = render(counters)
    assert "1,536 KiB of 65,536 KiB in use" in text and "1,234" in text
    listed = render(unknown)
    assert "111" in listed and "(above 510)" in listed
    if views.linux_syscall_names():             # the cross compiler's headers are installed
        assert "vhangup" in listed


def test_no_unknown_calls_no_second_table():
    payload = decode_frame(stats_frame([])).payload
    assert views.linux_stats_tables(payload)[1] is None


def test_rig_linux_json_lists_the_enosys_calls_by_number():
    data = views.linux_stats_dict(decode_frame(stats_frame([(348, 1), (111, 3), (511, 2)])).payload)
    assert data["processes"] == 3 and data["frames_free"] == 16000 and data["oom_kills"] == 2
    assert [(e["nr"], e["calls"]) for e in data["enosys"]] == [(111, 3), (348, 1), (511, 2)]
    assert data["enosys"][-1]["name"] == "(above 510)"
    if views.linux_syscall_names():
        assert data["enosys"][0]["name"] == "vhangup"


def test_the_enosys_gate_names_only_the_calls_not_allowed():
    stats = decode_frame(stats_frame([(348, 1), (111, 3), (266, 2)])).payload
    assert views.enosys_not_allowed(stats, {111}) == [266, 348]
    assert views.enosys_not_allowed(stats, {111, 266, 348}) == []


def test_allow_enosys_takes_commas_spaces_and_hex():
    from host import cli

    args = cli.build_parser().parse_args(["linux", "--allow-enosys", "111, 0x10a,348"])
    assert args.allow_enosys == {111, 266, 348} and not args.json
