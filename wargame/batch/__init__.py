"""Many runs: the in-memory batch, the Monte Carlo that writes a results folder, sweeps, and the Dask backend."""

# Imported on first use: reading a results folder (wargame.batch.results_folder) must not load the engine.
_EXPORTS = {"Plan": "wargame.batch.plan", "run_many": "wargame.batch.runs"}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'wargame.batch' has no attribute '{name}'")


__all__ = ["Plan", "run_many"]
