"""Saved games are data to check, never trusted: a save is read within bounds (a regular file, a size cap,
UTF-8, a nesting cap, finite numbers), checked field by field, must be a game of the scenario or exercise
it is loaded for, and must replay to the digest it was saved with. Every fault is a SaveError (a
ScenarioError and a GameError) naming the file and the field, and the commands exit 2 with it, at once."""

from __future__ import annotations

import copy
import json
import math
import os
import random
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import within
from tests.test_classroom import TINY, exercise_file
from wargame.cli import main
from wargame.language.errors import ScenarioError
from wargame.session import Game, GameError, saved_games
from wargame.session.classroom import Classroom, ClassroomError, ClassroomSaveError
from wargame.session.game import read_saved
from wargame.session.saved_games import (
    MAX_BYTES,
    MAX_DEPTH,
    SaveError,
    read_bounded,
    read_classroom,
    read_game,
)

CLASS = "classroom_45min"
FULL = "syria_dec2024_full"


def played_game() -> Game:
    """A few days of classroom_passage with Russia seated and deciding, and one entry of every kind."""
    game = Game("classroom_passage", seed=5, seats={"russia": "alice"})
    injected = False
    while game.day < 4 or game.in_day:
        for p in game.advance():
            move = "reject" if p.role == "answer" else {k: v[0] for k, v in p.options.items()}
            game.submit("russia", move, note="by the rule")
        if game.day == 2 and not game.in_day and not injected:
            injected = True
            game.inject("manbij_falls", reason="sets the scene")
            game.inject(
                effects=[{"trust": {"from": "turkey", "to": "russia", "delta": -0.2}}],
                reason="a rumour",
            )
            game.hand_over("russia", reason="away")
            game.take_back("russia", "bob", reason="back")
    game.override("collapse_talks", table="passage", reason="Moscow walks out")
    return game


@pytest.fixture(scope="module")
def game() -> Game:
    return played_game()


@pytest.fixture(scope="module")
def saved(game) -> dict:
    return json.loads(game.save())


@pytest.fixture(scope="module")
def class_save() -> dict:
    room = Classroom(CLASS)
    p = room.game.pending()
    room.decide(p[0].actor, {k: v[0] for k, v in p[0].options.items()}, "a first offer")
    return json.loads(room.save())


@pytest.fixture(scope="module")
def other_class_save() -> dict:
    return json.loads(Classroom(FULL).save())


def refused(source, match: str | None = None, field: str | None = None, **kw) -> SaveError:
    with within(5), pytest.raises(SaveError, match=match) as caught:
        Game.load(source, **kw)
    if field is not None:
        assert caught.value.field == field, caught.value
    return caught.value


# ---------------------------------------------------------------- the error


def test_a_save_error_is_a_scenario_error_and_a_game_error():
    exc = SaveError("x.json", "not a saved game", field="seed", expected="an int", found="'seven'")
    assert isinstance(exc, ScenarioError) and isinstance(exc, GameError)
    assert isinstance(exc, ValueError) and not isinstance(exc, ClassroomError)
    assert str(exc) == "x.json: not a saved game (field 'seed')\n  expected an int, found 'seven'"
    assert exc.args == (str(exc),)
    inner = ClassroomSaveError("y.json", "m")
    assert isinstance(inner, ClassroomError) and isinstance(inner, SaveError)
    moved = exc.inside("room.json", "game", ClassroomSaveError)
    assert isinstance(moved, ClassroomError) and moved.field == "game.seed"
    assert moved.file == "room.json" and moved.found == "'seven'"
    for caught in (GameError, ScenarioError, ValueError):
        try:
            raise exc
        except caught as e:
            assert e is exc


# ---------------------------------------------------------------- reading within bounds


def short_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="sg", dir="/tmp"))  # a socket's path must be short


@pytest.fixture
def opened(monkeypatch):
    """The paths os.open was asked to open."""
    seen = []
    real = os.open

    def spy(path, *args, **kw):
        seen.append(str(path))
        return real(path, *args, **kw)

    monkeypatch.setattr(saved_games.os, "open", spy)
    return seen


def test_what_is_not_a_regular_file_is_refused_without_being_opened(tmp_path, opened):
    fifo = tmp_path / "save.fifo"
    os.mkfifo(fifo)
    folder = short_dir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(folder / "s"))
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    cases = {
        "/dev/zero": "not a regular file",
        str(fifo): "not a regular file",
        str(folder / "s"): "not a regular file",
        str(tmp_path / "zero.json"): "not a regular file",  # a link is followed
        str(tmp_path): "is a directory",
    }
    try:
        for path, said in cases.items():
            for source in (path, Path(path)):
                with within(2), pytest.raises(SaveError, match=said) as caught:
                    Game.load(source)
                assert caught.value.file == path
        assert opened == []
    finally:
        sock.close()
        shutil.rmtree(folder)


def test_a_missing_file_a_dangling_link_and_a_nul_are_refused(tmp_path):
    (tmp_path / "gone.json").symlink_to(tmp_path / "nowhere")
    e = refused(tmp_path / "missing.json", "file not found")
    assert e.found == "nothing"
    assert refused(tmp_path / "gone.json", "file not found").found == "a link to nothing"
    refused("bad\0name.json", "cannot be read")


def test_a_file_over_the_cap_is_refused_and_the_cap_holds_real_saves(tmp_path, game):
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no disk is filled
    with within(2):
        e = refused(big, "too large")
    assert f"{MAX_BYTES:,}" in e.expected
    with within(2):
        refused("{" + " " * MAX_BYTES + "}", "too large")
    assert len(game.save()) * 1000 < MAX_BYTES  # a save is small beside the cap


def test_not_utf8_and_not_json_are_refused(tmp_path, saved):
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps(saved).encode()[:-2] + b"\xe9}")
    refused(path, "not UTF-8")
    e = refused('{"format": "wargame-game/1",\n "seed": }', "not JSON")
    assert e.line == 2 and e.file == "saved game"
    refused("{" + '"a": ' + "9" * 5000 + "}", "not JSON")  # a number of 5,000 digits


def test_json_nested_too_deeply_is_refused(saved):
    with within(2):
        deep = '{"format": "wargame-game/1", "x": ' + "[" * 200_000 + "]" * 200_000 + "}"
        refused(deep, "nested too deeply")
        junk: list = []
        for _ in range(MAX_DEPTH + 2):
            junk = [junk]
        nested = {**saved, "history": [junk]}
        e = refused(json.dumps(nested), "nested too deeply")
        assert e.field.startswith("history[0]") and str(MAX_DEPTH) in e.expected
    looped: dict = dict(saved)
    looped["history"] = [looped]  # a mapping that contains itself
    refused(looped, "nested too deeply")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused_with_their_field(saved, token):
    text = json.dumps(saved).replace(f'"seed": {saved["seed"]}', f'"seed": {token}')
    e = refused(text, "not a finite number", field="seed")
    assert e.found in (token, "inf")
    refused({**saved, "seed": math.nan}, "not a finite number", field="seed")


def test_read_saved_keeps_working_for_its_callers(tmp_path, saved):
    text = json.dumps(saved)
    path = tmp_path / "g.json"
    path.write_text(text, encoding="utf-8")
    for source in (text, path, str(path), saved):
        assert read_saved(source, "wargame-game/1", "a saved game", GameError) == saved
    with pytest.raises(GameError, match="not a saved classroom") as caught:
        read_saved(text, "wargame-classroom/1", "a saved classroom", ClassroomError)
    assert isinstance(caught.value, ClassroomError) and isinstance(caught.value, SaveError)
    assert caught.value.field == "format"
    with pytest.raises(SaveError, match="not a regular file"):
        read_saved("/dev/zero", "wargame-game/1", "a saved game")
    assert read_bounded(path, "a saved game") == text


# ---------------------------------------------------------------- every field typed


def with_value(doc: dict, path: tuple, value) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


DELETE = object()
TYPED = [
    (("seed",), "seven", "seed", "valid integer"),
    (("seed",), True, "seed", "valid integer"),
    (("seed",), 7.0, "seed", "valid integer"),
    (("seed",), -1, "seed", "greater than or equal to 0"),
    (("seed",), 2**64, "seed", "less than or equal"),
    (("seed",), DELETE, "seed", "missing"),
    (("days",), "30", "days", "valid integer"),
    (("days",), 0, "days", "greater than or equal to 1"),
    (("tick",), -3, "tick", "greater than or equal to 0"),
    (("tick",), 10**30, "tick", "less than or equal"),
    (("seats",), ["russia"], "seats", "valid dictionary"),
    (("seats", "russia"), 1, "seats.russia", "valid string"),
    (("scheduled",), [[1, 2]], "scheduled[0][1]", "valid string"),
    (("scheduled",), [[True, "manbij_falls"]], "scheduled[0][0]", "valid integer"),
    (("scenario", "hash"), "abc", "scenario.hash", "pattern"),
    (("scenario", "name"), None, "scenario.name", "valid string"),
    (("history", 0, "tick"), "1", "history[0].tick", "valid integer"),
    (("history", 0, "tick"), -1, "history[0].tick", "greater than or equal to 0"),
    (("history", 0, "kind"), "teleport", "history[0].kind", "an entry of an unknown kind"),
    (("history", 0, "kind"), DELETE, "history[0].kind", "an entry of an unknown kind"),
    (("history", 0, "move"), 1, "history[0].move", "valid"),
    (("history", 0, "actor"), DELETE, "history[0].actor", "missing"),
    (("history", 2, "reason"), None, "history[2].reason", "valid string"),
    (("history", 0, "junk"), 1, "history[0].junk", "does not have"),
    (("junk",), 1, "junk", "does not have"),
    (("digest",), 12, "digest", "valid string"),
    (("history",), {"0": {}}, "history", "valid list"),
]


@pytest.mark.parametrize(("path", "value", "field", "said"), TYPED)
def test_every_field_of_a_saved_game_is_typed(saved, path, value, field, said):
    doc = with_value(saved, path, value)
    e = refused(doc, said, field=field)
    assert e.message.startswith("not a saved game")
    refused(json.dumps(doc), said, field=field)  # the same as text


def test_a_save_of_another_format_or_kind_is_refused(saved, class_save):
    refused({**saved, "format": "wargame-game/2"}, "not a saved game", field="format")
    refused(class_save, "not a saved game", field="format")
    refused("[1, 2]", "not found")  # text that is not an object is taken for a path, as before
    refused([1, 2], "not a saved game")
    with pytest.raises(ClassroomError, match="not a saved classroom"):
        Classroom.load(saved)


# ---------------------------------------------------------------- the scenario, the replay, the digest


def test_the_game_loads_to_its_digest(game, saved):
    assert Game.load(saved).digest() == game.digest() == saved["digest"]
    assert Game.load(saved, scenario="classroom_passage").digest() == game.digest()
    assert Game.load(saved, scenario=game.scenario).digest() == game.digest()
    model, file = read_game(json.dumps(saved))
    assert file == "saved game" and model.seed == game.seed and len(model.history) == 9


def test_a_game_of_another_scenario_is_refused_when_the_scenario_is_named(saved):
    e = refused(saved, "another scenario", field="scenario.name", scenario="syria_dec2024")
    assert "syria_dec2024" in e.expected and "classroom_passage" in e.found


def test_an_unknown_scenario_or_bad_overrides_are_refused_by_field(saved):
    refused(with_value(saved, ("scenario", "name"), "no_such_one"), None, field="scenario.name")
    refused(
        with_value(saved, ("scenario", "overrides"), {"horizon_days": "many"}),
        "cannot be played",
        field="scenario.overrides",
    )
    refused(with_value(saved, ("seats",), {"nobody": "x"}), "actor", field="seats.nobody")


def test_a_tampered_digest_is_refused_and_a_save_without_one_loads(game, saved):
    e = refused({**saved, "digest": "0" * 64}, "does not replay to the state it was saved in")
    assert e.field == "digest"
    old = {k: v for k, v in saved.items() if k != "digest"}  # a save from before digests
    assert Game.load(old).digest() == game.digest()
    # the digest is what catches a change the replay takes without complaint
    effects = [{"trust": {"from": "turkey", "to": "russia", "delta": -0.3}}]
    other = with_value(saved, ("history", 3, "effects"), effects)
    assert Game.load({k: v for k, v in other.items() if k != "digest"})
    refused(other, "does not replay to the state", field="digest")


def test_what_goes_wrong_in_the_replay_names_the_entry(saved):
    first = saved["history"][0]
    issue = next(iter(first["move"]))
    history = saved["history"]
    cases = [
        (("history", 0, "move"), {**first["move"], issue: "teleport"}, "history[0].move"),
        (("history", 0, "move"), True, "history[0].move"),
        (("history", 0, "actor"), "nobody", "history[0].actor"),
        (("history", 1, "tick"), 0, "history[1].tick"),  # a tick out of order
        (("history", 1, "tick"), 2_000_000, "history[1].tick"),  # past the end of the run
        (("history", 2, "event"), "no_such_event", "history[2].event"),
        (("history", 3, "effects"), [{"trust": {"from": "x"}}], "history[3].effects"),
        (("history", 8, "details"), {"table": "moon"}, "history[8].details"),
        (("history", 8, "details"), {"reason": "twice"}, "history[8].details"),
        (("history", 8, "override"), "teleport", "history[8].override"),
        (("history", 4, "actor"), "turkey", "history[4].actor"),
        (("history", 0, "owner"), "mallory", "history[0].owner"),  # recorded otherwise
        (("history", 0, "day"), 3, "history[0].day"),
        (("history", 0, "table"), "elsewhere", "history[0].table"),
        (("history",), [history[1], history[0], *history[2:]], "history[0].tick"),  # reordered
        (("history",), [history[0], history[0], *history[1:]], "history[1].actor"),  # twice
        (("tick",), 1, "tick"),
        (("day",), 9, "day"),
        (("days",), 2, "history[2].event"),  # the run ends before the entry: nothing happens after
        (("seats",), {}, "history[0].actor"),
        (("scheduled",), [[1, "no_such_event"]], "scheduled"),
    ]
    for path, value, field in cases:
        e = refused(with_value(saved, path, value), None, field=field)
        assert e.file == "saved game", (path, e)


# ---------------------------------------------------------------- the classroom


def test_a_classroom_save_loads_to_its_digest_by_its_bundled_id(class_save):
    room = Classroom.load(class_save)
    assert room.digest() == class_save["digest"]
    assert Classroom.load(class_save, exercise=CLASS).digest() == room.digest()
    old = {k: v for k, v in class_save.items() if k != "digest"}
    assert Classroom.load(old).digest() == room.digest()
    model, _ = read_classroom(json.dumps(class_save))
    assert model.exercise_id == CLASS and model.game.seed == class_save["game"]["seed"]


def test_a_save_of_another_exercise_is_refused_naming_both(other_class_save):
    with within(5), pytest.raises(ClassroomSaveError, match="another exercise") as caught:
        Classroom.load(other_class_save, exercise=CLASS)
    e = caught.value
    assert e.field == "exercise_id" and CLASS in e.expected and FULL in e.found
    assert isinstance(e, ClassroomError) and isinstance(e, ScenarioError)


def test_the_path_a_save_names_is_never_opened(tmp_path, class_save, opened):
    fifo = tmp_path / "exercise.fifo"
    os.mkfifo(fifo)
    with within(5):
        room = Classroom.load({**class_save, "exercise": str(fifo)})
        assert room.exercise.id == CLASS and room.digest() == class_save["digest"]
        with pytest.raises(ClassroomSaveError, match="not bundled") as caught:
            Classroom.load({**class_save, "exercise": str(fifo), "exercise_id": "elsewhere"})
    assert caught.value.field == "exercise_id" and "classroom_45min" in caught.value.expected
    assert opened == []
    # the exercise's scenario is played, not the one the save names (it is the same by its hash)
    game = with_value(class_save, ("game", "scenario", "name"), str(fifo))
    with within(5):
        assert Classroom.load(game).digest() == class_save["digest"]
    assert opened == []
    other = with_value(game, ("game", "scenario", "hash"), "0" * 64)
    with within(5), pytest.raises(ClassroomSaveError, match="another scenario") as caught:
        Classroom.load(other)
    assert caught.value.field == "game.scenario.name" and str(fifo) in caught.value.found


def test_a_save_of_an_exercise_that_is_not_bundled_loads_only_with_it(tmp_path):
    path = exercise_file(tmp_path, TINY)
    room = Classroom(path)
    text = room.save()
    with pytest.raises(ClassroomSaveError, match="not bundled"):
        Classroom.load(text)
    assert Classroom.load(text, exercise=path).digest() == room.digest()
    with pytest.raises(ClassroomSaveError, match="another exercise"):
        Classroom.load(text, exercise=CLASS)


CLASS_FIELDS = [
    (("turn",), "two", "turn", "valid integer"),
    (("turn",), 0, "turn", "greater than or equal to 1"),
    (("turn",), 99, "turn", "past the last"),
    (("paused",), "no", "paused", "valid boolean"),
    (("ended",), {"nobody": "done"}, "ended.nobody", "not a seat"),
    (("orders",), {"russia": {"accept_at_least": 2}}, "orders.russia.accept_at_least", "1"),
    (("notes",), [{"turn": 1}], "notes[0].day", "missing"),
    (("exercise_id",), "../../etc/passwd", "exercise_id", "pattern"),
    (("game", "seed"), "seven", "game.seed", "valid integer"),
    (("game", "days"), 3650, "game.days", "has changed"),
    (("game", "seats"), {"russia": "student"}, "game.seats", "seats of another exercise"),
    (("game", "digest"), "0" * 64, "game.digest", "does not replay to the state"),
    (("game", "history", 0, "tick"), 5, "game.history[0].tick", "does not replay"),
    (("digest",), "0" * 64, "digest", "does not replay to the state"),
    (
        ("forks",),
        [{"turn": 0, "day": 0, "reason": "x", "left": {}}],
        "forks[0].left.format",
        "missing",
    ),
]


@pytest.mark.parametrize(("path", "value", "field", "said"), CLASS_FIELDS)
def test_every_field_of_a_saved_classroom_is_checked(class_save, path, value, field, said):
    with within(5), pytest.raises(ClassroomSaveError, match=said) as caught:
        Classroom.load(with_value(class_save, path, value))
    assert caught.value.field == field, caught.value


# ---------------------------------------------------------------- the commands


def hostile_saves(tmp_path: Path, class_save: dict, other_class_save: dict) -> dict:
    """Name -> (path, what stderr must say)."""

    def write(name: str, doc) -> str:
        path = tmp_path / f"{name}.json"
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
        return str(path)

    fifo = tmp_path / "save.fifo"
    os.mkfifo(fifo)
    deep = '{"format": "wargame-classroom/1", "game": ' + "[" * 100_000 + "]" * 100_000 + "}"
    game = class_save["game"]
    return {
        "/dev/zero": ("/dev/zero", "not a regular file"),
        "fifo": (str(fifo), "not a regular file"),
        "deep": (write("deep", deep), "nested too deeply"),
        "seven": (write("seven", {**class_save, "game": {**game, "seed": "seven"}}), "game.seed"),
        "nan": (
            write("nan", json.dumps({**class_save, "game": {**game, "seed": math.nan}})),
            "not a finite number (field 'game.seed')",
        ),
        "digest": (
            write("digest", {**class_save, "digest": "f" * 64}),
            "does not replay to the state it was saved in (field 'digest')",
        ),
        "other": (write("other", other_class_save), "another exercise"),
    }


def run_cli(args: list[str], capsys) -> tuple[int, str, float]:
    start = time.monotonic()
    with within(2):
        rc = main(args)
    return rc, capsys.readouterr().err, time.monotonic() - start


@pytest.mark.parametrize("case", ["/dev/zero", "fifo", "deep", "seven", "nan", "digest", "other"])
def test_classroom_load_refuses_a_hostile_save_before_serving(
    tmp_path, capsys, class_save, other_class_save, case
):
    path, said = hostile_saves(tmp_path, class_save, other_class_save)[case]
    saves = tmp_path / "saves"
    # --port 0 as well: were the save taken, the command would still stop before serving
    args = ["classroom", CLASS, "--load", path, "--port", "0", "--save-dir", str(saves)]
    rc, err, took = run_cli(args, capsys)
    assert rc == 2 and took < 2, err
    assert said in err and path in err and "--port" not in err, err
    assert "internal error" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2 and not saves.exists()


@pytest.mark.parametrize("case", ["/dev/zero", "fifo", "deep", "seven", "nan", "digest"])
def test_debrief_refuses_a_hostile_save(tmp_path, capsys, class_save, other_class_save, case):
    path, said = hostile_saves(tmp_path, class_save, other_class_save)[case]
    out = tmp_path / "out.html"
    rc, err, took = run_cli(["debrief", path, "--html", str(out)], capsys)
    assert rc == 2 and took < 2, err
    assert said in err and path in err
    assert "internal error" not in err and "Traceback" not in err and not out.exists()


def test_a_good_save_passes_the_load_check(tmp_path, capsys, class_save):
    """The check takes a good save of the exercise served (the bad port then stops it: nothing serves)."""
    path = tmp_path / "good.json"
    path.write_text(json.dumps(class_save), encoding="utf-8")
    args = ["classroom", CLASS, "--load", str(path), "--port", "0"]
    rc, err, _ = run_cli([*args, "--save-dir", str(tmp_path / "saves")], capsys)
    assert rc == 2 and "--port" in err and "not a port" in err and str(path) not in err


# ---------------------------------------------------------------- a property test that hunts


def places(data, path=()):
    """Every path into a nested structure, in a fixed order (the root left out)."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*path, k)
            yield from places(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*path, i)
            yield from places(v, (*path, i))


HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.integers(min_value=-3, max_value=40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["russia", "turkey", "sna", "passage", "accept", "reject", "manbij_falls", ""]),
    st.lists(st.integers(min_value=-2, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.recursive(st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=40),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    how=st.sampled_from(["put", "delete", "duplicate", "reorder"]),
    seed=st.integers(min_value=0, max_value=10**9),
    value=HOSTILE,
    as_text=st.booleans(),
)
def test_a_mutated_save_loads_or_is_refused_clearly(saved, how, seed, value, as_text):
    """Hypothesis mutates a real save (a value of any type put anywhere, a key deleted, a history entry
    duplicated or moved): Game.load either loads a game or refuses it with a SaveError, never another
    exception, within seconds."""
    doc = copy.deepcopy(saved)
    rng = random.Random(seed)
    history = doc["history"]
    if how in ("put", "delete"):
        path = rng.choice(list(places(doc)))
        target = doc
        for part in path[:-1]:
            target = target[part]
        if how == "delete":
            del target[path[-1]]
        else:
            target[path[-1]] = value
    elif how == "duplicate":
        i = rng.randrange(len(history))
        history.insert(rng.randrange(len(history) + 1), copy.deepcopy(history[i]))
    else:
        history.insert(rng.randrange(len(history)), history.pop(rng.randrange(len(history))))
    source = json.dumps(doc) if as_text else doc
    with within(20):
        try:
            loaded = Game.load(source)
        except SaveError as exc:
            assert exc.message and exc.file == "saved game"
            assert "\n" not in exc.message
        else:
            assert isinstance(loaded, Game)
