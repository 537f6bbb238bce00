"""Published results reproduced through the project's own scenario files (the path a user takes).

Each test names its source. The textbook scenarios live in scenarios/textbook_*.yaml.
"""

from __future__ import annotations

import math

import pytest

from wargame import WargameModel, load_scenario, run
from wargame.analysis.bargaining import analyze
from wargame.engine.bargaining.solutions import (
    baron_ferejohn_closed_rule,
    fearon_range,
    nash_linear_frontier,
    rubinstein_share,
)


def agreed_terms(result) -> dict[str, str]:
    assert result.agreements, f"no agreement: {result.outcome}"
    return result.agreements[0]["terms"]


def test_rubinstein_first_proposer_share_agreed_at_once():
    """Rubinstein (1982), Econometrica 50(1): the first proposer's share is (1 - d2) / (1 - d1 d2),
    agreed in the first round. d1 = 0.9, d2 = 0.8 gives 0.7143 (offers on a 0.001 grid)."""
    r = run("textbook_rubinstein", seed=0)
    expected = rubinstein_share(0.9, 0.8)
    assert expected == pytest.approx(0.2 / 0.28)
    assert float(agreed_terms(r)["share"]) == pytest.approx(expected, abs=0.001)
    assert r.agreements[0]["day"] == 1


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.5, 0.95), (0.95, 0.5)])
def test_rubinstein_split_for_other_discount_factors(d1, d2):
    """Rubinstein (1982): the split moves with relative patience; the more patient side gets more."""
    r = run(
        "textbook_rubinstein",
        seed=0,
        overrides={"actors.player_a.patience": d1, "actors.player_b.patience": d2},
    )
    assert float(agreed_terms(r)["share"]) == pytest.approx((1 - d2) / (1 - d1 * d2), abs=0.001)


@pytest.mark.parametrize(
    ("option", "changes"), [(0.0, False), (0.2, False), (0.4, True), (0.5, True)]
)
def test_outside_option_principle(option, changes):
    """Shaked and Sutton (1984); Binmore, Shaked and Sutton (1989), QJE 104(4): an outside option
    changes the split only if it exceeds the share the player would get without it; then the player
    gets exactly the option. B's share without an option is 1 - 0.7143 = 0.2857."""
    r = run(
        "textbook_rubinstein",
        seed=0,
        overrides={"actors.player_b.priors.reservation.value": option},
    )
    b_share = 1 - float(agreed_terms(r)["share"])
    without = 1 - rubinstein_share(0.9, 0.8)
    if changes:
        assert b_share == pytest.approx(option, abs=0.001)
    else:
        assert b_share == pytest.approx(without, abs=0.001)


def test_nash_solution_with_disagreement_point():
    """Nash (1950), Econometrica 18(2): on the frontier u1 + u2 = 1 with disagreement (0.2, 0.1) the
    solution is u1 = d1 + (1 - d1 - d2) / 2 = 0.55."""
    u1, u2 = nash_linear_frontier((0.2, 0.1))
    assert (u1, u2) == pytest.approx((0.55, 0.45))
    r = run("textbook_nash", seed=0)
    assert float(agreed_terms(r)["share"]) == pytest.approx(u1, abs=0.001)
    (table,) = analyze("textbook_nash")
    assert float(table.nash["terms"]["share"]) == pytest.approx(u1, abs=0.001)


@pytest.mark.parametrize(
    ("scenario", "n", "delta"),
    [("textbook_baron_ferejohn", 3, 0.9), ("textbook_baron_ferejohn_5", 5, 0.5)],
)
def test_baron_ferejohn_closed_rule(scenario, n, delta):
    """Baron and Ferejohn (1989), APSR 83(4), closed rule with equal recognition: the proposer keeps
    1 - delta (n - 1) / (2n), (n - 1) / 2 partners get delta / n each, the rest nothing, at once."""
    proposer_share, partner_share, partners = baron_ferejohn_closed_rule(n, delta)
    for seed in range(4):
        m = WargameModel(scenario, rng=seed)
        r = m.run()
        proposer = m.tables["dollar"].rounds[0].proposer
        shares = {k: float(v) for k, v in agreed_terms(r).items()}
        assert r.agreements[0]["day"] == 1
        assert shares[f"share_{proposer.split('_')[1]}"] == pytest.approx(proposer_share, abs=1e-9)
        others = sorted(
            (v for k, v in shares.items() if k != f"share_{proposer.split('_')[1]}"), reverse=True
        )
        assert others[:partners] == pytest.approx([partner_share] * partners, abs=1e-9)
        assert sum(others[partners:]) == pytest.approx(0.0, abs=1e-9)


def test_fearon_bargaining_range():
    """Fearon (1995), International Organization 49(3): with p = 0.6, cA = 0.1, cB = 0.15 every split in
    [p - cA, p + cB] = [0.5, 0.75] beats war for both; the scenario's zone of agreement is that range."""
    assert fearon_range(0.6, 0.1, 0.15) == pytest.approx((0.5, 0.75))
    (table,) = analyze("textbook_fearon")
    assert table.reservations == pytest.approx({"player_a": 0.5, "player_b": 0.25})
    low = float(table.zopa_extremes["player_b"]["terms"]["share"])
    high = float(table.zopa_extremes["player_a"]["terms"]["share"])
    assert (low, high) == pytest.approx((0.5, 0.75))
    r = run("textbook_fearon", seed=0)
    assert 0.5 <= float(agreed_terms(r)["share"]) <= 0.75


def test_fearon_range_moves_with_military_capability():
    """Fearon (1995): war is costlier against a stronger opponent; here costs scale with the other's
    military capability, so halving B's strength halves A's cost and lowers the range's floor less."""
    sc = load_scenario("textbook_fearon", {"actors.player_b.capabilities.military": 0.5})
    (table,) = analyze(sc)
    assert table.reservations["player_a"] == pytest.approx(0.6 - 0.1 * 0.5)


def test_baron_ferejohn_seven_legislators_in_cents():
    """Baron and Ferejohn (1989) with n = 7, delta = 0.9, the dollar divided to the cent: 101^7 ways to
    divide it are not listed; the table makes its offers as needed and the strategies solve the table.
    The proposer keeps 1 - delta (n - 1) / (2n) = 0.614 and pays each of 3 partners delta / n = 0.129;
    prices are paid in whole cents, rounded up: 0.13 to each partner, 0.61 kept, at once."""
    keep, price, partners = baron_ferejohn_closed_rule(7, 0.9)
    assert (round(keep, 3), round(price, 3), partners) == (0.614, 0.129, 3)
    for seed in range(4):
        m = WargameModel(load_scenario("textbook_baron_ferejohn_7"), rng=seed)
        r = m.run()
        assert r.agreements[0]["day"] == 1
        proposer = m.tables["dollar"].rounds[0].proposer.split("_")[1]
        shares = {k: float(v) for k, v in agreed_terms(r).items()}
        assert shares[f"share_{proposer}"] == pytest.approx(1 - 3 * math.ceil(price * 100) / 100)
        others = sorted((v for k, v in shares.items() if k != f"share_{proposer}"), reverse=True)
        assert others == pytest.approx([0.13, 0.13, 0.13, 0, 0, 0])
