"""Many runs and the branch explorer: run N in the background with progress and cancel while the tree grows
chunk by chunk; click a branch to see the outcomes beneath it, its median day and a sample run's story;
fork from there with something forced and compare the two distributions outcome by outcome. The report's
fans, milestone timing and drivers for the batch, and the batch to take away (CSV, Parquet, the tree as
JSON, the HTML report). And two sets of assumptions side by side.

Everything is named by the scenario's labels, with the ids in tooltips (viz.words)."""

from __future__ import annotations

import datetime as dt
import html
import math

import solara

from viz.assumptions import assumptions
from viz.batch_report import (
    branches_chart,
    drivers_part,
    explainable,
    fan_charts,
    milestone_timing,
    outcomes_chart,
)
from viz.common import Chart, Desk, FieldError, Prose
from viz.exports import EXPORTS, export_name
from viz.pairs import milestone_pairs, outcome_pairs, pair_figure, pair_table_html
from viz.tree_clicks import TreeClicks
from viz.words import Words, change_words, seed_html, tip
from viz.workspace import MAX_RUNS, WHATIF_RUNS, Batch
from wargame.analysis.branching import END, OTHER
from wargame.analysis.statistics import wilson
from wargame.presentation.narrative import Names
from wargame.session import Game

SMALL = {"font-size": "0.85em"}
PAIR_TITLES = {
    "outcome": "Outcomes side by side",
    "milestone": "How far each milestone's share moves",
}
CHART_TITLES = {  # the charts' own titles (said again in a saved image), not the headings' words
    "outcome": "Each outcome's share of runs in A and in B",
    "milestone": "Each milestone's share of runs in A and in B (reached at all)",
}


def preorder(node) -> list:
    """The tree's nodes in the icicle's order (the report's tree_nodes order): a node, then its children."""
    out = [node]
    for child in node.children:
        out += preorder(child)
    return out


def desk_words(desk: Desk) -> Words:
    """The words of the scenario on the desk (made again only when the scenario changes)."""
    sc = desk.ws.scenario
    return solara.use_memo(lambda: Words.of(sc.resolved()), dependencies=[id(sc)])


def sample_story(desk: Desk, seed: int, words: Words) -> list[str]:
    g = Game(desk.ws.scenario, seed=seed)
    g.play()
    now = g.snapshot()
    start = dt.date.fromisoformat(now["date"]) - dt.timedelta(days=now["day"])
    return words.story(g.log(), Names.of_picture(now), start)[-40:] + words.ending(g.result())


def Progress(batch: Batch | None, label: str):
    """The batch's progress bar and count (drawn from its numbers: the batch object itself is filled in
    place, so a component given only the object would not know it changed)."""
    if batch is None:
        return None
    state = "cancelled" if batch.cancelled else "done" if batch.finished else "running"
    return ProgressBar(batch.done, batch.total, state, batch.error or "", label)


def _starter(ws, running, task):
    """A button's click: the page says at once that it is working (the background task starts a moment
    later), and a Cancel pressed from now on reaches the runs it starts (Workspace.begin)."""

    def start() -> None:
        running.set(True)
        ws.begin()
        task()

    return start


@solara.component
def Starting(label: str):
    """What a pressed button shows before its first runs are in: a moving bar and a line."""
    solara.ProgressLinear(True, color="primary")
    solara.Text(f"Starting the {label}…")


@solara.component
def ProgressBar(done: int, total: int, state: str, error: str, label: str):
    solara.ProgressLinear(value=100 * done / total if total else 0, color="primary")
    solara.Text(f"{label}: {done:,} of {total:,} runs ({state})")
    if error:
        solara.Error(error)


def HtmlBlock(text: str, classes: list[str] | None = None):
    """HTML made here from escaped text (viz.words.tip, viz.pairs): tooltips need attributes that the
    markdown of Prose would show as text."""
    return solara.HTML(tag="div", unsafe_innerHTML=text, classes=classes or [])


# ---------------------------------------------------------------- many runs


@solara.component
def ManyRuns(desk: Desk):
    ws = desk.ws
    # a batch the page started (a link's, or the Start here card's) sets the fields it ran with
    runs = solara.use_reactive(ws.batch.plan.runs if ws.batch is not None else 1000)
    seed = solara.use_reactive(ws.batch.plan.seed if ws.batch is not None else 1)
    running = solara.use_reactive(False)

    def work():
        running.set(True)
        try:
            desk.act(lambda: ws.run_batch(runs.value, seed.value, on_chunk=lambda b: desk.redraw()))
        finally:
            running.set(False)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)
    start = _starter(ws, running, task)

    def cancel():
        ws.cancel()

    b = ws.batch
    with solara.Card("Many runs"):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputInt(
                f"runs (at most {MAX_RUNS:,})", value=runs, style={"max-width": "180px"}
            )
            solara.InputInt("root seed", value=seed, style={"max-width": "140px"})
            busy = running.value or (ws.batch is not None and not ws.batch.finished)
            solara.Button("Run", on_click=start, disabled=busy, color="primary")
            solara.Button(
                "Cancel", on_click=cancel, disabled=not busy, color="error", outlined=True
            )
        FieldError(desk, "runs")
        if running.value and (b is None or b.finished):
            Starting("runs")  # pressed: the runs are being set up, their count comes with the first
        else:
            Progress(b, "runs")
        if b is not None and b.finished and b.done:
            Exports(b, b.done)
    if b is None or b.results is None:
        solara.Info("Press Run: the outcomes and the branch tree appear as the runs come in.")
        return
    res, tree = b.results, b.tree
    nodes = preorder(tree)

    def on_point(i: int) -> None:
        if 0 <= i < len(nodes):
            desk.act(lambda: ws.select(nodes[i].path))

    with solara.Columns([3, 2]):
        with solara.Column():
            TreeClicks(Chart(lambda: branches_chart(res, tree), key=(id(b), b.drawn)), on_point)
            solara.Text(
                "Click a box to see what lies beneath it; hover for its share and interval.",
                style=SMALL,
            )
        with solara.Column():
            NodeDetail(desk)
    WhatIfAnswer(desk)
    Chart(lambda: outcomes_chart(res), key=(id(b), b.drawn))
    if b.finished and b.done:
        ReportParts(b, b.done)


@solara.component
def Exports(batch: Batch, done: int):
    """The batch to take away: each file made when its button is pressed, named for what it holds."""
    made = solara.use_memo(
        lambda: [
            (label, export_name(batch, what, ext), (lambda make=make: make(batch)), mime)
            for what, ext, make, mime, label in EXPORTS
        ],
        dependencies=[id(batch), done],
    )
    with solara.Row(classes=["exports"], style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Text(f"Take away these {done:,} runs:", style=SMALL)
        for label, name, make, mime in made:
            solara.FileDownload(make, filename=name, label=label, mime_type=mime)
    solara.Text(
        f"Files are named for the scenario, the runs and the root seed: {made[0][1]}, …",
        style={**SMALL, "color": "#666"},
    )


@solara.component
def NodeDetail(desk: Desk):
    ws = desk.ws
    words = desk_words(desk)
    show_story = solara.use_reactive(False)
    b = ws.batch
    node = ws.node()
    if node is None:
        return
    res = b.results
    steps = [p for p in node.path if p not in (END, OTHER)]
    path = " → ".join(tip(res.milestone_labels.get(p, p), p) for p in steps) or "all runs"
    lo, hi = wilson(node.runs, b.drawn)
    day = (
        f"; reached on day {float(node.median_day):g} (median)"
        if node.median_day is not None and not math.isnan(float(node.median_day))
        else ""
    )
    with solara.Card("Branch", classes=["branch-detail"]):
        HtmlBlock(
            f'<div class="branch-path" style="font-weight:600">{path}</div>'
            + (" (then no further milestone)" if node.label == END else "")
            + f"<div>{node.runs:,} of {b.drawn:,} runs: {node.runs / max(b.drawn, 1):.1%} "
            f"(95% interval {lo:.1%} – {hi:.1%}){day}</div>"
        )
        rows = "".join(
            f'<tr><td style="padding:2px 8px 2px 0">{tip(res.outcome_labels.get(o, o), o)}</td>'
            f'<td style="text-align:right;padding:2px 8px">{k:,}</td>'
            f'<td style="text-align:right;padding:2px 0">{k / max(node.runs, 1):.0%}</td></tr>'
            for o, k in sorted((node.outcomes or {}).items(), key=lambda kv: -kv[1])
        )
        HtmlBlock(
            '<table class="branch-outcomes" style="border-collapse:collapse;font-size:0.92em;margin:6px 0">'
            '<thead><tr><th style="text-align:left">how the runs beneath end</th>'
            '<th style="text-align:right;padding:0 8px">runs</th><th style="text-align:right">share</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>"
        )
        if node.examples:
            run_id = int(node.examples[0])
            seed = int(res.runs.loc[res.runs["run_id"] == run_id, "seed"].iloc[0])
            HtmlBlock(
                f'<span style="font-size:0.9em">A sample run beneath: run {run_id}, {seed_html(seed)}</span>'
            )
            solara.Switch(label="tell its story", value=show_story)
            if show_story.value:
                solara.Preformatted(
                    "\n".join(sample_story(desk, seed, words)),
                    # ipyvue's style_: a dict given as style is dropped without a word
                    style_="max-height: 360px; overflow: auto; font-size: 0.8em; white-space: pre-wrap",
                    class_="sample-story",
                )
        FieldError(desk, "node")
        WhatIfPanel(desk)


@solara.component
def WhatIfPanel(desk: Desk):
    ws = desk.ws
    words = desk_words(desk)
    forces = ws.forces()
    said = {words.force(spec, fallback=text): spec for spec, text in forces.items()}
    choice = solara.use_reactive(next(iter(said), ""))
    spec = said.get(choice.value, "")
    running = solara.use_reactive(False)

    def work():
        running.set(True)
        try:
            desk.act(lambda: ws.what_if(spec, WHATIF_RUNS, on_chunk=lambda b: desk.redraw()))
        finally:
            running.set(False)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)
    with solara.Column():
        Prose(
            f"**What if?** Fork this branch's sample run on the day it got here and play {WHATIF_RUNS} "
            f"continuations as they were and {WHATIF_RUNS} with:"
        )
        solara.Select(label="what is forced", values=list(said), value=choice)
        with solara.Row():
            solara.Button(
                "Fork and compare",
                on_click=_starter(ws, running, task),
                disabled=running.value,
                color="primary",
            )
            solara.Button("Cancel", on_click=ws.cancel, disabled=not running.value, outlined=True)
        FieldError(desk, "force")
    w = ws.whatif
    if running.value and (w is None or w.changed.finished):
        Starting("continuations")
        return
    if w is None:
        return
    Progress(w.base, "as it was")
    Progress(w.changed, "forced")
    if w.changed.finished and w.changed.results is not None:
        solara.Text("The answer is drawn below the branches.", style=SMALL)


@solara.component
def WhatIfAnswer(desk: Desk):
    """The what-if's two distributions, outcome by outcome, at the page's full width."""
    ws = desk.ws
    words = desk_words(desk)
    w = ws.whatif
    if w is None or w.base.results is None or w.changed.results is None or not w.changed.finished:
        return
    forced = words.force(w.force)
    a_name = f"A: as it was (from day {w.day})"
    b_name = f"B: {forced}"
    base, changed = w.base.results, w.changed.results
    with solara.Card("What if: " + forced, classes=["whatif-answer"]):
        HtmlBlock(
            f'<p style="margin:0 0 6px">Continuations of run {w.run_id} ({seed_html(w.seed)}) from day '
            f"{w.day}: {w.base.drawn:,} as they were (A) and {w.changed.drawn:,} with this forced on day "
            f"{w.day} (B): {tip(forced, 'force ' + w.force)}.</p>"
        )
        PairAnswer(base, changed, a_name, b_name, "outcome", (id(w), w.base.drawn, w.changed.drawn))


@solara.component
def PairAnswer(a, b, a_name: str, b_name: str, what: str, key: tuple):
    """A pair of distributions as a table and a dot-and-interval chart (viz.pairs)."""
    title = PAIR_TITLES[what]
    rows = solara.use_memo(
        lambda: outcome_pairs(a, b) if what == "outcome" else milestone_pairs(a, b),
        dependencies=[*key, what],
    )
    solara.HTML(
        tag="h3", unsafe_innerHTML=html.escape(title), style="margin:8px 0 4px;font-size:1.05em"
    )
    if not rows:
        solara.Text(f"No {what} reached in either set of runs.", style=SMALL)
        return
    HtmlBlock(pair_table_html(rows, a_name, b_name, what), classes=[f"pair-{what}s"])
    Chart(lambda: pair_figure(rows, a_name, b_name, CHART_TITLES[what]), key=(*key, what))


# ---------------------------------------------------------------- the report's parts


@solara.component
def ReportParts(batch: Batch, done: int):
    """What `wargame report` shows beyond the outcomes and the tree: fans of personnel evacuated and lost,
    the days milestones are reached, and what drives each outcome."""
    res = batch.results
    key = (id(batch), done)
    fans = solara.use_memo(lambda: fan_charts(res), dependencies=list(key))
    timing = solara.use_memo(lambda: milestone_timing(res), dependencies=list(key))
    outcomes = solara.use_memo(lambda: explainable(res), dependencies=list(key))
    names = {res.outcome_labels.get(o, o): o for o in outcomes}
    picked = solara.use_reactive("")
    label = picked.value if picked.value in names else next(iter(names), "")
    outcome = names.get(label, "")
    part = solara.use_memo(
        lambda: drivers_part(res, outcome) if outcome else (None, ""),
        dependencies=[*key, outcome],
    )
    with solara.Card("Over time", classes=["report-fans"]):
        with solara.Columns([1, 1]):
            Chart(lambda: fans[0], key=(*key, "evacuated"))
            Chart(lambda: fans[1], key=(*key, "lost"))
        solara.Text(
            "The line is the median run on each day; the dark band holds the middle half of the runs, "
            "the light band four runs in five. A run that has ended keeps its final count.",
            style=SMALL,
        )
    with solara.Card("Milestones", classes=["report-milestones"]):
        if timing[0] is not None:
            Chart(lambda: timing[0], key=(*key, "milestones"))
        else:
            solara.Text("No run reached any milestone.")
        HtmlBlock(timing[1])
    with solara.Card("Drivers", classes=["report-drivers"]):
        if not names:
            solara.Text("Only one outcome occurs, so there is nothing for the inputs to explain.")
            return
        solara.Select(label="outcome", values=list(names), value=label, on_value=picked.set)
        if part[0] is not None:
            Chart(lambda: part[0], key=(*key, "drivers", outcome))
        HtmlBlock(part[1])
        solara.Text(
            "Low and high: the runs in the lowest and highest third of a drawn value. A driver is an "
            "association in this model, not proof of cause; q adjusts p for every input tested.",
            style=SMALL,
        )


# ---------------------------------------------------------------- two sets of assumptions


@solara.component
def ComparePanel(desk: Desk):
    """Two sets of assumptions side by side: the scenario as it stands and with one value changed."""
    ws = desk.ws
    found = solara.use_memo(
        lambda: assumptions(ws.scenario.resolved()), dependencies=[id(ws.scenario)]
    )
    labels = {a.path: f"{a.group}: {a.label}" for a in found}
    by_label = {v: k for k, v in labels.items()}
    choice = solara.use_reactive(next(iter(by_label), ""))
    path = by_label.get(choice.value, "")
    current = next((a for a in found if a.path == path), None)
    value = solara.use_reactive(current.value if current else 0.0)
    runs = solara.use_reactive(500)
    free = solara.use_reactive("")  # any --set PATH=VALUE instead of the chosen assumption
    running = solara.use_reactive(False)

    def to_current():
        if current is not None:
            value.set(current.value)

    solara.use_effect(to_current, [path])

    def work():
        running.set(True)
        redraw = lambda b: desk.redraw()  # noqa: E731
        try:
            if free.value.strip():
                desk.act(lambda: ws.compare_set(free.value, runs.value, on_chunk=redraw))
            else:
                desk.act(lambda: ws.compare_with(path, value.value, runs.value, on_chunk=redraw))
        finally:
            running.set(False)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)
    with solara.Card("Compare two sets of assumptions"):
        solara.Select(label="assumption", values=list(by_label), value=choice)
        if current is not None:
            HtmlBlock(
                f'<span style="font-size:0.85em">{tip(labels[current.path], current.path)}; now '
                f"{current.value:g}, allowed {current.low:g} to {current.high:g}; source: "
                f"{html.escape(current.source or 'none given')}</span>"
            )
        with solara.Row(style={"align-items": "center"}):
            solara.InputFloat("other value", value=value, style={"max-width": "160px"})
            solara.InputInt("runs each", value=runs, style={"max-width": "140px"})
            solara.Button(
                "Compare",
                on_click=_starter(ws, running, task),
                disabled=running.value,
                color="primary",
            )
            solara.Button("Cancel", on_click=ws.cancel, disabled=not running.value, outlined=True)
        solara.InputText(
            "or any change, as --set PATH=VALUE (e.g. guarantees=[] for no guarantee at all)",
            value=free,
        )
        FieldError(desk, "compare")
        FieldError(desk, path)
        FieldError(desk, "runs")
        if running.value and (ws.compare is None or ws.compare[1].finished):
            Starting("runs")
    if ws.compare is None:
        return
    left, right = ws.compare
    Progress(left, "as it stands")
    Progress(right, "changed")
    if left.results is None or right.results is None or not right.finished:
        return
    before = dict(left.plan.overrides)
    changes = [(k, v) for k, v in dict(right.plan.overrides).items() if before.get(k) != v]
    said = "; ".join(change_words(k, v, labels) for k, v in changes) or "nothing changed"
    ids = "; ".join(f"{k}={v}" for k, v in changes)
    a_name, b_name = "A: as it stands", f"B: {said}"
    key = (id(left), id(right), left.drawn, right.drawn)
    with solara.Card("As it stands and changed", classes=["compare-answer"]):
        HtmlBlock(
            f'<p style="margin:0 0 6px">{left.drawn:,} runs as the scenario stands (A) and {right.drawn:,} '
            f"with {tip(said, ids)} (B), the same seeds.</p>"
        )
        PairAnswer(left.results, right.results, a_name, b_name, "outcome", key)
        PairAnswer(left.results, right.results, a_name, b_name, "milestone", key)
