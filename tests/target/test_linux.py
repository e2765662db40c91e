"""The Linux server, from the host: conformance tests against outputs recorded on real Linux,
and processes that misbehave without disturbing anything else.

Each tests/linux/NAME.sh runs on the target as `sh /tests/NAME.sh 2>&1`; its output and exit
status must equal tests/linux/NAME.exp, which tools/record_linux.py recorded by running the same
script, busybox and programs on Debian's Linux kernel on the same QEMU machine.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from host.shell import interactive, run_line
from protocol import MsgType

LINUX_TESTS = Path(__file__).resolve().parent.parent / "linux"
SCRIPTS = sorted(p.stem for p in LINUX_TESTS.glob("*.sh") if (LINUX_TESTS / f"{p.stem}.exp").exists())


def shell(link, command: str, timeout: float = 120.0) -> tuple[str, int]:
    out = io.BytesIO()
    code = run_line(link, command, out, timeout)
    return out.getvalue().decode(errors="replace"), code


@pytest.mark.parametrize("name", SCRIPTS)
def test_conformance_with_real_linux(link, name):
    output, code = shell(link, f"sh /tests/{name}.sh 2>&1")
    got = output + f"exit {code}\n"
    want = (LINUX_TESTS / f"{name}.exp").read_text()
    diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                        f"real Linux ({name}.exp)", "our Linux server"))
    assert got == want, f"{name} differs from real Linux:\n{diff}"


def alive(link):
    output, code = shell(link, "echo alive")
    assert (output, code) == ("alive\n", 0)
    assert bytes(link.request(MsgType.PING, dict(data=b"still here")).data) == b"still here"


def test_exit_status_and_output_of_a_shell_line(link):
    assert shell(link, "echo hello; exit 5") == ("hello\n", 5)
    assert shell(link, "kill -SEGV $$")[1] == 139


def test_a_bad_pointer_kills_only_its_process(link):
    output, code = shell(link, "sh -c 'kill -SEGV $$'; echo parent saw $?")
    assert output.endswith("parent saw 139\n") and code == 0
    alive(link)


def unknown_syscalls(link) -> dict[int, int]:
    stats = link.request(MsgType.LINUX_STATS, expect=MsgType.LINUX_STATS_INFO)
    return {int(e.nr): int(e.count) for e in stats.unknown}


def test_unknown_system_calls_get_enosys_and_are_counted_for_the_host(link):
    vhangup = 111                               # a real call the server does not implement
    before = unknown_syscalls(link).get(vhangup, 0)
    output, code = shell(link, f"enosys {vhangup} 3")
    assert code == 0
    assert output == f"syscall {vhangup}: -1 (Function not implemented)\n" * 3
    assert unknown_syscalls(link).get(vhangup, 0) == before + 3


def test_the_linux_benchmarks_run_on_the_server(link):
    """`rig bench linux` in small: lbench runs every benchmark and reports sane figures."""
    from host import linuxbench

    samples = linuxbench.on_target(link, 3)
    assert list(samples) == list(linuxbench.NAMES)
    # a fork, an exec and a wait cost more than a getpid, whatever the clock's rate
    assert min(samples["linux.fork_exec_wait"]) > max(samples["linux.getpid"])
    alive(link)


def test_sched_yield_gives_the_other_ready_process_its_turn(link):
    """tests/linux/yieldturns.c: while the parent yields 100 times, a spinning child that yields
    too gets a turn per yield, as on Linux; not none (the server handing the processor straight
    back) and not a whole timeslice at once."""
    output, code = shell(link, "yieldturns")
    assert code == 0, output
    turns = int(output.rsplit(":", 1)[1])
    assert 90 <= turns <= 110, output
    alive(link)


def test_a_memory_hog_is_refused_or_killed_and_leaves_everything_running(link):
    output, code = shell(link, "/bin/hog; echo hog status $?", timeout=120)
    status = int(output.rsplit("hog status ", 1)[1])
    # refused memory (malloc failed: it says so and exits 0), or killed by a signal
    assert ("refused after" in output and status == 0) or status > 128, output
    alive(link)


def test_out_of_memory_the_largest_process_is_killed_not_the_one_that_faulted(link):
    """tests/linux/oom.c: a child takes the pool; its parent then touches memory it had mapped.
    The child, holding the most, is killed; the parent finishes."""
    before = link.request(MsgType.LINUX_STATS, expect=MsgType.LINUX_STATS_INFO).oom_kills
    assert shell(link, "oom", timeout=120) == ("parent touched 8 MiB\nchild ended by signal 9\n", 0)
    after = link.request(MsgType.LINUX_STATS, expect=MsgType.LINUX_STATS_INFO)
    assert after.oom_kills == before + 1
    assert after.processes == 1                 # init alone again: nothing left behind
    alive(link)


class PtyShell:
    """An interactive busybox shell from the host (what `rig shell` runs), with a pty standing in
    for the user's terminal: type keys, wait for what the console shows."""

    def __init__(self, link):
        self.master, self.slave = os.openpty()
        self.out = io.BytesIO()
        self.result = {}
        self.session = threading.Thread(
            target=lambda: self.result.update(code=interactive(link, self.slave, self.out)))
        self.session.start()
        self.wait_for(b"# ")

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def wait_for(self, text: bytes, since: int = 0, timeout: float = 20.0) -> bytes:
        """What the console showed from `since` until `text` appeared in it."""
        deadline = time.monotonic() + timeout
        while text not in self.out.getvalue()[since:]:
            assert time.monotonic() < deadline, f"never saw {text!r}; the console said {self.out.getvalue()[-800:]!r}"
            time.sleep(0.02)
        return self.out.getvalue()[since:]

    def run(self, line: bytes, done: bytes, timeout: float = 20.0) -> bytes:
        """Type `line`; what the console showed until `done` appeared."""
        mark = len(self.out.getvalue())
        self.type(line)
        return self.wait_for(done, mark, timeout)

    def exit(self, code: int) -> None:
        self.type(b"exit %d\r" % code)
        self.session.join(30)
        assert self.result.get("code") == code

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_shell(link):
    sh = PtyShell(link)
    try:
        yield sh
    finally:
        sh.close()


def test_interactive_shell_through_a_pty(pty_shell):
    """What `rig shell` does, with a pty standing in for the user's terminal."""
    pty_shell.run(b"echo typed $((1 + 2))\r", b"typed 3")
    # the command says when it runs (the echo of the typed line cannot match "sleeping"), so
    # Ctrl-C cannot come before the shell has started it
    # a sleeper in a process group of its own, SIGINT not ignored: not the console's
    # foreground group, so Ctrl-C leaves it alone
    pty_shell.run(b"setpgrp sleep 30 & echo started $!\r", b"started ")
    pty_shell.run(b"sh -c 'echo sleep''ing; exec sleep 30'\r", b"sleeping")
    pty_shell.run(b"\x03", b"^C")                   # Ctrl-C: SIGINT ends the sleep, not the shell
    pty_shell.run(b"kill -0 $! && echo other group still there; kill $!\r", b"other group still there")
    pty_shell.exit(4)


def test_vi_edits_a_file_through_a_pty(pty_shell):
    """busybox vi, driven by keys through a pty as a user would: open a line below the last, go
    to the first and delete it, write and quit; the file holds what the edits say."""
    pty_shell.run(b"printf 'one\\ntwo\\n' > /tmp/v.txt; vi /tmp/v.txt\r", b"two")   # vi drew the file
    time.sleep(0.5)
    for keys in (b"G", b"o", b"three", b"\x1b", b"1G", b"dd", b":wq\r"):
        pty_shell.type(keys)
        time.sleep(0.2)
    pty_shell.run(b"echo \"[$(cat /tmp/v.txt | tr '\\n' ,)]\"; rm /tmp/v.txt\r", b"[two,three,]")
    pty_shell.exit(0)


def test_job_control_in_an_interactive_shell_through_a_pty(pty_shell):
    """busybox's shell with the console as its controlling terminal: a background job listed and
    killed by its number, Ctrl-Z stopping the foreground job (SIGTSTP to its group), `bg` and
    `fg` continuing it (SIGCONT, the console's foreground group handed over), Ctrl-C ending it.
    Each command says when it is done with words its typed echo does not hold ('' splits them)."""
    run = pty_shell.run
    run(b"sleep 100 & echo star''ted\r", b"started")
    assert b"Running" in run(b"jobs; echo lis''ted\r", b"listed")
    run(b"kill %1; wait %1; echo killed $?\r", b"killed 143")
    # the command says when it runs, so Ctrl-Z cannot come before the job has started
    run(b"sh -c 'echo sleep''ing; exec sleep 100'\r", b"sleeping")
    run(b"\x1a", b"Stopped")                    # Ctrl-Z: the job stops, the shell prompts
    assert b"Stopped" in run(b"jobs; echo lis''ted\r", b"listed")
    assert b"Running" in run(b"bg; jobs; echo in the back''ground\r", b"in the background")
    run(b"fg\r", b"exec sleep 100")             # fg names the job it brings back
    time.sleep(0.5)
    run(b"\x03", b"^C")                         # Ctrl-C: SIGINT to the foreground job
    after = run(b"echo status $?; jobs; echo no jo''bs\r", b"no jobs")
    assert b"status 130" in after and b"sleep" not in after.split(b"status 130")[1]
    pty_shell.exit(4)


def test_background_jobs_stop_at_the_terminal_through_a_pty(pty_shell):
    """SIGTTOU as Linux sends it: with `stty tostop` a background job that writes to the terminal
    stops before its output appears, and `fg` lets it write; without tostop it writes; a
    background job that changes the terminal's settings stops whatever tostop says."""
    run = pty_shell.run
    run(b"stty tostop; echo hid''den & sleep 1; echo wait''ed\r", b"waited")
    listed = run(b"jobs; echo lis''ted\r", b"listed")
    assert b"Stopped" in listed and b"hidden\r\n" not in listed.split(b"listed")[0]
    run(b"fg\r", b"hidden")                     # in the foreground, it writes
    run(b"stty -tostop; echo vis''ible & wait; echo wai''ted\r", b"waited")
    assert b"visible" in pty_shell.out.getvalue()
    run(b"stty -echo & sleep 1; echo wait''ed again\r", b"waited again")
    assert b"Stopped" in run(b"jobs; echo lis''ted\r", b"listed")
    run(b"kill -9 %1; wait; echo gone\r", b"gone")
    run(b"stty; echo stty fine\r", b"stty fine")
    # the shell prompted again after the job was gone (the prompt may come with either read)
    whole = pty_shell.out.getvalue()
    assert b"# " in whole[whole.rindex(b"gone"):]
    pty_shell.exit(0)


@pytest.mark.parametrize("writer", ["dd if=/dev/zero bs=1M count=1 2>/dev/null",
                                    "dd if=/dev/zero of=/dev/null bs=1M count=100000 2>/dev/null"])
def test_a_large_transfer_leaves_the_other_processes_running(link, writer):
    """One write of a megabyte to the console (which goes to the host slowly), or a gigabyte
    through dd, does not hold the server for the whole transfer: `sleep 1; kill $!` beside it
    takes about a second, and the writer dies part way."""
    line = (f"read a b < /proc/uptime; {writer} & sleep 1; kill $!; wait $!; s=$?; echo; echo status $s; "
            "read c d < /proc/uptime; echo took $a $c")
    output, code = shell(link, line, timeout=120)
    start, end = (float(t) for t in output.rsplit("took ", 1)[1].split())
    assert "status 143" in output and output.count("\0") < 1 << 20
    assert end - start < 5, f"sleep 1 took {end - start:.1f} s beside {writer}"


@pytest.mark.qemu
def test_linux_processes_leave_the_modem_alone(link, rig_board):
    """Linux's processes take the thread numbers after the Linux server's own module's 32: with
    the modem loaded after it, they once took the modem's and destroyed it.  32 at once (before
    the fork storm below fills the process slots), then the modem must still answer."""
    from host.modem import ModemLink

    output, code = shell(link, "for i in $(seq 32); do sleep 1 & done; wait; echo done")
    assert (output, code) == ("done\n", 0)
    with ModemLink(rig_board.qemu.radio_port()) as modem:
        modem.hello(timeout=10.0)
        assert [t.name for t in modem.status().tasks][:1] == ["fclk"]


def test_a_fork_storm_is_refused_and_leaves_everything_running(link):
    # Last in this file: it leaves the board busy reaping sleepers and short of memory for a
    # while, which the tests above should not have to wait out.
    # More children than the server has process slots: the forks past the limit fail with
    # EAGAIN, as under a process limit on Linux, and the storming shell gives up ("can't fork")
    # or, had they all fit, finishes.  Either way nothing else is disturbed, and once the
    # sleepers are gone (init reaps them) forks work again.
    output, code = shell(link, "i=0; while [ $i -lt 100 ]; do sleep 1 & i=$((i + 1)); done; wait; echo done",
                         timeout=120)
    assert "can't fork" in output or output.rstrip().endswith("done"), output
    alive(link)
    # the sleepers end after a second and init reaps them; until then a fork may still be
    # refused, so ask again for up to half a minute
    deadline = time.monotonic() + 30
    while True:
        output, code = shell(link, "sh -c 'echo forked again'")
        if code == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert (output, code) == ("forked again\n", 0)


def test_a_shell_fork_bomb_is_bounded_and_everything_recovers(link):
    """f(){ f|f& }; f: forks past what the server can give fail with EAGAIN, the bomb is killed
    after three seconds (kill -9 -1 spares init and the caller), init reaps the orphans, and the
    process table empties: forks work again, nothing is left behind."""
    output, code = shell(link, "sh -c 'f(){ f|f& }; f' 2>/dev/null; sleep 3; kill -9 -1; echo killed",
                         timeout=120)
    assert output.endswith("killed\n"), output
    deadline = time.monotonic() + 30
    while True:
        output, code = shell(link, "sh -c 'echo forked again'")
        stats = link.request(MsgType.LINUX_STATS, expect=MsgType.LINUX_STATS_INFO)
        if (code == 0 and stats.processes == 1) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert (output, code) == ("forked again\n", 0)
    assert stats.processes == 1                 # init alone again
    alive(link)


def test_a_pipe_whose_reader_ends_first_leaves_the_server_serving(link, debugd):
    """The writer blocked on a full pipe gets EPIPE and dies of SIGPIPE when the reader exits,
    closing its end while the reader's close is still under way: the pipe is freed once.  (On
    a fresh server: the ones before leave processes behind, and the server's process table is
    small.)"""
    debugd.restart("linux")
    line = ("seq 1 100000 | grep -q 5; echo $?; yes | head -n 2; yes | while read x; do break; done; "
            "dd if=/dev/zero bs=8k count=1 2>/dev/null | sleep 1; echo done")
    assert shell(link, line) == ("0\ny\ny\ndone\n", 0)
    alive(link)


def mem_free_kib(link) -> int:
    output, code = shell(link, "grep MemFree /proc/meminfo")
    assert code == 0, output
    return int(output.split()[1])


def test_a_full_file_system_answers_enospc_and_gives_every_frame_back(link):
    """Files take frames from the server's pool until only its reserve is left (real Linux's
    tmpfs stops at its own size, so this cannot be a recorded conformance test): the write
    fails with ENOSPC, the shell and the server go on, and removing the file gives the memory
    back.  Descriptors to the limit in several processes at once leave nothing behind either."""
    before = mem_free_kib(link)
    output, code = shell(link, "busybox dd if=/dev/zero of=/tmp/fill bs=65536 2>&1 | head -1; "
                               "echo x > /tmp/fill2; echo more $?; rm /tmp/fill /tmp/fill2; echo removed")
    assert "No space left on device" in output and output.endswith("removed\n"), output
    alive(link)
    output, code = shell(link, "fs_fdlimit 4; mkdir /tmp/many; i=0; while [ $i -lt 500 ]; do "
                               ": > /tmp/many/e$i; i=$((i + 1)); done; rm -r /tmp/many; echo done")
    assert output == "4 of 4 reached the limit\ndone\n", output
    # the same shell line's own pages aside, every frame is back
    assert abs(mem_free_kib(link) - before) <= 64, (before, mem_free_kib(link))


@pytest.fixture
def keyboard_interrupts():
    """Ctrl-C raises KeyboardInterrupt in the test, as it does in a terminal, even when the suite
    was started with SIGINT ignored (a background job of a script is)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def interrupt_when(out: io.BytesIO, text: bytes) -> threading.Thread:
    """Ctrl-C, as the user's terminal sends it, once `text` is in the output."""
    import _thread

    def watch():
        deadline = time.monotonic() + 30
        while text not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        _thread.interrupt_main()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def test_shell_interrupt_ends_the_command_and_nothing_of_it_reaches_the_next(link, keyboard_interrupts):
    """`rig shell -c` and Ctrl-C: the command's process group gets SIGINT; the next line sees
    only its own output and the sleep is gone."""
    from host.shell import Interrupted

    out = io.BytesIO()
    watcher = interrupt_when(out, b"start")
    with pytest.raises(Interrupted, match="got SIGINT$"):
        run_line(link, "echo start; sleep 100; echo after", out, 60)
    watcher.join()
    assert out.getvalue() == b"start\n"
    assert shell(link, "echo ok") == ("ok\n", 0)
    output, code = shell(link, "ps")
    assert code == 0 and "sleep 100" not in output, output


def test_shell_interrupt_hangs_up_a_command_that_ignores_sigint(link, keyboard_interrupts):
    """A command that ignores SIGINT and SIGHUP runs on after the host leaves, as under ssh, but
    the hangup took its terminal: its writes fail and a read ends (end of file), so nothing of
    it reaches the next shell line."""
    from host.shell import Interrupted

    out = io.BytesIO()
    watcher = interrupt_when(out, b"start")
    line = ("rm -f /tmp/stop /tmp/read /tmp/stopped; trap '' INT HUP; echo start; read x; echo \"read $?\" > /tmp/read; "
            "while [ ! -e /tmp/stop ]; do echo tick; sleep 1; done; echo stopped > /tmp/stopped")
    with pytest.raises(Interrupted, match="SIGHUP as it did not end$"):
        run_line(link, line, out, 60)
    watcher.join()
    assert out.getvalue() == b"start\n"
    assert shell(link, "sleep 2; cat /tmp/read") == ("read 1\n", 0)        # ticks went nowhere
    assert shell(link, "echo > /tmp/stop; sleep 2; cat /tmp/stopped") == ("stopped\n", 0)   # it ran on


def linux_stats(link):
    return link.request(MsgType.LINUX_STATS, expect=MsgType.LINUX_STATS_INFO)


def settle(link, processes: int, timeout: float = 20.0):
    """The server's counters once only `processes` live (the shells before have been reaped)
    and the free frames hold still for half a second (a new process faults its pages in as it
    starts)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        stats = linux_stats(link)
        if last is not None and stats.processes == processes and stats.frames_free == last.frames_free:
            return stats
        last = stats
        time.sleep(0.5)
    return stats


def test_random_system_calls_leave_the_server_serving_and_leak_nothing(link, debugd):
    """tests/linux/fuzz.c: 100,000 system calls with random numbers and hostile arguments (bad
    pointers, huge lengths, negative fds) from children that it replaces when one dies or hangs.
    The server keeps answering and a process that was running before still runs after.  As
    root, the calls also make names anywhere, change modes and owners, set the clock: memory
    the file system rightly keeps.  So the leak check is a second run, `fuzz -n`, which makes
    no names: after it the server has every frame back.  On a fresh server, left fresh for the
    tests after it."""
    debugd.restart("linux")
    assert shell(link, "sleep 3600 > /dev/null & echo $! > /tmp/sleeper") == ("", 0)
    output, code = shell(link, "mkdir /tmp/fuzz && cd /tmp/fuzz && fuzz 7 100000 < /dev/null", timeout=600)
    assert code == 0 and re.fullmatch(r"fuzz: seed 7: 100000 calls in \d+ children \(.*\)\n", output), output
    alive(link)
    assert shell(link, "kill -0 $(cat /tmp/sleeper) && echo sleeper runs") == ("sleeper runs\n", 0)
    shell(link, "rm -rf /tmp/fuzz")
    assert settle(link, 2).processes == 2               # every child of the fuzzer is gone
    debugd.restart("linux")
    assert shell(link, "sleep 3600 > /dev/null & echo $! > /tmp/sleeper") == ("", 0)
    # a first short run: the file system keeps an index frame for the program's pages once a
    # process has mapped them (the pages themselves only while one does)
    assert shell(link, "fuzz -n 11 1 < /dev/null > /dev/null; echo ran") == ("ran\n", 0)
    before = settle(link, 2)
    output, code = shell(link, "mkdir /tmp/fuzz && cd /tmp/fuzz && fuzz -n 11 20000 < /dev/null", timeout=600)
    assert code == 0 and re.fullmatch(r"fuzz -n: seed 11: 20000 calls in \d+ children \(.*\)\n", output), output
    shell(link, "rm -rf /tmp/fuzz")
    after = settle(link, 2)
    assert after.processes == 2
    assert after.frames_free == before.frames_free, (
        f"{before.frames_free - after.frames_free} frames fewer free after `fuzz -n` than before")
    debugd.restart("linux")


@pytest.mark.qemu
def test_a_board_reset_ends_a_shell_command_at_once(link, rig_board):
    """The board resets under `shell -c` (QEMU's system_reset): the bootloader's INFO ends the
    wait at once with a clear error, not at the 300 s timeout.  Last: the board is left in the
    bootloader, which the next test's fixture boots on."""
    from host.shell import BoardReset

    out = io.BytesIO()

    def reset():
        deadline = time.monotonic() + 30
        while b"start" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        rig_board.qemu.reset()
    resetter = threading.Thread(target=reset, daemon=True)
    resetter.start()
    began = time.monotonic()
    with pytest.raises(BoardReset, match="the board reset while the shell ran"):
        run_line(link, "echo start; sleep 100", out, 300)
    assert time.monotonic() - began < 30
    resetter.join()
