"""The scenario language: YAML read with line numbers, the schema, priors, loading and cross-checking.

It knows nothing of the engine: a scenario is data until the engine plays it."""
