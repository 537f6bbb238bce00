"""The folder a Monte Carlo writes: its file names, its manifest, the stamp every chunk carries, the
lock that keeps one writer at a time, and reading its runs back (finished chunks too).

Kept apart from montecarlo.py so that reading results (tree, drivers, report) loads neither the
scenario loader nor the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from wargame.language.errors import ScenarioError

RUNS_FILE = "runs.parquet"
MANIFEST = "manifest.json"
CHUNKS = "chunks"
LOCK = ".lock"  # held (flock) by the process writing the folder; the OS drops it when that dies
REJECTED = "rejected"  # chunks a resume would not trust, moved aside (never deleted)

# Keys of the Parquet key-value metadata a chunk (and the merged runs.parquet) carries.
META_START = b"wargame.run_start"
META_STOP = b"wargame.run_stop"
META_SEED = b"wargame.root_seed"
META_RESOLVED = b"wargame.resolved_sha256"
META_PLAN = b"wargame.plan_sha256"

_CHUNK_NAME = re.compile(r"runs-(\d{10})-(\d{10})\.parquet")
MANIFEST_KEYS = ("plan", "chunk_size", "root_seed", "resolved_sha256", "total_runs")


def chunk_name(start: int, stop: int) -> str:
    return f"runs-{start:010d}-{stop:010d}.parquet"


def parse_chunk_name(name: str) -> tuple[int, int] | None:
    """(start, stop) of a chunk file's name, or None when the name is not a chunk's."""
    m = _CHUNK_NAME.fullmatch(name)
    return (int(m.group(1)), int(m.group(2))) if m else None


def plan_hash(plan_description: dict) -> str:
    return hashlib.sha256(
        json.dumps(plan_description, sort_keys=True, default=str).encode()
    ).hexdigest()


def stamp(manifest: dict, start: int, stop: int) -> dict[bytes, bytes]:
    """The key-value metadata of the chunk of runs start..stop-1 of the manifest's plan."""
    return {
        META_START: str(start).encode(),
        META_STOP: str(stop).encode(),
        META_SEED: str(manifest["root_seed"]).encode(),
        META_RESOLVED: str(manifest["resolved_sha256"]).encode(),
        META_PLAN: plan_hash(manifest["plan"]).encode(),
    }


def stamp_mismatch(found: dict | None, wanted: dict[bytes, bytes]) -> str | None:
    """What differs between a file's metadata and the stamp it should carry (None if nothing)."""
    found = found or {}
    names = {
        META_START: "first run id",
        META_STOP: "run ids end",
        META_SEED: "root seed",
        META_RESOLVED: "resolved scenario hash",
        META_PLAN: "plan",
    }
    if META_PLAN not in found and META_SEED not in found:
        return "it carries no wargame stamp (run ids, root seed, scenario hash)"
    wrong = []
    for key, label in names.items():
        if found.get(key) != wanted[key]:
            have = (found.get(key) or b"none").decode(errors="replace")
            want = wanted[key].decode(errors="replace")
            if key in (META_RESOLVED, META_PLAN):
                have, want = have[:12], want[:12]
            wrong.append(f"{label} {have} (expected {want})")
    return "; ".join(wrong) if wrong else None


def read_manifest(folder: str | Path, required: tuple[str, ...] = MANIFEST_KEYS) -> dict:
    """The folder's manifest.json, or a ScenarioError saying why it cannot be used (a missing
    file, JSON that does not parse, or one of the `required` entries missing)."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise ScenarioError(
            str(folder),
            "not a results folder: this is a file",
            expected="the folder `wargame mc --out` made",
            found="a file",
        )
    file = path / MANIFEST
    if not file.is_file():
        raise ScenarioError(
            str(folder),
            "not a Monte Carlo results folder",
            expected=f"{MANIFEST} made by `wargame mc`",
            found=f"no {MANIFEST}" if path.exists() else "no such folder",
        )
    try:
        manifest = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ScenarioError(
            str(file),
            "the manifest is damaged and cannot be read",
            expected="the JSON `wargame mc` wrote (run the Monte Carlo again into a new --out folder)",
            found=str(exc).splitlines()[0][:200],
        ) from None
    missing = (
        [k for k in required if k not in manifest] if isinstance(manifest, dict) else ["entries"]
    )
    if missing:
        raise ScenarioError(
            str(file),
            "the manifest is damaged: entries are missing",
            expected=f"{', '.join(required) or 'a JSON object'} "
            "(run the Monte Carlo again into a new --out folder)",
            found=f"no {', '.join(missing)}",
        )
    return manifest


def _read_table(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ScenarioError(
            str(path),
            "damaged results file: it cannot be read",
            expected="a whole Parquet file written by `wargame mc` "
            "(`wargame mc --resume FOLDER` recomputes a damaged chunk)",
            found=str(exc).splitlines()[0][:200],
        ) from None


def read_runs(folder: str | Path) -> tuple[pa.Table, bool]:
    """(runs, complete): runs.parquet, or the finished chunks of an interrupted Monte Carlo."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise ScenarioError(
            str(folder),
            "not a results folder: this is a file",
            expected="the folder `wargame mc --out` made"
            + (f" ({path.parent})" if path.name == RUNS_FILE else ""),
            found="a file",
        )
    if (path / RUNS_FILE).is_file():
        return _with_columns(_read_table(path / RUNS_FILE), path / RUNS_FILE), True
    chunks = (
        sorted(
            c
            for c in (path / CHUNKS).glob("runs-*-*.parquet")
            if parse_chunk_name(c.name) and c.is_file()
        )
        if (path / CHUNKS).is_dir()
        else []
    )
    if not chunks:
        try:
            listing = ", ".join(sorted(p.name for p in path.iterdir())[:5]) or "an empty folder"
        except OSError as exc:
            listing = exc.strerror or str(exc)
        raise ScenarioError(
            str(folder),
            "no Monte Carlo results here",
            expected=f"{RUNS_FILE} made by `wargame mc`",
            found="no such folder" if not path.exists() else listing,
        )
    tables = [_read_table(c) for c in chunks]
    try:
        joined = pa.concat_tables([t.replace_schema_metadata(None) for t in tables])
        return _with_columns(joined, path / CHUNKS), False
    except pa.ArrowException as exc:
        raise ScenarioError(
            str(path / CHUNKS),
            "the finished chunks do not fit together",
            expected="chunks of one Monte Carlo (`wargame mc --resume FOLDER` sorts them out)",
            found=str(exc).splitlines()[0][:200],
        ) from None


# What every reader of a results table needs (the rest depends on the scenario).
REQUIRED_COLUMNS = ("run_id", "seed", "outcome", "days", "milestone_path")


def _with_columns(table: pa.Table, where: Path) -> pa.Table:
    """The table, if it has the columns a results table has; else a clear error (a damaged or foreign file)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing or table.num_rows == 0:
        raise ScenarioError(
            str(where),
            "not a Monte Carlo results table" if missing else "a results table with no runs",
            expected=f"the columns {', '.join(REQUIRED_COLUMNS)} and at least one run, as `wargame mc` writes "
            "them (`wargame mc --resume FOLDER` recomputes a damaged file)",
            found=f"missing {', '.join(missing)}" if missing else "0 rows",
        )
    return table


def cannot_write(folder: str | Path, exc: OSError) -> ScenarioError:
    return ScenarioError(
        str(folder),
        "cannot write the results folder",
        expected="a new or empty folder in a place you can write to (choose another --out)",
        found=exc.strerror or str(exc),
    )


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's lock file for the block, or refuse when another process holds it."""
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise cannot_write(folder, exc) from None
    try:
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
                raise ScenarioError(
                    str(folder),
                    "another `wargame mc` is writing this folder",
                    expected="one writer at a time: wait for it to finish, "
                    "or stop it and continue with `wargame mc --resume`",
                    found=f"the lock held by process {holder}" if holder else "the lock held",
                ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
