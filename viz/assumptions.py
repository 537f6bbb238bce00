"""The assumptions a user may change from the page: each actor's uncertain private values (the priors'
ranges), its time pressure and readiness to let columns pass, and each event's daily chance. Each comes
with the --set path that changes it, the range the schema allows and the source the scenario gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from wargame.language.schema import ActorProfile, EventSpec


@dataclass(frozen=True)
class Assumption:
    path: str  # what --set PATH=VALUE changes
    group: str  # the actor or "events"
    label: str
    value: float
    low: float  # the range the schema allows
    high: float
    source: str  # where the value comes from, or the estimate's reasoning
    family: str = (
        ""  # the quantity a prior's ends and mode describe together (shown with one source)
    )
    part: str = ""  # which of them this is ("low end", "most likely value", "high end")


def schema_range(model: type[BaseModel], name: str) -> tuple[float, float]:
    """The [low, high] a numeric field of the schema allows (from its ge/gt/le/lt constraints)."""
    low, high = float("-inf"), float("inf")
    for m in model.model_fields[name].metadata:
        if isinstance(m, Ge | Gt):
            low = float(m.ge if isinstance(m, Ge) else m.gt)
        if isinstance(m, Le | Lt):
            high = float(m.le if isinstance(m, Le) else m.lt)
    return low, high


def _source_of(actor_sources: list[str]) -> str:
    return "; ".join(actor_sources) if actor_sources else "no source given in the profile"


WORDS = {
    "low": "low end",
    "mode": "most likely value",
    "high": "high end",
    "mean": "mean",
    "sd": "spread",
}


def _prior(path: str, group: str, name: str, prior: dict) -> list[Assumption]:
    """A prior's changeable numbers: its ends and, for a triangular one, its mode (low <= mode <= high)."""
    if prior.get("dist") == "fixed":
        return []
    order = " (low <= mode <= high)" if "mode" in prior else ""
    return [
        Assumption(
            path=f"{path}.{part}",
            group=group,
            label=f"{name}: {WORDS[part]} ({prior['dist']}){order}",
            value=float(prior[part]),
            low=0.0,  # priors and signing costs lie in [0, 1] (the schema's check)
            high=1.0,
            source=prior.get("source", ""),
            family=f"{name} ({prior['dist']} prior{order})",
            part=WORDS[part],
        )
        for part in ("low", "mode", "high")
        if part in prior
    ]


def assumptions(resolved: dict) -> list[Assumption]:
    """The changeable assumptions of a resolved scenario (Scenario.resolved())."""
    out: list[Assumption] = []
    for a in resolved.get("actors", []):
        group = a.get("name") or a["id"]
        for key, prior in sorted((a.get("priors") or {}).items()):
            out += _prior(f"actors.{a['id']}.priors.{key}", group, key.replace("_", " "), prior)
        for name, words in (
            ("time_pressure", "time pressure (the cost of each day without a deal)"),
            ("lets_columns_pass", "readiness to let another's columns pass quietly"),
        ):
            if a.get(name) is not None:
                low, high = schema_range(ActorProfile, name)
                out.append(
                    Assumption(
                        path=f"actors.{a['id']}.{name}",
                        group=group,
                        label=words,
                        value=float(a[name]),
                        low=low,
                        high=high,
                        source=_source_of(a.get("sources") or []),
                    )
                )
    names = {a["id"]: a.get("name") or a["id"] for a in resolved.get("actors", [])}
    for t in resolved.get("tables", []):
        for actor, prior in sorted((t.get("signing_costs") or {}).items()):
            out += _prior(
                f"tables.{t['id']}.signing_costs.{actor}",
                f"table: {t.get('label') or t['id']}",
                f"what signing costs {names.get(actor, actor)}",
                prior,
            )
    low, high = schema_range(EventSpec, "hazard")
    for e in resolved.get("events", []):
        out.append(
            Assumption(
                path=f"events.{e['id']}.hazard",
                group="events",
                label=f"{e.get('label') or e['id']}: daily chance",
                value=float(e["hazard"]),
                low=low,
                high=high,
                source=e.get("source") or "",
            )
        )
    return out
