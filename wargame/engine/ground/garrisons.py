"""Where to be: each day the owner of every garrison chooses what each of its posts is, and how many it
keeps at its bases, by the one choice rule of wargame.engine.choice: from what holding the post is worth
to it (its own value, drawn per run where the scenario gives a prior) against the risk it believes staying
runs, weighed by its risk aversion, with its own precision.

- A post (outpost or hub): stay or leave. Staying is worth v - a * r, leaving 0, where v is the post's
  value to its owner, a the owner's risk aversion and r the risk it believes staying runs: from its own
  trust in whoever holds the ground around it (it cannot see their intentions), and most when the post is
  encircled. A post it stays in that has an airfield or a port with a way out open is a hub (its people
  and the neighbouring posts' gather there and fly or ship out); one from which no way out is open any
  more is an outpost again. A post left is left for good: its people and equipment wait for a convoy or
  a lift.
- A base with a residual garrison and a `surplus_value`: keep the people beyond the residual there, or
  draw down to it (the rest wait to be flown or shipped out); keeping is worth the surplus's value less
  the believed risk to them. Drawing down is for good. Bases themselves are kept unless a withdrawal is
  ordered (by an event or a term).

The choice is asked every day, so it changes when what it weighs changes (a siege, a changed trust, a
way out opened or closed); a role that a signed or imposed term set (an airfield handed over, say) is not
undone by the owner's own choice, though the owner may still leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wargame.engine import records
from wargame.engine.choice import choose
from wargame.engine.ground import people

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.ground.geography import Site
    from wargame.engine.model import WargameModel

SIEGE_RISK = 0.6  # estimate: an encircled post can be starved or stormed
HOSTILE_GROUND_RISK = 0.5  # estimate: the risk of staying on the most hostile ground (trust -1)


def staying_risk(m: WargameModel, site: Site, owner: str) -> float:
    """What staying at the site risks for its owner, in [0, 1], as the owner believes it: from its own
    trust in the actor holding the ground around it (0 risk on its own or friendly-held ground at trust
    1, HOSTILE_GROUND_RISK at trust -1), and SIEGE_RISK on top while the post is encircled."""
    ground = 0.0
    if site.controller is not None and site.controller != owner and site.controller in m._actors:
        hostility = m.actor(owner).believed_hostility(site.controller)  # 0.25 .. 1.75
        ground = HOSTILE_GROUND_RISK * (hostility - 0.25) / 1.5
    siege = SIEGE_RISK if site.besieged_by is not None else 0.0
    return 1.0 - (1.0 - siege) * (1.0 - ground)


def review_posts(m: WargameModel, agent: ActorAgent, day: int) -> None:
    owner = agent.actor_id
    origins = None
    for site in m.ground.sites.values():
        if site.garrison != owner or site.personnel == 0:
            continue
        if site.role == "base":
            if site.surplus_value is not None:
                _review_base(m, agent, site, day)
            continue
        risk = staying_risk(m, site, owner)
        stay = site.value - agent.risk_aversion * risk
        if (
            choose(
                {"stay": stay, "leave": 0.0}, agent.rationality, m.tastes, f"post:{site.id}", m.rng
            )
            == "leave"
        ):
            leave(m, site, day, risk)
            continue
        if site.airfield or site.port:
            if origins is None:
                origins = {r.origin for r in m.ground.air_routes.values() if r.usable}
            if site.role == "hub" and site.id not in origins and not site.role_by_terms:
                _choose(m, site, "outpost", "no_hub", day, risk)  # no way out from here any more
            elif site.role == "outpost" and site.id in origins and not site.role_by_terms:
                _choose(m, site, "hub", "hub", day, risk)


def _review_base(m: WargameModel, agent: ActorAgent, site: Site, day: int) -> None:
    """Keep the base's people beyond its residual, or draw down to the residual for good."""
    risk = staying_risk(m, site, agent.actor_id)
    keep = site.surplus_value - agent.risk_aversion * risk
    subject = f"base:{site.id}"
    if (
        choose({"keep": keep, "draw_down": 0.0}, agent.rationality, m.tastes, subject, m.rng)
        == "keep"
    ):
        return
    residual = site.personnel if site.residual is None else min(site.residual, site.personnel)
    residual_t = (
        site.equipment_t if site.residual_t is None else min(site.residual_t, site.equipment_t)
    )
    moved, moved_t = site.personnel - residual, site.equipment_t - residual_t
    site.residual = site.residual_t = site.surplus_value = None  # decided for good
    m.record(
        records.PostDecision(
            day,
            owner=site.garrison,
            site=site.id,
            choice="draw_down",
            value=keep + agent.risk_aversion * risk,
            risk=risk,
            personnel=moved,
        )
    )
    people.to_waiting(m, site, moved, moved_t)


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
    people.to_waiting(m, site, site.personnel, site.equipment_t)
