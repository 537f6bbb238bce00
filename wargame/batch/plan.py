"""A plan of many runs and what one chunk of it computes: the runs' seeds, their rows and the table's schema.

Run i of a plan is seeded from numpy.random.SeedSequence(root).spawn(total)[i] (computed directly as
SeedSequence(root, spawn_key=(i,))), so it gives the same result whatever the worker count, the
chunk size or the backend. Its integer seed is stored in the results: `wargame run SCENARIO --seed S`
replays it (with the same --set values and sweep point).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from wargame.engine.outcomes import RunResult, signing_cost_draws
from wargame.engine.scenarios import cached_scenario
from wargame.language.scenario import Scenario, resolved_hash


@dataclass(frozen=True)
class Plan:
    """Everything that decides the results of a Monte Carlo: the same plan gives the same rows."""

    scenario: str  # path of the scenario file
    runs: int  # runs per sweep point
    seed: int  # root seed
    overrides: tuple[tuple[str, Any], ...] = ()
    points: tuple[tuple[tuple[str, Any], ...], ...] = (
        (),
    )  # sweep points, each a tuple of (path, value)
    days: int | None = None
    fork_day: int | None = None  # continuations of run `seed` saved at this day
    force: tuple[str, ...] = ()
    scheduled: tuple[
        tuple[int, str], ...
    ] = ()  # (day, event): happens that day whatever the dice say

    @property
    def total(self) -> int:
        return self.runs * len(self.points)

    def overrides_for(self, point: int) -> dict[str, Any]:
        return {**dict(self.overrides), **dict(self.points[point])}

    @classmethod
    def from_description(cls, p: dict) -> Plan:
        """The plan a manifest's "plan" entry describes (the inverse of `describe`); ValueError when the
        entry is not one `describe` could have written (a damaged or edited manifest)."""
        try:
            plan = cls(
                scenario=str(p["scenario"]),
                runs=p["runs"],
                seed=p["seed"],
                overrides=tuple(sorted(p["overrides"].items())),
                points=tuple(tuple(sorted(pt.items())) for pt in p["points"]),
                days=p["days"],
                fork_day=p["fork_day"],
                force=tuple(str(f) for f in p["force"]),
                scheduled=tuple((int(d), str(e)) for d, e in p.get("scheduled", [])),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"the plan is incomplete or malformed ({exc})") from None
        whole = lambda v, lo, hi: isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi  # noqa: E731
        if not whole(plan.runs, 1, 100_000_000) or not whole(plan.seed, 0, 2**63 - 1):
            raise ValueError("runs and seed must be whole numbers in range")
        if plan.days is not None and not whole(plan.days, 1, 3650):
            raise ValueError("days must be a whole number from 1 to 3650")
        if plan.fork_day is not None and not whole(plan.fork_day, 0, 3650):
            raise ValueError("fork_day must be a day from 0 to 3650")
        if not plan.points or len(plan.points) * plan.runs > 100_000_000:
            raise ValueError("the plan has no sweep point or more than 100,000,000 runs")
        return plan

    def describe(self) -> dict:
        data = asdict(self)
        data["overrides"] = dict(self.overrides)
        data["points"] = [dict(p) for p in self.points]
        return data


def run_seed(root: int, run_id: int) -> int:
    """The integer seed of run `run_id`: child `run_id` of SeedSequence(root).spawn(...)."""
    return int(
        np.random.SeedSequence(root, spawn_key=(run_id,)).generate_state(1, np.uint64)[0]
        >> np.uint64(1)
    )


def default_chunk_size(total: int, workers: int) -> int:
    """Big enough that a task's overhead is small, small enough that work spreads and a kill loses little:
    about 32 chunks a worker, so that when the last chunks run, no worker waits long for the others."""
    return int(max(10, min(500, total // max(workers * 32, 1) or 1)))


def chunk_grid(total: int, chunk_size: int) -> list[tuple[int, int]]:
    """The plan's runs 0..total-1 cut into (start, stop) ranges of chunk_size runs (the last shorter)."""
    return [(s, min(s + chunk_size, total)) for s in range(0, total, chunk_size)]


def scenario_of(plan: Plan) -> Scenario:
    """The plan's scenario with its --set overrides (not a sweep point's)."""
    return _scenario(plan.scenario, tuple(sorted(dict(plan.overrides).items())))


def plan_manifest(plan: Plan, chunk_size: int) -> dict:
    """What the results of `plan` need beside their rows to be read: the plan, the scenario's id,
    file, hashes and resolved form (labels of outcomes, milestones, actors), the seed and the count.
    The results folder's manifest.json starts from this; the report reads it with an in-memory table."""
    sc = scenario_of(plan)
    return {
        "plan": json.loads(json.dumps(plan.describe(), default=str)),
        "scenario_id": sc.id,
        "scenario_file": str(Path(plan.scenario).resolve()),
        "scenario_sha256": sc.file_hash,
        "resolved_sha256": resolved_hash(sc),
        "resolved_scenario": sc.resolved(),
        "root_seed": plan.seed,
        "total_runs": plan.total,
        "chunk_size": chunk_size,
        "package_version": _version(),
        "started": dt.datetime.now(dt.UTC).isoformat(),
    }


def _version() -> str:
    from wargame import __version__

    return __version__


# ---------------------------------------------------------------- one chunk (runs in a worker)


def _scenario(path: str, overrides: tuple) -> Scenario:
    return cached_scenario(path, dict(overrides))


_FORKS: dict[tuple, bytes] = {}


def _fork_state(plan: Plan, sc: Scenario) -> bytes:
    """The saved state of run `plan.seed` on day `plan.fork_day` (made once per process and point),
    without the parts it shares with `sc` (it is loaded with that same Scenario object)."""
    from wargame.engine.model import WargameModel

    key = (id(sc), plan.scenario, plan.seed, plan.fork_day, plan.days, plan.scheduled)
    if key not in _FORKS:
        model = WargameModel(
            sc, rng=plan.seed, days=plan.days, narrate=False, scheduled=plan.scheduled
        )
        model.run(until=plan.fork_day)
        if len(_FORKS) > 8:
            _FORKS.clear()
        _FORKS[key] = (sc, model.save_state(shared=True))  # sc kept: its id stays its own
    return _FORKS[key][1]


def schema_for(plan: Plan, sc: Scenario) -> pa.Schema:
    """The columns of a results table for this plan (fixed, so every chunk has the same schema): the
    run's id, seed and sweep point, the swept values (set_<path>), then RunResult's own columns."""
    fields = [
        pa.field("run_id", pa.int64()),
        pa.field("seed", pa.int64()),
        pa.field("point", pa.int32()),
    ]
    for path, value in plan.points[0]:
        kind = pa.float64() if isinstance(value, int | float) else pa.string()
        fields.append(pa.field(f"set_{path}", kind))
    fields += RunResult.arrow_fields(
        [m.id for m in sc.spec.milestones], [a.id for a in sc.actors], signing_cost_draws(sc.spec)
    )
    return pa.schema(fields)


# The columns `run_chunk(audit=True)` adds after a row's own: what each run took of the scenario's
# choices (engine.decisions.run_facts: item ids and the first day each was taken).
AUDIT_COLUMNS = (
    pa.field("audit_items", pa.list_(pa.string())),
    pa.field("audit_days", pa.list_(pa.int32())),
)


def run_chunk(
    plan: Plan,
    start: int,
    stop: int,
    cancelled: Callable[[], bool] | None = None,
    audit: bool = False,
) -> pa.Table | None:
    """Runs start..stop-1 of the plan, as one Arrow table; None if `cancelled()` turns true between
    two runs (the in-process backend passes it, so that a stop does not wait for a whole chunk).
    audit=True adds AUDIT_COLUMNS after the schema's own (the decision audit's per-run facts; a run
    continued from a saved day counts the choices from that day on)."""
    from wargame.engine.decisions import run_facts
    from wargame.engine.model import WargameModel

    rows = []
    facts = []
    schema = None
    point = None
    # The scenario and its offer spaces live as long as the worker: keep them out of the garbage
    # collector's scans, which otherwise cost each run several milliseconds. Unfrozen at the end, so
    # that a long-lived caller (a browser UI running chunks in a thread) can still collect them.
    frozen = False
    try:
        for run_id in range(start, stop):
            if cancelled is not None and cancelled():
                return None
            if run_id // plan.runs != point:  # a chunk's runs share one or a few sweep points
                point = run_id // plan.runs
                overrides = tuple(sorted(plan.overrides_for(point).items()))
                sc = _scenario(plan.scenario, overrides)
                milestone_ids = [m.id for m in sc.spec.milestones]
                actor_ids = [a.id for a in sc.actors]
            if schema is None:
                schema = schema_for(plan, sc)
                gc.freeze()
                frozen = True
            seed = run_seed(plan.seed, run_id)
            if plan.fork_day is None:
                model = WargameModel(
                    sc, rng=seed, days=plan.days, narrate=False, scheduled=plan.scheduled
                )
            else:
                model = WargameModel.load_state(_fork_state(plan, sc), sc)
                model.reseed(seed)
                for spec in plan.force:
                    model.force(spec)
            if audit:
                model.audit = {}
            result = model.run()
            if audit:
                facts.append(run_facts(model))
            row = {"run_id": run_id, "seed": seed, "point": point}
            for path, value in plan.points[point]:
                row[f"set_{path}"] = value
            row.update(result.to_row(milestone_ids, actor_ids))
            if not rows and list(row) != schema.names:
                raise TypeError(
                    "a run's row and the results schema disagree: "
                    f"only in the row {sorted(set(row) - set(schema.names))}, "
                    f"only in the schema {sorted(set(schema.names) - set(row))}"
                )
            rows.append(row)
    finally:
        if frozen:
            gc.unfreeze()
    table = pa.Table.from_pylist(rows, schema=schema)
    if audit:
        items, days = AUDIT_COLUMNS
        table = table.append_column(items, pa.array([list(f) for f in facts], items.type))
        table = table.append_column(days, pa.array([list(f.values()) for f in facts], days.type))
    return table
