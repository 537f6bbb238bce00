"""The charts of many runs, drawn by the HTML report and by the browser UI alike: the outcomes with their
Wilson intervals, the outcomes at each sweep point, the branch icicle, the fans of numbers over time, the
days milestones are reached and the tornado of drivers. Each takes a Results (and what was computed from
it) and returns a plotly Figure.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from wargame.analysis.branching import END, OTHER
from wargame.analysis.results import Results
from wargame.analysis.statistics import Fan, wilson
from wargame.presentation.formatting import (
    driver_group,
    driver_label,
    esc,
    pct,
    pvalue,
    runs_text,
    wrap,
    wrap_escaped,
)

PALETTE = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
)  # fmt: skip


def outcome_colors(res: Results) -> dict[str, str]:
    """A colour per outcome, in the order of res.outcome_labels."""
    return {oid: PALETTE[i % len(PALETTE)] for i, oid in enumerate(res.outcome_labels)}


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
    colors = outcome_colors(res)
    ids = list(counts)[::-1]  # plotly draws the first category at the bottom
    shares = [counts[o] / n if n else 0.0 for o in ids]
    cis = [wilson(counts[o], n) for o in ids]
    fig = go.Figure(
        go.Bar(
            y=[wrap(res.outcome_labels[o], 45) for o in ids],
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
            y=[wrap(res.outcome_labels[o], 45) for o in ids],
            x=[100 * hi for _, hi in cis],
            mode="text",
            text=[
                f"  {runs_text(counts[o])} · {pct(s)}" if counts[o] else "  never"
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
    colors = outcome_colors(res)
    labels = [_point_label(res, int(p)) for p in table.index]
    fig = go.Figure()
    for oid in res.outcome_labels:
        if oid not in table.columns:
            continue
        fig.add_trace(
            go.Bar(
                x=labels,
                y=100 * table[oid].to_numpy(),
                name=wrap(res.outcome_labels[oid], 40),
                marker_color=colors.get(oid),
                customdata=[int(counts[p]) for p in table.index],
                hovertemplate="%{x}<br>%{y:.1f}% of %{customdata} runs<extra>"
                + esc(oid)
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
            f"<b>{esc(label)}</b>",
            f"path: {wrap_escaped(path, 90)}",
            f"{runs_text(node.runs)}: {pct(node.share)} of all (95% Wilson {pct(node.ci_low)} – {pct(node.ci_high)})",
            f"{pct(node.share_of_parent)} of the runs of the box to its left",
        ]
        if node.median_day is not None and not math.isnan(float(node.median_day)):
            lines.append(f"median day reached: {float(node.median_day):g}")
        lines.append("outcomes:")
        for oid, k in outcomes[:3]:
            lines.append(
                f"  {wrap_escaped(res.outcome_labels.get(oid, oid), 70)}: {k:,} ({pct(k / node.runs if node.runs else 0)})"
            )
        if len(outcomes) > 3:
            lines.append(f"  … and {len(outcomes) - 3} more")
        if node.examples:
            ex = ", ".join(
                f"{e} (seed {seeds[e]})" if e in seeds else str(e) for e in node.examples
            )
            lines.append("example runs: " + esc(ex))
        out.append({"id": node_id, "parent": "" if parent is None else id_of[id(parent)], "label": wrap(label, 24),
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
        title = wrap(f"share ending in: {res.outcome_labels.get(oid, oid)}", 22)
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


def milestone_days_figure(res: Results, stats: list[dict]) -> go.Figure | None:
    if not stats:
        return None
    rows = stats[::-1]  # earliest at the top
    names = [wrap(f"{s['label']} ({pct(s['share'], 0)})", 48) for s in rows]
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
    names = [wrap(driver_label(res, d), 40) for d in rows]
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
                        driver_group(d, side),
                        pvalue(d.p_value),
                        f"{100 * float(d.effect):+.1f}",
                        pvalue(d.q_value),
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
        title=f"share of runs ending in this outcome (%); dotted line: all runs, {pct(base)};"
        " faded: q ≥ 0.05 (p adjusted for every input tested)"
    )
    label = res.outcome_labels.get(outcome, outcome)
    return _layout(
        fig, wrap(f"What moves the chance of: {label}", 90), height=max(300, 90 + 44 * len(rows)),
        legend={"orientation": "h", "y": -0.15},
    )  # fmt: skip
