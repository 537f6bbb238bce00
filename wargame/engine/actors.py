"""Actors as Mesa agents: public profile, private values drawn per run, trust, and beliefs about others."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from wargame.engine.bargaining.strategies import Strategy, make_strategy
from wargame.engine.outcomes import signing_cost_key
from wargame.language.schema import ActorProfile

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel

# Values an actor keeps private; when a profile gives no prior, these are the (public) defaults.
PRIVATE_DEFAULTS = {"resolve": 0.5, "breach_temptation": 0.1}


class ActorAgent(mesa.Agent):
    """One actor of the crisis. Its moves at tables come from its strategy; its private values from priors."""

    def __init__(self, model: WargameModel, profile: ActorProfile) -> None:
        super().__init__(model)
        self.actor_id = profile.id
        self.profile = profile
        self.name = profile.name
        self.capabilities = profile.capabilities.model_dump()
        self.time_pressure = profile.time_pressure
        self.outside_option_shift = 0.0
        # Per table: its alternatives there as this run drew them (outside_options.DrawnAlternative).
        self.alternatives: dict[str, tuple] = {}
        self.trust = dict(profile.trust)
        self.strategy: Strategy = make_strategy(profile.strategy.name, profile.strategy.params)
        self.rationality = profile.rationality
        self.reputation = 1.0
        # Private values, drawn from the priors with the model's generator (in a fixed order).
        self.private = {
            "resolve": PRIVATE_DEFAULTS["resolve"],
            "reservation": profile.reservation_mean,
            "breach_temptation": PRIVATE_DEFAULTS["breach_temptation"],
        }
        for key in ("resolve", "reservation", "breach_temptation"):
            prior = profile.priors.get(key)
            if prior is not None:
                self.private[key] = prior.sample(model.rng)
        # Its precision and risk attitude (choice.py), drawn after the others where a prior gives them.
        if "rationality" in profile.priors:
            self.rationality = profile.priors["rationality"].sample(model.rng)
        self.risk_aversion = (
            profile.priors["risk_aversion"].sample(model.rng)
            if "risk_aversion" in profile.priors
            else 1.0
        )
        # Beliefs about others' private values: start at the prior means, move with what is observed.
        self.beliefs: dict[str, dict[str, float]] = {}

    def init_beliefs(self, others: list[ActorAgent]) -> None:
        for other in others:
            if other is self:
                continue
            priors = other.profile.priors
            self.beliefs[other.actor_id] = {
                "reservation": other.profile.reservation_mean,
                "breach_temptation": priors["breach_temptation"].mean()
                if "breach_temptation" in priors
                else PRIVATE_DEFAULTS["breach_temptation"],
            }

    @property
    def resolve(self) -> float:
        return self.private["resolve"]

    def signing_cost(self, table_id: str) -> float:
        """What signing a deal at this table costs the actor beyond its terms (0 unless drawn)."""
        return self.private.get(signing_cost_key(table_id), 0.0)

    def set_signing_cost(self, table_id: str, value: float) -> None:
        """Its cost of signing at a table: it moves its outside option there, so the model is told."""
        self.private[signing_cost_key(table_id)] = value
        self.model.changed("standing")

    # Trust, reputation, capabilities, time pressure and outside options change only through these
    # methods, which tell the model through its one door (WargameModel.changed).

    def shift_trust(self, other: str, delta: float) -> None:
        self.trust[other] = min(1.0, max(-1.0, self.trust.get(other, 0.0) + delta))
        self.model.changed("standing")

    def set_reputation(self, value: float) -> None:
        self.reputation = value
        self.model.changed("standing")

    def shift(self, field: str, delta: float) -> None:
        if field == "time_pressure":
            self.time_pressure = min(1.0, max(0.0, self.time_pressure + delta))
        elif field == "outside_option":
            self.outside_option_shift += delta
        else:
            self.capabilities[field] = min(1.0, max(0.0, self.capabilities[field] + delta))
        self.model.changed("standing")

    def believed_hostility(self, other: str) -> float:
        """How dangerous it believes ground held by `other` to be, read from its own trust in `other`
        (it cannot see the other's trust in it): the same scale as `hostility`."""
        return 1.0 - 0.75 * self.trust.get(other, 0.0)

    def hostility(self, other: str) -> float:
        """How much more dangerous ground held by `other` is, from trust in [-1, 1] to a factor in [0.25, 1.75]."""
        return 1.0 - 0.75 * self.trust.get(other, 0.0)

    def __repr__(self) -> str:
        return f"ActorAgent({self.actor_id})"
