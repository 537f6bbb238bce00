"""What drives an outcome or a branch: a planted driver is found first with the right sign and a
small p-value, a column that does not matter is reported as noise, and the rates are exact on
hand-built tables."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

from wargame.analysis.drivers import Driver, drivers, render_drivers
from wargame.language.errors import ScenarioError


def planted(n: int = 3000, seed: int = 11) -> pa.Table:
    """Outcome "held" with probability 0.2 + 0.6 * draw_a_resolve; draw_b_reservation plays no
    part; the path goes through "talks" when draw_b_breach_temptation is low."""
    rng = np.random.default_rng(seed)
    resolve = rng.random(n)
    reservation = rng.random(n)
    temptation = rng.random(n)
    held = rng.random(n) < 0.2 + 0.6 * resolve
    talks = rng.random(n) < 0.9 - 0.8 * temptation
    return pa.table(
        {
            "run_id": pa.array(np.arange(n)),
            "outcome": pa.array(np.where(held, "held", "lost").tolist()),
            "milestone_path": pa.array(
                [["talks", "deal"] if t else ["clash"] for t in talks], type=pa.list_(pa.string())
            ),
            "draw_a_resolve": resolve,
            "draw_b_reservation": reservation,
            "draw_b_breach_temptation": temptation,
            # result figures: consequences of the run, never candidates
            "utility_a": np.where(held, 1.0, 0.0),
            "personnel_lost": np.where(held, 0, 100),
        }
    )


def by_name(found: list[Driver]) -> dict[str, Driver]:
    return {d.name: d for d in found}


def test_planted_driver_is_ranked_first_with_the_right_sign():
    table = planted()
    found = drivers(table, outcome="held")
    first = found[0]
    assert (first.name, first.kind, first.direction) == ("draw_a_resolve", "drawn", "raises")
    # expected rates: 0.2 + 0.6 * mean of the lowest third (1/6) = 0.3; highest third (5/6) = 0.7
    assert first.low_rate == pytest.approx(0.3, abs=0.05)
    assert first.high_rate == pytest.approx(0.7, abs=0.05)
    assert first.effect == pytest.approx(first.high_rate - first.low_rate)
    assert first.p_value < 1e-10
    assert first.n == 3000 and first.low_n == first.high_n == 1000
    idle = by_name(found)["draw_b_reservation"]
    assert abs(idle.effect) < 0.06 and idle.p_value > 0.01
    assert {d.name for d in found} == {
        "draw_a_resolve",
        "draw_b_reservation",
        "draw_b_breach_temptation",
    }  # no result figure is a candidate
    effects = [abs(d.effect) for d in found]
    assert effects == sorted(effects, reverse=True)
    lost = drivers(table, outcome="lost")[0]
    assert (lost.name, lost.direction) == ("draw_a_resolve", "lowers")
    assert lost.effect == pytest.approx(-first.effect)


def test_node_target_finds_the_draw_that_opens_the_branch():
    table = planted()
    found = drivers(table, node=("talks",))
    assert (found[0].name, found[0].direction) == ("draw_b_breach_temptation", "lowers")
    assert found[0].p_value < 1e-10
    # both: within the runs through talks, what makes them end "held"
    within = drivers(table, outcome="held", node=("talks", "deal"))
    talks = np.array([p[0] == "talks" for p in table.column("milestone_path").to_pylist()])
    assert within[0].name == "draw_a_resolve" and within[0].n == int(talks.sum())


def test_exact_rates_on_a_hand_built_table():
    # x = 1..9: thirds split at the 1/3 and 2/3 quantiles (3.67, 6.33): low {1,2,3}, high {7,8,9}
    x = np.arange(1.0, 10.0)
    target = np.isin(x, [2, 7, 8, 9])
    table = pa.table(
        {
            "outcome": pa.array(np.where(target, "win", "loss").tolist()),
            "draw_a_x": x,
            "draw_a_flat": np.full(9, 0.5),  # constant: drives nothing, left out
        }
    )
    (d,) = drivers(table, outcome="win")
    assert (d.low_rate, d.high_rate, d.effect) == pytest.approx((1 / 3, 1.0, 2 / 3))
    assert (d.low_n, d.high_n, d.low_value, d.high_value) == (
        3,
        3,
        pytest.approx(11 / 3),
        pytest.approx(19 / 3),
    )
    assert d.direction == "raises" and 0 < d.p_value < 0.2
    # x = 0..9: the cut points fall on values (3 and 6), which belong to their thirds
    x = np.arange(10.0)
    table = pa.table({"outcome": np.where(x >= 6, "win", "loss").tolist(), "draw_a_x": x})
    (d,) = drivers(table, outcome="win")
    assert (d.low_value, d.high_value, d.low_n, d.high_n) == (3.0, 6.0, 4, 4)
    assert (d.low_rate, d.high_rate) == (0.0, 1.0)


def test_swept_settings_compare_the_lowest_and_highest_value():
    levels = np.repeat([0.3, 0.5, 0.7, 0.9], 50)
    rate = {0.3: 10, 0.5: 40, 0.7: 0, 0.9: 30}  # runs of 50 that hit, per level
    target = np.concatenate([np.arange(50) < rate[v] for v in (0.3, 0.5, 0.7, 0.9)])
    table = pa.table(
        {
            "outcome": pa.array(np.where(target, "deal", "no_deal").tolist()),
            "set_actors.russia.time_pressure": levels,
            "set_label": pa.array(["x"] * 200),  # not numeric: not a candidate
        }
    )
    (d,) = drivers(table, outcome="deal")
    assert (d.kind, d.low_value, d.high_value) == ("swept", 0.3, 0.9)
    assert (d.low_rate, d.high_rate, d.low_n, d.high_n) == (0.2, 0.6, 50, 50)
    assert d.direction == "raises" and d.n == 200


def test_pandas_and_arrow_agree_and_top_limits():
    table = planted(n=600)
    a = [d.to_dict() for d in drivers(table, outcome="held")]
    b = [d.to_dict() for d in drivers(table.to_pandas(), outcome="held")]
    assert a == b
    assert len(drivers(table, outcome="held", top=1)) == 1


def test_json_round_trip():
    data = [d.to_dict() for d in drivers(planted(n=600), outcome="held")]
    assert json.loads(json.dumps(data)) == data
    assert data[0]["name"] == "draw_a_resolve"


def test_bad_targets_are_explained():
    table = planted(n=100)
    with pytest.raises(ScenarioError, match="did you mean 'held'"):
        drivers(table, outcome="helt")
    with pytest.raises(ScenarioError, match="did you mean 'talks'"):
        drivers(table, node=("tals",))
    with pytest.raises(ScenarioError, match="outcome id or a milestone path"):
        drivers(table)


def test_q_values_adjust_for_every_input_tested():
    """Forty inputs of pure noise and one real driver: by chance some noise has p < 0.05, none keeps
    q < 0.05 (Benjamini and Hochberg 1995: q of the i-th smallest of m p-values is the least of
    p_(j) m / j over j >= i), and the real driver keeps a tiny q."""
    rng = np.random.default_rng(5)
    n = 600
    noise = {f"draw_noise_{k:02d}": rng.random(n) for k in range(40)}
    signal = rng.random(n)
    hit = rng.random(n) < 0.2 + 0.6 * signal
    table = pa.table(
        {"outcome": np.where(hit, "w", "l").tolist(), "draw_a_signal": signal, **noise}
    )
    found = drivers(table, outcome="w", top=None)
    ranked = sorted((d.p_value, d.name) for d in found)
    m, running, expected = len(ranked), 1.0, {}
    for i in range(m - 1, -1, -1):
        running = min(running, ranked[i][0] * m / (i + 1))
        expected[ranked[i][1]] = running
    assert {d.name: d.q_value for d in found} == pytest.approx(expected)
    chance = [d for d in found if d.name.startswith("draw_noise_")]
    assert any(d.p_value < 0.05 for d in chance)
    assert all(d.q_value >= 0.05 for d in chance)
    assert by_name(found)["draw_a_signal"].q_value < 1e-6
    # the adjustment counts every input tested, not only the ones listed
    top = drivers(table, outcome="w", top=3)
    assert [d.q_value for d in top] == [by_name(found)[d.name].q_value for d in top]
    assert "(noise?)" in next(
        line for line in render_drivers(found) if line.startswith(chance[0].name)
    )


def test_every_run_in_the_target_gives_no_p_value():
    (d,) = drivers(pa.table({"outcome": ["w"] * 6, "draw_a_x": np.arange(6.0)}), outcome="w")
    assert (d.low_rate, d.high_rate, d.effect, d.p_value, d.direction) == (1, 1, 0, None, "none")
    assert d.q_value is None


def test_render_drivers_draws_a_tornado():
    found = drivers(planted(), outcome="held")
    lines = render_drivers(found, width=20)
    rows = lines[1 : 1 + len(found)]
    axis = {line.index("│") for line in rows}
    assert len(axis) == 1  # one centre line for every row
    centre = axis.pop()
    assert lines[0][centre] == "|"
    first = rows[0]
    assert first.startswith("draw_a_resolve")
    assert first[centre + 1 : centre + 11] == "█" * 10  # the largest effect fills its half
    assert first[centre - 10 : centre].strip() == ""
    assert "<0.001" in first and "+" in first.split()[-3]  # ... effect, p, q
    idle = next(line for line in rows if line.startswith("draw_b_reservation"))
    assert "(noise?)" in idle
    temptation = drivers(planted(), node=("talks",))
    row = render_drivers(temptation, width=20)[1]
    assert row[centre - 10 : centre] == "█" * 10  # lowers: the bar grows left
    assert render_drivers([]) == ["no input varies across these runs"]
