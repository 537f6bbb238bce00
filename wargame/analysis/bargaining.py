"""What each table of a scenario can settle on: Pareto frontier, Nash and Kalai-Smorodinsky solutions,
and the zone of possible agreement, measured against the actors' outside options at the start."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.engine.bargaining.agenda import BudgetSpace
from wargame.engine.bargaining.equilibrium import reseated, solve
from wargame.engine.bargaining.solutions import (
    kalai_smorodinsky,
    nash_solution,
    pareto_frontier,
    zopa,
)
from wargame.engine.model import WargameModel
from wargame.language.scenario import Scenario


@dataclass
class TableAnalysis:
    table: str
    participants: list[str]
    offers: int
    reservations: dict[str, float]
    pareto_offers: int
    zopa_offers: int
    nash: (
        dict | None
    )  # {"terms": {...}, "utilities": {...}} or None when no offer beats disagreement
    kalai_smorodinsky: dict | None
    zopa_extremes: dict[str, dict] | None  # per participant: the ZOPA offer it likes best
    # What holds without a deal (the status quo, or what an enforcer can and will impose), and who forces it
    disagreement: dict | None = None
    without_deal: str = ""  # how it comes about, in words
    # Each participant's expected payoff in the table's stationary subgame-perfect equilibrium (two-party
    # tables and budget splits), and whether the solver reached it
    spe: dict[str, float] | None = None
    spe_converged: bool = True
    spe_note: str = ""  # why the prediction is not the only one, if it is not
    # a budget split too fine to list: its total and step (its offers are made as needed, not counted)
    split: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def analyze(scenario: Scenario | str, seed: int = 0) -> list[TableAnalysis]:
    """Analyse every table at the start of a run with this seed (private values are drawn from it)."""
    model = WargameModel(scenario, rng=seed, narrate=False)
    out = []
    for table in model.tables.values():
        space = table.space
        ids = [a.actor_id for a in table.participants]
        d = np.array([model.reservation(a, table) for a in table.participants])

        offer, forced_by = table.disagreement(model)
        if isinstance(space, BudgetSpace):
            out.append(_split_analysis(model, table, ids, d, offer, forced_by))
            continue
        zone = zopa(space.utility, d)
        spe, spe_converged = None, True
        spe_note = ""
        if len(ids) == 2 or table.game.split is not None:
            eq = table.game.equilibrium(d)
            predicted = table.game.first @ eq.values
            spe = {i: round(float(v), 4) for i, v in zip(ids, predicted, strict=True)}
            spe_converged = bool(eq.converged)
            spe_note = _uniqueness(table.game, d, predicted)
        extremes = None
        if zone.size:
            extremes = {
                i: _point(space, ids, int(zone[np.argmax(space.utility[r, zone])]))
                for r, i in enumerate(ids)
            }
        out.append(
            TableAnalysis(
                table=table.id,
                participants=ids,
                offers=len(space),
                reservations={i: round(float(v), 4) for i, v in zip(ids, d, strict=True)},
                pareto_offers=int(pareto_frontier(space.utility).size),
                zopa_offers=int(zone.size),
                nash=_point(space, ids, nash_solution(space.utility, d)),
                kalai_smorodinsky=_point(space, ids, kalai_smorodinsky(space.utility, d)),
                zopa_extremes=extremes,
                disagreement=_point(space, ids, offer),
                without_deal=(
                    f"{forced_by} would force it"
                    if forced_by
                    else "the status quo holds"
                    if table.status_quo is not None
                    else "the no-deal outcome, imposed by force"
                ),
                spe=spe,
                spe_converged=spe_converged,
                spe_note=spe_note,
            )
        )
    return out


def _uniqueness(game, d: np.ndarray, predicted: np.ndarray) -> str:
    """Why the prediction may not be the only one: no discounting leaves many splits equilibria, and on a
    listed offer space the search may settle on another equilibrium when the seats are reversed."""
    if np.all(np.asarray(game.form.discounts) >= 1.0):
        return "no discounting: a patient table has many equilibria, this is one"
    if game.split is not None:
        return ""
    order = list(range(len(d)))[::-1]
    other = solve(reseated(game.form, order), d[order])
    back = np.empty_like(predicted)
    back[order] = game.first[order] @ other.values
    if other.converged and np.abs(back - predicted).max() > 0.01:
        shown = " ".join(f"{v:.2f}" for v in back)
        return (
            f"not unique on this offer space: seated the other way round the search finds {shown}"
        )
    return ""


def _split_analysis(model, table, ids, d, offer, forced_by) -> TableAnalysis:
    """A budget split too fine to list: no counts of offers or zone; the Nash split in closed form and
    the subgame-perfect prediction."""
    space = table.space
    eq = table.game.equilibrium(d)
    spe = {i: round(float(v), 4) for i, v in zip(ids, table.game.first @ eq.values, strict=True)}
    return TableAnalysis(
        table=table.id,
        participants=ids,
        offers=0,
        reservations={i: round(float(v), 4) for i, v in zip(ids, d, strict=True)},
        pareto_offers=0,
        zopa_offers=0,
        nash=_point(space, ids, space.nash(d)),
        kalai_smorodinsky=None,
        zopa_extremes=None,
        disagreement=_point(space, ids, offer),
        without_deal=""
        if offer is None
        else ("the status quo holds" if forced_by is None else f"{forced_by} would force it"),
        spe=spe,
        spe_converged=bool(eq.converged),
        split=(space.budget_split.total, space.budget_split.step),
    )


def _point(space, ids: list[str], offer) -> dict | None:
    if offer is None:
        return None
    return {
        "terms": space.describe(int(offer)),
        "utilities": {i: round(float(space.utility[r, offer]), 4) for r, i in enumerate(ids)},
    }


def report(analyses: list[TableAnalysis]) -> list[str]:
    def terms(p):
        return ", ".join(f"{k}={v}" for k, v in p["terms"].items())

    def utils(p):
        return " ".join(f"{k} {v:.2f}" for k, v in p["utilities"].items())

    lines = []
    for a in analyses:
        if a.split is not None:
            total, step = a.split
            lines.append(
                f"Table {a.table}: {', '.join(a.participants)}; a split of {total:g} in steps of "
                f"{step:g} (offers made as needed, not listed)"
            )
        else:
            lines.append(
                f"Table {a.table}: {', '.join(a.participants)}; {a.offers} possible offers, "
                f"{a.pareto_offers} on the Pareto frontier"
            )
        lines.append(
            "  outside options now: " + ", ".join(f"{k} {v:.2f}" for k, v in a.reservations.items())
        )
        if a.disagreement is not None:
            lines.append(
                f"  without a deal ({a.without_deal}): {terms(a.disagreement)}  "
                f"[{utils(a.disagreement)}]"
            )
        if a.spe is not None:
            note = (
                "" if a.spe_converged else " (the solver did not reach a fixed point: approximate)"
            )
            if a.spe_note:
                note += f" ({a.spe_note})"
            lines.append(
                "  subgame-perfect prediction (expected payoffs from the first round): "
                + " ".join(f"{k} {v:.2f}" for k, v in a.spe.items())
                + note
            )
        share = a.zopa_offers / a.offers if a.offers else 0.0
        if a.split is None:
            lines.append(f"  zone of possible agreement: {a.zopa_offers} offers ({share:.1%})")
        if a.zopa_extremes:
            for who, p in a.zopa_extremes.items():
                lines.append(f"    best for {who}: {terms(p)}  [{utils(p)}]")
        solutions = [("Nash bargaining solution", a.nash)]
        if a.split is None:  # over a listed space only
            solutions.append(("Kalai-Smorodinsky solution", a.kalai_smorodinsky))
        for label, p in solutions:
            lines.append(
                f"  {label}: "
                + (
                    f"{terms(p)}  [{utils(p)}]"
                    if p
                    else "none (no offer beats every outside option)"
                )
            )
    return lines
