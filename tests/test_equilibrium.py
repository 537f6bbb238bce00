"""Equilibria computed on the table, held to the closed forms where the textbooks have them, and checked by
a brute-force search of one-shot deviations where they do not."""

from __future__ import annotations

import numpy as np
import pytest

from wargame import load_scenario, run
from wargame.engine.bargaining.equilibrium import (
    GameForm,
    SplitForm,
    drawn,
    one_shot_deviation_gain,
    rotation,
    solve,
    solve_split,
    split_deviation_gain,
)
from wargame.engine.bargaining.solutions import (
    baron_ferejohn_closed_rule,
    rubinstein_share,
    rubinstein_with_outside_option,
)


def pie(d1: float, d2: float) -> SplitForm:
    return SplitForm(1.0, np.zeros(2), np.ones(2), np.array([d1, d2]), rotation(2))


def legislature(n: int, delta, recognition=None, weights=None, threshold=0.5) -> SplitForm:
    delta = np.full(n, delta) if np.isscalar(delta) else np.asarray(delta, dtype=float)
    chances = np.ones(n) if recognition is None else np.asarray(recognition, dtype=float)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    return SplitForm(1.0, np.zeros(n), np.ones(n), delta, drawn(chances), w, threshold)


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.8), (0.5, 0.5), (0.99, 0.6), (0.3, 0.95)])
def test_the_solver_finds_rubinstein_s_split(d1, d2):
    """Rubinstein (1982): the first proposer gets (1 - d2) / (1 - d1 d2) at once."""
    eq = solve_split(pie(d1, d2), np.zeros(2))
    assert eq.values[0, 0] == pytest.approx(rubinstein_share(d1, d2), abs=1e-9)
    assert split_deviation_gain(pie(d1, d2), eq) <= 1e-9


@pytest.mark.parametrize(
    ("d1", "d2", "outside_b"), [(0.9, 0.9, 0.3), (0.9, 0.9, 0.6), (0.8, 0.6, 0.5)]
)
def test_the_solver_finds_the_outside_option_principle(d1, d2, outside_b):
    """Binmore, Shaked and Sutton (1989): B's outside option changes the split only once it exceeds
    what B gets without it."""
    eq = solve_split(pie(d1, d2), np.array([0.0, outside_b]))
    assert eq.values[0, 0] == pytest.approx(
        rubinstein_with_outside_option(d1, d2, outside_b), abs=1e-9
    )


def test_both_outside_options_binding():
    """With both options above what discounting alone leaves each side, each proposer gives the other
    exactly its outside option (x_A = 1 - r_B, x_B = 1 - r_A): off the textbook formula, which has one."""
    eq = solve_split(pie(0.9, 0.8), np.array([0.5, 0.45]))
    assert eq.values[0, 0] == pytest.approx(0.55, abs=1e-9)
    assert eq.values[1, 1] == pytest.approx(0.5, abs=1e-9)
    assert split_deviation_gain(pie(0.9, 0.8), eq) <= 1e-9


@pytest.mark.parametrize(("n", "delta"), [(3, 0.9), (5, 0.5), (7, 0.9), (9, 0.8)])
def test_the_solver_finds_baron_ferejohn_shares(n, delta):
    """Baron and Ferejohn (1989), closed rule, equal recognition, simple majority: the proposer keeps
    1 - delta (n - 1) / (2n) and pays each of (n - 1) / 2 partners delta / n."""
    keep, price, partners = baron_ferejohn_closed_rule(n, delta)
    form = legislature(n, delta)
    eq = solve_split(form, np.zeros(n))
    assert eq.values[0, 0] == pytest.approx(keep, abs=1e-9)
    assert eq.cost(form, 0)[1] == pytest.approx(price, abs=1e-9)
    chosen = [c for c, p in zip(eq.coalitions[0], eq.chances[0], strict=True) if p > 1e-6]
    assert {len(c) for c in chosen} == {partners}
    assert split_deviation_gain(form, eq) <= 1e-9


def test_unequal_recognition_and_discounts_mix_over_partners():
    """Off the closed form (Eraslan 2002: payoffs unique): three members, recognised with chances 0.5,
    0.3, 0.2, discounting by 0.9, 0.8, 0.95. Worked by hand: member 1 is the dearest partner and is
    never bought; 2 and 3 buy each other; 1 mixes between them with the chance pi that keeps their prices
    equal, 0.8 v2 = 0.95 v3, where v2 = 0.3 (1 - c) + 0.5 pi c + 0.2 c and v3 = 0.2 (1 - c) + 0.5 (1 - pi) c
    + 0.3 c with c their common price: v = (0.3613, 0.3467, 0.2920), pi = 0.537."""
    form = legislature(3, [0.9, 0.8, 0.95], recognition=[0.5, 0.3, 0.2])
    eq = solve_split(form, np.zeros(3))
    v = np.array([0.5, 0.3, 0.2]) @ eq.values
    assert v == pytest.approx([0.3613, 0.3467, 0.2920], abs=1e-3)
    c = 0.8 * v[1]
    assert 0.95 * v[2] == pytest.approx(c, abs=1e-6)
    assert v[0] == pytest.approx(0.5 * (1 - c), abs=1e-6)
    assert split_deviation_gain(form, eq) <= 1e-6


def test_a_weighted_rule_with_a_veto():
    """A weighted rule where member 3 carries half the weight and holds a veto: no coalition without it
    passes, so it is bought by every other proposer and is dearest; checked by one-shot deviations."""
    form = legislature(3, 0.9, weights=[1, 1, 2], threshold=0.75)
    form = SplitForm(
        form.total,
        form.base,
        form.slope,
        form.discounts,
        form.recognition,
        form.weights,
        0.75,
        (2,),
    )
    eq = solve_split(form, np.zeros(3))
    for k in (0, 1):
        chosen = {c for c, p in zip(eq.coalitions[k], eq.chances[k], strict=True) if p > 1e-6}
        assert all(2 in c for c in chosen)
    v = np.full(3, 1 / 3) @ eq.values
    assert v[2] > v[0] and v[2] > v[1]
    assert split_deviation_gain(form, eq) <= 1e-6


def random_game(rng, n: int, offers: int, rule: str) -> GameForm:
    u = rng.random((n, offers))
    discounts = rng.uniform(0.5, 0.95, n)
    if rule == "rotation":
        return GameForm(u, discounts, rotation(n))
    chances = rng.uniform(0.2, 1.0, n)
    return GameForm(u, discounts, drawn(chances), rng.uniform(0.5, 2.0, n), 0.5)


@pytest.mark.parametrize("seed", range(12))
def test_on_an_offer_space_no_one_shot_deviation_pays(seed):
    """Random games on finite offer spaces (ordinal issues): whenever the solver reaches a fixed point,
    no player gains by deviating once, as proposer (any other offer) or as responder (the other answer)."""
    rng = np.random.default_rng(seed)
    form = random_game(rng, int(rng.integers(2, 5)), 40, "rotation" if seed % 2 else "drawn")
    outside = rng.uniform(0.0, 0.4, form.players)
    eq = solve(form, outside)
    if eq.converged:
        assert one_shot_deviation_gain(form, eq) <= 1e-9
    else:  # the search says so, and the game is one whose proposers must mix
        assert eq.iterations > 0


def test_the_solver_on_the_grid_of_a_table():
    """The same game on a table's 0.001 grid: the grid's equilibrium is within a few steps of the
    continuum's, and no one-shot deviation pays on the grid."""
    x = np.linspace(0, 1, 1001)
    form = GameForm(np.vstack([x, 1 - x]), np.array([0.9, 0.8]), rotation(2))
    eq = solve(form, np.zeros(2))
    assert eq.converged
    assert eq.values[0, 0] == pytest.approx(rubinstein_share(0.9, 0.8), abs=0.005)
    assert one_shot_deviation_gain(form, eq) <= 1e-12


def agreed(r) -> dict:
    return r.agreements[0]["terms"]


def test_through_the_table_a_proposer_s_outside_option_binds():
    """The case that once failed: A's outside option 0.7 in a 0.9 / 0.9 game. Theory gives A at least 0.7
    (0.73 moving first); A signs 0.73, never 0.526."""
    sc = load_scenario(
        "textbook_rubinstein",
        {
            "actors.player_b.patience": 0.9,
            "actors.player_a.priors.reservation.value": 0.7,
        },
    )
    r = run(sc, seed=0)
    assert float(agreed(r)["share"]) == pytest.approx(0.73, abs=0.001)


def test_through_the_table_both_options_binding():
    sc = load_scenario(
        "textbook_rubinstein",
        {
            "actors.player_a.priors.reservation.value": 0.5,
            "actors.player_b.priors.reservation.value": 0.45,
        },
    )
    assert float(agreed(run(sc, seed=0))["share"]) == pytest.approx(0.55, abs=0.001)


def test_analyze_prints_the_subgame_perfect_prediction(capsys):
    from wargame.cli import main

    assert main(["analyze", "textbook_rubinstein"]) == 0
    out = capsys.readouterr().out
    assert "subgame-perfect prediction" in out and "player_a 0.71" in out
    assert main(["analyze", "textbook_baron_ferejohn"]) == 0
    out = capsys.readouterr().out
    assert "subgame-perfect prediction" in out


def test_analyze_says_when_the_prediction_is_not_the_only_one(capsys):
    """With no discounting every split can be an equilibrium; on a listed offer space the search can
    settle on another equilibrium when the seats are reversed: analyze says so rather than printing one
    as the answer."""
    from wargame.cli import main

    assert main(["analyze", "textbook_nash"]) == 0
    assert "no discounting" in capsys.readouterr().out
    assert main(["analyze", "syria_dec2024"]) == 0
    assert "not unique on this offer space" in capsys.readouterr().out
