"""How often a table meets (`meets_every`): rounds only on meeting days, counted from the day the talks
opened or thawed; a freeze counts meetings, a hard deadline and the cooling-off count days; the cadence
survives a saved run, prices the delay between rounds, and an exercise can set it for its class."""

from __future__ import annotations

import dataclasses
import itertools
import pickle
from pathlib import Path

import pytest

from wargame import WargameModel, load_scenario, run
from wargame.engine.bargaining.solutions import rubinstein_share
from wargame.language.errors import ScenarioError
from wargame.language.exercise import read_exercise

# Two players who each need 0.6 of a pie (after Fearon 1995: no bargaining range, so no split satisfies
# both): every offer is refused, and the talks go on as long as the scenario lets them.
NO_RANGE = """\
id: cadence_no_range
title: "No bargaining range: a table that meets every few days"
start_date: 2024-01-01
horizon_days: 12
actors:
  - profile: player_a
    overrides: {time_pressure: 0.0, priors: {reservation: {dist: fixed, value: 0.6, source: test}}}
  - profile: player_b
    overrides: {time_pressure: 0.0, priors: {reservation: {dist: fixed, value: 0.6, source: test}}}
issues:
  - {id: share, label: "A's share", kind: continuous, range: [0, 1], steps: 11}
tables:
  - {id: TABLE, participants: [player_a, player_b], agenda: [share], opens_day: 3, meets_every: 2}
outcomes:
  - {id: agreement, label: Agreement, when: [{agreement: TABLE}]}
  - {id: no_agreement, label: No agreement}
"""

EXERCISE = """\
id: cadence_class
title: "A class at a table that meets every few days"
scenario: cadence.yaml
minutes: 30
learning_objectives: ["Bargain without a bargaining range."]
seats:
  - actor: player_a
    briefing: {role: "Player A.", knows: ["The pie."], wants: ["Most of it."], fears: ["Nothing."]}
days_per_turn: 6
turns: 2
turn_minutes: 5
debrief_questions: ["Why was there no deal?"]
"""


@pytest.fixture
def no_range(tmp_path: Path) -> Path:
    path = tmp_path / "cadence.yaml"
    path.write_text(NO_RANGE.replace("TABLE", "split"))
    return path


def played(scenario, overrides=None, until=None, rng=0) -> WargameModel:
    """A narrated run of a scenario (a file or a Scenario), up to `until` (default: its end)."""
    m = WargameModel(scenario, rng=rng, overrides=overrides, narrate=True)
    m.run(until=until)
    return m


def days_of(m: WargameModel, kind: str) -> list[int]:
    return [r.day for r in m.records if r.kind == kind]


@pytest.mark.parametrize(
    ("every", "days"),
    [(1, list(range(3, 13))), (2, [3, 5, 7, 9, 11]), (3, [3, 6, 9, 12]), (30, [3])],
)
def test_an_open_table_meets_only_on_its_meeting_days(no_range, every, days):
    """Counted from the day the talks open (day 3 here), not from day 1 nor from day 0."""
    m = played(no_range, {"tables.split.meets_every": every})
    assert days_of(m, "opened") == [3]
    assert days_of(m, "round") == days
    assert len(m.tables["split"].rounds) == len(days)


def test_the_default_is_a_meeting_every_day_and_changes_no_run():
    """The seed scenario with every table at `meets_every: 1` plays exactly as it does without the field
    (same result, same records), and a slower table does change it (the override is live)."""
    tables = [t.id for t in load_scenario("syria_dec2024").spec.tables]
    daily = {f"tables.{t}.meets_every": 1 for t in tables}
    for seed in (0, 3):
        plain = WargameModel("syria_dec2024", rng=seed)
        explicit = WargameModel("syria_dec2024", rng=seed, overrides=daily)
        a, b = plain.run(), explicit.run()
        assert pickle.dumps(dataclasses.asdict(a)) == pickle.dumps(dataclasses.asdict(b))
        assert [r.to_dict() for r in plain.records] == [r.to_dict() for r in explicit.records]
    slow = WargameModel("syria_dec2024", rng=0, overrides={"tables.passage.meets_every": 5})
    slow.run()
    held = [r.day for r in slow.records if r.kind == "round" and r.table == "passage"]
    assert held and all(b - a >= 5 for a, b in itertools.pairwise(held))


def test_a_freeze_counts_meetings_not_days(no_range):
    """Three refused rounds freeze the talks: on day 5 at a daily table that opens on day 3, on day 7 at
    one that meets every other day (days 3, 5, 7)."""
    freeze = {"tables.split.freeze_after": 3, "tables.split.reopen_after": 30}
    daily = played(no_range, {**freeze, "tables.split.meets_every": 1})
    slow = played(no_range, freeze)
    assert days_of(daily, "frozen") == [5]
    assert days_of(slow, "frozen") == [7] and days_of(slow, "round") == [3, 5, 7]
    (frozen,) = [r for r in slow.records if r.kind == "frozen"]
    assert frozen.rounds == 3 and frozen.until == 37  # the cooling-off is in days


def test_thawed_talks_meet_from_the_day_they_thaw(no_range):
    """Meetings every 3 days from day 3 (3, 6): frozen on day 6, cooling off 4 days (not meetings), so
    they thaw on day 10 and meet that day and every 3 days from it (not on day 9 or 12)."""
    m = played(
        no_range,
        {
            "tables.split.meets_every": 3,
            "tables.split.freeze_after": 2,
            "tables.split.reopen_after": 4,
        },
    )
    assert days_of(m, "frozen") == [6] and days_of(m, "thawed") == [10]
    assert days_of(m, "round") == [3, 6, 10]


def test_a_hard_deadline_fails_the_talks_between_meetings(no_range):
    """Meetings on days 3, 5, 7: past a hard deadline on day 5 the talks fail on day 6, not at the next
    meeting."""
    m = played(no_range, {"tables.split.deadline_day": 5, "tables.split.hard_deadline": True})
    assert days_of(m, "round") == [3, 5]
    assert days_of(m, "failed") == [6] and m.tables["split"].status == "failed"


def test_a_saved_run_keeps_its_cadence(no_range):
    """Saved on day 11, after talks that thawed on day 10: the loaded run meets on day 13 as the unbroken
    one does (a cadence counted again from day 0 or from the opening day would meet on day 12)."""
    overrides = {
        "tables.split.meets_every": 3,
        "tables.split.freeze_after": 2,
        "tables.split.reopen_after": 4,
        "horizon_days": 16,
    }
    whole = played(no_range, overrides)
    half = played(no_range, overrides, until=11)
    loaded = WargameModel.load_state(half.save_state())
    assert loaded.tables["split"].opened_day == 10
    result = loaded.run()
    assert days_of(loaded, "round") == days_of(whole, "round") == [3, 6, 10, 13]
    assert days_of(loaded, "frozen") == [6, 13]  # two more refusals: frozen again
    assert dataclasses.asdict(result) == dataclasses.asdict(whole.result())


def test_rubinstein_split_when_offers_come_days_apart():
    """Rubinstein (1982), Econometrica 50(1), with the time between offers made explicit (Binmore,
    Rubinstein and Wolinsky 1986, RAND Journal of Economics 17(2)): a discount factor per day, and
    offers N days apart, discount each round by d**N; the first proposer gets (1 - d2**N) / (1 -
    (d1 d2)**N), agreed at once. Waiting longer between offers costs the responder more: A gets more."""
    for every in (1, 2, 3):
        r = run("textbook_rubinstein", seed=0, overrides={"tables.split.meets_every": every})
        expected = rubinstein_share(0.9**every, 0.8**every)
        assert float(r.agreements[0]["terms"]["share"]) == pytest.approx(expected, abs=0.001)
        assert r.agreements[0]["day"] == 1
    assert rubinstein_share(0.9**3, 0.8**3) - rubinstein_share(0.9, 0.8) > 0.05


@pytest.mark.parametrize("value", [0, 366, "weekly"])
def test_a_scenario_refuses_a_cadence_out_of_range(no_range, value):
    with pytest.raises(ScenarioError) as err:
        load_scenario(no_range, {"tables.split.meets_every": value})
    assert "meets_every" in (err.value.field or "")


def exercise_file(tmp_path: Path, meets: str, table: str = "split") -> Path:
    (tmp_path / "cadence.yaml").write_text(NO_RANGE.replace("TABLE", table))
    path = tmp_path / "class.yaml"
    path.write_text(EXERCISE + meets)
    return path


@pytest.mark.parametrize(
    ("table", "path"),
    [("split", "tables.split.meets_every"), ("the split", "tables[0].meets_every")],
)
def test_an_exercise_sets_the_cadence_of_its_class_s_game(tmp_path, table, path):
    """The exercise's scenario carries the cadence, and its overrides give the same game to any other run
    of the scenario file (the review's simulated games): both meet on days 3, 6, 9, 12."""
    exercise = read_exercise(
        exercise_file(tmp_path, f'table_meets_every: {{"{table}": 3}}\n', table)
    )
    assert exercise.overrides == {path: 3}
    assert exercise.scenario.spec.tables[0].meets_every == 3
    assert exercise.scenario.overrides == {path: 3}
    in_class = played(exercise.scenario)
    elsewhere = played(tmp_path / "cadence.yaml", exercise.overrides)
    assert days_of(in_class, "round") == days_of(elsewhere, "round") == [3, 6, 9, 12]


def test_an_exercise_without_a_cadence_has_no_overrides(tmp_path):
    exercise = read_exercise(exercise_file(tmp_path, ""))
    assert exercise.overrides == {} and exercise.scenario.overrides == {}
    assert exercise.scenario.spec.tables[0].meets_every == 2  # as the scenario's file says


def test_an_exercise_names_a_table_its_scenario_lacks(tmp_path):
    path = exercise_file(tmp_path, "table_meets_every:\n  splt: 2\n")
    with pytest.raises(ScenarioError) as err:
        read_exercise(path)
    e = err.value
    assert e.file == str(path) and e.field == "table_meets_every.splt"
    assert e.line == EXERCISE.count("\n") + 2
    assert "split" in e.expected and e.found == "splt"


@pytest.mark.parametrize("value", ["0", "366", "-1", "two"])
def test_an_exercise_refuses_a_cadence_out_of_range(tmp_path, value):
    path = exercise_file(tmp_path, f"table_meets_every:\n  split: {value}\n")
    with pytest.raises(ScenarioError) as err:
        read_exercise(path)
    assert err.value.file == str(path)
    assert err.value.field == "table_meets_every.split"
