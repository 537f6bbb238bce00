"""The browser page: `solara run viz.app` (or `wargame ui`, `make ui`). Each browser session gets its own
desk (Workspace): two tabs never see each other's runs."""

from __future__ import annotations

import os
from pathlib import Path

import solara

from viz.branch_explorer import ComparePanel, ManyRuns
from viz.common import Desk, Guarded
from viz.run_view import RunView, SeatPanel
from viz.scenario_panel import ScenarioPanel
from viz.workspace import DEFAULT_SCENARIO, DeskError, Workspace
from wargame.language.scenario import data_dir

SCENARIO_ENV = (
    "WARGAME_UI_SCENARIO"  # the scenario `wargame ui SCENARIO` asks the page to open with
)


FOLDERS_ENV = (
    "WARGAME_UI_SCENARIOS"  # folders `wargame ui --scenarios DIR` lets the page open files from
)


def openable() -> list[str]:
    """What the page may open by path: the bundled scenarios, the folders given with --scenarios and the
    file the server was started with; nothing else on the server's disk."""
    given = [f for f in (os.environ.get(FOLDERS_ENV) or "").split(os.pathsep) if f]
    started = os.environ.get(SCENARIO_ENV) or ""
    return [str(data_dir("scenarios")), *given, *([started] if Path(started).is_file() else [])]


def first_desk() -> tuple[Workspace | None, str]:
    """The desk a new session starts with (the server's scenario, else the seed scenario)."""
    wanted = os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO
    folders = openable()
    try:
        return Workspace(wanted, openable=folders), ""
    except DeskError as exc:
        desk = Workspace(DEFAULT_SCENARIO, openable=folders)
        return desk, f"could not open {wanted}: {exc.message}"


@solara.component
def Page():
    made = solara.use_memo(first_desk, [])
    ws, opening_error = made
    version = solara.use_reactive(0)
    message = solara.use_reactive(opening_error)
    field_errors = solara.use_reactive({})
    desk = Desk(ws, version, message, field_errors)
    tab = solara.use_reactive(0)
    visited = solara.use_reactive(frozenset({0}))

    def remember_tab():
        if tab.value not in visited.value:
            visited.set(visited.value | {tab.value})

    solara.use_effect(remember_tab, [tab.value])
    _ = version.value  # every change on the desk bumps it, so the page redraws
    solara.Title("wargame: bases, safe passage and guarantees")
    with solara.AppBar():
        solara.AppBarTitle(f"wargame · {ws.scenario.resolved().get('title') or ws.scenario.id}")
    with solara.Column(style={"padding": "8px 16px"}):
        if message.value:
            solara.Error(message.value, classes=["page-message"])
        # A tab's panel is drawn from its first visit on, and stays (its background tasks belong to it);
        # the first page draws only the scenario, so it is ready sooner. The scenario panel is drawn
        # only while shown: its fields would otherwise be redrawn at every step.
        seen = visited.value | {tab.value}

        def panels() -> None:
            with solara.lab.Tabs(value=tab):
                with solara.lab.Tab("Scenario"):
                    if tab.value == 0:
                        ScenarioPanel(desk)
                with solara.lab.Tab("One run"):
                    if 1 in seen:
                        with solara.Columns([3, 1]):
                            RunView(desk)
                            SeatPanel(desk)
                with solara.lab.Tab("Many runs"):
                    if 2 in seen:
                        ManyRuns(desk)
                with solara.lab.Tab("Compare"):
                    if 3 in seen:
                        ComparePanel(desk)

        Guarded(panels)
