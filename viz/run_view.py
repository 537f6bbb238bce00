"""One run, day by day: step, play, pause, reset and scrub back to any day already played (from the
game's pictures: nothing is replayed); the map of that day, the talks at each table, the figures and the
story with each decision's reasons. A seat lets the user play one actor."""

from __future__ import annotations

import time

import solara

from viz.charts import figures_figure, talks_caption, talks_figure
from viz.common import Chart, Desk, FieldError, Prose, safe_markdown
from viz.geography import map_figure
from wargame.presentation.narrative import Names, describe

PLAY_PAUSE_S = 0.35  # between two days while playing


def story_lines(
    desk: Desk, first: int, last: int, viewer: str | None
) -> list[tuple[int, str, str]]:
    """(day, kind, sentence) for the days first..last, as the analyst or `viewer` knows them."""
    ws = desk.ws
    out = []
    for day in range(first, last + 1):
        pic = ws.game.snapshot(day, viewer=viewer)
        for entry in pic["log"]:
            kind = entry["kind"]
            text = describe(entry, Names.of_picture(pic))
            if text:
                out.append((day, kind, text))
    return out


@solara.component
def RunControls(desk: Desk):
    ws = desk.ws
    playing = solara.use_reactive(False)
    seed = solara.use_reactive(ws.seed)

    def play_loop():
        while playing.value and not ws.game.finished and not ws.pending():
            desk.act(ws.step)
            time.sleep(PLAY_PAUSE_S)
        playing.set(False)

    player = solara.lab.use_task(play_loop, dependencies=None, raise_error=False)

    def start():
        playing.set(True)
        player()

    g = ws.game
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt("seed", value=seed, style={"max-width": "140px"})
        solara.Button(
            "Reset", on_click=lambda: desk.act(lambda: ws.new_game(seed.value)), outlined=True
        )
        solara.Button(
            "Step",
            on_click=lambda: desk.act(ws.step),
            disabled=g.finished or playing.value,
            color="primary",
        )
        if playing.value:
            solara.Button("Pause", on_click=lambda: playing.set(False), color="warning")
        else:
            solara.Button("Play", on_click=start, disabled=g.finished)
        solara.Button(
            "Run to the end",
            on_click=lambda: desk.act(ws.run_to_end),
            disabled=g.finished or playing.value,
            outlined=True,
        )
        solara.Text(
            f"played to day {ws.last_day} of {g.horizon}"
            + (" · finished" if g.finished else "")
            + (" · waiting for your decision" if ws.pending() else ""),
            classes=["played-to"],
        )
    FieldError(desk, "seed")
    if ws.last_day > 0:
        solara.SliderInt(
            "day shown",
            value=ws.day,
            min=0,
            max=ws.last_day,
            on_value=lambda d: desk.act(lambda: ws.scrub(d)),
            thumb_label="always",
        )
    FieldError(desk, "day")


@solara.component
def RunView(desk: Desk):
    ws = desk.ws
    viewer = ws.seat
    analyst = solara.use_reactive(True)
    pic = ws.picture(viewer=None if analyst.value or not viewer else viewer)
    names = {a["id"]: a["name"] for a in pic["actors"]}
    table = solara.use_reactive(pic["tables"][0]["id"] if pic["tables"] else "")
    with solara.Card(f"One run · seed {ws.seed} · day {pic['day']} ({pic['date']})"):
        RunControls(desk)
        if viewer:
            solara.Switch(
                label=f"analyst's view (off: what {names.get(viewer, viewer)} knows)", value=analyst
            )
        f = pic["figures"]
        Prose(
            f"**Day {pic['day']}**: {f['evacuated']:,} of {f['personnel_initial']:,} personnel out, "
            f"{f['present']:,} still in the country, {f['lost']:,} lost; "
            f"{f['equipment_out_t']:,.0f} of {f['equipment_initial_t']:,.0f} t of equipment out; "
            f"agreements in force: {f['agreements_in_force']}"
            + (f" · **ending: {ws.game.result().outcome_label}**" if pic["finished"] else ""),
            style={"margin-top": "6px"},
        )
    with solara.Columns([3, 2]):
        with solara.Column():
            Chart(
                lambda: map_figure(pic, names, area=ws.scenario.spec.map),
                key=(id(ws.game), pic["day"], pic["tick"], viewer, analyst.value),
            )
        with solara.Column():
            if pic["tables"]:
                solara.ToggleButtonsSingle(value=table, values=[t["id"] for t in pic["tables"]])
                tinfo = next((t for t in pic["tables"] if t["id"] == table.value), pic["tables"][0])
                solara.Text(
                    f"{tinfo['id']}: {tinfo['status']}, {', '.join(names.get(p, p) for p in tinfo['participants'])}"
                    + (f"; deadline day {tinfo['deadline']}" if tinfo.get("deadline") else "")
                )
                seen_by = None if analyst.value or not viewer else viewer
                Chart(
                    lambda: talks_figure(
                        [ws.game.snapshot(d, viewer=seen_by) for d in range(pic["day"] + 1)],
                        tinfo["id"],
                        names,
                        viewer=seen_by,
                    ),
                    key=(id(ws.game), pic["day"], pic["tick"], tinfo["id"], seen_by),
                    caption=talks_caption(seen_by),
                )
            Chart(
                lambda: figures_figure([ws.game.snapshot(d) for d in range(pic["day"] + 1)]),
                key=(id(ws.game), pic["day"], pic["tick"]),
            )
    Timeline(desk, pic["day"], None if analyst.value or not viewer else viewer)


MARKS = {"event": "⚑", "round": "⇄", "milestone": "★", "breach": "✗", "signed": "✓"}


def story_markdown(lines: list[tuple[int, str, str]], first: int, last: int, date_of) -> str:
    """The story of days first..last as Markdown, oldest day first: each day a heading with its date
    ("Day 3 · 11 Dec 2024") over a list of what happened, one line each."""
    by_day: dict[int, list[tuple[str, str]]] = {}
    for d, kind, text in lines:
        by_day.setdefault(d, []).append((kind, text))
    out = []
    for d in range(first, last + 1):
        date = date_of(d)
        out.append(f"#### Day {d} · {date.day} {date:%b %Y}")
        out.append("")  # a list needs a blank line before it, or it runs on as one paragraph
        out += [f"- {MARKS.get(kind, '·')} {text}" for kind, text in by_day.get(d, [])] or [
            "- nothing reported"
        ]
        out.append("")
    return "\n".join(out)


@solara.component
def Timeline(desk: Desk, day: int, viewer: str | None):
    days_back = solara.use_reactive(3)
    first = max(0, day - days_back.value + 1)
    lines = story_lines(desk, first, day, viewer)
    with solara.Card(f"What happened, days {first} to {day}"):
        solara.SliderInt("days shown", value=days_back, min=1, max=30)
        if not lines and day == 0:
            solara.Text("Nothing yet: press Step.")
            return
        story = safe_markdown(story_markdown(lines, first, day, desk.ws.game.date_of))
        # Oldest first, read top to bottom; the box opens scrolled to its foot, on the newest day (a column
        # laid out from its end starts there; its one child keeps the order), and each day's heading stays
        # in view above its lines while they scroll.
        solara.Style(DAY_HEADING)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f'<div class="prose story">{story}</div>',
            style="max-height: 420px; overflow-y: auto; display: flex; flex-direction: column-reverse",
            classes=["story-box"],
        )


# A day's heading over its lines as they scroll: opaque, in the card's colour, light or dark.
DAY_HEADING = """
.story-box h4 { position: sticky; top: 0; margin: 0; padding: 6px 0 4px; background: #fff; }
.theme--dark .story-box h4 { background: #1e1e1e; }
"""


@solara.component
def SeatPanel(desk: Desk):
    """Play one actor: what it knows, the offer in front of it and what each option is worth to it."""
    ws = desk.ws
    actors = [(a.id, a.name) for a in ws.scenario.actors]
    names = dict(actors)
    with solara.Card("Play an actor"):
        solara.Select(
            label="your seat (the model plays everyone else)",
            values=["(nobody: the model plays all)"] + [a for a, _ in actors],
            value=ws.seat or "(nobody: the model plays all)",
            on_value=lambda a: desk.act(lambda: ws.take_seat(None if a.startswith("(") else a)),
        )
        FieldError(desk, "seat")
        if not ws.seat:
            solara.Text(
                "Take a seat to make and answer offers as that actor; hand it back at any day."
            )
            return
        mine = ws.picture(viewer=ws.seat)
        me = next(a for a in mine["actors"] if a["id"] == ws.seat)
        Prose(
            f"**You are {names[ws.seat]}.** What you know privately: "
            + ", ".join(f"{k.replace('_', ' ')} {v:.2f}" for k, v in me.get("private", {}).items())
            + ".  \nWhat you believe of the others' outside options: "
            + ", ".join(
                f"{names.get(o, o)} {b['reservation']:.2f}"
                for o, b in me.get("beliefs", {}).items()
                if "reservation" in b
            )
        )
        pending = ws.pending()
        if not pending:
            solara.Text("Nothing is asked of you now: press Step to play on to your next decision.")
        for p in pending:
            Decision(desk, p, names)
        mine_so_far = [
            h for h in ws.game.history if h["kind"] == "decision" and h["actor"] == ws.seat
        ]
        if mine_so_far:
            Prose(
                "**Your decisions so far**\n\n"
                + "\n".join(
                    f"- day {h['day']}, {h['table']}: {h['role']} "
                    + (
                        ", ".join(f"{k}={v}" for k, v in h["move"].items())
                        if isinstance(h["move"], dict)
                        else ("accept" if h["move"] else "reject")
                    )
                    + (f" ({h['note']})" if h["note"] else "")
                    for h in mine_so_far[-8:]
                ),
                classes=["seat-decisions"],
            )
        solara.Button(
            "Hand the seat back to the model",
            on_click=lambda: desk.act(lambda: ws.take_seat(None)),
            text=True,
        )


@solara.component
def Decision(desk: Desk, p, names: dict):
    ws = desk.ws
    note = solara.use_reactive("")
    choice = solara.use_reactive(
        {k: v[0] for k, v in p.options.items()} if p.role == "propose" else {}
    )
    with solara.Card(
        f"{p.table}: {'your proposal' if p.role == 'propose' else 'answer the offer'} (day {p.day})"
    ):
        if p.refusing:
            solara.Warning("An override binds you to refuse everything at this table.")
        if p.role == "answer":
            Prose(
                f"{names.get(p.proposer, p.proposer)} offers: "
                + ", ".join(f"**{k}** = {v}" for k, v in p.offer.items())
                + f"  \nworth **{p.value:.2f}** to you; your outside option today is **{p.reservation:.2f}**."
            )
            solara.InputText("why (kept with the decision)", value=note)
            with solara.Row():
                solara.Button(
                    "Accept",
                    on_click=lambda: desk.act(lambda: ws.decide("accept", note.value)),
                    color="success",
                )
                solara.Button(
                    "Reject",
                    on_click=lambda: desk.act(lambda: ws.decide("reject", note.value)),
                    color="error",
                )
        else:
            terms = dict(choice.value)
            try:
                now = ws.worth(terms)
                Prose(
                    f"this proposal is worth **{now:.2f}** to you; your outside option is **{p.reservation:.2f}**"
                )
            except (
                Exception
            ) as exc:  # over the budget, say: the proposal cannot be made as it stands
                solara.Error(str(exc), dense=True)
            for issue, levels in p.options.items():
                worths = []
                for level in levels:
                    try:
                        worths.append(f"{level} ({ws.worth({**terms, issue: level}):.2f})")
                    except Exception:
                        worths.append(f"{level} (not allowed with the rest)")
                solara.Select(
                    label=f"{issue}",
                    values=levels,
                    value=terms[issue],
                    on_value=lambda v, issue=issue: choice.set({**choice.value, issue: v}),
                )
                solara.Text(
                    "worth to you with each level: " + ", ".join(worths),
                    style={"font-size": "0.85em"},
                )
            if p.budget:
                solara.Text(f"budget: {', '.join(p.budget['issues'])} share {p.budget['total']}")
            solara.InputText("why (kept with the decision)", value=note)
            solara.Button(
                "Propose",
                on_click=lambda: desk.act(lambda: ws.decide(dict(choice.value), note.value)),
                color="primary",
            )
        FieldError(desk, "offer")
