"""Many runs: the in-memory batch, the Monte Carlo that writes a results folder, sweeps, and the Dask backend."""

from wargame.batch.plan import Plan
from wargame.batch.runs import run_many

__all__ = ["Plan", "run_many"]
