"""Pictures of a run: an immutable, JSON-serialisable view of one moment, whole for the analyst or cut down
to what one actor knows.

The analyst's picture holds everything: the ground (sites and garrisons, roads with who holds them and
their risk, air routes open or shut, convoys), every table with every offer and answer so far and each
participant's true outside option, the agreements, every actor's private values and beliefs, the figures
and the day's log. An actor's picture (`for_viewer`) keeps the public part and only that actor's own
private values, outside options and beliefs: never another's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from wargame.engine.records import seen_by

if TYPE_CHECKING:
    from wargame.engine.bargaining.tables import Round, Table
    from wargame.engine.model import WargameModel


class Frozen(dict):
    """A dict that refuses changes (json.dumps still writes it as an object)."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("a snapshot is immutable")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self):
        return (Frozen, (dict(self),))


def freeze(value: Any) -> Any:
    """Plain data made immutable: dicts become Frozen, lists and tuples become tuples."""
    if isinstance(value, Frozen):
        return value
    if isinstance(value, dict):
        return Frozen({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return tuple(freeze(v) for v in items)
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def site_state(site) -> str:
    """held, cut off, evacuating (everyone left waits to go), empty or lost, as a map shows it ("none": a
    place nobody garrisons)."""
    people = site.personnel + site.waiting
    if site.surrendered:
        return "lost"
    if people == 0:
        return "empty" if site.garrison is not None else "none"
    if site.besieged_by is not None:
        return "cut off"
    if site.personnel:
        return "held"  # a garrison stays (some may be waiting to leave: see `waiting`)
    return "evacuating"


class RoundPictures:
    """Each round of a table drawn once and shared by every later picture (rounds never change)."""

    def __init__(self) -> None:
        self._drawn: dict[str, list[Frozen]] = {}

    def of(self, table: Table) -> tuple[Frozen, ...]:
        drawn = self._drawn.setdefault(table.id, [])
        for rnd in table.rounds[len(drawn) :]:
            drawn.append(_round(table, rnd))
        return tuple(drawn)


def _road_limits(road) -> dict:
    """A road's state beyond its holder and risk, given only where it departs from the usual (shut, or
    limited in the people it lets through a day), so that the picture of a scenario without either, and
    the digest of a game saved with it, are what they were."""
    limits: dict[str, Any] = {}
    if not road.open:
        limits["open"] = False
    if road.capacity is not None:
        limits["capacity_per_day"] = road.capacity
    return limits


def _round(table: Table, rnd: Round) -> Frozen:
    return freeze(
        {
            "day": rnd.day,
            "proposer": rnd.proposer,
            "offer": table.space.describe(rnd.offer),
            "answers": dict(rnd.answers),
            "passed": rnd.passed,
        }
    )


def picture(m: WargameModel, rounds: RoundPictures, extra: dict | None = None) -> Frozen:
    """The analyst's picture of the run as it stands now."""
    g = m.ground
    evacuating = [a.actor_id for a in m.evacuators]
    hostile = {
        owner: {a.actor_id: a.hostility(owner) for a in m.actor_list} for owner in evacuating
    }
    data = {
        "scenario": m.situation.id,
        "day": m.day,
        "date": m.date_of(m.day).isoformat(),
        "horizon": m.horizon,
        "finished": not m.running,
        "outcome": m.outcome,
        "revision": m.memory.revision,
        "figures": {
            "personnel_initial": m.initial_personnel,
            "present": m.present,
            "evacuated": m.evacuated,
            "lost": m.lost,
            "captured": m.captured,
            "equipment_initial_t": round(m.initial_t, 3),
            "equipment_out_t": round(m.evacuated_t, 3),
            "equipment_lost_t": round(m.lost_t, 3),
            "agreements_in_force": m.agreements_in_force,
        },
        "sites": [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "lat": s.lat,
                "lon": s.lon,
                "garrison": s.garrison,
                "role": s.role,
                "controller": s.controller,
                "personnel": s.personnel,
                "waiting": s.waiting,
                "equipment_t": round(s.equipment_t + s.waiting_t, 3),
                "besieged_by": s.besieged_by,
                "supply_left": s.supply_left if s.besieged_by else None,
                "airfield": s.airfield,
                "exit": s.exit,
                "state": site_state(s),
            }
            for s in g.sites.values()
        ],
        "roads": [
            {
                "id": r.id,
                "from": r.a,
                "to": r.b,
                "km": r.km,
                "holder": r.holder,
                "risk": r.risk,
                # the chance that a convoy of each evacuating side is attacked on it today
                "risk_to": {
                    owner: g.segment_risk(r, owner, hostile[owner]) for owner in evacuating
                },
                **_road_limits(r),
            }
            for r in g.roads.values()
        ],
        "air_routes": [
            {
                "id": r.id,
                "from": r.origin,
                "to": r.destination,
                "km": r.km,
                "open": r.usable,
                "grants": dict(r.grants),
            }
            for r in g.air_routes.values()
        ],
        "fleets": [
            {"type": f.type, "operator": f.operator, "count": f.count} for f in g.fleets.values()
        ],
        "convoys": [
            {
                "owner": c.owner,
                "from": c.origin,
                "to": c.destination,
                "roads": list(c.roads),
                "personnel": c.personnel,
                "equipment_t": round(c.equipment_t, 3),
                "arrives_day": c.arrive_day,
            }
            for c in m.convoys
        ],
        "tables": [
            {
                "id": t.id,
                "status": t.status,
                "participants": [a.actor_id for a in t.participants],
                "mediator": t.spec.mediator,
                "opens_day": t.spec.opens_day,
                "deadline": t.deadline,
                "rounds": rounds.of(t),
                # each participant's outside option today (private: an actor sees only its own)
                "reservations": {a.actor_id: m.reservation(a, t) for a in t.participants},
                # what each participant would lose by breaking a deal here (guarantors, reputation)
                "deterrence": {
                    a.actor_id: m.deterrence_today(t, a.actor_id, m.guarantees_at(t.id))
                    for a in t.participants
                },
            }
            for t in m.tables.values()
        ],
        "agreements": [
            {
                "table": a.table,
                "signed_day": a.signed_day,
                "expires_day": a.expires_day,
                "terms": dict(a.labels),
                "parties": list(a.parties),
                "status": a.status,
                "broken_by": a.broken_by,
                "broken_day": a.broken_day,
                # each party's chance of breaking it today (while it is in force)
                "break_chance": {
                    p: m.break_chance_today(m.tables[a.table], a, p)[2] for p in a.parties
                }
                if a.status == "in_force"
                else {},
            }
            for a in m.agreements
        ],
        "actors": [
            {
                "id": a.actor_id,
                "name": a.name,
                "capabilities": dict(a.capabilities),
                "reputation": a.reputation,
                "trust": dict(a.trust),
                "time_pressure": a.time_pressure,
                "evacuates": a.profile.evacuates,
                "unilateral_safety": m.unilateral_safety(a) if a.profile.evacuates else None,
                "private": dict(a.private),
                "beliefs": {k: dict(v) for k, v in a.beliefs.items()},
            }
            for a in m.actor_list
        ],
        "milestones": dict(m.milestones),
        "occurrences": dict(sorted(m.occurrences.items())),
        "log": todays_records(m),
    }
    if extra:
        data.update(extra)
    return freeze(data)


def todays_records(m: WargameModel) -> list[dict]:
    """The records of the day the run stands on (records come in the order of their days)."""
    today = []
    for rec in reversed(m.records):
        if rec.day != m.day:
            break
        today.append(rec.to_dict())
    return today[::-1]


def for_viewer(whole: Frozen, viewer: str) -> Frozen:
    """What `viewer` knows of the picture: the public ground, figures and agreements; the tables it sits at
    with their offers and answers and its own outside option; its own private values and beliefs; its own
    convoys and what is said in public. Nobody else's private values, outside options or beliefs."""
    ids = [a["id"] for a in whole["actors"]]
    if viewer not in ids:
        raise KeyError(viewer)
    return _seen_as(whole, viewer)


def _seen_as(whole: Frozen, viewer: str) -> Frozen:
    seated = {
        t["id"] for t in whole["tables"] if viewer in t["participants"] or viewer == t["mediator"]
    }
    data = dict(whole)
    data["viewer"] = viewer
    data["tables"] = [
        {
            **{k: v for k, v in t.items() if k not in ("rounds", "reservations", "deterrence")},
            "rounds": t["rounds"] if t["id"] in seated else (),
            # (a mediator sits at the table but has no outside option there)
            "reservations": {viewer: t["reservations"][viewer]}
            if t["id"] in seated and viewer in t["reservations"]
            else {},
            "deterrence": {},
        }
        for t in whole["tables"]
    ]
    data["actors"] = [
        a
        if a["id"] == viewer
        else {k: v for k, v in a.items() if k not in ("private", "beliefs", "unilateral_safety")}
        for a in whole["actors"]
    ]
    data["convoys"] = [c for c in whole["convoys"] if c["owner"] == viewer]
    data["agreements"] = [{**a, "break_chance": {}} for a in whole["agreements"]]
    data["log"] = [seen for entry in whole["log"] if (seen := seen_by(entry, viewer)) is not None]
    return freeze(data)


def for_the_public(whole: Frozen) -> Frozen:
    """What anyone may see of the picture (a projector's board): the public ground, figures, agreements in
    force and what is said in public; no actor's private values, beliefs or outside options, no table's
    offers, no convoy (each is its owner's to know). The view of a viewer who is no actor."""
    return _seen_as(whole, "")
