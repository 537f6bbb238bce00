"""The game a table plays, as the equilibrium solvers see it: its offers (the Pareto frontier), the
players' discount factors, how proposers are recognised, and its decision rule; for a pure budget split
with linear values, the same as a split of the budget. Equilibria are remembered on the table's offer
space (shared by a scenario's runs) for each set of outside options, so a Monte Carlo solves each once."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from wargame.engine.bargaining.agenda import BudgetSpace
from wargame.engine.bargaining.equilibrium import (
    GameForm,
    SplitForm,
    drawn,
    rotation,
    solve,
    solve_split,
)

if TYPE_CHECKING:
    from wargame.engine.bargaining.tables import Table


class TableGame:
    """The forms of one table's game and its equilibria for given outside options."""

    def __init__(self, table: Table) -> None:
        space = table.space
        spec = table.spec
        n = len(table.participants)
        if spec.proposer == "rotation":
            self.recognition = rotation(n)
            self.first = np.eye(n)[0]  # the first round's proposer sits first
        else:
            caps = np.array([sum(a.capabilities.values()) + 1e-9 for a in table.participants])
            self.recognition = drawn(caps)
            self.first = self.recognition[0]
        rule = spec.rule
        weights = None if isinstance(rule, str) else np.asarray(table.weights, dtype=float)
        threshold = 1.0 if isinstance(rule, str) else rule.threshold
        vetoes = () if isinstance(rule, str) else tuple(table.row(v) for v in rule.vetoes)
        self.form = GameForm(
            space.frontier_utility,
            np.asarray(table.discounts, dtype=float),
            self.recognition,
            weights,
            threshold,
            vetoes,
        )
        self.split = _split_form(table, self.form)
        self._table = table
        self._key = (
            spec.proposer,
            tuple(np.round(self.form.discounts, 12)),
            tuple(np.round(self.recognition.ravel(), 12)),
            None if weights is None else tuple(weights),
            threshold,
            vetoes,
        )
        self._space = space

    @classmethod
    def alternating(cls, space, discounts: np.ndarray) -> TableGame:
        """The game of offers made in turn under unanimity over a bare offer space (no table: a strategy
        tried on its own)."""
        game = cls.__new__(cls)
        n = space.utility.shape[0]
        game.recognition = rotation(n)
        game.first = np.eye(n)[0]
        d = np.ones(n) if discounts is None else np.asarray(discounts, dtype=float)
        game.form = GameForm(space.frontier_utility, d, game.recognition)
        game.split = None
        game._key = ("alternating", tuple(np.round(d, 12)))
        game._space = space
        game._table = None
        return game

    def equilibrium(self, outside: np.ndarray):
        """The stationary equilibrium for these outside options (remembered): a SplitEquilibrium for a
        budget split, else an Equilibrium over the frontier's offers."""
        self._follow_capabilities()
        memo = self._space.equilibria
        key = (*self._key, tuple(np.round(np.asarray(outside, dtype=float), 9)))
        found = memo.get(key)
        if found is None:
            if len(memo) > 1024:
                memo.clear()
            # the answer depends on the game alone (no warm start from an earlier game): the runs that
            # share this memo, in any order, in any process, get the same equilibrium
            if self.split is not None:
                found = solve_split(self.split, outside)
            else:
                found = solve(self.form, outside)
            memo[key] = found
        return found

    def _follow_capabilities(self) -> None:
        """Proposers recognised by capability: the chances follow the capabilities as they change."""
        table = self._table
        if table is None or table.spec.proposer != "capability":
            return
        caps = np.array([sum(a.capabilities.values()) + 1e-9 for a in table.participants])
        recognition = drawn(caps)
        if np.allclose(recognition, self.recognition, atol=1e-12, rtol=0):
            return
        self.recognition = recognition
        self.first = recognition[0]
        self.form = dataclasses.replace(self.form, recognition=recognition)
        if self.split is not None:
            self.split = dataclasses.replace(self.split, recognition=recognition)
        self._key = (*self._key[:2], tuple(np.round(recognition.ravel(), 12)), *self._key[3:])

    def thresholds(self, outside: np.ndarray, proposer: int) -> np.ndarray:
        """What each player needs to accept an offer of `proposer` in equilibrium."""
        return self.equilibrium(outside).thresholds[proposer]

    def prediction(self, outside: np.ndarray) -> np.ndarray:
        """Each player's expected equilibrium payoff from the first round on."""
        return self.first @ self.equilibrium(outside).values


def _split_form(table: Table, form: GameForm) -> SplitForm | None:
    """The table as a split of its budget, when its whole agenda is the budget and each budgeted issue is
    valued (linearly, more is better) by one participant at most: then each player's utility is its base
    plus a slope per unit of the budget it is given."""
    budget = table.spec.budget
    space = table.space
    if isinstance(space, BudgetSpace):
        split = space.budget_split
        return _split(form, split.total, split.base, split.slope)
    if budget is None:
        return _pie(table, form)
    if set(budget.issues) != set(table.spec.agenda):
        return None
    if any(i.values[0] != 0 or i.values[-1] < budget.total - 1e-12 for i in space.issues):
        return None  # shares that start above nothing, or are capped below the budget: not a plain split
    n = len(table.participants)
    slope = np.zeros(n)
    for k, issue in enumerate(space.issues):
        lo, hi = issue.values[0], issue.values[-1]
        owners = []
        for row, agent in enumerate(table.participants):
            weight = space.weights[row, k]
            if weight <= 0:
                continue
            vf = issue.value_function(agent.profile)
            step = np.diff(vf)
            if not np.allclose(step, step[0]) or step[0] <= 0:
                return None  # not linear, or less is better: not a plain split
            owners.append(row)
            slope[row] = max(slope[row], weight * (vf[-1] - vf[0]) / (hi - lo))
        if len(owners) > 1:
            return None
    zero = space.offer_of({i.id: i.values[0] for i in space.issues})
    base = space.utility[:, zero]
    return _split(form, float(budget.total), np.asarray(base, dtype=float), slope)


def _pie(table: Table, form: GameForm) -> SplitForm | None:
    """Two players and one continuous issue that one wants high and the other low, linearly: a pie whose
    size is the issue's range (Rubinstein's game), split by where the level is set."""
    space = table.space
    if len(space.issues) != 1 or len(table.participants) != 2:
        return None
    issue = space.issues[0]
    if issue.values is None:
        return None
    lo, hi = issue.values[0], issue.values[-1]
    slope, base = np.zeros(2), np.zeros(2)
    signs = []
    for row, agent in enumerate(table.participants):
        vf = issue.value_function(agent.profile) * space.weights[row, 0]
        step = np.diff(vf)
        if not np.allclose(step, step[0]) or step[0] == 0:
            return None
        signs.append(step[0] > 0)
        slope[row] = abs(vf[-1] - vf[0]) / (hi - lo)
        base[row] = min(vf[0], vf[-1])
    if signs[0] == signs[1]:
        return None  # both want the same end: no pie to split
    return _split(form, float(hi - lo), base, slope)


def _split(form: GameForm, total: float, base: np.ndarray, slope: np.ndarray) -> SplitForm:
    """The table's rules (discounts, recognition, decision rule) over a split of `total`."""
    return SplitForm(
        total,
        base,
        slope,
        form.discounts,
        form.recognition,
        form.weights,
        form.threshold,
        form.vetoes,
    )
