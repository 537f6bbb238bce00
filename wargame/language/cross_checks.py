"""Cross-checks of a scenario, after the schema: what one section says of another.

Every reference names something defined (an actor, a site, a road, an air route, a table, an issue and
its levels, a milestone), every id is used once, and values fit what they name (a level of the issue, a
day after the talks open, terms within the budget). The checks run in the order `read_scenario` calls
them, and the first fault found is the one reported, a ScenarioError at its line. The actors' profiles
are checked where they are loaded (`wargame.language.scenario`), since an error there is blamed on the
file or override that wrote the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from wargame.language.errors import ScenarioError, closest
from wargame.language.schema import (
    MAX_PERSONNEL,
    MAX_TONNES,
    ActorProfile,
    Condition,
    Effect,
    IssueSpec,
    ScenarioSpec,
    TableSpec,
)
from wargame.language.yaml_source import LineMap, dotted


@dataclass
class Faults:
    """Raises the cross-checks' errors, each at its line and field in the scenario's file."""

    file: str
    lines: LineMap

    def fail(self, path: tuple, what: str, found: str, known, kind: str) -> None:
        """A reference to a `kind` not among `known`."""
        known = list(known)
        raise ScenarioError(
            self.file,
            f"reference to undefined {kind} '{found}'",
            line=self.lines.line_of(path),
            field=dotted(path),
            expected=f"one of: {', '.join(map(str, known))}",
            found=str(found),
            suggestion=closest(str(found), known),
        )

    def check(self, value, path: tuple, known, kind: str) -> None:
        """A reference, if given, names one of `known`."""
        if value is not None and value not in known:
            self.fail(path, kind, value, sorted(known), kind)

    def wrong(self, path: tuple, message: str, expected: str, found) -> None:
        """A value the scenario's other values rule out."""
        raise ScenarioError(
            self.file,
            message,
            line=self.lines.line_of(path),
            field=".".join(str(p) for p in path),
            expected=expected,
            found=str(found),
        )


@dataclass(frozen=True)
class Defined:
    """The names each section defines, which the others may refer to."""

    actors: set[str]
    issues: set[str]
    sites: set[str]
    roads: set[str]
    routes: set[str]
    aircraft: set[str]
    tables: set[str]
    milestones: set[str]
    issue_by_id: dict[str, IssueSpec]
    grants: dict[str, set[str]]  # the actors who may grant overflight on each air route


def _unique(items, key: str, section: str, faults: Faults) -> set[str]:
    """The ids of a section, each used once."""
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise ScenarioError(
                faults.file,
                f"duplicate id '{value}' in {section}",
                line=faults.lines.line_of((section, i, key)),
                field=f"{section}[{i}].{key}",
                expected="ids that differ",
                found=f"'{value}' already used by {section}[{seen[value]}]",
            )
        seen[value] = i
    return set(seen)


def check_unique_ids(spec: ScenarioSpec, actors: list[ActorProfile], faults: Faults) -> Defined:
    """No two actors, issues, sites, ... share an id; returns the ids each section defines."""
    actor_ids = _unique(actors, "id", "actors", faults)
    issues = _unique(spec.issues, "id", "issues", faults)
    sites = _unique(spec.sites, "id", "sites", faults)
    roads = _unique(spec.roads, "id", "roads", faults)
    routes = _unique(spec.air_routes, "id", "air_routes", faults)
    aircraft = _unique(spec.aircraft, "type", "aircraft", faults)
    tables = _unique(spec.tables, "id", "tables", faults)
    _unique(spec.guarantees, "id", "guarantees", faults)
    _unique(spec.events, "id", "events", faults)
    milestones = _unique(spec.milestones, "id", "milestones", faults)
    _unique(spec.outcomes, "id", "outcomes", faults)
    return Defined(
        actors=actor_ids,
        issues=issues,
        sites=sites,
        roads=roads,
        routes=routes,
        aircraft=aircraft,
        tables=tables,
        milestones=milestones,
        issue_by_id={i.id: i for i in spec.issues},
        grants={r.id: {g.by for g in r.overflight} for r in spec.air_routes},
    )


def check_issue_levels(spec: ScenarioSpec, faults: Faults) -> None:
    """No two levels of an issue share an id."""
    for i, issue in enumerate(spec.issues):
        if issue.levels:
            seen = set()
            for j, level in enumerate(issue.levels):
                if level.id in seen:
                    raise ScenarioError(
                        faults.file,
                        f"duplicate level '{level.id}' in issue '{issue.id}'",
                        line=faults.lines.line_of(("issues", i, "levels", j)),
                        field=f"issues[{i}].levels[{j}].id",
                        expected="level ids that differ",
                        found=level.id,
                    )
                seen.add(level.id)


def check_sites(spec: ScenarioSpec, faults: Faults, defined: Defined) -> None:
    """A site's actors exist; a count drawn per run stays a count; only a base keeps a residual garrison,
    no more than is there (in every run)."""
    for i, s in enumerate(spec.sites):
        for attr in ("garrison", "controller", "besieged_by"):
            faults.check(getattr(s, attr), ("sites", i, attr), defined.actors, "actor")
        for attr, most, what in (
            ("personnel", MAX_PERSONNEL, "people"),
            ("equipment_t", MAX_TONNES, "tonnes"),
        ):
            low, high = s.bounds(attr)
            if low < 0 or high > most:
                faults.wrong(
                    ("sites", i, attr),
                    f"site '{s.id}': the prior of {attr} (a count of {what}) reaches outside "
                    f"[0, {most:,}]",
                    f"a prior within [0, {most:,}]",
                    f"values from {low:g} to {high:g}",
                )
        base = s.role == "base" or (s.role is None and s.kind in ("air_base", "naval_base"))
        for attr, count in (("residual", "personnel"), ("residual_t", "equipment_t")):
            value = getattr(s, attr)
            if value is None:
                continue
            whole = s.bounds(count)[0]  # a count drawn per run: the residual fits its least draw
            whole = int(whole) if whole == int(whole) else whole
            if not base:
                faults.wrong(
                    ("sites", i, attr),
                    f"site '{s.id}': only a base keeps a residual garrison",
                    "a base (role: base, or an air or naval base)",
                    s.role or s.kind,
                )
            if value > whole:
                drawn = not isinstance(getattr(s, count), int | float)
                faults.wrong(
                    ("sites", i, attr),
                    f"site '{s.id}': the residual is more than is there"
                    + (f" in some runs ({count} is drawn from {whole} up)" if drawn else ""),
                    f"at most {whole}",
                    value,
                )


def _inside(x: float, y: float, outline: list[tuple[float, float]]) -> bool:
    """Whether the point lies inside the polygon (even-odd rule: count the edges a ray to the east crosses)."""
    inside = False
    for (x0, y0), (x1, y1) in zip(outline, [*outline[1:], outline[0]], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def check_map(spec: ScenarioSpec, faults: Faults) -> None:
    """The map's outline is drawn round the ground: at least one site lies inside it. An outline written
    as [latitude, longitude] pairs (the usual slip) is said to be one."""
    if spec.map is None or not spec.sites:
        return
    outline = spec.map.outline
    if any(_inside(s.lon, s.lat, outline) for s in spec.sites):
        return
    swapped = sum(_inside(s.lat, s.lon, outline) for s in spec.sites)
    lons, lats = [p[0] for p in outline], [p[1] for p in outline]
    faults.wrong(
        ("map", "outline"),
        "no site lies inside the map's outline"
        + (
            f" (read as [latitude, longitude] pairs, it holds {swapped} of {len(spec.sites)}: "
            "write each point as [longitude, latitude])"
            if swapped
            else ""
        ),
        "an outline round the scenario's sites, as [longitude, latitude] points",
        f"an outline from longitude {min(lons):g} to {max(lons):g} and latitude {min(lats):g} to "
        f"{max(lats):g}; the sites lie from longitude {min(s.lon for s in spec.sites):g} to "
        f"{max(s.lon for s in spec.sites):g} and latitude {min(s.lat for s in spec.sites):g} to "
        f"{max(s.lat for s in spec.sites):g}",
    )


def check_modes(spec: ScenarioSpec, faults: Faults) -> None:
    """A sea lane leaves from a port; aircraft fly air routes and ships sail sea lanes."""
    site_by_id = {s.id: s for s in spec.sites}
    mode_of = {r.id: r.mode for r in spec.air_routes}
    for i, r in enumerate(spec.air_routes):
        origin = site_by_id.get(r.from_)
        if r.mode == "sea" and origin is not None and not origin.port:
            faults.wrong(
                ("air_routes", i, "from"),
                f"sea lane '{r.id}' leaves from a site that is no port",
                "a site with port: true",
                r.from_,
            )
    for i, a in enumerate(spec.aircraft):
        for route in a.sorties_per_day:
            if route in mode_of and mode_of[route] != a.mode:
                faults.wrong(
                    ("aircraft", i, "sorties_per_day", route),
                    f"'{a.type}' ({a.mode}) cannot use {mode_of[route]} route '{route}'",
                    f"{a.mode} routes",
                    route,
                )


def check_network(spec: ScenarioSpec, faults: Faults, defined: Defined) -> None:
    """Roads, air routes and aircraft name sites, actors and routes that exist."""
    check = faults.check
    for i, r in enumerate(spec.roads):
        check(r.from_, ("roads", i, "from"), defined.sites, "site")
        check(r.to, ("roads", i, "to"), defined.sites, "site")
        check(r.held_by, ("roads", i, "held_by"), defined.actors, "actor")
    for i, r in enumerate(spec.air_routes):
        check(r.from_, ("air_routes", i, "from"), defined.sites, "site")
    for i, a in enumerate(spec.aircraft):
        check(a.operator, ("aircraft", i, "operator"), defined.actors, "actor")
        for route in a.sorties_per_day:
            check(route, ("aircraft", i, "sorties_per_day", route), defined.routes, "air route")


def check_tables(spec: ScenarioSpec, faults: Faults, defined: Defined) -> None:
    """Each table's checks, table by table, in this order."""
    for i, t in enumerate(spec.tables):
        for check in (
            _check_table_participants,
            _check_table_deadline_day,
            _check_table_agenda,
            _check_table_rule,
            _check_table_budget_issues,
            _check_table_terms,
            _check_table_deadlines,
            _check_table_fields_used,
            _check_table_enforcers_once,
            _check_table_budget_spent,
            _check_table_costs,
            _check_table_objects,
        ):
            check(i, t, faults, defined)


def _check_table_participants(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's participants are actors, each seated once."""
    for j, p in enumerate(t.participants):
        faults.check(p, ("tables", i, "participants", j), defined.actors, "actor")
        if p in t.participants[:j]:
            faults.wrong(
                ("tables", i, "participants", j),
                f"table '{t.id}': '{p}' sits at it twice",
                "each participant once",
                p,
            )


def _check_table_objects(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """What a table is about names the scenario's sites and air routes."""
    if t.about is None:
        return
    for j, site in enumerate(t.about.sites):
        faults.check(site, ("tables", i, "about", "sites", j), defined.sites, "site")
    for j, route in enumerate(t.about.routes):
        faults.check(route, ("tables", i, "about", "routes", j), defined.routes, "air route")


def _check_table_deadline_day(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's deadline is not before its talks open."""
    if t.deadline_day is not None and t.deadline_day < t.opens_day:
        faults.wrong(
            ("tables", i, "deadline_day"),
            f"table '{t.id}': its deadline is before the talks open",
            f"a day from {t.opens_day} (opens_day) on",
            t.deadline_day,
        )


def _check_table_agenda(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's agenda and budget list each issue once, and its agenda lists issues."""
    for name, items in (("agenda", t.agenda), ("budget", t.budget.issues if t.budget else [])):
        repeated = sorted({x for x in items if items.count(x) > 1})
        if repeated:
            where = ("tables", i, name) if name == "agenda" else ("tables", i, "budget", "issues")
            faults.wrong(
                where,
                f"table '{t.id}': '{repeated[0]}' is listed twice",
                "each issue once",
                repeated[0],
            )
    for j, item in enumerate(t.agenda):
        faults.check(item, ("tables", i, "agenda", j), defined.issues, "issue")


def _check_table_rule(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's vetoes and weights name participants, its mediator an actor."""
    participants = set(t.participants)
    if not isinstance(t.rule, str):
        for j, v in enumerate(t.rule.vetoes):
            faults.check(v, ("tables", i, "rule", "vetoes", j), participants, "participant")
        if isinstance(t.rule.weights, dict):
            for k in t.rule.weights:
                faults.check(k, ("tables", i, "rule", "weights", k), participants, "participant")
    faults.check(t.mediator, ("tables", i, "mediator"), defined.actors, "actor")


def _check_table_budget_issues(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's budget shares out continuous issues of its agenda."""
    if t.budget is None:
        return
    for j, item in enumerate(t.budget.issues):
        faults.check(item, ("tables", i, "budget", "issues", j), set(t.agenda), "agenda issue")
        if defined.issue_by_id[item].kind != "continuous":
            raise ScenarioError(
                faults.file,
                f"budget issue '{item}' must be continuous",
                line=faults.lines.line_of(("tables", i, "budget", "issues", j)),
                field=f"tables[{i}].budget.issues[{j}]",
                expected="a continuous issue",
                found="an ordinal issue",
            )


def _check_table_terms(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's enforcers are participants; its no-deal, status-quo and imposed terms are levels
    of agenda issues."""
    terms = [(("tables", i, "no_deal"), t.no_deal or {})]
    if t.status_quo is not None:
        terms.append((("tables", i, "status_quo"), t.status_quo))
    for j, e in enumerate(t.enforcers):
        faults.check(
            e.actor, ("tables", i, "enforcers", j, "actor"), set(t.participants), "participant"
        )
        terms.append((("tables", i, "enforcers", j, "imposes"), e.imposes))
    for where, given in terms:
        for item, level in given.items():
            _check_terms_level(item, level, (*where, item), t, defined.issue_by_id, faults)


def _check_table_deadlines(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's own deadlines are for participants, none before its talks open."""
    for k, day in t.deadlines.items():
        faults.check(k, ("tables", i, "deadlines", k), set(t.participants), "participant")
        if day < t.opens_day:
            faults.wrong(
                ("tables", i, "deadlines", k),
                f"table '{t.id}': a deadline before the talks open",
                f"a day from {t.opens_day} (opens_day) on",
                day,
            )


def _check_table_fields_used(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table sets no field the model would ignore: an error, not a silence."""
    if t.no_deal_cost and t.no_deal is None:
        faults.wrong(
            ("tables", i, "no_deal_cost"),
            f"table '{t.id}': no_deal_cost without a no_deal outcome",
            "no_deal: the outcome whose cost this is",
            "no no_deal",
        )
    if t.mediator is not None and t.protocol != "single_text":
        faults.wrong(
            ("tables", i, "mediator"),
            f"table '{t.id}': a mediator drafts texts only under single_text",
            "protocol: single_text",
            t.protocol,
        )
    if t.hard_deadline and t.deadline_day is None:
        faults.wrong(
            ("tables", i, "hard_deadline"),
            f"table '{t.id}': a hard deadline needs a deadline_day",
            "deadline_day: the day the talks end",
            "no deadline_day",
        )
    if t.enforcers and t.status_quo is None:
        faults.wrong(
            ("tables", i, "enforcers"),
            f"table '{t.id}': enforcers force a change from a status quo",
            "status_quo: the terms that hold while nothing is signed",
            "no status_quo",
        )


def _check_table_enforcers_once(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table names each enforcer once."""
    seen: set[str] = set()
    for j, e in enumerate(t.enforcers):
        if e.actor in seen:
            faults.wrong(
                ("tables", i, "enforcers", j, "actor"),
                f"table '{t.id}': '{e.actor}' is an enforcer twice",
                "each enforcer once",
                e.actor,
            )
        seen.add(e.actor)


def _check_table_budget_spent(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's status quo and imposed terms spend no more than its budget."""
    if t.budget is None:
        return
    budgeted = set(t.budget.issues)
    terms = [(("tables", i, "status_quo"), t.status_quo or {})] + [
        (("tables", i, "enforcers", j, "imposes"), {**(t.status_quo or {}), **e.imposes})
        for j, e in enumerate(t.enforcers)
    ]
    for where, given in terms:
        spent = sum(float(v) for k, v in given.items() if k in budgeted and not isinstance(v, str))
        if spent > t.budget.total + 1e-9:
            faults.wrong(
                where,
                f"table '{t.id}': these terms spend more than the budget",
                f"budgeted issues adding up to at most {t.budget.total}",
                spent,
            )


def _check_table_costs(i: int, t: TableSpec, faults: Faults, defined: Defined) -> None:
    """A table's no-deal and signing costs are for participants."""
    for k in t.no_deal_cost:
        faults.check(k, ("tables", i, "no_deal_cost", k), set(t.participants), "participant")
    for k in t.signing_costs:
        faults.check(k, ("tables", i, "signing_costs", k), set(t.participants), "participant")


def _check_terms_level(item, level, path, table, issue_by_id, faults: Faults) -> None:
    """One issue's level in terms a table names (its no-deal outcome, status quo, imposed terms)."""
    faults.check(item, path, set(table.agenda), "agenda issue")
    issue = issue_by_id[item]
    if issue.kind == "ordinal":
        faults.check(str(level), path, {lv.id for lv in issue.levels}, "level")
    elif isinstance(level, str) or not issue.range[0] <= level <= issue.range[1]:
        raise ScenarioError(
            faults.file,
            "value outside the issue's range",
            line=faults.lines.line_of(path),
            field=f"tables[{path[1]}]." + ".".join(str(p) for p in path[2:]),
            expected=f"a number in {list(issue.range)}",
            found=repr(level),
        )


def check_guarantees(spec: ScenarioSpec, faults: Faults, defined: Defined) -> None:
    """A guarantee names actors and a table that exist."""
    for i, g in enumerate(spec.guarantees):
        faults.check(g.guarantor, ("guarantees", i, "guarantor"), defined.actors, "actor")
        faults.check(g.beneficiary, ("guarantees", i, "beneficiary"), defined.actors, "actor")
        faults.check(g.table, ("guarantees", i, "table"), defined.tables, "table")


def check_conditions_and_effects(spec: ScenarioSpec, faults: Faults, defined: Defined) -> None:
    """Events' conditions and effects, levels' effects, milestones' and outcomes' conditions name
    what exists."""
    for i, e in enumerate(spec.events):
        for j, c in enumerate(e.when):
            _check_condition(c, ("events", i, "when", j), defined, faults)
        for j, eff in enumerate(e.effects):
            _check_effect(eff, ("events", i, "effects", j), defined, faults)
    for i, issue in enumerate(spec.issues):
        for j, level in enumerate(issue.levels or []):
            for k, eff in enumerate(level.effects):
                _check_effect(eff, ("issues", i, "levels", j, "effects", k), defined, faults)
    for section, items in (("milestones", spec.milestones), ("outcomes", spec.outcomes)):
        for i, m in enumerate(items):
            for j, c in enumerate(m.when):
                _check_condition(c, (section, i, "when", j), defined, faults)


def _check_condition(c: Condition, path: tuple, defined: Defined, faults: Faults) -> None:
    """A condition names milestones, tables, sites, issues and levels that exist."""
    check = faults.check
    check(c.milestone, (*path, "milestone"), defined.milestones, "milestone")
    check(c.not_milestone, (*path, "not_milestone"), defined.milestones, "milestone")
    check(c.agreement, (*path, "agreement"), defined.tables, "table")
    check(c.no_agreement, (*path, "no_agreement"), defined.tables, "table")
    # (the occurrences a condition may name are the engine's records': checked in engine/scenarios.py)
    check(c.besieged, (*path, "besieged"), defined.sites, "site")
    check(c.held, (*path, "held"), defined.sites, "site")
    check(c.talks_frozen, (*path, "talks_frozen"), defined.tables, "table")
    if c.level is not None:
        check(c.level.issue, (*path, "level", "issue"), defined.issue_by_id, "issue")
        issue = defined.issue_by_id[c.level.issue]
        for bound in ("at_least", "at_most"):
            value = getattr(c.level, bound)
            if isinstance(value, str):
                check(value, (*path, "level", bound), {lv.id for lv in issue.levels or []}, "level")
            elif value is not None:
                size = len(issue.levels) if issue.levels else issue.steps
                if not 0 <= value < size:
                    faults.fail(
                        (*path, "level", bound),
                        "level",
                        str(value),
                        [str(k) for k in range(size)],
                        "level",
                    )


def _check_effect(e: Effect, path: tuple, defined: Defined, faults: Faults) -> None:
    """An effect names roads, actors, routes, sites and aircraft that exist."""
    check = faults.check
    if e.road_risk:
        check(e.road_risk.segment, (*path, "road_risk", "segment"), defined.roads, "road")
        check(e.road_risk.held_by, (*path, "road_risk", "held_by"), defined.actors, "actor")
    if e.road_holder:
        check(e.road_holder.segment, (*path, "road_holder", "segment"), defined.roads, "road")
        check(e.road_holder.holder, (*path, "road_holder", "holder"), defined.actors, "actor")
    if e.road_open:
        check(e.road_open.segment, (*path, "road_open", "segment"), defined.roads, "road")
    if e.overflight:
        check(e.overflight.route, (*path, "overflight", "route"), defined.routes, "air route")
        if e.overflight.by is not None:
            check(
                e.overflight.by,
                (*path, "overflight", "by"),
                defined.grants[e.overflight.route],
                "overflight grantor",
            )
    if e.trust:
        check(e.trust.from_, (*path, "trust", "from"), defined.actors, "actor")
        check(e.trust.to, (*path, "trust", "to"), defined.actors, "actor")
    for name in ("siege", "casualties", "withdraw", "site_role"):
        sub = getattr(e, name)
        if sub:
            check(sub.site, (*path, name, "site"), defined.sites, "site")
    if e.siege and e.siege.by:
        check(e.siege.by, (*path, "siege", "by"), defined.actors, "actor")
    if e.actor:
        check(e.actor.actor, (*path, "actor", "actor"), defined.actors, "actor")
    if e.aircraft:
        check(e.aircraft.type, (*path, "aircraft", "type"), defined.aircraft, "aircraft type")


def check_key_questions(spec: ScenarioSpec, faults: Faults, defined: Defined) -> None:
    """Key questions have ids of their own and are answered by milestones and outcomes that exist (the
    occurrences they may name are checked with the others', in engine/scenarios.py)."""
    _unique(spec.key_questions, "id", "key_questions", faults)
    outcomes = {o.id for o in spec.outcomes}
    for i, q in enumerate(spec.key_questions):
        for j, answer in enumerate(q.yes_if):
            path = ("key_questions", i, "yes_if", j)
            faults.check(answer.milestone, (*path, "milestone"), defined.milestones, "milestone")
            faults.check(answer.outcome, (*path, "outcome"), outcomes, "outcome")


def check_outcome_order(spec: ScenarioSpec, faults: Faults) -> None:
    """Only the last outcome, the default, has no conditions."""
    for k, outcome in enumerate(spec.outcomes[:-1]):
        if not outcome.when:
            raise ScenarioError(
                faults.file,
                f"outcome '{outcome.id}' has no conditions but is not the last: it would hide those after it",
                line=faults.lines.line_of(("outcomes", k)),
                field=f"outcomes[{k}].when",
                expected="conditions, or this outcome moved to the end as the default",
                found="no conditions",
            )
    if spec.outcomes[-1].when:
        raise ScenarioError(
            faults.file,
            "the last outcome must be the default (no 'when')",
            line=faults.lines.line_of(("outcomes", len(spec.outcomes) - 1)),
            field=f"outcomes[{len(spec.outcomes) - 1}].when",
            expected="no conditions",
            found="conditions",
        )
