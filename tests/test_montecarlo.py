"""Monte Carlo: determinism across workers, chunks and backends; resume after a kill; sweeps; forks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from wargame import WargameModel, load_scenario
from wargame.batch.montecarlo import Plan, monte_carlo, run_seed
from wargame.batch.sweeps import design_points, parse_sweep

from .conftest import MINI

SEED_SCENARIO = str(load_scenario("syria_dec2024").path)


def table(folder: Path):
    return pq.read_table(folder / "runs.parquet")


def test_run_seeds_are_the_spawned_seed_sequence():
    """Run i's stream is child i of SeedSequence(root).spawn(n), computed without spawning them all."""
    import numpy as np

    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        assert run_seed(42, i) == int(child.generate_state(1, np.uint64)[0] >> np.uint64(1))


def test_results_do_not_depend_on_workers_or_chunks(tmp_path):
    plan = Plan(scenario=SEED_SCENARIO, runs=24, seed=5)
    monte_carlo(plan, tmp_path / "serial", workers=1, chunk_size=24, progress=False)
    monte_carlo(plan, tmp_path / "pool", workers=2, chunk_size=5, progress=False)
    a, b = table(tmp_path / "serial"), table(tmp_path / "pool")
    assert a.num_rows == 24 and a.equals(b)
    assert a.column("run_id").to_pylist() == list(range(24))


def test_a_run_replays_alone_from_its_seed(tmp_path):
    plan = Plan(scenario=SEED_SCENARIO, runs=3, seed=9)
    monte_carlo(plan, tmp_path / "mc", workers=1, progress=False)
    row = table(tmp_path / "mc").to_pylist()[2]
    again = WargameModel(SEED_SCENARIO, rng=row["seed"]).run()
    assert again.outcome == row["outcome"] and again.personnel_lost == row["personnel_lost"]


def test_results_files_and_manifest(tmp_path):
    plan = Plan(scenario=SEED_SCENARIO, runs=6, seed=1, overrides=(("horizon_days", 60),))
    monte_carlo(plan, tmp_path / "mc", workers=1, progress=False)
    manifest = json.loads((tmp_path / "mc" / "manifest.json").read_text())
    assert (
        manifest["status"] == "complete" and manifest["total_runs"] == 6 and manifest["rows"] == 6
    )
    assert manifest["root_seed"] == 1 and manifest["plan"]["overrides"] == {"horizon_days": 60}
    assert (
        len(manifest["scenario_sha256"]) == 64
        and manifest["resolved_scenario"]["horizon_days"] == 60
    )
    assert manifest["package_version"] and manifest["started"] and manifest["finished"]
    assert not (tmp_path / "mc" / "chunks").exists()
    # Plain pandas reads the file, without importing this package.
    code = (
        "import sys, pandas as pd; df = pd.read_parquet(sys.argv[1]);"
        "assert 'wargame' not in sys.modules; print(len(df), df['days'].max(), list(df['milestone_path'][0])[:1])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "mc" / "runs.parquet")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("6 60")


def test_refuses_a_non_empty_folder_and_a_resume_with_other_settings(tmp_path):
    from wargame.language.errors import ScenarioError

    plan = Plan(scenario=SEED_SCENARIO, runs=2, seed=1)
    monte_carlo(plan, tmp_path / "mc", workers=1, progress=False)
    with pytest.raises(ScenarioError, match="not empty"):
        monte_carlo(plan, tmp_path / "mc", workers=1, progress=False)
    with pytest.raises(ScenarioError, match="other settings"):
        monte_carlo(
            Plan(scenario=SEED_SCENARIO, runs=3, seed=1),
            tmp_path / "mc",
            resume=True,
            progress=False,
        )


def wargame_mc(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wargame.cli", "mc", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **kw,
    )


@pytest.mark.slow
def test_resume_after_sigkill_finishes_only_the_missing_runs(tmp_path):
    """Kill a real run (and its workers) with SIGKILL part-way; every finished chunk survives intact and
    --resume completes the rest; the result equals an uninterrupted run, with no duplicate row."""
    args = [
        "syria_dec2024",
        "--runs",
        "120",
        "--seed",
        "11",
        "--workers",
        "2",
        "--chunk-size",
        "6",
        "--no-progress",
    ]
    proc = wargame_mc(*args, "--out", str(tmp_path / "killed"))
    chunks = tmp_path / "killed" / "chunks"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(chunks.glob("runs-*.parquet"))) < 3:
        time.sleep(0.05)
    assert time.time() < deadline, "the run wrote too few chunks to interrupt in 120 s"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    survivors = list(chunks.glob("runs-*.parquet"))
    assert 3 <= len(survivors) < 20, "the kill should land part-way"
    for f in survivors:
        assert pq.read_table(f).num_rows == 6
    resumed = subprocess.run(
        [
            sys.executable,
            "-m",
            "wargame.cli",
            "mc",
            "--resume",
            str(tmp_path / "killed"),
            "--workers",
            "2",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"({120 - 6 * len(survivors)} computed now" in resumed.stdout
    whole = subprocess.run(
        [sys.executable, "-m", "wargame.cli", "mc", *args, "--out", str(tmp_path / "whole")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert whole.returncode == 0, whole.stderr
    a, b = table(tmp_path / "killed"), table(tmp_path / "whole")
    assert a.num_rows == 120 and len(set(a.column("run_id").to_pylist())) == 120
    assert a.equals(b)


def test_ctrl_c_keeps_finished_chunks_and_says_how_to_resume(tmp_path):
    proc = wargame_mc(
        "syria_dec2024",
        "--runs",
        "200",
        "--workers",
        "2",
        "--chunk-size",
        "5",
        "--no-progress",
        "--out",
        str(tmp_path / "mc"),
    )
    chunks = tmp_path / "mc" / "chunks"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(chunks.glob("runs-*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "wargame mc --resume" in err and "Traceback" not in err
    assert json.loads((tmp_path / "mc" / "manifest.json").read_text())["status"] == "interrupted"
    assert list(chunks.glob("runs-*.parquet"))


def test_sweep_grid_runs_n_per_point(tmp_path):
    ranges = [
        parse_sweep("actors.russia.time_pressure=0.2:0.8:3"),
        parse_sweep("tables.passage.deadline_day=10:30:2"),
    ]
    points = design_points(ranges)
    assert len(points) == 6 and {p["tables.passage.deadline_day"] for p in points} == {10, 30}
    plan = Plan(
        scenario=SEED_SCENARIO,
        runs=2,
        seed=3,
        points=tuple(tuple(sorted(p.items())) for p in points),
    )
    monte_carlo(plan, tmp_path / "mc", workers=2, progress=False)
    t = table(tmp_path / "mc").to_pandas()
    assert len(t) == 12 and t.groupby("point").size().tolist() == [2] * 6
    assert sorted(t["set_actors.russia.time_pressure"].unique()) == [0.2, 0.5, 0.8]


def test_latin_hypercube_fills_every_stratum():
    """A Latin hypercube of n points puts exactly one point in each of n equal slices of every range."""
    ranges = [parse_sweep("a=0.0:1.0:5"), parse_sweep("b=10.0:20.0:5")]
    points = design_points(ranges, "lhs", points=8, seed=4)
    assert len(points) == 8
    for key, lo, hi in (("a", 0, 1), ("b", 10, 20)):
        slots = sorted(int((p[key] - lo) / (hi - lo) * 8) for p in points)
        assert slots == list(range(8))
    assert design_points(ranges, "lhs", points=8, seed=4) == points


def test_fork_continues_a_saved_day_and_a_forced_decision_changes_the_ending(tmp_path):
    base = Plan(scenario=SEED_SCENARIO, runs=30, seed=3, fork_day=10)
    forced = Plan(scenario=SEED_SCENARIO, runs=30, seed=3, fork_day=10, force=("collapse:passage",))
    monte_carlo(base, tmp_path / "as_it_went", workers=2, progress=False)
    monte_carlo(forced, tmp_path / "no_corridor", workers=2, progress=False)
    a, b = table(tmp_path / "as_it_went").to_pandas(), table(tmp_path / "no_corridor").to_pandas()
    # Every continuation shares the first ten days of run seed 3.
    first = WargameModel(SEED_SCENARIO, rng=3, narrate=False)
    for _ in range(10):
        first.step()
    early = {k for k, d in first.milestones.items() if d <= 10}
    for path in a["milestone_path"]:
        assert early <= set(path)
    assert a["day_passage_agreed"].notna().mean() > 0.5
    assert b["day_passage_agreed"].isna().all()
    assert b["personnel_lost"].mean() > a["personnel_lost"].mean()


def test_save_state_round_trips_exactly():
    sc = load_scenario(MINI)
    m = WargameModel(sc, rng=21)
    for _ in range(6):
        m.step()
    state = m.save_state()
    rest = m.run().to_dict()
    assert WargameModel.load_state(state).run().to_dict() == rest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_dask_cluster_gives_the_same_rows_as_the_local_pool(tmp_path):
    """A real Dask scheduler and two workers on 127.0.0.1, started as the README shows."""
    port = free_port()
    bindir = Path(sys.executable).parent
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [
            str(bindir / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    workers = subprocess.Popen(
        [
            str(bindir / "dask"),
            "worker",
            f"tcp://127.0.0.1:{port}",
            "--nworkers",
            "2",
            "--nthreads",
            "1",
            "--host",
            "127.0.0.1",
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        from distributed import Client

        deadline = time.time() + 60
        while True:
            try:
                with Client(f"tcp://127.0.0.1:{port}", timeout=5) as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except (OSError, TimeoutError):
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        plan = Plan(scenario=SEED_SCENARIO, runs=20, seed=13)
        monte_carlo(
            plan,
            tmp_path / "dask",
            scheduler=f"tcp://127.0.0.1:{port}",
            chunk_size=4,
            progress=False,
        )
        monte_carlo(plan, tmp_path / "local", workers=2, chunk_size=7, progress=False)
        assert table(tmp_path / "dask").equals(table(tmp_path / "local"))
        manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
        assert manifest["backend"] == "dask"
    finally:
        for proc in (workers, scheduler):
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in (workers, scheduler):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_overrides_with_lists_work_in_a_monte_carlo(tmp_path):
    plan = Plan(scenario=SEED_SCENARIO, runs=2, seed=1, overrides=(("guarantees", []),))
    monte_carlo(plan, tmp_path / "mc", workers=1, progress=False)
    manifest = json.loads((tmp_path / "mc" / "manifest.json").read_text())
    assert manifest["resolved_scenario"]["guarantees"] == []


def test_resume_refuses_a_changed_actor_profile(workspace, tmp_path):
    from wargame.language.errors import ScenarioError

    plan = Plan(scenario=str(workspace / "scenario.yaml"), runs=4, seed=1)
    monte_carlo(plan, tmp_path / "mc", workers=1, progress=False)
    red = workspace / "actors" / "red.yaml"
    red.write_text(red.read_text().replace("time_pressure: 0.8", "time_pressure: 0.1"))
    with pytest.raises(ScenarioError, match="actor profile has changed"):
        monte_carlo(plan, tmp_path / "mc", resume=True, progress=False)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--runs", "3", "--chunk-size", "0"], "--chunk-size"),
        (["--runs", "0"], "--runs"),
        (["--runs", "3", "--seed", "-1"], "--seed"),
        (["--runs", "3", "--from-day", "500"], "--from-day"),
    ],
)
def test_bad_numbers_on_the_command_line(tmp_path, args, flag):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "wargame.cli",
            "mc",
            "syria_dec2024",
            *args,
            "--out",
            str(tmp_path / "mc"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {flag}: value out of range")
    assert not (tmp_path / "mc").exists()


def test_more_workers_than_cores_are_capped_with_a_note(tmp_path, capsys):
    """`--workers 1000` on a 2-core machine would start as many processes as chunks: the command caps it
    at the cores, says so, and the results are those of any worker count."""
    from wargame.cli import main

    out = tmp_path / "mc"
    args = ["mc", str(MINI), "--runs", "6", "--seed", "3", "--no-progress", "--out"]
    assert main([*args, str(out), "--workers", "1000"]) == 0
    cores = os.cpu_count() or 1
    assert f"--workers 1000 capped at this machine's {cores} cores" in capsys.readouterr().err
    assert json.loads((out / "manifest.json").read_text())["workers"] == cores
    assert main([*args, str(tmp_path / "one"), "--workers", "1"]) == 0
    assert table(out).equals(table(tmp_path / "one"))
