"""The results of a Monte Carlo, read: its runs table (Arrow) and its manifest, from memory
(batch.runs.run_many, batch.plan.plan_manifest) or from a results folder (runs.parquet + manifest.json).
Reading needs no model: nothing here imports the engine or Mesa.

    Results.from_table(table, manifest)  -> Results (the runs as a DataFrame, the manifest, labels)
    load_results(folder)                 -> Results, read from a results folder
    as_results(runs, manifest=None)      -> Results from a Results, a results folder, or a runs table
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from wargame.batch.results_folder import read_manifest, read_runs

NO_OUTCOME = "(none)"  # runs whose outcome is null


@dataclass
class Results:
    manifest: dict
    runs: pd.DataFrame
    complete: bool = (
        True  # False for part of a Monte Carlo: an unfinished folder, or runs still coming
    )
    # id -> label, in the manifest's order, then outcomes found only in the runs
    outcome_labels: dict[str, str] = field(default_factory=dict)
    milestone_labels: dict[str, str] = field(default_factory=dict)
    actor_names: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None  # the results folder they were read from (None: made in memory)

    @property
    def scenario(self) -> dict:
        return self.manifest.get("resolved_scenario") or {}

    @property
    def plan(self) -> dict:
        return self.manifest.get("plan") or {}

    @property
    def sweep_columns(self) -> list[str]:
        return [c for c in self.runs.columns if c.startswith("set_")]

    def outcome_counts(self) -> dict[str, int]:
        """Runs per outcome, most frequent first; outcomes the scenario declares but no run reached last."""
        counts = self.runs["outcome"].value_counts()
        out = {str(k): int(v) for k, v in counts.items()}
        for oid in self.outcome_labels:
            out.setdefault(oid, 0)
        return out

    @classmethod
    def from_table(
        cls,
        table: pa.Table,
        manifest: dict,
        complete: bool | None = None,
        folder: str | Path | None = None,
    ) -> Results:
        """The results of a runs table (rows in any order, e.g. chunks concatenated as run_many yields
        them) and its manifest (batch.plan.plan_manifest, or a folder's manifest.json). `complete`
        defaults to whether the table holds every run the manifest plans."""
        runs = table.to_pandas()
        runs = runs.sort_values("run_id", kind="stable").reset_index(drop=True)
        runs["outcome"] = (
            runs["outcome"].astype(object).where(runs["outcome"].notna(), NO_OUTCOME).astype(str)
        )
        if complete is None:
            complete = len(runs) >= manifest.get("total_runs", len(runs))
        sc = manifest.get("resolved_scenario") or {}
        outcome_labels = {o["id"]: o.get("label") or o["id"] for o in sc.get("outcomes", [])}
        for oid in runs["outcome"].unique():
            outcome_labels.setdefault(
                str(oid), "No outcome reached" if oid == NO_OUTCOME else str(oid)
            )
        milestone_labels = {m["id"]: m.get("label") or m["id"] for m in sc.get("milestones", [])}
        for col in runs.columns:
            if col.startswith("day_"):
                milestone_labels.setdefault(col[4:], col[4:])
        actor_names = {a["id"]: a.get("name") or a["id"] for a in sc.get("actors", [])}
        return cls(
            manifest,
            runs,
            complete,
            outcome_labels,
            milestone_labels,
            actor_names,
            Path(folder) if folder is not None else None,
        )


def load_results(folder: str | Path) -> Results:
    """Read a results folder: runs.parquet (or, for an interrupted Monte Carlo, its finished chunks)
    and manifest.json."""
    folder = Path(folder)
    manifest = read_manifest(folder, required=())
    table, complete = read_runs(folder)
    return Results.from_table(table, manifest, complete, folder)


def as_results(runs: str | Path | Results | pa.Table, manifest: dict | None = None) -> Results:
    """Results from a Results, a results folder, or a runs table with its manifest."""
    if isinstance(runs, Results):
        return runs
    if isinstance(runs, pa.Table):
        if manifest is None:
            raise TypeError("a runs table needs its manifest (a dict) beside it")
        return Results.from_table(runs, manifest)
    return load_results(runs)
