"""Stationary subgame-perfect equilibria of a table's bargaining game, solved on the table itself.

The game a table plays: each round a proposer is recognised (by rotation, or drawn with fixed chances),
offers a point of the table's offer space, and the others answer; the decision rule says whether it
passes. A responder who rejects may take its outside option instead of going on (Binmore, Shaked and
Sutton 1989); each player discounts a round's delay by its own factor.

In a stationary equilibrium (Rubinstein 1982; Baron and Ferejohn 1989; Banks and Duggan 2000) what each
player gets depends only on who is recognised: V[k, j] is j's payoff when k proposes. A responder j takes
an offer worth at least what rejecting is worth to it, w[k, j] = max(d_j E[V[next, j] | k], r_j). The
proposer k offers, among the offers whose acceptors form a winning coalition, one that is best for itself,
mixing evenly over equally good ones (so equally cheap partners are chosen with equal chance); if none is
worth to it as much as waiting, it makes an offer nobody takes, and if walking away is worth more still, it
walks away. The values are iterated to their fixed point, a contraction while every discount factor is
below 1.

Nothing here knows a closed form: `solutions` holds the textbook formulas, and the tests compare the two
(and check the solver's answer off the formulas' assumptions by a brute-force search of one-shot
deviations).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

TIE = 1e-9  # offers within this of a threshold or of the best are taken as equal


@dataclass(frozen=True)
class GameForm:
    """Everything about the game but the players' outside options."""

    utility: np.ndarray  # players x candidate offers
    discounts: np.ndarray  # per player: the factor one round's delay costs
    recognition: (
        np.ndarray
    )  # players x players: chance that k' proposes next round after k proposed
    weights: np.ndarray | None = None  # a weighted rule's weights; None: unanimity
    threshold: float = 1.0  # share of the total weight a winning coalition needs
    vetoes: tuple[int, ...] = ()

    @property
    def players(self) -> int:
        return self.utility.shape[0]

    def passes(self, accept: np.ndarray) -> np.ndarray:
        """For each offer (a column of `accept`, players x offers): does its set of acceptors win?"""
        if self.weights is None:
            return accept.all(axis=0)
        ok = self.weights @ accept >= self.threshold * self.weights.sum() - 1e-12
        for v in self.vetoes:
            ok &= accept[v]
        return ok


@dataclass(frozen=True)
class Equilibrium:
    values: np.ndarray  # V[k, j]: j's payoff when k is recognised
    thresholds: (
        np.ndarray
    )  # w[k, j]: what j needs to accept k's offer (w[k, k]: what k gets by waiting)
    proposals: tuple[
        np.ndarray, ...
    ]  # per proposer: the offers it mixes over (empty: it waits or walks)
    chances: tuple[np.ndarray, ...]  # per proposer: the chance of each of those offers
    walks: tuple[
        bool, ...
    ]  # per proposer: it prefers its outside option to any offer and to waiting
    iterations: int
    converged: bool
    outside: np.ndarray = field(repr=False)

    def expected(self, first: np.ndarray) -> np.ndarray:
        """Each player's expected payoff when the first proposer is drawn from `first`."""
        return first @ self.values


def rotation(n: int) -> np.ndarray:
    """Proposers take turns in seating order."""
    return np.roll(np.eye(n), 1, axis=1)


def drawn(chances: np.ndarray) -> np.ndarray:
    """Each round's proposer is drawn with these chances, whoever proposed before."""
    p = np.asarray(chances, dtype=float)
    return np.tile(p / p.sum(), (len(p), 1))


def solve(
    form: GameForm, outside: np.ndarray, tol: float = 1e-10, max_iter: int = 500
) -> Equilibrium:
    """The stationary equilibrium in pure proposals, from everyone's payoff at zero. Every proposer's values
    are updated together (Jacobi), which keeps a symmetric game's equilibrium symmetric (its proposers mix
    evenly over equally cheap partners); on a finite offer space that can alternate for ever between two
    of the grid's equilibria, and then the rows are updated one at a time (Gauss-Seidel) from where it
    stood, which settles on one. `converged` is False when neither reaches a fixed point: a game whose
    stationary equilibrium needs proposers to mix unevenly (for budget splits, `solve_split` finds it)."""
    r = np.asarray(outside, dtype=float)
    n = form.players
    values = np.zeros((n, n))
    iterations = 0
    for together in (True, False):
        history: list[np.ndarray] = []
        for _ in range(max_iter):
            iterations += 1
            new, thresholds, proposals, chances, walks = _sweep(form, r, values, together)
            if float(np.abs(new - values).max()) <= tol:
                return Equilibrium(new, thresholds, proposals, chances, walks, iterations, True, r)
            if any(float(np.abs(new - old).max()) <= tol for old in history[-4:]):
                break  # a cycle
            history.append(values)
            values = new
    return Equilibrium(new, thresholds, proposals, chances, walks, iterations, False, r)


def _sweep(form: GameForm, r: np.ndarray, values: np.ndarray, together: bool):
    """Every proposer's best reply to the stationary values, mixing evenly over its best offers: (new
    values, thresholds, offers, chances, walks); rows updated together, or one at a time."""
    u = form.utility
    n = form.players
    d = np.asarray(form.discounts, dtype=float)
    new = values.copy()
    thresholds = np.zeros((n, n))
    proposals, chances, walks = [], [], []
    nothing = np.empty(0, dtype=np.intp)
    for k in range(n):
        going_on = form.recognition[k] @ (values if together else new)  # E[V[next, j] | k proposed]
        wait = d * going_on
        thresholds[k] = np.maximum(wait, r)
        accept = u >= thresholds[k][:, None] - TIE
        accept[k] = True
        winning = np.flatnonzero(form.passes(accept))
        best = float(u[k, winning].max()) if winning.size else -np.inf
        if r[k] > max(best, wait[k]) + TIE:  # walking away beats any deal it can get and waiting
            new[k], offers, walk = r, nothing, True
        elif winning.size and best >= wait[k] - TIE:
            offers = winning[u[k, winning] >= best - TIE]
            new[k], walk = u[:, offers].mean(axis=1), False
        else:  # nothing it can pass is worth waiting for: an offer nobody takes
            new[k], offers, walk = wait, nothing, False
        proposals.append(offers)
        chances.append(np.full(offers.size, 1.0 / max(offers.size, 1)))
        walks.append(walk)
    return new, thresholds, tuple(proposals), tuple(chances), tuple(walks)


def reseated(form: GameForm, order: list[int]) -> GameForm:
    """The same game with the players seated in another order (row i of the new game is player
    order[i]): on a finite offer space the search may settle on another of several equilibria."""
    idx = np.asarray(order)
    position = {old: new for new, old in enumerate(order)}
    return GameForm(
        form.utility[idx],
        np.asarray(form.discounts)[idx],
        form.recognition[np.ix_(idx, idx)],
        None if form.weights is None else np.asarray(form.weights)[idx],
        form.threshold,
        tuple(position[v] for v in form.vetoes),
    )


def one_shot_deviation_gain(form: GameForm, eq: Equilibrium) -> float:
    """The most any player gains by deviating once from the equilibrium, then returning to it: as
    proposer, any other offer (it passes or not by the others' equilibrium answers); as responder, the
    opposite answer to any equilibrium proposal. Zero (up to rounding) in a subgame-perfect equilibrium
    (the one-shot deviation principle for discounted games)."""
    u = form.utility
    n = form.players
    d = np.asarray(form.discounts, dtype=float)
    r = eq.outside
    going_on = form.recognition @ eq.values
    worst = 0.0
    for k in range(n):
        w = eq.thresholds[k]
        # the proposer: any offer, judged by who would accept it in equilibrium
        accept = u >= w[:, None] - TIE
        accept[k] = True
        passes = form.passes(accept)
        deviation = np.where(passes, u[k], d[k] * going_on[k, k])
        best_deviation = max(float(deviation.max()), d[k] * going_on[k, k], r[k])
        worst = max(worst, best_deviation - float(eq.values[k, k]))
        # each responder: the other answer to each offer the proposer mixes over (that it really uses)
        for offer, chance in zip(eq.proposals[k], eq.chances[k], strict=True):
            if chance < 1e-6:
                continue
            accept_here = u[:, offer] >= w - TIE
            accept_here[k] = True
            passes_here = bool(form.passes(accept_here[:, None])[0])
            for j in range(n):
                if j == k:
                    continue
                rejecting = max(d[j] * going_on[k, j], r[j])  # what a failed round leaves j
                flipped = accept_here.copy()
                flipped[j] = not flipped[j]
                passes_flipped = bool(form.passes(flipped[:, None])[0])
                in_equilibrium = u[j, offer] if passes_here else rejecting
                deviating = u[j, offer] if passes_flipped else rejecting
                worst = max(worst, float(deviating - in_equilibrium))
    return worst


# ---------------------------------------------------------------- budget splits, without listing offers


@dataclass(frozen=True)
class SplitForm:
    """A budget divided among the players, each valuing what it is given linearly (its utility is `base`
    plus `slope` per unit of the budget it gets, in its best use): Baron and Ferejohn's divide-the-dollar
    and its weighted, discounted and unequally recognised kin. Solved over coalitions, not offers, so any
    precision of the split costs the same."""

    total: float
    base: np.ndarray  # each player's utility when it is given nothing
    slope: np.ndarray  # its utility per unit of the budget
    discounts: np.ndarray
    recognition: np.ndarray
    weights: np.ndarray | None = None
    threshold: float = 1.0
    vetoes: tuple[int, ...] = ()

    @property
    def players(self) -> int:
        return len(self.base)

    def coalitions(self, k: int) -> list[tuple[int, ...]]:
        """The sets of partners with whom proposer k's offer passes."""
        others = [j for j in range(self.players) if j != k]
        rule = GameForm(
            np.zeros((self.players, 1)),
            self.discounts,
            self.recognition,
            self.weights,
            self.threshold,
            self.vetoes,
        )
        found = []
        for size in range(len(others) + 1):
            for partners in itertools.combinations(others, size):
                accept = np.zeros((self.players, 1), dtype=bool)
                accept[[k, *partners]] = True
                if rule.passes(accept)[0]:
                    found.append(partners)
        return found


@dataclass(frozen=True)
class SplitEquilibrium:
    values: np.ndarray  # V[k, j]
    thresholds: np.ndarray  # w[k, j]: the utility j needs to accept k's offer
    coalitions: tuple[
        tuple[tuple[int, ...], ...], ...
    ]  # per proposer: the partner sets it may choose
    chances: tuple[np.ndarray, ...]  # per proposer: the chance of each
    iterations: int
    converged: bool
    outside: np.ndarray = field(repr=False)

    def cost(self, form: SplitForm, k: int) -> np.ndarray:
        """What giving each player its threshold takes out of the budget when k proposes."""
        return _costs(form, self.thresholds[k])


def _costs(form: SplitForm, w: np.ndarray) -> np.ndarray:
    need = np.maximum(w - form.base, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(need <= TIE, 0.0, np.where(form.slope > 0, need / form.slope, np.inf))


SPLIT_TAUS = (0.05, 0.02, 0.01, 5e-3, 2e-3, 1e-3, 5e-4, 2e-4, 1e-4, 5e-5, 2e-5, 1e-5, 1e-6)


def solve_split(form: SplitForm, outside: np.ndarray) -> SplitEquilibrium:
    """The stationary equilibrium of the budget split. Each proposer buys a winning coalition at its
    partners' thresholds and keeps the rest; among equally cheap coalitions it mixes, with the chances
    that keep the partners equally cheap (Eraslan 2002: the payoffs are unique). The chances are found by a
    smoothed search: proposers choose coalitions with chances falling off as exp(-extra cost / tau), and
    for each tau on a path towards zero the stationary values are the root of a smooth equation (scipy's
    hybrid Powell method, started from the last tau's root). When every round's proposer is drawn with the
    same chances, only each player's expected value is unknown (n unknowns, not n x n). `converged` says whether the answer is an equilibrium of the
    unsmoothed game: no proposer gains by choosing another coalition, waiting or walking away."""
    from scipy import optimize

    r = np.asarray(outside, dtype=float)
    n = form.players
    members = tuple(_members(form.coalitions(k), n) for k in range(n))
    drawn_alike = bool(np.allclose(form.recognition, form.recognition[0][None, :]))
    values = np.tile(np.maximum(form.base, r), (n, 1))
    iterations = 0
    for tau in SPLIT_TAUS:
        if drawn_alike:  # the unknowns: each player's expected value before the proposer is drawn

            def gap(v, tau=tau):
                rows = _split_sweep(form, r, np.tile(v, (n, 1)), members, tau)[0]
                return form.recognition[0] @ rows - v

            found = optimize.root(
                gap, form.recognition[0] @ values, method="hybr", options={"xtol": 1e-13}
            )
            iterations += int(found.nfev)
            if found.success:
                values = _split_sweep(form, r, np.tile(found.x, (n, 1)), members, tau)[0]
        else:

            def gap(x, tau=tau):
                return (
                    _split_sweep(form, r, x.reshape(n, n), members, tau)[0] - x.reshape(n, n)
                ).ravel()

            found = optimize.root(gap, values.ravel(), method="hybr", options={"xtol": 1e-13})
            iterations += int(found.nfev)
            if found.success:
                values = found.x.reshape(n, n)
    values, thresholds, chances = _split_sweep(form, r, values, members, SPLIT_TAUS[-1])
    coalitions = tuple(
        tuple(tuple(int(j) for j in np.flatnonzero(row)) for row in m) for m in members
    )
    eq = SplitEquilibrium(values, thresholds, coalitions, chances, iterations, True, r)
    converged = split_deviation_gain(form, eq) <= 1e-6  # the answer is an equilibrium of the game
    return SplitEquilibrium(values, thresholds, coalitions, chances, iterations, converged, r)


def _members(coalitions: list[tuple[int, ...]], n: int) -> np.ndarray:
    """The partner sets as rows of a 0/1 matrix (coalitions x players)."""
    out = np.zeros((len(coalitions), n))
    for i, partners in enumerate(coalitions):
        out[i, list(partners)] = 1.0
    return out


def _split_sweep(form: SplitForm, r: np.ndarray, values: np.ndarray, members, tau: float):
    d = np.asarray(form.discounts, dtype=float)
    n = form.players
    going_on = form.recognition @ values
    thresholds = np.maximum(d[None, :] * going_on, r[None, :])
    new = np.empty_like(values)
    chances = []
    for k in range(n):
        wait = d * going_on[k]
        cost = _costs(form, thresholds[k])
        m = members[k]
        spend = m @ np.where(np.isfinite(cost), cost, 1e9)
        own = form.base[k] + form.slope[k] * (form.total - spend)
        own = np.where(spend <= form.total + TIE, own, -1e9)
        options = np.append(
            own, [wait[k], r[k]]
        )  # a coalition, an offer nobody takes, walking away
        best = options.max()
        p = np.exp(np.clip((options - best) / max(tau, 1e-12), -700.0, 0.0))
        p /= p.sum()
        given = np.maximum(thresholds[k], form.base)
        payoff = form.base[None, :] + m * (given - form.base)[None, :]  # coalitions x players
        payoff[:, k] = own
        new[k] = p[:-2] @ payoff + p[-2] * wait + p[-1] * r
        chances.append(p[:-2])
    return new, thresholds, tuple(chances)


def split_deviation_gain(form: SplitForm, eq: SplitEquilibrium) -> float:
    """The most a proposer gains by buying any other winning coalition, waiting or walking away instead of
    its equilibrium choice (responders are offered exactly their thresholds, so neither answer gains)."""
    d = np.asarray(form.discounts, dtype=float)
    going_on = form.recognition @ eq.values
    worst = 0.0
    for k in range(form.players):
        cost = eq.cost(form, k)
        best = max(
            (
                form.base[k] + form.slope[k] * (form.total - sum(cost[j] for j in partners))
                for partners in eq.coalitions[k]
                if sum(cost[j] for j in partners) <= form.total + TIE
            ),
            default=-np.inf,
        )
        best = max(best, d[k] * going_on[k, k], eq.outside[k])
        worst = max(worst, float(best - eq.values[k, k]))
    return worst
