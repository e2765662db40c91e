"""The modem stress harness's host side (host/stress.py, the start-latency histogram of
host/modem.py, `rig modem stress --list`): the attack scripts are found and well formed, they
reach the target's /tmp byte for byte, their counters add up, and p99.9 from the modem's
histogram is numpy's nearest-rank percentile of the same samples."""

import subprocess

import numpy as np
import pytest

from host import cli, stress
from host.errors import RigError
from host.modem import StartHistogram

NAMES = ["cpu-hog", "syscall-flood", "fork-storm", "fault-storm", "console-spam", "pipe-flood", "oom",
         "crash-loop", "mix"]


def test_every_attack_is_a_script_in_order():
    found = stress.attacks()
    assert list(found) == NAMES + list(stress.SYSTEM)
    for name in NAMES:
        attack = found[name]
        assert (stress.ATTACK_DIR / f"{name}.sh").exists() and not attack.system
        assert attack.what and not attack.script.startswith("#")


@pytest.mark.parametrize("name", NAMES)
def test_attack_scripts_parse_and_keep_the_conventions(name):
    path = stress.ATTACK_DIR / f"{name}.sh"
    subprocess.run(["sh", "-n", str(path)], check=True)          # POSIX syntax (busybox's sh is a superset)
    text = path.read_text()
    # every loop ends at /tmp/stop, or its pid is in /tmp/atk for the harness to kill
    assert "[ ! -e /tmp/stop ]" in text or "/tmp/atk" in text
    assert "touch /tmp/stop" not in text                          # touch needs utimensat: not on the server


def test_the_system_attacks_are_listed_after_the_scripts(capsys, monkeypatch):
    for name in stress.SYSTEM:
        made = stress.attack(name)
        assert made.system and not made.script and made.what
    with pytest.raises(RigError, match="no attack 'nope': there are cpu-hog"):
        stress.attack("nope")
    monkeypatch.setenv("COLUMNS", "200")
    assert cli.main(["modem", "stress", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines if line and not line.startswith(" ")]
    assert names == NAMES + list(stress.SYSTEM)
    assert "pipe" in lines[NAMES.index("pipe-flood")]


def test_a_script_named_as_a_system_attack_is_refused(tmp_path):
    (tmp_path / "server-kill.sh").write_text("# what: no\n:\n")
    with pytest.raises(RigError, match="system-level"):
        stress.attacks(tmp_path)


def test_a_script_must_say_what_it_does(tmp_path):
    (tmp_path / "quiet.sh").write_text(":\n")
    with pytest.raises(RigError, match="what"):
        stress.attacks(tmp_path)


@pytest.mark.parametrize("name", NAMES)
def test_the_script_reaches_the_target_byte_for_byte(name, tmp_path):
    """The SHELL lines that write a script, run by a real sh, give back the script; each fits
    a SHELL request."""
    script = stress.attack(name).script + "wait\n"
    target = tmp_path / "attack.sh"
    commands = stress.writing_commands(script, str(target))
    assert all(len(c.encode()) <= stress.SHELL_LINE for c in commands)
    if name == "cpu-hog":                                         # short lines share a request
        assert len(commands) == 1
    for command in commands:
        subprocess.run(["sh", "-c", command], check=True)
    assert target.read_text() == script


def test_long_lines_and_quotes_are_written_in_pieces(tmp_path):
    script = "echo 'it''s' \"$x\" \\\\ %s %%\n" + "x" * 700 + "'\n" + "'" * 300 + "\n"
    target = tmp_path / "s.sh"
    commands = stress.writing_commands(script, str(target))
    assert all(len(c.encode()) <= stress.SHELL_LINE for c in commands)
    for command in commands:
        subprocess.run(["sh", "-c", command], check=True)
    assert target.read_text() == script


def test_counts_add_up_by_name_and_ignore_other_lines():
    text = (b"forks 10\nconsole spam console spam\nforks 5\nleast-free-kib 2048\nleast-free-kib 900\n"
            b"crashes 3\r\n  pipe-kib 1254  \nforks x\n")
    assert stress.parse_counts(text) == {"forks": 15, "least-free-kib": 900, "crashes": 3, "pipe-kib": 1254}


# ---- the start-latency histogram ------------------------------------------------------------

def histogram_of(samples_us, bins=256) -> StartHistogram:
    h = [0] * bins
    for s in samples_us:
        h[min(s, bins - 1)] += 1
    return StartHistogram(h, 1, max(samples_us))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("percent", [50, 99, 99.9, 100])
def test_percentile_of_the_histogram_is_numpys_nearest_rank(seed, percent):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 20_000))
    samples = np.minimum(rng.geometric(0.3, n) - 1 + rng.integers(0, 3) * (rng.random(n) < 0.002) * 40, 250)
    value, beyond = histogram_of(samples.tolist()).percentile(percent)
    assert not beyond
    assert value == int(np.percentile(samples, percent, method="inverted_cdf"))


def test_p999_in_the_last_bin_is_a_lower_bound():
    samples = [1] * 998 + [300, 5000]
    value, beyond = histogram_of(samples).percentile(99.9)
    assert (value, beyond) == (255, True)
    assert histogram_of(samples).percentile(99.8) == (1, False)


def test_histograms_add_and_round_trip_through_json():
    a, b = histogram_of([1, 2, 2, 40]), histogram_of([3, 300])
    total = a + b
    assert total.jobs == 6 and total.worst_us == 300 and total.bins[255] == 1
    data = total.to_json()
    assert len(data["bins"]) == 256 and data["bins_total"] == 256
    assert StartHistogram.from_json(data) == total
    assert histogram_of([0, 1]).to_json()["bins"] == [1, 1]
    with pytest.raises(ValueError):
        a + StartHistogram([0] * 10)
    with pytest.raises(ValueError):
        StartHistogram([0] * 4).percentile(99.9)


def test_bench_stress_is_for_the_modem(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("RIG_STATE", str(tmp_path))
    assert cli.main(["bench", "--stress"]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bench modem --stress" in err[0]


def test_plot_names_and_a_plot_is_drawn(tmp_path):
    assert stress.plot_path("docs/modem-stress.png", "oom").as_posix() == "docs/modem-stress-oom.png"
    h = [0] * 256
    h[1], h[30], h[255] = 990, 9, 1
    result = dict(attack="cpu-hog", frames=1526, scenario="mo-call", misses=0, underruns=0,
                  latency={"fclk": StartHistogram(h, 1, 4000).to_json(), "l1rx": StartHistogram(h, 1, 300).to_json()})
    stress.plot_latency(result, tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
