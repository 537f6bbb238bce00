"""Three mechanisms of the ground, each on a textbook case of its own (tests/data/scenarios):

- a site's count of people or equipment given as a prior, drawn per run after every other draw
  (uncertain_garrison.yaml);
- a road's throughput (`capacity_per_day`): a column takes no more than the room left on each limited
  road of its route on the day it gets there, and the rest wait for a later one (one_gate.yaml);
- a shut road (`open: false`, the `road_open` effect): no route uses it until an event or an agreed term
  opens it, breaking the agreement shuts it again, and a column already on it goes on (two_roads.yaml).
"""

from __future__ import annotations

import math
import pickle
import statistics

import pytest

from tests.conftest import DATA, told
from wargame import WargameModel, load_scenario
from wargame.engine import interventions
from wargame.engine.ground.geography import Ground, Road
from wargame.session import Game, GameError

GARRISON = DATA / "scenarios" / "uncertain_garrison.yaml"
GATE = DATA / "scenarios" / "one_gate.yaml"
ROADS = DATA / "scenarios" / "two_roads.yaml"


# ---------------------------------------------------------------- a count given as a prior


def test_a_count_given_as_a_prior_is_drawn_per_run_and_averages_to_the_priors_mean():
    """People uniform on [1000, 3000], tonnes on [100, 300], ample lift: each run flies out exactly what
    it drew, the draws differ between runs, and over 200 runs the means are the priors' means within four
    standard errors (sd / sqrt(n), the uniform's sd being (high - low) / sqrt(12))."""
    sc = load_scenario(GARRISON)
    runs = 200
    people, tonnes = [], []
    for seed in range(runs):
        r = WargameModel(sc, rng=seed, narrate=False).run()
        assert 1000 <= r.personnel_initial <= 3000 and 100 <= r.equipment_initial_t <= 300
        assert r.personnel_evacuated == r.personnel_initial  # the lift is ample: all of them out
        assert r.equipment_out_t == pytest.approx(r.equipment_initial_t)
        people.append(r.personnel_evacuated)
        tonnes.append(r.equipment_out_t)
    assert len(set(people)) > runs // 2
    for drawn, low, high in ((people, 1000, 3000), (tonnes, 100, 300)):
        bound = 4 * (high - low) / math.sqrt(12) / math.sqrt(runs)
        assert abs(statistics.mean(drawn) - (low + high) / 2) < bound


def test_a_fixed_count_draws_nothing_and_a_prior_draws_after_everything_else():
    """The same scenario with fixed counts and with priors: the fixed one draws nothing for them, and the
    priors' draws are the next two numbers of the very same stream (so every other draw, and every
    scenario that gives no prior, is what it was)."""
    fixed = load_scenario(GARRISON, {"sites.base.personnel": 2000, "sites.base.equipment_t": 200})
    drawn = load_scenario(GARRISON)
    for seed in (0, 1, 2):
        a, b = WargameModel(fixed, rng=seed), WargameModel(drawn, rng=seed)
        assert a.initial_personnel == 2000 and a.initial_t == 200
        people, tonnes = round(a.rng.uniform(1000, 3000)), a.rng.uniform(100, 300)
        assert a.rng.bit_generator.state == b.rng.bit_generator.state
        assert (b.initial_personnel, b.initial_t) == (people, pytest.approx(tonnes))
        base = b.ground.sites["base"]
        assert (base.personnel, base.waiting) == (0, people)  # the residual (0) stays: all wait


def test_a_residual_garrison_stays_whatever_the_draw():
    """A base keeps its residual and the rest of the drawn count waits to leave."""
    sc = load_scenario(GARRISON, {"sites.base.residual": 1000})
    for seed in range(5):
        base = WargameModel(sc, rng=seed).ground.sites["base"]
        assert base.personnel == 1000 and 0 <= base.waiting <= 2000


# ---------------------------------------------------------------- a road's throughput


def arrivals(m: WargameModel, site: str | None = None) -> list[tuple[int, int]]:
    return [
        (r.day, r.personnel)
        for r in m.records
        if r.kind == "arrived" and (site is None or r.site == site)
    ]


def test_a_gate_spreads_the_columns_over_the_days():
    """10,000 wait, the only road lets 2,000 a day through: a column of 2,000 sets out on each of days 1
    to 5 and arrives the next day; each but the last leaves people waiting, told as such. Without the
    limit they all leave as one column."""
    m = WargameModel(load_scenario(GATE), rng=1)
    m.run()
    assert arrivals(m) == [(day, 2000) for day in range(2, 7)]
    assert m.evacuated == 10000 and m.occurrences["column_held_back"] == 4
    assert "8,000 still wait at Camp for a later column" in "\n".join(told(m))
    gate = next(r for r in Game(str(GATE), seed=1).snapshot()["roads"] if r["id"] == "gate_road")
    assert gate["capacity_per_day"] == 2000
    free = WargameModel(load_scenario(GATE, {"roads.gate_road.capacity_per_day": None}), rng=1)
    free.run()
    assert arrivals(free) == [(2, 10000)] and "column_held_back" not in free.occurrences


def test_a_column_books_its_place_for_the_day_it_reaches_the_gate():
    """Two camps share the gate. The near one's column reaches it the day it sets out, the far one's
    (300 km at 250 km a day) the next: on day 1 the near camp takes 2,000 of its 3,000 and the far camp's
    1,000 book day 2, so on day 2 the near camp's last 1,000 find room for 1,000 only. No day's bookings
    exceed the gate's 2,000, and everyone is counted every day."""
    sc = load_scenario(GATE, {"sites.camp.personnel": 3000, "sites.far_camp.personnel": 1000})
    m = WargameModel(sc, rng=1)
    while m.running:
        m.step()
        assert all(booked <= 2000 for booked in m.ground.booked.values())
        assert m.present + m.evacuated + m.lost == m.initial_personnel
    left = [(r.day, r.site, r.personnel) for r in m.records if r.kind == "convoy"]
    assert left == [(1, "camp", 2000), (1, "far_camp", 1000), (2, "camp", 1000)]
    assert arrivals(m, "far_camp") == [(3, 1000)] and m.evacuated == 4000


def test_a_run_saved_while_columns_wait_for_the_gate_continues_the_same():
    m = WargameModel(load_scenario(GATE), rng=3)
    m.run(until=2)
    resumed = WargameModel.load_state(m.save_state())
    assert resumed.ground.booked == m.ground.booked
    assert resumed.run() == m.run()


# ---------------------------------------------------------------- a shut road


def convoys(m: WargameModel) -> dict[str, list[str]]:
    return {c.origin: c.roads for c in m.convoys}


LONG = ["long_out", "long_in"]


def test_routes_never_use_a_shut_road_until_an_event_opens_it():
    """The short road is shut: post A's column (ordered out on day 1) takes the long way; the short road
    opens on day 2, and post B's (day 3) takes it."""
    m = WargameModel(
        load_scenario(ROADS), rng=1, scheduled=[(1, "leave_a"), (2, "open_short"), (3, "leave_b")]
    )
    assert m.way_out_today("red").routes.get("post_a")[1] == ["a_road", *LONG]
    m.run(until=3)
    assert convoys(m) == {"post_a": ["a_road", *LONG], "post_b": ["b_road", "short"]}
    assert m.way_out_today("red").routes.get("post_c")[1] == ["c_road", "short"]


def test_with_every_road_shut_there_is_no_way_out():
    sc = load_scenario(ROADS, {"roads.long_out.open": False})
    m = WargameModel(sc, rng=1, scheduled=[(1, "leave_a")])
    assert m.way_out_today("red").routes.get("post_a") is None
    m.run(until=5)
    assert not m.convoys and m.ground.sites["post_a"].waiting == 100


def test_an_agreed_term_opens_the_road_and_breaking_the_agreement_shuts_it_again():
    """Post A leaves on day 1 by the long way; a deal whose term opens the short road is signed after
    day 1, and post B (day 3) takes the short road; the deal is broken after day 3, which takes back what
    it granted, and post C (day 5) takes the long way again."""
    m = WargameModel(
        load_scenario(ROADS), rng=1, scheduled=[(1, "leave_a"), (3, "leave_b"), (5, "leave_c")]
    )
    m.run(until=1)
    table = m.tables["deal"]
    m.sign(table, table.space.offer_of({"crossing": "open"}), m.day)
    assert m.ground.roads["short"].open
    m.run(until=3)
    interventions.break_agreement(m, "deal", "green")
    assert not m.ground.roads["short"].open
    m.run(until=5)
    assert convoys(m) == {
        "post_a": ["a_road", *LONG],
        "post_b": ["b_road", "short"],
        "post_c": ["c_road", *LONG],
    }


def test_a_column_already_on_a_road_that_shuts_goes_on():
    """Post A's column sets out on day 1 along the short road (510 km: it arrives on day 4); the road is
    shut on day 2; the column still arrives, all of it, on day 4."""
    m = WargameModel(
        load_scenario(ROADS),
        rng=1,
        scheduled=[(1, "open_short"), (1, "leave_a"), (2, "shut_short")],
    )
    m.run(until=1)
    assert convoys(m) == {"post_a": ["a_road", "short"]}
    m.run(until=4)
    assert arrivals(m) == [(4, 100)] and m.evacuated == 100


def test_a_run_saved_before_roads_could_be_shut_or_limited_still_loads():
    """A road pickled with its six first fields only, and a ground without its bookings, load as open,
    unlimited roads on a ground with nothing booked."""
    m = WargameModel(load_scenario(ROADS), rng=1)
    road = Road.__new__(Road)
    road.__setstate__(
        (None, {"id": "r", "a": "x", "b": "y", "km": 1.0, "holder": "h", "risk": 0.1})
    )
    assert road.open and road.capacity is None and road.risk == 0.1
    state = m.ground.__getstate__()
    del state["booked"]
    ground = Ground.__new__(Ground)
    ground.__setstate__(state)
    assert ground.booked == {} and not ground.limited
    assert pickle.loads(pickle.dumps(m.ground)).roads["short"].open is False


def test_a_facilitator_opens_a_shut_road_through_the_one_door():
    """An inject of a road_open effect opens the road for the next column (the routes are found afresh);
    one naming a road the scenario lacks is refused with the roads it has."""
    game = Game(str(ROADS), seed=1)
    with pytest.raises(GameError, match="road_open.segment 'nowhere' is not in this scenario"):
        game.inject(effects=[{"road_open": {"segment": "nowhere", "open": True}}], reason="a test")
    before = game.model.way_out_today("red").routes.get("post_a")[1]
    assert next(r for r in game.snapshot()["roads"] if r["id"] == "short")["open"] is False
    game.inject(effects=[{"road_open": {"segment": "short", "open": True}}], reason="a test")
    assert before == ["a_road", *LONG]
    assert game.model.way_out_today("red").routes.get("post_a")[1] == ["a_road", "short"]
    road = next(r for r in game.snapshot()["roads"] if r["id"] == "short")
    assert "open" not in road  # open, as roads are unless the picture says otherwise
