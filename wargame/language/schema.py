"""The scenario language: pydantic models for actor profiles and scenarios, checked as one schema.

Scenario files -> (yaml_source) -> these models -> (scenario.resolve) cross-checked Scenario -> model.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wargame.language.priors import Prior

Unit = Field(ge=0.0, le=1.0)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _exactly_one(model: BaseModel, kind: str) -> BaseModel:
    set_fields = [k for k, v in model.__dict__.items() if v is not None]
    if len(set_fields) != 1:
        names = ", ".join(type(model).model_fields)
        raise ValueError(
            f"a {kind} has exactly one key, one of: {names}; found {set_fields or 'none'}"
        )
    return model


# ---------------------------------------------------------------- conditions and effects


class LevelTest(Strict):
    issue: str
    at_least: int | str | None = None
    at_most: int | str | None = None


class Condition(Strict):
    """One test on the state of the world. A list of conditions holds when all hold."""

    day_at_least: int | None = Field(None, ge=0)
    day_at_most: int | None = Field(None, ge=0)
    milestone: str | None = None
    not_milestone: str | None = None
    agreement: str | None = Field(None, description="an agreement of this table is in force")
    no_agreement: str | None = None
    occurred: str | None = Field(
        None, description="an occurrence (event id or engine occurrence) has happened"
    )
    not_occurred: str | None = None
    level: LevelTest | None = Field(None, description="agreed level of an issue (in force)")
    interior_cleared: bool | None = Field(None, description="no evacuee left at non-base sites")
    evacuated_share_at_least: float | None = Field(None, ge=0, le=1)
    lost_at_least: int | None = Field(None, ge=0)
    lost_at_most: int | None = Field(None, ge=0)
    besieged: str | None = Field(None, description="this site is under siege")

    @model_validator(mode="after")
    def _one(self):
        return _exactly_one(self, "condition")


class RoadRisk(Strict):
    segment: str | None = None
    held_by: str | None = None
    multiply: float | None = Field(None, ge=0)
    set: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _target(self):
        if (self.segment is None) == (self.held_by is None):
            raise ValueError("road_risk names either a segment or held_by, not both")
        if (self.multiply is None) == (self.set is None):
            raise ValueError("road_risk gives either multiply or set")
        return self


class RoadHolder(Strict):
    segment: str
    holder: str


class Overflight(Strict):
    route: str
    open: bool
    by: str | None = Field(
        None, description="only this grantor's permission (default: every grantor's)"
    )


class TrustShift(Strict):
    from_: str = Field(alias="from")
    to: str
    delta: float = Field(ge=-1, le=1)


class Siege(Strict):
    site: str
    by: str | None = Field(None, description="besieging actor; null lifts the siege")


class Casualties(Strict):
    site: str
    personnel: int = Field(ge=0)
    equipment_t: float = Field(0.0, ge=0)


class Withdraw(Strict):
    site: str


class ActorShift(Strict):
    actor: str
    field: Literal["time_pressure", "outside_option", "military", "economic", "diplomatic"]
    delta: float = Field(ge=-1, le=1)


class AircraftShift(Strict):
    type: str
    count_delta: int


class Effect(Strict):
    """One change to the world, applied by an event or by an agreed issue level."""

    road_risk: RoadRisk | None = None
    road_holder: RoadHolder | None = None
    overflight: Overflight | None = None
    trust: TrustShift | None = None
    siege: Siege | None = None
    casualties: Casualties | None = None
    withdraw: Withdraw | None = None
    actor: ActorShift | None = None
    aircraft: AircraftShift | None = None
    occurrence: str | None = None

    @model_validator(mode="after")
    def _one(self):
        return _exactly_one(self, "effect")


# ---------------------------------------------------------------- actor profiles


class Interest(Strict):
    ideal: int | float | str = Field(
        description="ideal level (label or index) or value on a continuous issue"
    )
    salience: float = Field(ge=0, le=1)
    values: dict[str, float] | None = Field(
        None,
        description="explicit value of each level (0..1) for preferences that are not single-peaked",
    )


class Capabilities(Strict):
    military: float = Unit
    economic: float = Unit
    diplomatic: float = Unit


class StrategySpec(Strict):
    name: str
    params: dict[str, float | int | str | list] = Field(default_factory=dict)


class ActorProfile(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    interests: dict[str, Interest] = Field(default_factory=dict)
    capabilities: Capabilities
    time_pressure: float = Field(ge=0, le=1, description="how costly each day without a deal is")
    outside_option: float = Field(
        ge=0, le=1, description="utility of no deal before the ground is counted"
    )
    trust: dict[str, float] = Field(default_factory=dict)
    strategy: StrategySpec = StrategySpec(name="linear")
    rationality: float | None = Field(
        None, gt=0, description="logit precision of accept/reject; null means exact best response"
    )
    patience: float | None = Field(
        None,
        gt=0,
        le=1,
        description="own per-round discount factor; null takes the table's discount",
    )
    priors: dict[Literal["resolve", "reservation", "breach_temptation"], Prior] = Field(
        default_factory=dict
    )
    evacuates: bool = Field(False, description="its garrisons are the ones to move out")
    sources: list[str] = Field(default_factory=list)

    @field_validator("trust")
    @classmethod
    def _trust_range(cls, v):
        for other, t in v.items():
            if not -1 <= t <= 1:
                raise ValueError(f"trust towards '{other}' must be in [-1, 1], found {t}")
        return v


# ---------------------------------------------------------------- scenario parts


class Level(Strict):
    id: str
    label: str = ""
    effects: list[Effect] = Field(default_factory=list)


class IssueSpec(Strict):
    id: str
    label: str = ""
    kind: Literal["ordinal", "continuous"]
    levels: list[Level] | None = None
    range: tuple[float, float] | None = None
    unit: str = ""
    steps: int = Field(
        11, ge=2, le=10001, description="grid points a continuous issue is offered on"
    )

    @model_validator(mode="after")
    def _shape(self):
        if self.kind == "ordinal":
            if not self.levels or len(self.levels) < 2:
                raise ValueError("an ordinal issue needs at least two levels")
            if self.range is not None:
                raise ValueError("an ordinal issue has levels, not a range")
        else:
            if self.range is None:
                raise ValueError("a continuous issue needs range: [low, high]")
            if not self.range[0] < self.range[1]:
                raise ValueError(f"range low must be below high, found {list(self.range)}")
            if self.levels is not None:
                raise ValueError("a continuous issue has a range, not levels")
        return self


class ActorEntry(Strict):
    profile: str
    overrides: dict = Field(default_factory=dict)


SiteKind = Literal[
    "air_base",
    "naval_base",
    "outpost",
    "garrison",
    "airport",
    "border_crossing",
    "junction",
    "port",
]


class SiteSpec(Strict):
    id: str
    name: str
    kind: SiteKind
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    personnel: int = Field(0, ge=0)
    equipment_t: float = Field(0.0, ge=0)
    garrison: str | None = Field(None, description="actor whose troops are here")
    controller: str | None = Field(None, description="actor controlling the surrounding ground")
    besieged_by: str | None = None
    supply_days: int = Field(60, ge=0, description="days a besieged garrison can hold")
    airfield: bool = False
    exit: bool = Field(
        False,
        description="personnel reaching it count as evacuated (e.g. a Turkish border crossing)",
    )
    source: str = ""


class RoadSpec(Strict):
    id: str
    from_: str = Field(alias="from")
    to: str
    km: float = Field(gt=0)
    held_by: str
    base_risk: float = Field(ge=0, le=1, description="chance a convoy is attacked on this segment")
    source: str = ""


class OverflightGrant(Strict):
    by: str
    open: bool = True


class AirRouteSpec(Strict):
    id: str
    from_: str = Field(alias="from")
    to: str
    km: float = Field(gt=0)
    overflight: list[OverflightGrant] = Field(default_factory=list)
    source: str = ""


class AircraftSpec(Strict):
    type: str
    operator: str
    count: int = Field(ge=0)
    payload_personnel: int = Field(gt=0)
    payload_t: float = Field(gt=0)
    sorties_per_day: dict[str, float] = Field(
        description="per air route id: round trips per aircraft per day"
    )
    source: str = ""


class WeightedRule(Strict):
    threshold: float = Field(gt=0, le=1)
    weights: Literal["equal", "capability"] | dict[str, float] = "capability"
    vetoes: list[str] = Field(default_factory=list)


class Budget(Strict):
    issues: list[str] = Field(
        min_length=1, description="continuous issues whose values share one total"
    )
    total: float


class TableSpec(Strict):
    id: str
    label: str = ""
    participants: list[str] = Field(min_length=2)
    agenda: list[str] = Field(min_length=1)
    protocol: Literal["alternating", "single_text"] = "alternating"
    mediator: str | None = Field(
        None, description="drafts and amends the text under the single_text protocol"
    )
    rule: Literal["unanimity"] | WeightedRule = "unanimity"
    proposer: Literal["rotation", "capability"] = "rotation"
    budget: Budget | None = None
    no_deal: dict[str, str | float] | None = Field(
        None,
        description="what each agenda issue becomes if no deal is reached (e.g. expulsion from the bases)",
    )
    no_deal_cost: dict[str, float] = Field(
        default_factory=dict,
        description="per actor: cost of imposing the no-deal outcome, per unit of the others' military capability",
    )
    opens_day: int = Field(1, ge=1)
    deadline_day: int | None = Field(None, ge=1)
    discount: float = Field(1.0, gt=0, le=1)
    obligation_days: int = Field(
        30, ge=1, description="days the parties' obligations run after signature"
    )
    betrayal_cost: float = Field(
        0.0,
        ge=0,
        le=1,
        description="what a party loses when a deal it relied on is broken, beyond its outside option "
        "(convoys caught on the road, positions given up)",
    )

    @model_validator(mode="after")
    def _mediated(self):
        if self.protocol == "single_text" and self.mediator is None:
            raise ValueError("the single_text protocol needs a mediator")
        return self


class GuaranteeSpec(Strict):
    id: str
    guarantor: str
    beneficiary: str
    table: str
    stake: float = Field(
        ge=0, le=1, description="what the guarantor loses if the clause is broken unpunished"
    )
    enforcement: float = Field(ge=0, le=1, description="capability to punish a breaker")
    cost: float = Field(0.1, ge=0, le=1, description="what punishing costs the guarantor")
    signal_paid: float = Field(
        0.0, ge=0, le=1, description="a costly signal already paid (sunk: it binds the guarantor)"
    )
    source: str = ""


class EventSpec(Strict):
    id: str
    label: str = ""
    hazard: float = Field(ge=0, le=1, description="daily probability while the conditions hold")
    once: bool = True
    when: list[Condition] = Field(default_factory=list)
    effects: list[Effect] = Field(default_factory=list)
    narrative: str
    source: str = ""


class MilestoneSpec(Strict):
    id: str
    label: str
    when: list[Condition] = Field(min_length=1)


class OutcomeSpec(Strict):
    id: str
    label: str
    when: list[Condition] = Field(default_factory=list, description="empty: the default ending")


class ScenarioSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str = ""
    start_date: dt.date
    horizon_days: int = Field(ge=1, le=3650)
    convoy_km_per_day: float = Field(250.0, gt=0)
    actors: list[ActorEntry] = Field(min_length=2)
    issues: list[IssueSpec] = Field(min_length=1)
    sites: list[SiteSpec] = Field(default_factory=list)
    roads: list[RoadSpec] = Field(default_factory=list)
    air_routes: list[AirRouteSpec] = Field(default_factory=list)
    aircraft: list[AircraftSpec] = Field(default_factory=list)
    tables: list[TableSpec] = Field(min_length=1)
    guarantees: list[GuaranteeSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(default_factory=list)
    milestones: list[MilestoneSpec] = Field(default_factory=list)
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    sources: list[str] = Field(default_factory=list)
