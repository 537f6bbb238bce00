"""The browser UI's desk (viz.workspace.Workspace), driven as the page drives it, with the real bundled
scenarios and no mocks: one run stepped and scrubbed, assumptions refused without half-changing the desk,
a broken scenario file, a seat, many runs and their tree, a cancel, a what-if fork, two desks side by side.
Every test is small (a few dozen runs at most, in this process)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from viz.workspace import POOL_FROM, DeskError, Workspace
from wargame.batch import Plan, run_many
from wargame.language.scenario import find_scenario
from wargame.session import Game

SEED_SCENARIO = "syria_dec2024"
PRIOR_LOW = "actors.russia.priors.reservation.low"  # seed scenario: low 0.3, mode 0.45, high 0.8
PRIOR_HIGH = "actors.russia.priors.reservation.high"
RUNS = 30  # far below POOL_FROM: the batches run in this process
assert RUNS < POOL_FROM


@pytest.fixture
def ws() -> Workspace:
    return Workspace(SEED_SCENARIO, seed=7, workers=1)


def _sorted_rows(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables).sort_by("run_id")


def _share_with(batch, milestone: str) -> float:
    runs = batch.results.runs
    return float(runs[f"day_{milestone}"].notna().mean())


# ------------------------------------------------------------------ one run, day by day


def test_step_advances_one_day_and_scrub_shows_the_days_picture(ws: Workspace) -> None:
    assert (ws.last_day, ws.day) == (0, 0)
    for expected in (1, 2, 3, 4, 5):
        ws.step()
        assert ws.last_day == expected and ws.day == expected
        assert ws.picture()["day"] == expected

    ws.scrub(2)
    assert ws.day == 2 and ws.last_day == 5  # scrubbing shows a day, it replays nothing
    shown = ws.picture()
    assert shown["day"] == 2
    assert shown != ws.picture(5)  # the scrub really went back (days differ in this scenario)

    fresh = Game(SEED_SCENARIO, seed=7)
    fresh.play(2)
    assert shown == fresh.snapshot(2)
    assert ws.picture(0) == Game(SEED_SCENARIO, seed=7).snapshot(0)

    with pytest.raises(DeskError) as err:
        ws.scrub(6)  # not yet played
    assert err.value.where == "day"
    assert ws.day == 2


# ------------------------------------------------------------------ assumptions


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        (PRIOR_LOW, 0.9, "a prior's low end above its high end (0.8)"),
        (PRIOR_HIGH, 1.5, "a prior outside [0, 1]"),
        ("actors.russia.time_pressure", -0.2, "time pressure below 0"),
        ("events.m4_ambush.hazard", 2.0, "a daily chance above 1"),
    ],
)
def test_a_bad_assumption_is_refused_naming_its_path_and_changes_nothing(
    ws: Workspace, path: str, value: float, why: str
) -> None:
    ws.assume(
        "actors.turkey.time_pressure", 0.25
    )  # a good change first: it must survive the refusal
    ws.step()
    scenario, overrides, game = ws.scenario, dict(ws.overrides), ws.game
    assert overrides == {"actors.turkey.time_pressure": 0.25}

    with pytest.raises(DeskError) as err:
        ws.assume(path, value)
    assert err.value.where == path, why
    assert err.value.message and str(err.value) == err.value.message
    assert ws.errors == {path: err.value.message}  # shown beside that field

    assert ws.scenario is scenario
    assert ws.overrides == overrides
    assert ws.game is game and ws.last_day == 1  # the run on the desk is not thrown away either
    resolved = {a["id"]: a for a in ws.scenario.resolved()["actors"]}
    assert resolved["turkey"]["time_pressure"] == 0.25
    assert resolved["russia"]["priors"]["reservation"]["low"] == 0.3


def test_a_good_assumption_reaches_the_scenario(ws: Workspace) -> None:
    ws.assume(PRIOR_LOW, 0.4)  # below the triangular prior's mode (0.45)
    russia = next(a for a in ws.scenario.resolved()["actors"] if a["id"] == "russia")
    assert russia["priors"]["reservation"]["low"] == 0.4
    assert ws.overrides == {PRIOR_LOW: 0.4} and ws.errors == {}
    ws.reset_assumptions()
    assert ws.overrides == {}


def test_a_malformed_yaml_file_is_refused_with_its_file_and_line(ws: Workspace) -> None:
    scenario, source = ws.scenario, ws.source
    text = "id: broken\ntitle: a broken file\nactors: [russia, turkey\nhorizon_days: 10\n"
    with pytest.raises(DeskError) as err:
        ws.load_text("broken.yaml", text)
    assert err.value.where == "scenario"
    msg = err.value.message
    assert "broken.yaml:" in msg, msg
    line = int(msg.split("broken.yaml:", 1)[1].split(":", 1)[0])
    assert 3 <= line <= 4, msg  # the unclosed list opens on line 3; the parser notices it on line 4
    assert ws.errors == {"scenario": msg}
    assert ws.scenario is scenario and ws.source == source


def test_a_file_sent_again_under_the_same_name_is_read_again(ws: Workspace) -> None:
    text = find_scenario("classroom_passage").read_text()
    ws.load_text("mine.yaml", text)
    assert ws.scenario.resolved()["title"].startswith("Classroom")
    ws.load_text("mine.yaml", text.replace('title: "Classroom:', 'title: "Edited:', 1))
    assert ws.scenario.resolved()["title"].startswith("Edited")
    with pytest.raises(DeskError):
        ws.load_text("mine.yaml", "id: broken\nactors: [a\n")


def test_a_file_that_is_not_yaml_by_name_is_refused(ws: Workspace) -> None:
    with pytest.raises(DeskError) as err:
        ws.load_text("notes.txt", "id: x\n")
    assert err.value.where == "scenario" and "notes.txt" in err.value.message


# ------------------------------------------------------------------ a seat


def _step_to_pending(ws: Workspace, role: str | None = None, limit: int = 60):
    """Step (answering offers with reject, proposing the first levels) until `role` is asked."""
    for _ in range(limit):
        for p in ws.pending():
            if role is None or p.role == role:
                return p
            if p.role == "propose":
                ws.decide({issue: levels[0] for issue, levels in p.options.items()})
            else:
                ws.decide("reject")
            break
        else:
            ws.step()
        assert not ws.game.finished, "the run ended before anything was asked of the seat"
    raise AssertionError(f"nothing ({role or 'any role'}) was asked of {ws.seat} in {limit} steps")


def test_a_seat_is_asked_values_offers_and_its_decisions_are_kept(ws: Workspace) -> None:
    ws.take_seat("russia")
    assert ws.seat == "russia" and ws.game.seats.get("russia") == "you"

    p = _step_to_pending(ws, "answer")
    assert p.actor == "russia" and p.offer
    digest = ws.game.digest()
    assert ws.worth(dict(p.offer)) == pytest.approx(p.value, abs=1e-12)
    assert ws.game.digest() == digest  # valuing an offer moves nothing in the game
    before = len(ws.game.history)
    ws.decide("accept", "the terms beat staying")
    last = ws.game.history[before]
    assert last["kind"] == "decision" and last["actor"] == "russia"
    assert (last["table"], last["role"], last["move"]) == (p.table, "answer", True)
    assert last["note"] == "the terms beat staying" and last["day"] == p.day

    p = _step_to_pending(ws, "propose")
    terms = {issue: levels[0] for issue, levels in p.options.items()}
    value = ws.worth(terms)
    assert isinstance(value, float) and 0.0 <= value <= 1.0
    other = {**terms, next(iter(terms)): p.options[next(iter(terms))][-1]}
    assert 0.0 <= ws.worth(other) <= 1.0
    before = len(ws.game.history)
    ws.decide(terms)
    last = ws.game.history[before]
    assert last["kind"] == "decision" and last["role"] == "propose"
    assert last["table"] == p.table and dict(last["move"]) == terms

    with pytest.raises(DeskError) as err:
        ws.worth({"no_such_issue": "x"})
    assert err.value.where == "offer"


def test_a_seat_holds_the_run_until_it_decides(ws: Workspace) -> None:
    ws.take_seat("russia")
    p = _step_to_pending(ws)
    day = ws.game.day
    ws.step()
    ws.step()
    assert ws.game.day == day and ws.pending() == [p]  # nothing moves until the seat decides
    ws.take_seat(None)  # the model plays russia again
    assert ws.seat is None and ws.pending() == []
    ws.step()
    assert ws.last_day >= day


# ------------------------------------------------------------------ many runs


def test_a_batch_builds_the_tree_and_equals_run_many_of_the_same_plan(ws: Workspace) -> None:
    ws.assume("actors.russia.time_pressure", 0.9)  # the batch must run the desk's assumptions
    seen: list[int] = []
    batch = ws.run_batch(RUNS, seed=3, on_chunk=lambda b: seen.append(b.done))
    assert ws.batch is batch
    assert batch.finished and not batch.cancelled and batch.error is None
    assert batch.done == batch.total == RUNS
    assert seen == sorted(seen) and seen[-1] == RUNS and len(seen) > 2  # chunk by chunk

    root = batch.tree
    assert root.path == () and root.runs == RUNS
    assert sum(c.runs for c in root.children) == RUNS
    assert sum(root.outcomes.values()) == RUNS
    assert len(batch.results.runs) == RUNS

    plan = Plan(
        scenario=str(find_scenario(SEED_SCENARIO).resolve()),
        runs=RUNS,
        seed=3,
        overrides=(("actors.russia.time_pressure", 0.9),),
    )
    assert batch.plan == plan
    expected = _sorted_rows(list(run_many(plan, workers=1)))
    assert _sorted_rows(batch.tables).equals(expected)

    plain = _sorted_rows(list(run_many(Plan(scenario=plan.scenario, runs=RUNS, seed=3))))
    assert not plain.equals(expected)  # the assumption did change the runs


def test_cancelling_after_the_first_chunk_stops_early(ws: Workspace) -> None:
    calls: list[tuple[int, bool]] = []

    def on_chunk(b) -> None:
        calls.append((b.done, b.finished))
        b.cancel.set()

    batch = ws.run_batch(RUNS, seed=1, on_chunk=on_chunk)
    assert batch.cancelled and batch.finished
    assert 0 < batch.done < batch.total == RUNS
    assert calls[0][1] is False and calls[-1] == (batch.done, True)
    assert len(calls) == 2  # the first chunk, then the end: no chunk started after the cancel
    assert batch.tree.runs == batch.done == len(batch.results.runs)


def test_a_refused_run_count_names_runs(ws: Workspace) -> None:
    for bad in (0, -5, 10**9, 2.5, True):
        with pytest.raises(DeskError) as err:
            ws.run_batch(bad)
        assert err.value.where == "runs"


# ------------------------------------------------------------------ what-if


def test_what_if_collapsing_the_bases_talks_changes_the_distribution(ws: Workspace) -> None:
    ws.run_batch(RUNS, seed=3)
    ws.select(())  # the root: fork the first example run on day 0
    with pytest.raises(DeskError) as err:
        ws.what_if("collapse:no_such_table", runs=5)
    assert err.value.where == "force"

    # Why this force must matter: collapse:bases marks the bases table failed on the fork day, so no
    # base agreement can be signed afterwards and the "base_deal_signed" milestone is impossible, while
    # as it was the seed scenario signs a base deal in (nearly) every continuation.
    runs = 20
    w = ws.what_if("collapse:bases", runs=runs)
    assert ws.whatif is w and w.day == 0 and w.force == "collapse:bases"
    for b in (w.base, w.changed):
        assert b.finished and not b.cancelled and b.error is None
        assert b.done == b.total == runs and b.tree.runs == runs
    assert w.base.plan.force == () and w.changed.plan.force == ("collapse:bases",)
    assert w.base.plan.fork_day == w.changed.plan.fork_day == 0

    assert _share_with(w.base, "base_deal_signed") > 0.5
    assert _share_with(w.changed, "base_deal_signed") == 0.0
    base_outcomes = w.base.results.runs["outcome"].value_counts().to_dict()
    forced_outcomes = w.changed.results.runs["outcome"].value_counts().to_dict()
    assert base_outcomes != forced_outcomes


def test_select_refuses_a_branch_that_is_not_in_the_tree(ws: Workspace) -> None:
    ws.run_batch(RUNS, seed=3)
    with pytest.raises(DeskError) as err:
        ws.select(("no_such_milestone",))
    assert err.value.where == "node" and ws.selected == ()


# ------------------------------------------------------------------ two desks


def test_two_workspaces_are_independent() -> None:
    a = Workspace(SEED_SCENARIO, seed=7, workers=1)
    b = Workspace(SEED_SCENARIO, seed=7, workers=1)
    for _ in range(3):
        a.step()
    a.assume("actors.russia.time_pressure", 0.9)  # reloads a's scenario and game
    a.step()
    a.take_seat("turkey")
    assert a.last_day == 1 and a.overrides
    assert b.last_day == 0 and b.day == 0 and b.game.day == 0
    assert b.overrides == {} and b.seat is None and b.game.seats == {}
    assert b.game is not a.game and b.scenario is not a.scenario
    b.step()
    assert b.last_day == 1 and a.last_day == 1
    fresh = Game(SEED_SCENARIO, seed=7)
    fresh.play(1)
    assert b.picture(1) == fresh.snapshot(1)  # a's changes did not leak into b's run


def test_any_set_change_can_be_compared_and_a_bad_one_is_refused_under_compare(
    ws: Workspace,
) -> None:
    left, right = ws.compare_set("guarantees=[]", runs=12)
    assert dict(right.plan.overrides) == {"guarantees": []} and dict(left.plan.overrides) == {}
    assert left.done == right.done == 12 and left.finished and right.finished
    for bad in ("no equals sign", "actors.russia.time_pressure=7"):
        with pytest.raises(DeskError) as caught:
            ws.compare_set(bad, runs=5)
        assert caught.value.where == "compare", bad
    assert ws.compare == (left, right)  # a refused comparison leaves the last one in place


def test_cancel_stops_a_comparison_between_chunks(ws: Workspace) -> None:
    def stop(batch):
        ws.cancel()

    left, right = ws.compare_set("actors.russia.time_pressure=0.2", runs=40, on_chunk=stop)
    assert left.cancelled and left.done < 40
    assert right.done == 0  # the second half never starts once the first was cancelled


def test_a_cancel_pressed_before_the_runs_exist_still_stops_them(ws: Workspace) -> None:
    """The page arms a request when its button is pressed (begin); a Cancel between the press and the
    start of the runs stops the runs when they start: none is played."""
    ws.begin()
    ws.cancel()
    batch = ws.run_batch(RUNS, seed=1)
    assert batch.cancelled and batch.finished and batch.done == 0
    again = ws.run_batch(RUNS, seed=1)  # the next request is not cancelled by that old press
    assert again.done == RUNS and not again.cancelled


def test_a_what_if_cancelled_in_its_first_half_ends_both_halves(ws: Workspace) -> None:
    """Cancelled while its first half runs, a what-if's second half is cancelled too, and finished: the
    page never shows it 'running' with nothing coming."""
    ws.run_batch(RUNS, seed=1)
    seen: list[tuple[str, bool]] = []

    def stop(b) -> None:
        seen.append((b.plan.force and "forced" or "base", b.finished))
        ws.cancel()

    force = next(f for f in ws.forces() if f.startswith("event:"))
    w = ws.what_if(force, runs=RUNS, on_chunk=stop)
    assert w.base.cancelled and w.base.finished and w.base.done < RUNS
    assert w.changed.cancelled and w.changed.finished and w.changed.done == 0
    assert ("forced", True) in seen  # the page was told the second half ended
