"""The interactive session: a Game that pauses where someone must decide, for the UI, the classroom and
notebooks (`from wargame.session import Game`)."""

from wargame.session.game import Game, GameError, Pending

__all__ = ["Game", "GameError", "Pending"]
