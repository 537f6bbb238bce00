"""Outside options: what each actor can get without a deal at a table today.

Every actor's falls as time passes, faster the more time pressure it feels and the less resolve it has.
A table may name its status quo (what holds while nothing is signed) and who could force a change from it
at what cost: then the outside option is the value of the status quo, or of the change someone can and
will force (Tables.disagreement). An older form names one no-deal outcome imposed by force, whose value
less its cost is the outside option. The evacuating side's also depends on how safely it could get its
people out alone. Where signing a deal costs an actor something beyond its terms (a table's
signing_costs), its outside option there is higher by that cost: a deal must make up for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine.ground import people

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.bargaining.tables import Table
    from wargame.engine.model import WargameModel


def reservation(m: WargameModel, agent: ActorAgent, table: Table) -> float:
    """The actor's outside option at this table today, from its private value and the ground."""
    base = agent.private["reservation"] + agent.outside_option_shift
    if table.status_quo is not None:
        # Nothing signed: the status quo holds unless someone can and will force a change (then the imposed
        # terms, and the enforcer pays what forcing costs it).
        offer, forced_by = table.disagreement(m)
        value = float(table.space.rows[table.row(agent.actor_id)][offer])
        if forced_by == agent.actor_id:
            value -= table.forcing_cost(m, agent.actor_id)
        base += (
            value - agent.profile.reservation_mean
        )  # the private draw as a deviation from its mean
    elif table.no_deal_offer is not None:
        # The no-deal outcome imposed by force, less its cost, which grows with the military capability of
        # the others at the table (Fearon 1995: war's costs bound the bargain).
        row = table.row(agent.actor_id)
        others = [a.capabilities["military"] for a in table.participants if a is not agent]
        cost = table.spec.no_deal_cost.get(agent.actor_id, 0.0) * (
            sum(others) / max(len(others), 1)
        )
        base += (
            float(table.space.utility[row, table.no_deal_offer])
            - cost
            - agent.profile.reservation_mean
        )
    progress = m.day / m.horizon
    wear = (1.0 - agent.resolve) * agent.time_pressure * progress
    if agent.profile.evacuates and table.moves_people:
        value = base * (0.5 + 0.5 * m.unilateral_safety(agent)) - wear
    else:
        value = base - 0.5 * wear
    # A deal here must also make up for what signing it costs the actor (at home, with third parties).
    value += agent.signing_cost(table.id)
    return min(max(value, 0.0), 1.0)


def unilateral_safety(m: WargameModel, agent: ActorAgent) -> float:
    """How safely the evacuating side could get its people away from the bases out today without a deal:
    one less the risk-weighted share of them that could not (the besieged count as lost, those on a route
    out as lost with its chance of attack). The share is of all its people away from its bases (at posts
    and hubs, waiting or staying, and on the road), so that the last fifty men of a besieged post do not
    weigh like the whole inland garrison did."""
    owner = agent.actor_id
    stranded = people.stranded(m, owner)
    if not stranded:
        return 1.0
    view = m.way_out_today(owner)
    stranded = [s for s in stranded if s.id not in view.targets]
    if not stranded:
        return 1.0
    routes = view.routes
    unsafe = 0.0
    for site in stranded:
        if site.besieged_by is not None:
            unsafe += site.waiting
            continue
        route = routes.get(site.id)
        unsafe += site.waiting * (1.0 if route is None else route[2])
    away = sum(
        s.personnel + s.waiting
        for s in m.ground.sites.values()
        if s.garrison == owner and s.role != "base"
    ) + sum(c.personnel for c in m.convoys if c.owner == owner)
    return 1.0 - unsafe / max(away, 1)
