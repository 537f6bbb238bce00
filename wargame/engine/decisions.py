"""The choices of a scenario as the decision audit (`wargame audit`) names them, and what one run took.

A decision is named by the record kind that settles it (records.Record.decisions / audit_item): "post
SITE (OWNER)", "talks TABLE", "safe conduct by HOLDER for MOVER". Each table's ending is a decision
too ("table TABLE": signed, imposed, frozen at the end, failed, open at the end, never opened), read from
the table at the end of the run. An audit item's id is "DECISION / OPTION", or "milestone ID" and
"outcome ID"; a scenario's `certain:` names items (or a whole decision) by these ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine.records import REGISTRY, Decision

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel
    from wargame.language.scenario import Scenario

SEPARATOR = " / "  # between a decision and its option in an item's id
OCCURRED = "occurred "  # a run's facts also say which occurrences it counted (for key questions)

# A table's state at the end of a run -> its ending, as the audit names it.
ENDINGS = {
    "agreed": "signed",
    "imposed": "imposed",
    "frozen": "frozen at the end",
    "failed": "failed",
    "open": "open at the end",
    "lapsed": "lapsed",
}

GROUND_EFFECTS = (
    "siege",
    "withdraw",
    "casualties",
    "site_role",
    "overflight",
    "road_risk",
    "road_holder",
    "road_open",
)


def can_lapse(sc: Scenario, t) -> bool:
    """Whether a table's talks can end with no signature: after repeated stalemates (`lapse_after`), or
    once its objects are gone (it names them, or its agenda's levels act on the ground)."""
    if t.lapse_after or t.about is not None:
        return True
    agenda = set(t.agenda)
    return any(
        getattr(effect, kind, None) is not None
        for issue in sc.spec.issues
        if issue.id in agenda
        for level in issue.levels or ()
        for effect in level.effects
        for kind in GROUND_EFFECTS
    )


NEVER_OPENED = "never opened"


def item_id(decision: str, option: str) -> str:
    return f"{decision}{SEPARATOR}{option}"


def table_endings(sc: Scenario) -> dict[str, Decision]:
    """Each table's possible endings: only those its spec allows (an imposition needs an enforcer and a
    status quo, a freeze `freeze_after` or `stalemate_after`, a failure a hard deadline, a lapse
    `lapse_after` or objects that can go)."""
    out = {}
    for t in sc.spec.tables:
        options = ["signed"]
        if t.status_quo is not None and t.enforcers:
            options.append("imposed")
        if t.freeze_after or t.stalemate_after:
            options.append("frozen at the end")
        if t.hard_deadline:
            options.append("failed")
        if can_lapse(sc, t):
            options.append("lapsed")
        options.append("open at the end")
        if t.opens_day > 1:
            options.append(NEVER_OPENED)
        out[f"table {t.id}"] = Decision(tuple(options))
    return out


def catalogue(sc: Scenario) -> dict[str, Decision]:
    """Every decision a run of the scenario can take, with its options: the record kinds' own (several
    kinds may settle one decision: their options are joined, in the order the kinds are declared),
    then each table's ending."""
    out: dict[str, Decision] = {}
    for cls in REGISTRY.values():
        for name, decision in cls.decisions(sc).items():
            known = out.get(name)
            if known is None:
                out[name] = decision
                continue
            options = known.options + tuple(o for o in decision.options if o not in known.options)
            otherwise, of = known.otherwise, known.otherwise_of
            if otherwise is None and decision.otherwise is not None:
                otherwise, of = decision.otherwise, decision.otherwise_of
            out[name] = Decision(options, otherwise, of)
    return {**out, **table_endings(sc)}


def run_facts(m: WargameModel) -> dict[str, int]:
    """What a finished run took, for the audit: each option (by item id) with the first day it was
    taken, each table's ending (on the run's last day), and each occurrence counted (day -1: unknown).
    The model collects the choices when its `audit` is a dict (batch.plan.run_chunk sets it)."""
    facts = {item_id(d, o): day for (d, o), day in (m.audit or {}).items()}
    for table in m.tables.values():
        ending = ENDINGS.get(table.status)
        if ending is None:  # waiting: never opened, or resuming after a breach
            ending = "open at the end" if table.opened_day else NEVER_OPENED
        facts[item_id(f"table {table.id}", ending)] = m.day
    for name, count in m.occurrences.items():
        if count:
            facts[OCCURRED + name] = -1
    return facts
