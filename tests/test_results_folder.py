"""Results folders that verify, and the command line's exit codes for the environment's mistakes.

Every chunk carries its run ids, root seed and plan in its Parquet metadata; `--resume` trusts only
the chunks that read and match, moves every other file aside (saying so) and recomputes its runs;
a lock keeps one writer per folder; workers die with their parent; a second Ctrl-C exits at once.
A path that cannot be written, a file given for a folder, a damaged file, an unreachable scheduler:
exit 2 with a message, never "internal error".
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from wargame.batch import montecarlo as mc_module
from wargame.batch.montecarlo import Plan, monte_carlo, run_seed
from wargame.batch.results_folder import folder_lock
from wargame.engine.scenarios import load_scenario

CLASSROOM = str(load_scenario("classroom_passage").path)
SEED_SCENARIO = str(load_scenario("syria_dec2024").path)


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def clean_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2, an `error:` naming what is wrong, and neither a traceback nor 'internal error'."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)


def interrupted(out: Path, plan: Plan, chunk_size: int, keep: int, monkeypatch) -> list[Path]:
    """A real folder of a Monte Carlo stopped (as by Ctrl-C) after `keep` chunks were written."""
    real = mc_module._write_chunk
    written = []

    def write_then_stop(*args, **kw):
        if len(written) == keep:
            raise KeyboardInterrupt
        real(*args, **kw)
        written.append(args[1])

    monkeypatch.setattr(mc_module, "_write_chunk", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        monte_carlo(plan, out, workers=1, chunk_size=chunk_size, progress=False)
    monkeypatch.setattr(mc_module, "_write_chunk", real)
    return sorted((out / "chunks").glob("runs-*.parquet"))


def whole(tmp_path: Path, plan: Plan) -> Path:
    out = tmp_path / f"whole-{plan.seed}"
    if not out.exists():
        monte_carlo(plan, out, workers=1, chunk_size=5, progress=False)
    return out / "runs.parquet"


def resume(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return cli("mc", "--resume", str(out), "--workers", "1", "--no-progress", *extra)


# ---------------------------------------------------------------- chunks that say what they are


def test_every_chunk_records_its_run_ids_root_seed_and_scenario_hash(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=20, seed=7)
    chunks = interrupted(tmp_path / "mc", plan, 5, 3, monkeypatch)
    manifest = json.loads((tmp_path / "mc" / "manifest.json").read_text())
    assert manifest["status"] == "interrupted" and len(chunks) == 3
    for f in chunks:
        meta = pq.read_schema(f).metadata
        start, stop = (int(x) for x in f.stem.split("-")[1:])
        assert int(meta[b"wargame.run_start"]) == start and int(meta[b"wargame.run_stop"]) == stop
        assert int(meta[b"wargame.root_seed"]) == 7
        assert meta[b"wargame.resolved_sha256"].decode() == manifest["resolved_sha256"]
        assert pq.read_table(f).column("seed")[0].as_py() == run_seed(7, start)
    proc = resume(tmp_path / "mc")
    assert proc.returncode == 0, proc.stderr
    assert "(5 computed now" in proc.stdout and "note:" not in proc.stderr
    merged = pq.read_table(tmp_path / "mc" / "runs.parquet")
    assert merged.schema.metadata[b"wargame.root_seed"] == b"7"
    assert merged.equals(pq.read_table(whole(tmp_path, plan)))


# ---------------------------------------------------------------- resume trusts nothing unchecked


def test_resume_recomputes_a_truncated_chunk_and_says_so(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=20, seed=3)
    chunks = interrupted(tmp_path / "mc", plan, 5, 3, monkeypatch)
    data = chunks[1].read_bytes()
    chunks[1].write_bytes(data[: len(data) // 2])
    proc = resume(tmp_path / "mc")
    assert proc.returncode == 0, proc.stderr
    assert chunks[1].name in proc.stderr and "does not read" in proc.stderr
    assert "recomputed" in proc.stderr and "(10 computed now" in proc.stdout
    assert (tmp_path / "mc" / "rejected" / chunks[1].name).exists()
    manifest = json.loads((tmp_path / "mc" / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [r["file"] for r in manifest["rejected"]] == [f"chunks/{chunks[1].name}"]
    assert pq.read_table(tmp_path / "mc" / "runs.parquet").equals(
        pq.read_table(whole(tmp_path, plan))
    )


def test_resume_refuses_to_merge_a_chunk_from_another_seeds_folder(tmp_path, monkeypatch):
    """The issue's case: five rows copied from another seed's folder must not reach runs.parquet."""
    mine = Plan(scenario=CLASSROOM, runs=20, seed=1)
    other = Plan(scenario=CLASSROOM, runs=20, seed=2)
    interrupted(tmp_path / "mine", mine, 5, 1, monkeypatch)
    foreign = interrupted(tmp_path / "other", other, 5, 2, monkeypatch)[1]  # runs 5..9
    shutil.copy(foreign, tmp_path / "mine" / "chunks" / foreign.name)
    proc = resume(tmp_path / "mine")
    assert proc.returncode == 0, proc.stderr
    assert foreign.name in proc.stderr and "root seed 2 (expected 1)" in proc.stderr
    runs = pq.read_table(tmp_path / "mine" / "runs.parquet")
    assert runs.num_rows == 20 and len(set(runs.column("run_id").to_pylist())) == 20
    assert runs.equals(pq.read_table(whole(tmp_path, mine)))


def test_resume_moves_stray_files_aside(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=20, seed=4)
    chunks = interrupted(tmp_path / "mc", plan, 5, 2, monkeypatch)
    folder = tmp_path / "mc" / "chunks"
    shutil.copy(chunks[0], folder / "runs-0000000100-0000000105.parquet")  # beyond the plan
    (folder / "runs-0000000010-0000000015.parquet").write_text("not parquet at all")
    (folder / "notes.txt").write_text("mine")
    (folder / ".runs-0000000015-0000000020.parquet.tmp-99999").write_bytes(b"half")
    proc = resume(tmp_path / "mc")
    assert proc.returncode == 0, proc.stderr
    assert "not a chunk of this plan's grid" in proc.stderr and "does not read" in proc.stderr
    assert "notes.txt: not a chunk file" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "mc" / "rejected").iterdir()) == [
        "notes.txt",
        "runs-0000000010-0000000015.parquet",
        "runs-0000000100-0000000105.parquet",
    ]
    assert not folder.exists()
    assert pq.read_table(tmp_path / "mc" / "runs.parquet").equals(
        pq.read_table(whole(tmp_path, plan))
    )


def test_a_chunk_without_a_stamp_is_not_trusted(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=10, seed=5)
    chunks = interrupted(tmp_path / "mc", plan, 5, 1, monkeypatch)
    table = pq.read_table(chunks[0]).replace_schema_metadata(None)
    pq.write_table(table, chunks[0])
    proc = resume(tmp_path / "mc")
    assert proc.returncode == 0 and "carries no wargame stamp" in proc.stderr
    assert "(10 computed now" in proc.stdout


def test_a_damaged_manifest_is_a_clear_refusal(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=10, seed=5)
    interrupted(tmp_path / "mc", plan, 5, 1, monkeypatch)
    manifest = tmp_path / "mc" / "manifest.json"
    text = manifest.read_text()
    manifest.write_text(text[: len(text) // 3])
    proc = resume(tmp_path / "mc")
    clean_error(proc, "manifest.json", "damaged", "new --out folder")
    manifest.write_text(json.dumps({"plan": {"scenario": CLASSROOM}}))
    clean_error(resume(tmp_path / "mc"), "manifest.json", "missing")
    manifest.write_text(json.dumps(json.loads(text) | {"plan": {"runs": 1}}))
    clean_error(resume(tmp_path / "mc"), "manifest.json", "damaged")
    proc = cli("report", str(tmp_path / "mc"), "--html", str(tmp_path / "r.html"))
    assert proc.returncode in (0, 2) and "Traceback" not in proc.stderr


def test_a_second_resume_of_a_complete_folder_does_nothing(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=15, seed=6)
    interrupted(tmp_path / "mc", plan, 5, 1, monkeypatch)
    assert resume(tmp_path / "mc").returncode == 0
    before = (tmp_path / "mc" / "runs.parquet").read_bytes()
    for _ in range(2):
        proc = resume(tmp_path / "mc")
        assert proc.returncode == 0, proc.stderr
        assert "(0 computed now" in proc.stdout and "already complete" in proc.stderr
    assert (tmp_path / "mc" / "runs.parquet").read_bytes() == before


def test_resume_after_a_kill_between_the_merge_and_the_cleanup(tmp_path):
    """runs.parquet whole, chunks still beside it, manifest still 'running': resume finishes it."""
    plan = Plan(scenario=CLASSROOM, runs=10, seed=8)
    out = tmp_path / "mc"
    monte_carlo(plan, out, workers=1, chunk_size=5, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "chunks").mkdir()
    table = pq.read_table(out / "runs.parquet")
    mc_module._write_chunk(out, 0, 5, table.slice(0, 5), manifest)
    (out / "manifest.json").write_text(json.dumps(manifest | {"status": "running"}))
    proc = resume(out)
    assert proc.returncode == 0 and "(0 computed now" in proc.stdout, proc.stderr
    assert not (out / "chunks").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"
    assert pq.read_table(out / "runs.parquet").equals(table)


def test_a_damaged_runs_file_is_recomputed_by_resume_and_refused_by_tree(tmp_path):
    plan = Plan(scenario=CLASSROOM, runs=10, seed=9)
    out = tmp_path / "mc"
    monte_carlo(plan, out, workers=1, chunk_size=5, progress=False)
    good = pq.read_table(out / "runs.parquet")
    data = (out / "runs.parquet").read_bytes()
    (out / "runs.parquet").write_bytes(data[:100])
    clean_error(cli("tree", str(out)), "runs.parquet", "damaged results file")
    proc = resume(out)
    assert proc.returncode == 0 and "(10 computed now" in proc.stdout, proc.stderr
    assert "runs.parquet: it does not read" in proc.stderr
    assert pq.read_table(out / "runs.parquet").equals(good)


# ---------------------------------------------------------------- one writer, workers, Ctrl-C


def test_a_lock_keeps_a_second_writer_out(tmp_path, monkeypatch):
    plan = Plan(scenario=CLASSROOM, runs=10, seed=2)
    interrupted(tmp_path / "mc", plan, 5, 1, monkeypatch)
    with folder_lock(tmp_path / "mc"):
        proc = resume(tmp_path / "mc")
        clean_error(proc, "another `wargame mc` is writing this folder", f"process {os.getpid()}")
    assert list((tmp_path / "mc" / "chunks").glob("runs-*.parquet"))  # untouched
    assert resume(tmp_path / "mc").returncode == 0  # the lock went with its holder


def descendants(pid: int) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def alive(pids: set[int]) -> set[int]:
    left = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.add(pid)
        except psutil.NoSuchProcess:
            pass
    return left


def wait_for_chunks(folder: Path, n: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while len(list((folder / "chunks").glob("runs-*.parquet"))) < n:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.time() < deadline, "too few chunks in 120 s"
        time.sleep(0.05)


def start_mc(out: Path, runs: int = 400) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wargame.cli", "mc", "syria_dec2024", "--runs", str(runs)]
        + ["--workers", "2", "--chunk-size", "4", "--no-progress", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.mark.slow
def test_a_second_process_cannot_write_a_folder_being_written(tmp_path):
    proc = start_mc(tmp_path / "mc")
    try:
        wait_for_chunks(tmp_path / "mc", 1, proc)
        clean_error(resume(tmp_path / "mc"), "another `wargame mc` is writing this folder")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.mark.slow
def test_workers_die_with_their_parent(tmp_path):
    """SIGKILL the parent alone (not its process group): its pool workers must not linger idle."""
    proc = start_mc(tmp_path / "mc")
    try:
        wait_for_chunks(tmp_path / "mc", 1, proc)
        family = descendants(proc.pid)
        assert len(family) >= 2
        proc.kill()
        proc.wait()
        deadline = time.time() + 15
        while alive(family) and time.time() < deadline:
            time.sleep(0.1)
        assert not alive(family), [psutil.Process(p).cmdline() for p in alive(family)]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    resumed = resume(tmp_path / "mc", "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr


@pytest.mark.slow
def test_a_second_ctrl_c_stops_at_once_and_cleanly(tmp_path):
    proc = start_mc(tmp_path / "mc", runs=2000)
    wait_for_chunks(tmp_path / "mc", 2, proc)
    family = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=20)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "wargame mc --resume" in err and len(err.strip().splitlines()) <= 2, err
    deadline = time.time() + 15
    while alive(family) and time.time() < deadline:
        time.sleep(0.1)
    assert not alive(family)
    for f in (tmp_path / "mc" / "chunks").glob("runs-*.parquet"):
        assert pq.read_table(f).num_rows == 4  # whole chunks only


# ---------------------------------------------------------------- the environment's mistakes: exit 2


def test_out_naming_a_file_or_an_unwritable_place(tmp_path):
    a_file = tmp_path / "results.txt"
    a_file.write_text("x")
    args = ["mc", CLASSROOM, "--runs", "2", "--workers", "1", "--no-progress", "--out"]
    clean_error(cli(*args, str(a_file)), "results.txt", "a file, not a folder")
    clean_error(cli(*args, str(a_file / "sub")), "cannot write the results folder")
    assert a_file.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_in_a_read_only_folder(tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        proc = cli("mc", CLASSROOM, "--runs", "2", "--no-progress", "--out", str(locked / "mc"))
        clean_error(proc, "cannot write the results folder")
        locked.chmod(0o700)
        (locked / "mc").mkdir()
        (locked / "mc").chmod(0o500)
        proc = cli("mc", CLASSROOM, "--runs", "2", "--no-progress", "--out", str(locked / "mc"))
        clean_error(proc, "cannot write the results folder")
    finally:
        for p in (locked / "mc", locked):
            if p.exists():
                p.chmod(0o700)


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("done") / "mc"
    monte_carlo(Plan(scenario=CLASSROOM, runs=10, seed=1), out, workers=1, progress=False)
    return out


@pytest.mark.parametrize("command", ["tree", "drivers", "report"])
def test_results_commands_given_a_file_or_a_plain_folder(done, tmp_path, command):
    extra = {"drivers": ["--outcome", "clean_exit"], "report": ["--html", str(tmp_path / "r.html")]}
    extra = extra.get(command, [])
    a_file = tmp_path / "notes.txt"
    a_file.write_text("hello")
    clean_error(cli(command, str(a_file), *extra), "notes.txt", "not a results folder")
    clean_error(cli(command, str(done / "runs.parquet"), *extra), "not a results folder")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "x.csv").write_text("1")
    proc = cli(command, str(tmp_path / "plain"), *extra)
    clean_error(proc, "plain")
    assert "results" in proc.stderr
    clean_error(cli(command, str(tmp_path / "nowhere"), *extra), "nowhere")
    assert not (tmp_path / "r.html").exists()


def test_an_unwritable_html_path(done, tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    clean_error(cli("report", str(done), "--html", str(a_file / "r.html")), "--html", "r.html")
    clean_error(cli("report", str(done), "--html", str(tmp_path)), "--html")
    proc = cli("report", str(done), "--html", str(tmp_path / "new" / "r.html"))
    assert proc.returncode == 0, proc.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_malformed_scheduler_address_leaves_no_folder(tmp_path):
    args = ["mc", CLASSROOM, "--runs", "2", "--no-progress", "--scheduler", "no-port-here"]
    for _ in range(2):  # the same command again gets the same error, not "folder not empty"
        clean_error(cli(*args, "--out", str(tmp_path / "mc")), "--scheduler", "no-port-here")
        assert not (tmp_path / "mc").exists()


@pytest.mark.slow
def test_an_unreachable_scheduler_leaves_no_folder(tmp_path):
    args = ["mc", CLASSROOM, "--runs", "2", "--no-progress"]
    args += ["--scheduler", f"tcp://127.0.0.1:{free_port()}", "--out", str(tmp_path / "mc")]
    for _ in range(2):
        clean_error(cli(*args), "--scheduler", "cannot reach the Dask scheduler")
        assert not (tmp_path / "mc").exists()
    (tmp_path / "mc").mkdir()  # an empty folder given: left empty, and still usable
    clean_error(cli(*args), "--scheduler")
    assert list((tmp_path / "mc").iterdir()) == []


def test_a_bad_sweep_range_is_blamed_on_sweep(tmp_path):
    proc = cli(
        "mc",
        SEED_SCENARIO,
        "--runs",
        "2",
        "--sweep",
        "actors.russia.time_pressure=0.5:2:3",
        "--out",
        str(tmp_path / "mc"),
    )
    clean_error(proc, "--sweep actors.russia.time_pressure")
    assert not proc.stderr.startswith("error: --set")
    assert not (tmp_path / "mc").exists()
