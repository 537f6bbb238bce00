"""Teaching exercises: which scenario a class plays, who sits where, what each seat is told, how the turns
run, which injects come when, and what the debrief asks. YAML under scenarios/exercises/, read and checked
like a scenario (a fault names the file, the line, the field, what was expected and what was found).
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wargame.language.errors import ScenarioError, closest
from wargame.language.scenario import (
    Scenario,
    _show,
    data_dir,
    read_scenario,
    validation_error,
)
from wargame.language.yaml_source import read_yaml

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Briefing(Strict):
    """What a seat is told privately: what the actor knows, wants and fears, and its red lines."""

    role: Text  # who you are, in a sentence or two
    knows: list[Text] = Field(min_length=1)
    wants: list[Text] = Field(min_length=1)
    fears: list[Text] = Field(min_length=1)
    red_lines: list[Text] = Field(default_factory=list)


class Seat(Strict):
    actor: str
    briefing: Briefing


class Inject(Strict):
    """An event the control cell fires at the start of a day, whatever the dice say."""

    day: int = Field(ge=1, le=3650)
    event: str
    reason: Text


class ExerciseSpec(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Text
    scenario: str  # a bundled scenario's name, or a path relative to the exercise file
    seed: int = Field(0, ge=0, le=2**63 - 1)
    minutes: int = Field(ge=10, le=600, description="how long a session of it takes")
    learning_objectives: list[Text] = Field(min_length=1)
    seats: list[Seat] = Field(min_length=1, max_length=12)
    days_per_turn: int = Field(ge=1, le=90)
    turns: int = Field(ge=1, le=100, description="turns a session plays (the debrief follows)")
    turn_minutes: int = Field(
        ge=1, le=120, description="the deadline of a turn, shown to the seats"
    )
    injects: list[Inject] = Field(default_factory=list)
    debrief_questions: list[Text] = Field(min_length=1)
    record: str | None = Field(
        None,
        description="a dated, sourced record of what really happened after the start date "
        "(scenarios/records/...), for the debrief only: never an input",
    )
    monte_carlo_runs: int = Field(
        1000, ge=50, le=20000, description="runs behind the debrief's tree"
    )
    table_meets_every: dict[str, Annotated[int, Field(ge=1, le=365)]] = Field(
        default_factory=dict,
        description="per table of the scenario: how many days apart it meets in this exercise (the "
        "table's meets_every), so that a turn holds as many decisions as a class can take",
    )


class RecordEntry(Strict):
    """One dated, sourced entry of an exercise's record of what really happened."""

    date: datetime.date
    what: Text
    source: Text


class Exercise:
    """A checked exercise: its spec, its file, the scenario it plays and its record (the entries of the
    record file it names, read and checked with it, as plain data: {date: 'YYYY-MM-DD', what, source})."""

    def __init__(
        self,
        spec: ExerciseSpec,
        path: Path,
        scenario: Scenario,
        record: list[dict[str, Any]] | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self.spec, self.path, self.scenario = spec, path, scenario
        self.record: list[dict[str, Any]] = list(record or [])
        # The exercise's settings of its scenario as overrides ({path: value}, empty when none): `scenario`
        # has them applied; another run of the scenario (the review's simulated games) takes them to play
        # the class's game.
        self.overrides: dict[str, Any] = dict(overrides or {})

    @property
    def id(self) -> str:
        return self.spec.id

    def seat(self, actor: str) -> Seat:
        return next(s for s in self.spec.seats if s.actor == actor)

    @property
    def seated(self) -> list[str]:
        return [s.actor for s in self.spec.seats]

    @property
    def model_plays(self) -> list[str]:
        return [a.id for a in self.scenario.actors if a.id not in self.seated]

    def schedule(self) -> list[tuple[int, str]]:
        """The injects as (day, event): they happen at the start of their day whatever the dice say."""
        return [(i.day, i.event) for i in self.spec.injects]

    def record_path(self) -> Path | None:
        if self.spec.record is None:
            return None
        path = self.path.parent / self.spec.record
        try:
            return path.resolve()
        except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL: the reader says which
            return Path(os.path.abspath(path))


def list_exercises() -> list[str]:
    folder = data_dir("scenarios") / "exercises"
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def find_exercise(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        if not path.is_file():
            raise ScenarioError(
                str(path), "no such exercise file", expected="an existing YAML file"
            )
        return path
    bundled = data_dir("scenarios") / "exercises" / f"{name_or_path}.yaml"
    if bundled.is_file():
        return bundled
    names = list_exercises()
    raise ScenarioError(
        str(name_or_path),
        "no such exercise",
        expected="a YAML path or one of: " + ", ".join(names),
        found=str(name_or_path),
        suggestion=closest(str(name_or_path), names),
    )


def read_exercise(name_or_path: str | Path) -> Exercise:
    """Read and check an exercise and the scenario it plays; ScenarioError on any fault."""
    path = find_exercise(name_or_path)
    file = str(path)
    raw, lines = read_yaml(path)
    if not isinstance(raw, dict):
        raise ScenarioError(
            file, "top level must be a mapping", line=1, expected="a mapping of fields"
        )
    try:
        spec = ExerciseSpec.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, ExerciseSpec, file, lines) from None

    def fail(where: tuple, message: str, expected: str, found: str) -> ScenarioError:
        return ScenarioError(
            file,
            message,
            line=lines.line_of(where),
            field=".".join(str(p) for p in where),
            expected=expected,
            found=found,
        )

    relative = path.parent / spec.scenario
    try:
        scenario = read_scenario(
            relative if relative.suffix in (".yaml", ".yml") else spec.scenario
        )
    except ScenarioError as exc:
        # the scenario's own fault, with its place, under the exercise's field
        where = exc.file if exc.line is None else f"{exc.file}:{exc.line}"
        inner = f"{where}: {exc.message}" + (f" (field '{exc.field}')" if exc.field else "")
        raise fail(
            ("scenario",),
            f"its scenario does not load: {inner}",
            "a valid scenario",
            _seen(spec.scenario) if exc.found is None else f"{_seen(spec.scenario)} ({exc.found})",
        ) from None
    tables = [t.id for t in scenario.spec.tables]
    for table in spec.table_meets_every:
        if table not in tables:
            raise fail(
                ("table_meets_every", table),
                "no such table in the scenario",
                "one of: " + ", ".join(tables)
                if tables
                else "a table of the scenario (it has none)",
                _seen(table),
            )
    overrides = _overrides(spec, tables)
    if overrides:  # the scenario as the class plays it
        scenario = read_scenario(scenario.path, overrides)
    actors = [a.id for a in scenario.actors]
    seen: set[str] = set()
    for i, seat in enumerate(spec.seats):
        if seat.actor not in actors:
            raise fail(
                ("seats", i, "actor"),
                "no such actor in the scenario",
                "one of: " + ", ".join(actors),
                seat.actor,
            )
        if seat.actor in seen:
            raise fail(("seats", i, "actor"), "a seat twice", "each actor at most once", seat.actor)
        seen.add(seat.actor)
    events = [e.id for e in scenario.spec.events]
    horizon = spec.days_per_turn * spec.turns
    for i, inject in enumerate(spec.injects):
        if inject.event not in events:
            raise fail(
                ("injects", i, "event"),
                "no such event in the scenario",
                "one of: " + ", ".join(events),
                inject.event,
            )
        if inject.day > scenario.spec.horizon_days:
            raise fail(
                ("injects", i, "day"),
                "after the scenario's horizon",
                f"a day up to {scenario.spec.horizon_days}",
                str(inject.day),
            )
        if inject.day > horizon:
            raise fail(
                ("injects", i, "day"),
                "after the exercise's last turn (it would never happen)",
                f"a day up to {horizon} (days_per_turn x turns)",
                str(inject.day),
            )
    if horizon > scenario.spec.horizon_days:
        raise fail(("turns",), "the turns run past the scenario's horizon",
                   f"days_per_turn x turns <= {scenario.spec.horizon_days}", f"{spec.days_per_turn} x {spec.turns} = {horizon}")  # fmt: skip
    exercise = Exercise(spec, path, scenario, overrides=overrides)
    record = exercise.record_path()
    if record is not None:
        if not (record.exists() or record.is_symlink()):  # a broken link is the reader's to report
            raise fail(
                ("record",),
                "no such record file",
                "a path relative to the exercise file",
                _seen(spec.record),
            )
        exercise.record = read_record(record)
    return exercise


def _overrides(spec: ExerciseSpec, tables: list[str]) -> dict[str, Any]:
    """The exercise's settings of its scenario's tables (ids in `tables`), as overrides {path: value}: a
    table named by its id, or by its index where the id is no plain name."""
    out: dict[str, Any] = {}
    for table, every in spec.table_meets_every.items():
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table)
        at = f"tables.{table}" if plain else f"tables[{tables.index(table)}]"
        out[f"{at}.meets_every"] = every
    return out


def _seen(text: str) -> str:
    """Text as it can be shown: a NUL or another control character escaped."""
    return text if text.isprintable() else repr(text)[1:-1]


def read_record(path: str | Path) -> list[dict[str, Any]]:
    """An exercise's record, read by the bounded reader and checked: a list of {date, what, source}, each
    entry as plain data with its date as 'YYYY-MM-DD'. ScenarioError (naming the record's file and line)
    on any fault."""
    file = str(path)
    raw, lines = read_yaml(path)
    if not isinstance(raw, list):
        raise ScenarioError(
            file,
            "a record is a list of dated entries",
            line=lines.line_of(()),
            expected="a list of {date, what, source}",
            found=_show(raw),
        )
    entries = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ScenarioError(
                file,
                "not a dated entry",
                line=lines.line_of((i,)),
                field=f"[{i}]",
                expected="a mapping {date, what, source}",
                found=_show(item),
            )
        try:
            entry = RecordEntry.model_validate(item)
        except ValidationError as exc:
            raise validation_error(exc, RecordEntry, file, lines, (i,)) from None
        entries.append(entry.model_dump(mode="json"))
    return entries
