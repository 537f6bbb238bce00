"""The after-action review of a class's game, and the printable role briefings of an exercise.

The review sets the class's path against the distribution of paths the model finds: a Monte Carlo of the
exercise from its start (the model in every seat) gives the branch tree, drawn as an icicle with the class's
path on it; the review says where the class's path and ending sit in it, who played each seat on each day,
what happened in the order it happened (the run's records, the class's moves, the control cell's steps and
the notes between the seats, in words), where the class chose differently from what the model's actors do,
how each actor fared against what it could get without a deal and against the simulated games, what really
happened after the start date (from the dated record kept beside the exercise, never an input), and the
debrief questions. One static HTML file (no script) that reads on screen and prints well, whole for the
facilitator or as one seat may read it.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa

from wargame.analysis.branching import END, OTHER, BranchNode, branch_tree
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
.over { border: 2px solid #222; padding: 6px 10px; background: #fff1d6; }
td.model { background: #dbe9f6; } td.forced { background: #fff1d6; }
.step { font-style: italic; } .message { color: #333; } .note b, .step b { font-style: normal; }
svg.tree { width: 100%; height: auto; margin: 0.4em 0; -webkit-print-color-adjust: exact;
           print-color-adjust: exact; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; }
  h2 { page-break-after: avoid; } tr, li { page-break-inside: avoid; } svg.tree { page-break-inside: avoid; }
  td.model, td.forced, .over, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
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


# ---------------------------------------------------------------- the scenario's words


FACILITATOR = "facilitator"  # the classroom's role of the control cell, and its messages' sender
EVERYONE = "all"  # a message to every seat
UNILATERAL_WORDS = {
    "walk_out": "walks out of the talks at",
    "break_agreement": "breaks the agreement at",
}
_FIRST = {"scheduled": "a scheduled inject", "injected": "injected by the control cell",
          "chance": "by chance"}  # fmt: skip
_ALSO = {"scheduled": "it was also a scheduled inject", "injected": "the control cell also injected it",
         "chance": "it also fired by chance"}  # fmt: skip


class Words:
    """What the review calls the scenario's things: the actors' names and the labels of tables, issues and
    their levels, events, milestones and outcomes (an id only where the scenario gives no label). It puts
    the run's records, the class's moves and the control cell's steps into sentences."""

    def __init__(self, exercise: Exercise) -> None:
        sc = exercise.scenario
        spec = sc.spec
        self.names = Names.of_scenario(sc)
        self.milestones = {m.id: m.label or m.id for m in spec.milestones}
        self.outcomes = {o.id: o.label or o.id for o in spec.outcomes}
        self._tables = {t.id: t.label or t.id for t in spec.tables}
        self._issues = {i.id: i for i in spec.issues}
        self._events = {e.id: e for e in spec.events}
        self._guarantees = {g.id: g for g in spec.guarantees}
        self._roads = {r.id: r for r in spec.roads}

    # ------------------------------------------------------------ things

    def actor(self, actor: Any) -> str:
        if actor == FACILITATOR:
            return "the control cell"
        if actor == EVERYONE:
            return "everyone"
        return self.names.actor(actor)

    def whose(self, actor: Any) -> str:
        """An actor's name in the possessive: 'the Republic's', 'the Armed Forces''."""
        name = self.actor(actor)
        return name + _apostrophe(name)

    def table(self, table: Any) -> str:
        return f"‘{self._tables.get(table, table)}’" if table else "its table"

    def cause(self, cause: Any) -> str:
        """What caused a loss or a withdrawal: an event (by its label), an agreement, an inject."""
        kind, _, rest = str(cause).partition(":")
        if str(cause) in self._events:
            return f"‘{self.event_label(cause)}’"
        if rest and kind in ("agreement", "imposed"):
            return (
                f"the terms {'agreed' if kind == 'agreement' else 'imposed'} at {self.table(rest)}"
            )
        return str(cause).replace("_", " ")

    def issue(self, issue: Any) -> str:
        spec = self._issues.get(issue)
        return (spec.label or issue) if spec else str(issue)

    def level(self, issue: Any, level: Any) -> str:
        spec = self._issues.get(issue)
        if spec is None:
            return str(level)
        if spec.levels:
            return next(
                (lv.label or lv.id for lv in spec.levels if lv.id == str(level)), str(level)
            )
        return f"{level} {spec.unit}".strip()

    def terms(self, terms: Any) -> str:
        """Terms {issue: level} in words: each issue's label and the label of its level."""
        if not isinstance(terms, dict | Mapping) or not terms:
            return "no terms"
        return "; ".join(f"{self.issue(k)}: {self.level(k, v)}" for k, v in terms.items())

    def guarantee(self, guarantee: Any) -> str:
        g = self._guarantees.get(guarantee)
        if g is None:
            return "its guarantee"
        return f"its guarantee to {self.actor(g.beneficiary)} (the deal at {self.table(g.table)})"

    def road(self, road: Any) -> str:
        r = self._roads.get(road)
        if r is None:
            return f"road {road}"
        return f"the road from {self.names.site(r.from_)} to {self.names.site(r.to)}"

    def days(self, days: list[int]) -> str:
        """Days as ranges in words: 'day 9', 'days 8-14', 'days 3-4 and 9'."""
        spans: list[list[int]] = []
        for d in sorted(set(days)):
            if spans and d == spans[-1][1] + 1:
                spans[-1][1] = d
            else:
                spans.append([d, d])
        words = [f"{a}" if a == b else f"{a}-{b}" for a, b in spans]
        head = "day" if len(words) == 1 and "-" not in words[0] else "days"
        listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
        return f"{head} {listed}"

    # ------------------------------------------------------------ the class's moves

    def note(self, n) -> str:
        """A seat's move (a Note) in words, with its justification; a decision the facilitator forced is
        marked as the model's, with the facilitator's reason."""
        who = self.actor(n.actor)
        why = f" — “{n.justification}”" if str(n.justification).strip() else ""
        forced = ""
        if getattr(n, "by", "class") == "model":
            forced = ", decided by the model (forced by the facilitator: " + (
                f"{n.justification})" if str(n.justification).strip() else "no reason given)"
            )
            why = ""
        at = self.table(n.table)
        if n.kind == "answer":
            return f"{who} {'accepts' if _accepts(n.move) else 'rejects'} the offer at {at}{forced}{why}"
        if n.kind == "propose":
            return f"{who} proposes at {at}{forced}: {self.terms(n.move)}{why}"
        if n.kind == "unilateral":
            step = UNILATERAL_WORDS.get(str(n.move), f"takes a unilateral step ({n.move}) at")
            return f"{who} {step} {at}{why}"
        if n.kind == "end_turn":
            return f"{who} ends turn {n.turn}{why}"
        if n.kind == "standing_order":
            order = n.move if isinstance(n.move, dict | Mapping) else {}
            parts = []
            if order.get("accept_at_least") is not None:
                parts.append(
                    f"accept any offer worth at least {float(order['accept_at_least']):.2f}"
                )
            if order.get("propose"):
                parts.append(f"propose {self.terms(order['propose'])} whenever asked to")
            if not parts:
                return f"{who} clears its standing order{why}"
            return f"{who} leaves a standing order: {' and '.join(parts)}{why}"
        return f"{who}: {n.kind} {n.move}{why}"

    def move(self, n) -> str:
        """What the seat did, without who or why (for the table of decisions)."""
        if n.kind == "answer":
            return "accepts" if _accepts(n.move) else "rejects"
        if n.kind == "propose":
            return f"proposes {self.terms(n.move)}"
        if n.kind == "unilateral":
            step = UNILATERAL_WORDS.get(str(n.move), f"takes a unilateral step ({n.move}) at")
            return f"{step} {self.table(n.table)}"
        return str(n.kind)

    # ------------------------------------------------------------ the control cell

    def step(self, s) -> str:
        """A facilitator's step in words, with its reason."""
        why = f": “{s.reason}”" if str(s.reason).strip() else " (no reason given)"
        return f"The control cell {self.step_action(s)}{why}"

    def step_action(self, s) -> str:
        """What a facilitator's step did, in words (without who or why)."""
        what, kind = str(s.what), s.kind
        if kind == "hand_over":
            return f"hands {self.whose(what)} seat to the model"
        if kind == "take_back":
            return f"gives {self.whose(what)} seat back to the class"
        if kind == "pause":
            return "pauses the game"
        if kind == "resume":
            return "resumes the game"
        if kind in ("inject", "hold"):
            if re.fullmatch(r"\d+ custom effect\(s\)", what):
                return f"changes the world by hand ({what})"
            planned = re.fullmatch(r"(.+?) \((planned for day \d+[^)]*)\)", what)
            title = f"‘{planned.group(1)}’ ({planned.group(2)})" if planned else f"‘{what}’"
            return (
                f"fires the inject {title}"
                if kind == "inject"
                else f"holds back the inject {title}"
            )
        if kind == "override":
            return f"overrides the run: {self._override(what)}"
        if kind == "force":
            return f"has the model take the decisions the class was still deciding ({self._forced(what)})"
        if kind == "end_turn":
            return f"ends {what}"
        if kind == "extend":
            return f"gives {what}"
        if kind == "fork":
            return f"takes the game {what}"
        if kind == "end_game":
            return f"ends the game {what}"
        return f"{kind.replace('_', ' ')}: {what}"

    def _override(self, what: str) -> str:
        # the classroom writes "<kind in words> (<detail> <value>, ...)": put the ids into names
        m = re.fullmatch(r"(.+?) \((.*)\)", what)
        if m is None:
            return what
        details = dict(part.split(" ", 1) for part in m.group(2).split(", ") if " " in part)
        table, actor = self.table(details.get("table")), self.actor(details.get("actor"))
        return {
            "collapse talks": f"the talks at {table} collapse",
            "refuse": f"{actor} refuses everything at {table} from now on",
            "break agreement": f"{actor} breaks the agreement at {table}",
        }.get(m.group(1), what)

    def _forced(self, what: str) -> str:
        # the classroom writes "<name> (<role> at <table>); ..."
        out = []
        for part in what.split("; "):
            m = re.fullmatch(r"(.+) \((propose|answer) at (\S+)\)", part)
            if m is None:
                out.append(part)
                continue
            role = "proposal" if m.group(2) == "propose" else "answer"
            name = m.group(1)
            out.append(f"{name}{_apostrophe(name)} {role} at {self.table(m.group(3))}")
        return "; ".join(out)

    def message(self, m) -> str:
        sender = "The control cell" if m.sender == FACILITATOR else self.actor(m.sender)
        return f"{sender} to {self.actor(m.to)}: “{m.text}”"

    # ------------------------------------------------------------ the run's records

    def record(self, d: Mapping[str, Any]) -> str | None:
        """A record's sentence in the scenario's words (the narrative's, where it names no id)."""
        kind, name, table = d["kind"], self.actor, self.table
        if kind == "opened":
            return f"Talks open at {table(d['table'])}."
        if kind == "round":
            answers = ", ".join(
                f"{name(a)} {'accepts' if ok else 'rejects'}"
                for a, ok in d["answers"].items()
                if a != d["proposer"]
            )
            verdict = "the offer passes" if d["passed"] else "no deal"
            offer = (
                f"{self.whose(d['proposer'])} offer above"
                if d["offer"] is None  # told by the seat's proposal just before
                else f"{name(d['proposer'])} proposes {self.terms(d['offer'])}"
            )
            return f"At {table(d['table'])}, {offer}: {answers or 'nobody answers'}; {verdict}."
        if kind == "signed":
            return f"AGREEMENT at {table(d['table'])}: {self.terms(d['terms'])}."
        if kind == "failed":
            if d.get("forced"):
                return f"The talks at {table(d['table'])} collapse (by the step above)."
            return f"The talks at {table(d['table'])} reach their deadline without a deal."
        if kind == "frozen":
            return (
                f"The talks at {table(d['table'])} freeze after {d['rounds']} rounds in which nobody "
                f"took an offer; nobody talks there again before day {d['until']} unless a side's "
                "position moves."
            )
        if kind == "thawed":
            why = (
                f"{self.whose(d['by'])} position has moved"
                if d["by"]
                else "the cooling-off is over"
            )
            return f"The talks at {table(d['table'])} reopen: {why}."
        if kind == "imposed":
            return (
                f"IMPOSED at {table(d['table'])}: with the talks stalled, {name(d['by'])} forces "
                f"{self.terms(d['terms'])}."
            )
        if kind == "completed":
            return f"The agreement at {table(d['table'])} has run its course, kept."
        if kind == "breach":
            text = f"BROKEN PROMISE: {name(d['by'])} breaks the agreement at {table(d['table'])}"
            if d.get("forced"):
                text += " (by the step above)"
            elif "gain" in d and "cost" in d:
                text += f" (its gain {d['gain']:.2f} outweighed its expected cost {d['cost']:.2f})"
            others = ", ".join(name(o) for o in d["others"])
            text += f". {others} trust {name(d['by'])} less" if others else "."
            if d["withdrawn"]:
                text += f"; {d['withdrawn']} changes it made on the ground are reversed"
            text += (
                f"; talks resume on day {d['reopens']}."
                if d["reopens"]
                else "; the table's deadline has passed."
            )
            return text
        if kind == "enforced":
            return (
                f"{name(d['guarantor'])} enforces {self.guarantee(d['guarantee'])} against "
                f"{name(d['against'])}."
            )
        if kind == "unenforced":
            return (
                f"{name(d['guarantor'])} fails to enforce {self.guarantee(d['guarantee'])} against "
                f"{name(d['against'])}; its word is worth less now."
            )
        if kind == "ambush":
            held = f" (held by {name(d['holder'])})" if d.get("holder") else ""
            return (
                f"A convoy from {self.names.site(d['site'])} is attacked on {self.road(d['road'])}"
                f"{held}: {d['killed']} killed."
            )
        if kind == "losses":
            if d["cause"] == "siege_surrender":
                return None  # the surrender tells them
            how = "captured" if d.get("captured") else "lost"
            return f"{d['personnel']} {how} at {self.names.site(d['site'])} ({self.cause(d['cause'])})."
        if kind == "withdrawal":
            return (
                f"Withdrawal from {self.names.site(d['site'])} begins ({self.cause(d['cause'])})."
            )
        if kind == "inject":
            return f"The control cell's change to the world takes effect ({d['effects']} effects)."
        if kind == "override":
            return f"OVERRIDE: {self._override_record(d)}: “{d['reason']}”"
        if kind == "milestone":
            return f"MILESTONE: {self.milestones.get(d['milestone'], d.get('label') or d['milestone'])}."
        if kind == "ending":
            label = self.outcomes.get(d.get("outcome"), d.get("label") or d.get("outcome"))
            return f"The run ends: {label or 'no outcome'}."
        return describe(d, self.names)

    def _override_record(self, d: Mapping[str, Any]) -> str:
        table, actor = self.table(d.get("table")), self.actor(d.get("actor"))
        return {
            "collapse_talks": f"the talks at {table} collapse",
            "refuse": f"{actor} refuses everything at {table}",
            "break_agreement": f"{actor} breaks the agreement at {table}",
        }.get(d["override"], str(d["override"]))

    def event_sentence(self, d: Mapping[str, Any], causes: list[str], before: list[int]) -> str:
        """An event, told once for its day however many times it fired that day (each cause said); an
        event that happens once by its nature and fired again on a later day is told as a repeat."""
        label = self.event_label(d["event"])
        spec = self._events.get(d["event"])
        if before and (spec is None or spec.once):
            how = {
                "scheduled": " as a scheduled inject",
                "injected": ", injected by the control cell",
            }
            return (
                f"EVENT: ‘{label}’ fires again{how.get(causes[0], ' by chance')}"
                f"{_causes(causes[1:], also=True)}: it had already happened on "
                f"{self.days(before)}."
            )
        again = " (again)" if before else ""
        return f"EVENT: {label}{again}{_causes(causes)}. {str(d.get('text', '')).strip()}"

    def event_label(self, event: Any) -> str:
        spec = self._events.get(event)
        return (spec.label or event) if spec else str(event)


def _causes(causes: list[str], also: bool = False) -> str:
    """Why an event fired, in words: '' for once by chance; '(a scheduled inject; it also fired by
    chance)' for a scheduled inject the dice fired too."""
    if not causes or (not also and causes == ["chance"]):
        return ""
    parts = []
    for i, cause in enumerate(dict.fromkeys(causes)):
        k = causes.count(cause)
        times = f" ({k} times)" if k > 1 else ""
        parts.append(((_ALSO if also or i else _FIRST)[cause]) + times)
    return f" ({'; '.join(parts)})"


def _apostrophe(name: str) -> str:
    return "'" if name.endswith("s") else "'s"


def _accepts(move: Any) -> bool:
    return move is True or str(move).lower() in ("accept", "yes", "true")


# ---------------------------------------------------------------- the timeline, in the order it happened

# The records the timeline tells (beliefs are private guesses; quiet safe-conduct arrangements and daily
# flights would drown the story, and the game's own log keeps them).
TOLD = frozenset({
    "event", "opened", "round", "signed", "failed", "frozen", "thawed", "imposed", "completed", "breach",
    "enforced", "unenforced", "inject", "override", "milestone", "ending", "convoy", "arrived", "ambush",
    "surrender", "losses", "withdrawal", "withdrawn", "lifted", "post",
})  # fmt: skip
# Items made between the same two records, in this order: the control cell's steps taken while the class
# deliberates, the notes between the seats, the seats' moves, then the steps that close what came before
# (forcing the decisions just noted, ending the turn or the game).
CLOSING = frozenset({"force", "end_turn", "end_game"})


@dataclass(frozen=True)
class Moment:
    """One line of the class's timeline: a record of the run, a seat's move, a step of the control cell
    or a note between the seats, in words (plain text: escaped when rendered)."""

    day: int  # the day whose news tells it
    source: str  # "record" | "note" | "step" | "message"
    kind: str  # the record's, note's or step's kind ("message" for a message)
    text: str
    actor: str | None = None  # the seat a note is from
    sender: str | None = None  # a message's sender and addressee (what a seat's view keeps)
    to: str | None = None
    after: int | None = None  # made between two days: after the end of this day

    def seen_by(self, viewer: str | None) -> bool:
        """Whether a seat's copy of the review tells it (the facilitator's, viewer None, tells all)."""
        if self.source != "message" or viewer is None:
            return True
        return self.to in (viewer, EVERYONE) or self.sender == viewer


def timeline(
    log: list[Mapping[str, Any]],
    notes: list,
    steps: list,
    messages: list,
    words: Words,
    seated: list[str],
    last_day: int | None = None,
) -> list[Moment]:
    """The run's records (`log`: every record, in order), the class's notes, the control cell's steps and
    the messages merged in the order they happened: an item made when the run had `at` records comes
    before the record at index `at`. What was done between two days is told with the next day's news (as
    the engine dates the records it makes then), marked as done after the day before; `last_day`, for a
    game that is over, is the last day it played (nothing is told on a day that never came)."""
    n = len(log)
    cap = (lambda day: min(day, last_day)) if last_day is not None else (lambda day: day)

    def placed(day: int, at: int) -> tuple[int, int | None]:
        between = (at < n and log[at]["day"] > day) or (at > 0 and log[at - 1]["day"] > day)
        return (cap(day + 1), day) if between else (cap(day), None)

    keyed: list[tuple[int, int, int, Moment]] = []
    for i, moment in _records_told(log, notes, steps, words, seated):
        keyed.append((i, 4, i, replace(moment, day=cap(moment.day))))
    for j, s in enumerate(steps):
        at = min(max(int(s.at), 0), n)
        day, after = placed(s.day, at)
        keyed.append((at, 3 if s.kind in CLOSING else 0, j,
                      Moment(day, "step", s.kind, words.step(s), after=after)))  # fmt: skip
    for j, m in enumerate(messages):
        at = min(max(int(m.at), 0), n)
        day, after = placed(m.day, at)
        keyed.append((at, 1, j, Moment(day, "message", "message", words.message(m),
                                       sender=m.sender, to=m.to, after=after)))  # fmt: skip
    for j, note in enumerate(notes):
        at = _note_position(note, log)
        day, after = placed(note.day, at)
        keyed.append((at, 2, j, Moment(day, "note", note.kind, words.note(note), actor=note.actor,
                                       after=after)))  # fmt: skip
    keyed.sort(key=lambda k: k[:3])
    out = [k[3] for k in keyed]
    # (stable) a day's news in the day's place, should a between-days item and a record disagree
    return sorted(out, key=lambda m: m.day)


def _note_position(note, log: list[Mapping[str, Any]]) -> int:
    """Where a note goes among the records. A seat's unilateral step is noted after the records it made
    (the override, the breach and what the breach set off that moment): it goes before the first of them,
    so that the step comes before its consequences."""
    at = min(max(int(note.at), 0), len(log))
    if note.kind != "unilateral" or at == 0:
        return at
    first = at
    day = log[at - 1]["day"]
    for k in range(at - 1, max(at - 40, 0) - 1, -1):
        d = log[k]
        if d["day"] != day:
            break
        made = (
            d["kind"] in ("override", "breach")
            and d.get("table") == note.table
            and note.actor in (d.get("actor"), d.get("by"))
            and str(d.get("reason") or "") == str(note.justification)
        )
        if made:
            first = k
    return first


def _records_told(log, notes, steps, words: Words, seated: list[str]) -> list[tuple[int, Moment]]:
    """The records the timeline tells, each with its index: an event once a day (with every cause it
    fired by that day), an override once (by the step or the seat's move that made it, which says why),
    a round only at a table where a seat sits."""
    seats = set(seated)
    causes: dict[tuple[int, str], list[str]] = {}
    first: dict[tuple[int, str], int] = {}
    for i, d in enumerate(log):
        if d["kind"] == "event":
            key = (d["day"], d["event"])
            cause = (
                "scheduled" if d.get("scheduled") else "injected" if d.get("forced") else "chance"
            )
            causes.setdefault(key, []).append(cause)
            first.setdefault(key, i)
    fired_on: dict[str, list[int]] = {}
    # a seat's proposal is told by its note, just before the round it opened
    proposed = sorted(
        ((int(n.at), n.table, n.actor, n.move) for n in notes if n.kind == "propose"),
        key=lambda p: p[0],
    )
    out = []
    for i, d in enumerate(log):
        kind = d["kind"]
        if kind not in TOLD:
            continue
        if kind == "round":
            said = next(
                (p for p in proposed if p[0] <= i and p[1:3] == (d["table"], d["proposer"])), None
            )
            if said is not None:
                proposed.remove(said)
                if said[3] == d["offer"]:
                    d = {**d, "offer": None}
        if kind == "event":
            key = (d["day"], d["event"])
            if first[key] != i:
                continue  # told with the first firing of its day
            before = fired_on.setdefault(d["event"], [])
            text = words.event_sentence(d, causes[key], list(before))
            before.append(d["day"])
        else:
            no_seat = kind == "round" and not seats & set(d.get("parties") or d["answers"])
            if no_seat or (kind == "override" and _told_elsewhere(i, d, notes, steps)):
                continue
            text = words.record(d)
        if text:
            out.append((i, Moment(d["day"], "record", kind, text)))
    return out


def _told_elsewhere(i: int, d: Mapping[str, Any], notes, steps) -> bool:
    """An override made by a facilitator's step or a seat's unilateral step is told by that step."""
    reason = str(d.get("reason", ""))
    for s in steps:
        if s.kind == "override" and str(s.reason) == reason and s.at <= i < s.at + 4:
            return True
    return any(
        n.kind == "unilateral" and str(n.justification) == reason and n.actor == d.get("actor")
        and i < n.at <= i + 4
        for n in notes
    )  # fmt: skip


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
    timeline: list[Moment]  # records, moves, steps and messages in the order they happened
    decisions: list[dict]  # each seat decision with the model's usual choice beside it
    milestones: list[dict]  # per milestone: the class's day; the simulated share and median day
    actors: list[dict]  # per actor: the class's utility, its percentile among simulated games
    record: list[dict] = field(default_factory=list)
    milestone_labels: dict[str, str] = field(default_factory=dict)
    outcome_labels: dict[str, str] = field(default_factory=dict)
    notes: list = field(default_factory=list)  # the class's moves (classroom Notes), as made
    steps: list = field(default_factory=list)  # the control cell's steps (classroom Steps), as made
    left_behind: frozenset[int] = frozenset()  # indexes of steps taken in a game a fork left behind
    messages: list = field(default_factory=list)  # notes between the seats (classroom Messages)
    players: dict[int, dict[str, str]] = field(default_factory=dict)  # day -> seat -> who played it
    game_over: dict | None = None  # {day, turn, reason}: the facilitator ended the game early
    finished: bool = False  # the class's game is over (its days played, or ended early)
    log: list[dict] = field(default_factory=list)  # every record of the run, in order


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
        overrides=tuple(sorted(ex.overrides.items())),  # and its settings (how often tables meet)
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
    words = Words(ex)
    log = [dict(entry) for entry in game.log()]  # every record (viewer None): `at` counts them all
    notes, steps, messages = list(room.notes), list(room.steps), list(room.messages)
    left = _left_behind(steps, list(getattr(room, "forks", [])))
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
        timeline=timeline(
            log,
            notes,
            [s for j, s in enumerate(steps) if j not in left],
            messages,
            words,
            ex.seated,
            result.days if room.finished else None,
        ),
        decisions=_decisions(notes, words),
        milestones=_milestones(room, table),
        actors=_actors(room, table, result),
        record=_record(ex),
        milestone_labels=dict(words.milestones),
        outcome_labels=dict(words.outcomes),
        notes=notes,
        steps=steps,
        left_behind=left,
        messages=messages,
        players=room.players(),
        game_over=dict(room.game_over) if room.game_over else None,
        finished=bool(room.finished),
        log=log,
    )


def _left_behind(steps: list, forks: list[dict]) -> frozenset[int]:
    """The steps taken in a game that a fork then left behind: those of turns after the one the fork went
    back to, taken before the fork (the classroom keeps every step; its notes and messages it drops)."""
    left: set[int] = set()
    fork = 0
    for j, s in enumerate(steps):
        if s.kind != "fork":
            continue
        back_to = forks[fork]["turn"] if fork < len(forks) else _fork_turn(s.what)
        fork += 1
        if back_to is None:
            continue
        left |= {i for i in range(j) if steps[i].turn > back_to}
    return frozenset(left)


def _fork_turn(what: str) -> int | None:
    m = re.search(r"end of turn (\d+)", what)
    return int(m.group(1)) if m else None


def _decisions(notes: list, words: Words) -> list[dict]:
    """Each seat's decision beside what the model's actor does with such an offer: it takes an offer worth
    at least its outside option (its strategies concede towards that line, and accept above it). Where the
    class did otherwise is a point for the debrief; a decision the facilitator forced was the model's."""
    out = []
    for note in notes:
        forced = getattr(note, "by", "class") == "model"
        row = {**note.to_dict(), "forced": forced, "table_label": words.table(note.table),
               "class_did": words.move(note)}  # fmt: skip
        if forced:
            row["class_did"] = (
                f"{words.move(note)}: decided by the model (forced by the facilitator: "
                f"{note.justification or 'no reason given'})"
            )
        if note.kind == "answer":
            if note.value is not None and note.reservation is not None:
                model = note.value >= note.reservation
                row["model_would"] = "accepts" if model else "rejects"
                row["differs"] = not forced and model != _accepts(note.move)
            else:
                row["model_would"], row["differs"] = "", False
            out.append(row)
        elif note.kind == "unilateral":
            out.append({**row, "differs": True, "model_would": "(the model's actors break a promise "
                        "only when the gain outweighs the expected cost)"})  # fmt: skip
        elif note.kind == "propose":
            out.append({**row, "model_would": "(its own proposal)", "differs": False})
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


# ---------------------------------------------------------------- who played each seat

PLAYED = {"class": "the class", "model": "the model", "forced": "the class; the model took a forced decision"}  # fmt: skip


def played_by(players: dict[int, dict[str, str]], seat: str, words: Words) -> str:
    """Who played a seat over the game, in words: 'the class', 'the class (the model on days 8-14)'."""
    days = {who: [d for d, held in players.items() if held.get(seat) == who] for who in PLAYED}
    if not days["model"] and not days["forced"]:
        return "the class"
    if not days["class"] and not days["forced"]:
        return f"the model (on {words.days(days['model'])})"
    parts = []
    if days["model"]:
        parts.append(f"the model on {words.days(days['model'])}")
    if days["forced"]:
        parts.append(f"decisions forced and taken by the model on {words.days(days['forced'])}")
    return f"the class ({'; '.join(parts)})"


def _spans(players: dict[int, dict[str, str]], seats: list[str]) -> list[tuple[int, int, tuple]]:
    """Runs of days on which every seat was played by the same hands: (first day, last day, who)."""
    out: list[tuple[int, int, tuple]] = []
    for day in sorted(players):
        who = tuple(players[day].get(s, "class") for s in seats)
        if out and out[-1][2] == who and out[-1][1] == day - 1:
            out[-1] = (out[-1][0], day, who)
        else:
            out.append((day, day, who))
    return out


# ---------------------------------------------------------------- the branch tree, drawn

TREE_DEPTH = 4  # milestones shown beyond the start
TREE_WIDTH, TREE_HEIGHT, TREE_HEAD = 800, 300, 18
ON_PATH, OFF_PATH, ENDED, FOLDED = "#E69F00", "#cfe3f1", "#e8e8e8", "#d9d9d9"


def tree_svg(
    tree: BranchNode,
    path: list[str],
    labels: dict[str, str],
    finished: bool,
    depth: int = TREE_DEPTH,
) -> str:
    """An inline SVG icicle of the branch tree, read left to right: a column per milestone reached, each
    box a branch sized by its share of the simulated games. The class's path is drawn in orange with a
    heavy black outline and numbered (1 its first milestone); boxes under 1 pixel are left out."""
    total = max(tree.runs, 1)
    shown = min(depth, max((len(nd.path) for nd in tree.walk()), default=0))
    width = TREE_WIDTH / (shown + 1)
    chars = max(int((width - 10) / 6.2), 4)
    mine = tuple(path)
    boxes: list[str] = []

    def on_path(node: BranchNode) -> bool:
        if node.label == END:  # the class's path stopped here, as these games' did
            return finished and node.path == mine
        return node.label != OTHER and node.path == mine[: len(node.path)]

    def draw(node: BranchNode, level: int, y: float, h: float, mark: bool) -> None:
        if node.label == END:
            name = "(the path ends)"
        elif node.label == OTHER:
            name = "other branches"
        elif level == 0:
            name = f"all {node.runs:,} games"
        else:
            name = labels.get(node.label, node.label)
        share = node.runs / total
        x = level * width
        hh = max(h, 3.0) if mark else h
        number = len(node.path) if mark and level and node.label != END else None
        text = (f"{number}. " if number else "") + name
        title = f"{text}: {share:.0%} of the simulated games"
        fill = (
            ON_PATH
            if mark
            else ENDED
            if node.label == END
            else FOLDED
            if node.label == OTHER
            else OFF_PATH
        )
        stroke = "stroke='#000' stroke-width='2.5'" if mark else "stroke='#fff' stroke-width='1'"
        cls = "on-path" if mark else "branch"
        lines = _wrap(text, chars, min(int((hh - 3) // 13), 3))
        label = (
            f"<text x='{x + 5:.1f}' y='{y + 13:.1f}' font-size='11' "
            "font-family='Helvetica, Arial, sans-serif' fill='#111'>"
            + "".join(
                f"<tspan x='{x + 5:.1f}' dy='{0 if k == 0 else 13}'>{_e(line)}</tspan>"
                for k, line in enumerate(lines)
            )
            + "</text>"
            if lines
            else ""
        )
        boxes.append(
            f"<g class='{cls}'><title>{_e(title)}</title><rect x='{x + 1:.1f}' y='{y:.1f}' "
            f"width='{width - 2:.1f}' height='{hh:.1f}' fill='{fill}' {stroke}/>{label}</g>"
        )
        if level >= shown or not node.runs:
            return
        cy = y
        for child in node.children:
            ch = h * child.runs / node.runs
            child_mark = mark and on_path(child)
            if ch >= 1 or child_mark:
                draw(child, level + 1, cy, ch, child_mark)
            cy += ch

    draw(tree, 0, TREE_HEAD, TREE_HEIGHT, True)
    heads = "".join(
        f"<text x='{i * width + 5:.1f}' y='12' font-size='11' font-family='Helvetica, Arial, sans-serif' "
        f"fill='#444'>{'start' if i == 0 else _ordinal(i) + ' milestone'}</text>"
        for i in range(shown + 1)
    )
    # the class's boxes last, so that their outline is drawn over their neighbours'
    boxes.sort(key=lambda b: b.startswith("<g class='on-path'"))
    return (
        f"<svg class='tree' xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {TREE_WIDTH} "
        f"{TREE_HEIGHT + TREE_HEAD + 2}' role='img' aria-label='The branch tree of the simulated games, "
        f"with the class&#x27;s path'>{heads}{''.join(boxes)}</svg>"
    )


def _wrap(text: str, chars: int, most: int) -> list[str]:
    """The text in at most `most` lines of `chars` characters (the last one cut short with '…')."""
    if most < 1:
        return []
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return [line if len(line) <= chars else line[: chars - 1] + "…" for line in lines if line]


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _path_legend(r: Review, ml: dict[str, str]) -> str:
    """The class's path step by step: how many simulated games went the same way that far."""
    if not r.path:
        return "<p class='small'>The class's game reached no milestone: its path is the start alone.</p>"
    items = []
    for i, m in enumerate(r.path, 1):
        node = r.tree.find(tuple(r.path[:i]))
        where = (
            f"{_pct(node.runs / max(r.tree.runs, 1))} of the simulated games went this way so far"
            if node is not None
            else "no simulated game went this way"
        )
        if node is not None and i > TREE_DEPTH:
            where += " (deeper than the tree shows)"
        items.append(f"<li>{_e(ml.get(m, m))}: {where}</li>")
    return (
        "<p class='small'>The class's path, numbered as in the tree (orange, outlined):</p><ol class='small'>"
        + "".join(items)
        + "</ol>"
    )


# ---------------------------------------------------------------- the page


def _pct(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def debrief_html(r: Review, notes: list | None = None, viewer: str | None = None) -> str:
    """The review as one static, printable page. `notes`: the class's notes (default: those the review
    was made with). `viewer`: a seat's actor for that seat's copy (other seats' briefings and the messages
    not to it, to all or from it are left out), None for the facilitator's whole review."""
    ex, spec = r.exercise, r.exercise.spec
    words = Words(ex)
    names = {a.id: a.name for a in ex.scenario.actors}
    ml = r.milestone_labels or words.milestones
    events, decisions = r.timeline, r.decisions
    if notes is not None and list(notes) != list(r.notes):
        steps = [s for j, s in enumerate(r.steps) if j not in r.left_behind]
        last = r.day if r.finished else None
        events = timeline(r.log, list(notes), steps, r.messages, words, ex.seated, last)
        decisions = _decisions(list(notes), words)
    messages = [
        m for m in r.messages if viewer is None or m.to in (viewer, EVERYONE) or m.sender == viewer
    ]
    lo, hi = r.outcome_ci
    copy = (
        f"<p class='sub'>{_e(names.get(viewer, viewer))}'s copy: the other seats' briefings and the notes "
        "between other seats are left out.</p>"
        if viewer is not None
        else ""
    )
    parts = [
        f"<p class='sub'>After-action review · {_e(ex.scenario.spec.title)}</p><h1>{_e(spec.title)}</h1>",
        copy,
    ]
    if r.game_over:
        g = r.game_over
        parts.append(
            f"<p class='over'><b>The facilitator ended the game early</b>, on day {_e(g.get('day'))} "
            f"(turn {_e(g.get('turn'))}): “{_e(g.get('reason', ''))}”. The review covers the days played.</p>"
        )
    parts += [
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
        "<h3>The class's path on the tree of simulated games</h3>",
        tree_svg(r.tree, r.path, ml, r.finished or r.outcome is not None),
        "<p class='small'>Read from left to right: each box is a milestone reached after the one to its "
        f"left, its height the share of the {r.runs:,} simulated games that went that way (the first "
        f"{TREE_DEPTH} milestones; branches under half a percent are too thin to draw).</p>",
        _path_legend(r, ml),
        "<h3>The most common paths in the simulated games</h3><table><tr><th>first milestones</th><th class='n'>share</th></tr>",
    ]
    for child in sorted(r.tree.children, key=lambda c: -c.runs)[:6]:
        grand = max(child.children, key=lambda c: c.runs, default=None)
        label = _e(ml.get(child.label, child.label)) + (
            f" → {_e(ml.get(grand.label, grand.label))}" if grand else ""
        )
        parts.append(f"<tr><td>{label}</td><td class='n'>{_pct(child.runs / r.runs)}</td></tr>")
    parts.append("</table>")
    parts.append(_players_html(r, words))
    parts.append(_timeline_html(r, events, viewer))
    parts.append(_decisions_html(decisions, names))
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
    parts.append(_steps_html(r, words))
    parts.append(_messages_html(messages, words))
    parts.append(
        "<h2>Each actor against its objectives</h2><table><tr><th>actor</th><th>played by</th><th class='n'>its utility at the end</th><th class='n'>median in the simulated games</th><th class='n'>games it did better in</th></tr>"
    )
    for a in r.actors:
        u = "–" if a["utility"] is None else f"{a['utility']:.2f}"
        med = "–" if a["median"] is None else f"{a['median']:.2f}"
        better = "–" if a["percentile"] is None else f"{_pct(a['percentile'])} of them"
        who = played_by(r.players, a["actor"], words) if a["seat"] else "the model"
        parts.append(
            f"<tr><td>{_e(a['name'])}</td><td>{_e(who)}</td><td class='n'>{u}</td><td class='n'>{med}</td><td class='n'>{better}</td></tr>"
        )
    parts.append(
        "</table><p class='small'>Utility 0 is the actor's worst, 1 its best on the issues it cares about; its briefing lists what it wanted.</p>"
    )
    for seat in spec.seats:
        if viewer is not None and seat.actor != viewer:
            continue  # another seat's briefing is private to it
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


def _players_html(r: Review, words: Words) -> str:
    seats = list(r.exercise.seated)
    out = ["<h2>Who played each seat</h2>"]
    if not r.players:
        return out[0] + "<p>No day has been played yet.</p>"
    out.append(
        "<table class='players'><tr><th>days</th>"
        + "".join(f"<th>{_e(words.actor(s))}</th>" for s in seats)
        + "</tr>"
    )
    for first, last, who in _spans(r.players, seats):
        days = f"day {first}" if first == last else f"days {first}–{last}"
        out.append(
            f"<tr><td class='n'>{days}</td>"
            + "".join(f"<td class='{w}'>{_e(PLAYED.get(w, w))}</td>" for w in who)
            + "</tr>"
        )
    out.append(
        "</table><p class='small'>The model: the facilitator handed the seat to the model for all or part "
        "of those days. A forced decision: the facilitator had the model take a decision the class had not "
        "taken (the class kept the seat).</p>"
    )
    return "".join(out)


def _timeline_html(r: Review, events: list[Moment], viewer: str | None) -> str:
    start = r.exercise.scenario.spec.start_date
    out = ["<h2>The class's timeline</h2>"]
    shown = [m for m in events if m.seen_by(viewer)]
    if not shown:
        return out[0] + "<p>Nothing has happened yet.</p>"
    out.append("<table class='timeline'><tr><th>day</th><th>what happened, in order</th></tr>")
    days: dict[int, list[str]] = {}
    before = None
    for m in shown:
        lines = days.setdefault(m.day, [])
        if m.after is not None and (m.after != before or not lines):
            lines.append(f"<span class='small'>After day {m.after}, between two days:</span>")
        before = m.after
        lines.append(f"<span class='{m.source}'>{_e(m.text)}</span>")
    for day, lines in days.items():
        date = (start + dt.timedelta(days=day)).strftime("%a %d %b")
        out.append(
            f"<tr><td class='n'>{day}<br><span class='small'>{date}</span></td>"
            f"<td>{'<br>'.join(lines)}</td></tr>"
        )
    out.append(
        "</table><p class='small'>In the order things happened: a seat's offer before the round it "
        "opened and the agreement it made. What was done between two days is told with the next day's "
        "news, as the run dates what it made then.</p>"
    )
    return "".join(out)


def _decisions_html(decisions: list[dict], names: dict[str, str]) -> str:
    out = ["<h2>Decision points: the class and the model</h2>"]
    if not decisions:
        return out[0] + "<p>No seat decision was recorded.</p>"
    out.append(
        "<table><tr><th>turn</th><th>day</th><th>seat</th><th>table</th><th>worth / outside option</th>"
        "<th>the class</th><th>the model's actor</th><th>why (the class)</th></tr>"
    )
    for d in decisions:
        worth = (
            f"{d['value']:.2f} / {d['reservation']:.2f}"
            if d["value"] is not None and d["reservation"] is not None
            else ""
        )
        why = "" if d.get("forced") else d["justification"]
        out.append(f"<tr class='{'differs' if d['differs'] else ''}'><td class='n'>{d['turn']}</td><td class='n'>{d['day']}</td>"
                   f"<td>{_e(names.get(d['actor'], d['actor']))}</td><td>{_e(d['table_label'])}</td><td class='n'>{worth}</td>"
                   f"<td>{_e(d['class_did'])}</td><td>{_e(d['model_would'])}</td><td>{_e(why)}</td></tr>")  # fmt: skip
    out.append(
        "</table><p class='small'>Shaded: where the class chose otherwise than the model's actor does with "
        "the same offer (it accepts what is worth at least its outside option). A decision the facilitator "
        "forced was the model's, not the class's.</p>"
    )
    return "".join(out)


def _steps_html(r: Review, words: Words) -> str:
    out = ["<h2>The control cell's steps</h2>"]
    if not r.steps:
        return out[0] + "<p>The facilitator took no step.</p>"
    out.append(
        "<table class='steps'><tr><th>turn</th><th>day</th><th>step</th><th>what</th><th>reason</th></tr>"
    )
    for j, s in enumerate(r.steps):
        what = words.step_action(s)
        if j in r.left_behind:
            what += " (in a game the class then went back from)"
        reason = str(s.reason).strip() or "(no reason given)"
        out.append(
            f"<tr><td class='n'>{s.turn}</td><td class='n'>{s.day}</td>"
            f"<td>{_e(STEP_NAMES.get(s.kind, s.kind.replace('_', ' ')))}</td><td>{_e(what)}</td>"
            f"<td>{_e(reason)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


STEP_NAMES = {
    "hand_over": "hand-over", "take_back": "take-back", "pause": "pause", "resume": "resume",
    "inject": "inject", "hold": "hold an inject", "override": "override", "force": "force decisions",
    "end_turn": "end of turn", "extend": "extend the turn", "fork": "fork", "end_game": "end of game",
}  # fmt: skip


def _messages_html(messages: list, words: Words) -> str:
    out = ["<h2>Notes between the seats</h2>"]
    if not messages:
        return out[0] + "<p>No note was sent.</p>"
    out.append(
        "<table class='messages'><tr><th>turn</th><th>day</th><th>from</th><th>to</th><th>note</th></tr>"
    )
    for m in messages:
        sender = "the control cell" if m.sender == FACILITATOR else words.actor(m.sender)
        out.append(
            f"<tr><td class='n'>{m.turn}</td><td class='n'>{m.day}</td><td>{_e(sender)}</td>"
            f"<td>{_e(words.actor(m.to))}</td><td>{_e(m.text)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)
