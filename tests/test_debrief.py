"""The after-action review of a class's game, rule by rule: who played each seat on each day, the moves in
the scenario's words, the timeline in the order things happened, each event once a day, every step of the
control cell with its reason, the notes between the seats, a seat's own copy, and the class's path drawn on
the branch tree. One real game of the bundled 45-minute exercise is played for most tests, with every kind
of facilitator step in it."""

from __future__ import annotations

import html
import re

import pyarrow as pa
import pytest

from wargame.analysis.branching import branch_tree
from wargame.presentation.debrief import (
    STEP_NAMES,
    Words,
    debrief_html,
    review,
    timeline,
    tree_svg,
)
from wargame.session.classroom import STEPS, Classroom

CLASS = "classroom_45min"
RUNS = 60
TO_TURKEY = "Russia to Turkey only: can we talk?"
TO_ALL = "Control to everyone: ten minutes left"
TO_RUSSIA = "SNA to Russia only <script>alert(1)</script>"
FORCED = "force: the answers took too long"
HANDED = "hand_over: the SNA team stepped out"
WALK_OUT = "Turkey has had enough of the talks"
ENDED = "end_game: the bell rang"


def by_rule(asked) -> object:
    """Take an offer worth at least the outside option; propose every issue's first level."""
    if asked.role == "answer":
        return "accept" if asked.value >= asked.reservation else "reject"
    return {issue: levels[0] for issue, levels in asked.options.items()}


def play_until_turn(room: Classroom, turn: int) -> None:
    """Answer what is asked by the rule and end turns, until `turn` starts."""
    for _ in range(300):
        if room.finished or room.turn.number >= turn:
            return
        asked = room.game.pending()
        if asked:
            p = asked[0]
            room.decide(p.actor, by_rule(p), f"{p.actor} {p.role}s on day {p.day} by the rule")
        else:
            for actor in room.waiting_for():
                room.end_turn(actor, f"{actor} is done with turn {room.turn.number}")
    raise AssertionError(f"turn {turn} never came")


def between_days(room: Classroom) -> None:
    for _ in range(100):
        if not room.game.in_day:
            return
        p = room.game.pending()[0]
        room.decide(p.actor, by_rule(p), "by the rule")
    raise AssertionError("the day never ended")


@pytest.fixture(scope="module")
def room() -> Classroom:
    """A class's game with every kind of facilitator step, notes between the seats, decisions forced,
    a seat handed to the model for turn three, an inject on a day its scheduled twin fired, a walk-out
    and an early end."""
    room = Classroom(CLASS)
    room.fork(0, "fork: start again from the top")
    room.send("russia", "turkey", TO_TURKEY)
    room.send("facilitator", "all", TO_ALL)
    room.send("sna", "russia", TO_RUSSIA)
    room.extend(2, "extend: time to read the briefings")
    room.hold_inject(12, "sna_hardliners", "hold: keep turn two calm")
    p = room.pending("russia")[0]
    room.decide("russia", by_rule(p), "Russia opens with what it needs")
    room.force_turn(FORCED)  # Turkey's and the SNA's answers on day 1
    today = room.game.day + (0 if room.game.in_day else 1)  # records between days: the next day's
    fell = [e for e in room.game.log() if e.get("event") == "manbij_falls" and e["day"] == today]
    if not fell:  # (by the plan or by chance it may have fallen today already)
        room.inject("manbij_falls", reason="inject: the control cell has Manbij fall")
    room.inject("manbij_falls", reason="inject: Manbij falls again, on purpose")
    play_until_turn(room, 2)
    between_days(room)
    assert room.game.day == 14
    room.hand_over("sna", HANDED)
    room.override("refuse", actor="sna", table="passage", reason="override: the SNA refuses all")
    room.pause("pause: questions from the floor")
    room.resume("resume: back to it")
    room.end_turn_now("end_turn: time is up for turn two")
    between_days(room)
    assert room.game.day == 21
    room.take_back("sna", "take_back: the SNA team is back")
    room.unilateral("turkey", "walk_out", "passage", WALK_OUT)
    room.end_game(ENDED)
    return room


@pytest.fixture(scope="module")
def rev(room):
    return review(room, runs=RUNS)


@pytest.fixture(scope="module")
def page(rev, room) -> str:
    return debrief_html(rev, room.notes)


def section(page: str, title: str) -> str:
    """The HTML of one h2 section of the page."""
    start = page.index(f"<h2>{title}")
    end = page.find("<h2>", start + 4)
    return page[start : end if end > 0 else len(page)]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def rows(fragment: str) -> list[list[str]]:
    """A table's rows as the text of their cells."""
    return [
        [text_of(c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", fragment, re.S)
    ]


# ---------------------------------------------------------------- order within a day


def test_an_offer_comes_before_the_round_and_the_agreement_it_made(rev, page):
    signed = next(i for i, m in enumerate(rev.timeline) if m.kind == "signed")
    day = rev.timeline[signed].day
    today = [m for m in rev.timeline[:signed] if m.day == day]
    offer = [m for m in today if m.source == "note" and m.kind == "propose"]
    rounds = [m for m in today if m.kind == "round"]
    assert offer and rounds, "the agreement should follow a seat's offer and its round, that day"
    assert rev.timeline.index(offer[-1]) < rev.timeline.index(rounds[-1]) < signed
    # and so on the page: the proposal's words, then the round, then the agreement
    told = section(page, "The class's timeline")
    assert told.index(html.escape(offer[-1].text)) < told.index(html.escape(rounds[-1].text))
    assert told.index(html.escape(rounds[-1].text)) < told.index("AGREEMENT at")


def test_what_was_done_between_two_days_is_told_in_order_with_the_next_days_news(rev):
    steps = [m for m in rev.timeline if m.source == "step"]
    hand_over = next(m for m in steps if m.kind == "hand_over")
    assert hand_over.after == 14 and hand_over.day == 15
    kinds = [m.kind for m in steps if m.after == 14]
    assert kinds == ["hand_over", "override", "pause", "resume", "end_turn"]
    # the game ended after day 21: nothing is told on a day that never came
    assert max(m.day for m in rev.timeline) == 21
    assert rev.timeline[-1].kind == "end_game"
    days = [m.day for m in rev.timeline]
    assert days == sorted(days)


# ---------------------------------------------------------------- each event once


def test_an_event_fired_twice_in_a_day_is_told_once_with_both_causes(rev, room):
    events = {e.id: e.label for e in room.exercise.scenario.spec.events}
    fired: dict[tuple[int, str], int] = {}
    for d in rev.log:
        if d["kind"] == "event":
            fired[(d["day"], d["event"])] = fired.get((d["day"], d["event"]), 0) + 1
    twice = [key for key, k in fired.items() if k > 1]
    assert twice, "the inject on day 2 fires Manbij's fall a second time that day"
    for day, event in fired:
        told = [
            m
            for m in rev.timeline
            if m.kind == "event" and m.day == day and events[event] in m.text
        ]
        assert len(told) == 1, (day, event, [m.text for m in told])
    (day, event), *_ = twice
    told = next(
        m for m in rev.timeline if m.kind == "event" and m.day == day and events[event] in m.text
    )
    assert "the control cell" in told.text and "injected it" in told.text, told.text


def test_a_scheduled_inject_that_also_fired_by_chance_is_told_once(room):
    """The timeline as a pure function of the records: two firings of one event on one day (the plan's
    and the dice's) are one line; the same event on a later day is told as a repeat."""
    ev = next(e for e in room.exercise.scenario.spec.events if e.id == "extra_airlift")
    fired = {"kind": "event", "event": ev.id, "text": ev.narrative, "concerns": []}
    log = [
        {**fired, "day": 3, "scheduled": True, "forced": False},
        {**fired, "day": 3, "scheduled": False, "forced": False},
        {**fired, "day": 9, "scheduled": False, "forced": False},
    ]
    told = timeline(log, [], [], [], Words(room.exercise), room.exercise.seated)
    assert [m.day for m in told] == [3, 9]
    assert f"{ev.label} (a scheduled inject; it also fired by chance)" in told[0].text
    assert "fires again" in told[1].text and "day 3" in told[1].text


# ---------------------------------------------------------------- the scenario's words


def test_moves_are_told_in_the_scenarios_words(rev, page, room):
    spec = room.exercise.scenario.spec
    body = page[page.index("<h2>Where") : page.index("<h2>What really happened")]
    told = text_of(body)
    assert "{" not in told and "}" not in told  # no Python dict
    assert "True" not in told and "False" not in told
    ids = [i.id for i in spec.issues if i.label] + [e.id for e in spec.events if e.label]
    ids += [m.id for m in spec.milestones] + [t.id for t in spec.tables if t.label and "_" in t.id]
    assert not [x for x in ids if x in told]
    # a proposal: each issue's label with its level's label
    proposal = next(n for n in room.notes if n.kind == "propose")
    levels = {i.id: {lv.id: lv.label for lv in i.levels} for i in spec.issues}
    issues = {i.id: i.label for i in spec.issues}
    for issue, level in proposal.move.items():
        assert f"{issues[issue]}: {levels[issue][level]}" in told
    table = next(t.label for t in spec.tables if t.id == "passage")
    assert "accepts the offer at" in told and "rejects the offer at" in told
    assert f"walks out of the talks at ‘{table}’ — “{WALK_OUT}”" in told
    decisions = section(page, "Decision points")
    assert "accepts" in text_of(decisions) and "rejects" in text_of(decisions)


# ---------------------------------------------------------------- who played each seat


def test_a_seat_handed_to_the_model_is_shown_as_the_models_for_those_days(rev, page):
    model_days = [d for d, who in rev.players.items() if who["sna"] == "model"]
    assert model_days == list(range(15, 22))  # handed over after day 14, taken back after day 21
    assert all(who["russia"] == "class" for who in rev.players.values())
    names = {a.id: a.name for a in rev.exercise.scenario.actors}
    table = rows(section(page, "Who played each seat"))
    column = table[0].index(names["sna"])
    span = next(r for r in table if r[0] == "days 15–21")
    assert span[column] == "the model"
    actors = {r[0]: r[1] for r in rows(section(page, "Each actor against its objectives"))[1:]}
    assert actors[names["sna"]].startswith("the class (the model on days 15-21")
    assert actors[names["russia"]] == "the class"


def test_decisions_the_facilitator_forced_are_marked_as_the_models(rev, page, room):
    forced = [n for n in room.notes if n.by == "model"]
    assert {n.actor for n in forced} == {"turkey", "sna"} and {n.day for n in forced} == {1}
    mark = f"decided by the model (forced by the facilitator: {FORCED})"
    told = [m for m in rev.timeline if m.source == "note" and mark in m.text]
    assert {m.actor for m in told} == {"turkey", "sna"}
    rows_forced = [d for d in rev.decisions if d["forced"]]
    assert len(rows_forced) == 2 and all(mark in d["class_did"] for d in rows_forced)
    assert not any(d["differs"] for d in rows_forced)  # not the class's choice to compare
    assert all(rev.players[1][a] == "forced" for a in ("turkey", "sna"))
    assert html.escape(mark) in section(page, "Decision points")
    day1 = next(r for r in rows(section(page, "Who played each seat")) if r[0] == "day 1")
    assert day1.count("the class; the model took a forced decision") == 2


# ---------------------------------------------------------------- the control cell


def test_every_step_of_the_control_cell_is_told_with_its_reason(rev, page, room):
    assert {s.kind for s in room.steps} == set(STEPS)  # the game has one of each
    table = rows(section(page, "The control cell's steps"))[1:]
    assert len(table) == len(room.steps)
    for s, row in zip(room.steps, table, strict=True):
        assert row[2] == STEP_NAMES[s.kind] and row[4] == s.reason
    told = text_of(section(page, "The class's timeline"))
    for s in room.steps:
        assert f"“{s.reason}”" in told, s.kind
    over = text_of(page[: page.index("<h2>")])
    assert "ended the game early" in over and ENDED in over


def test_a_step_in_a_game_a_fork_left_behind_is_listed_but_not_in_the_timeline():
    room = Classroom(CLASS)
    play_until_turn(room, 2)
    room.inject("m4_ambush", reason="an ambush in the game left behind")
    room.fork(1, "back to the end of turn one")
    r = review(room, runs=RUNS)
    assert r.left_behind == frozenset({0})
    page = debrief_html(r)
    steps = text_of(section(page, "The control cell's steps"))
    assert "an ambush in the game left behind" in steps and "went back from" in steps
    assert "an ambush in the game left behind" not in text_of(section(page, "The class's timeline"))


# ---------------------------------------------------------------- notes between the seats, a seat's copy


def test_notes_between_the_seats_are_told_and_escaped(page, room):
    notes = text_of(section(page, "Notes between the seats"))
    for text in (TO_TURKEY, TO_ALL, TO_RUSSIA):
        assert text in notes and f"“{text}”" in text_of(section(page, "The class's timeline"))
    assert "<script" not in page and html.escape(TO_RUSSIA) in page


def test_a_seats_copy_leaves_out_the_others_briefings_and_notes(rev, room):
    names = {a.id: a.name for a in room.exercise.scenario.actors}
    wants = {s.actor: s.briefing.wants for s in room.exercise.spec.seats}
    whole = debrief_html(rev, room.notes)
    for seat, seen, unseen in (
        ("turkey", (TO_TURKEY, TO_ALL), (TO_RUSSIA,)),
        ("sna", (TO_RUSSIA, TO_ALL), (TO_TURKEY,)),
        ("russia", (TO_TURKEY, TO_RUSSIA, TO_ALL), ()),
    ):
        mine = debrief_html(rev, room.notes, viewer=seat)
        assert f"<h3>{html.escape(names[seat])}: what it wanted" in mine
        for other in wants:
            if other != seat:
                assert f"{html.escape(names[other])}: what it wanted" not in mine
                assert not [w for w in wants[other] if html.escape(w) in mine]
        assert all(html.escape(t) in mine for t in seen)
        assert not [t for t in unseen if html.escape(t) in mine]
    for seat in wants:  # the facilitator's review has everything
        assert all(html.escape(w) in whole for w in wants[seat])
    assert all(html.escape(t) in whole for t in (TO_TURKEY, TO_ALL, TO_RUSSIA))


def test_the_notes_given_are_the_ones_told(rev, room):
    page = debrief_html(rev, [])
    assert "Russia opens with what it needs" not in page
    assert "Russia opens with what it needs" in debrief_html(rev, room.notes)


# ---------------------------------------------------------------- the branch tree


def test_the_class_path_is_drawn_on_the_branch_tree(rev, page):
    svg = re.search(r"<svg class='tree'.*?</svg>", page, re.S)
    assert svg is not None and "<script" not in svg.group(0)
    on = re.findall(r"<g class='on-path'><title>(.*?)</title>", svg.group(0))
    drawn = [t for t in on if re.match(r"\d+\. ", t)]
    shown = [m for m in rev.path[: len(rev.deepest)]][:4]
    assert [t.split(": ")[0] for t in drawn] == [
        f"{i}. {html.escape(rev.milestone_labels[m])}" for i, m in enumerate(shown, 1)
    ]
    assert "<g class='branch'>" in svg.group(0)  # the other branches are drawn too


def test_the_tree_highlights_the_class_path_not_the_common_one():
    runs = pa.table(
        {
            "milestone_path": [["a", "b"]] * 6 + [["c"]] * 3 + [["a", "c", "d"]],
            "outcome": ["x"] * 10,
        }
    )
    labels = {"a": "Alpha", "b": "Bravo", "c": "Charlie", "d": "Delta"}
    svg = tree_svg(branch_tree(runs), ["a", "c", "d"], labels, finished=True)
    on = re.findall(r"<g class='on-path'><title>(.*?)</title>", svg)
    off = re.findall(r"<g class='branch'><title>(.*?)</title>", svg)
    assert [t.split(":")[0] for t in on if t[0].isdigit()] == ["1. Alpha", "2. Charlie", "3. Delta"]
    assert any(t.startswith("Bravo") for t in off) and any(t.startswith("Charlie") for t in off)
    assert "stroke='#000' stroke-width='2.5'" in svg
