"""The folder a Monte Carlo writes: its file names, and reading its runs back (finished chunks too).

Kept apart from montecarlo.py so that reading results (tree, drivers, report) loads neither the
scenario loader nor the model.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from wargame.language.errors import ScenarioError

RUNS_FILE = "runs.parquet"
MANIFEST = "manifest.json"
CHUNKS = "chunks"


def read_runs(folder: str | Path) -> tuple[pa.Table, bool]:
    """(runs, complete): runs.parquet, or the finished chunks of an interrupted Monte Carlo."""
    path = Path(folder)
    if (path / RUNS_FILE).exists():
        return pq.read_table(path / RUNS_FILE), True
    chunks = sorted((path / CHUNKS).glob("runs-*-*.parquet")) if (path / CHUNKS).is_dir() else []
    if not chunks:
        raise ScenarioError(
            str(folder),
            "no Monte Carlo results here",
            expected=f"{RUNS_FILE} made by `wargame mc`",
            found="nothing"
            if not path.exists()
            else ", ".join(sorted(p.name for p in path.iterdir())[:5]) or "an empty folder",
        )
    return pa.concat_tables([pq.read_table(c) for c in chunks]), False
