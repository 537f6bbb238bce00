"""Issues on the table, the space of offers over an agenda, and each actor's utility over it.

Utilities are additive over issues, weighted by salience, each issue with a value function in [0, 1]
(linear distance from the ideal point, or explicit values per level). An offer is one index per
agenda issue; a table enumerates every offer once, so proposing and responding are array look-ups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wargame.engine.commitment.agreements import keep_probability
from wargame.language.schema import ActorProfile, IssueSpec

MAX_OFFERS = (
    200_000  # above this a table's agenda is too large to enumerate (before any budget filter)
)


@dataclass(frozen=True)
class Issue:
    """One issue as the engine sees it: its level labels (continuous issues become a grid)."""

    id: str
    label: str
    labels: tuple[str, ...]
    values: tuple[float, ...] | None  # numeric value of each point of a continuous issue
    spec: IssueSpec

    @classmethod
    def from_spec(cls, spec: IssueSpec) -> Issue:
        if spec.kind == "ordinal":
            return cls(
                spec.id, spec.label or spec.id, tuple(lv.id for lv in spec.levels), None, spec
            )
        lo, hi = spec.range
        grid = tuple(float(x) for x in np.linspace(lo, hi, spec.steps))
        return cls(spec.id, spec.label or spec.id, tuple(_fmt(x) for x in grid), grid, spec)

    @property
    def size(self) -> int:
        return len(self.labels)

    def index_of(self, ideal: int | float | str) -> float:
        """Position of an ideal point on this issue's scale (fractional for a continuous ideal)."""
        if self.values is None:
            return float(self.labels.index(ideal)) if isinstance(ideal, str) else float(ideal)
        lo, hi = self.values[0], self.values[-1]
        return (float(ideal) - lo) / (hi - lo) * (self.size - 1)

    def value_function(self, profile: ActorProfile) -> np.ndarray:
        """Value in [0, 1] of each level of this issue for one actor (0 where it has no interest)."""
        interest = profile.interests.get(self.id)
        if interest is None:
            return np.zeros(self.size)
        if interest.values is not None:
            return np.array([float(interest.values.get(label, 0.0)) for label in self.labels])
        ideal = self.index_of(interest.ideal)
        span = max(self.size - 1, 1)
        return 1.0 - np.abs(np.arange(self.size) - ideal) / span


def _fmt(x: float) -> str:
    return f"{x:g}"


class OfferSpace:
    """Every offer over an agenda, and each participant's utility for each (rows: participants)."""

    def __init__(
        self,
        issues: list[Issue],
        participants: list[ActorProfile],
        budget: tuple[list[str], float] | None = None,
    ) -> None:
        self.issues = issues
        sizes = [i.size for i in issues]
        n = int(np.prod(sizes))
        if n > MAX_OFFERS:
            raise ValueError(
                f"agenda {[i.id for i in issues]} has {n} offers, more than {MAX_OFFERS}"
            )
        self.offers = np.indices(sizes, dtype=np.int32).reshape(len(issues), n).T.copy()
        if budget is not None:
            # Offers whose budgeted issues add up to more than the total are not on the table.
            names, total = budget
            spent = np.zeros(n)
            for k, issue in enumerate(issues):
                if issue.id in names:
                    spent += np.asarray(issue.values)[self.offers[:, k]]
            self.offers = self.offers[spent <= total + 1e-9]
            n = len(self.offers)
        self.weights = np.array(
            [
                [p.interests[i.id].salience if i.id in p.interests else 0.0 for i in issues]
                for p in participants
            ]
        )
        totals = self.weights.sum(axis=1, keepdims=True)
        self.weights = np.divide(
            self.weights, totals, out=np.zeros_like(self.weights), where=totals > 0
        )
        self.utility = np.zeros((len(participants), n))
        for k, issue in enumerate(issues):
            column = self.offers[:, k]
            for row, p in enumerate(participants):
                if self.weights[row, k] > 0:
                    self.utility[row] += self.weights[row, k] * issue.value_function(p)[column]
        self.best = self.utility.max(axis=1)
        self._index: dict[tuple[int, ...], int] | None = None
        self._frontier: np.ndarray | None = None
        self._derive()

    def _derive(self) -> None:
        """Look-up forms of the arrays above, used on every move (rebuilt, not saved, with a run's state)."""
        self.rows: list[list[float]] = self.utility.tolist()  # scalar look-ups cost less in lists
        self.shortfall = self.best[:, None] - self.utility  # each party's shortfall from its best
        self.shortfall_rows: list[list[float]] = self.shortfall.tolist()
        self.frontier_utility = self.utility[:, self.frontier]  # participants x frontier offers
        n = len(self.utility)
        self.others_of = [
            np.array([r for r in range(n) if r != me], dtype=np.intp) for me in range(n)
        ]
        self.frontier_others = [self.frontier_utility[others] for others in self.others_of]
        self.best_values: list[float] = self.best.tolist()
        self._keep_memo: dict = {}
        self.equilibria: dict = {}  # the table games' equilibria, by game and outside options
        # Every run of a scenario shares its offer spaces: nothing may write into them.
        for array in (
            self.offers,
            self.utility,
            self.best,
            self.shortfall,
            self.frontier_utility,
            *self.frontier_others,
        ):
            array.flags.writeable = False

    DERIVED = (
        "rows",
        "shortfall",
        "shortfall_rows",
        "frontier_utility",
        "others_of",
        "frontier_others",
        "best_values",
        "_keep_memo",
        "equilibria",
    )  # what _derive makes

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in self.DERIVED}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._derive()

    def frontier_keep(self, terms: tuple, days: int) -> np.ndarray | float:
        """keep_probability over the frontier for these beliefs, remembered (the same beliefs and
        deterrence recur day after day while nothing happens at a table)."""
        memo = self._keep_memo
        key = (terms, days)
        keep = memo.get(key)
        if keep is None:
            if len(memo) >= 4096:
                memo.clear()
            keep = memo[key] = keep_probability(self, terms, days, self.frontier)
            if isinstance(keep, np.ndarray):
                keep.flags.writeable = False
        return keep

    @property
    def frontier(self) -> np.ndarray:
        """Offers no other offer Pareto-dominates in utility (computed once per space).

        Why strategies may search only these: if offer b gives every party at least what a gives, each
        other party's shortfall from its best, hence its temptation to break, is no larger under b, so b is
        kept at least as surely; an offer's worth to a party, keep * u + (1 - keep) * (fallback), grows with
        both keep and u whenever u is above the fallback, which holds for every offer a party would take."""
        if self._frontier is None:
            from wargame.engine.bargaining.solutions import pareto_frontier

            self._frontier = np.asarray(pareto_frontier(self.utility), dtype=np.int64)
        return self._frontier

    def __len__(self) -> int:
        return len(self.offers)

    def describe(self, offer: int) -> dict[str, str]:
        return {
            issue.id: issue.labels[self.offers[offer, k]] for k, issue in enumerate(self.issues)
        }

    def index(self) -> dict[tuple[int, ...], int]:
        """Offer levels -> offer number (built on first use; used to walk between neighbouring offers)."""
        if self._index is None:
            self._index = {tuple(int(x) for x in row): i for i, row in enumerate(self.offers)}
        return self._index

    def neighbours(self, offer: int) -> list[int]:
        """Offers that differ from `offer` by one step on one issue."""
        here = self.offers[offer]
        index = self.index()
        out = []
        for k, issue in enumerate(self.issues):
            for step in (-1, 1):
                level = int(here[k]) + step
                if 0 <= level < issue.size:
                    key = tuple(int(x) if j != k else level for j, x in enumerate(here))
                    if key in index:
                        out.append(index[key])
        return out

    def offer_of(self, terms: dict[str, str | float]) -> int:
        """The offer written as {issue: level label or value}; unnamed issues take their first level.
        ValueError for a level the issue lacks or terms outside the table's budget."""
        levels = []
        for issue in self.issues:
            want = terms.get(issue.id)
            if want is None:
                levels.append(0)
            elif issue.values is not None and not isinstance(want, str):
                levels.append(int(np.argmin(np.abs(np.array(issue.values) - float(want)))))
            else:
                levels.append(issue.labels.index(str(want)))
        offer = self.index().get(tuple(levels))
        if offer is None:
            raise ValueError(f"terms {terms} are not an offer on this table (outside its budget?)")
        return offer

    def level(self, offer: int, issue_id: str) -> int | None:
        for k, issue in enumerate(self.issues):
            if issue.id == issue_id:
                return int(self.offers[offer, k])
        return None
