"""A self-contained HTML report of a Monte Carlo: the page itself, with its header, tables and notes
around the charts of many runs (wargame.presentation.charts). Wherever `runs` is taken, it is a runs
table with its manifest, a Results, or a results folder (wargame.analysis.results).

Pure reading of results: nothing here imports the model or Mesa, and the page needs no network: the
plotly.js bundle is embedded once, inline, and every chart after it reuses it.

    figures(runs, manifest, *, min_share=0.01) -> dict[str, plotly Figure]   the page's charts, for tests and notebooks
    build_report(runs, manifest, *, min_share) -> str     the whole page
    write_report(runs, html_path, min_share, manifest) -> Path   the same, written to a file

load_results and read_runs are not the page's: they are named here only for tests/test_batch.py, which
patches them here (with pyarrow.parquet) to show that a page made from tables in memory reads no disk.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa

from wargame.analysis.branching import OTHER, branch_tree
from wargame.analysis.drivers import drivers
from wargame.analysis.results import Results, as_results
from wargame.analysis.results import load_results as load_results
from wargame.analysis.statistics import Fan, fan_quantiles, milestone_day_stats, percentiles, wilson
from wargame.batch.results_folder import MANIFEST, RUNS_FILE
from wargame.batch.results_folder import read_runs as read_runs
from wargame.presentation.charts import (
    fan_figure,
    milestone_days_figure,
    outcome_by_point_figure,
    outcome_figure,
    tornado_figure,
    tree_figure,
)
from wargame.presentation.formatting import driver_group, driver_label, esc, pct, pvalue

CONFIG = {"displaylogo": False, "responsive": True}


# ---------------------------------------------------------------- text helpers


def _num(x: Any, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if not isinstance(x, float | int | np.number):
        return str(x)
    x = float(x)
    if round(x, digits) == 0:
        x = 0.0  # no "-0.00"
    return f"{x:,.{digits}f}"


def _date(text: str | None) -> str:
    if not text:
        return "–"
    try:
        return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except ValueError:
        return str(text)


# ---------------------------------------------------------------- the page's charts


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
    return str(c) if isinstance(c, _Html) else esc(c)


def _table(
    header: list[str], rows: list[list[Any]], numeric: set[int] = frozenset(), cls: str = ""
) -> str:
    head = "".join(
        f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
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
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
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
            parts.append(f"<code>{esc(k)}</code> = {esc(shown)}")
        sweep_text = f"{len(points)} points × {plan.get('runs', '?')} runs: " + "; ".join(parts)
    rows = [
        (
            "scenario",
            f"{esc(title)} (<code>{esc(m.get('scenario_id', sc.get('id', '?')))}</code>)",
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
        ("root seed", esc(m.get("root_seed", plan.get("seed", "–")))),
        (
            "scenario start, horizon",
            f"{esc(sc.get('start_date', '–'))}, {esc(plan.get('days') or sc.get('horizon_days', '–'))} days",
        ),
        (
            "overrides (--set)",
            "none"
            if not overrides
            else "; ".join(f"<code>{esc(k)}={esc(v)}</code>" for k, v in overrides.items()),
        ),
        ("sweep", sweep_text),
    ]
    if plan.get("fork_day") is not None:
        forced = ", ".join(plan.get("force") or []) or "nothing forced"
        rows.append(
            (
                "fork",
                f"continuations of run seed {esc(plan.get('seed'))} from day {esc(plan['fork_day'])}; {esc(forced)}",
            )
        )
    rows += [
        ("computed", f"{esc(_date(m.get('started')))} → {esc(_date(m.get('finished')))}"
                     f" ({esc(m.get('backend', '?'))}, {esc(m.get('workers', '?'))} worker{'' if m.get('workers') == 1 else 's'})"),
        ("package version", esc(m.get("package_version", "–"))),
        ("scenario file", f"<code>{esc(m.get('scenario_file', plan.get('scenario', '–')))}</code>"
                          f" (sha256 {esc(str(m.get('scenario_sha256', '–'))[:12])}…)"),
    ]  # fmt: skip
    warn = ""
    if not res.complete or m.get("status") not in (None, "complete"):
        warn = (f'<p class="warn">This Monte Carlo is not complete (status: {esc(m.get("status", "?"))}): '
                f"the report shows the {n:,} runs finished so far.</p>")  # fmt: skip
    desc = sc.get("description")
    return (
        f"<h1>{esc(title)}</h1>"
        f'<p class="sub">Monte Carlo report · {n:,} runs · scenario <code>{esc(m.get("scenario_id", "?"))}</code></p>'
        + warn
        + (f'<p class="note">{esc(desc.strip())}</p>' if desc else "")
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
        q = percentiles(values)
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
                pct(k / n if n else 0),
                f"{pct(lo)} – {pct(hi)}",
                ex or "–",
            ]
        )
    return _table(
        ["outcome", "id", "runs", "share", "95% Wilson", "example seeds"], rows, numeric={2, 3, 4}
    )


def _milestone_table(res: Results, stats: list[dict]) -> str:
    rows = [[s["label"], f"{s['runs']:,}", pct(s["share"]), _num(s["p10"]), _num(s["p25"]), _num(s["p50"]), _num(s["p75"]), _num(s["p90"])]
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
        out += f'<p class="note">Never reached in any run: {esc("; ".join(never))}.</p>'
    return out


def _drivers_table(res: Results, drivers: list) -> str:
    if not drivers:
        return (
            '<p class="note">No input varies across these runs, so none can drive the outcome.</p>'
        )

    def share(d, side: str) -> _Html:
        group = driver_group(d, side)
        text = esc(pct(getattr(d, f"{side}_rate")))
        return _Html(text + (f'<br><span class="small">{esc(group)}</span>' if group else ""))

    rows = [
        [_Html(f'{esc(driver_label(res, d))}<br><span class="small"><code>{esc(d.name)}</code>'
               f" · {esc(d.kind)}</span>"),
         share(d, "low"), share(d, "high"), f"{100 * float(d.effect):+.1f}", d.direction, pvalue(d.p_value),
         pvalue(d.q_value)]
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
            f"{res.outcome_labels.get(top[0][0], top[0][0])} ({pct(top[0][1] / nd.runs if nd.runs else 0, 0)})"
            if top
            else "–"
        )
        rows.append([path, f"{nd.runs:,}", pct(nd.share), top_text])
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
            f'<p class="note">Every run ends in the same outcome: <b>{esc(res.outcome_labels[occurring[0]])}</b>.</p>'
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
        f" “other” folds the branches with less than {pct(min_share)} of all runs. The colour is the share of"
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
            f"<h3>{esc(res.outcome_labels[first])} ({pct(counts[first] / n)} of runs)</h3>"
            + (_div(figs["drivers"], "fig-drivers") if "drivers" in figs else "")
            + _drivers_table(res, parts.drivers[first])
        )
        for oid in explain[1:]:
            sections.append(
                f"<details><summary>{esc(res.outcome_labels[oid])} ({pct(counts[oid] / n)} of runs)</summary>"
                + _drivers_table(res, parts.drivers[oid])
                + "</details>"
            )
    sections.append(HOW_TO_READ)
    sections.append(
        "<footer>Made by wargame.report from "
        + (f"{esc(res.folder.name)}/{RUNS_FILE} and {MANIFEST}" if res.folder else "runs in memory")
        + f" · package {esc(res.manifest.get('package_version', '?'))}</footer>"
    )
    title = res.scenario.get("title") or res.manifest.get("scenario_id") or "Monte Carlo report"
    plotly_js = plotly.offline.get_plotlyjs()
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} · Monte Carlo report</title>\n<style>{CSS}</style>\n"
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
