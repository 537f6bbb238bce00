"""Monte Carlo: many runs of one scenario, batched into chunks, on a local process pool or a Dask
cluster, written to Parquet chunk by chunk so that memory stays flat and nothing finished is lost.

Run i of a plan is seeded from numpy.random.SeedSequence(root).spawn(total)[i] (computed directly as
SeedSequence(root, spawn_key=(i,))), so it gives the same result whatever the worker count, the
chunk size or the backend. Its integer seed is stored in the results: `wargame run SCENARIO --seed S`
replays it (with the same --set values and sweep point).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from wargame.batch.results_folder import CHUNKS, MANIFEST, RUNS_FILE
from wargame.engine.scenarios import cached_scenario
from wargame.language.errors import ScenarioError
from wargame.language.scenario import Scenario, resolved_hash


@dataclass(frozen=True)
class Plan:
    """Everything that decides the results of a Monte Carlo: the same plan gives the same rows."""

    scenario: str  # path of the scenario file
    runs: int  # runs per sweep point
    seed: int  # root seed
    overrides: tuple[tuple[str, Any], ...] = ()
    points: tuple[tuple[tuple[str, Any], ...], ...] = (
        (),
    )  # sweep points, each a tuple of (path, value)
    days: int | None = None
    fork_day: int | None = None  # continuations of run `seed` saved at this day
    force: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.runs * len(self.points)

    def overrides_for(self, point: int) -> dict[str, Any]:
        return {**dict(self.overrides), **dict(self.points[point])}

    @classmethod
    def from_description(cls, p: dict) -> Plan:
        """The plan a manifest's "plan" entry describes (the inverse of `describe`)."""
        return cls(
            scenario=p["scenario"],
            runs=p["runs"],
            seed=p["seed"],
            overrides=tuple(sorted(p["overrides"].items())),
            points=tuple(tuple(sorted(pt.items())) for pt in p["points"]),
            days=p["days"],
            fork_day=p["fork_day"],
            force=tuple(p["force"]),
        )

    def describe(self) -> dict:
        data = asdict(self)
        data["overrides"] = dict(self.overrides)
        data["points"] = [dict(p) for p in self.points]
        return data


def run_seed(root: int, run_id: int) -> int:
    """The integer seed of run `run_id`: child `run_id` of SeedSequence(root).spawn(...)."""
    return int(
        np.random.SeedSequence(root, spawn_key=(run_id,)).generate_state(1, np.uint64)[0]
        >> np.uint64(1)
    )


# ---------------------------------------------------------------- one chunk (runs in a worker)


def _scenario(path: str, overrides: tuple) -> Scenario:
    return cached_scenario(path, dict(overrides))


_FORKS: dict[tuple, bytes] = {}


def _fork_state(plan: Plan, overrides: tuple) -> bytes:
    """The saved state of run `plan.seed` on day `plan.fork_day` (made once per process and point)."""
    from wargame.engine.model import WargameModel

    key = (plan.scenario, repr(overrides), plan.seed, plan.fork_day, plan.days)
    if key not in _FORKS:
        model = WargameModel(
            _scenario(plan.scenario, overrides), rng=plan.seed, days=plan.days, narrate=False
        )
        model.run(until=plan.fork_day)
        if len(_FORKS) > 8:
            _FORKS.clear()
        _FORKS[key] = model.save_state()
    return _FORKS[key]


def schema_for(plan: Plan, sc: Scenario) -> pa.Schema:
    """The columns of runs.parquet for this plan (fixed, so every chunk has the same schema)."""
    fields = [
        ("run_id", pa.int64()),
        ("seed", pa.int64()),
        ("point", pa.int32()),
    ]
    for path, value in plan.points[0]:
        fields.append(
            (f"set_{path}", pa.float64() if isinstance(value, int | float) else pa.string())
        )
    fields += [
        ("outcome", pa.string()),
        ("days", pa.int32()),
        ("milestone_path", pa.list_(pa.string())),
        *[(f"day_{m.id}", pa.int32()) for m in sc.spec.milestones],
        ("personnel_initial", pa.int64()),
        ("personnel_evacuated", pa.int64()),
        ("personnel_lost", pa.int64()),
        ("personnel_captured", pa.int64()),
        ("personnel_present", pa.int64()),
        ("equipment_initial_t", pa.float64()),
        ("equipment_out_t", pa.float64()),
        ("equipment_lost_t", pa.float64()),
        ("agreements_signed", pa.int32()),
        ("agreements_broken", pa.int32()),
        *[(f"utility_{a.id}", pa.float64()) for a in sc.actors],
        ("evacuated_by_week", pa.list_(pa.int64())),
        ("lost_by_week", pa.list_(pa.int64())),
        *[
            (f"draw_{a.id}_{k}", pa.float64())
            for a in sc.actors
            for k in ("breach_temptation", "reservation", "resolve")
        ],
    ]
    return pa.schema(fields)


def run_chunk(plan: Plan, start: int, stop: int) -> pa.Table:
    """Runs start..stop-1 of the plan, as one Arrow table."""
    from wargame.engine.model import WargameModel

    rows = []
    schema = None
    point = None
    for run_id in range(start, stop):
        if run_id // plan.runs != point:  # a chunk's runs share one or a few sweep points
            point = run_id // plan.runs
            overrides = tuple(sorted(plan.overrides_for(point).items()))
            sc = _scenario(plan.scenario, overrides)
            milestone_ids = [m.id for m in sc.spec.milestones]
            actor_ids = [a.id for a in sc.actors]
        if schema is None:
            schema = schema_for(plan, sc)
            # The scenario and its offer spaces live as long as the worker: keep them out of the
            # garbage collector's scans, which otherwise cost each run several milliseconds.
            gc.freeze()
        seed = run_seed(plan.seed, run_id)
        if plan.fork_day is None:
            model = WargameModel(sc, rng=seed, days=plan.days, narrate=False)
        else:
            model = WargameModel.load_state(_fork_state(plan, overrides))
            model.reseed(seed)
            for spec in plan.force:
                model.force(spec)
        result = model.run()
        row = {"run_id": run_id, "seed": seed, "point": point}
        for path, value in plan.points[point]:
            row[f"set_{path}"] = value
        row.update(result.to_row(milestone_ids, actor_ids))
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)


# ---------------------------------------------------------------- the results folder


def _chunk_name(start: int, stop: int) -> str:
    return f"runs-{start:010d}-{stop:010d}.parquet"


def done_chunks(out: Path) -> set[tuple[int, int]]:
    done = set()
    folder = out / CHUNKS
    if folder.is_dir():
        for f in folder.glob("runs-*-*.parquet"):
            _, a, b = f.stem.split("-")
            done.add((int(a), int(b)))
    return done


def _write_chunk(out: Path, start: int, stop: int, table: pa.Table) -> None:
    """Write atomically: a chunk file exists whole or not at all, so a kill never leaves half a chunk."""
    folder = out / CHUNKS
    tmp = folder / f".{_chunk_name(start, stop)}.tmp-{os.getpid()}"
    pq.write_table(table, tmp)
    os.replace(tmp, folder / _chunk_name(start, stop))


def _merge(out: Path, plan: Plan, chunks: list[tuple[int, int]]) -> int:
    """Stream every chunk, in run order, into one runs.parquet; then drop the chunk files."""
    tmp = out / f".{RUNS_FILE}.tmp"
    writer = None
    rows = 0
    for start, stop in sorted(chunks):
        table = pq.read_table(out / CHUNKS / _chunk_name(start, stop))
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
        rows += table.num_rows
    if writer is not None:
        writer.close()
        os.replace(tmp, out / RUNS_FILE)
    for start, stop in chunks:
        (out / CHUNKS / _chunk_name(start, stop)).unlink()
    for leftover in (out / CHUNKS).glob(
        ".*.tmp-*"
    ):  # a chunk being written when a worker was killed
        leftover.unlink()
    (out / CHUNKS).rmdir()
    return rows


def _write_manifest(out: Path, manifest: dict) -> None:
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str))
    os.replace(tmp, out / MANIFEST)


# ---------------------------------------------------------------- the driver


@dataclass
class MonteCarloResult:
    out: Path
    total: int
    computed: int  # runs computed in this call (fewer than total when resuming)
    seconds: float
    manifest: dict = field(default_factory=dict)

    @property
    def runs_file(self) -> Path:
        return self.out / RUNS_FILE


def default_chunk_size(total: int, workers: int) -> int:
    """Big enough that a task's overhead is small, small enough that work spreads and a kill loses little:
    about 32 chunks a worker, so that when the last chunks run, no worker waits long for the others."""
    return int(max(10, min(500, total // max(workers * 32, 1) or 1)))


def monte_carlo(
    plan: Plan,
    out: str | Path,
    workers: int = 1,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    extra_manifest: dict | None = None,
) -> MonteCarloResult:
    """Run every run of `plan` not yet on disk in `out`, then merge them into out/runs.parquet."""
    out = Path(out)
    started = dt.datetime.now(dt.UTC)
    sc = _scenario(plan.scenario, tuple(sorted(dict(plan.overrides).items())))
    manifest_path = out / MANIFEST
    if resume:
        if not manifest_path.exists():
            raise ScenarioError(
                str(out),
                "nothing to resume",
                expected="a folder made by `wargame mc`",
                found="no manifest.json",
            )
        old = json.loads(manifest_path.read_text())
        if old.get("plan") != json.loads(json.dumps(plan.describe(), default=str)):
            diff = [
                k
                for k in plan.describe()
                if old.get("plan", {}).get(k)
                != json.loads(json.dumps(plan.describe()[k], default=str))
            ]
            raise ScenarioError(
                str(out),
                "cannot resume: the folder was made with other settings",
                field=", ".join(diff),
                expected=str({k: old.get("plan", {}).get(k) for k in diff}),
                found=str({k: plan.describe()[k] for k in diff}),
            )
        if old.get("resolved_sha256") != resolved_hash(sc):
            raise ScenarioError(
                str(out),
                "cannot resume: the scenario or an actor profile has changed since",
                field="resolved_sha256",
                expected=old.get("resolved_sha256"),
                found=resolved_hash(sc),
            )
        if old.get("scenario_sha256") != sc.file_hash:
            raise ScenarioError(
                str(out),
                "cannot resume: the scenario file has changed since",
                field="scenario_sha256",
                expected=old.get("scenario_sha256"),
                found=sc.file_hash,
            )
        chunk_size = old["chunk_size"]
        if old.get("status") == "complete" and (out / RUNS_FILE).exists():
            return MonteCarloResult(out, plan.total, 0, 0.0, old)
        manifest = old
    else:
        if out.exists() and any(out.iterdir()):
            raise ScenarioError(
                str(out),
                "output folder is not empty",
                expected="a new or empty folder (or --resume)",
                found=", ".join(sorted(p.name for p in out.iterdir())[:5]),
            )
        chunk_size = chunk_size or default_chunk_size(plan.total, workers)
        manifest = {
            "plan": json.loads(json.dumps(plan.describe(), default=str)),
            "scenario_id": sc.id,
            "scenario_file": str(Path(plan.scenario).resolve()),
            "scenario_sha256": sc.file_hash,
            "resolved_sha256": resolved_hash(sc),
            "resolved_scenario": sc.resolved(),
            "root_seed": plan.seed,
            "total_runs": plan.total,
            "chunk_size": chunk_size,
            "package_version": _version(),
            "started": started.isoformat(),
            **(extra_manifest or {}),
        }
    (out / CHUNKS).mkdir(parents=True, exist_ok=True)
    manifest.update(
        status="running",
        workers=workers,
        backend="dask" if scheduler else ("process" if workers > 1 else "serial"),
    )
    _write_manifest(out, manifest)

    if plan.total < 1 or chunk_size < 1:
        raise ScenarioError(
            str(out),
            "nothing to run",
            expected="runs >= 1 and chunk size >= 1",
            found=f"{plan.total} runs in chunks of {chunk_size}",
        )
    grid = [(s, min(s + chunk_size, plan.total)) for s in range(0, plan.total, chunk_size)]
    done = done_chunks(out)
    todo = [c for c in grid if c not in done]
    bar = _progress(plan.total, grid, done, progress)
    t0 = dt.datetime.now(dt.UTC)
    try:
        for (start, stop), table in _execute(plan, todo, workers, scheduler):
            _write_chunk(out, start, stop, table)
            bar.update(stop - start)
    except KeyboardInterrupt:
        manifest.update(status="interrupted")
        _write_manifest(out, manifest)
        bar.close()
        raise
    bar.close()
    rows = _merge(out, plan, grid)
    finished = dt.datetime.now(dt.UTC)
    manifest.update(status="complete", finished=finished.isoformat(), rows=rows)
    _write_manifest(out, manifest)
    computed = sum(b - a for a, b in todo)
    return MonteCarloResult(out, plan.total, computed, (finished - t0).total_seconds(), manifest)


def _version() -> str:
    from wargame import __version__

    return __version__


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total, grid, done, enabled):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    already = sum(b - a for a, b in grid if (a, b) in done)
    return tqdm(
        total=total, initial=already, unit="run", smoothing=0.1, file=sys.stderr, dynamic_ncols=True
    )


def _execute(plan: Plan, todo: list[tuple[int, int]], workers: int, scheduler: str | None):
    """Yield ((start, stop), table) as chunks complete, on the chosen backend."""
    if not todo:
        return
    if scheduler:
        yield from _execute_dask(plan, todo, scheduler)
    elif workers <= 1:
        for start, stop in todo:
            yield (start, stop), run_chunk(plan, start, stop)
    else:
        # forkserver: workers start from a clean process that has imported the engine once (plain fork
        # from this multi-threaded process - Arrow and tqdm run threads - risks deadlocks).
        context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        if sys.platform != "win32":
            context.set_forkserver_preload(["wargame.batch.montecarlo", "wargame.engine.model"])
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            pending = {}
            queue = list(todo)
            try:
                # Keep a bounded number of tasks in flight, so memory stays flat for any run count.
                while queue or pending:
                    while queue and len(pending) < workers * 2:
                        start, stop = queue.pop(0)
                        pending[pool.submit(run_chunk, plan, start, stop)] = (start, stop)
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        chunk = pending.pop(future)
                        yield chunk, future.result()
            except BaseException:
                for future in pending:
                    future.cancel()
                pool.shutdown(wait=False, cancel_futures=True)
                raise


def _execute_dask(plan: Plan, todo: list[tuple[int, int]], scheduler: str):
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise ScenarioError(
            "--scheduler", "Dask is not installed", expected="dask[distributed]", found=str(exc)
        ) from None
    try:
        client = Client(scheduler, timeout=10)
    except OSError as exc:
        raise ScenarioError(
            "--scheduler",
            "cannot reach the Dask scheduler",
            expected="tcp://HOST:PORT of a running scheduler",
            found=f"{scheduler} ({exc})",
        ) from None
    try:
        plan_future = client.scatter(plan, broadcast=True)
        futures = {}
        for start, stop in todo:
            futures[client.submit(run_chunk, plan_future, start, stop, pure=False)] = (start, stop)
        for future in as_completed(futures):
            yield futures[future], future.result()
    finally:
        client.close()
