"""Changes to the world, applied by events and by the levels of a signed agreement.

`apply` returns undo records (plain tuples, so state stays picklable) that `undo` uses when an
agreement is broken and what it granted is taken back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine.ground import people
from wargame.language.schema import Effect

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel

Undo = tuple


def apply(m: WargameModel, effect: Effect, cause: str) -> list[Undo]:
    undo: list[Undo] = []
    g = m.ground
    if effect.road_risk is not None:
        rr = effect.road_risk
        roads = (
            [g.roads[rr.segment]]
            if rr.segment
            else [r for r in g.roads.values() if r.holder == rr.held_by]
        )
        m.changed("routes")
        for road in roads:
            # A multiplier is undone by dividing it out, so undoing one deal keeps another's change.
            undo.append(("road_risk", road.id, road.risk, rr.multiply))
            road.risk = min(1.0, road.risk * rr.multiply) if rr.multiply is not None else rr.set
    elif effect.road_holder is not None:
        road = g.roads[effect.road_holder.segment]
        undo.append(("road_holder", road.id, road.holder))
        road.holder = effect.road_holder.holder
        m.changed("routes")
    elif effect.road_open is not None:
        # Routes are found afresh: no column sets out along a shut road from now on. A column already on
        # it goes on to where it was going (it has passed the place where the road is closed).
        road = g.roads[effect.road_open.segment]
        undo.append(("road_open", road.id, road.open))
        road.open = effect.road_open.open
        m.changed("routes")
    elif effect.overflight is not None:
        route = g.air_routes[effect.overflight.route]
        for by in route.grants:
            if effect.overflight.by in (None, by):
                undo.append(("overflight", (route.id, by), route.grants[by]))
                route.grants[by] = effect.overflight.open
        m.changed("routes")
    elif effect.trust is not None:
        m.actor(effect.trust.from_).shift_trust(effect.trust.to, effect.trust.delta)
    elif effect.siege is not None:
        site = g.sites[effect.siege.site]
        undo.append(("siege", site.id, site.besieged_by))
        site.besieged_by = effect.siege.by
        m.changed("people")
    elif effect.casualties is not None:
        people.inflict_losses(
            m,
            effect.casualties.site,
            effect.casualties.personnel,
            effect.casualties.equipment_t,
            cause,
        )
    elif effect.withdraw is not None:
        people.start_withdrawal(m, effect.withdraw.site, cause)
    elif effect.actor is not None:
        a = effect.actor
        m.actor(a.actor).shift(a.field, a.delta)
    elif effect.aircraft is not None:
        fleet = g.fleets[effect.aircraft.type]
        fleet.count = max(0, fleet.count + effect.aircraft.count_delta)
        m.changed("routes")
    elif effect.site_role is not None:
        site = g.sites[effect.site_role.site]
        undo.append(("site_role", site.id, (site.role, site.role_by_terms)))
        site.role, site.role_by_terms = effect.site_role.role, True
        m.changed("people")
    elif effect.occurrence is not None:
        m.record_occurrence(effect.occurrence)
    return undo


def undo(m: WargameModel, records: list[Undo]) -> None:
    g = m.ground
    for kind, key, previous, *factor in reversed(records):
        if kind == "road_risk":
            if factor and factor[0]:
                g.roads[key].risk = min(1.0, g.roads[key].risk / factor[0])
            else:
                g.roads[key].risk = previous
        elif kind == "road_holder":
            g.roads[key].holder = previous
        elif kind == "road_open":
            g.roads[key].open = previous
        elif kind == "site_role":
            g.sites[key].role, g.sites[key].role_by_terms = previous
        elif kind == "overflight":
            route, by = key
            g.air_routes[route].grants[by] = previous
        elif kind == "siege":
            site = g.sites[key]
            if site.waiting + site.personnel > 0:  # nobody is left to besiege at an emptied post
                site.besieged_by = previous
    m.changed("routes", "people")
