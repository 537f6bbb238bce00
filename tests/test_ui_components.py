"""The browser page (viz.app.Page) rendered without a browser (solara.render, handle_error=False: an
exception in a component or a callback fails the test) and clicked through its ipyvuetify widgets: the
seed scenario on first load, a Step, a seat, a refused assumption shown beside its field, the bundled
scenarios. Nothing here starts many runs (a pool of workers would start from POOL_FROM runs)."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara
from solara.widgets import HTML

import viz.app as app
from viz.workspace import Workspace, bundled_scenarios
from wargame.language.scenario import find_scenario

SEAT_LABEL = "your seat (the model plays everyone else)"
NOBODY = "(nobody: the model plays all)"
PRIOR_HIGH = "actors.russia.priors.reservation.high"  # 0.8 in the seed scenario
PRIOR_LOW = "actors.russia.priors.reservation.low"  # 0.3 (mode 0.45)


def _title(name: str) -> str:
    return Workspace(name, workers=1).scenario.resolved()["title"]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch):
    """The page as a new browser session gets it, with a handle on its desk (the Workspace the page
    made: first_desk is wrapped only to keep a reference, it still makes the desk)."""
    monkeypatch.delenv(app.SCENARIO_ENV, raising=False)
    desks: list[Workspace] = []
    made = app.first_desk

    def keep():
        ws, err = made()
        desks.append(ws)
        return ws, err

    monkeypatch.setattr(app, "first_desk", keep)
    box, rc = solara.render(app.Page(), handle_error=False)
    assert len(desks) == 1
    yield rc, desks[0]
    rc.close()


def _open(rc, tab: int) -> None:
    """Go to a tab (0 Scenario, 1 One run, 2 Many runs, 3 Compare): a panel is drawn from its first visit."""
    rc.find(v.Tabs).widget.v_model = tab


def _html(rc) -> str:
    return "\n".join(w.unsafe_innerHTML for w in rc.find(HTML).widgets)


def _played(rc) -> str:
    return rc.find(v.Html, class_="played-to").widget.children[0]


def _alerts(rc) -> dict[str, str]:
    return {
        w.class_: " ".join(c for c in w.children if isinstance(c, str))
        for w in rc.find(v.Alert).widgets
    }


def _page_message(rc) -> str:
    return " ".join(
        " ".join(c for c in w.children if isinstance(c, str))
        for w in rc.find(v.Alert, class_="page-message").widgets
    )


def test_the_page_opens_on_the_seed_scenario(page) -> None:
    rc, ws = page
    assert ws.scenario.id == "syria_dec2024"
    title = ws.scenario.resolved()["title"]
    assert title and f"<h3>{title}</h3>" in _html(rc)
    rc.find(v.Btn, children=["Load file"]).assert_single()
    assert (
        rc.find(v.Btn, children=["Step"]).widgets == []
    )  # the other panels wait for their first visit
    for tab in (1, 2, 3):
        _open(rc, tab)
    assert _played(rc) == f"played to day 0 of {ws.game.model.horizon}"
    assert _page_message(rc) == ""
    for label in ("Step", "Play", "Run to the end", "Run", "Compare"):
        rc.find(v.Btn, children=[label]).assert_single()


def test_step_moves_the_run_on_one_day(page) -> None:
    rc, ws = page
    _open(rc, 1)
    assert _played(rc).startswith("played to day 0 of ")
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _played(rc).startswith("played to day 1 of ")
    assert ws.last_day == 1
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert _played(rc).startswith("played to day 2 of ")
    slider = rc.find(v.Slider, label="day shown").widget  # scrubbing appears once a day is played
    assert (slider.min, slider.max, slider.v_model) == (0, 2, 2)
    slider.v_model = 1
    assert ws.day == 1 and ws.last_day == 2
    titles = [c for w in rc.find(v.CardTitle).widgets for c in w.children if isinstance(c, str)]
    assert any(t.startswith("One run · seed 7 · day 1 (") for t in titles), titles


def test_taking_a_seat_says_who_you_are_and_asks_you(page) -> None:
    rc, ws = page
    _open(rc, 1)
    seat = rc.find(v.Select, label=SEAT_LABEL).widget
    assert seat.v_model == NOBODY and "russia" in seat.items
    assert "You are" not in _html(rc)

    seat.v_model = "russia"
    assert ws.seat == "russia"
    assert "<strong>You are Russian Federation.</strong>" in _html(rc)
    assert rc.find(v.Select, label=SEAT_LABEL).widget.v_model == "russia"

    rc.find(v.Btn, children=["Step"]).widget.click()  # seed 7: Russia is asked on day 1
    assert ws.pending(), "the seed-7 run asks Russia something on day 1"
    assert "waiting for your decision" in _played(rc)
    for _ in range(
        30
    ):  # on to the first offer Russia is asked to answer (its own offers: made here)
        p = ws.pending()[0] if ws.pending() else None
        if p is not None and p.role == "answer":
            break
        if p is not None:
            ws.decide({issue: levels[0] for issue, levels in p.options.items()})
        else:
            rc.find(v.Btn, children=["Step"]).widget.click()
    assert p is not None and p.role == "answer"
    assert "waiting for your decision" in _played(rc)
    before = len(ws.game.history)
    rc.find(v.Btn, children=["Reject"]).widget.click()
    decision = ws.game.history[before]
    assert (decision["actor"], decision["role"], decision["move"]) == ("russia", "answer", False)

    rc.find(v.Select, label=SEAT_LABEL).widget.v_model = NOBODY
    assert ws.seat is None and "You are" not in _html(rc)


@pytest.mark.parametrize(
    ("path", "typed"),
    [
        (PRIOR_HIGH, "1.5"),  # a prior outside [0, 1]
        (PRIOR_LOW, "0.95"),  # the low end above the high end (0.8)
    ],
)
def test_an_invalid_assumption_shows_an_error_beside_it(page, path: str, typed: str) -> None:
    rc, ws = page
    scenario = ws.scenario
    field = rc.find(v.TextField, class_=f"assume-{path.replace('.', '-')}").widget
    error_class = f"error-{path.replace('.', '-')}"
    assert error_class not in _alerts(rc)

    field.v_model = typed
    field.fire_event("focusout")  # continuous_update=False: the value is sent on blur or enter

    alerts = _alerts(rc)
    assert error_class in alerts, alerts
    assert alerts[error_class].strip()
    assert _page_message(rc) == ""  # a refusal, not a fault
    assert ws.overrides == {} and ws.scenario is scenario
    # only that field shows it
    assert [c for c in alerts if c.startswith("error-")] == [error_class]
    # and the field shows the value in force again, not the refused one
    again = rc.find(v.TextField, class_=f"assume-{path.replace('.', '-')}").widget
    assert float(again.v_model) != float(typed)
    assert float(again.v_model) == pytest.approx(_in_force(ws, path))


def test_a_valid_assumption_is_taken_and_can_be_reset(page) -> None:
    rc, ws = page
    field = rc.find(v.TextField, class_="assume-actors-russia-time_pressure").widget
    field.v_model = "0.9"
    field.fire_event("focusout")
    assert ws.overrides == {"actors.russia.time_pressure": 0.9}
    assert not [c for c in _alerts(rc) if c.startswith("error-")]
    reset = rc.find(v.Btn, children=["Reset all assumptions"]).widget
    assert not reset.disabled
    reset.click()
    assert ws.overrides == {}


def test_one_assumption_goes_back_to_the_scenarios_value_and_the_others_stay(page) -> None:
    rc, ws = page
    for path, typed in ((PRIOR_LOW, "0.2"), ("actors.russia.time_pressure", "0.9")):
        field = rc.find(v.TextField, class_=f"assume-{path.replace('.', '-')}").widget
        field.v_model = typed
        field.fire_event("focusout")
    assert set(ws.overrides) == {PRIOR_LOW, "actors.russia.time_pressure"}
    rc.find(v.Btn, class_="reset-actors-russia-time_pressure").widget.click()
    assert ws.overrides == {PRIOR_LOW: 0.2}


def test_a_priors_ends_and_mode_share_one_source_line(page) -> None:
    from viz.assumptions import assumptions

    rc, ws = page
    shown = [a for a in assumptions(ws.scenario.resolved()) if a.group == "Russian Federation"]
    fields = [
        w for w in rc.find(v.TextField).widgets if "assume-actors-russia-" in (w.class_ or "")
    ]
    sources = rc.find(class_="assumption-source").widgets
    assert len(fields) == len(shown)
    assert len(sources) == len({a.family or a.path for a in shown}) < len(fields)


def _in_force(ws, path: str) -> float:
    node = ws.scenario.resolved()
    for part in path.split("."):
        node = (
            next(x for x in node if x.get("id") == part) if isinstance(node, list) else node[part]
        )
    return float(node)


def test_the_scenario_panel_lists_the_bundled_scenarios(page) -> None:
    rc, ws = page
    choice = rc.find(v.Select, label="bundled scenario").widget
    assert choice.items == bundled_scenarios()
    assert {"syria_dec2024", "classroom_passage", "textbook_nash"} <= set(choice.items)
    assert choice.v_model == "syria_dec2024"
    for name in choice.items:
        assert find_scenario(name).is_file()

    choice.v_model = "classroom_passage"
    assert ws.source == "classroom_passage"
    assert f"<h3>{_title('classroom_passage')}</h3>" in _html(rc)
    _open(rc, 1)
    assert _played(rc).startswith("played to day 0 of ")
    assert _page_message(rc) == ""


def test_a_panel_that_fails_to_draw_says_so_in_a_line_and_the_page_lives() -> None:
    from viz.common import Guarded

    @solara.component
    def Broken():
        raise KeyError("turkey")

    @solara.component
    def Host():
        solara.Text("above")
        Guarded(lambda: Broken())

    box, rc = solara.render(Host(), handle_error=False)
    alerts = [
        " ".join(c for c in w.children if isinstance(c, str)) for w in rc.find(v.Alert).widgets
    ]
    assert any("could not be drawn" in a and "KeyError" in a for a in alerts), alerts
    assert "Traceback" not in " ".join(alerts)
    rc.find(v.Btn, children=["Try again"]).assert_single()
    rc.close()


@pytest.mark.parametrize("name", bundled_scenarios())
def test_every_bundled_scenario_draws_on_every_tab_and_steps(page, name) -> None:
    rc, ws = page
    rc.find(v.Select, label="bundled scenario").widget.v_model = name
    assert ws.source == name
    for tab in (1, 2, 3):
        _open(rc, tab)
    for _ in range(3):
        rc.find(v.Btn, children=["Step"]).widget.click()
    assert ws.last_day == min(3, ws.game.model.horizon)
    slider = rc.find(v.Slider, label="day shown").widget
    slider.v_model = 1
    batch = ws.run_batch(12)  # many runs, their tree and outcome charts drawn on the next redraw
    assert batch.done == 12 and batch.error is None
    _open(rc, 1)
    _open(rc, 2)
    faults = [w for w in rc.find(v.Alert).widgets if "could not be drawn" in str(w.children)]
    assert faults == [] and _page_message(rc) == ""
