"""Unit tests of what the rig reads from firmware ELF files beyond images: the kernel ABI from
DWARF (host/abi.py) and ktest's table of tests and benchmarks (host/ktests.py).

The DWARF test compiles a small C file with the ARM cross compiler (tools/setup installs it)
and is skipped without one; the ktest table is laid out by hand with elfgen.py."""

import shutil
import struct
import subprocess

import pytest

from elfgen import make_elf
from host import ktests
from host.abi import KernelAbi, make_tid, read_enums, tid_number, tid_version
from host.errors import RigError

ABI_C = """
enum l4_syscall { L4_SYS_IPC = 0, L4_SYS_THREAD_CONTROL = 1, L4_SYS_SYSTEM_CLOCK = 7, L4_SYS_COUNT };
enum l4_error { L4_OK = 0, L4_ERR_TIMEOUT = 1, L4_ERR_NO_PARTNER = 2, L4_ERR_BAD_SYSCALL = 10 };
enum l4_exc_kind { L4_EXC_UNDEFINED = 1, L4_EXC_DATA_ABORT = 4 };
enum thread_state { TS_FREE = 0, TS_INACTIVE, TS_READY, TS_SEND, TS_RECV };
enum l4_syscall last_call;
enum l4_error last_error;
enum l4_exc_kind last_kind;
enum thread_state last_state;
"""


@pytest.fixture(scope="module")
def abi_elf(tmp_path_factory):
    gcc = shutil.which("arm-none-eabi-gcc")
    if gcc is None:
        pytest.skip("no arm-none-eabi-gcc (tools/setup installs it)")
    folder = tmp_path_factory.mktemp("abi")
    (folder / "abi.c").write_text(ABI_C)
    subprocess.run([gcc, "-g", "-c", "-o", "abi.o", "abi.c"], cwd=folder, check=True)
    return folder / "abi.o"


def test_enums_come_from_dwarf_without_their_prefixes(abi_elf):
    enums = read_enums(abi_elf)
    assert enums["l4_syscall"] == dict(IPC=0, THREAD_CONTROL=1, SYSTEM_CLOCK=7, COUNT=8)
    assert enums["l4_error"] == dict(OK=0, TIMEOUT=1, NO_PARTNER=2, BAD_SYSCALL=10)
    assert enums["thread_state"]["RECV"] == 4


def test_kernel_abi_names_and_numbers(abi_elf):
    abi = KernelAbi.from_elf(abi_elf)
    assert "COUNT" not in abi.syscalls
    assert abi.syscall("system_clock") == abi.syscall("L4_SYS_SYSTEM_CLOCK") == abi.syscall("7") == 7
    assert abi.syscall("0x4d") == 77                # any number may be tried
    with pytest.raises(RigError, match="no system call 'clock': the kernel has ipc, thread_control, system_clock"):
        abi.syscall("clock")
    assert abi.describe_r1(10) == "BAD_SYSCALL"
    assert abi.describe_r1(0) == "OK"
    # an IPC's r1 is code << 1 | receive phase
    assert abi.describe_r1(abi.ipc_error("NO_PARTNER", receive=False), syscall=0) == "NO_PARTNER (send phase)"
    assert abi.describe_r1(3, syscall=0) == "TIMEOUT (receive phase)"
    assert abi.describe_r1(99) == "error 99"
    assert abi.state_name(4) == "recv" and abi.exc_kind_name(4) == "data abort" and abi.exc_kind_name(0) == ""


def test_an_elf_without_debug_information_is_refused(tmp_path):
    path = tmp_path / "kernel.elf"
    path.write_bytes(make_elf(entry=0, segments=[(0x1000, b"\0" * 16)], build_id=None))
    with pytest.raises(RigError, match="has no debug information: the kernel must be built with -g"):
        KernelAbi.from_elf(path)


def test_thread_ids_carry_number_and_version():
    tid = make_tid(352, 3)
    assert tid == 0x580003 and (tid_number(tid), tid_version(tid)) == (352, 3)


# --------------------------------------------------------------------------------------------


def ktest_elf(tmp_path, names_and_kinds, table_bytes=None):
    base, strings_at = 0x100000, 0x100100
    strings, pointers = b"", []
    for name, _ in names_and_kinds:
        pointers.append(strings_at + len(strings))
        strings += name.encode() + b"\0"
    table = b"".join(struct.pack("<III", ptr, 0x2000 if kind == "test" else 0, 0 if kind == "test" else 0x3000)
                     for ptr, (_, kind) in zip(pointers, names_and_kinds))
    if table_bytes is not None:
        table = table[:table_bytes]
    image = table.ljust(0x100, b"\0") + strings
    path = tmp_path / "ktest.elf"
    path.write_bytes(make_elf(entry=base, segments=[(base, image)], build_id=None,
                              symbols={"__ktests_start": (base, 0), "__ktests_end": (base + len(table), 0)}))
    return path


def test_the_ktests_table_is_read_from_the_elf(tmp_path):
    path = ktest_elf(tmp_path, [("ipc.call", "test"), ("syscall.null", "bench"), ("fuzz.syscalls", "test")])
    assert ktests.from_elf(path) == [ktests.KtestEntry("test", "ipc.call"), ktests.KtestEntry("bench", "syscall.null"),
                                     ktests.KtestEntry("test", "fuzz.syscalls")]


def test_a_table_that_is_not_whole_entries_is_refused(tmp_path):
    path = ktest_elf(tmp_path, [("ipc.call", "test")], table_bytes=8)
    with pytest.raises(RigError, match="not a whole number of 12-byte entries"):
        ktests.from_elf(path)


def test_names_over_the_link_say_their_kind():
    assert ktests.parse_names("test:ipc.call\0bench:syscall.null\0") == [
        ktests.KtestEntry("test", "ipc.call"), ktests.KtestEntry("bench", "syscall.null")]
    assert ktests.parse_names("") == []
    with pytest.raises(RigError, match="not test:NAME or bench:NAME"):
        ktests.parse_names("ipc.call\0")
