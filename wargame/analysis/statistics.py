"""Statistics of a Monte Carlo's runs: intervals of shares and quantiles of numbers.

wilson_interval(k, n, confidence=0.95) -> (low, high)   Wilson score interval of k successes in n (n > 0)
wilson(k, n)                             -> (low, high)   the 95% one; (0, 1) when n is 0
percentiles(values)                      -> {"p10": ..., "p25": ..., "p50": ..., "p75": ..., "p90": ...}
fan_quantiles(series, days)              -> Fan   those percentiles per day of per-run weekly series
milestone_day_stats(res)                 -> per milestone: share of runs that reach it, day quantiles
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

if TYPE_CHECKING:
    from wargame.analysis.results import Results

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)


@functools.lru_cache(maxsize=8)
def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of k successes in n trials (n > 0).

    The same formula as scipy.stats.binomtest(k, n).proportion_ci(method="wilson") (the tests check
    it against scipy and against Newcombe 1998), written out because binomtest also computes a
    p-value, which costs more than the interval for each of thousands of nodes.
    """
    z = _z(confidence)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of k/n (wilson_interval); (0, 1) when n is 0."""
    return (0.0, 1.0) if n <= 0 else wilson_interval(k, n)


def week_days(length: int, days: int) -> list[int]:
    """The days at which a weekly series of `length` values was sampled: 0, 7, 14, ... and the last day."""
    picks = list(range(0, days + 1, 7))
    if picks[-1] != days:
        picks.append(days)
    if len(picks) == length:
        return picks
    # Not the layout the model writes (e.g. a run cut short): assume weekly steps ending on `days`.
    picks = [7 * i for i in range(length)]
    if length > 1 and days > picks[-2]:
        picks[-1] = days
    return picks


@dataclass
class Fan:
    days: list[int]
    quantiles: dict[str, list[float]]  # "p10", "p25", "p50", "p75", "p90" -> one value per day
    runs: int

    def to_dict(self) -> dict:
        return {"days": self.days, "runs": self.runs, **self.quantiles}


def fan_quantiles(series, days, quantiles=QUANTILES) -> Fan:
    """Per-day quantiles of weekly series (one list per run, sampled at week_days(len, days)).

    Runs end on different days (a shorter horizon in a sweep, an early end): the grid is the union of
    every run's sample days and a run that has ended keeps its last value, since its count is final.
    """
    series = [np.asarray(s if s is not None else [], dtype=float) for s in series]
    days = [int(d) for d in days]
    keep = [(s, d) for s, d in zip(series, days, strict=True) if len(s)]
    names = [f"p{round(q * 100)}" for q in quantiles]
    if not keep:
        return Fan([], {n: [] for n in names}, 0)
    groups: dict[tuple[int, int], list[np.ndarray]] = {}
    for s, d in keep:
        groups.setdefault((len(s), d), []).append(s)
    sample_days = {key: np.asarray(week_days(*key)) for key in groups}
    grid = np.unique(np.concatenate(list(sample_days.values())))
    rows = []
    for key, members in groups.items():
        x = sample_days[key]
        idx = np.clip(np.searchsorted(x, grid, side="right") - 1, 0, len(x) - 1)
        rows.append(np.vstack(members)[:, idx])
    matrix = np.vstack(rows)
    values = np.quantile(matrix, quantiles, axis=0)
    values = np.maximum.accumulate(values, axis=0)  # guard the order against rounding
    return Fan(
        grid.astype(int).tolist(),
        {n: v.tolist() for n, v in zip(names, values, strict=True)},
        len(keep),
    )


def percentiles(values: np.ndarray) -> dict[str, float]:
    """The 10th, 25th, 50th, 75th and 90th percentiles of values, as p10 ... p90."""
    q = np.quantile(values, QUANTILES)
    return {f"p{round(p * 100)}": float(v) for p, v in zip(QUANTILES, q, strict=True)}


def milestone_day_stats(res: Results) -> list[dict]:
    """Per milestone reached by at least one run: share of runs that reach it and the day quantiles."""
    n = len(res.runs)
    out = []
    for mid, label in res.milestone_labels.items():
        col = f"day_{mid}"
        if col not in res.runs.columns:
            continue
        values = res.runs[col].dropna().to_numpy(dtype=float)
        if not len(values):
            continue
        out.append({"id": mid, "label": label, "runs": len(values), "share": len(values) / n,
                    "min": float(values.min()), "max": float(values.max()), **percentiles(values)})  # fmt: skip
    return sorted(out, key=lambda s: (s["p50"], s["p25"], s["id"]))
