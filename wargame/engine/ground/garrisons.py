"""Where to be: each day the owner of every garrison chooses what each of its sites is, from what holding
it is worth and what staying risks: an outpost to leave, a hub to gather in and fly or ship out from, or a
base to keep. Nothing is marked to leave at the start; a site a table's terms make a hub (or order
evacuated) changes through the effects of those terms.

Staying risks more the more hostile the actor that controls the ground around it, and most when it is
encircled. An outpost worth less than its risk is left (its people and equipment wait for a convoy or a
lift). One worth keeping that has an airfield or a port with a way out open becomes a hub; a hub that is
no longer worth its risk is left too, and a hub from which no way out is open any more is a hub no
longer (an outpost its garrison holds, or leaves). Bases are kept unless a withdrawal is ordered. A role
that a signed or imposed term set (an airfield handed over, say) is not undone by the owner's own choice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine import records

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.ground.geography import Site
    from wargame.engine.model import WargameModel

SIEGE_RISK = 0.6  # estimate: an encircled post can be starved or stormed
HOSTILE_GROUND_RISK = 0.5  # estimate: the risk of staying on the most hostile ground (trust -1)


def staying_risk(m: WargameModel, site: Site, owner: str) -> float:
    """What staying at the site risks for its owner, in [0, 1]."""
    ground = 0.0
    if site.controller is not None and site.controller != owner and site.controller in m._actors:
        hostility = m.actor(site.controller).hostility(owner)  # 0.25 (trust 1) .. 1.75 (trust -1)
        ground = HOSTILE_GROUND_RISK * (hostility - 0.25) / 1.5
    siege = SIEGE_RISK if site.besieged_by is not None else 0.0
    return 1.0 - (1.0 - siege) * (1.0 - ground)


def review_posts(m: WargameModel, agent: ActorAgent, day: int) -> None:
    owner = agent.actor_id
    origins = None
    for site in m.ground.sites.values():
        if site.garrison != owner or site.role == "base" or site.personnel == 0:
            continue
        risk = staying_risk(m, site, owner)
        if site.value < risk:
            leave(m, site, day, risk)
            continue
        if site.airfield or site.port:
            if origins is None:
                origins = {r.origin for r in m.ground.air_routes.values() if r.usable}
            if site.role == "hub" and site.id not in origins and not site.role_by_terms:
                _choose(m, site, "outpost", "no_hub", day, risk)  # no way out from here any more
            elif site.role == "outpost" and site.id in origins and not site.role_by_terms:
                _choose(m, site, "hub", "hub", day, risk)


def _choose(m: WargameModel, site: Site, role: str, choice: str, day: int, risk: float) -> None:
    """The owner makes the site an outpost or a hub, and the narrative says why."""
    site.role = role
    m.changed("people")
    m.record(
        records.PostDecision(
            day, owner=site.garrison, site=site.id, choice=choice, value=site.value, risk=risk
        )
    )


def leave(m: WargameModel, site: Site, day: int, risk: float) -> None:
    """The garrison gives up the site: its people and equipment wait to be taken out."""
    m.record(
        records.PostDecision(
            day,
            owner=site.garrison,
            site=site.id,
            choice="leave",
            value=site.value,
            risk=risk,
            personnel=site.personnel,
        )
    )
    site.role = "outpost"
    site.waiting += site.personnel
    site.waiting_t += site.equipment_t
    site.personnel, site.equipment_t = 0, 0.0
    m.changed("people")
