"""What drives an outcome or a branch: for each drawn private value and each swept setting, how often
the target happens among the runs where that input is low against the runs where it is high, with a
rank test that tells a real driver from noise. Pure functions over the runs table of a Monte Carlo.

Only inputs are candidates (draw_* and set_* columns). The result figures (personnel, utilities,
days) are consequences of the same run, so they would "explain" the outcome circularly; run_id and
seed identify runs and carry no meaning; `point` is the sweep index, already covered by set_*.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import stats

from wargame.analysis.branching import as_arrow, column_names, milestone_paths
from wargame.language.errors import ScenarioError, closest

# an input with at most this many distinct values (a sweep) is compared lowest vs highest value
FEW_LEVELS = 5
WHERE = "runs table"


@dataclass
class Driver:
    """One input's pull on the target: the target rate among low vs high values of the input."""

    name: str  # column name, e.g. draw_ACTOR_resolve or set_actors.ACTOR.time_pressure
    kind: str  # "drawn" (a private value drawn per run) or "swept" (a setting varied by the plan)
    low_rate: float  # share of target runs where the input is in its lowest third (or lowest value)
    high_rate: float  # ... highest third (or highest value)
    effect: float  # high_rate - low_rate
    direction: str  # "raises" (effect > 0), "lowers" (effect < 0) or "none"
    p_value: float | None  # two-sided Mann-Whitney U, input among target vs other runs
    # p adjusted for testing every input at once (Benjamini and Hochberg 1995, false discovery rate):
    # with many inputs some raw p fall under 0.05 by chance; q under 0.05 keeps such false leads rare.
    q_value: float | None
    n: int  # runs compared (those with a value)
    low_value: float  # the low group holds runs with input <= low_value
    high_value: float  # the high group holds runs with input >= high_value
    low_n: int
    high_n: int

    def to_dict(self) -> dict:
        return asdict(self)


def _floats(table: pa.Table, name: str) -> np.ndarray:
    """A numeric column as float64, nulls as NaN."""
    return pc.fill_null(table.column(name).cast(pa.float64()), float("nan")).to_numpy()


def _target(
    runs, outcome: str | None, node: tuple[str, ...] | None
) -> tuple[np.ndarray, np.ndarray]:
    """(population, target) masks over the runs."""
    if outcome is None and node is None:
        raise ScenarioError(
            WHERE,
            "say what to explain",
            field="outcome / node",
            expected="an outcome id or a milestone path",
            found="neither",
        )
    n = len(runs) if not isinstance(runs, pa.Table) else runs.num_rows
    population = np.ones(n, dtype=bool)
    if node is not None:
        node = tuple(node)
        paths = milestone_paths(as_arrow(runs, ["milestone_path"]))
        beneath = paths.beneath(node)
        if node and not beneath.any():
            reached = {paths.labels[c] for c in paths.codes}
            missing = next((m for m in node if m not in reached), None)
            raise ScenarioError(
                WHERE,
                "no run's milestones begin with " + " > ".join(node),
                field="node",
                found=missing or " > ".join(node),
                suggestion=closest(missing, reached) if missing else None,
            )
        if outcome is None:
            return population, beneath
        population = beneath
    table = as_arrow(runs, ["outcome"])
    if "outcome" not in table.column_names:
        raise ScenarioError(WHERE, "the runs have no 'outcome' column", field="outcome")
    column = table.column("outcome").cast(pa.string())
    known = sorted(o for o in pc.unique(column).to_pylist() if o is not None)
    if outcome not in known:
        raise ScenarioError(
            WHERE,
            f"no run ended in outcome '{outcome}'",
            field="outcome",
            expected="one of " + ", ".join(known),
            found=outcome,
            suggestion=closest(outcome, known),
        )
    hit = pc.fill_null(pc.equal(column, outcome), False)
    return population, hit.to_numpy(zero_copy_only=False).astype(bool)


def _driver(name: str, x: np.ndarray, population: np.ndarray, target: np.ndarray) -> Driver | None:
    ok = population & ~np.isnan(x)
    x, hit = x[ok], target[ok]
    levels = np.unique(x)
    if len(levels) < 2:
        return None  # a constant input drives nothing
    if len(levels) <= FEW_LEVELS:
        low_value, high_value = float(levels[0]), float(levels[-1])
        low, high = x == levels[0], x == levels[-1]
    else:
        low_value, high_value = (float(q) for q in np.quantile(x, [1 / 3, 2 / 3]))
        low, high = x <= low_value, x >= high_value
        if low_value == high_value:  # a third of the runs share one value: keep the groups apart
            high = x > high_value
            high_value = float(x[high].min())
    low_rate, high_rate = float(hit[low].mean()), float(hit[high].mean())
    effect = high_rate - low_rate
    p_value = None
    if hit.any() and not hit.all():
        p_value = float(stats.mannwhitneyu(x[hit], x[~hit], alternative="two-sided").pvalue)
        p_value = None if math.isnan(p_value) else p_value
    return Driver(
        name=name,
        kind="swept" if name.startswith("set_") else "drawn",
        low_rate=low_rate,
        high_rate=high_rate,
        effect=effect,
        direction="raises" if effect > 0 else "lowers" if effect < 0 else "none",
        p_value=p_value,
        q_value=None,
        n=int(len(x)),
        low_value=low_value,
        high_value=high_value,
        low_n=int(low.sum()),
        high_n=int(high.sum()),
    )


def drivers(
    runs, outcome: str | None = None, node: tuple[str, ...] | None = None, top: int | None = 10
) -> list[Driver]:
    """The inputs that move the target most, largest |effect| first.

    The target is the runs that ended in `outcome`, or the runs whose milestone path starts with
    `node`; given both, the runs beneath `node` that ended in `outcome`, compared with the other
    runs beneath `node`. Each draw_* and numeric set_* column is split into its lowest and highest
    thirds (lowest and highest value when it has at most FEW_LEVELS values, as a sweep does). q values
    adjust the p values for all the inputs tested, not only the `top` listed.
    """
    population, target = _target(runs, outcome, node)
    inputs = [c for c in column_names(runs) if c.startswith(("draw_", "set_"))]
    table = as_arrow(runs, inputs)
    kinds = {c: table.schema.field(c).type for c in inputs}
    names = [c for c in inputs if pa.types.is_integer(kinds[c]) or pa.types.is_floating(kinds[c])]
    found = [d for name in names if (d := _driver(name, _floats(table, name), population, target))]
    tested = [d for d in found if d.p_value is not None]
    if tested:
        adjusted = stats.false_discovery_control([d.p_value for d in tested], method="bh")
        for d, q in zip(tested, adjusted, strict=True):
            d.q_value = float(q)
    found.sort(key=lambda d: (-abs(d.effect), d.p_value if d.p_value is not None else 2.0, d.name))
    return found if top is None else found[:top]


# ---------------------------------------------------------------- text


def _rate(x: float) -> str:
    return f"{100 * x:.0f}%"


def _p(p: float | None) -> str:
    if p is None:
        return "n/a"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def render_drivers(found: list[Driver], width: int = 30) -> list[str]:
    """A tornado table: each input's target rate when low and when high, with a bar centred on no
    effect that grows right when the input raises the target and left when it lowers it (scaled to
    the largest effect listed), the effect in points and the p-value."""
    if not found:
        return ["no input varies across these runs"]
    half = max(width // 2, 1)
    scale = max(abs(d.effect) for d in found) or 1.0
    name_w = max(len("input"), *(len(d.name) for d in found))
    axis = "lowers <- | -> raises" if half >= 10 else "- | +"
    lines = [
        f"{'input'.ljust(name_w)}  {'low':>4}  {axis.center(2 * half + 1)}"
        f"  {'high':>4}  {'effect':>6}  {'p':>6}  {'q':>6}"
    ]
    for d in found:
        cells = abs(d.effect) / scale * half
        full = int(round(cells))
        left = ("█" * full).rjust(half) if d.effect < 0 else " " * half
        right = ("█" * full).ljust(half) if d.effect > 0 else " " * half
        noise = "" if d.q_value is not None and d.q_value < 0.05 else "  (noise?)"
        lines.append(
            f"{d.name.ljust(name_w)}  {_rate(d.low_rate):>4}  {left}│{right}  {_rate(d.high_rate):>4}"
            f"  {100 * d.effect:+5.1f}  {_p(d.p_value):>6}  {_p(d.q_value):>6}{noise}"
        )
    lines.append(
        "low/high: target rate in the lowest/highest third of the input (lowest/highest value"
    )
    lines.append(
        "for a sweep); effect in points; p: Mann-Whitney U, input among target vs other runs;"
    )
    lines.append(
        "q: p adjusted for every input tested (Benjamini-Hochberg); (noise?) where q >= 0.05 or n/a"
    )
    return lines
