"""A scenario as the engine takes it: read by the scenario language, then checked for what only the
engine knows (each actor's strategy exists and takes its parameters). Every layer above the engine loads
scenarios here."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from wargame.engine.bargaining.strategies import REGISTRY, make_strategy
from wargame.engine.records import occurrence_names
from wargame.language.errors import ScenarioError, closest
from wargame.language.scenario import (
    Scenario,
    data_dir,
    default_scenario,
    find_scenario,
    read_scenario,
)
from wargame.language.yaml_source import dotted


def load_scenario(
    name_or_path: str | Path, overrides: dict[str, Any] | list[str] | None = None
) -> Scenario:
    """Read, validate and cross-check a scenario, its actors and their strategies. Raises ScenarioError on
    any fault."""
    scenario = read_scenario(name_or_path, overrides)
    check_occurrences(scenario)
    check_certain(scenario)
    check_strategies(scenario)
    check_bilateral(scenario)
    check_offer_spaces(scenario)
    check_day_zero(scenario)
    return scenario


def check_day_zero(scenario: Scenario) -> None:
    """Everything a run does up to day 0 (priors drawn, the ground, routes and fleets, the tables and
    their offer spaces), done once here: a scenario that loads never fails at the start of a run for a
    reason in its file. What is built is kept with the scenario and shared by its runs."""
    from wargame.engine.model import WargameModel

    try:
        WargameModel(scenario, rng=0, narrate=False)
    except (ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise ScenarioError(
            str(scenario.path),
            "the scenario cannot be set up for a run",
            expected="a scenario whose parts fit together",
            found=f"{type(exc).__name__}: {exc}",
        ) from None


def check_offer_spaces(scenario: Scenario) -> None:
    """Each table's offers are listed once, before the run: an agenda with more combinations of levels
    than that allows is refused here, not when a run starts."""
    from wargame.engine.bargaining.agenda import MAX_OFFERS, Issue, budget_split

    issues = {i.id: Issue.from_spec(i) for i in scenario.spec.issues}
    for i, table in enumerate(scenario.spec.tables):
        size = 1
        for item in table.agenda:
            size *= issues[item].size
        if size <= MAX_OFFERS:
            continue
        profiles = [scenario.actor(p) for p in table.participants]
        budget = (table.budget.issues, table.budget.total) if table.budget else None
        split = budget_split([issues[item] for item in table.agenda], profiles, budget)
        if split is not None and table.protocol == "single_text":
            raise ScenarioError(
                str(scenario.path),
                f"table '{table.id}': a budget split this fine is not listed, and a mediator amends a "
                "text step by step through a listed agenda",
                line=scenario.table_lines.get(table.id),
                field=f"tables[{i}].protocol",
                expected="alternating offers, or fewer steps on the shares",
                found="single_text",
            )
        if split is None:
            raise ScenarioError(
                str(scenario.path),
                f"table '{table.id}': its agenda has too many offers to list",
                line=scenario.table_lines.get(table.id),
                field=f"tables[{i}].agenda",
                expected=f"at most {MAX_OFFERS:,} combinations of the issues' levels (fewer steps "
                "on a continuous issue, or fewer issues)",
                found=f"{size:,}",
            )


def check_bilateral(scenario: Scenario) -> None:
    """A strategy made for two-party tables sits only at tables of two."""
    strategy = {a.id: a.strategy.name for a in scenario.actors}
    for table in scenario.spec.tables:
        if len(table.participants) <= 2:
            continue
        for actor in table.participants:
            if REGISTRY[strategy[actor]].bilateral_only:
                raise ScenarioError(
                    str(scenario.path),
                    f"actor '{actor}': strategy '{strategy[actor]}' is for two-party tables, and "
                    f"'{table.id}' seats {len(table.participants)}",
                    line=scenario.actor_lines.get(actor),
                    field=f"{actor}.strategy.name",
                    expected="a strategy for any table (e.g. baron_ferejohn, linear), or a table of two",
                    found=strategy[actor],
                )


def occurrence_vocabulary(scenario: Scenario) -> set[str]:
    """Every occurrence a run of this scenario can count: those its records declare (engine/records.py),
    its events' own ids, and those its effects declare."""
    spec = scenario.spec
    names = occurrence_names([t.id for t in spec.tables], [e.id for e in spec.events])
    for group in (spec.events, [lv for iss in spec.issues for lv in (iss.levels or [])]):
        for item in group:
            names |= {eff.occurrence for eff in item.effects if eff.occurrence}
    return names


def check_occurrences(scenario: Scenario) -> None:
    """A condition that names an occurrence no run can count would never hold (or always): refused, at
    its line, with the near-miss."""
    known = occurrence_vocabulary(scenario)
    spec = scenario.spec
    for section, items, conditions in (
        ("events", spec.events, "when"),
        ("milestones", spec.milestones, "when"),
        ("outcomes", spec.outcomes, "when"),
        ("key_questions", spec.key_questions, "yes_if"),
    ):
        for i, item in enumerate(items):
            for j, c in enumerate(getattr(item, conditions)):
                for key in ("occurred", "not_occurred"):
                    name = getattr(c, key, None)
                    if name is None or name in known:
                        continue
                    path = (section, i, conditions, j, key)
                    raise ScenarioError(
                        str(scenario.path),
                        f"reference to undefined occurrence '{name}'",
                        line=scenario.lines.line_of(path) if scenario.lines else None,
                        field=dotted(path),
                        expected=f"one of: {', '.join(sorted(known))}",
                        found=str(name),
                        suggestion=closest(str(name), sorted(known)),
                    )


def audit_items(scenario: Scenario) -> list[str]:
    """Every id a scenario's `certain:` may name: each decision (engine/decisions.py), each of its
    options ('DECISION / OPTION', its 'otherwise' too), 'milestone ID' and 'outcome ID'."""
    from wargame.engine.decisions import catalogue, item_id

    ids = []
    for name, decision in catalogue(scenario).items():
        ids.append(name)
        options = (*decision.options, *([decision.otherwise] if decision.otherwise else []))
        ids += [item_id(name, option) for option in options]
    ids += [f"milestone {m.id}" for m in scenario.spec.milestones]
    ids += [f"outcome {o.id}" for o in scenario.spec.outcomes]
    return ids


def check_certain(scenario: Scenario) -> None:
    """Each `certain:` entry names an item of the decision audit (a misspelt one would leave the item
    flagged and the reason unread). Checked on the scenario as written: an override may take away what
    an entry names (`--set guarantees=[]` leaves no guarantee to call on), and then the reason simply
    has nothing to explain."""
    if not scenario.spec.certain or scenario.overrides:
        return
    known = audit_items(scenario)
    for name in scenario.spec.certain:
        if name in known:
            continue
        path = ("certain", name)
        raise ScenarioError(
            str(scenario.path),
            f"'{name}' names no item of the decision audit",
            line=scenario.lines.line_of(path) if scenario.lines else None,
            field=dotted(path),
            expected="'DECISION / OPTION' or 'DECISION' as `wargame audit` lists them (e.g. "
            f"'{known[0]}'), 'milestone ID' or 'outcome ID'",
            found=name,
            suggestion=closest(name, known),
        )


def check_strategies(scenario: Scenario) -> None:
    file = str(scenario.path)
    for actor in scenario.actors:
        line = scenario.actor_lines.get(actor.id)
        try:
            make_strategy(actor.strategy.name, actor.strategy.params)
        except KeyError:
            raise ScenarioError(
                file,
                f"actor '{actor.id}': unknown strategy '{actor.strategy.name}'",
                line=line,
                field=f"{actor.id}.strategy.name",
                expected=f"one of: {', '.join(REGISTRY)}",
                found=actor.strategy.name,
                suggestion=closest(actor.strategy.name, REGISTRY),
            ) from None
        except (TypeError, ValueError) as exc:
            raise ScenarioError(
                file,
                f"actor '{actor.id}': bad parameters for strategy '{actor.strategy.name}'",
                line=line,
                field=f"{actor.id}.strategy.params",
                expected="parameters the strategy takes",
                found=str(exc),
            ) from None


CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, str], tuple[str, Scenario]] = OrderedDict()
_cache_lock = threading.Lock()


def _fingerprint(path: Path) -> str:
    """What the scenario read from: its file's bytes, and those of the actor profiles' files it may have
    read (a clock's tick may not tell two writes apart; their bytes do). Another edit, another
    fingerprint."""
    h = hashlib.sha256(path.read_bytes())
    for folder in (path.parent / "actors", path.parent.parent / "actors", data_dir("actors")):
        if folder.is_dir():
            for f in sorted(folder.glob("*.yaml")):
                h.update(str(f).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def forget_scenarios() -> None:
    """Empty this process's cache of scenarios (the next load reads every file again)."""
    with _cache_lock:
        _cache.clear()


def cached_scenario(name: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """load_scenario, remembered per process for the same name, overrides and content: runs of a Monte
    Carlo share one validated scenario and its offer spaces, and a file edited since it was read is read
    again (so a page's one run and its many runs never play two versions of one file)."""
    key = (str(name), json.dumps(overrides or {}, sort_keys=True, default=str))
    try:
        stamp = _fingerprint(find_scenario(name).resolve())
    except (OSError, ScenarioError):
        return load_scenario(name, overrides)  # it says what is wrong, in its words
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == stamp:
            _cache.move_to_end(key)
            return hit[1]
    scenario = load_scenario(name, json.loads(key[1]))
    with _cache_lock:
        _cache[key] = (stamp, scenario)
        _cache.move_to_end(key)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return scenario


def resolve_scenario(
    scenario: Scenario | str | Path | None, overrides: dict | None = None
) -> Scenario:
    """A Scenario from a Scenario, a bundled name or a path (default: the bundled default scenario,
    `default_scenario()`), with overrides."""
    if isinstance(scenario, Scenario):
        if overrides:
            return load_scenario(scenario.path, {**scenario.overrides, **overrides})
        return scenario
    return cached_scenario(scenario or default_scenario(), overrides)
