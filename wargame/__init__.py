"""A strategic scenario wargame: actors bargain over bases, safe passage and guarantees on a modelled ground.

The public API, shared by the command line, notebooks and the browser UI:
    load_scenario(name_or_path, overrides)  -> Scenario (validated; ScenarioError on bad input)
    WargameModel(scenario, rng=seed)        -> a Mesa model; .step() is one day, .run() to the end
    run(scenario, seed)                     -> RunResult
"""

from __future__ import annotations

from .errors import ScenarioError
from .model import WargameModel
from .outcomes import RunResult
from .scenario import Scenario, list_scenarios, load_scenario

__version__ = "0.1.0"


def run(
    scenario="syria_dec2024",
    seed: int | None = None,
    overrides: dict | None = None,
    days: int | None = None,
    narrate: bool = False,
) -> RunResult:
    """Play one run to its end and return its result."""
    return WargameModel(scenario, rng=seed, overrides=overrides, days=days, narrate=narrate).run()


__all__ = [
    "ScenarioError",
    "WargameModel",
    "RunResult",
    "Scenario",
    "list_scenarios",
    "load_scenario",
    "run",
    "__version__",
]
