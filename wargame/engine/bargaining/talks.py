"""The life of a table's talks from day to day: they open, hold a round, and may freeze, thaw, fail, lapse
or end in terms someone imposes.

A table meets every `meets_every` days (daily by default), counted from the day its talks opened or
thawed; on the days between, open talks wait. Deadlines are soft unless the scenario makes them hard:
past its own deadline an actor stops conceding (it asks for its floor) but the talks go on. Talks freeze
after a number of rounds in which no responder took the offer (the sides see no deal worth making now,
and waiting costs little), and thaw when a side's outside option has moved or after a cooling-off
period. With `stalemate_after`, talks freeze when the parties' positions leave no zone of agreement:
for that many meetings in a row no participant saw an offer it would sign (worth its floor: its outside
option, or more for a side that values waiting) that gives each other party what it believes that party
needs; the older `freeze_after` (meetings in a row that no responder took) still freezes them too, as an
upper bound. Talks lapse, with no signature and the status quo standing, when they would freeze for the
`lapse_after`-th time, or as soon as nothing they are about is left (objects.objects_left: the people they
would move are out, the route they would open is no longer needed). When talks freeze, fail or lapse, a
participant that can and will force a change from the status quo does so (Table.disagreement).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.bargaining.objects import objects_left
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
    a taker (`settle` sees only rounds held), so a table that meets less often takes longer to freeze.
    Talks whose objects are gone lapse on the day, whatever their state."""
    if table.status in ("waiting", "open", "frozen") and not objects_left(m, table):
        _lapse(m, table, day, "objects_gone")
        return None
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
        table.stale_rounds = table.stalemate = 0
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
    spec = table.spec
    if spec.stalemate_after:
        # a meeting where someone took the offer is no stalemate; otherwise, is there a deal anyone sees?
        seen = any(responders) or table.sees_a_deal(m, day)
        table.stalemate = 0 if seen else table.stalemate + 1
        if table.stalemate >= spec.stalemate_after:
            _freeze(m, table, day, table.stalemate)
            return
    if spec.freeze_after and table.stale_rounds >= spec.freeze_after:
        _freeze(m, table, day, table.stale_rounds)


def _freeze(m: WargameModel, table: Table, day: int, rounds: int) -> None:
    """The talks freeze, or, at their `lapse_after`-th stalemate, lapse for good."""
    stalemate = bool(table.spec.stalemate_after) and table.stalemate >= table.spec.stalemate_after
    table.freezes += 1
    if table.spec.lapse_after and table.freezes >= table.spec.lapse_after:
        _lapse(m, table, day, "stalemate")
        return
    table.status = "frozen"
    table.frozen_day = day
    table.frozen_positions = {a.actor_id: m.reservation(a, table) for a in table.participants}
    m.record(
        records.TalksFrozen(
            day,
            table=table.id,
            rounds=rounds,
            until=day + table.spec.reopen_after,
            parties=parties_of(table),
            stalemate=stalemate,
        )
    )
    agreements.impose_if_forced(m, table, day)


def _lapse(m: WargameModel, table: Table, day: int, reason: str) -> None:
    """The talks end without a signature: the parties live with the status quo (or with what an enforcer
    forces, when they lapse in a stalemate)."""
    table.status = "lapsed"
    m.record(
        records.TalksLapsed(
            day, table=table.id, reason=reason, freezes=table.freezes, parties=parties_of(table)
        )
    )
    if reason == "stalemate":
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
