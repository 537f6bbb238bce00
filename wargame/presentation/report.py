"""A self-contained HTML report of a Monte Carlo: its runs table (Arrow) and its manifest, from memory
(batch.runs.run_many, batch.plan.plan_manifest) or from a results folder (runs.parquet + manifest.json).

Pure reading of results: nothing here imports the model or Mesa, and the page needs no network: the
plotly.js bundle is embedded once, inline, and every chart after it reuses it. Wherever `runs` is
taken, it is a runs table (with its manifest), a Results, or a results folder.

    Results.from_table(table, manifest)      -> Results (the runs as a DataFrame, the manifest, labels)
    load_results(folder)                     -> Results, read from a results folder
    figures(runs, manifest, *, min_share=0.01) -> dict[str, plotly Figure]   the charts, for tests and notebooks
    build_report(runs, manifest, *, min_share) -> str     the whole page
    write_report(runs, html_path, min_share, manifest) -> Path   the same, written to a file
    fan_quantiles(series, days)              -> Fan     p10/p25/p50/p75/p90 per day of per-run weekly series
"""

from __future__ import annotations

import datetime as dt
import html
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa

from wargame.analysis.branching import END, OTHER, branch_tree, wilson_interval
from wargame.analysis.drivers import drivers
from wargame.batch.results_folder import MANIFEST, RUNS_FILE, read_manifest, read_runs

NO_OUTCOME = "(none)"  # runs whose outcome is null

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
)  # fmt: skip
CONFIG = {"displaylogo": False, "responsive": True}


# ---------------------------------------------------------------- the results: a runs table and its manifest


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

    def outcome_colors(self) -> dict[str, str]:
        return {oid: PALETTE[i % len(PALETTE)] for i, oid in enumerate(self.outcome_labels)}

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


# ---------------------------------------------------------------- statistics


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of k/n (branching.wilson_interval); (0, 1) when n is 0."""
    return (0.0, 1.0) if n <= 0 else wilson_interval(k, n)


def week_days(length: int, days: int) -> list[int]:
    """The days at which a weekly series of `length` values was sampled: 0, 7, 14, ... and the last day."""
    picks = list(range(0, days + 1, 7))
    if picks[-1] != days:
        picks.append(days)
    if len(picks) == length:
        return picks
    # Not the layout the model writes (e.g. a run cut short): assume weekly steps ending on `days`.
    picks = [7 * i for i in range(length)]
    if length > 1 and days > picks[-2]:
        picks[-1] = days
    return picks


@dataclass
class Fan:
    days: list[int]
    quantiles: dict[str, list[float]]  # "p10", "p25", "p50", "p75", "p90" -> one value per day
    runs: int

    def to_dict(self) -> dict:
        return {"days": self.days, "runs": self.runs, **self.quantiles}


def fan_quantiles(series, days, quantiles=QUANTILES) -> Fan:
    """Per-day quantiles of weekly series (one list per run, sampled at week_days(len, days)).

    Runs end on different days (a shorter horizon in a sweep, an early end): the grid is the union of
    every run's sample days and a run that has ended keeps its last value, since its count is final.
    """
    series = [np.asarray(s if s is not None else [], dtype=float) for s in series]
    days = [int(d) for d in days]
    keep = [(s, d) for s, d in zip(series, days, strict=True) if len(s)]
    names = [f"p{round(q * 100)}" for q in quantiles]
    if not keep:
        return Fan([], {n: [] for n in names}, 0)
    groups: dict[tuple[int, int], list[np.ndarray]] = {}
    for s, d in keep:
        groups.setdefault((len(s), d), []).append(s)
    sample_days = {key: np.asarray(week_days(*key)) for key in groups}
    grid = np.unique(np.concatenate(list(sample_days.values())))
    rows = []
    for key, members in groups.items():
        x = sample_days[key]
        idx = np.clip(np.searchsorted(x, grid, side="right") - 1, 0, len(x) - 1)
        rows.append(np.vstack(members)[:, idx])
    matrix = np.vstack(rows)
    values = np.quantile(matrix, quantiles, axis=0)
    values = np.maximum.accumulate(values, axis=0)  # guard the order against rounding
    return Fan(
        grid.astype(int).tolist(),
        {n: v.tolist() for n, v in zip(names, values, strict=True)},
        len(keep),
    )


def _quantiles(values: np.ndarray) -> dict[str, float]:
    q = np.quantile(values, QUANTILES)
    return {f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


# ---------------------------------------------------------------- text helpers


def _wrap(text: str, width: int = 38) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _wrap_esc(text: str, width: int = 38) -> str:
    """Escaped for plotly's HTML-like text, then wrapped with <br> (which must stay a tag)."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(str(text), width)) or _esc(text)


def _pct(x: float | None, digits: int = 1) -> str:
    return (
        "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{digits}f}%"
    )


def _runs(k: int) -> str:
    return f"{k:,} run" + ("" if k == 1 else "s")


def _num(x: Any, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if not isinstance(x, float | int | np.number):
        return str(x)
    x = float(x)
    if round(x, digits) == 0:
        x = 0.0  # no "-0.00"
    return f"{x:,.{digits}f}"


def _pvalue(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _date(text: str | None) -> str:
    if not text:
        return "–"
    try:
        return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except ValueError:
        return str(text)


def pretty_name(res: Results, name: str) -> str:
    """A driver or column name in words: draw_russia_resolve -> 'Russian Federation: resolve (drawn)'."""
    if name.startswith("set_"):
        return f"setting {name[4:]}"
    if name.startswith("draw_"):
        rest = name[5:]
        for aid in sorted(res.actor_names, key=len, reverse=True):
            if rest.startswith(aid + "_"):
                return f"{res.actor_names[aid]}: {rest[len(aid) + 1 :].replace('_', ' ')} (drawn)"
    if name.startswith("day_") and name[4:] in res.milestone_labels:
        return f"day of: {res.milestone_labels[name[4:]]}"
    if name.startswith("reached_") and name[8:] in res.milestone_labels:
        return f"reached: {res.milestone_labels[name[8:]]}"
    if name in res.milestone_labels:
        return res.milestone_labels[name]
    if name.startswith("utility_") and name[8:] in res.actor_names:
        return f"utility of {res.actor_names[name[8:]]}"
    return name


# ---------------------------------------------------------------- figures


def _layout(fig: go.Figure, title: str, height: int | None = None, **kw) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white",
        font={
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif",
            "size": 13,
        },
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        height=height,
        **kw,
    )
    return fig


def outcome_figure(res: Results) -> go.Figure:
    counts = res.outcome_counts()
    n = len(res.runs)
    colors = res.outcome_colors()
    ids = list(counts)[::-1]  # plotly draws the first category at the bottom
    shares = [counts[o] / n if n else 0.0 for o in ids]
    cis = [wilson(counts[o], n) for o in ids]
    fig = go.Figure(
        go.Bar(
            y=[_wrap(res.outcome_labels[o], 45) for o in ids],
            x=[100 * s for s in shares],
            orientation="h",
            marker_color=[colors.get(o, "#888") for o in ids],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [100 * (hi - s) for (lo, hi), s in zip(cis, shares, strict=True)],
                "arrayminus": [100 * (s - lo) for (lo, hi), s in zip(cis, shares, strict=True)],
                "color": "#555",
                "thickness": 1,
            },
            customdata=[
                [o, counts[o], 100 * lo, 100 * hi] for o, (lo, hi) in zip(ids, cis, strict=True)
            ],
            hovertemplate="<b>%{y}</b><br>id: %{customdata[0]}<br>%{customdata[1]:,} runs = %{x:.1f}%"
            "<br>95% Wilson interval %{customdata[2]:.1f}% – %{customdata[3]:.1f}%<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=[_wrap(res.outcome_labels[o], 45) for o in ids],
            x=[100 * hi for _, hi in cis],
            mode="text",
            text=[
                f"  {_runs(counts[o])} · {_pct(s)}" if counts[o] else "  never"
                for o, s in zip(ids, shares, strict=True)
            ],
            textposition="middle right",
            hoverinfo="skip",
            cliponaxis=False,
        )
    )
    top = max([100 * hi for _, hi in cis] + [1.0])
    fig.update_xaxes(
        title="share of runs (%) with 95% Wilson interval", range=[0, min(100, top) * 1.3]
    )
    return _layout(
        fig, f"Outcomes of {n:,} runs", height=max(260, 60 + 48 * len(ids)), showlegend=False
    )


def _point_label(res: Results, point: int) -> str:
    pts = res.plan.get("points") or []
    if 0 <= point < len(pts) and pts[point]:
        return ", ".join(f"{k}={v}" for k, v in sorted(pts[point].items()))
    return f"point {point}"


def outcome_by_point_figure(res: Results) -> go.Figure | None:
    """Stacked shares of each outcome per sweep point (only when the plan swept settings)."""
    if res.runs["point"].nunique() < 2:
        return None
    table = pd.crosstab(res.runs["point"], res.runs["outcome"], normalize="index")
    counts = res.runs["point"].value_counts()
    colors = res.outcome_colors()
    labels = [_point_label(res, int(p)) for p in table.index]
    fig = go.Figure()
    for oid in res.outcome_labels:
        if oid not in table.columns:
            continue
        fig.add_trace(
            go.Bar(
                x=labels,
                y=100 * table[oid].to_numpy(),
                name=_wrap(res.outcome_labels[oid], 40),
                marker_color=colors.get(oid),
                customdata=[int(counts[p]) for p in table.index],
                hovertemplate="%{x}<br>%{y:.1f}% of %{customdata} runs<extra>"
                + _esc(oid)
                + "</extra>",
            )
        )
    fig.update_layout(
        barmode="stack", legend={"orientation": "v", "font": {"size": 11}, "traceorder": "reversed"}
    )
    fig.update_yaxes(title="share of runs (%)", range=[0, 100])
    fig.update_xaxes(title="sweep point", type="category")
    return _layout(fig, "Outcomes at each sweep point", height=460)


def _node_ids(pairs: list) -> list[str]:
    """Unique ids: "all/<milestone>/<milestone>..." for milestone nodes; the "(end)" and "other"
    children carry their parent's path, so theirs is the parent's id plus their label."""
    ids: list[str] = []
    of_node: dict[int, str] = {}
    taken: set[str] = set()
    for node, parent in pairs:
        if parent is None:
            base = "all"
        elif node.label in (END, OTHER):
            base = f"{of_node[id(parent)]}/{node.label}"
        else:
            base = "/".join(("all", *(str(p) for p in node.path)))
        candidate, k = base, 1
        while candidate in taken:  # defensive: branch_tree never repeats a path
            candidate, k = f"{base}#{k}", k + 1
        taken.add(candidate)
        of_node[id(node)] = candidate
        ids.append(candidate)
    return ids


def _walk(node, parent, out: list) -> None:
    out.append((node, parent))
    for child in node.children:
        _walk(child, node, out)


def _tree_label(res: Results, node, is_root: bool) -> str:
    if is_root:
        return "All runs"
    if node.label == END:
        return "no further milestone"
    if node.label == OTHER:
        return "other (rarer branches)"
    return res.milestone_labels.get(node.label, str(node.label))


def tree_nodes(res: Results, root) -> list[dict]:
    """The branch tree flattened for the icicle: id, parent id, label, runs, hover text, outcome counts."""
    pairs: list = []
    _walk(root, None, pairs)
    ids = _node_ids(pairs)
    id_of = {id(node): i for (node, _), i in zip(pairs, ids, strict=True)}
    seeds = dict(zip(res.runs["run_id"].tolist(), res.runs["seed"].tolist(), strict=True))
    out = []
    for (node, parent), node_id in zip(pairs, ids, strict=True):
        label = _tree_label(res, node, parent is None)
        outcomes = sorted((node.outcomes or {}).items(), key=lambda kv: -kv[1])
        path = " → ".join(res.milestone_labels.get(p, str(p)) for p in node.path) or "(start)"
        if node.label == END:
            path += " → (no further milestone)"
        lines = [
            f"<b>{_esc(label)}</b>",
            f"path: {_wrap_esc(path, 90)}",
            f"{_runs(node.runs)}: {_pct(node.share)} of all (95% Wilson {_pct(node.ci_low)} – {_pct(node.ci_high)})",
            f"{_pct(node.share_of_parent)} of the runs of the box to its left",
        ]
        if node.median_day is not None and not math.isnan(float(node.median_day)):
            lines.append(f"median day reached: {float(node.median_day):g}")
        lines.append("outcomes:")
        for oid, k in outcomes[:3]:
            lines.append(
                f"  {_wrap_esc(res.outcome_labels.get(oid, oid), 70)}: {k:,} ({_pct(k / node.runs if node.runs else 0)})"
            )
        if len(outcomes) > 3:
            lines.append(f"  … and {len(outcomes) - 3} more")
        if node.examples:
            ex = ", ".join(
                f"{e} (seed {seeds[e]})" if e in seeds else str(e) for e in node.examples
            )
            lines.append("example runs: " + _esc(ex))
        out.append({"id": node_id, "parent": "" if parent is None else id_of[id(parent)], "label": _wrap(label, 24),
                    "runs": int(node.runs), "hover": "<br>".join(lines), "outcomes": dict(node.outcomes or {})})  # fmt: skip
    return out


def tree_figure(res: Results, root) -> go.Figure:
    """An icicle of the branch tree: each box a milestone reached after its parent's, sized by runs and
    coloured by the share of its runs that end in one outcome (a menu picks which), red below that
    outcome's share over all runs, blue above."""
    nodes = tree_nodes(res, root)
    counts = res.outcome_counts()
    n = max(len(res.runs), 1)
    occurring = [o for o, k in counts.items() if k]

    def colouring(oid: str) -> dict:
        shares = [nd["outcomes"].get(oid, 0) / nd["runs"] if nd["runs"] else 0.0 for nd in nodes]
        title = _wrap(f"share ending in: {res.outcome_labels.get(oid, oid)}", 22)
        return {"colors": shares, "cmid": counts.get(oid, 0) / n, "title": title}

    first = (
        colouring(occurring[0])
        if occurring
        else {"colors": [0.0] * len(nodes), "cmid": 0.5, "title": ""}
    )
    fig = go.Figure(
        go.Icicle(
            ids=[nd["id"] for nd in nodes],
            labels=[nd["label"] for nd in nodes],
            parents=[nd["parent"] for nd in nodes],
            values=[nd["runs"] for nd in nodes],
            branchvalues="total",
            marker={
                "colors": first["colors"], "colorscale": "RdBu", "cmin": 0.0, "cmax": 1.0, "cmid": first["cmid"],
                "showscale": True, "line": {"color": "white", "width": 1},
                "colorbar": {"title": {"text": first["title"], "font": {"size": 12}}, "tickformat": ".0%", "thickness": 14},
            },
            customdata=[nd["hover"] for nd in nodes],
            hovertemplate="%{customdata}<extra></extra>",
            texttemplate="%{label}<br>%{percentRoot:.1%}",
            maxdepth=6,
            tiling={"orientation": "h"},
            sort=False,
        )
    )  # fmt: skip
    if len(occurring) > 1:
        buttons = []
        for oid in occurring:
            c = colouring(oid)
            buttons.append({
                "label": textwrap.shorten(res.outcome_labels.get(oid, oid), 60, placeholder="…"),
                "method": "restyle",
                "args": [{"marker.colors": [c["colors"]], "marker.cmid": c["cmid"],
                          "marker.colorbar.title.text": c["title"]}],
            })  # fmt: skip
        fig.update_layout(
            updatemenus=[{"buttons": buttons, "direction": "down", "x": 1.0, "xanchor": "right", "y": 1.08,
                          "yanchor": "bottom", "showactive": True, "font": {"size": 12}}]
        )  # fmt: skip
    return _layout(fig, "Branches: the order in which milestones are reached", height=660)


def fan_figure(fan: Fan, title: str, yaxis: str, color: str) -> go.Figure:
    fig = go.Figure()
    x = fan.days
    q = fan.quantiles
    rgba = _rgba(color)
    for lo, hi, alpha, name in (("p10", "p90", 0.18, "10–90%"), ("p25", "p75", 0.35, "25–75%")):
        fig.add_trace(
            go.Scatter(
                x=x, y=q[lo], mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x, y=q[hi], mode="lines", line={"width": 0}, fill="tonexty", fillcolor=rgba(alpha),
                name=f"{name} of runs", hoverinfo="skip",
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x, y=q["p50"], mode="lines+markers", line={"color": color, "width": 2.5}, marker={"size": 5},
            name="median",
            customdata=np.column_stack([q["p10"], q["p25"], q["p75"], q["p90"]]) if x else None,
            hovertemplate="day %{x}<br>median %{y:,.0f}<br>25–75%: %{customdata[1]:,.0f} – %{customdata[2]:,.0f}"
            "<br>10–90%: %{customdata[0]:,.0f} – %{customdata[3]:,.0f}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_xaxes(title="day", rangemode="tozero")
    fig.update_yaxes(title=yaxis, rangemode="tozero")
    return _layout(fig, title, height=380, legend={"orientation": "h", "y": -0.2})


def _rgba(hex_color: str):
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return lambda a: f"rgba({r},{g},{b},{a})"


def milestone_day_stats(res: Results) -> list[dict]:
    """Per milestone reached by at least one run: share of runs that reach it and the day quantiles."""
    n = len(res.runs)
    out = []
    for mid, label in res.milestone_labels.items():
        col = f"day_{mid}"
        if col not in res.runs.columns:
            continue
        values = res.runs[col].dropna().to_numpy(dtype=float)
        if not len(values):
            continue
        out.append({"id": mid, "label": label, "runs": len(values), "share": len(values) / n,
                    "min": float(values.min()), "max": float(values.max()), **_quantiles(values)})  # fmt: skip
    return sorted(out, key=lambda s: (s["p50"], s["p25"], s["id"]))


def milestone_days_figure(res: Results, stats: list[dict]) -> go.Figure | None:
    if not stats:
        return None
    rows = stats[::-1]  # earliest at the top
    names = [_wrap(f"{s['label']} ({_pct(s['share'], 0)})", 48) for s in rows]
    fig = go.Figure(
        go.Box(
            y=names,
            q1=[s["p25"] for s in rows],
            median=[s["p50"] for s in rows],
            q3=[s["p75"] for s in rows],
            lowerfence=[s["p10"] for s in rows],
            upperfence=[s["p90"] for s in rows],
            orientation="h",
            marker_color="#4e79a7",
            fillcolor="rgba(78,121,167,0.35)",
            name="day reached",
            hoverinfo="x+y",
        )
    )
    fig.update_xaxes(
        title="day reached (box 25–75%, whiskers 10–90%, line median; runs that reach it)",
        rangemode="tozero",
    )
    return _layout(
        fig,
        "When each milestone is reached",
        height=max(280, 70 + 42 * len(rows)),
        showlegend=False,
    )


def _driver_label(res: Results, d) -> str:
    return pretty_name(res, str(d.name))


def _group(d, side: str) -> str:
    """How a driver's low or high group was chosen, e.g. "≤ 0.31, 100 runs"."""
    value, count = getattr(d, f"{side}_value", None), getattr(d, f"{side}_n", None)
    if value is None:
        return ""
    text = f"{'≤' if side == 'low' else '≥'} {value:.3g}"
    return f"{text}, {_runs(count)}" if count is not None else text


def _significant(d, level: float = 0.05) -> bool:
    """Below the level after adjusting for every input tested (the q value; drivers.Driver)."""
    q = d.q_value
    return q is not None and not math.isnan(float(q)) and float(q) < level


def tornado_figure(res: Results, drivers: list, outcome: str, base: float) -> go.Figure | None:
    """Each input's pull on one outcome: its share among the runs where the input is low (blue) and
    high (red), as bars from the share over all runs; bars of inputs whose q value (p adjusted for
    every input tested, Benjamini-Hochberg) is 0.05 or more are faded."""
    if not drivers:
        return None
    rows = list(drivers)[::-1]  # strongest at the top
    names = [_wrap(_driver_label(res, d), 40) for d in rows]
    fig = go.Figure()
    for side, name, color in (("low", "input low (lowest third or value)", "#4e79a7"),
                              ("high", "input high (highest third or value)", "#e15759")):  # fmt: skip
        rates = [float(getattr(d, f"{side}_rate")) for d in rows]
        fig.add_trace(
            go.Bar(
                y=names,
                x=[100 * (r - base) for r in rates],
                base=100 * base,
                orientation="h",
                name=name,
                marker={"color": color, "opacity": [1.0 if _significant(d) else 0.4 for d in rows]},
                customdata=[
                    [
                        100 * r,
                        _group(d, side),
                        _pvalue(d.p_value),
                        f"{100 * float(d.effect):+.1f}",
                        _pvalue(d.q_value),
                    ]
                    for r, d in zip(rates, rows, strict=True)
                ],
                hovertemplate="<b>%{y}</b><br>"
                + side
                + " (%{customdata[1]}): %{customdata[0]:.1f}% end in this outcome"
                "<br>effect %{customdata[3]} points, p = %{customdata[2]},"
                " q = %{customdata[4]}<extra></extra>",
            )
        )
    fig.add_vline(x=100 * base, line={"color": "#333", "width": 1, "dash": "dot"})
    fig.update_layout(barmode="group", bargap=0.25, bargroupgap=0.05)
    fig.update_xaxes(
        title=f"share of runs ending in this outcome (%); dotted line: all runs, {_pct(base)};"
        " faded: q ≥ 0.05 (p adjusted for every input tested)"
    )
    label = res.outcome_labels.get(outcome, outcome)
    return _layout(
        fig, _wrap(f"What moves the chance of: {label}", 90), height=max(300, 90 + 44 * len(rows)),
        legend={"orientation": "h", "y": -0.15},
    )  # fmt: skip


def _tree(res: Results, min_share: float):
    return branch_tree(res.runs, min_share=min_share, examples=3)


def _drivers(res: Results, outcome: str, top: int = 10) -> list:
    return list(drivers(res.runs, outcome=outcome, top=top))


def _explainable(res: Results) -> list[str]:
    """Outcomes whose drivers mean something: reached by some runs, not by all."""
    n = len(res.runs)
    return [o for o, k in res.outcome_counts().items() if 0 < k < n]


@dataclass
class _Parts:
    figures: dict[str, go.Figure]
    tree: Any
    fans: dict[str, Fan]
    milestone_stats: list[dict]
    drivers: dict[str, list]


def _parts(res: Results, min_share: float, all_outcomes: bool = True) -> _Parts:
    figs: dict[str, go.Figure] = {"outcomes": outcome_figure(res)}
    by_point = outcome_by_point_figure(res)
    if by_point is not None:
        figs["outcomes_by_point"] = by_point
    root = _tree(res, min_share)
    figs["tree"] = tree_figure(res, root)
    initial = res.runs["personnel_initial"]
    start = (
        f" (of {int(initial.iloc[0]):,} at the start)"
        if len(initial) and initial.nunique() == 1
        else ""
    )
    fans = {
        "evacuated": fan_quantiles(res.runs["evacuated_by_week"], res.runs["days"]),
        "lost": fan_quantiles(res.runs["lost_by_week"], res.runs["days"]),
    }
    figs["evacuated"] = fan_figure(
        fans["evacuated"], f"Personnel evacuated by day{start}", "personnel evacuated", "#4e79a7"
    )
    figs["lost"] = fan_figure(
        fans["lost"], "Personnel lost (killed or captured) by day", "personnel lost", "#e15759"
    )
    stats = milestone_day_stats(res)
    days_fig = milestone_days_figure(res, stats)
    if days_fig is not None:
        figs["milestone_days"] = days_fig
    explain = _explainable(res)
    found: dict[str, list] = {}
    for i, oid in enumerate(explain if all_outcomes else explain[:1]):
        found[oid] = _drivers(res, oid)
        if i == 0:
            base = res.outcome_counts()[oid] / len(res.runs)
            tornado = tornado_figure(res, found[oid], oid, base)
            if tornado is not None:
                figs["drivers"] = tornado
    return _Parts(figs, root, fans, stats, found)


def figures(
    runs: str | Path | Results | pa.Table, manifest: dict | None = None, *, min_share: float = 0.01
) -> dict[str, go.Figure]:
    """The report's charts by name: outcomes, [outcomes_by_point], tree, evacuated, lost,
    [milestone_days], [drivers] (tornado for the most frequent outcome that not every run reaches).
    `runs`: a runs table with its `manifest`, a Results, or a results folder."""
    res = as_results(runs, manifest)
    return _parts(res, min_share, all_outcomes=False).figures


# ---------------------------------------------------------------- the page

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #222; background: #fafafa; margin: 0; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 60px; background: #fff;
       box-shadow: 0 0 0 1px #e6e6e6; }
h1 { font-size: 1.6em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.25em; margin: 2em 0 0.4em; padding-bottom: 0.2em; border-bottom: 2px solid #eee; }
h3 { font-size: 1.05em; margin: 1.4em 0 0.3em; }
.sub { color: #666; margin: 0 0 1em; }
.warn { background: #fff4e5; border: 1px solid #f0b46c; padding: 8px 12px; border-radius: 4px; }
.note { color: #555; font-size: 0.93em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.meta th { background: none; width: 13em; color: #555; font-weight: 500; }
code { background: #f3f3f3; padding: 1px 4px; border-radius: 3px; font-size: 0.92em; }
details { margin: 0.5em 0; } summary { cursor: pointer; font-weight: 600; }
nav a { margin-right: 1em; color: #2b5d8a; text-decoration: none; } nav { margin: 0.6em 0 0; }
.chart { margin: 0.5em 0 1em; }
.small { color: #666; font-size: 0.85em; }
footer { margin-top: 3em; color: #888; font-size: 0.85em; }
"""


class _Html(str):
    """A table cell that is already HTML (escaped by whoever made it)."""


def _cell(c: Any) -> str:
    return str(c) if isinstance(c, _Html) else _esc(c)


def _table(
    header: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(), cls: str = ""
) -> str:
    head = "".join(
        f'<th class="n">{_esc(h)}</th>' if i in numeric else f"<th>{_esc(h)}</th>"
        for i, h in enumerate(header)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="n">{_cell(c)}</td>' if i in numeric else f"<td>{_cell(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _meta_table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="meta"><tbody>{body}</tbody></table>'


def _header(res: Results) -> str:
    m, sc, plan = res.manifest, res.scenario, res.plan
    title = sc.get("title") or m.get("scenario_id") or "Monte Carlo"
    n = len(res.runs)
    points = plan.get("points") or [{}]
    overrides = plan.get("overrides") or {}
    swept: dict[str, list] = {}
    for pt in points:
        for k, v in (pt or {}).items():
            swept.setdefault(k, [])
            if v not in swept[k]:
                swept[k].append(v)
    sweep_text = "none"
    if any(swept.values()):
        parts = []
        for k, vals in swept.items():
            shown = ", ".join(str(v) for v in vals[:8]) + (
                f", … ({len(vals)} values)" if len(vals) > 8 else ""
            )
            parts.append(f"<code>{_esc(k)}</code> = {_esc(shown)}")
        sweep_text = f"{len(points)} points × {plan.get('runs', '?')} runs: " + "; ".join(parts)
    rows = [
        (
            "scenario",
            f"{_esc(title)} (<code>{_esc(m.get('scenario_id', sc.get('id', '?')))}</code>)",
        ),
        (
            "runs",
            f"{n:,}"
            + (
                f" of {m.get('total_runs'):,} planned"
                if m.get("total_runs") not in (None, n)
                else ""
            ),
        ),
        ("root seed", _esc(m.get("root_seed", plan.get("seed", "–")))),
        (
            "scenario start, horizon",
            f"{_esc(sc.get('start_date', '–'))}, {_esc(plan.get('days') or sc.get('horizon_days', '–'))} days",
        ),
        (
            "overrides (--set)",
            "none"
            if not overrides
            else "; ".join(f"<code>{_esc(k)}={_esc(v)}</code>" for k, v in overrides.items()),
        ),
        ("sweep", sweep_text),
    ]
    if plan.get("fork_day") is not None:
        forced = ", ".join(plan.get("force") or []) or "nothing forced"
        rows.append(
            (
                "fork",
                f"continuations of run seed {_esc(plan.get('seed'))} from day {_esc(plan['fork_day'])}; {_esc(forced)}",
            )
        )
    rows += [
        ("computed", f"{_esc(_date(m.get('started')))} → {_esc(_date(m.get('finished')))}"
                     f" ({_esc(m.get('backend', '?'))}, {_esc(m.get('workers', '?'))} worker{'' if m.get('workers') == 1 else 's'})"),
        ("package version", _esc(m.get("package_version", "–"))),
        ("scenario file", f"<code>{_esc(m.get('scenario_file', plan.get('scenario', '–')))}</code>"
                          f" (sha256 {_esc(str(m.get('scenario_sha256', '–'))[:12])}…)"),
    ]  # fmt: skip
    warn = ""
    if not res.complete or m.get("status") not in (None, "complete"):
        warn = (f'<p class="warn">This Monte Carlo is not complete (status: {_esc(m.get("status", "?"))}): '
                f"the report shows the {n:,} runs finished so far.</p>")  # fmt: skip
    desc = sc.get("description")
    return (
        f"<h1>{_esc(title)}</h1>"
        f'<p class="sub">Monte Carlo report · {n:,} runs · scenario <code>{_esc(m.get("scenario_id", "?"))}</code></p>'
        + warn
        + (f'<p class="note">{_esc(desc.strip())}</p>' if desc else "")
        + _meta_table(rows)
    )


HOW_TO_READ = """
<h2 id="how">How to read this</h2>
<ul>
<li>Each run plays the same scenario with different random draws: the actors' private values (how tempted
they are to break a deal, their reservation points, their resolve) and the chance events. The report
counts what happens across the runs; it is a distribution of futures, not a forecast of one.</li>
<li><b>Outcomes</b>: the share of runs ending in each named outcome. The whisker is a 95% Wilson interval:
the uncertainty that comes from the number of runs alone (more runs narrow it), not from the model's
assumptions.</li>
<li><b>Branches</b>: read the icicle from left to right. Each box is a milestone reached after the ones to
its left; its size is the number of runs that took that path, so the boxes to the right of a box add up
to that box: “no further milestone” holds the runs whose path stops there, “other” the branches too rare to
draw. The colour tells how the outcome picked in the menu fares beneath the box: blue where it is more
frequent than over all runs, red where it is less. Click a box to zoom in, click the leftmost box to zoom
out; hover for the share of all runs, its interval, the median day, the outcomes and runs to replay.</li>
<li><b>Fans</b>: the line is the median run on each day; the dark band holds the middle half of the runs
(25th to 75th percentile) and the light band four runs in five (10th to 90th). A run that has ended keeps
its final count.</li>
<li><b>Milestone days</b>: for the runs that reach a milestone, the box spans the 25th–75th percentile of
the day it is reached, the whiskers the 10th–90th, the line is the median; the share of runs that reach
it at all is in brackets.</li>
<li><b>Drivers</b>: for one outcome, how its share differs between the runs where an input is low and
those where it is high: the lowest and highest third of a drawn private value, or the lowest and highest
value of a swept setting. The bars start at the outcome's share over all runs; the inputs are sorted by
the gap between the two. Only inputs are candidates: results such as losses or utilities are consequences
of the same run. A driver is an association within this model, not proof of cause; the p-value (a
Mann-Whitney test of the input between the runs with and without the outcome) says how surely it is not
chance in this many runs. Many inputs are tested at once, and among twenty pure-noise inputs one will
show p below 0.05 by chance: the q value adjusts p for all the inputs tested (Benjamini and Hochberg
1995), and the bars of inputs with q of 0.05 or more (or no q, when every run or none ends in the
outcome) are drawn pale.</li>
<li>To replay a run, use its seed: <code>wargame run SCENARIO --seed SEED</code>, with the same
<code>--set</code> values (and the run's sweep point).</li>
</ul>
"""


def _key_numbers(res: Results) -> str:
    cols = [
        ("personnel_evacuated", "personnel evacuated"),
        ("personnel_lost", "personnel lost"),
        ("personnel_captured", "personnel captured"),
        ("personnel_present", "personnel still in place"),
        ("equipment_out_t", "equipment out (t)"),
        ("equipment_lost_t", "equipment lost (t)"),
        ("agreements_signed", "agreements signed"),
        ("agreements_broken", "agreements broken"),
    ]
    cols += [
        (c, f"utility: {res.actor_names.get(c[8:], c[8:])}")
        for c in res.runs.columns
        if c.startswith("utility_")
    ]
    rows = []
    for col, label in cols:
        if col not in res.runs.columns:
            continue
        values = res.runs[col].dropna().to_numpy(dtype=float)
        if not len(values):
            continue
        q = _quantiles(values)
        digits = 2 if col.startswith("utility_") else 0
        rows.append(
            [label]
            + [_num(v, digits) for v in (values.mean(), q["p10"], q["p50"], q["p90"], values.max())]
        )
    return _table(["", "mean", "10%", "median", "90%", "max"], rows, numeric={1, 2, 3, 4, 5})


def _outcome_table(res: Results) -> str:
    n = len(res.runs)
    rows = []
    seeds = res.runs.groupby("outcome")["seed"].apply(lambda s: list(s.head(3)))
    for oid, k in res.outcome_counts().items():
        lo, hi = wilson(k, n)
        ex = ", ".join(str(s) for s in seeds.get(oid, []))
        rows.append(
            [
                res.outcome_labels.get(oid, oid),
                oid,
                f"{k:,}",
                _pct(k / n if n else 0),
                f"{_pct(lo)} – {_pct(hi)}",
                ex or "–",
            ]
        )
    return _table(
        ["outcome", "id", "runs", "share", "95% Wilson", "example seeds"], rows, numeric={2, 3, 4}
    )


def _milestone_table(res: Results, stats: list[dict]) -> str:
    rows = [[s["label"], f"{s['runs']:,}", _pct(s["share"]), _num(s["p10"]), _num(s["p25"]), _num(s["p50"]), _num(s["p75"]), _num(s["p90"])]
            for s in stats]  # fmt: skip
    never = [
        label for mid, label in res.milestone_labels.items() if mid not in {s["id"] for s in stats}
    ]
    out = _table(
        ["milestone", "runs", "share", "10%", "25%", "median", "75%", "90%"],
        rows,
        numeric=set(range(1, 8)),
    )
    if never:
        out += f'<p class="note">Never reached in any run: {_esc("; ".join(never))}.</p>'
    return out


def _drivers_table(res: Results, drivers: list) -> str:
    if not drivers:
        return (
            '<p class="note">No input varies across these runs, so none can drive the outcome.</p>'
        )

    def share(d, side: str) -> _Html:
        group = _group(d, side)
        text = _esc(_pct(getattr(d, f"{side}_rate")))
        return _Html(text + (f'<br><span class="small">{_esc(group)}</span>' if group else ""))

    rows = [
        [_Html(f'{_esc(_driver_label(res, d))}<br><span class="small"><code>{_esc(d.name)}</code>'
               f" · {_esc(d.kind)}</span>"),
         share(d, "low"), share(d, "high"), f"{100 * float(d.effect):+.1f}", d.direction, _pvalue(d.p_value),
         _pvalue(d.q_value)]
        for d in drivers
    ]  # fmt: skip
    return _table(["input", "share when low", "share when high", "effect (points)", "direction",
                   "p (Mann-Whitney)", "q (adjusted for all inputs)"], rows, numeric={1, 2, 3, 5, 6})  # fmt: skip


def _div(fig: go.Figure, div_id: str) -> str:
    return (
        '<div class="chart">'
        + fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=CONFIG)
        + "</div>"
    )


def _tree_top_paths(res: Results, root, limit: int = 12) -> str:
    """The most frequent complete paths (leaves other than "other") as a table, for readers who
    prefer text."""
    leaves: list = []

    def walk(node):
        if not node.children and node.path and node.label != OTHER:
            leaves.append(node)
        for c in node.children:
            walk(c)

    walk(root)
    leaves.sort(key=lambda nd: -nd.runs)
    rows = []
    for nd in leaves[:limit]:
        path = " → ".join(res.milestone_labels.get(p, str(p)) for p in nd.path)
        top = sorted((nd.outcomes or {}).items(), key=lambda kv: -kv[1])
        top_text = (
            f"{res.outcome_labels.get(top[0][0], top[0][0])} ({_pct(top[0][1] / nd.runs if nd.runs else 0, 0)})"
            if top
            else "–"
        )
        rows.append([path, f"{nd.runs:,}", _pct(nd.share), top_text])
    if not rows:
        return ""
    return "<details><summary>The most frequent complete paths, as text</summary>" + _table(
        ["path", "runs", "share", "most frequent outcome"], rows, numeric={1, 2}
    ) + "</details>"  # fmt: skip


def build_report(
    runs: str | Path | Results | pa.Table, manifest: dict | None = None, *, min_share: float = 0.01
) -> str:
    """The whole report as one self-contained HTML page (plotly.js inline, no external resource).
    `runs`: a runs table with its `manifest`, a Results, or a results folder."""
    import plotly.offline

    res = as_results(runs, manifest)
    parts = _parts(res, min_share)
    figs = parts.figures
    counts = res.outcome_counts()
    n = len(res.runs)
    explain = list(parts.drivers)
    sections: list[str] = [_header(res)]
    sections.append(
        '<nav><a href="#outcomes">Outcomes</a><a href="#tree">Branches</a><a href="#time">Over time</a>'
        '<a href="#milestones">Milestones</a><a href="#drivers">Drivers</a><a href="#how">How to read this</a></nav>'
    )

    sections.append('<h2 id="outcomes">Outcomes</h2>')
    occurring = [o for o, k in counts.items() if k]
    if len(occurring) == 1:
        sections.append(
            f'<p class="note">Every run ends in the same outcome: <b>{_esc(res.outcome_labels[occurring[0]])}</b>.</p>'
        )
    sections.append(_div(figs["outcomes"], "fig-outcomes"))
    sections.append(_outcome_table(res))
    if "outcomes_by_point" in figs:
        sections.append(_div(figs["outcomes_by_point"], "fig-outcomes-by-point"))
    sections.append("<h3>Key numbers at the end of the runs</h3>" + _key_numbers(res))

    sections.append('<h2 id="tree">Branches</h2>')
    sections.append(
        '<p class="note">Each box is a milestone, reached after those to its left, sized by its runs; the boxes'
        " to its right add up to it exactly: “no further milestone” holds the runs whose path stops there, and"
        f" “other” folds the branches with less than {_pct(min_share)} of all runs. The colour is the share of"
        " the box's runs that end in the outcome chosen in the menu: blue above its share over all runs, red below."
        " Click a box to open it, and the box on the left to go back.</p>"
    )
    sections.append(_div(figs["tree"], "fig-tree"))
    sections.append(_tree_top_paths(res, parts.tree))

    sections.append('<h2 id="time">Over time</h2>')
    sections.append(_div(figs["evacuated"], "fig-evacuated"))
    sections.append(_div(figs["lost"], "fig-lost"))

    sections.append('<h2 id="milestones">Milestones</h2>')
    if "milestone_days" in figs:
        sections.append(_div(figs["milestone_days"], "fig-milestone-days"))
    else:
        sections.append('<p class="note">No run reached any milestone.</p>')
    sections.append(_milestone_table(res, parts.milestone_stats))

    sections.append('<h2 id="drivers">Drivers</h2>')
    if not explain:
        sections.append(
            '<p class="note">Only one outcome occurs, so there is nothing for inputs to explain.</p>'
        )
    else:
        first = explain[0]
        sections.append(
            f"<h3>{_esc(res.outcome_labels[first])} ({_pct(counts[first] / n)} of runs)</h3>"
            + (_div(figs["drivers"], "fig-drivers") if "drivers" in figs else "")
            + _drivers_table(res, parts.drivers[first])
        )
        for oid in explain[1:]:
            sections.append(
                f"<details><summary>{_esc(res.outcome_labels[oid])} ({_pct(counts[oid] / n)} of runs)</summary>"
                + _drivers_table(res, parts.drivers[oid])
                + "</details>"
            )
    sections.append(HOW_TO_READ)
    sections.append(
        "<footer>Made by wargame.report from "
        + (
            f"{_esc(res.folder.name)}/{RUNS_FILE} and {MANIFEST}"
            if res.folder
            else "runs in memory"
        )
        + f" · package {_esc(res.manifest.get('package_version', '?'))}</footer>"
    )
    title = res.scenario.get("title") or res.manifest.get("scenario_id") or "Monte Carlo report"
    plotly_js = plotly.offline.get_plotlyjs()
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)} · Monte Carlo report</title>\n<style>{CSS}</style>\n"
        f'<script type="text/javascript">{plotly_js}</script>\n'
        "</head>\n<body>\n<main>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )


def write_report(
    runs: str | Path | Results | pa.Table,
    html_path: str | Path,
    min_share: float = 0.01,
    manifest: dict | None = None,
) -> Path:
    """Write build_report(runs, manifest) to html_path (its folder is made if needed); return the path."""
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(build_report(runs, manifest, min_share=min_share), encoding="utf-8")
    return html_path
