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


def too_many_to_list(issues: list[Issue]) -> bool:
    """More combinations of the issues' levels than a table lists."""
    size = 1
    for issue in issues:
        size *= issue.size
    return size > MAX_OFFERS


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
        self.frontier_by_other = _by_other(self.frontier_others)
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
        "frontier_by_other",
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


# ---------------------------------------------------------------- budget splits, without listing offers


@dataclass(frozen=True)
class BudgetSplit:
    """A table whose whole agenda divides a budget, each share valued (linearly, more is better) by one
    participant at most: each participant's utility is its base plus a slope per unit it is given."""

    total: float
    owner_issue: tuple[int | None, ...]  # per participant: the agenda issue it values, if any
    base: np.ndarray
    slope: np.ndarray
    step: float  # the grid of the shares


def budget_split(
    issues: list[Issue], participants: list[ActorProfile], budget: tuple[list[str], float] | None
) -> BudgetSplit | None:
    """The agenda as a budget split, or None when it is not one (see BudgetSplit)."""
    if budget is None or set(budget[0]) != {i.id for i in issues}:
        return None
    if any(i.values is None for i in issues):
        return None
    steps = {round(i.values[1] - i.values[0], 12) for i in issues if len(i.values) > 1}
    if len(steps) != 1 or any(i.values[0] != 0 for i in issues):
        return None  # shares start at nothing, on one grid
    if any(i.values[-1] < budget[1] - 1e-12 for i in issues):
        return (
            None  # a share capped below the budget: a split where a cap binds is not a plain split
        )
    weights = _normalised_weights(issues, participants)
    owner: list[int | None] = [None] * len(participants)
    slope = np.zeros(len(participants))
    owners_of_issue: dict[int, int] = {}
    for row, p in enumerate(participants):
        for k, issue in enumerate(issues):
            if weights[row, k] <= 0:
                continue
            vf = issue.value_function(p)
            diff = np.diff(vf)
            if not np.allclose(diff, diff[0]) or diff[0] <= 0 or owner[row] is not None:
                return None  # not linear, less is better, or two shares valued by one participant
            if k in owners_of_issue:
                return None  # a share valued by two participants: not a plain split
            owners_of_issue[k] = row
            owner[row] = k
            slope[row] = weights[row, k] * (vf[-1] - vf[0]) / (issue.values[-1] - issue.values[0])
    base = np.array(
        [
            sum(weights[row, k] * issues[k].value_function(p)[0] for k in range(len(issues)))
            for row, p in enumerate(participants)
        ]
    )
    return BudgetSplit(float(budget[1]), tuple(owner), base, slope, steps.pop())


def _normalised_weights(issues: list[Issue], participants: list[ActorProfile]) -> np.ndarray:
    w = np.array(
        [
            [p.interests[i.id].salience if i.id in p.interests else 0.0 for i in issues]
            for p in participants
        ]
    )
    totals = w.sum(axis=1, keepdims=True)
    return np.divide(w, totals, out=np.zeros_like(w), where=totals > 0)


class BudgetSpace(OfferSpace):
    """The offers of a budget split, made when they are first needed instead of listed: any precision of
    the split costs the same. Each offer gets a number the first time it is made (the same terms, the same
    number, whatever the order); a few are made at the start (each share whole to its holder, the equal
    split, nothing to anyone) and serve as the strategies' candidates, while the strategies that can
    (giving partners their price and keeping the rest, conceding towards a target, the Nash split) build
    their offers in closed form (BudgetSpace.best_for, .above, .nash)."""

    def __init__(
        self,
        issues: list[Issue],
        participants: list[ActorProfile],
        budget: tuple[list[str], float],
        split: BudgetSplit,
    ) -> None:
        import threading

        self.issues = issues
        self.budget_split = split
        self.weights = _normalised_weights(issues, participants)
        self._profiles = participants
        self._lock = threading.Lock()
        n_issues = len(issues)
        self._value_functions = [
            [issue.value_function(p) for issue in issues] for p in participants
        ]
        self.offers = np.zeros((0, n_issues), dtype=np.int32)
        self.utility = np.zeros((len(participants), 0))
        self._index = {}
        self.rows = [[] for _ in participants]
        self.shortfall_rows = [[] for _ in participants]
        seeds = [np.zeros(n_issues, dtype=np.int32)]
        for k, issue in enumerate(issues):
            whole = np.zeros(n_issues, dtype=np.int32)
            whole[k] = self._level(k, min(split.total, issue.values[-1]), down=True)
            seeds.append(whole)
        equal = np.array(
            [self._level(k, split.total / n_issues, down=True) for k in range(n_issues)],
            dtype=np.int32,
        )
        seeds.append(equal)
        for levels in seeds:
            self._register(tuple(int(x) for x in levels))
        self.best = self.utility.max(axis=1)
        self._frontier = np.arange(len(self.offers), dtype=np.int64)
        self._derive()

    # what OfferSpace derives from its arrays, kept up to date as offers are made
    def _derive(self) -> None:
        self.shortfall = self.best[:, None] - self.utility
        self.shortfall_rows = self.shortfall.tolist()
        self.rows = self.utility.tolist()
        self.frontier_utility = self.utility[:, self._frontier]
        n = len(self.utility)
        self.others_of = [
            np.array([r for r in range(n) if r != me], dtype=np.intp) for me in range(n)
        ]
        self.frontier_others = [self.frontier_utility[others] for others in self.others_of]
        self.best_values = self.best.tolist()
        self.frontier_by_other = _by_other(self.frontier_others)
        self._keep_memo = {}
        self.equilibria = {}

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        import threading

        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._derive()

    @property
    def frontier(self) -> np.ndarray:
        return self._frontier

    def _level(self, k: int, amount: float, down: bool) -> int:
        step = self.budget_split.step
        raw = amount / step
        level = int(np.floor(raw + 1e-9)) if down else int(np.ceil(raw - 1e-9))
        return max(0, min(level, self.issues[k].size - 1))

    def _register(self, levels: tuple[int, ...]) -> int:
        with self._lock:
            found = self._index.get(levels)
            if found is not None:
                return found
            spent = sum(self.issues[k].values[level] for k, level in enumerate(levels))
            if spent > self.budget_split.total + 1e-9:
                raise ValueError(f"terms {levels} spend more than the budget")
            column = np.array(
                [
                    sum(
                        self.weights[row, k] * self._value_functions[row][k][level]
                        for k, level in enumerate(levels)
                    )
                    for row in range(len(self._profiles))
                ]
            )
            number = len(self.offers)
            offers = np.vstack([self.offers, np.array(levels, dtype=np.int32)[None, :]])
            utility = np.hstack([self.utility, column[:, None]])
            offers.flags.writeable = utility.flags.writeable = False
            self.offers, self.utility = offers, utility
            for row, value in enumerate(column.tolist()):
                self.rows[row].append(value)
            if hasattr(self, "best"):
                shortfall = self.best - column
                self.shortfall = np.hstack([self.shortfall, shortfall[:, None]])
                for row, value in enumerate(shortfall.tolist()):
                    self.shortfall_rows[row].append(value)
            self._index[levels] = number
            return number

    def index(self) -> dict[tuple[int, ...], int]:
        return self._index

    def neighbours(self, offer: int) -> list[int]:
        raise ValueError(
            "a budget split's offers are not listed: the single-text protocol needs a listed agenda"
        )

    def offer_of(self, terms: dict[str, str | float]) -> int:
        levels = []
        for issue in self.issues:
            want = terms.get(issue.id)
            if want is None:
                levels.append(0)
            elif not isinstance(want, str):
                levels.append(int(np.argmin(np.abs(np.array(issue.values) - float(want)))))
            else:
                levels.append(issue.labels.index(str(want)))
        try:
            return self._register(tuple(levels))
        except ValueError:
            raise ValueError(
                f"terms {terms} are not an offer on this table (outside its budget?)"
            ) from None

    # ------------------------------------------------------------ offers built in closed form

    def _offer(self, amounts: dict[int, float], keeper: int | None, rounding: str = "up") -> int:
        """Shares rounded to the grid: up for those given a price, down for shares that are slack, or by
        largest remainder for a split of the whole; the keeper gets what is left, rounded down."""
        split = self.budget_split
        levels = [0] * len(self.issues)
        for k, amount in amounts.items():
            levels[k] = self._level(k, amount, down=rounding != "up")
        if rounding == "remainder":  # hand out the steps left over to the largest remainders
            left = int(
                round(
                    (split.total - sum(self.issues[k].values[levels[k]] for k in amounts))
                    / split.step
                )
            )
            remainders = sorted(
                amounts, key=lambda k: amounts[k] / split.step - levels[k], reverse=True
            )
            for k in remainders[: max(left, 0)]:
                levels[k] = min(levels[k] + 1, self.issues[k].size - 1)
        spent = sum(self.issues[k].values[levels[k]] for k in amounts)
        while (
            spent > split.total + 1e-9
        ):  # rounding (or prices) overspent: trim the largest share a step
            k = max((j for j in amounts if levels[j] > 0), key=lambda j: levels[j], default=None)
            if k is None:
                break
            levels[k] -= 1
            spent = sum(self.issues[j].values[levels[j]] for j in range(len(levels)))
        if keeper is not None:
            levels[keeper] = self._level(keeper, split.total - spent, down=True)
        return self._register(tuple(int(x) for x in levels))

    def _amount(self, row: int, utility: float) -> float:
        split = self.budget_split
        need = utility - split.base[row]
        if need <= 1e-12 or split.owner_issue[row] is None:
            return 0.0
        return need / split.slope[row]

    def best_for(self, me: int, floors: dict[int, float]) -> int:
        """The offer best for `me` that gives each row in `floors` at least its floor: each its price, the
        rest to `me`."""
        owner = self.budget_split.owner_issue
        amounts = {owner[r]: self._amount(r, f) for r, f in floors.items() if owner[r] is not None}
        return self._offer(amounts, owner[me])

    def above(self, me: int, target: float, believed: np.ndarray) -> int:
        """The offer worth `target` to `me` that leaves the others as far above what they are believed to
        need as can be, evenly (the time-dependent proposer's choice, in closed form: water-filling)."""
        split = self.budget_split
        owner = split.owner_issue
        mine = min(self._amount(me, target), split.total)
        rest = split.total - mine
        others = [
            r for r in range(len(owner)) if r != me and owner[r] is not None and split.slope[r] > 0
        ]
        amounts = _level_slack(split, others, believed, rest)
        if owner[me] is not None:
            amounts[owner[me]] = mine
        # the others' shares are slack above what they are believed to need, not prices: rounded down, so
        # that the mover keeps at least its target
        return self._offer(
            {k: v for k, v in amounts.items() if k != owner[me]}, owner[me], rounding="down"
        )

    def nash(self, disagreement: np.ndarray) -> int | None:
        """The Nash (1950) split: each party its disagreement utility plus an equal share of what is left
        (in budget units), the maximiser of the product of gains on a linear split."""
        split = self.budget_split
        owner = split.owner_issue
        rows = [r for r in range(len(owner)) if owner[r] is not None and split.slope[r] > 0]
        floors = {r: self._amount(r, float(disagreement[r])) for r in rows}
        left = split.total - sum(floors.values())
        if left < 0 or not rows:
            return None
        amounts = {owner[r]: floors[r] + left / len(rows) for r in rows}
        offer = self._offer(amounts, None, rounding="remainder")
        if any(self.rows[r][offer] < disagreement[r] - 1e-9 for r in rows):
            return None  # no split on the grid gives everyone its disagreement utility
        return offer


def _level_slack(
    split: BudgetSplit, rows: list[int], believed: np.ndarray, budget: float
) -> dict[int, float]:
    """Amounts for `rows` that raise the least slack (utility over belief) as high as `budget` allows."""
    if not rows or budget <= 0:
        return {}
    need = {r: max(float(believed[r]) - split.base[r], 0.0) / split.slope[r] for r in rows}
    # slack s for all: amount_r = need_r + s / slope_r, sum = budget
    inverse = sum(1.0 / split.slope[r] for r in rows)
    s = (budget - sum(need.values())) / inverse
    amounts = {r: need[r] + s / split.slope[r] for r in rows}
    while any(a < 0 for a in amounts.values()):  # a party that needs nothing gets nothing
        rows = [r for r in rows if amounts[r] > 0]
        if not rows:
            return {}
        inverse = sum(1.0 / split.slope[r] for r in rows)
        s = (budget - sum(need[r] for r in rows)) / inverse
        amounts = {r: need[r] + s / split.slope[r] for r in rows}
    return {split.owner_issue[r]: a for r, a in amounts.items()}


def _by_other(frontier_others: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray] | None]:
    """At a table of two: for each side, the frontier's order by what it gives the other side, and those
    utilities in that order (the best deal the other would take, for any need, is then one search);
    None at a larger table."""
    found: list[tuple[np.ndarray, np.ndarray] | None] = []
    for others in frontier_others:
        if len(others) != 1:
            found.append(None)
            continue
        order = np.argsort(others[0], kind="stable")
        ordered = others[0][order]
        order.flags.writeable = ordered.flags.writeable = False
        found.append((order, ordered))
    return found
