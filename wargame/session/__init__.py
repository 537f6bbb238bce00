"""The interactive session: a Game that pauses where someone must decide, for the UI, the classroom and notebooks."""
