"""The analyst's desk as a served page runs it (the server's warm pool of workers), each figure beside
its reference measured in the same run: 1,000 runs against the command line's `wargame mc --runs 1000`
(process start included), a what-if of 200 + 200 runs and a Compare of 500 + 500 (goal: 3 s each) beside
the same requests without the warm pool."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import viz.workspace as workspace
from viz.workspace import Workspace

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served_desk():
    """A desk as the server makes it: the warm pool started (and waited for) before the clock starts."""
    os.environ[workspace.WARM_ENV] = "1"
    try:
        desk = Workspace("syria_dec2024", workers=2)
        assert workspace.kept_pool() is not None
        yield desk
    finally:
        os.environ.pop(workspace.WARM_ENV, None)
        pool = workspace._pool["pool"]
        if pool is not None:  # no worker outlives the module (later tests count the children)
            pool.shutdown(wait=True, cancel_futures=True)
        workspace._pool.update(pool=None, started=False)
        workspace._pool["ready"].clear()


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def test_bench_a_thousand_runs_on_the_page_against_the_command_line(
    benchmark, benchmark_goal, served_desk, tmp_path
):
    wargame = Path(sys.executable).with_name("wargame")
    cli: list[float] = []
    counter = iter(range(100))

    def command_line_first():
        out = tmp_path / f"mc{next(counter)}"
        cli.append(_timed(lambda: subprocess.run(
            [str(wargame), "mc", "syria_dec2024", "--runs", "1000", "--workers", "2",
             "--out", str(out), "--seed", "1"],
            check=True, capture_output=True,
        )))  # fmt: skip
        return (), {}

    batch = benchmark.pedantic(
        lambda: served_desk.run_batch(1000, seed=1),
        setup=command_line_first,
        rounds=2,
        iterations=1,
    )
    assert batch.done == 1000 and batch.tree is not None
    ratio = None
    if benchmark.stats:
        ratio = benchmark.stats.stats.min / min(cli)
        benchmark.extra_info["cli_seconds"] = cli
    benchmark_goal(
        "1,000 runs on the page <= 1.15x `wargame mc --runs 1000`",
        None
        if ratio is None
        else f"{benchmark.stats.stats.min:.1f} s against {min(cli):.1f} s: {ratio:.2f}x",
        None if ratio is None else ratio <= 1.15,
    )


def test_bench_a_what_if_of_200_and_200(benchmark, benchmark_goal, served_desk):
    desk = served_desk
    desk.run_batch(200, seed=1)
    branch = max(desk.batch.tree.children, key=lambda c: c.runs)
    desk.select(branch.path)
    force = next(f for f in desk.forces() if f.startswith("event:"))
    cold = _timed(lambda: _without_pool(lambda: desk.what_if(force, runs=200)))
    result = benchmark.pedantic(lambda: desk.what_if(force, runs=200), rounds=1, iterations=1)
    assert result.base.done == 200 and result.changed.done == 200
    median = benchmark.stats.stats.median if benchmark.stats else None
    benchmark.extra_info["without_the_warm_pool_seconds"] = cold
    benchmark_goal(
        "a what-if of 200 + 200 runs < 3 s",
        None if median is None else f"median {median:.1f} s (without the warm pool: {cold:.1f} s)",
        None if median is None else median < 3,
    )


def test_bench_a_compare_of_500_and_500(benchmark, benchmark_goal, served_desk):
    desk = served_desk
    cold = _timed(
        lambda: _without_pool(lambda: desk.compare_set("guarantees=[]", runs=500, seed=1))
    )
    left, right = benchmark.pedantic(
        lambda: desk.compare_set("guarantees=[]", runs=500, seed=1), rounds=1, iterations=1
    )
    assert left.done == 500 and right.done == 500
    median = benchmark.stats.stats.median if benchmark.stats else None
    benchmark.extra_info["without_the_warm_pool_seconds"] = cold
    benchmark_goal(
        "a Compare of 500 + 500 runs < 3 s",
        None if median is None else f"median {median:.1f} s (without the warm pool: {cold:.1f} s)",
        None if median is None else median < 3,
    )


def _without_pool(fn):
    started = workspace._pool["started"]
    workspace._pool["started"] = False
    try:
        return fn()
    finally:
        workspace._pool["started"] = started
