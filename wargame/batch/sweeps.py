"""Sweeps over uncertain settings: `PATH=a:b:k` on a grid, or a Latin hypercube over the same ranges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from wargame.language.errors import ScenarioError


@dataclass(frozen=True)
class SweepRange:
    path: str
    low: float
    high: float
    count: int
    integer: bool  # both ends whole numbers: values are rounded (days, personnel)

    def grid(self) -> list[Any]:
        values = np.linspace(self.low, self.high, self.count)
        return [int(round(v)) if self.integer else round(float(v), 12) for v in values]

    def scale(self, u: float) -> Any:
        value = self.low + (self.high - self.low) * u
        return int(round(value)) if self.integer else float(value)


def parse_sweep(text: str) -> SweepRange:
    path, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not path or len(parts) != 3:
        raise ScenarioError(
            "--sweep",
            "sweep must be PATH=LOW:HIGH:COUNT",
            expected="e.g. actors.ACTOR.time_pressure=0.2:0.9:4",
            found=text,
        )
    try:
        low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise ScenarioError(
            "--sweep",
            "sweep bounds must be numbers and COUNT a whole number",
            field=path,
            expected="LOW:HIGH:COUNT",
            found=spec,
        ) from None
    if not (np.isfinite(low) and np.isfinite(high)) or not 1 <= count <= 100_000:
        raise ScenarioError(
            "--sweep",
            "sweep bounds must be finite and COUNT from 1 to 100,000",
            field=path,
            expected="e.g. 0.2:0.9:4",
            found=spec,
        )
    integer = parts[0].lstrip("-").isdigit() and parts[1].lstrip("-").isdigit()
    if integer and count > int(abs(high - low)) + 1:
        raise ScenarioError(
            "--sweep",
            "more whole-number points than there are whole numbers between the bounds",
            field=path,
            expected=f"COUNT at most {int(abs(high - low)) + 1} for {parts[0]}:{parts[1]}",
            found=spec,
        )
    if count < 1 or (count > 1 and low == high):
        raise ScenarioError(
            "--sweep",
            "sweep needs COUNT >= 1 and LOW != HIGH when COUNT > 1",
            field=path,
            expected="e.g. 0.2:0.9:4",
            found=spec,
        )
    return SweepRange(path.strip(), low, high, count, integer)


def design_points(
    ranges: list[SweepRange], design: str = "grid", points: int | None = None, seed: int = 0
) -> list[dict[str, Any]]:
    """The sweep's points: the full grid (product of each range's COUNT values), or `points` Latin
    hypercube samples over the ranges (scipy.stats.qmc, seeded by the root seed)."""
    if not ranges:
        return [{}]
    seen: set[str] = set()
    for r in ranges:
        if r.path in seen:
            raise ScenarioError(
                "--sweep",
                f"'{r.path}' is swept twice",
                field=r.path,
                expected="each path swept once (one --sweep PATH=LOW:HIGH:COUNT per path)",
                found=f"{r.path} twice",
            )
        seen.add(r.path)
    if design == "grid":
        grids = [r.grid() for r in ranges]
        mesh = (
            np.array(np.meshgrid(*[np.arange(len(g)) for g in grids], indexing="ij"))
            .reshape(len(grids), -1)
            .T
        )
        return [
            {r.path: grids[k][i] for k, (r, i) in enumerate(zip(ranges, row, strict=True))}
            for row in mesh
        ]
    if design == "lhs":
        from scipy.stats import qmc

        n = points or max(r.count for r in ranges)
        sample = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(seed)).random(n)
        return [{r.path: r.scale(u) for r, u in zip(ranges, row, strict=True)} for row in sample]
    raise ScenarioError("--design", "unknown sweep design", expected="grid or lhs", found=design)
