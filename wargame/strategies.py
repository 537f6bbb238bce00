"""Negotiation strategies: a registry keyed by the names used in YAML, one small class each.

Each strategy answers two questions at a table: what to `propose`, and whether to `respond` yes.
Metadata on each class (stochastic? what it needs to see) lets the tests run over the whole registry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .agenda import OfferSpace


@dataclass
class Turn:
    """What a strategy may see when it moves at a table."""

    space: OfferSpace
    me: int  # row of the mover in the table's utility matrix
    progress: float  # 0 when the table opens, 1 at its deadline
    reservation: float  # the mover's current reservation value (its outside option now)
    believed: np.ndarray  # the mover's belief about each participant's reservation value
    rng: np.random.Generator
    rationality: float | None = None  # logit precision; None = exact

    @property
    def utility(self) -> np.ndarray:
        return self.space.utility[self.me]


class Strategy:
    name: ClassVar[str]
    description: ClassVar[str]
    stochastic: ClassVar[bool] = False
    needs: ClassVar[tuple[str, ...]] = ("own utility", "beliefs about reservations")

    def __init__(self, **params) -> None:
        self.params = params

    def propose(self, turn: Turn) -> int:
        raise NotImplementedError

    def threshold(self, turn: Turn) -> float:
        """The lowest utility this strategy accepts now."""
        raise NotImplementedError

    def respond(self, turn: Turn, offer: int) -> bool:
        margin = turn.utility[offer] - self.threshold(turn)
        if turn.rationality is None:
            return bool(margin >= -1e-12)
        # Quantal response: accept with logistic probability in the margin (McKelvey and Palfrey 1995).
        p = 1.0 / (1.0 + math.exp(-max(min(turn.rationality * margin, 50.0), -50.0)))
        return bool(turn.rng.random() < p)


class TimeDependent(Strategy):
    """Concede from the best offer towards the reservation value as the deadline nears (Faratin et al. 1998).

    target(t) = r + (best - r) * (1 - t ** (1 / e)); e < 1 holds firm (Boulware), e = 1 is linear,
    e > 1 concedes early (Conceder). Among offers worth at least the target to itself, it proposes the
    one that leaves the least-satisfied other party best off relative to what it believes they need.
    """

    name = "time_dependent"
    description = "time-dependent concession with exponent e"
    default_e = 1.0

    def __init__(self, e: float | None = None, **params) -> None:
        super().__init__(**params)
        self.e = float(e if e is not None else self.default_e)
        if self.e <= 0:
            raise ValueError(f"concession exponent e must be positive, found {self.e}")

    def target(self, turn: Turn) -> float:
        r = turn.reservation
        best = float(turn.utility.max())
        t = min(max(turn.progress, 0.0), 1.0)
        return r + max(best - r, 0.0) * (1.0 - t ** (1.0 / self.e))

    def threshold(self, turn: Turn) -> float:
        return max(self.target(turn), turn.reservation)

    def propose(self, turn: Turn) -> int:
        own = turn.utility
        target = self.target(turn)
        candidates = np.flatnonzero(own >= target - 1e-12)
        if candidates.size == 0:
            return int(np.argmax(own))
        others = [row for row in range(turn.space.utility.shape[0]) if row != turn.me]
        if not others:
            return int(candidates[np.argmax(own[candidates])])
        slack = turn.space.utility[others][:, candidates] - turn.believed[others][:, None]
        score = slack.min(axis=0) + 1e-6 * own[candidates]  # ties go to the proposer's own gain
        return int(candidates[int(np.argmax(score))])


class Boulware(TimeDependent):
    name = "boulware"
    description = "holds out, concedes late (e = 0.2)"
    default_e = 0.2


class Linear(TimeDependent):
    name = "linear"
    description = "concedes at a steady rate (e = 1)"
    default_e = 1.0


class Conceder(TimeDependent):
    name = "conceder"
    description = "concedes early (e = 3)"
    default_e = 3.0


REGISTRY: dict[str, type[Strategy]] = {cls.name: cls for cls in (TimeDependent, Boulware, Linear, Conceder)}


def make_strategy(name: str, params: dict | None = None) -> Strategy:
    if name not in REGISTRY:
        raise KeyError(name)
    return REGISTRY[name](**(params or {}))
