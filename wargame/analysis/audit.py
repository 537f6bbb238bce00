"""The decision audit: over many runs, how often each option of every recurring choice was taken, each
table ended each way, each milestone was reached and each outcome came; a share that is (nearly) always or
never is flagged, unless the scenario states why (`certain:`). And how often each key question of the
scenario is answered yes or no.

    tally(runs, catalogue, milestones, outcomes, certain, key_questions) -> Audit   (pure: plain data in)
    render_audit(audit)                                                 -> lines of text
    audit_runs(scenario, runs, seed, overrides, workers)                -> Audit   (plays the runs)

Item ids (what `certain:` names): "DECISION / OPTION" or a whole "DECISION" (engine/decisions.py names
them: "post SITE (OWNER) / leave", "table TABLE / signed"), "milestone ID", "outcome ID".
"""

from __future__ import annotations

import statistics
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from wargame.analysis.statistics import wilson

HIGH, LOW = 0.99, 0.01  # a share at or beyond these is flagged
ANSWER_FLOOR = 0.05  # a key question's answer in fewer runs than this is flagged
SEPARATOR = " / "
OCCURRED = "occurred "

HOW = {
    "decision": "runs in which the option was taken at least once (a run counts once per option)",
    "otherwise": "runs in which none of {of} was taken",
    "ending": "runs that ended so (one ending per run)",
    "milestone": "runs that reached it",
    "outcome": "runs that ended in it (one outcome per run)",
}


@dataclass
class Share:
    """One line of the audit: an item and the share of runs that took or reached it."""

    id: str  # what `certain:` names
    label: str
    runs: int
    total: int
    low: float
    high: float
    counted: str  # how the share is counted (HOW)
    first_day: float | None = None  # median of the first day it was taken, over the runs that did
    reason: str | None = None  # the scenario's `certain:` reason, if it gives one

    @property
    def share(self) -> float:
        return self.runs / self.total if self.total else 0.0

    @property
    def flagged(self) -> bool:
        return self.total > 0 and (self.share >= HIGH or self.share <= LOW)

    @property
    def defect(self) -> bool:
        """Flagged, and the scenario says nothing of why."""
        return self.flagged and self.reason is None

    def to_dict(self) -> dict:
        return {**asdict(self), "share": self.share, "flagged": self.flagged}


@dataclass
class Group:
    """A decision (its options), a table's endings, or the milestones or the outcomes."""

    title: str
    kind: str  # decision, ending, milestone, outcome
    shares: list[Share]
    foreseen: bool = True  # False: a decision some run took that the scenario's catalogue lacks

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "kind": self.kind,
            "foreseen": self.foreseen,
            "shares": [s.to_dict() for s in self.shares],
        }


@dataclass
class Question:
    id: str
    question: str
    answered_yes_by: list[str]
    yes: int
    total: int
    low: float
    high: float
    reason: str | None = None

    @property
    def share_yes(self) -> float:
        return self.yes / self.total if self.total else 0.0

    @property
    def flagged(self) -> bool:
        return self.total > 0 and min(self.share_yes, 1 - self.share_yes) < ANSWER_FLOOR

    @property
    def defect(self) -> bool:
        return self.flagged and self.reason is None

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "share_yes": self.share_yes,
            "share_no": 1 - self.share_yes,
            "flagged": self.flagged,
        }


@dataclass
class Audit:
    scenario: str
    runs: int
    seed: int | None
    groups: list[Group]
    questions: list[Question] = field(default_factory=list)

    @property
    def shares(self) -> list[Share]:
        return [s for g in self.groups for s in g.shares]

    @property
    def defects(self) -> list[Share | Question]:
        return [s for s in self.shares if s.defect] + [q for q in self.questions if q.defect]

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "runs": self.runs,
            "seed": self.seed,
            "bounds": {"high": HIGH, "low": LOW, "answer_floor": ANSWER_FLOOR},
            "counted": HOW,
            "groups": [g.to_dict() for g in self.groups],
            "key_questions": [q.to_dict() for q in self.questions],
            "flagged_without_reason": len(self.defects),
        }


def _reason(certain: Mapping[str, str], *ids: str) -> str | None:
    return next((certain[i] for i in ids if i in certain), None)


def _share(item: str, label: str, k: int, n: int, counted: str, certain, *, days=None, also=()):
    """A line of the audit; its reason is the first that `certain` gives for the item or for `also`
    (the whole decision; the one option whose complement it is, or the complement of it)."""
    low, high = wilson(k, n)
    first = statistics.median(days) if days else None
    return Share(item, label, k, n, low, high, counted, first, _reason(certain, item, *also))


def tally(
    runs: Iterable[Mapping[str, Any]],
    catalogue: Mapping[str, Any],
    milestones: Iterable[tuple[str, str]],
    outcomes: Iterable[tuple[str, str]],
    certain: Mapping[str, str] | None = None,
    key_questions: Iterable[Any] = (),
    *,
    scenario: str = "",
    seed: int | None = None,
) -> Audit:
    """The audit of `runs`: one mapping a run with its `outcome`, `day_<milestone>` (None when not
    reached), `audit_items` and `audit_days` (batch.plan.run_chunk(audit=True)). `catalogue` maps each
    decision the scenario can face to its options (engine.decisions.catalogue: `options`, `otherwise`,
    `otherwise_of`); `milestones` and `outcomes` are (id, label) pairs; `key_questions` the scenario's
    (id, question, yes_if: each with one of milestone / outcome / occurred, certain)."""
    certain = dict(certain or {})
    milestones, outcomes = list(milestones), list(outcomes)
    n = 0
    taken: Counter[str] = Counter()
    days: dict[str, list[int]] = {}
    reached: Counter[str] = Counter()
    reached_days: dict[str, list[int]] = {}
    ended: Counter[str] = Counter()
    per_run: list[tuple[set[str], str | None, set[str]]] = []  # items, outcome, milestones
    for run in runs:
        n += 1
        items = set()
        for item, day in zip(run["audit_items"], run["audit_days"], strict=True):
            items.add(item)
            taken[item] += 1
            if day is not None and day >= 0:
                days.setdefault(item, []).append(day)
        got = set()
        for mid, _ in milestones:
            day = run.get(f"day_{mid}")
            if day is not None and day == day:  # (NaN from a DataFrame: not reached)
                got.add(mid)
                reached[mid] += 1
                reached_days.setdefault(mid, []).append(int(day))
        ended[run.get("outcome")] += 1
        per_run.append((items, run.get("outcome"), got))

    groups: list[Group] = []
    decisions = dict(catalogue)
    for item in sorted(taken):  # taken in some run, but not foreseen: shown all the same
        if SEPARATOR in item and not item.startswith(OCCURRED):
            name, option = item.rsplit(SEPARATOR, 1)
            if name not in decisions:
                decisions[name] = _Unforeseen([])
            if isinstance(decisions[name], _Unforeseen):
                decisions[name].options.append(option)
    for name, decision in decisions.items():
        kind = "ending" if name.startswith("table ") else "decision"
        shares = []
        options = list(decision.options)
        options += sorted(
            {i.rsplit(SEPARATOR, 1)[1] for i in taken if i.startswith(name + SEPARATOR)}
            - set(options)
            - {decision.otherwise}
        )
        of = list(decision.otherwise_of or decision.options) if decision.otherwise else []
        # an option and its complement are one fact: a reason for either stands for both
        pair = {}
        if len(of) == 1:
            pair[of[0]] = f"{name}{SEPARATOR}{decision.otherwise}"
            pair[decision.otherwise] = f"{name}{SEPARATOR}{of[0]}"
        for option in options:
            item = f"{name}{SEPARATOR}{option}"
            also = (name, *([pair[option]] if option in pair else []))
            first = days.get(item) if kind == "decision" else None  # an ending: the last day
            shares.append(
                _share(item, option, taken[item], n, HOW[kind], certain, days=first, also=also)
            )
        if decision.otherwise:
            none = sum(
                1
                for items, _, _ in per_run
                if not any(f"{name}{SEPARATOR}{o}" in items for o in of)
            )
            item = f"{name}{SEPARATOR}{decision.otherwise}"
            counted = HOW["otherwise"].format(of=" or ".join(of))
            also = (name, *([pair[decision.otherwise]] if pair else []))
            shares.append(_share(item, decision.otherwise, none, n, counted, certain, also=also))
        groups.append(Group(name, kind, shares, not isinstance(decision, _Unforeseen)))
    # decisions first, then the tables' endings (each kind in the catalogue's order)
    groups.sort(key=lambda g: g.kind == "ending")
    groups.append(
        Group(
            "milestones",
            "milestone",
            [
                _share(f"milestone {mid}", f"{mid}: {label}", reached[mid], n, HOW["milestone"],
                       certain, days=reached_days.get(mid))
                for mid, label in milestones
            ],
        )
    )  # fmt: skip
    seen = [oid for oid, _ in outcomes]
    extra = [(o, str(o) if o is not None else "(none)") for o in ended if o not in seen]
    groups.append(
        Group(
            "outcomes",
            "outcome",
            [
                _share(f"outcome {oid}", f"{oid}: {label}", ended[oid], n, HOW["outcome"], certain)
                for oid, label in [*outcomes, *extra]
            ],
        )
    )
    questions = []
    for q in key_questions:
        answers = [_answer(a) for a in q.yes_if]
        yes = sum(1 for run in per_run if any(_holds(a, run) for a in answers))
        low, high = wilson(yes, n)
        questions.append(
            Question(
                q.id, q.question, [f"{k} {v}" for k, v in answers], yes, n, low, high, q.certain
            )
        )
    return Audit(scenario, n, seed, groups, questions)


@dataclass
class _Unforeseen:
    options: list[str]
    otherwise: str | None = None
    otherwise_of: tuple[str, ...] = ()


def _answer(a: Any) -> tuple[str, str]:
    for key in ("milestone", "outcome", "occurred"):
        value = a.get(key) if isinstance(a, Mapping) else getattr(a, key, None)
        if value is not None:
            return key, value
    raise ValueError(f"a key question's answer names no milestone, outcome or occurrence: {a!r}")


def _holds(answer: tuple[str, str], run: tuple[set[str], str | None, set[str]]) -> bool:
    key, value = answer
    items, outcome, milestones = run
    if key == "milestone":
        return value in milestones
    if key == "outcome":
        return outcome == value
    return OCCURRED + value in items


# ---------------------------------------------------------------- text


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}%"


def _interval(low: float, high: float) -> str:
    return f"[{100 * low:5.1f}, {100 * high:5.1f}]"


def _mark(flagged: bool, reason: str | None) -> str:
    if not flagged:
        return ""
    return f"certain: {reason}" if reason else "!"


def render_audit(audit: Audit, width: int | None = None) -> list[str]:
    """The audit as text: a block a decision, table, milestones and outcomes, then the key questions;
    the last line says whether anything is flagged without a reason. `width`: of the labels' column
    (default: the longest label's, within 40 to 60)."""
    if width is None:
        longest = max((len(s.label) + 2 for s in audit.shares), default=0)
        width = min(max(longest, 40), 60)
    out = [
        f"Decision audit of {audit.scenario}: {audit.runs} runs"
        + (f", root seed {audit.seed}" if audit.seed is not None else ""),
        "Each share counts runs, with its 95% Wilson interval: an option counts the runs that took it at",
        "least once (a run counts once per option); 'held to the end', 'never sent' and the like count",
        "the runs that took none of the options named; a table's ending and an outcome count one per run.",
        "day: the median of the first day the option was taken or the milestone reached.",
        f"! marks a share at or above {HIGH:.0%} or at or below {LOW:.0%}; where the scenario states why",
        "(certain:), the reason stands instead.",
    ]
    head = f"{'':{width}s} {'share':>6s}  {'95% interval':14s} {'day':>4s}"  # day: median first
    sections = [
        ("Recurring decisions", "decision"),
        ("Table endings", "ending"),
        ("Milestones (reached)", "milestone"),
        ("Outcomes", "outcome"),
    ]
    for title, kind in sections:
        groups = [g for g in audit.groups if g.kind == kind]
        if not groups:
            continue
        out += ["", f"{title:{width}s} {head[width + 1 :]}"]
        for g in groups:
            if kind in ("decision", "ending"):
                out.append(g.title + ("" if g.foreseen else "  (not in the scenario's catalogue)"))
            for s in g.shares:
                label = "  " + textwrap.shorten(s.label, width - 2, placeholder="...")
                day = f"{s.first_day:4.0f}" if s.first_day is not None else "   -"
                line = f"{label:{width}s} {_pct(s.share)}  {_interval(s.low, s.high)} {day}"
                mark = _mark(s.flagged, s.reason)
                out.append(f"{line}  {mark}".rstrip())
    if audit.questions:
        out += [
            "",
            f"Key questions: a share under {ANSWER_FLOOR:.0%} of either answer is flagged",
            f"  {'question':{width - 2}s} {'yes':>6s}  {'95% interval':14s} {'no':>6s}",
        ]
        for q in audit.questions:
            lines = textwrap.wrap(f"{q.id}: {q.question}", width - 2) or [""]
            for extra in lines[:-1]:
                out.append(f"  {extra}")
            row = f"  {lines[-1]:{width - 2}s} {_pct(q.share_yes)}  {_interval(q.low, q.high)} "
            row += _pct(1 - q.share_yes)
            out.append(f"{row}  {_mark(q.flagged, q.reason)}".rstrip())
            out += textwrap.wrap(
                f"yes if: {' or '.join(q.answered_yes_by)}",
                width + 30,
                initial_indent="    ",
                subsequent_indent="      ",
            )
    shares = audit.shares
    flagged = [s for s in shares if s.flagged]
    missing = [s for s in flagged if s.defect]
    qs = [q for q in audit.questions if q.defect]
    out.append("")
    summary = (
        f"{len(flagged)} of {len(shares)} shares flagged, {len(flagged) - len(missing)} with a stated "
        f"reason; {sum(q.flagged for q in audit.questions)} of {len(audit.questions)} key questions "
        "flagged"
    )
    out.append(summary)
    if audit.defects:
        out.append(
            f"FLAGGED WITHOUT A REASON: {len(missing)} shares, {len(qs)} key questions "
            "(a threshold, or a reason for certain: to state)"
        )
    else:
        out.append("Nothing flagged without a reason.")
    return out


# ---------------------------------------------------------------- playing the runs


def audit_runs(
    scenario: str,
    runs: int,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
    workers: int = 1,
    on_progress=None,
) -> Audit:
    """Play `runs` runs of the scenario (the batch's seeds: the same for any worker count) and audit
    them."""
    import pyarrow as pa

    from wargame.batch.plan import Plan
    from wargame.batch.runs import run_many
    from wargame.engine.decisions import catalogue
    from wargame.engine.scenarios import load_scenario
    from wargame.language.scenario import find_scenario

    overrides = dict(overrides or {})
    sc = load_scenario(scenario, overrides)
    plan = Plan(
        scenario=str(find_scenario(scenario).resolve()),
        runs=runs,
        seed=seed,
        overrides=tuple(sorted(overrides.items())),
    )
    tables = list(run_many(plan, workers=workers, on_progress=on_progress, audit=True))
    table = pa.concat_tables(tables).sort_by("run_id")
    spec = sc.spec
    columns = ["outcome", "audit_items", "audit_days", *(f"day_{m.id}" for m in spec.milestones)]
    return tally(
        table.select(columns).to_pylist(),
        catalogue(sc),
        [(m.id, m.label) for m in spec.milestones],
        [(o.id, o.label) for o in spec.outcomes],
        spec.certain,
        spec.key_questions,
        scenario=spec.id,
        seed=seed,
    )
