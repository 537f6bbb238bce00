"""The Game: seats that pause the run, moves checked, injects and overrides through the one door, pictures
of every day per viewer, forks, and saves that replay to the identical state."""

from __future__ import annotations

import json

import pytest

from wargame import WargameModel, list_scenarios, load_scenario
from wargame.engine.memory import Memory
from wargame.session import Game, GameError

SEED = "syria_dec2024"


def from_scratch(game: Game) -> Game:
    """The same game loaded from its save, with nothing remembered: every value it shows is worked out
    afresh from the state."""
    fresh = Game.load(game.save())
    memory = Memory()
    memory.revision = fresh.model.memory.revision
    fresh.model.memory = memory
    fresh.model.ground._routes.clear()
    fresh.model.ground._between.clear()
    return fresh


def first_answer_for(game: Game, actor: str):
    """Advance, proposing the first level of every issue whenever the seat must propose, until the seat is
    asked to answer an offer."""
    while not game.finished:
        for p in game.advance():
            if p.actor != actor:
                continue
            if p.role == "answer":
                return p
            game.submit(actor, {k: v[0] for k, v in p.options.items()}, note="opening bid")
    raise AssertionError("the seat was never asked to answer")


def test_a_newcomer_plays_russia_from_a_notebook(tmp_path):
    """The whole path: seat Russia, advance to its first offer and answer it, inject an event at day 5,
    scrub back to day 3, fork from day 3, save and reload."""
    game = Game(SEED, seed=7, seats={"russia": "alice"})
    asked = first_answer_for(game, "russia")
    assert asked.offer and set(asked.offer) == {
        i.id for i in game.model.tables[asked.table].space.issues
    }
    assert 0.0 <= asked.value <= 1.0 and 0.0 <= asked.reservation <= 1.0
    game.submit("russia", "reject", note="the corridor terms are too thin")
    game.advance()
    rnd = game.model.tables[asked.table].rounds[-1]
    assert rnd.day == asked.day and rnd.answers["russia"] is False and not rnd.passed

    # play on to the end of day 5, the seat proposing its first levels and rejecting everything
    while game.day < 5 or game.in_day:
        for p in game.advance():
            move = "reject" if p.role == "answer" else {k: v[0] for k, v in p.options.items()}
            game.submit("russia", move)
    game.inject(
        "base_agreements_voided", reason="what if the authorities void the base agreements now?"
    )
    assert game.history[-1]["kind"] == "inject" and game.history[-1]["day"] == 5

    day3 = game.snapshot(3)
    assert day3["day"] == 3 and game.snapshot(3) is day3  # kept, not replayed
    assert game.snapshot()["occurrences"].get("base_agreements_voided") == 1
    assert "base_agreements_voided" not in day3["occurrences"]

    fork = game.fork(3)
    assert fork.day == 3 and not fork.in_day
    assert fork.snapshot(3) == day3
    assert all(e["day"] <= 3 for e in fork.history)

    saved = game.save(tmp_path / "game.json")
    assert len(saved.encode()) < 100_000
    loaded = Game.load(tmp_path / "game.json")
    assert loaded.digest() == game.digest()
    assert loaded.history == game.history
    for day in range(game.day + 1):
        assert loaded.snapshot(day) == game.snapshot(day)


def test_an_unseated_game_is_the_batch_run():
    """With nobody seated the game never pauses, and its daily pictures change nothing: same result as a
    plain run, byte for byte."""
    for name in ("syria_dec2024", "classroom_passage"):
        game = Game(name, seed=11)
        assert game.play() == []
        assert game.finished and game.day == game.model.horizon
        plain = WargameModel(load_scenario(name), rng=11).run()
        assert json.dumps(game.result().to_dict()) == json.dumps(plain.to_dict())
        assert len(game._pictures) == game.day + 1


def test_moves_are_checked_before_they_count():
    game = Game("classroom_passage", seed=2, seats={"russia": "alice"})
    with pytest.raises(GameError, match="not a seat"):
        game.submit("turkey", "accept")
    with pytest.raises(GameError, match="no actor 'rusia'"):
        Game("classroom_passage", seats={"rusia": "bob"})
    pending = game.play()
    assert pending and pending[0].actor == "russia"
    p = pending[0]
    if p.role == "propose":
        issue = next(iter(p.options))
        with pytest.raises(GameError, match="not a level of"):
            game.submit("russia", {**{k: v[0] for k, v in p.options.items()}, issue: "teleport"})
        with pytest.raises(GameError, match="missing"):
            game.submit("russia", {issue: p.options[issue][0]})
        with pytest.raises(GameError, match="not on this table"):
            game.submit("russia", {**{k: v[0] for k, v in p.options.items()}, "moon": "yes"})
        with pytest.raises(GameError, match="mapping"):
            game.submit("russia", "accept")
    else:
        with pytest.raises(GameError, match="accept or reject"):
            game.submit("russia", "maybe")
    assert not [e for e in game.history if e["kind"] == "decision"]  # nothing counted
    before = game.tick
    assert game.advance() == pending and game.tick == before  # still waiting, nothing moved
    move = "accept" if p.role == "answer" else {k: v[-1] for k, v in p.options.items()}
    game.submit("russia", move, note="n")
    with pytest.raises(GameError, match="nothing is asked"):
        game.submit("russia", move)


def test_a_seat_answers_the_offer_it_has_seen():
    """The round splits into propose -> answers -> close: the seat is asked with the offer on the table,
    and its answer is what the round records."""
    game = Game(SEED, seed=3, seats={"turkey": "bob", "sna": "carol"})
    seen = {}
    while not game.finished and len(seen) < 6:
        for p in game.advance():
            if p.role == "answer":
                assert p.offer is not None and p.proposer not in (None, p.actor)
                seen[(p.day, p.table, p.actor)] = p.offer
                game.submit(p.actor, p.actor == "turkey")
            else:
                game.submit(p.actor, {k: v[0] for k, v in p.options.items()})
    game.advance()  # the last round closes once every seat asked has answered
    assert len(seen) >= 6
    for (day, table_id, actor), offer in seen.items():
        table = game.model.tables[table_id]
        rnd = next(r for r in table.rounds if r.day == day)
        assert table.space.describe(rnd.offer) == offer
        assert rnd.answers[actor] is (actor == "turkey")


def test_each_viewer_sees_only_what_it_knows():
    game = Game(SEED, seed=5)
    game.play(12)
    whole = game.snapshot()
    json.dumps(whole)  # JSON-serialisable
    with pytest.raises(TypeError):
        whole["day"] = 99
    with pytest.raises(TypeError):
        whole["sites"][0]["personnel"] = 0
    actors = [a["id"] for a in whole["actors"]]
    for viewer in actors:
        view = game.snapshot(viewer=viewer)
        json.dumps(view)
        for a in view["actors"]:
            assert ("private" in a) == (a["id"] == viewer)
            assert ("beliefs" in a) == (a["id"] == viewer)
        for t in view["tables"]:
            assert set(t["reservations"]) <= {viewer}
            assert not t["deterrence"]
            if viewer not in t["participants"]:
                assert t["rounds"] == ()
        for entry in view["log"]:
            if entry["kind"] == "round":
                assert set(entry["reservations"]) <= {viewer}
        mine = next(a for a in view["actors"] if a["id"] == viewer)
        truth = next(a for a in whole["actors"] if a["id"] == viewer)
        assert mine["private"] == truth["private"] and mine["beliefs"] == truth["beliefs"]
    with pytest.raises(GameError, match="no actor"):
        game.snapshot(viewer="nobody")
    with pytest.raises(GameError, match="no picture of day"):
        game.snapshot(day=13)


def _events(name: str) -> list[str]:
    return [e.id for e in load_scenario(name).spec.events]


@pytest.mark.parametrize("name", [n for n in list_scenarios() if _events(n)])
def test_after_an_inject_every_value_shown_is_computed_afresh(name):
    """One door: for every event of the scenario and several days, everything a picture shows after the
    inject (outside options, safety, risks, deterrence, break chances, ground) equals what the same game
    loaded from its save shows with nothing remembered, every value worked out from scratch."""
    for event in _events(name):
        for day in (1, 5, 20):
            game = Game(name, seed=day)
            game.play(day)
            game.snapshot()  # remember every value the picture reads, before the change
            game.inject(event, reason="test")
            after = game.snapshot()
            fresh = from_scratch(game)
            assert fresh.snapshot() == after, (event, day)
            game.play(day + 3)  # and the days after go on as the fresh game's do
            fresh.play(day + 3)
            assert fresh.snapshot() == game.snapshot(), (event, day)


def test_custom_effects_and_overrides_are_kept_with_their_reasons():
    game = Game(SEED, seed=9)
    game.play(4)
    road = next(iter(game.model.ground.roads))
    with pytest.raises(GameError, match="reason"):
        game.inject(effects=[{"road_risk": {"segment": road, "set": 0.9}}], reason=" ")
    with pytest.raises(GameError, match="not in this scenario"):
        game.inject(effects=[{"road_risk": {"segment": "no_such_road", "set": 0.9}}], reason="x")
    with pytest.raises(GameError, match="effect 0"):
        game.inject(effects=[{"road_risk": {"segment": road, "set": "high"}}], reason="x")
    game.inject(effects=[{"road_risk": {"segment": road, "set": 0.9}}], reason="an ambush reported")
    shown = next(r for r in game.snapshot()["roads"] if r["id"] == road)
    assert shown["risk"] == 0.9
    with pytest.raises(GameError, match="no override"):
        game.override("teleport", reason="x")
    with pytest.raises(GameError, match="needs table"):
        game.override("collapse_talks", reason="x")
    game.override("collapse_talks", table="bases", reason="Moscow walks out")
    assert (
        game.snapshot()["tables"][[t["id"] for t in game.snapshot()["tables"]].index("bases")][
            "status"
        ]
        == "failed"
    )
    kinds = [(e["kind"], e["reason"]) for e in game.history]
    assert kinds == [("inject", "an ambush reported"), ("override", "Moscow walks out")]
    assert Game.load(game.save()).digest() == game.digest()


def test_a_seat_handed_to_the_model_and_taken_back():
    game = Game(SEED, seed=4, seats={"russia": "alice"})
    pending = game.play()
    assert pending[0].actor == "russia"
    game.hand_over("russia", reason="alice left the room")
    assert "russia" not in game.seats and not game.pending()  # the model took the open decision
    game.play(10)
    assert not game.in_day and game.day == 10
    game.take_back("russia", "dan", reason="dan takes over")
    with pytest.raises(GameError, match="already a seat"):
        game.take_back("russia", "erin")
    pending = game.play()
    assert pending and pending[0].actor == "russia" and pending[0].owner == "dan"
    again = Game.load(game.save())
    assert again.digest() == game.digest() and again.pending() == game.pending()


def test_a_fork_goes_on_as_the_game_did_unless_someone_acts():
    game = Game(SEED, seed=21)
    game.play()
    fork = game.fork(30)
    assert fork.day == 30 and fork.snapshot(30) == game.snapshot(30)
    fork.play()
    assert fork.result().to_dict() == game.result().to_dict()
    other = game.fork(30)
    other.inject("base_agreements_voided", reason="what if")
    other.play()
    assert other.snapshot()["occurrences"].get("base_agreements_voided", 0) >= 1
    with pytest.raises(GameError, match="cannot fork"):
        Game(SEED, seed=1).fork(5)


def test_a_save_refuses_a_changed_scenario(tmp_path):
    source = load_scenario("classroom_passage").path.read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(source, encoding="utf-8")
    (tmp_path / "actors").symlink_to(load_scenario("classroom_passage").path.parents[1] / "actors")
    game = Game(path, seed=1)
    game.play(3)
    doc = game.save()
    path.write_text(source.replace("horizon_days: ", "horizon_days: 1"), encoding="utf-8")
    # (no cache to clear: a file edited since it was read is read again)
    with pytest.raises(GameError, match="has changed"):
        Game.load(doc)
    with pytest.raises(GameError, match="not a saved game"):
        Game.load('{"format": "something else"}')


def single_effects(game: Game) -> list[dict]:
    """One effect of each kind the scenario language has, on the seed scenario's own ids."""
    m = game.model
    g = m.ground
    road = next(r for r in g.roads.values() if r.holder != "russia")
    besieged = next(s for s in g.sites.values() if s.garrison == "russia" and not s.is_base)
    route = next(iter(g.air_routes.values()))
    fleet = next(iter(g.fleets))
    return [
        {"road_risk": {"segment": road.id, "multiply": 2.0}},
        {"road_risk": {"held_by": road.holder, "set": 0.5}},
        {"road_holder": {"segment": road.id, "holder": "turkey"}},
        {"overflight": {"route": route.id, "open": False}},
        {"trust": {"from": "turkey", "to": "russia", "delta": -0.5}},
        {"siege": {"site": besieged.id, "by": "authorities"}},
        {"casualties": {"site": besieged.id, "personnel": 5, "equipment_t": 1.0}},
        {"withdraw": {"site": "tartus"}},
        {"actor": {"actor": "russia", "field": "time_pressure", "delta": 0.3}},
        {"actor": {"actor": "russia", "field": "outside_option", "delta": -0.2}},
        {"actor": {"actor": "authorities", "field": "outside_option", "delta": 0.2}},
        {"actor": {"actor": "turkey", "field": "military", "delta": -0.3}},
        {"aircraft": {"type": fleet, "count_delta": -1}},
    ]


@pytest.mark.parametrize("kind", range(13))
def test_each_kind_of_effect_comes_through_the_door(kind):
    """The same check, one effect at a time (an event's several effects could hide a change that does not
    announce itself behind one that does)."""
    for day in (2, 12, 30):
        game = Game(SEED, seed=day)
        game.play(day)
        effect = single_effects(game)[kind]
        game.snapshot()
        game.inject(effects=[effect], reason="test")
        assert from_scratch(game).snapshot() == game.snapshot(), (effect, day)


def test_the_readme_example_prints_what_the_readme_shows():
    """The README's Game example is real: run as written, it prints the output printed below it."""
    import contextlib
    import io
    from pathlib import Path

    section = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = section.split("## A game you can stop")[1]
    code = section.split("```python\n")[1].split("```")[0]
    shown = section.split("```\n\n```\n")[1].split("```")[0]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    assert printed.getvalue() == shown


def test_talks_collapsed_while_a_seat_decides_stop_the_round():
    """An override that ends the talks while a seat's decision is pending lets that decision lapse: the
    round is not closed and nothing can be signed at the collapsed table."""
    game = Game("classroom_passage", seed=1, seats={"russia": "a", "turkey": "b", "sna": "c"})
    pending = game.play()
    table = pending[0].table
    rounds_before = len(game.model.tables[table].rounds)
    game.override("collapse_talks", table=table, reason="the mediator walks out")
    assert game.pending() == []  # the open decisions lapsed with the talks
    game.advance()
    assert game.model.tables[table].status == "failed"
    assert len(game.model.tables[table].rounds) == rounds_before
    game.play()
    assert not [a for a in game.model.agreements if a.table == table]
    assert Game.load(game.save()).digest() == game.digest()


def test_a_fork_is_the_state_at_the_end_of_its_day():
    """What was done after a day ended (an inject, a seat handed over) belongs to the next day: a fork
    from that day does not have it."""
    game = Game(SEED, seed=2, seats={"russia": "a"})
    while game.day < 5 or game.in_day:
        for p in game.advance():
            game.submit(
                "russia",
                "reject" if p.role == "answer" else {k: v[0] for k, v in p.options.items()},
            )
    game.inject("base_agreements_voided", reason="after day 5 ended")
    game.hand_over("russia", reason="the student left")
    game.play(8)
    fork = game.fork(5)
    assert fork.day == 5 and "russia" in fork.seats
    assert fork.snapshot()["occurrences"] == game.snapshot(5)["occurrences"]
    assert "base_agreements_voided" not in fork.snapshot()["occurrences"]
    drop = ("tick", "in_day", "seats")
    assert {k: v for k, v in fork.snapshot().items() if k not in drop} == {
        k: v for k, v in game.snapshot(5).items() if k not in drop
    }


def test_a_breach_shows_its_gain_and_deterrence_only_to_the_breaker():
    for seed in range(40):
        game = Game(SEED, seed=seed)
        game.play()
        breaches = [(d["day"], d) for d in game.log() if d["kind"] == "breach"]
        if breaches:
            break
    else:
        pytest.skip("no breach in 40 seeds")
    day, breach = breaches[0]
    for viewer in [a.actor_id for a in game.model.actor_list]:
        entries = [e for e in game.snapshot(day, viewer=viewer)["log"] if e["kind"] == "breach"]
        assert entries, viewer
        shown = ("gain" in entries[0], "cost" in entries[0])
        assert shown == ((True, True) if viewer == breach["by"] else (False, False)), viewer


def test_what_the_game_hands_out_cannot_change_it():
    game = Game(SEED, seed=3, seats={"russia": "a"})
    road = next(iter(game.model.ground.roads))
    effect = {"road_risk": {"segment": road, "set": 0.9}}
    game.inject(effects=[effect], reason="a report")
    effect["road_risk"]["set"] = 0.1  # the caller reuses its dict
    assert game.history[-1]["effects"][0]["road_risk"]["set"] == 0.9
    with pytest.raises(TypeError):
        game.seats["turkey"] = "mallory"
    with pytest.raises((TypeError, AttributeError)):
        game.history.clear()
    with pytest.raises(TypeError):
        game.history[-1]["reason"] = "rewritten"
    assert Game.load(game.save()).digest() == game.digest()


def test_the_digest_sees_submitted_moves_and_the_random_streams():
    a = Game("classroom_passage", seed=4, seats={"russia": "a"})
    b = Game("classroom_passage", seed=4, seats={"russia": "a"})
    pa = a.play()
    b.play()
    assert a.digest() == b.digest()
    move = "reject" if pa[0].role == "answer" else {k: v[0] for k, v in pa[0].options.items()}
    a.submit("russia", move)
    assert a.digest() != b.digest()
    c = Game("classroom_passage", seed=5, seats={"russia": "a"})
    assert c.digest() != Game("classroom_passage", seed=6, seats={"russia": "a"}).digest()


def test_a_number_that_is_no_number_is_a_clear_error():
    game = Game("bilateral_split", seed=1, seats={"player_a": "a"})
    pending = game.play()
    while pending[0].role != "propose":
        game.submit("player_a", "reject")
        pending = game.play()
    for bad in (None, [1], "lots"):
        with pytest.raises(GameError, match="not a level of 'share'"):
            game.submit("player_a", {"share": bad})


def test_a_seat_sees_only_its_own_pending_decisions():
    game = Game(SEED, seed=3, seats={"turkey": "b", "sna": "c"})
    while True:
        pending = game.advance()
        if len(pending) >= 2:
            break
        for p in pending:
            game.submit(
                p.actor, "reject" if p.role == "answer" else {k: v[0] for k, v in p.options.items()}
            )
    assert {p.actor for p in game.pending(viewer="turkey")} == {"turkey"}
    assert {p.actor for p in game.pending(viewer="sna")} == {"sna"}
    assert game.pending(viewer="russia") == []


def test_reading_results_loads_no_engine():
    """The report, branch trees and drivers read results without the engine (a subprocess, so that what
    other tests imported does not count)."""
    import subprocess
    import sys

    code = (
        "import sys, wargame.presentation.report, wargame.analysis.branching, wargame.analysis.drivers;"
        "print([m for m in sys.modules if m.startswith('wargame.engine') or m == 'mesa'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
