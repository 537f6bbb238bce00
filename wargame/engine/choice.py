"""The one rule by which an actor makes its recurring choices on the ground (hold or leave a post, make it
a hub, keep people at a base or draw them down, which route and destination to send a fleet on).

Each option k has an expected utility EU_k worked out from the chooser's own view: the values it drew for
this run, the risks as it believes them to be (from its own trust in whoever holds the ground, not from
the others' true intentions), weighed by its risk attitude. It then chooses by the logit rule of quantal
response (McKelvey & Palfrey 1995, Games and Economic Behavior 10: 6-38; the random-utility form of
McFadden 1974):

    P(k) = exp(lambda * EU_k) / sum_j exp(lambda * EU_j)

where lambda >= 0 is the actor's precision (its `rationality`, drawn per run where its profile gives a
prior). lambda = 0: every option is as likely; lambda -> infinity: the best option for sure. A value
exactly at a bound (an option worth exactly its risk) therefore gives even odds, never a certainty.

A recurring choice is asked again every day, but it is one choice, not a fresh lottery each day: a daily
redraw would turn a 2% chance of leaving a post into a near-certain departure over ninety days. So the
random part of the utilities (Gumbel "tastes", one per actor, subject and option, drawn from the run's
generator the first time the option is weighed) is kept for the run, and the actor takes the option with
the largest lambda * EU_k + taste_k. Over runs that has exactly the logit probabilities above; within a
run the choice changes only when the expected utilities do (a siege, a changed trust, a road cut).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def probabilities(utilities: Mapping[str, float], precision: float | None) -> dict[str, float]:
    """The logit probability of each option (None or infinite precision: the best ones share 1)."""
    if not utilities:
        return {}
    best = max(utilities.values())
    if precision is None or math.isinf(precision):
        top = [k for k, u in utilities.items() if u == best]
        return {k: (1.0 / len(top) if k in top else 0.0) for k in utilities}
    weights = {k: math.exp(precision * (u - best)) for k, u in utilities.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


class Tastes:
    """The random part of an actor's utilities for this run: one Gumbel draw per (subject, option), made
    from the model's generator the first time it is needed and kept (it is part of the run's state)."""

    __slots__ = ("_drawn",)

    def __init__(self) -> None:
        self._drawn: dict[tuple[str, str], float] = {}

    def of(self, subject: str, option: str, rng: np.random.Generator) -> float:
        key = (subject, option)
        taste = self._drawn.get(key)
        if taste is None:
            taste = self._drawn[key] = float(rng.gumbel())
        return taste


def choose(
    utilities: Mapping[str, float],
    precision: float | None,
    tastes: Tastes,
    subject: str,
    rng: np.random.Generator,
) -> str:
    """The option the actor takes: the largest precision * EU + taste (ties and an infinite precision:
    the best EU, the taste breaking ties only). Options are weighed in sorted order, so the same
    utilities give the same choice whatever order they were listed in."""
    options = sorted(utilities)
    if precision is None or math.isinf(precision):
        best = max(utilities.values())
        top = [k for k in options if utilities[k] == best]
        if len(top) == 1:
            return top[0]
        return max(top, key=lambda k: tastes.of(subject, k, rng))
    return max(options, key=lambda k: precision * utilities[k] + tastes.of(subject, k, rng))
