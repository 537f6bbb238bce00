"""The session's errors, in a module of their own so that the reading of saved games (saved_games) can
build on them without importing the Game it feeds."""

from __future__ import annotations


class GameError(ValueError):
    """A move, inject or override the game cannot take, with what it can take instead."""


class ClassroomError(GameError):
    """A request the classroom refuses (a wrong seat, nothing to decide, a paused game ...)."""
