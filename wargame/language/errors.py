"""The one exception type for bad user input: it names the file, line, field, what was expected and found."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass
class ScenarioError(Exception):
    """A scenario, profile or command-line value that is wrong, explained so a person can fix it."""

    file: str
    message: str
    line: int | None = None
    field: str | None = None
    expected: str | None = None
    found: str | None = None
    suggestion: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        head = f"{where}: {self.message}"
        if self.field:
            head += f" (field '{self.field}')"
        parts = [head]
        found = self.found
        if found is not None and len(found) > 200:  # a 4,000-digit number, a line of a binary file
            found = found[:197] + "..."
        if self.expected is not None and found is not None:
            parts.append(f"expected {self.expected}, found {found}")
        elif self.expected is not None:
            parts.append(f"expected {self.expected}")
        elif found is not None:
            parts.append(f"found {found}")
        if self.suggestion:
            parts.append(f"did you mean '{self.suggestion}'?")
        return "\n  ".join(parts)


def closest(word: str, choices) -> str | None:
    """The nearest known name to a misspelt one, or None when nothing is close."""
    matches = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return matches[0] if matches else None
