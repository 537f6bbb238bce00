"""The after-action review of a class's game, and the printable role briefings of an exercise.

The review sets the class's path against the distribution of paths the model finds: a Monte Carlo of the
exercise from its start (the model in every seat) gives the branch tree; the review says where the class's
path and ending sit in it, where the class chose differently from what the model's actors do, how each
actor fared against what it could get without a deal and against the simulated games, what really
happened after the start date (from the dated record kept beside the exercise, never an input), and the
debrief questions. One HTML file that reads on screen and prints well.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from wargame.analysis.branching import BranchNode, branch_tree
from wargame.analysis.statistics import wilson_interval
from wargame.batch.plan import Plan
from wargame.batch.runs import run_many
from wargame.language.exercise import Exercise
from wargame.presentation.narrative import Names, describe

PRINT_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #111; max-width: 860px; margin: 24px auto;
       padding: 0 20px; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.1em; } h2 { font-size: 1.2em; border-bottom: 1px solid #999;
margin-top: 1.6em; } h3 { font-size: 1.05em; margin-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.92em; width: 100%; }
th, td { border: 1px solid #bbb; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #eee; } td.n { text-align: right; white-space: nowrap; }
.sub { color: #555; } .differs { background: #fff1d6; } .small { font-size: 0.85em; color: #444; }
.seat { page-break-after: always; break-after: page; } .seat:last-child { page-break-after: auto; }
.bar { display: inline-block; height: 10px; background: #0072B2; vertical-align: middle; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; }
  h2 { page-break-after: avoid; } tr, li { page-break-inside: avoid; } }
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(title)}</title><style>{PRINT_CSS}</style></head><body>{body}</body></html>"
    )


# ---------------------------------------------------------------- briefings


def briefings_html(exercise: Exercise) -> str:
    """One printed page per seat: who you are, what you know, want and fear, your red lines, how the turns
    run. (Give each student only their own page.)"""
    spec = exercise.spec
    names = {a.id: a.name for a in exercise.scenario.actors}
    pages = []
    for seat in spec.seats:
        b = seat.briefing
        lists = "".join(
            f"<h3>{title}</h3><ul>" + "".join(f"<li>{_e(x)}</li>" for x in items) + "</ul>"
            for title, items in (
                ("What you know", b.knows),
                ("What you want", b.wants),
                ("What you fear", b.fears),
                ("Your red lines", b.red_lines),
            )
            if items
        )
        pages.append(
            f"<section class='seat'><p class='sub'>{_e(spec.title)} · private briefing · for this seat only</p>"
            f"<h1>{_e(names.get(seat.actor, seat.actor))}</h1><p>{_e(b.role)}</p>{lists}"
            f"<h3>How the game runs</h3><p class='small'>{spec.turns} turns of {spec.days_per_turn} days, "
            f"{spec.turn_minutes} minutes each, from {_e(exercise.scenario.spec.start_date)}. In each turn "
            "you make and answer offers at your tables and may take a unilateral step; write a line on why. "
            "The model plays: "
            + _e(", ".join(names.get(a, a) for a in exercise.model_plays) or "nobody")
            + ".</p></section>"
        )
    return _page(f"{spec.title}: briefings", "".join(pages))


# ---------------------------------------------------------------- the review's figures


@dataclass
class Review:
    exercise: Exercise
    day: int  # the day the class's game has reached
    outcome: str | None
    outcome_label: str | None
    path: list[str]  # the class's milestones in the order reached
    runs: int
    tree: BranchNode
    outcome_share: float  # share of simulated games with the class's ending
    outcome_ci: tuple[float, float]
    deepest: tuple[str, ...]  # the longest prefix of the class's path that simulated games share
    deepest_share: float
    timeline: list[tuple[int, str]]
    decisions: list[dict]  # each seat decision with the model's usual choice beside it
    milestones: list[dict]  # per milestone: the class's day; the simulated share and median day
    actors: list[dict]  # per actor: the class's utility, its percentile among simulated games
    record: list[dict] = field(default_factory=list)
    milestone_labels: dict[str, str] = field(default_factory=dict)
    outcome_labels: dict[str, str] = field(default_factory=dict)


def review(room, runs: int | None = None, workers: int = 1) -> Review:
    """The figures of the after-action review of a Classroom (its game as it stands)."""
    ex: Exercise = room.exercise
    spec = ex.spec
    game = room.game
    result = game.result()
    sc = ex.scenario
    n = int(runs or spec.monte_carlo_runs)
    plan = Plan(
        scenario=str(sc.path),
        runs=n,
        seed=spec.seed,
        days=spec.days_per_turn * spec.turns,
        scheduled=tuple(ex.schedule()),  # the simulated games have the class's injects too
    )
    table = pa.concat_tables(list(run_many(plan, workers=workers)))
    tree = branch_tree(table)
    outcomes = table.column("outcome").to_pylist()
    k = sum(1 for o in outcomes if o == result.outcome)
    path = list(result.milestone_path)
    deepest: tuple[str, ...] = ()
    for step in path:
        if tree.find((*deepest, step)) is None:
            break
        deepest = (*deepest, step)
    node = tree.find(deepest) or tree
    names = Names.of_picture(game.snapshot())
    timeline = []
    for entry in game.log():
        kind, day = entry["kind"], entry["day"]
        if kind in (
            "event",
            "signed",
            "breach",
            "milestone",
            "inject",
            "override",
            "ending",
            "completed",
        ):
            text = describe(entry, names)
            if text:
                timeline.append((day, text))
    return Review(
        exercise=ex,
        day=result.days,
        outcome=result.outcome,
        outcome_label=result.outcome_label,
        path=path,
        runs=n,
        tree=tree,
        outcome_share=k / n,
        outcome_ci=wilson_interval(k, n),
        deepest=deepest,
        deepest_share=node.runs / n,
        timeline=timeline,
        decisions=_decisions(room),
        milestones=_milestones(room, table),
        actors=_actors(room, table, result),
        record=_record(ex),
        milestone_labels={ms.id: ms.label or ms.id for ms in sc.spec.milestones},
        outcome_labels={o.id: o.label or o.id for o in sc.spec.outcomes},
    )


def _decisions(room) -> list[dict]:
    """Each seat's answer beside what the model's actor does with such an offer: it takes an offer worth
    at least its outside option (its strategies concede towards that line, and accept above it). Where the
    class did otherwise is a point for the debrief."""
    out = []
    for note in room.notes:
        if note.kind == "answer" and note.value is not None and note.reservation is not None:
            model = note.value >= note.reservation
            said = note.move is True or note.move == "accept"
            out.append({**note.to_dict(), "model_would": "accept" if model else "reject",
                        "class_did": "accept" if said else "reject", "differs": model != said})  # fmt: skip
        elif note.kind == "unilateral":
            out.append({**note.to_dict(), "model_would": "(the model's actors break a promise only when the gain outweighs the expected cost)",
                        "class_did": str(note.move), "differs": True})  # fmt: skip
        elif note.kind == "propose":
            out.append(
                {
                    **note.to_dict(),
                    "model_would": "propose",
                    "class_did": "propose",
                    "differs": False,
                }
            )
    return out


def _milestones(room, table: pa.Table) -> list[dict]:
    """Each milestone: the day the class reached it (or not), the share of simulated games that did and
    their median day."""
    mine = dict(room.game.result().milestones)
    n = max(table.num_rows, 1)
    out = []
    for ms in room.exercise.scenario.spec.milestones:
        col = f"day_{ms.id}"
        days = (
            np.array([d for d in table.column(col).to_pylist() if d is not None], dtype=float)
            if col in table.column_names
            else np.array([])
        )
        out.append({"milestone": ms.id, "label": ms.label or ms.id, "class_day": mine.get(ms.id),
                    "share": len(days) / n, "median_day": float(np.median(days)) if len(days) else None})  # fmt: skip
    return out


def _actors(room, table: pa.Table, result) -> list[dict]:
    out = []
    for a in room.exercise.scenario.actors:
        col = f"utility_{a.id}"
        mine = result.utilities.get(a.id)
        sims = (
            np.array([u for u in table.column(col).to_pylist() if u is not None], dtype=float)
            if col in table.column_names
            else np.array([])
        )
        pct = (
            float((sims < mine).mean() + 0.5 * (sims == mine).mean())
            if mine is not None and len(sims)
            else None
        )
        out.append({"actor": a.id, "name": a.name, "seat": a.id in room.exercise.seated, "utility": mine,
                    "median": float(np.median(sims)) if len(sims) else None, "percentile": pct})  # fmt: skip
    return out


def _record(ex: Exercise) -> list[dict]:
    """What really happened, as the exercise read and checked it (by the bounded reader, when it was
    loaded): the review never reads the record's file itself."""
    return list(ex.record)


# ---------------------------------------------------------------- the page


def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def debrief_html(r: Review, notes: list | None = None) -> str:
    ex, spec = r.exercise, r.exercise.spec
    names = {a.id: a.name for a in ex.scenario.actors}
    ml = r.milestone_labels
    lo, hi = r.outcome_ci
    parts = [
        f"<p class='sub'>After-action review · {_e(ex.scenario.spec.title)}</p><h1>{_e(spec.title)}</h1>",
        "<h2>Where the class's path sits</h2>",
        (
            f"<p><b>Your ending ({_e(r.outcome_labels.get(r.outcome, r.outcome))}) occurred in {_pct(r.outcome_share)} "
            f"of {r.runs:,} simulated games</b> (95% interval {_pct(lo)} – {_pct(hi)}), the model playing every seat "
            f"from the same start.</p>"
            if r.outcome is not None
            else f"<p><b>The class's game stopped on day {r.day}, before its end</b>: its path so far is set "
            f"against {r.runs:,} simulated games below; an ending it has not reached is not compared.</p>"
        ),
        "<p>Your path: " + " → ".join(_e(ml.get(m, m)) for m in r.path) + ".</p>"
        if r.path
        else "<p>Your game reached no milestone.</p>",
        f"<p>{_pct(r.deepest_share)} of the simulated games went the same way as far as "
        + (" → ".join(_e(ml.get(m, m)) for m in r.deepest) or "the start")
        + (
            f"; from there on the class's path left the simulated ones: {_e(ml.get(r.path[len(r.deepest)], r.path[len(r.deepest)]))} was never next in them."
            if len(r.deepest) < len(r.path)
            else "."
        )
        + "</p>",
        "<h3>The most common paths in the simulated games</h3><table><tr><th>first milestones</th><th class='n'>share</th></tr>",
    ]
    for child in sorted(r.tree.children, key=lambda c: -c.runs)[:6]:
        grand = max(child.children, key=lambda c: c.runs, default=None)
        label = _e(ml.get(child.label, child.label)) + (
            f" → {_e(ml.get(grand.label, grand.label))}" if grand else ""
        )
        parts.append(f"<tr><td>{label}</td><td class='n'>{_pct(child.runs / r.runs)}</td></tr>")
    parts.append("</table>")
    parts.append("<h2>The class's timeline</h2><table><tr><th>day</th><th>what happened</th></tr>")
    notes_by_day: dict[int, list] = {}
    for n in notes or []:
        notes_by_day.setdefault(n.day, []).append(n)
    days = sorted({d for d, _ in r.timeline} | set(notes_by_day))
    for d in days:
        lines = [_e(t) for day, t in r.timeline if day == d]
        for n in notes_by_day.get(d, []):
            if n.kind == "end_turn":
                lines.append(
                    f"<i>{_e(names.get(n.actor, n.actor))} ends turn {n.turn}: “{_e(n.justification)}”</i>"
                )
            else:
                lines.append(
                    f"<b>{_e(names.get(n.actor, n.actor))}</b> {_e(n.kind)} {_e(n.table or '')}: {_e(n.move)} — “{_e(n.justification)}”"
                )
        parts.append(f"<tr><td class='n'>{d}</td><td>{'<br>'.join(lines)}</td></tr>")
    parts.append("</table>")
    parts.append("<h2>Decision points: the class and the model</h2>")
    if r.decisions:
        parts.append(
            "<table><tr><th>turn</th><th>day</th><th>seat</th><th>table</th><th>worth / outside option</th><th>class</th><th>model's actor</th><th>why (the class)</th></tr>"
        )
        for d in r.decisions:
            worth = (
                f"{d['value']:.2f} / {d['reservation']:.2f}"
                if d["value"] is not None and d["reservation"] is not None
                else ""
            )
            parts.append(f"<tr class='{'differs' if d['differs'] else ''}'><td class='n'>{d['turn']}</td><td class='n'>{d['day']}</td>"
                         f"<td>{_e(names.get(d['actor'], d['actor']))}</td><td>{_e(d['table'] or '')}</td><td class='n'>{worth}</td>"
                         f"<td>{_e(d['class_did'])}</td><td>{_e(d['model_would'])}</td><td>{_e(d['justification'])}</td></tr>")  # fmt: skip
        parts.append(
            "</table><p class='small'>Shaded: where the class chose otherwise than the model's actor does with the same offer (it accepts what is worth at least its outside option).</p>"
        )
    else:
        parts.append("<p>No seat decision was recorded.</p>")
    parts.append(
        "<h3>Milestones</h3><table><tr><th>milestone</th><th>the class</th><th class='n'>simulated games that reached it</th><th class='n'>their median day</th></tr>"
    )
    for m in r.milestones:
        reached = "not reached" if m["class_day"] is None else f"day {m['class_day']}"
        median = "" if m["median_day"] is None else f"{m['median_day']:g}"
        parts.append(
            f"<tr><td>{_e(m['label'])}</td><td>{reached}</td>"
            f"<td class='n'>{_pct(m['share'])}</td><td class='n'>{median}</td></tr>"
        )
    parts.append("</table>")
    parts.append(
        "<h2>Each actor against its objectives</h2><table><tr><th>actor</th><th>played by</th><th class='n'>its utility at the end</th><th class='n'>median in the simulated games</th><th class='n'>games it did better in</th></tr>"
    )
    for a in r.actors:
        u = "–" if a["utility"] is None else f"{a['utility']:.2f}"
        med = "–" if a["median"] is None else f"{a['median']:.2f}"
        better = "–" if a["percentile"] is None else f"{_pct(a['percentile'])} of them"
        parts.append(
            f"<tr><td>{_e(a['name'])}</td><td>{'the class' if a['seat'] else 'the model'}</td><td class='n'>{u}</td><td class='n'>{med}</td><td class='n'>{better}</td></tr>"
        )
    parts.append(
        "</table><p class='small'>Utility 0 is the actor's worst, 1 its best on the issues it cares about; its briefing lists what it wanted.</p>"
    )
    for seat in spec.seats:
        parts.append(
            f"<h3>{_e(names.get(seat.actor, seat.actor))}: what it wanted</h3><ul>"
            + "".join(f"<li>{_e(w)}</li>" for w in seat.briefing.wants)
            + "</ul>"
        )
    parts.append("<h2>What really happened after the start date</h2>")
    if r.record:
        parts.append(
            "<p class='small'>From the dated, sourced record kept beside the exercise. It was never an input to the model, and no value of the scenario was chosen by looking at it.</p><table><tr><th>date</th><th>what</th><th>source</th></tr>"
        )
        for e in sorted(r.record, key=lambda e: str(e["date"])):
            parts.append(
                f"<tr><td class='n'>{_e(e['date'])}</td><td>{_e(str(e.get('what', '')).strip())}</td><td class='small'>{_e(e.get('source', ''))}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No record is kept beside this exercise.</p>")
    parts.append(
        "<h2>Debrief questions</h2><ol>"
        + "".join(f"<li>{_e(q)}</li>" for q in spec.debrief_questions)
        + "</ol>"
    )
    parts.append(
        "<h2>Learning objectives</h2><ul>"
        + "".join(f"<li>{_e(o)}</li>" for o in spec.learning_objectives)
        + "</ul>"
    )
    return _page(f"{spec.title}: after-action review", "".join(parts))
