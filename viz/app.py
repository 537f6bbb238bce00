"""The browser page: `solara run viz.app` (or `wargame ui`, `make ui`). Each browser session gets its own
desk (Workspace): two tabs never see each other's runs. The address holds the page's state (viz.links):
a reload or a pasted link opens the same scenario, assumptions, day, tab, seat, runs and branch."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import solara
import solara.lab

from viz import links
from viz.address_bar import START_COOKIE, CopyLink, PageAddress
from viz.branch_explorer import ComparePanel, ManyRuns
from viz.common import Desk, Guarded
from viz.guide import Glossary, StartHere
from viz.run_view import RunView, SeatPanel
from viz.scenario_panel import ScenarioPanel
from viz.workspace import DeskError, Workspace
from wargame.language.scenario import data_dir, default_scenario

log = logging.getLogger("viz")

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
    """The desk a new session starts with (the server's scenario, else the bundled default scenario)."""
    wanted = os.environ.get(SCENARIO_ENV) or default_scenario()
    folders = openable()
    try:
        return Workspace(wanted, openable=folders), ""
    except DeskError as exc:
        desk = Workspace(default_scenario(), openable=folders)
        return desk, f"could not open {wanted}: {exc.message}"


START_RUNS = 1000  # the start card's "many runs"
START_COMPARE_RUNS = 500  # each side of its "without the guarantees"


def open_desk(search: str | None) -> tuple[Workspace, str, links.View, list[str]]:
    """A new session's desk, put in the view its address asks for: (desk, the opening error, the view,
    a sentence for each part of the address left out)."""
    ws, opening_error = first_desk()
    view, problems = links.decode(search)
    if not view.empty:
        try:
            problems += links.restore(ws, view)
        except Exception as exc:
            # a fault of ours: said on the page, logged for the server's console
            log.exception("following a link failed")
            problems.append(f"the link could not be followed ({type(exc).__name__}: {exc})")
    return ws, opening_error, view, problems


def _put_away() -> bool:
    """Whether this browser put the start card away (its cookie, sent with the page's connection)."""
    cookies = solara.lab.cookies.value or {}
    return cookies.get(START_COOKIE) == "put-away"


@solara.component
def Page():
    router = solara.use_router()
    # Served by Solara (a router that can move): the page owns the browser's address. In a notebook it
    # does not (the address is the notebook's), so nothing is written there and there is no link to copy.
    served = router.set_path is not None
    made = solara.use_memo(lambda: open_desk(router.search), [])
    ws, opening_error, asked, link_problems = made
    version = solara.use_reactive(0)
    message = solara.use_reactive(opening_error)
    field_errors = solara.use_reactive({})
    desk = Desk(ws, version, message, field_errors)
    # use_reactive follows its argument when that changes: each gets a first value that stays
    first_tab, was_put_away = solara.use_memo(
        lambda: (links.TABS.index(asked.tab), _put_away()), []
    )
    tab = solara.use_reactive(first_tab)
    visited = solara.use_reactive(solara.use_memo(lambda: frozenset({first_tab}), []))
    notes = solara.use_reactive(link_problems)  # what the address asked that could not be done
    on_the_way = solara.use_reactive(asked if asked.runs else None)  # the link's runs, run again
    put_away = solara.use_reactive(was_put_away)
    start_shown = solara.use_reactive(not was_put_away)
    glossary_shown = solara.use_reactive(False)
    busy = solara.use_reactive(
        None
    )  # the page's own background work: (what it is, runs or compare)
    job = solara.use_ref(None)

    def remember_tab():
        if tab.value not in visited.value:
            visited.set(visited.value | {tab.value})

    solara.use_effect(remember_tab, [tab.value])

    def work():
        label, kind, fn = job.current
        busy.set((label, kind))
        try:
            fn()
        finally:
            busy.set(None)

    task = solara.lab.use_task(work, dependencies=None, raise_error=False)

    def launch(label: str, kind: str, fn: Callable[[], None]) -> None:
        """Run `fn` in the background, its progress shown at the top (one such job at a time)."""
        if busy.value:
            return
        job.current = (label, kind, fn)
        task()

    def redraw(_batch=None) -> None:
        desk.redraw()

    def rerun_the_links_runs() -> None:
        view = on_the_way.value
        try:
            desk.act(lambda: ws.run_batch(view.runs, view.runs_seed, on_chunk=redraw))
            b = ws.batch
            if view.branch and b is not None and b.finished and not b.cancelled and not b.error:
                try:
                    ws.select(view.branch)
                except DeskError as exc:
                    notes.set([*notes.value, f"branch {'/'.join(view.branch)}: {exc.message}"])
        finally:
            on_the_way.set(None)  # the page redraws, with the branch chosen

    def follow_the_link() -> None:
        if on_the_way.value is not None:
            view = on_the_way.value
            launch(
                f"{view.runs:,} runs from the link (root seed {view.runs_seed})",
                "runs",
                rerun_the_links_runs,
            )

    solara.use_effect(follow_the_link, [])

    def close_start() -> None:
        start_shown.set(False)
        put_away.set(True)

    def play_one_run() -> None:
        close_start()
        tab.set(1)
        desk.act(ws.step)

    def many_runs() -> None:
        close_start()
        tab.set(2)
        launch(
            f"{START_RUNS:,} runs",
            "runs",
            lambda: desk.act(lambda: ws.run_batch(START_RUNS, 1, on_chunk=redraw)),
        )

    def without_guarantees() -> None:
        close_start()
        tab.set(3)
        launch(
            f"{START_COMPARE_RUNS:,} runs with the guarantees and {START_COMPARE_RUNS:,} without",
            "compare",
            lambda: desk.act(
                lambda: ws.compare_set("guarantees=[]", START_COMPARE_RUNS, on_chunk=redraw)
            ),
        )

    _ = version.value  # every change on the desk bumps it, so the page redraws
    linked = links.view_of(ws, tab.value, on_the_way.value)
    query = links.encode(linked.view)
    solara.Title("wargame: bases, safe passage and guarantees")
    with solara.AppBar():
        solara.AppBarTitle(f"wargame · {ws.scenario.resolved().get('title') or ws.scenario.id}")
        if served:
            CopyLink.element(caveats=linked.caveats)
        if not start_shown.value:
            solara.Button(
                "Start here",
                icon_name="mdi-compass-outline",
                text=True,
                on_click=lambda: start_shown.set(True),
                classes=["start-open"],
            )
        solara.Button(
            "Glossary",
            icon_name="mdi-book-open-variant",
            text=True,
            on_click=lambda: glossary_shown.set(True),
            classes=["glossary-open"],
        )
        solara.lab.ThemeToggle()
    if served:
        PageAddress.element(query=query, start_put_away=put_away.value)
    Glossary(glossary_shown)
    with solara.Column(style={"padding": "8px 16px"}):
        if message.value:
            solara.Error(message.value, classes=["page-message"])
        if notes.value:
            with solara.Warning(classes=["link-notes"]):
                solara.Text("From the link, left out:")
                with solara.Column(gap="0px"):
                    for note in notes.value:
                        solara.Text(f"· {note}")
                solara.Button("OK", text=True, on_click=lambda: notes.set([]))
        if busy.value:
            Busy(desk, *busy.value)
        if start_shown.value:
            StartHere(
                on_play=play_one_run,
                on_many=many_runs,
                on_guarantees=without_guarantees if ws.scenario.spec.guarantees else None,
                on_close=close_start,
            )
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


@solara.component
def Busy(desk: Desk, label: str, kind: str):
    """The page's own background work (the link's runs, the start card's): its progress and a Cancel.
    `kind`: "runs" (the desk's batch) or "compare" (its two batches)."""
    ws = desk.ws
    if kind == "compare":
        batches = list(ws.compare) if ws.compare is not None else []
    else:
        batches = [ws.batch] if ws.batch is not None else []
    done = sum(b.done for b in batches)
    total = sum(b.total for b in batches) or 1
    with solara.Row(style={"align-items": "center"}, classes=["page-busy"]):
        with solara.Column(style={"flex": "1"}):
            solara.ProgressLinear(value=100 * done / total, color="primary")
            solara.Text(f"Running {label}: {done:,} of {total:,} done")
        solara.Button("Cancel", on_click=ws.cancel, outlined=True, color="error")
