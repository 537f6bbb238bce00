"""The Monte Carlo report's parts for the Many runs tab: the report's own charts (wargame.presentation
.charts: fans of personnel evacuated and lost, the days milestones are reached, the tornado of drivers),
their tables in the scenario's words with ids in tooltips, and the outcome and branch charts made
readable in a page's column (counts never cut, the branch chart's title clear of its menu).

Pure functions over Results: no Solara here, so a notebook draws the same parts.
"""

from __future__ import annotations

import html
import math
import re

import plotly.graph_objects as go

from viz.words import short_seed
from wargame.analysis.drivers import Driver, drivers
from wargame.analysis.results import Results
from wargame.analysis.statistics import fan_quantiles, milestone_day_stats
from wargame.presentation.charts import (
    fan_figure,
    milestone_days_figure,
    outcome_figure,
    tornado_figure,
    tree_figure,
)
from wargame.presentation.formatting import driver_group, driver_label, pct, pvalue, wrap

CELL = "padding:3px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top;"
NUMBER = CELL + "text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;"
LONG_SEED = re.compile(r"seed (\d{7,})")
COUNT_ROOM = 150
BELOW = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
}  # px right of the plot for "1,554 runs · 77.7%" beside the longest bar


def _table(header: list[tuple[str, bool]], rows: list[list[str]], cls: str) -> str:
    """An HTML table from cells already escaped; (heading, numeric) per column."""
    head = "".join(
        f'<th style="{NUMBER if numeric else CELL}background:#f4f4f4">{html.escape(h)}</th>'
        for h, numeric in header
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="{NUMBER if numeric else CELL}">{cell}</td>'
            for cell, (_, numeric) in zip(row, header, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="{cls}" style="border-collapse:collapse;font-size:0.9em">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def _tip(label: str, ident: str) -> str:
    return f'<span title="{html.escape(ident, quote=True)}">{html.escape(label)}</span>'


def fitted(fig: go.Figure) -> go.Figure:
    """A report's figure for a column of the page: as wide as the column, axes that make room for their
    labels, a long axis title wrapped rather than cut, and the legend across the foot of the figure,
    under the axis's title whatever the width (placed in the whole figure, it makes room for itself)."""
    fig.update_layout(autosize=True, width=None)
    fig.update_yaxes(automargin=True)
    title = fig.layout.xaxis.title.text
    fig.update_xaxes(automargin=True, **({"title_text": wrap(title, 70)} if title else {}))
    if fig.layout.showlegend is not False:
        fig.update_layout(legend=BELOW, margin={"b": 10})
    return fig


# ---------------------------------------------------------------- outcomes and branches


def outcomes_chart(res: Results) -> go.Figure:
    """The report's outcome chart with room on the right for each bar's count, whatever the width."""
    fig = outcome_figure(res)
    fig.update_layout(autosize=True, margin={"r": COUNT_ROOM})
    fig.update_yaxes(automargin=True)
    return fig


def branches_chart(res: Results, tree) -> go.Figure:
    """The report's icicle with its colour menu under the title rather than over it."""
    fig = tree_figure(res, tree)
    fig.update_layout(autosize=True, margin={"t": 96})
    # a hover is no place for 19 digits: seeds by their last digits (the whole seed is in the exports
    # and in the branch panel's tooltip)
    hover = [
        LONG_SEED.sub(lambda m: f"seed {short_seed(int(m[1]))}", h) for h in fig.data[0].customdata
    ]
    # the path of a zoomed box under the chart, where the colour menu cannot cover it
    fig.update_traces(customdata=hover, pathbar={"side": "bottom"})
    if fig.layout.updatemenus:
        fig.update_layout(title={"y": 0.985, "yanchor": "top", "yref": "container"})
        fig.update_layout(
            updatemenus=[
                {"x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "pad": {"b": 6}}
            ]
        )
        fig.add_annotation(
            text="colour: share ending in", x=0, xref="paper", xanchor="left", y=1.0, yref="paper",
            yanchor="bottom", yshift=36, showarrow=False, font={"size": 11, "color": "#555"},
        )  # fmt: skip
    return fig


# ---------------------------------------------------------------- over time


def fan_charts(res: Results) -> tuple[go.Figure, go.Figure]:
    """The report's fans: personnel evacuated and lost by day (median, 25–75% and 10–90% of runs)."""
    runs = res.runs
    initial = runs["personnel_initial"] if "personnel_initial" in runs.columns else None
    start = (
        f" (of {int(initial.iloc[0]):,} at the start)"
        if initial is not None and len(initial) and initial.nunique() == 1
        else ""
    )
    evacuated = fan_quantiles(runs["evacuated_by_week"], runs["days"])
    lost = fan_quantiles(runs["lost_by_week"], runs["days"])
    out = (
        fan_figure(
            evacuated, f"Personnel evacuated by day{start}", "personnel evacuated", "#4e79a7"
        ),
        fan_figure(lost, "Personnel lost (killed or captured) by day", "personnel lost", "#e15759"),
    )
    for fig in out:
        fitted(fig)
    return out


# ---------------------------------------------------------------- milestones


def milestone_timing(res: Results) -> tuple[go.Figure | None, str]:
    """The report's chart of the days milestones are reached, and its table in words."""
    stats = milestone_day_stats(res)
    fig = milestone_days_figure(res, stats)
    if fig is not None:
        fitted(fig)

    def day(x: float) -> str:
        return "–" if x is None or math.isnan(x) else f"{x:g}"

    rows = [
        [_tip(s["label"], s["id"]), f"{s['runs']:,}", pct(s["share"])]
        + [day(s[q]) for q in ("p10", "p25", "p50", "p75", "p90")]
        for s in stats
    ]
    header = [("milestone", False), ("runs", True), ("share", True), ("day: 10%", True),
              ("25%", True), ("median", True), ("75%", True), ("90%", True)]  # fmt: skip
    table = _table(header, rows, "milestone-timing") if rows else ""
    never = [
        _tip(label, mid)
        for mid, label in res.milestone_labels.items()
        if mid not in {s["id"] for s in stats}
    ]
    if never:
        table += f'<p style="font-size:0.85em;color:#555">Never reached in these runs: {"; ".join(never)}.</p>'
    return fig, table


# ---------------------------------------------------------------- drivers


def explainable(res: Results) -> list[str]:
    """Outcomes whose drivers mean something: reached by some runs, not by all (most frequent first)."""
    n = len(res.runs)
    return [o for o, k in res.outcome_counts().items() if 0 < k < n]


def outcome_drivers(res: Results, outcome: str, top: int = 10) -> list[Driver]:
    return list(drivers(res.runs, outcome=outcome, top=top))


def drivers_part(res: Results, outcome: str) -> tuple[go.Figure | None, str]:
    """The report's tornado for one outcome and its table of inputs in words (the column in a tooltip)."""
    found = outcome_drivers(res, outcome)
    base = res.outcome_counts().get(outcome, 0) / max(len(res.runs), 1)
    fig = tornado_figure(res, found, outcome, base)
    if fig is not None:
        fitted(fig)
    if not found:
        return (
            fig,
            '<p style="color:#555">No input varies across these runs, so none can drive this outcome.</p>',
        )

    def side(d: Driver, which: str) -> str:
        group = driver_group(d, which)
        text = html.escape(pct(getattr(d, f"{which}_rate")))
        return text + (
            f'<br><span style="font-size:0.85em;color:#666">{html.escape(group)}</span>'
            if group
            else ""
        )

    rows = [
        [_tip(driver_label(res, d), d.name), side(d, "low"), side(d, "high"),
         f"{100 * float(d.effect):+.1f}".replace("-", "−"), html.escape(d.direction),
         pvalue(d.p_value), pvalue(d.q_value)]
        for d in found
    ]  # fmt: skip
    header = [("input", False), ("share when low", True), ("share when high", True),
              ("effect (points)", True), ("direction", False), ("p (Mann-Whitney)", True),
              ("q (adjusted for all inputs)", True)]  # fmt: skip
    return fig, _table(header, rows, "drivers-table")
