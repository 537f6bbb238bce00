"""Bargaining tables: a protocol that picks a proposer, takes a multi-issue offer and collects answers.

One round a day per open table: the proposer (by rotation, or recognised with probability in
proportion to capability, after Baron and Ferejohn 1989) offers a point of the agenda's offer space;
every other participant accepts or rejects against its own threshold; the decision rule (unanimity,
or a weighted majority with vetoes) says whether it is signed. Everyone watching updates beliefs
about the responders' reservation values from their answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .agenda import Issue, OfferSpace
from .schema import TableSpec
from .strategies import Turn

if TYPE_CHECKING:
    from .actors import ActorAgent
    from .model import WargameModel

BELIEF_STEP = 0.5  # share of the gap a belief moves towards what an answer reveals


@dataclass
class Round:
    day: int
    proposer: str
    offer: int
    answers: dict[str, bool]
    passed: bool


@dataclass
class Table:
    spec: TableSpec
    participants: list[ActorAgent]
    space: OfferSpace
    deadline: int
    status: str = "waiting"  # waiting -> open -> agreed | failed; agreed -> open again if broken
    rounds: list[Round] = field(default_factory=list)
    weights: np.ndarray | None = None

    @classmethod
    def build(cls, spec: TableSpec, agents: dict[str, ActorAgent], issues: dict[str, Issue], horizon: int) -> Table:
        participants = [agents[p] for p in spec.participants]
        space = OfferSpace([issues[i] for i in spec.agenda], [a.profile for a in participants])
        table = cls(spec, participants, space, spec.deadline_day or horizon)
        rule = spec.rule
        if not isinstance(rule, str):
            if rule.weights == "equal":
                w = [1.0] * len(participants)
            elif rule.weights == "capability":
                w = [sum(a.capabilities.values()) / 3 for a in participants]
            else:
                w = [rule.weights.get(a.actor_id, 0.0) for a in participants]
            table.weights = np.array(w)
        return table

    @property
    def id(self) -> str:
        return self.spec.id

    def row(self, actor_id: str) -> int:
        for i, a in enumerate(self.participants):
            if a.actor_id == actor_id:
                return i
        raise KeyError(actor_id)

    def progress(self, day: int) -> float:
        span = max(self.deadline - self.spec.opens_day, 1)
        return (day - self.spec.opens_day) / span

    def choose_proposer(self, m: WargameModel) -> int:
        n = len(self.participants)
        if self.spec.proposer == "rotation":
            return len(self.rounds) % n
        caps = np.array([sum(a.capabilities.values()) for a in self.participants]) + 1e-9
        return int(m.rng.choice(n, p=caps / caps.sum()))

    def turn(self, m: WargameModel, row: int, day: int) -> Turn:
        agent = self.participants[row]
        believed = np.array(
            [m.reservation(agent, self) if a is agent else agent.beliefs[a.actor_id]["reservation"] for a in self.participants]
        )
        return Turn(self.space, row, self.progress(day), m.reservation(agent, self), believed, m.rng, agent.rationality)

    def passes(self, answers: dict[int, bool]) -> bool:
        rule = self.spec.rule
        if isinstance(rule, str):  # unanimity
            return all(answers.values())
        yes = sum(self.weights[r] for r, ok in answers.items() if ok)
        vetoed = any(not answers[self.row(v)] for v in rule.vetoes)
        return not vetoed and yes >= rule.threshold * self.weights.sum() - 1e-12

    def play_round(self, m: WargameModel, day: int) -> Round:
        proposer = self.choose_proposer(m)
        offer = self.participants[proposer].strategy.propose(self.turn(m, proposer, day))
        answers = {proposer: True}
        for row, agent in enumerate(self.participants):
            if row != proposer:
                answers[row] = agent.strategy.respond(self.turn(m, row, day), offer)
        passed = self.passes(answers)
        rnd = Round(day, self.participants[proposer].actor_id, offer,
                    {self.participants[r].actor_id: ok for r, ok in answers.items()}, passed)
        self.rounds.append(rnd)
        self._update_beliefs(m, rnd)
        return rnd

    def _update_beliefs(self, m: WargameModel, rnd: Round) -> None:
        """A refusal says the offer was worth less to the responder than it needs; an acceptance, more."""
        for responder, accepted in rnd.answers.items():
            if responder == rnd.proposer:
                continue
            value = float(self.space.utility[self.row(responder), rnd.offer])
            for observer in self.participants:
                if observer.actor_id == responder:
                    continue
                belief = observer.beliefs[responder]
                old = belief["reservation"]
                if not accepted and old <= value:
                    belief["reservation"] = old + BELIEF_STEP * (min(value + 0.05, 1.0) - old)
                elif accepted and old > value:
                    belief["reservation"] = old + BELIEF_STEP * (value - old)
                if abs(belief["reservation"] - old) >= 0.02:
                    m.log(rnd.day, "belief", observer=observer.actor_id, about=responder, table=self.id,
                          old=old, new=belief["reservation"])
