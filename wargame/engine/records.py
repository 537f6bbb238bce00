"""What a run records, one kind of record a class: who it concerns, whether it is public, which of its
fields only some of those concerned may read, and the occurrence it counts.

The engine writes records (`m.record(rec)`); everything above it reads them as plain data (`to_dict`, the
JSON shape of pictures and saves: {"kind": ..., field: value, ...}) and asks `seen_by` what a viewer may
see of one. A new kind of record is one class here: its visibility, its occurrence and its place in the
scenario's vocabulary (`occurrence_names`) come with it, and a test over `REGISTRY` requires a sentence
for it in the narrative.

Choices, for the decision audit (`wargame audit`): a kind of record that is a choice an actor makes says
which decision it settles and the option taken (`audit_item`), and which decisions a scenario's actors
can face with which options (`decisions`), so that an option no run took still shows, at 0%.

Visibility, in one place:
- a public record is seen by everyone; any other by the actors it `concerns` only (the analyst sees all);
- `private_to` names fields only one actor may read (a breach's gain and cost: only the breaker's own
  reckoning), by the field that names that actor;
- `own_entries` names mappings of actor -> value of which each viewer sees only its own entry (a round's
  reasons and outside options).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wargame.language.scenario import Scenario

REGISTRY: dict[str, type[Record]] = {}


@dataclass(frozen=True)
class Decision:
    """A recurring choice as the audit shows it: the options a run may take (each counted once a run,
    however often taken) and, where meaningful, `otherwise`: the runs that took none of `otherwise_of`
    (a post held to the end: never left)."""

    options: tuple[str, ...]
    otherwise: str | None = None
    otherwise_of: tuple[str, ...] = ()  # default: every option


def _evacuating(sc: Scenario) -> set[str]:
    """The actors whose garrisons move out."""
    return {a.id for a in sc.actors if a.evacuates}


def _effects(sc: Scenario):
    """Every effect the scenario's events and agreed levels can apply."""
    for event in sc.spec.events:
        yield from event.effects
    for issue in sc.spec.issues:
        for level in issue.levels or ():
            yield from level.effects


def _posts(sc: Scenario):
    """The sites whose owner reviews them each day (garrisoned by an evacuating side, not a base unless
    an effect can make it something else), as (site, owner)."""
    movers = _evacuating(sc)
    remade = {e.site_role.site for e in _effects(sc) if e.site_role is not None}
    for site in sc.spec.sites:
        kind_role = "base" if site.kind in ("air_base", "naval_base") else "outpost"
        role = site.role or kind_role
        manned = site.bounds("personnel")[1] > 0  # (in some runs, where the count is drawn)
        if site.garrison in movers and manned and (role != "base" or site.id in remade):
            yield site, site.garrison


def record_kind(cls):
    """A frozen, slotted dataclass of one kind of record, built fast: a run makes some 150 records even
    when nobody reads its story (they count its occurrences), and a frozen dataclass's own __init__ (an
    object.__setattr__ call a field) costs five times a plain one's. This __init__ sets each slot through
    its descriptor, which a frozen class's __setattr__ does not guard; after it, the record is frozen."""
    cls = dataclass(frozen=True, slots=True)(cls)
    params, body, env = [], [], {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            env[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
        else:
            params.append(f.name)
        env[f"_s_{f.name}"] = getattr(cls, f.name).__set__
        body.append(f"    _s_{f.name}(self, {f.name})\n")
    exec(f"def __init__(self, {', '.join(params)}):\n{''.join(body)}", env)
    env["__init__"].__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = env["__init__"]
    return cls


@record_kind
class Record:
    """One thing that happened on `day`."""

    kind: ClassVar[str] = ""
    public: ClassVar[bool] = False
    private_to: ClassVar[
        dict[str, str]
    ] = {}  # field -> the field naming the one actor who may read it
    own_entries: ClassVar[tuple[str, ...]] = ()  # actor -> value mappings: each sees its own entry
    # The occurrences this kind can count, as templates over its fields ("talks_failed_{table}"); an
    # empty template list: it counts none. `occurrence()` says which one this record counts.
    occurrences: ClassVar[tuple[str, ...]] = ()

    day: int

    def __init_subclass__(cls, **kwargs):
        # (no super() call: a slots dataclass is a new class, and super() in it would name the old one)
        if cls.kind:
            known = REGISTRY.get(cls.kind)
            # (a slots dataclass is made twice, under one name: the second replaces the first)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise TypeError(f"two record classes of kind '{cls.kind}'")
            REGISTRY[cls.kind] = cls

    def concerns(self) -> tuple[str, ...]:
        """The actors this record is about (who may see it when it is not public)."""
        return ()

    def audit_item(self) -> tuple[str, str] | None:
        """(decision, option) when this record is an actor's choice (the audit counts it), else None. The
        decision's name is one `decisions` lists for the scenario, and the option one of its options."""
        return None

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        """Every decision of this kind that the scenario's actors can face, with its options."""
        return {}

    def occurrence(self) -> str | None:
        """The occurrence this record counts, if any: its one name (a kind with several, or with a table's
        name in it, says which)."""
        return self.occurrences[0] if self.occurrences else None

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "day"}

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of pictures and saves: the kind, the day, the fields and whom it concerns."""
        return {
            "kind": self.kind,
            "day": self.day,
            **self._fields(),
            "concerns": list(self.concerns()),
        }


def occurrence_names(tables: list[str], events: list[str]) -> set[str]:
    """Every occurrence a run of a scenario with these tables and events can count: the vocabulary that
    milestones, outcomes and event conditions may name (effects may add their own)."""
    names: set[str] = set(events)
    for cls in REGISTRY.values():
        for template in cls.occurrences:
            if "{table}" in template:
                names |= {template.format(table=t) for t in tables}
            elif "{" not in template:
                names.add(template)
    return names


def seen_by(entry: Mapping[str, Any], viewer: str | None) -> dict[str, Any] | None:
    """A record (in its dict form) as `viewer` sees it, or None when it is not for the viewer's eyes. The
    analyst (viewer None) sees everything."""
    if viewer is None:
        return dict(entry)
    cls = REGISTRY.get(entry.get("kind", ""))
    if cls is None:
        return (
            None  # a kind nobody declared is nobody's to see (a test requires every kind declared)
        )
    concerned = viewer in entry.get("concerns", ())
    if not (cls.public or concerned):
        return None
    seen = dict(entry)
    for name, owner_field in cls.private_to.items():
        if entry.get(owner_field) != viewer:
            seen.pop(name, None)
    for name in cls.own_entries:
        mine = entry.get(name) or {}
        seen[name] = {viewer: mine[viewer]} if viewer in mine else {}
    return seen


# ---------------------------------------------------------------- events, injects, overrides


@record_kind
class EventFired(Record):
    kind: ClassVar[str] = "event"
    public: ClassVar[bool] = True
    event: str
    text: str
    forced: bool = False  # by a person (an inject, a what-if)
    scheduled: bool = False  # by an exercise's plan

    def occurrence(self) -> str | None:
        return self.event  # each event counts under its own id


@record_kind
class Inject(Record):
    """A facilitator's custom change of the world (the effects in the scenario's language)."""

    kind: ClassVar[str] = "inject"
    public: ClassVar[bool] = True
    reason: str
    effects: int
    forced: bool = True


@record_kind
class Override(Record):
    """A person overruled the course of the run (collapse talks, refuse everything, break a deal)."""

    kind: ClassVar[str] = "override"
    override: str
    reason: str
    table: str | None = None
    actor: str | None = None
    parties: tuple[str, ...] = ()  # the table's participants
    forced: bool = True

    def concerns(self) -> tuple[str, ...]:
        return (self.actor,) if self.actor else self.parties


# ---------------------------------------------------------------- talks


@record_kind
class RoundHeld(Record):
    kind: ClassVar[str] = "round"
    own_entries: ClassVar[tuple[str, ...]] = ("reasons", "reservations")
    table: str
    proposer: str
    offer: dict[str, str]
    answers: dict[str, bool]
    passed: bool
    reasons: dict[str, Any]  # actor -> (the offer's worth to it, what it asks now)
    reservations: dict[str, float]  # actor -> its outside option today
    parties: tuple[str, ...] = ()  # who sits at the table (and its mediator)

    def concerns(self) -> tuple[str, ...]:
        return self.parties


@record_kind
class BeliefShift(Record):
    kind: ClassVar[str] = "belief"
    observers: tuple[str, ...]
    about: str
    table: str
    old: float
    new: float

    def concerns(self) -> tuple[str, ...]:
        return tuple(self.observers)


@record_kind
class TalksOpened(Record):
    kind: ClassVar[str] = "opened"
    public: ClassVar[bool] = True
    table: str


@record_kind
class TalksFailed(Record):
    kind: ClassVar[str] = "failed"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("talks_failed_{table}",)
    table: str
    forced: bool = False
    reason: str | None = None

    def occurrence(self) -> str | None:
        return f"talks_failed_{self.table}"

    def audit_item(self) -> tuple[str, str] | None:
        return None if self.forced else (f"talks {self.table}", "failed")

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {f"talks {t.id}": Decision(("failed",)) for t in sc.spec.tables if t.hard_deadline}


@record_kind
class TalksFrozen(Record):
    kind: ClassVar[str] = "frozen"
    occurrences: ClassVar[tuple[str, ...]] = ("talks_frozen_{table}",)
    table: str
    rounds: int
    until: int
    parties: tuple[str, ...] = ()
    stalemate: bool = False  # frozen because no party saw a zone of agreement (else: no taker)

    def concerns(self) -> tuple[str, ...]:
        return self.parties

    def occurrence(self) -> str | None:
        return f"talks_frozen_{self.table}"

    def audit_item(self) -> tuple[str, str] | None:
        return f"talks {self.table}", "frozen"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {
            f"talks {t.id}": Decision(("frozen",))
            for t in sc.spec.tables
            if t.freeze_after or t.stalemate_after
        }


@record_kind
class TalksLapsed(Record):
    """Talks that end with no signature: the parties live with the status quo. `reason` is "stalemate"
    (the positions left no zone of agreement once too often) or "objects_gone" (nothing the table was
    about is left: the people it would move are out, the route it would open is no longer needed)."""

    kind: ClassVar[str] = "lapsed"
    occurrences: ClassVar[tuple[str, ...]] = ("talks_lapsed_{table}",)
    table: str
    reason: str
    freezes: int = 0
    parties: tuple[str, ...] = ()

    def concerns(self) -> tuple[str, ...]:
        return self.parties

    def occurrence(self) -> str | None:
        return f"talks_lapsed_{self.table}"

    def audit_item(self) -> tuple[str, str] | None:
        return f"talks {self.table}", "lapsed"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        from wargame.engine.decisions import can_lapse

        return {f"talks {t.id}": Decision(("lapsed",)) for t in sc.spec.tables if can_lapse(sc, t)}


@record_kind
class TalksThawed(Record):
    kind: ClassVar[str] = "thawed"
    occurrences: ClassVar[tuple[str, ...]] = ("talks_reopened_{table}",)
    table: str
    by: str | None  # whose position moved (None: the cooling-off is over)
    parties: tuple[str, ...] = ()

    def concerns(self) -> tuple[str, ...]:
        return self.parties

    def occurrence(self) -> str | None:
        return f"talks_reopened_{self.table}"

    def audit_item(self) -> tuple[str, str] | None:
        return f"talks {self.table}", "reopened"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {
            f"talks {t.id}": Decision(("reopened",))
            for t in sc.spec.tables
            if t.freeze_after or t.stalemate_after
        }


# ---------------------------------------------------------------- agreements and guarantees


@record_kind
class Signed(Record):
    kind: ClassVar[str] = "signed"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("agreement_signed",)
    table: str
    terms: dict[str, str]
    parties: tuple[str, ...] = ()

    def concerns(self) -> tuple[str, ...]:
        return self.parties

    def audit_item(self) -> tuple[str, str] | None:
        return f"talks {self.table}", "signed"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {
            f"talks {t.id}": Decision(
                ("signed",), otherwise="never signed", otherwise_of=("signed",)
            )
            for t in sc.spec.tables
        }


@record_kind
class Imposed(Record):
    kind: ClassVar[str] = "imposed"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("imposed_{table}",)
    table: str
    by: str
    terms: dict[str, str]

    def concerns(self) -> tuple[str, ...]:
        return (self.by,)

    def occurrence(self) -> str | None:
        return f"imposed_{self.table}"

    def audit_item(self) -> tuple[str, str] | None:
        return f"talks {self.table}", "imposed"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {
            f"talks {t.id}": Decision(("imposed",))
            for t in sc.spec.tables
            if t.status_quo is not None and t.enforcers
        }


@record_kind
class Completed(Record):
    kind: ClassVar[str] = "completed"
    public: ClassVar[bool] = True
    table: str


@record_kind
class Breach(Record):
    kind: ClassVar[str] = "breach"
    public: ClassVar[bool] = True
    private_to: ClassVar[dict[str, str]] = {"gain": "by", "cost": "by"}
    occurrences: ClassVar[tuple[str, ...]] = ("agreement_broken",)
    table: str
    by: str
    gain: float  # what breaking was worth to the breaker (its private temptation)
    cost: float  # what it expected to lose (the deterrence it faced)
    withdrawn: int  # changes on the ground the agreement had made, reversed
    others: tuple[str, ...]
    reopens: int | None
    forced: bool = False  # a person broke it for the actor (an override)
    reason: str | None = None  # the person's reason

    def concerns(self) -> tuple[str, ...]:
        return (self.by, *self.others)

    def audit_item(self) -> tuple[str, str] | None:
        return None if self.forced else (f"deal at {self.table}", f"broken by {self.by}")

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {
            f"deal at {t.id}": Decision(
                tuple(f"broken by {p}" for p in t.participants), otherwise="never broken"
            )
            for t in sc.spec.tables
        }


@record_kind
class Enforced(Record):
    kind: ClassVar[str] = "enforced"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("guarantee_enforced",)
    guarantee: str
    guarantor: str
    against: str

    def concerns(self) -> tuple[str, ...]:
        return (self.guarantor, self.against)

    def audit_item(self) -> tuple[str, str] | None:
        return f"guarantee {self.guarantee} ({self.guarantor})", "enforced"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        return {
            f"guarantee {g.id} ({g.guarantor})": Decision(
                ("enforced", "not enforced"), otherwise="never called on"
            )
            for g in sc.spec.guarantees
        }


@record_kind
class Unenforced(Record):
    kind: ClassVar[str] = "unenforced"
    public: ClassVar[bool] = True
    guarantee: str
    guarantor: str
    against: str

    def concerns(self) -> tuple[str, ...]:
        return (self.guarantor, self.against)

    def audit_item(self) -> tuple[str, str] | None:
        return f"guarantee {self.guarantee} ({self.guarantor})", "not enforced"


# ---------------------------------------------------------------- the ground


@record_kind
class ConvoyLeft(Record):
    kind: ClassVar[str] = "convoy"
    occurrences: ClassVar[tuple[str, ...]] = ("convoy_departed", "siege_breakout")
    owner: str
    site: str
    to: str
    personnel: int
    risk: float
    tolerance: float
    breakout: bool

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,)

    def occurrence(self) -> str | None:
        return "siege_breakout" if self.breakout else "convoy_departed"

    def audit_item(self) -> tuple[str, str] | None:
        return f"convoy from {self.site} ({self.owner})", "broke out" if self.breakout else "sent"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        besieged = {s.id for s in sc.spec.sites if s.besieged_by}
        besieged |= {e.siege.site for e in _effects(sc) if e.siege is not None and e.siege.by}
        # from a post once left, or from a base whose withdrawal an effect can order
        ordered = {e.withdraw.site for e in _effects(sc) if e.withdraw is not None}
        movers = _evacuating(sc)
        sites = [(site, owner) for site, owner in _posts(sc)]
        sites += [
            (s, s.garrison)
            for s in sc.spec.sites
            if s.id in ordered and s.garrison in movers and (s, s.garrison) not in sites
        ]
        return {
            f"convoy from {site.id} ({owner})": Decision(
                ("sent", "broke out") if site.id in besieged else ("sent",), otherwise="never sent"
            )
            for site, owner in sites
        }


@record_kind
class ColumnHeldBack(Record):
    """A column set out with fewer than were waiting: a road on its way lets no more through that day
    (its capacity_per_day, less the columns already booked onto it). The others wait for a later one."""

    kind: ClassVar[str] = "held_back"
    occurrences: ClassVar[tuple[str, ...]] = ("column_held_back",)
    owner: str
    site: str
    road: str
    capacity: int  # people a day along the road
    left: int  # still waiting at the site

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,)


@record_kind
class ConvoyArrived(Record):
    kind: ClassVar[str] = "arrived"
    occurrences: ClassVar[tuple[str, ...]] = ("convoy_arrived",)
    owner: str
    site: str
    to: str
    personnel: int

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,)


@record_kind
class Ambush(Record):
    kind: ClassVar[str] = "ambush"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("convoy_attacked",)
    owner: str
    road: str
    holder: str | None
    site: str
    killed: int

    def concerns(self) -> tuple[str, ...]:
        return tuple(a for a in (self.owner, self.holder) if a)


@record_kind
class Airlift(Record):
    """Flights (or sailings) that took people and equipment out."""

    kind: ClassVar[str] = "airlift"
    occurrences: ClassVar[tuple[str, ...]] = ("airlift_flown",)
    owner: str
    fleet: str
    mode: str
    route: str
    site: str
    personnel: int
    tonnes: float

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,)

    def audit_item(self) -> tuple[str, str] | None:
        return f"lift by {self.fleet} ({self.owner})", f"route {self.route}"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        movers = _evacuating(sc)
        return {
            f"lift by {fleet.type} ({fleet.operator})": Decision(
                tuple(f"route {r}" for r, sorties in fleet.sorties_per_day.items() if sorties > 0),
                otherwise="never flown",
            )
            for fleet in sc.spec.aircraft
            if fleet.operator in movers and any(v > 0 for v in fleet.sorties_per_day.values())
        }


@record_kind
class Surrender(Record):
    kind: ClassVar[str] = "surrender"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("siege_surrender",)
    owner: str | None
    site: str
    by: str | None
    personnel: int

    def concerns(self) -> tuple[str, ...]:
        return tuple(a for a in (self.owner, self.by) if a)


@record_kind
class Losses(Record):
    kind: ClassVar[str] = "losses"
    public: ClassVar[bool] = True
    owner: str | None
    site: str
    personnel: int
    cause: str
    captured: bool

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,) if self.owner else ()


@record_kind
class WithdrawalStarted(Record):
    kind: ClassVar[str] = "withdrawal"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("withdrawal_started",)
    owner: str | None
    site: str
    cause: str

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,) if self.owner else ()


@record_kind
class WithdrawalCompleted(Record):
    """The last of the evacuating sides' people have left the country."""

    kind: ClassVar[str] = "withdrawn"
    public: ClassVar[bool] = True
    occurrences: ClassVar[tuple[str, ...]] = ("withdrawal_completed",)
    by: tuple[str, ...]

    def concerns(self) -> tuple[str, ...]:
        return tuple(self.by)


@record_kind
class SafeConduct(Record):
    """A road's holder lets (or refuses to let) another side's columns pass, quietly."""

    kind: ClassVar[str] = "safe_conduct"
    occurrences: ClassVar[tuple[str, ...]] = ("safe_conduct_arranged", "safe_conduct_refused")
    roads: tuple[str, ...]
    holder: str
    mover: str
    agreed: bool
    willing: float
    until: int

    def concerns(self) -> tuple[str, ...]:
        return (self.holder, self.mover)

    def occurrence(self) -> str | None:
        return "safe_conduct_arranged" if self.agreed else "safe_conduct_refused"

    def audit_item(self) -> tuple[str, str] | None:
        return f"safe conduct by {self.holder} for {self.mover}", (
            "agreed" if self.agreed else "refused"
        )

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        actors = {a.id for a in sc.actors}
        holders = {r.held_by for r in sc.spec.roads}
        holders |= {e.road_holder.holder for e in _effects(sc) if e.road_holder is not None}
        return {
            f"safe conduct by {holder} for {mover}": Decision(
                ("agreed", "refused"), otherwise="never asked"
            )
            for mover in sorted(_evacuating(sc))
            for holder in sorted(holders & actors - {mover})
        }


@record_kind
class SiegeLifted(Record):
    kind: ClassVar[str] = "lifted"
    occurrences: ClassVar[tuple[str, ...]] = ("safe_conduct_arranged",)
    owner: str | None
    site: str
    by: str
    willing: float

    def concerns(self) -> tuple[str, ...]:
        return tuple(a for a in (self.by, self.owner) if a)

    def audit_item(self) -> tuple[str, str] | None:
        return f"siege of {self.site}", f"let go by {self.by}"

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        by: dict[str, list[str]] = {}
        for s in sc.spec.sites:
            if s.besieged_by:
                by.setdefault(s.id, []).append(s.besieged_by)
        for e in _effects(sc):
            if e.siege is not None and e.siege.by and e.siege.by not in by.get(e.siege.site, []):
                by.setdefault(e.siege.site, []).append(e.siege.by)
        movers = _evacuating(sc)
        garrison = {s.id: s.garrison for s in sc.spec.sites}
        return {
            f"siege of {site}": Decision(
                tuple(f"let go by {b}" for b in besiegers), otherwise="never let go"
            )
            for site, besiegers in by.items()
            if garrison.get(site) in movers
        }


@record_kind
class PostDecision(Record):
    """An owner leaves a post, makes it a hub to leave from (or no longer one), or draws a base down to
    its residual garrison."""

    kind: ClassVar[str] = "post"
    occurrences: ClassVar[tuple[str, ...]] = ("post_left", "hub_opened", "base_drawn_down")
    owner: str
    site: str
    choice: str  # "leave" | "hub" | "no_hub" | "draw_down" (a base down to its residual)
    value: float
    risk: float
    personnel: int | None = None

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,)

    def occurrence(self) -> str | None:
        return {"leave": "post_left", "hub": "hub_opened", "draw_down": "base_drawn_down"}.get(
            self.choice
        )

    def audit_item(self) -> tuple[str, str] | None:
        if self.choice == "draw_down":
            return f"base {self.site} ({self.owner})", self.choice
        return f"post {self.site} ({self.owner})", self.choice

    @classmethod
    def decisions(cls, sc: Scenario) -> dict[str, Decision]:
        out = {}
        for site, owner in _posts(sc):
            hub = ("hub", "no_hub") if site.airfield or site.port else ()
            out[f"post {site.id} ({owner})"] = Decision(
                ("leave", *hub), otherwise="held to the end", otherwise_of=("leave",)
            )
        movers = _evacuating(sc)
        for site in sc.spec.sites:  # bases whose owner chooses when to draw down to the residual
            if site.garrison in movers and site.surplus_value is not None:
                out[f"base {site.id} ({site.garrison})"] = Decision(
                    ("draw_down",), otherwise="kept in full to the end"
                )
        return out


# ---------------------------------------------------------------- milestones and the ending


@record_kind
class MilestoneReached(Record):
    kind: ClassVar[str] = "milestone"
    public: ClassVar[bool] = True
    milestone: str
    label: str


@record_kind
class Ending(Record):
    kind: ClassVar[str] = "ending"
    public: ClassVar[bool] = True
    outcome: str | None
    label: str | None = None
