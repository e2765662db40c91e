"""The Linux server's persistent disk (/data): what was synced survives a reset of the board, and
a reset in the middle of writing a snapshot leaves the one before it whole.

A reset here is QEMU's system_reset: the board's power cut, with no warning to the software (the
flash keeps what was programmed up to that instant).  The sqlite3 database is judged against
real Linux: tests/linux/sqlite_disk.exp holds what Debian's kernel printed making and reading it
without a reset, and our server must print the same with a reset between the two phases.
"""

from __future__ import annotations

import difflib
import io
import threading
import time
from pathlib import Path

import pytest

from host.shell import BoardReset, run_line

LINUX_TESTS = Path(__file__).resolve().parent.parent / "linux"


def shell(link, command: str, timeout: float = 300.0) -> tuple[str, int]:
    out = io.BytesIO()
    code = run_line(link, command, out, timeout)
    return out.getvalue().decode(errors="replace"), code


def power_cut(rig_target):
    """Reset the board and boot its image again, as after a power cut."""
    rig_target.reset()
    rig_target.ensure_kernel()


@pytest.mark.qemu
def test_sqlite_database_on_the_disk_survives_a_power_cut(link, rig_target):
    made, _ = shell(link, "sh /tests/sqlite_disk.sh make 2>&1")
    power_cut(rig_target)
    read, code = shell(rig_target.link, "sh /tests/sqlite_disk.sh read 2>&1")
    got = made + read + f"exit {code}\n"
    want = (LINUX_TESTS / "sqlite_disk.exp").read_text()
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        "real Linux, no reset (sqlite_disk.exp)", "our server, reset between"))
    assert got == want, f"the database read after the reset differs:\n{diff}"


@pytest.mark.qemu
def test_a_power_cut_while_a_snapshot_is_written_leaves_the_one_before(link, rig_target):
    # snapshot A: a file and its checksum, synced
    out, code = shell(link, "rm -rf /data/cut; mkdir /data/cut && cd /data/cut && "
                            "head -c 1000000 /dev/urandom > f && sha256sum f > sum && sync && cat sum")
    assert code == 0, out
    before = out
    # snapshot B, larger, cut off once the server says it is writing it
    mark = link.log_mark()
    outcome: dict[str, object] = {}

    def write_b():
        try:
            outcome["result"] = shell(link, "cd /data/cut && head -c 6000000 /dev/urandom > f && "
                                            "sha256sum f > sum && sync && echo synced")
        except BoardReset as exc:
            outcome["reset"] = exc
    writer = threading.Thread(target=write_b, daemon=True)
    writer.start()
    deadline = time.monotonic() + 120
    writing = []
    while time.monotonic() < deadline and writer.is_alive() and not writing:
        writing = [line for line in link.log_since(mark) if "/data: writing snapshot" in line]
        time.sleep(0.005)
    assert writing, f"the server never said it was writing the snapshot: {outcome}"
    rig_target.reset()
    writer.join(60)                     # (the shell sees the reset and ends: the link is free)
    assert not writer.is_alive() and "reset" in outcome, outcome
    rig_target.ensure_kernel()
    finished = [line for line in rig_target.link.log_since(mark) if "/data: snapshot" in line and "written" in line]
    # after it: the file and its checksum agree, and they are A's
    out, code = shell(rig_target.link, "cd /data/cut && sha256sum -c sum && cat sum")
    assert code == 0, f"/data after the cut: {out}"
    assert not finished, f"the snapshot was written before the cut came: {finished}"
    assert out.endswith(before), f"cut while writing, yet /data is not the snapshot before: {out}"
    shell(rig_target.link, "rm -rf /data/cut && sync")


@pytest.mark.qemu
def test_sync_writes_only_when_data_changed(link):
    mark = link.log_mark()
    out, code = shell(link, "echo one > /data/same && sync && sync && sync && echo done")
    assert (out, code) == ("done\n", 0)
    writes = [line for line in link.log_since(mark) if "/data: writing snapshot" in line]
    assert len(writes) == 1, writes
    shell(link, "rm /data/same && sync")
