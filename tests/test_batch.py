"""Many runs in memory (batch.runs.run_many): chunks equal to the folder writer's file, progress,
cancelling without orphans, the same rows on every worker count, the schema from RunResult, and
branch trees, drivers and every report figure built from the tables as they arrive, without disk."""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading

import psutil
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from wargame import WargameModel, load_scenario
from wargame.analysis.branching import branch_tree
from wargame.analysis.drivers import drivers
from wargame.batch.montecarlo import monte_carlo
from wargame.batch.plan import Plan, plan_manifest, scenario_of, schema_for
from wargame.batch.runs import run_many
from wargame.engine.outcomes import RunResult, signing_cost_draws
from wargame.presentation import report

SEED_SCENARIO = str(load_scenario("syria_dec2024").path)
CLASSROOM = str(load_scenario("classroom_passage").path)


def by_run_id(tables: list[pa.Table]) -> pa.Table:
    return pa.concat_tables(tables).sort_by("run_id")


def spawned_processes() -> set[int]:
    """This process's descendants but for multiprocessing's own helpers, the forkserver and the
    resource tracker, which live as long as this process (pool workers are the forkserver's children)."""
    me = psutil.Process()
    helpers = set()
    for child in me.children():
        try:
            if "multiprocessing.forkserver" in (cmd := " ".join(child.cmdline())) or (
                "multiprocessing.resource_tracker" in cmd
            ):
                helpers.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return {p.pid for p in me.children(recursive=True)} - helpers


def running(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.add(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


# ---------------------------------------------------------------- rows


def test_chunks_together_are_the_monte_carlo_file(tmp_path):
    plan = Plan(scenario=SEED_SCENARIO, runs=23, seed=5)
    tables = list(run_many(plan, chunk_size=7))
    assert [t.num_rows for t in tables] == [7, 7, 7, 2]
    sc = scenario_of(plan)
    for t in tables:  # each chunk: the plan's schema, a contiguous block of run ids
        assert t.schema == schema_for(plan, sc)
        ids = t.column("run_id").to_pylist()
        assert ids == list(range(ids[0], ids[0] + t.num_rows))
    monte_carlo(plan, tmp_path / "mc", chunk_size=10, progress=False)
    assert by_run_id(tables).equals(pq.read_table(tmp_path / "mc" / "runs.parquet"))


def test_same_rows_on_one_or_two_workers():
    plan = Plan(
        scenario=CLASSROOM,
        runs=12,
        seed=8,
        points=((("horizon_days", 20),), (("horizon_days", 40),)),
    )
    serial = list(run_many(plan, workers=1, chunk_size=5))
    pooled = list(run_many(plan, workers=2, chunk_size=3))
    assert len(pooled) == 8 and by_run_id(serial).equals(by_run_id(pooled))
    assert by_run_id(pooled).column("run_id").to_pylist() == list(range(24))


def test_progress_counts_up_to_the_total():
    plan = Plan(scenario=CLASSROOM, runs=25, seed=1)
    calls: list[tuple[int, int]] = []
    sizes = []
    for table in run_many(plan, workers=2, chunk_size=4, on_progress=lambda *a: calls.append(a)):
        sizes.append(table.num_rows)
    done = [d for d, _ in calls]
    assert all(total == 25 for _, total in calls) and done[-1] == 25
    assert all(a < b for a, b in zip(done, done[1:], strict=False))
    assert len(calls) == len(sizes) == 7  # once per chunk, before the chunk is handed over


def test_only_the_given_chunks_are_run_and_progress_counts_the_rest_as_done():
    plan = Plan(scenario=CLASSROOM, runs=20, seed=4)
    calls: list[tuple[int, int]] = []
    tables = list(
        run_many(plan, chunks=[(5, 10), (15, 20)], on_progress=lambda *a: calls.append(a))
    )
    assert [t.column("run_id").to_pylist() for t in tables] == [
        [5, 6, 7, 8, 9],
        list(range(15, 20)),
    ]
    assert calls == [(15, 20), (20, 20)]
    whole = by_run_id(list(run_many(plan, chunk_size=20)))
    assert by_run_id(tables).equals(pa.concat_tables([whole.slice(5, 5), whole.slice(15, 5)]))


# ---------------------------------------------------------------- stopping


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("kind", ["event", "callable"])
def test_cancel_after_the_first_chunk_stops_early_and_leaves_no_worker(workers, kind):
    plan = Plan(scenario=CLASSROOM, runs=600, seed=3)
    stop = threading.Event()
    seen_workers: set[int] = set()

    def progress(done, total):
        seen_workers.update(spawned_processes())
        stop.set()

    cancel = stop if kind == "event" else (lambda: stop.is_set())
    tables = list(
        run_many(plan, workers=workers, chunk_size=10, on_progress=progress, cancel=cancel)
    )
    assert len(tables) == 1 and tables[0].num_rows == 10  # nothing after the chunk that set it
    assert multiprocessing.active_children() == []
    if workers == 1:
        assert not seen_workers  # in this process: no subprocess at all
    else:
        assert seen_workers, "the pool's workers should have been seen while they ran"
        assert not running(seen_workers), "a worker outlived the cancelled run_many"


def test_cancel_during_an_in_process_chunk_drops_it_after_the_current_run():
    """A chunk in this process looks at `cancel` before each run: a stop does not wait for the chunk."""
    plan = Plan(scenario=CLASSROOM, runs=50, seed=3)
    asked = []

    def cancel():
        asked.append(1)
        return len(asked) >= 4  # the first check is before the chunk, then one before each run

    assert list(run_many(plan, chunk_size=50, cancel=cancel)) == []
    assert len(asked) == 4


def test_leaving_the_loop_early_stops_the_pool():
    plan = Plan(scenario=CLASSROOM, runs=600, seed=6)
    runs = run_many(plan, workers=2, chunk_size=10)
    first = next(runs)
    workers = spawned_processes()
    assert first.num_rows == 10 and workers
    runs.close()
    assert multiprocessing.active_children() == [] and not running(workers)


def test_bad_cancel_is_refused():
    with pytest.raises(TypeError, match="cancel"):
        list(run_many(Plan(scenario=CLASSROOM, runs=2, seed=1), cancel=3))


# ---------------------------------------------------------------- the schema


def test_schema_is_runresults_columns_and_matches_every_row():
    plan = Plan(scenario=SEED_SCENARIO, runs=1, seed=2, points=((("horizon_days", 30),),))
    sc = scenario_of(plan)
    milestones, actors = [m.id for m in sc.spec.milestones], [a.id for a in sc.actors]
    schema = schema_for(plan, sc)
    # The published layout of runs.parquet, column for column.
    expected = [
        ("run_id", pa.int64()), ("seed", pa.int64()), ("point", pa.int32()),
        ("set_horizon_days", pa.float64()), ("outcome", pa.string()), ("days", pa.int32()),
        ("milestone_path", pa.list_(pa.string())), *[(f"day_{m}", pa.int32()) for m in milestones],
        *[(f"personnel_{k}", pa.int64()) for k in ("initial", "evacuated", "lost", "captured", "present")],
        *[(f"equipment_{k}_t", pa.float64()) for k in ("initial", "out", "lost")],
        ("personnel_third_country", pa.int64()), ("equipment_third_country_t", pa.float64()),
        ("agreements_signed", pa.int32()), ("agreements_broken", pa.int32()),
        *[(f"utility_{a}", pa.float64()) for a in actors],
        ("evacuated_by_week", pa.list_(pa.int64())), ("lost_by_week", pa.list_(pa.int64())),
        *[(f"draw_{a}_{k}", pa.float64()) for a in actors for k in ("breach_temptation", "reservation", "resolve")
          + (("signing_cost_bases",) if a == "authorities" else ())],
    ]  # fmt: skip
    assert schema == pa.schema(expected)
    result = WargameModel(sc, rng=7, narrate=False).run()
    names = [
        f.name for f in RunResult.arrow_fields(milestones, actors, signing_cost_draws(sc.spec))
    ]
    assert list(result.to_row(milestones, actors)) == names


def test_a_new_runresult_field_cannot_be_left_out_of_the_schema():
    @dataclasses.dataclass
    class WithConvoys(RunResult):
        convoys_attacked: int = 0

    with pytest.raises(TypeError, match="convoys_attacked"):
        WithConvoys.arrow_fields(["m"], ["a"])


# ---------------------------------------------------------------- analysis from memory


def _refuse(*args, **kwargs):
    raise AssertionError("results went through the disk")


def test_tree_drivers_and_every_report_figure_from_tables_as_they_arrive(tmp_path, monkeypatch):
    plan = Plan(
        scenario=SEED_SCENARIO,
        runs=30,
        seed=3,
        points=((("horizon_days", 45),), (("horizon_days", 90),)),
    )
    monte_carlo(plan, tmp_path / "mc", chunk_size=10, progress=False)
    on_disk = pq.read_table(tmp_path / "mc" / "runs.parquet")
    folder_figures = report.figures(tmp_path / "mc")

    with monkeypatch.context() as patch:
        for module, name in ((pq, "read_table"), (pq, "write_table"), (pq, "ParquetWriter"),
                             (report, "read_runs"), (report, "load_results")):  # fmt: skip
            patch.setattr(module, name, _refuse)
        manifest = plan_manifest(plan, chunk_size=10)
        arrived: list[pa.Table] = []
        for table in run_many(plan, chunk_size=10):
            arrived.append(table)
            so_far = pa.concat_tables(arrived)
            live = branch_tree(so_far, min_share=0.05)  # a live tree while runs come in
            assert live.runs == so_far.num_rows == 10 * len(arrived)
            for node in live.walk():
                assert not node.children or sum(c.runs for c in node.children) == node.runs
            if len(arrived) == 2:
                partial = report.Results.from_table(so_far, manifest)
                assert not partial.complete and len(partial.runs) == 20
                assert "not complete" in report.build_report(so_far, manifest)
        everything = pa.concat_tables(arrived[::-1])  # in any order
        tree = branch_tree(everything, min_share=0.02)
        found = drivers(everything, outcome="bases_kept_orderly_exit", top=None)
        memory_figures = report.figures(everything, manifest)
        page = report.build_report(everything, manifest)

    assert tree.to_dict() == branch_tree(on_disk, min_share=0.02).to_dict()
    assert [d.to_dict() for d in found] == [
        d.to_dict() for d in drivers(on_disk, outcome="bases_kept_orderly_exit", top=None)
    ]
    assert set(memory_figures) == set(folder_figures) == {
        "outcomes", "outcomes_by_point", "tree", "evacuated", "lost", "milestone_days", "drivers",
    }  # fmt: skip
    for name, fig in memory_figures.items():
        assert fig.to_dict() == folder_figures[name].to_dict(), name
    assert "runs in memory" in page and "not complete" not in page
