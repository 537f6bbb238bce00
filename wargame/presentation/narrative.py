"""Turns a run's records into the day-by-day story a reader follows: who offered what, what happened, why."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel


def _terms(terms: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in terms.items())


def describe(m: WargameModel, kind: str, d: dict) -> str | None:
    def name(actor_id):
        return m.actor(actor_id).name if actor_id in m._actors else str(actor_id)

    def site(site_id):
        return m.ground.sites[site_id].name if site_id in m.ground.sites else str(site_id)

    if kind == "event":
        return f"EVENT {d['event']}: {d['text']}"
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
        return (
            f"BROKEN PROMISE: {name(d['by'])} breaks the {d['table']} agreement "
            f"(gain {d['gain']:.2f} outweighed expected cost {d['cost']:.2f}). Consequences:"
            + consequences
        )
    if kind == "enforced":
        return f"{name(d['guarantor'])} enforces guarantee {d['guarantee']} against {name(d['against'])}."
    if kind == "unenforced":
        return f"{name(d['guarantor'])} fails to enforce guarantee {d['guarantee']}; its word is worth less now."
    if kind == "frozen":
        return (
            f"Talks at the {d['table']} table freeze after {d['rounds']} rounds in which nobody took an offer; "
            f"nobody will talk again before day {d['until']} unless a side's position moves."
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
                f"holding it is worth {d['value']:.2f}, staying risks {d['risk']:.2f}."
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
        details = ", ".join(f"{k}={v}" for k, v in d.items() if k not in ("override", "reason"))
        return f"OVERRIDE {d['override']} ({details}): {d['reason']}"
    if kind == "milestone":
        return f"MILESTONE {d['milestone']}: {d['label']}"
    if kind == "ending":
        return None
    return f"{kind}: {d}"


def story(m: WargameModel) -> list[str]:
    """The narrative as lines, grouped by day with the calendar date."""
    lines: list[str] = []
    current = None
    for day, kind, data in m.records:
        text = describe(m, kind, data)
        if text is None:
            continue
        if day != current:
            current = day
            lines.append(f"Day {day} ({m.date_of(day):%a %d %b %Y})")
        lines.append(f"  {text}")
    return lines


def ending(m: WargameModel) -> list[str]:
    r = m.result()
    lines = [
        f"ENDING: {r.outcome_label} [{r.outcome}] after {r.days} days",
        f"  personnel: {r.personnel_initial} at start; {r.personnel_evacuated} evacuated, "
        f"{r.personnel_lost} lost ({r.personnel_captured} captured), {r.personnel_present} still in Syria",
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
