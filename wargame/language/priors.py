"""Prior distributions for actors' private values, as written in YAML, each with its source."""

from __future__ import annotations

from statistics import NormalDist
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Prior(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # `1e999` or `nan` as text too
    source: str = Field(
        min_length=1, description="where this estimate comes from, or 'estimate: why'"
    )

    def bounds(self) -> tuple[float, float]:
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> float:
        raise NotImplementedError

    def mean(self) -> float:
        raise NotImplementedError


def _ordered(low: float, high: float) -> None:
    if not low < high:
        raise ValueError(f"impossible bounds: low ({low}) must be below high ({high})")


class Fixed(_Prior):
    dist: Literal["fixed"]
    value: float

    def bounds(self):
        return self.value, self.value

    def sample(self, rng):
        return float(self.value)

    def mean(self):
        return float(self.value)


class _Ranged(_Prior):
    """A prior on [low, high]; each subclass declares the two fields (and may check more)."""

    @model_validator(mode="after")
    def _bounds(self):
        _ordered(self.low, self.high)
        return self

    def bounds(self):
        return self.low, self.high


class Uniform(_Ranged):
    dist: Literal["uniform"]
    low: float
    high: float

    def sample(self, rng):
        return float(rng.uniform(self.low, self.high))

    def mean(self):
        return (self.low + self.high) / 2


class Triangular(_Ranged):
    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _bounds(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"impossible bounds: need low <= mode <= high with low < high, got {self.low}, {self.mode}, {self.high}"
            )
        return self

    def sample(self, rng):
        return float(rng.triangular(self.low, self.mode, self.high))

    def mean(self):
        return (self.low + self.mode + self.high) / 3


class Normal(_Ranged):
    """A normal distribution truncated to [low, high], sampled by inverse CDF (one draw per sample)."""

    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    sd: float = Field(gt=0)
    low: float
    high: float

    @model_validator(mode="after")
    def _bounds(self):
        _ordered(self.low, self.high)
        nd = NormalDist(self.mean_, self.sd)
        if nd.cdf(self.high) - nd.cdf(self.low) < 1e-9:
            raise ValueError(
                f"impossible bounds: [{self.low}, {self.high}] holds no mass of normal(mean={self.mean_}, sd={self.sd})"
            )
        return self

    def sample(self, rng):
        nd = NormalDist(self.mean_, self.sd)
        lo, hi = nd.cdf(self.low), nd.cdf(self.high)
        u = lo + (hi - lo) * float(rng.random())
        return float(min(max(nd.inv_cdf(min(max(u, 1e-12), 1 - 1e-12)), self.low), self.high))

    def mean(self):
        return float(min(max(self.mean_, self.low), self.high))


class Beta(_Ranged):
    """Beta(a, b) rescaled to [low, high] (default [0, 1])."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0

    def sample(self, rng):
        return float(self.low + (self.high - self.low) * rng.beta(self.a, self.b))

    def mean(self):
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)


Prior = Annotated[Fixed | Uniform | Triangular | Normal | Beta, Field(discriminator="dist")]
