"""The mechanisms a faithful model of the crisis needs: the status quo as the disagreement point (and who can
force a change), soft deadlines, talks that freeze and thaw, quiet local safe conduct, posts left or kept
as hubs by the owner's choice, residual garrisons, and ways out by sea and to third countries."""

from __future__ import annotations

import pytest

from tests.conftest import MINI
from wargame import WargameModel, load_scenario
from wargame.engine.bargaining import outside_options, talks
from wargame.engine.ground import garrisons, people, safe_conduct
from wargame.engine.ground.geography import SAFE_CONDUCT_RISK

STATUS_QUO = {"route": "closed", "price": 0}
IMPOSED = {"route": "closed", "price": 50}


def mini(**overrides):
    return load_scenario(MINI, overrides)


def refuse_everything(m: WargameModel) -> None:
    for actor in ("red", "blue", "green"):
        m.refusals.add((actor, "deal"))


def with_enforcer(cost: float, **more):
    return mini(
        **{
            "tables.deal.status_quo": STATUS_QUO,
            "tables.deal.enforcers": [{"actor": "blue", "imposes": IMPOSED, "cost": cost}],
            **more,
        }
    )


def test_the_status_quo_holds_unless_someone_can_and_will_force_a_change():
    """Blue gains from the price it would impose; it forces it only while forcing costs it less than that
    gain, and then everyone's outside option is the imposed terms' value (the enforcer's less its cost)."""
    cheap = WargameModel(with_enforcer(0.0), rng=1)
    dear = WargameModel(with_enforcer(1.0), rng=1)
    table_c, table_d = cheap.tables["deal"], dear.tables["deal"]
    imposed, status_quo = table_c.space.offer_of(IMPOSED), table_c.space.offer_of(STATUS_QUO)
    gain = table_c.forcing_gain(cheap, "blue", imposed, 0.0)
    assert gain > 0 and table_c.disagreement(cheap) == (imposed, "blue")
    assert table_d.forcing_gain(dear, "blue", imposed, 1.0) < 0  # forcing costs more than it gains
    assert table_d.disagreement(dear) == (status_quo, None)
    # Red's outside option follows the disagreement point: the imposed price is worth less to it.
    red_c, red_d = cheap.actor("red"), dear.actor("red")
    u = table_c.space.rows[table_c.row("red")]
    assert outside_options.reservation(cheap, red_c, table_c) < outside_options.reservation(
        dear, red_d, table_d
    )
    shift = u[imposed] - u[status_quo]
    both = [outside_options.reservation(m, m.actor("red"), m.tables["deal"]) for m in (cheap, dear)]
    if 0 < both[0] < 1 and 0 < both[1] < 1:  # not clipped: the difference is the value's difference
        assert both[0] - both[1] == pytest.approx(
            shift * 0.5 * (1 + cheap.unilateral_safety(red_c))
        )


def test_forcing_costs_a_weak_enforcer_more_than_a_strong_one():
    """The cost of forcing a change grows with the others' strength against the enforcer's own: equal
    strength leaves the written cost, a weak enforcer pays up to twice it, a strong one little."""
    m = WargameModel(with_enforcer(0.4), rng=1)
    table = m.tables["deal"]
    blue = m.actor("blue")
    others = (
        m.actor("red").capabilities["military"] + m.actor("green").capabilities["military"]
    ) / 2
    blue.capabilities["military"] = others
    assert table.forcing_cost(m, "blue") == pytest.approx(0.4)
    blue.capabilities["military"] = 0.0
    assert table.forcing_cost(m, "blue") == pytest.approx(0.8)
    blue.capabilities["military"] = 1.0
    assert table.forcing_cost(m, "blue") < 0.4


def test_talks_freeze_when_nobody_takes_an_offer_and_the_enforcer_imposes():
    m = WargameModel(with_enforcer(0.0, **{"tables.deal.freeze_after": 3}), rng=2)
    refuse_everything(m)
    m.run(until=3)
    table = m.tables["deal"]
    assert table.status == "imposed" and m.occurrences.get("talks_frozen_deal") == 1
    assert m.occurrences.get("imposed_deal") == 1 and not m.agreements  # nothing signed
    assert any(
        kind == "imposed" and d["by"] == "blue"
        for kind, d in ((r.kind, r.to_dict()) for r in m.records)
    )


def test_frozen_talks_thaw_after_the_cooling_off():
    still = {
        f"actors.{a}.time_pressure": 0.0 for a in ("red", "blue", "green")
    }  # nobody's position erodes
    sc = with_enforcer(
        1.0, **{"tables.deal.freeze_after": 2, "tables.deal.reopen_after": 4, **still}
    )
    m = WargameModel(sc, rng=2)
    refuse_everything(m)
    table = m.tables["deal"]
    m.run(until=2)
    assert table.status == "frozen" and table.frozen_day == 2  # nobody can force a change: it waits
    m.run(until=5)
    assert table.status == "frozen" and len(table.rounds) == 2
    m.run(until=6)
    assert table.status == "open" and m.occurrences.get("talks_reopened_deal") == 1
    assert len(table.rounds) == 3


def test_frozen_talks_thaw_when_a_side_s_position_moves():
    still = {f"actors.{a}.time_pressure": 0.0 for a in ("red", "blue", "green")}
    sc = with_enforcer(
        1.0, **{"tables.deal.freeze_after": 2, "tables.deal.reopen_after": 30, **still}
    )
    m = WargameModel(sc, rng=2)
    refuse_everything(m)
    m.run(until=2)
    table = m.tables["deal"]
    assert table.status == "frozen"
    m.actor("blue").shift("outside_option", -talks.THAW_SHIFT * 3)
    m.run(until=3)
    assert table.status == "open"
    assert any(
        kind == "thawed" and d["by"] == "blue"
        for kind, d in ((r.kind, r.to_dict()) for r in m.records)
    )


def with_signing_cost(value: float):
    return mini(
        **{"tables.deal.signing_costs": {"blue": {"dist": "fixed", "value": value, "source": "t"}}}
    )


def test_a_signing_cost_raises_the_bar_a_deal_must_clear_and_comes_off_the_deal_s_value():
    """What signing costs an actor at a table (beyond the terms) raises its outside option there by the
    cost drawn, for it alone; its payoff is the deal's value less the cost, or with no deal what it had.
    The cost is drawn after the actors' own private values, so these are the same with or without it."""
    plain, costly = WargameModel(mini(), rng=1), WargameModel(with_signing_cost(0.2), rng=1)
    assert costly.actor("blue").private == {**plain.actor("blue").private, "signing_cost_deal": 0.2}
    assert costly.result().private["blue"]["signing_cost_deal"] == 0.2
    for actor in ("red", "blue", "green"):
        before = plain.reservation(plain.actor(actor), plain.tables["deal"])
        after = costly.reservation(costly.actor(actor), costly.tables["deal"])
        assert 0 < before < 0.8
        assert after == pytest.approx(before + (0.2 if actor == "blue" else 0.0))
    assert costly.result().utilities == plain.result().utilities  # nothing signed yet
    for m in (plain, costly):
        table = m.tables["deal"]
        m.sign(table, int(table.space.frontier[0]), m.day)
    deal, dear = plain.result().utilities, costly.result().utilities
    assert dear["blue"] == pytest.approx(deal["blue"] - 0.2)
    assert dear["red"] == deal["red"] and dear["green"] == deal["green"]


def test_a_signing_cost_changes_through_the_model_s_one_door():
    """A signing cost set during a run moves the outside option the model has remembered."""
    m = WargameModel(with_signing_cost(0.1), rng=1)
    blue, table = m.actor("blue"), m.tables["deal"]
    before = m.reservation(blue, table)
    blue.set_signing_cost("deal", 0.3)
    assert m.reservation(blue, table) == pytest.approx(before + 0.2)


def test_the_dearer_signing_is_the_fewer_deals_are_signed():
    """In the seed scenario, the dearer the authorities' cost of a bases deal, the fewer seeds sign one:
    with it fixed at nothing most do (not all: their Western track may rise and they may rather wait); at
    0.3 fewer; at 1, a deal could never be worth its cost, and none does."""

    def signed(value: float) -> int:
        cost = {"authorities": {"dist": "fixed", "value": value, "source": "test"}}
        # exact best responses: the logit's chance of taking a deal worth a little less than its cost
        # is not what this test is about
        sc = load_scenario(
            "syria_dec2024",
            {"tables.bases.signing_costs": cost, "actors.authorities.rationality": None},
        )
        return sum(
            "base_deal_signed" in dict(WargameModel(sc, rng=s, narrate=False).run().milestones)
            for s in range(12)
        )

    free, dear = signed(0.0), signed(0.3)
    assert free > dear > 0 and free >= 6
    assert signed(1.0) == 0


@pytest.mark.parametrize("hard", [False, True])
def test_a_deadline_is_soft_unless_the_scenario_makes_it_hard(hard):
    m = WargameModel(
        mini(**{"tables.deal.deadline_day": 3, "tables.deal.hard_deadline": hard}), rng=3
    )
    refuse_everything(m)
    m.run(until=8)
    table = m.tables["deal"]
    if hard:
        assert table.status == "failed" and len(table.rounds) == 3
    else:
        assert table.status == "open" and len(table.rounds) == 8
        assert table.progress(8, "red") == 1.0  # past its deadline an actor asks its floor


def test_per_actor_deadlines_set_each_one_s_concessions():
    m = WargameModel(mini(**{"tables.deal.deadlines": {"red": 5, "blue": 20}}), rng=3)
    table = m.tables["deal"]
    assert table.progress(5, "red") == 1.0
    assert table.progress(5, "blue") == pytest.approx(4 / 19)
    assert table.progress(5, "green") == pytest.approx(4 / 19)  # the table's deadline


def test_a_holder_lets_columns_pass_quietly_and_the_road_grows_safer_for_that_mover_only():
    sc = mini(**{"actors.green.lets_columns_pass": 1.0, "actors.green.trust": {"red": 1.0}})
    m = WargameModel(sc, rng=4)
    m.step()  # day 1: the outpost is left (worth nothing), then its owner asks the holders of the way out
    g = m.ground
    arranged = {road for road, mover in g.safe_conduct if mover == "red"}
    assert "r1" in arranged  # green's road out of the outpost (green: certain to agree)
    road = g.roads["r1"]
    hostile = {"green": 1.0}
    assert g.segment_risk(road, "red", hostile) == pytest.approx(
        min(1.0, road.risk) * SAFE_CONDUCT_RISK
    )
    assert g.segment_risk(road, "blue", hostile) == pytest.approx(min(1.0, road.risk))
    assert m.occurrences.get("safe_conduct_arranged", 0) >= 1


def test_willingness_follows_disposition_trust_promises_and_sieges():
    m = WargameModel(mini(), rng=5)
    blue, green = m.actor("blue"), m.actor("green")
    # blue guarantees red's passage at the table: a reason to let its columns pass
    expected_blue = (
        blue.profile.lets_columns_pass
        + safe_conduct.TRUST_WEIGHT * blue.trust["red"]
        + safe_conduct.PROMISE_BONUS
    )
    assert safe_conduct.willingness(m, blue, "red") == pytest.approx(min(max(expected_blue, 0), 1))
    # green besieges red's outpost and distrusts red
    expected_green = (
        green.profile.lets_columns_pass
        + safe_conduct.TRUST_WEIGHT * green.trust["red"]
        - safe_conduct.BESIEGER_PENALTY
    )
    assert safe_conduct.willingness(m, green, "red") == pytest.approx(max(expected_green, 0.0))


def test_an_outpost_is_left_only_when_not_worth_its_risk():
    kept = WargameModel(mini(**{"sites.outpost.value": 1.0}), rng=6)
    left = WargameModel(mini(), rng=6)
    for m in (kept, left):
        m.step()
    assert kept.ground.sites["outpost"].personnel == 100  # worth more than the siege's risk: held
    assert left.ground.sites["outpost"].personnel == 0
    assert left.ground.sites["outpost"].waiting + sum(c.personnel for c in left.convoys) > 0
    risk = garrisons.staying_risk(left, left.ground.sites["outpost"], "red")
    assert risk >= garrisons.SIEGE_RISK
    assert not people.interior_cleared(kept)  # a post still held is not cleared


def test_an_airfield_worth_keeping_becomes_a_hub_and_hubs_need_not_be_emptied():
    sc = mini(
        **{
            "sites.outpost.airfield": True,
            "sites.outpost.value": 1.0,
            "air_routes": [
                {"id": "home", "from": "hub", "to": "home", "km": 4000},
                {"id": "out", "from": "outpost", "to": "home", "km": 3000},
            ],
        }
    )
    m = WargameModel(sc, rng=7)
    m.step()
    outpost = m.ground.sites["outpost"]
    assert outpost.role == "hub" and outpost.personnel == 100
    assert m.occurrences.get("hub_opened") == 1
    assert people.interior_cleared(m)  # only outposts must be emptied


def test_a_table_s_term_can_make_a_site_a_hub():
    sc = mini(
        **{
            "issues": [
                {
                    "id": "route",
                    "kind": "ordinal",
                    "levels": [
                        {"id": "closed"},
                        {
                            "id": "escorted",
                            "effects": [{"site_role": {"site": "outpost", "role": "hub"}}],
                        },
                        {"id": "open"},
                    ],
                },
                {"id": "price", "kind": "continuous", "range": [0, 100], "steps": 5},
            ]
        }
    )
    m = WargameModel(sc, rng=8)
    agreement = m.sign(m.tables["deal"], m.tables["deal"].space.offer_of({"route": "escorted"}), 1)
    assert m.ground.sites["outpost"].role == "hub"
    from wargame.engine.rules import effects

    effects.undo(m, agreement.undo)
    assert m.ground.sites["outpost"].role == "outpost"


def test_a_residual_garrison_stays_the_rest_fly_home_and_equipment_ships_to_a_third_country():
    sc = mini(
        **{
            "sites.hub.residual": 300,
            "sites.hub.residual_t": 60,
            "sites.hub.port": True,
            "air_routes": [
                {"id": "home", "from": "hub", "to": "home", "km": 4000},
                {
                    "id": "sea",
                    "from": "hub",
                    "to": "a friendly port",
                    "km": 1500,
                    "mode": "sea",
                    "destination": "third_country",
                },
            ],
            "aircraft": [
                {
                    "type": "lifter",
                    "operator": "red",
                    "count": 2,
                    "payload_personnel": 100,
                    "payload_t": 40,
                    "sorties_per_day": {"home": 0.5},
                },
                {
                    "type": "ferry",
                    "mode": "sea",
                    "operator": "red",
                    "count": 1,
                    "payload_personnel": 400,
                    "payload_t": 500,
                    "sorties_per_day": {"sea": 0.5},
                },
            ],
        }
    )
    m = WargameModel(sc, rng=9)
    hub = m.ground.sites["hub"]
    assert (hub.personnel, hub.waiting) == (300, 200)
    assert (hub.equipment_t, hub.waiting_t) == (60, 40)
    r = m.run()
    assert hub.personnel >= 300 - r.personnel_lost  # the residual stays (raids hit it last)
    # people fly home (a route home is open); the ship takes equipment to the third country
    assert r.personnel_third_country == 0 and r.personnel_evacuated >= 200
    assert r.equipment_third_country_t > 0
    assert any(
        kind == "airlift" and d["mode"] == "sea"
        for kind, d in ((r.kind, r.to_dict()) for r in m.records)
    )


def test_the_last_column_out_through_a_crossing_completes_the_withdrawal():
    """When the last people leave by road, through an exit, the withdrawal is complete that day: the
    arriving columns are off the road before they are counted out (they once still counted as present,
    and no run ending by road recorded a completed withdrawal)."""
    spec = load_scenario("classroom_passage")
    by_road = 0
    for seed in range(12):
        m = WargameModel(spec, rng=seed)
        m.run()
        if m.present == 0 and m.evacuated > 0:
            completed = [r for r in m.records if type(r).__name__ == "WithdrawalCompleted"]
            assert len(completed) == 1, f"seed {seed}: everyone is out, completions {completed}"
            arrived = [r for r in m.records if type(r).__name__ == "ConvoyArrived"]
            by_road += bool(arrived) and arrived[-1].day == completed[0].day
    assert by_road > 0  # the case this test is about occurred
