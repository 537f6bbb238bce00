"""The classroom page: `wargame classroom EXERCISE` serves it. One game for the whole class, shared by every
browser session; a link's token decides what the page is: a student's seat (its briefing, what its actor
knows, its decisions) or the facilitator's desk (the controls, the Monte Carlo, the after-action review).
A link without a valid token opens nothing. A reloaded or reopened tab is the same seat: the game lives on
the server, and every change is saved to the save folder as it happens."""

from __future__ import annotations

import html
import json
import logging
import os
import threading
import time
from pathlib import Path

import reacton.ipyvuetify as rv
import solara

from viz.common import Chart, Guarded, Prose
from viz.geography import map_figure
from viz.server import COOKIE
from viz.words import Words
from wargame.language.errors import ScenarioError
from wargame.presentation.debrief import briefings_html, debrief_html, review
from wargame.presentation.narrative import Names, describe
from wargame.session.classroom import FACILITATOR, UNILATERAL, Classroom, ClassroomError
from wargame.session.game import GameError
from wargame.session.save_folder import SaveFailed, SaveFolder
from wargame.session.snapshot import for_the_public

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


_reviews: dict[
    str, object
] = {}  # the last after-action review made (shown to the seats at the end)


def _words(room: Classroom) -> Words:
    """The exercise's scenario's names for its ids (labels, never ids, on the class's pages)."""
    return Words.of(room.exercise.scenario.resolved())


def _area(room: Classroom):
    """The exercise's scenario's outline for the map (None: the sites' extent alone)."""
    return room.exercise.scenario.spec.map


def _level(words: Words, issue: str, level: str) -> str:
    return words.levels.get((issue, level), level)


def _terms(words: Words, terms: dict) -> list[str]:
    return [words.term(k, v) for k, v in terms.items()]


@solara.component
def Page():
    # The link's token, exchanged by the server for an HttpOnly cookie at the first visit (viz.server).
    token = (solara.lab.cookies.value or {}).get(COOKIE, "")
    message = solara.use_reactive("")
    board = solara.use_reactive(False)
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
        )  # this page at once (the room counted the change); others within POLL_S
        autosave(ROOM)

    with solara.AppBar():
        solara.AppBarTitle(ROOM.exercise.spec.title)
        if role == FACILITATOR:
            solara.Button(
                "Back to the controls" if board.value else "Board (for the projector)",
                on_click=lambda: board.set(not board.value),
                text=True,
                classes=["board-toggle"],
            )
    with solara.Column(style={"padding": "8px 16px"}):
        TurnClock(ROOM, version, role, act)
        if message.value:
            with solara.Div(classes=["class-message"]):
                solara.Error(message.value)
        if role == FACILITATOR and save_failure():
            with solara.Div(classes=["save-failure"]):
                solara.Error(save_failure())
        if role == FACILITATOR and board.value:
            Guarded(lambda: Board(ROOM, version))
        elif role == FACILITATOR:
            Guarded(lambda: Facilitator(ROOM, act, version))
        else:
            Guarded(lambda: SeatView(ROOM, role, act, version))


def _mmss(seconds: float) -> str:
    s = max(int(seconds + 0.999), 0)
    return f"{s // 60}:{s % 60:02d}"


@solara.component
def TurnClock(room: Classroom, version: int, role: str = "", act=None):
    """The turn's clock, from the server's time, redrawn every second on every page (only this line)."""
    ticks = solara.use_reactive(0)  # (a constant first value: use_reactive follows its argument)

    def tick():
        stop = threading.Event()

        def loop():
            while not stop.wait(1.0):
                ticks.set(ticks.value + 1)

        threading.Thread(target=loop, daemon=True).start()
        return stop.set

    solara.use_effect(tick, [])
    g = room.game
    words = _words(room)
    if room.finished:
        why = (
            f" The facilitator ended the game: {room.game_over['reason']}."
            if room.game_over
            else ""
        )
        text, clock, kind = f"The exercise is over (day {g.day}).{why}", "", "info"
    else:
        left = room.seconds_left(time.time() + 0 * ticks.value)  # read: redrawn at each tick
        waiting = ", ".join(words.actor(a) for a in room.waiting_for()) or "nobody"
        if room.paused:
            clock, kind = f"PAUSED by the facilitator · {_mmss(left)} left", "warning"
        elif left <= 0:
            clock, kind = "TIME IS UP", "error"
        else:
            clock, kind = f"{_mmss(left)} left in the turn", "info"
        text = (
            f"Turn {min(room.turn.number, room.turns)} of {room.turns} · day {g.day} "
            f"({g.date_of(g.day):%d %b %Y}) · turn ends on day {room.turn_end_day} · "
            f"waiting for: {waiting}"
        )
    row = {"align-items": "center", "flex-wrap": "wrap", "gap": "12px"}
    sticky = {
        "position": "sticky",
        "top": "0",
        "z-index": "5",
        "background": "white",
        "padding": "4px 0",
    }
    with solara.Div(classes=["class-status"], style=sticky), solara.Row(style=row):
        if clock:
            solara.HTML(tag="span", unsafe_innerHTML=html.escape(clock),
                            classes=["turn-clock", f"clock-{kind}"],
                            style={"font-size": "1.5em", "font-weight": "bold", "font-variant-numeric": "tabular-nums",
                                   "color": {"error": "#b00020", "warning": "#a15c00"}.get(kind, "#0b3d91")})  # fmt: skip
        solara.Text(text)
    if role == FACILITATOR and act is not None and not room.finished and left <= 0:
        TimeUp(room, act)


@solara.component
def TimeUp(room: Classroom, act):
    """At time up, the facilitator's choice, on the line under the clock: more minutes, or the next turn."""
    minutes = solara.use_reactive(3)
    with solara.Div(classes=["time-up"]):
        solara.Error(
            "Time is up for this turn: extend it, or end it (the seats stay seated; pending "
            "decisions stay the class's). To have the model take them, use Force the turn below.",
            dense=True,
        )
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.InputInt("more minutes", value=minutes, style={"max-width": "120px"})
            solara.Button(f"Give {minutes.value} more minutes", color="primary",
                          on_click=lambda: act(lambda: room.extend(minutes.value, "the turn's time was up")))  # fmt: skip
            solara.Button("Go to the next turn", outlined=True,
                          on_click=lambda: act(lambda: room.end_turn_now("the turn's time was up")))  # fmt: skip


# ---------------------------------------------------------------- a student's seat


@solara.component
def SeatView(room: Classroom, actor: str, act, version: int):
    words = _words(room)
    pic = room.picture(actor)
    me = next(a for a in pic["actors"] if a["id"] == actor)
    b = room.briefing(actor)
    held = actor in room.game.seats
    if room.finished:
        Ending(room, actor, version)
    with solara.Columns([2, 3]):
        with solara.Column():
            with solara.Card(f"You are {words.actor(actor)}", classes=["briefing"]):
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
                    + ", ".join(f"{words.actor(o)} {x['reservation']:.2f}" for o, x in me.get("beliefs", {}).items() if "reservation" in x)
                )  # fmt: skip
            Chart(
                lambda: map_figure(pic, words.actors, height=520, width=520, area=_area(room)),
                key=(room.version, actor),
            )
        with solara.Column():
            if room.finished:
                pass
            elif not held:
                solara.Warning("The facilitator has handed your seat to the model for now.")
            else:
                for p in room.pending(actor):
                    SeatDecision(room, actor, p, act, version).key(f"{p.table}-{p.day}-{p.role}")
                if not room.pending(actor):
                    EndTurn(room, actor, act, version)
                Unilateral(room, actor, act, version)
                StandingOrder(room, actor, act, version)
            Notes(room, actor, act, version)
            News(room, actor, version)


@solara.component
def SeatDecision(room: Classroom, actor: str, p, act, version: int):
    words = _words(room)
    why = solara.use_reactive("")
    start = solara.use_memo(
        lambda: room.starting_terms(actor, p.table) if p.role == "propose" else ({}, ""),
        [p.table, p.day, p.role],
    )
    choice = solara.use_reactive(dict(start[0]))
    reviewed = solara.use_reactive(
        None
    )  # the offer the seat has looked over, waiting for its confirm
    title = f"{words.table(p.table)}, day {p.day}: " + (
        "make an offer" if p.role == "propose" else "answer the offer"
    )
    with solara.Card(title, classes=["decision"]):
        if p.role == "answer":
            Prose(
                f"{words.actor(p.proposer)} offers:\n\n" + "\n".join(f"- {t}" for t in _terms(words, p.offer))
                + f"\n\nIt is worth **{p.value:.2f}** to you; what you can get without a deal today: **{p.reservation:.2f}**."
            )  # fmt: skip
            solara.InputText("why (a line for the debrief)", value=why, continuous_update=True)
            with solara.Row():
                solara.Button("Accept", color="success",
                              on_click=lambda: act(lambda: room.decide(actor, "accept", why.value)))  # fmt: skip
                solara.Button("Reject", color="error",
                              on_click=lambda: act(lambda: room.decide(actor, "reject", why.value)))  # fmt: skip
            return
        terms = dict(choice.value)
        if reviewed.value is None:
            solara.Text(f"The form starts from {start[1]}. Change what you want, then review it.",
                        style={"font-size": "0.9em"}, classes=["offer-start"])  # fmt: skip
            for issue, levels in p.options.items():
                shown = [_level(words, issue, lv) for lv in levels]
                back = dict(zip(shown, levels, strict=True))
                solara.Select(label=words.issues.get(issue, issue), values=shown,
                              value=_level(words, issue, terms[issue]),
                              on_value=lambda val, issue=issue, back=back: choice.set({**choice.value, issue: back[val]}))  # fmt: skip
            solara.InputText("why (a line for the debrief)", value=why, continuous_update=True)
            solara.Button("Review this offer", color="primary",
                          on_click=lambda: reviewed.set(dict(choice.value)))  # fmt: skip
            return
        offer = dict(reviewed.value)
        try:
            worth = f"It is worth **{room.game.worth(actor, offer, p.table):.2f}** to you"
        except GameError as exc:
            worth = f"It is not an offer this table can take: {exc}"
        with solara.Div(classes=["offer-summary"]):
            Prose(
                "**Your offer, in full:**\n\n" + "\n".join(f"- {t}" for t in _terms(words, offer))
                + f"\n\n{worth}; what you can get without a deal today: **{p.reservation:.2f}**."
                + (f"\n\nWhy: {why.value}" if why.value.strip() else "")
            )  # fmt: skip
        with solara.Row():
            solara.Button("Send this offer", color="primary",
                          on_click=lambda: act(lambda: room.decide(actor, offer, why.value)))  # fmt: skip
            solara.Button("Change it", text=True, on_click=lambda: reviewed.set(None))


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
        solara.InputText(
            "your turn in a line (what you did and why)", value=why, continuous_update=True
        )
        solara.Button("End my turn", color="primary",
                      on_click=lambda: act(lambda: room.end_turn(actor, why.value)))  # fmt: skip


@solara.component
def Unilateral(room: Classroom, actor: str, act, version: int):
    words = _words(room)
    tables = [t["id"] for t in room.picture(actor)["tables"] if actor in t["participants"]]
    action = solara.use_reactive("walk_out")
    table = solara.use_reactive(words.table(tables[0]) if tables else "")
    why = solara.use_reactive("")
    if not tables:
        return
    back = {words.table(t): t for t in tables}
    with solara.Details("A unilateral step"):
        solara.Select(label="step", values=list(UNILATERAL), value=action)
        solara.Text(UNILATERAL[action.value], style={"font-size": "0.85em"})
        solara.Select(label="table", values=list(back), value=table)
        solara.InputText("why", value=why, continuous_update=True)
        solara.Button("Take this step", color="warning",
                      on_click=lambda: act(lambda: room.unilateral(actor, action.value, back.get(table.value, table.value), why.value)))  # fmt: skip


@solara.component
def StandingOrder(room: Classroom, actor: str, act, version: int):
    """The turn's decisions answered in one go: one form that answers every offer by its worth and makes
    the same offer whenever the seat is asked to propose, until cleared (moves made under it are noted
    as such, with the seat's reason)."""
    words = _words(room)
    current = room.orders.get(actor, {})
    tables = [
        t for t in room.game.model.tables.values() if actor in [a.actor_id for a in t.participants]
    ]
    table = tables[0] if tables else None
    floor = solara.use_reactive(current.get("accept_at_least") or 0.5)
    answer = solara.use_reactive(current.get("accept_at_least") is not None or not current)
    propose = solara.use_reactive(current.get("propose") is not None)
    start = solara.use_memo(
        lambda: room.starting_terms(actor, table.id)[0] if table is not None else {}, []
    )
    terms = solara.use_reactive(dict(current.get("propose") or start))
    why = solara.use_reactive(current.get("why", ""))
    now = []
    if current.get("accept_at_least") is not None:
        now.append(
            f"accept offers worth at least {current['accept_at_least']:.2f}, reject the rest"
        )
    if current.get("propose"):
        now.append("when asked to propose, offer " + "; ".join(_terms(words, current["propose"])))
    with solara.Details("Standing orders: answer the turn's decisions in one go"):
        solara.Text("now: " + (" · ".join(now) or "none"), classes=["standing-now"])
        solara.Checkbox(label="answer every offer by its worth to us", value=answer)
        if answer.value:
            solara.InputFloat("accept offers worth at least", value=floor)
        if table is not None:
            solara.Checkbox(label=f"when asked to propose at {words.table(table.id)}, make this offer",
                            value=propose)  # fmt: skip
            if propose.value:
                for issue in table.space.issues:
                    shown = [_level(words, issue.id, lv) for lv in issue.labels]
                    back = dict(zip(shown, issue.labels, strict=True))
                    solara.Select(label=words.issues.get(issue.id, issue.id), values=shown,
                                  value=_level(words, issue.id, terms.value.get(issue.id, issue.labels[0])),
                                  on_value=lambda v, i=issue.id, back=back: terms.set({**terms.value, i: back[v]}))  # fmt: skip
        solara.InputText("why (a line for the debrief)", value=why, continuous_update=True)
        with solara.Row():
            solara.Button("Set the orders", color="primary", on_click=lambda: act(lambda: room.standing_order(
                actor, accept_at_least=floor.value if answer.value else None,
                propose=dict(terms.value) if propose.value else None,
                justification=why.value or "set from the seat")))  # fmt: skip
            solara.Button(
                "Clear", on_click=lambda: act(lambda: room.standing_order(actor)), text=True
            )


@solara.component
def Notes(room: Classroom, role: str, act, version: int):
    """Short notes between the seats, and from the facilitator (kept for the review)."""
    words = _words(room)
    names = {"all": "everyone", FACILITATOR: "the facilitator", **words.actors}
    targets = ["everyone"] + [words.actor(a) for a in room.seats if a != role]
    back = {"everyone": "all", **{words.actor(a): a for a in room.seats}}
    to = solara.use_reactive("everyone")
    text = solara.use_reactive("")

    def send():
        room.send(role, back[to.value], text.value)
        text.set("")

    title = "Notes (to one seat, or to all)" if role != FACILITATOR else "Messages to the cells"
    with solara.Card(title, classes=["notes"]):
        shown = room.messages_for(role)
        Prose(
            "\n".join(
                f"- turn {m.turn}, day {m.day} · **{names.get(m.sender, m.sender)}** to "
                f"{'you' if m.to == role else names.get(m.to, m.to)}: {m.text}"
                for m in reversed(shown[-30:])
            ) or "No notes yet.",
            style={"max-height": "220px", "overflow-y": "auto"},
        )  # fmt: skip
        if not room.finished:
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Select(label="to", values=targets, value=to, style={"min-width": "180px"})
                solara.InputText("note (a diplomatic note, a press line; 600 characters)", value=text,
                                 style={"min-width": "320px"}, continuous_update=True)  # fmt: skip
                solara.Button("Send the note", on_click=lambda: act(send))


@solara.component
def News(room: Classroom, actor: str | None, version: int):
    """What the seat has heard in this turn, newest first, as it happens (a fired inject at once)."""
    g = room.game
    first = max(1, g.day - room.days_per_turn + 1)
    entries = [e for e in g.log(actor) if e["day"] >= first]
    names = Names.of_picture(room.picture(actor))
    lines = []
    current = None
    for e in reversed(entries):
        text = describe(e, names)
        if not text:
            continue
        if e["day"] != current:
            current = e["day"]
            lines.append(f"\n**Day {current}** ({g.date_of(current):%d %b %Y})\n")
        lines.append(f"- {text}")
    with solara.Card("What you have heard (this turn)" if actor else "The log (this turn)",
                     classes=["news"]):  # fmt: skip
        Prose("\n".join(lines[:120]) or "Nothing yet.",
              style={"max-height": "420px", "overflow-y": "auto"})  # fmt: skip


@solara.component
def Ending(room: Classroom, actor: str | None, version: int):
    """How it ended: the ending, the figures, the agreements; for a seat, its own result and the review."""
    words = _words(room)
    result = room.game.result()
    pic = room.picture(actor)
    fig = pic["figures"]
    ending = result.outcome_label or (
        "the game stopped before its last day" if result.outcome is None else result.outcome
    )
    lines = [
        f"**How it ended:** {ending} (day {result.days}).",
        f"**People:** {fig['evacuated']} of {fig['personnel_initial']} out, {fig['lost']} lost, "
        f"{fig['captured']} captured, {fig['present']} still in place.",
        f"**Equipment:** {fig['equipment_out_t']:.0f} t of {fig['equipment_initial_t']:.0f} t out, "
        f"{fig['equipment_lost_t']:.0f} t lost.",
    ]
    if actor is not None and actor in result.utilities:
        lines.append(
            f"**For {words.actor(actor)}:** {result.utilities[actor]:.2f} on its own scale "
            "(0 its worst, 1 its best, on the issues it cares about)."
        )
    agreements = [
        f"- {words.table(a['table'])}: " + "; ".join(_terms(words, dict(a["terms"])))
        for a in pic["agreements"]
    ]
    lines.append("**Agreements:**\n\n" + ("\n".join(agreements) if agreements else "none signed."))
    with solara.Card("The end of the exercise", classes=["ending"]):
        Prose("\n\n".join(lines))
        made = _reviews.get("review")
        if actor is not None:
            if made is None:
                solara.Text("The facilitator will open the after-action review for the class.")
            else:
                page = debrief_html(made, room.notes, viewer=actor)
                rv.Html(tag="iframe", attributes={"srcdoc": page, "title": "after-action review", "sandbox": ""},
                        style_="width: 100%; height: 800px; border: 1px solid #ccc;", class_="aar")  # fmt: skip


# ---------------------------------------------------------------- the facilitator


@solara.component
def Board(room: Classroom, version: int):
    """For a projector: the map, the figures, the agreements in force and the public news; nothing private."""
    words = _words(room)
    pic = for_the_public(room.picture(None))
    fig = pic["figures"]
    with solara.Columns([3, 2], classes=["board"]):
        Chart(
            lambda: map_figure(pic, words.actors, height=620, width=720, area=_area(room)),
            key=(room.version, "board"),
        )
        with solara.Column():
            Prose(
                f"## {fig['evacuated']} of {fig['personnel_initial']} out\n\n"
                f"{fig['lost']} lost · {fig['captured']} captured · {fig['present']} still in place · "
                f"equipment {fig['equipment_out_t']:.0f} of {fig['equipment_initial_t']:.0f} t out\n\n"
                "**Agreements in force**\n\n"
                + ("\n".join(f"- {words.table(a['table'])}: " + "; ".join(_terms(words, dict(a['terms'])))
                             for a in pic["agreements"]) or "none")
            )  # fmt: skip
            names = Names.of_picture(pic)
            public = room.public_log()
            lines = [
                f"- day {e['day']}: {t}"
                for e in reversed(public[-40:])
                if (t := describe(e, names))
            ]
            Prose("**The news**\n\n" + ("\n".join(lines) or "Nothing yet."),
                  style={"max-height": "460px", "overflow-y": "auto"}, classes=["board-news"])  # fmt: skip


@solara.component
def Facilitator(room: Classroom, act, version: int):
    words = _words(room)
    reason = solara.use_reactive("")
    deck = {
        f"{e.label or e.id} — {' '.join(e.narrative.split())[:90]}": e.id
        for e in room.exercise.scenario.spec.events
    }
    event = solara.use_reactive(next(iter(deck)))
    extra = solara.use_reactive(3)
    fork_turn = solara.use_reactive(0)
    runs = solara.use_reactive(200)
    mc = solara.use_reactive(None)
    aar = solara.use_reactive("")
    base = solara.use_reactive(os.environ.get("WARGAME_CLASSROOM_BASE") or "http://127.0.0.1:8766")
    over = room.finished

    def monte_carlo():
        results = room.continuations(runs.value)
        counts: dict[str, int] = {}
        for r in results:
            key = r.outcome_label or str(r.outcome)
            counts[key] = counts.get(key, 0) + 1
        mc.set(sorted(counts.items(), key=lambda kv: -kv[1]))

    def make_review():
        r = review(room)
        _reviews["review"] = r
        aar.set(debrief_html(r, room.notes))
        room._changed()  # the seats' pages show it at the end

    mc_task = solara.lab.use_task(lambda: act(monte_carlo), dependencies=None, raise_error=False)
    aar_task = solara.lab.use_task(lambda: act(make_review), dependencies=None, raise_error=False)
    why = lambda default: reason.value.strip() or default  # noqa: E731
    if over:
        Ending(room, None, version)
    with solara.Card("The seats", classes=["seats"]):
        rows = []
        for a in room.seats:
            state = ("the model" if a not in room.game.seats else "ended the turn" if a in room.turn.ended
                     else "deciding" if room.pending(a) else "playing")  # fmt: skip
            rows.append(f"| {words.actor(a)} | {state} | `{room.link(a, base.value)}` |")
        solara.InputText("this server's address, for the links", value=base, continuous_update=True)
        Prose(
            "| seat | now | join link (give each student only theirs) |\n|---|---|---|\n"
            + "\n".join(rows)
        )
        for a in room.seats:
            with solara.Row():
                if a in room.game.seats:
                    solara.Button(f"Hand {a} to the model", text=True, disabled=over,
                                  on_click=lambda a=a: act(lambda: room.hand_over(a, why("the facilitator handed the seat to the model"))))  # fmt: skip
                else:
                    solara.Button(f"Give {a} back to the student", text=True, disabled=over,
                                  on_click=lambda a=a: act(lambda: room.take_back(a, why("the facilitator gave the seat back"))))  # fmt: skip
    with solara.Card("Control", classes=["control"]):
        solara.InputText(
            "reason (kept in the game's history)", value=reason, continuous_update=True
        )
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            if room.paused:
                solara.Button("Resume", color="success", disabled=over,
                              on_click=lambda: act(lambda: room.resume(reason.value)))  # fmt: skip
            else:
                solara.Button("Pause", color="warning", disabled=over,
                              on_click=lambda: act(lambda: room.pause(reason.value)))  # fmt: skip
            solara.Button("Force the turn", color="error", disabled=over or not room.game.pending(),
                          on_click=lambda: act(lambda: room.force_turn(reason.value)))  # fmt: skip
            solara.Button("End the turn", color="primary", disabled=over,
                          on_click=lambda: act(lambda: room.end_turn_now(reason.value)))  # fmt: skip
            solara.InputInt("minutes", value=extra, style={"max-width": "90px"})
            solara.Button("Extend the turn", disabled=over,
                          on_click=lambda: act(lambda: room.extend(extra.value, reason.value)))  # fmt: skip
            solara.Button("End the game", color="error", outlined=True, disabled=over,
                          on_click=lambda: act(lambda: room.end_game(reason.value)))  # fmt: skip
        Prose(
            "*Force the turn*: the model takes the decisions pending now (marked as the model's, with "
            "your reason); the seats stay with the class. *End the turn*: the next turn starts now, the "
            "seats still seated. Every action needs a reason.",
            style={"font-size": "0.85em"},
        )
        for t in room.picture(None)["tables"]:
            solara.Button(f"Collapse the talks at {words.table(t['id'])}", text=True, disabled=over,
                          on_click=lambda t=t["id"]: act(lambda: room.override("collapse_talks", reason=reason.value, table=t)))  # fmt: skip
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt(
                "fork at the end of turn", value=fork_turn, style={"max-width": "200px"}
            )
            solara.Button(
                "Fork", on_click=lambda: act(lambda: room.fork(fork_turn.value, reason.value))
            )
    with solara.Card("Injects", classes=["injects"]):
        coming = room.upcoming()
        if coming:
            solara.Text("To come (fire one early, or hold it):")
            for c in coming:
                with solara.Row(
                    style={"align-items": "center", "flex-wrap": "wrap"}, classes=["inject-planned"]
                ):
                    Prose(
                        f"**Day {c['day']}: {c['title']}**: {c['text']}",
                        style={"flex": "1 1 400px"},
                    )
                    solara.Button("Fire now", text=True, disabled=over,
                                  on_click=lambda c=c: act(lambda: room.fire_early(c["day"], c["event"], reason.value)))  # fmt: skip
                    solara.Button("Hold", text=True, disabled=over,
                                  on_click=lambda c=c: act(lambda: room.hold_inject(c["day"], c["event"], reason.value)))  # fmt: skip
        else:
            solara.Text("No inject to come.")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Select(label="an event from the deck", values=list(deck), value=event,
                          style={"min-width": "420px"})  # fmt: skip
            solara.Button("Fire this inject", disabled=over,
                          on_click=lambda: act(lambda: room.inject(deck[event.value], reason=reason.value)))  # fmt: skip
        fired = [s for s in room.steps if s.kind in ("inject", "hold")]
        if fired:
            Prose("\n".join(f"- day {s.day}: {'fired' if s.kind == 'inject' else 'held'} {s.what} — {s.reason}"
                            for s in reversed(fired)), classes=["injects-done"])  # fmt: skip
    Notes(room, FACILITATOR, act, version)
    with solara.Card("What tends to happen next"):
        with solara.Row(style={"align-items": "center"}):
            solara.InputInt("runs from the present state", value=runs, style={"max-width": "200px"})
            solara.Button("Run the Monte Carlo", on_click=mc_task, disabled=mc_task.pending)
        if mc.value:
            total = sum(k for _, k in mc.value)
            Prose("| ending | runs | share |\n|---|---|---|\n"
                  + "\n".join(f"| {o} | {k} | {k / total:.0%} |" for o, k in mc.value), classes=["mc-table"])  # fmt: skip
    with solara.Card("Save, briefings, after-action review"):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(lambda: room.save(), filename=f"{room.exercise.id}-game.json",
                                label="Download the game (JSON)")  # fmt: skip
            solara.FileDownload(lambda: briefings_html(room.exercise), filename=f"{room.exercise.id}-briefings.html",
                                label="Printable briefings")  # fmt: skip
            solara.Button(
                "After-action review", color="primary", on_click=aar_task, disabled=aar_task.pending
            )
        if aar_task.pending:
            solara.ProgressLinear(True)
        if aar.value:
            solara.FileDownload(aar.value, filename=f"{room.exercise.id}-review.html",
                                label="Printable review (HTML)")  # fmt: skip
            rv.Html(tag="iframe", attributes={"srcdoc": aar.value, "title": "after-action review", "sandbox": ""},
                    style_="width: 100%; height: 900px; border: 1px solid #ccc;", class_="aar")  # fmt: skip
    Replay(room, version)
    News(room, None, version)


@solara.component
def Replay(room: Classroom, version: int):
    """Step through the class's game day by day (from the game's pictures: nothing is replayed)."""
    pictures = room.replay()
    day = solara.use_reactive(len(pictures) - 1)
    words = _words(room)
    shown = min(max(day.value, 0), len(pictures) - 1)
    pic = pictures[shown]
    with solara.Card("Replay"):
        if len(pictures) > 1:
            solara.SliderInt("day", value=day, min=0, max=len(pictures) - 1, thumb_label="always")
        with solara.Columns([3, 2]):
            Chart(
                lambda: map_figure(pic, words.actors, height=480, width=520, area=_area(room)),
                key=(version, shown),
            )
            lines = [describe(e, Names.of_picture(pic)) for e in pic["log"]]
            Prose(
                f"**Day {shown}** ({pic['date']})\n\n"
                + ("\n".join(f"- {x}" for x in lines if x) or "Nothing logged."),
                style={"max-height": "480px", "overflow-y": "auto"},
            )
