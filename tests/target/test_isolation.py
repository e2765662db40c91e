"""Isolation: the Linux server killed and started again, replaced by a hostile program with
exactly its rights, and its processes reaching for memory that is not theirs.

The root task deletes the Linux server's domain (every space, thread and page in it) and starts
an image there on request (`host/rig.py restart`).  The hostile program (firmware/user/hostile)
tries everything an attacker who owns the Linux server could against the modem, the kernel and
the other servers, and reports each attempt with the answer it got; every one must have been
refused, and the modem's threads must be exactly as they were.  The Linux server is started
again afterwards and must serve a shell as after boot.
"""

import io
import re
import time
import zlib

from host.elf import open_elf, symbol

from host.shell import run_line
from protocol import MsgType

HOSTILE = re.compile(r"hostile: (.*)")
DONE = re.compile(r"done: (\d+) attempts, (\d+) refused")


def shell(link, command: str, timeout: float = 60.0) -> tuple[str, int]:
    out = io.BytesIO()
    code = run_line(link, command, out, timeout)
    return out.getvalue().decode(errors="replace"), code


def modem_threads(debugd) -> list[tuple]:
    """The modem's threads: ID, name, priority, and whether they still run (not stopped)."""
    threads = debugd.threads()
    modem = next(t for t in threads if t.name.split()[0] == "modem")
    return [(t.id, t.name, t.prio, t.space, t.stop_reason) for t in threads if t.space == modem.space]


def modem_image_crc(debugd) -> int:
    """The modem's CRC-32 of its code and constants, as they are in its memory now."""
    result = debugd.run_test("modem.image_crc")
    assert str(result.status) == "PASS", result
    return result.value


def elf_image_crc(path) -> int:
    """The same bytes, from modem.elf: [__image_start, __build_id)."""
    elf = open_elf(path)
    try:
        start, end = symbol(elf, "__image_start").address, symbol(elf, "__build_id").address
        image = bytearray(end - start)              # (the linker's padding between sections: 0)
        for section in elf.iter_sections():
            if section["sh_type"] == "SHT_NOBITS" or not section["sh_flags"] & 0x2:   # SHF_ALLOC
                continue
            base = section["sh_addr"]
            lo, hi = max(base, start), min(base + section["sh_size"], end)
            if lo < hi:
                image[lo - start:hi - start] = section.data()[lo - base:hi - base]
        return zlib.crc32(bytes(image))
    finally:
        elf.stream.close()


def hostile_report(link, debugd, timeout: float = 60.0) -> list[str]:
    """Start the hostile program in the Linux server's place and collect its report."""
    mark = link.log_mark()
    debugd.restart("linux", "hostile")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [m.group(1) for line in link.log_since(mark) if (m := HOSTILE.search(line))]
        if any(DONE.search(line) for line in lines):
            return lines
        link.request(MsgType.PING, dict(data=b"hostile?"))    # (reads the log meanwhile)
        time.sleep(0.2)
    raise AssertionError("the hostile program did not finish its report:\n" + "\n".join(lines))


def test_a_hostile_server_with_the_linux_servers_rights_is_refused_everywhere(link, debugd, firmware,
                                                                            record_property):
    modem_before = modem_threads(debugd)
    built = elf_image_crc(firmware.modem_elf)
    assert modem_image_crc(debugd) == built
    try:
        lines = hostile_report(link, debugd)
        print("\n".join(lines))
        record_property("hostile", "\n".join(lines))
        succeeded = [line for line in lines if "SUCCEEDED" in line]
        assert not succeeded, "the hostile program got through:\n" + "\n".join(succeeded)
        attempts, refused = map(int, DONE.search(lines[-1] if DONE.search(lines[-1]) else
                                                 next(x for x in lines if DONE.search(x))).groups())
        assert attempts >= 30 and refused == attempts
        # each kind of attack was really tried
        for what in ("IPC to", "ThreadControl", "SpaceControl", "Schedule", "ExchangeRegisters", "sigma0",
                     "InterruptControl", "KDebug", "write the modem's image", "write the kernel",
                     "root task", "Unmap"):
            assert any(what in line for line in lines), f"no attempt at {what}"
        exhausted = next(line for line in lines if line.startswith("kernel memory:"))
        made = int(re.search(r"(\d+) spaces made, then (\w+)", exhausted).group(1))
        assert made > 0 and ("NO_MEMORY" in exhausted or "INVALID_THREAD" in exhausted), exhausted
        # the modem did not notice: the same threads, priorities, none stopped
        time.sleep(1.0)                                       # the flood runs meanwhile
        assert modem_threads(debugd) == modem_before
        assert modem_image_crc(debugd) == built               # its code and constants untouched
    finally:
        debugd.restart("linux")
    assert shell(link, "echo ok") == ("ok\n", 0)


def test_the_hostile_program_twice_leaves_the_kernel_memory_and_a_linux_server_that_serves(link, debugd):
    """What sigma0 gave the hostile program (its whole RAM quota, at pages nobody had before) is
    taken back with its domain, and with it the kernel memory of sigma0's own mappings of those
    pages: the second run finds the kernel's free memory as the first did, and the Linux server
    started again after each serves a shell (the root task, which pages it, still gets memory)."""
    free = []
    for run in range(2):
        hostile_report(link, debugd)
        free.append(debugd.stats().kmem_free)
        debugd.restart("linux")
        assert shell(link, "echo ok", timeout=30.0) == ("ok\n", 0), f"after run {run + 1}"
    assert abs(free[1] - free[0]) < 64 * 1024, f"kernel memory free while it ran: {free}"


def test_the_linux_server_killed_and_started_again_serves_a_fresh_shell(link, debugd):
    assert shell(link, "echo left > /tmp/left-behind && sleep 600 > /dev/null 2>&1 & echo started")[1] == 0
    before = debugd.stats().kmem_free
    debugd.restart("linux")
    assert shell(link, "echo ok") == ("ok\n", 0)
    # a fresh /tmp, and none of the old processes ([s]: not the grep's own command line)
    assert shell(link, "cat /tmp/left-behind 2>/dev/null; ps | grep -c '[s]leep 600'") == ("0\n", 1)
    # what the old server had went back: the kernel's free memory is as it was
    assert abs(debugd.stats().kmem_free - before) < 64 * 1024


# (address, what): none of it is a Linux process's; each access must end the process with SIGSEGV
NOT_THEIRS = [("c0000000", "the kernel's own mapping of RAM"), ("c0100000", "the kernel's code"),
              ("80000000", "the kernel's half of every address space"), ("7e000000", "another thread's UTCB")]


def test_linux_processes_cannot_read_or_write_the_kernels_or_anyone_elses_memory(link):
    for address, what in NOT_THEIRS:
        for command in (f"peek {address}", f"peek {address} 5a5a5a5a"):
            output, code = shell(link, f"{command}; echo status $?")
            assert output.strip().endswith("status 139"), f"{command} ({what}): {output!r}"
    # the kernel's information page is public, read-only: read it, never write it
    output, code = shell(link, "peek 7f000000; peek 7f000000 0; echo status $?")
    assert output.splitlines()[0] == "4b495034" and output.strip().endswith("status 139"), output
