"""What changes the course of a run from outside its rules: an event fired now, talks collapsed, an actor
refusing everything at a table, a party breaking its agreement. The day's own events fire through
`fire_event` too, so a forced event and a drawn one do exactly the same thing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.bargaining.talks import parties_of
from wargame.engine.commitment import agreements as compliance
from wargame.engine.rules import effects

if TYPE_CHECKING:
    from wargame.engine.bargaining.tables import Table
    from wargame.engine.model import WargameModel
    from wargame.language.schema import Effect, EventSpec


class InterventionError(ValueError):
    """An intervention that does not fit the run: an unknown event, table or actor, or no agreement to break."""


def fire_event(
    m: WargameModel, event: EventSpec, forced: bool = False, scheduled: bool = False
) -> None:
    """The event happens now: `forced` by an inject or a what-if, `scheduled` by an exercise's plan,
    otherwise because its hazard came up."""
    m.fired.add(event.id)
    m.record(
        records.EventFired(
            m.day, event=event.id, text=event.narrative, forced=forced, scheduled=scheduled
        )
    )
    for eff in event.effects:
        effects.apply(m, eff, event.id)


def apply_effects(m: WargameModel, items: list[Effect], cause: str) -> None:
    for eff in items:
        effects.apply(m, eff, cause)


def event_by_id(m: WargameModel, event_id: str) -> EventSpec:
    for e in m.situation.spec.events:
        if e.id == event_id:
            return e
    known = ", ".join(e.id for e in m.situation.spec.events)
    raise InterventionError(f"no event '{event_id}' (events: {known})")


def table_by_id(m: WargameModel, table_id: str) -> Table:
    if table_id not in m.tables:
        raise InterventionError(f"no table '{table_id}' (tables: {', '.join(m.tables)})")
    return m.tables[table_id]


def collapse_talks(m: WargameModel, table_id: str, reason: str | None = None) -> None:
    table = table_by_id(m, table_id)
    table.status = "failed"
    m.record(records.TalksFailed(m.day, table=table.id, forced=True, reason=reason))


def refuse_everything(m: WargameModel, actor_id: str, table_id: str) -> None:
    table = table_by_id(m, table_id)
    if actor_id not in table.row_of:
        raise InterventionError(f"'{actor_id}' does not sit at the '{table.id}' table")
    m.refusals.add((actor_id, table.id))


def break_agreement(
    m: WargameModel, table_id: str, actor_id: str, reason: str = "forced from outside the run"
) -> None:
    table = table_by_id(m, table_id)
    agreement = m.agreement_in_force(table.id)
    if agreement is None or agreement.status != "in_force":
        raise InterventionError(f"no agreement in force at the '{table.id}' table on day {m.day}")
    if actor_id not in agreement.parties:
        raise InterventionError(f"'{actor_id}' is not a party to the '{table.id}' agreement")
    compliance.breach(
        m, table, agreement, actor_id, m.day, 0.0, 0.0, m.guarantees_at(table.id), reason
    )


def parties(m: WargameModel, table_id: str) -> tuple[str, ...]:
    """Whom a table's talks concern (for the record of an override there)."""
    return parties_of(table_by_id(m, table_id))


def force(m: WargameModel, spec: str) -> None:
    """The what-if forms of the command line and the Monte Carlo's forks: event:ID, collapse:TABLE,
    refuse:ACTOR:TABLE, breach:TABLE:ACTOR."""
    kind, _, rest = spec.partition(":")
    parts = rest.split(":") if rest else []
    if kind == "event" and len(parts) == 1:
        fire_event(m, event_by_id(m, parts[0]), forced=True)
    elif kind == "collapse" and len(parts) == 1:
        collapse_talks(m, parts[0])
    elif kind == "refuse" and len(parts) == 2:
        refuse_everything(m, parts[0], parts[1])
    elif kind == "breach" and len(parts) == 2:
        break_agreement(m, parts[0], parts[1])
    else:
        raise InterventionError(
            f"cannot force '{spec}': expected event:ID, collapse:TABLE, refuse:ACTOR:TABLE or breach:TABLE:ACTOR"
        )
