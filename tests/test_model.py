"""The model's invariants on the small test scenario: conservation, determinism, Mesa compatibility, saving."""

from __future__ import annotations

import pickle

import mesa
import pytest

from tests.conftest import told as story
from wargame import WargameModel, load_scenario, run

from .conftest import MINI


@pytest.fixture(scope="module")
def mini():
    return load_scenario(MINI)


def totals(m: WargameModel) -> tuple[int, float]:
    present_t = sum(s.equipment_t + s.waiting_t for s in m.ground.sites.values()) + sum(
        c.equipment_t for c in m.convoys
    )
    return m.present + m.evacuated + m.lost, present_t + m.evacuated_t + m.lost_t


@pytest.mark.parametrize("seed", range(12))
def test_personnel_and_equipment_are_conserved_every_day(mini, seed):
    m = WargameModel(mini, rng=seed)
    people0, tonnes0 = totals(m)
    assert people0 == m.initial_personnel == 600
    while m.running:
        m.step()
        people, tonnes = totals(m)
        assert people == people0, f"day {m.day}: present+evacuated+lost = {people} != {people0}"
        assert tonnes == pytest.approx(tonnes0, abs=1e-6)
        assert min(m.present, m.evacuated, m.lost) >= 0


def test_same_seed_same_run(mini):
    a, b = run(mini, seed=5), run(mini, seed=5)
    assert a.to_dict() == b.to_dict()


def test_different_seeds_draw_different_private_values(mini):
    draws = {run(mini, seed=s).private["red"]["resolve"] for s in range(5)}
    assert len(draws) == 5


def test_step_is_one_day_and_ends_at_horizon(mini):
    m = WargameModel(mini, rng=1)
    m.step()
    assert m.day == 1 and m.steps == 1
    r = m.run()
    assert r.days == 30 and not m.running and r.outcome in {"clean_exit", "costly_exit", "stuck"}


def test_days_override_shortens_the_run(mini):
    assert run(mini, seed=1, days=7).days == 7


def test_milestones_are_recorded_in_day_order(mini):
    for seed in range(10):
        days = [d for _, d in run(mini, seed=seed).milestones]
        assert days == sorted(days)


def test_narrative_shows_offers_and_answers(mini):
    m = WargameModel(mini, rng=2)
    m.run()
    text = "\n".join(story(m))
    assert "proposes route=" in text and ("accepts" in text or "rejects" in text)
    assert text.startswith("Day 1 (Mon 09 Dec 2024)")


def test_an_agreed_open_route_lifts_the_siege(mini):
    """The level 'open' of the route issue lifts the siege of the outpost (its effects in YAML)."""
    m = WargameModel(mini, rng=0)
    table = m.tables["deal"]
    offer = next(i for i in range(len(table.space)) if table.space.describe(i)["route"] == "open")
    assert m.ground.sites["outpost"].besieged_by == "green"
    agreement = m.sign(table, offer, day=1)
    assert m.ground.sites["outpost"].besieged_by is None
    risk = m.ground.roads["r1"].risk
    assert risk == pytest.approx(0.3 * 0.1)
    from wargame.engine.commitment.agreements import breach

    breach(m, table, agreement, "green", 2, 0.5, 0.1, [])
    assert m.ground.sites["outpost"].besieged_by == "green" and m.ground.roads[
        "r1"
    ].risk == pytest.approx(0.3)
    assert m.actor("red").trust["green"] < -0.5 and m.occurrences["agreement_broken"] == 1


def test_mesa_batch_run(mini):
    results = mesa.batch_run(
        WargameModel,
        parameters={"scenario": [str(MINI)], "days": [10, 20]},
        rng=[1, 2],
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {r["days"] for r in results} == {10, 20}
    for row in results:
        assert row["present"] + row["evacuated"] + row["lost"] == 600


def test_model_state_pickles_and_continues_identically(mini):
    """A run saved on day 8 and restored continues exactly as the uninterrupted one."""
    m = WargameModel(mini, rng=11)
    for _ in range(8):
        m.step()
    saved = pickle.dumps(m)
    rest = m.run().to_dict()
    restored = pickle.loads(saved)
    assert restored.day == 8
    assert restored.run().to_dict() == rest


def test_run_until_a_day_keeps_mesa_clock_and_matches_stepping(mini):
    """run(until=D) plays days without Mesa's event list, but leaves Mesa's step counter and clock where
    stepping would, and stepping on from there gives the same run as stepping all the way."""
    fast = WargameModel(mini, rng=4)
    fast.run(until=10)
    assert (fast.day, fast.steps, fast.time) == (10, 10, 10)
    fast.step()  # Mesa's own step still plays exactly one day after a direct run
    assert (fast.day, fast.steps, fast.time) == (11, 11, 11)
    slow = WargameModel(mini, rng=4)
    for _ in range(11):
        slow.step()
    assert fast.datacollector.get_model_vars_dataframe().equals(
        slow.datacollector.get_model_vars_dataframe()
    )
    assert fast.run().to_dict() == slow.run().to_dict()
    assert fast.steps == fast.day == 30
    fast.step()  # past the end: nothing more happens
    assert fast.day == 30


def test_remembered_deterrence_follows_every_change_of_standing(mini):
    """Deterrence and keep terms are remembered across days; any change of trust, reputation or
    capability made through the actors' methods must show at once."""
    from wargame.engine.commitment.agreements import deterrence, keep_terms

    m = WargameModel(mini, rng=2)
    m.run(until=2)
    table = next(iter(m.tables.values()))
    party = table.participants[0]
    other = table.participants[1]
    guarantees = m.guarantees_at(table.id)

    def fresh():
        return deterrence(m, table, party.actor_id, guarantees)

    before = m.deterrence_today(table, party.actor_id, guarantees)
    terms_before = m.keep_terms_today(table, other)
    assert before == fresh()
    other.shift_trust(party.actor_id, -0.5)
    assert m.deterrence_today(table, party.actor_id, guarantees) == fresh() != before
    party.set_reputation(0.2)
    assert m.deterrence_today(table, party.actor_id, guarantees) == fresh()
    assert m.keep_terms_today(table, other) == keep_terms(m, table, other) != terms_before


def test_a_fleet_skips_a_route_whose_people_an_earlier_fleet_has_flown_out():
    """Each craft weighs the routes with something still waiting at their origin, read after the craft
    before it have flown (a regression: the list of routes with people waiting was once read only before
    the first fleet). The two An-124s (one trip each today: back after 1/0.6 or 1/0.3 days) lift the 176
    waiting at Hmeimim; the four Il-76s then find nobody there and fly from Qamishli, one trip each
    (back after two days), 4 x 126 of its 1,000."""
    from wargame.engine.ground import logistics

    m = WargameModel(load_scenario("syria_dec2024"), rng=2, narrate=False)
    g = m.ground
    g.air_routes["turkish_route"].grants["turkey"] = True  # Hmeimim's short route home is open
    g.fleets = {k: g.fleets[k] for k in ("An-124", "Il-76")}  # the An-124s fly first
    an124, il76 = g.fleets["An-124"], g.fleets["Il-76"]
    for site in g.sites.values():
        site.waiting, site.waiting_t = 0, 0.0
    lift = an124.count * an124.payload_personnel  # one trip each today, whichever route home
    g.sites["hmeimim"].waiting = lift
    g.sites["qamishli_airport"].waiting = 1000
    logistics.fly_airlift(m, "russia", 1)
    assert g.sites["hmeimim"].waiting == 0
    from_qamishli = il76.count * il76.payload_personnel
    assert g.sites["qamishli_airport"].waiting == 1000 - from_qamishli
    assert m.evacuated == lift + from_qamishli and m.third_country == 0  # people go home
    # the Il-76s are away until day 3, and the An-124s cannot fly from Qamishli: on day 2 nobody leaves
    assert sorted(il76.away) == [3.0] * 4
    before = m.evacuated
    logistics.fly_airlift(m, "russia", 2)
    assert m.evacuated == before


def test_people_go_to_a_third_country_when_no_way_home_is_open():
    """People are worth little in Libya beside home (the routes' values), so while a way home is open
    they go home; with every way home shut, a route to a third country still takes them."""
    from wargame.engine.ground import logistics

    m = WargameModel(load_scenario("syria_dec2024"), rng=2, narrate=False)
    g = m.ground
    for site in g.sites.values():
        site.waiting, site.waiting_t = 0, 0.0
    g.sites["hmeimim"].waiting = 200
    for route in g.air_routes.values():
        if route.origin == "hmeimim" and route.leads_to == "home":
            route.grants = {**route.grants, "closed": False}  # every way home shut
        elif route.origin == "hmeimim":
            route.grants = {k: True for k in route.grants}  # Benghazi consents in this run
    m.changed("routes")
    logistics.fly_airlift(m, "russia", 1)
    assert m.third_country > 0


def test_a_direct_edit_shows_once_it_comes_through_the_door():
    """The engine remembers routes and deterrence across days; an edit made from outside (not through
    effects or the actors' methods) shows once the editor says so through the one door, changed()."""
    from wargame.engine.commitment.agreements import deterrence
    from wargame.engine.ground import logistics

    m = WargameModel(load_scenario("classroom_passage"), rng=3, narrate=False)
    m.run(until=2)
    owner = m.evacuators[0].actor_id
    before = logistics.way_out(m, owner).routes
    for road in m.ground.roads.values():
        if road.holder != owner:
            road.risk = 0.9  # direct edit
    m.changed()
    after = logistics.way_out(m, owner).routes
    assert before.get("tal_rifaat")[2] < 0.5  # chance of an attack on the way out, before the edit
    assert after.get("tal_rifaat")[2] >= 1 - 0.1**3 - 1e-12  # three roads now at 0.9 or worse
    table = next(iter(m.tables.values()))
    party = table.participants[0].actor_id
    m.deterrence_today(table, party, m.guarantees_at(table.id))
    table.participants[1].trust[party] = -1.0  # direct edit
    m.changed()
    assert m.deterrence_today(table, party, m.guarantees_at(table.id)) == deterrence(
        m, table, party, m.guarantees_at(table.id)
    )


def test_offer_spaces_shared_by_runs_are_read_only():
    m = WargameModel(load_scenario("syria_dec2024"), rng=1, narrate=False)
    space = m.tables["passage"].space
    with pytest.raises(ValueError):
        space.utility[0, 0] = 1.0
    with pytest.raises(ValueError):
        space.frontier_utility[0, 0] = 1.0
