"""Benchmarks report their goals: speed is reported next to its goal, never asserted.

A benchmark with a goal puts three keys in `benchmark.extra_info` (and so in `--benchmark-json`):

- `goal`: the goal in words, e.g. "median <= 0.5 ms" or "overhead <= 10%";
- `measured`: the figure compared with it, in the same words, e.g. "median 0.41 ms";
- `meets_goal`: True or False (None when nothing was measured, e.g. under `--benchmark-disable`).

The `benchmark_goal` fixture fills them in: `benchmark_goal(goal, measured, met)`. At the end of the session one line per benchmark that ran and names a goal
is printed under "benchmark goals". The growth benchmarks (parametrized by `actors`) get one more line:
the exponent k of cost ~ actors^k fitted over the sizes that ran, against the goal k <= 2.
"""

from __future__ import annotations

import math

import pytest

GROWTH_GOAL_EXPONENT = 2.0


def record_goal(benchmark, goal: str, measured: str | None, met: bool | None) -> None:
    """Write a benchmark's goal, the figure measured and whether it meets the goal into extra_info."""
    benchmark.extra_info["goal"] = goal
    benchmark.extra_info["measured"] = measured if measured is not None else "not measured"
    benchmark.extra_info["meets_goal"] = met


@pytest.fixture
def benchmark_goal(benchmark):
    """`benchmark_goal(goal, measured, met)` records the goal of this test's benchmark."""
    return lambda goal, measured, met: record_goal(benchmark, goal, measured, met)


def _ran(config) -> list:
    session = getattr(config, "_benchmarksession", None)
    return [b for b in getattr(session, "benchmarks", []) if b]  # a Metadata is falsy without stats


def _growth_exponent(benchmarks) -> tuple[float, list] | None:
    """Least-squares slope of log(median) on log(actors) over the growth benchmarks that ran."""
    growth = [b for b in benchmarks if (b.params or {}).get("actors")]
    if len({b.params["actors"] for b in growth}) < 2:
        return None
    xs = [math.log(b.params["actors"]) for b in growth]
    ys = [math.log(b.stats.median) for b in growth]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return slope, growth


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """Before pytest-benchmark saves its JSON: the fitted growth exponent into the growth benchmarks."""
    fit = _growth_exponent(_ran(session.config))
    if fit is not None:
        slope, growth = fit
        sizes = ", ".join(
            str(b.params["actors"]) for b in sorted(growth, key=lambda b: b.params["actors"])
        )
        for b in growth:
            b.extra_info.setdefault("goal", f"cost ~ actors^k with k <= {GROWTH_GOAL_EXPONENT:g}")
            b.extra_info.setdefault("measured", f"k = {slope:.2f} fitted over {sizes} actors")
            b.extra_info.setdefault("meets_goal", slope <= GROWTH_GOAL_EXPONENT)
    yield


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter):
    lines = []
    for b in _ran(terminalreporter.config):
        info = b.extra_info
        if "goal" not in info:
            continue
        met = info.get("meets_goal")
        verdict = "met" if met else ("NOT met" if met is not None else "not measured")
        line = f"{verdict:>12}  {info['goal']}: {info.get('measured', 'not measured')}"
        if (b.params or {}).get("actors"):
            line += "  [growth benchmarks]"
        else:
            line += f"  [{b.name}]"
        if line not in lines:
            lines.append(line)
    if lines:
        terminalreporter.section("benchmark goals (reported, not asserted)")
        for line in lines:
            terminalreporter.write_line(line)
