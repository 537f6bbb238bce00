"""Many runs and the branch explorer: run N in the background with progress and cancel while the tree grows
chunk by chunk; click a branch to see the outcomes beneath it, its median day and a sample run's story;
fork from there with something forced and compare the two distributions. And two sets of assumptions
side by side."""

from __future__ import annotations

import datetime as dt
import math

import solara

from viz.assumptions import assumptions
from viz.charts import side_by_side_figure
from viz.common import Chart, Desk, FieldError, Prose
from viz.workspace import MAX_RUNS, WHATIF_RUNS, Batch
from wargame.analysis.branching import END, OTHER
from wargame.analysis.statistics import wilson
from wargame.presentation.charts import outcome_figure, tree_figure
from wargame.session import Game


def preorder(node) -> list:
    """The tree's nodes in the icicle's order (the report's tree_nodes order): a node, then its children."""
    out = [node]
    for child in node.children:
        out += preorder(child)
    return out


def sample_story(desk: Desk, seed: int) -> list[str]:
    from wargame.presentation.narrative import Names, ending, story

    g = Game(desk.ws.scenario, seed=seed)
    g.play()
    now = g.snapshot()
    start = dt.date.fromisoformat(now["date"]) - dt.timedelta(days=now["day"])
    return story(g.log(), Names.of_picture(now), start)[-40:] + ending(g.result())


def Progress(batch: Batch | None, label: str):
    """The batch's progress bar and count (drawn from its numbers: the batch object itself is filled in
    place, so a component given only the object would not know it changed)."""
    if batch is None:
        return None
    state = "cancelled" if batch.cancelled else "done" if batch.finished else "running"
    return ProgressBar(batch.done, batch.total, state, batch.error or "", label)


@solara.component
def ProgressBar(done: int, total: int, state: str, error: str, label: str):
    solara.ProgressLinear(value=100 * done / total if total else 0, color="primary")
    solara.Text(f"{label}: {done:,} of {total:,} runs ({state})")
    if error:
        solara.Error(error)


@solara.component
def ManyRuns(desk: Desk):
    ws = desk.ws
    runs = solara.use_reactive(1000)
    seed = solara.use_reactive(1)
    running = solara.use_reactive(False)

    def work():
        running.set(True)
        try:
            desk.act(lambda: ws.run_batch(runs.value, seed.value, on_chunk=lambda b: desk.redraw()))
        finally:
            running.set(False)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)

    def cancel():
        if ws.batch is not None:
            ws.batch.cancel.set()

    with solara.Card("Many runs"):
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputInt(
                f"runs (at most {MAX_RUNS:,})", value=runs, style={"max-width": "180px"}
            )
            solara.InputInt("root seed", value=seed, style={"max-width": "140px"})
            solara.Button("Run", on_click=task, disabled=running.value, color="primary")
            solara.Button(
                "Cancel", on_click=cancel, disabled=not running.value, color="error", outlined=True
            )
        FieldError(desk, "runs")
        Progress(ws.batch, "runs")
    b = ws.batch
    if b is None or b.results is None:
        solara.Info("Press Run: the outcomes and the branch tree appear as the runs come in.")
        return
    res, tree = b.results, b.tree
    nodes = preorder(tree)

    def on_click(data):
        try:
            i = data["points"]["point_indexes"][0]
        except (KeyError, IndexError, TypeError):
            return
        if 0 <= i < len(nodes):
            desk.act(lambda: ws.select(nodes[i].path))

    with solara.Columns([3, 2]):
        with solara.Column():
            Chart(lambda: tree_figure(res, tree), key=(id(b), b.done), on_click=on_click)
            solara.Text(
                "Click a box to see what lies beneath it; hover for its share and interval.",
                style={"font-size": "0.85em"},
            )
        with solara.Column():
            NodeDetail(desk)
    Chart(lambda: outcome_figure(res), key=(id(b), b.done))


@solara.component
def NodeDetail(desk: Desk):
    ws = desk.ws
    show_story = solara.use_reactive(False)
    b = ws.batch
    node = ws.node()
    if node is None:
        return
    res = b.results
    path = (
        " → ".join(res.milestone_labels.get(p, p) for p in node.path if p not in (END, OTHER))
        or "all runs"
    )
    lo, hi = wilson(node.runs, b.done)
    with solara.Card("Branch", classes=["branch-detail"]):
        Prose(
            f"**{path}**"
            + (" (then no further milestone)" if node.label == END else "")
            + f"  \n{node.runs:,} of {b.done:,} runs: {node.runs / max(b.done, 1):.1%} (95% interval {lo:.1%} – {hi:.1%})"
            + (
                f"; reached on day {node.median_day:g} (median)"
                if node.median_day is not None and not math.isnan(float(node.median_day))
                else ""
            )
        )
        rows = [
            f"| {res.outcome_labels.get(o, o)} | {k:,} | {k / max(node.runs, 1):.0%} |"
            for o, k in sorted((node.outcomes or {}).items(), key=lambda kv: -kv[1])
        ]
        Prose("| how the runs beneath end | runs | share |\n|---|---|---|\n" + "\n".join(rows))
        if node.examples:
            run_id = int(node.examples[0])
            seed = int(res.runs.loc[res.runs["run_id"] == run_id, "seed"].iloc[0])
            solara.Switch(
                label=f"the story of a sample run (run {run_id}, seed {seed})", value=show_story
            )
            if show_story.value:
                solara.Preformatted(
                    "\n".join(sample_story(desk, seed)),
                    style={"max-height": "360px", "overflow": "auto", "font-size": "0.8em"},
                )
        FieldError(desk, "node")
        WhatIfPanel(desk)


@solara.component
def WhatIfPanel(desk: Desk):
    ws = desk.ws
    forces = ws.forces()
    force = solara.use_reactive(next(iter(forces), ""))
    running = solara.use_reactive(False)

    def work():
        running.set(True)
        try:
            desk.act(lambda: ws.what_if(force.value, WHATIF_RUNS, on_chunk=lambda b: desk.redraw()))
        finally:
            running.set(False)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)
    with solara.Column():
        Prose(
            f"**What if?** Fork this branch's sample run on the day it got here and play {WHATIF_RUNS} continuations as they were and {WHATIF_RUNS} with:"
        )
        solara.Select(label="force", values=list(forces), value=force)
        solara.Text(forces.get(force.value, ""), style={"font-size": "0.85em"})
        with solara.Row():
            solara.Button(
                "Fork and compare", on_click=task, disabled=running.value, color="primary"
            )
            solara.Button("Cancel", on_click=ws.cancel, disabled=not running.value, outlined=True)
        FieldError(desk, "force")
    w = ws.whatif
    if w is None:
        return
    Progress(w.base, "as it was")
    Progress(w.changed, "forced")
    if w.base.results is not None and w.changed.results is not None and w.changed.finished:
        Chart(
            lambda: side_by_side_figure(
                w.base.results,
                w.changed.results,
                f"as it was (from day {w.day})",
                f"with {w.force}",
            ),
            key=(id(w), w.changed.done),
        )


def milestone_shares(batch: Batch) -> dict[str, float]:
    runs = batch.results.runs
    n = max(len(runs), 1)
    return {c[4:]: float(runs[c].notna().sum()) / n for c in runs.columns if c.startswith("day_")}


@solara.component
def ComparePanel(desk: Desk):
    """Two sets of assumptions side by side: the scenario as it stands and with one value changed."""
    ws = desk.ws
    found = assumptions(ws.scenario.resolved())
    paths = [a.path for a in found]
    path = solara.use_reactive(paths[0] if paths else "")
    current = next((a for a in found if a.path == path.value), None)
    value = solara.use_reactive(current.value if current else 0.0)
    runs = solara.use_reactive(500)
    free = solara.use_reactive("")  # any --set PATH=VALUE instead of the chosen assumption
    running = solara.use_reactive(False)

    def work():
        running.set(True)
        redraw = lambda b: desk.redraw()  # noqa: E731
        try:
            if free.value.strip():
                desk.act(lambda: ws.compare_set(free.value, runs.value, on_chunk=redraw))
            else:
                desk.act(
                    lambda: ws.compare_with(path.value, value.value, runs.value, on_chunk=redraw)
                )
        finally:
            running.set(False)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)
    with solara.Card("Compare two sets of assumptions"):
        solara.Select(label="assumption", values=paths, value=path)
        if current is not None:
            solara.Text(
                f"{current.group}: {current.label}; now {current.value:g}, allowed {current.low:g} to {current.high:g}; source: {current.source}",
                style={"font-size": "0.85em"},
            )
        with solara.Row(style={"align-items": "center"}):
            solara.InputFloat("other value", value=value, style={"max-width": "160px"})
            solara.InputInt("runs each", value=runs, style={"max-width": "140px"})
            solara.Button("Compare", on_click=task, disabled=running.value, color="primary")
            solara.Button("Cancel", on_click=ws.cancel, disabled=not running.value, outlined=True)
        solara.InputText(
            "or any change, as --set PATH=VALUE (e.g. guarantees=[] for no guarantee at all)",
            value=free,
        )
        FieldError(desk, "compare")
        FieldError(desk, path.value)
        FieldError(desk, "runs")
    if ws.compare is None:
        return
    left, right = ws.compare
    Progress(left, "as it stands")
    Progress(right, "changed")
    if left.results is None or right.results is None or not right.finished:
        return
    changed = dict(right.plan.overrides)
    other = ", ".join(
        f"{k}={v}" for k, v in changed.items() if dict(left.plan.overrides).get(k) != v
    )
    Chart(
        lambda: side_by_side_figure(left.results, right.results, "as it stands", other),
        key=(id(left), id(right), right.done),
    )
    a, b = milestone_shares(left), milestone_shares(right)
    labels = left.results.milestone_labels
    rows = [
        f"| {labels.get(m, m)} | {a.get(m, 0):.0%} | {b.get(m, 0):.0%} | {100 * (b.get(m, 0) - a.get(m, 0)):+.0f} |"
        for m in sorted(set(a) | set(b), key=lambda m: -abs(b.get(m, 0) - a.get(m, 0)))
    ]
    Prose(
        f"**How each branch's share moves** ({other})\n\n| milestone reached | as it stands | changed | points |\n|---|---|---|---|\n"
        + "\n".join(rows)
    )
