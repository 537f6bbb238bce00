"""A class playing an exercise: students in the seats, the model in the others, an instructor in control.

A Classroom is a `Game` with turns. A turn plays `days_per_turn` days; it stops wherever a seat must
decide (make or answer an offer). Each seat acts only for itself, with a short justification kept beside
the move, and ends its turn with a word on it; when every seat held by a student has ended the turn, the
next turn starts. The facilitator can pause and resume, fire an inject (from the scenario's deck or a
custom one), override an adjudication with a reason, hand a seat to the model or take it back, force the
turn on (the model decides for seats still deciding), fork the game at a past turn, and run the Monte Carlo
from the present state to show the class what tends to happen next.

Access is by token: one long random token per seat and one for the facilitator, compared in constant
time, never written into a save or a log. `who(token)` says which role a token opens, or None.
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from wargame.engine.model import WargameModel
from wargame.engine.outcomes import RunResult
from wargame.engine.records import seen_by
from wargame.language.exercise import Exercise, list_exercises, read_exercise
from wargame.session.errors import ClassroomError
from wargame.session.game import Game, GameError, Pending
from wargame.session.saved_games import (
    CLASSROOM_FORMAT,
    ClassroomSave,
    ClassroomSaveError,
    SaveError,
    read_classroom,
)

SAVE_FORMAT = CLASSROOM_FORMAT
FACILITATOR = "facilitator"
UNILATERAL = {
    "walk_out": "refuse everything at a table from now on (walk out of the talks)",
    "break_agreement": "break an agreement in force that you are party to",
}

__all__ = ["Classroom", "ClassroomError", "ClassroomSaveError", "Clock", "Message", "Note", "Step",
           "new_tokens"]  # fmt: skip


@dataclass(frozen=True)
class Note:
    """A move made from a seat, with what the seat saw when it made it and why it says it did."""

    turn: int
    day: int
    actor: str
    kind: str  # "answer" | "propose" | "unilateral" | "end_turn" | "standing_order"
    table: str | None
    move: Any
    value: float | None  # what the offer (or the proposal) was worth to the actor
    reservation: float | None  # its outside option at that table that day
    justification: str
    by: str = "class"  # "model": the facilitator forced the decision, and the model took it
    at: int = 0  # how many records the run had made when it was taken (its place among them)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Step:
    """Something the facilitator did, with the reason given (the review lists every one)."""

    turn: int
    day: int
    kind: str  # one of STEPS
    what: str  # what it was done to, in words (a seat, an event, a table, minutes)
    reason: str
    at: int = 0  # its place among the run's records
    time: str = ""  # the server's clock (UTC), for the record only

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Message:
    """A short note from a seat or the facilitator, to one seat or to all ("all")."""

    turn: int
    day: int
    sender: str  # a seat's actor, or "facilitator"
    to: str  # a seat's actor, or "all"
    text: str
    at: int = 0
    time: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


STEPS = (
    "hand_over", "take_back", "pause", "resume", "inject", "hold", "override", "force", "end_turn",
    "extend", "fork", "end_game",
)  # fmt: skip
MESSAGE_CHARS = 600  # a note is short: a diplomatic note, a press line, a word from control


class Clock:
    """A turn's clock, kept by the server: `allowed` seconds (the turn's minutes and any extension), of which
    `spent` have run before `since` (the server's time it last started; None while stopped)."""

    def __init__(self, allowed: float, spent: float = 0.0, running: bool = True) -> None:
        self.allowed = float(allowed)
        self.spent = float(spent)
        self.since: float | None = time.time() if running else None

    def left(self, now: float | None = None) -> float:
        """Seconds left (negative once the time is up)."""
        run = 0.0 if self.since is None else (now or time.time()) - self.since
        return self.allowed - self.spent - run

    @property
    def running(self) -> bool:
        return self.since is not None

    def stop(self, now: float | None = None) -> None:
        if self.since is not None:
            self.spent += (now or time.time()) - self.since
            self.since = None

    def start(self, now: float | None = None) -> None:
        if self.since is None:
            self.since = now or time.time()

    def extend(self, seconds: float) -> None:
        # a clock past its time starts the extension from now, not from the overrun
        now = time.time()
        over = -self.left(now)
        if over > 0:
            self.spent -= over
        self.allowed += seconds

    def to_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "spent": self.allowed - self.left(),
            "running": self.running,
        }


@dataclass
class _Turn:
    number: int = 1
    ended: dict[str, str] = field(default_factory=dict)  # seat -> its word on the turn
    clock: Clock | None = None


class Classroom:
    """One class's game of an exercise (thread-safe: every browser session of the class shares it)."""

    def __init__(
        self,
        exercise: Exercise | str | Path,
        tokens: dict[str, str] | None = None,
        game: Game | None = None,
    ) -> None:
        self.exercise = exercise if isinstance(exercise, Exercise) else read_exercise(exercise)
        spec = self.exercise.spec
        self.days_per_turn = spec.days_per_turn
        self.turns = spec.turns
        self.game = game or Game(
            self.exercise.scenario,  # with the exercise's own settings (e.g. how often tables meet)
            seed=spec.seed,
            seats={a: "student" for a in self.exercise.seated},
            days=self.days_per_turn * self.turns,
            scheduled=self.exercise.schedule(),
        )
        self._tokens = dict(tokens) if tokens else new_tokens(self.exercise.seated)
        missing = {FACILITATOR, *self.exercise.seated} - set(self._tokens)
        if missing:
            raise ClassroomError(f"no token for {', '.join(sorted(missing))}")
        self.paused = False
        self.turn = _Turn(1, clock=self._new_clock())
        self.notes: list[Note] = []
        self.steps: list[Step] = []  # the facilitator's steps, with their reasons
        self.messages: list[Message] = []
        self.game_over: dict | None = (
            None  # {day, turn, reason} when the facilitator ended the game
        )
        self.forks: list[dict] = []  # where the class went back to, and the game it left
        self.lock = threading.RLock()
        self.version = 0  # bumped at every change, so that every page of the class redraws
        self.orders: dict[str, dict] = {}  # seat -> its standing order
        self._play()

    # ------------------------------------------------------------ who is who

    def who(self, token: str | None) -> str | None:
        """The role ("facilitator" or a seat's actor) a token opens; None for anything else. Every
        token is compared, in constant time, whatever matches."""
        if not token:
            return None
        found = None
        given = token.encode()
        for role, secret in self._tokens.items():
            if hmac.compare_digest(given, secret.encode()):
                found = role
        return found

    def link(self, role: str, base: str) -> str:
        """The join link of a role (for the facilitator's eyes only)."""
        return f"{base.rstrip('/')}/?t={self._tokens[role]}"

    @property
    def seats(self) -> list[str]:
        return self.exercise.seated

    def held_by_students(self) -> list[str]:
        return [a for a in self.seats if a in self.game.seats]

    # ------------------------------------------------------------ what a seat sees

    def briefing(self, actor: str):
        return self.exercise.seat(actor).briefing

    def picture(self, actor: str | None):
        """The present as `actor` knows it (None: the facilitator's whole picture)."""
        g = self.game
        day = g.day - 1 if g.in_day else g.day
        return g.snapshot(day, viewer=actor)

    def pending(self, actor: str) -> list[Pending]:
        return self.game.pending(actor)

    @property
    def turn_end_day(self) -> int:
        return min(self.turn.number * self.days_per_turn, self.game.model.horizon)

    @property
    def finished(self) -> bool:
        return self.game.finished or self.turn.number > self.turns or self.game_over is not None

    def seconds_left(self, now: float | None = None) -> float:
        """Seconds before the turn's time is up, by the server's clock (negative once it is: then the
        facilitator extends the turn or ends it). The clock stops while the game is paused."""
        return self.turn.clock.left(now)

    def minutes_left(self, now: float | None = None) -> float:
        return self.seconds_left(now) / 60

    @property
    def time_up(self) -> bool:
        return not self.finished and self.seconds_left() <= 0

    def _new_clock(self) -> Clock:
        return Clock(self.exercise.spec.turn_minutes * 60, running=not self.paused)

    def upcoming(self) -> list[dict]:
        """The injects still to come: day, event, its title and its text (for the facilitator's eyes)."""
        events = {e.id: e for e in self.exercise.scenario.spec.events}
        reasons = {(i.day, i.event): i.reason for i in self.exercise.spec.injects}
        return [
            {"day": day, "event": ev, "title": events[ev].label or ev,
             "text": events[ev].narrative.strip(), "why": reasons.get((day, ev), "")}
            for day, ev in self.game.upcoming()
        ]  # fmt: skip

    def players(self) -> dict[int, dict[str, str]]:
        """Who played each seat on each day played: "class", "model" (handed to the model for all or
        part of the day), or "forced" (the facilitator had the model take a decision of the class's)."""
        g = self.game
        ends = sorted((d, tick, done) for d, (tick, done) in g._day_end.items())
        upcoming = g.day if g.in_day else g.day + 1

        def effective(entry: dict, index: int) -> tuple[int, bool]:
            """The day a history entry took effect, and whether it was made before that day began."""
            for d, _, done in ends:
                if index < done:
                    began = next(t for dd, t, _ in ends if dd == d - 1)
                    return d, entry["tick"] == began
            began = ends[-1][1]
            return upcoming, entry["tick"] == began

        changes: dict[int, list] = {}
        for i, h in enumerate(g.history):
            if h["kind"] in ("hand_over", "take_back") and h["actor"] in self.seats:
                day, before = effective(h, i)
                changes.setdefault(day, []).append((h, before))
        forced = {(n.day, n.actor) for n in self.notes if n.by == "model"}
        held = {a: "class" for a in self.seats}
        out: dict[int, dict[str, str]] = {}
        for day in range(1, g.day + 1):
            today = dict(held)
            for h, before in changes.get(day, []):
                held[h["actor"]] = "model" if h["kind"] == "hand_over" else "class"
                if held[h["actor"]] == "model" or before:
                    today[h["actor"]] = held[h["actor"]]  # a take-back during the day: the model
            for a in self.seats:  # played part of it
                if today[a] == "class" and (day, a) in forced:
                    today[a] = "forced"
            out[day] = today
        return out

    def public_log(self) -> list[dict]:
        """The run's records anyone may hear of (a projector's news): the public ones, in order."""
        return [seen for r in self.game.log() if (seen := seen_by(r, "")) is not None]

    def messages_for(self, role: str) -> list[Message]:
        """The notes a role may read: the facilitator all of them; a seat those to it, to all, or its own."""
        if role == FACILITATOR:
            return list(self.messages)
        return [m for m in self.messages if m.to in (role, "all") or m.sender == role]

    def starting_terms(self, actor: str, table: str) -> tuple[dict[str, str], str]:
        """Where a seat's offer form starts: the last offer made at the table (as the seat saw it), else
        the seat's own ideal there (the offer worth most to it). With a line saying which."""
        names = {a.id: a.name for a in self.exercise.scenario.actors}
        for rec in reversed(self.game.log(actor)):
            if rec["kind"] == "round" and rec.get("table") == table:
                who = names.get(rec["proposer"], rec["proposer"])
                return dict(rec["offer"]), f"the last offer on this table ({who}, day {rec['day']})"
        t = self.game.model.tables[table]
        row = t.row(actor)
        best = int(t.space.utility[row].argmax())
        return dict(
            t.space.describe(best)
        ), "your own ideal at this table (the offer worth most to you)"

    def waiting_for(self) -> list[str]:
        """The seats the class waits for: those asked to decide, else those that have not ended the turn."""
        if self.finished:
            return []
        asked = sorted({p.actor for p in self.game.pending()})
        if asked:
            return asked
        return [a for a in self.held_by_students() if a not in self.turn.ended]

    # ------------------------------------------------------------ seats act

    def decide(self, actor: str, move: Any, justification: str) -> None:
        """A seat's answer (accept / reject) or proposal ({issue: level}) for what is asked of it."""
        with self.lock:
            self._open(actor)
            asked = next((p for p in self.game.pending(actor)), None)
            if asked is None:
                raise ClassroomError(f"nothing is asked of {actor} now")
            value = asked.value
            if asked.role == "propose":
                value = self.game.worth(actor, move) if isinstance(move, dict) else None
            at = self._at()
            self.game.submit(actor, move, note=justification)
            shown = self.game.history[-1]["move"]
            self._note(
                actor, asked.role, asked.table, shown, value, asked.reservation, justification,
                at=at,
            )  # fmt: skip
            self._play()

    def unilateral(self, actor: str, action: str, table: str, justification: str) -> None:
        """Walk out of a table's talks, or break an agreement the seat is party to."""
        with self.lock:
            self._open(actor)
            if not justification.strip():
                raise ClassroomError("say why: a unilateral step needs a justification")
            tables = self.game.model.tables
            if table not in tables or actor not in [a.actor_id for a in tables[table].participants]:
                raise ClassroomError(f"{actor} does not sit at a table '{table}'")
            if action == "walk_out":
                self.game.override("refuse", reason=justification, actor=actor, table=table)
            elif action == "break_agreement":
                self.game.override(
                    "break_agreement", reason=justification, table=table, actor=actor
                )
            else:
                raise ClassroomError(
                    f"no unilateral step '{action}' (steps: {', '.join(UNILATERAL)})"
                )
            self._note(actor, "unilateral", table, action, None, None, justification)
            self._play()

    def standing_order(
        self,
        actor: str,
        accept_at_least: float | None = None,
        propose: dict[str, str] | None = None,
        justification: str = "",
    ) -> None:
        """Orders a seat leaves for the routine (a staff's standing orders): answer every offer worth at
        least `accept_at_least` with yes and the rest with no; make `propose` whenever asked to propose.
        None clears that part. Moves made under an order are noted as such, with its justification."""
        with self.lock:
            self._open(actor)
            if accept_at_least is not None and not 0 <= float(accept_at_least) <= 1:
                raise ClassroomError(
                    f"accept_at_least is a worth from 0 to 1, not {accept_at_least}"
                )
            if propose is not None:
                tables = [
                    t
                    for t in self.game.model.tables.values()
                    if actor in [a.actor_id for a in t.participants]
                ]
                if not any(self._valid(actor, t.id, propose) for t in tables):
                    raise ClassroomError(
                        "the standing proposal is not an offer of any of your tables"
                    )
            order = {"accept_at_least": accept_at_least, "propose": propose, "why": justification}
            if accept_at_least is None and propose is None:
                self.orders.pop(actor, None)
            else:
                self.orders[actor] = order
            self._note(
                actor,
                "standing_order",
                None,
                {k: v for k, v in order.items() if k != "why"},
                None,
                None,
                justification,
            )
            self._play()

    def _valid(self, actor: str, table: str, terms: dict) -> bool:
        try:
            self.game.worth(actor, terms, table)
        except GameError:
            return False
        return True

    def _follow_orders(self) -> bool:
        """Take the pending decisions that a standing order covers; True if any was taken."""
        took = False
        for p in self.game.pending():
            order = self.orders.get(p.actor)
            if order is None or p.actor not in self.game.seats:
                continue
            if p.role == "answer" and order["accept_at_least"] is not None:
                move = "accept" if (p.value or 0) >= order["accept_at_least"] else "reject"
                value = p.value
            elif (
                p.role == "propose"
                and order["propose"] is not None
                and self._valid(p.actor, p.table, order["propose"])
            ):
                move = dict(order["propose"])
                value = self.game.worth(p.actor, move, p.table)
            else:
                continue
            why = f"standing order: {order['why']}" if order["why"] else "standing order"
            self.game.submit(p.actor, move, note=why)
            self._note(
                p.actor, p.role, p.table, self.game.history[-1]["move"], value, p.reservation, why
            )
            took = True
        return took

    def end_turn(self, actor: str, justification: str) -> None:
        """The seat is done with this turn; the next turn starts when every student seat is."""
        with self.lock:
            self._open(actor)
            if self.game.pending(actor):
                raise ClassroomError("decide what is asked of you before ending the turn")
            if not self._turn_played():
                raise ClassroomError(
                    f"the turn is still being played (the class waits for: {', '.join(self.waiting_for())})"
                )
            self.turn.ended[actor] = justification
            self._note(actor, "end_turn", None, None, None, None, justification)
            if all(a in self.turn.ended for a in self.held_by_students()):
                self._next_turn()
            self._changed()

    # ------------------------------------------------------------ the facilitator

    def pause(self, reason: str = "") -> None:
        with self.lock:
            self._running_game()
            self.paused = True
            self.turn.clock.stop()
            self._step("pause", "the game and the turn's clock", reason)
            self._changed()

    def resume(self, reason: str = "") -> None:
        with self.lock:
            self._running_game()
            self.paused = False
            self.turn.clock.start()
            self._step("resume", "the game and the turn's clock", reason)
            self._play()

    def extend(self, minutes: float, reason: str = "") -> None:
        """More time for this turn (from now, if its time was up)."""
        with self.lock:
            self._running_game()
            if not 0 < float(minutes) <= 60:
                raise ClassroomError(f"extend by 1 to 60 minutes, not {minutes}")
            self.turn.clock.extend(float(minutes) * 60)
            self._step(
                "extend", f"{float(minutes):g} minutes more for turn {self.turn.number}", reason
            )
            self._changed()

    def force_turn(self, reason: str) -> None:
        """The model takes the decisions the class is asked for now (each marked as the model's, with the
        reason); the seats stay with the class, and the game plays on to the next decision or the end of
        the turn."""
        if not str(reason).strip():
            raise ClassroomError("forcing needs a reason")
        with self.lock:
            self._running_game()
            asked = [p for p in self.game.pending() if p.actor in self.game.seats]
            if not asked:
                raise ClassroomError("no decision is pending: nothing to force")
            for p in asked:
                at = self._at()
                self.game.decide_for(p.actor, reason)
                move = self.game.history[-1]["move"]
                value = p.value
                if p.role == "propose":
                    value = self.game.worth(p.actor, dict(move), p.table)
                self._note(p.actor, p.role, p.table, move, value, p.reservation, reason,
                           by="model", at=at)  # fmt: skip
            names = {a.id: a.name for a in self.exercise.scenario.actors}
            what = "; ".join(
                f"{names.get(p.actor, p.actor)} ({p.role} at {p.table})" for p in asked
            )
            self._step("force", what, reason)
            self._play()

    def end_turn_now(self, reason: str) -> None:
        """The facilitator ends the turn: the next turn starts, with its clock, the seats still seated.
        Days of this turn not yet played are played in the next (a decision pending now stays the class's
        to take). The last turn ends when its days are played, or when the game is ended."""
        if not str(reason).strip():
            raise ClassroomError("ending the turn needs a reason")
        with self.lock:
            self._running_game()
            if self.turn.number >= self.turns and not self._turn_played():
                raise ClassroomError(
                    "this is the last turn and its days are not all played: force the pending "
                    "decisions, or end the game (with a reason)"
                )
            self._step("end_turn", f"turn {self.turn.number}", reason)
            self._next_turn()

    def end_game(self, reason: str) -> None:
        """Stop the exercise here, with a reason (the review covers the days played)."""
        if not str(reason).strip():
            raise ClassroomError("ending the game needs a reason")
        with self.lock:
            self._running_game()
            self._step("end_game", f"on day {self.game.day}, turn {self.turn.number}", reason)
            self.game_over = {"day": self.game.day, "turn": self.turn.number, "reason": str(reason)}
            self.turn.clock.stop()
            self._changed()

    def inject(
        self, event: str | None = None, *, effects: list[dict] | None = None, reason: str
    ) -> None:
        with self.lock:
            self._running_game()
            at = self._at()
            self.game.inject(event, effects=effects, reason=reason)
            self._step("inject", self._event_title(event) if event else
                       f"{len(effects or [])} custom effect(s)", reason, at=at)  # fmt: skip
            self._play()

    def hold_inject(self, day: int, event: str, reason: str) -> None:
        """Keep a scheduled inject from firing on its day."""
        with self.lock:
            self._running_game()
            self.game.hold(day, event, reason)
            self._step("hold", f"{self._event_title(event)} (planned for day {day})", reason)
            self._changed()

    def fire_early(self, day: int, event: str, reason: str) -> None:
        """Fire a scheduled inject now rather than on its day (it does not fire again then)."""
        with self.lock:
            self._running_game()
            at = self._at()
            self.game.hold(day, event, reason)
            self.game.inject(event, reason=reason)
            self._step("inject", f"{self._event_title(event)} (planned for day {day}, fired early)",
                       reason, at=at)  # fmt: skip
            self._play()

    def override(self, kind: str, *, reason: str, **details: str) -> None:
        with self.lock:
            self._running_game()
            at = self._at()
            self.game.override(kind, reason=reason, **details)
            what = ", ".join(f"{k} {v}" for k, v in details.items())
            self._step("override", f"{kind.replace('_', ' ')} ({what})", reason, at=at)
            self._play()

    def hand_over(self, actor: str, reason: str) -> None:
        with self.lock:
            self._running_game()
            at = self._at()
            self.game.hand_over(actor, reason=reason)
            self._step("hand_over", actor, reason, at=at)
            if all(a in self.turn.ended for a in self.held_by_students()) and self._turn_played():
                self._next_turn()
            self._play()

    def take_back(self, actor: str, reason: str) -> None:
        with self.lock:
            self._running_game()
            self.game.take_back(actor, owner="student", reason=reason)
            self._step("take_back", actor, reason)
            self._changed()

    def send(self, sender: str, to: str, text: str) -> None:
        """A short note from a seat (or the facilitator) to one seat or to all, kept for the review."""
        with self.lock:
            text = str(text).strip()
            if sender not in (FACILITATOR, *self.seats):
                raise ClassroomError(f"'{sender}' cannot send notes in this exercise")
            if to != "all" and to not in self.seats:
                raise ClassroomError(f"no seat '{to}' (seats: {', '.join(self.seats)}, or all)")
            if to == sender:
                raise ClassroomError("a note to yourself is not sent")
            if not text:
                raise ClassroomError("the note is empty")
            if len(text) > MESSAGE_CHARS:
                raise ClassroomError(
                    f"a note is at most {MESSAGE_CHARS} characters, not {len(text)}"
                )
            if self.finished:
                raise ClassroomError("the exercise is over")
            self.messages.append(
                Message(self.turn.number, self.game.day, sender, to, text, self._at(), _now())
            )
            self._changed()

    def fork(self, turn: int, reason: str) -> None:
        """Go back to the end of a past turn (0: the start) and play on from there; the game left
        behind is kept (in the save, and for the debrief)."""
        if not reason.strip():
            raise ClassroomError("a fork needs a reason")
        with self.lock:
            if not 0 <= turn < self.turn.number:
                raise ClassroomError(f"turns 0 to {self.turn.number - 1} have ended, not {turn}")
            day = min(turn * self.days_per_turn, self.game.model.horizon)
            self.forks.append(
                {"turn": turn, "day": day, "reason": reason, "left": json.loads(self.game.save())}
            )
            self.game = self.game.fork(day)
            self.turn = _Turn(turn + 1, clock=self._new_clock())
            self.notes = [n for n in self.notes if n.turn <= turn]
            self.messages = [m for m in self.messages if m.turn <= turn]
            self._step("fork", f"back to the end of turn {turn} (day {day})", reason)
            self._play()

    def continuations(self, runs: int, seed: int = 1) -> list[RunResult]:
        """`runs` runs of the rest of the game from the state now, the model playing every seat: what
        tends to happen next. Only between days (not while a day waits for a seat)."""
        if not 1 <= runs <= 5000:
            raise ClassroomError(f"runs from 1 to 5,000, not {runs}")
        with self.lock:
            if self.game.in_day:
                raise ClassroomError("a day is waiting for a seat: continue when it has ended")
            state = self.game.model.save_state(shared=True)
            situation = self.game.model.situation
        out = []
        for i in range(runs):
            m = WargameModel.load_state(state, situation)
            m.seats = set()
            m.reseed(seed * 1_000_003 + i)
            m.narrate = False
            out.append(m.run())
        return out

    # ------------------------------------------------------------ save, load, replay

    def save(self, path: str | Path | None = None) -> str:
        """One JSON document: the exercise, the game (seed and every move), the turn, the notes with
        their justifications, the forks and the digest of the classroom as saved. No token."""
        with self.lock:
            doc = {
                "format": SAVE_FORMAT,
                "exercise": str(self.exercise.path),
                "exercise_id": self.exercise.id,
                "game": json.loads(self.game.save()),
                "turn": self.turn.number,
                "ended": dict(self.turn.ended),
                "paused": self.paused,
                "notes": [n.to_dict() for n in self.notes],
                "orders": self.orders,
                "forks": self.forks,
                "steps": [x.to_dict() for x in self.steps],
                "messages": [x.to_dict() for x in self.messages],
                "clock": self.turn.clock.to_dict(),
                "game_ended": self.game_over,
                "saved": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "digest": self.digest(),
            }
        text = json.dumps(doc, indent=1, default=str)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def load(
        cls,
        source: str | Path | dict,
        tokens: dict[str, str] | None = None,
        exercise: Exercise | str | Path | None = None,
    ) -> Classroom:
        """A classroom from `save()`'s document (new tokens unless given), checked field by field and
        replayed to the state it was saved in. The exercise is the one given (the save must be a game of
        it), else the bundled exercise of the save's id: the path a save names is never opened.
        ClassroomSaveError (a ScenarioError and a ClassroomError) for anything else."""
        doc, file = read_classroom(source)
        exercise = _exercise_of(doc, file, exercise)
        fail = _failing(file)
        spec = exercise.spec
        # what the exercise sets is checked before anything is replayed (the days bound the replay)
        days, scheduled = spec.days_per_turn * spec.turns, exercise.schedule()
        if sorted(doc.game.seats) != sorted(exercise.seated):
            raise fail(
                "game.seats", "the seats of another exercise", exercise.seated, doc.game.seats
            )
        if doc.game.days != days or [tuple(x) for x in doc.game.scheduled] != scheduled:
            raise fail(
                "game.days" if doc.game.days != days else "game.scheduled",
                f"the exercise '{exercise.id}' has changed since the game was saved (its days or "
                "injects differ)",
                f"{days} days, injects {scheduled}",
                f"{doc.game.days} days, injects {[list(x) for x in doc.game.scheduled]}",
            )
        try:
            game = Game.load(doc.game, scenario=exercise.scenario)
        except SaveError as exc:
            raise exc.inside(file, "game", ClassroomSaveError) from None
        if doc.turn > spec.turns + 1:
            raise fail("turn", "a turn past the last", f"1 to {spec.turns + 1}", doc.turn)
        for where, names in (("ended", doc.ended), ("orders", doc.orders)):
            for actor in names:
                if actor not in exercise.seated:
                    raise fail(f"{where}.{actor}", "not a seat", exercise.seated, actor)
        for i, note in enumerate(doc.notes):
            if note.actor not in exercise.seated:
                raise fail(f"notes[{i}].actor", "not a seat", exercise.seated, note.actor)
        room = cls.__new__(cls)
        room.exercise = exercise
        room.days_per_turn = spec.days_per_turn
        room.turns = spec.turns
        room.game = game
        room._tokens = dict(tokens) if tokens else new_tokens(exercise.seated)
        missing = {FACILITATOR, *exercise.seated} - set(room._tokens)
        if missing:
            raise ClassroomError(f"no token for {', '.join(sorted(missing))}")
        room.paused = doc.paused
        clock = (
            Clock(doc.clock.allowed, doc.clock.spent, running=doc.clock.running and not doc.paused)
            if doc.clock is not None
            else Clock(spec.turn_minutes * 60, running=not doc.paused)
        )
        room.turn = _Turn(doc.turn, dict(doc.ended), clock)
        room.steps = [Step(**x.model_dump(mode="json")) for x in doc.steps]
        room.messages = [Message(**x.model_dump(mode="json")) for x in doc.messages]
        for i, m in enumerate(room.messages):
            if m.sender not in (FACILITATOR, *exercise.seated) or m.to not in (
                "all",
                *exercise.seated,
            ):
                raise fail(f"messages[{i}]", "a note between unknown seats", exercise.seated,
                           f"{m.sender} to {m.to}")  # fmt: skip
        room.game_over = doc.game_ended.model_dump(mode="json") if doc.game_ended else None
        room.notes = [Note(**n.model_dump(mode="json")) for n in doc.notes]
        room.forks = [f.model_dump(mode="json", exclude_unset=True) for f in doc.forks]
        room.lock = threading.RLock()
        room.version = 0
        room.orders = {a: o.model_dump(mode="json") for a, o in doc.orders.items()}
        if doc.digest is not None and doc.digest != room.digest():
            raise ClassroomSaveError(
                file,
                "the saved game does not replay to the state it was saved in",
                field="digest",
                expected=f"the digest of the replayed classroom ({room.digest()[:12]}...)",
                found=f"{doc.digest[:12]}...",
            )
        return room

    def digest(self) -> str:
        """The game's fingerprint with the turn and the notes: equal classrooms, equal digests."""
        import hashlib

        state = {
            "game": self.game.digest(),
            "turn": self.turn.number,
            "ended": self.turn.ended,
            "paused": self.paused,
            "notes": [n.to_dict() for n in self.notes],
            "orders": self.orders,
            "steps": [{k: v for k, v in x.to_dict().items() if k != "time"} for x in self.steps],
            "messages": [
                {k: v for k, v in x.to_dict().items() if k != "time"} for x in self.messages
            ],
            "game_over": self.game_over,
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()

    def replay(self) -> list:
        """The picture of every day played, in order (the whole picture, for the debrief)."""
        g = self.game
        last = g.day - 1 if g.in_day else g.day
        return [g.snapshot(d) for d in range(last + 1)]

    # ------------------------------------------------------------ inside

    def _open(self, actor: str) -> None:
        if actor not in self.seats:
            raise ClassroomError(f"'{actor}' is not a seat of this exercise")
        if actor not in self.game.seats:
            raise ClassroomError(f"the model holds {actor}'s seat now")
        if self.paused:
            raise ClassroomError("the game is paused by the facilitator")
        if self.finished:
            raise ClassroomError("the exercise is over")

    def _note(self, actor, kind, table, move, value, reservation, justification, *, by="class",
              at=None) -> None:  # fmt: skip
        g = self.game
        self.notes.append(
            Note(self.turn.number, g.day, actor, kind, table, move, value, reservation,
                 str(justification), by, self._at() if at is None else at)
        )  # fmt: skip

    def _step(self, kind: str, what: str, reason: str, at: int | None = None) -> None:
        self.steps.append(
            Step(self.turn.number, self.game.day, kind, str(what), str(reason or ""),
                 self._at() if at is None else at, _now())
        )  # fmt: skip

    def _at(self) -> int:
        """The place of what is done now among the run's records (the review orders by it)."""
        return len(self.game.model.records)

    def _event_title(self, event: str) -> str:
        spec = next((e for e in self.exercise.scenario.spec.events if e.id == event), None)
        return (spec.label or event) if spec else event

    def _running_game(self) -> None:
        if self.finished:
            raise ClassroomError("the exercise is over")

    def turn_played(self) -> bool:
        """True once this turn's days have been played (the seats may end the turn)."""
        return self._turn_played()

    def _turn_played(self) -> bool:
        g = self.game
        return g.finished or (not g.in_day and g.day >= self.turn_end_day)

    def _play(self) -> None:
        """Play on to the end of the turn or the next decision a seat must take (standing orders answer
        for the seats that left them)."""
        g = self.game
        while not self.paused and not self.finished:
            if g.pending():
                if not self._follow_orders():
                    break
                if g.pending():  # others still have to decide
                    break
            if not g.in_day and g.day >= self.turn_end_day:
                break
            g.advance()  # the exercise's injects happen at the start of their day, in the game itself
        if not self.held_by_students() and self._turn_played() and not self.finished:
            self._next_turn()  # nobody to wait for: the model holds every seat
            return
        self._changed()

    def _next_turn(self) -> None:
        self.turn = _Turn(self.turn.number + 1, clock=self._new_clock())
        if self.finished:
            self.turn.clock.stop()
        self._play()

    def _changed(self) -> None:
        self.version += 1


def _exercise_of(doc: ClassroomSave, file: str, given: Exercise | str | Path | None) -> Exercise:
    """The exercise a saved classroom is a game of: the one given, which must be the save's, or else the
    bundled exercise of the save's id (a save never makes the server open a path it names)."""
    if given is not None:
        exercise = given if isinstance(given, Exercise) else read_exercise(given)
        if exercise.id != doc.exercise_id:
            raise ClassroomSaveError(
                file,
                "a saved game of another exercise",
                field="exercise_id",
                expected=f"a game of '{exercise.id}'",
                found=f"a game of '{doc.exercise_id}'",
            )
        return exercise
    bundled = list_exercises()
    exercise = read_exercise(doc.exercise_id) if doc.exercise_id in bundled else None
    if exercise is None or exercise.id != doc.exercise_id:
        raise ClassroomSaveError(
            file,
            "a saved game of an exercise that is not bundled",
            field="exercise_id",
            expected="one of " + ", ".join(bundled) + " (or load it with its exercise)",
            found=f"'{doc.exercise_id}'",
        )
    return exercise


def _failing(file: str):
    def fail(field: str, message: str, expected: Any, found: Any) -> ClassroomSaveError:
        return ClassroomSaveError(
            file,
            f"not a saved classroom of this exercise: {message}",
            field=field,
            expected=str(expected),
            found=str(found),
        )

    return fail


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def new_tokens(seats: list[str]) -> dict[str, str]:
    """A long random token per seat and one for the facilitator (256 bits each)."""
    return {role: secrets.token_urlsafe(32) for role in [FACILITATOR, *seats]}
