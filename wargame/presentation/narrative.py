"""Turns a run's records into the day-by-day story a reader follows: who offered what, what happened, why.

The story is told from records as plain data (a picture's log, `Game.log()`, `RunResult`) with the names
a picture or a scenario carries: it never reads a live model. Each kind of record has its sentence here
(a test requires one for every kind the engine declares)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Names:
    """What the story calls actors, sites and outcomes (their ids where it knows no name)."""

    actors: Mapping[str, str] = field(default_factory=dict)
    sites: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of_picture(cls, picture: Mapping[str, Any]) -> Names:
        return cls(
            {a["id"]: a["name"] for a in picture.get("actors", ())},
            {s["id"]: s["name"] for s in picture.get("sites", ())},
        )

    @classmethod
    def of_scenario(cls, scenario) -> Names:
        """From a loaded Scenario (its actors' profiles and its sites)."""
        return cls(
            {a.id: a.name for a in scenario.actors},
            {s.id: s.name for s in scenario.spec.sites},
        )

    def actor(self, actor_id: Any) -> str:
        return self.actors.get(actor_id, str(actor_id))

    def site(self, site_id: Any) -> str:
        return self.sites.get(site_id, str(site_id))


def _terms(terms: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in terms.items())


def describe(d: Mapping[str, Any], names: Names) -> str | None:
    """One record's sentence (None for the one kind told elsewhere: losses a surrender already told)."""
    kind = d["kind"]
    name, site = names.actor, names.site

    if kind == "event":
        how = "(scheduled) " if d.get("scheduled") else "(forced) " if d.get("forced") else ""
        return f"EVENT {d['event']}: {how}{d['text']}"
    if kind == "opened":
        return f"Talks open at the {d['table']} table."
    if kind == "round":
        answers = []
        for actor_id, ok in d["answers"].items():
            if actor_id == d["proposer"]:
                continue
            said = f"{name(actor_id)} {'accepts' if ok else 'rejects'}"
            if actor_id not in d.get("reasons", {}) or actor_id not in d.get("reservations", {}):
                answers.append(said)  # an actor's view: the others' reasons are theirs alone
                continue
            v, need = d["reasons"][actor_id]
            r = d["reservations"][actor_id]
            answers.append(
                f"{said} (worth {v:.2f} to it, asks {need:.2f} now, outside option {r:.2f})"
            )
        verdict = "passed" if d["passed"] else "no deal"
        return (
            f"[{d['table']}] {name(d['proposer'])} proposes {_terms(d['offer'])}; "
            + "; ".join(answers)
            + f" -> {verdict}."
        )
    if kind == "belief":
        direction = "more" if d["new"] > d["old"] else "less"
        who = ", ".join(name(o) for o in d["observers"])
        verb = "thinks" if len(d["observers"]) == 1 else "think"
        return (
            f"{who} now {verb} {name(d['about'])} needs {direction} at {d['table']}: "
            f"reservation estimate {d['old']:.2f} -> {d['new']:.2f}."
        )
    if kind == "signed":
        return f"AGREEMENT at the {d['table']} table: {_terms(d['terms'])}."
    if kind == "failed":
        if d.get("forced"):
            return f"The talks at the {d['table']} table collapse (forced: {d.get('reason') or 'no reason given'})."
        return f"The {d['table']} table reaches its deadline without a deal."
    if kind == "completed":
        return f"The {d['table']} agreement's obligations have run their course, kept."
    if kind == "convoy":
        if d["breakout"]:
            return (
                f"Besieged and nearly out of supply, the garrison of {site(d['site'])} ({d['personnel']}) "
                f"tries to break out towards {site(d['to'])}."
            )
        return (
            f"Convoy of {d['personnel']} leaves {site(d['site'])} for {site(d['to'])} "
            f"(chance of attack {d['risk']:.0%}, accepted up to {d['tolerance']:.0%})."
        )
    if kind == "held_back":
        return (
            f"Road {d['road']} lets no more than {d['capacity']:,} a day through: {d['left']:,} still "
            f"wait at {site(d['site'])} for a later column."
        )
    if kind == "ambush":
        return f"Convoy from {site(d['site'])} attacked on road {d['road']} (held by {name(d['holder'])}): {d['killed']} killed."
    if kind == "arrived":
        return f"Convoy from {site(d['site'])} reaches {site(d['to'])} with {d['personnel']}."
    if kind == "airlift":
        craft = "sailings" if d.get("mode") == "sea" else "flights"
        return (
            f"{d['fleet']} {craft} lift {d['personnel']} personnel and {d['tonnes']:.0f} t "
            f"from {site(d['site'])} by the {d['route']}."
        )
    if kind == "surrender":
        return f"The garrison of {site(d['site'])} ({d['personnel']}) surrenders to {name(d['by'])} after its supplies run out."
    if kind == "losses":
        if d["cause"] == "siege_surrender":
            return None
        return f"{d['personnel']} lost at {site(d['site'])} ({d['cause']})."
    if kind == "withdrawal":
        return f"Withdrawal from {site(d['site'])} begins ({d['cause']})."
    if kind == "breach":
        consequences = f" {', '.join(name(o) for o in d['others'])} trust {name(d['by'])} less"
        if d["withdrawn"]:
            consequences += f"; {d['withdrawn']} changes it made on the ground (road risks, sieges, air routes) are reversed"
        consequences += (
            f"; talks resume on day {d['reopens']}."
            if d["reopens"]
            else "; the table's deadline has passed."
        )
        if d.get("forced"):
            why = f"forced from outside the run: {d.get('reason') or 'no reason given'}"
        elif "gain" in d and "cost" in d:
            why = f"gain {d['gain']:.2f} outweighed expected cost {d['cost']:.2f}"
        else:  # another side's reckoning is its own
            why = None
        return (
            f"BROKEN PROMISE: {name(d['by'])} breaks the {d['table']} agreement"
            + (f" ({why})" if why else "")
            + ". Consequences:"
            + consequences
        )
    if kind == "enforced":
        return f"{name(d['guarantor'])} enforces guarantee {d['guarantee']} against {name(d['against'])}."
    if kind == "unenforced":
        return f"{name(d['guarantor'])} fails to enforce guarantee {d['guarantee']}; its word is worth less now."
    if kind == "frozen":
        why = (
            "in which no side saw a deal it would sign that the others would take"
            if d.get("stalemate")
            else "in which nobody took an offer"
        )
        return (
            f"Talks at the {d['table']} table freeze after {d['rounds']} rounds {why}; "
            f"nobody will talk again before day {d['until']} unless a side's position moves."
        )
    if kind == "lapsed":
        if d["reason"] == "objects_gone":
            return (
                f"The {d['table']} talks lapse: nothing they were about is left to bargain over "
                "(the people they would move are out, the routes they would open no longer needed)."
            )
        return (
            f"The {d['table']} talks lapse without a signature after {d['freezes']} stalemates; "
            "the parties live with the status quo."
        )
    if kind == "thawed":
        why = f"{name(d['by'])}'s position has moved" if d["by"] else "the cooling-off is over"
        return f"Talks at the {d['table']} table reopen: {why}."
    if kind == "imposed":
        return (
            f"IMPOSED at the {d['table']} table: with the talks stalled, {name(d['by'])} forces "
            f"{_terms(d['terms'])} (it can, and it is worth the cost to it)."
        )
    if kind == "safe_conduct":
        verdict = "lets" if d["agreed"] else "refuses to let"
        roads = ", ".join(d["roads"])
        return (
            f"Quietly, {name(d['holder'])} {verdict} {name(d['mover'])}'s columns pass on {roads}"
            f" (willing {d['willing']:.0%})"
            + (f"; the arrangement holds until day {d['until']}." if d["agreed"] else ".")
        )
    if kind == "lifted":
        return (
            f"Quietly, {name(d['by'])} lets the garrison of {site(d['site'])} go: the encirclement is lifted "
            f"(willing {d['willing']:.0%})."
        )
    if kind == "post":
        if d["choice"] == "leave":
            return (
                f"{name(d['owner'])} decides to leave {site(d['site'])} ({d['personnel']} personnel): "
                f"holding it is worth {d['value']:.2f} to it, and it believes staying risks {d['risk']:.2f}."
            )
        if d["choice"] == "draw_down":
            return (
                f"{name(d['owner'])} draws {site(d['site'])} down to its residual garrison: "
                f"{d['personnel']} personnel are to leave (keeping them is worth {d['value']:.2f} to it, "
                f"and it believes they run a risk of {d['risk']:.2f})."
            )
        if d["choice"] == "no_hub":
            return f"No way out is open from {site(d['site'])} any more: it is a hub no longer."
        return (
            f"{name(d['owner'])} makes {site(d['site'])} a hub to gather in and leave from "
            f"(worth {d['value']:.2f}, risk {d['risk']:.2f})."
        )
    if kind == "inject":
        return f"INJECT ({d['effects']} effects): {d['reason']}"
    if kind == "override":
        details = ", ".join(f"{k}={d[k]}" for k in ("table", "actor") if d.get(k))
        return f"OVERRIDE {d['override']} ({details}): {d['reason']}"
    if kind == "milestone":
        return f"MILESTONE {d['milestone']}: {d['label']}"
    if kind == "withdrawn":
        return f"The last of {', '.join(name(a) for a in d['by'])}'s people have left the country."
    if kind == "ending":
        return f"The run ends: {d.get('label') or d.get('outcome') or 'no outcome'}."
    raise KeyError(f"no sentence for a record of kind '{kind}'")


def story(entries: Iterable[Mapping[str, Any]], names: Names, start: dt.date) -> list[str]:
    """The narrative as lines, grouped by day with the calendar date (`start` is day 0's date). The run's
    ending is told by `ending`, not here."""
    lines: list[str] = []
    current = None
    for entry in entries:
        if entry["kind"] == "ending":
            continue
        text = describe(entry, names)
        if text is None:
            continue
        day = entry["day"]
        if day != current:
            current = day
            lines.append(f"Day {day} ({start + dt.timedelta(days=day):%a %d %b %Y})")
        lines.append(f"  {text}")
    return lines


def ending(r) -> list[str]:
    """The ending of a run from its RunResult."""
    lines = [
        f"ENDING: {r.outcome_label} [{r.outcome}] after {r.days} days",
        f"  personnel: {r.personnel_initial} at start; {r.personnel_evacuated} evacuated, "
        f"{r.personnel_lost} lost ({r.personnel_captured} captured), {r.personnel_present} still in the country",
        f"  equipment: {r.equipment_initial_t:.0f} t at start; {r.equipment_out_t:.0f} t out, {r.equipment_lost_t:.0f} t lost",
    ]
    if r.milestones:
        lines.append("  milestones: " + ", ".join(f"{k} (day {d})" for k, d in r.milestones))
    for a in r.agreements:
        status = a["status"] + (
            f" by {a['broken_by']} on day {a['broken_day']}" if a["broken_by"] else ""
        )
        lines.append(f"  agreement {a['table']} (day {a['day']}, {status}): {_terms(a['terms'])}")
    lines.append("  utilities: " + ", ".join(f"{k} {v:.2f}" for k, v in r.utilities.items()))
    return lines
