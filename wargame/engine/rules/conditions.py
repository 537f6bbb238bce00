"""Tests on the state of the world, shared by events, milestones and outcomes (a list holds when all hold).

A list is read once into a `Test`: the days it can hold on (from its day_at_least / day_at_most
conditions) and one small function call for each other condition, so the model checks a deck of events
and milestones every day at the cost of a few comparisons.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from wargame.engine.ground import people
from wargame.language.schema import Condition

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel

NEVER = 10**9


class Test(NamedTuple):
    first_day: int
    last_day: int
    checks: tuple[tuple, ...]  # (function, argument) pairs, each function(model, argument) -> bool

    def holds(self, m: WargameModel) -> bool:
        if not self.first_day <= m.day <= self.last_day:
            return False
        for check, arg in self.checks:  # noqa: SIM110 - a loop costs less than all() over a generator
            if not check(m, arg):
                return False
        return True


def holds(model: WargameModel, conditions: list[Condition]) -> bool:
    return compile_conditions(conditions, model.issues).holds(model)


def compile_conditions(conditions: list[Condition], issues: dict) -> Test:
    first, last, checks = 0, NEVER, []
    for c in conditions:
        if c.day_at_least is not None:
            first = max(first, c.day_at_least)
        elif c.day_at_most is not None:
            last = min(last, c.day_at_most)
        else:
            checks.append(_check(c, issues))
    return Test(first, last, tuple(checks))


def _check(c: Condition, issues: dict) -> tuple:
    if c.milestone is not None:
        return _milestone, c.milestone
    if c.not_milestone is not None:
        return _not_milestone, c.not_milestone
    if c.agreement is not None:
        return _agreement, c.agreement
    if c.no_agreement is not None:
        return _no_agreement, c.no_agreement
    if c.occurred is not None:
        return _occurred, c.occurred
    if c.not_occurred is not None:
        return _not_occurred, c.not_occurred
    if c.level is not None:
        labels = issues[c.level.issue].labels
        lo, hi = c.level.at_least, c.level.at_most
        lo = labels.index(lo) if isinstance(lo, str) else lo
        hi = labels.index(hi) if isinstance(hi, str) else hi
        return _level, (c.level.issue, lo, hi)
    if c.interior_cleared is not None:
        return _interior_cleared, c.interior_cleared
    if c.evacuated_share_at_least is not None:
        return _evacuated_share, c.evacuated_share_at_least
    if c.lost_at_least is not None:
        return _lost_at_least, c.lost_at_least
    if c.lost_at_most is not None:
        return _lost_at_most, c.lost_at_most
    if c.besieged is not None:
        return _besieged, c.besieged
    if c.held is not None:
        return _held, c.held
    if c.talks_frozen is not None:
        return _talks_frozen, c.talks_frozen
    raise AssertionError(f"condition with no test: {c}")


def _milestone(m: WargameModel, name: str) -> bool:
    return name in m.milestones


def _not_milestone(m: WargameModel, name: str) -> bool:
    return name not in m.milestones


def _agreement(m: WargameModel, table: str) -> bool:
    return m.agreement_in_force(table) is not None


def _no_agreement(m: WargameModel, table: str) -> bool:
    return m.agreement_in_force(table) is None


def _occurred(m: WargameModel, name: str) -> bool:
    return m.occurrences.get(name, 0) > 0


def _not_occurred(m: WargameModel, name: str) -> bool:
    return m.occurrences.get(name, 0) == 0


def _level(m: WargameModel, test: tuple) -> bool:
    issue, lo, hi = test
    level = m.agreed_level(issue)
    if level is None:
        return False
    return (lo is None or level >= lo) and (hi is None or level <= hi)


def _interior_cleared(m: WargameModel, wanted: bool) -> bool:
    return people.interior_cleared(m) == wanted


def _evacuated_share(m: WargameModel, share: float) -> bool:
    return m.evacuated >= share * m.initial_personnel


def _lost_at_least(m: WargameModel, n: int) -> bool:
    return m.lost >= n


def _lost_at_most(m: WargameModel, n: int) -> bool:
    return m.lost <= n


def _besieged(m: WargameModel, site: str) -> bool:
    return m.ground.sites[site].besieged_by is not None


def _held(m: WargameModel, site: str) -> bool:
    """Someone of the garrison stays there (people waiting to leave do not hold it)."""
    return m.ground.sites[site].personnel > 0


def _talks_frozen(m: WargameModel, table: str) -> bool:
    return m.tables[table].status == "frozen"
