"""debugd's view of the kernel, driven from the host: interrupts injected as IPC, system calls
made by the probe thread, the counters, the thread table, the trace and a benchmark smoke run.

System call numbers and error codes come from kernel.elf's DWARF (`kernel_abi`), never from a
copy here.  No timing is asserted: timing goals live in `rig bench`, not in tests.
"""

import time

import pytest

from host.abi import ANYTHREAD, FIRST_THREAD, NILTHREAD, make_tid, tid_number, tid_version
from protocol import MsgType, SyscallStatus, TraceType

IRQ_HOST_COUNT = 121        # the line irq.host_count counts (firmware/user/ktest/tests.c)
XR_PC = 1 << 1              # ExchangeRegisters control: set the PC (L4_XR_PC in abi.h)
NEVER = 0xFFFFFFFF          # an infinite IPC timeout (L4_NEVER)


def status(message) -> str:
    return str(message.status)


# --------------------------------------------------------------------------------------------
# Interrupts injected from the host arrive as IPC


def host_irq_count(debugd) -> int:
    result = debugd.run_test("irq.host_count")
    assert status(result) == "PASS", result.text
    return result.value


def wait_for_count(debugd, expected: int, timeout: float = 3.0) -> int:
    """The counter once it reaches `expected` (the handler runs after debugd's ACK)."""
    deadline = time.monotonic() + timeout
    while (count := host_irq_count(debugd)) < expected and time.monotonic() < deadline:
        pass
    return count


@pytest.mark.feature("INJECT", "TESTS")
def test_an_interrupt_injected_from_the_host_is_delivered_as_ipc(debugd):
    start = host_irq_count(debugd)          # the first call starts the counting thread
    # One at a time: a line set pending again before its handler ran is one interrupt, as on
    # hardware (debugd may take the next INJECT_IRQ before the handler gets the CPU).
    for n in range(1, 5):
        debugd.inject_irq(IRQ_HOST_COUNT)
        assert wait_for_count(debugd, start + n) == start + n


# --------------------------------------------------------------------------------------------
# System calls made by the probe thread (its own space, unprivileged)


def clock(debugd, kernel_abi) -> int:
    result = debugd.syscall({7: kernel_abi.syscall("SYSTEM_CLOCK")})
    assert status(result) == "DONE"
    assert result.regs[1] == kernel_abi.error("OK")
    return result.regs[2] << 32 | result.regs[0]


@pytest.mark.feature("SYSCALL")
def test_system_clock_from_the_probe(debugd, kernel_abi):
    first = clock(debugd, kernel_abi)
    second = clock(debugd, kernel_abi)
    assert 0 < first < second, f"the clock went from {first} to {second} us"
    assert second - first < 3600 * 10**6, "an hour between two calls"


@pytest.mark.feature("SYSCALL")
def test_thread_control_needs_privilege(debugd, kernel_abi):
    victim = make_tid(FIRST_THREAD + 300, 1)
    result = debugd.syscall({7: kernel_abi.syscall("THREAD_CONTROL"), 0: victim, 1: victim})
    assert status(result) == "DONE"
    assert result.regs[1] == kernel_abi.error("NO_PRIVILEGE"), kernel_abi.describe_r1(result.regs[1])


@pytest.mark.feature("SYSCALL", "THREADS")
def test_ipc_send_to_a_thread_that_does_not_exist(debugd, kernel_abi):
    used = {tid_number(t.id) for t in debugd.threads()}
    nobody = make_tid(max(used) + 40, 1)
    result = debugd.syscall({7: kernel_abi.syscall("IPC"), 0: nobody, 1: NILTHREAD, 2: 0, 3: 0})
    assert status(result) == "DONE"
    assert result.regs[1] == kernel_abi.ipc_error("NO_PARTNER", receive=False), \
        kernel_abi.describe_r1(result.regs[1], kernel_abi.syscall("IPC"))


@pytest.mark.feature("SYSCALL")
def test_an_endless_receive_is_aborted_at_the_timeout(debugd, kernel_abi):
    regs = {7: kernel_abi.syscall("IPC"), 0: NILTHREAD, 1: ANYTHREAD, 12: NEVER}
    result = debugd.syscall(regs, timeout_us=100_000)
    assert status(result) == SyscallStatus.TIMEOUT.name
    clock(debugd, kernel_abi)               # a new probe takes the next call


@pytest.mark.feature("SYSCALL", "THREADS")
def test_the_probe_setting_its_own_pc_to_zero_faults(debugd, kernel_abi):
    clock(debugd, kernel_abi)               # make sure the probe exists, then find it
    threads = debugd.threads()
    ktest = next(t for t in threads if t.name == "ktest")
    probes = [t for t in threads if t.partner == ktest.id and t.space != ktest.space
              and kernel_abi.state_name(t.state) == "recv"]
    assert len(probes) == 1, f"cannot tell the probe thread: {[hex(t.id) for t in probes]}"
    regs = {7: kernel_abi.syscall("EXCHANGE_REGISTERS"), 0: probes[0].id, 1: XR_PC, 3: 0}
    result = debugd.syscall(regs)
    assert status(result) == SyscallStatus.FAULTED.name
    clock(debugd, kernel_abi)               # and the next probe works


@pytest.mark.feature("SYSCALL")
def test_a_system_call_number_that_does_not_exist(debugd, kernel_abi):
    assert 77 not in kernel_abi.syscalls.values()
    result = debugd.syscall({7: 77})
    assert status(result) == "DONE"
    assert result.regs[1] == kernel_abi.error("BAD_SYSCALL")


@pytest.mark.feature("SYSCALL", "THREADS")
def test_after_the_probed_calls_the_kernel_still_answers(link, debugd, kernel_abi):
    for number in list(kernel_abi.syscalls.values()) + [77, 0x7FFFFFFF]:
        debugd.syscall({7: number, 0: ANYTHREAD, 1: ANYTHREAD}, timeout_us=20_000)
    assert bytes(link.request(MsgType.PING, dict(data=b"alive")).data) == b"alive"
    assert debugd.stats().ticks > 0


# --------------------------------------------------------------------------------------------
# Counters, threads, trace


@pytest.mark.feature("THREADS", "TESTS")
def test_counters_grow_when_a_test_runs(debugd, kernel_abi):
    before = debugd.stats()
    assert status(debugd.run_test("ipc.call")) == "PASS"
    after = debugd.stats()
    ipc = kernel_abi.syscall("IPC")
    assert after.ipc > before.ipc
    assert after.syscalls[ipc] > before.syscalls[ipc]
    assert after.ticks >= before.ticks and after.irqs > before.irqs   # the UART's, at least
    assert 0 < after.kmem_free and after.mapdb_nodes > 0


@pytest.mark.feature("THREADS")
def test_the_thread_table_holds_the_boot_threads(debugd, kernel_abi):
    threads = debugd.threads()
    by_name = {t.name: t for t in threads}
    for name in ("sigma0", "root", "debugd", "ktest"):
        assert name in by_name, f"no thread named {name} in {sorted(by_name)}"
    ids = [t.id for t in threads]
    assert len(set(ids)) == len(ids), "a thread ID listed twice"
    live = {value for name, value in kernel_abi.thread_states.items() if name != "FREE"}
    for t in threads:
        assert tid_number(t.id) >= FIRST_THREAD and tid_version(t.id) > 0, f"{t.name}: ID {t.id:#x}"
        assert t.state in live, f"{t.name}: state {t.state}"
        assert t.stop_reason == 0, f"{t.name} is stopped"
        assert t.space > 0
    sigma0, root, debugd_thread, ktest = (by_name[n] for n in ("sigma0", "root", "debugd", "ktest"))
    assert sigma0.pager == NILTHREAD, "sigma0 is the root pager: nobody pages it"
    assert root.pager == sigma0.id
    assert debugd_thread.flags & 2 and ktest.flags & 2, "debugd and ktest are privileged"
    assert len({t.space for t in (sigma0, root, debugd_thread, ktest)}) == 4, "each server in its own space"


@pytest.mark.feature("TRACE", "TESTS")
def test_trace_shows_ipc_and_switches_after_a_test(debugd):
    start = debugd.trace_control(True)
    assert status(debugd.run_test("ipc.call")) == "PASS"
    window = debugd.trace(start)
    assert window.first >= start, "events before the one asked for"
    assert window.head >= window.first + len(window.events)
    assert window.events, "no events after a test that makes IPC"
    kinds = {str(e.type) for e in window.events}
    ipc = {TraceType.IPC.name, TraceType.IPC_SWITCH.name}   # the fast path records one event for both
    assert kinds & ipc and kinds & {TraceType.SWITCH.name, TraceType.IPC_SWITCH.name}, kinds
    later = debugd.trace(window.first + len(window.events))
    assert later.first >= window.first + len(window.events) and later.head >= window.head


# --------------------------------------------------------------------------------------------
# Benchmarks: a smoke run only (figures are for `rig bench`)


@pytest.mark.feature("TESTS")
def test_a_benchmark_returns_the_samples_asked_for(debugd):
    result = debugd.bench("ipc.call_roundtrip", 50)
    assert status(result) == "PASS"
    assert len(result.samples) == 50
    assert all(sample > 0 for sample in result.samples)


@pytest.mark.feature("TESTS")
def test_an_unknown_test_or_benchmark_is_named_as_such(debugd):
    assert status(debugd.run_test("no.such.test")) == "NO_SUCH_TEST"
    assert status(debugd.bench("no.such.bench", 10)) == "NO_SUCH_TEST"
