"""Choices made from the chooser's own uncertain view, by one rule (wargame.engine.choice): the logit rule
against hand-worked cases, posts held or left by the owner's drawn value against the risk it believes,
a base drawn down when its owner chooses, destinations chosen by their worth (not by how often a route
can be flown), a destination whose grantor withdraws consent left unused from the next day, and a ship
whose voyage takes its days and carries nothing more until it is back."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.conftest import MINI
from wargame import WargameModel, load_scenario
from wargame.engine import choice
from wargame.engine.ground import garrisons

# ---------------------------------------------------------------- the rule, worked by hand


def test_logit_probabilities_worked_by_hand():
    """P(stay) = 1 / (1 + exp(-lambda * (EU_stay - EU_leave))): with EU 0.1 against 0 at lambda 20,
    1 / (1 + e^-2) = 0.8808; three options at lambda 10: e^1 : e^0 : e^-1 over their sum."""
    p = choice.probabilities({"stay": 0.1, "leave": 0.0}, 20)
    assert p["stay"] == pytest.approx(1 / (1 + math.exp(-2)))
    p3 = choice.probabilities({"a": 0.1, "b": 0.0, "c": -0.1}, 10)
    z = math.e + 1 + 1 / math.e
    assert (p3["a"], p3["b"], p3["c"]) == pytest.approx((math.e / z, 1 / z, 1 / math.e / z))


def test_precision_zero_is_indifference_and_infinite_precision_is_the_best_option():
    assert choice.probabilities({"stay": 0.9, "leave": 0.0}, 0) == {"stay": 0.5, "leave": 0.5}
    assert choice.probabilities({"stay": 0.01, "leave": 0.0}, math.inf) == {
        "stay": 1.0,
        "leave": 0.0,
    }
    assert choice.probabilities({"stay": 0.01, "leave": 0.0}, None)["stay"] == 1.0


def test_a_value_exactly_at_its_bound_gives_even_odds_not_a_certainty():
    assert choice.probabilities({"stay": 0.5 - 0.5, "leave": 0.0}, 20) == {
        "stay": 0.5,
        "leave": 0.5,
    }


@pytest.mark.parametrize(
    "precision, utilities", [(20, (0.1, 0.0)), (5, (0.0, 0.2)), (0, (0.3, 0.0))]
)
def test_persistent_tastes_give_the_logit_shares_over_runs(precision, utilities):
    """One taste draw per run: over 4,000 runs the share choosing `stay` is the logit probability
    (within four standard errors), and within a run the same utilities give the same choice again."""
    rng = np.random.default_rng(7)
    u = {"stay": utilities[0], "leave": utilities[1]}
    expected = choice.probabilities(u, precision)["stay"]
    n, stays = 4000, 0
    for _ in range(n):
        tastes = choice.Tastes()
        first = choice.choose(u, precision, tastes, "post:x", rng)
        assert all(choice.choose(u, precision, tastes, "post:x", rng) == first for _ in range(3))
        stays += first == "stay"
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(stays / n - expected) <= 4 * se + 1e-9


# ---------------------------------------------------------------- posts and bases


def _post_runs(value: float, precision: float | None, runs: int = 200) -> float:
    """Share of runs in which red leaves the mini scenario's outpost on day 1. The outpost is not
    besieged; green holds the ground and red's trust in green is -0.5, so red believes staying risks
    0.5 * (1.375 - 0.25) / 1.5 = 0.375; its risk aversion is 1."""
    overrides = {
        "sites.outpost.besieged_by": None,
        "sites.outpost.value": value,
        "actors.red.rationality": precision,
    }
    sc = load_scenario(MINI, overrides)
    left = 0
    for seed in range(runs):
        m = WargameModel(sc, rng=seed)
        m.step()
        left += any(r.kind == "post" and r.choice == "leave" for r in m.records)
    return left / runs


BELIEVED_RISK = 0.5 * (1 - 0.75 * -0.5 - 0.25) / 1.5


def test_the_owner_believes_the_risk_from_its_own_trust():
    sc = load_scenario(MINI, {"sites.outpost.besieged_by": None})
    m = WargameModel(sc, rng=1)
    assert garrisons.staying_risk(m, m.ground.sites["outpost"], "red") == pytest.approx(
        BELIEVED_RISK
    )
    # green's own trust in red is not what red reads: changing it leaves red's belief where it was
    m.actor("green").shift_trust("red", 1.0)
    assert garrisons.staying_risk(m, m.ground.sites["outpost"], "red") == pytest.approx(
        BELIEVED_RISK
    )


def test_a_post_worth_more_than_its_believed_risk_is_held_and_one_worth_less_is_left():
    """With an exact best response (rationality None) the choice follows the comparison; a value above
    the risk keeps the post, one below leaves it."""
    assert _post_runs(BELIEVED_RISK + 0.05, None, runs=20) == 0.0
    assert _post_runs(BELIEVED_RISK - 0.05, None, runs=20) == 1.0


def test_with_a_finite_precision_the_same_post_is_left_in_the_logit_share_of_runs():
    """Value 0.05 below the believed risk, precision 20: left in 1 / (1 + e^-1) = 73% of runs; at
    precision 0, half. 200 runs: within four standard errors."""
    for precision, expected in ((20.0, 1 / (1 + math.exp(-1))), (0.0, 0.5)):
        share = _post_runs(BELIEVED_RISK - 0.05, precision)
        assert abs(share - expected) <= 4 * math.sqrt(expected * (1 - expected) / 200)


def test_a_drawn_site_value_varies_across_runs_within_its_prior():
    prior = {"dist": "uniform", "low": 0.1, "high": 0.6, "source": "test"}
    sc = load_scenario(MINI, {"sites.outpost.value": prior})
    values = [WargameModel(sc, rng=s).ground.sites["outpost"].value for s in range(30)]
    assert all(0.1 <= v <= 0.6 for v in values) and len(set(values)) == 30


def test_a_base_is_drawn_down_only_when_its_owner_chooses():
    """The hub (a base) keeps 300 of its 500 as a residual. Without `surplus_value` the 200 wait from day
    0; with a surplus worth far more than the risk the owner keeps them; worth nothing, it draws down on
    day 1 (exact best response), the 200 waiting to be flown out."""
    base = {"sites.hub.residual": 300, "actors.red.rationality": None}
    fixed = WargameModel(load_scenario(MINI, base), rng=1)
    assert (fixed.ground.sites["hub"].personnel, fixed.ground.sites["hub"].waiting) == (300, 200)
    kept = WargameModel(load_scenario(MINI, {**base, "sites.hub.surplus_value": 1.0}), rng=1)
    kept.step()
    assert kept.ground.sites["hub"].personnel == 500
    drawn = WargameModel(load_scenario(MINI, {**base, "sites.hub.surplus_value": 0.0}), rng=1)
    assert drawn.ground.sites["hub"].personnel == 500  # nothing decided before day 1
    drawn.step()
    decisions = [r for r in drawn.records if r.kind == "post" and r.choice == "draw_down"]
    assert [(d.site, d.personnel) for d in decisions] == [("hub", 200)]
    hub = drawn.ground.sites["hub"]
    assert hub.personnel == 300 and hub.waiting + drawn.evacuated == 200


# ---------------------------------------------------------------- destinations and vessels

ROUTES = [
    {"id": "home", "from": "hub", "to": "home", "km": 4000},
    {
        "id": "abroad",
        "from": "hub",
        "to": "a third country",
        "km": 1500,
        "destination": "third_country",
        "overflight": [{"by": "grantor", "open": True}],
        "value": {"personnel": 0.1, "equipment": 0.9},
    },
]
CLOSE_ABROAD = {
    "id": "consent_withdrawn",
    "hazard": 0.0,
    "effects": [{"overflight": {"route": "abroad", "open": False, "by": "grantor"}}],
    "narrative": "The grantor withdraws its consent.",
}


def _lift(aircraft: list[dict], **more) -> dict:
    return {"air_routes": ROUTES, "aircraft": aircraft, "actors.red.rationality": None, **more}


def test_a_fleet_chooses_by_the_destination_s_worth_not_by_its_sortie_rate():
    """Equipment is worth 0.9 abroad and 1 at home: a cargo-only lifter takes it home although it could
    fly abroad four times as often; with equipment worth 0.2 at home it takes it abroad."""
    lifter = {
        "type": "lifter", "operator": "red", "count": 1, "payload_personnel": 1, "payload_t": 10,
        "sorties_per_day": {"home": 0.5, "abroad": 2.0},
    }  # fmt: skip
    sc = load_scenario(MINI, _lift([lifter]))
    m = WargameModel(sc, rng=3)
    m.ground.sites["hub"].waiting_t = 100.0
    m.step()
    assert {r.route for r in m.records if r.kind == "airlift"} == {"home"}
    routes = [
        {**ROUTES[0], "value": {"personnel": 1.0, "equipment": 0.2}},
        ROUTES[1],
    ]
    m = WargameModel(load_scenario(MINI, {**_lift([lifter]), "air_routes": routes}), rng=3)
    m.ground.sites["hub"].waiting_t = 100.0
    m.step()
    assert {r.route for r in m.records if r.kind == "airlift"} == {"abroad"}


def test_a_destination_whose_grantor_withdraws_consent_is_not_used_the_next_day():
    lifter = {
        "type": "lifter", "operator": "red", "count": 1, "payload_personnel": 1, "payload_t": 1,
        "sorties_per_day": {"abroad": 1.0},
    }  # fmt: skip
    sc = load_scenario(
        MINI,
        _lift([lifter], events=[CLOSE_ABROAD], **{"sites.hub.equipment_t": 0.0}),
    )
    m = WargameModel(sc, rng=1)
    m.ground.sites["hub"].waiting_t = 100.0  # plenty to carry for many days
    m.step()
    m.step()
    assert [r.day for r in m.records if r.kind == "airlift"] == [1, 2]
    m.force("event:consent_withdrawn")
    for _ in range(3):
        m.step()
    assert [r.day for r in m.records if r.kind == "airlift"] == [1, 2]


def test_a_ship_s_voyage_takes_its_days_and_it_carries_nothing_more_until_it_is_back():
    """One ship at 0.25 voyages a day: it sails on day 1 with a full hold (50 t of the 200 waiting) and
    is back four days later, on day 5: nothing else leaves on days 2-4."""
    ship = {
        "type": "ship", "mode": "sea", "operator": "red", "count": 1, "payload_personnel": 12,
        "payload_t": 50, "sorties_per_day": {"home": 0.25},
    }  # fmt: skip
    lane = {"id": "home", "from": "hub", "to": "home port", "km": 2000, "mode": "sea"}
    more = {"sites.hub.equipment_t": 0.0, "sites.hub.port": True}
    sc = load_scenario(MINI, _lift([ship], air_routes=[lane], **more))
    m = WargameModel(sc, rng=1)
    m.ground.sites["hub"].waiting_t = 200.0
    for _ in range(9):
        m.step()
    sailings = [(r.day, r.tonnes) for r in m.records if r.kind == "airlift"]
    assert sailings == [(1, 50.0), (5, 50.0), (9, 50.0)]


def test_aircraft_fly_their_sortie_rate_on_average():
    """Two lifters at 0.8 trips a day: 8 trips in 5 days between them (each 1.25 days away a trip)."""
    lifter = {
        "type": "lifter", "operator": "red", "count": 2, "payload_personnel": 1, "payload_t": 1,
        "sorties_per_day": {"home": 0.8},
    }  # fmt: skip
    sc = load_scenario(MINI, _lift([lifter], **{"sites.hub.equipment_t": 0.0}))
    m = WargameModel(sc, rng=1)
    m.ground.sites["hub"].waiting_t = 1000.0
    for _ in range(5):
        m.step()
    assert sum(r.tonnes for r in m.records if r.kind == "airlift") == pytest.approx(8.0)
