"""The life of a table's talks from day to day: they open, hold a round, and may freeze, thaw, fail or end
in terms someone imposes.

A table meets every `meets_every` days (daily by default), counted from the day its talks opened or
thawed; on the days between, open talks wait. Deadlines are soft unless the scenario makes them hard:
past its own deadline an actor stops conceding (it asks for its floor) but the talks go on. Talks freeze
after a number of rounds in which no responder took the offer (the sides see no deal worth making now,
and waiting costs little), and thaw when a side's outside option has moved or after a cooling-off
period. When talks freeze or fail, a participant that can and will force a change from the status quo
does so (Table.disagreement).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.commitment import agreements

if TYPE_CHECKING:
    from wargame.engine.bargaining.tables import Round, Table
    from wargame.engine.model import WargameModel

THAW_SHIFT = (
    0.05  # an outside option that moved this much since the freeze makes its holder talk again
)


def hold_talks(m: WargameModel, table: Table, day: int) -> Generator[list, dict, Round | None]:
    """Today's business at the table: open it, thaw it, fail it at a hard deadline, or, on a meeting day,
    play a round (then `settle` signs it or counts it towards a freeze, once the round has been told).

    How the cadence meets the other clocks: opening, thawing and resuming after a breach restart it (the
    first meeting is that day); a hard deadline is a date, so the talks fail on the first day past it
    whether or not the table would have met; the cooling-off before a thaw (`reopen_after`) is in days,
    and a side whose outside option moved thaws the talks on any day; a freeze counts meetings without
    a taker (`settle` sees only rounds held), so a table that meets less often takes longer to freeze."""
    if table.status == "waiting":
        if day < max(table.spec.opens_day, table.reopens):
            return None
        table.status = "open"
        table.opened_day = day
        m.record(records.TalksOpened(day, table=table.id))
    elif table.status == "frozen":
        moved = _moved(m, table)
        if moved is None and day < table.frozen_day + table.spec.reopen_after:
            return None
        table.status = "open"
        table.stale_rounds = 0
        table.opened_day = day
        m.record(records.TalksThawed(day, table=table.id, by=moved, parties=parties_of(table)))
    if table.status != "open":
        return None
    if table.spec.hard_deadline and day > table.deadline:
        table.status = "failed"
        m.record(records.TalksFailed(day, table=table.id))
        agreements.impose_if_forced(m, table, day)
        return None
    if not table.meets_on(day):
        return None
    return (
        yield from table.play_round(m, day)
    )  # None if stopped from outside while a seat decided


def settle(m: WargameModel, table: Table, rnd: Round, day: int) -> None:
    """A passed round is signed; a round no responder took counts towards freezing the talks."""
    if rnd.passed:
        agreements.sign(m, table, rnd.offer, day)
        return
    responders = [ok for actor, ok in rnd.answers.items() if actor != rnd.proposer]
    table.stale_rounds = 0 if any(responders) else table.stale_rounds + 1
    if table.spec.freeze_after and table.stale_rounds >= table.spec.freeze_after:
        _freeze(m, table, day)


def _freeze(m: WargameModel, table: Table, day: int) -> None:
    table.status = "frozen"
    table.frozen_day = day
    table.frozen_positions = {a.actor_id: m.reservation(a, table) for a in table.participants}
    m.record(
        records.TalksFrozen(
            day,
            table=table.id,
            rounds=table.stale_rounds,
            until=day + table.spec.reopen_after,
            parties=parties_of(table),
        )
    )
    agreements.impose_if_forced(m, table, day)


def _moved(m: WargameModel, table: Table) -> str | None:
    """The first participant whose outside option has moved enough since the freeze to talk again."""
    for a in table.participants:
        before = table.frozen_positions.get(a.actor_id)
        if before is not None and abs(m.reservation(a, table) - before) >= THAW_SHIFT:
            return a.actor_id
    return None


def parties_of(table: Table) -> tuple[str, ...]:
    """Who sits at the table, and its mediator: those whom its talks concern."""
    parties = [a.actor_id for a in table.participants]
    if table.spec.mediator and table.spec.mediator not in parties:
        parties.append(table.spec.mediator)
    return tuple(parties)
