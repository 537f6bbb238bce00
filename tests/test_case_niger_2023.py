"""The bundled case "France leaves Niger, 2023" (scenarios/niger_2023.yaml, actors/*_niger2023.yaml and
scenarios/exercises/niger_2023.yaml): it validates, cites nothing after its cut-off (the end of 24 September
2023), plays to its end under random play and under the command line's every verb, and its key questions
are open over 300 runs or say why they are not."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from tests.cutoff import case_files, cutoff_of, post_cutoff, violations
from tests.test_random_play import play_randomly
from wargame import WargameModel, load_scenario, run
from wargame.language.exercise import read_exercise

CASE = "niger_2023"


@pytest.fixture(scope="module")
def case():
    return load_scenario(CASE)


def wargame_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *args], capture_output=True, text=True, timeout=300
    )


def test_the_case_has_what_the_issue_asks(case):
    """Day 0 and the cut-off are 24 Sep 2023, the horizon 100 days; about 1,500 French troops at Niamey
    and two forward posts; an airspace shut to French aircraft by the junta; ways out by air, by road to
    Chad and to Benin, each through a neighbour that must agree."""
    spec = case.spec
    assert spec.start_date == dt.date(2023, 9, 24) == cutoff_of(spec)
    assert spec.horizon_days == 100
    actors = {a.id for a in case.actors}
    assert actors == {"france_niger2023", "cnsp_niger2023", "chad_niger2023", "benin_niger2023"}
    french = [s for s in spec.sites if s.garrison == "france_niger2023"]
    assert {s.id for s in french} == {"niamey_ba101", "ouallam", "ayorou_post"}
    assert sum(s.personnel for s in french) == 1500
    assert {s.controller for s in spec.sites if s.exit} == {"chad_niger2023", "benin_niger2023"}
    for route in spec.air_routes:
        grants = {g.by: g for g in route.overflight}
        assert grants["cnsp_niger2023"].open is False, route.id  # the ASECNA notice of 23 Sep 2023
    assert {t.id for t in spec.tables} == {"withdrawal", "chad", "benin"}
    assert 3 <= len(spec.key_questions) <= 6


def test_the_scenario_and_the_exercise_validate():
    proc = wargame_cli("validate", f"scenarios/{CASE}.yaml")
    assert proc.returncode == 0, proc.stderr
    exercise = read_exercise(CASE)
    assert exercise.scenario.id == CASE
    assert set(exercise.seated) == {"france_niger2023", "cnsp_niger2023", "chad_niger2023"}
    assert exercise.record == []  # no record of later events is bundled
    assert 45 <= exercise.spec.minutes <= 90


def test_the_case_uses_only_what_was_public_by_24_september_2023(case):
    """Every source the case cites is dated on or before its cut-off; every site, road, route, aircraft,
    guarantee, enforcer and event names a source or says it is an estimate; and no line of the scenario,
    its profiles or its exercise, comments included, names a later day (tests/cutoff.py)."""
    spec = case.spec
    cutoff = cutoff_of(spec)
    cited = [*spec.sources, *(s for a in case.actors for s in a.sources)]
    items = [
        *spec.sites,
        *spec.roads,
        *spec.air_routes,
        *spec.aircraft,
        *spec.guarantees,
        *spec.events,
        *(e for t in spec.tables for e in t.enforcers),
    ]
    for item in items:
        if getattr(item, "kind", None) == "junction":
            continue
        assert item.source.strip(), f"{type(item).__name__} {getattr(item, 'id', '')} has no source"
        cited.append(item.source)
    for a in case.actors:
        cited.extend(p.source for p in a.priors.values())
    later = [(text, post_cutoff(text, cutoff)) for text in cited if post_cutoff(text, cutoff)]
    assert not later, later
    files = case_files(case)
    assert len(files) == 6 and any(f.parent.name == "exercises" for f in files)
    assert not violations(files, cutoff), "\n".join(violations(files, cutoff))


def test_personnel_are_conserved_every_day(case):
    for seed in range(3):
        m = WargameModel(case, rng=seed, narrate=False)
        while m.running:
            m.step()
            assert m.present + m.evacuated + m.lost == m.initial_personnel


@pytest.mark.slow
def test_random_play_finishes_and_keeps_saves_and_secrets():
    """Every actor a seat, random legal moves, injects and overrides, a save reloaded at each decision
    point (tests/test_random_play.py), over the first 15 days."""
    game = play_randomly(CASE, seed=11)
    assert game.finished


@pytest.mark.slow
def test_the_key_questions_are_open_or_say_why(case):
    """Over 300 runs each key question gets both answers, or the scenario states why one answer is
    (nearly) certain; the audit flags the same questions (a share under 5%)."""
    answers: dict[str, set[bool]] = {q.id: set() for q in case.spec.key_questions}
    for seed in range(300):
        m = WargameModel(case, rng=seed, narrate=False)
        r = m.run()
        reached = dict(r.milestones)
        for q in case.spec.key_questions:
            yes = any(
                (a.milestone is not None and a.milestone in reached)
                or (a.outcome is not None and a.outcome == r.outcome)
                or (a.occurred is not None and m.occurrences.get(a.occurred, 0) > 0)
                for a in q.yes_if
            )
            answers[q.id].add(yes)
    for q in case.spec.key_questions:
        assert answers[q.id] == {True, False} or q.certain, (q.id, answers[q.id])
    # the questions that stay open are the ones the case exists for: the timetable held, the roads' cost
    assert answers["out_by_year_end"] == {True, False}
    assert answers["column_attacked"] == {True, False}


@pytest.mark.slow
def test_every_command_runs_on_the_case(tmp_path):
    """`wargame run`, `mc`, `tree`, `drivers`, `report`, `analyze` and `audit` on the case, small counts."""
    out = tmp_path / "mc"
    proc = wargame_cli("run", CASE, "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("France leaves Niger") and "\nENDING: " in proc.stdout
    proc = wargame_cli(
        "mc", CASE, "--runs", "40", "--workers", "1", "--seed", "1", "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "runs.parquet").exists()
    for args in (
        ("tree", str(out), "--min-share", "0.05"),
        ("drivers", str(out), "--outcome", "agreed_exit_on_time"),
        ("report", str(out), "--html", str(tmp_path / "report.html")),
        ("analyze", CASE),
    ):
        proc = wargame_cli(*args)
        assert proc.returncode == 0, (args, proc.stderr)
    assert (tmp_path / "report.html").stat().st_size > 0
    # a smoke test: at 60 runs a share of 97% may show as 100% and be flagged (exit 1); the case's
    # reasons are held to the audit of 500 and 2,000 runs, not here
    proc = wargame_cli("audit", CASE, "--runs", "60", "--workers", "1")
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout.startswith("Decision audit of niger_2023") and "Key questions" in proc.stdout


def test_one_run_is_reproducible(case):
    a, b = run(case, seed=5), run(case, seed=5)
    assert a == b
