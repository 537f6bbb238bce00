"""Typed run records: generated over every record class (the registry drives the tests, after the Axelrod
library's habit), then what a seat of the seed scenario hears of its own affairs, a forced breach told as
forced, and one version of an edited scenario file on the desk."""

from __future__ import annotations

import dataclasses
import shutil
import typing
from pathlib import Path

import pyarrow as pa
import pytest

from viz.workspace import Workspace
from wargame.engine.records import REGISTRY, Record, occurrence_names, seen_by
from wargame.engine.scenarios import load_scenario, occurrence_vocabulary
from wargame.language.scenario import data_dir, list_scenarios
from wargame.presentation.narrative import Names, describe
from wargame.session import Game

ACTORS = ("alpha", "bravo", "charlie")


def _value(annotation: str, name: str):
    """A plausible value for a field of a record class, naming the actors alpha and bravo."""
    a = annotation.replace(" ", "")
    if name in ("parties", "observers", "others", "by") and "tuple" in a:
        return ("alpha", "bravo")
    if a.startswith("dict[str,bool]"):
        return {"alpha": True, "bravo": False}
    if name == "reasons":
        return {"alpha": (0.5, 0.6), "bravo": (0.4, 0.7)}
    if name == "reservations":
        return {"alpha": 0.3, "bravo": 0.4}
    if a.startswith("dict"):
        return {"route": "open"}
    if a.startswith("tuple"):
        return ("road_a",)
    if a.startswith("bool"):
        return True
    if a.startswith("int"):
        return 3
    if a.startswith("float"):
        return 0.25
    if name in ("owner", "holder", "mover", "by", "proposer", "guarantor", "actor", "about"):
        return "alpha"
    if name == "against":
        return "bravo"
    return f"{name}_x"


def _spelt(hint) -> str:
    return hint.__name__ if isinstance(hint, type) else str(hint).replace("typing.", "")


def example(cls: type[Record]) -> Record:
    hints = typing.get_type_hints(cls)
    values = {
        f.name: _value(_spelt(hints[f.name]), f.name)
        for f in dataclasses.fields(cls)
        if f.name != "day"
    }
    return cls(4, **values)


KINDS = sorted(REGISTRY)


def test_the_registry_holds_every_kind_the_engine_writes():
    assert len(KINDS) >= 25 and all(REGISTRY[k].kind == k for k in KINDS)
    for kind in (
        "round",
        "breach",
        "airlift",
        "convoy",
        "post",
        "safe_conduct",
        "frozen",
        "thawed",
    ):
        assert kind in REGISTRY


@pytest.mark.parametrize("kind", KINDS)
def test_the_analyst_sees_every_record_and_every_concerned_actor_sees_it(kind):
    entry = example(REGISTRY[kind]).to_dict()
    assert seen_by(entry, None) == entry
    for actor in entry["concerns"]:
        assert seen_by(entry, actor) is not None, (kind, actor)
    outsider = seen_by(entry, "charlie")
    assert (outsider is not None) == REGISTRY[kind].public


@pytest.mark.parametrize("kind", KINDS)
def test_no_other_seat_reads_a_private_field(kind):
    cls = REGISTRY[kind]
    entry = example(cls).to_dict()
    for viewer in ACTORS:
        seen = seen_by(entry, viewer)
        if seen is None:
            continue
        for name, owner_field in cls.private_to.items():
            assert (name in seen) == (entry[owner_field] == viewer), (kind, name, viewer)
        for name in cls.own_entries:
            assert set(seen[name]) <= {viewer}, (kind, name, viewer)


@pytest.mark.parametrize("kind", KINDS)
def test_every_record_has_its_own_sentence(kind):
    text = describe(example(REGISTRY[kind]).to_dict(), Names({"alpha": "Alpha"}, {}))
    assert text and kind + ":" not in text and "{" not in text


def test_a_kind_without_a_sentence_fails_loudly():
    with pytest.raises(KeyError, match="no sentence"):
        describe({"kind": "a_kind_nobody_told"}, Names())


@pytest.mark.parametrize("name", list_scenarios())
def test_every_counted_occurrence_is_known_to_the_scenario_checker(name):
    sc = load_scenario(name)
    known = occurrence_vocabulary(sc)
    spec = sc.spec
    assert occurrence_names([t.id for t in spec.tables], [e.id for e in spec.events]) <= known
    game = Game(name, seed=2)
    game.play()
    counted = set(game.snapshot()["occurrences"])
    assert counted <= known, counted - known


# ---------------------------------------------------------------- a seat hears its own news


@pytest.fixture(scope="module")
def seed_game() -> Game:
    game = Game("syria_dec2024", seed=0)
    game.play()
    return game


def test_russias_seat_hears_of_its_own_affairs(seed_game):
    whole = [e["kind"] for e in seed_game.log()]
    mine = seed_game.log(viewer="russia")
    kinds = [e["kind"] for e in mine]
    for kind in ("airlift", "convoy", "post", "safe_conduct", "frozen", "thawed"):
        assert kind in whole, kind  # the analyst's log has them ...
        assert kinds.count(kind) == whole.count(kind), kind  # ... and Russia hears of every one
    # and the day-by-day pictures say the same as the whole log
    by_day = [
        e for d in range(seed_game.day + 1) for e in seed_game.snapshot(d, viewer="russia")["log"]
    ]
    assert [dict(e) for e in by_day] == [dict(e) for e in mine]


def test_turkeys_seat_hears_none_of_russias_private_reasons(seed_game):
    heard = seed_game.log(viewer="turkey")
    for e in heard:
        assert "turkey" in e["concerns"] or REGISTRY[e["kind"]].public, e["kind"]
        if e["kind"] == "round":
            assert set(e["reasons"]) <= {"turkey"} and set(e["reservations"]) <= {"turkey"}
        if e["kind"] == "breach" and e["by"] != "turkey":
            assert "gain" not in e and "cost" not in e
    assert not [e for e in heard if e["kind"] in ("post", "airlift", "convoy")]  # Russia's own


def test_a_forced_breach_is_told_as_forced_with_the_reason():
    game = Game("syria_dec2024", seed=0)
    while not game.finished:
        game.advance()
        table = next((a["table"] for a in game.snapshot()["agreements"] if a["status"] == "in_force"), None)  # fmt: skip
        if table:
            break
    assert table, "no agreement in force in the seed run"
    game.override(
        "break_agreement",
        reason="the control cell says Moscow reneges",
        table=table,
        actor="russia",
    )
    (breach,) = [e for e in game.log() if e["kind"] == "breach"]
    assert breach["forced"] and breach["reason"] == "the control cell says Moscow reneges"
    text = describe(breach, Names.of_picture(game.snapshot()))
    assert "forced from outside the run: the control cell says Moscow reneges" in text
    assert "outweighed" not in text


def test_an_edited_file_plays_one_version_in_one_run_and_in_many(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copytree(data_dir("actors"), tmp_path / "actors")
    mine = folder / "passage.yaml"
    text = (data_dir("scenarios") / "classroom_passage.yaml").read_text()
    mine.write_text(text)
    ws = Workspace(str(mine), workers=1)
    before = ws.run_batch(6, seed=1)
    old_days = set(pa.concat_tables(before.tables).column("days").to_pylist())
    assert old_days != {9}
    horizon = next(line for line in text.splitlines() if line.startswith("horizon_days:"))
    mine.write_text(text.replace(horizon, "horizon_days: 9"))
    ws.load(str(mine))
    ws.run_to_end()
    assert ws.game.horizon == 9 and ws.game.day == 9
    after = ws.run_batch(6, seed=1)
    assert set(pa.concat_tables(after.tables).column("days").to_pylist()) == {9}
    assert Path(ws.scenario_path()) == mine.resolve()
