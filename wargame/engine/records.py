"""What a run records, one kind of record a class: who it concerns, whether it is public, which of its
fields only some of those concerned may read, and the occurrence it counts.

The engine writes records (`m.record(rec)`); everything above it reads them as plain data (`to_dict`, the
JSON shape of pictures and saves: {"kind": ..., field: value, ...}) and asks `seen_by` what a viewer may
see of one. A new kind of record is one class here: its visibility, its occurrence and its place in the
scenario's vocabulary (`occurrence_names`) come with it, and a test over `REGISTRY` requires a sentence
for it in the narrative.

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
from typing import Any, ClassVar

REGISTRY: dict[str, type[Record]] = {}


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


@record_kind
class Unenforced(Record):
    kind: ClassVar[str] = "unenforced"
    public: ClassVar[bool] = True
    guarantee: str
    guarantor: str
    against: str

    def concerns(self) -> tuple[str, ...]:
        return (self.guarantor, self.against)


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


@record_kind
class PostDecision(Record):
    """An owner leaves a post, or makes it a hub to leave from (or no longer one)."""

    kind: ClassVar[str] = "post"
    occurrences: ClassVar[tuple[str, ...]] = ("post_left", "hub_opened")
    owner: str
    site: str
    choice: str  # "leave" | "hub" | "no_hub"
    value: float
    risk: float
    personnel: int | None = None

    def concerns(self) -> tuple[str, ...]:
        return (self.owner,)

    def occurrence(self) -> str | None:
        return {"leave": "post_left", "hub": "hub_opened"}.get(self.choice)


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
