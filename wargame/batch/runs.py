"""Many runs in memory: `run_many` yields a plan's runs as Arrow tables, chunk by chunk, as they
finish, in this process, on a local process pool or on a Dask cluster, and stops when told to.

Every chunk is computed by plan.run_chunk, whose rows depend only on the plan and the run ids, so
the same run gives the same row on every backend and with any number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

import pyarrow as pa

from wargame.batch.plan import Plan, chunk_grid, default_chunk_size, run_chunk
from wargame.language.errors import ScenarioError

Chunk = tuple[int, int]  # runs start..stop-1 of a plan
POLL_SECONDS = 0.05  # how often a wait for chunks looks at `cancel`
WATCHDOG_SECONDS = 0.5  # how often a pool worker checks that the process that made it lives


def run_many(
    plan: Plan,
    *,
    workers: int = 1,
    chunk_size: int | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
    cancel: Any = None,
    scheduler: str | None = None,
    chunks: Sequence[Chunk] | None = None,
    pool: ProcessPoolExecutor | None = None,
    audit: bool = False,
) -> Iterator[pa.Table]:
    """Yield the plan's runs as Arrow tables, one per chunk, in the order the chunks finish.

    Every table has the same schema (plan.schema_for) and its rows carry their run_id; sorted by
    run_id, the tables' rows are the same whatever `workers`, `chunk_size` or backend.

    workers=1 runs in this process (no subprocess, so a UI thread may call it); workers > 1 on a
    local process pool; `scheduler` ("tcp://HOST:PORT") on a Dask cluster. `on_progress(done, total)`
    is called after each chunk with the runs finished so far (counting those outside `chunks`) and
    plan.total. `cancel` is a threading.Event (anything with is_set()) or a callable returning True
    to stop: no chunk starts after it is set, the pool's running workers are terminated (on Dask,
    the cluster's queued chunks are cancelled and running ones left to finish unread) and the
    generator returns; a chunk cut short is dropped, never yielded in part. `chunks` runs only
    those (start, stop) ranges (e.g. the ones a resumed folder lacks) instead of the whole plan in
    chunks of `chunk_size`. `pool` (from `warm_pool`) runs the chunks on workers already started and
    keeps them for the next call: a cancel then drops the queued chunks and leaves the running ones
    (small) to finish unread. `audit` adds the decision audit's columns to every table
    (plan.run_chunk).
    """
    if chunks is None:
        size = chunk_size or default_chunk_size(plan.total, workers)
        if plan.total < 1 or size < 1:
            raise ScenarioError(
                "plan",
                "nothing to run",
                expected="runs >= 1 and chunk size >= 1",
                found=f"{plan.total} runs in chunks of {size}",
            )
        chunks = chunk_grid(plan.total, size)
    todo = list(chunks)
    if not todo:
        return
    cancelled = _cancel_test(cancel)
    done = plan.total - sum(stop - start for start, stop in todo)
    if scheduler:
        backend = _on_dask(plan, todo, scheduler, cancelled, audit)
    elif pool is not None:
        backend = _on_pool(plan, todo, pool._max_workers, cancelled, pool, audit)
    elif workers <= 1:
        backend = _in_process(plan, todo, cancelled, audit)
    else:
        backend = _on_pool(plan, todo, workers, cancelled, audit=audit)
    try:
        for table in backend:
            done += table.num_rows
            if on_progress is not None:
                on_progress(done, plan.total)
            yield table
    finally:
        backend.close()  # stops the workers when the caller leaves early or an error ends the loop


def _cancel_test(cancel: Any) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if hasattr(cancel, "is_set"):
        return cancel.is_set
    if callable(cancel):
        return lambda: bool(cancel())
    raise TypeError(
        f"cancel must be a threading.Event (or have is_set()) or a callable, not {type(cancel).__name__}"
    )


def _in_process(
    plan: Plan, todo: list[Chunk], cancelled: Callable[[], bool], audit: bool = False
) -> Iterator[pa.Table]:
    for start, stop in todo:
        if cancelled():
            return
        table = run_chunk(plan, start, stop, cancelled, audit)
        if table is None:
            return
        yield table


def new_pool(workers: int) -> ProcessPoolExecutor:
    """A local process pool of `workers` for run_many."""
    # forkserver: workers start from a clean process that has imported the engine once (plain fork
    # from this multi-threaded process - Arrow and tqdm run threads - risks deadlocks).
    context = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
    if sys.platform != "win32":
        context.set_forkserver_preload(["wargame.batch.plan", "wargame.engine.model"])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )


def warm_pool(workers: int) -> ProcessPoolExecutor:
    """A pool whose workers are started now and have imported the engine (each has run a tiny task), to be
    passed to run_many(pool=...) again and again: a page's runs then start at once."""
    pool = new_pool(workers)
    for future in [pool.submit(_ready) for _ in range(workers)]:
        future.result()
    return pool


def _ready() -> bool:
    import wargame.batch.plan  # noqa: F401  (the engine, imported once per worker)

    return True


def _on_pool(
    plan: Plan,
    todo: list[Chunk],
    workers: int,
    cancelled: Callable[[], bool],
    kept: ProcessPoolExecutor | None = None,
    audit: bool = False,
) -> Iterator[pa.Table]:
    pool = kept or new_pool(workers)
    queue = list(todo)
    pending: dict = {}
    finished_all = False
    try:
        # Keep a bounded number of tasks in flight, so memory stays flat for any run count.
        while queue or pending:
            if cancelled():
                return
            while queue and len(pending) < workers * 2:
                start, stop = queue.pop(0)
                pending[pool.submit(run_chunk, plan, start, stop, None, audit)] = (start, stop)
            finished, _ = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in finished:
                del pending[future]
                table = future.result()
                if cancelled():
                    return
                yield table
        finished_all = True
    finally:
        if (
            kept is not None
        ):  # a kept pool stays: what is queued is dropped, what runs finishes unread
            for future in pending:
                future.cancel()
        elif finished_all:
            pool.shutdown(wait=True)
        else:
            _stop_pool(pool)


def _worker_start(parent: int) -> None:
    """In each pool worker: leave Ctrl-C to the parent (which stops the pool itself, so the terminal
    shows no worker's traceback), and exit when the parent is gone (killed, even by SIGKILL), so
    that no idle worker outlives it."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    first_parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(WATCHDOG_SECONDS)
            if os.getppid() != first_parent or not _alive(parent):
                os._exit(1)

    threading.Thread(target=watch, name="wargame-parent-watchdog", daemon=True).start()


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would terminate it there
        try:
            import psutil

            return psutil.pid_exists(pid)
        except ImportError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_scheduler(scheduler: str, timeout: float = 10) -> None:
    """Refuse, before anything is written, a Dask scheduler that cannot be reached."""
    _dask_client(scheduler, timeout).close()


def _dask_client(scheduler: str, timeout: float = 10):
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is a declared dependency
        raise ScenarioError(
            "--scheduler", "Dask is not installed", expected="dask[distributed]", found=str(exc)
        ) from None
    try:
        return Client(scheduler, timeout=timeout)
    except (OSError, ValueError, TypeError) as exc:
        raise ScenarioError(
            "--scheduler",
            "cannot reach the Dask scheduler",
            expected="tcp://HOST:PORT of a running scheduler (start one, or leave out --scheduler)",
            found=f"{scheduler} ({str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__})",
        ) from None


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the queued chunks and terminate the workers now, without waiting for running chunks."""
    terminate = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((pool._processes or {}).values())  # what terminate_workers does before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)


def _on_dask(
    plan: Plan,
    todo: list[Chunk],
    scheduler: str,
    cancelled: Callable[[], bool],
    audit: bool = False,
) -> Iterator[pa.Table]:
    from distributed import as_completed

    client = _dask_client(scheduler)
    futures: list = []
    try:
        plan_future = client.scatter(plan, broadcast=True)
        futures = [
            client.submit(run_chunk, plan_future, start, stop, None, audit, pure=False)
            for start, stop in todo
        ]
        arriving = as_completed(futures)
        while not arriving.is_empty():
            if cancelled():
                return
            ready = arriving.next_batch(block=False)
            if not ready:
                time.sleep(POLL_SECONDS)
            for future in ready:
                table = future.result()
                if cancelled():
                    return
                yield table
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished:
            client.cancel(unfinished)
        client.close()
