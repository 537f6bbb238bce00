"""Outside options: what each actor can get without a deal at a table today, and how it is expected to move.

A table may list each participant's alternatives (TableSpec.alternatives): what it can do instead of
signing there (another partner, force, a third country), each worth a value drawn per run that drifts by a
drawn trend each day. Its outside option there is then the best alternative available on the day, the
status quo (or the change an enforcer forces) counting as one more; a participant whose alternatives are
not listed keeps the older form below, its private reservation draw as a deviation around the status quo.

Every actor's falls as time passes, faster the more time pressure it feels and the less resolve it has.
A table may name its status quo (what holds while nothing is signed) and who could force a change from it
at what cost: then the outside option is the value of the status quo, or of the change someone can and
will force (Tables.disagreement). An older form names one no-deal outcome imposed by force, whose value
less its cost is the outside option. The evacuating side's also depends on how safely it could get its
people out alone. Where signing a deal costs an actor something beyond its terms (a table's
signing_costs), its outside option there is higher by that cost: a deal must make up for it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from wargame.engine.ground import people

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.bargaining.tables import Table
    from wargame.engine.model import WargameModel
    from wargame.language.schema import Alternative


@dataclass(frozen=True)
class DrawnAlternative:
    """One alternative as a run drew it: its worth on day 0 and its daily trend (the holder's private
    values), and the days it is available."""

    id: str
    value: float
    trend: float
    from_day: int = 0
    until_day: int | None = None

    def worth(self, day: int) -> float | None:
        """Its worth on `day` (in [0, 1]), or None when it is not available that day."""
        if day < self.from_day or (self.until_day is not None and day > self.until_day):
            return None
        return min(max(self.value + self.trend * day, 0.0), 1.0)


def _draw(given, rng: np.random.Generator) -> float:
    return float(given) if isinstance(given, int | float) else given.sample(rng)


def _mean(given) -> float:
    return float(given) if isinstance(given, int | float) else given.mean()


def draw_alternatives(listed: list[Alternative], rng: np.random.Generator) -> tuple:
    """A participant's alternatives at a table as one run draws them: value then trend, in the order
    listed (a number is taken as it is and draws nothing)."""
    out = []
    for alt in listed:
        value = _draw(alt.value, rng)
        trend = _draw(alt.trend_per_day, rng)
        out.append(DrawnAlternative(alt.id, value, trend, alt.from_day, alt.until_day))
    return tuple(out)


def expected_alternatives(listed: list[Alternative]) -> tuple:
    """The same alternatives as the others expect them: each at its priors' means."""
    return tuple(
        DrawnAlternative(a.id, _mean(a.value), _mean(a.trend_per_day), a.from_day, a.until_day)
        for a in listed
    )


def best_alternative(alternatives: tuple, day: int) -> tuple[str | None, float]:
    """The best alternative available on `day`: its id and worth (None, 0 when none is)."""
    best_id, best = None, 0.0
    for alt in alternatives:
        worth = alt.worth(day)
        if worth is not None and (best_id is None or worth > best):
            best_id, best = alt.id, worth
    return best_id, best


def _status_quo_value(m: WargameModel, agent: ActorAgent, table: Table) -> float:
    """What nothing signed leaves the actor: the status quo, or the change someone forces (the enforcer
    paying what forcing costs it)."""
    offer, forced_by = table.disagreement(m)
    value = float(table.space.rows[table.row(agent.actor_id)][offer])
    if forced_by == agent.actor_id:
        value -= table.forcing_cost(m, agent.actor_id)
    return value


def store_of(agent: ActorAgent, table: Table) -> str:
    """Where the actor's outside option at this table is remembered (memory.READS): with the ground's if
    it is weighed by how safely the actor could get out alone, else with the clock's and the actors'."""
    return "reservation" if agent.profile.evacuates and table.moves_people else "position"


def reservation(m: WargameModel, agent: ActorAgent, table: Table, ahead: int = 0) -> float:
    """The actor's outside option at this table today (or `ahead` days from today, the ground held as it is
    today), from its alternatives or its private value, and the ground."""
    day = m.day + ahead
    alternatives = agent.alternatives.get(table.id)
    if alternatives is not None:
        _id, base = best_alternative(alternatives, day)
        if table.status_quo is not None:
            base = max(base, _status_quo_value(m, agent, table))
        elif table.no_deal_offer is not None:
            base = max(base, _no_deal_value(agent, table))
        base += agent.outside_option_shift
        return _on_the_ground(m, agent, table, base, day)
    base = agent.private["reservation"] + agent.outside_option_shift
    if table.status_quo is not None:
        # Nothing signed: the status quo holds unless someone can and will force a change (then the imposed
        # terms, and the enforcer pays what forcing costs it).
        value = _status_quo_value(m, agent, table)
        base += (
            value - agent.profile.reservation_mean
        )  # the private draw as a deviation from its mean
    elif table.no_deal_offer is not None:
        base += _no_deal_value(agent, table) - agent.profile.reservation_mean
    return _on_the_ground(m, agent, table, base, day)


def _no_deal_value(agent: ActorAgent, table: Table) -> float:
    """The no-deal outcome imposed by force, less its cost, which grows with the military capability of
    the others at the table (Fearon 1995: war's costs bound the bargain)."""
    row = table.row(agent.actor_id)
    others = [a.capabilities["military"] for a in table.participants if a is not agent]
    cost = table.spec.no_deal_cost.get(agent.actor_id, 0.0) * (sum(others) / max(len(others), 1))
    return float(table.space.utility[row, table.no_deal_offer]) - cost


def _on_the_ground(
    m: WargameModel, agent: ActorAgent, table: Table, base: float, day: int
) -> float:
    """An outside option before the ground, worn by time and weighed by how safely the evacuating side
    could get out alone, plus what signing costs the actor."""
    progress = day / m.horizon
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


def reservations_ahead(
    m: WargameModel, agent: ActorAgent, table: Table, aheads: np.ndarray
) -> np.ndarray:
    """`reservation(m, agent, table, ahead)` for every `ahead` at once (the strategies that weigh waiting
    look many meetings ahead at every move): the same reckoning, in arrays."""
    return reservations_on(m, agent, table, m.day + np.asarray(aheads))


def reservation_path(m: WargameModel, agent: ActorAgent, table: Table, days: int) -> np.ndarray:
    """reservations_on days 0, 1, ..., days - 1, for an outside option that does not read the ground
    (store_of gives "position"): it then changes only with the actors' standing, so the strategies that
    weigh waiting read it off this path day after day (WargameModel's "position_path" store)."""
    path = reservations_on(m, agent, table, np.arange(days))
    path.flags.writeable = False
    return path


def reservations_on(
    m: WargameModel, agent: ActorAgent, table: Table, whole: np.ndarray
) -> np.ndarray:
    """The actor's outside option on each of these whole days, the ground held as it is today."""
    days = whole.astype(float)
    alternatives = agent.alternatives.get(table.id)
    if alternatives is not None:
        base = best_worths(alternatives, whole)
        if table.status_quo is not None:
            base = np.maximum(base, _status_quo_value(m, agent, table))
        elif table.no_deal_offer is not None:
            base = np.maximum(base, _no_deal_value(agent, table))
        base = base + agent.outside_option_shift
    else:
        # the older form does not move with the day before the ground: today's reckoning, wear undone
        base = np.full(len(days), _base_today(m, agent, table))
    wear = (1.0 - agent.resolve) * agent.time_pressure * days / m.horizon
    if agent.profile.evacuates and table.moves_people:
        value = base * (0.5 + 0.5 * m.unilateral_safety(agent)) - wear
    else:
        value = base - 0.5 * wear
    return np.minimum(np.maximum(value + agent.signing_cost(table.id), 0.0), 1.0)


def best_worths(alternatives: tuple, days: np.ndarray) -> np.ndarray:
    """best_alternative's worth on each of `days` at once (0 on a day when none is available). Whole
    days from 0 are read off the alternatives' remembered path (`_worth_path`): the strategies that weigh
    waiting look thirty meetings ahead at every move, and the same alternatives have the same path all
    run long."""
    days = np.asarray(days)
    if days.dtype.kind in "iu" and len(days) and days[0] >= 0:
        last = int(days.max())
        path = _worth_path(alternatives, PATH_DAYS if last < PATH_DAYS else last + 1)
        return path[days]
    return _best_worths(alternatives, days.astype(float))


PATH_DAYS = 512  # days of a remembered path (a longer look ahead makes a longer one)


@functools.lru_cache(maxsize=1024)
def _worth_path(alternatives: tuple, days: int) -> np.ndarray:
    """_best_worths on days 0, 1, ..., days - 1 (read-only: it is shared)."""
    path = _best_worths(alternatives, np.arange(days, dtype=float))
    path.flags.writeable = False
    return path


def _best_worths(alternatives: tuple, days: np.ndarray) -> np.ndarray:
    worths = []
    for alt in alternatives:
        worth = np.minimum(np.maximum(alt.value + alt.trend * days, 0.0), 1.0)
        off = days < alt.from_day
        if alt.until_day is not None:
            off |= days > alt.until_day
        worths.append(np.where(off, -np.inf, worth))
    if not worths:
        return np.zeros(len(days))
    best = np.max(worths, axis=0)
    return np.where(np.isfinite(best), best, 0.0)


def _base_today(m: WargameModel, agent: ActorAgent, table: Table) -> float:
    base = agent.private["reservation"] + agent.outside_option_shift
    if table.status_quo is not None:
        base += _status_quo_value(m, agent, table) - agent.profile.reservation_mean
    elif table.no_deal_offer is not None:
        base += _no_deal_value(agent, table) - agent.profile.reservation_mean
    return base


def expected_drift(m: WargameModel, other: ActorAgent, table: Table, ahead):
    """How much everyone expects `other`'s outside option at this table to move in `ahead` days, from
    public knowledge only: its alternatives at their priors' means (the best available then against the
    best now) and the wear of time at its resolve's prior mean. The ground is held as it is."""
    listed = table.expected_alternatives.get(other.actor_id)
    drift = 0.0
    if listed:
        now = best_alternative(listed, m.day)[1]
        if isinstance(ahead, np.ndarray):
            drift = best_worths(listed, m.day + ahead) - now
        else:
            drift = best_alternative(listed, m.day + ahead)[1] - now
    if isinstance(ahead, np.ndarray):  # the same for every day while the actors' standing holds
        key = ("expected wear", other.actor_id, table.id, int(ahead[0]), int(ahead[-1]), len(ahead))
        return drift - m.memory.recall("position_path", key, expected_wear, m, other, table, ahead)
    return drift - expected_wear(m, other, table, ahead)


def expected_wear(m: WargameModel, other: ActorAgent, table: Table, ahead):
    """How much everyone expects time to wear `other`'s outside option at this table in `ahead` days:
    at its resolve's prior mean (the ground held as it is)."""
    prior = other.profile.priors.get("resolve")
    resolve = prior.mean() if prior is not None else 0.5
    scale = 1.0 if (other.profile.evacuates and table.moves_people) else 0.5
    return scale * (1.0 - resolve) * other.time_pressure * ahead / m.horizon
