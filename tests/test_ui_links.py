"""The page's state in its address (viz.links): what a view encodes to and decodes from, every bad or
hostile value left out with a sentence naming it, no token ever written, and a desk put back in the view
another desk was in (the scenario, its assumptions, the seed replayed to the day, the day shown, the
seat). Without a browser; tests/test_ui_links_browser.py drives the same through a real page."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
import solara

from viz import links
from viz.links import TABS, View, decode, encode, restore, view_of
from viz.workspace import MAX_RUNS, Workspace
from wargame.language.scenario import data_dir

TIME_PRESSURE = "actors.russia.time_pressure"
FULL = View(
    scenario="syria_dec2024",
    overrides=((TIME_PRESSURE, 0.3), ("events.israeli_strikes.hazard", 0.05)),
    seed=11,
    day=3,
    shown=1,
    tab="run",
    seat="russia",
    runs=200,
    runs_seed=4,
    branch=("passage_agreed", "corridor_opened"),
)


def _desk() -> Workspace:
    return Workspace(workers=1, openable=[data_dir("scenarios")])


def test_a_view_comes_back_from_its_address_unchanged() -> None:
    query = encode(FULL)
    assert decode(query) == (FULL, [])
    assert decode("?" + query) == (FULL, [])  # as the router gives it, or with its "?"


def test_the_address_is_short_and_readable() -> None:
    query = encode(FULL)
    assert query == (
        "scenario=syria_dec2024&set=actors.russia.time_pressure=0.3"
        "&set=events.israeli_strikes.hazard=0.05&seed=11&day=3&shown=1&tab=run&seat=russia"
        "&runs=200&runs_seed=4&branch=passage_agreed/corridor_opened"
    )
    assert encode(View()) == ""  # a view that says nothing writes nothing
    assert encode(View(seed=7, day=0, tab="scenario")) == "seed=7"  # defaults left out


@pytest.mark.parametrize(
    "value",
    [0.3, 2.0, 5, True, "a b&c=d", [], ["x", "y"], {"k": 1}, "100%", "?#"],
    ids=repr,
)
def test_any_assumption_value_comes_back_as_it_was(value) -> None:
    view = View(overrides=(("some.path", value),))
    back, problems = decode(encode(view))
    assert problems == []
    assert back.overrides == (("some.path", value),)
    assert type(back.overrides[0][1]) is type(value)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("seed=abc", "seed"),
        ("seed=-1", "seed"),
        ("seed=99999999999999999999", "seed"),
        ("seed=1e3", "seed"),
        ("day=%2010", "day"),
        ("day=10001", "day"),
        ("shown=x", "shown"),
        ("tab=%3Cscript%3Ealert(1)%3C/script%3E", "tab"),
        ("seat=../../etc", "seat"),
        ("seat=a%20b", "seat"),
        (f"runs={MAX_RUNS + 1}", "runs"),
        ("runs=0", "runs"),
        ("runs=200&runs_seed=-4", "runs_seed"),
        ("branch=passage_agreed", "branch"),  # a branch needs its runs
        ("runs=10&branch=a//b", "branch"),
        ("runs=10&branch=%3Cimg%3E", "branch"),
        ("set=actors.russia.time_pressure", "set"),
        ("set=../x=1", "set"),
        ("set=a.b=!!python/object/apply:os.system%20[ls]", "set"),
        ("set=a.b=.nan", "set"),
        ("set=a.b=1&set=a.b=2", "set"),
        ("scenario=" + "x" * 1001, "scenario"),
        ("scenario=a%00b", "scenario"),
        ("colour=red", "colour"),
        ("seed=1&seed=2", "seed"),
        ("seed=%ff", "readable"),
    ],
)
def test_a_bad_or_hostile_value_is_left_out_with_a_sentence_naming_it(query, named) -> None:
    view, problems = decode(query)
    assert problems and named in " ".join(problems), problems
    kept = {
        "seed=1&seed=2": View(seed=1),  # the first of two is used
        "set=a.b=1&set=a.b=2": View(overrides=(("a.b", 1),)),
        "runs=200&runs_seed=-4": View(runs=200),  # the runs stand, with the default root seed
        "runs=10&branch=a//b": View(runs=10),
        "runs=10&branch=%3Cimg%3E": View(runs=10),
    }
    assert view == kept.get(query, View()), view
    for p in problems:  # shown on the page as text: short, one line, no control characters
        assert len(p) < 300 and not any(ord(c) < 32 for c in p)


def test_a_link_too_long_is_not_read_at_all() -> None:
    view, problems = decode("seed=3&set=a=" + "1" * 9000)
    assert view == View() and "too long" in problems[0]


def test_no_token_is_read_or_written() -> None:
    view, problems = decode("t=SECRET-TOKEN&seed=3&kernelid=abc")
    assert (
        view == View(seed=3) and problems == []
    )  # the server's and Solara's own: silently ignored
    ws = _desk()
    query = encode(view_of(ws, 0).view)
    assert "SECRET" not in query and "t" not in dict(parse_qsl(query))
    assert "kernelid" not in query


def test_a_desk_is_put_back_in_the_view_another_desk_was_in() -> None:
    first = _desk()
    first.assume(TIME_PRESSURE, 0.3)
    first.new_game(11)
    for _ in range(3):
        first.step()
    first.scrub(1)
    first.take_seat("russia")
    linked = view_of(first, TABS.index("run"))
    assert linked.caveats == []
    query = encode(linked.view)
    assert "seed=11" in query and "day=3" in query and "shown=1" in query and "seat=russia" in query

    view, problems = decode(query)
    second = _desk()
    assert problems == [] and restore(second, view) == []
    assert (second.source, second.overrides, second.seed) == (
        "syria_dec2024",
        {TIME_PRESSURE: 0.3},
        11,
    )
    assert (second.last_day, second.day, second.seat) == (3, 1, "russia")
    for day in range(4):  # the same run, day by day
        assert second.picture(day)["log"] == first.picture(day)["log"]
        assert second.picture(day)["figures"] == first.picture(day)["figures"]
    assert encode(view_of(second, TABS.index("run")).view) == query


def test_a_scenario_outside_the_openable_folders_is_refused_before_a_byte_is_read(
    tmp_path,
) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\ntitle: THE-SECRET-TITLE\n")
    for path in ("/etc/passwd", str(secret), "../../../../etc/shadow"):
        ws = _desk()
        notes = restore(ws, View(scenario=path, seed=3))
        assert ws.source == "syria_dec2024" and ws.seed == 3  # the rest of the link still applies
        assert len(notes) == 1 and "only from" in notes[0] and "THE-SECRET" not in notes[0]
        assert "root:" not in notes[0]


def test_a_file_in_an_openable_folder_is_linked_by_its_path(tmp_path) -> None:
    own = tmp_path / "own.yaml"
    own.write_text((data_dir("scenarios") / "textbook_nash.yaml").read_text())
    ws = Workspace(workers=1, openable=[data_dir("scenarios"), tmp_path])
    ws.load(str(own))
    view = view_of(ws, 0).view
    assert view.scenario == str(own)
    again = Workspace(workers=1, openable=[data_dir("scenarios"), tmp_path])
    assert restore(again, decode(encode(view))[0]) == []
    assert again.source == str(own)


def test_a_dropped_file_is_not_put_in_a_link() -> None:
    ws = _desk()
    ws.load_text("mine.yaml", (data_dir("scenarios") / "textbook_nash.yaml").read_text())
    linked = view_of(ws, 1)
    assert linked.view == View(tab="run")
    assert "dropped" in linked.caveats[0]
    assert "wargame-ui-" not in encode(linked.view)  # the session's temporary folder stays private


def test_each_part_the_scenario_refuses_is_left_out_and_the_rest_kept() -> None:
    ws = _desk()
    view = View(
        overrides=((TIME_PRESSURE, 0.4), ("actors.russia.priors.reservation.high", 7.0)),
        seat="nobody_here",
        day=500,
        shown=900,
    )
    notes = restore(ws, view)
    assert ws.overrides == {TIME_PRESSURE: 0.4}
    text = " ".join(notes)
    assert "reservation.high" in text and "nobody_here" in text
    assert "past the horizon" in text and "day shown" in text
    assert ws.game.finished and ws.seat is None


def test_cancelled_runs_and_a_seat_s_own_decisions_are_named_as_not_in_the_link() -> None:
    ws = _desk()
    ws.take_seat("russia")
    for _ in range(3):
        ws.step()
        if ws.pending():
            p = ws.pending()[0]
            if p.role == "propose":  # the seat's own offer: the first level of each issue
                ws.decide({issue: levels[0] for issue, levels in p.options.items()})
            else:
                ws.decide("reject")
            break
    assert any("decisions" in c for c in view_of(ws, 1).caveats)
    batch = ws.start_batch(5, 1)
    batch.cancelled = True
    ws.batch = batch
    linked = view_of(ws, 2)
    assert linked.view.runs is None and any("cancelled" in c for c in linked.caveats)


def test_runs_asked_by_a_link_stay_in_the_address_while_they_are_run_again() -> None:
    ws = _desk()
    asked = View(runs=200, runs_seed=3, branch=("passage_agreed",))
    assert view_of(ws, 2, asked).view.branch == ("passage_agreed",)
    assert "runs=200&runs_seed=3&branch=passage_agreed" in encode(view_of(ws, 2, asked).view)


def _texts(widget) -> str:
    """Every string in a widget and the widgets beneath it."""
    if isinstance(widget, str):
        return widget
    return " ".join(_texts(c) for c in getattr(widget, "children", None) or [])


def _page_at(query: str):
    """viz.app.Page as a browser tab opened at `/?query` gets it (the router says the address)."""
    import viz.app as app

    @solara.component
    def At():
        router = solara.routing.Router("/?" + query, [], set_path=lambda path: None)
        solara.routing.router_context.provide(router)
        return app.Page()

    return solara.render(At(), handle_error=False)


def test_the_page_opens_where_its_address_says(monkeypatch) -> None:
    import ipyvuetify as v

    from viz.address_bar import PageAddress

    monkeypatch.delenv("WARGAME_UI_SCENARIO", raising=False)
    box, rc = _page_at(f"set={TIME_PRESSURE}=0.3&seed=11&day=3&tab=run&seed=x&tab=nowhere")
    try:
        assert rc.find(v.Tabs).widget.v_model == 1
        played = rc.find(v.Html, class_="played-to").widget.children[0]
        assert played.startswith("played to day 3 of")
        notes = _texts(rc.find(v.Alert, class_="link-notes").widget)
        assert "seed is given twice" in notes and "tab is given twice" in notes
        address = rc.find(PageAddress).widget.query
        assert address == (
            f"scenario=syria_dec2024&set={TIME_PRESSURE}=0.3&seed=11&day=3&tab=run"
        )  # what the page shows, the bad parts gone
    finally:
        rc.close()


def test_in_a_notebook_the_page_leaves_the_address_alone() -> None:
    """Without Solara's server (a notebook), the address is the notebook's: nothing writes to it."""
    import viz.app as app
    from viz.address_bar import CopyLink, PageAddress

    box, rc = solara.render(app.Page(), handle_error=False)
    try:
        assert rc.find(PageAddress).widgets == [] and rc.find(CopyLink).widgets == []
    finally:
        rc.close()


def test_linkable_follows_the_openable_rule(tmp_path) -> None:
    ws = _desk()
    assert links.linkable(ws)
    ws.source = str(tmp_path / "elsewhere.yaml")
    assert not links.linkable(ws)
