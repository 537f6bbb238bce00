"""What a run ends with: the named outcome, the milestone path and the figures, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import WargameModel


@dataclass
class RunResult:
    scenario: str
    seed: int | None
    days: int
    outcome: str | None
    outcome_label: str | None
    milestones: list[tuple[str, int]]
    personnel_initial: int
    personnel_evacuated: int
    personnel_lost: int
    personnel_captured: int
    personnel_present: int
    equipment_initial_t: float
    equipment_out_t: float
    equipment_lost_t: float
    agreements: list[dict] = field(default_factory=list)
    occurrences: dict[str, int] = field(default_factory=dict)
    utilities: dict[str, float] = field(default_factory=dict)
    private: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["milestones"] = [{"id": k, "day": d} for k, d in self.milestones]
        return data

    @property
    def milestone_path(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.milestones)


def actor_utilities(m: WargameModel) -> dict[str, float]:
    """Each actor's payoff: the mean over its tables of the deal's value to it (discounted to the day
    signed) or, with no deal standing, its outside option at the end; the evacuating side also
    loses the share of its people killed or captured."""
    out: dict[str, float] = {}
    for agent in m.actor_list:
        values = []
        for table in m.tables.values():
            if agent not in table.participants:
                continue
            deal = m.agreement_in_force(table.id)
            if deal is not None:
                u = float(table.space.utility[table.row(agent.actor_id), deal.offer])
                values.append(
                    u * table.spec.discount ** max(deal.signed_day - table.spec.opens_day, 0)
                )
            else:
                values.append(m.reservation(agent, table))
        value = sum(values) / len(values) if values else 0.0
        if agent.profile.evacuates and m.initial_personnel:
            value -= m.lost / m.initial_personnel
        out[agent.actor_id] = round(value, 6)
    return out
