"""The Game: one run that pauses where a seat must decide, takes injects and overrides with reasons, keeps a
picture of every day, forks at any past day, and saves to a small JSON document.

The browser UI, the classroom and notebooks all drive a run through this one API (after OpenSpiel's
State): `advance()` plays until the next decision point or the end of the day, `pending()` says what the
game waits for, `submit()` makes a seat's move. Unseated actors play their strategies without pausing.

Everything that happens from outside the rules (a decision, an inject, an override, a seat handed over or
taken back) is kept in `history` with the moment it happened (`tick`: how many times the run has been
resumed). Because every random draw comes from the seed's streams, the seed and the history are the whole
game: `save()` writes them, `Game.load()` replays them to the identical state, `fork(day)` replays them up
to the end of that day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Generator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from wargame.engine import interventions, records
from wargame.engine.bargaining.tables import Decision
from wargame.engine.model import WargameModel
from wargame.engine.outcomes import RunResult
from wargame.engine.records import seen_by
from wargame.engine.scenarios import resolve_scenario
from wargame.language.errors import ScenarioError
from wargame.language.scenario import Scenario, data_dir, resolved_hash
from wargame.language.schema import Effect
from wargame.session.errors import GameError
from wargame.session.saved_games import GAME_FORMAT, GameSave, SaveError, read_game, read_saved
from wargame.session.snapshot import Frozen, RoundPictures, for_viewer, freeze, picture

SAVE_FORMAT = GAME_FORMAT
OVERRIDES = ("collapse_talks", "refuse", "break_agreement")
# Raised while replaying a save's entry, these mean the save does not replay (a move that is not legal,
# a tick out of order, an unknown actor): a SaveError naming the entry's field.
REPLAY_FAULTS = (GameError, LookupError, TypeError, ValueError, ArithmeticError)

__all__ = ["Game", "GameError", "Pending", "SaveError", "read_saved"]


@dataclass(frozen=True)
class Pending:
    """A decision the game waits for: who, at which table, propose or answer, the offer on the table and
    what the actor may legally do, with what the offer is worth to it and what it can get without a deal."""

    actor: str
    owner: str
    table: str
    role: str  # "propose" | "answer"
    day: int
    proposer: str | None
    offer: dict[str, str] | None  # the terms to answer
    options: dict[
        str, list[str]
    ]  # propose: each issue and its levels; answer: {"answer": [accept, reject]}
    budget: dict | None  # propose: the issues that share a budget and its total
    value: float | None  # what the offer is worth to the actor (its utility)
    reservation: float  # the actor's outside option at this table today
    refusing: bool = False  # an override binds the actor to refuse everything at this table

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Waiting:
    asked: list[Decision] = field(default_factory=list)
    moves: dict[str, Any] = field(default_factory=dict)


class Game:
    """One run of a scenario, played day by day with seats held from outside."""

    def __init__(
        self,
        scenario: Scenario | str | Path | None = None,
        seed: int = 0,
        seats: dict[str, str] | None = None,
        overrides: dict | None = None,
        days: int | None = None,
        scheduled: list[tuple[int, str]] | tuple = (),
    ) -> None:
        self.scenario = resolve_scenario(scenario, overrides)
        self.seed = int(seed)
        self.days = days
        self.scheduled = tuple((int(d), str(e)) for d, e in scheduled)
        seats = dict(seats or {})
        actors = [a.id for a in self.scenario.actors]
        for actor in seats:
            self._known_actor(actor, actors)
        self._seats: dict[str, str] = seats
        self._initial_seats = dict(seats)
        try:
            self.model = WargameModel(
                self.scenario, rng=self.seed, days=days, seats=seats, scheduled=self.scheduled
            )
        except interventions.InterventionError as exc:
            raise GameError(f"a scheduled event: {exc}") from None
        self.tick = 0
        self._history: list[Frozen] = []
        self._play: Generator | None = None
        self._waiting = _Waiting()
        self._rounds = RoundPictures()
        self._pictures: list[Frozen] = [self._picture()]
        # Where each day ended: the tick, and how much of the history had happened by then.
        self._day_end: dict[int, tuple[int, int]] = {0: (0, 0)}

    # ------------------------------------------------------------ where the game stands

    @property
    def seats(self) -> Mapping[str, str]:
        """actor -> who holds the seat (read-only: change it with hand_over and take_back)."""
        return MappingProxyType(self._seats)

    @property
    def history(self) -> tuple[Frozen, ...]:
        """Every decision, inject, override and seat change, in order, each with its day and tick."""
        return tuple(self._history)

    @property
    def day(self) -> int:
        """The last day played (or being played, when a decision is pending inside it)."""
        return self.model.day

    @property
    def finished(self) -> bool:
        return not self.model.running and self._play is None

    @property
    def in_day(self) -> bool:
        """True while a day has begun and waits for a seat's decision."""
        return self._play is not None

    def result(self) -> RunResult:
        return self.model.result()

    @property
    def horizon(self) -> int:
        """The last day the run can reach."""
        return self.model.horizon

    def date_of(self, day: int) -> dt.date:
        """The calendar date of a day of the run (day 0 is the scenario's start date)."""
        return self.model.date_of(day)

    # ------------------------------------------------------------ playing

    def advance(self) -> list[Pending]:
        """Play until the next decision point or the end of the day; returns what is pending (empty at the
        end of a day, or when the run is over). While a decision is still unanswered nothing moves."""
        if self._play is not None:
            if self._unanswered():
                return self.pending()
            moves, self._waiting = self._waiting.moves, _Waiting()
            self._resume(moves)
        elif self.model.running:
            self._play = self.model.play_day()
            self._resume(None)
        return self.pending()

    def play(self, until_day: int | None = None) -> list[Pending]:
        """Advance until the end of `until_day` (default: the end of the run) or a decision is pending."""
        last = self.model.horizon if until_day is None else until_day
        while not self.finished and (self.in_day or self.day < last):
            pending = self.advance()
            if pending:
                return pending
        return []

    def pending(self, viewer: str | None = None) -> list[Pending]:
        """What the game waits for (only `viewer`'s own decisions if given: a seat sees no other's)."""
        return [self._pending(d) for d in self._unanswered() if viewer in (None, d.actor)]

    def submit(self, actor: str, move: Any, note: str = "") -> None:
        """A seat's move for what is pending for it: terms {issue: level} to propose, or accept / reject
        (True / False, "accept" / "reject") to answer. The note is kept with the decision."""
        if actor not in self._seats:
            seated = ", ".join(self._seats) or "none"
            raise GameError(f"'{actor}' is not a seat in this game (seats: {seated})")
        asked = next((d for d in self._unanswered() if d.actor == actor), None)
        if asked is None:
            waiting = ", ".join(f"{d.actor} ({d.role} at {d.table})" for d in self._unanswered())
            raise GameError(
                f"nothing is asked of '{actor}' now (pending: {waiting or 'nothing; call advance()'})"
            )
        if asked.role == "propose":
            offer, shown = self._offer_from(asked, move)
        else:
            offer = shown = self._answer_from(move)
        self._waiting.moves[actor] = offer
        self._record(
            "decision",
            actor=actor,
            owner=self._seats[actor],
            table=asked.table,
            role=asked.role,
            move=shown,
            note=str(note),
        )

    def decide_for(self, actor: str, reason: str) -> None:
        """The model takes the decision pending for a seat that keeps its seat (a facilitator forcing a
        decision the class has not taken): the actor's own strategy decides, and the history marks the move
        as the model's, with the reason. The seat stays with whoever holds it."""
        self._need_reason(reason)
        if actor not in self._seats:
            raise GameError(f"'{actor}' is not a seat in this game")
        asked = next((d for d in self._unanswered() if d.actor == actor), None)
        if asked is None:
            raise GameError(f"nothing is asked of '{actor}' now")
        move = self._models_move(asked)
        if asked.role == "propose":
            shown: Any = self.model.tables[asked.table].space.describe(move)
        else:
            shown = bool(move)
        self._waiting.moves[actor] = move
        self._record(
            "decision",
            actor=actor,
            owner="model",
            table=asked.table,
            role=asked.role,
            move=shown,
            note=str(reason),
        )

    def upcoming(self) -> list[tuple[int, str]]:
        """The scheduled events still to come, as (day, event), in order (held ones are not listed)."""
        return sorted(  # a day under way has fired its own already
            (day, event)
            for day, events in self.model.scheduled.items()
            for event in events
            if day > self.day
        )

    def hold(self, day: int, event: str, reason: str) -> None:
        """Take a scheduled event off the plan (it will not fire on its day), with a reason."""
        self._need_reason(reason)
        self._need_running()
        if (int(day), str(event)) not in self.upcoming():
            coming = ", ".join(f"{e} on day {d}" for d, e in self.upcoming()) or "none"
            raise GameError(f"no '{event}' scheduled for day {day} to come (to come: {coming})")
        self.model.scheduled[int(day)].remove(str(event))
        self._record("hold", event=str(event), on=int(day), reason=reason)

    def worth(self, actor: str, terms: dict[str, Any], table: str | None = None) -> float:
        """What the terms {issue: level} are worth to `actor` at `table` (default: the table where a
        decision is asked of it now): its utility of that offer, the number Pending.value reports for
        an offer to answer. Nothing in the game moves (no random draw is made). GameError when the
        terms are not an offer of that table (an unknown level, a missing issue, over the budget)."""
        if table is None:
            asked = next((d for d in self._unanswered() if d.actor == actor), None)
            if asked is None:
                raise GameError(f"nothing is asked of '{actor}' now: name the table")
            table = asked.table
        if table not in self.model.tables:
            raise GameError(f"no table '{table}' (tables: {', '.join(self.model.tables)})")
        t = self.model.tables[table]
        if actor not in [a.actor_id for a in t.participants]:
            raise GameError(f"'{actor}' does not sit at '{table}'")
        offer, _ = self._offer_from(Decision(self.day, table, actor, "propose"), terms)
        return float(t.space.utility[t.row(actor), offer])

    # ------------------------------------------------------------ changing the world from outside

    def inject(
        self, event: str | None = None, *, effects: list[dict] | None = None, reason: str
    ) -> None:
        """Fire a scenario event now, or apply custom effects (in the scenario's effect language), with a
        reason that is kept in the history."""
        self._need_reason(reason)
        self._need_running()
        if (event is None) == (effects is None):
            raise GameError("inject takes an event id or a list of effects (one of the two)")
        m = self.model
        if event is not None:
            try:
                spec = interventions.event_by_id(m, event)
            except interventions.InterventionError as exc:
                raise GameError(str(exc)) from None
            interventions.fire_event(m, spec, forced=True)
            self._record("inject", event=event, reason=reason)
        else:
            parsed = [self._effect(e, i) for i, e in enumerate(effects)]
            m.record(records.Inject(m.day, reason=reason, effects=len(parsed)))
            interventions.apply_effects(m, parsed, "inject")
            written = [e.model_dump(mode="json", by_alias=True, exclude_none=True) for e in parsed]
            self._record("inject", effects=written, reason=reason)

    def override(self, kind: str, *, reason: str, **details: str) -> None:
        """Overrule the course of the run, with a reason kept in the history:
        collapse_talks(table=...), refuse(actor=..., table=...) (the actor says no to everything there from
        now on) or break_agreement(table=..., actor=...) (the actor breaks the agreement in force)."""
        self._need_reason(reason)
        self._need_running()
        m = self.model
        try:
            if kind == "collapse_talks":
                interventions.collapse_talks(m, details["table"], reason)
            elif kind == "refuse":
                interventions.refuse_everything(m, details["actor"], details["table"])
            elif kind == "break_agreement":
                interventions.break_agreement(m, details["table"], details["actor"], reason)
            else:
                raise GameError(f"no override '{kind}' (overrides: {', '.join(OVERRIDES)})")
        except KeyError as exc:
            raise GameError(f"override '{kind}' needs {exc.args[0]}=...") from None
        except interventions.InterventionError as exc:
            raise GameError(str(exc)) from None
        table = details.get("table")
        m.record(
            records.Override(
                m.day,
                override=kind,
                reason=reason,
                table=table,
                actor=details.get("actor"),
                parties=interventions.parties(m, table) if table in m.tables else (),
            )
        )
        self._record("override", override=kind, details=dict(details), reason=reason)

    def hand_over(self, actor: str, reason: str = "") -> None:
        """The seat goes to the model: from now on the actor plays its strategy (a decision pending for it
        is taken by its strategy now)."""
        if actor not in self._seats:
            raise GameError(f"'{actor}' is not a seat in this game")
        owner = self._seats.pop(actor)
        self.model.seats.discard(actor)
        asked = next((d for d in self._unanswered() if d.actor == actor), None)
        if asked is not None:
            self._waiting.moves[actor] = self._models_move(asked)
        self._record("hand_over", actor=actor, owner=owner, reason=reason)

    def take_back(self, actor: str, owner: str = "player", reason: str = "") -> None:
        """The actor becomes a seat again (or for the first time) from its next decision on."""
        self._known_actor(actor, [a.actor_id for a in self.model.actor_list])
        if actor in self._seats:
            raise GameError(f"'{actor}' is already a seat (held by {self._seats[actor]})")
        self._seats[actor] = owner
        self.model.seats.add(actor)
        self._record("take_back", actor=actor, owner=owner, reason=reason)

    # ------------------------------------------------------------ pictures, forks, saving

    def snapshot(self, day: int | None = None, viewer: str | None = None) -> Frozen:
        """The picture of `day` as it ended (default: now), whole or as `viewer` (an actor) knows it."""
        if day is None:
            whole = self._picture()
        elif 0 <= day < len(self._pictures):
            whole = self._pictures[day]
        else:
            raise GameError(f"no picture of day {day} (days 0 to {len(self._pictures) - 1} so far)")
        if viewer is None:
            return whole
        try:
            return for_viewer(whole, viewer)
        except KeyError:
            raise GameError(f"no actor '{viewer}' to view the game as") from None

    def log(self, viewer: str | None = None) -> list[dict]:
        """Every record of the run so far (a narrated run: the game's own), whole or as `viewer` sees
        them, in the order they happened."""
        if viewer is not None:
            self._known_actor(viewer, [a.actor_id for a in self.model.actor_list])
        out = []
        for rec in self.model.records:
            seen = seen_by(rec.to_dict(), viewer)
            if seen is not None:
                out.append(freeze(seen))
        return out

    def force(self, spec: str, reason: str = "a what-if") -> None:
        """The command line's what-if forms, played through this game's own inject and overrides:
        event:ID, collapse:TABLE, refuse:ACTOR:TABLE, breach:TABLE:ACTOR."""
        kind, _, rest = spec.partition(":")
        parts = rest.split(":") if rest else []
        if kind == "event" and len(parts) == 1:
            self.inject(parts[0], reason=reason)
        elif kind == "collapse" and len(parts) == 1:
            self.override("collapse_talks", reason=reason, table=parts[0])
        elif kind == "refuse" and len(parts) == 2:
            self.override("refuse", reason=reason, actor=parts[0], table=parts[1])
        elif kind == "breach" and len(parts) == 2:
            self.override("break_agreement", reason=reason, table=parts[0], actor=parts[1])
        else:
            raise GameError(
                f"cannot force '{spec}': expected event:ID, collapse:TABLE, refuse:ACTOR:TABLE or "
                "breach:TABLE:ACTOR"
            )

    def fork(self, day: int | None = None) -> Game:
        """A new Game from the state at the end of `day` (default: now), with the same seed streams and the
        history up to then: it goes on exactly as this one did unless someone does something else."""
        if day is None:
            return self._replayed(self._history, self.tick)
        if day not in self._day_end:
            raise GameError(f"cannot fork from day {day}: days 0 to {max(self._day_end)} ended")
        tick, done = self._day_end[day]
        return self._replayed(self._history[:done], tick)

    def save(self, path: str | Path | None = None) -> str:
        """The game as one JSON document: the scenario by name and content hash, its overrides, the seed,
        the seats, every decision, inject and override, and the digest of the state it was saved in.
        `Game.load` replays it to the identical state."""
        doc = {
            "format": SAVE_FORMAT,
            "scenario": {
                "name": _scenario_name(self.scenario),
                "hash": resolved_hash(self.scenario),
                "overrides": self.scenario.overrides,
            },
            "seed": self.seed,
            "days": self.days,
            "scheduled": [list(x) for x in self.scheduled],
            "seats": self._initial_seats,
            "tick": self.tick,
            "day": self.day,
            "history": self._history,
            "digest": self.digest(),
        }
        text = json.dumps(doc, indent=1, default=str)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def load(
        cls, source: str | Path | dict | GameSave, scenario: Scenario | str | Path | None = None
    ) -> Game:
        """A game from `save()`'s document (the text, a path to it, or the parsed dict), checked field by
        field and replayed to the state it was saved in. `scenario`, when given, is the scenario the save
        must be a game of (its name, path or Scenario; then it is the one played, and the save's own
        scenario name is never opened). SaveError (a ScenarioError and a GameError) when the document is
        not a saved game, is a game of another scenario, or does not replay to the state it was saved in."""
        doc, file = read_game(source)
        return cls._from_save(doc, file, scenario)

    @classmethod
    def _from_save(cls, doc: GameSave, file: str, scenario: Scenario | str | Path | None) -> Game:
        sc = doc.scenario
        overrides = dict(sc.overrides) or None
        try:
            if scenario is None:
                played = resolve_scenario(sc.name, overrides)
            else:
                expected = resolve_scenario(scenario)
                played = resolve_scenario(expected, overrides)
                want = _scenario_name(expected)
                if sc.name != want and resolved_hash(played) != sc.hash:
                    raise SaveError(
                        file,
                        "a saved game of another scenario",
                        field="scenario.name",
                        expected=f"a game of '{want}'",
                        found=f"a game of '{sc.name}'",
                    )
        except SaveError:
            raise
        except (ScenarioError, *REPLAY_FAULTS) as exc:
            raise SaveError(
                file,
                "the saved game's scenario cannot be played",
                field="scenario.overrides" if overrides else "scenario.name",
                expected="a scenario this install has, with overrides it accepts",
                found=str(exc).replace("\n  ", "; ")[:300],
            ) from None
        if resolved_hash(played) != sc.hash:
            raise SaveError(
                file,
                f"the scenario '{sc.name}' has changed since the game was saved (its content hash "
                "differs): the saved moves would not replay to the same game",
                field="scenario.hash",
                expected=resolved_hash(played),
                found=sc.hash,
            )
        actors = [a.id for a in played.actors]
        for actor in doc.seats:
            if actor not in actors:
                raise SaveError(
                    file,
                    "a seat for an actor the scenario does not have",
                    field=f"seats.{actor}",
                    expected="one of " + ", ".join(actors),
                    found=f"'{actor}'",
                )
        try:
            game = cls(
                played,
                seed=doc.seed,
                seats=dict(doc.seats),
                days=doc.days,
                scheduled=[tuple(x) for x in doc.scheduled],
            )
        except REPLAY_FAULTS as exc:
            raise SaveError(
                file,
                "the saved game cannot be set up",
                field="scheduled" if doc.scheduled else "days",
                expected="events and days the scenario has",
                found=str(exc)[:300],
            ) from None
        game._replay_saved(doc, file)
        return game

    def _replay_saved(self, doc: GameSave, file: str) -> None:
        """Replay a save's history entry by entry, each checked to be recorded again as it was saved;
        whatever goes wrong is a SaveError naming the entry's field."""

        def fault(field: str, message: str, exc: BaseException | None = None, **more) -> SaveError:
            found = more.pop("found", None)
            if found is None and exc is not None:
                found = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)[:300]
            return SaveError(file, message, field=field, found=found, **more)

        not_replayed = "the saved game does not replay"
        for i, entry in enumerate(doc.history):
            at = f"history[{i}]"
            try:
                self._run_to(entry.tick)
            except REPLAY_FAULTS as exc:
                raise fault(f"{at}.tick", not_replayed, exc) from None
            if self.tick != entry.tick:
                raise fault(
                    f"{at}.tick",
                    f"{not_replayed}: its entries are out of order",
                    expected=f"tick {self.tick} or later",
                    found=f"tick {entry.tick}",
                )
            saved = entry.model_dump(mode="json", exclude_unset=True)
            before = len(self._history)
            try:
                self._apply(saved)
            except REPLAY_FAULTS as exc:
                raise fault(f"{at}.{self._blame(saved)}", not_replayed, exc) from None
            if len(self._history) != before + 1:
                raise fault(at, not_replayed, expected="one entry recorded", found="none")
            again = json.loads(json.dumps(self._history[-1], default=str))
            wrong = [k for k in saved if again.get(k) != saved[k]]
            if wrong:
                raise fault(
                    f"{at}.{wrong[0]}",
                    f"{not_replayed}: the entry is recorded otherwise when replayed",
                    expected=_short(again.get(wrong[0])),
                    found=_short(saved[wrong[0]]),
                )
        try:
            self._run_to(doc.tick)
        except REPLAY_FAULTS as exc:
            raise fault("tick", not_replayed, exc) from None
        if self.tick != doc.tick:
            raise fault(
                "tick",
                f"{not_replayed}: it ends before its last entry",
                expected=f"tick {self.tick} or later",
                found=f"tick {doc.tick}",
            )
        if doc.day is not None and doc.day != self.day:
            raise fault("day", not_replayed, expected=f"day {self.day}", found=f"day {doc.day}")
        if doc.digest is not None and doc.digest != self.digest():
            raise fault(
                "digest",
                "the saved game does not replay to the state it was saved in",
                expected=f"the digest of the replayed game ({self.digest()[:12]}...)",
                found=f"{doc.digest[:12]}...",
            )

    def _blame(self, entry: Mapping) -> str:
        """The field of a history entry that the replay could not take."""
        kind = entry["kind"]
        if kind == "decision":
            asked = [d.actor for d in self._unanswered()]
            return "move" if entry["actor"] in asked else "actor"
        if kind == "inject":
            return "event" if entry.get("event") is not None else "effects"
        if kind == "override":
            return "override" if entry["override"] not in OVERRIDES else "details"
        if kind == "hold":
            return "event"
        return "actor"

    def digest(self) -> str:
        """A fingerprint of the whole state of the game now: the picture, the random streams' states, the
        decisions asked and the moves already submitted (equal states, equal digests)."""
        state = {
            "picture": self._picture(),
            "rng": self.model.rng.bit_generator.state,
            "random": repr(self.model.random.getstate()),
            "asked": [repr(d) for d in self._waiting.asked],
            "moves": {k: repr(v) for k, v in sorted(self._waiting.moves.items())},
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()

    # ------------------------------------------------------------ inside

    def _resume(self, moves: dict | None) -> None:
        self.tick += 1
        try:
            asked = self._play.send(moves) if moves is not None else next(self._play)
        except StopIteration:
            self._play = None
            self._day_ended()
            return
        self._waiting.asked = list(asked)

    def _day_ended(self) -> None:
        day = self.model.day
        self._day_end[day] = (self.tick, len(self._history))
        self._pictures.append(self._picture())

    def _unanswered(self) -> list[Decision]:
        """The decisions still open (a decision lapses when its table stops, e.g. talks collapsed)."""
        tables = self.model.tables
        return [
            d
            for d in self._waiting.asked
            if d.actor not in self._waiting.moves and tables[d.table].status == "open"
        ]

    def _picture(self) -> Frozen:
        return picture(
            self.model,
            self._rounds,
            {"seats": dict(self._seats), "tick": self.tick, "in_day": self.in_day},
        )

    def _pending(self, d: Decision) -> Pending:
        m = self.model
        table = m.tables[d.table]
        agent = m.actor(d.actor)
        space = table.space
        row = table.row(d.actor)
        budget = table.spec.budget
        if d.role == "propose":
            options = {issue.id: list(issue.labels) for issue in space.issues}
            offer = value = None
        else:
            options = {"answer": ["accept", "reject"]}
            offer = space.describe(d.offer)
            value = float(space.utility[row, d.offer])
        return Pending(
            actor=d.actor,
            owner=self._seats[d.actor],
            table=d.table,
            role=d.role,
            day=d.day,
            proposer=d.proposer,
            offer=offer,
            options=options,
            budget={"issues": list(budget.issues), "total": budget.total}
            if budget and d.role == "propose"
            else None,
            value=value,
            reservation=m.reservation(agent, table),
            refusing=(d.actor, d.table) in m.refusals,
        )

    def _offer_from(self, asked: Decision, move: Any) -> tuple[int, dict]:
        table = self.model.tables[asked.table]
        space = table.space
        if not isinstance(move, dict):
            raise GameError(
                f"a proposal at '{asked.table}' is a mapping of every issue to a level, found {move!r}"
            )
        issues = {issue.id: issue for issue in space.issues}
        unknown = sorted(set(move) - set(issues))
        missing = sorted(set(issues) - set(move))
        if unknown or missing:
            raise GameError(
                f"a proposal at '{asked.table}' names each of its issues once: "
                f"{', '.join(issues)}"
                + (f"; not on this table: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        terms = {}
        for issue_id, level in move.items():
            issue = issues[issue_id]
            label = str(level)
            if issue.values is not None and not isinstance(level, str):
                try:
                    number = float(level)
                except (TypeError, ValueError):
                    number = None
                near = [
                    lab
                    for lab, v in zip(issue.labels, issue.values, strict=True)
                    if number is not None and abs(v - number) < 1e-9
                ]
                label = near[0] if near else label
            if label not in issue.labels:
                raise GameError(
                    f"'{level}' is not a level of '{issue_id}' (levels: {', '.join(issue.labels)})"
                )
            terms[issue_id] = label
        try:
            offer = space.offer_of(terms)
        except ValueError as exc:
            raise GameError(f"not an offer at '{asked.table}': {exc}") from None
        return offer, terms

    @staticmethod
    def _answer_from(move: Any) -> bool:
        words = {"accept": True, "yes": True, "reject": False, "no": False}
        if isinstance(move, bool):
            return move
        if isinstance(move, str) and move.lower() in words:
            return words[move.lower()]
        raise GameError(f"an answer is accept or reject (True or False), found {move!r}")

    def _models_move(self, asked: Decision) -> int | bool:
        """What the actor's own strategy does with a decision its seat left open."""
        m = self.model
        table = m.tables[asked.table]
        row = table.row(asked.actor)
        turn = table.turn(m, row, asked.day)
        strategy = m.actor(asked.actor).strategy
        if asked.role == "propose":
            return strategy.propose(turn)
        return bool(strategy.respond(turn, asked.offer))

    def _effect(self, raw: Any, i: int) -> Effect:
        try:
            effect = Effect.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise GameError(f"effect {i}: {where}: {first['msg']}") from None
        g, m = self.model.ground, self.model
        refs = {
            "road_risk": [("segment", g.roads), ("held_by", m._actors)],
            "road_holder": [("segment", g.roads), ("holder", m._actors)],
            "road_open": [("segment", g.roads)],
            "overflight": [("route", g.air_routes)],
            "trust": [("from_", m._actors), ("to", m._actors)],
            "siege": [("site", g.sites), ("by", m._actors)],
            "casualties": [("site", g.sites)],
            "withdraw": [("site", g.sites)],
            "actor": [("actor", m._actors)],
            "aircraft": [("type", g.fleets)],
        }
        for kind, fields in refs.items():
            part = getattr(effect, kind)
            if part is None:
                continue
            for name, known in fields:
                value = getattr(part, name, None)
                if value is not None and value not in known:
                    raise GameError(
                        f"effect {i}: {kind}.{name.rstrip('_')} '{value}' is not in this scenario "
                        f"(known: {', '.join(known)})"
                    )
        return effect

    def _record(self, kind: str, **entry) -> None:
        self._history.append(freeze({"kind": kind, "tick": self.tick, "day": self.day, **entry}))

    def _need_running(self) -> None:
        if self.finished:
            raise GameError(
                f"the run is over (day {self.day}): nothing more can happen in it; fork it to try "
                "another course"
            )

    @staticmethod
    def _need_reason(reason: str) -> None:
        if not str(reason or "").strip():
            raise GameError("say why: an inject or override needs a reason for the record")

    @staticmethod
    def _known_actor(actor: str, actors: list[str]) -> None:
        if actor not in actors:
            raise GameError(f"no actor '{actor}' in this scenario (actors: {', '.join(actors)})")

    def _replayed(self, history: list[dict], tick: int) -> Game:
        game = Game(
            self.scenario,
            seed=self.seed,
            seats=self._initial_seats,
            days=self.days,
            scheduled=self.scheduled,
        )
        game._replay(history, tick)
        return game

    def _replay(self, history: list[dict], tick: int) -> None:
        """Play the recorded history again, each entry at the moment it was made, then up to `tick`."""
        for entry in history:
            self._run_to(entry["tick"])
            self._apply(entry)
        self._run_to(tick)

    def _apply(self, entry: Mapping) -> None:
        """Make the move, inject, override or seat change a history entry records."""
        kind = entry["kind"]
        if kind == "decision" and entry.get("owner") == "model" and entry["actor"] in self._seats:
            self.decide_for(entry["actor"], entry.get("note", ""))
        elif kind == "decision":
            self.submit(entry["actor"], entry["move"], entry.get("note", ""))
        elif kind == "hold":
            self.hold(entry["on"], entry["event"], entry["reason"])
        elif kind == "inject":
            self.inject(entry.get("event"), effects=entry.get("effects"), reason=entry["reason"])
        elif kind == "override":
            self.override(entry["override"], reason=entry["reason"], **entry["details"])
        elif kind == "hand_over":
            self.hand_over(entry["actor"], entry.get("reason", ""))
        elif kind == "take_back":
            self.take_back(entry["actor"], entry.get("owner", "player"), entry.get("reason", ""))
        else:
            raise GameError(f"a saved game holds an unknown entry '{kind}'")

    def _run_to(self, tick: int) -> None:
        while self.tick < tick:
            if self._play is not None and self._unanswered():
                raise GameError(
                    f"the saved game does not replay: at tick {self.tick} it waits for "
                    + ", ".join(d.actor for d in self._unanswered())
                )
            if self._play is None and not self.model.running:
                raise GameError(f"the saved game does not replay: the run ended before tick {tick}")
            self.advance()


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _scenario_name(scenario: Scenario) -> str:
    """A bundled scenario by its name (so a save travels between installs), any other by its path."""
    path = Path(scenario.path).resolve()
    try:
        bundled = data_dir("scenarios").resolve()
    except FileNotFoundError:
        return str(path)
    return path.stem if path.parent == bundled else str(path)
