"""The browser UI (Solara) and its components, which also display in a Jupyter notebook:

    from viz import Workspace, Desk, RunView, ManyRuns, ScenarioPanel, SeatPanel, ComparePanel, Page
    Page()                      # the whole page in a notebook cell

Nothing here is imported by the engine (`wargame`): the page sits on top of it.
"""

from __future__ import annotations

_EXPORTS = {
    "Workspace": "viz.workspace",
    "DeskError": "viz.workspace",
    "Desk": "viz.common",
    "Page": "viz.app",
    "ScenarioPanel": "viz.scenario_panel",
    "RunView": "viz.run_view",
    "SeatPanel": "viz.run_view",
    "ManyRuns": "viz.branch_explorer",
    "ComparePanel": "viz.branch_explorer",
    "map_figure": "viz.geography",
    "talks_figure": "viz.charts",
    "side_by_side_figure": "viz.charts",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'viz' has no attribute '{name}'")


__all__ = list(_EXPORTS)
