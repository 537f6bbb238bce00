"""Getting people and equipment out: sieges running down, convoys on the roads, airlift from the bases.

Evacuees wait at a site; a convoy takes them along the safest road route to an air hub (an airfield
held by their own side) or to an exit (a crossing into a friendly country, usable when its controller
has a deal in force with them); aircraft lift them home from a hub within the sorties each air route
allows. The chance of attack on a road depends on its base risk and how hostile its holder is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.ground import people

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.ground.geography import Routes
    from wargame.engine.model import WargameModel

BREAKOUT_SUPPLY_DAYS = 2  # a besieged garrison tries to break out when this little supply is left
BREAKOUT_RISK = 0.6


@dataclass(slots=True)
class Convoy:
    owner: str
    origin: str
    destination: str
    roads: list[str]
    personnel: int
    equipment_t: float
    arrive_day: int


@dataclass(slots=True)
class WayOut:
    """What the evacuating side sees of the ground today: its air hubs, every place its people may head
    for (hubs and usable exits), how hostile each actor is to it, and the safest route from each site.
    Read once and shared by its outside option and its convoys (WargameModel.way_out_today)."""

    hubs: set[str]
    targets: frozenset[str]
    hostile: dict[str, float]
    routes: Routes


def way_out(m: WargameModel, owner: str) -> WayOut:
    air_hubs = hubs(m, owner)
    targets = frozenset(air_hubs | exits(m, owner))
    hostile = hostility_towards(m, owner)
    return WayOut(air_hubs, targets, hostile, m.ground.routes_out(targets, owner, hostile))


def hostility_towards(m: WargameModel, mover: str) -> dict[str, float]:
    return {a.actor_id: a.hostility(mover) for a in m.actor_list}


# A place is worth sending a column to only if people can be lifted out of it: at least this many a day
# (an estimate: below it, a column would wait weeks at the quay, as at a port served only by cargo ships
# with a dozen passenger places).
MIN_DAILY_LIFT = 20


def hubs(m: WargameModel, owner: str) -> set[str]:
    """Airfields and ports held by `owner` from which its aircraft or ships can lift at least
    MIN_DAILY_LIFT people a day on the air routes and sea lanes open today."""
    lift: dict[str, float] = {}
    fleets = [f for f in m.ground.fleets.values() if f.operator == owner and f.count > 0]
    for r in m.ground.air_routes.values():
        if r.usable:
            daily = sum(
                f.count * f.sorties_per_day.get(r.id, 0.0) * f.payload_personnel for f in fleets
            )
            lift[r.origin] = lift.get(r.origin, 0.0) + daily
    return {
        s.id
        for s in m.ground.sites.values()
        if (s.airfield or s.port) and s.garrison == owner and lift.get(s.id, 0.0) >= MIN_DAILY_LIFT
    }


def exits(m: WargameModel, owner: str) -> set[str]:
    """Crossings out of the country that `owner` may use today."""
    out = set()
    for s in m.ground.sites.values():
        if s.exit and (s.controller == owner or m.has_deal_between(owner, s.controller)):
            out.add(s.id)
    return out


def run_sieges(m: WargameModel, day: int) -> None:
    for site in m.ground.sites.values():
        if site.besieged_by is None or site.waiting + site.personnel == 0:
            continue
        site.supply_left -= 1
        if site.supply_left <= 0:
            captured = site.waiting + site.personnel
            people.inflict_losses(
                m,
                site.id,
                captured,
                site.waiting_t + site.equipment_t,
                "siege_surrender",
                captured=True,
            )
            site.surrendered = True
            m.record(
                records.Surrender(
                    day, owner=site.garrison, site=site.id, by=site.besieged_by, personnel=captured
                )
            )


def arrive_convoys(m: WargameModel, day: int) -> None:
    still = []
    for c in m.convoys:
        if c.arrive_day > day:
            still.append(c)
            continue
        dest = m.ground.sites[c.destination]
        if dest.exit:
            people.evacuate(m, c.personnel, c.equipment_t)
        else:
            dest.waiting += c.personnel
            dest.waiting_t += c.equipment_t
            m.changed("people")
        m.record(
            records.ConvoyArrived(
                day, owner=c.owner, site=c.origin, to=c.destination, personnel=c.personnel
            )
        )
    m.convoys = still


def risk_tolerance(m: WargameModel, agent: ActorAgent, day: int) -> float:
    """How great a chance of attack the evacuating side accepts today: rises with time pressure, and is
    halved while talks that could make the roads safer (a table that moves people) are still open."""
    urgency = agent.time_pressure * (1.0 - 0.5 * agent.resolve) * day / m.horizon
    tolerance = 0.05 + 0.6 * urgency
    if any(
        t.moves_people and t.status == "open" and agent in t.participants for t in m.tables.values()
    ):
        tolerance *= 0.5
    return tolerance


def dispatch_convoys(m: WargameModel, agent: ActorAgent, day: int) -> None:
    owner = agent.actor_id
    stranded = people.stranded(m, owner)
    if not stranded:
        return
    view = m.way_out_today(owner)
    stranded = [s for s in stranded if s.id not in view.hubs]
    if not stranded:
        return
    hostile, routes = view.hostile, view.routes
    tolerance = risk_tolerance(m, agent, day)
    for site in stranded:
        route = routes.get(site.id)
        if route is None:
            continue
        dest, roads, risk, km = route
        breakout = site.besieged_by is not None
        if breakout:
            if site.supply_left > BREAKOUT_SUPPLY_DAYS:
                continue
            risk = 1.0 - (1.0 - BREAKOUT_RISK) * (1.0 - risk)
        elif risk > tolerance:
            continue
        convoy = Convoy(
            owner,
            site.id,
            dest,
            roads,
            site.waiting,
            site.waiting_t,
            day + max(1, math.ceil(km / m.situation.spec.convoy_km_per_day)),
        )
        site.waiting, site.waiting_t = 0, 0.0
        m.changed("people")
        m.record(
            records.ConvoyLeft(
                day,
                owner=owner,
                site=site.id,
                to=dest,
                personnel=convoy.personnel,
                risk=risk,
                tolerance=tolerance,
                breakout=breakout,
            )
        )
        _run_gauntlet(m, convoy, hostile, breakout, day)
        if convoy.personnel > 0 or convoy.equipment_t > 0:
            m.convoys.append(convoy)


def _run_gauntlet(
    m: WargameModel, convoy: Convoy, hostile: dict[str, float], breakout: bool, day: int
) -> None:
    """Draw, segment by segment, whether the convoy is attacked and what it loses."""
    for i, key in enumerate(convoy.roads):
        road = m.ground.roads[key]
        p = m.ground.segment_risk(road, convoy.owner, hostile)
        through_the_ring = breakout and i == 0  # the besiegers' ring is on the first segment out
        if through_the_ring:
            p = max(p, BREAKOUT_RISK)
        if p <= 0 or m.rng.random() >= p:
            continue
        lo, hi = (0.2, 0.6) if through_the_ring else (0.05, 0.35)
        share = float(m.rng.uniform(lo, hi))
        killed = int(m.rng.binomial(convoy.personnel, share))
        lost_t = convoy.equipment_t * share
        convoy.personnel -= killed
        convoy.equipment_t -= lost_t
        m.lost += killed
        m.lost_t += lost_t
        m.changed("people")
        m.actor(convoy.owner).shift_trust(road.holder, -0.2)
        m.record(
            records.Ambush(
                day,
                owner=convoy.owner,
                road=key,
                holder=road.holder,
                site=convoy.origin,
                killed=killed,
            )
        )


def fly_airlift(m: WargameModel, owner: str, day: int) -> None:
    """Each fleet (aircraft, or ships on sea lanes) flies one open route today, within its sorties. People
    go home: while people wait where a route home is open, the fleet takes the home route it can fly most
    often. A route to a third country (where the owner has a presence) takes equipment, and people only
    where no route home is open from where they wait. Ties go to the route with the most sorties a day,
    then by route id."""
    sites = m.ground.sites

    def waiting(
        r,
    ) -> bool:  # read afresh for each fleet: an earlier fleet may have emptied the place
        return sites[r.origin].waiting > 0 or sites[r.origin].waiting_t > 0

    routes = [
        r
        for r in m.ground.air_routes.values()
        if sites[r.origin].garrison == owner and waiting(r) and r.usable
    ]
    if not routes:
        return
    fleets = [f for f in m.ground.fleets.values() if f.operator == owner and f.count > 0]
    # where a way home is open that some fleet of the owner can fly
    home_from = {
        r.origin
        for r in routes
        if r.leads_to == "home" and any(f.sorties_per_day.get(r.id, 0.0) > 0 for f in fleets)
    }
    for fleet in fleets:
        options = []
        for r in routes:
            sorties = fleet.sorties_per_day.get(r.id, 0.0)
            if sorties <= 0 or not waiting(r):
                continue
            people_there = sites[r.origin].waiting > 0
            # what the flight is for: people home first, then whatever else can leave
            purpose = 2 if people_there and r.leads_to == "home" else 1
            if r.leads_to != "home" and people_there and r.origin in home_from:
                purpose = 1 if sites[r.origin].waiting_t > 0 else 0
            if purpose:
                options.append((purpose, sorties, r))
        if not options:
            continue
        purpose, sorties, route = max(options, key=lambda o: (o[0], o[1], o[2].id))
        site = m.ground.sites[route.origin]
        flights = fleet.count * sorties
        seats = int(flights * fleet.payload_personnel)
        # people leave by a third-country route only when none goes home from here
        lifted = (
            min(site.waiting, seats) if route.leads_to == "home" or site.id not in home_from else 0
        )
        if fleet.mode == "sea":  # a ship's few passenger places do not take cargo space
            tonnes = min(site.waiting_t, flights * fleet.payload_t)
        else:  # an aircraft carries people or cargo in the same hold
            used = lifted / fleet.payload_personnel
            tonnes = min(site.waiting_t, max(flights - used, 0.0) * fleet.payload_t)
        if lifted == 0 and tonnes == 0:
            continue
        site.waiting -= lifted
        site.waiting_t -= tonnes
        people.evacuate(m, lifted, tonnes, route.leads_to)
        m.record(
            records.Airlift(
                day,
                owner=owner,
                fleet=fleet.type,
                mode=fleet.mode,
                route=route.id,
                site=site.id,
                personnel=lifted,
                tonnes=tonnes,
            )
        )
