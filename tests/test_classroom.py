"""Teaching exercises: the files read and checked like scenarios, the classroom's seats and tokens, its
turns and the facilitator's controls, save and load, the continuations, the after-action review and the
printable briefings, and the commands that serve them."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from wargame.batch.plan import Plan
from wargame.batch.runs import run_many
from wargame.cli import main
from wargame.language.errors import ScenarioError
from wargame.language.exercise import list_exercises, read_exercise
from wargame.presentation.debrief import briefings_html, debrief_html, review
from wargame.session import Game
from wargame.session.classroom import FACILITATOR, Classroom, ClassroomError

CLASS = "classroom_45min"
FULL = "syria_dec2024_full"
RECORDS = Path(__file__).resolve().parents[1] / "scenarios" / "records"

# A small exercise on classroom_passage, one seat (russia): turkey and the sna are played by the model.
TINY = """\
id: tiny
title: A tiny exercise
scenario: classroom_passage
seed: 3
minutes: 20
learning_objectives:
  - Learn something.
seats:
  - actor: russia
    briefing:
      role: You are Russia.
      knows: [Two posts are cut off.]
      wants: [Get them out.]
      fears: [An ambush.]
days_per_turn: 7
turns: 4
turn_minutes: 5
injects:
  - day: 2
    event: manbij_falls
    reason: Sets the scene.
debrief_questions:
  - What happened?
record: ../records/syria_dec2024_history.yaml
"""

SECOND_RUSSIA = """\
  - actor: russia
    briefing:
      role: You are Russia again.
      knows: [x]
      wants: [y]
      fears: [z]
"""


def exercise_file(tmp_path: Path, text: str, name: str = "tiny") -> Path:
    """The exercise written to tmp_path/exercises/, with the history record copied beside, as bundled."""
    (tmp_path / "records").mkdir(exist_ok=True)
    shutil.copy(RECORDS / "syria_dec2024_history.yaml", tmp_path / "records")
    (tmp_path / "exercises").mkdir(exist_ok=True)
    path = tmp_path / "exercises" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """The 1-based line of the nth line of `text` that contains `needle`."""
    return [i for i, line in enumerate(text.splitlines(), 1) if needle in line][nth]


def move_by_rule(asked) -> object:
    """A fixed rule: take an offer worth at least the outside option; propose every issue's first level."""
    if asked.role == "answer":
        return "accept" if asked.value >= asked.reservation else "reject"
    return {issue: levels[0] for issue, levels in asked.options.items()}


def play_by_rule(room: Classroom, until_turn: int | None = None) -> list[str]:
    """Answer what is asked by the rule and end turns, until the game is over (or `until_turn` starts).
    Returns every justification given, in order."""
    said = []
    for _ in range(500):
        if room.finished or (until_turn is not None and room.turn.number >= until_turn):
            return said
        asked = room.game.pending()
        if asked:
            p = asked[0]
            why = f"{p.actor} {p.role}s at {p.table} on day {p.day} by the rule"
            room.decide(p.actor, move_by_rule(p), why)
            said.append(why)
        else:
            for actor in room.waiting_for():
                why = f"{actor} is done with turn {room.turn.number}"
                room.end_turn(actor, why)
                said.append(why)
    raise AssertionError("the game did not end in 500 steps")


def until_between_days(room: Classroom) -> None:
    """Play by the rule until the turn is played out and the class waits only for seats to end it."""
    for _ in range(200):
        if not room.game.in_day:
            return
        p = room.game.pending()[0]
        room.decide(p.actor, move_by_rule(p), "by the rule")
    raise AssertionError("the day never ended")


@pytest.fixture(scope="module")
def finished_room() -> Classroom:
    room = Classroom(CLASS)
    play_by_rule(room)
    return room


# ---------------------------------------------------------------- the bundled exercises


@pytest.mark.parametrize("name", list_exercises())
def test_bundled_exercises_load_with_real_seats_and_events(name):
    ex = read_exercise(name)
    actors = {a.id for a in ex.scenario.actors}
    events = {e.id for e in ex.scenario.spec.events}
    assert ex.id == name and name in list_exercises()
    assert ex.seated and set(ex.seated) <= actors and len(set(ex.seated)) == len(ex.seated)
    assert set(ex.model_plays) == actors - set(ex.seated)
    assert ex.spec.injects and all(i.event in events for i in ex.spec.injects)
    assert ex.spec.days_per_turn * ex.spec.turns <= ex.scenario.spec.horizon_days
    if ex.spec.record is not None or name in (CLASS, FULL):
        assert ex.record_path() is not None and ex.record_path().is_file()
    else:  # a case whose later history is not bundled (nor looked up): its review says so
        assert ex.record_path() is None
        assert 45 <= ex.spec.minutes <= 90


def test_the_two_bundled_exercises_have_the_promised_seats():
    assert len(read_exercise(CLASS).seated) == 3
    assert read_exercise(CLASS).scenario.spec.id == "classroom_passage"
    assert 4 <= len(read_exercise(FULL).seated) <= 5


# ---------------------------------------------------------------- hostile exercise files


def test_a_well_formed_small_exercise_reads(tmp_path):
    ex = read_exercise(exercise_file(tmp_path, TINY))
    assert ex.seated == ["russia"] and set(ex.model_plays) == {"turkey", "sna"}


BAD = {
    "yaml syntax": (TINY.replace("turns: 4", "turns: [4"), "turn_minutes", 0, None),
    "unknown field": (
        TINY.replace("turn_minutes: 5", "turn_minutes: 5\nturn_minute: 5"),
        "turn_minute: 5",
        0,
        "turn_minute",
    ),
    "seat naming no actor": (
        TINY.replace("actor: russia", "actor: rusia"),
        "rusia",
        0,
        "seats.0.actor",
    ),
    "a seat twice": (
        TINY.replace("days_per_turn: 7", SECOND_RUSSIA + "days_per_turn: 7"),
        "actor: russia",
        1,
        "seats.1.actor",
    ),
    "inject of an unknown event": (
        TINY.replace("event: manbij_falls", "event: manbij_fall"),
        "manbij_fall",
        0,
        "injects.0.event",
    ),
    "turns past the horizon": (TINY.replace("turns: 4", "turns: 5"), "turns: 5", 0, "turns"),
    "missing record": (TINY.replace("syria_dec2024_history", "nowhere"), "record:", 0, "record"),
    "inject past the scenario's horizon": (
        TINY.replace("day: 2", "day: 31"),
        "day: 31",
        0,
        "injects.0.day",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_hostile_exercise_file_names_file_line_and_field(tmp_path, case):
    text, needle, nth, field = BAD[case]
    path = exercise_file(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        read_exercise(path)
    err, said = caught.value, str(caught.value)
    line = line_of(text, needle, nth)
    assert err.line == line and f"{path}:{line}" in said
    if field is not None:
        assert err.field == field and f"'{field}'" in said
    assert "Traceback" not in said


def test_the_scenario_can_be_the_seed_by_name(tmp_path):
    ex = read_exercise(exercise_file(tmp_path, TINY.replace("classroom_passage", "syria_dec2024")))
    assert ex.scenario.spec.id == "syria_dec2024"


def test_an_exercise_that_names_no_scenario_file_or_name_is_refused(tmp_path):
    text = TINY.replace("scenario: classroom_passage", "scenario: no_such_scenario")
    path = exercise_file(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        read_exercise(path)
    assert caught.value.field == "scenario" and caught.value.line == line_of(text, "scenario:")


def test_an_inject_after_the_last_turn_is_refused(tmp_path):
    path = exercise_file(tmp_path, TINY.replace("day: 2", "day: 29"))
    with pytest.raises(ScenarioError) as caught:
        read_exercise(path)
    assert caught.value.field == "injects.0.day"


def test_briefings_on_a_bad_exercise_exits_2_with_the_message(tmp_path, capsys):
    path = exercise_file(tmp_path, TINY.replace("actor: russia", "actor: rusia"))
    out = tmp_path / "b.html"
    assert main(["briefings", str(path), "--html", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "seats.0.actor" in err and "rusia" in err
    assert "Traceback" not in err and not out.exists()


def test_an_unknown_exercise_name_suggests_the_nearest(capsys):
    assert main(["briefings", "classroom_45mn", "--html", "x.html"]) == 2
    assert "classroom_45min" in capsys.readouterr().err


# ---------------------------------------------------------------- tokens


@pytest.mark.parametrize("name", [CLASS, FULL])
def test_each_role_has_its_own_long_random_token(name):
    room = Classroom(name)
    roles = [FACILITATOR, *room.seats]
    tokens = {role: room.link(role, "http://x").split("?t=", 1)[1] for role in roles}
    assert len(set(tokens.values())) == len(roles) == len(room.exercise.seated) + 1
    for role, token in tokens.items():
        assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert room.who(token) == role
        assert room.who(token[:-1]) is None and room.who(token + "A") is None
        changed = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
        assert room.who(changed) is None
        assert room.who(token.upper() if token.upper() != token else token.lower()) is None
    assert room.who("") is None and room.who(None) is None
    other = Classroom(FULL if name == CLASS else CLASS)
    for role in [FACILITATOR, *other.seats]:
        assert room.who(other.link(role, "")[len("/?t=") :]) is None
    # another class of the same exercise gets other tokens
    again = Classroom(name)
    assert all(room.who(again.link(r, "")[len("/?t=") :]) is None for r in roles)


def test_a_save_holds_no_token_and_a_load_gets_new_ones(tmp_path):
    room = Classroom(CLASS)
    tokens = {r: room.link(r, "")[len("/?t=") :] for r in [FACILITATOR, *room.seats]}
    text = room.save(tmp_path / "game.json")
    assert all(t not in text for t in tokens.values())
    assert (tmp_path / "game.json").read_text(encoding="utf-8") == text
    loaded = Classroom.load(text)
    assert all(loaded.who(t) is None for t in tokens.values())
    assert loaded.who(loaded.link("russia", "")[len("/?t=") :]) == "russia"
    kept = Classroom.load(tmp_path / "game.json", tokens=tokens)
    assert all(kept.who(t) == r for r, t in tokens.items())


def test_a_classroom_needs_a_token_for_every_role():
    with pytest.raises(ClassroomError, match="facilitator"):
        Classroom(CLASS, tokens={"russia": "a" * 43, "turkey": "b" * 43, "sna": "c" * 43})


# ---------------------------------------------------------------- isolation


def test_a_seat_acts_only_when_asked_and_only_for_itself(tmp_path):
    room = Classroom(CLASS)
    asked = room.game.pending()
    assert asked, "the classroom exercise asks a seat on its first day"
    idle = [a for a in room.seats if a not in {p.actor for p in asked}]
    assert idle
    with pytest.raises(ClassroomError, match="nothing is asked"):
        room.decide(idle[0], "accept", "I want to act")
    for name in ("nobody", "", FACILITATOR):
        with pytest.raises(ClassroomError, match="not a seat"):
            room.decide(name, "accept", "not mine")
    p = asked[0]
    with pytest.raises(ClassroomError, match="decide what is asked"):
        room.end_turn(p.actor, "skip it")
    # one seat's pending decision is not shown to another
    assert all(q.actor == p.actor for q in room.pending(p.actor))
    assert room.pending(idle[0]) == [q for q in asked if q.actor == idle[0]]


def test_a_model_played_actor_is_not_a_seat(tmp_path):
    room = Classroom(exercise_file(tmp_path, TINY))
    assert room.seats == ["russia"] and set(room.game.seats) == {"russia"}
    for actor in ("turkey", "sna"):
        with pytest.raises(ClassroomError, match="not a seat"):
            room.decide(actor, "accept", "I am the model's")
        with pytest.raises(ClassroomError):
            room.end_turn(actor, "done")
        with pytest.raises(ClassroomError):
            room.standing_order(actor, accept_at_least=0.0)


# ---------------------------------------------------------------- turns


def test_the_45_minute_exercise_plays_through_by_a_fixed_rule():
    room = Classroom(CLASS)
    turns_seen, said = [], []
    for _ in range(200):
        if room.finished:
            break
        turns_seen.append(room.turn.number)
        said += play_by_rule(room, until_turn=room.turn.number + 1)
    assert room.finished and room.game.finished
    assert room.game.day == room.days_per_turn * room.turns
    # turn after turn, to the last (which may need nothing of the class)
    assert turns_seen == list(range(1, len(turns_seen) + 1)) and room.turn.number == room.turns
    assert [n.justification for n in room.notes] == said
    kinds = {n.kind for n in room.notes}
    assert {"answer", "propose", "end_turn"} <= kinds
    assert all(1 <= n.turn <= room.turns for n in room.notes)
    assert [n.turn for n in room.notes] == sorted(n.turn for n in room.notes)
    with pytest.raises(ClassroomError, match="over"):
        room.end_turn("russia", "again")
    assert room.waiting_for() == []


def _scheduled_days(room, event: str) -> list[int]:
    """The days whose picture logs `event` as happening by the exercise's schedule."""
    return [
        day
        for day, picture in enumerate(room.replay())
        for e in picture["log"]
        if e["kind"] == "event" and e["event"] == event and e["scheduled"]
    ]


def test_a_scheduled_inject_happens_at_the_start_of_its_day_and_is_in_the_replay_then():
    room = Classroom(CLASS)
    inject = room.exercise.spec.injects[0]
    while room.game.day < inject.day + 1 and not room.finished:
        play_by_rule(room, until_turn=room.turn.number + 1)
    count = [
        room.game.snapshot(d)["occurrences"].get(inject.event, 0) for d in range(inject.day + 1)
    ]
    # it happened once by its day: on its day by the plan, or earlier by chance (then not again)
    assert count[inject.day] == 1
    planned = [inject.day] if count[inject.day - 1] == 0 else []
    assert _scheduled_days(room, inject.event) == planned
    # part of the game itself: a saved game replays it, and no seat or facilitator move was needed
    assert not [h for h in room.game.history if h["kind"] == "inject"]
    assert _scheduled_days(Classroom.load(room.save()), inject.event) == planned


def test_force_takes_the_pending_decisions_by_the_model_and_keeps_the_seats():
    room = Classroom(CLASS)
    with pytest.raises(ClassroomError, match="reason"):
        room.force_turn("  ")
    asked = [(p.actor, p.table, p.role) for p in room.game.pending()]
    assert asked, "the exercise starts with a decision asked of a seat"
    room.force_turn("the clock ran out")
    assert set(room.game.seats) == set(room.seats)  # nobody handed to the model
    assert not [h for h in room.game.history if h["kind"] in ("hand_over", "take_back")]
    forced = [h for h in room.game.history if h["kind"] == "decision"]
    assert [(h["actor"], h["table"], h["role"]) for h in forced] == asked
    assert all(h["owner"] == "model" and h["note"] == "the clock ran out" for h in forced)
    assert [n.by for n in room.notes] == ["model"] * len(asked)
    assert room.steps[-1].kind == "force" and room.steps[-1].reason == "the clock ran out"
    assert room.turn.number == 1  # the turn goes on, with the class at its seats
    # a forced decision replays from the save as the model's
    again = Classroom.load(room.save())
    assert again.digest() == room.digest()
    assert [h["owner"] for h in again.game.history] == ["model"] * len(asked)


def test_forcing_needs_a_pending_decision():
    room = Classroom(CLASS)
    while room.game.pending():
        room.force_turn("move on")
    if not room.finished:
        with pytest.raises(ClassroomError, match="nothing to force"):
            room.force_turn("move on")


def test_a_forced_game_still_fires_its_scheduled_injects():
    room = Classroom(CLASS)
    while room.game.pending() and room.turn.number == 1:
        room.force_turn("the class is late")
    fired = [
        (e["day"], e["scheduled"])
        for e in room.game.log()
        if e["kind"] == "event" and e["event"] == "manbij_falls"
    ]
    assert fired in ([(2, True)], [(1, False)])  # by the plan, unless chance was first


def test_pause_blocks_a_decision_and_resume_allows_it():
    room = Classroom(CLASS)
    p = room.game.pending()[0]
    room.pause()
    with pytest.raises(ClassroomError, match="paused"):
        room.decide(p.actor, move_by_rule(p), "while paused")
    assert room.game.pending()[0] == p and room.notes == []
    room.resume()
    room.decide(p.actor, move_by_rule(p), "after the pause")
    assert room.notes[-1].justification == "after the pause" and room.notes[-1].actor == p.actor


def test_a_standing_order_answers_for_the_seat():
    room = Classroom(CLASS)
    with pytest.raises(ClassroomError, match="0 to 1"):
        room.standing_order("turkey", accept_at_least=1.5)
    with pytest.raises(ClassroomError):
        room.standing_order("turkey", accept_at_least=-0.1)
    assert "turkey" not in room.orders
    for seat in ("turkey", "sna"):
        room.standing_order(seat, accept_at_least=0.5, justification=f"{seat} takes half")
    play_by_rule(room, until_turn=3)
    ordered = [n for n in room.notes if n.kind == "answer" and n.actor in ("turkey", "sna")]
    assert ordered, "turkey or the sna was asked to answer in two turns"
    for n in ordered:
        assert (
            n.justification.startswith("standing order")
            and f"{n.actor} takes half" in n.justification
        )
        assert n.move == (n.value >= 0.5)
    assert [n.kind for n in room.notes[:2]] == ["standing_order", "standing_order"]
    room.standing_order("turkey", None, justification="back to us")
    assert "turkey" not in room.orders


def test_fork_goes_back_to_the_end_of_a_turn():
    room = Classroom(CLASS)
    play_by_rule(room, until_turn=3)
    left_digest, left_day = room.game.digest(), room.game.day
    assert {n.turn for n in room.notes} == {1, 2}
    with pytest.raises(ClassroomError):
        room.fork(1, " ")
    with pytest.raises(ClassroomError):
        room.fork(3, "the future")
    room.fork(1, "try the second turn again")
    assert room.forks[-1]["turn"] == 1 and room.forks[-1]["reason"] == "try the second turn again"
    assert room.forks[-1]["day"] == 1 * room.days_per_turn
    assert room.turn.number == 2 and all(n.turn <= 1 for n in room.notes) and room.notes
    left = Game.load(room.forks[-1]["left"])
    assert left.digest() == left_digest and left.day == left_day
    for day in range(room.days_per_turn + 1):
        assert room.game.snapshot(day) == left.snapshot(day)
    assert room.game.day >= room.days_per_turn
    room.fork(0, "from the start")
    assert room.forks[-1]["day"] == 0 and room.turn.number == 1 and room.notes == []
    assert len(room.forks) == 2


# ---------------------------------------------------------------- save, load, replay


def test_save_and_load_give_the_identical_classroom(tmp_path):
    room = Classroom(CLASS)
    play_by_rule(room, until_turn=3)
    p = room.game.pending()
    if p:
        room.decide(p[0].actor, move_by_rule(p[0]), "mid-turn")
    room.standing_order("sna", accept_at_least=0.3, justification="cheap")
    loaded = Classroom.load(room.save())
    assert loaded.digest() == room.digest()
    assert loaded.replay() == room.replay()
    assert loaded.turn.number == room.turn.number and loaded.orders == room.orders
    assert [n.to_dict() for n in loaded.notes] == [n.to_dict() for n in room.notes]
    # and both go on the same way
    play_by_rule(room)
    play_by_rule(loaded)
    assert loaded.digest() == room.digest()


def test_a_load_of_something_else_is_refused(tmp_path):
    game = Game("classroom_passage", seed=1)
    for doc in (game.save(), json.dumps({"format": "other"}), "{not json", [1, 2], {"turn": 1}):
        with pytest.raises(ClassroomError, match="not a saved classroom"):
            Classroom.load(doc)
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ClassroomError, match="not a saved classroom"):
        Classroom.load(path)


# ---------------------------------------------------------------- what tends to happen next


def test_continuations_are_deterministic_and_leave_the_class_game_alone():
    room = Classroom(CLASS)
    with pytest.raises(ClassroomError, match="waiting for a seat"):
        room.continuations(2)  # the first day waits for Russia
    until_between_days(room)
    before = room.digest()
    first = [r.to_dict() for r in room.continuations(4, seed=3)]
    again = [r.to_dict() for r in room.continuations(4, seed=3)]
    assert first == again and len(first) == 4
    assert room.digest() == before
    # the model plays every seat (a run with a seat left would stop and ask for it): each run plays on
    # from the present to the end of the exercise's days
    horizon = room.days_per_turn * room.turns
    assert all(room.game.day < r["days"] <= horizon and r["outcome"] for r in first)
    with pytest.raises(ClassroomError):
        room.continuations(0)


def test_continuations_keep_the_exercises_scheduled_injects():
    room = Classroom(CLASS)
    until_between_days(room)
    assert room.game.day < 12
    runs = room.continuations(10, seed=2)
    assert all(r.occurrences.get("sna_hardliners", 0) >= 1 for r in runs)


# ---------------------------------------------------------------- the after-action review


def test_the_review_sets_the_class_against_the_simulated_games(finished_room):
    room = finished_room
    r = review(room, runs=100)
    assert r.runs == 100 and 0.0 <= r.outcome_share <= 1.0
    assert r.outcome == room.game.result().outcome
    spec = room.exercise.spec
    plan = Plan(
        scenario=str(room.exercise.scenario.path),
        runs=100,
        seed=spec.seed,
        days=spec.days_per_turn * spec.turns,
        scheduled=tuple(room.exercise.schedule()),
        overrides=tuple(sorted(room.exercise.overrides.items())),  # paced like the class's game
    )
    table = pa.concat_tables(list(run_many(plan, workers=1)))
    k = sum(1 for o in table.column("outcome").to_pylist() if o == r.outcome)
    assert r.outcome_share == k / 100
    lo, hi = r.outcome_ci
    assert lo <= r.outcome_share <= hi
    assert {a["actor"] for a in r.actors if a["seat"]} == set(room.seats)
    assert len(r.decisions) == sum(1 for n in room.notes if n.kind in ("answer", "propose"))

    page = debrief_html(r, room.notes)
    for section in (
        "Where the class's path sits",
        "The class's timeline",
        "Decision points",
        "What really happened after the start date",
        "Debrief questions",
    ):
        assert f"<h2>{section}" in page
    for question in spec.debrief_questions:
        assert html.escape(question) in page
    record = yaml.safe_load(room.exercise.record_path().read_text(encoding="utf-8"))
    assert any(html.escape(e["source"]) in page for e in record if "source" in e)
    assert f"of {r.runs:,} simulated games" in page
    assert html.escape(room.notes[0].justification) in page


def test_briefings_give_each_seat_its_own_page():
    for name in (CLASS, FULL):
        ex = read_exercise(name)
        names = {a.id: a.name for a in ex.scenario.actors}
        page = briefings_html(ex)
        sections = page.split("<section class='seat'>")[1:]
        assert len(sections) == len(ex.seated)
        for seat, section in zip(ex.spec.seats, sections, strict=True):
            assert f"<h1>{html.escape(names[seat.actor])}</h1>" in section
            assert html.escape(seat.briefing.role) in section
            for other in ex.spec.seats:
                if other.actor != seat.actor:
                    assert html.escape(other.briefing.role) not in section
                    assert f"<h1>{html.escape(names[other.actor])}</h1>" not in section
                    assert all(html.escape(k) not in section for k in other.briefing.knows)


# ---------------------------------------------------------------- the commands


def test_the_exercises_command_lists_both(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    assert CLASS in out and FULL in out


def test_the_briefings_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "briefings.html"
    assert main(["briefings", CLASS, "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("<section class='seat'>") == 3 and str(out) in capsys.readouterr().out


def test_the_debrief_command_reviews_a_saved_game(tmp_path, finished_room):
    saved = tmp_path / "game.json"
    finished_room.save(saved)
    out = tmp_path / "debrief.html"
    assert main(["debrief", str(saved), "--html", str(out), "--runs", "60"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "of 60 simulated games" in page and "Debrief questions" in page
    assert html.escape(finished_room.notes[-1].justification) in page


def test_the_debrief_command_refuses_what_is_not_a_class_game(tmp_path, capsys):
    game = tmp_path / "game.json"
    game.write_text(Game("classroom_passage", seed=1).save(), encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    for path in (game, other, tmp_path / "missing.json"):
        out = tmp_path / "d.html"
        assert main(["debrief", str(path), "--html", str(out)]) == 2
        err = capsys.readouterr().err
        assert str(path) in err and "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("name", [n for n in list_exercises() if n not in (CLASS, FULL)])
def test_every_bundled_case_s_exercise_is_played_through_to_its_debrief(name):
    """A class of each further bundled case, every seat answering by the rule and ending its turns, runs
    to the end, and its debrief names every seat and says no record of later events is bundled where
    none is."""
    room = Classroom(name)
    said = play_by_rule(room)
    assert room.finished and said
    page = debrief_html(review(room, runs=20))
    for seat in room.seats:
        assert html.escape(room.game.model.actor(seat).profile.name) in page
    if room.exercise.spec.record is None:
        assert "No record is kept beside this exercise." in page
