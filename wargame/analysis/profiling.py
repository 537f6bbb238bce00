"""Where a run's time goes: `wargame profile SCENARIO --runs N`.

A run's time is measured twice. First plainly: each run timed alone (after a few runs to warm up), the
median quoted. Then under Python's profiler (cProfile), which slows every call but counts them all: the
time of each phase of the day is the cumulative time of the function that plays it (the model's day
calls them in this order), and the functions are ranked by their own time. The profiler's shares are
shares of the profiled time; its overhead falls most on code that makes many small calls.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from wargame.engine.model import WargameModel
from wargame.engine.scenarios import load_scenario

# The phases of a day, in the order the model plays them, and the functions that play them: (file
# ending, function name). Building the model is a phase of its own.
PHASES: dict[str, tuple[tuple[str, str], ...]] = {
    "set-up (the model built)": (("engine/model.py", "__init__"),),
    "events": (("engine/model.py", "_play_events"),),
    "posts (stay or leave)": (("ground/garrisons.py", "review_posts"),),
    "talks": (("engine/model.py", "_bargain"),),
    "ground (sieges, columns, local arrangements)": (
        ("ground/logistics.py", "run_sieges"),
        ("ground/logistics.py", "arrive_convoys"),
        ("ground/safe_conduct.py", "arrange"),
        ("ground/logistics.py", "dispatch_convoys"),
    ),
    "airlift and sealift": (("ground/logistics.py", "fly_airlift"),),
    "compliance": (("commitment/agreements.py", "review"),),
    "milestones": (("engine/model.py", "_check_milestones"),),
    "daily figures": (("engine/model.py", "collect"),),
}
WARM_UP = 3


@dataclass
class Profile:
    scenario: str
    runs: int
    days: float  # simulated days a run, on average
    run_ms: float  # median of the plain timings
    profiled_ms: float  # a run's time under the profiler
    phases: list[tuple[str, float]] = field(default_factory=list)  # (phase, share of profiled time)
    functions: list[tuple[str, int, float, float]] = field(default_factory=list)
    # (function, calls a run, own ms a run, cumulative ms a run), under the profiler


def profile_runs(
    scenario: str | Path, runs: int, seed: int = 0, overrides: dict | None = None, top: int = 20
) -> Profile:
    sc = load_scenario(scenario, overrides)
    for s in range(WARM_UP):
        WargameModel(sc, rng=seed + runs + s, narrate=False).run()
    plain, days = [], []
    for s in range(runs):
        start = time.perf_counter()
        result = WargameModel(sc, rng=seed + s, narrate=False).run()
        plain.append(time.perf_counter() - start)
        days.append(result.days)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for s in range(runs):
        WargameModel(sc, rng=seed + s, narrate=False).run()
    profiler.disable()
    profiled = time.perf_counter() - start
    stats = pstats.Stats(
        profiler
    ).stats  # (file, line, name) -> (calls, primitive, own, cumulative, callers)
    phases = []
    for phase, entries in PHASES.items():
        spent = sum(
            row[3]
            for (file, _line, name), row in stats.items()
            if any(file.replace("\\", "/").endswith(end) and name == fn for end, fn in entries)
        )
        phases.append((phase, spent / profiled))
    ranked = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    functions = [
        (
            _name(file, line, name),
            round(row[0] / runs),
            row[2] / runs * 1e3,
            row[3] / runs * 1e3,
        )
        for (file, line, name), row in ranked
    ]
    return Profile(
        scenario=sc.spec.id,
        runs=runs,
        days=sum(days) / len(days),
        run_ms=statistics.median(plain) * 1e3,
        profiled_ms=profiled / runs * 1e3,
        phases=phases,
        functions=functions,
    )


def _name(file: str, line: int, name: str) -> str:
    """A function as a reader finds it: the package-relative file and line, or the built-in's name."""
    if file == "~":
        return name
    path = file.replace("\\", "/")
    for root in ("/wargame/", "/site-packages/", "/lib/python"):
        if root in path:
            path = path.split(root, 1)[1]
            if root == "/wargame/":
                path = "wargame/" + path
            break
    return f"{name} ({path}:{line})"


def render_profile(p: Profile) -> list[str]:
    lines = [
        f"{p.scenario}: {p.runs} runs of {p.days:.0f} days; a run takes {p.run_ms:.1f} ms "
        f"(median, timed alone), {p.run_ms / max(p.days, 1):.2f} ms a simulated day",
        "",
        f"Where a run's time goes, by phase of the day (under the profiler: {p.profiled_ms:.1f} ms a run):",
    ]
    named = 0.0
    for phase, share in p.phases:
        named += share
        lines.append(f"  {phase:46s} {share:6.1%}  {share * p.run_ms:6.2f} ms")
    rest = max(0.0, 1.0 - named)
    lines.append(
        f"  {'the rest (the day loop, results)':46s} {rest:6.1%}  {rest * p.run_ms:6.2f} ms"
    )
    lines += ["", "By function, own time (calls a run, own ms, cumulative ms, under the profiler):"]
    for name, calls, own, cumulative in p.functions:
        lines.append(f"  {calls:7d}  {own:6.2f}  {cumulative:7.2f}  {name}")
    return lines
