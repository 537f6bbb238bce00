"""Charts of one run (the talks at a table over time, the figures day by day) and of two sets of runs side
by side. The charts of many runs (outcomes, the branch icicle, fans) are the HTML report's own
(wargame.presentation.report): one chart, two places.
"""

from __future__ import annotations

import plotly.graph_objects as go

from viz.geography import actor_colours
from wargame.analysis.results import Results
from wargame.analysis.statistics import wilson
from wargame.presentation.formatting import esc, wrap_escaped

ANALYST = None  # the viewer who sees everything
# A small template: plotly's default one costs a chart widget ~30 ms to check at every redraw of a run.
LIGHT = {"layout": {"xaxis": {"showgrid": True, "gridcolor": "#e8e8e8", "zeroline": False},
                    "yaxis": {"showgrid": True, "gridcolor": "#e8e8e8", "zeroline": False},
                    "plot_bgcolor": "white", "font": {"size": 12}}}  # fmt: skip


def rounds_seen(pictures, table: str) -> list[dict]:
    """Every round at `table` logged on the days pictured, in order (a viewer's pictures hold only the
    reasons and outside option of that viewer)."""
    out = []
    for p in pictures:
        out += [
            {**e, "day": p["day"]} for e in p["log"] if e["kind"] == "round" and e["table"] == table
        ]
    return out


def whole_step(span: float, most: int = 10) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, ...) that puts at most `most` ticks over `span`: rounds
    and days are counted, never 2.5."""
    step = 1
    while span / step > most:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step


def talks_caption(viewer: str | None = ANALYST) -> str:
    """What the talks chart shows, said in words beside it."""
    believed = (
        "dotted, that outside option as the others believe it (the mean of their beliefs)"
        if viewer is ANALYST
        else "dotted, the outside option you believe each of the others has (never what it is)"
    )
    return (
        "Each round of talks at this table, left to right. Solid: what the offer on the table was worth "
        "to each participant (0 worst, 1 best), a filled marker where it said yes and an open one where "
        "it said no; dashed: what that participant can get without a deal (its outside option); "
        f"{believed}. Above its dashed line, an offer beats what the participant has without a deal."
    )


# A legend across the foot of the chart, under the axis's title whatever the chart's width (placed in the
# whole figure, not the plotting area, it makes room for itself).
BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0, "yanchor": "bottom",
         "font": {"size": 11}}  # fmt: skip
NO_OFFER = {"text": "no offer made at this table yet", "showarrow": False, "x": 0.5, "y": 0.5,
            "xref": "paper", "yref": "paper"}  # fmt: skip


def talks_figure(
    pictures, table: str, names: dict[str, str], viewer: str | None = ANALYST
) -> go.Figure:
    """Each offer made at `table`, as worth to each participant (solid, a filled marker where it said
    yes), against what that participant can get without a deal (dashed). The analyst also sees, dotted,
    what the others believe each participant's outside option to be; a seat sees its own lines and, dotted,
    what it believes the others' outside options to be (never what they are)."""
    colours = actor_colours(list(names))
    rounds = rounds_seen(pictures, table)
    fig = go.Figure(layout={"template": LIGHT})
    participants: list[str] = []
    for r in rounds:
        for a in list(r["reasons"]) + list(r["reservations"]):
            if a not in participants:
                participants.append(a)
    drawn = list(participants)  # the actors with a line on the chart, in the order of their lines
    for a in participants:
        days = [r["day"] for r in rounds]
        xs = list(range(1, len(rounds) + 1))
        worth = [r["reasons"][a][0] if a in r["reasons"] else None for r in rounds]
        said = [r["answers"].get(a) for r in rounds]
        hover = [
            f"round {i} (day {d})<br>{names.get(r['proposer'], r['proposer'])} offers "
            + ", ".join(f"{k}={v}" for k, v in r["offer"].items())
            + (f"<br>worth {w:.2f} to {names.get(a, a)}" if w is not None else "")
            + ("<br>it says yes" if s else "<br>it says no" if s is not None else "")
            for i, (r, w, s, d) in enumerate(zip(rounds, worth, said, days, strict=True), 1)
        ]
        fig.add_trace(
            go.Scatter(
                x=xs, y=worth, mode="lines+markers", name=f"{names.get(a, a)}: offer's worth",
                line={"color": colours.get(a)}, legendgroup=a, showlegend=False,
                marker={"symbol": ["circle" if s else "circle-open" for s in said], "size": 8},
                hovertext=hover, hoverinfo="text", connectgaps=True,
            )
        )  # fmt: skip
        reservation = [r["reservations"].get(a) for r in rounds]
        fig.add_trace(
            go.Scatter(
                x=xs, y=reservation, mode="lines", name=f"{names.get(a, a)}: outside option",
                line={"color": colours.get(a), "dash": "dash"}, legendgroup=a, showlegend=False,
                hovertemplate="outside option %{y:.2f}<extra>" + names.get(a, a) + "</extra>",
            )
        )  # fmt: skip
    if rounds and pictures:
        # dotted: an actor's outside option as others believe it (the analyst: the mean of the others'
        # beliefs; a seat: its own belief about each of the others)
        by_day = {p["day"]: p for p in pictures}
        seated = next((t["participants"] for t in pictures[-1]["tables"] if t["id"] == table), [])
        for a in seated:
            if a == viewer:
                continue
            believed = []
            for r in rounds:
                p = by_day.get(r["day"])
                views = [
                    act["beliefs"][a]["reservation"]
                    for act in (p["actors"] if p else [])
                    if (viewer is ANALYST or act["id"] == viewer)
                    and a in (act.get("beliefs") or {})
                    and "reservation" in act["beliefs"][a]
                ]
                believed.append(sum(views) / len(views) if views else None)
            if any(v is not None for v in believed):
                drawn += [] if a in drawn else [a]
                who = "the others believe it" if viewer is ANALYST else "you believe it"
                fig.add_trace(
                    go.Scatter(
                        x=list(range(1, len(rounds) + 1)), y=believed, mode="lines",
                        name=f"{names.get(a, a)}: outside option as {who}",
                        line={"color": colours.get(a), "dash": "dot", "width": 1}, legendgroup=a,
                        showlegend=False,
                        hovertemplate=f"{who}: %{{y:.2f}}<extra>" + names.get(a, a) + "</extra>",
                    )
                )  # fmt: skip
    for a in drawn:
        # the legend names each actor once (a click hides all its lines); which line is which is the
        # caption's to say (talks_caption): a legend of every line would not fit a narrow column
        fig.add_trace(
            go.Scatter(x=[None], y=[None], mode="lines", name=names.get(a, a), legendgroup=a,
                       line={"color": colours.get(a)}, hoverinfo="skip")
        )  # fmt: skip
    n = max(len(rounds), 1)
    fig.update_xaxes(title="round", range=[0.5, n + 0.5], tickmode="linear", tick0=1, dtick=whole_step(n),
                     tickformat="d", automargin=True)  # fmt: skip
    fig.update_yaxes(title="worth (0 worst, 1 best)", range=[0, 1.05], automargin=True)
    fig.update_layout(
        autosize=True, height=440, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": f"Talks at the {table} table", "font": {"size": 14}},
        legend=BELOW,
        hoverlabel={"align": "left"}, template=LIGHT,
    )  # fmt: skip
    if not rounds:  # (a chart redrawn in place drops it once there are offers: viz.common.Plot)
        fig.add_annotation(**NO_OFFER)
    return fig


def figures_figure(pictures) -> go.Figure:
    """Personnel evacuated, still in the country and lost, day by day, up to the day shown."""
    days = [p["day"] for p in pictures]
    fig = go.Figure(layout={"template": LIGHT})
    for key, label, colour in (
        ("evacuated", "evacuated", "#0072B2"),
        ("present", "still in the country", "#E69F00"),
        ("lost", "lost (killed or captured)", "#D55E00"),
    ):
        fig.add_trace(
            go.Scatter(x=days, y=[p["figures"][key] for p in pictures], mode="lines", name=label,
                       line={"color": colour, "width": 2.5})
        )  # fmt: skip
    last = max(days, default=0)
    fig.update_xaxes(title="day", range=[0, max(last, 1)], tickmode="linear", tick0=0,
                     dtick=whole_step(max(last, 1)), tickformat="d", automargin=True)  # fmt: skip
    fig.update_yaxes(title="personnel", rangemode="tozero", automargin=True)
    fig.update_layout(
        autosize=True, height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": "Personnel", "font": {"size": 14}},
        legend=BELOW, template=LIGHT,
    )  # fmt: skip
    return fig


def side_by_side_figure(
    left: Results, right: Results, left_name: str, right_name: str
) -> go.Figure:
    """The outcome shares of two sets of runs, bar beside bar, with 95% Wilson intervals; each outcome's
    label whole, wrapped over lines, and the legend under the bars."""
    labels = dict(left.outcome_labels)
    for k, v in right.outcome_labels.items():
        labels.setdefault(k, v)
    lc, rc = left.outcome_counts(), right.outcome_counts()
    ids = [o for o in labels if lc.get(o, 0) or rc.get(o, 0)][::-1]
    fig = go.Figure(layout={"template": LIGHT})
    for res, counts, name, colour in (  # a side's name may be what a person typed: shown as text
        (left, lc, esc(left_name), "#0072B2"),
        (right, rc, esc(right_name), "#E69F00"),
    ):
        n = max(len(res.runs), 1)
        shares = [counts.get(o, 0) / n for o in ids]
        cis = [wilson(counts.get(o, 0), n) for o in ids]
        fig.add_trace(
            go.Bar(
                y=[wrap_escaped(labels[o], LABEL_WIDTH) for o in ids], x=[100 * s for s in shares], orientation="h", name=name,
                marker_color=colour,
                error_x={"type": "data", "symmetric": False,
                         "array": [100 * (hi - s) for (lo, hi), s in zip(cis, shares, strict=True)],
                         "arrayminus": [100 * (s - lo) for (lo, hi), s in zip(cis, shares, strict=True)],
                         "thickness": 1, "color": "#444"},
                customdata=[[counts.get(o, 0), n, 100 * lo, 100 * hi] for o, (lo, hi) in zip(ids, cis, strict=True)],
                hovertemplate="%{y}<br>%{customdata[0]} of %{customdata[1]} runs = %{x:.1f}%"
                "<br>95% interval %{customdata[2]:.1f} – %{customdata[3]:.1f}%<extra>" + name + "</extra>",
            )
        )  # fmt: skip
    lines = sum(wrap_escaped(labels[o], LABEL_WIDTH).count("<br>") + 1 for o in ids)
    fig.update_layout(
        barmode="group", autosize=True, height=max(300, 150 + 24 * lines + 26 * len(ids)),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title={"text": "Outcomes side by side", "font": {"size": 14}},
        legend=BELOW, template=LIGHT,
    )  # fmt: skip
    fig.update_xaxes(title="share of runs (%)", rangemode="tozero", automargin=True)
    fig.update_yaxes(automargin=True, showgrid=False)
    return fig


LABEL_WIDTH = 30  # characters of an outcome's label on one line of the side-by-side chart
