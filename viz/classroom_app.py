"""The classroom page: `wargame classroom EXERCISE` serves it. One game for the whole class, shared by every
browser session; a link's token decides what the page is: a student's seat (its briefing, what its actor
knows, its decisions) or the facilitator's desk (the controls, the Monte Carlo, the after-action review).
A link without a valid token opens nothing. A reloaded or reopened tab is the same seat: the game lives on
the server, and every change is saved to the save folder as it happens."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

import reacton.ipyvuetify as rv
import solara

from viz.common import Chart, Guarded, Prose
from viz.geography import map_figure
from viz.server import COOKIE
from wargame.language.errors import ScenarioError
from wargame.presentation.debrief import briefings_html, debrief_html, review
from wargame.presentation.narrative import Names, describe
from wargame.session.classroom import FACILITATOR, UNILATERAL, Classroom, ClassroomError
from wargame.session.game import GameError
from wargame.session.save_folder import SaveFailed, SaveFolder

log = logging.getLogger("viz.classroom")

EXERCISE_ENV = "WARGAME_CLASSROOM_EXERCISE"
TOKENS_ENV = "WARGAME_CLASSROOM_TOKENS"
LOAD_ENV = "WARGAME_CLASSROOM_LOAD"
SAVE_DIR_ENV = "WARGAME_CLASSROOM_SAVE_DIR"
POLL_S = 0.5  # how often a page looks for the class's changes


def _open_room() -> tuple[Classroom | None, str]:
    exercise = os.environ.get(EXERCISE_ENV)
    if not exercise:
        return None, "no exercise: start the classroom with `wargame classroom EXERCISE`"
    tokens = json.loads(os.environ[TOKENS_ENV]) if os.environ.get(TOKENS_ENV) else None
    try:
        if os.environ.get(LOAD_ENV):
            loaded = Classroom.load(os.environ[LOAD_ENV], tokens=tokens, exercise=exercise)
            return loaded, ""
        return Classroom(exercise, tokens=tokens), ""
    except (ScenarioError, GameError, OSError, ValueError) as exc:
        return None, f"the classroom could not start: {exc}"


ROOM, ROOM_ERROR = _open_room()  # one game for the class (the server process)


def _open_saves() -> tuple[SaveFolder | None, str]:
    """This game's own save file (a new one for every server, a loaded game included: nothing earlier is
    ever overwritten), written once at once so that even an untouched class has its record."""
    if ROOM is None:
        return None, ""
    try:
        saves = SaveFolder(os.environ.get(SAVE_DIR_ENV) or "out/classroom", ROOM.exercise.id)
        saves.write(ROOM.save())
        return saves, ""
    except (ScenarioError, OSError) as exc:
        log.error("the class's game cannot be saved: %s", exc)
        return None, f"The class's game is NOT being saved: {exc}"


SAVES, SAVE_ERROR = _open_saves()
_save_state = {"error": SAVE_ERROR}  # the last save's failure, shown on the facilitator's page
_save_lock = threading.Lock()


def autosave(room: Classroom) -> Path | None:
    """Write the class's game to its save file (after every change: a crash loses nothing). A failure is
    kept for the facilitator's banner, and every page is told at once (the room's version moves)."""
    with _save_lock:
        before = _save_state["error"]
        try:
            if SAVES is None:
                raise SaveFailed(SAVE_ERROR or "no save folder")
            path = SAVES.write(room.save())
            _save_state["error"] = ""
            return path
        except OSError as exc:
            log.error("autosave failed: %s", exc)
            _save_state["error"] = (
                f"The class's game could not be saved ({exc}). Download it below now, and free or "
                "fix the save folder: the game goes on, but unsaved."
            )
            return None
        finally:
            if _save_state["error"] != before:
                room._changed()


def save_failure() -> str:
    return _save_state["error"]


def use_class_version(room: Classroom | None) -> solara.Reactive[int]:
    """Redraw this page whenever the class's game changes (another seat moved, the facilitator acted)."""
    seen = solara.use_reactive(room.version if room else 0)

    def watch():
        stop = threading.Event()
        if room is None:
            return stop.set

        def loop():
            while not stop.wait(POLL_S):
                if room.version != seen.value:
                    seen.set(room.version)

        threading.Thread(target=loop, daemon=True).start()
        return stop.set

    solara.use_effect(watch, [])
    return seen


@solara.component
def Page():
    # The link's token, exchanged by the server for an HttpOnly cookie at the first visit (viz.server).
    token = (solara.lab.cookies.value or {}).get(COOKIE, "")
    message = solara.use_reactive("")
    seen = use_class_version(ROOM)
    version = seen.value
    solara.Title("wargame classroom")
    if ROOM is None:
        solara.Error(ROOM_ERROR)
        return
    role = ROOM.who(token)
    if role is None:
        with solara.Card("This link opens nothing"):
            solara.Text("Ask your instructor for your seat's link (each seat has its own).")
        return

    def act(fn):
        try:
            fn()
        except (ClassroomError, GameError, ValueError) as exc:
            message.set(str(exc))
            return
        message.set("")
        seen.set(
            ROOM.version
        )  # this page at once (the room counted the change); the others within POLL_S
        autosave(ROOM)

    with solara.AppBar():
        solara.AppBarTitle(ROOM.exercise.spec.title)
    with solara.Column(style={"padding": "8px 16px"}):
        Status(ROOM, version)
        if message.value:
            with solara.Div(classes=["class-message"]):
                solara.Error(message.value)
        if role == FACILITATOR and save_failure():
            with solara.Div(classes=["save-failure"]):
                solara.Error(save_failure())
        if role == FACILITATOR:
            Guarded(lambda: Facilitator(ROOM, act, version))
        else:
            Guarded(lambda: SeatView(ROOM, role, act, version))


@solara.component
def Status(room: Classroom, version: int):
    g = room.game
    names = {a.id: a.name for a in room.exercise.scenario.actors}
    if room.finished:
        text = f"The exercise is over (day {g.day}). The facilitator has the after-action review."
    else:
        waiting = ", ".join(names.get(a, a) for a in room.waiting_for()) or "nobody"
        left = room.minutes_left()
        clock = (
            f"{left:.0f} of {room.exercise.spec.turn_minutes} minutes left"
            if left >= 0
            else "the turn's time is up"
        )
        text = (
            f"Turn {min(room.turn.number, room.turns)} of {room.turns} · day {g.day} "
            f"({g.date_of(g.day):%d %b %Y}) · turn ends on day {room.turn_end_day} · "
            f"{clock} · waiting for: {waiting}"
            + (" · PAUSED by the facilitator" if room.paused else "")
        )
    with solara.Div(classes=["class-status"]):
        solara.Info(text, dense=True)


# ---------------------------------------------------------------- a student's seat


@solara.component
def SeatView(room: Classroom, actor: str, act, version: int):
    names = {a.id: a.name for a in room.exercise.scenario.actors}
    pic = room.picture(actor)
    me = next(a for a in pic["actors"] if a["id"] == actor)
    b = room.briefing(actor)
    held = actor in room.game.seats
    with solara.Columns([2, 3]):
        with solara.Column():
            with solara.Card(f"You are {names[actor]}", classes=["briefing"]):
                Prose(
                    f"{b.role}\n\n**What you know**\n\n" + "\n".join(f"- {x}" for x in b.knows)
                    + "\n\n**What you want**\n\n" + "\n".join(f"- {x}" for x in b.wants)
                    + "\n\n**What you fear**\n\n" + "\n".join(f"- {x}" for x in b.fears)
                    + ("\n\n**Your red lines**\n\n" + "\n".join(f"- {x}" for x in b.red_lines) if b.red_lines else "")
                )  # fmt: skip
                Prose(
                    "**In the model, privately:** "
                    + ", ".join(f"{k.replace('_', ' ')} {val:.2f}" for k, val in me.get("private", {}).items())
                    + ".  \n**What you believe the others need** (outside options): "
                    + ", ".join(f"{names.get(o, o)} {x['reservation']:.2f}" for o, x in me.get("beliefs", {}).items() if "reservation" in x)
                )  # fmt: skip
            Chart(lambda: map_figure(pic, names, height=520, width=520), key=(room.version, actor))
        with solara.Column():
            if not held:
                solara.Warning("The facilitator has handed your seat to the model for now.")
            else:
                for p in room.pending(actor):
                    SeatDecision(room, actor, p, act, version)
                if not room.pending(actor):
                    EndTurn(room, actor, act, version)
                Unilateral(room, actor, act, version)
                StandingOrder(room, actor, act, version)
            News(room, actor, version)


@solara.component
def SeatDecision(room: Classroom, actor: str, p, act, version: int):
    names = {a.id: a.name for a in room.exercise.scenario.actors}
    why = solara.use_reactive("")
    choice = solara.use_reactive(
        {k: vals[0] for k, vals in p.options.items()} if p.role == "propose" else {}
    )
    with solara.Card(
        f"{p.table} table, day {p.day}: {'make an offer' if p.role == 'propose' else 'answer the offer'}",
        classes=["decision"],
    ):
        if p.role == "answer":
            Prose(
                f"{names.get(p.proposer, p.proposer)} offers: " + ", ".join(f"**{k}** = {val}" for k, val in p.offer.items())
                + f"  \nIt is worth **{p.value:.2f}** to you; what you can get without a deal today: **{p.reservation:.2f}**."
            )  # fmt: skip
            solara.InputText("why (a line for the debrief)", value=why)
            with solara.Row():
                solara.Button(
                    "Accept",
                    color="success",
                    on_click=lambda: act(lambda: room.decide(actor, "accept", why.value)),
                )
                solara.Button(
                    "Reject",
                    color="error",
                    on_click=lambda: act(lambda: room.decide(actor, "reject", why.value)),
                )
        else:
            terms = dict(choice.value)
            try:
                solara.Text(
                    f"This offer is worth {room.game.worth(actor, terms, p.table):.2f} to you; without a deal: {p.reservation:.2f}."
                )
            except GameError as exc:
                solara.Error(str(exc), dense=True)
            for issue, levels in p.options.items():
                solara.Select(label=issue, values=levels, value=terms[issue],
                              on_value=lambda val, issue=issue: choice.set({**choice.value, issue: val}))  # fmt: skip
            solara.InputText("why (a line for the debrief)", value=why)
            solara.Button(
                "Make this offer",
                color="primary",
                on_click=lambda: act(lambda: room.decide(actor, dict(choice.value), why.value)),
            )


@solara.component
def EndTurn(room: Classroom, actor: str, act, version: int):
    why = solara.use_reactive("")
    if room.finished:
        return
    if actor in room.turn.ended:
        solara.Success(f"You have ended turn {room.turn.number}: waiting for the others.")
        return
    if not room.turn_played():
        solara.Text("The turn is being played: the others are deciding.")
        return
    with solara.Card("End your turn"):
        solara.InputText("your turn in a line (what you did and why)", value=why)
        solara.Button(
            "End my turn",
            color="primary",
            on_click=lambda: act(lambda: room.end_turn(actor, why.value)),
        )


@solara.component
def Unilateral(room: Classroom, actor: str, act, version: int):
    tables = [t["id"] for t in room.picture(actor)["tables"] if actor in t["participants"]]
    action = solara.use_reactive("walk_out")
    table = solara.use_reactive(tables[0] if tables else "")
    why = solara.use_reactive("")
    if not tables:
        return
    with solara.Details("A unilateral step"):
        solara.Select(label="step", values=list(UNILATERAL), value=action)
        solara.Text(UNILATERAL[action.value], style={"font-size": "0.85em"})
        solara.Select(label="table", values=tables, value=table)
        solara.InputText("why", value=why)
        solara.Button("Take this step", color="warning",
                      on_click=lambda: act(lambda: room.unilateral(actor, action.value, table.value, why.value)))  # fmt: skip


@solara.component
def StandingOrder(room: Classroom, actor: str, act, version: int):
    current = room.orders.get(actor, {})
    floor = solara.use_reactive(current.get("accept_at_least") or 0.5)
    with solara.Details("Standing order (answers while you are away)"):
        solara.Text(
            "now: " + (f"accept offers worth at least {current['accept_at_least']:.2f}, reject the rest" if current.get("accept_at_least") is not None else "none")
        )  # fmt: skip
        solara.InputFloat("accept offers worth at least", value=floor)
        with solara.Row():
            solara.Button(
                "Set",
                on_click=lambda: act(
                    lambda: room.standing_order(
                        actor, accept_at_least=floor.value, justification="set from the seat"
                    )
                ),
            )
            solara.Button(
                "Clear", on_click=lambda: act(lambda: room.standing_order(actor)), text=True
            )


@solara.component
def News(room: Classroom, actor: str | None, version: int):
    g = room.game
    last = g.day - 1 if g.in_day else g.day
    first = max(0, last - room.days_per_turn + 1)
    lines = []
    for day in range(last, first - 1, -1):
        pic = g.snapshot(day, viewer=actor)
        for e in pic["log"]:
            text = describe(e, Names.of_picture(pic))
            if text:
                lines.append(f"- day {day}: {text}")
    with solara.Card("What you have heard (this turn)" if actor else "The log (this turn)"):
        Prose(
            "\n".join(lines[:60]) or "Nothing yet.",
            style={"max-height": "420px", "overflow-y": "auto"},
        )


# ---------------------------------------------------------------- the facilitator


@solara.component
def Facilitator(room: Classroom, act, version: int):
    names = {a.id: a.name for a in room.exercise.scenario.actors}
    reason = solara.use_reactive("")
    event = solara.use_reactive(room.exercise.scenario.spec.events[0].id)
    fork_turn = solara.use_reactive(0)
    runs = solara.use_reactive(200)
    mc = solara.use_reactive(None)
    aar = solara.use_reactive("")
    base = solara.use_reactive(os.environ.get("WARGAME_CLASSROOM_BASE") or "http://127.0.0.1:8766")

    def monte_carlo():
        results = room.continuations(runs.value)
        counts: dict[str, int] = {}
        for r in results:
            counts[r.outcome_label or str(r.outcome)] = (
                counts.get(r.outcome_label or str(r.outcome), 0) + 1
            )
        mc.set(sorted(counts.items(), key=lambda kv: -kv[1]))

    def make_review():
        r = review(room)
        aar.set(debrief_html(r, room.notes))

    mc_task = solara.lab.use_task(lambda: act(monte_carlo), dependencies=None, raise_error=False)
    aar_task = solara.lab.use_task(lambda: act(make_review), dependencies=None, raise_error=False)
    with solara.Card("The seats", classes=["seats"]):
        rows = []
        for a in room.seats:
            state = (
                "the model"
                if a not in room.game.seats
                else "ended the turn"
                if a in room.turn.ended
                else "deciding"
                if room.pending(a)
                else "playing"
            )
            rows.append(f"| {names[a]} | {state} | `{room.link(a, base.value)}` |")
        solara.InputText("this server's address, for the links", value=base)
        Prose(
            "| seat | now | join link (give each student only theirs) |\n|---|---|---|\n"
            + "\n".join(rows)
        )
        for a in room.seats:
            with solara.Row():
                if a in room.game.seats:
                    solara.Button(
                        f"Hand {a} to the model",
                        text=True,
                        on_click=lambda a=a: act(
                            lambda: room.hand_over(
                                a, reason.value or "the facilitator handed the seat to the model"
                            )
                        ),
                    )
                else:
                    solara.Button(
                        f"Give {a} back to the student",
                        text=True,
                        on_click=lambda a=a: act(
                            lambda: room.take_back(
                                a, reason.value or "the facilitator gave the seat back"
                            )
                        ),
                    )
    with solara.Card("Control"):
        solara.InputText("reason (kept in the game's history)", value=reason)
        with solara.Row(style={"flex-wrap": "wrap"}):
            if room.paused:
                solara.Button("Resume", color="success", on_click=lambda: act(room.resume))
            else:
                solara.Button("Pause", color="warning", on_click=lambda: act(room.pause))
            solara.Button(
                "Force the turn",
                color="error",
                on_click=lambda: act(lambda: room.force_turn(reason.value)),
            )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Select(
                label="event from the deck",
                values=[e.id for e in room.exercise.scenario.spec.events],
                value=event,
                style={"min-width": "260px"},
            )
            solara.Button(
                "Fire this inject",
                on_click=lambda: act(lambda: room.inject(event.value, reason=reason.value)),
            )
        for t in room.picture(None)["tables"]:
            with solara.Row():
                solara.Button(
                    f"Collapse the talks at {t['id']}",
                    text=True,
                    on_click=lambda t=t["id"]: act(
                        lambda: room.override("collapse_talks", reason=reason.value, table=t)
                    ),
                )
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt(
                "fork at the end of turn", value=fork_turn, style={"max-width": "200px"}
            )
            solara.Button(
                "Fork", on_click=lambda: act(lambda: room.fork(fork_turn.value, reason.value))
            )
    with solara.Card("What tends to happen next"):
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt("runs from the present state", value=runs, style={"max-width": "200px"})
            solara.Button("Run the Monte Carlo", on_click=mc_task, disabled=mc_task.pending)
        if mc.value:
            total = sum(k for _, k in mc.value)
            Prose(
                "| ending | runs | share |\n|---|---|---|\n"
                + "\n".join(f"| {o} | {k} | {k / total:.0%} |" for o, k in mc.value),
                classes=["mc-table"],
            )
    with solara.Card("Save, briefings, after-action review"):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(
                lambda: room.save(),
                filename=f"{room.exercise.id}-game.json",
                label="Download the game (JSON)",
            )
            solara.FileDownload(
                lambda: briefings_html(room.exercise),
                filename=f"{room.exercise.id}-briefings.html",
                label="Printable briefings",
            )
            solara.Button(
                "After-action review", color="primary", on_click=aar_task, disabled=aar_task.pending
            )
        if aar_task.pending:
            solara.ProgressLinear(True)
        if aar.value:
            solara.FileDownload(
                aar.value,
                filename=f"{room.exercise.id}-review.html",
                label="Printable review (HTML)",
            )
            rv.Html(tag="iframe", attributes={"srcdoc": aar.value, "title": "after-action review", "sandbox": ""},
                   style_="width: 100%; height: 900px; border: 1px solid #ccc;", class_="aar")  # fmt: skip
    Replay(room, version)
    News(room, None, version)


@solara.component
def Replay(room: Classroom, version: int):
    """Step through the class's game day by day (from the game's pictures: nothing is replayed)."""
    pictures = room.replay()
    day = solara.use_reactive(len(pictures) - 1)
    names = {a.id: a.name for a in room.exercise.scenario.actors}
    shown = min(max(day.value, 0), len(pictures) - 1)
    pic = pictures[shown]
    with solara.Card("Replay"):
        if len(pictures) > 1:
            solara.SliderInt("day", value=day, min=0, max=len(pictures) - 1, thumb_label="always")
        with solara.Columns([3, 2]):
            Chart(lambda: map_figure(pic, names, height=480, width=520), key=(version, shown))
            lines = [describe(e, Names.of_picture(pic)) for e in pic["log"]]
            Prose(
                f"**Day {shown}** ({pic['date']})\n\n"
                + ("\n".join(f"- {x}" for x in lines if x) or "Nothing logged."),
                style={"max-height": "480px", "overflow-y": "auto"},
            )
