"""The scenario's rules read into the engine: conditions, and the effects events and deals have."""
