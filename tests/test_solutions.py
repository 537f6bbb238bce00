"""Bargaining solutions and closed forms against the values the literature publishes."""

from __future__ import annotations

import numpy as np
import pytest

from wargame import WargameModel, load_scenario
from wargame.engine.bargaining.solutions import (
    ZopaSummary,
    baron_ferejohn_closed_rule,
    fearon_range,
    kalai_smorodinsky,
    nash_linear_frontier,
    nash_solution,
    pareto_frontier,
    rubinstein_share,
    rubinstein_with_outside_option,
    zopa,
    zopa_summary,
)

from .conftest import MINI


def unit_pie(n: int = 1001) -> np.ndarray:
    """Splits of a unit pie on a grid: row 0 gets x, row 1 gets 1 - x."""
    x = np.linspace(0.0, 1.0, n)
    return np.vstack([x, 1.0 - x])


def dominated_brute_force(u: np.ndarray) -> np.ndarray:
    """For each offer, is some other offer at least as good for all and better for one? O(N^2)."""
    at_least = (u[:, :, None] >= u[:, None, :]).all(axis=0)  # [k, j]: k >= j everywhere
    better = (u[:, :, None] > u[:, None, :]).any(axis=0)
    return (at_least & better).any(axis=0)


# --- Rubinstein 1982 ---------------------------------------------------------------------------


def test_rubinstein_symmetric_patience():
    """Rubinstein (1982): with d1 = d2 = 0.9 the first proposer gets 1 / (1 + 0.9) = 1 / 1.9."""
    assert rubinstein_share(0.9, 0.9) == pytest.approx(1 / 1.9)


def test_rubinstein_asymmetric_patience():
    """Rubinstein (1982): d1 = 0.9, d2 = 0.8 gives (1 - 0.8) / (1 - 0.72) = 5/7 to the proposer."""
    assert rubinstein_share(0.9, 0.8) == pytest.approx(5 / 7)
    # the more patient side does better as responder too: swap roles
    assert rubinstein_share(0.8, 0.9) == pytest.approx(0.1 / 0.28)


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.9, 0.8), (0.5, 0.95), (0.99, 0.3)])
def test_rubinstein_responders_are_indifferent(d1, d2):
    """Rubinstein (1982): in the SPE each responder is indifferent between accepting and waiting
    to propose next period: 1 - x = d2 * y2 and 1 - y2 = d1 * x, x and y2 each proposer's share."""
    x, y2 = rubinstein_share(d1, d2), rubinstein_share(d2, d1)
    assert 1 - x == pytest.approx(d2 * y2)
    assert 1 - y2 == pytest.approx(d1 * x)


def test_rubinstein_limits():
    """Rubinstein (1982): an impatient responder (d2 = 0) gets nothing; equal patience tending
    to 1 tends to the even split; d1 = d2 = 1 has no unique equilibrium."""
    assert rubinstein_share(0.9, 0.0) == 1.0
    assert rubinstein_share(0.9999, 0.9999) == pytest.approx(0.5, abs=1e-4)
    with pytest.raises(ValueError):
        rubinstein_share(1.0, 1.0)
    with pytest.raises(ValueError):
        rubinstein_share(1.2, 0.5)


# --- Outside options: Shaked and Sutton 1984; Binmore, Shaked and Sutton 1989 -------------------


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.9, 0.8), (0.6, 0.95)])
def test_outside_option_below_share_changes_nothing(d1, d2):
    """Outside option principle (Binmore, Shaked and Sutton 1989; Osborne and Rubinstein 1990,
    3.12): an option worth less than B's Rubinstein share is not a credible threat."""
    share_b = 1 - rubinstein_share(d1, d2)
    for b in (0.0, 0.5 * share_b, share_b - 1e-9, -0.3):
        assert rubinstein_with_outside_option(d1, d2, b) == pytest.approx(rubinstein_share(d1, d2))


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.9, 0.8), (0.6, 0.95)])
def test_outside_option_above_share_gives_b_exactly_the_option(d1, d2):
    """Outside option principle (Binmore, Shaked and Sutton 1989): once the option beats B's
    share, B gets exactly the option and no more, and rejecting to counter-offer is worse for B."""
    share_b = 1 - rubinstein_share(d1, d2)
    for b in (share_b + 0.01, (share_b + 1) / 2, 1.0):
        a = rubinstein_with_outside_option(d1, d2, b)
        assert 1 - a == pytest.approx(b)
        assert d2 * (1 - d1 * a) <= b + 1e-12  # B's value of rejecting and countering


def test_outside_option_threshold_with_common_discount():
    """Osborne and Rubinstein (1990), 3.12: with a common factor delta the option binds exactly
    when b > delta / (1 + delta), B's share without it."""
    delta = 0.9
    threshold = delta / (1 + delta)
    assert rubinstein_with_outside_option(delta, delta, threshold) == pytest.approx(1 / 1.9)
    assert rubinstein_with_outside_option(delta, delta, threshold + 0.05) == pytest.approx(
        1 - threshold - 0.05
    )
    with pytest.raises(ValueError):
        rubinstein_with_outside_option(delta, delta, 1.1)


# --- Nash 1950 ----------------------------------------------------------------------------------


def test_nash_on_discretised_unit_pie():
    """Nash (1950): on u1 + u2 = 1 with disagreement (0.2, 0.1) the solution splits the surplus
    0.7 equally, u1 = 0.55; the 1001-point grid holds that split."""
    u = unit_pie()
    k = nash_solution(u, (0.2, 0.1))
    assert u[0, k] == pytest.approx(0.55, abs=1e-3)
    assert u[0, k] == pytest.approx(nash_linear_frontier((0.2, 0.1))[0], abs=1e-3)


def test_nash_linear_frontier_closed_form():
    """Nash (1950): equal split of the surplus over the disagreement point."""
    assert nash_linear_frontier((0.2, 0.1)) == pytest.approx((0.55, 0.45))
    assert nash_linear_frontier((0.0, 0.0), total=2.0) == pytest.approx((1.0, 1.0))
    with pytest.raises(ValueError):
        nash_linear_frontier((0.7, 0.5))


def test_nash_on_concave_frontier():
    """Nash (1950): on u2 = 1 - u1^2 from (0, 0), maximising u1 (1 - u1^2) gives u1 = 1/sqrt(3)."""
    x = np.linspace(0.0, 1.0, 10_001)
    k = nash_solution(np.vstack([x, 1 - x**2]), (0.0, 0.0))
    assert x[k] == pytest.approx(1 / np.sqrt(3), abs=1e-4)


def test_nash_is_invariant_to_rescaling_a_player():
    """Nash (1950), invariance to affine transformations: rescaling one player's utility (and its
    disagreement value) leaves the chosen offer unchanged."""
    rng = np.random.default_rng(0)
    u = rng.random((3, 200))
    d = np.array([0.2, 0.3, 0.1])
    k = nash_solution(u, d)
    scale, shift = np.array([[3.0], [0.5], [1.0]]), np.array([[1.0], [-2.0], [0.0]])
    assert nash_solution(u * scale + shift, d * scale[:, 0] + shift[:, 0]) == k


def test_nash_none_without_individually_rational_offer():
    """Nash (1950): the solution lives in the set where no one is worse off than disagreement."""
    assert nash_solution(unit_pie(), (0.6, 0.5)) is None


def test_nash_tie_goes_to_an_undominated_offer():
    """Nash (1950) requires Pareto optimality: when the product is zero everywhere (player 1
    cannot gain), the chosen offer must still be undominated, not merely the first feasible."""
    u = np.array([[0.0, 0.0, 0.0, 0.0], [0.2, 0.5, 0.9, 0.9]])
    assert nash_solution(u, (0.0, 0.0)) == 2
    # offer 1 dominates offer 0 by less than the rounding of their total gains (1 + 1e-17 == 1)
    u = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1e-17]])
    assert nash_solution(u, (0.0, 0.0, 0.0)) == 1


# --- Kalai and Smorodinsky 1975 -----------------------------------------------------------------

#                 A    B    C    D    E     G     J
KS_TABLE = np.array(
    [
        [1.0, 0.0, 0.6, 0.4, 0.8, 0.5, 0.7],
        [0.0, 0.5, 0.3, 0.4, 0.15, 0.38, 0.25],
    ]
)


def test_kalai_smorodinsky_on_asymmetric_table():
    """Kalai and Smorodinsky (1975): ideal point (1, 0.5); normalised gains' minima are
    A 0, B 0, C 0.6, D 0.4, E 0.3, G 0.5, J 0.5, so C. The Nash product prefers G (0.19 > 0.18)."""
    assert kalai_smorodinsky(KS_TABLE, (0.0, 0.0)) == 2
    assert nash_solution(KS_TABLE, (0.0, 0.0)) == 5


def test_kalai_smorodinsky_ideal_counts_only_rational_offers():
    """Kalai and Smorodinsky (1975): the ideal point is the best each player gets in the
    bargaining set. An offer worth 1.4 to player 1 but below player 2's disagreement value must
    not raise player 1's ideal (that would move the answer from C to J)."""
    u = np.hstack([KS_TABLE, [[1.4], [-0.1]]])
    assert kalai_smorodinsky(u, (0.0, 0.0)) == 2
    assert kalai_smorodinsky(u, (0.0, -0.2)) == 6  # now it is in the set and the ideal is 1.4


def test_kalai_smorodinsky_on_concave_frontier():
    """Kalai and Smorodinsky (1975): on u2 = 1 - u1^2 from (0, 0) the ideal is (1, 1), and the
    solution has equal gains: u = 1 - u^2, u = (sqrt 5 - 1) / 2, away from Nash's 1/sqrt 3."""
    x = np.linspace(0.0, 1.0, 10_001)
    k = kalai_smorodinsky(np.vstack([x, 1 - x**2]), (0.0, 0.0))
    assert x[k] == pytest.approx((np.sqrt(5) - 1) / 2, abs=1e-4)


def test_kalai_smorodinsky_tie_goes_to_the_pareto_offer():
    """Kalai and Smorodinsky (1975): the solution is Pareto optimal. (0.6, 0.3) and (0.6, 0.35)
    tie on the minimum normalised gain 0.6; the dominated one comes first and must lose."""
    u = np.array([[1.0, 0.0, 0.6, 0.6], [0.0, 0.5, 0.3, 0.35]])
    assert kalai_smorodinsky(u, (0.0, 0.0)) == 3
    assert kalai_smorodinsky(u, (0.7, 0.7)) is None


# --- Pareto frontier -----------------------------------------------------------------------------

#                 0    1    2    3    4    5    6    7    8
HAND = np.array(
    [
        [1.0, 0.0, 0.5, 0.5, 0.4, 0.5, 0.0, 0.2, 1.0],
        [0.0, 1.0, 0.5, 0.5, 0.4, 0.3, 0.9, 0.7, 0.0],
    ]
)


def test_pareto_frontier_hand_example_with_ties_and_duplicates():
    """Pareto dominance (Osborne and Rubinstein 1994, 7.3): 2 and 3 are duplicates and both stay,
    as do 0 and 8; 4 is dominated by 2; 5 ties 2 on player 1 and loses on player 2; 6 ties 1 on
    player 1 and loses on player 2; 7 is dominated by nobody."""
    assert pareto_frontier(HAND).tolist() == [0, 1, 2, 3, 7, 8]


def test_pareto_frontier_many_players_agrees_with_two_player_sweep():
    """Adding a player indifferent between all offers leaves the frontier as it was; giving that
    player a strict liking for a dominated offer puts the offer back on the frontier."""
    flat = np.vstack([HAND, np.full(HAND.shape[1], 0.3)])
    assert pareto_frontier(flat).tolist() == [0, 1, 2, 3, 7, 8]
    likes_4 = flat.copy()
    likes_4[2, 4] = 0.9
    assert pareto_frontier(likes_4).tolist() == [0, 1, 2, 3, 4, 7, 8]


def test_pareto_frontier_edge_shapes():
    """One player: the frontier is its best offers; no offers: no frontier."""
    assert pareto_frontier(np.array([[0.1, 0.4, 0.4, 0.2]])).tolist() == [1, 2]
    assert pareto_frontier(np.zeros((3, 0))).tolist() == []
    with pytest.raises(ValueError):
        pareto_frontier(np.array([[0.1, np.nan], [0.2, 0.3]]))


@pytest.mark.parametrize("n_players", [2, 3, 4, 6])
def test_every_offer_off_the_frontier_is_dominated_by_a_frontier_offer(n_players):
    """Definition of the Pareto frontier on a finite set: frontier offers are undominated, and
    every other offer is dominated by some frontier offer. Small integer utilities force ties."""
    rng = np.random.default_rng(0)
    for _ in range(40):
        n_offers = int(rng.integers(1, 60))
        u = rng.integers(0, 5, size=(n_players, n_offers)).astype(float)
        front = pareto_frontier(u)
        on = np.zeros(n_offers, dtype=bool)
        on[front] = True
        assert np.array_equal(on, ~dominated_brute_force(u))
        for j in np.flatnonzero(~on):
            ge = (u[:, front] >= u[:, [j]]).all(axis=0)
            gt = (u[:, front] > u[:, [j]]).any(axis=0)
            assert (ge & gt).any(), f"offer {j} is off the frontier but no frontier offer beats it"


@pytest.mark.parametrize("n_players", [2, 3, 5])
def test_pareto_frontier_across_chunks_matches_brute_force(n_players):
    """Tables larger than one comparison chunk, with many ties and duplicates, against O(N^2)."""
    rng = np.random.default_rng(0)
    u = rng.integers(0, 12, size=(n_players, 1500)).astype(float)
    expected = np.flatnonzero(~dominated_brute_force(u))
    assert pareto_frontier(u).tolist() == expected.tolist()


# --- Zone of possible agreement --------------------------------------------------------------------


def test_zopa_non_empty_includes_its_boundary():
    """Raiffa (1982): the ZOPA is where every side does at least as well as its reservation;
    a player at exactly its reservation still agrees."""
    k = np.arange(11.0)
    u = np.vstack([k, 10 - k])
    assert zopa(u, (3, 4)).tolist() == [3, 4, 5, 6]
    assert zopa_summary(u, (3, 4)) == ZopaSummary(4, 4 / 11, (6, 3), (6.0, 7.0))


def test_zopa_empty_when_reservations_overlap():
    """Raiffa (1982): when the reservations sum to more than the pie there is no ZOPA."""
    u = unit_pie(11)
    assert zopa(u, (0.6, 0.5)).size == 0
    assert zopa_summary(u, (0.6, 0.5)) == ZopaSummary(0, 0.0, (), ())


def test_zopa_best_offer_breaks_ties_by_the_others():
    """A player's best offer in the zone, among offers it likes equally, is the one the others
    like most."""
    u = np.array([[1.0, 1.0, 0.5], [0.2, 0.6, 0.9], [0.5, 0.5, 0.9]])
    s = zopa_summary(u, (0.0, 0.0, 0.0))
    assert s.best_offer == (1, 2, 2)
    with pytest.raises(ValueError):
        zopa(u, (0.0, 0.0))


# --- Baron and Ferejohn 1989 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [(3, (0.7, 0.3, 1)), (5, (0.64, 0.18, 2)), (7, (1 - 0.9 * 6 / 14, 0.9 / 7, 3))],
)
def test_baron_ferejohn_closed_rule(n, expected):
    """Baron and Ferejohn (1989), closed rule, delta = 0.9: proposer 1 - delta (n - 1) / (2n),
    (n - 1) / 2 partners at delta / n; n = 3 gives 0.7 / 0.3, n = 5 gives 0.64 / 0.18 each."""
    proposer, partner, partners = baron_ferejohn_closed_rule(n, 0.9)
    assert (proposer, partner) == pytest.approx(expected[:2])
    assert partners == expected[2]


@pytest.mark.parametrize("n", [3, 5, 9, 21])
@pytest.mark.parametrize("delta", [0.0, 0.5, 0.9, 1.0])
def test_baron_ferejohn_is_stationary(n, delta):
    """Baron and Ferejohn (1989): the dollar is all handed out, each member's ex-ante value is
    1/n (recognised with probability 1/n, a partner with probability 1/2 otherwise), and a
    partner is paid exactly delta times that continuation value."""
    proposer, partner, partners = baron_ferejohn_closed_rule(n, delta)
    assert proposer + partners * partner == pytest.approx(1.0)
    ex_ante = proposer / n + (n - 1) / n * (partners / (n - 1)) * partner
    assert ex_ante == pytest.approx(1 / n)
    assert partner == pytest.approx(delta * ex_ante)


def test_baron_ferejohn_needs_an_odd_legislature():
    """Baron and Ferejohn (1989) state the closed-rule result for odd n."""
    with pytest.raises(ValueError):
        baron_ferejohn_closed_rule(4, 0.9)


# --- Fearon 1995 ---------------------------------------------------------------------------------


def test_fearon_bargaining_range():
    """Fearon (1995), "Rationalist Explanations for War": p = 0.6, c_A = 0.1, c_B = 0.15 leaves
    A's shares [0.5, 0.75] preferred to war by both."""
    assert fearon_range(0.6, 0.1, 0.15) == pytest.approx((0.5, 0.75))


def test_fearon_range_is_clipped_to_the_pie():
    """Fearon (1995): shares of the good lie in [0, 1] even when costs are large."""
    assert fearon_range(0.95, 0.1, 0.2) == pytest.approx((0.85, 1.0))
    assert fearon_range(0.05, 0.2, 0.1) == pytest.approx((0.0, 0.15))
    with pytest.raises(ValueError):
        fearon_range(1.2, 0.1, 0.1)


# --- On a scenario's own table -------------------------------------------------------------------


def test_solutions_on_the_mini_scenario_table():
    """The path a user takes: the mini scenario's bargaining table, with each participant's
    outside option as the disagreement point. Nash and Kalai-Smorodinsky pick Pareto-optimal
    offers inside the zone of possible agreement."""
    model = WargameModel(load_scenario(MINI), rng=0)
    table = next(iter(model.tables.values()))
    u = table.space.utility
    d = np.array([a.profile.reservation_mean for a in table.participants])
    inside = set(zopa(u, d).tolist())
    front = set(pareto_frontier(u).tolist())
    assert inside, "the mini scenario is meant to leave room for a deal"
    for solve in (nash_solution, kalai_smorodinsky):
        k = solve(u, d)
        assert k in inside and k in front, (solve.__name__, table.space.describe(k))


def test_the_zone_keeps_an_end_point_against_rounding():
    """0.30000000000000004 - 0.05 is a hair above 0.25: the offer worth exactly 0.25 stays in the zone."""
    u = np.array([[0.25, 0.5], [0.75, 0.5]])
    assert list(zopa(u, [0.30000000000000004 - 0.05, 0.0])) == [0, 1]
