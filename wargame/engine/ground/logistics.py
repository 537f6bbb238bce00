"""Getting people and equipment out: sieges running down, convoys on the roads, airlift from the bases.

Evacuees wait at a site; a convoy takes them along the safest road route to an air hub (an airfield
held by their own side) or to an exit (a crossing into a friendly country, usable when its controller
has a deal in force with them); aircraft lift them home from a hub within the sorties each air route
allows. The chance of attack on a road depends on its base risk and how hostile its holder is.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.choice import choose
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
    """Columns due today reach their destinations. Each is off the road before its people are counted
    where they arrive (the columns still to arrive stay on it), so that the last column out through an
    exit completes the withdrawal."""
    arrived = [c for c in m.convoys if c.arrive_day <= day]
    for c in arrived:
        m.convoys = [other for other in m.convoys if other is not c]
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


def risk_tolerance(m: WargameModel, agent: ActorAgent, day: int) -> float:
    """How great a chance of attack the evacuating side accepts today: rises with time pressure, and is
    halved while talks that could make the roads safer (a table that moves people) are still open. A
    column leaves when going (this tolerance less the road's risk, weighed by its risk aversion) beats
    waiting (0), by the choice rule of wargame.engine.choice."""
    urgency = agent.time_pressure * (1.0 - 0.5 * agent.resolve) * day / m.horizon
    tolerance = 0.05 + 0.6 * urgency
    if any(
        t.moves_people and t.status == "open" and agent in t.participants for t in m.tables.values()
    ):
        tolerance *= 0.5
    return tolerance


def room_on(m: WargameModel, roads: list[str], day: int) -> tuple[int, str] | None:
    """The most people a column setting out today along `roads` can take, and the road that limits it:
    the room left on each road with a capacity_per_day on the day the column gets to it (by the convoy
    speed), after the columns already booked onto it that day. None: no road of the route is limited."""
    g, speed = m.ground, m.situation.spec.convoy_km_per_day
    room, tightest, km = None, None, 0.0
    for road_id in roads:
        road = g.roads[road_id]
        if road.capacity is not None:
            left = road.capacity - g.booked.get((road_id, day + int(km // speed)), 0)
            if room is None or left < room:
                room, tightest = max(left, 0), road_id
        km += road.km
    return None if room is None else (room, tightest)


def _book(m: WargameModel, roads: list[str], day: int, personnel: int) -> None:
    """A column's people take their places on the limited roads of its route, each on its day."""
    g, speed = m.ground, m.situation.spec.convoy_km_per_day
    km = 0.0
    for road_id in roads:
        road = g.roads[road_id]
        if road.capacity is not None:
            key = (road_id, day + int(km // speed))
            g.booked[key] = g.booked.get(key, 0) + personnel
        km += road.km


def dispatch_convoys(m: WargameModel, agent: ActorAgent, day: int) -> None:
    """Each stranded post of the side sends what waits there as one column today, or waits (the choice
    rule). Where a road of its route has a capacity_per_day, the column takes no more people than there
    is room for on it on the day it gets there (and the same share of the equipment); the rest wait at
    the post for a later column. Columns are sent in the order the scenario lists their posts, so that at
    a shared bottleneck the first listed are the first through."""
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
    limited = m.ground.limited
    if limited:  # bookings for days gone by are done with
        for key in [k for k in m.ground.booked if k[1] < day]:
            del m.ground.booked[key]
    for site in stranded:
        route = routes.get(site.id)
        if route is None:
            continue
        dest, roads, risk, km = route
        room = room_on(m, roads, day) if limited and site.waiting else None
        if room is not None and room[0] == 0:
            continue  # nobody more can pass today: they wait
        breakout = site.besieged_by is not None
        if breakout:
            if site.supply_left > BREAKOUT_SUPPLY_DAYS:
                continue
            risk = 1.0 - (1.0 - BREAKOUT_RISK) * (1.0 - risk)
        else:
            # go now, or wait for safer roads (choice.py): the risk it accepts today against the risk
            # of the road, weighed by its risk aversion
            go = tolerance - agent.risk_aversion * risk
            options = {"go": go, "wait": 0.0}
            if choose(options, agent.rationality, m.tastes, f"convoy:{site.id}", m.rng) == "wait":
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
        if room is not None and room[0] < site.waiting:
            taken = room[0] / site.waiting
            convoy.personnel, convoy.equipment_t = room[0], site.waiting_t * taken
            site.waiting -= convoy.personnel
            site.waiting_t -= convoy.equipment_t
        else:
            site.waiting, site.waiting_t = 0, 0.0
        if room is not None:
            _book(m, roads, day, convoy.personnel)
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
        if site.waiting:
            road = m.ground.roads[room[1]]
            m.record(
                records.ColumnHeldBack(
                    day,
                    owner=owner,
                    site=site.id,
                    road=road.id,
                    capacity=road.capacity,
                    left=site.waiting,
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
    """Each aircraft or ship of the owner's that is home flies or sails today, trip after trip, on a route
    it chooses by the one choice rule (wargame.engine.choice): what the load it would carry is worth at
    the route's destination to the owner (a full load of people, of equipment, by the route's values),
    with the owner's precision and its tastes for the fleet's routes. A craft is away for 1/sorties days a
    trip (a ship at 0.11 a day sails once in nine days) and carries nothing more until it is back; a
    route is flown only while its grantors consent (an event can withdraw it from one day to the next)."""
    sites = m.ground.sites
    routes = [
        r for r in m.ground.air_routes.values() if sites[r.origin].garrison == owner and r.usable
    ]
    fleets = [f for f in m.ground.fleets.values() if f.operator == owner and f.count > 0]
    if not fleets or not any(
        sites[r.origin].waiting > 0 or sites[r.origin].waiting_t > 0 for r in routes
    ):
        return  # (a craft back by now stays in `away` with a past time: it counts as home)
    agent = m.actor(owner)
    carried: dict[tuple[str, str], list] = {}
    end = day + 1
    origins = sorted({r.origin for r in routes})
    slot = {o: i for i, o in enumerate(origins)}
    # what is counted out, added trip by trip in the order people.count_out would add it
    out_n, out_t = m.evacuated, m.evacuated_t
    third_n, third_t = m.third_country, m.third_country_t
    for fleet in fleets:
        home = max(0, fleet.count - len(fleet.away))
        starts = sorted([float(day)] * home + fleet.away)
        away = []
        loaded = True  # until a craft of this fleet finds nothing it can carry (nor will the next)
        # A trip is chosen from the loads the craft could take at each origin: while they are what they
        # were for the craft before (a full load waits everywhere), so is its choice (the tastes are kept).
        seats, hold = fleet.payload_personnel, fleet.payload_t
        loads = [(min(sites[o].waiting, seats), min(sites[o].waiting_t, hold)) for o in origins]
        last_loads, last_trip = None, None
        at_start = bisect.bisect_right(starts, float(day))  # crafts home at the day's start
        i = 0
        while i < len(starts):
            start = starts[i]
            t = max(start, float(day))
            if i < at_start and loaded and loads == last_loads and last_trip is not None:
                # Crafts home at the day's start fly the trip the craft before them chose, as often as
                # the day allows, while a full load waits before each flight: all those flights at once.
                route, lifted, tonnes = last_trip
                site = sites[route.origin]
                flights, back = _flights_in_a_day(day, fleet.sorties_per_day[route.id])
                room = site.waiting - (flights - 1) * lifted - seats  # >= 0: a craft's flights fit
                if tonnes == 0.0 and lifted > 0 and room >= 0:
                    crafts = min(at_start - i, 1 + room // (flights * lifted))
                    moved = crafts * flights * lifted
                    site.waiting -= moved
                    loads[slot[route.origin]] = (
                        min(site.waiting, seats),
                        min(site.waiting_t, hold),
                    )
                    out_n += moved
                    if route.leads_to == "third_country":
                        third_n += moved
                    carried.setdefault((fleet.type, route.id), [0, 0.0])[0] += moved
                    away.extend([back] * crafts)
                    i += crafts
                    continue
            i += 1
            while t < end and loaded:
                if loads == last_loads:
                    trip = last_trip
                else:
                    trip = _choose_trip(m, agent, fleet, routes)
                    last_loads, last_trip = list(loads), trip
                if trip is None:
                    loaded = False
                    break
                route, lifted, tonnes = trip
                site = sites[route.origin]
                site.waiting -= lifted
                site.waiting_t -= tonnes
                loads[slot[route.origin]] = (min(site.waiting, seats), min(site.waiting_t, hold))
                out_n += lifted
                out_t += tonnes
                if route.leads_to == "third_country":
                    third_n += lifted
                    third_t += tonnes
                load = carried.setdefault((fleet.type, route.id), [0, 0.0])
                load[0] += lifted
                load[1] += tonnes
                t += 1.0 / fleet.sorties_per_day[route.id]
            if t >= end:
                away.append(t)
        fleet.away = away
    people_out = out_n > m.evacuated
    m.evacuated, m.evacuated_t = out_n, out_t
    m.third_country, m.third_country_t = third_n, third_t
    if carried:  # what was lifted, said once for the day's loads (people.count_out)
        m.changed("people")
        if people_out:
            people.check_completed(m)
    for (fleet_type, route_id), (lifted, tonnes) in carried.items():
        route = m.ground.air_routes[route_id]
        m.record(
            records.Airlift(
                day,
                owner=owner,
                fleet=fleet_type,
                mode=m.ground.fleets[fleet_type].mode,
                route=route_id,
                site=route.origin,
                personnel=lifted,
                tonnes=tonnes,
            )
        )


def _flights_in_a_day(day: int, sorties: float) -> tuple[int, float]:
    """How many flights a craft home at the start of `day` makes that day at `sorties` a day, and when
    it is back from the last (the same sums, in the same order, as flying them one by one)."""
    t, flights, step = float(day), 0, 1.0 / sorties
    while t < day + 1:
        t += step
        flights += 1
    return flights, t


def _choose_trip(m: WargameModel, agent: ActorAgent, fleet, routes) -> tuple | None:
    """The route a craft of `fleet` takes now and its load (people, tonnes), or None if nothing waits
    where it can go. Each route is worth the best load it could take there: people first and cargo in
    the room left, or cargo only, for an aircraft (one hold); people in the few passenger places and
    cargo in the holds, for a ship."""
    sites = m.ground.sites
    options: dict[str, float] = {}
    loads: dict[str, tuple] = {}
    seats, hold = fleet.payload_personnel, fleet.payload_t
    for r in routes:
        if fleet.sorties_per_day.get(r.id, 0.0) <= 0:
            continue
        site = sites[r.origin]
        if site.waiting <= 0 and site.waiting_t <= 0:
            continue
        people_n = min(site.waiting, seats) if r.value_personnel > 0 else 0
        if fleet.mode == "sea":
            tonnes = min(site.waiting_t, hold) if r.value_equipment > 0 else 0.0
            best = (people_n, tonnes)
        else:
            mixed = (people_n, min(site.waiting_t, (1.0 - people_n / seats) * hold))
            cargo = (0, min(site.waiting_t, hold))
            best = max(
                (mixed, cargo),
                key=lambda lt: r.value_personnel * lt[0] / seats + r.value_equipment * lt[1] / hold,
            )
            if r.value_equipment <= 0:
                best = (people_n, 0.0)
        worth = r.value_personnel * best[0] / seats + r.value_equipment * best[1] / hold
        if worth <= 0:
            continue
        options[r.id] = worth
        loads[r.id] = best
    if not options:
        return None
    chosen = choose(options, agent.rationality, m.tastes, f"fleet:{fleet.type}", m.rng)
    lifted, tonnes = loads[chosen]
    return m.ground.air_routes[chosen], int(lifted), float(tonnes)
