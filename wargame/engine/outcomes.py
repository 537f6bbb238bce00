"""What a run ends with: the named outcome, the milestone path and the figures, as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from wargame.engine.model import WargameModel

# The private values drawn for each actor (actors.ActorAgent.private), in to_row's (sorted) order; a
# scenario's tables may draw more for some actors (their signing costs: signing_cost_draws below).
PRIVATE_VALUES = ("breach_temptation", "reservation", "resolve")


def signing_cost_key(table_id: str) -> str:
    """The name of an actor's private cost of signing at a table (TableSpec.signing_costs)."""
    return f"signing_cost_{table_id}"


def signing_cost_draws(spec) -> list[tuple[str, str]]:
    """(actor, private value) for each signing cost a scenario draws, in the order they are drawn."""
    return [(actor, signing_cost_key(t.id)) for t in spec.tables for actor in t.signing_costs]


# Fields of RunResult that no results-table column holds, and why.
NOT_IN_ROWS = {
    "scenario": "the same in every row: the manifest names the scenario",
    "seed": "the batch writes each run's seed beside its run_id",
    "outcome_label": "the manifest's resolved scenario labels every outcome",
    "occurrences": "how often each event fired: in the narrative and `wargame run --json` only",
}


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
    # Of those evacuated, what went to a third country (not home): where the equipment goes.
    personnel_third_country: int = 0
    equipment_third_country_t: float = 0.0

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
            "personnel_third_country": self.personnel_third_country,
            "equipment_third_country_t": self.equipment_third_country_t,
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

    @classmethod
    def arrow_fields(
        cls,
        milestone_ids: list[str],
        actor_ids: list[str],
        more_draws: list[tuple[str, str]] = (),
    ) -> list[pa.Field]:
        """The columns of `to_row`, in its order, with their Arrow types: the results table's schema.
        `more_draws` names the (actor, private value) pairs a scenario draws beyond PRIVATE_VALUES.

        Each field of RunResult is either turned into columns here or named in NOT_IN_ROWS; a field
        that is neither raises, so a new figure cannot be left out of the results unnoticed (and the
        batch checks that `to_row` gives exactly these columns).
        """
        import pyarrow as pa  # here, so that playing one run never loads Arrow

        columns: list[tuple[str, list[tuple[str, pa.DataType]]]] = [
            ("outcome", [("outcome", pa.string())]),
            ("days", [("days", pa.int32())]),
            (
                "milestones",
                [
                    ("milestone_path", pa.list_(pa.string())),
                    *[(f"day_{m}", pa.int32()) for m in milestone_ids],
                ],
            ),
            *[
                (name, [(name, pa.int64())])
                for name in (
                    "personnel_initial",
                    "personnel_evacuated",
                    "personnel_lost",
                    "personnel_captured",
                    "personnel_present",
                )
            ],
            *[
                (name, [(name, pa.float64())])
                for name in ("equipment_initial_t", "equipment_out_t", "equipment_lost_t")
            ],
            ("personnel_third_country", [("personnel_third_country", pa.int64())]),
            ("equipment_third_country_t", [("equipment_third_country_t", pa.float64())]),
            ("agreements", [("agreements_signed", pa.int32()), ("agreements_broken", pa.int32())]),
            ("utilities", [(f"utility_{a}", pa.float64()) for a in actor_ids]),
            ("evacuated_by_week", [("evacuated_by_week", pa.list_(pa.int64()))]),
            ("lost_by_week", [("lost_by_week", pa.list_(pa.int64()))]),
            (
                "private",
                [
                    (f"draw_{a}_{k}", pa.float64())
                    for a in actor_ids
                    for k in sorted({*PRIVATE_VALUES, *(k for b, k in more_draws if b == a)})
                ],
            ),
        ]
        covered = {source for source, _ in columns} | set(NOT_IN_ROWS)
        forgotten = [f.name for f in fields(cls) if f.name not in covered]
        if forgotten:
            raise TypeError(
                f"RunResult.{', '.join(forgotten)}: give it columns in RunResult.arrow_fields "
                "or say in NOT_IN_ROWS why no column holds it"
            )
        return [pa.field(name, kind) for _, group in columns for name, kind in group]


def actor_utilities(m: WargameModel) -> dict[str, float]:
    """Each actor's payoff: the mean over its tables of the deal's value to it (discounted to the day
    signed, less what signing there costs it) or, with no deal standing, its outside option at the end
    (which a signing cost raised only as a bar for a deal to clear); the evacuating side also loses the
    share of its people killed or captured."""
    out: dict[str, float] = {}
    for agent in m.actor_list:
        values = []
        for table in m.tables.values():
            if agent not in table.participants:
                continue
            deal = m.agreement_in_force(table.id)
            cost = agent.signing_cost(table.id)
            if deal is not None:
                u = float(table.space.utility[table.row(agent.actor_id), deal.offer])
                values.append(
                    u * table.spec.discount ** max(deal.signed_day - table.spec.opens_day, 0) - cost
                )
            else:
                values.append(m.reservation(agent, table) - cost)
        value = sum(values) / len(values) if values else 0.0
        if agent.profile.evacuates and m.initial_personnel:
            value -= m.lost / m.initial_personnel
        out[agent.actor_id] = round(value, 6)
    return out
