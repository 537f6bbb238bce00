"""Quiet, local coordination: an evacuating force arranges safe conduct road by road, or the release of a
besieged post, directly with whoever holds the ground, through a bilateral channel (a liaison officer, a
deconfliction line) that opens at once and costs little, alongside the multilateral tables.

Each day, for every road on the way out of a stranded post that another actor holds, the mover asks its
holder; the holder agrees with a chance that follows its interests and standing towards the mover: its own
disposition to let columns through (its profile), its trust in the mover, and whether it has promised the
mover something (a guarantee it gives, a deal in force), less if it is besieging the mover's posts. An
arrangement lowers the road's risk for the mover's columns for a while; a refusal is asked again only after
a pause. A besieger may likewise let an encircled garrison go. The table keeps what only it can give
(crossings into a neighbour, airspace, written guarantees).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.ground import people

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.model import WargameModel

ARRANGEMENT_DAYS = 10  # estimate: a local arrangement covers a movement window, then is asked again
ASK_AGAIN_AFTER = 5  # days before a holder that refused is asked again
TRUST_WEIGHT = 0.4
PROMISE_BONUS = 0.25  # the holder has promised the mover something (guarantee, deal in force)
BESIEGER_PENALTY = 0.3
RELEASE_SHARE = 0.5  # a besieger is half as ready to let a garrison go as to let a column pass


def willingness(m: WargameModel, holder: ActorAgent, mover: str) -> float:
    """The chance that `holder` agrees today to let `mover`'s columns through its ground."""
    w = holder.profile.lets_columns_pass + TRUST_WEIGHT * holder.trust.get(mover, 0.0)
    if _has_promised(m, holder.actor_id, mover):
        w += PROMISE_BONUS
    if any(
        s.besieged_by == holder.actor_id and s.garrison == mover for s in m.ground.sites.values()
    ):
        w -= BESIEGER_PENALTY
    return min(max(w, 0.0), 1.0)


def _has_promised(m: WargameModel, holder: str, mover: str) -> bool:
    if m.has_deal_between(holder, mover):
        return True
    return any(
        g.guarantor == holder and g.beneficiary == mover
        for table_id in m.tables
        for g in m.guarantees_at(table_id)
    )


def arrange(m: WargameModel, agent: ActorAgent, day: int) -> None:
    """The day's quiet asks of one evacuating side, for the roads out of its stranded posts."""
    g = m.ground
    mover = agent.actor_id
    expired = [
        key
        for key, (holder, until) in g.safe_conduct.items()
        if key[1] == mover and (until < day or g.roads[key[0]].holder != holder)
    ]
    for key in expired:
        del g.safe_conduct[key]
    if expired:
        m.changed("routes")
    stranded = people.stranded(m, mover)
    if not stranded:
        return
    view = m.way_out_today(mover)
    asked = m.asked_safe_conduct
    roads_of: dict[str, list[str]] = {}  # holder -> the roads out it holds, in route order
    sieges: list[tuple[str, str]] = []  # (besieger, site)
    for site in stranded:
        if site.id in view.targets:
            continue
        if site.besieged_by is not None and site.besieged_by != mover:
            sieges.append((site.besieged_by, site.id))
        route = view.routes.get(site.id)
        if route is None:
            continue
        for road_id in route[1]:
            holder = g.roads[road_id].holder
            if holder != mover and holder in m._actors and (road_id, mover) not in g.safe_conduct:
                roads = roads_of.setdefault(holder, [])
                if road_id not in roads:
                    roads.append(road_id)
    changed = False
    for (
        holder_id,
        roads,
    ) in roads_of.items():  # one channel a holder, for all its roads on the way out
        if asked.get((holder_id, mover), -ASK_AGAIN_AFTER) > day - ASK_AGAIN_AFTER:
            continue
        asked[(holder_id, mover)] = day
        w = willingness(m, m.actor(holder_id), mover)
        agreed = m.rng.random() < w
        if agreed:
            for road_id in roads:
                g.safe_conduct[(road_id, mover)] = (holder_id, day + ARRANGEMENT_DAYS)
            changed = True
        m.record(
            records.SafeConduct(
                day,
                roads=tuple(roads),
                holder=holder_id,
                mover=mover,
                agreed=agreed,
                willing=w,
                until=day + ARRANGEMENT_DAYS,
            )
        )
    for besieger, site_id in sieges:
        key = (besieger, "site:" + site_id)
        if asked.get(key, -ASK_AGAIN_AFTER) > day - ASK_AGAIN_AFTER:
            continue
        asked[key] = day
        w = willingness(m, m.actor(besieger), mover) * RELEASE_SHARE
        if m.rng.random() < w:
            g.sites[site_id].besieged_by = None
            m.changed("people")
            owner = g.sites[site_id].garrison
            m.record(records.SiegeLifted(day, owner=owner, site=site_id, by=besieger, willing=w))
    if changed:
        m.changed("routes")
