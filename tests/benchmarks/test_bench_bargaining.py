"""Speed of the bargaining engine (pytest-benchmark; figures recorded in the README).

The NegMAS comparison shape: one 3-party table over 4 ordinal issues with 3, 3, 3 and 4 levels (108
offers), every party playing the conceder strategy, negotiated from its opening to agreement.
NegMAS 0.16 takes a median 5.5 ms for this shape on this kind of machine; the goal here is a median of
at most 0.5 ms for the protocol alone. The goal and the median measured are in extra_info and in the
summary printed at the end (tests/benchmarks/conftest.py); speed is reported, not asserted.
"""

from __future__ import annotations

from pathlib import Path

from wargame import WargameModel, load_scenario

GOAL_SECONDS = 0.5e-3
NEGMAS_SECONDS = 5.5e-3
BENCH = Path(__file__).resolve().parent.parent / "data" / "scenarios" / "bench_table.yaml"


def _negotiate(model: WargameModel) -> int:
    while not model.agreements:
        model.step()
    return model.day


def _protocol(model: WargameModel) -> int:
    """The table's protocol alone, round after round, as a negotiation library runs one session."""
    table = model.tables["t"]
    table.status = "open"
    for day in range(1, table.deadline + 1):
        model.day = day
        if _settle(table.play_round(model, day)).passed:
            return day
    return -1


def _settle(round_):
    """A round is a generator that yields only when a seat played from outside must decide; the benchmark
    table has none, so it returns its play at once."""
    try:
        next(round_)
    except StopIteration as done:
        return done.value
    raise AssertionError("the benchmark table waits for a seat")


def test_bench_3party_4issue_negotiation_protocol(benchmark, benchmark_goal):
    """Opening offer to agreement: proposals, answers and belief updates (the NegMAS comparison; goal: a
    median of at most 0.5 ms)."""
    sc = load_scenario(BENCH)
    seeds = iter(range(10**9))

    def setup():
        return (WargameModel(sc, rng=next(seeds), narrate=False),), {}

    day = benchmark.pedantic(_protocol, setup=setup, rounds=400, iterations=1)
    assert 1 <= day <= 10
    # No stats under --benchmark-disable.
    median = benchmark.stats.stats.median if benchmark.stats else None
    benchmark.extra_info["negmas_0.16_median_ms"] = NEGMAS_SECONDS * 1e3
    benchmark_goal(
        f"median <= {GOAL_SECONDS * 1e3:g} ms (NegMAS 0.16: {NEGMAS_SECONDS * 1e3:g} ms)",
        None if median is None else f"median {median * 1e3:.3f} ms",
        None if median is None else median <= GOAL_SECONDS,
    )


def test_bench_3party_4issue_negotiation_in_the_model(benchmark):
    """The same negotiation inside whole model days (events, logistics, compliance, data collection)."""
    sc = load_scenario(BENCH)
    seeds = iter(range(10**9))

    def setup():
        return (WargameModel(sc, rng=next(seeds), narrate=False),), {}

    day = benchmark.pedantic(_negotiate, setup=setup, rounds=300, iterations=1)
    assert day <= 10


def test_bench_3party_4issue_build_and_negotiate(benchmark):
    """Everything: build the model (actors, private draws, table) and negotiate to agreement."""
    sc = load_scenario(BENCH)
    seeds = iter(range(10**9))

    def build_and_negotiate():
        return _negotiate(WargameModel(sc, rng=next(seeds), narrate=False))

    assert benchmark(build_and_negotiate) <= 10


def _nine_party_split(tmp_path: Path) -> Path:
    """A nine-member legislature dividing a dollar to the cent (101^9 divisions, none listed)."""
    root = Path(__file__).resolve().parents[2]
    members = [f"legislator_{k}" for k in range(1, 10)]
    shares = [f"share_{k}" for k in range(1, 10)]
    text = "\n".join(
        [
            "id: nine",
            "title: Nine legislators, in cents",
            "start_date: 2024-01-01",
            "horizon_days: 10",
            "actors:",
            *[f"  - profile: {m}" for m in members],
            "issues:",
            *[f"  - {{id: {s}, kind: continuous, range: [0, 1], steps: 101}}" for s in shares],
            "tables:",
            "  - id: dollar",
            f"    participants: [{', '.join(members)}]",
            f"    agenda: [{', '.join(shares)}]",
            f"    budget: {{issues: [{', '.join(shares)}], total: 1.0}}",
            "    rule: {threshold: 0.5, weights: equal}",
            "    proposer: capability",
            "    discount: 0.8",
            "outcomes:",
            "  - {id: passed, label: passed, when: [{agreement: dollar}]}",
            "  - {id: none, label: none}",
        ]
    )
    (tmp_path / "actors").symlink_to(root / "actors")
    path = tmp_path / "nine.yaml"
    path.write_text(text + "\n")
    return path


def test_bench_nine_party_budget_split_in_cents(benchmark, benchmark_goal, tmp_path):
    """Nine legislators divide a dollar to the cent: from building the model to the division passing.
    The table's equilibrium is solved once per scenario (measured apart: the first run) and remembered
    for the runs after it, as in a Monte Carlo; the goal is the agreement within 5 ms."""
    import time

    sc = load_scenario(_nine_party_split(tmp_path))
    start = time.perf_counter()
    WargameModel(sc, rng=0).run()
    first = time.perf_counter() - start
    seeds = iter(range(1, 10**6))

    def negotiate():
        model = WargameModel(sc, rng=next(seeds))
        return _negotiate(model)

    day = benchmark(negotiate)
    assert day == 1
    benchmark.extra_info["first_run_seconds"] = first
    if benchmark.stats:
        median = benchmark.stats.stats.median
        benchmark_goal(
            "9-party budget split at 0.01 agrees within 5 ms",
            f"median {median * 1e3:.2f} ms (the first run, solving the table: {first * 1e3:.0f} ms)",
            median <= 5e-3,
        )
