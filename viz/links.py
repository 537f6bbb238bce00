"""The page's state in its address: which scenario, the assumptions changed, the seed, the day, the tab,
the seat, the many runs and the branch chosen among them, as short query parameters that a reload or a
pasted link reads back. Read back, every value is checked before it is used: a bad or hostile one is
left out with a sentence saying why, never a traceback, and a scenario path meets the same rule as one
typed on the page (Workspace's openable folders).

    ?scenario=SCENARIO&set=actors.ACTOR.time_pressure=0.3&seed=7&day=3&tab=run&seat=ACTOR
     &runs=200&runs_seed=1&branch=MILESTONE/MILESTONE

No Solara here: the page (viz.app) writes `encode(view_of(...))` into the address and calls `restore` on a
new desk; a test drives both without a browser.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

from viz.workspace import MAX_RUNS, DeskError, Workspace, bundled_scenarios
from wargame.language.errors import ScenarioError
from wargame.language.scenario import parse_set

TABS = ("scenario", "run", "runs", "compare")  # in the page's order
MAX_QUERY = 8_000  # characters: a longer address is nobody's link
MAX_VALUE = 1_000  # characters of one value (a scenario path, one assumption)
MAX_SETS = 64  # changed assumptions in one link
MAX_SEED = 2**63 - 1
MAX_DAY = 10_000
# Solara's own parameters (a popout's kernel and widget), and the server's token, which the server takes
# out of the address on arrival: never ours to read, never written into a link.
IGNORED = frozenset({"t", "kernelid", "modelid", "solara-no-close-beacon"})
SINGLE = ("scenario", "seed", "day", "shown", "tab", "seat", "runs", "runs_seed", "branch")
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}$")  # an actor or milestone id
_SET_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-\[\]]{0,199}$")
_WHOLE = re.compile(r"^[0-9]{1,19}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SAFE = "/:,=[]"  # left as they are in a value, so that a link stays readable


@dataclass(frozen=True)
class View:
    """What the address holds. None (or empty) for what it does not say."""

    scenario: str | None = None
    overrides: tuple[tuple[str, Any], ...] = ()
    seed: int | None = None
    day: int = 0
    shown: int | None = None  # the day on screen, when scrubbed back from the last day played
    tab: str = "scenario"
    seat: str | None = None
    runs: int | None = None
    runs_seed: int = 1
    branch: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self == View()


@dataclass
class Linked:
    """The view a desk is in, and what a link to it cannot carry (said beside the Copy link button)."""

    view: View
    caveats: list[str] = field(default_factory=list)


def _short(text: str, n: int = 60) -> str:
    text = _CONTROL.sub("?", text)
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def value_text(value: Any) -> str:
    """An assumption's value as `--set` reads it back (JSON is YAML: a number, true, "text", [])."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)  # 2.0, not 2: the same type comes back
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def encode(view: View) -> str:
    """The query string (without "?") for `view`; what it does not say is left out, to stay short."""
    pairs: list[tuple[str, str]] = []
    if view.scenario:
        pairs.append(("scenario", view.scenario))
    pairs += [("set", f"{path}={value_text(value)}") for path, value in view.overrides]
    if view.seed is not None:
        pairs.append(("seed", str(view.seed)))
    if view.day:
        pairs.append(("day", str(view.day)))
    if view.shown is not None and view.shown != view.day:
        pairs.append(("shown", str(view.shown)))
    if view.tab != "scenario":
        pairs.append(("tab", view.tab))
    if view.seat:
        pairs.append(("seat", view.seat))
    if view.runs:
        pairs += [("runs", str(view.runs)), ("runs_seed", str(view.runs_seed))]
        if view.branch:
            pairs.append(("branch", "/".join(view.branch)))
    return "&".join(f"{k}={quote(str(v), safe=SAFE)}" for k, v in pairs)


def _whole(name: str, text: str, high: int, low: int = 0) -> int | str:
    """A whole number in [low, high], or the sentence that refuses it."""
    if _WHOLE.match(text) and low <= int(text) <= high:
        return int(text)
    most = "2**63-1" if high == MAX_SEED else f"{high:,}"
    return f"{name}: a whole number from {low:,} to {most}, not {_short(text)}"


def decode(query: str | None) -> tuple[View, list[str]]:
    """The view an address asks for, and one sentence for each value left out (and why)."""
    query = (query or "").lstrip("?")
    if not query:
        return View(), []
    if len(query) > MAX_QUERY:
        return View(), [
            f"the link is too long ({len(query):,} characters, at most {MAX_QUERY:,}): nothing of it was used"
        ]
    problems: list[str] = []
    seen: dict[str, str] = {}
    sets: list[str] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, _, raw = piece.partition("=")
        try:
            key, text = unquote_plus(key, errors="strict"), unquote_plus(raw, errors="strict")
        except UnicodeDecodeError:
            problems.append(f"a parameter that is not readable text ({_short(piece)}) was left out")
            continue
        if key in IGNORED:
            continue
        if key not in SINGLE and key != "set":
            problems.append(f"unknown parameter {_short(key, 30)} left out")
            continue
        if len(text) > MAX_VALUE or _CONTROL.search(text):
            problems.append(
                f"{key}: left out (longer than {MAX_VALUE:,} characters, or not plain text)"
            )
            continue
        if key == "set":
            sets.append(text)
        elif key in seen:
            problems.append(f"{key} is given twice: the first ({_short(seen[key])}) was used")
        else:
            seen[key] = text
    view = View()
    if "scenario" in seen and seen["scenario"].strip():
        view = replace(view, scenario=seen["scenario"].strip())
    overrides: dict[str, Any] = {}
    if len(sets) > MAX_SETS:
        problems.append(f"{len(sets)} changed assumptions: only the first {MAX_SETS} were used")
    for item in sets[:MAX_SETS]:
        path = item.partition("=")[0].strip()
        if "=" not in item or not _SET_PATH.match(path):
            problems.append(f"set: PATH=VALUE with a scenario path, not {_short(item)}")
            continue
        if path in overrides:
            problems.append(f"set: {path} is given twice: the first was used")
            continue
        try:
            ((_, value),) = parse_set([item]).items()
        except ScenarioError as exc:
            problems.append(f"set {_short(path)}: {exc.message}")
            continue
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"set {path}: a finite number, not {_short(item.partition('=')[2])}")
            continue
        overrides[path] = value
    view = replace(view, overrides=tuple(overrides.items()))
    for name, high in (("seed", MAX_SEED), ("day", MAX_DAY), ("shown", MAX_DAY)):
        if name in seen:
            got = _whole(name, seen[name], high)
            if isinstance(got, str):
                problems.append(got)
            else:
                view = replace(view, **{name: got})
    if "tab" in seen:
        if seen["tab"] in TABS:
            view = replace(view, tab=seen["tab"])
        else:
            problems.append(f"tab: one of {', '.join(TABS)}, not {_short(seen['tab'])}")
    if "seat" in seen:
        if _ID.match(seen["seat"]):
            view = replace(view, seat=seen["seat"])
        else:
            problems.append(f"seat: an actor's id, not {_short(seen['seat'])}")
    if "runs" in seen:
        got = _whole("runs", seen["runs"], MAX_RUNS, low=1)
        if isinstance(got, str):
            problems.append(got + " (the server's cap)")
        else:
            view = replace(view, runs=got)
    if "runs_seed" in seen:
        got = _whole("runs_seed", seen["runs_seed"], MAX_SEED)
        if isinstance(got, str):
            problems.append(got)
        else:
            view = replace(view, runs_seed=got)
    if "branch" in seen:
        parts = tuple(seen["branch"].split("/"))
        if view.runs is None:
            problems.append("branch: a branch needs the runs it belongs to (runs=N): left out")
        elif len(parts) > 50 or not all(_ID.match(p) for p in parts):
            problems.append(f"branch: milestone ids joined by '/', not {_short(seen['branch'])}")
        else:
            view = replace(view, branch=parts)
    return view, problems


def linkable(ws: Workspace) -> bool:
    """Whether a link can name the desk's scenario: a bundled one, or a .yaml file beneath the folders
    the page may open by path (a dropped file lives in this session's temporary folder, gone with it)."""
    if ws.source in bundled_scenarios() or ws.openable is None:
        return True
    real = Path(os.path.realpath(ws.source))
    inside = any(real == root or root in real.parents for root in ws.openable)
    return inside and real.suffix in (".yaml", ".yml")


def view_of(ws: Workspace, tab: int, on_the_way: View | None = None) -> Linked:
    """The view the desk is in. `on_the_way`: the runs (and branch) a link asked for while they are being
    run again, kept in the address until they are done."""
    tab_name = TABS[tab] if 0 <= tab < len(TABS) else "scenario"
    if not linkable(ws):
        return Linked(
            View(tab=tab_name),
            [
                "This scenario was dropped on the page: a link cannot carry the file, so it "
                "opens the server's scenario."
            ],
        )
    caveats = []
    runs, runs_seed, branch = None, 1, ()
    b = ws.batch
    if b is not None and not b.cancelled and not b.error:
        runs, runs_seed = b.plan.runs, b.plan.seed
        branch = ws.selected
        if not branch and on_the_way is not None and on_the_way.runs == runs:
            branch = on_the_way.branch
    elif b is None and on_the_way is not None and on_the_way.runs:
        runs, runs_seed, branch = on_the_way.runs, on_the_way.runs_seed, on_the_way.branch
    elif b is not None and b.cancelled:
        caveats.append("Runs that were cancelled are not in the link.")
    if ws.seat and any(h.get("kind") == "decision" for h in ws.game.history):
        caveats.append(
            "Your decisions in the seat are not in the link: it replays the days with the model "
            "in the seat, then gives you the seat."
        )
    view = View(
        scenario=ws.source,
        overrides=tuple(sorted(ws.overrides.items())),
        seed=ws.seed,
        day=ws.last_day,
        shown=ws.day if ws.day != ws.last_day else None,
        tab=tab_name,
        seat=ws.seat,
        runs=runs,
        runs_seed=runs_seed,
        branch=tuple(branch),
    )
    return Linked(view, caveats)


def restore(ws: Workspace, view: View) -> list[str]:
    """Put the desk in `view` as far as it goes: the scenario and its assumptions, the game at that seed
    replayed to that day, the day shown, the seat. (The many runs and their branch are the page's to run
    again, in the background.) One sentence for each part that could not be restored."""
    notes: list[str] = []
    wanted = view.scenario or ws.source
    if wanted != ws.source:
        try:
            ws.load(wanted)
        except DeskError as exc:
            notes.append(f"scenario {_short(wanted, 80)} not opened: {exc.message}")
    overrides = dict(view.overrides)
    if overrides:
        try:
            ws.load(ws.source, overrides)
        except DeskError:
            for path, value in overrides.items():  # keep each one the scenario accepts
                try:
                    ws.assume(path, value)
                except DeskError as exc:
                    notes.append(f"assumption {path} = {value_text(value)} left out: {exc.message}")
        ws.errors = {}
    if view.seed is not None and view.seed != ws.seed:
        try:
            ws.new_game(view.seed)
        except DeskError as exc:
            notes.append(exc.message)
    if view.day:
        horizon = ws.game.horizon
        if view.day > horizon:
            notes.append(f"day {view.day} is past the horizon ({horizon}): played to the end")
        ws.run_to_end(min(view.day, horizon))
    if view.shown is not None and view.shown != ws.last_day:
        try:
            ws.scrub(view.shown)
        except DeskError as exc:
            notes.append(f"day shown: {exc.message}")
    if view.seat:
        actors = [a.id for a in ws.scenario.actors]
        if view.seat not in actors:
            notes.append(
                f"seat: no actor {_short(view.seat)} in this scenario ({', '.join(actors)})"
            )
        else:
            try:
                ws.take_seat(view.seat)
            except DeskError as exc:
                notes.append(f"seat {view.seat}: {exc.message}")
    return notes
