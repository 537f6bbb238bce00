"""Tests on the state of the world, shared by events, milestones and outcomes (a list holds when all hold)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .schema import Condition

if TYPE_CHECKING:
    from .model import WargameModel


def holds(model: WargameModel, conditions: list[Condition]) -> bool:
    return all(_holds(model, c) for c in conditions)


def _holds(m: WargameModel, c: Condition) -> bool:
    if c.day_at_least is not None:
        return m.day >= c.day_at_least
    if c.day_at_most is not None:
        return m.day <= c.day_at_most
    if c.milestone is not None:
        return c.milestone in m.milestones
    if c.not_milestone is not None:
        return c.not_milestone not in m.milestones
    if c.agreement is not None:
        return m.agreement_in_force(c.agreement) is not None
    if c.no_agreement is not None:
        return m.agreement_in_force(c.no_agreement) is None
    if c.occurred is not None:
        return m.occurrences.get(c.occurred, 0) > 0
    if c.not_occurred is not None:
        return m.occurrences.get(c.not_occurred, 0) == 0
    if c.level is not None:
        level = m.agreed_level(c.level.issue)
        if level is None:
            return False
        issue = m.issues[c.level.issue]
        lo = c.level.at_least
        hi = c.level.at_most
        lo = issue.labels.index(lo) if isinstance(lo, str) else lo
        hi = issue.labels.index(hi) if isinstance(hi, str) else hi
        return (lo is None or level >= lo) and (hi is None or level <= hi)
    if c.interior_cleared is not None:
        return m.interior_cleared() == c.interior_cleared
    if c.evacuated_share_at_least is not None:
        return m.evacuated >= c.evacuated_share_at_least * m.initial_personnel
    if c.lost_at_least is not None:
        return m.lost >= c.lost_at_least
    if c.lost_at_most is not None:
        return m.lost <= c.lost_at_most
    if c.besieged is not None:
        return m.ground.sites[c.besieged].besieged_by is not None
    raise AssertionError(f"condition with no test: {c}")
