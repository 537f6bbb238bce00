"""The current batch of runs as files to take away, all made here with nothing fetched: the runs as CSV
and as Parquet (one row per run, the batch's own Arrow table; the Parquet file carries the manifest),
the branch tree as JSON (nested: label, runs, children) and the HTML report `wargame report` writes.
Each name says what it holds: scenario, runs, root seed.
"""

from __future__ import annotations

import io
import json
import re

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from viz.workspace import Batch
from wargame.analysis.branching import END, OTHER, BranchNode
from wargame.analysis.results import Results
from wargame.presentation.report import build_report

MANIFEST_KEY = (
    b"wargame.manifest"  # the Parquet file's metadata key for the batch's manifest (JSON)
)


def runs_table(batch: Batch) -> pa.Table:
    """The batch's runs so far, one row per run, in run order."""
    if not batch.tables:
        raise ValueError("this batch has no runs yet")
    table = pa.concat_tables(batch.tables)
    return table.sort_by("run_id")


def runs_parquet(batch: Batch) -> bytes:
    """The runs as a Parquet file, the manifest (plan, scenario, seeds) in its metadata."""
    table = runs_table(batch)
    meta = {
        **(table.schema.metadata or {}),
        MANIFEST_KEY: json.dumps(batch.manifest, default=str).encode(),
    }
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), sink)
    return sink.getvalue()


def runs_csv(batch: Batch) -> bytes:
    """The runs as CSV, one row per run; a column of weekly values (evacuated_by_week, the milestone
    path) is written as a JSON list in its cell, since CSV has no lists."""
    table = runs_table(batch)
    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = pa.array(
                [json.dumps(v) if v is not None else None for v in column.to_pylist()], pa.string()
            )
        columns.append(column)
    sink = io.BytesIO()
    pacsv.write_csv(pa.table(columns, names=table.column_names), sink)
    return sink.getvalue()


def tree_dict(node: BranchNode, res: Results | None = None) -> dict:
    """A branch node and everything beneath it as plain nested dicts: label (the milestone's id, or
    "(end)" / "other"), name (its words), runs, share of all runs with its 95% Wilson interval, the
    median day it is reached, the outcomes beneath it, and children (whose runs add up to its own)."""
    labels = res.milestone_labels if res is not None else {}
    if not node.path:
        name = "all runs"
    elif node.label == END:
        name = "no further milestone"
    elif node.label == OTHER:
        name = "other (rarer branches)"
    else:
        name = labels.get(node.label, node.label)
    day = node.median_day
    return {
        "label": node.label,
        "name": name,
        "path": list(node.path),
        "runs": int(node.runs),
        "share": float(node.share),
        "ci_low": float(node.ci_low),
        "ci_high": float(node.ci_high),
        "median_day": None if day is None or day != day else float(day),
        "outcomes": {str(k): int(v) for k, v in (node.outcomes or {}).items()},
        "children": [tree_dict(c, res) for c in node.children],
    }


def tree_json(batch: Batch) -> bytes:
    if batch.tree is None:
        raise ValueError("this batch has no runs yet")
    return json.dumps(tree_dict(batch.tree, batch.results), indent=1).encode()


def report_html(batch: Batch) -> bytes:
    """The HTML report of the batch's runs: the page `wargame report` writes, made from memory."""
    if batch.results is None:
        raise ValueError("this batch has no runs yet")
    return build_report(batch.results).encode()


def export_name(batch: Batch, what: str, extension: str) -> str:
    """ "SCENARIO-200-runs-seed-1-runs.csv": scenario, runs, root seed, what the file holds; a
    batch with changed assumptions says so."""
    scenario = batch.manifest.get("scenario_id") or "scenario"
    changed = "-changed" if batch.plan.overrides else ""
    name = f"{scenario}{changed}-{batch.done}-runs-seed-{batch.plan.seed}-{what}.{extension}"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


# (what, extension, maker, MIME type, button label), in the order of the buttons
EXPORTS = (
    ("runs", "csv", runs_csv, "text/csv", "runs (CSV)"),
    ("runs", "parquet", runs_parquet, "application/vnd.apache.parquet", "runs (Parquet)"),
    ("branch-tree", "json", tree_json, "application/json", "branch tree (JSON)"),
    ("report", "html", report_html, "text/html", "report (HTML)"),
)
