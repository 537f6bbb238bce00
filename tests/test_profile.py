"""`wargame profile`: where a run's time goes, by phase of the day and by function."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from wargame.analysis.profiling import PHASES, profile_runs


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *map(str, args)], capture_output=True, text=True
    )


def test_the_phases_account_for_a_run_and_talks_cost_something():
    p = profile_runs("classroom_passage", runs=4, top=8)
    shares = dict(p.phases)
    assert set(shares) == set(PHASES)
    assert 0.5 < sum(shares.values()) <= 1.0 + 1e-9  # the named phases hold most of a run
    assert shares["talks"] > 0 and shares["events"] > 0 and shares["set-up (the model built)"] > 0
    assert p.run_ms > 0 and p.days == 30
    assert len(p.functions) == 8
    own = [f[2] for f in p.functions]
    assert own == sorted(own, reverse=True)  # ranked by their own time


def test_the_command_prints_the_phases_and_the_functions():
    done = cli("profile", "classroom_passage", "--runs", 3, "--top", 5)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"classroom_passage: 3 runs of 30 days; a run takes [\d.]+ ms", out)
    for phase in PHASES:
        assert re.search(re.escape(phase) + r"\s+[\d.]+%", out), phase
    listed = out.split("By function", 1)[1].strip().splitlines()[1:]
    assert len(listed) == 5


@pytest.mark.parametrize(
    ("args", "says"),
    [(["--runs", "0"], "--runs"), (["--top", "-1"], "--top"), (["--set", "nope=1"], "nope")],
)
def test_bad_input_exits_2_without_a_traceback(args, says):
    done = cli("profile", "classroom_passage", *args)
    assert done.returncode == 2, done.stdout
    assert says in done.stderr and "Traceback" not in done.stderr
