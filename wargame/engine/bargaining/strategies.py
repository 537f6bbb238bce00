"""Negotiation strategies: a registry keyed by the names used in YAML, one small class each.

Each strategy answers two questions at a table: what to `propose`, and whether to `respond` yes.
Class metadata (is it stochastic? what must it see? does it need a bilateral table?) lets the test
suite run over the whole registry, after the Axelrod library's habit.

Every strategy judges an offer by its *value*: the offer's utility net of the risk that the other
parties will not carry it out (see `Turn.value`), so a promise backed by a credible guarantee is
worth more than the same words without one.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from wargame.engine.bargaining.agenda import BudgetSpace, OfferSpace
from wargame.engine.commitment.agreements import keep_probability, keep_probability_of

EPS = 1e-9


class _GivenOrMade:
    """A Turn field given either as a value or as a function that makes it, called on first read (so a
    responder that never looks at it does not pay for it)."""

    def __set_name__(self, owner, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, obj, owner=None):
        if obj is None:
            raise AttributeError(self.slot)  # no default value for the dataclass field
        value = obj.__dict__[self.slot]
        if callable(value):
            value = obj.__dict__[self.slot] = value()
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value


class _OptionalGivenOrMade(_GivenOrMade):
    """The same, for a field that may be left out (its default is None)."""

    def __get__(self, obj, owner=None):
        if obj is None:
            return None  # the dataclass field's default
        return super().__get__(obj, owner)


@dataclass
class Turn:
    """What a strategy may see when it moves at a table."""

    space: OfferSpace
    me: int  # row of the mover in the table's utility matrix
    progress: float  # 0 when the table opens, 1 at its deadline
    reservation: float  # the mover's current reservation value (its outside option now)
    # The mover's belief about each participant's reservation value (or a function giving it).
    believed: np.ndarray = _GivenOrMade()
    rng: np.random.Generator
    rationality: float | None = None  # logit precision; None = exact best response
    # Per offer: the mover's estimate that the others keep it (if given).
    keep: np.ndarray | None = None
    betrayal_cost: float = 0.0  # what the mover loses beyond its outside option if a deal is broken
    keep_terms: tuple = ()  # or the beliefs it is computed from: (row, believed temptation, deterrence)
    obligation_days: int = 0
    discounts: np.ndarray | None = None  # per participant: per-round discount factor
    history: list = field(default_factory=list)  # the table's earlier rounds (tables.Round)
    day: int = 0
    table: str = ""
    actor: str = ""
    proposer: int | None = None  # row of the proposer whose offer a responder is weighing
    # The table's game for the equilibrium solvers (table_game.TableGame), or a function giving it.
    game: Any = _OptionalGivenOrMade()
    # What the mover expects k meetings from now, for an array of k: (its own outside option then, an
    # array over k; what it believes each participant will need then, k x participants), from the trends
    # of the alternatives it knows or believes; None when the turn is tried without a table.
    outlook: Any = None
    # The world's revision when the turn was made (memory.Memory.revision): with the day, the table and
    # what the mover believes, it says when a value worked out for an earlier turn still holds.
    revision: int | None = None

    @property
    def utility(self) -> np.ndarray:
        return self.space.utility[self.me]

    @property
    def candidates(self) -> np.ndarray:
        """The offers worth searching: the Pareto frontier of the table. An offer that another gives every
        party at least as much utility is never better for anyone here: it is also less tempting to break,
        so it is kept more surely and worth more net of that risk (proof in OfferSpace.frontier)."""
        return self.space.frontier

    def keep_at(self, offers):
        """The mover's estimate that the others keep these offers (an index or an index array)."""
        if self.keep is not None:
            return self.keep[offers]
        if not self.keep_terms:
            return 1.0
        return keep_probability(self.space, self.keep_terms, self.obligation_days, offers)

    def value_at(self, offers):
        """Own utility of these offers net of the risk they are broken: then the mover is back at its
        outside option, less what it lost by relying on the deal (the commitment problem: Fearon 1995)."""
        if isinstance(offers, int | np.integer) and self.keep is None:
            return self._value_of(int(offers))
        u = self.space.utility[self.me, offers]
        if self.keep is None and not self.keep_terms:
            return u
        keep = self.keep_at(offers)
        return keep * u + (1.0 - keep) * (self.reservation - self.betrayal_cost)

    def _value_of(self, offer: int) -> float:
        u = self.space.rows[self.me][offer]
        if not self.keep_terms:
            return u
        keep = keep_probability_of(self.space, self.keep_terms, self.obligation_days, offer)
        return keep * u + (1.0 - keep) * (self.reservation - self.betrayal_cost)

    @functools.cached_property
    def candidate_value(self) -> np.ndarray:
        """value_at over the candidates (the frontier), with the keep chances the table has already
        worked out for the same beliefs."""
        if self.keep is not None:
            return np.asarray(self.value_at(self.candidates), dtype=float)
        # the same for every turn with the same outside option and beliefs about breaking (remembered
        # with the space, as its keep chances are)
        key = (
            "candidate value",
            self.me,
            self.keep_terms,
            self.obligation_days,
            self.reservation,
            self.betrayal_cost,
        )
        memo = self.space._keep_memo
        found = memo.get(key)
        if found is None:
            if not self.keep_terms:
                found = np.asarray(self.value_at(self.candidates), dtype=float)
            else:
                keep = self.space.frontier_keep(self.keep_terms, self.obligation_days)
                u = self.space.frontier_utility[self.me]
                found = keep * u + (1.0 - keep) * (self.reservation - self.betrayal_cost)
            found.flags.writeable = False
            if len(memo) >= 4096:
                memo.clear()
            memo[key] = found
        return found

    @functools.cached_property
    def value(self) -> np.ndarray:
        """value_at over every offer."""
        return np.asarray(self.value_at(slice(None)), dtype=float) * np.ones(len(self.space))

    @property
    def others(self) -> list[int]:
        return [row for row in range(self.space.utility.shape[0]) if row != self.me]

    def discount(self, row: int) -> float:
        return 1.0 if self.discounts is None else float(self.discounts[row])


class Strategy:
    name: ClassVar[str]
    description: ClassVar[str]
    stochastic: ClassVar[bool] = False  # draws from the generator beyond logit noise
    bilateral_only: ClassVar[bool] = False
    needs: ClassVar[tuple[str, ...]] = ("own utility",)
    source: ClassVar[str] = ""

    def __init__(self, **params: Any) -> None:
        # every parameter a strategy takes is a named argument of its class: what is left is not one
        if params:
            raise TypeError(f"'{self.name}' takes no parameter {', '.join(sorted(params))}")

    def propose(self, turn: Turn) -> int:
        raise NotImplementedError

    def threshold(self, turn: Turn) -> float:
        """The lowest value this strategy accepts now."""
        raise NotImplementedError

    def floor(self, turn: Turn) -> float:
        """The least any deal must be worth to the mover now for it to sign at all, whatever it asks
        today: its outside option (a strategy that values waiting asks more)."""
        return turn.reservation

    def signs_own(self, turn: Turn, offer: int) -> bool:
        """Whether the proposer signs the offer it has just made if the others take it: only if it is worth
        at least its outside option (a proposer's outside option binds as a responder's does)."""
        return bool(float(turn.value_at(offer)) >= turn.reservation - EPS)

    def respond(self, turn: Turn, offer: int) -> bool:
        margin = float(turn.value_at(offer)) - self.threshold(turn)
        if turn.rationality is None:
            return bool(margin >= -EPS)
        # Quantal response: accept with logistic probability in the margin (McKelvey and Palfrey 1995).
        p = 1.0 / (1.0 + math.exp(-max(min(turn.rationality * margin, 50.0), -50.0)))
        return bool(turn.rng.random() < p)


def best_for_me_given(turn: Turn, floors: dict[int, float]) -> int:
    """The offer of highest value to the mover among those giving each listed row at least its floor."""
    if isinstance(
        turn.space, BudgetSpace
    ):  # a split not listed: each its floor, the rest to the mover
        return turn.space.best_for(turn.me, floors)
    cand = turn.candidates
    ok = np.ones(len(cand), dtype=bool)
    for row, floor in floors.items():
        ok &= turn.space.frontier_utility[row] >= floor - EPS
    own = turn.candidate_value
    if not ok.any():
        return int(cand[int(np.argmax(own))])
    return int(cand[int(np.argmax(np.where(ok, own, -np.inf)))])


# ---------------------------------------------------------------- time-dependent concession


class TimeDependent(Strategy):
    """Concede from the best offer towards the reservation value as the deadline nears (Faratin, Sierra
    and Jennings 1998). target(t) = r + (best - r)(1 - t^(1/e)); e < 1 holds firm (Boulware), e = 1 is
    linear, e > 1 concedes early (Conceder). Among offers worth at least the target to itself, it proposes
    the one that leaves the least-satisfied other party best off relative to what it believes they need."""

    name = "time_dependent"
    description = "time-dependent concession with exponent e"
    needs = ("own utility", "beliefs about reservations", "deadline")
    source = "Faratin, Sierra and Jennings (1998), Robotics and Autonomous Systems 24"
    default_e = 1.0

    def __init__(self, e: float | None = None, **params: Any) -> None:
        super().__init__(**params)
        self.e = float(e if e is not None else self.default_e)
        if self.e <= 0:
            raise ValueError(f"concession exponent e must be positive, found {self.e}")

    def target(self, turn: Turn) -> float:
        r = turn.reservation
        best = turn.space.best_values[turn.me]  # aspiration: what the best deal would give if kept
        t = min(max(turn.progress, 0.0), 1.0)
        return r + max(best - r, 0.0) * (1.0 - t ** (1.0 / self.e))

    def threshold(self, turn: Turn) -> float:
        return max(self.target(turn), turn.reservation)

    def propose(self, turn: Turn) -> int:
        return propose_above(turn, self.target(turn))


def propose_above(turn: Turn, target: float) -> int:
    if isinstance(turn.space, BudgetSpace):  # a split not listed: the same choice, in closed form
        return turn.space.above(turn.me, target, turn.believed)
    cand = turn.candidates
    own = turn.candidate_value
    ok = own >= target - EPS
    if not ok.any():
        return int(cand[int(np.argmax(own))])
    space = turn.space
    if space.utility.shape[0] == 1:
        return int(cand[int(np.argmax(np.where(ok, own, -np.inf)))])
    # The least-satisfied other party's slack over what it is believed to need, on every candidate at once.
    others = space.others_of[turn.me]
    slack = space.frontier_others[turn.me] - turn.believed[others][:, None]
    score = slack.min(axis=0) + 1e-6 * own  # ties go to the proposer's own gain
    score[~ok] = -np.inf
    return int(cand[int(np.argmax(score))])


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


# ---------------------------------------------------------------- the value of waiting


class Waiting(TimeDependent):
    """Weighs the value of delay before it concludes. From its beliefs it projects, for each of the next
    meetings (up to `lookahead`), its own outside option then (its alternatives' drawn trends, less the
    wear of time) and what it believes each other party will need then (their alternatives' trends at
    their priors' means, and their wear); the value of waiting k meetings is the discount to the k-th
    power times the better of its outside option then and the best deal it expects the others to take
    then. It waits while the best such value exceeds the best deal it believes acceptable now: it asks
    at least that value, proposing and answering as a time-dependent concessor (exponent e) above it.

    This is the logic of bargaining when the balance of power shifts: a side whose alternatives improve
    prefers delay to a deal that reflects today's weaker position (Fearon 1996, on objects that influence
    future bargaining power; Powell 2004, the inefficient use of power; Powell 2006, war as a commitment
    problem: large, rapid shifts make the rising side unwilling to lock in today's terms), and a side that
    expects the other to give way first holds out as in a war of attrition (Fudenberg and Tirole 1986;
    Alesina and Drazen 1991). A side whose alternatives wear away, or with little patience, concludes.
    """

    name = "waiting"
    description = (
        "waits while the discounted value of waiting beats the best deal it can get now (e = 1)"
    )
    needs = (
        "own utility",
        "beliefs about reservations",
        "deadline",
        "discount factors",
        "the trends of its own and the others' alternatives",
    )
    source = (
        "Fearon (1996), 'Bargaining over objects that influence future bargaining power'; "
        "Powell (2004), APSR 98(2); Powell (2006), International Organization 60(1); "
        "Fudenberg and Tirole (1986), Econometrica 54(4); Alesina and Drazen (1991), AER 81(5)"
    )

    def __init__(self, e: float | None = None, lookahead: int = 30, **params: Any) -> None:
        super().__init__(e, **params)
        self.lookahead = int(lookahead)
        if self.lookahead < 1:
            raise ValueError(f"lookahead must be at least one meeting, found {self.lookahead}")

    @staticmethod
    def best_deal(turn: Turn, believed: np.ndarray) -> np.ndarray | float:
        """The value to the mover of the best offer it believes every other party would take (each given
        what the mover believes it needs): -inf when it believes none would be taken. `believed` is one
        row of needs, or several (one per future meeting), giving one value per row."""
        rows = np.atleast_2d(believed)
        others = turn.space.others_of[turn.me]
        if isinstance(turn.space, BudgetSpace):
            found = []
            for need in rows:
                offer = best_for_me_given(turn, {int(j): float(need[j]) for j in others})
                u = turn.space.utility[:, offer]
                ok = np.all(u[others] >= need[others] - EPS)
                found.append(float(turn.value_at(offer)) if ok else -math.inf)
            out = np.array(found)
        elif (by_other := turn.space.frontier_by_other[turn.me]) is not None:
            # one other party: the offers it takes are those giving it at least its need, a tail of the
            # frontier ordered by what it gives it, so the best for the mover is that tail's maximum
            order, given = by_other
            best_from = turn.__dict__.get("_best_from")
            if best_from is None:
                best_from = np.maximum.accumulate(turn.candidate_value[order][::-1])[::-1]
                turn.__dict__["_best_from"] = best_from
            first = np.searchsorted(given, rows[:, others[0]] - EPS, side="left")
            n = len(given)
            out = np.where(first < n, best_from[np.minimum(first, n - 1)], -np.inf)
        else:
            ok = np.all(
                turn.space.frontier_others[turn.me][None, :, :]
                >= rows[:, others][:, :, None] - EPS,
                axis=1,
            )
            out = np.where(ok, turn.candidate_value[None, :], -np.inf).max(axis=1)
        return out if np.ndim(believed) == 2 else float(out[0])

    def waiting_value(self, turn: Turn) -> tuple[float, int]:
        """The best discounted value of waiting, and how many meetings ahead it lies (-inf, 0 without an
        outlook)."""
        cached = turn.__dict__.get("_waiting")
        if cached is not None:
            return cached
        key = None
        if turn.revision is not None:  # an earlier turn today in the same world and beliefs
            believed = turn.believed
            key = (turn.table, turn.day, turn.revision, turn.reservation, believed.tobytes())
            memo = self.__dict__.setdefault("_memo", {})
            if memo.get("day") != turn.day:
                memo.clear()
                memo["day"] = turn.day
            cached = memo.get(key)
            if cached is not None:
                turn.__dict__["_waiting"] = cached
                return cached
        best, when = -math.inf, 0
        if turn.outlook is not None:
            ks, discounted = self._ahead(turn.discount(turn.me))
            own, believed = turn.outlook(ks)
            later = discounted * np.maximum(own, self.best_deal(turn, believed))
            k = int(np.argmax(later))  # the first of equally good waits
            best, when = float(later[k]), int(ks[k])
        turn.__dict__["_waiting"] = (best, when)
        if key is not None:
            self._memo[key] = (best, when)
        return best, when

    def _ahead(self, discount: float) -> tuple[np.ndarray, np.ndarray]:
        """The meetings looked at (1, ..., lookahead) and the discount to the power of each."""
        memo = self.__dict__.setdefault("_powers", {})
        found = memo.get(discount)
        if found is None:
            ks = np.arange(1, self.lookahead + 1)
            found = memo[discount] = (ks, discount**ks)
        return found

    def waits(self, turn: Turn) -> bool:
        """Whether waiting is worth more than the best deal it believes it can get now (or its outside
        option, if that is more)."""
        now = max(self.best_deal(turn, turn.believed), turn.reservation)
        return self.waiting_value(turn)[0] > now + EPS

    def floor(self, turn: Turn) -> float:
        return max(turn.reservation, self.waiting_value(turn)[0])

    def threshold(self, turn: Turn) -> float:
        return max(super().threshold(turn), self.floor(turn))

    def propose(self, turn: Turn) -> int:
        return propose_above(turn, max(self.target(turn), self.floor(turn)))

    def signs_own(self, turn: Turn, offer: int) -> bool:
        return bool(float(turn.value_at(offer)) >= self.floor(turn) - EPS)


# ---------------------------------------------------------------- reciprocity


class TitForTat(Strategy):
    """Relative tit-for-tat: concede, on its own scale, as much as the others conceded in their last
    offers (Faratin, Sierra and Jennings 1998, imitative tactics; Axelrod 1984). Opens with a small
    concession so that two reciprocators do not deadlock."""

    name = "tit_for_tat"
    description = "reciprocates the others' concessions"
    needs = ("own utility", "offer history")
    source = "Faratin, Sierra and Jennings (1998); Axelrod (1984)"

    def __init__(self, opening: float = 0.02, **params: Any) -> None:
        super().__init__(**params)
        self.opening = float(opening)

    def target(self, turn: Turn) -> float:
        own = turn.utility
        best = turn.space.best_values[turn.me]  # aspiration: what the best deal would give if kept
        received: dict[str, list[float]] = {}
        mine = turn.space.utility.shape[0]
        me_id = turn.actor
        for rnd in turn.history:
            if rnd.proposer != me_id:
                received.setdefault(rnd.proposer, []).append(float(own[rnd.offer]))
        conceded = sum(max(vals[-1] - vals[0], 0.0) for vals in received.values()) / max(
            mine - 1, 1
        )
        own_moves = sum(1 for rnd in turn.history if rnd.proposer == me_id)
        return max(turn.reservation, best - conceded - self.opening * min(own_moves, 1))

    def threshold(self, turn: Turn) -> float:
        return self.target(turn)

    def propose(self, turn: Turn) -> int:
        return propose_above(turn, self.target(turn))


# ---------------------------------------------------------------- textbook equilibrium play


class Rubinstein(Strategy):
    """Plays the stationary subgame-perfect equilibrium of the table it sits at, solved on the table itself
    (wargame.engine.bargaining.equilibrium) from the discount factors, who proposes when, the decision rule
    and every participant's outside option as the mover sees them (its own, and what it believes of the
    others'). As proposer it offers the other exactly what rejecting is worth to it (waiting a round, or
    its outside option) and keeps the rest; as responder it accepts an offer worth at least what rejecting
    is worth to itself. On a bilateral table with alternating offers this is Rubinstein's (1982) split,
    and with outside options that of Binmore, Shaked and Sutton (1989); the closed forms live in
    `solutions` and the tests hold the two together."""

    name = "rubinstein"
    description = "subgame-perfect offers of bilateral alternating offers, solved on the table"
    bilateral_only = True
    needs = ("own utility", "discount factors", "the others' outside options", "the decision rule")
    source = "Rubinstein (1982), Econometrica 50(1); Binmore, Shaked and Sutton (1989), QJE 104(4)"

    def propose(self, turn: Turn) -> int:
        w = game_of(turn).equilibrium(turn.believed).thresholds[turn.me]
        return best_for_me_given(turn, {j: float(w[j]) for j in turn.others})

    def threshold(self, turn: Turn) -> float:
        return equilibrium_threshold(turn)


def game_of(turn: Turn):
    """The game of the table the mover sits at (or, for a turn tried without a table, offers made in turn
    under unanimity over its offer space)."""
    if turn.game is not None:
        return turn.game
    from wargame.engine.bargaining.table_game import TableGame

    return TableGame.alternating(turn.space, turn.discounts)


def equilibrium_threshold(turn: Turn) -> float:
    """What rejecting the offer in front of it is worth to the mover in the table's equilibrium (waiting
    for the next round, or its outside option), as the mover sees the others' outside options."""
    if turn.proposer is None:  # a mediator's text: nobody at the table proposed it
        return turn.reservation
    w = game_of(turn).equilibrium(turn.believed).thresholds[turn.proposer]
    return max(float(w[turn.me]), turn.reservation)


class BaronFerejohn(Strategy):
    """The stationary equilibrium of a legislature that divides a budget by a (weighted) majority under a
    closed rule (Baron and Ferejohn 1989; with unequal recognition and discounting, Eraslan 2002), solved
    on the table it sits at: a proposer buys a winning coalition at its partners' equilibrium price (what
    rejecting is worth to each) and keeps the rest, choosing among equally cheap coalitions with the
    equilibrium's chances; a member accepts what is worth at least its price."""

    name = "baron_ferejohn"
    description = "closed-rule divide-the-dollar equilibrium proposals, solved on the table"
    stochastic = True  # the coalition partners are drawn among equally cheap members
    needs = ("own utility", "discount factors", "recognition chances", "the decision rule")
    source = "Baron and Ferejohn (1989), APSR 83(4); Eraslan (2002), JET 103(1)"

    def propose(self, turn: Turn) -> int:
        from wargame.engine.bargaining.equilibrium import SplitEquilibrium

        eq = game_of(turn).equilibrium(turn.believed)
        k = turn.me
        chances = eq.chances[k]
        if (
            not len(chances) or chances.sum() < 0.5
        ):  # it would rather wait or walk away than buy one
            return best_for_me_given(turn, {})
        pick = _draw(turn.rng, chances)
        if isinstance(eq, SplitEquilibrium):
            partners = eq.coalitions[k][pick]
            return best_for_me_given(turn, {j: float(eq.thresholds[k][j]) for j in partners})
        return int(turn.candidates[int(eq.proposals[k][pick])])

    def threshold(self, turn: Turn) -> float:
        return equilibrium_threshold(turn)


def _draw(rng, chances: np.ndarray) -> int:
    """One index drawn with the given chances (one uniform draw against their running sum)."""
    cumulative = np.cumsum(chances / chances.sum())
    return int(min(np.searchsorted(cumulative, rng.random(), side="right"), len(chances) - 1))


class NashProposer(Strategy):
    """Proposes the Nash (1950) bargaining solution of the table, with the disagreement point at what it
    believes each party's reservation is, and accepts what gives it at least its share there."""

    name = "nash"
    description = "proposes the Nash bargaining solution over believed reservations"
    needs = ("all utilities", "beliefs about reservations")
    source = "Nash (1950), Econometrica 18(2)"

    def solution(self, turn: Turn) -> int:
        from wargame.engine.bargaining.solutions import nash_solution

        d = turn.believed.copy()
        d[turn.me] = turn.reservation
        if isinstance(turn.space, BudgetSpace):
            found = turn.space.nash(d)
            if found is not None:
                return found
        cand = turn.candidates
        found = nash_solution(turn.space.frontier_utility, d)
        return (
            int(cand[int(np.argmax(turn.candidate_value))]) if found is None else int(cand[found])
        )

    def propose(self, turn: Turn) -> int:
        return self.solution(turn)

    def threshold(self, turn: Turn) -> float:
        return max(turn.reservation, float(turn.utility[self.solution(turn)]) - 1e-6)


# ---------------------------------------------------------------- moves from outside the model


class Scripted(Strategy):
    """Replays moves written in YAML, to re-enact history or script an exercise:
    params {offers: [{day: 3, terms: {issue: level}}], answers: [{day: 3, accept: true}]}.
    On a day with no scripted move it proposes its best offer and accepts anything above its reservation."""

    name = "scripted"
    description = "replays offers and answers written in the scenario"
    needs = ("a script",)

    def __init__(
        self, offers: list | None = None, answers: list | None = None, **params: Any
    ) -> None:
        super().__init__(**params)
        self.offers = {int(m["day"]): dict(m["terms"]) for m in offers or []}
        self.answers = {int(m["day"]): bool(m["accept"]) for m in answers or []}

    def propose(self, turn: Turn) -> int:
        terms = self.offers.get(turn.day)
        if terms is not None:
            return turn.space.offer_of(terms)
        return int(turn.candidates[int(np.argmax(turn.candidate_value))])

    def threshold(self, turn: Turn) -> float:
        return turn.reservation

    def signs_own(self, turn: Turn, offer: int) -> bool:
        if turn.day in self.offers:  # a scripted offer is signed as it was in the record
            return True
        return super().signs_own(turn, offer)

    def respond(self, turn: Turn, offer: int) -> bool:
        if turn.day in self.answers:
            return self.answers[turn.day]
        return super().respond(turn, offer)


class Seat(Strategy):
    """An actor meant to be played from outside the model: a student in the browser, or a program, through
    wargame.session.Game, where the seat's moves replace its strategy. Whenever nobody holds the seat
    (a batch run, or a seat handed to the model) it plays its `fallback` strategy (default: linear)."""

    name = "seat"
    description = "played from outside the model (human or program) when seated; else its fallback"
    needs = ("a person or program at the seat",)

    def __init__(self, fallback: str = "linear", **params: Any) -> None:
        super().__init__(**params)
        if fallback == "seat":
            raise ValueError("a seat's fallback cannot be another seat")
        self.fallback = make_strategy(fallback, {})

    def propose(self, turn: Turn) -> int:
        return self.fallback.propose(turn)

    def threshold(self, turn: Turn) -> float:
        return self.fallback.threshold(turn)

    def respond(self, turn: Turn, offer: int) -> bool:
        return self.fallback.respond(turn, offer)


REGISTRY: dict[str, type[Strategy]] = {
    cls.name: cls
    for cls in (
        TimeDependent,
        Boulware,
        Linear,
        Conceder,
        Waiting,
        TitForTat,
        Rubinstein,
        BaronFerejohn,
        NashProposer,
        Scripted,
        Seat,
    )
}


def make_strategy(name: str, params: dict | None = None) -> Strategy:
    if name not in REGISTRY:
        raise KeyError(name)
    return REGISTRY[name](**(params or {}))
