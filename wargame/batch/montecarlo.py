"""Monte Carlo to a results folder: the runs of a plan (from run_many), written as Parquet chunk by
chunk so that memory stays flat and nothing finished is lost, then merged into runs.parquet beside a
JSON manifest; a stopped Monte Carlo resumes where it stopped.

Plan, run_seed and run_chunk live in plan.py, run_many and its backends in runs.py; they are
named here too, for callers of the folder writer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from wargame.batch.plan import (
    Plan,
    chunk_grid,
    default_chunk_size,
    plan_manifest,
    run_chunk,
    run_seed,
    scenario_of,
)
from wargame.batch.results_folder import CHUNKS, MANIFEST, RUNS_FILE
from wargame.batch.runs import run_many
from wargame.language.errors import ScenarioError
from wargame.language.scenario import resolved_hash

__all__ = [
    "MonteCarloResult",
    "Plan",
    "default_chunk_size",
    "done_chunks",
    "monte_carlo",
    "run_chunk",
    "run_many",
    "run_seed",
]


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
    sc = scenario_of(plan)
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
        manifest = {**plan_manifest(plan, chunk_size), **(extra_manifest or {})}
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
    grid = chunk_grid(plan.total, chunk_size)
    done = done_chunks(out)
    todo = [c for c in grid if c not in done]
    bar = _progress(plan.total, plan.total - sum(b - a for a, b in todo), progress)
    t0 = dt.datetime.now(dt.UTC)
    runs = run_many(
        plan,
        workers=workers,
        scheduler=scheduler,
        chunks=todo,
        on_progress=lambda finished, _total: bar.update(finished - bar.n),
    )
    try:
        with closing(runs):  # leaving early (Ctrl-C) stops the workers at once
            for table in runs:
                start = table.column("run_id")[0].as_py()
                _write_chunk(out, start, start + table.num_rows, table)
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


class _NoBar:
    n = 0

    def update(self, n):
        self.n += n

    def close(self):
        pass


def _progress(total: int, already: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total, initial=already, unit="run", smoothing=0.1, file=sys.stderr, dynamic_ncols=True
    )
