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
from collections.abc import Callable
from contextlib import closing, suppress
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
    schema_for,
)
from wargame.batch.results_folder import (
    CHUNKS,
    LOCK,
    MANIFEST,
    META_PLAN,
    META_SEED,
    REJECTED,
    RUNS_FILE,
    cannot_write,
    chunk_name,
    folder_lock,
    parse_chunk_name,
    read_manifest,
    stamp,
    stamp_mismatch,
)
from wargame.batch.runs import check_scheduler, run_many
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
    return chunk_name(start, stop)


def done_chunks(out: Path) -> set[tuple[int, int]]:
    """The (start, stop) of every file in out/chunks named like a chunk (not checked: see _verify)."""
    done = set()
    folder = out / CHUNKS
    if folder.is_dir():
        for f in folder.iterdir():
            span = parse_chunk_name(f.name)
            if span is not None:
                done.add(span)
    return done


def _write_chunk(
    out: Path, start: int, stop: int, table: pa.Table, manifest: dict | None = None
) -> None:
    """Write atomically: a chunk file exists whole or not at all, so a kill never leaves half a chunk.
    With the folder's manifest, the file's metadata records its run ids, root seed and plan."""
    folder = out / CHUNKS
    tmp = folder / f".{_chunk_name(start, stop)}.tmp-{os.getpid()}"
    if manifest is not None:
        table = table.replace_schema_metadata(stamp(manifest, start, stop))
    pq.write_table(table, tmp)
    os.replace(tmp, folder / _chunk_name(start, stop))


def _merge(
    out: Path, plan: Plan, chunks: list[tuple[int, int]], manifest: dict | None = None
) -> int:
    """Stream every chunk, in run order, into one runs.parquet; then drop the chunk files."""
    tmp = out / f".{RUNS_FILE}.tmp"
    writer = None
    rows = 0
    for start, stop in sorted(chunks):
        table = pq.read_table(out / CHUNKS / _chunk_name(start, stop)).replace_schema_metadata(
            None if manifest is None else stamp(manifest, 0, plan.total)
        )
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
        rows += table.num_rows
    if writer is not None:
        writer.close()
        os.replace(tmp, out / RUNS_FILE)
    for start, stop in chunks:
        (out / CHUNKS / _chunk_name(start, stop)).unlink()
    _drop_chunk_folder(out)
    return rows


def _drop_chunk_folder(out: Path) -> None:
    folder = out / CHUNKS
    if not folder.is_dir():
        return
    for leftover in folder.glob(".*.tmp-*"):  # a chunk being written when a worker was killed
        leftover.unlink()
    with suppress(OSError):  # something else is in it: left for the user to see
        folder.rmdir()


def _write_manifest(out: Path, manifest: dict) -> None:
    tmp = out / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str))
    os.replace(tmp, out / MANIFEST)


def _reject(out: Path, path: Path, reason: str, say: Callable[[str], None]) -> dict:
    """Move a file a resume does not trust to out/rejected/ (never delete what a user may want)."""
    folder = out / REJECTED
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.name}.{n}"
        n += 1
    os.replace(path, target)
    rel = path.relative_to(out)
    say(f"{out / rel}: {reason}; moved to {target} and its runs will be recomputed")
    return {"file": str(rel), "reason": reason, "moved_to": str(target.relative_to(out))}


def _check_table(
    path: Path, plan: Plan, manifest: dict, start: int, stop: int, schema: pa.Schema
) -> str | None:
    """Why the file at `path` is not runs start..stop-1 of the plan (None when it is)."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        return f"it does not read ({str(exc).splitlines()[0][:120]})"
    wrong = stamp_mismatch(table.schema.metadata, stamp(manifest, start, stop))
    if wrong:
        return f"it is not from this Monte Carlo: {wrong}"
    if not table.schema.equals(schema, check_metadata=False):
        return "its columns are not this plan's"
    if table.num_rows != stop - start:
        return f"it holds {table.num_rows} rows, not {stop - start}"
    ids = table.column("run_id").to_pylist()
    if ids != list(range(start, stop)):
        return f"its run ids are not {start}..{stop - 1}"
    seeds = table.column("seed").to_pylist()
    if seeds[0] != run_seed(plan.seed, start) or seeds[-1] != run_seed(plan.seed, stop - 1):
        return f"its seeds are not those of root seed {plan.seed}"
    return None


def _verify(
    out: Path, plan: Plan, manifest: dict, grid: list[tuple[int, int]], say: Callable[[str], None]
) -> tuple[set[tuple[int, int]], list[dict]]:
    """The chunks on disk that are whole runs of this plan; every other file in chunks/ is moved to
    rejected/ with a line saying why (its runs are then recomputed)."""
    folder = out / CHUNKS
    good: set[tuple[int, int]] = set()
    rejected: list[dict] = []
    if not folder.is_dir():
        return good, rejected
    wanted = set(grid)
    schema = schema_for(plan, scenario_of(plan))
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") and ".tmp-" in path.name and path.is_file():
            path.unlink()  # a chunk being written when its worker was killed: never complete
            continue
        span = parse_chunk_name(path.name)
        if span is None or span not in wanted:
            reason = (
                "not a chunk of this plan's grid"
                if span is not None
                else "not a chunk file (its name is not runs-START-STOP.parquet)"
            )
        elif not path.is_file():
            reason = "not a file"
        else:
            reason = _check_table(path, plan, manifest, *span, schema)
        if reason is None:
            good.add(span)
        else:
            rejected.append(_reject(out, path, reason, say))
    return good, rejected


def _check_runs_file(out: Path, plan: Plan, manifest: dict) -> str | None:
    """Why out/runs.parquet is not the whole plan's runs (None when it is)."""
    path = out / RUNS_FILE
    try:
        meta = pq.read_metadata(path)
        schema = pq.read_schema(path)
        ids = pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist()
    except (OSError, pa.ArrowException, KeyError) as exc:
        return f"it does not read ({str(exc).splitlines()[0][:120]})"
    if schema.metadata and (META_SEED in schema.metadata or META_PLAN in schema.metadata):
        wrong = stamp_mismatch(schema.metadata, stamp(manifest, 0, plan.total))
        if wrong:
            return f"it is not from this Monte Carlo: {wrong}"
    if meta.num_rows != plan.total or ids != list(range(plan.total)):
        return f"it holds {meta.num_rows} rows, not runs 0..{plan.total - 1}"
    return None


# ---------------------------------------------------------------- the driver


@dataclass
class MonteCarloResult:
    out: Path
    total: int
    computed: int  # runs computed in this call (fewer than total when resuming)
    seconds: float
    manifest: dict = field(default_factory=dict)
    rejected: list[dict] = field(default_factory=list)  # files a resume did not trust, moved aside

    @property
    def runs_file(self) -> Path:
        return self.out / RUNS_FILE


def _say(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def monte_carlo(
    plan: Plan,
    out: str | Path,
    workers: int = 1,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    extra_manifest: dict | None = None,
    notice: Callable[[str], None] | None = None,
) -> MonteCarloResult:
    """Run every run of `plan` not yet on disk in `out`, then merge them into out/runs.parquet.

    A resume trusts nothing it has not checked: every chunk must read and carry this plan's stamp
    (run ids, root seed, resolved scenario hash), or it is moved to out/rejected/ and recomputed;
    `notice` (default: a line on stderr) is told of each. One process at a time writes a folder.
    """
    out = Path(out)
    say = notice or _say
    if out.exists() and not out.is_dir():
        raise ScenarioError(
            str(out),
            "the output is a file, not a folder",
            expected="a new or empty folder for the results (choose another --out)",
            found="a file",
        )
    if plan.total < 1 or (chunk_size is not None and chunk_size < 1):
        raise ScenarioError(
            str(out),
            "nothing to run",
            expected="runs >= 1 and chunk size >= 1",
            found=f"{plan.total} runs in chunks of {chunk_size}",
        )
    sc = scenario_of(plan)
    if resume:
        old = read_manifest(out)
        _check_resumable(out, plan, sc, old)
    elif out.exists() and any(out.iterdir()):
        raise ScenarioError(
            str(out),
            "output folder is not empty",
            expected="a new or empty folder (or --resume)",
            found=", ".join(sorted(p.name for p in out.iterdir())[:5]),
        )
    if scheduler:  # before anything is made: an unreachable cluster leaves no half-made folder
        check_scheduler(scheduler)
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    made: list[bool] = []  # set once this call has written a new folder's manifest
    try:
        with folder_lock(out):
            return _run_locked(
                plan,
                out,
                sc,
                workers,
                chunk_size,
                scheduler,
                resume,
                progress,
                extra_manifest,
                say,
                made,
            )
    except ScenarioError:
        if not resume:
            _undo_new_folder(out, created, bool(made))
        raise


def _check_resumable(out: Path, plan: Plan, sc, old: dict) -> None:
    described = json.loads(json.dumps(plan.describe(), default=str))
    if old.get("plan") != described:
        diff = [k for k in described if old.get("plan", {}).get(k) != described[k]]
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
    if not isinstance(old.get("chunk_size"), int) or old["chunk_size"] < 1:
        raise ScenarioError(
            str(out / MANIFEST),
            "the manifest is damaged",
            field="chunk_size",
            expected="a whole number >= 1 (run the Monte Carlo again into a new --out folder)",
            found=repr(old.get("chunk_size")),
        )


def _undo_new_folder(out: Path, created: bool, made: bool) -> None:
    """A new Monte Carlo that stopped on an error before writing any chunk leaves nothing behind
    (so that the same command, once the cause is fixed, is not refused for a non-empty folder)."""
    if made:
        if (out / CHUNKS).is_dir() and any((out / CHUNKS).iterdir()):
            return
        (out / MANIFEST).unlink(missing_ok=True)
        with suppress(OSError):
            (out / CHUNKS).rmdir()
    if created or made:
        if [p.name for p in out.iterdir()] == [LOCK]:
            (out / LOCK).unlink(missing_ok=True)
        if created:
            with suppress(OSError):
                out.rmdir()


def _run_locked(
    plan: Plan,
    out: Path,
    sc,
    workers: int,
    chunk_size: int | None,
    scheduler: str | None,
    resume: bool,
    progress: bool,
    extra_manifest: dict | None,
    say: Callable[[str], None],
    made: list[bool],
) -> MonteCarloResult:
    backend = "dask" if scheduler else ("process" if workers > 1 else "serial")
    rejected: list[dict] = []
    if resume:
        manifest = read_manifest(out)  # again, now that no one else writes it
        _check_resumable(out, plan, sc, manifest)
        chunk_size = manifest["chunk_size"]
        if (out / RUNS_FILE).exists():
            reason = _check_runs_file(out, plan, manifest)
            if reason is None:
                _drop_merged_chunks(out, chunk_grid(plan.total, chunk_size))
                if manifest.get("status") != "complete":
                    manifest.update(status="complete", rows=plan.total)
                    manifest.setdefault("finished", dt.datetime.now(dt.UTC).isoformat())
                    _write_manifest(out, manifest)
                say(f"{out} is already complete: nothing to run")
                return MonteCarloResult(out, plan.total, 0, 0.0, manifest)
            rejected.append(_reject(out, out / RUNS_FILE, reason, say))
    else:
        if any(p.name != LOCK for p in out.iterdir()):  # another process got here first
            raise ScenarioError(
                str(out),
                "output folder is not empty",
                expected="a new or empty folder (or --resume)",
                found=", ".join(sorted(p.name for p in out.iterdir())[:5]),
            )
        chunk_size = chunk_size or default_chunk_size(plan.total, workers)
        manifest = {**plan_manifest(plan, chunk_size), **(extra_manifest or {})}
    try:
        (out / CHUNKS).mkdir(exist_ok=True)
        manifest.update(status="running", workers=workers, backend=backend)
        _write_manifest(out, manifest)
        if not resume:
            made.append(True)
    except OSError as exc:
        raise cannot_write(out, exc) from None

    grid = chunk_grid(plan.total, chunk_size)
    if resume:
        done, bad = _verify(out, plan, manifest, grid, say)
        rejected += bad
        if rejected:
            manifest.setdefault("rejected", []).extend(rejected)
            _write_manifest(out, manifest)
    else:
        done = set()
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
                _write_chunk(out, start, start + table.num_rows, table, manifest)
    except KeyboardInterrupt:
        manifest.update(status="interrupted")
        _write_manifest(out, manifest)
        bar.close()
        raise
    bar.close()
    rows = _merge(out, plan, grid, manifest)
    finished = dt.datetime.now(dt.UTC)
    manifest.update(status="complete", finished=finished.isoformat(), rows=rows)
    _write_manifest(out, manifest)
    computed = sum(b - a for a, b in todo)
    return MonteCarloResult(
        out, plan.total, computed, (finished - t0).total_seconds(), manifest, rejected
    )


def _drop_merged_chunks(out: Path, grid: list[tuple[int, int]]) -> None:
    """Chunks left beside a whole runs.parquet (a kill between the merge and their removal)."""
    for start, stop in grid:
        (out / CHUNKS / _chunk_name(start, stop)).unlink(missing_ok=True)
    _drop_chunk_folder(out)


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
