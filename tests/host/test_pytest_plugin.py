"""Unit test of the rig's pytest plugin (host/pytest_plugin.py): a small on-target test file
run by pytester against the fake target of fake_target.py on --rig-port (so no power control:
the strategy resets over the link).  No QEMU, no firmware."""

from protocol import crc32


def test_fixtures_markers_serial_log_and_junit_properties(pytester, fake):
    fake.install(0, dict(length=4, crc=crc32(b"kern"), build_id=b"K" * 20), b"kern", 1)
    pytester.makepyfile(test_on_target="""
        import pytest
        from protocol import MsgType, Role
        from host.link import role_of

        def test_ping(link):
            assert bytes(link.request(MsgType.PING, dict(data=b"hi")).data) == b"hi"

        def test_bootloader_then_kernel_again(bootloader):
            assert role_of(bootloader.request(MsgType.HELLO)) == Role.BOOTLOADER
            assert bootloader.request(MsgType.SLOTS).newest == 0

        def test_fails_with_the_serial_log(link):
            assert role_of(link.request(MsgType.HELLO)) == Role.KERNEL
            assert False, "on purpose"

        @pytest.mark.qemu
        def test_needs_qemu(rig_board):
            pass

        @pytest.mark.power
        def test_needs_power(link):
            pass

        @pytest.mark.feature("FLASH")
        def test_kernel_lacks_flash(link):
            pass
    """)
    result = pytester.runpytest(f"--rig-port={fake.port}", "--junitxml=r.xml", "-o", "junit_logging=log", "-ra")
    result.assert_outcomes(passed=2, failed=1, skipped=3)
    # the failing test's serial log shows the kernel being booted again after the bootloader test
    result.stdout.fnmatch_lines(["*Captured log serial*", "*info: booting slot 0*"])
    result.stdout.fnmatch_lines(["*needs QEMU; board qemu-virt is real hardware*"])
    xml = (pytester.path / "r.xml").read_text()
    assert 'name="rig_board" value="qemu-virt"' in xml
    assert 'name="git_revision"' in xml and 'name="firmware_build_id"' in xml


def test_a_dead_board_stops_the_run_with_one_reason(pytester, fake):
    fake.mute = True
    pytester.makepyfile(test_dead="""
        def test_one(link):
            pass

        def test_two(link):
            pass
    """)
    result = pytester.runpytest(f"--rig-port={fake.port}")
    assert result.ret == 2
    result.stdout.fnmatch_lines(["*rig: no power control for qemu-virt and it does not answer RESET*"])
    result.assert_outcomes()


def test_on_target_tests_are_parametrized_from_ktest_elf(pytester, fake, monkeypatch, tmp_path):
    import struct

    from elfgen import make_elf
    from host.build import Firmware

    # a ktest.elf whose table lists two tests and a benchmark (name, test, bench: 3 words each)
    strings = b"ipc.call\0broken\0syscall.null\0"
    table = struct.pack("<9I", 0x100100, 1, 0, 0x100109, 1, 0, 0x100110, 0, 1)
    elf = tmp_path / "ktest.elf"
    elf.write_bytes(make_elf(entry=0x100000, segments=[(0x100000, table.ljust(0x100, b"\0") + strings)],
                             build_id=None, symbols={"__ktests_start": (0x100000, 0),
                                                     "__ktests_end": (0x100000 + len(table), 0)}))
    monkeypatch.setattr(Firmware, "ktest_elf", property(lambda self: elf))
    fake.install(0, dict(length=4, crc=crc32(b"kern"), build_id=b"K" * 20), b"kern", 1)
    pytester.makepyfile(test_ktest="""
        def test_on_target(debugd, ktest_test):
            result = debugd.run_test(ktest_test)
            assert str(result.status) == "PASS", result.text

        def test_bench(ktest_bench):
            assert ktest_bench == "syscall.null"
    """)
    result = pytester.runpytest_inprocess(f"--rig-port={fake.port}", "-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_on_target?ipc.call? PASSED*", "*test_on_target?broken? FAILED*",
                                 "*line 3: expected 1, got 2*"])


def test_a_hung_test_times_out_the_board_is_reset_and_the_next_test_runs(pytester, fake):
    fake.install(0, dict(length=4, crc=crc32(b"kern"), build_id=b"K" * 20), b"kern", 1)
    pytester.makepyfile(test_hang="""
        import time
        import pytest
        from protocol import MsgType

        @pytest.mark.rig_timeout(0.5)
        def test_hangs(link):
            time.sleep(30)          # a target that never answers, as far as the test knows

        def test_after(link):
            assert bytes(link.request(MsgType.PING, dict(data=b"still")).data) == b"still"
    """)
    started = __import__("time").monotonic()
    result = pytester.runpytest(f"--rig-port={fake.port}", "-ra")
    result.assert_outcomes(passed=1, failed=1)
    assert __import__("time").monotonic() - started < 20
    result.stdout.fnmatch_lines(["*TargetHung: the test did not finish within 0.5 s*",
                                 "*the board was power-cycled; the next test boots it afresh*"])
