"""Saved games are data to check, never trusted: how a saved game (`wargame-game/1`) or a saved classroom
(`wargame-classroom/1`) is read, what each of its fields may hold, and the error that says what is wrong.

A save comes as a path, as its JSON text or as the parsed mapping. A path must name a regular file (a
directory, a device such as /dev/zero, a FIFO or a socket is refused from its `stat`, before anything
opens it for reading: it would be read without end or wait for ever), of at most MAX_BYTES, in UTF-8. The
JSON may nest at most MAX_DEPTH levels and holds only finite numbers (NaN and Infinity are refused). Then
every field is checked against the models below, so that what the game replays is of the types it
expects. Each fault is a SaveError: a ScenarioError (the file, the field as a dotted path such as
`history[3].tick` or `game.seed`, what was expected and what was found; the command line prints it and
exits 2) that is also a GameError, and, from Classroom.load, a ClassroomError, so that the callers that
catch those keep catching it.

Unknown fields are refused (extra="forbid"), not ignored: every field of a save is written by `save()`,
so one it does not write is a misspelling, a hand edit or a document of another kind, and ignoring it
would load something other than what the document seems to say. A field a later version adds comes with
the code that reads it (and is optional, as `digest` is, so that older saves still load).
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, Strict, ValidationError

from wargame.language.errors import ScenarioError
from wargame.language.yaml_source import dotted
from wargame.session.errors import ClassroomError, GameError

GAME_FORMAT = "wargame-game/1"
CLASSROOM_FORMAT = "wargame-classroom/1"

# Measured on real saves: a 90-day game of the seed scenario with all five actors seated and a note on
# each of its 354 decisions is 139 KB; a whole five-seat classroom of it (8 turns) with two forks,
# each keeping the game it left, is 255 KB. 16 MB is some sixty times the larger: room for a game played
# for the 3,650 days a run may last (about 5.6 MB at that rate) or a class that forked many times, while
# a file that is not a save is refused before it fills memory.
MAX_BYTES = 16_000_000
# Saves nest 4 (a game) to 7 (a classroom's fork) levels deep; an inject's custom effects add 3.
MAX_DEPTH = 32
MAX_DAYS = 3650  # as `--days`: the longest run
MAX_TICK = 10_000_000  # the resumes of a game: about 4 per day played
TEXT = "saved game"  # the `file` of a save given as text or as a mapping


class SaveError(ScenarioError, GameError):
    """A saved game that cannot be loaded, explained: the file (or "saved game" for text), the field,
    what was expected and what was found."""

    def inside(self, file: str, prefix: str, cls: type[SaveError]) -> SaveError:
        """The same fault seen from a document that holds this one under `prefix` (a classroom's game)."""
        field = prefix if not self.field else f"{prefix}.{self.field}"
        return cls(
            file,
            self.message,
            line=self.line,
            field=field,
            expected=self.expected,
            found=self.found,
            suggestion=self.suggestion,
        )


class ClassroomSaveError(SaveError, ClassroomError):
    """A saved classroom that cannot be loaded (what Classroom.load raises)."""


# ---------------------------------------------------------------- the two formats


class _Saved(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


Id = Annotated[str, Field(min_length=1, max_length=200)]
Who = Annotated[str, Field(max_length=200)]  # who holds a seat ("student", "alice", "player" ...)
Text = Annotated[str, Field(max_length=100_000)]  # a note, a reason, a justification
Digest = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Day = Annotated[int, Field(ge=0, le=MAX_DAYS)]
Tick = Annotated[int, Field(ge=0, le=MAX_TICK)]
Number = Annotated[float, Field(ge=-1e9, le=1e9)]
# A scheduled event is written as the list [day, event]: the list is read as a pair, its items strictly.
Scheduled = Annotated[
    tuple[Annotated[int, Strict(), Field(ge=0, le=MAX_DAYS)], Annotated[str, Strict()]],
    Strict(False),
]


class ScenarioRef(_Saved):
    name: Annotated[str, Field(min_length=1, max_length=4096)]  # a bundled name, or a path
    hash: Digest
    overrides: dict[Id, JsonValue] = Field(default_factory=dict)


class _Entry(_Saved):
    tick: Tick
    day: Day | None = None


class DecisionEntry(_Entry):
    kind: Literal["decision"]
    actor: Id
    move: bool | dict[Id, Id]  # accept (True) / reject (False), or a proposal {issue: level}
    owner: Who | None = None
    table: Id | None = None
    role: Literal["propose", "answer"] | None = None
    note: Text = ""


class InjectEntry(_Entry):
    kind: Literal["inject"]
    event: Id | None = None
    effects: list[dict[Id, JsonValue]] | None = None
    reason: Text


class OverrideEntry(_Entry):
    kind: Literal["override"]
    override: Id
    details: dict[Id, Id] = Field(default_factory=dict)
    reason: Text


class HandOverEntry(_Entry):
    kind: Literal["hand_over"]
    actor: Id
    owner: Who | None = None
    reason: Text = ""


class TakeBackEntry(_Entry):
    kind: Literal["take_back"]
    actor: Id
    owner: Who = "player"
    reason: Text = ""


class HoldEntry(_Entry):
    kind: Literal["hold"]
    event: Id
    on: Day  # the day it was scheduled for
    reason: Text


Entry = Annotated[
    DecisionEntry | InjectEntry | OverrideEntry | HandOverEntry | TakeBackEntry | HoldEntry,
    Field(discriminator="kind"),
]
KINDS = ("decision", "inject", "override", "hand_over", "take_back", "hold")


class GameSave(_Saved):
    """`Game.save()`'s document."""

    format: Literal["wargame-game/1"]
    scenario: ScenarioRef
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)]
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] | None = None
    scheduled: Annotated[list[Scheduled], Strict(False)] = Field(default_factory=list)
    seats: dict[Id, Who] = Field(default_factory=dict)
    tick: Tick
    day: Day | None = None
    history: list[Entry] = Field(default_factory=list)
    digest: Digest | None = None  # Game.digest() when saved (saves from before it have none)


class NoteSave(_Saved):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    day: Day
    actor: Id
    kind: Literal["answer", "propose", "unilateral", "end_turn", "standing_order"]
    table: Id | None = None
    move: JsonValue = None
    value: Number | None = None
    reservation: Number | None = None
    justification: Text = ""
    by: Literal["class", "model"] = "class"  # the model: a decision the facilitator forced
    at: Annotated[int, Field(ge=0, le=10_000_000)] = 0  # how many records the run had made by then


class StepSave(_Saved):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    day: Day
    kind: Literal[
        "hand_over", "take_back", "pause", "resume", "inject", "hold", "override", "force",
        "end_turn", "extend", "fork", "end_game",
    ]  # fmt: skip
    what: Text = ""
    reason: Text = ""
    at: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    time: Annotated[str, Field(max_length=40)] = ""


class MessageSave(_Saved):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    day: Day
    sender: Id
    to: Id
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    at: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    time: Annotated[str, Field(max_length=40)] = ""


class ClockSave(_Saved):
    allowed: Annotated[
        float, Field(ge=0, le=86_400)
    ]  # seconds the turn has (its minutes and extensions)
    spent: Annotated[float, Field(ge=0, le=10_000_000)]  # seconds run when saved
    running: bool


class EndSave(_Saved):
    day: Day
    turn: Annotated[int, Field(ge=0, le=10_000)]
    reason: Text


class OrderSave(_Saved):
    accept_at_least: Annotated[float, Field(ge=0, le=1)] | None = None
    propose: dict[Id, Id] | None = None
    why: Text = ""


class ForkSave(_Saved):
    turn: Annotated[int, Field(ge=0, le=10_000)]
    day: Day
    reason: Text
    left: GameSave  # the game the class left behind (kept for the record, not replayed on load)


class ClassroomSave(_Saved):
    """`Classroom.save()`'s document."""

    format: Literal["wargame-classroom/1"]
    exercise: Annotated[str, Field(max_length=4096)] | None = None  # where it was: never opened
    exercise_id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=200)]
    game: GameSave
    turn: Annotated[int, Field(ge=1, le=10_000)]
    ended: dict[Id, Text] = Field(default_factory=dict)
    paused: bool = False
    notes: list[NoteSave] = Field(default_factory=list)
    orders: dict[Id, OrderSave] = Field(default_factory=dict)
    forks: list[ForkSave] = Field(default_factory=list)
    steps: list[StepSave] = Field(default_factory=list)
    messages: list[MessageSave] = Field(default_factory=list)
    clock: ClockSave | None = None
    game_ended: EndSave | None = None  # the facilitator ended the game before its last turn
    saved: Annotated[str, Field(max_length=100)] | None = None
    digest: Digest | None = None  # Classroom.digest() when saved


# ---------------------------------------------------------------- reading


def read_game(source: Any, error: type[SaveError] = SaveError) -> tuple[GameSave, str]:
    """A saved game checked field by field, and the name of where it came from (for errors)."""
    if isinstance(source, GameSave):
        return source, TEXT
    doc, file = read_document(source, GAME_FORMAT, "a saved game", error)
    return _validated(GameSave, doc, file, "a saved game", error), file


def read_classroom(
    source: Any, error: type[SaveError] = ClassroomSaveError
) -> tuple[ClassroomSave, str]:
    """A saved classroom checked field by field, and the name of where it came from (for errors)."""
    if isinstance(source, ClassroomSave):
        return source, TEXT
    doc, file = read_document(source, CLASSROOM_FORMAT, "a saved classroom", error)
    return _validated(ClassroomSave, doc, file, "a saved classroom", error), file


def read_saved(
    source: str | Path | dict, fmt: str, what: str, error: type[Exception] = SaveError
) -> dict:
    """A saved document (its JSON text, a path to it, or the parsed dict), read within bounds and checked
    to be of format `fmt`. Its fields are not checked (read_game and read_classroom do that). The error
    is a SaveError, and also an `error` when that is a GameError or a ClassroomError."""
    return read_document(source, fmt, what, _save_error(error))[0]


def read_document(
    source: Any, fmt: str, what: str, error: type[SaveError] = SaveError
) -> tuple[dict, str]:
    """The parsed document of format `fmt` and the name of where it came from: a path (str or Path) read
    within bounds, JSON text (a str that starts with "{"), or an already parsed mapping."""
    if isinstance(source, dict):
        file, doc = TEXT, source
    elif isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        file = str(source)
        doc = parse_json(read_bounded(Path(source), what, error), file, what, error)
    elif isinstance(source, str):
        file = TEXT
        if len(source) > MAX_BYTES:
            raise error(
                file,
                f"not {what}: too large",
                expected=f"at most {MAX_BYTES:,} characters",
                found=f"{len(source):,}",
            )
        doc = parse_json(source, file, what, error)
    else:
        raise error(
            TEXT,
            f"not {what}",
            expected="its JSON text, a path to it or the parsed mapping",
            found=type(source).__name__,
        )
    _check_tree(doc, file, what, error)
    if not isinstance(doc, dict):
        raise error(file, f"not {what}", expected="a JSON object", found=f"a JSON {_kind(doc)}")
    if doc.get("format") != fmt:
        raise error(
            file,
            f"not {what}",
            field="format",
            expected=f"'{fmt}'",
            found=_short(doc["format"]) if "format" in doc else "no format",
        )
    return doc, file


def read_bounded(path: Path, what: str, error: type[SaveError] = SaveError) -> str:
    """The text of a regular file of at most MAX_BYTES, in UTF-8. What is not a regular file is refused
    from its stat (which follows links), before it is opened; the file is then opened without waiting
    and checked again, in case it was swapped for something else in between."""
    file = str(path)
    expected = f"a file holding {what}"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        found = "a link to nothing" if path.is_symlink() else "nothing"
        raise error(file, "file not found", expected=expected, found=found) from None
    except (OSError, ValueError) as exc:  # a loop of links, a name too long, no permission, a NUL
        raise error(file, "cannot be read", expected=expected, found=_reason(exc)) from None
    if stat.S_ISDIR(mode):
        raise error(file, "is a directory", expected=expected, found="a directory")
    if not stat.S_ISREG(mode):
        raise error(
            file,
            "is not a regular file",
            expected=expected,
            found="a device, pipe or socket (it would be read without end, or wait for ever)",
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise error(
                    file,
                    "is not a regular file",
                    expected=expected,
                    found="something else by the time it was opened",
                )
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error(file, "cannot be read", expected=expected, found=_reason(exc)) from None
    if len(raw) > MAX_BYTES:
        raise error(
            file,
            "file too large",
            expected=f"at most {MAX_BYTES:,} bytes (a saved game is tens or hundreds of kilobytes)",
            found=f"more than {MAX_BYTES:,} bytes",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(file, "not UTF-8 text", expected="UTF-8 JSON", found=str(exc)) from None


class _Constant(float):
    """NaN, Infinity or -Infinity as the JSON said it, kept until _check_tree refuses it by its field."""

    def __new__(cls, token: str) -> _Constant:
        number = super().__new__(cls, token)
        number.token = token
        return number

    def __repr__(self) -> str:
        return self.token


def parse_json(text: str, file: str, what: str, error: type[SaveError] = SaveError) -> Any:
    """Parsed JSON. Its non-finite numbers (NaN, Infinity, 1e999) and its nesting are refused, with their
    field, by _check_tree; much deeper input stops the parser itself (RecursionError), refused here."""
    try:
        return json.loads(text, parse_constant=_Constant)
    except RecursionError:
        raise error(
            file,
            f"not {what}: nested too deeply",
            expected=f"at most {MAX_DEPTH} levels of nesting",
            found="far more",
        ) from None
    except json.JSONDecodeError as exc:
        raise error(
            file,
            f"not {what}: not JSON",
            line=exc.lineno,
            expected="JSON",
            found=f"{exc.msg} (line {exc.lineno}, column {exc.colno})",
        ) from None
    except ValueError as exc:  # e.g. a number of thousands of digits
        raise error(
            file, f"not {what}: not JSON it can read", expected="JSON", found=str(exc)[:120]
        ) from None


def _check_tree(doc: Any, file: str, what: str, error: type[SaveError]) -> None:
    """At most MAX_DEPTH levels of nesting and only finite numbers (the parsed mapping given by a caller
    is checked too: it may hold a NaN, or contain itself)."""
    stack: list[tuple[Any, tuple]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict | list | tuple):
            if len(path) >= MAX_DEPTH:
                raise error(
                    file,
                    f"not {what}: nested too deeply",
                    field=dotted(path[:4]) + "...",
                    expected=f"at most {MAX_DEPTH} levels of nesting",
                    found=f"more than {MAX_DEPTH}",
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, (*path, k)) for k, v in items)
        elif isinstance(value, float) and not math.isfinite(value):
            raise error(
                file,
                f"not {what}: not a finite number",
                field=dotted(path) or None,
                expected="a finite number",
                found=repr(value),
            )


def _validated(model: type[_Saved], doc: dict, file: str, what: str, error: type[SaveError]):
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        raise _invalid(exc, doc, file, what, error) from None


def _invalid(
    exc: ValidationError, doc: dict, file: str, what: str, error: type[SaveError]
) -> SaveError:
    """The first fault pydantic found, as a SaveError naming the field as it is in the document."""
    first = exc.errors(include_url=False)[0]
    kind, loc = first["type"], list(first["loc"])
    path: list[str | int] = []
    node: Any = doc
    for i, part in enumerate(loc):  # keep the document's keys and indexes, skip union tags
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if inside:
            node = node[part]
        elif i == len(loc) - 1 and kind == "missing":
            node = None
        else:
            continue
        path.append(part)
    if kind.startswith("union_tag"):
        path.append("kind")
    field = dotted(tuple(path)) or None
    if kind == "missing":
        return error(file, f"not {what}: a field is missing", field=field, expected="this field")
    if kind == "extra_forbidden":
        return error(
            file,
            f"not {what}: a field a save does not have",
            field=field,
            expected="only the fields a save has",
            found=f"'{path[-1]}'" if path else "an unknown field",
        )
    if kind.startswith("union_tag"):
        return error(
            file,
            f"not {what}: an entry of an unknown kind",
            field=field,
            expected="one of " + ", ".join(KINDS),
            found=_short(node.get("kind")) if isinstance(node, dict) and "kind" in node else "none",
        )
    expected = first["msg"]
    for head in ("Input should be ", "Value should be "):
        expected = expected.removeprefix(head)
    return error(
        file, f"not {what}: a wrong value", field=field, expected=expected, found=_short(node)
    )


def _save_error(error: type[Exception]) -> type[SaveError]:
    if isinstance(error, type) and issubclass(error, SaveError):
        return error
    if isinstance(error, type) and issubclass(error, ClassroomError):
        return ClassroomSaveError
    return SaveError


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
