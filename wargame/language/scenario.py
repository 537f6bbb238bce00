"""Loading a scenario: find the file, read profiles, apply overrides, validate, cross-check references.

`read_scenario(name_or_path, overrides)` reads and checks everything the language says; every fault is a
ScenarioError. The engine adds its own checks (strategies exist and take their parameters) in
`wargame.engine.scenarios.load_scenario`, the entry point everyone else uses. The checks across sections
are in `wargame.language.cross_checks`; the actors' profiles are cross-checked here, where they are loaded.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from wargame.language.cross_checks import (
    Defined,
    Faults,
    check_conditions_and_effects,
    check_guarantees,
    check_issue_levels,
    check_key_questions,
    check_map,
    check_modes,
    check_network,
    check_outcome_order,
    check_sites,
    check_tables,
    check_unique_ids,
)
from wargame.language.errors import ScenarioError, closest
from wargame.language.schema import ActorProfile, ScenarioSpec
from wargame.language.yaml_source import LineMap, dotted, parse_yaml, read_yaml

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the wargame package


def data_dir(kind: str) -> Path:
    """The bundled `actors` or `scenarios` folder, from a wheel install or a source checkout."""
    for candidate in (PACKAGE_DIR / "_bundled" / kind, PACKAGE_DIR.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled folder '{kind}' not found beside {PACKAGE_DIR}")


def list_scenarios() -> list[str]:
    return sorted(p.stem for p in data_dir("scenarios").glob("*.yaml"))


DEFAULT_FILE = "default.txt"  # in the bundled scenarios folder: the name of the scenario to play


def default_scenario() -> str:
    """The bundled scenario played when none is named (`wargame ui`, `wargame.run()`, a WargameModel
    without one): the name written in the scenarios folder's default.txt (blank lines and lines starting
    with # aside), else the first bundled scenario by name."""
    bundled = list_scenarios()
    marker = data_dir("scenarios") / DEFAULT_FILE
    if not marker.is_file():
        if not bundled:
            raise ScenarioError(
                str(data_dir("scenarios")),
                "no scenario is bundled",
                expected="a scenario file (*.yaml) in the folder",
            )
        return bundled[0]
    for number, line in enumerate(marker.read_text(encoding="utf-8").splitlines(), 1):
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        if name not in bundled:
            raise ScenarioError(
                str(marker),
                "the default scenario is not bundled",
                line=number,
                expected=f"one of: {', '.join(bundled)}",
                found=name,
                suggestion=closest(name, bundled),
            )
        return name
    raise ScenarioError(
        str(marker),
        "no default scenario named",
        expected=f"a line with one of: {', '.join(bundled)}",
        found="nothing",
    )


def find_scenario(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists() or "/" in str(name_or_path):
        return p
    bundled = data_dir("scenarios") / f"{name_or_path}.yaml"
    if bundled.exists():
        return bundled
    raise ScenarioError(
        str(name_or_path),
        "no such scenario",
        expected=f"a YAML path or one of: {', '.join(list_scenarios())}",
        found=str(name_or_path),
        suggestion=closest(str(name_or_path), list_scenarios()),
    )


@dataclass
class Scenario:
    """A validated, cross-checked scenario with its actors' merged profiles, ready for the model."""

    spec: ScenarioSpec
    actors: list[ActorProfile]
    path: Path
    file_hash: str
    overrides: dict[str, Any] = field(default_factory=dict)
    # Offer spaces of its tables, built once per scenario and shared by every run (they never change).
    offer_spaces: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Likewise its issues and its condition lists read into tests (see WargameModel.compiled).
    compiled: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The line of each actor's entry in the file, for errors found after reading (a strategy unknown).
    actor_lines: dict[str, int | None] = field(default_factory=dict, repr=False, compare=False)
    table_lines: dict[str, int | None] = field(default_factory=dict, repr=False, compare=False)
    # The line of every field of the scenario's file, for the checks made after reading (the engine's).
    lines: LineMap | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.spec.id

    def actor(self, actor_id: str) -> ActorProfile:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def resolved(self) -> dict[str, Any]:
        """The whole scenario as plain data, profiles merged in (for manifests and save files). The
        sections that play no part in a run (the audit's key questions and certain, the map) only when
        the scenario has them."""
        data = self.spec.model_dump(mode="json", by_alias=True)
        data["actors"] = [a.model_dump(mode="json", by_alias=True) for a in self.actors]
        for section in READING_SECTIONS:
            if not data.get(section):
                data.pop(section, None)
        return data


# Sections that say how to read or draw a scenario's runs, not how they go: a run, a saved game and a
# resumed Monte Carlo are the same whatever they say, so the resolved hash leaves them out.
READING_SECTIONS = ("key_questions", "certain", "map")


# ---------------------------------------------------------------- overrides (--set PATH=VALUE)


def parse_set(items: list[str]) -> dict[str, Any]:
    """`PATH=VALUE` strings -> {path: value}; values are read as YAML scalars (numbers, true, text)."""
    out: dict[str, Any] = {}
    for item in items or []:
        if "=" not in item:
            raise ScenarioError(
                "--set", "override must be PATH=VALUE", expected="e.g. horizon_days=30", found=item
            )
        path, _, text = item.partition("=")
        path = path.strip()
        if not path:
            raise ScenarioError(
                "--set", "empty PATH in override", expected="PATH=VALUE", found=item
            )
        if path in out:
            raise ScenarioError(
                "--set",
                f"'{path}' is set twice (only the last would count)",
                expected="each path once",
                found=path,
            )
        if not text.strip():
            out[path] = ""
            continue
        try:  # read as a file is read: bounded, finite, valid dates (blamed on this --set)
            value, _ = parse_yaml(text, f"--set {path}")
        except ScenarioError as exc:
            if "YAML syntax error" not in exc.message:
                raise
            value = text  # not YAML: plain text
        out[path] = value
    return out


_PIECE = re.compile(r"([^\[\]]*)((?:\[-?[0-9]+\])*)")


def set_path_parts(path: str) -> list[str | int]:
    """A --set PATH in parts: `tables.deal.agenda[1]` -> ['tables', 'deal', 'agenda', 1]. A list item is
    named by its id (`sites.hub`) or its index (`sites[0]`, or `sites.0` when no item has that id)."""
    parts: list[str | int] = []
    for piece in path.split("."):
        match = _PIECE.fullmatch(piece)
        if match is None:
            raise ScenarioError(
                "--set",
                "not a path",
                field=path,
                expected="names joined by dots, a list item by its id or [index]: e.g. sites[0].personnel",
                found=piece,
            )
        name, indices = match.groups()
        if not name and not indices:
            raise ScenarioError(
                "--set",
                "an empty name in the path",
                field=path,
                expected="names joined by single dots: e.g. tables.deal.deadline_day",
                found=path,
            )
        if name:
            parts.append(name)
        parts.extend(int(i) for i in re.findall(r"-?[0-9]+", indices))
    return parts


def _out_of_range(path: str, index: int, items: list) -> ScenarioError:
    n = len(items)
    if n == 0:
        return ScenarioError(
            "--set",
            f"index {index} is out of range: the list is empty",
            field=path,
            expected="a list with items",
            found=str(index),
        )
    return ScenarioError(
        "--set",
        f"index {index} is out of range: the list has {n} item{'s' if n != 1 else ''} (0 to {n - 1})",
        field=path,
        expected=f"an index from 0 to {n - 1}",
        found=str(index),
    )


def _apply_override(raw: dict, path: str, value: Any) -> None:
    parts = set_path_parts(path)
    node: Any = raw
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            # list items are named by their id (aircraft by their type, actors by their profile) or index
            first = node[0] if node and isinstance(node[0], dict) else {}
            key = next((k for k in ("profile", "id", "type") if k in first), "id")
            index = part if isinstance(part, int) else None
            if index is None:
                matches = [
                    j
                    for j, item in enumerate(node)
                    if isinstance(item, dict) and item.get(key) == part
                ]
                names = [item.get(key) for item in node if isinstance(item, dict)]
                if matches:
                    index = matches[0]
                elif part.isascii() and part.isdigit():
                    index = int(part)
                elif not node:
                    raise ScenarioError(
                        "--set",
                        f"no item '{part}' in '{dotted(tuple(parts[:i]))}': the list is empty",
                        field=path,
                        expected="a list with items",
                        found=part,
                    )
                elif not names:
                    raise ScenarioError(
                        "--set",
                        f"no item '{part}' in '{dotted(tuple(parts[:i]))}'",
                        field=path,
                        expected=f"a list of values: name an item by its index, 0 to {len(node) - 1}",
                        found=part,
                    )
                else:
                    raise ScenarioError(
                        "--set",
                        f"no item '{part}' in '{dotted(tuple(parts[:i]))}'",
                        field=path,
                        expected=f"one of: {', '.join(map(str, names))} (or an index, 0 to {len(node) - 1})",
                        found=part,
                        suggestion=closest(part, names),
                    )
            if not 0 <= index < len(node):
                raise _out_of_range(path, index, node)
            if not isinstance(node[index], dict):
                if last:
                    node[index] = value
                    return
                raise ScenarioError(
                    "--set", "cannot descend into a value", field=path, found=repr(node[index])
                )
            node = node[index]
            if key == "profile":  # actor overrides go into the entry's overrides mapping
                node = node.setdefault("overrides", {})
            if last:
                raise ScenarioError(
                    "--set", "override must name a field, not a whole item", field=path
                )
            continue
        if not isinstance(node, dict):
            raise ScenarioError(
                "--set", "cannot descend into a value", field=path, found=repr(node)
            )
        if isinstance(part, int):
            raise ScenarioError(
                "--set",
                f"[{part}] names a list item, but '{dotted(tuple(parts[:i])) or 'the top level'}' is a mapping",
                field=path,
                expected=f"a name: one of {', '.join(map(str, node))}" if node else "a name",
                found=f"[{part}]",
            )
        if last:
            node[part] = value
        else:
            node = node.setdefault(part, {})


# ---------------------------------------------------------------- validation errors


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The pydantic model class that the location `loc` points into (for key suggestions)."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fld = current.model_fields.get(part) or next(
                (f for f in current.model_fields.values() if f.alias == part), None
            )
            if fld is None:
                return current
            current = fld.annotation
        current = _unwrap(current, part)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any, part: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0], part)
    if origin in (list, tuple):
        return typing.get_args(tp)[0]
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                return arg
    return tp


def _field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def validation_error(
    exc: ValidationError, model: type[BaseModel], file: str, lines: LineMap, prefix: tuple = ()
) -> ScenarioError:
    errors = exc.errors(include_url=False)
    # An unknown key is the likelier cause of a neighbouring 'missing' error (a misspelt field), so report it first.
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    branch = next(
        (k for k, p in enumerate(err["loc"]) if isinstance(p, str) and _union_label(p)), None
    )
    if branch is not None and isinstance(err.get("input"), dict):
        # a number or a prior, given a mapping: what is wrong is in the prior, not that it is no number
        field_of = err["loc"][:branch]
        err = next(
            (
                e
                for e in errors
                if e["loc"][:branch] == field_of
                and len(e["loc"]) > branch
                and _prior_branch(e["loc"][branch])
            ),
            err,
        )
    loc = tuple(
        p
        for p in err["loc"]
        if not (
            isinstance(p, str)
            and (p in ("fixed", "uniform", "triangular", "normal", "beta") or _union_label(p))
        )
    )
    kind = err["type"]
    full = (*prefix, *loc)
    line = lines.line_of(full)
    where = dotted(full)
    found = err.get("input")
    found_text = _show(found)
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        names = _field_names(parent)
        return ScenarioError(
            file,
            f"unknown key '{loc[-1]}'",
            line=line,
            field=where,
            expected=f"one of: {', '.join(names)}" if names else "a known key",
            found=str(loc[-1]),
            suggestion=closest(str(loc[-1]), names),
        )
    if kind == "missing":
        return ScenarioError(
            file,
            f"missing required field '{loc[-1]}'",
            line=line,
            field=where,
            expected="a value",
            found="nothing",
        )
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        ctx = err.get("ctx", {})
        return ScenarioError(
            file,
            "unknown distribution",
            line=line,
            field=where,
            expected=f"dist: one of {ctx.get('expected_tags', 'fixed, uniform, triangular, normal, beta')}",
            found=str(ctx.get("tag", found_text)),
            suggestion=closest(
                str(ctx.get("tag", "")), ["fixed", "uniform", "triangular", "normal", "beta"]
            ),
        )
    message = err["msg"].removeprefix("Value error, ")
    expected = message
    if kind == "literal_error":
        expected = message.removeprefix("Input should be ")
        message = "value not allowed"
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",")]
        return ScenarioError(
            file,
            message,
            line=line,
            field=where,
            expected=expected,
            found=found_text,
            suggestion=closest(str(found), options) if isinstance(found, str) else None,
        )
    if kind == "finite_number":
        return ScenarioError(
            file,
            "not a finite number",
            line=line,
            field=where,
            expected="a finite number",
            found=found_text,
        )
    range_kinds = {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "too_short",
        "too_long",
        "string_pattern_mismatch",
    }
    if kind.endswith(("_type", "_parsing")) or kind in range_kinds:
        return ScenarioError(
            file,
            "value out of range" if kind in range_kinds else "wrong type",
            line=line,
            field=where,
            expected=message.removeprefix("Input should be "),
            found=found_text,
        )
    return ScenarioError(
        file,
        message,
        line=line,
        field=where or None,
        expected=None,
        found=found_text if kind != "value_error" else None,
    )


def _prior_branch(part: Any) -> bool:
    return isinstance(part, str) and part.startswith("tagged-union[")


def _union_label(part: str) -> bool:
    """A name pydantic gives a branch of a union ('constrained-int', 'tagged-union[...]'), which the
    scenario's file does not write: left out of the field's path."""
    return part in ("int", "float", "bool", "str") or part.startswith(
        ("constrained-", "tagged-union[", "function-")
    )


def _blame_override(error: ScenarioError, overrides: dict[str, Any]) -> ScenarioError:
    """Point an error at the --set that caused it rather than at the file it was applied to."""
    if not error.field:
        return error
    leaf = error.field.split(".")[-1]
    for key in overrides:
        parts = key.split(".")
        if parts[-1] == leaf and error.field.startswith(parts[0]):
            error.file, error.line = f"--set {key}", None
            break
    return error


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


# ---------------------------------------------------------------- loading


def _profile_path(name: str, scenario_path: Path) -> Path | None:
    for folder in (
        scenario_path.parent / "actors",
        scenario_path.parent.parent / "actors",
        data_dir("actors"),
    ):
        candidate = folder / f"{name}.yaml"
        if (
            candidate.exists() or candidate.is_symlink()
        ):  # a broken link is reported, not passed over
            return candidate
    return None


def _known_profiles(scenario_path: Path) -> list[str]:
    names: set[str] = set()
    for folder in (
        scenario_path.parent / "actors",
        scenario_path.parent.parent / "actors",
        data_dir("actors"),
    ):
        if folder.is_dir():
            names.update(p.stem for p in folder.glob("*.yaml"))
    return sorted(names)


def _deep_merge(base: dict, extra: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if (
            k == "strategy"
            and isinstance(v, dict)
            and isinstance(out.get(k), dict)
            and v.get("name") not in (None, out[k].get("name"))
        ):
            out[k] = copy.deepcopy(
                v
            )  # a different strategy starts from its own defaults, not the old one's params
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_profile(path: str | Path) -> ActorProfile:
    raw, lines = read_yaml(path)
    return _validate_profile(raw, lines, str(path))


def _validate_profile(raw: Any, lines: LineMap, file: str, prefix: tuple = ()) -> ActorProfile:
    if not isinstance(raw, dict):
        raise ScenarioError(
            file,
            "top level must be a mapping",
            line=lines.line_of(prefix),
            expected="a mapping of fields",
            found=_show(raw),
        )
    try:
        return ActorProfile.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, ActorProfile, file, lines, prefix) from None


def read_scenario(
    name_or_path: str | Path, overrides: dict[str, Any] | list[str] | None = None
) -> Scenario:
    """Read, validate and cross-check a scenario and its actors. Raises ScenarioError on any fault."""
    if isinstance(overrides, list):
        overrides = parse_set(overrides)
    overrides = dict(overrides or {})
    path = find_scenario(name_or_path)
    file = str(path)
    raw, lines = read_yaml(path)
    if not isinstance(raw, dict):
        raise ScenarioError(
            file,
            "top level must be a mapping",
            line=1,
            expected="a mapping of fields",
            found=_show(raw),
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for key, value in overrides.items():
        _apply_override(raw, key, value)

    try:
        spec = ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        raise _blame_override(validation_error(exc, ScenarioSpec, file, lines), overrides) from None

    profiles: list[ActorProfile] = []
    places: dict[str, tuple[int, str, LineMap, dict]] = {}  # where each actor's values were written
    for i, entry in enumerate(spec.actors):
        ppath = _profile_path(entry.profile, path)
        if ppath is None:
            raise ScenarioError(
                file,
                f"no actor profile '{entry.profile}'",
                line=lines.line_of(("actors", i, "profile")),
                field=f"actors[{i}].profile",
                expected="a profile in actors/",
                found=entry.profile,
                suggestion=closest(entry.profile, _known_profiles(path)),
            )
        praw, plines = read_yaml(ppath)
        base = _validate_profile(praw, plines, str(ppath))
        if entry.overrides:
            _check_override_interests(
                entry.overrides, i, entry.profile, spec, file, lines, overrides
            )
            merged = _deep_merge(praw, entry.overrides)
            try:
                base = ActorProfile.model_validate(merged)
            except ValidationError as exc:
                error = validation_error(exc, ActorProfile, file, lines, ("actors", i, "overrides"))
                raise _blame_override(error, overrides) from None
        if base.id != entry.profile:
            raise ScenarioError(
                str(ppath),
                "profile id must match its file name",
                line=plines.line_of(("id",)),
                field="id",
                expected=entry.profile,
                found=base.id,
            )
        profiles.append(base)
        places.setdefault(base.id, (i, str(ppath), plines, entry.overrides))

    scenario = Scenario(
        spec=spec,
        actors=profiles,
        path=path,
        file_hash=digest,
        overrides=overrides,
        actor_lines={p.id: lines.line_of(("actors", i)) for i, p in enumerate(profiles)},
        table_lines={
            t.id: lines.line_of(("tables", i, "agenda")) for i, t in enumerate(spec.tables)
        },
        lines=lines,
    )
    _cross_check(scenario, lines, file, places, overrides)
    return scenario


def _check_override_interests(
    given: dict,
    i: int,
    profile: str,
    spec: ScenarioSpec,
    file: str,
    lines: LineMap,
    overrides: dict,
) -> None:
    """An actor's overrides are written for this scenario: the interests they name must be its issues (a
    misspelt one would add an interest nothing reads, and change nothing without a word)."""
    interests = given.get("interests")
    if not isinstance(interests, dict):
        return  # not a mapping: the profile's validation says so
    issues = [issue.id for issue in spec.issues]
    for name in interests:
        if name in issues:
            continue
        error = ScenarioError(
            file,
            f"actor '{profile}': an override of the interest in '{name}', which is no issue of this scenario",
            line=lines.line_of(("actors", i, "overrides", "interests", name)),
            field=f"actors[{i}].overrides.interests.{name}",
            expected=f"one of: {', '.join(issues)}",
            found=str(name),
            suggestion=closest(str(name), issues),
        )
        for key in overrides:  # put there by a --set: blame it
            try:
                parts = set_path_parts(key)
            except ScenarioError:
                continue
            if (
                len(parts) >= 4
                and parts[0] == "actors"
                and parts[1] in (profile, i, str(i))
                and parts[2:4] == ["interests", name]
            ):
                error.file, error.line = f"--set {key}", None
                break
        raise error


def resolved_hash(sc: Scenario) -> str:
    """SHA-256 of the whole resolved scenario (profiles and overrides merged in), but for the sections
    that only say how to read or draw its runs (READING_SECTIONS)."""
    data = {k: v for k, v in sc.resolved().items() if k not in READING_SECTIONS}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


# ---------------------------------------------------------------- cross-references


def _cross_check(
    sc: Scenario,
    lines: LineMap,
    file: str,
    places: dict[str, tuple[int, str, LineMap, dict]] | None = None,
    overrides: dict[str, Any] | None = None,
) -> None:
    """Check what the schema cannot, in this order (the first fault found is the one reported)."""
    spec, faults = sc.spec, Faults(file, lines)
    defined = check_unique_ids(spec, sc.actors, faults)
    check_issue_levels(spec, faults)
    check_sites(spec, faults, defined)
    check_map(spec, faults)
    check_modes(spec, faults)
    check_network(spec, faults, defined)
    check_tables(spec, faults, defined)
    check_guarantees(spec, faults, defined)
    check_conditions_and_effects(spec, faults, defined)
    check_outcome_order(spec, faults)
    check_key_questions(spec, faults, defined)
    _check_actor_profiles(sc, defined, _ActorValues(file, lines, places, overrides or {}))


@dataclass
class _ActorValues:
    """Where each actor's merged values were written, to blame an error on what wrote it."""

    file: str
    lines: LineMap
    places: dict[str, tuple[int, str, LineMap, dict]] | None  # see read_scenario
    overrides: dict[str, Any]

    def error(self, actor_id: str, rest: tuple, message: str, **details) -> ScenarioError:
        """An error in an actor's merged values, blamed where the value was written: the scenario's
        override of it (or the --set that made that override), or else the actor's profile."""
        if self.places is None or actor_id not in self.places:
            return ScenarioError(self.file, message, field=f"{actor_id}.{dotted(rest)}", **details)
        i, pfile, plines, given = self.places[actor_id]
        node: Any = given
        for part in rest:
            if not (isinstance(node, dict) and part in node):
                return ScenarioError(
                    pfile, message, line=plines.line_of(rest), field=dotted(rest), **details
                )
            node = node[part]
        where = ("actors", i, "overrides", *rest)
        error = ScenarioError(
            self.file, message, line=self.lines.line_of(where), field=dotted(where), **details
        )
        return _blame_override(error, self.overrides)


def _check_actor_profiles(sc: Scenario, defined: Defined, values: _ActorValues) -> None:
    """Each actor in turn: its trust, then its interests (its strategy is the engine's to check)."""
    # profiles are reused across scenarios: trust may name an actor absent here, but not one that exists
    # nowhere (a misspelt name would be silently ignored)
    known_actors = set(defined.actors) | set(_known_profiles(sc.path))
    for actor in sc.actors:
        _check_trust(actor, defined.actors, known_actors, values)
        for issue_id, interest in actor.interests.items():
            issue = defined.issue_by_id.get(issue_id)
            if issue is None:
                continue  # profiles are reused across scenarios; interests in absent issues are ignored
            _check_ideal(actor, issue, interest, values)
            _check_value_map(actor, issue, interest, values)


def _check_trust(
    actor: ActorProfile, actors: set[str], known_actors: set[str], values: _ActorValues
) -> None:
    """An actor's trust is towards actors with a profile."""
    for other in actor.trust:
        if other not in known_actors:
            raise values.error(
                actor.id,
                ("trust", other),
                f"actor '{actor.id}': trust towards '{other}', who has no profile",
                expected=f"an actor with a profile, e.g. one of: {', '.join(sorted(actors - {actor.id}))}",
                found=other,
                suggestion=closest(other, sorted(known_actors)),
            )


def _check_ideal(actor: ActorProfile, issue, interest, values: _ActorValues) -> None:
    """An actor's ideal on an issue is one of its levels, or within its range."""
    if issue.kind == "ordinal":
        labels = [lv.id for lv in issue.levels]
        ok = interest.ideal in labels or (
            isinstance(interest.ideal, int) and 0 <= interest.ideal < len(labels)
        )
        if not ok:
            raise values.error(
                actor.id,
                ("interests", issue.id, "ideal"),
                f"actor '{actor.id}': ideal on issue '{issue.id}' is not a level of it",
                expected=f"one of: {', '.join(labels)}",
                found=_show(interest.ideal),
                suggestion=closest(str(interest.ideal), labels),
            )
    else:
        lo, hi = issue.range
        if isinstance(interest.ideal, str) or not lo <= interest.ideal <= hi:  # no float(): 10**400
            raise values.error(
                actor.id,
                ("interests", issue.id, "ideal"),
                f"actor '{actor.id}': ideal on issue '{issue.id}' outside its range",
                expected=f"a number in [{lo}, {hi}]",
                found=_show(interest.ideal),
            )


def _check_value_map(actor: ActorProfile, issue, interest, values: _ActorValues) -> None:
    """An actor's value map of an issue gives a value for each of its levels, and for nothing else."""
    if interest.values is None:
        return
    labels = [lv.id for lv in issue.levels or []]
    missing = [lv for lv in labels if lv not in interest.values]
    if missing and not [k for k in interest.values if k not in labels]:
        raise values.error(
            actor.id,
            ("interests", issue.id, "values"),
            f"actor '{actor.id}': the value map of '{issue.id}' leaves out {', '.join(missing)}",
            expected=f"a value for each level: {', '.join(labels)}",
            found=f"{len(interest.values)} of {len(labels)}",
        )
    for label in interest.values:
        if label not in labels:
            raise values.error(
                actor.id,
                ("interests", issue.id, "values", label),
                f"actor '{actor.id}': a value for '{label}', which is no level of '{issue.id}'",
                expected=f"one of: {', '.join(labels)}",
                found=label,
                suggestion=closest(label, labels),
            )
