"""Bargaining solutions over a table of offers, and the closed-form values the literature publishes.

Every function takes plain numpy data: `utility` is players x offers (an `OfferSpace.utility`), points
such as a disagreement or a reservation are one value per player. Nothing here needs a model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TIE_TOLERANCE = 1e-12
"""Relative gap under which two offers' scores count as tied (floating products and quotients
round differently for the same value); ties are broken towards Pareto-optimal offers."""

_CHUNK = 512  # candidates compared at once in the n-player frontier: chunk x frontier booleans


# --------------------------------------------------------------------------------------------------
# Input checking


def _utility(utility: np.ndarray) -> np.ndarray:
    u = np.asarray(utility, dtype=float)
    if u.ndim != 2:
        raise ValueError(f"utility must be players x offers (2-D), got shape {u.shape}")
    if np.isnan(u).any():
        raise ValueError("utility contains NaN")
    return u


def _point(values: Sequence[float] | np.ndarray, n_players: int, name: str) -> np.ndarray:
    p = np.asarray(values, dtype=float).reshape(-1)
    if p.shape != (n_players,):
        raise ValueError(f"{name} needs one value per player ({n_players}), got {p.shape[0]}")
    if np.isnan(p).any():
        raise ValueError(f"{name} contains NaN")
    return p


def _discount(d: float, name: str) -> float:
    if not 0.0 <= d <= 1.0:
        raise ValueError(f"{name} is a discount factor in [0, 1], got {d}")
    return float(d)


# --------------------------------------------------------------------------------------------------
# Pareto frontier


def pareto_frontier(utility: np.ndarray) -> np.ndarray:
    """Indices (ascending) of the offers no other offer Pareto-dominates.

    Offer k dominates offer j when every player likes k at least as much as j and some player likes
    it strictly more (the textbook definition, e.g. Osborne and Rubinstein 1994, "A Course in Game
    Theory", 7.3; NegMAS's `pareto_frontier`). Offers with identical utilities do not dominate one
    another, so duplicates on the frontier are all kept.

    Two players: sort by the first player's utility descending (second descending within ties) and
    sweep; offer j survives when its second utility beats every offer with a strictly larger first
    utility and equals the best of its own tie group. O(N log N).

    More players: collapse duplicate utility vectors, replace each player's utilities by dense
    integer ranks (same order, exact sums) and sort by rank sum descending, so any dominator of an
    offer comes strictly before it. Some frontier offer dominates every dominated offer (the
    relation is transitive and the table finite), so each chunk of candidates need only be
    compared, in numpy blocks, with the frontier found so far and with itself. Cost is about
    N x F x n comparisons for F frontier offers, less where high-sum offers knock candidates out
    early: 50k offers take ~0.1 s with 3 players, a few seconds with 10 (frontier ~10k).
    """
    u = _utility(utility)
    n_players, n_offers = u.shape
    if n_offers == 0:
        return np.zeros(0, dtype=np.intp)
    if n_players == 0:
        return np.arange(n_offers)
    if n_players == 1:
        return np.flatnonzero(u[0] == u[0].max())
    if n_players == 2:
        return _pareto_two(u[0], u[1])
    return _pareto_many(u)


def _pareto_two(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    order = np.lexsort((-b, -a))  # a descending, then b descending
    a_s, b_s = a[order], b[order]
    n = len(order)
    starts = np.r_[True, a_s[1:] != a_s[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    running_best_b = np.maximum.accumulate(b_s)
    # best b among offers with strictly larger a: the running best just before this group began
    best_above = np.where(group_start > 0, running_best_b[group_start - 1], -np.inf)
    keep = (b_s > best_above) & (b_s == b_s[group_start])
    return np.sort(order[keep])


def _covers(dominators: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """[k, j]: is dominator row k at least as good as candidate row j for every player?"""
    covers = dominators[:, None, 0] >= candidates[None, :, 0]
    for p in range(1, candidates.shape[1]):
        covers &= dominators[:, None, p] >= candidates[None, :, p]
    return covers


def _dense_ranks(values: np.ndarray) -> np.ndarray:
    """0 for the smallest value, 1 for the next distinct one, ...: same order, integer arithmetic."""
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    ranks = np.empty(len(values), dtype=np.intp)
    ranks[order] = np.concatenate([[0], np.cumsum(ranked[1:] != ranked[:-1])])
    return ranks


def _pareto_many(u: np.ndarray) -> np.ndarray:
    # Work on each player's dense ranks, which order offers exactly as the utilities do but compare
    # faster and sum exactly, and on distinct rank vectors, so that "at least as good for everyone"
    # already means "dominates".
    ranks = np.vstack([_dense_ranks(row) for row in u])
    ranks = ranks.astype(np.min_scalar_type(int(ranks.max())))
    lex = np.lexsort(ranks)
    grouped = ranks[:, lex]
    first = np.concatenate([[True], (grouped[:, 1:] != grouped[:, :-1]).any(axis=0)])
    which = np.empty(u.shape[1], dtype=np.intp)  # offer -> its distinct vector
    which[lex] = np.cumsum(first) - 1
    vectors = np.ascontiguousarray(grouped[:, first].T)
    order = np.argsort(-vectors.sum(axis=1, dtype=np.int64), kind="stable")
    ordered = vectors[order]
    on_frontier = np.zeros(len(vectors), dtype=bool)
    frontier = ordered[:0]
    for start in range(0, len(ordered), _CHUNK):
        alive = np.arange(start, min(start + _CHUNK, len(ordered)))
        # against the frontier so far, in blocks, dropping a candidate as soon as it falls
        for f0 in range(0, len(frontier), _CHUNK):
            alive = alive[~_covers(frontier[f0 : f0 + _CHUNK], ordered[alive]).any(axis=0)]
            if not len(alive):
                break
        if len(alive):
            inner = _covers(ordered[alive], ordered[alive])
            np.fill_diagonal(inner, False)
            alive = alive[~inner.any(axis=0)]
            on_frontier[order[alive]] = True
            frontier = np.concatenate([frontier, ordered[alive]])
    return np.flatnonzero(on_frontier[which])


# --------------------------------------------------------------------------------------------------
# Bargaining solutions on a table


def _pick(score: np.ndarray, eligible: np.ndarray, gains: np.ndarray) -> int | None:
    """The eligible offer with the highest score; among near-ties a Pareto-optimal one with the
    largest total gain, then the lowest index. Assumes score is monotone under Pareto dominance,
    so the tie set holds every dominator of its members and its own frontier is Pareto-optimal."""
    candidates = np.flatnonzero(eligible)
    if not len(candidates):
        return None
    s = score[candidates]
    best = s.max()
    tied = candidates[s >= best - TIE_TOLERANCE * abs(best)]
    if len(tied) == 1:
        return int(tied[0])
    tied = tied[pareto_frontier(gains[:, tied])]
    return int(tied[np.argmax(gains[:, tied].sum(axis=0))])


def nash_solution(utility: np.ndarray, disagreement: Sequence[float] | np.ndarray) -> int | None:
    """The offer maximising the Nash product prod_i (u_i - d_i) over offers where no player loses.

    Nash (1950), "The Bargaining Problem", Econometrica 18(2): 155-162: the unique solution
    satisfying Pareto optimality, symmetry, scale invariance and independence of irrelevant
    alternatives maximises the product of gains over the disagreement point d. On a finite table
    the feasible set is the offers with u_i >= d_i for every player; None if there are none. Ties
    (within TIE_TOLERANCE) go to a Pareto-optimal offer with the largest total gain, then the lowest
    index, so a degenerate product of zero still returns an undominated offer.
    """
    u = _utility(utility)
    gains = u - _point(disagreement, u.shape[0], "disagreement")[:, None]
    rational = (gains >= 0).all(axis=0)
    return _pick(np.prod(gains, axis=0), rational, gains)


def kalai_smorodinsky(
    utility: np.ndarray, disagreement: Sequence[float] | np.ndarray
) -> int | None:
    """The individually rational Pareto offer maximising min_i (u_i - d_i) / (ideal_i - d_i).

    Kalai and Smorodinsky (1975), "Other Solutions to Nash's Bargaining Problem", Econometrica
    43(3): 513-518: replace independence of irrelevant alternatives by monotonicity, and the
    solution is the Pareto point on the segment from d to the ideal (utopia) point, where each
    player's gain is the same fraction of its best possible gain. On a finite table no offer need
    lie on that segment, so we take the maximin of those fractions (the discrete form NegMAS and
    Genius use). ideal_i = best u_i among individually rational offers (u >= d for all). A player
    whose ideal equals its disagreement value cannot gain anywhere and is left out of the minimum.
    Ties go to a Pareto-optimal offer with the largest total normalised gain, then the lowest index;
    the maximin of a monotone score has a Pareto-optimal maximiser, so the result is on the
    frontier. None if no offer is individually rational.
    """
    u = _utility(utility)
    gains = u - _point(disagreement, u.shape[0], "disagreement")[:, None]
    rational = (gains >= 0).all(axis=0)
    if not rational.any():
        return None
    ideal_gain = np.where(rational, gains, -np.inf).max(axis=1)
    can_gain = ideal_gain > 0
    if not can_gain.any():
        return _pick(np.zeros(u.shape[1]), rational, gains)
    ratio = gains[can_gain] / ideal_gain[can_gain, None]
    return _pick(ratio.min(axis=0), rational, ratio)


# --------------------------------------------------------------------------------------------------
# Zone of possible agreement


@dataclass(frozen=True)
class ZopaSummary:
    """How large the zone of possible agreement is, and each player's best offer inside it.

    `best_offer[i]` / `best_utility[i]` are player i's favourite offer in the zone and its utility;
    both tuples are empty when the zone is."""

    count: int
    share: float  # of all offers on the table
    best_offer: tuple[int, ...]
    best_utility: tuple[float, ...]


def zopa(utility: np.ndarray, reservations: Sequence[float] | np.ndarray) -> np.ndarray:
    """Indices of the offers every player weakly prefers to its reservation value.

    The zone of possible agreement (Raiffa 1982, "The Art and Science of Negotiation", ch. 4; Walton
    and McKersie 1965 call it the settlement range): offers with u_i >= r_i for every player i.
    An empty array means no agreement can satisfy everyone.
    """
    u = _utility(utility)
    r = _point(reservations, u.shape[0], "reservations")
    return np.flatnonzero(
        (u >= r[:, None] - 1e-9).all(axis=0)
    )  # an end point is not lost to rounding


def zopa_summary(utility: np.ndarray, reservations: Sequence[float] | np.ndarray) -> ZopaSummary:
    """Size of the zone of possible agreement (see `zopa`) and each player's best offer in it.

    A player's best offer breaks ties by the others' total utility, then the lowest index.
    """
    u = _utility(utility)
    inside = zopa(u, reservations)
    n_offers = u.shape[1]
    share = len(inside) / n_offers if n_offers else 0.0
    if not len(inside):
        return ZopaSummary(0, share, (), ())
    z = u[:, inside]
    top = z == z.max(axis=1, keepdims=True)
    total = z.sum(axis=0)
    pick = np.argmax(np.where(top, total[None, :], -np.inf), axis=1)
    best = inside[pick]
    return ZopaSummary(
        count=len(inside),
        share=share,
        best_offer=tuple(int(k) for k in best),
        best_utility=tuple(float(x) for x in z[np.arange(u.shape[0]), pick]),
    )


# --------------------------------------------------------------------------------------------------
# Closed forms from the literature


def rubinstein_share(d1: float, d2: float) -> float:
    """The first proposer's share of a unit pie in alternating offers: (1 - d2) / (1 - d1 d2).

    Rubinstein (1982), "Perfect Equilibrium in a Bargaining Model", Econometrica 50(1): 97-109.
    Player 1 proposes at t = 0, 2, 4, ..., player 2 at t = 1, 3, ...; player i values x at time t as
    d_i^t x. The unique subgame perfect equilibrium agrees at once, player 1 taking
    (1 - d2) / (1 - d1 d2) and player 2 the rest, d2 (1 - d1) / (1 - d1 d2).
    """
    d1, d2 = _discount(d1, "d1"), _discount(d2, "d2")
    if d1 * d2 == 1.0:
        raise ValueError("with d1 = d2 = 1 no one is impatient and every split is an equilibrium")
    return (1.0 - d2) / (1.0 - d1 * d2)


def rubinstein_with_outside_option(d1: float, d2: float, outside_b: float) -> float:
    """First proposer A's share when the responder B can walk away to an outside option worth b.

    Timing (Osborne and Rubinstein 1990, "Bargaining and Markets", section 3.12; Shaked and Sutton
    1984; Binmore, Shaked and Sutton 1989, QJE 104(4): 753-770): as in `rubinstein_share`, A
    proposes in even periods and B in odd ones; whenever B responds to an offer of A it may accept,
    reject and counter-offer next period, or opt out at once, ending the game with (0, b) at that
    date. A has no outside option and B cannot opt out after its own offer is rejected.

    Stationary SPE: A offers x (A's share) and B accepts iff 1 - x >= max(b, d2 (1 - y)); B offers
    y and A accepts iff y >= d1 x. So y = d1 x and B's share as responder solves
    1 - x = max(b, d2 (1 - d1 x)). Without the option, 1 - x* = d2 (1 - d1) / (1 - d1 d2)
    (= d2 * rubinstein_share(d2, d1)). The outside option principle follows:

        A's share = 1 - max(b, d2 (1 - d1) / (1 - d1 d2)) = min(rubinstein_share(d1, d2), 1 - b).

    The option binds only when b exceeds what B gets without it, and then B gets exactly b, no more;
    O&R prove uniqueness for d1 = d2 = delta (threshold delta / (1 + delta)), and the same
    fixed-point argument gives the formula above for unequal factors. b <= 0 never binds; b > 1
    leaves no split B would accept, so it is rejected as input.
    """
    if outside_b > 1.0:
        raise ValueError(f"an outside option of {outside_b} exceeds the whole pie: no agreement")
    return min(rubinstein_share(d1, d2), 1.0 - float(outside_b))


def baron_ferejohn_closed_rule(n: int, delta: float) -> tuple[float, float, int]:
    """(proposer share, each partner's share, number of partners) in a legislature dividing a dollar.

    Baron and Ferejohn (1989), "Bargaining in Legislatures", APSR 83(4): 1181-1206, closed rule,
    n odd, each member recognised with probability 1/n, majority (n + 1) / 2. In the stationary
    equilibrium each member's continuation value is delta / n; the proposer buys the (n - 1) / 2
    cheapest votes at delta / n each and keeps 1 - delta (n - 1) / (2 n). Agreement is immediate.
    """
    if n < 3 or n % 2 == 0:
        raise ValueError(f"the closed-rule result is for an odd legislature of 3 or more, got {n}")
    delta = _discount(delta, "delta")
    partners = (n - 1) // 2
    return 1.0 - delta * (n - 1) / (2 * n), delta / n, partners


def fearon_range(p: float, cost_a: float, cost_b: float) -> tuple[float, float]:
    """The bargaining range of A's share that both sides prefer to war: [p - c_A, p + c_B] in [0, 1].

    Fearon (1995), "Rationalist Explanations for War", International Organization 49(3): 379-414:
    A wins a war with probability p, costs are c_A and c_B in units of the good, so war is worth
    p - c_A to A and 1 - p - c_B to B. A accepts any share x >= p - c_A and B any x <= p + c_B;
    with positive costs the range is never empty. Bounds are clipped to [0, 1].
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p is a probability, got {p}")
    if cost_a < 0 or cost_b < 0:
        raise ValueError(f"costs of war must be non-negative, got {cost_a} and {cost_b}")
    return max(0.0, p - cost_a), min(1.0, p + cost_b)


def nash_linear_frontier(disagreement: Sequence[float], total: float = 1.0) -> tuple[float, float]:
    """The Nash solution (u1, u2) on the frontier u1 + u2 = total from disagreement (d1, d2).

    Nash (1950): maximising (u1 - d1)(total - u1 - d2) splits the surplus total - d1 - d2 equally,
    u1 = d1 + (total - d1 - d2) / 2, u2 = d2 + (total - d1 - d2) / 2.
    """
    d1, d2 = (float(x) for x in disagreement)
    surplus = total - d1 - d2
    if surplus < 0:
        raise ValueError(f"disagreement ({d1}, {d2}) lies beyond the frontier u1 + u2 = {total}")
    return d1 + surplus / 2, d2 + surplus / 2
