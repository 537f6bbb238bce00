"""The bundled case Kabul, August 2021 (cut-off: the end of 15 Aug 2021): it validates with its exercise,
cites nothing after its cut-off, survives random play with every actor seated, answers each key question
both ways (or says why not), and every command of the CLI runs on it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cutoff import case_files, cutoff_of, violations
from tests.test_random_play import play_randomly
from wargame import load_scenario
from wargame.analysis.audit import audit_runs
from wargame.language.exercise import list_exercises, read_exercise

NAME = "kabul_aug2021"
CUTOFF = dt.date(2021, 8, 15)
ACTORS = {"us_kabul2021", "taliban_kabul2021", "turkey_kabul2021", "qatar_kabul2021"}


@pytest.fixture(scope="module")
def case():
    return load_scenario(NAME)


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wargame.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


# ---------------------------------------------------------------- the files


def test_the_case_validates_with_what_the_issue_asks(case):
    spec = case.spec
    assert spec.start_date == CUTOFF and spec.information_cutoff == CUTOFF
    assert spec.horizon_days == 30
    assert {a.id for a in case.actors} == ACTORS
    root = case.path.parents[1]
    for actor in ACTORS:  # one profile per actor, suffixed with the case so that none collides
        assert (root / "actors" / f"{actor}.yaml").is_file()
    sites = {s.id: s for s in spec.sites}
    assert sites["hkia"].airfield and sites["hkia"].garrison == "us_kabul2021"
    assert abs(sites["hkia"].lat - 34.57) < 0.05 and abs(sites["hkia"].lon - 69.21) < 0.05
    assert all(r.held_by == "taliban_kabul2021" for r in spec.roads), "every road is the Taliban's"
    assert {t.id for t in spec.tables} == {"doha", "airport"}
    assert {"isis_k_attack", "us_extends_alone", "last_flight_31aug"} <= {e.id for e in spec.events}
    assert 3 <= len(spec.key_questions) <= 6
    # everything on the ground, every guarantee and event names its source
    for part in (
        spec.sites,
        spec.roads,
        spec.air_routes,
        spec.aircraft,
        spec.guarantees,
        spec.events,
    ):
        assert all(item.source for item in part), part
    for actor in case.actors:
        assert actor.sources and all(p.source for p in actor.priors.values()), actor.id


def test_the_exercise_validates_and_bundles_no_record():
    assert NAME in list_exercises()
    exercise = read_exercise(NAME)
    assert exercise.scenario.spec.id == NAME
    assert 45 <= exercise.spec.minutes <= 90
    assert {s.actor for s in exercise.spec.seats} >= {
        "us_kabul2021",
        "taliban_kabul2021",
        "turkey_kabul2021",
    }
    assert exercise.spec.record is None and exercise.record == []
    assert any("No record" in q for q in exercise.spec.debrief_questions)
    turns_end = exercise.spec.turns * exercise.spec.days_per_turn
    assert turns_end <= exercise.scenario.spec.horizon_days


def test_nothing_after_the_cut_off_is_cited(case):
    files = case_files(case)
    names = {f.name for f in files}
    assert {f"{NAME}.yaml", *(f"{a}.yaml" for a in ACTORS)} <= names
    assert any(f.parent.name == "exercises" for f in files), "the exercise is checked too"
    assert cutoff_of(case.spec) == CUTOFF
    assert violations(files, CUTOFF) == []


# ---------------------------------------------------------------- playing it


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_random_play_with_every_actor_seated_finishes(seed):
    """Every actor a seat, random legal moves, injects and overrides, a save reloaded at each decision
    point (tests/test_random_play.py): the game finishes with its saves and secrets kept."""
    game = play_randomly(NAME, seed)
    assert game.finished


@pytest.mark.slow
def test_every_key_question_is_answered_both_ways_or_says_why(case):
    audit = audit_runs(NAME, runs=300, seed=0, workers=2)
    assert [q.id for q in audit.questions] == [q.id for q in case.spec.key_questions]
    for q in audit.questions:
        both_ways = 0 < q.yes < q.total
        assert both_ways or q.reason, f"{q.id}: {q.yes} of {q.total} yes, and no certain: reason"
    assert audit.defects == [], [getattr(d, "id", d) for d in audit.defects]


# ---------------------------------------------------------------- the command line


@pytest.mark.slow
def test_every_command_runs_on_the_case(tmp_path: Path):
    done = cli("validate", NAME)
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr
    done = cli("run", NAME, "--seed", 3)
    assert done.returncode == 0 and "ENDING" in done.stdout, done.stderr
    done = cli("run", NAME, "--seed", 3, "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["outcome"], done.stderr
    done = cli("analyze", NAME)
    assert done.returncode == 0 and "Table doha" in done.stdout, done.stderr
    out = tmp_path / "mc"
    done = cli("mc", NAME, "--runs", 30, "--workers", 2, "--seed", 1, "--out", out)
    assert done.returncode == 0 and (out / "runs.parquet").is_file(), done.stderr
    done = cli("tree", out, "--min-share", 0.05)
    assert done.returncode == 0 and "all runs" in done.stdout, done.stderr
    done = cli("drivers", out, "--outcome", "most_out_few_stopped")
    assert done.returncode == 0, done.stderr
    report = tmp_path / "report.html"
    done = cli("report", out, "--html", report)
    assert done.returncode == 0 and report.stat().st_size > 0, done.stderr
    done = cli("audit", NAME, "--runs", 30, "--workers", 2, "--json", tmp_path / "audit.json")
    assert done.returncode in (0, 1), done.stderr  # 1: a share flagged by 30 runs alone
    assert "Key questions" in done.stdout
    assert json.loads((tmp_path / "audit.json").read_text())["runs"] == 30
