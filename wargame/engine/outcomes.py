"""What a run ends with: the named outcome, the milestone path and the figures, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel


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
    evacuated_by_week: list[int] = field(default_factory=list)  # day 0, 7, 14, ... and the last day
    lost_by_week: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["milestones"] = [{"id": k, "day": d} for k, d in self.milestones]
        return data

    @property
    def milestone_path(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.milestones)

    def to_row(self, milestone_ids: list[str], actor_ids: list[str]) -> dict:
        """One flat row for a results table (Parquet): every column a scalar or a list of text.

        Columns: outcome, days, milestone_path (list, in order), day_<milestone> (null if not reached),
        the personnel and equipment figures, utility_<actor>, draw_<actor>_<private value>, and the
        number of agreements signed and broken.
        """
        reached = dict(self.milestones)
        row = {
            "outcome": self.outcome,
            "days": self.days,
            "milestone_path": list(self.milestone_path),
            **{f"day_{m}": reached.get(m) for m in milestone_ids},
            "personnel_initial": self.personnel_initial,
            "personnel_evacuated": self.personnel_evacuated,
            "personnel_lost": self.personnel_lost,
            "personnel_captured": self.personnel_captured,
            "personnel_present": self.personnel_present,
            "equipment_initial_t": self.equipment_initial_t,
            "equipment_out_t": self.equipment_out_t,
            "equipment_lost_t": self.equipment_lost_t,
            "agreements_signed": len(self.agreements),
            "agreements_broken": sum(1 for a in self.agreements if a["status"] == "broken"),
            **{f"utility_{a}": self.utilities.get(a) for a in actor_ids},
            "evacuated_by_week": list(self.evacuated_by_week),
            "lost_by_week": list(self.lost_by_week),
        }
        for a in actor_ids:
            for key, value in sorted(self.private.get(a, {}).items()):
                row[f"draw_{a}_{key}"] = value
        return row


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
