"""One analyst's desk: the scenario and its assumptions, one run played day by day, many runs and their
branch tree, a what-if from a branch, a comparison of two sets of assumptions.

Plain Python with no Solara in it, so that a notebook, a test or the browser page drives the same
object. The page makes one Workspace per browser session (never one per server: two tabs never see each
other's runs). Every change the page asks for goes through a method here, which either changes the desk
or raises `DeskError` with a message for the field that was wrong; nothing half-changes.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from wargame.analysis.branching import END, OTHER, BranchNode, branch_tree
from wargame.analysis.results import Results
from wargame.batch import Plan, run_many
from wargame.batch.plan import plan_manifest
from wargame.batch.runs import warm_pool
from wargame.engine.scenarios import load_scenario, resolve_scenario
from wargame.language.errors import ScenarioError
from wargame.language.scenario import default_scenario, find_scenario, list_scenarios, parse_set
from wargame.language.yaml_source import MAX_BYTES
from wargame.session import Game, GameError

MAX_RUNS = int(os.environ.get("WARGAME_UI_MAX_RUNS", "5000"))  # the most runs one request may ask
WHATIF_RUNS = 200
# While a batch runs, its results and branch tree (and so the page's charts) are rebuilt at most this
# often: a redraw of the charts costs a few tenths of a second of the server's time, which the workers'
# runs would otherwise wait on (the progress bar still moves with every chunk).
REFRESH_SECONDS = 1.5
# Without a warm pool, fewer runs than this go in this process: starting a pool of workers (each imports the
# engine) costs more than it saves below a few hundred runs (measured: 200 seed runs take 2.6 s here, 6 s on
# a cold 2-worker pool). With the server's warm pool (workers started once, kept), from WARM_FROM runs on.
POOL_FROM = 500
WARM_FROM = 40
WARM_ENV = (
    "WARGAME_WARM_POOL"  # set by the server: its pages share one pool of workers, started at once
)
_pool: dict[str, Any] = {"pool": None, "ready": threading.Event(), "started": False}
_pool_lock = threading.Lock()


def start_warm_pool(workers: int) -> None:
    """Start the server's pool of workers in the background (once per process): the first batch a page asks
    for then starts at once instead of waiting for workers to import the engine."""
    with _pool_lock:
        if _pool["started"] or workers < 2:
            return
        _pool["started"] = True

    def start() -> None:
        try:
            _pool["pool"] = warm_pool(workers)
        except (OSError, RuntimeError):  # no pool: batches run as without one
            _pool["pool"] = None
        _pool["ready"].set()

    threading.Thread(target=start, name="wargame-warm-pool", daemon=True).start()


def kept_pool():
    """The warm pool if it has been started (waiting for it to be ready), else None."""
    if not _pool["started"]:
        return None
    _pool["ready"].wait(60)
    pool = _pool["pool"]
    if pool is not None and getattr(pool, "_broken", False):
        return None
    return pool


class DeskError(ValueError):
    """A request the desk refuses, with the field it blames ("scenario", "seed", a --set path ...)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def bundled_scenarios() -> list[str]:
    """The scenarios shipped with the package, by name."""
    return list_scenarios()


def _say(exc: Exception) -> str:
    return str(exc).strip() or type(exc).__name__


@dataclass
class Batch:
    """Many runs of one plan, as they arrive: Arrow tables chunk by chunk, the progress, a cancel flag,
    and the results and branch tree of the runs so far. `done` counts every run in; the results and the
    tree are rebuilt (`refresh`) with the first chunk, then at most every REFRESH_SECONDS, and at the
    end: `drawn` is how many runs they hold, so the page's charts redraw a few times a batch, not once
    per chunk, while its progress bar follows `done`."""

    plan: Plan
    manifest: dict
    tables: list[pa.Table] = field(default_factory=list)
    done: int = 0
    cancel: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    cancelled: bool = False
    results: Results | None = None
    tree: BranchNode | None = None
    error: str | None = None
    drawn: int = 0
    refreshed_at: float = 0.0

    @property
    def total(self) -> int:
        return self.plan.total

    def take(self, table: pa.Table, min_share: float) -> None:
        """Count a chunk in; the results and tree follow with the first chunk, then at most every
        REFRESH_SECONDS, and always with the last."""
        self.tables.append(table)
        self.done += table.num_rows
        now = time.monotonic()
        if self.drawn == 0 or self.done >= self.total or now - self.refreshed_at >= REFRESH_SECONDS:
            self.refresh(min_share)

    def refresh(self, min_share: float = 0.01) -> None:
        """The results and the branch tree of every run in so far."""
        if self.drawn == self.done:
            return
        whole = pa.concat_tables(self.tables)
        self.results = Results.from_table(whole, self.manifest, complete=self.done >= self.total)
        self.tree = branch_tree(whole, min_share=min_share)
        self.drawn = self.done
        self.refreshed_at = time.monotonic()


@dataclass
class WhatIf:
    """Continuations of one run from the day it reached a branch: as it was, and with something forced."""

    node: tuple[str, ...]
    run_id: int
    seed: int
    day: int
    force: str
    base: Batch
    changed: Batch


class Workspace:
    """Everything one browser session (or notebook) has on its desk."""

    def __init__(
        self,
        scenario: str | Path | None = None,
        seed: int = 7,
        workers: int | None = None,
        openable: list[str | Path] | None = None,
    ):
        """`scenario`: a bundled name or a path (None: the bundled default scenario, `default_scenario()`).
        `openable`: the folders (anything beneath them) and files that may be opened by path; None for
        anywhere (a notebook on one's own machine). A server's page passes the bundled scenarios and what
        its command line named, so that a visitor cannot make the server read its other files."""
        self.openable = None if openable is None else [Path(os.path.realpath(p)) for p in openable]
        self.workers = workers if workers is not None else max(1, min(2, os.cpu_count() or 1))
        scenario = scenario if scenario is not None else default_scenario()
        self.source: str = str(scenario)
        self.overrides: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.seed = int(seed)
        self.seat: str | None = None
        self.batch: Batch | None = None
        self.selected: tuple[str, ...] = ()
        self.whatif: WhatIf | None = None
        self.compare: tuple[Batch, Batch] | None = None
        self._armed: threading.Event | None = None  # the next request's cancel flag (begin)
        self._uploads = tempfile.TemporaryDirectory(prefix="wargame-ui-")
        if os.environ.get(WARM_ENV):
            start_warm_pool(self.workers)
        self.load(scenario)

    # ------------------------------------------------------------ the scenario and its assumptions

    def load(self, scenario: str | Path, overrides: dict[str, Any] | None = None) -> None:
        """Choose a scenario (a bundled name or a file path) and its --set overrides; on a fault the
        desk keeps what it had and the error is kept under "scenario" (or the override it blames)."""
        overrides = dict(overrides or {})
        if str(scenario) not in bundled_scenarios():
            self._may_open(str(scenario))
        try:
            # one cache for the page and its batches, keyed by the file's content: an edited file is
            # read again, and the one run and the many runs play the same version of it
            sc = resolve_scenario(str(scenario), overrides or None)
        except ScenarioError as exc:
            where = next(
                (k for k in overrides if k in (exc.field or "") or k in str(exc)), "scenario"
            )
            self.errors = {where: _say(exc)}
            raise DeskError(where, _say(exc)) from None
        except (OSError, ValueError) as exc:
            self.errors = {"scenario": _say(exc)}
            raise DeskError("scenario", _say(exc)) from None
        self.source, self.overrides, self.scenario = str(scenario), overrides, sc
        self.errors = {}
        self.batch = None
        self.selected = ()
        self.whatif = None
        self.compare = None
        self.new_game()

    def _may_open(self, scenario: str) -> None:
        """Refuse a path outside the openable folders (links followed first, so none leads out), or not a
        .yaml file: with the same words whether or not something is there, and before reading a byte."""
        if self.openable is None:
            return
        real = Path(os.path.realpath(Path(scenario).expanduser()))
        inside = any(real == root or root in real.parents for root in self.openable)
        uploads = Path(os.path.realpath(self._uploads.name))
        if (inside or uploads in real.parents) and real.suffix in (".yaml", ".yml"):
            return
        places = ", ".join(str(p) for p in self.openable)
        message = (
            f"{scenario}: this page opens scenario files (.yaml) only from {places}, or as a file "
            "dropped here (the server's owner can add a folder: wargame ui --scenarios DIR)"
        )
        self.errors = {"scenario": message}
        raise DeskError("scenario", message)

    def upload(self, name: str, size: int, source) -> None:
        """A file dropped on the page: its size is checked before a byte of it is read from the browser."""
        if size > MAX_BYTES:
            message = (
                f"{Path(name).name}: too large for a scenario (at most {MAX_BYTES:,} bytes; "
                f"this file has {size:,})"
            )
            self.errors = {"scenario": message}
            raise DeskError("scenario", message)
        data = source.read(MAX_BYTES + 1)
        self.load_text(name, data)

    def load_text(self, name: str, text: bytes | str) -> None:
        """A scenario from a file the user sent (kept in this session's own temporary folder)."""
        safe = Path(name).name or "scenario.yaml"
        if len(text) > MAX_BYTES:
            self.errors = {
                "scenario": f"{safe}: too large for a scenario (at most {MAX_BYTES:,} bytes)"
            }
            raise DeskError("scenario", self.errors["scenario"])
        if not safe.endswith((".yaml", ".yml")):
            self.errors = {"scenario": f"{safe}: a scenario file ends in .yaml or .yml"}
            raise DeskError("scenario", self.errors["scenario"])
        path = Path(tempfile.mkdtemp(dir=self._uploads.name)) / safe  # each upload its own file
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        self.load(path)

    def assume(self, path: str, value: Any) -> None:
        """Change one assumption (a --set PATH=VALUE); refused with the reason beside that field."""
        changed = {**self.overrides, path: value}
        try:
            self.load(self.source, changed)
        except DeskError as exc:
            self.errors = {path: exc.message}
            raise DeskError(path, exc.message) from None

    def reset_assumptions(self) -> None:
        self.load(self.source, {})

    def reset_assumption(self, path: str) -> None:
        """One assumption back to the scenario's own value (the others changed stay changed)."""
        if path not in self.overrides:
            return
        self.load(self.source, {k: v for k, v in self.overrides.items() if k != path})

    def scenario_path(self) -> str:
        """The scenario's file (a bundled name or a path), as the batch's workers read it."""
        return str(find_scenario(self.source).resolve())

    # ------------------------------------------------------------ one run, day by day

    def new_game(self, seed: int | None = None) -> None:
        if seed is not None:
            if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
                raise DeskError(
                    "seed", f"a seed is a whole number from 0 to 2**63-1, found {seed!r}"
                )
            self.seed = seed
        seats = {self.seat: "you"} if self.seat else None
        self.game = Game(self.scenario, seed=self.seed, seats=seats)
        self.day = 0

    def step(self) -> None:
        """Play on to the end of the next day, or to a decision asked of the seat; shows that day."""
        g = self.game
        if g.finished:
            return
        if g.in_day and g.pending():
            return  # the seat must decide first
        g.advance()
        while g.in_day and not g.pending():
            g.advance()
        self.day = self.last_day

    def run_to_end(self, until: int | None = None) -> None:
        g = self.game
        g.play(until)
        self.day = self.last_day

    @property
    def last_day(self) -> int:
        """The last day whose picture is complete (a day waiting for a decision is not yet complete)."""
        g = self.game
        return g.day - 1 if g.in_day else g.day

    def scrub(self, day: int) -> None:
        if not 0 <= day <= self.last_day:
            raise DeskError("day", f"days 0 to {self.last_day} have been played, not {day}")
        self.day = int(day)

    def picture(self, day: int | None = None, viewer: str | None = None):
        return self.game.snapshot(self.day if day is None else day, viewer=viewer)

    # ------------------------------------------------------------ a seat

    def take_seat(self, actor: str | None) -> None:
        """Sit in `actor`'s seat from now on (None: give the seat back to the model)."""
        g = self.game
        try:
            if self.seat and self.seat != actor:
                g.hand_over(self.seat, reason="the player left the seat")
            if actor and actor not in g.seats:
                g.take_back(actor, owner="you", reason="the player took the seat")
        except GameError as exc:
            raise DeskError("seat", _say(exc)) from None
        self.seat = actor or None

    def pending(self):
        return self.game.pending(self.seat) if self.seat else []

    def worth(self, terms: dict[str, str]) -> float:
        try:
            return self.game.worth(self.seat, terms)
        except GameError as exc:
            raise DeskError("offer", _say(exc)) from None

    def decide(self, move: Any, note: str = "") -> None:
        try:
            self.game.submit(self.seat, move, note)
        except GameError as exc:
            raise DeskError("offer", _say(exc)) from None
        self.step()

    # ------------------------------------------------------------ many runs

    def plan(self, runs: int, seed: int = 1, overrides: dict | None = None, **kw) -> Plan:
        if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
            raise DeskError(
                "runs", f"runs is a whole number from 1 to {MAX_RUNS:,} here, found {runs!r}"
            )
        ov = self.overrides if overrides is None else overrides
        return Plan(
            scenario=self.scenario_path(),
            runs=runs,
            seed=int(seed),
            overrides=tuple(sorted(ov.items())),
            **kw,
        )

    def start_batch(
        self,
        runs: int,
        seed: int = 1,
        overrides: dict | None = None,
        cancel: threading.Event | None = None,
        **kw,
    ) -> Batch:
        plan = self.plan(runs, seed, overrides, **kw)
        try:
            manifest = plan_manifest(plan, chunk_size=_chunk(plan.total, self.workers))
        except ScenarioError as exc:
            raise DeskError("scenario", _say(exc)) from None
        return Batch(plan, manifest, cancel=cancel or threading.Event())

    def begin(self) -> None:
        """A page's button was pressed: the request it starts (in the background, a moment later) takes
        its cancel flag from now, so that a Cancel pressed before its runs exist still stops them."""
        self._armed = threading.Event()

    def _request(self) -> threading.Event:
        """The cancel flag of a request starting now: the one `begin` armed, or a new one."""
        armed, self._armed = self._armed, None
        return armed or threading.Event()

    def fill(
        self,
        batch: Batch,
        on_chunk: Callable[[Batch], Any] | None = None,
        min_share: float = 0.01,
    ) -> Batch:
        """Run the batch's plan, adding each chunk as it comes; stops early when batch.cancel is set."""
        try:
            pool = kept_pool() if batch.total >= WARM_FROM and self.workers > 1 else None
            workers = self.workers if pool is not None or batch.total >= POOL_FROM else 1
            for table in run_many(
                batch.plan,
                workers=workers,
                chunk_size=_chunk(batch.total, workers),
                cancel=batch.cancel,
                pool=pool,
            ):
                batch.take(table, min_share)
                if on_chunk is not None:
                    on_chunk(batch)
        except (
            ScenarioError,
            ValueError,
            OSError,
            RuntimeError,
        ) as exc:  # a broken pool is a RuntimeError
            batch.error = _say(exc)
        batch.cancelled = batch.cancel.is_set() and batch.done < batch.total
        if batch.tables:
            batch.refresh(min_share)  # a batch cut short shows every run it has
        batch.finished = True
        if on_chunk is not None:
            on_chunk(batch)
        return batch

    def run_batch(self, runs: int, seed: int = 1, on_chunk=None) -> Batch:
        """Many runs of the scenario as it stands on the desk (the branch explorer's runs)."""
        batch = self.start_batch(runs, seed, cancel=self._request())
        self.batch, self.selected, self.whatif = batch, (), None
        return self.fill(batch, on_chunk)

    # ------------------------------------------------------------ the branch explorer

    def node(self, path: tuple[str, ...] | None = None) -> BranchNode | None:
        if self.batch is None or self.batch.tree is None:
            return None
        return self.batch.tree.find(tuple(self.selected if path is None else path))

    def select(self, path: tuple[str, ...]) -> None:
        if self.node(path) is None:
            raise DeskError("node", f"no branch {' > '.join(path) or '(all runs)'} in this tree")
        self.selected = tuple(path)

    def fork_point(self, path: tuple[str, ...] | None = None) -> tuple[int, int, int]:
        """(run id, its seed, day) of the branch's first example run and the day it reached the branch's
        last milestone (day 0 for the root): where a what-if forks."""
        node = self.node(path)
        if node is None or not node.examples:
            raise DeskError("node", "this branch has no run to fork from")
        res = self.batch.results
        run_id = int(node.examples[0])
        row = res.runs.loc[res.runs["run_id"] == run_id].iloc[0]
        milestones = [p for p in node.path if p not in (END, OTHER)]
        day = 0
        if milestones:
            value = row.get(f"day_{milestones[-1]}")
            day = (
                0
                if value is None or (isinstance(value, float) and math.isnan(value))
                else int(value)
            )
        return run_id, int(row["seed"]), day

    def forces(self) -> dict[str, str]:
        """What a what-if can impose, spec -> words: each event, talks collapsing at a table, a party
        refusing everything at a table, a party breaking the agreement of a table."""
        sc = self.scenario
        names = {a.id: a.name for a in sc.actors}
        out = {f"event:{e.id}": f"event: {e.label or e.id}" for e in sc.spec.events}
        for t in sc.spec.tables:
            out[f"collapse:{t.id}"] = f"talks collapse at {t.id}"
            for p in t.participants:
                out[f"refuse:{p}:{t.id}"] = f"{names.get(p, p)} refuses everything at {t.id}"
                out[f"breach:{t.id}:{p}"] = f"{names.get(p, p)} breaks the {t.id} agreement"
        return out

    def what_if(self, force: str, runs: int = WHATIF_RUNS, seed: int = 1, on_chunk=None) -> WhatIf:
        """Fork the selected branch's example run on the day it reached the branch: `runs`
        continuations as they were and `runs` with `force` imposed; both distributions side by side."""
        if force not in self.forces():
            raise DeskError("force", f"nothing called '{force}' can be forced in this scenario")
        run_id, run_seed, day = self.fork_point()
        try:
            probe = Game(self.scenario, seed=run_seed)
            probe.play(day)
            probe.force(force)
        except Exception as exc:  # the spec is checked against the run as it stood that day
            raise DeskError("force", f"cannot force '{force}' on day {day}: {_say(exc)}") from None
        kw = {"fork_day": day, "cancel": self._request()}  # one flag for both halves
        base = self.start_batch(runs, run_seed, **kw)
        changed = self.start_batch(runs, run_seed, force=(force,), **kw)
        self.whatif = WhatIf(self.selected, run_id, run_seed, day, force, base, changed)
        self.fill(base, on_chunk)
        self._second_half(base, changed, on_chunk)
        return self.whatif

    def _second_half(self, first: Batch, second: Batch, on_chunk) -> None:
        """Run a pair's second batch, unless the first was cancelled: then the second is cancelled too
        (finished with nothing), never left "running" with no runs coming."""
        if first.cancel.is_set():
            second.cancel.set()
            second.cancelled = second.finished = True
            if on_chunk is not None:
                on_chunk(second)
            return
        self.fill(second, on_chunk)

    # ------------------------------------------------------------ two sets of assumptions

    def compare_with(self, path: str, value: Any, runs: int, seed: int = 1, on_chunk=None):
        """The scenario as it stands against the same with one more assumption changed, `runs` each."""
        other = {**self.overrides, path: value}
        try:
            load_scenario(self.source, other)
        except ScenarioError as exc:
            raise DeskError(path, _say(exc)) from None
        stop = self._request()  # one flag for both halves
        left = self.start_batch(runs, seed, cancel=stop)
        right = self.start_batch(runs, seed, overrides=other, cancel=stop)
        self.compare = (left, right)
        self.fill(left, on_chunk)
        self._second_half(left, right, on_chunk)
        return self.compare

    def compare_set(self, text: str, runs: int, seed: int = 1, on_chunk=None):
        """compare_with for any change written as --set PATH=VALUE (e.g. guarantees=[], a list or a
        word as well as a number)."""
        try:
            parsed = parse_set([text.strip()])
        except ScenarioError as exc:
            raise DeskError("compare", _say(exc)) from None
        ((path, value),) = parsed.items()
        try:
            return self.compare_with(path, value, runs, seed, on_chunk)
        except DeskError as exc:
            raise DeskError("compare", exc.message) from None

    def cancel(self) -> None:
        """Stop whatever runs are running on this desk (a batch, a what-if, a comparison)."""
        for batch in self._batches():
            batch.cancel.set()
        if self._armed is not None:  # a request about to start
            self._armed.set()

    def _batches(self) -> list[Batch]:
        out = [self.batch] if self.batch else []
        if self.whatif:
            out += [self.whatif.base, self.whatif.changed]
        if self.compare:
            out += list(self.compare)
        return out


def _chunk(total: int, workers: int) -> int:
    """Small chunks, so that the page sees the tree grow and a cancel stops soon."""
    return max(5, min(100, total // max(4 * workers, 1) or 1))
