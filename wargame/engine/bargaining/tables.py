"""Bargaining tables and their protocols.

Alternating offers (multilateral): one round per meeting of an open table (daily, unless the table
meets every N days: `meets_every`); the proposer (by rotation, or recognised with probability in
proportion to capability, after Baron and Ferejohn 1989) offers a point of the agenda's offer space;
every other participant accepts or rejects; the decision rule (unanimity, or a weighted majority with
vetoes) says whether it is signed.

Single text (mediated, after Raiffa 1982 and the Camp David one-text procedure): a mediator drafts
one text over the whole agenda; at each meeting every participant says yes or no to it; when the rule
is not met the mediator amends the text one step on one issue towards those who said no, keeping those
who said yes above what it believes they need.

Everyone watching updates beliefs about the responders' reservation values from their answers.

A round is a generator: where an actor is a seat played from outside (a person, through
wargame.session.Game), it yields the decisions it waits for and takes the moves back. It splits into
propose -> answers -> close, so a seat answers an offer it has seen. Unseated actors never pause.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from wargame.engine.bargaining import outside_options
from wargame.engine.bargaining.agenda import (
    BudgetSpace,
    Issue,
    OfferSpace,
    budget_split,
    too_many_to_list,
)
from wargame.engine.bargaining.objects import TableObjects, objects_of
from wargame.engine.bargaining.outside_options import expected_alternatives
from wargame.engine.bargaining.strategies import Turn, best_for_me_given
from wargame.language.schema import TableSpec

if TYPE_CHECKING:
    from wargame.engine.actors import ActorAgent
    from wargame.engine.model import WargameModel

BELIEF_STEP = 0.5  # share of the gap a belief moves towards what an answer reveals


@dataclass(frozen=True)
class Decision:
    """A move a seat must make: propose at a table, or answer the offer on it."""

    day: int
    table: str
    actor: str
    role: str  # "propose" | "answer"
    offer: int | None = None  # the offer to answer
    proposer: str | None = None


Moves = dict  # actor -> an offer index (propose) or True / False (answer)
# A round played as a generator: it ends with the Round, or with None when the talks stopped (collapsed,
# say) while it waited for a seat.
RoundPlay = Generator[list[Decision], Moves, "Round | None"]


@dataclass
class Round:
    day: int
    proposer: str
    offer: int
    answers: dict[str, bool]
    passed: bool
    belief_shifts: list[tuple[str, str, float, float]] = field(
        default_factory=list
    )  # observer, about, old, new


@dataclass
class Table:
    spec: TableSpec
    participants: list[ActorAgent]
    space: OfferSpace
    deadline: int
    # waiting -> open -> agreed | failed | frozen | lapsed; frozen -> open | lapsed; agreed -> open if broken
    status: str = "waiting"
    rounds: list[Round] = field(default_factory=list)
    weights: np.ndarray | None = None
    text: int | None = None  # the single text under negotiation
    discounts: np.ndarray | None = None
    no_deal_offer: int | None = None
    reopens: int = 0  # after a broken deal, the day talks resume
    # Some agreed level changes roads, sieges or air routes: a passage table.
    moves_people: bool = False
    reasons: dict[str, tuple[float, float]] = field(default_factory=dict)  # last: value, threshold
    # The terms that hold while nothing is signed, and each enforcer's (actor, imposed offer, cost).
    status_quo: int | None = None
    enforcers: tuple[tuple[str, int, float], ...] = ()
    deadlines: dict[str, int] = field(default_factory=dict)  # per actor: its own (soft) deadline
    # per actor: its alternatives here as everyone expects them (at the priors' means)
    expected_alternatives: dict[str, tuple] = field(default_factory=dict)
    objects: TableObjects | None = None  # what the table is about, if that can go away
    freezes: int = 0  # how many times its talks have frozen
    stalemate: int = 0  # meetings in a row in which no participant saw a zone of agreement
    stale_rounds: int = 0  # rounds in a row that no responder accepted
    opened_day: int = 0  # the day the current talks opened or thawed: meetings are counted from it
    frozen_day: int = 0
    frozen_positions: dict[str, float] = field(
        default_factory=dict
    )  # outside options when it froze
    row_of: dict[str, int] = field(init=False, repr=False)  # actor -> row of the utility matrix
    _game: object = field(default=None, init=False, repr=False)

    @classmethod
    def build(
        cls,
        spec: TableSpec,
        agents: dict[str, ActorAgent],
        issues: dict[str, Issue],
        horizon: int,
        spaces: dict | None = None,
    ) -> Table:
        participants = [agents[p] for p in spec.participants]
        space = (spaces or {}).get(spec.id)
        if space is None:
            budget = (spec.budget.issues, spec.budget.total) if spec.budget else None
            agenda = [issues[i] for i in spec.agenda]
            profiles = [a.profile for a in participants]
            split = budget_split(agenda, profiles, budget) if too_many_to_list(agenda) else None
            if split is not None:  # a budget split too fine to list: offers made as needed
                space = BudgetSpace(agenda, profiles, budget, split)
            else:
                space = OfferSpace(agenda, profiles, budget)
            if spaces is not None:
                spaces[spec.id] = space
        table = cls(spec, participants, space, spec.deadline_day or horizon)
        table.moves_people = any(
            eff.road_risk or eff.road_holder or eff.road_open or eff.siege or eff.overflight
            for item in spec.agenda
            for level in issues[item].spec.levels or []
            for eff in level.effects
        )
        # A discount is what a day's delay costs (as the payoffs count it, wargame.engine.outcomes): a
        # table that meets every N days makes each side wait N days for the next round.
        table.discounts = (
            np.array([a.profile.patience or spec.discount for a in participants])
            ** spec.meets_every
        )
        rule = spec.rule
        if not isinstance(rule, str):
            if rule.weights == "equal":
                w = [1.0] * len(participants)
            elif rule.weights == "capability":
                w = [sum(a.capabilities.values()) / 3 for a in participants]
            else:
                w = [rule.weights.get(a.actor_id, 0.0) for a in participants]
            table.weights = np.array(w)
        if spec.no_deal:
            table.no_deal_offer = space.offer_of(spec.no_deal)
        if spec.status_quo is not None:
            table.status_quo = space.offer_of(spec.status_quo)
        # What an enforcer imposes leaves the issues it does not name as they are in the status quo.
        base = dict(spec.status_quo or {})
        table.enforcers = tuple(
            (e.actor, space.offer_of({**base, **e.imposes}), e.cost) for e in spec.enforcers
        )
        table.deadlines = {
            a.actor_id: spec.deadlines.get(a.actor_id, table.deadline) for a in participants
        }
        table.expected_alternatives = {
            actor: expected_alternatives(listed) for actor, listed in spec.alternatives.items()
        }
        table.objects = objects_of(spec, [issues[i] for i in spec.agenda])
        return table

    def __post_init__(self) -> None:
        self.row_of = {a.actor_id: i for i, a in enumerate(self.participants)}

    @property
    def id(self) -> str:
        return self.spec.id

    def meets_on(self, day: int) -> bool:
        """Whether open talks hold a round on `day`: every `meets_every` days from the day they opened or
        thawed."""
        return (day - self.opened_day) % self.spec.meets_every == 0

    def row(self, actor_id: str) -> int:
        return self.row_of[actor_id]

    def progress(self, day: int, actor: str | None = None) -> float:
        """How far the talks are towards the actor's own deadline (the table's by default): 0 when they
        open, 1 at the deadline and after it (a soft deadline: the talks go on, at the actor's floor)."""
        deadline = self.deadlines.get(actor, self.deadline) if actor else self.deadline
        span = max(deadline - self.spec.opens_day, 1)
        return min((day - self.spec.opens_day) / span, 1.0)

    def disagreement(self, m: WargameModel) -> tuple[int | None, str | None]:
        """What holds if nothing is signed: the offer, and who forces it (None: the status quo holds).
        An enforcer forces a change when what it imposes is worth more to it than the status quo by more
        than forcing costs it (its cost times the mean military capability of the others here); of
        several, the one with the most to gain."""
        if self.status_quo is None:
            return self.no_deal_offer, None
        best, forced_by, offer = 0.0, None, self.status_quo
        for actor, imposed, cost in self.enforcers:
            gain = self.forcing_gain(m, actor, imposed, cost)
            if gain > best:
                best, forced_by, offer = gain, actor, imposed
        return offer, forced_by

    def forcing_gain(self, m: WargameModel, actor: str, imposed: int, cost: float) -> float:
        row = self.row(actor)
        utility = self.space.rows[row]
        return utility[imposed] - self.forcing_cost(m, actor, cost) - utility[self.status_quo]

    def forcing_cost(self, m: WargameModel, actor: str, cost: float | None = None) -> float:
        """What forcing its terms costs the enforcer: its cost, scaled by how strong the others at the table
        are against it (the chance of losing a contest of strength, others / (own + others), doubled so
        that equal strength leaves the cost as written): a weak enforcer pays up to twice as much, a
        strong one little."""
        if cost is None:
            cost = next((c for a, _o, c in self.enforcers if a == actor), 0.0)
        others = [a.capabilities["military"] for a in self.participants if a.actor_id != actor]
        against = sum(others) / max(len(others), 1)
        own = m.actor(actor).capabilities["military"]
        if own + against <= 0:
            return cost
        return cost * 2.0 * against / (own + against)

    def choose_proposer(self, m: WargameModel) -> int:
        """By rotation, or drawn with probability in proportion to capability: one uniform draw read
        against the cumulative shares, as numpy's Generator.choice(n, p=...) does it."""
        n = len(self.participants)
        if self.spec.proposer == "rotation":
            return len(self.rounds) % n
        caps = [sum(a.capabilities.values()) + 1e-9 for a in self.participants]
        total = sum(caps)
        cdf = list(itertools.accumulate(c / total for c in caps))
        cdf = [c / cdf[-1] for c in cdf]
        return bisect.bisect_right(cdf, m.rng.random())

    def believed(self, m: WargameModel, agent: ActorAgent) -> np.ndarray:
        """What `agent` believes each participant needs (its own outside option where it sits here); the
        agent may be a mediator who does not."""
        return np.array(
            [
                m.reservation(a, self) if a is agent else agent.beliefs[a.actor_id]["reservation"]
                for a in self.participants
            ]
        )

    @property
    def game(self):
        """The table's game as the equilibrium solvers see it (made on first use)."""
        if self._game is None:
            from wargame.engine.bargaining.table_game import TableGame

            self._game = TableGame(self)
        return self._game

    def turn(self, m: WargameModel, row: int, day: int, proposer: int | None = None) -> Turn:
        agent = self.participants[row]
        return Turn(
            self.space,
            row,
            self.progress(day, agent.actor_id),
            m.reservation(agent, self),
            lambda: self.believed(m, agent),
            m.rng,
            agent.rationality,
            keep_terms=m.keep_terms_today(self, agent),
            obligation_days=self.spec.obligation_days,
            betrayal_cost=self.spec.betrayal_cost,
            discounts=self.discounts,
            history=self.rounds,
            day=day,
            table=self.id,
            actor=agent.actor_id,
            proposer=proposer,
            game=lambda: self.game,
            outlook=lambda k: self.outlook(m, agent, k),
            revision=m.memory.revision,
        )

    def outlook(
        self, m: WargameModel, agent: ActorAgent, meetings: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """What `agent` expects each of so many `meetings` from today: its own outside option then (its
        drawn alternatives and wear, the ground as it is today) and what it believes each participant will
        need then (today's belief moved by what everyone expects of that participant's alternatives and
        wear): an array over the meetings, and an array of meetings x participants."""
        ahead = np.asarray(meetings) * self.spec.meets_every
        # remembered with today's outside options (they read the same world), by the days looked at
        days = (self.id, int(ahead[0]), int(ahead[-1]), len(ahead))
        store = outside_options.store_of(agent, self)
        if store == "position":  # read off its path over whole days, the same while standing holds
            last = m.day + int(ahead[-1])
            n = outside_options.PATH_DAYS if last < outside_options.PATH_DAYS else last + 1
            own = m.memory.recall(
                "position_path",
                (agent.actor_id, self.id, n),
                outside_options.reservation_path,
                m,
                agent,
                self,
                n,
            )[m.day + ahead]
        else:
            own = m.memory.recall(
                store,
                (agent.actor_id, *days),
                outside_options.reservations_ahead,
                m,
                agent,
                self,
                ahead,
            )
        now = self.believed(m, agent)
        believed = np.empty((len(ahead), len(now)))
        for row, other in enumerate(self.participants):
            if other is agent:
                believed[:, row] = own
            else:
                drift = m.memory.recall(
                    "position",
                    ("expected drift", other.actor_id, *days),
                    outside_options.expected_drift,
                    m,
                    other,
                    self,
                    ahead,
                )
                believed[:, row] = np.minimum(np.maximum(now[row] + drift, 0.0), 1.0)
        return own, believed

    def sees_a_deal(self, m: WargameModel, day: int) -> bool:
        """Whether some participant sees a zone of agreement: an offer it would sign (worth at least its
        floor, Strategy.floor) that gives every other party what it believes that party needs."""
        for row, agent in enumerate(self.participants):
            turn = self.turn(m, row, day)
            floors = {j: float(turn.believed[j]) for j in turn.others}
            offer = best_for_me_given(turn, floors)
            # (a tolerance above float noise: offers of the same worth reached by other sums differ
            # in their last bits, and a search over more offers must see the same deals)
            if any(float(self.space.rows[j][offer]) < need - 1e-6 for j, need in floors.items()):
                continue
            if float(turn.value_at(offer)) >= agent.strategy.floor(turn) - 1e-6:
                return True
        return False

    def passes(self, answers: dict[int, bool]) -> bool:
        rule = self.spec.rule
        if isinstance(rule, str):  # unanimity
            return all(answers.values())
        yes = sum(self.weights[r] for r, ok in answers.items() if ok)
        vetoed = any(not answers[self.row(v)] for v in rule.vetoes)
        return not vetoed and yes >= rule.threshold * self.weights.sum() - 1e-12

    def play_round(self, m: WargameModel, day: int) -> RoundPlay:
        if self.spec.protocol == "single_text":
            return (yield from self._single_text_round(m, day))
        proposer = self.choose_proposer(m)
        agent = self.participants[proposer]
        if agent.actor_id in m.seats:
            moves = yield [Decision(day, self.id, agent.actor_id, "propose")]
            if self.status != "open":
                return None
            offer = int(moves[agent.actor_id])
            signs = True  # a seat proposes what it is ready to sign
        else:
            turn = self.turn(m, proposer, day, proposer)
            offer = agent.strategy.propose(turn)
            # A proposer's offer binds it too: it signs only what is worth its own outside option.
            signs = agent.strategy.signs_own(turn, offer)
        answers = yield from self._answers(m, day, offer, agent.actor_id, agent.actor_id)
        if answers is None:
            return None
        answers = {proposer: signs, **answers}
        return self._close_round(m, day, agent.actor_id, offer, answers)

    def _answers(
        self, m: WargameModel, day: int, offer: int, proposer: str, skip: str | None
    ) -> Generator[list[Decision], Moves, dict[int, bool] | None]:
        """Every participant but `skip` (the proposer, who has said yes) says yes or no to the offer, in seating order; the seats
        played from outside are asked together once the model's actors have answered."""
        answers: dict[int, bool] = {}
        seated = []
        for row, agent in enumerate(self.participants):
            if agent.actor_id == skip:
                continue
            if agent.actor_id in m.seats:
                seated.append(row)
                answers[row] = False  # its place in the seating order, until the seat answers
            else:
                answers[row] = self._answer(m, row, day, offer, None, self.row_of.get(proposer))
        if seated:
            asked = [
                Decision(day, self.id, self.participants[r].actor_id, "answer", offer, proposer)
                for r in seated
            ]
            moves = yield asked
            if self.status != "open":
                return None
            for r in seated:
                answers[r] = self._answer(
                    m,
                    r,
                    day,
                    offer,
                    moves[self.participants[r].actor_id],
                    self.row_of.get(proposer),
                )
        return answers

    def _answer(
        self,
        m: WargameModel,
        row: int,
        day: int,
        offer: int,
        given: bool | None = None,
        proposer: int | None = None,
    ) -> bool:
        """The participant's answer: its strategy's, or the one `given` by its seat."""
        agent = self.participants[row]
        turn = self.turn(m, row, day, proposer)
        said = agent.strategy.respond(turn, offer) if given is None else bool(given)
        accepted = said and (agent.actor_id, self.id) not in m.refusals
        if m.narrate:  # what the answer was weighed on, for the narrative
            threshold = agent.strategy.threshold(turn) if given is None else turn.reservation
            self.reasons[agent.actor_id] = (float(turn.value_at(offer)), float(threshold))
        return accepted

    def _close_round(
        self, m: WargameModel, day: int, proposer: str, offer: int, answers: dict[int, bool]
    ) -> Round:
        rnd = Round(
            day,
            proposer,
            offer,
            {self.participants[r].actor_id: ok for r, ok in answers.items()},
            self.passes(answers),
        )
        self.rounds.append(rnd)
        self._update_beliefs(m, rnd)
        return rnd

    # ------------------------------------------------------------ mediated single text

    def _single_text_round(self, m: WargameModel, day: int) -> RoundPlay:
        mediator = m.actor(self.spec.mediator)
        if self.text is None:
            self.text = self._draft(m, mediator)
        else:
            self.text = self._amend(m, mediator, self.rounds[-1])
        answers = yield from self._answers(m, day, self.text, mediator.actor_id, None)
        if answers is None:
            return None
        return self._close_round(m, day, mediator.actor_id, self.text, answers)

    def _draft(self, m: WargameModel, mediator: ActorAgent) -> int:
        """The first text: the Nash bargaining solution over what the mediator believes the parties need,
        or, if it sees no zone of agreement, the text that leaves the worst-off party least short."""
        from wargame.engine.bargaining.solutions import nash_solution

        needs = self.believed(m, mediator)
        cand = self.space.frontier
        u = self.space.frontier_utility
        found = nash_solution(u, needs)
        if found is not None:
            return int(cand[found])
        return int(cand[int(np.argmax((u - needs[:, None]).min(axis=0)))])

    def _amend(self, m: WargameModel, mediator: ActorAgent, last: Round) -> int:
        """One step on one issue: raise the least-satisfied refuser most, keep acceptors above their needs."""
        needs = self.believed(m, mediator)
        u = self.space.utility
        refusers = [self.row(a) for a, ok in last.answers.items() if not ok]
        keepers = [self.row(a) for a, ok in last.answers.items() if ok]
        best, best_score = last.offer, -np.inf
        for cand in self.space.neighbours(last.offer):
            if any(u[r, cand] < needs[r] - 1e-9 for r in keepers):
                continue
            score = min(u[r, cand] - needs[r] for r in refusers) if refusers else 0.0
            score += 1e-3 * sum(u[r, cand] for r in range(len(self.participants)))
            if score > best_score:
                best, best_score = cand, score
        return int(best)

    # ------------------------------------------------------------ beliefs

    def _update_beliefs(self, m: WargameModel, rnd: Round) -> None:
        """A refusal says the offer was worth less to the responder than it needs; an acceptance, more."""
        watchers = list(self.participants)
        if self.spec.mediator and self.spec.mediator not in rnd.answers:
            watchers.append(m.actor(self.spec.mediator))
        proposer = (
            rnd.proposer
            if rnd.proposer in rnd.answers and rnd.proposer != self.spec.mediator
            else None
        )
        if proposer is not None:
            # An offer says what its proposer asks: its reservation is at most what the offer gives it.
            asked = self.space.rows[self.row(proposer)][rnd.offer]
            for observer in watchers:
                if observer.actor_id != proposer:
                    belief = observer.beliefs[proposer]
                    old = belief["reservation"]
                    if old > asked:
                        belief["reservation"] = old + BELIEF_STEP * (asked - old)
                        if abs(belief["reservation"] - old) >= 0.02:
                            rnd.belief_shifts.append(
                                (observer.actor_id, proposer, old, belief["reservation"])
                            )
        for responder, accepted in rnd.answers.items():
            if responder == rnd.proposer and rnd.proposer != self.spec.mediator:
                continue
            value = self.space.rows[self.row(responder)][rnd.offer]
            for observer in watchers:
                if observer.actor_id == responder:
                    continue
                belief = observer.beliefs[responder]
                old = belief["reservation"]
                if not accepted and old <= value:
                    belief["reservation"] = old + BELIEF_STEP * (min(value + 0.05, 1.0) - old)
                elif accepted and old > value:
                    belief["reservation"] = old + BELIEF_STEP * (value - old)
                if abs(belief["reservation"] - old) >= 0.02:
                    rnd.belief_shifts.append(
                        (observer.actor_id, responder, old, belief["reservation"])
                    )
