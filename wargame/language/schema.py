"""The scenario language: pydantic models for actor profiles and scenarios, checked as one schema.

Scenario files -> (yaml_source) -> these models -> (scenario.resolve) cross-checked Scenario -> model.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wargame.language.priors import Prior

Unit = Field(ge=0.0, le=1.0)
MAX_PERSONNEL = 1_000_000  # at a site, on a road in a day: a garrison, not an army group
MAX_TONNES = 10_000_000


class Strict(BaseModel):
    # allow_inf_nan=False: the reader refuses .inf and .nan, and text such as `1e999` or `nan` that pydantic
    # would read as a number must not bring them back
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


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
    held: str | None = Field(
        None, description="this site still has its garrison (anyone staying there)"
    )
    talks_frozen: str | None = Field(None, description="the talks at this table are frozen")

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


class RoadOpen(Strict):
    segment: str
    open: bool = Field(description="true opens the road, false shuts it")


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
    personnel: int = Field(ge=0, le=1_000_000)
    equipment_t: float = Field(0.0, ge=0, le=10_000_000)


class Withdraw(Strict):
    site: str


class ActorShift(Strict):
    actor: str
    field: Literal["time_pressure", "outside_option", "military", "economic", "diplomatic"]
    delta: float = Field(ge=-1, le=1)


class AircraftShift(Strict):
    type: str
    count_delta: int


class SiteRole(Strict):
    site: str
    role: Literal["outpost", "hub", "base"]


class Effect(Strict):
    """One change to the world, applied by an event or by an agreed issue level."""

    road_risk: RoadRisk | None = None
    road_holder: RoadHolder | None = None
    road_open: RoadOpen | None = Field(
        None,
        description="opens or shuts a road: no column sets out along a shut road (one already on it goes "
        "on to where it was going)",
    )
    overflight: Overflight | None = None
    trust: TrustShift | None = None
    siege: Siege | None = None
    casualties: Casualties | None = None
    withdraw: Withdraw | None = None
    actor: ActorShift | None = None
    aircraft: AircraftShift | None = None
    site_role: SiteRole | None = Field(
        None,
        description="what the garrison's owner makes of a site: an outpost to leave, a hub, a base",
    )
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
    values: dict[str, Annotated[float, Field(ge=0, le=1)]] | None = Field(
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


def _shares(priors: dict[str, Prior], field: str, why: str) -> None:
    """Priors of shares (a private value, a cost in utility) lie within [0, 1]."""
    for key, prior in priors.items():
        low, high = prior.bounds()
        if not (low >= 0.0 and high <= 1.0):
            raise ValueError(
                f"{field}.{key} must lie in [0, 1] ({why}), found values from {low} to {high}"
            )


NON_SHARE_PRIORS = ("rationality", "risk_aversion")


class ActorProfile(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    interests: dict[str, Interest] = Field(default_factory=dict)
    capabilities: Capabilities
    time_pressure: float = Field(ge=0, le=1, description="how costly each day without a deal is")
    outside_option: float | None = Field(
        None,
        ge=0,
        le=1,
        description="utility of no deal before the ground is counted, when it is known; an uncertain one "
        "is written as priors.reservation instead (one or the other, never both)",
    )
    trust: dict[str, float] = Field(default_factory=dict)
    strategy: StrategySpec = StrategySpec(name="linear")
    rationality: float | None = Field(
        None,
        ge=0,
        description="logit precision of its choices (accept or reject at a table, and the recurring "
        "choices on the ground: wargame.engine.choice); 0 is indifference; null means exact best "
        "response",
    )
    patience: float | None = Field(
        None,
        gt=0,
        le=1,
        description="own discount factor for a day's delay (a round's, at a table that meets daily); null "
        "takes the table's discount",
    )
    priors: dict[
        Literal["resolve", "reservation", "breach_temptation", "rationality", "risk_aversion"],
        Prior,
    ] = Field(
        default_factory=dict,
        description="private values drawn per run: resolve, reservation (outside option) and "
        "breach_temptation are shares in [0, 1]; rationality is the logit precision of its choices "
        "(>= 0, in place of the fixed `rationality`); risk_aversion (>= 0, default 1) is how heavily a "
        "believed risk to its people weighs against what staying is worth",
    )
    evacuates: bool = Field(False, description="its garrisons are the ones to move out")
    lets_columns_pass: float = Field(
        0.3,
        ge=0,
        le=1,
        description="willingness to let another's columns through its ground on a local arrangement, "
        "before trust and standing (quiet, road-by-road coordination)",
    )
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_outside_option(self):
        if self.outside_option is not None and "reservation" in self.priors:
            raise ValueError(
                "the outside option is written one way: `outside_option` (a known value) or "
                "`priors.reservation` (an uncertain one), not both"
            )
        if self.rationality is not None and "rationality" in self.priors:
            raise ValueError(
                "the precision is written one way: `rationality` (a known value) or "
                "`priors.rationality` (an uncertain one), not both"
            )
        shares = {k: p for k, p in self.priors.items() if k not in NON_SHARE_PRIORS}
        _shares(shares, "priors", "resolve, outside option and temptation are shares")
        for key in NON_SHARE_PRIORS:
            prior = self.priors.get(key)
            if prior is not None and prior.bounds()[0] < 0:
                raise ValueError(
                    f"priors.{key} cannot be negative, found values from {prior.bounds()[0]}"
                )
        return self

    @property
    def reservation_mean(self) -> float:
        """The outside option as everyone expects it: the prior's mean, the known value, or 0."""
        if "reservation" in self.priors:
            return self.priors["reservation"].mean()
        return self.outside_option or 0.0

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
    # a name, never a path: a profile is looked up in actors/ folders only, so that a scenario (one
    # dropped on the browser page, say) cannot make the server read a file elsewhere
    profile: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
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
    personnel: Annotated[int, Field(ge=0, le=MAX_PERSONNEL)] | Prior = Field(
        0,
        description="the people here: a number (at most a million: a garrison, not an army group), or a "
        "prior drawn per run where how many there are is uncertain (rounded to whole people)",
    )
    equipment_t: Annotated[float, Field(ge=0, le=MAX_TONNES)] | Prior = Field(
        0.0, description="the equipment here in tonnes: a number, or a prior drawn per run"
    )
    garrison: str | None = Field(None, description="actor whose troops are here")
    controller: str | None = Field(None, description="actor controlling the surrounding ground")
    besieged_by: str | None = None
    supply_days: int = Field(60, ge=0, le=3650, description="days a besieged garrison can hold")
    airfield: bool = False
    port: bool = Field(
        False, description="ships can load here (from the quay or standing offshore)"
    )
    role: Literal["outpost", "hub", "base"] | None = Field(
        None,
        description="what its garrison's owner makes of it at the start: an outpost to leave when staying "
        "is worth less than its risk, a hub to gather in and fly or ship out from, or a base to keep "
        "(default: base for air and naval bases, outpost otherwise)",
    )
    value: Annotated[float, Field(ge=0, le=1)] | Prior = Field(
        0.0,
        description="what holding the site is worth to its garrison's owner: a number, or a prior drawn "
        "per run (the owner's own value, which it weighs against the risk it believes staying runs)",
    )
    surplus_value: Annotated[float, Field(ge=0, le=1)] | Prior | None = Field(
        None,
        description="a base with a residual: what keeping the people beyond the residual there is worth "
        "to the owner (a number or a prior); the owner draws them down when that is worth less than the "
        "risk it believes they run. Without it they wait to leave from the first day",
    )
    residual: int | None = Field(
        None,
        ge=0,
        description="a base's residual garrison: the personnel who stay; the rest wait to be flown or "
        "shipped out when the owner draws down",
    )
    residual_t: float | None = Field(
        None, ge=0, description="equipment that stays with the residual garrison"
    )
    speculative: bool = Field(False, description="the post's existence is not confirmed")
    exit: bool = Field(
        False,
        description="personnel reaching it count as evacuated (e.g. a crossing into a neighbouring country)",
    )
    source: str = ""

    @model_validator(mode="after")
    def _values_are_shares(self):
        priors = {
            k: v
            for k in ("value", "surplus_value")
            if not isinstance(v := getattr(self, k), float | int | None)
        }
        _shares(priors, "site", "a site's worth to its owner is a share")
        return self

    def bounds(self, key: str) -> tuple[float, float]:
        """The least and the most `personnel` or `equipment_t` can be in a run (a number: itself)."""
        return _bounds_of(getattr(self, key))


class RoadSpec(Strict):
    id: str
    from_: str = Field(alias="from")
    to: str
    km: float = Field(gt=0, le=50_000)
    held_by: str
    base_risk: float = Field(ge=0, le=1, description="chance a convoy is attacked on this segment")
    open: bool = Field(
        True,
        description="false: the road is shut at the start (a closed border post, a blocked pass); no "
        "column sets out along it until a `road_open` effect opens it",
    )
    capacity_per_day: int | None = Field(
        None,
        gt=0,
        le=MAX_PERSONNEL,
        description="the most people that can pass along it in a day (a checkpoint, a gate, a ferry); a "
        "column takes no more than the room left on each limited road of its route on the day it gets "
        "there, and the others wait for a later column (null: no limit)",
    )
    source: str = ""


class OverflightGrant(Strict):
    by: str
    open: bool = True
    chance: Annotated[float, Field(ge=0, le=1)] | None = Field(
        None,
        description="the chance the grantor consents in a run, drawn once at its start for all the "
        "grantor's routes (in place of `open`; give every route of one grantor the same chance); an "
        "event can still give or withdraw it later",
    )


Share = Annotated[float, Field(ge=0, le=1)]


class DestinationValue(Strict):
    """What delivering its people and its equipment to a route's destination is worth to the operator,
    per seat and per tonne of a full load (a number or a prior drawn per run, in [0, 1])."""

    personnel: Share | Prior = 1.0
    equipment: Share | Prior = 1.0

    @model_validator(mode="after")
    def _shares(self):
        priors = {
            k: v
            for k in ("personnel", "equipment")
            if not isinstance(v := getattr(self, k), float | int)
        }
        _shares(priors, "value", "a destination's worth is a share")
        return self


class AirRouteSpec(Strict):
    id: str
    from_: str = Field(alias="from")
    to: str
    km: float = Field(gt=0, le=50_000)
    mode: Literal["air", "sea"] = Field("air", description="an air route, or a sea lane for ships")
    destination: Literal["home", "third_country"] = Field(
        "home", description="where what it carries ends up: home, or a third country"
    )
    overflight: list[OverflightGrant] = Field(default_factory=list)
    value: DestinationValue | None = Field(
        None,
        description="why the operator wants its people or equipment there: the worth of a full load of "
        "each (default: 1 and 1 for home, 0.5 and 0.5 for a third country); its aircraft and ships choose "
        "their routes by this value (wargame.engine.choice), not by how often they can fly them",
    )
    source: str = ""


class AircraftSpec(Strict):
    type: str
    mode: Literal["air", "sea"] = Field("air", description="aircraft, or ships on sea lanes")
    operator: str
    count: int = Field(ge=0, le=10_000)
    payload_personnel: int = Field(gt=0, le=10_000)
    payload_t: float = Field(gt=0, le=100_000)
    sorties_per_day: dict[str, Annotated[float, Field(ge=0, le=24)]] = Field(
        description="per air route id: round trips per aircraft (or ship) per day (at most 24); each "
        "craft is away for 1/sorties days a trip and carries nothing more until it is back (a ship at "
        "0.11 a day sails once in nine days)"
    )
    source: str = ""


class WeightedRule(Strict):
    threshold: float = Field(gt=0, le=1)
    weights: Literal["equal", "capability"] | dict[str, Annotated[float, Field(ge=0)]] = (
        "capability"
    )
    vetoes: list[str] = Field(default_factory=list)


class Budget(Strict):
    issues: list[str] = Field(
        min_length=1, description="continuous issues whose values share one total"
    )
    total: float = Field(gt=0)


class Enforcer(Strict):
    actor: str
    imposes: dict[str, str | float] = Field(description="the terms it would force on the others")
    cost: float = Field(
        ge=0,
        le=1,
        description="its cost of forcing them, per unit of the others' military capability",
    )
    source: str = ""


class Alternative(Strict):
    """One thing a party can do instead of signing at a table (another partner, the status quo, force),
    worth `value` today in its utility at this table, changing by `trend_per_day` (a drift: positive, an
    alternative that improves as the days pass; negative, one that wears away). Both are numbers or priors
    drawn per run. The party's outside option there is the best alternative available on the day."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = ""
    value: Prior | float = Field(
        description="its worth on day 0, in the party's utility at the table"
    )
    trend_per_day: Prior | float = Field(
        0.0, description="how much its worth changes each day (drawn per run when a prior)"
    )
    from_day: int = Field(0, ge=0, description="the first day it is available")
    until_day: int | None = Field(
        None, ge=0, description="the last day it is available (null: to the end)"
    )
    source: str = Field(min_length=1, description="where the value comes from, or 'estimate: why'")

    @model_validator(mode="after")
    def _ranges(self):
        low, high = _bounds_of(self.value)
        if not (low >= 0.0 and high <= 1.0):
            raise ValueError(
                f"an alternative's value is a share of utility in [0, 1], found values from {low} to {high}"
            )
        if self.until_day is not None and self.until_day < self.from_day:
            raise ValueError(
                f"an alternative's until_day ({self.until_day}) is before its from_day ({self.from_day})"
            )
        low, high = _bounds_of(self.trend_per_day)
        if not (low >= -0.05 and high <= 0.05):
            raise ValueError(
                "an alternative's trend_per_day is a daily drift within [-0.05, 0.05] (five points of "
                f"utility a day at most), found values from {low} to {high}"
            )
        return self


def _bounds_of(given) -> tuple[float, float]:
    return (float(given), float(given)) if isinstance(given, int | float) else given.bounds()


class TableObjects(Strict):
    """What a table is about, when it is about things that can go away: the sites whose people it would
    move, the air routes it would open. While nothing here is left to move or to fly out, the table has no
    reason to meet and its talks lapse."""

    sites: list[str] = Field(default_factory=list, description="sites whose people it would move")
    routes: list[str] = Field(default_factory=list, description="air routes it would open")


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
    status_quo: dict[str, str | float] | None = Field(
        None,
        description="what holds while nothing is signed (e.g. the present presence at the bases); "
        "each side's outside option is its value unless someone can and will force a change",
    )
    enforcers: list[Enforcer] = Field(
        default_factory=list,
        description="who can force a change from the status quo, to what, and at what cost",
    )
    opens_day: int = Field(1, ge=1)
    meets_every: int = Field(
        1,
        ge=1,
        le=365,
        description="days between meetings: an open table holds a round only every N days, counted from "
        "the day its talks opened or thawed (1: every day)",
    )
    deadline_day: int | None = Field(
        None, ge=1, description="the day the talks aim at; past it they go on unless hard_deadline"
    )
    hard_deadline: bool = Field(False, description="the talks fail at the deadline")
    deadlines: dict[str, int] = Field(
        default_factory=dict,
        description="per actor: its own soft deadline, the clock of its concessions (default: the table's)",
    )
    freeze_after: int | None = Field(
        None,
        ge=1,
        description="rounds (meetings, not days) without an offer any responder would take before the "
        "talks freeze",
    )
    reopen_after: int = Field(
        10,
        ge=1,
        description="days after which frozen talks reopen (sooner if a side's position moves)",
    )
    discount: float = Field(
        1.0,
        gt=0,
        le=1,
        description="what a day's delay leaves of a deal's value; between meetings N days apart a round "
        "is discounted by its N-th power",
    )
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
    alternatives: dict[str, list[Alternative]] = Field(
        default_factory=dict,
        description="per participant: what it can do instead of signing here, each with a value and a "
        "trend over time; its outside option is the best of them on the day (the status quo, where the "
        "table names one, counts as one more); a participant not listed keeps priors.reservation",
    )
    about: TableObjects | None = Field(
        None,
        description="the sites whose people the table would move and the air routes it would open; when "
        "none is left to move the talks lapse (default: inferred from the agenda's effects)",
    )
    stalemate_after: int | None = Field(
        None,
        ge=1,
        description="meetings in a row in which no party sees a deal it would sign that it believes the "
        "others would take (no zone of agreement between their positions) before the talks freeze",
    )
    lapse_after: int | None = Field(
        None,
        ge=1,
        description="freezes without a deal after which the talks lapse for good and the status quo "
        "stands (null: frozen talks always reopen)",
    )
    signing_costs: dict[str, Prior] = Field(
        default_factory=dict,
        description="per participant: what signing a deal here costs it beyond the deal's terms (at home, "
        "with third parties), a private value drawn per run; a deal must make up for it",
    )

    @model_validator(mode="after")
    def _mediated(self):
        if self.protocol == "single_text" and self.mediator is None:
            raise ValueError("the single_text protocol needs a mediator")
        return self

    @model_validator(mode="after")
    def _costs_are_shares(self):
        _shares(self.signing_costs, "signing_costs", "a share of the actor's utility")
        return self

    @model_validator(mode="after")
    def _alternatives_of_participants(self):
        for actor, listed in self.alternatives.items():
            if actor not in self.participants:
                raise ValueError(
                    f"alternatives are listed for '{actor}', who does not sit at table '{self.id}' "
                    f"(participants: {', '.join(self.participants)})"
                )
            ids = [a.id for a in listed]
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                raise ValueError(f"'{actor}' lists the alternative '{twice[0]}' twice")
            if not listed:
                raise ValueError(
                    f"'{actor}' has an empty list of alternatives: list one or leave it out"
                )
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


class Answer(Strict):
    """What answers a key question "yes": a milestone reached, an outcome, or an occurrence counted."""

    milestone: str | None = None
    outcome: str | None = None
    occurred: str | None = None

    @model_validator(mode="after")
    def _one(self):
        return _exactly_one(self, "key question's answer")


Reason = Annotated[str, Field(min_length=1, pattern=r"\S")]


class KeyQuestion(Strict):
    """A question the scenario exists to answer; the decision audit shows how often each answer comes."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str = Field(min_length=1)
    yes_if: list[Answer] = Field(
        min_length=1, description="the question is answered yes in a run where any of these holds"
    )
    certain: Reason | None = Field(
        None, description="why one answer may come in under 5% of runs (else the audit flags it)"
    )


Longitude = Annotated[float, Field(ge=-180, le=180)]
Latitude = Annotated[float, Field(ge=-90, le=90)]


class MapSpec(Strict):
    """How the scenario's ground is drawn: the outline of the country or region the sites stand in, for
    the pages' map (the model never reads it). Without one, a map shows the sites' extent alone."""

    outline: list[tuple[Longitude, Latitude]] = Field(
        min_length=3,
        max_length=5000,
        description="the border as [longitude, latitude] points in order round it (closed when drawn)",
    )
    label: str = Field("", description="what the outline is, named on the map (a country's name)")
    source: str = ""

    @field_validator("outline")
    @classmethod
    def _encloses(cls, v):
        # the shoelace formula: twice the area the points enclose, in square degrees
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(v, [*v[1:], v[0]], strict=True))
        if abs(area) < 1e-9:
            raise ValueError(
                f"an outline encloses an area: its {len(v)} points lie on one line or on each other"
            )
        return v


class ScenarioSpec(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str = ""
    start_date: dt.date = Field(description="day 0, between 1900 and 2200")

    information_cutoff: dt.date | None = Field(
        None,
        description="the last day whose public information the scenario may use (it is a forecast from "
        "then); none: the start date",
    )

    @field_validator("start_date", "information_cutoff")
    @classmethod
    def _plausible_date(cls, v, info):
        if v is not None and not 1900 <= v.year <= 2200:
            what = "a start date" if info.field_name == "start_date" else "a cut-off date"
            raise ValueError(f"{what} between 1900 and 2200, found {v.isoformat()}")
        return v

    horizon_days: int = Field(ge=1, le=3650)
    convoy_km_per_day: float = Field(250.0, gt=0)
    actors: list[ActorEntry] = Field(min_length=2)
    issues: list[IssueSpec] = Field(min_length=1)
    map: MapSpec | None = Field(
        None, description="the outline the pages draw the sites on (none: the sites' extent alone)"
    )
    sites: list[SiteSpec] = Field(default_factory=list)
    roads: list[RoadSpec] = Field(default_factory=list)
    air_routes: list[AirRouteSpec] = Field(default_factory=list)
    aircraft: list[AircraftSpec] = Field(default_factory=list)
    tables: list[TableSpec] = Field(min_length=1)
    guarantees: list[GuaranteeSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(default_factory=list)
    milestones: list[MilestoneSpec] = Field(default_factory=list)
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    key_questions: list[KeyQuestion] = Field(default_factory=list)
    certain: dict[str, Reason] = Field(
        default_factory=dict,
        description="decision audit items (`wargame audit`) whose share is meant to be (nearly) 0 or 1, "
        "each with the reason: 'DECISION / OPTION', a whole 'DECISION', 'milestone ID', 'outcome ID'",
    )
    sources: list[str] = Field(default_factory=list)
