"""A strategic scenario wargame: actors bargain over bases, safe passage and guarantees on a modelled ground.

The public API, shared by the command line, notebooks, the classroom and the browser UI:
    load_scenario(name_or_path, overrides)  -> Scenario (validated; ScenarioError on bad input)
    Game(scenario, seed=, seats={actor: owner}) -> one run that pauses for seats (wargame.session)
    WargameModel(scenario, rng=seed)        -> the Mesa model; .step() is one day, .run() to the end
    run(scenario, seed)                     -> RunResult
    wargame.batch.run_many(plan, ...)       -> many runs as Arrow tables, with progress and cancel
    wargame.batch.montecarlo.monte_carlo(plan, out, ...), wargame.analysis.branching.branch_tree(runs), ...

The package is layered, lowest first: language (scenario files) -> engine -> session -> batch -> analysis
-> presentation -> cli; `lint-imports` holds every import to that order. Names are imported on first use,
so reading results (branching, drivers, report) does not load Mesa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS = {
    "Game": "wargame.session.game",
    "ScenarioError": "wargame.language.errors",
    "WargameModel": "wargame.engine.model",
    "RunResult": "wargame.engine.outcomes",
    "Scenario": "wargame.language.scenario",
    "list_scenarios": "wargame.language.scenario",
    "default_scenario": "wargame.language.scenario",
    "load_scenario": "wargame.engine.scenarios",
}

if TYPE_CHECKING:
    from wargame.engine.model import WargameModel
    from wargame.engine.outcomes import RunResult
    from wargame.engine.scenarios import load_scenario
    from wargame.language.errors import ScenarioError
    from wargame.language.scenario import Scenario, default_scenario, list_scenarios
    from wargame.session.game import Game


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'wargame' has no attribute '{name}'")


def run(
    scenario=None,
    seed: int | None = None,
    overrides: dict | None = None,
    days: int | None = None,
    narrate: bool = False,
):
    """Play one run of a scenario (a name, a path or a Scenario; default: the bundled default scenario)
    to its end and return its RunResult."""
    from wargame.engine.model import WargameModel

    return WargameModel(scenario, rng=seed, overrides=overrides, days=days, narrate=narrate).run()


__all__ = [
    "Game",
    "ScenarioError",
    "WargameModel",
    "RunResult",
    "Scenario",
    "list_scenarios",
    "default_scenario",
    "load_scenario",
    "run",
    "__version__",
]
