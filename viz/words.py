"""What the analyst's tabs call things: the scenario's own labels for outcomes, milestones, events, tables,
actors, issues and their levels (the id kept for a tooltip), a seed shortened for reading, a what-if's
force and a changed assumption said in words, and a run's story told with those labels.

Plain Python with no Solara in it: built from a resolved scenario (Scenario.resolved(), or the copy a
results manifest carries), so a notebook or a test uses the same words as the page.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from wargame.presentation.narrative import Names, describe, ending

SEED_DIGITS = 6  # a seed is shown by its last digits; the whole seed is in the tooltip


def tip(label: Any, ident: Any) -> str:
    """`label` as escaped HTML with `ident` in a tooltip (the id a reader may need for the command line)."""
    return f'<span title="{html.escape(str(ident), quote=True)}">{html.escape(str(label))}</span>'


def short_seed(seed: int) -> str:
    """A seed by its last SEED_DIGITS digits ("…654960"); a short seed whole."""
    text = str(int(seed))
    return text if len(text) <= SEED_DIGITS else "…" + text[-SEED_DIGITS:]


def seed_html(seed: int) -> str:
    """The seed shortened, the whole of it in a tooltip."""
    return tip(f"seed {short_seed(seed)}", f"seed {int(seed)}")


@dataclass(frozen=True)
class Words:
    """The scenario's names for its ids; an id it does not name is shown as itself."""

    outcomes: Mapping[str, str] = field(default_factory=dict)
    milestones: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, str] = field(default_factory=dict)
    actors: Mapping[str, str] = field(default_factory=dict)
    issues: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[tuple[str, str], str] = field(default_factory=dict)
    sites: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, resolved: Mapping[str, Any]) -> Words:
        """From a resolved scenario: Scenario.resolved(), or Results.scenario."""

        def named(items, key: str = "label") -> dict[str, str]:
            return {i["id"]: i.get(key) or i["id"] for i in items or ()}

        levels = {}
        for issue in resolved.get("issues") or ():
            for level in issue.get("levels") or ():
                levels[(issue["id"], level["id"])] = level.get("label") or level["id"]
        return cls(
            outcomes=named(resolved.get("outcomes")),
            milestones=named(resolved.get("milestones")),
            events=named(resolved.get("events")),
            tables=named(resolved.get("tables")),
            actors=named(resolved.get("actors"), "name"),
            issues=named(resolved.get("issues")),
            levels=levels,
            sites=named(resolved.get("sites"), "name"),
        )

    def outcome(self, oid: str) -> str:
        return self.outcomes.get(oid, str(oid))

    def milestone(self, mid: str) -> str:
        return self.milestones.get(mid, str(mid))

    def event(self, eid: str) -> str:
        return self.events.get(eid, str(eid))

    def table(self, tid: str) -> str:
        return self.tables.get(tid, str(tid))

    def actor(self, aid: str) -> str:
        return self.actors.get(aid, str(aid))

    def term(self, issue: str, level: Any) -> str:
        """One term of an offer or agreement: "ISSUE's label: LEVEL's label" ("Status of the base: Stay on
        a new paid lease")."""
        said = self.levels.get((issue, str(level)), str(level))
        return f"{self.issues.get(issue, issue)}: {said}"

    def terms(self, terms: Mapping[str, Any]) -> str:
        return "; ".join(self.term(k, v) for k, v in terms.items())

    # ------------------------------------------------------------ what a what-if forces

    def force(self, spec: str, fallback: str | None = None) -> str:
        """A what-if's force (Workspace.forces() keys) in words: "event:EVENT" -> the event's label, "(made
        to happen)"."""
        kind, _, rest = spec.partition(":")
        parts = rest.split(":")
        if kind == "event" and parts[0]:
            return f"{self.event(parts[0])} (made to happen)"
        if kind == "collapse" and parts[0]:
            return f"the talks collapse at “{self.table(parts[0])}”"
        if kind == "refuse" and len(parts) == 2:
            actor, table = parts
            return f"{self.actor(actor)} refuses everything at “{self.table(table)}”"
        if kind == "breach" and len(parts) == 2:
            table, actor = parts
            return f"{self.actor(actor)} breaks the agreement of “{self.table(table)}”"
        return fallback or spec

    # ------------------------------------------------------------ a run's story

    def record(self, entry: Mapping[str, Any], names: Names) -> str | None:
        """One record's sentence (narrative.describe) with tables, events, milestones, issues and levels
        by their labels instead of their ids."""
        d = dict(entry)
        if "table" in d and d["table"] is not None:
            d["table"] = f"“{self.table(d['table'])}”"
        if d.get("kind") == "event":
            d["event"] = self.event(d["event"])
        if d.get("kind") == "milestone":
            d["milestone"] = "reached"
        text = describe(d, names)
        if text is None:
            return None
        for key in ("offer", "terms"):
            if isinstance(entry.get(key), Mapping) and entry[key]:
                text = text.replace(_ids(entry[key]), self.terms(entry[key]))
        return text

    def story(
        self, entries: Iterable[Mapping[str, Any]], names: Names, start: dt.date
    ) -> list[str]:
        """The story of a run day by day (narrative.story), in the scenario's words."""
        lines: list[str] = []
        current = None
        for entry in entries:
            if entry["kind"] == "ending":
                continue
            text = self.record(entry, names)
            if text is None:
                continue
            if entry["day"] != current:
                current = entry["day"]
                lines.append(f"Day {current} ({start + dt.timedelta(days=current):%a %d %b %Y})")
            lines.append(f"  {text}")
        return lines

    def ending(self, r) -> list[str]:
        """The ending of a run from its RunResult (narrative.ending), in the scenario's words."""
        told = ending(r)
        lines = [
            f"ENDING: {self.outcome(r.outcome) if r.outcome else r.outcome_label} after {r.days} days"
        ]
        lines += [line for line in told[1:3]]  # personnel and equipment, already in words
        if r.milestones:
            lines.append(
                "  milestones: "
                + "; ".join(f"{self.milestone(k)} (day {d})" for k, d in r.milestones)
            )
        for a in r.agreements:
            status = a["status"] + (
                f" by {self.actor(a['broken_by'])} on day {a['broken_day']}"
                if a["broken_by"]
                else ""
            )
            lines.append(
                f"  agreement at “{self.table(a['table'])}” (day {a['day']}, {status}): "
                + self.terms(a["terms"])
            )
        lines.append(
            "  worth to each at the end (utility): "
            + ", ".join(f"{self.actor(k)} {v:.2f}" for k, v in r.utilities.items())
        )
        return lines


def _ids(terms: Mapping[str, Any]) -> str:
    """Terms as narrative.describe writes them (issue=level, ...), to be replaced by their words."""
    return ", ".join(f"{k}={v}" for k, v in terms.items())


def change_words(path: str, value: Any, labels: Mapping[str, str]) -> str:
    """A --set change in words: the assumption's label where the page knows it ("ACTOR's name: breach
    temptation: low end (beta) = 0.5"), else the path as typed."""
    return f"{labels.get(path, path)} = {value}"
