"""The server's warm pool: workers started once and kept, so a page's batches start at once. The rows are
the same as in this process, a cancelled batch leaves the pool usable, and a page's Workspace uses it."""

from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from wargame.batch.plan import Plan
from wargame.batch.runs import run_many, warm_pool
from wargame.language.scenario import find_scenario


@pytest.fixture(scope="module")
def pool():
    kept = warm_pool(2)
    yield kept
    kept.shutdown(wait=True, cancel_futures=True)


def _plan(runs: int = 40, seed: int = 3) -> Plan:
    return Plan(scenario=str(find_scenario("classroom_passage")), runs=runs, seed=seed)


def test_a_warm_pool_gives_the_same_rows_as_this_process(pool):
    plan = _plan()
    kept = pa.concat_tables(list(run_many(plan, pool=pool, chunk_size=7))).sort_by("run_id")
    here = pa.concat_tables(list(run_many(plan, workers=1))).sort_by("run_id")
    assert kept.equals(here)


def test_a_cancelled_batch_leaves_the_pool_usable(pool):
    cancel = threading.Event()
    seen = 0
    for table in run_many(_plan(400), pool=pool, chunk_size=5, cancel=cancel):
        seen += table.num_rows
        cancel.set()
    assert 0 < seen < 400
    again = pa.concat_tables(list(run_many(_plan(20, seed=9), pool=pool, chunk_size=5)))
    assert sorted(again.column("run_id").to_pylist()) == list(range(20))


def test_a_served_desk_runs_its_batches_on_the_warm_pool(monkeypatch):
    import viz.workspace as workspace

    used = []
    real = workspace.run_many

    def spy(plan, **kw):
        used.append(kw.get("pool"))
        return real(plan, **kw)

    monkeypatch.setattr(workspace, "run_many", spy)
    monkeypatch.setenv(workspace.WARM_ENV, "1")
    monkeypatch.setitem(workspace._pool, "started", False)
    desk = workspace.Workspace("classroom_passage", workers=2)
    batch = desk.run_batch(60, seed=2)
    assert batch.done == 60 and used and used[-1] is not None
    small = desk.run_batch(10, seed=2)  # a handful of runs stays in this process
    assert small.done == 10 and used[-1] is None
    used[-2].shutdown(wait=True, cancel_futures=True)
    monkeypatch.setitem(workspace._pool, "started", False)
    monkeypatch.setitem(workspace._pool, "pool", None)


def test_a_fork_saved_without_its_shared_parts_continues_exactly_as_a_whole_one():
    """save_state(shared=True) leaves out the scenario, its offer spaces and its compiled deck (about nine
    tenths of the bytes); loaded with the same Scenario object, the continuation is the same run."""
    from wargame.engine.model import WargameModel
    from wargame.engine.scenarios import cached_scenario

    sc = cached_scenario("syria_dec2024")
    model = WargameModel(sc, rng=4, narrate=False)
    model.run(until=12)
    whole, light = model.save_state(), model.save_state(shared=True)
    assert len(light) * 5 < len(whole)
    for seed in (1, 2, 3):
        a = WargameModel.load_state(whole)
        b = WargameModel.load_state(light, sc)
        a.reseed(seed)
        b.reseed(seed)
        assert a.run() == b.run()
    with pytest.raises(TypeError, match="shared parts"):
        WargameModel.load_state(light, cached_scenario("classroom_passage"))
