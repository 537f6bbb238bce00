"""Two sets of runs side by side, the analyst's main answer to "what if?": for each outcome (and each
milestone) the share of runs in A and in B, each with its 95% Wilson interval, the difference in points,
and whether that difference is larger than chance (Fisher's exact test of the two proportions, at 5%),
said in words. As rows, as a table (escaped HTML, ids in tooltips) and as a dot-and-interval chart.

Pure functions over Results: nothing here starts a model or draws a page.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import plotly.graph_objects as go
from scipy import stats

from wargame.analysis.results import Results
from wargame.analysis.statistics import wilson
from wargame.presentation.formatting import wrap

LEVEL = 0.05  # a difference is called larger than chance below this p
A_COLOUR, B_COLOUR = "#0072B2", "#E69F00"  # Okabe and Ito's blue and orange


@dataclass(frozen=True)
class Share:
    """k of n runs, with the 95% Wilson interval of k/n."""

    k: int
    n: int

    @property
    def share(self) -> float:
        return self.k / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.k, self.n)

    def text(self) -> str:
        """ "41.5% (34.9 – 48.4%)"."""
        lo, hi = self.interval
        return f"{100 * self.share:.1f}% ({100 * lo:.1f} – {100 * hi:.1f}%)"


def two_proportion_p(a: Share, b: Share) -> float:
    """Two-sided p of Fisher's exact test that k/n is the same in A and B (NaN when a side has no runs).
    Exact at any size, so the small counts of a rare outcome need no special case."""
    if not a.n or not b.n:
        return math.nan
    if a.k + b.k == 0 or a.k + b.k == a.n + b.n:
        return 1.0  # nothing to tell apart: every run, or none, in both
    _, p = stats.fisher_exact([[a.k, a.n - a.k], [b.k, b.n - b.k]], alternative="two-sided")
    return float(min(1.0, p))


def p_text(p: float) -> str:
    if math.isnan(p):
        return "–"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


@dataclass(frozen=True)
class PairRow:
    """One outcome or milestone in A and in B."""

    id: str
    label: str
    a: Share
    b: Share

    @property
    def difference(self) -> float:
        """B's share minus A's, in percentage points."""
        return 100 * (self.b.share - self.a.share)

    @property
    def p_value(self) -> float:
        return two_proportion_p(self.a, self.b)

    @property
    def larger_than_chance(self) -> bool:
        p = self.p_value
        return not math.isnan(p) and p < LEVEL

    def verdict(self) -> str:
        """ "larger than chance (p = 0.003)" or "within chance (p = 0.41)"."""
        p = self.p_value
        if math.isnan(p):
            return "no runs to compare"
        return f"{'larger than chance' if p < LEVEL else 'within chance'} ({p_text(p)})"

    def difference_text(self) -> str:
        d = self.difference
        d = 0.0 if round(d, 1) == 0 else d  # no "-0.0"
        return f"{d:+.1f} points".replace("-", "−")


def outcome_pairs(a: Results, b: Results) -> list[PairRow]:
    """Every outcome that ends a run in A or in B, in the scenario's order, named by its label."""
    labels = dict(a.outcome_labels)
    for k, v in b.outcome_labels.items():
        labels.setdefault(k, v)
    ca, cb = a.outcome_counts(), b.outcome_counts()
    na, nb = len(a.runs), len(b.runs)
    return [
        PairRow(o, labels[o], Share(ca.get(o, 0), na), Share(cb.get(o, 0), nb))
        for o in labels
        if ca.get(o, 0) or cb.get(o, 0)
    ]


def _reached(res: Results) -> dict[str, int]:
    runs = res.runs
    return {c[4:]: int(runs[c].notna().sum()) for c in runs.columns if c.startswith("day_")}


def milestone_pairs(a: Results, b: Results) -> list[PairRow]:
    """Every milestone reached in A or in B: the share of runs that reach it, largest move first."""
    labels = dict(a.milestone_labels)
    for k, v in b.milestone_labels.items():
        labels.setdefault(k, v)
    ra, rb = _reached(a), _reached(b)
    na, nb = len(a.runs), len(b.runs)
    rows = [
        PairRow(m, labels.get(m, m), Share(ra.get(m, 0), na), Share(rb.get(m, 0), nb))
        for m in labels
        if ra.get(m, 0) or rb.get(m, 0)
    ]
    return sorted(rows, key=lambda r: -abs(r.difference))


# ---------------------------------------------------------------- as a table

CELL = "padding:4px 8px;border-bottom:1px solid #e4e4e4;vertical-align:top;"
NUMBER = CELL + "text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;"


def pair_table_html(rows: list[PairRow], a_name: str, b_name: str, what: str = "outcome") -> str:
    """The rows as an HTML table (every text escaped; ids in tooltips): what, A's share and interval,
    B's, the difference in points and whether it is larger than chance."""
    e = html.escape
    head = "".join(
        f'<th style="{CELL}text-align:{align};background:#f4f4f4">{e(h)}</th>'
        for h, align in (
            (what, "left"),
            (a_name, "right"),
            (b_name, "right"),
            ("difference (B − A)", "right"),
            ("larger than chance? (Fisher's exact, 5%)", "left"),
        )
    )
    body = []
    for r in rows:
        strong = "font-weight:600;" if r.larger_than_chance else "color:#555;"
        body.append(
            '<tr class="pair-row">'
            f'<td class="pair-label" style="{CELL}" title="{e(r.id, quote=True)}">{e(r.label)}</td>'
            + "".join(
                f'<td class="pair-{side}" style="{NUMBER}" title="{s.k:,} of {s.n:,} runs">'
                f"{e(s.text())}</td>"
                for side, s in (("a", r.a), ("b", r.b))
            )
            + f'<td class="pair-diff" style="{NUMBER}">{e(r.difference_text())}</td>'
            f'<td class="pair-verdict" style="{CELL}{strong}">{e(r.verdict())}</td>'
            "</tr>"
        )
    note = (
        '<p style="font-size:0.85em;color:#555;margin:4px 0 0">A share is followed by its 95% Wilson '
        "interval (what the number of runs alone leaves uncertain). Each row is tested on its own: among "
        "twenty rows with no real difference, one will look larger than chance at 5%.</p>"
    )
    return (
        f'<table class="pair-table pair-{e(what.split()[0])}" style="border-collapse:collapse;'
        f'font-size:0.9em;width:100%"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        f"</table>{note}"
    )


# ---------------------------------------------------------------- as a chart


def pair_figure(rows: list[PairRow], a_name: str, b_name: str, title: str) -> go.Figure:
    """A dot for each share in A and in B, its 95% Wilson interval as a whisker, the rows labelled by
    their names on the axis (wrapped, never cut); as wide as its container."""
    labels = [wrap(r.label, 34) for r in rows][
        ::-1
    ]  # plotly draws the first category at the bottom
    ordered = rows[::-1]
    fig = go.Figure()
    for side, name, colour, symbol in (
        ("a", a_name, A_COLOUR, "circle"),
        ("b", b_name, B_COLOUR, "diamond"),
    ):
        shares = [getattr(r, side) for r in ordered]
        fig.add_trace(
            go.Scatter(
                x=[100 * s.share for s in shares], y=labels, mode="markers", orientation="h",
                name=wrap(name, 60), offsetgroup=side, marker={"color": colour, "size": 9, "symbol": symbol},
                error_x={"type": "data", "symmetric": False, "color": colour, "thickness": 1.5, "width": 4,
                         "array": [100 * (s.interval[1] - s.share) for s in shares],
                         "arrayminus": [100 * (s.share - s.interval[0]) for s in shares]},
                customdata=[[s.k, s.n, 100 * s.interval[0], 100 * s.interval[1], r.difference_text(), r.verdict()]
                            for s, r in zip(shares, ordered, strict=True)],
                hovertemplate="%{y}<br>%{customdata[0]:,} of %{customdata[1]:,} runs = %{x:.1f}%"
                "<br>95% interval %{customdata[2]:.1f} – %{customdata[3]:.1f}%"
                "<br>B − A: %{customdata[4]}, %{customdata[5]}<extra>" + html.escape(name[:40]) + "</extra>",
            )
        )  # fmt: skip
    top = max([100 * max(r.a.interval[1], r.b.interval[1]) for r in rows] + [1.0])
    fig.update_xaxes(
        title="share of runs (%), with 95% Wilson interval",
        range=[0, min(100.0, top * 1.08) + 1],
        showgrid=True, gridcolor="#e8e8e8", zeroline=False, automargin=True,
    )  # fmt: skip
    fig.update_yaxes(automargin=True, showgrid=True, gridcolor="#f2f2f2")
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 14}},
        autosize=True, height=170 + 60 * len(rows),
        margin={"l": 10, "r": 16, "t": 40, "b": 10},
        scattermode="group", scattergap=0.45, plot_bgcolor="white", font={"size": 12},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0,
                "yanchor": "bottom", "font": {"size": 11}},
        hoverlabel={"align": "left"},
    )  # fmt: skip
    return fig
