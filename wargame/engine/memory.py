"""Remembered values and the one door every change of the world goes through.

Some values are costly to work out and read many times a day (an actor's outside option at a table, how
safely a side could get out alone, its ways out, the deterrence a party faces). Each is remembered in a
store that names the aspects of the world it reads. Whatever changes the world (an effect, an event, a
signature, a breach, a convoy, an instructor's inject or override) says which aspects it changed through
`Memory.changed`, which bumps the revision and drops every store that read them: nothing is forgotten by
hand at the call sites, and nothing can be read stale after a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# What can change: the clock; where people are (sites, convoys, sieges, losses); the roads, air routes and
# aircraft; the actors' standing (trust, reputation, capabilities, time pressure, outside options, beliefs
# about breaches); and the agreements (signed, completed, broken).
ASPECTS = ("day", "people", "routes", "standing", "deals")

# Each store and the aspects its values are read from.
READS: dict[str, tuple[str, ...]] = {
    # an outside option weighed by how safely the evacuating side could get out alone (at a table that
    # moves people) reads the ground; every other outside option reads the clock and the actors only
    "reservation": ("day", "people", "routes", "standing", "deals"),
    "position": ("day", "standing"),
    "position_path": ("standing",),  # the same over whole days (outside_options.reservation_path)
    "safety": ("people", "routes", "standing", "deals"),
    "way_out": ("routes", "standing", "deals"),
    "deterrence": ("standing",),
    "keep_terms": ("standing",),
    "break_chance": ("standing",),
    "deals": ("deals",),
}

_MISSING = object()


class Memory:
    """The revision of the world, one counter per aspect, and the stores of remembered values."""

    def __init__(self) -> None:
        self.revision = 0
        self.counts = dict.fromkeys(ASPECTS, 0)
        self.stores: dict[str, dict] = {name: {} for name in READS}
        self._readers = {
            aspect: [self.stores[name] for name, reads in READS.items() if aspect in reads]
            for aspect in ASPECTS
        }

    def changed(self, *aspects: str) -> None:
        """The door: some aspects of the world changed (all of them when none is named)."""
        self.revision += 1
        for aspect in aspects or ASPECTS:
            self.counts[aspect] += 1
            for store in self._readers[aspect]:
                store.clear()

    def recall(self, store: str, key, work_out: Callable[..., Any], *args) -> Any:
        """The remembered value, or `work_out(*args)` remembered until what it reads changes."""
        values = self.stores[store]
        value = values.get(key, _MISSING)
        if value is _MISSING:
            value = values[key] = work_out(*args)
        return value
